package dev.tokenauthority.server.revocation;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
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
 */
public final class RevocationFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);
  private static final int BATCH = 1_000;
  private static final long TICK_MILLIS = 250;

  private final RevocationLog revocations;
  private final Clock clock;
  private final Duration retention;
  private final ScheduledExecutorService dispatcher;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final List<Follower> followers = new CopyOnWriteArrayList<>();
  private long delivered; // guarded by this

  public RevocationFeed(RevocationLog revocations, Clock clock, Duration heartbeat, Duration retention) {
    this.revocations = revocations;
    this.clock = clock;
    this.retention = retention;
    this.delivered = revocations.latestSequence();
    this.dispatcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "revocation-feed");
      t.setDaemon(true);
      return t;
    });
    dispatcher.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    dispatcher.scheduleAtFixedRate(this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    dispatcher.scheduleWithFixedDelay(this::prune, 0, 1, TimeUnit.HOURS);
  }

  /** Says that new revocations were committed; delivery follows on the dispatcher thread. */
  public void wake() {
    if (wakePending.compareAndSet(false, true)) {
      try {
        dispatcher.execute(this::deliverQuietly);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        wakePending.set(false); // closing
      }
    }
  }

  /**
   * Adds a subscriber that last saw {@code afterSequence} of {@code epoch} (0 and 0 on a first
   * connection). It gets a start message, then what it missed, if the log still has it, then
   * every new revocation. Returns the handle to cancel it.
   */
  public Runnable subscribe(long epoch, long afterSequence, RevocationSubscriber subscriber) {
    Follower follower = new Follower(subscriber);
    synchronized (follower) { // the dispatcher waits on this until the replay is sent
      long latest;
      synchronized (this) {
        latest = delivered;
        followers.add(follower);
      }
      boolean reset = epoch != revocations.epoch() // 0 on a first connection
          || afterSequence < 0
          || afterSequence > latest
          || afterSequence < revocations.oldestSequence() - 1;
      follower.sentUpTo = reset ? latest : afterSequence;
      subscriber.start(revocations.epoch(), latest, reset);
      while (follower.sentUpTo < latest) {
        List<RevokedToken> missed = revocations.after(follower.sentUpTo, BATCH);
        if (missed.isEmpty()) {
          break;
        }
        follower.send(missed.stream().filter(t -> t.sequence() <= latest).toList());
      }
    }
    return () -> followers.remove(follower);
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
      synchronized (f) {
        f.subscriber.closed();
      }
    }
    followers.clear();
  }

  private void tick() {
    try {
      if (revocations.publishDue(clock.instant()) > 0) {
        deliver();
      }
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

  private synchronized void deliver() {
    wakePending.set(false);
    List<RevokedToken> batch;
    while (!(batch = revocations.after(delivered, BATCH)).isEmpty()) {
      for (Follower f : followers) {
        synchronized (f) {
          f.send(batch);
        }
      }
      delivered = batch.get(batch.size() - 1).sequence();
    }
  }

  private void heartbeat() {
    long latest;
    synchronized (this) {
      latest = delivered;
    }
    for (Follower f : followers) {
      synchronized (f) {
        f.heartbeat(latest);
      }
    }
  }

  private void prune() {
    try {
      int pruned = revocations.prune(clock.instant().minus(retention));
      if (pruned > 0) {
        log.info("pruned {} revocation feed entries older than {}", pruned, retention);
      }
    } catch (RuntimeException e) {
      log.warn("revocation feed pruning failed; will retry: {}", e.toString());
    }
  }

  /** A subscriber and how far it got; every call on it holds its monitor. */
  private final class Follower {
    final RevocationSubscriber subscriber;
    long sentUpTo;

    Follower(RevocationSubscriber subscriber) {
      this.subscriber = subscriber;
    }

    void send(List<RevokedToken> tokens) {
      try {
        for (RevokedToken t : tokens) {
          if (t.sequence() > sentUpTo) {
            subscriber.revoked(t);
            sentUpTo = t.sequence();
          }
        }
      } catch (RuntimeException e) { // a stream that went away
        followers.remove(this);
      }
    }

    void heartbeat(long latest) {
      try {
        subscriber.heartbeat(Math.max(latest, sentUpTo));
      } catch (RuntimeException e) {
        followers.remove(this);
      }
    }
  }
}
