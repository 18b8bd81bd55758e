package dev.tokenauthority.server.token;

import dev.tokenauthority.server.background.Periodic;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when tokens were last used without writing on the request path: uses are coalesced per
 * token in memory and flushed in one transaction every interval (and on close).
 */
public final class LastUseRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LastUseRecorder.class);

  private final TokenStore store;
  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  private final Periodic flusher;

  public LastUseRecorder(TokenStore store, Duration flushInterval) {
    this.store = store;
    this.flusher = Periodic.every(
        "last-use-flusher", flushInterval, flushInterval, this::flush, log, "record token last-use times");
  }

  /**
   * Notes that {@code tokenId} was used at {@code when}; cheap, in memory. A use within a second
   * of the one already noted changes nothing and takes no lock: every call of a busy token used
   * to queue on the same map entry (JFR, introspection beside writers).
   */
  public void record(String tokenId, Instant when) {
    Instant noted = pending.get(tokenId);
    if (noted != null && when.isBefore(noted.plus(PRECISION))) {
      return;
    }
    pending.merge(tokenId, when, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** How exact a pending last-use time is. */
  static final Duration PRECISION = Duration.ofSeconds(1);

  /** A use of {@code tokenId} not flushed yet, or null. */
  public Instant pending(String tokenId) {
    return pending.get(tokenId);
  }

  /** Writes every pending use now. */
  public synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Instant> batch = new HashMap<>();
    for (String id : pending.keySet()) {
      Instant when = pending.remove(id);
      if (when != null) {
        batch.put(id, when);
      }
    }
    try {
      store.recordLastUse(batch);
    } catch (RuntimeException e) {
      batch.forEach(this::record); // keep them for the next try
      throw e;
    }
  }

  /** Stops the background flush and writes what is pending. */
  @Override
  public void close() {
    flusher.close();
    flush();
  }
}
