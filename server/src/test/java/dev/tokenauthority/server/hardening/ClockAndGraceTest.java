package dev.tokenauthority.server.hardening;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.FeedRecorder;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Revocation is a stored fact; a retired token manages nothing. */
class ClockAndGraceTest extends InProcessAuthorityTest {
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(5);

  @Test
  void clockSteppedBack_doesNotReviveARevokedToken_evenAfterRestart() {
    Token t = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).build());

    ta.clock.advance(java.time.Duration.ofHours(-1));

    assertThat(reason(t.getSecret())).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
    ta.restart(); // no cached record: read back from the database
    assertThat(reason(t.getSecret())).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
  }

  @Test
  void clockSteppedBack_afterAGracePeriodEndedAndWasPublished_doesNotReviveTheOldSecret() throws Exception {
    Token t = ta.orgToken("acme", "lenses:read");
    ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(60)).build());
    assertThat(ta.isActive(t.getSecret())).as("in its grace period").isTrue();

    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), ta.adminSecret(), 0, 0)) {
      feed.next(WAIT, WatchRevocationsResponse.EventCase.START);
      ta.clock.advance(java.time.Duration.ofSeconds(61));
      assertThat(reason(t.getSecret())).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
      // Published: subscribers hear of it (and the server's own cache, before them).
      assertThat(feed.next(WAIT, WatchRevocationsResponse.EventCase.REVOCATION).getRevocation().getTokenId())
          .isEqualTo(t.getId());
    }
    awaitPublished(t.getId());

    ta.clock.advance(java.time.Duration.ofHours(-2));
    assertThat(reason(t.getSecret())).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
  }

  @Test
  void tokenInItsGracePeriod_stillAuthenticates_butManagesNothing() {
    Token manager = ta.orgToken("acme", "tokens:write", "tokens:introspect", "connectors:write", "lenses:read");
    Token replacement = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(manager.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(3600)).build());
    String old = manager.getSecret();

    assertThat(ta.as(old).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(old).build()).getActive())
        .as("authenticates and introspects during its grace").isTrue();
    assertThat(ta.as(old).getToken(dev.tokenauthority.api.v1.GetTokenRequest.newBuilder()
        .setId(replacement.getId()).build()).getId()).as("reads still work").isEqualTo(replacement.getId());

    assertFails(() -> ta.as(old).rotateToken(RotateTokenRequest.newBuilder().setId(replacement.getId()).build()),
        Status.Code.PERMISSION_DENIED, "CALLER_TOKEN_ROTATED");
    assertFails(() -> ta.as(old).revokeToken(RevokeTokenRequest.newBuilder().setId(replacement.getId()).build()),
        Status.Code.PERMISSION_DENIED, "CALLER_TOKEN_ROTATED");
    assertFails(() -> ta.as(old).createToken(dev.tokenauthority.api.v1.CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(dev.tokenauthority.api.v1.TokenKind.TOKEN_KIND_ORGANIZATION)
            .setOrganization("acme").setLabel("x").addScopes("lenses:read")).build()),
        Status.Code.PERMISSION_DENIED, "CALLER_TOKEN_ROTATED");
    assertFails(() -> ta.connectorsAs(old).createConnector(CreateConnectorRequest.newBuilder()
        .setConnector(dev.tokenauthority.api.v1.Connector.newBuilder().setOrganization("acme")
            .setSlug("c1").setName("c1").addAllScopes(List.of("lenses:read"))).build()),
        Status.Code.PERMISSION_DENIED, "CALLER_TOKEN_ROTATED");
    assertThat(ta.isActive(replacement.getSecret())).as("the replacement survived").isTrue();
  }

  private InactiveReason reason(String secret) {
    return ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getReason();
  }

  private void awaitPublished(String id) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      Integer revoked = ta.readDatabase(h -> h.createQuery("SELECT revoked FROM token WHERE id = :id")
          .bind("id", id).mapTo(Integer.class).one());
      if (revoked == 1) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the end of the grace period was not published");
  }
}
