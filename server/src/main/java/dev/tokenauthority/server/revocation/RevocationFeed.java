package dev.tokenauthority.server.revocation;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.quota.HolderQuota;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes revocations to every subscriber as they are committed.
 *
 * <p>One dispatcher thread reads new entries from the {@link RevocationLog} in sequence order
 * (so the delivery order is the commit order, whatever thread committed) and hands them to each
 * subscriber. Writers {@link #wake()} it after a commit; a short tick also catches rotation grace
 * periods that end, heartbeats keep idle streams observably alive, and old entries are pruned.
 *
 * <p>Memory stays bounded whatever subscribers do. Nothing is sent to a subscriber that is not
 * ready (gRPC flow control), so the transport buffers at most its flow-control window per stream;
 * the feed itself keeps only how far each subscriber got. A subscriber that lags reads what it
 * missed back from the stored log a page at a time when it is ready again (so does the replay on
 * connect), however far behind a burst (a bulk revocation) left it. One that stays behind without
 * taking a single event for {@code maxStall} is ended: it resumes from its last sequence on
 * reconnect, losing nothing.
 */
public final class RevocationFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);
  private static final int BATCH = 1_000;
  private static final int CATCH_UP_PAGE = 256;
  private final RevocationLog revocations;
  private final Clock clock;
  private final FeedLimits limits;
  private final ScheduledExecutorService dispatcher;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  /** When the stored feed was last read through to its end (System.nanoTime). */
  private volatile long lastHeard = System.nanoTime();
  private volatile java.time.Duration silenceBound;
  private volatile Runnable afterSilence = () -> {};

  /** Runs {@code action} when the feed is heard again after more than {@code bound} unheard. */
  public void afterSilenceOf(java.time.Duration bound, Runnable action) {
    this.afterSilence = action;
    this.silenceBound = bound;
  }
  private final List<Follower> followers = new CopyOnWriteArrayList<>();
  private final HolderQuota streams;
  private long delivered; // only the dispatcher thread reads or writes it after construction
  private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sendDelayMillis = new java.util.concurrent.atomic.LongAdder();

  public RevocationFeed(RevocationLog revocations, Clock clock, FeedLimits limits) {
    this.revocations = revocations;
    this.clock = clock;
    this.limits = limits;
    this.streams = new HolderQuota(limits.streamsPerHolder());
    this.delivered = revocations.latestSequence();
    this.dispatcher = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("revocation-feed").setDaemon(true).build());
    long beat = limits.heartbeat().toMillis();
    long tick = limits.tick().toMillis();
    dispatcher.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    dispatcher.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    dispatcher.scheduleWithFixedDelay(this::prune, 0, 1, TimeUnit.HOURS);
    revocations.onCommit(this::wake);
  }

  /** Streams subscribed now. */
  public int subscribers() {
    return followers.size();
  }

  /** Revocations sent to subscribers so far, and their summed delay from revocation to sending (ms). */
  public long sent() {
    return sent.sum();
  }

  public long sendDelayMillis() {
    return sendDelayMillis.sum();
  }

  /** Says that new revocations were committed; delivery follows on the dispatcher thread. */
  public void wake() {
    if (wakePending.compareAndSet(false, true) && !run(this::deliverQuietly)) {
      wakePending.set(false); // closing
    }
  }

  /**
   * Adds a subscriber that last saw {@code afterSequence} of {@code epoch} (0 and 0 on a first
   * connection). It gets a start message, then what it missed, if the log still has it, then
   * every new revocation.
   *
   * @param holder who holds the stream (the caller's token id), for the per-holder limit
   * @throws ResourceExhaustedException if {@code holder} already holds the most streams allowed
   */
  public Subscription subscribe(
      String holder, long epoch, long afterSequence, RevocationSubscriber subscriber) {
    if (!streams.tryAcquire(holder)) {
      throw new ResourceExhaustedException("TOO_MANY_STREAMS", "this token already holds "
          + limits.streamsPerHolder() + " WatchRevocations streams, the most allowed; close one"
          + " (one stream per client process is enough)");
    }
    Follower follower = new Follower(holder, subscriber);
    if (!run(() -> follower.begin(epoch, afterSequence))) {
      follower.cancel();
      subscriber.closed();
    }
    return follower;
  }

  /** Ends every stream (they reconnect elsewhere or later) and stops the dispatcher. */
  @Override
  public void close() {
    dispatcher.shutdownNow();
    try {
      dispatcher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Follower f : followers) {
      f.end(f.subscriber::closed);
    }
    followers.clear();
  }

  private boolean run(Runnable task) {
    try {
      dispatcher.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Whether the feed read the stored revocations successfully within {@code bound}: whether what
   * this process caches can have missed a revocation committed elsewhere for longer than that.
   */
  public boolean heardWithin(java.time.Duration bound) {
    return System.nanoTime() - lastHeard < bound.toNanos();
  }

  private void tick() {
    long started = System.nanoTime(); // what the tick read is current as of its start, not its end
    try {
      // Also catches up after a delivery that failed (a storage error): nothing committed waits
      // for the next write to be sent.
      if (revocations.publishDue(clock.instant()) > 0 || revocations.latestSequence() > delivered) {
        deliver();
      }
      if (silenceBound != null && started - lastHeard > silenceBound.toNanos()) {
        afterSilence.run(); // what was cached meanwhile may have missed revocations the feed no longer holds
      }
      lastHeard = started;
    } catch (RuntimeException e) {
      log.warn("revocation feed tick failed; will retry: {}", e.toString());
    }
  }

  private void deliverQuietly() {
    try {
      deliver();
    } catch (RuntimeException e) {
      log.warn("revocation feed delivery failed; will retry: {}", e.toString());
    }
  }

  private void deliver() {
    wakePending.set(false);
    List<RevokedToken> batch;
    while (!(batch = revocations.after(delivered, BATCH)).isEmpty()) {
      long before = delivered;
      delivered = batch.get(batch.size() - 1).sequence();
      long now = System.nanoTime();
      for (Follower f : followers) {
        if (f.sentUpTo >= before) {
          f.progressAt = now; // it was up to date until this batch
          f.send(batch); // caught up: straight from the batch, as far as it is ready
        } else {
          f.catchUp();
        }
      }
    }
  }

  private void heartbeat() {
    for (Follower f : followers) {
      if (f.sentUpTo >= delivered) {
        f.progressAt = System.nanoTime();
        if (f.subscriber.isReady()) {
          f.call(() -> f.subscriber.heartbeat(delivered));
        }
      } else {
        f.catchUp();
      }
    }
  }

  private void prune() {
    try {
      int pruned = revocations.prune(clock.instant().minus(limits.retention()));
      if (pruned > 0) {
        log.info("pruned {} revocation feed entries older than {}", pruned, limits.retention());
      }
    } catch (RuntimeException e) {
      log.warn("revocation feed pruning failed; will retry: {}", e.toString());
    }
  }

  /** A subscriber and how far it got; touched only on the dispatcher thread. */
  private final class Follower implements Subscription {
    final String holder;
    final RevocationSubscriber subscriber;
    final AtomicBoolean catchUpPending = new AtomicBoolean();
    final AtomicBoolean ended = new AtomicBoolean();
    long sentUpTo;
    long progressAt = System.nanoTime(); // when it last took an event, or was up to date

    Follower(String holder, RevocationSubscriber subscriber) {
      this.holder = holder;
      this.subscriber = subscriber;
    }

    void begin(long epoch, long afterSequence) {
      if (ended.get()) {
        return;
      }
      boolean reset;
      long latest;
      try {
        if (afterSequence > delivered && epoch == revocations.epoch()) {
          // Resuming from another replica that had read further: read up to now before judging.
          deliver();
        }
        latest = delivered;
        reset = epoch != revocations.epoch() // 0 on a first connection
            || afterSequence < 0
            || afterSequence > latest
            || afterSequence < revocations.oldestSequence() - 1;
      } catch (RuntimeException e) {
        log.warn("cannot start a revocation stream: {}", e.toString());
        end(subscriber::closed);
        return;
      }
      sentUpTo = reset ? latest : afterSequence;
      followers.add(this);
      if (ended.get()) { // cancelled while starting: cancel() could not remove it yet
        followers.remove(this);
        return;
      }
      if (call(() -> subscriber.start(revocations.epoch(), latest, reset))) {
        catchUp();
      }
    }

    /** Sends what it missed from the stored log, a page at a time, while it is ready. */
    void catchUp() {
      catchUpPending.set(false);
      try {
        while (!ended.get() && sentUpTo < delivered && subscriber.isReady()) {
          // Never past what was delivered: newer entries come with the next delivery, in order.
          long upTo = delivered;
          List<RevokedToken> page = revocations.after(sentUpTo, CATCH_UP_PAGE).stream()
              .filter(t -> t.sequence() <= upTo).toList();
          if (page.isEmpty() || !send(page)) {
            break;
          }
        }
      } catch (RuntimeException e) {
        log.warn("revocation stream catch-up failed; will retry: {}", e.toString());
      }
      checkLag();
    }

    /** Sends the entries after {@code sentUpTo} while ready; false if it stopped early. */
    boolean send(List<RevokedToken> tokens) {
      for (RevokedToken t : tokens) {
        if (t.sequence() <= sentUpTo) {
          continue;
        }
        if (ended.get() || !subscriber.isReady() || !call(() -> subscriber.revoked(t))) {
          checkLag();
          return false;
        }
        sentUpTo = t.sequence();
        progressAt = System.nanoTime();
        sent.increment();
        sendDelayMillis.add(Math.max(0, clock.millis() - t.revokeTime().toEpochMilli()));
      }
      return true;
    }

    /** Ends it if it is behind and has taken nothing for the allowed stall. */
    void checkLag() {
      long behind = delivered - sentUpTo;
      if (behind > 0 && System.nanoTime() - progressAt > limits.maxStall().toNanos()) {
        end(() -> subscriber.tooSlow(behind));
      }
    }

    /** Calls the subscriber; a subscriber that throws has gone away and is dropped. */
    boolean call(Runnable message) {
      try {
        message.run();
        return true;
      } catch (RuntimeException e) {
        end(() -> { });
        return false;
      }
    }

    void end(Runnable last) {
      if (ended.compareAndSet(false, true)) {
        followers.remove(this);
        streams.release(holder);
        try {
          last.run();
        } catch (RuntimeException e) {
          // the stream went away first
        }
      }
    }

    @Override
    public void ready() {
      if (!ended.get() && catchUpPending.compareAndSet(false, true) && !run(this::catchUp)) {
        catchUpPending.set(false);
      }
    }

    @Override
    public void cancel() {
      end(() -> { });
    }
  }
}
