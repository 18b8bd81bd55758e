package dev.tokenauthority.server.quota;

import io.github.bucket4j.Bandwidth;
import java.time.Duration;

/**
 * So many events a minute per key (a peer address, a person): one Bucket4j token bucket per key,
 * in memory or in the database replicas share ({@link RateBuckets}).
 */
public final class RatePerKey {
  private final String limit;
  private final int perMinute;
  private final RateBuckets buckets;
  private final io.github.bucket4j.BucketConfiguration configuration;

  /** @param perMinute events each key may have per minute (also the burst), counted in this process */
  public RatePerKey(int perMinute) {
    this("local", perMinute, RateBuckets.inMemory());
  }

  /**
   * @param limit names this limit among others kept in the same buckets
   * @param perMinute events each key may have per minute (also the burst)
   */
  public RatePerKey(String limit, int perMinute, RateBuckets buckets) {
    this.limit = limit;
    this.perMinute = perMinute;
    this.buckets = buckets;
    this.configuration = io.github.bucket4j.BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .build();
  }

  public int perMinute() {
    return perMinute;
  }

  /** Takes one event from {@code key}'s allowance; false if none is left. */
  public boolean tryAcquire(String key) {
    return buckets.bucket(limit, key, configuration).tryConsume(1);
  }
}
