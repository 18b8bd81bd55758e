package dev.tokenauthority.server.audit;

import dev.tokenauthority.server.background.Periodic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records security events (failed authentications, denials, inactive tokens presented) off the
 * request path: they change nothing, so they need no transaction of their own, and a storm of bad
 * credentials must not queue on the database's single writer. Entries are written in batches every
 * second (and by {@link #flush()}); repeats are coalesced per key and minute.
 */
public final class SecurityEvents implements SecurityEventRecorder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SecurityEvents.class);
  static final Duration WINDOW = Duration.ofMinutes(1);
  private static final int QUEUE_CAPACITY = 10_000;
  private static final int MAX_WINDOWS = 100_000;

  private final AuditStore store;
  private final Clock clock;
  private final BlockingQueue<AuditEntry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder droppedTotal = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder coalescedTotal = new java.util.concurrent.atomic.LongAdder();
  /** Events a failed write (a full disk) could not store: written first at the next flush. */
  private final java.util.ArrayDeque<AuditEntry> unwritten = new java.util.ArrayDeque<>();
  private final Periodic flusher;

  public SecurityEvents(AuditStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.flusher = Periodic.every("security-events", Duration.ofSeconds(1), Duration.ofSeconds(1),
        this::flush, log, "record security events");
  }

  /** Records {@code entry} within about a second. */
  @Override
  public void record(AuditEntry entry) {
    if (!queue.offer(entry)) {
      dropped.incrementAndGet();
      droppedTotal.increment();
    }
  }

  /**
   * Records the first {@code entry} of {@code key} in each minute at once, and the repeats within
   * that minute as one entry with their count (details {@code repeats}) when the minute is over.
   */
  @Override
  public void recordCoalesced(String key, AuditEntry entry) {
    Instant now = clock.instant();
    boolean[] first = {false};
    if (windows.size() >= MAX_WINDOWS && !windows.containsKey(key)) {
      record(entry); // too many distinct keys to coalesce: the bounded queue still protects us
      return;
    }
    windows.compute(key, (k, w) -> {
      if (w == null || w.isOver(now)) {
        if (w != null) {
          w.summary().ifPresent(this::record);
        }
        first[0] = true;
        return new Window(now, entry);
      }
      w.repeat(entry);
      coalescedTotal.increment();
      return w;
    });
    if (first[0]) {
      record(entry);
    }
  }

  /** Writes what is queued, and the repeat counts of minutes that are over. */
  public synchronized void flush() {
    Instant now = clock.instant();
    windows.forEach((key, w) -> {
      if (w.isOver(now) && windows.remove(key, w)) {
        w.summary().ifPresent(this::record);
      }
    });
    List<AuditEntry> batch = new ArrayList<>(unwritten);
    unwritten.clear();
    queue.drainTo(batch);
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      log.warn("{} security events were not recorded: more arrived than could be written", lost);
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      store.append(batch);
    } catch (RuntimeException e) {
      // Keep them for the next flush (space may come back); beyond the cap, the oldest go.
      int keep = Math.min(batch.size(), QUEUE_CAPACITY);
      unwritten.addAll(batch.subList(batch.size() - keep, batch.size()));
      dropped.addAndGet(batch.size() - keep);
      droppedTotal.add(batch.size() - keep);
      throw e;
    }
  }

  /** Security events folded into a coalesced one so far (repeats within a minute). */
  public long coalesced() {
    return coalescedTotal.sum();
  }

  /** Security events lost so far: more arrived than could be kept while they could not be written. */
  public long droppedEvents() {
    return droppedTotal.sum();
  }

  /** Stops the background writer and writes everything pending, repeat counts included. */
  @Override
  public void close() {
    flusher.close();
    windows.forEach((key, w) -> w.summary().ifPresent(this::record));
    windows.clear();
    flush();
  }

  /** One key's minute: when it began, and the repeats since. */
  private static final class Window {
    private final Instant start;
    private AuditEntry last;
    private long repeats;

    Window(Instant start, AuditEntry first) {
      this.start = start;
      this.last = first;
    }

    boolean isOver(Instant now) {
      return !now.isBefore(start.plus(WINDOW));
    }

    void repeat(AuditEntry entry) {
      last = entry;
      repeats++;
    }

    java.util.Optional<AuditEntry> summary() {
      return repeats == 0 ? java.util.Optional.empty()
          : java.util.Optional.of(last.withDetail("repeats", Long.toString(repeats))
              .withDetail("repeats_since", start.toString()));
    }
  }
}
