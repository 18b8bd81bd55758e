package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import dev.tokenauthority.server.storage.PostgresSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas as real processes on one PostgreSQL database: one is killed with SIGKILL in the
 * middle of mixed writes, and everything it acknowledged is read back through the other.
 */
class ReplicasProcessIT {
  @TempDir Path dir;

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static TokenServiceBlockingStub stub(ManagedChannel channel, String secret) {
    return TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(Bearer.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static IntrospectTokenResponse introspect(TokenServiceBlockingStub admin, String secret) {
    return admin.introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build());
  }

  private static CreateTokenRequest orgToken() {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
        .setOrganization("acme").setLabel("replica").addScopes("lenses:read")).build();
  }

  @Test
  void aReplicaKilledDuringMixedWrites_losesNothingItAcknowledged_readBackThroughAnother() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    String[] database = {"--database", db.url(), "--database-user", db.user()};
    try (ServerProcess a = ServerProcess.start(dir.resolve("a"), database)) {
      int portA = a.awaitPort();
      String admin = Files.readString(dir.resolve("a").resolve("bootstrap-token")).trim();
      try (ServerProcess b = ServerProcess.start(dir.resolve("b"), database)) {
        int portB = b.awaitPort();
        assertThat(dir.resolve("b").resolve("bootstrap-token")).as("one bootstrap, on the first replica").doesNotExist();

        ManagedChannel toA = channel(portA);
        Map<String, String> created = new ConcurrentHashMap<>(); // id -> secret, acknowledged
        Map<String, String> revoked = new ConcurrentHashMap<>();
        Map<String, String> rotatedTo = new ConcurrentHashMap<>(); // old id -> new secret
        // A change asked for but not acknowledged may or may not have committed: either is right.
        java.util.Set<String> changeAsked = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(6);
        for (int w = 0; w < 6; w++) {
          int kind = w % 3;
          writers.submit(() -> {
            while (!killed.get()) {
              try {
                Token t = stub(toA, admin).createToken(orgToken());
                created.put(t.getId(), t.getSecret());
                if (kind != 0) {
                  changeAsked.add(t.getId());
                }
                if (kind == 1) {
                  stub(toA, admin).revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("it").build());
                  revoked.put(t.getId(), t.getSecret());
                } else if (kind == 2) {
                  Token next = stub(toA, admin).rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).build());
                  rotatedTo.put(t.getId(), next.getSecret());
                }
              } catch (RuntimeException notAcknowledged) {
                // the replica died under this call: it was never acknowledged
              }
            }
            return null;
          });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (created.size() < 150 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        a.kill9(); // writes in flight
        killed.set(true);
        writers.shutdown();
        assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        toA.shutdownNow();
        assertThat(created.size()).as("writes acknowledged before the kill").isGreaterThanOrEqualTo(50);

        ManagedChannel toB = channel(portB);
        try {
          TokenServiceBlockingStub throughB = stub(toB, admin);
          List<String> problems = new ArrayList<>();
          created.forEach((id, secret) -> {
            IntrospectTokenResponse r = introspect(throughB, secret);
            boolean shouldWork = !changeAsked.contains(id);
            if (shouldWork && !r.getActive()) {
              problems.add(id + " was acknowledged created but is " + r.getReason());
            }
            if ((revoked.containsKey(id) || rotatedTo.containsKey(id)) && r.getActive()) {
              problems.add(id + " was acknowledged revoked or rotated (no grace) but works");
            }
            if (revoked.containsKey(id) && r.getReason() != InactiveReason.INACTIVE_REASON_REVOKED) {
              problems.add(id + " revoked, but " + r.getReason());
            }
          });
          rotatedTo.forEach((old, secret) -> {
            if (!introspect(throughB, secret).getActive()) {
              problems.add("the rotation of " + old + " was acknowledged, its new secret does not work");
            }
          });
          assertThat(problems).isEmpty();
        } finally {
          toB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }
}
