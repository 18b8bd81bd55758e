package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.revocation.RevocationSubscriber;
import dev.tokenauthority.server.revocation.RevokedToken;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
      JdbiRevocationLog log = new JdbiRevocationLog(db);
      assertThat(log.latestSequence()).isEqualTo(3);
      assertThat(log.prune(base.plusMillis(2500))).isEqualTo(2);
      assertThat(log.oldestSequence()).isEqualTo(3);
      assertThat(log.latestSequence()).as("sequences are never reused").isEqualTo(3);

      try (RevocationFeed feed = new RevocationFeed(log, Clock.systemUTC(), Duration.ofHours(1), Duration.ofDays(1))) {
        Recorder missedTooMuch = new Recorder();
        feed.subscribe(log.epoch(), 1, missedTooMuch).run();
        assertThat(missedTooMuch.reset).isTrue();
        assertThat(missedTooMuch.revoked).isEmpty();

        Recorder caughtUp = new Recorder();
        feed.subscribe(log.epoch(), 2, caughtUp).run();
        assertThat(caughtUp.reset).isFalse();
        assertThat(caughtUp.revoked).extracting(RevokedToken::tokenId).containsExactly("tok_3");
      }
    }
  }

  private static void revoke(Database db, String id, Instant at) {
    db.writer().useHandle(h -> h.execute(
        "INSERT INTO revocation (token_id, secret_hash, revoke_time) VALUES (?, ?, ?)",
        id, new byte[32], at.toEpochMilli()));
  }

  private static final class Recorder implements RevocationSubscriber {
    Boolean reset;
    final List<RevokedToken> revoked = new ArrayList<>();

    @Override public void start(long epoch, long sequence, boolean reset) { this.reset = reset; }
    @Override public void revoked(RevokedToken token) { revoked.add(token); }
    @Override public void heartbeat(long sequence) { }
    @Override public void closed() { }
  }
}
