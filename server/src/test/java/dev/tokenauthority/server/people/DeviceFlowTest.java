package dev.tokenauthority.server.people;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.ApproveDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.DenyDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.DeviceAuthorization;
import dev.tokenauthority.api.v1.DeviceAuthorizationPurpose;
import dev.tokenauthority.api.v1.DeviceAuthorizationState;
import dev.tokenauthority.api.v1.GetDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationResponse;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DeviceAuthorizationService (RFC 8628): a device asks, a signed-in person approves, the device gets it once. */
class DeviceFlowTest extends InProcessAuthorityTest {
  private static final DeviceAuthorizationPurpose DEVELOPER_TOKEN =
      DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_DEVELOPER_TOKEN;

  private Session aliceSession() {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice@example.com", List.of(),
        "lenses:read", "lenses:write", "personal-tokens:write");
    return ta.sessionsAs(alice.getSecret()).signIn(SignInRequest.getDefaultInstance());
  }

  private DeviceAuthorization start(StartDeviceAuthorizationRequest.Builder request) {
    return ta.devicesAs(null).startDeviceAuthorization(request.build());
  }

  private PollDeviceAuthorizationResponse poll(DeviceAuthorization started) {
    return ta.devicesAs(null).pollDeviceAuthorization(PollDeviceAuthorizationRequest.newBuilder()
        .setDeviceCode(started.getDeviceCode()).build());
  }

  @Test
  void developerToken_pendingSlowDownApproveTokenOnce_thenRefused() {
    Session alice = aliceSession();
    DeviceAuthorization started = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("CI lenser").addScopes("lenses:read")
        .setTokenTtl(com.google.protobuf.Duration.newBuilder().setSeconds(Duration.ofHours(720).toSeconds())));

    assertThat(started.getDeviceCode()).startsWith("tka_dev_");
    assertThat(started.getUserCode()).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
    assertThat(started.getVerificationUriComplete()).isEqualTo(started.getVerificationUri() + "?user_code="
        + started.getUserCode());
    assertThat(started.getInterval().getSeconds()).isEqualTo(5);
    assertThat(started.getExpireTime().getSeconds() - started.getCreateTime().getSeconds()).isEqualTo(900);

    assertThat(poll(started).getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_PENDING);
    assertFails(() -> poll(started), Code.RESOURCE_EXHAUSTED, "SLOW_DOWN");

    DeviceAuthorization seen = ta.devicesAs(alice.getAccessToken()).getDeviceAuthorization(
        GetDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode().toLowerCase().replace("-", "")).build());
    assertThat(seen.getLabel()).isEqualTo("CI lenser");
    assertThat(seen.getDeviceCode()).as("never shown again").isEmpty();
    assertThat(seen.getRequesterPeer()).isNotNull();
    DeviceAuthorization approved = ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode()).build());
    assertThat(approved.getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_APPROVED);
    assertThat(approved.getApprover()).isEqualTo("alice@example.com");

    ta.clock.advance(Duration.ofSeconds(5));
    PollDeviceAuthorizationResponse done = poll(started);
    assertThat(done.getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_APPROVED);
    Token token = done.getToken();
    assertThat(token.getSecret()).startsWith("tka_pat_");
    assertThat(token.getSubject()).isEqualTo("alice@example.com");
    assertThat(token.getOrganization()).isEqualTo("acme");
    assertThat(token.getScopesList()).containsExactly("lenses:read");
    assertThat(token.getExpireTime().getSeconds() - token.getCreateTime().getSeconds()).isEqualTo(720 * 3600);
    assertThat(ta.isActive(token.getSecret())).isTrue();

    ta.clock.advance(Duration.ofSeconds(5));
    assertFails(() -> poll(started), Code.FAILED_PRECONDITION, "DEVICE_CODE_USED");
    assertFails(() -> ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode()).build()),
        Code.FAILED_PRECONDITION, "DEVICE_AUTHORIZATION_DECIDED");
    assertThat(ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
        .getEventsList()).extracting(e -> e.getAction())
        .contains(AuditAction.AUDIT_ACTION_DEVICE_AUTHORIZATION_REQUESTED,
            AuditAction.AUDIT_ACTION_DEVICE_AUTHORIZATION_APPROVED,
            AuditAction.AUDIT_ACTION_DEVICE_AUTHORIZATION_ISSUED);
  }

  @Test
  void sessionForACommandLine_isTheApprovers() {
    Session alice = aliceSession();
    DeviceAuthorization started = start(StartDeviceAuthorizationRequest.newBuilder()
        .setPurpose(DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION));
    ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode()).build());
    Session cli = poll(started).getSession();
    assertThat(cli.getSubject()).isEqualTo("alice@example.com");
    assertThat(cli.getScopesList()).isEqualTo(alice.getScopesList());
    assertThat(cli.getSignInMethod()).isEqualTo(dev.tokenauthority.api.v1.SignInMethod.SIGN_IN_METHOD_DEVICE);
    assertThat(ta.isActive(cli.getAccessToken())).isTrue();
    assertThat(cli.getRefreshToken()).startsWith("tka_ref_");
  }

  @Test
  void nothingIsIssued_forAnApproverWhoSignedOutBeforeThePoll() {
    Session alice = aliceSession();
    DeviceAuthorization started = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("ci").addScopes("lenses:read"));
    ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode()).build());
    ta.sessionsAs(alice.getAccessToken()).signOut(dev.tokenauthority.api.v1.SignOutRequest.getDefaultInstance());
    assertFails(() -> poll(started), Code.FAILED_PRECONDITION, "APPROVER_INACTIVE");
  }

  @Test
  void denied_andExpired_areStatesTheDeviceCanRead() {
    Session alice = aliceSession();
    DeviceAuthorization denied = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("laptop").addScopes("lenses:read"));
    ta.devicesAs(alice.getAccessToken()).denyDeviceAuthorization(
        DenyDeviceAuthorizationRequest.newBuilder().setUserCode(denied.getUserCode()).build());
    assertThat(poll(denied).getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_DENIED);

    DeviceAuthorization lapsed = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("laptop").addScopes("lenses:read"));
    ta.clock.advance(Duration.ofMinutes(15));
    assertThat(poll(lapsed).getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_EXPIRED);
    assertFails(() -> ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(lapsed.getUserCode()).build()),
        Code.FAILED_PRECONDITION, "DEVICE_AUTHORIZATION_EXPIRED");
  }

  @Test
  void anApproverCannotHandOutMoreThanTheyHold_andNothingIsApproved() {
    Token member = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "max@example.com", List.of(), "lenses:read");
    Session max = ta.sessionsAs(member.getSecret()).signIn(SignInRequest.getDefaultInstance());
    DeviceAuthorization started = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("ci").addScopes("lenses:read"));
    assertFails(() -> ta.devicesAs(max.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(started.getUserCode()).build()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");

    Session alice = aliceSession();
    DeviceAuthorization greedy = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("ci").addScopes("tokens:write"));
    assertFails(() -> ta.devicesAs(alice.getAccessToken()).approveDeviceAuthorization(
        ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(greedy.getUserCode()).build()),
        Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    assertThat(poll(greedy).getState()).isEqualTo(DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_PENDING);
  }

  @Test
  void badInputGuessesAndFloods_areRefusedClearly() {
    assertInvalid(() -> start(StartDeviceAuthorizationRequest.newBuilder()), "purpose", "FIELD_REQUIRED");
    assertInvalid(() -> start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)),
        "label", "FIELD_REQUIRED");
    assertInvalid(() -> start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("read-only CLI")), "scopes", "FIELD_REQUIRED");
    assertInvalid(() -> start(StartDeviceAuthorizationRequest.newBuilder()
        .setPurpose(DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION).addScopes("lenses:read")),
        "scopes", "FIELD_NOT_ALLOWED");
    assertInvalid(() -> start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("x").setTokenTtl(com.google.protobuf.Duration.newBuilder().setSeconds(Duration.ofDays(91).toSeconds()))),
        "token_ttl", "TTL_OUT_OF_BOUNDS");
    assertFails(() -> ta.devicesAs(null).pollDeviceAuthorization(PollDeviceAuthorizationRequest.newBuilder()
        .setDeviceCode("tka_dev_nonsense").build()), Code.UNAUTHENTICATED, "INVALID_DEVICE_CODE");

    Session alice = aliceSession();
    for (int i = 0; i < 10; i++) {
      assertFails(() -> ta.devicesAs(alice.getAccessToken()).getDeviceAuthorization(
          GetDeviceAuthorizationRequest.newBuilder().setUserCode("BCDF-GHJK").build()), Code.NOT_FOUND,
          "USER_CODE_NOT_FOUND");
    }
    DeviceAuthorization real = start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN)
        .setLabel("x").addScopes("lenses:read"));
    assertFails(() -> ta.devicesAs(alice.getAccessToken()).getDeviceAuthorization(
        GetDeviceAuthorizationRequest.newBuilder().setUserCode(real.getUserCode()).build()),
        Code.RESOURCE_EXHAUSTED, "TOO_MANY_GUESSES");
    assertFails(() -> ta.devicesAs(ta.orgToken("acme", "lenses:read").getSecret()).getDeviceAuthorization(
        GetDeviceAuthorizationRequest.newBuilder().setUserCode(real.getUserCode()).build()),
        Code.PERMISSION_DENIED, "PERSON_REQUIRED");

    for (int i = 0; i < 9; i++) { // 10 a minute per address, one used above (refused input uses none)
      start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN).setLabel("x").addScopes("lenses:read"));
    }
    assertFails(() -> start(StartDeviceAuthorizationRequest.newBuilder().setPurpose(DEVELOPER_TOKEN).setLabel("x").addScopes("lenses:read")),
        Code.RESOURCE_EXHAUSTED, "RATE_LIMITED");
  }
}
