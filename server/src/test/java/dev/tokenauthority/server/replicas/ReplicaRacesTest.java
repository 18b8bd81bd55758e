package dev.tokenauthority.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.PostgresForTests;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.storage.PostgresSettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races that SQLite's single writer made impossible, across replicas on one PostgreSQL database:
 * each replica its own process state (caches, pools), the database their only shared part.
 */
class ReplicaRacesTest {
  @TempDir Path dir;
  private final List<TestAuthority> replicas = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterEach
  void stop() {
    pool.shutdownNow();
    replicas.forEach(TestAuthority::close);
  }

  /** {@code n} replicas started at the same moment on {@code db}, each with its own data folder. */
  private List<TestAuthority> startAtOnce(int n, PostgresSettings db) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<TestAuthority>> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path own = dir.resolve("replica-" + i);
      started.add(pool.submit(() -> {
        go.await();
        return TestAuthority.replica(own, db);
      }));
    }
    go.countDown();
    for (Future<TestAuthority> f : started) {
      replicas.add(f.get());
    }
    return replicas;
  }

  private String adminOf(List<TestAuthority> all) {
    return all.stream().map(TestAuthority::adminSecret).filter(s -> s != null).findFirst().orElseThrow();
  }

  @Test
  void replicasStartingAtOnceOnAnEmptyDatabase_issueOneBootstrapToken() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    // Migrated first: Flyway's own lock would otherwise line the replicas up before they reach bootstrap.
    dev.tokenauthority.server.storage.PostgresDatabase.open(db).close();
    List<TestAuthority> all = startAtOnce(8, db);

    assertThat(all).hasSize(8).filteredOn(r -> r.adminSecret() != null).as("one bootstrap file").hasSize(1);
    assertThat(all).filteredOn(r -> Files.exists(r.dataDir.resolve("bootstrap-token"))).hasSize(1);
    String admin = adminOf(all);
    assertThat(all.get(0).as(admin).listTokens(ListTokensRequest.newBuilder().setKind(TokenKind.TOKEN_KIND_SYSTEM).build())
        .getTokensList()).as("one bootstrap token").hasSize(1);
    assertThat(all).allSatisfy(r -> assertThat(r.as(admin).introspectToken(
        dev.tokenauthority.api.v1.IntrospectTokenRequest.newBuilder().setSecret(admin).build()).getActive()).isTrue());
  }

  @Test
  void concurrentRotationsThroughDifferentReplicas_exactlyOneWins() throws Exception {
    List<TestAuthority> all = startAtOnce(3, PostgresForTests.freshDatabase());
    String admin = adminOf(all);
    for (int round = 0; round < 5; round++) {
      Token t = all.get(0).as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
          .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("raced").addScopes("lenses:read")).build());
      List<Callable<Token>> rotations = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        TestAuthority through = all.get(i % all.size());
        rotations.add(() -> through.as(admin).rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).build()));
      }
      int won = 0;
      for (Future<Token> f : pool.invokeAll(rotations)) {
        try {
          f.get();
          won++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
          assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
              .isIn(Status.Code.FAILED_PRECONDITION, Status.Code.ABORTED);
        }
      }
      assertThat(won).as("round " + round).isEqualTo(1);
      assertThat(all.get(1).as(admin).listTokens(ListTokensRequest.newBuilder().setOrganization("acme").build())
          .getTokensList()).filteredOn(x -> x.getRotatedFrom().equals(t.getId())).hasSize(1);
    }
  }

  @Test
  void concurrentPersonalTokensThroughDifferentReplicas_keepTheLimit() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<TestAuthority>> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path own = dir.resolve("limited-" + i);
      started.add(pool.submit(() -> {
        go.await();
        return TestAuthority.startReplica(own, db,
            dev.tokenauthority.server.config.AuthorityConfig.defaults().toBuilder().personalTokenLimit(2).build());
      }));
    }
    go.countDown();
    for (Future<TestAuthority> f : started) {
      replicas.add(f.get());
    }
    String admin = adminOf(replicas);
    for (String person : List.of("ann@example.com", "bob@example.com", "cy@example.com")) {
      List<Callable<Token>> creates = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        TestAuthority through = replicas.get(i % replicas.size());
        creates.add(() -> through.as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme").setSubject(person).setLabel("laptop")
            .addScopes("lenses:read"))
            .build()));
      }
      int made = 0;
      for (Future<Token> f : pool.invokeAll(creates)) {
        try {
          f.get();
          made++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
      }
      assertThat(made).as(person).isEqualTo(2);
    }
  }

  @Test
  void lastUseTimesWrittenBehindByTwoReplicas_keepTheLatest_whicheverFlushesLast() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    // Flushed only at close, in the order the test sets (not every 5 s of real time).
    var flushAtClose = dev.tokenauthority.server.config.AuthorityConfig.defaults().toBuilder()
        .lastUseFlushInterval(java.time.Duration.ofHours(1)).build();
    TestAuthority a = TestAuthority.startReplica(dir.resolve("use-a"), db, flushAtClose);
    TestAuthority b = TestAuthority.startReplica(dir.resolve("use-b"), db, flushAtClose);
    String admin = adminOf(List.of(a, b));
    Token t = a.as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("used").addScopes("lenses:read")).build());
    Token onlyB = a.as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("used on B").addScopes("lenses:read")).build());
    java.time.Instant earlier = b.clock.instant();
    a.clock.advance(java.time.Duration.ofHours(1)); // A's use is the later one
    java.time.Instant later = a.clock.instant();
    var check = dev.tokenauthority.api.v1.IntrospectTokenRequest.newBuilder().setSecret(t.getSecret()).build();
    boolean usedThroughA = a.as(admin).introspectToken(check).getActive();
    boolean usedThroughB = b.as(admin).introspectToken(check).getActive() // B has no bootstrap file of its own
        && b.as(admin).introspectToken(check.toBuilder().setSecret(onlyB.getSecret()).build()).getActive();
    a.close(); // A writes its (later) use first
    b.close(); // then B its earlier one, which must not lower it

    assertThat(usedThroughA).isTrue();
    assertThat(usedThroughB).isTrue();
    Long stored = a.readDatabase(h -> h.createQuery("SELECT last_use_time FROM token WHERE id = :id")
        .bind("id", t.getId()).mapTo(Long.class).one());
    assertThat(stored).isEqualTo(later.toEpochMilli());
    Long storedByB = a.readDatabase(h -> h.createQuery("SELECT last_use_time FROM token WHERE id = :id")
        .bind("id", onlyB.getId()).mapTo(Long.class).one());
    assertThat(storedByB).as("B did write its uses").isEqualTo(earlier.toEpochMilli());
  }
}
