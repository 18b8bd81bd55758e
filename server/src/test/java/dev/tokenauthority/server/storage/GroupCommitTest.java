package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes share commits but not failures, and nothing thrown inside a write stops the writer. */
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

      // Each queued write notes how many rows another connection sees committed while it runs.
      // Committed together, every one of them sees only the blocker's row; committed one by
      // one, a later write would see the earlier ones.
      ConcurrentLinkedQueue<Long> committedSeenDuringBatch = new ConcurrentLinkedQueue<>();
      List<CompletableFuture<Integer>> queued = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        int n = i;
        queued.add(CompletableFuture.supplyAsync(() -> db.write(h -> {
          h.execute("INSERT INTO note VALUES (?)", n);
          committedSeenDuringBatch.add(committedRows(db));
          if (n == 3) {
            throw new IllegalStateException("write 3 fails after inserting");
          }
          return n;
        })));
      }
      waitUntil(() -> db.queuedWrites() == 5);
      release.countDown();

      blocker.get(5, TimeUnit.SECONDS);
      int failures = 0;
      for (CompletableFuture<Integer> q : queued) {
        try {
          q.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException expectedForWrite3) {
          assertThat(expectedForWrite3.getCause()).hasMessageContaining("write 3 fails");
          failures++;
        }
      }
      assertThat(failures).isOne();
      assertThat(committedSeenDuringBatch).as("one commit for the batch").containsExactly(1L, 1L, 1L, 1L, 1L);
      assertThat(notes(db)).containsExactly(0, 1, 2, 4, 5);
    }
    try (Database again = Database.open(file, Durability.FULL)) {
      assertThat(committedRows(again)).as("committed means durable").isEqualTo(5);
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

  @Test
  void anErrorInsideAWrite_failsThatWriteOnly_andTheWriterGoesOn() throws Exception {
    try (Database db = Database.open(dir.resolve("t.db"), Durability.FULL)) {
      db.write(h -> h.execute("CREATE TABLE note (n INTEGER NOT NULL)"));
      CompletableFuture<Object> erring = CompletableFuture.supplyAsync(() -> db.write(h -> {
        h.execute("INSERT INTO note VALUES (1)");
        throw new StackOverflowError("injected");
      }));
      assertThatThrownBy(() -> erring.get(5, TimeUnit.SECONDS))
          .as("the caller is answered, not left waiting")
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(StorageException.class)
          .hasRootCauseInstanceOf(StackOverflowError.class);

      CompletableFuture<Integer> next = CompletableFuture.supplyAsync(() -> db.write(h -> h.execute("INSERT INTO note VALUES (2)")));
      assertThat(next.get(5, TimeUnit.SECONDS)).as("the writer thread still runs").isOne();
      assertThat(notes(db)).as("the erring write's insert is rolled back").containsExactly(2);
    }
  }

  private static List<Integer> notes(Database db) {
    return db.reader().withHandle(h -> h.createQuery("SELECT n FROM note ORDER BY n").mapTo(Integer.class).list());
  }

  private static long committedRows(Database db) {
    return db.reader().withHandle(h -> h.createQuery("SELECT count(*) FROM note").mapTo(Long.class).one());
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 5 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
