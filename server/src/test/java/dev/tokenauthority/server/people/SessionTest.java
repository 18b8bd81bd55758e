package dev.tokenauthority.server.people;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListSessionsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RefreshSessionRequest;
import dev.tokenauthority.api.v1.RevokeSessionRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.SessionRole;
import dev.tokenauthority.api.v1.SignInMethod;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.api.v1.SignOutRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** SessionService: sign in with a token, refresh with rotation and reuse detection, sign out. */
class SessionTest extends InProcessAuthorityTest {
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;

  private Token alice() {
    return ta.token(PERSONAL, "acme", "alice@example.com", List.of("team-a"),
        "lenses:read", "personal-tokens:write");
  }

  private Session signIn(String secret) {
    return ta.sessionsAs(secret).signIn(SignInRequest.getDefaultInstance());
  }

  @Test
  void signInWithAPersonalToken_givesASessionWithItsRights_andTheAccessTokenWorksEverywhere() {
    Token alice = alice();
    Session s = signIn(alice.getSecret());

    assertThat(s.getId()).matches("ses_[0-9A-Za-z]{22}");
    assertThat(s.getAccessToken()).startsWith("tka_ses_");
    assertThat(s.getRefreshToken()).startsWith("tka_ref_");
    assertThat(s.getSubject()).isEqualTo("alice@example.com");
    assertThat(s.getOrganization()).isEqualTo("acme");
    assertThat(s.getRole()).isEqualTo(SessionRole.SESSION_ROLE_MEMBER);
    assertThat(s.getScopesList()).containsExactly("lenses:read", "personal-tokens:write");
    assertThat(s.getGroupsList()).containsExactly("team-a");
    assertThat(s.getSignInMethod()).isEqualTo(SignInMethod.SIGN_IN_METHOD_BEARER_TOKEN);
    assertThat(Duration.between(Instant.ofEpochSecond(s.getCreateTime().getSeconds()),
        Instant.ofEpochSecond(s.getAccessExpireTime().getSeconds()))).isEqualTo(Duration.ofHours(1));
    assertThat(Duration.between(Instant.ofEpochSecond(s.getCreateTime().getSeconds()),
        Instant.ofEpochSecond(s.getRefreshExpireTime().getSeconds()))).isEqualTo(Duration.ofDays(30));

    assertThat(ta.isActive(s.getAccessToken())).isTrue();
    // Acts as the person: self-service on her own personal tokens, nobody else's.
    List<Token> seen = ta.as(s.getAccessToken()).listTokens(ListTokensRequest.getDefaultInstance()).getTokensList();
    assertThat(seen).extracting(Token::getSubject).containsOnly("alice@example.com");
    Token made = ta.as(s.getAccessToken()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(PERSONAL).setOrganization("acme").setSubject("alice@example.com").setLabel("laptop")
        .addScopes("lenses:read")).build());
    assertThat(made.getCreator()).isEqualTo(s.getAccessTokenId());
    assertFails(() -> ta.as(s.getAccessToken()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(PERSONAL).setOrganization("acme").setSubject("alice@example.com").setLabel("more")
        .addScopes("lenses:write")).build()), Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    // Never shown again: not in the listing of the access token's row.
    Token row = ta.admin().getToken(dev.tokenauthority.api.v1.GetTokenRequest.newBuilder()
        .setId(s.getAccessTokenId()).build());
    assertThat(row.getKind()).isEqualTo(TokenKind.TOKEN_KIND_SESSION);
    assertThat(row.getSecret()).isEmpty();
    assertThat(row.getMetadataMap()).containsEntry("session", s.getId());
  }

  @Test
  void onlyPersonalAndSystemTokensSignIn_andSessionTokensCannotBeMadeOrRotated() {
    Token org = ta.orgToken("acme", "lenses:read");
    assertFails(() -> signIn(org.getSecret()), Code.PERMISSION_DENIED, "SIGN_IN_KIND");
    assertFails(() -> ta.sessionsAs(null).signIn(SignInRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    Session admin = signIn(ta.adminSecret());
    assertThat(admin.getRole()).isEqualTo(SessionRole.SESSION_ROLE_ADMIN);
    assertFails(() -> signIn(admin.getAccessToken()), Code.PERMISSION_DENIED, "SIGN_IN_KIND");
    assertFails(() -> ta.sessionsAs(null).signIn(SignInRequest.newBuilder().setIdToken("x.y.z").build()),
        Code.FAILED_PRECONDITION, "NO_IDENTITY_PROVIDER");
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_SESSION).setLabel("x").addScopes("lenses:read")).build()),
        "token.kind", "SESSION_TOKEN_NEEDS_SIGN_IN");
    assertFails(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(admin.getAccessTokenId()).build()),
        Code.FAILED_PRECONDITION, "ROTATE_THROUGH_REFRESH");
    assertInvalid(() -> ta.sessionsAs(null).refreshSession(RefreshSessionRequest.getDefaultInstance()),
        "refresh_token", "FIELD_REQUIRED");
    assertFails(() -> refresh(admin.getAccessToken()), Code.UNAUTHENTICATED, "INVALID_REFRESH_TOKEN");
  }

  private Session refresh(String refreshToken) {
    return ta.sessionsAs(null).refreshSession(RefreshSessionRequest.newBuilder().setRefreshToken(refreshToken).build());
  }

  @Test
  void refresh_rotatesBothTokens_andTheOldRefreshTokenStopsWorking() {
    Session s = signIn(alice().getSecret());
    ta.clock.advance(Duration.ofMinutes(50));
    Session next = refresh(s.getRefreshToken());

    assertThat(next.getId()).isEqualTo(s.getId());
    assertThat(next.getAccessToken()).isNotEqualTo(s.getAccessToken()).startsWith("tka_ses_");
    assertThat(next.getRefreshToken()).isNotEqualTo(s.getRefreshToken()).startsWith("tka_ref_");
    assertThat(next.getAccessTokenId()).isNotEqualTo(s.getAccessTokenId());
    assertThat(next.hasLastRefreshTime()).isTrue();
    assertThat(ta.isActive(next.getAccessToken())).isTrue();

    Session third = refresh(next.getRefreshToken());
    assertThat(ta.isActive(third.getAccessToken())).isTrue();
  }

  @Test
  void aReusedRefreshToken_endsTheWholeSession_andIsAuditedAsATheft() {
    Session s = signIn(alice().getSecret());
    Session next = refresh(s.getRefreshToken());
    Session third = refresh(next.getRefreshToken());

    StatusRuntimeException e = assertFails(() -> refresh(s.getRefreshToken()), Code.UNAUTHENTICATED,
        "REFRESH_TOKEN_REUSED");
    assertThat(e.getStatus().getDescription()).doesNotContain("tka_");

    for (String access : List.of(s.getAccessToken(), next.getAccessToken(), third.getAccessToken())) {
      assertThat(ta.isActive(access)).as("every access token descended from the sign-in").isFalse();
    }
    assertFails(() -> refresh(third.getRefreshToken()), Code.UNAUTHENTICATED, "SESSION_ENDED");
    List<AuditEvent> theft = ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setAction(AuditAction.AUDIT_ACTION_REFRESH_TOKEN_REUSED).build()).getEventsList();
    assertThat(theft).singleElement().satisfies(ev -> assertThat(ev.getTarget()).isEqualTo(s.getId()));
  }

  @Test
  void twoConcurrentRefreshesWithOneToken_atMostOneWins_andTheSessionEnds() throws Exception {
    for (int round = 0; round < 5; round++) {
      Session s = signIn(alice().getSecret());
      CyclicBarrier start = new CyclicBarrier(2);
      List<CompletableFuture<Object>> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        both.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
            return refresh(s.getRefreshToken());
          } catch (StatusRuntimeException e) {
            return e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      List<Object> results = both.stream().map(CompletableFuture::join).toList();
      List<Session> won = results.stream().filter(Session.class::isInstance).map(Session.class::cast).toList();
      assertThat(won).as("round " + round).hasSizeLessThanOrEqualTo(1);
      assertThat(results.stream().filter(StatusRuntimeException.class::isInstance)
          .map(r -> dev.tokenauthority.server.RpcErrors.errorInfo((StatusRuntimeException) r).getReason()))
          .as("the loser is told of the reuse").contains("REFRESH_TOKEN_REUSED");
      for (Session w : won) {
        assertThat(ta.isActive(w.getAccessToken())).as("the winner's session is ended too").isFalse();
      }
    }
  }

  @Test
  void signOut_endsTheSession_andListSessionsShowsLiveOnes() {
    Token alice = alice();
    Session laptop = signIn(alice.getSecret());
    ta.clock.advance(Duration.ofSeconds(1));
    Session phone = signIn(alice.getSecret());

    List<Session> live = ta.sessionsAs(laptop.getAccessToken()).listSessions(ListSessionsRequest.getDefaultInstance())
        .getSessionsList();
    assertThat(live).extracting(Session::getId).containsExactly(phone.getId(), laptop.getId());
    assertThat(live).extracting(Session::getCurrent).containsExactly(false, true);
    assertThat(live).allSatisfy(x -> assertThat(x.getAccessToken() + x.getRefreshToken()).isEmpty());

    ta.sessionsAs(laptop.getAccessToken()).signOut(SignOutRequest.getDefaultInstance());
    assertThat(ta.isActive(laptop.getAccessToken())).isFalse();
    assertThat(ta.isActive(phone.getAccessToken())).isTrue();
    assertFails(() -> refresh(laptop.getRefreshToken()), Code.UNAUTHENTICATED, "SESSION_ENDED");
    assertFails(() -> ta.sessionsAs(alice.getSecret()).signOut(SignOutRequest.getDefaultInstance()),
        Code.FAILED_PRECONDITION, "NOT_A_SESSION");
    List<Session> after = ta.sessionsAs(phone.getAccessToken()).listSessions(ListSessionsRequest.newBuilder()
        .setIncludeEnded(true).build()).getSessionsList();
    assertThat(after).filteredOn(x -> x.getId().equals(laptop.getId())).singleElement()
        .satisfies(x -> assertThat(x.getEndReason()).isEqualTo("signed out"));
    assertThat(ta.sessionsAs(phone.getAccessToken()).listSessions(ListSessionsRequest.getDefaultInstance())
        .getSessionsList()).extracting(Session::getId).containsExactly(phone.getId());
  }

  @Test
  void managersEndMembersSessions_othersCannotSeeThem_andOffboardingEndsThemToo() {
    Session alice = signIn(alice().getSecret());
    Token manager = ta.token(PERSONAL, "acme", "mia@example.com", List.of(), "tokens:write", "lenses:read");
    Token outsider = ta.token(PERSONAL, "globex", "olga@example.com", List.of(), "tokens:write", "lenses:read");

    assertFails(() -> ta.sessionsAs(outsider.getSecret()).revokeSession(RevokeSessionRequest.newBuilder()
        .setId(alice.getId()).build()), Code.NOT_FOUND, "SESSION_NOT_FOUND");
    assertThat(ta.sessionsAs(manager.getSecret()).listSessions(ListSessionsRequest.newBuilder()
        .setSubject("alice@example.com").build()).getSessionsList()).extracting(Session::getId)
        .containsExactly(alice.getId());
    Session ended = ta.sessionsAs(manager.getSecret()).revokeSession(RevokeSessionRequest.newBuilder()
        .setId(alice.getId()).setReason("lost laptop").build());
    assertThat(ended.getEndReason()).isEqualTo("lost laptop");
    assertThat(ended.hasEndTime()).isTrue();
    assertThat(ta.isActive(alice.getAccessToken())).isFalse();
    assertInvalid(() -> ta.sessionsAs(manager.getSecret()).revokeSession(RevokeSessionRequest.newBuilder()
        .setId("nope").build()), "id", "FIELD_INVALID");

    Session again = signIn(alice().getSecret());
    ta.as(manager.getSecret()).revokeTokens(RevokeTokensRequest.newBuilder().setSubject("alice@example.com")
        .setReason("left the company").build());
    assertThat(ta.isActive(again.getAccessToken())).isFalse();
    assertFails(() -> refresh(again.getRefreshToken()), Code.UNAUTHENTICATED, "SESSION_ENDED");
  }

  @Test
  void aSessionNeverOutlivesTheTokenThatSignedItIn_norSurvivesItsRevocation() {
    Token alice = alice(); // 30 days
    Session s = signIn(alice.getSecret());
    assertThat(s.getRefreshExpireTime().getSeconds()).isLessThanOrEqualTo(alice.getExpireTime().getSeconds());
    ta.clock.advance(Duration.ofDays(20));
    Session later = refresh(s.getRefreshToken());
    assertThat(later.getRefreshExpireTime().getSeconds()).as("capped at the token's expiry, not 30 days on")
        .isLessThanOrEqualTo(alice.getExpireTime().getSeconds());
    ta.clock.advance(Duration.ofDays(11));
    assertFails(() -> refresh(later.getRefreshToken()), Code.UNAUTHENTICATED, "REFRESH_TOKEN_EXPIRED");

    Token bob = ta.token(PERSONAL, "acme", "bob@example.com", List.of(), "lenses:read");
    Session bobs = signIn(bob.getSecret());
    ta.admin().revokeToken(dev.tokenauthority.api.v1.RevokeTokenRequest.newBuilder().setId(bob.getId())
        .setReason("leaked").build());
    assertFails(() -> refresh(bobs.getRefreshToken()), Code.UNAUTHENTICATED, "SESSION_ENDED");
    assertThat(ta.sessionsAs(ta.adminSecret()).listSessions(ListSessionsRequest.newBuilder()
        .setSubject("bob@example.com").setIncludeEnded(true).build()).getSessionsList()).singleElement()
        .satisfies(x -> assertThat(x.getEndReason()).contains("revoked").contains("leaked"));
  }

  @Test
  void aManagerMintingATokenForSomeSubject_doesNotComeToOwnTheirSessionsElsewhere() {
    Session rootAtGlobex = signIn(ta.token(PERSONAL, "globex", "root@corp.example", List.of(), "lenses:read")
        .getSecret());
    Token manager = ta.token(PERSONAL, "acme", "mia@example.com", List.of(), "tokens:write", "lenses:read");
    Token minted = ta.as(manager.getSecret()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(PERSONAL).setOrganization("acme").setSubject("root@corp.example").setLabel("x")
        .addScopes("lenses:read")).build());
    assertThat(ta.sessionsAs(minted.getSecret()).listSessions(ListSessionsRequest.getDefaultInstance())
        .getSessionsList()).isEmpty();
    assertFails(() -> ta.sessionsAs(minted.getSecret()).revokeSession(RevokeSessionRequest.newBuilder()
        .setId(rootAtGlobex.getId()).build()), Code.NOT_FOUND, "SESSION_NOT_FOUND");
    Session adminInAcme = ta.sessionsAs(ta.adminSecret()).signIn(SignInRequest.newBuilder().setOrganization("acme").build());
    assertFails(() -> ta.sessionsAs(manager.getSecret()).revokeSession(RevokeSessionRequest.newBuilder()
        .setId(adminInAcme.getId()).build()), Code.NOT_FOUND, "SESSION_NOT_FOUND");
  }

  @Test
  void refreshTokensLapse_afterTheIdleLimit_andNeverPassTheAbsoluteOne() {
    Token longLived = ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_SYSTEM).setLabel("ops robot").addScopes("lenses:read"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(Duration.ofDays(365).toSeconds())).build());
    Session s = signIn(longLived.getSecret());
    ta.clock.advance(Duration.ofDays(31));
    assertFails(() -> refresh(s.getRefreshToken()), Code.UNAUTHENTICATED, "REFRESH_TOKEN_EXPIRED");

    Session kept = signIn(longLived.getSecret());
    String refresh = kept.getRefreshToken();
    for (int i = 0; i < 4; i++) { // active every 20 days: the idle limit never bites
      ta.clock.advance(Duration.ofDays(20));
      refresh = refresh(refresh).getRefreshToken();
    }
    ta.clock.advance(Duration.ofDays(11)); // 91 days after sign-in
    String last = refresh;
    assertFails(() -> refresh(last), Code.UNAUTHENTICATED, "REFRESH_TOKEN_EXPIRED");
  }
}
