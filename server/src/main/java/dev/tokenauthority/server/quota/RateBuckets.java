package dev.tokenauthority.server.quota;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

/**
 * Where the token buckets of the rate limits live: in this process (one server), or in the
 * database replicas share, so that N replicas do not allow N times the rate.
 */
public interface RateBuckets {
  /** The bucket of {@code key} in limit {@code limit}, configured as {@code configuration}. */
  Bucket bucket(String limit, String key, BucketConfiguration configuration);

  /** Buckets in this process's memory, bounded so that a flood of distinct keys cannot grow the heap. */
  static RateBuckets inMemory() {
    com.github.benmanes.caffeine.cache.Cache<String, Bucket> buckets = com.github.benmanes.caffeine.cache.Caffeine
        .newBuilder().maximumSize(100_000).expireAfterAccess(java.time.Duration.ofMinutes(10)).build();
    return (limit, key, configuration) -> buckets.get(limit + "\u0000" + key, k -> {
      var bucket = Bucket.builder();
      for (io.github.bucket4j.Bandwidth limitOfIt : configuration.getBandwidths()) {
        bucket.addLimit(limitOfIt);
      }
      return bucket.build();
    });
  }
}
