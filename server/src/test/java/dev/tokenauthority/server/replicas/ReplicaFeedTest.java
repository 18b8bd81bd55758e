package dev.tokenauthority.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase;
import dev.tokenauthority.server.FeedRecorder;
import dev.tokenauthority.server.PostgresForTests;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.storage.PostgresSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation feed across three replicas on one PostgreSQL database: a revocation committed
 * through any replica reaches every replica's cache and every replica's subscribers, in commit
 * order, exactly once, with the same sequence numbers everywhere.
 */
class ReplicaFeedTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path dir;
  private final List<TestAuthority> replicas = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(12);
  private String admin;

  @BeforeEach
  void start() {
    PostgresSettings db = PostgresForTests.freshDatabase();
    for (int i = 0; i < 3; i++) {
      replicas.add(TestAuthority.replica(dir.resolve("replica-" + i), db));
    }
    admin = replicas.stream().map(TestAuthority::adminSecret).filter(s -> s != null).findFirst().orElseThrow();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    replicas.forEach(TestAuthority::close);
  }

  private Token create(TestAuthority through) {
    return through.as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("feed").addScopes("lenses:read"))
        .build());
  }

  private boolean active(TestAuthority on, String secret) {
    return on.as(admin).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getActive();
  }

  @Test
  void aRevocationThroughOneReplica_stopsTheTokenOnTheOthers_whoseCachesHeldIt() throws Exception {
    Token t = create(replicas.get(0));
    for (TestAuthority r : replicas) {
      assertThat(active(r, t.getSecret())).as("now in every replica's cache").isTrue();
    }
    replicas.get(0).as(admin).revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("leaked").build());

    for (TestAuthority r : replicas.subList(1, 3)) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (active(r, t.getSecret()) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(active(r, t.getSecret())).as("revoked elsewhere, inactive here").isFalse();
    }
  }

  @Test
  void aSequencerStalledHoldingItsLock_doesNotKeepARevokedTokenActiveElsewhere_pastTheBound() throws Exception {
    Token t = create(replicas.get(0));
    assertThat(active(replicas.get(1), t.getSecret())).as("cached on replica 1").isTrue();
    // Another replica took the sequencer's lock and stalled (a long pause, a silent partition).
    try (java.sql.Connection stalled = replicas.get(2).connectDatabase();
         java.sql.Statement s = stalled.createStatement()) {
      stalled.setAutoCommit(false);
      s.execute("SELECT pg_advisory_xact_lock(" + 0x7461_7265_766f_6bL + ")");
      long revokedAt = System.nanoTime();
      replicas.get(0).as(admin).revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("leaked").build());
      long deadline = revokedAt + TimeUnit.SECONDS.toNanos(5) + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < deadline && active(replicas.get(1), t.getSecret())) {
        Thread.sleep(50);
      }
      assertThat(active(replicas.get(1), t.getSecret())).as("inactive within the 5 s bound though the feed is stuck")
          .isFalse();
      stalled.rollback();
    }
  }

  @Test
  void concurrentRevocationsThroughThreeReplicas_reachEverySubscriber_inOneOrder_onceEach() throws Exception {
    int n = 90;
    List<Token> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tokens.add(create(replicas.get(i % 3)));
    }
    List<FeedRecorder> feeds = new ArrayList<>();
    for (TestAuthority r : replicas) {
      FeedRecorder f = FeedRecorder.follow(r.channel(), admin, 0, 0);
      assertThat(f.next(WAIT, EventCase.START)).isNotNull();
      feeds.add(f);
    }
    List<Callable<Object>> revocations = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Token t = tokens.get(i);
      TestAuthority through = replicas.get((i * 7) % 3);
      revocations.add(() -> through.as(admin).revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId())
          .setReason("incident").build()));
    }
    pool.invokeAll(revocations).forEach(f -> {
      try {
        f.get();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });

    List<Map<Long, String>> seen = new ArrayList<>();
    for (FeedRecorder f : feeds) {
      Map<Long, String> bySequence = new TreeMap<>();
      List<Long> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        WatchRevocationsResponse m = f.next(WAIT, EventCase.REVOCATION);
        assertThat(m).as("revocation " + (i + 1) + " of " + n).isNotNull();
        order.add(m.getRevocation().getSequence());
        assertThat(bySequence.put(m.getRevocation().getSequence(), m.getRevocation().getTokenId()))
            .as("sequence " + m.getRevocation().getSequence() + " once").isNull();
      }
      assertThat(order).as("in sequence order").isSorted();
      assertThat(order.get(n - 1) - order.get(0)).as("no gaps").isEqualTo(n - 1);
      assertThat(f.next(Duration.ofMillis(300), EventCase.REVOCATION)).as("nothing twice").isNull();
      seen.add(bySequence);
      f.close();
    }
    assertThat(seen.get(1)).as("the same numbers for the same tokens everywhere").isEqualTo(seen.get(0));
    assertThat(seen.get(2)).isEqualTo(seen.get(0));
    assertThat(seen.get(0).values()).containsExactlyInAnyOrderElementsOf(tokens.stream().map(Token::getId).toList());
  }
}
