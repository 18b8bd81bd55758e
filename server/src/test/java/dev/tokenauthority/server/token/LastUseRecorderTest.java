package dev.tokenauthority.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.JdbiTokenStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Last-use times are kept to the second, so a busy token's calls do not all take a lock. */
class LastUseRecorderTest {
  @TempDir Path dir;

  @Test
  void usesWithinASecondOfTheNotedOne_changeNothing_aLaterOneMovesItOn() {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL);
        LastUseRecorder recorder = new LastUseRecorder(new JdbiTokenStore(db), Duration.ofHours(1))) {
      Instant t = Instant.parse("2026-12-04T10:00:00Z");
      recorder.record("tok_a", t);
      recorder.record("tok_a", t.plusMillis(999));
      assertThat(recorder.pending("tok_a")).isEqualTo(t);
      recorder.record("tok_a", t.plusSeconds(1));
      assertThat(recorder.pending("tok_a")).isEqualTo(t.plusSeconds(1));
      recorder.record("tok_a", t); // an older use never moves it back
      assertThat(recorder.pending("tok_a")).isEqualTo(t.plusSeconds(1));
    }
  }

  @Test
  void aLargeFlush_isWrittenInChunks_soOtherWritesNeverWaitForAllOfIt() {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL);
        LastUseRecorder recorder = new LastUseRecorder(new JdbiTokenStore(db), Duration.ofHours(1))) {
      Instant t = Instant.parse("2026-12-04T10:00:00Z");
      for (int i = 0; i < 1_200; i++) {
        recorder.record("tok_" + i, t);
      }
      long before = db.committedWrites();
      recorder.flush();
      assertThat(db.committedWrites() - before).as("1,200 uses in chunks of 500").isEqualTo(3);
      assertThat(recorder.pending("tok_7")).as("flushed").isNull();
    }
  }
}
