package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.revocation.FeedLimits;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.revocation.RevocationSubscriber;
import dev.tokenauthority.server.revocation.RevokedToken;
import dev.tokenauthority.server.revocation.Subscription;
import dev.tokenauthority.server.token.TokenIssuer;
import dev.tokenauthority.server.token.TokenKind;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored feed: sequences survive pruning, and a gap older than what is kept means reset. */
class RevocationLogTest {
  @TempDir Path dir;

  @Test
  void prunedGap_makesAReconnectingClientDropItsCache() {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      Instant base = Instant.now().minusSeconds(60);
      for (int i = 1; i <= 3; i++) {
        revoke(db, "tok_" + i, base.plusSeconds(i));
      }
      JdbiRevocationLog log = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      assertThat(log.latestSequence()).isEqualTo(3);
      assertThat(log.prune(base.plusMillis(2500))).isEqualTo(2);
      assertThat(log.oldestSequence()).isEqualTo(3);
      assertThat(log.latestSequence()).as("sequences are never reused").isEqualTo(3);

      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), limits(Duration.ofHours(1)))) {
        Recorder missedTooMuch = new Recorder();
        feed.subscribe("a", log.epoch(), 1, missedTooMuch);
        missedTooMuch.awaitStart();
        assertThat(missedTooMuch.reset).isTrue();
        assertThat(missedTooMuch.revoked).isEmpty();

        Recorder caughtUp = new Recorder();
        feed.subscribe("a", log.epoch(), 2, caughtUp);
        caughtUp.await(1);
        assertThat(caughtUp.reset).isFalse();
        assertThat(caughtUp.revoked).extracting(RevokedToken::tokenId).containsExactly("tok_3");
      }
    }
  }

  @Test
  void aCommitThatRevokes_wakesTheFeed_withoutWaitingForItsTick() throws Exception {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      JdbiTokenStore tokens = new JdbiTokenStore(db);
      JdbiRevocationLog log = new JdbiRevocationLog(db, tokens);
      FeedLimits noTick = new FeedLimits(
          Duration.ofHours(1), Duration.ofDays(1), 10, Duration.ofHours(1), Duration.ofHours(1));
      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), noTick)) {
        Recorder subscriber = new Recorder();
        feed.subscribe("a", log.epoch(), 0, subscriber);
        subscriber.awaitStart();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        var token = new TokenIssuer(new SecureRandom()).issue(
            TokenIssuer.Spec.of(
                TokenKind.ORGANIZATION, Duration.ofDays(30)).organization("acme").build(),
            now).token();
        var audit = AuditEntry.success(now,
            AuditAction.TOKEN_REVOKED, "test", Origin.SERVER,
            "acme", token.id(), java.util.Map.of());
        tokens.insert(token, audit);
        tokens.revoke(token, now, "test", audit);
        subscriber.await(1);
        assertThat(subscriber.revoked).extracting(RevokedToken::tokenId).containsExactly(token.id());
      }
    }
  }

  @Test
  void subscriberThatIsNotReady_getsNothingUntilReady_thenEverythingInOrder() throws Exception {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      JdbiRevocationLog log = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), limits(Duration.ofHours(1)))) {
        Recorder slow = new Recorder();
        slow.ready = false;
        Subscription subscription = feed.subscribe("a", log.epoch(), 0, slow);
        slow.awaitStart();
        for (int i = 1; i <= 600; i++) {
          revoke(db, "tok_" + i, Instant.now());
        }
        feed.wake();
        Thread.sleep(300);
        assertThat(slow.revoked).as("nothing is pushed into a stream that is not ready").isEmpty();

        slow.ready = true;
        subscription.ready();
        slow.await(600);
        assertThat(slow.revoked).extracting(RevokedToken::sequence)
            .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 600).boxed().toList());
        assertThat(slow.tooSlow).isFalse();
      }
    }
  }

  @Test
  void subscriberThatStopsReadingWhileBehind_isEnded_andOthersKeepGoing() throws Exception {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      JdbiRevocationLog log = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), limits(Duration.ofMillis(300)))) {
        Recorder stuck = new Recorder();
        stuck.ready = false;
        Recorder reading = new Recorder();
        feed.subscribe("a", log.epoch(), 0, stuck);
        feed.subscribe("b", log.epoch(), 0, reading);
        stuck.awaitStart();
        reading.awaitStart();
        for (int i = 1; i <= 51; i++) {
          revoke(db, "tok_" + i, Instant.now());
        }
        feed.wake();
        reading.await(51);

        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stuck.tooSlow && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(stuck.tooSlow).isTrue();
        assertThat(reading.tooSlow).isFalse();
      }
    }
  }

  @Test
  void streamsPerHolder_areCapped_andFreedOnCancel() {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      JdbiRevocationLog log = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(),
          new FeedLimits(Duration.ofHours(1), Duration.ofDays(1), 2, Duration.ofHours(1)))) {
        Subscription first = feed.subscribe("a", 0, 0, new Recorder());
        feed.subscribe("a", 0, 0, new Recorder());
        assertThatThrownBy(() -> feed.subscribe("a", 0, 0, new Recorder()))
            .isInstanceOf(ResourceExhaustedException.class)
            .extracting(e -> ((ResourceExhaustedException) e).reason()).isEqualTo("TOO_MANY_STREAMS");
        feed.subscribe("b", 0, 0, new Recorder()); // another holder is not affected
        first.cancel();
        feed.subscribe("a", 0, 0, new Recorder());
      }
    }
  }

  @Test
  void deliveryThatFailed_isRetriedWithoutWaitingForTheNextWrite() throws Exception {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      JdbiRevocationLog real = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      FailingOnce log = new FailingOnce(real);
      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), limits(Duration.ofHours(1)))) {
        Recorder r = new Recorder();
        feed.subscribe("a", log.epoch(), 0, r);
        r.awaitStart();
        revoke(db, "tok_1", Instant.now());
        log.failNext = true; // the read after this commit fails once (a storage hiccup)
        feed.wake();
        r.await(1); // delivered by a later tick, with no further write
        assertThat(r.revoked).extracting(RevokedToken::tokenId).containsExactly("tok_1");
        assertThat(log.failNext).as("the failure happened").isFalse();
      }
    }
  }

  /** The real log, failing its next read once when told to. */
  private static final class FailingOnce implements dev.tokenauthority.server.revocation.RevocationLog {
    private final JdbiRevocationLog log;
    volatile boolean failNext;

    FailingOnce(JdbiRevocationLog log) {
      this.log = log;
    }

    @Override public long epoch() { return log.epoch(); }
    @Override public long latestSequence() { return log.latestSequence(); }
    @Override public long oldestSequence() { return log.oldestSequence(); }
    @Override public int publishDue(Instant now) { return log.publishDue(now); }
    @Override public int prune(Instant before) { return log.prune(before); }
    @Override public void onCommit(Runnable listener) { log.onCommit(listener); }

    @Override
    public List<RevokedToken> after(long sequence, int limit) {
      if (failNext) {
        failNext = false;
        throw new StorageException("injected: the read failed");
      }
      return log.after(sequence, limit);
    }
  }

  private static FeedLimits limits(Duration maxStall) {
    return new FeedLimits(Duration.ofMillis(100), Duration.ofDays(1), 10, maxStall);
  }

  private static void revoke(Database db, String id, Instant at) {
    db.writer().useHandle(h -> h.execute(
        "INSERT INTO revocation (token_id, secret_hash, revoke_time) VALUES (?, ?, ?)",
        id, new byte[32], at.toEpochMilli()));
  }

  private static final class Recorder implements RevocationSubscriber {
    volatile Boolean reset;
    volatile boolean ready = true;
    volatile boolean tooSlow;
    final List<RevokedToken> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override public void start(long epoch, long sequence, boolean reset) { this.reset = reset; }
    @Override public void revoked(RevokedToken token) { revoked.add(token); }
    @Override public void heartbeat(long sequence) { }
    @Override public boolean isReady() { return ready; }
    @Override public void tooSlow(long behind) { tooSlow = true; }
    @Override public void closed() { }

    void awaitStart() {
      await(() -> reset != null);
    }

    void await(int count) {
      await(() -> revoked.size() >= count);
    }

    private static void await(java.util.function.BooleanSupplier condition) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out");
        }
        try {
          Thread.sleep(5); // not a spin: the feed's dispatcher needs the core
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }
}
