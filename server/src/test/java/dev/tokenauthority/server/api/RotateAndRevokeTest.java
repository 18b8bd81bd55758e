package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RotateAndRevokeTest extends InProcessAuthorityTest {

  @Test
  void revokedToken_introspectsInactiveAtOnce_andAfterRestart() {
    Token t = ta.orgToken("acme", "lenses:read");
    assertThat(introspect(t.getSecret()).getActive()).isTrue();

    Token revoked = ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("laptop stolen").build());

    assertThat(revoked.getState()).isEqualTo(TokenState.TOKEN_STATE_REVOKED);
    assertThat(revoked.getRevokeReason()).isEqualTo("laptop stolen");
    assertThat(revoked.getSecret()).isEmpty();
    IntrospectTokenResponse answer = introspect(t.getSecret());
    assertThat(answer.getActive()).isFalse();
    assertThat(answer.getAllowed()).isFalse();
    assertThat(answer.getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
    assertThat(answer.hasToken()).as("an inactive answer says nothing about the token").isFalse();

    ta.restart();
    assertThat(introspect(t.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
  }

  @Test
  void revokingTwice_returnsTheTokenUnchanged() {
    Token t = ta.orgToken("acme", "lenses:read");
    Token first = ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("first").build());
    ta.clock.advance(java.time.Duration.ofMinutes(5));

    Token second = ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("second").build());

    assertThat(second).isEqualTo(first);
  }

  @Test
  void revoke_validatesItsRequest() {
    assertInvalid(() -> ta.admin().revokeToken(RevokeTokenRequest.getDefaultInstance()), "id", "FIELD_REQUIRED");
    assertInvalid(() -> ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId("42").build()), "id", "FIELD_INVALID");
    Token t = ta.orgToken("acme", "lenses:read");
    assertInvalid(() -> ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("x".repeat(501)).build()),
        "reason", "FIELD_INVALID");
    assertThat(ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("x".repeat(500)).build())
        .getRevokeReason()).hasSize(500);
    assertFails(() -> ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId("tok_0000000000000000000000").build()),
        Status.Code.NOT_FOUND, "TOKEN_NOT_FOUND");
  }

  @Test
  void expiredToken_introspectsInactive() {
    Token t = ta.orgToken("acme", "lenses:read"); // 90 days by default
    ta.clock.advance(java.time.Duration.ofDays(90).minusSeconds(1));
    assertThat(introspect(t.getSecret()).getActive()).isTrue();

    ta.clock.advance(java.time.Duration.ofSeconds(1));

    assertThat(introspect(t.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_EXPIRED);
    assertThat(ta.admin().getToken(GetTokenRequest.newBuilder().setId(t.getId()).build()).getState())
        .isEqualTo(TokenState.TOKEN_STATE_EXPIRED);
  }

  @Test
  void rotation_withoutGrace_killsTheOldSecretAtOnce() {
    Token old = ta.orgToken("acme", "lenses:read", "agents:read");

    Token fresh = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId()).build());

    assertThat(fresh.getSecret()).startsWith("tka_org_").isNotEqualTo(old.getSecret());
    assertThat(fresh.getId()).isNotEqualTo(old.getId());
    assertThat(fresh.getRotatedFrom()).isEqualTo(old.getId());
    assertThat(fresh.getScopesList()).isEqualTo(old.getScopesList());
    assertThat(fresh.getOrganization()).isEqualTo("acme");
    assertThat(fresh.getLabel()).isEqualTo(old.getLabel());
    assertThat(introspect(fresh.getSecret()).getActive()).isTrue();
    assertThat(introspect(old.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
    Token retired = ta.admin().getToken(GetTokenRequest.newBuilder().setId(old.getId()).build());
    assertThat(retired.getRotatedTo()).isEqualTo(fresh.getId());
    assertThat(retired.getRevokeReason()).isEqualTo("rotated");
    assertThat(retired.getState()).isEqualTo(TokenState.TOKEN_STATE_REVOKED);
  }

  @Test
  void rotation_withGrace_keepsBothWorkingUntilItEnds() {
    Token old = ta.orgToken("acme", "lenses:read");

    Token fresh = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(3600)).build());

    assertThat(introspect(old.getSecret()).getActive()).isTrue();
    assertThat(introspect(fresh.getSecret()).getActive()).isTrue();
    Token during = ta.admin().getToken(GetTokenRequest.newBuilder().setId(old.getId()).build());
    assertThat(during.getState()).isEqualTo(TokenState.TOKEN_STATE_ACTIVE);
    assertThat(during.getRevokeTime().getSeconds() - fresh.getCreateTime().getSeconds()).isEqualTo(3600);
    assertFails(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId()).build()),
        Status.Code.FAILED_PRECONDITION, "TOKEN_ALREADY_ROTATED");

    ta.clock.advance(java.time.Duration.ofSeconds(3600));

    assertThat(introspect(old.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
    assertThat(introspect(fresh.getSecret()).getActive()).isTrue();
  }

  @Test
  void revokingDuringGrace_endsItNow() {
    Token old = ta.orgToken("acme", "lenses:read");
    ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(3600)).build());

    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(old.getId()).setReason("leaked").build());

    assertThat(introspect(old.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
  }

  @Test
  void rotation_canNarrowScopesAndSetTtl() {
    Token old = ta.orgToken("acme", "lenses:write", "agents:read");

    Token fresh = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId())
        .addScopes("lenses:read").setTtl(Duration.newBuilder().setSeconds(40L * 86_400)).build());

    assertThat(fresh.getScopesList()).containsExactly("lenses:read");
    assertThat(fresh.getExpireTime().getSeconds() - fresh.getCreateTime().getSeconds()).isEqualTo(40L * 86_400);
    assertThat(introspect(fresh.getSecret(), "lenses:write").getAllowed()).isFalse();
  }

  @Test
  void rotatingRevokedOrExpiredTokens_isAFailedPrecondition() {
    Token revoked = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(revoked.getId()).build());
    assertFails(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(revoked.getId()).build()),
        Status.Code.FAILED_PRECONDITION, "TOKEN_REVOKED");

    Token expiring = ta.orgToken("acme", "lenses:read");
    ta.clock.advance(java.time.Duration.ofDays(91));
    assertFails(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(expiring.getId()).build()),
        Status.Code.FAILED_PRECONDITION, "TOKEN_EXPIRED");
  }

  @Test
  void rotate_validatesGraceScopesAndTtl() {
    Token t = ta.orgToken("acme", "lenses:read");
    assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(86_401)).build()), "grace_period", "GRACE_PERIOD_OUT_OF_BOUNDS");
    assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(-1)).build()), "grace_period", "GRACE_PERIOD_OUT_OF_BOUNDS");
    assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .addScopes("lenses:fly").build()), "scopes", "UNKNOWN_SCOPE");
    assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .setTtl(Duration.newBuilder().setSeconds(86_400)).build()), "ttl", "TTL_OUT_OF_BOUNDS");
    Token fresh = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
        .setGracePeriod(Duration.newBuilder().setSeconds(86_400)).build());
    assertThat(fresh.getRotatedFrom()).isEqualTo(t.getId());
  }

  @Test
  void concurrentRotations_yieldExactlyOneNewToken() throws Exception {
    Token old = ta.orgToken("acme", "lenses:read");
    int callers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Token>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      Callable<Token> rotate = () -> {
        go.await();
        return ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId())
            .setGracePeriod(Duration.newBuilder().setSeconds(60)).build());
      };
      results.add(pool.submit(rotate));
    }
    go.countDown();
    int won = 0;
    for (Future<Token> f : results) {
      try {
        f.get(30, TimeUnit.SECONDS);
        won++;
      } catch (java.util.concurrent.ExecutionException e) {
        StatusRuntimeException sre = (StatusRuntimeException) e.getCause();
        assertThat(sre.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      }
    }
    pool.shutdown();

    assertThat(won).isEqualTo(1);
    String successor = ta.admin().getToken(GetTokenRequest.newBuilder().setId(old.getId()).build()).getRotatedTo();
    var children = ta.admin().listTokens(dev.tokenauthority.api.v1.ListTokensRequest.newBuilder()
        .setOrganization("acme").build()).getTokensList().stream()
        .filter(t -> t.getRotatedFrom().equals(old.getId())).toList();
    assertThat(children).extracting(Token::getId).containsExactly(successor);
  }

  private IntrospectTokenResponse introspect(String secret, String... required) {
    return ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret)
        .addAllRequiredScopes(List.of(required)).build());
  }
}
