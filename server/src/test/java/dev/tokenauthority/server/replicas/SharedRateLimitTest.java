package dev.tokenauthority.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.PostgresForTests;
import dev.tokenauthority.server.quota.RatePerKey;
import dev.tokenauthority.server.storage.PostgresDatabase;
import dev.tokenauthority.server.storage.PostgresSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The rate limits replicas share through PostgreSQL (leak reports and device-flow starts use
 * {@link RatePerKey} over the database's buckets): three replicas allow what one would.
 */
class SharedRateLimitTest {
  @Test
  void threeReplicas_allowTogetherWhatOneWould_perKey() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    List<PostgresDatabase> replicas = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<RatePerKey> limits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        PostgresDatabase replica = PostgresDatabase.open(db);
        replicas.add(replica);
        limits.add(new RatePerKey("leak-reports", 10, replica.rateBuckets()));
      }
      List<Callable<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < 36; i++) {
        RatePerKey through = limits.get(i % 3);
        attempts.add(() -> through.tryAcquire("203.0.113.7"));
      }
      int allowed = 0;
      for (Future<Boolean> f : pool.invokeAll(attempts)) {
        allowed += f.get() ? 1 : 0;
      }
      assertThat(allowed).as("10 a minute for the service, not for each replica").isEqualTo(10);
      assertThat(limits.get(1).tryAcquire("198.51.100.1")).as("another address has its own allowance").isTrue();
      assertThat(new RatePerKey("device-starts", 10, replicas.get(2).rateBuckets()).tryAcquire("203.0.113.7"))
          .as("another limit, the same address: its own bucket").isTrue();
    } finally {
      pool.shutdownNow();
      replicas.forEach(PostgresDatabase::close);
    }
  }
}
