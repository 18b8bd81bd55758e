package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.PostgresForTests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token look-ups on PostgreSQL share statements between concurrent callers; a caller must get the
 * row of its own key, never a neighbour's in the same batch (that would answer for someone
 * else's token), and nothing for a key with no row.
 */
class BatchedPointQueryTest {
  private PostgresDatabase db;
  private final ExecutorService callers = Executors.newFixedThreadPool(32);

  @BeforeEach
  void open() {
    db = PostgresDatabase.open(PostgresForTests.freshDatabase());
    db.writer().useHandle(h -> {
      var insert = h.prepareBatch("""
          INSERT INTO token (id, secret_hash, secret_hint, kind, organization, subject, label, scopes, group_names,
                             metadata, create_time, creator, revoke_reason, rotated_from, rotated_to)
          VALUES (:id, :hash, '', 'ORGANIZATION', 'acme', '', :id, 'lenses:read', '', '', 0, '', '', '', '')
          """);
      for (int i = 0; i < 100; i++) {
        insert.bind("id", "tok_" + i).bind("hash", key(i)).add();
      }
      insert.execute();
    });
  }

  @AfterEach
  void close() {
    callers.shutdownNow();
    db.close();
  }

  private static byte[] key(int i) {
    return ("secret-hash-" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void concurrentCallers_eachGetTheRowOfTheirOwnKey_andNothingForAKeyWithoutOne() throws Exception {
    PointQuery byHash = db.rowByKey("token", "secret_hash");
    List<Callable<String>> lookups = new ArrayList<>();
    for (int n = 0; n < 4_000; n++) {
      int i = n % 150; // keys 100..149 have no row
      lookups.add(() -> {
        Optional<String> id = byHash.one(key(i), row -> row.getString("id"));
        String expected = i < 100 ? "tok_" + i : null;
        return id.orElse(null) == null ? (expected == null ? "ok" : "missing " + i)
            : id.get().equals(expected) ? "ok" : "key " + i + " answered with " + id.get();
      });
    }
    List<String> wrong = new ArrayList<>();
    for (Future<String> f : callers.invokeAll(lookups)) {
      if (!f.get().equals("ok")) {
        wrong.add(f.get());
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(((BatchedPointQuery) byHash).largestBatch()).as("callers shared statements").isGreaterThan(1);
    assertThat(byHash.one(key(7), row -> row.getString("label"))).contains("tok_7");
  }

  @Test
  void aReaderThatFails_failsItsOwnCaller_notTheOthersOfItsBatch() throws Exception {
    PointQuery byHash = db.rowByKey("token", "secret_hash");
    List<Callable<Optional<String>>> lookups = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      int i = n % 100;
      lookups.add(() -> byHash.one(key(i), row -> {
        if (i == 13) {
          throw new java.sql.SQLException("unlucky");
        }
        return row.getString("id");
      }));
    }
    int failed = 0;
    for (Future<Optional<String>> f : callers.invokeAll(lookups)) {
      try {
        assertThat(f.get()).isPresent();
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StorageException.class).hasMessageContaining("unlucky");
        failed++;
      }
    }
    assertThat(failed).isEqualTo(4);
  }

  @Test
  void afterTheDatabaseCloses_aLookUpSaysSo() {
    PointQuery byHash = db.rowByKey("token", "secret_hash");
    db.close();
    assertThatThrownBy(() -> byHash.one(key(1), row -> row.getString("id"))).isInstanceOf(StorageException.class)
        .satisfies(e -> assertThat(StorageFault.of(e)).as("UNAVAILABLE, not INTERNAL").contains(StorageFault.UNREACHABLE));
  }

  @Test
  void aReaderThatThrowsAnError_failsItsCaller_andTheSendersLiveOn() throws Exception {
    PointQuery byHash = db.rowByKey("token", "secret_hash");
    for (int i = 0; i < 4; i++) { // more than the senders: a sender killed by the first would leave none
      assertThatThrownBy(() -> byHash.one(key(3), row -> {
        throw new StackOverflowError("deep");
      })).isInstanceOf(StorageException.class);
    }
    assertThat(byHash.one(key(3), row -> row.getString("id"))).contains("tok_3");
  }

  @Test
  void writeTransactions_runSerializable() {
    String level = db.write(h -> h.createQuery("SHOW transaction_isolation").mapTo(String.class).one());
    assertThat(level).isEqualTo("serializable");
  }
}
