package dev.tokenauthority.server.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokenauthority.server.audit.AuditEntry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Keeps recently presented tokens in memory, so that authenticating a caller and introspecting a
 * token need no database read when hot. Bounded; unknown hashes are remembered too.
 *
 * <p>Every commit that changes a token row (revocation, rotation, a connector's narrowing, the end
 * of a grace period) evicts it before the change is answered, through the store's change
 * listener, so an acknowledged revocation is never answered from the cache. A look-up racing with a revocation cannot re-insert the old
 * record: Caffeine loads and invalidations of one key are serialised. State that changes with
 * time (expiry, the end of a rotation's grace) is judged on each use from the cached times. With
 * other writers (replicas sharing PostgreSQL) their revocations arrive through the revocation
 * feed, which evicts before it tells; see {@link #trustWhile}.
 */
public final class CachingTokenStore implements TokenStore {
  private final TokenStore store;
  private final Cache<ByteBuffer, Optional<TokenRecord>> byHash;
  private volatile java.util.function.BooleanSupplier trusted = () -> true;

  /** Caches {@code store}'s look-ups by hash, forgetting each token its commits change. */
  public CachingTokenStore(TokenStore store, long maximumSize) {
    this.store = store;
    this.byHash = Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    // Every committed change to a token row, by whomever, is forgotten here after its commit.
    store.onChange(this::forget);
  }

  /**
   * Forgets these tokens. Besides the commit's own eviction, the revocation feed calls this for
   * what it is about to tell clients, which it may read before that eviction has run.
   */
  public void forget(List<byte[]> secretHashes) {
    secretHashes.forEach(h -> byHash.invalidate(key(h)));
  }

  @Override
  public void onChange(TokenChangeListener listener) {
    store.onChange(listener);
  }

  @Override
  public Optional<TokenRecord> findByHash(byte[] secretHash) {
    if (!trusted.getAsBoolean()) {
      // Revocations committed elsewhere may not have reached this cache: ask the database, which
      // fails (UNAVAILABLE) rather than answer from what may be stale.
      byHash.invalidateAll();
      return store.findByHash(secretHash);
    }
    return byHash.get(key(secretHash), k -> store.findByHash(secretHash));
  }

  /** Forgets every cached record (after the revocation feed was unheard for a while). */
  public void forgetAll() {
    byHash.invalidateAll();
  }

  /**
   * Answers from the cache only while {@code trusted} says so: with other writers (replicas on one
   * PostgreSQL database), only while this process hears their revocations.
   */
  public void trustWhile(java.util.function.BooleanSupplier trusted) {
    this.trusted = trusted;
  }

  @Override
  public void insert(TokenRecord token, AuditEntry audit) {
    store.insert(token, audit);
  }

  @Override
  public boolean insertWithinLimit(TokenRecord token, AuditEntry audit, int limit, Instant now) {
    return store.insertWithinLimit(token, audit, limit, now);
  }

  @Override
  public List<TokenRecord> revokeMatching(TokenFilter filter, Instant at, String reason, int expected,
      Function<TokenRecord, AuditEntry> audit) {
    return store.revokeMatching(filter, at, reason, expected, audit);
  }

  @Override
  public List<TokenRecord> revokeLeaked(List<byte[]> hashes, Instant at,
      Function<TokenRecord, AuditEntry> audit, IntFunction<AuditEntry> report) {
    return store.revokeLeaked(hashes, at, audit, report);
  }

  @Override
  public boolean rotate(
      TokenRecord old, Instant oldStopsAt, TokenRecord replacement, Instant now, AuditEntry audit) {
    return store.rotate(old, oldStopsAt, replacement, now, audit);
  }

  @Override
  public boolean revoke(TokenRecord token, Instant at, String reason, AuditEntry audit) {
    return store.revoke(token, at, reason, audit);
  }

  @Override
  public Optional<TokenRecord> findById(String id) {
    return store.findById(id);
  }

  @Override
  public List<TokenRecord> list(TokenFilter filter, TokenOrder order, Instant now, TokenOrder.After after,
      int limit) {
    return store.list(filter, order, now, after, limit);
  }

  @Override
  public boolean insertIfEmpty(TokenRecord token, AuditEntry audit) {
    return store.insertIfEmpty(token, audit);
  }

  @Override
  public int countActive(TokenFilter filter, Instant now) {
    return store.countActive(filter, now);
  }

  @Override
  public void recordLastUse(Map<String, Instant> lastUseById) {
    store.recordLastUse(lastUseById); // cached records keep their older last use: not used for decisions
  }

  @Override
  public boolean isEmpty() {
    return store.isEmpty();
  }

  private static ByteBuffer key(byte[] hash) {
    return ByteBuffer.wrap(hash.clone()).asReadOnlyBuffer();
  }

  /** Hits, misses and evictions of the token record cache so far (for metrics). */
  public com.github.benmanes.caffeine.cache.stats.CacheStats cacheStats() {
    return byHash.stats();
  }

  /** Token records held in memory now. */
  public long cachedRecords() {
    return byHash.estimatedSize();
  }
}
