package dev.tokenauthority.server.token;

import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.quota.RatePerKey;

/**
 * Limits leak reports per peer address: anyone may report without credentials, so this is what
 * keeps one client from turning reports into a load on the database's single writer.
 */
public final class LeakReportLimiter {
  private final RatePerKey reports;

  /** @param perMinute reports each address may make per minute (also the burst) */
  public LeakReportLimiter(int perMinute) {
    this(perMinute, dev.tokenauthority.server.quota.RateBuckets.inMemory());
  }

  /** As above, the allowance kept in {@code buckets} (shared by replicas). */
  public LeakReportLimiter(int perMinute, dev.tokenauthority.server.quota.RateBuckets buckets) {
    this.reports = new RatePerKey("leak-reports", perMinute, buckets);
  }

  /** Takes one report from {@code address}'s allowance, or refuses with RESOURCE_EXHAUSTED. */
  void acquire(String address) {
    if (!reports.tryAcquire(address)) {
      throw new ResourceExhaustedException("RATE_LIMITED",
          "too many leak reports from this address; at most " + reports.perMinute() + " a minute");
    }
  }

  /** The host part of a peer address ("10.0.0.7:51234" reports as "10.0.0.7"). */
  public static String host(String peer) {
    if (peer.startsWith("[")) { // [ipv6]:port
      int end = peer.indexOf(']');
      return end > 0 ? peer.substring(0, end + 1) : peer;
    }
    int colon = peer.lastIndexOf(':');
    return colon > 0 && peer.indexOf(':') == colon ? peer.substring(0, colon) : peer;
  }
}
