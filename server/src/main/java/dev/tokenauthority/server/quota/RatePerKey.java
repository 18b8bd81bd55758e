package dev.tokenauthority.server.quota;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * So many events a minute per key (a peer address, a person): one Bucket4j token bucket per key,
 * kept in a bounded cache so that a flood of distinct keys cannot grow the heap.
 */
public final class RatePerKey {
  private final int perMinute;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  /** @param perMinute events each key may have per minute (also the burst) */
  public RatePerKey(int perMinute) {
    this.perMinute = perMinute;
  }

  public int perMinute() {
    return perMinute;
  }

  /** Takes one event from {@code key}'s allowance; false if none is left. */
  public boolean tryAcquire(String key) {
    return bucket(key).tryConsume(1);
  }

  private Bucket bucket(String key) {
    return buckets.get(key, k -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .build());
  }
}
