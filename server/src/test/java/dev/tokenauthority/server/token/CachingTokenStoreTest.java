package dev.tokenauthority.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.revocation.FeedLimits;
import dev.tokenauthority.server.revocation.ForgetBeforeTelling;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.revocation.RevocationSubscriber;
import dev.tokenauthority.server.revocation.RevokedToken;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.JdbiRevocationLog;
import dev.tokenauthority.server.storage.JdbiTokenStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's token cache over real SQLite storage. */
class CachingTokenStoreTest {
  @TempDir Path dir;
  private Database db;
  private JdbiTokenStore sqlite;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("t.db"), Durability.FULL);
    sqlite = new JdbiTokenStore(db);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aLookUpInFlightDuringARevocation_cannotCacheTheOldAnswer() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HeldLookUps held = new HeldLookUps(sqlite, loading, release);
    CachingTokenStore cache = new CachingTokenStore(held, 100);
    TokenRecord t = token();
    cache.insert(t, audit(t));

    held.holdNext();
    CompletableFuture<Optional<TokenRecord>> racing = CompletableFuture.supplyAsync(() -> cache.findByHash(t.secretHash()));
    assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue(); // it read "active" and is about to cache it
    CompletableFuture<Boolean> revoking = CompletableFuture.supplyAsync(() -> cache.revoke(t, now, "leaked", audit(t)));
    Thread.sleep(100);
    release.countDown();

    assertThat(revoking.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(racing.get(5, TimeUnit.SECONDS).orElseThrow().stateAt(now)).isEqualTo(TokenState.ACTIVE); // read before the revocation
    assertThat(cache.findByHash(t.secretHash()).orElseThrow().stateAt(now))
        .as("after the revocation returned, never the stale answer").isEqualTo(TokenState.REVOKED);
  }

  @Test
  void aClientToldOfARevocation_neverFindsTheCacheHoldingIt_evenBeforeTheCommitsOwnEviction() throws Exception {
    AtomicBoolean hold = new AtomicBoolean();
    CountDownLatch releaseWriter = new CountDownLatch(1);
    // Registered before the cache's own listener: holds the writing thread after the commit and
    // before the cache's eviction, as a slow thread would.
    sqlite.onChange(hashes -> {
      if (hold.get()) {
        await(releaseWriter);
      }
    });
    CachingTokenStore cache = new CachingTokenStore(sqlite, 100);
    TokenRecord t = token();
    cache.insert(t, audit(t));
    assertThat(cache.findByHash(t.secretHash()).orElseThrow().stateAt(now)).isEqualTo(TokenState.ACTIVE);

    List<TokenState> seenWhenTold = new CopyOnWriteArrayList<>();
    FeedLimits quickTick = new FeedLimits(Duration.ofHours(1), Duration.ofDays(1), 10, Duration.ofHours(1),
        Duration.ofMillis(50)); // the tick finds the committed row while the writer is held
    try (RevocationFeed feed = new RevocationFeed(
        new ForgetBeforeTelling(new JdbiRevocationLog(db, sqlite), cache::forget), Clock.systemUTC(), quickTick)) {
      feed.subscribe("client", 0, 0, new RevocationSubscriber() {
        @Override public void start(long epoch, long sequence, boolean reset) { }
        @Override public void revoked(RevokedToken token) {
          // What the client's next introspection would be answered with, the moment it is told.
          seenWhenTold.add(cache.findByHash(token.secretHash()).orElseThrow().stateAt(now));
        }
        @Override public void heartbeat(long sequence) { }
        @Override public void tooSlow(long behind) { }
        @Override public void closed() { }
      });
      hold.set(true);
      CompletableFuture<Boolean> revoking = CompletableFuture.supplyAsync(() -> cache.revoke(t, now, "leaked", audit(t)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (seenWhenTold.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      releaseWriter.countDown();
      assertThat(revoking.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(seenWhenTold).as("told while the writer still held its eviction").containsExactly(TokenState.REVOKED);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void hotLookUps_areServedFromMemory_andUnknownHashesAreRemembered() {
    CountingLookUps counting = new CountingLookUps(sqlite);
    CachingTokenStore cache = new CachingTokenStore(counting, 100);
    TokenRecord t = token();
    cache.insert(t, audit(t));

    cache.findByHash(t.secretHash());
    cache.findByHash(t.secretHash());
    byte[] unknown = new byte[32];
    cache.findByHash(unknown);
    cache.findByHash(unknown);

    assertThat(counting.lookUps).isEqualTo(2);
  }

  private TokenRecord token() {
    Secret s = Secret.generate(TokenKind.ORGANIZATION, new SecureRandom());
    return new TokenRecord("tok_" + Long.toHexString(System.nanoTime()) + "0000000000", TokenKind.ORGANIZATION, "acme", "",
        "cache test", ScopeSet.of(List.of("lenses:read")), List.of(), Map.of(), now, "", now.plusSeconds(3600),
        null, null, "", "", "", s.hint(), s.sha256(), "", false);
  }

  private AuditEntry audit(TokenRecord t) {
    return AuditEntry.success(now, AuditAction.TOKEN_CREATED, "test", Origin.SERVER, t.organization(), t.id(), Map.of());
  }

  /** The real store; the next hash look-up pauses after reading, to widen a race window. */
  private static final class HeldLookUps extends Delegating {
    private final CountDownLatch loading;
    private final CountDownLatch release;
    private volatile boolean holdNext;

    HeldLookUps(TokenStore store, CountDownLatch loading, CountDownLatch release) {
      super(store);
      this.loading = loading;
      this.release = release;
    }

    void holdNext() {
      holdNext = true;
    }

    @Override
    public Optional<TokenRecord> findByHash(byte[] hash) {
      Optional<TokenRecord> found = store.findByHash(hash);
      if (holdNext) {
        holdNext = false;
        loading.countDown();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return found;
    }
  }

  /** The real store, counting hash look-ups that reach it. */
  private static final class CountingLookUps extends Delegating {
    int lookUps;

    CountingLookUps(TokenStore store) {
      super(store);
    }

    @Override
    public Optional<TokenRecord> findByHash(byte[] hash) {
      lookUps++;
      return store.findByHash(hash);
    }
  }

  private abstract static class Delegating implements TokenStore {
    final TokenStore store;

    Delegating(TokenStore store) {
      this.store = store;
    }

    @Override public void onChange(TokenChangeListener l) { store.onChange(l); }
    @Override public void insert(TokenRecord token, AuditEntry audit) { store.insert(token, audit); }
    @Override public Optional<TokenRecord> findById(String id) { return store.findById(id); }
    @Override public Optional<TokenRecord> findByHash(byte[] hash) { return store.findByHash(hash); }
    @Override public List<TokenRecord> list(TokenFilter f, TokenOrder o, Instant n, TokenOrder.After a, int l) { return store.list(f, o, n, a, l); }
    @Override public int countActive(TokenFilter f, Instant n) { return store.countActive(f, n); }
    @Override public boolean insertIfEmpty(TokenRecord t, AuditEntry a) { return store.insertIfEmpty(t, a); }
    @Override public boolean rotate(TokenRecord o, Instant s, TokenRecord r, Instant n, AuditEntry a) { return store.rotate(o, s, r, n, a); }
    @Override public boolean revoke(TokenRecord t, Instant at, String reason, AuditEntry a) { return store.revoke(t, at, reason, a); }
    @Override public void recordLastUse(Map<String, Instant> m) { store.recordLastUse(m); }
    @Override public boolean isEmpty() { return store.isEmpty(); }
    @Override public boolean insertWithinLimit(TokenRecord t, AuditEntry a, int l, Instant n) { return store.insertWithinLimit(t, a, l, n); }
    @Override public List<TokenRecord> revokeMatching(TokenFilter f, Instant at, String r, int e, Function<TokenRecord, AuditEntry> a) { return store.revokeMatching(f, at, r, e, a); }
    @Override public List<TokenRecord> revokeLeaked(List<byte[]> h, Instant at, Function<TokenRecord, AuditEntry> a, IntFunction<AuditEntry> r) { return store.revokeLeaked(h, at, a, r); }
  }
}
