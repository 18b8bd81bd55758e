package dev.tokenauthority.server.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * Limits leak reports per peer address: anyone may report without credentials, so this is what
 * keeps one client from turning reports into a load on the database's single writer. One token
 * bucket (Bucket4j) per address, kept in a bounded cache.
 */
public final class LeakReportLimiter {
  private final int perMinute;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  /** @param perMinute reports each address may make per minute (also the burst) */
  public LeakReportLimiter(int perMinute) {
    this.perMinute = perMinute;
  }

  /** Takes one report from {@code address}'s allowance, or refuses with RESOURCE_EXHAUSTED. */
  void acquire(String address) {
    Bucket bucket = buckets.get(address, a -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .build());
    if (!bucket.tryConsume(1)) {
      throw new ResourceExhaustedException("RATE_LIMITED",
          "too many leak reports from this address; at most " + perMinute + " a minute");
    }
  }

  /** The host part of a peer address ("10.0.0.7:51234" reports as "10.0.0.7"). */
  static String host(String peer) {
    if (peer.startsWith("[")) { // [ipv6]:port
      int end = peer.indexOf(']');
      return end > 0 ? peer.substring(0, end + 1) : peer;
    }
    int colon = peer.lastIndexOf(':');
    return colon > 0 && peer.indexOf(':') == colon ? peer.substring(0, colon) : peer;
  }
}
