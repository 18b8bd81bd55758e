package dev.tokenauthority.server.quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (open streams, running scans) each holder — a caller's token — has at
 * once, up to a limit. Holders at zero take no memory.
 */
public final class HolderQuota {
  private final int limit;
  private final Map<String, Integer> held = new ConcurrentHashMap<>();

  public HolderQuota(int limit) {
    this.limit = limit;
  }

  public int limit() {
    return limit;
  }

  /** Takes one for {@code holder}; false, taking nothing, if it already holds the limit. */
  public boolean tryAcquire(String holder) {
    if (held.merge(holder, 1, Integer::sum) > limit) {
      release(holder);
      return false;
    }
    return true;
  }

  /** Gives back one that {@code holder} took. */
  public void release(String holder) {
    held.computeIfPresent(holder, (k, n) -> n <= 1 ? null : n - 1);
  }
}
