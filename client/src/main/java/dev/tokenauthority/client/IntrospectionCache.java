package dev.tokenauthority.client;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Introspection answers keyed by the SHA-256 of the secret (never the plaintext). Active answers
 * live until their {@code cache_until} (capped), inactive ones briefly. Concurrent misses of one
 * key share a single call.
 */
final class IntrospectionCache {
  private final AsyncCache<ByteString, Answer> cache;

  IntrospectionCache(long maximumSize, Duration maxPositive, Duration negative, Clock clock, Ticker ticker) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(ticker)
        .expireAfter(new Expiry<ByteString, Answer>() {
          @Override
          public long expireAfterCreate(ByteString key, Answer answer, long now) {
            if (!answer.active()) {
              return negative.toNanos();
            }
            Duration left = Duration.between(clock.instant(), answer.cacheUntil());
            return Math.max(0, Math.min(left.toNanos(), maxPositive.toNanos()));
          }

          @Override
          public long expireAfterUpdate(ByteString key, Answer answer, long now, long current) {
            return expireAfterCreate(key, answer, now);
          }

          @Override
          public long expireAfterRead(ByteString key, Answer answer, long now, long current) {
            return current;
          }
        })
        .buildAsync();
  }

  /** The cached answer for {@code key}, or the one {@code load} fetches (once for all callers). */
  CompletableFuture<Answer> get(ByteString key, Supplier<CompletableFuture<Answer>> load) {
    CompletableFuture<Answer> cached = cache.getIfPresent(key); // the hit path allocates no loader
    return cached != null ? cached : cache.get(key, (k, executor) -> load.get());
  }

  /** Forgets one token, including a look-up in flight (its answer will not be kept). */
  void evict(ByteString key) {
    cache.synchronous().invalidate(key);
  }

  void evictAll() {
    cache.synchronous().invalidateAll();
  }
}
