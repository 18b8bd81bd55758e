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
  private final AsyncCache<DigestKey, Answer> cache;

  IntrospectionCache(long maximumSize, Duration maxPositive, Duration negative, Clock clock, Ticker ticker) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(ticker)
        // Upkeep (draining the read buffer, expiring) on the calling thread, a little at a time:
        // handing it to the common pool woke a pool thread from the hit path (a third of its time).
        .executor(Runnable::run)
        .expireAfter(new Expiry<DigestKey, Answer>() {
          @Override
          public long expireAfterCreate(DigestKey key, Answer answer, long now) {
            if (!answer.active()) {
              return negative.toNanos();
            }
            Duration left = Duration.between(clock.instant(), answer.cacheUntil());
            return Math.max(0, Math.min(left.toNanos(), maxPositive.toNanos()));
          }

          @Override
          public long expireAfterUpdate(DigestKey key, Answer answer, long now, long current) {
            return expireAfterCreate(key, answer, now);
          }

          @Override
          public long expireAfterRead(DigestKey key, Answer answer, long now, long current) {
            return current;
          }
        })
        .buildAsync();
  }

  /** The cached answer for {@code key} (a thread's probe will do), or null. Allocates nothing. */
  CompletableFuture<Answer> getIfPresent(DigestKey key) {
    return cache.getIfPresent(key);
  }

  /** The answer {@code load} fetches, once for all callers; stores a copy of {@code key}. */
  CompletableFuture<Answer> load(DigestKey key, Supplier<CompletableFuture<Answer>> load) {
    return cache.get(key.copy(), (k, executor) -> load.get());
  }

  /** Forgets one token, including a look-up in flight (its answer will not be kept). */
  void evict(ByteString secretSha256) {
    cache.synchronous().invalidate(DigestKey.of(secretSha256.toByteArray()));
  }

  void evictAll() {
    cache.synchronous().invalidateAll();
  }
}
