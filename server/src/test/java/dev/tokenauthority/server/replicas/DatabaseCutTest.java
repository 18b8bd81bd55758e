package dev.tokenauthority.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.PostgresForTests;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.storage.PostgresSettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose connection to PostgreSQL is cut (a TCP proxy between them) and restored, while
 * another replica revokes a token the first one holds in its cache.
 */
class DatabaseCutTest {
  @TempDir Path dir;

  private static ServingStatus health(TestAuthority r) {
    return HealthGrpc.newBlockingStub(r.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  /** Whether {@code secret} is active on {@code r}; UNAVAILABLE is thrown. */
  private static boolean active(TestAuthority r, String admin, String secret) {
    return r.as(admin).withDeadlineAfter(15, TimeUnit.SECONDS)
        .introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getActive();
  }

  @Test
  void cutOff_aReplicaSaysUnavailableAndNotServing_neverActiveForATokenRevokedElsewhere_andRecovers() throws Exception {
    PostgresSettings db = PostgresForTests.freshDatabase();
    Matcher port = Pattern.compile("//[^:/]+:(\\d+)/").matcher(db.url());
    assertThat(port.find()).isTrue();
    try (TcpProxy proxy = new TcpProxy(Integer.parseInt(port.group(1)));
         TestAuthority direct = TestAuthority.replica(dir.resolve("b"), db);
         TestAuthority cut = TestAuthority.replica(dir.resolve("a"), new PostgresSettings(
             db.url().replace(":" + port.group(1) + "/", ":" + proxy.port() + "/"), db.user(), db.password()))) {
      String admin = direct.adminSecret() != null ? direct.adminSecret() : cut.adminSecret();
      Token t = direct.as(admin).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
          .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("cut").addScopes("lenses:read"))
          .build());
      assertThat(active(cut, admin, t.getSecret())).as("cached on the replica about to be cut off").isTrue();
      assertThat(health(cut)).isEqualTo(ServingStatus.SERVING);

      proxy.cut();
      long cutAt = System.nanoTime();
      direct.as(admin).revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("leaked").build());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (health(cut) != ServingStatus.NOT_SERVING && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(health(cut)).as("health while cut off").isEqualTo(ServingStatus.NOT_SERVING);
      Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(6) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt)));
      try {
        boolean answer = active(cut, admin, t.getSecret());
        assertThat(answer).as("past the 5 s bound: never active for a token revoked elsewhere").isFalse();
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(StatusProto.fromThrowable(e).getDetailsList()).anySatisfy(d ->
            assertThat(d.unpack(ErrorInfo.class).getReason()).isEqualTo("DATABASE_UNREACHABLE"));
      }

      proxy.restore();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      Boolean after = null;
      while (System.nanoTime() < deadline) {
        try {
          after = active(cut, admin, t.getSecret());
          if (health(cut) == ServingStatus.SERVING) {
            break;
          }
        } catch (StatusRuntimeException stillDown) {
          // recovering
        }
        Thread.sleep(200);
      }
      assertThat(after).as("answers again by itself").isNotNull().isFalse();
      assertThat(health(cut)).isEqualTo(ServingStatus.SERVING);
    }
  }
}
