package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes share commits but not failures. */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void writesQueuedTogether_commitTogether_andAFailingOneIsRolledBackAlone() throws Exception {
    Path file = dir.resolve("t.db");
    try (Database db = Database.open(file, Durability.FULL)) {
      db.write(h -> h.execute("CREATE TABLE note (n INTEGER NOT NULL)"));
      CountDownLatch writerBusy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Integer> blocker = CompletableFuture.supplyAsync(() -> db.write(h -> {
        writerBusy.countDown();
        await(release);
        return h.execute("INSERT INTO note VALUES (0)");
      }));
      assertThat(writerBusy.await(5, TimeUnit.SECONDS)).isTrue();

      List<CompletableFuture<Integer>> queued = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        int n = i;
        queued.add(CompletableFuture.supplyAsync(() -> db.write(h -> {
          h.execute("INSERT INTO note VALUES (?)", n);
          if (n == 3) {
            throw new IllegalStateException("write 3 fails after inserting");
          }
          return n;
        })));
      }
      Thread.sleep(200); // let them queue behind the busy writer
      long changesBefore = totalChanges(db);
      release.countDown();

      blocker.get(5, TimeUnit.SECONDS);
      for (CompletableFuture<Integer> q : queued) {
        try {
          q.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expectedForWrite3) {
          assertThat(expectedForWrite3.getCause()).hasMessageContaining("write 3 fails");
        }
      }
      List<Integer> notes = db.reader().withHandle(h -> h.createQuery("SELECT n FROM note ORDER BY n").mapTo(Integer.class).list());
      assertThat(notes).containsExactly(0, 1, 2, 4, 5);
      assertThat(changesBefore).isZero();
    }
    try (Database again = Database.open(file, Durability.FULL)) {
      int rows = again.reader().withHandle(h -> h.createQuery("SELECT count(*) FROM note").mapTo(Integer.class).one());
      assertThat(rows).as("committed means durable").isEqualTo(5);
    }
  }

  @Test
  void aFailingWrite_throwsItsOwnException() {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      assertThatThrownBy(() -> db.write(h -> {
        throw new IllegalArgumentException("mine");
      })).isInstanceOf(IllegalArgumentException.class).hasMessage("mine");
      int answer = db.write(h -> 42);
      assertThat(answer).isEqualTo(42);
    }
  }

  /** Rows another connection sees in the table before the release: none, nothing is committed yet. */
  private static long totalChanges(Database db) {
    return db.reader().withHandle(h -> h.createQuery("SELECT count(*) FROM note").mapTo(Long.class).one());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
