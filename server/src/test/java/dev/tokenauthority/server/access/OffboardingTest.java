package dev.tokenauthority.server.access;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static dev.tokenauthority.server.access.RolesTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.FeedRecorder;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RevokeTokens: the "revoke all" button, by member, organisation or creator. */
class OffboardingTest extends InProcessAuthorityTest {
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;
  private static final TokenKind ORG = TokenKind.TOKEN_KIND_ORGANIZATION;

  @Test
  void memberLeaving_revokesExactlyTheirTokensInThatOrganisation() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");
    Token alice1 = ta.as(manager.getSecret()).createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read"));
    Token alice2 = ta.token(PERSONAL, "acme", "alice", List.of(), "lenses:read");
    Token aliceGrace = ta.token(PERSONAL, "acme", "alice", List.of(), "lenses:read");
    Token aliceNew = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(aliceGrace.getId())
        .setGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());
    Token aliceElsewhere = ta.token(PERSONAL, "globex", "alice", List.of(), "lenses:read");
    Token bob = ta.token(PERSONAL, "acme", "bob", List.of(), "lenses:read");

    long revoked = ta.as(manager.getSecret()).revokeTokens(RevokeTokensRequest.newBuilder()
        .setSubject("alice").setReason("left the team").build()).getRevokedCount();

    assertThat(revoked).as("her two tokens, the one in its grace period and its replacement").isEqualTo(4);
    for (Token t : List.of(alice1, alice2, aliceGrace, aliceNew)) {
      assertThat(ta.isActive(t.getSecret())).as(t.getId()).isFalse();
    }
    assertThat(ta.isActive(aliceElsewhere.getSecret())).as("another organisation's token of the same person").isTrue();
    assertThat(ta.isActive(bob.getSecret())).isTrue();
    assertThat(ta.isActive(manager.getSecret())).isTrue();
    List<AuditEvent> audit = ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setAction(AuditAction.AUDIT_ACTION_TOKEN_BULK_REVOKED).build()).getEventsList();
    assertThat(audit).hasSize(4).allSatisfy(e -> {
      assertThat(e.getActor()).isEqualTo(manager.getId());
      assertThat(e.getDetailsMap()).containsEntry("reason", "left the team");
      assertThat(e.getRequestId()).isNotEmpty();
    });
    assertThat(audit).extracting(AuditEvent::getTarget)
        .containsExactlyInAnyOrder(alice1.getId(), alice2.getId(), aliceGrace.getId(), aliceNew.getId());
    assertThat(ta.as(manager.getSecret()).revokeTokens(RevokeTokensRequest.newBuilder().setSubject("alice").build())
        .getRevokedCount()).as("nothing left to revoke").isZero();
  }

  @Test
  void wholeOrganisation_andEverythingATokenCreated() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");
    Token made1 = ta.as(manager.getSecret()).createToken(create(ORG, "acme", "", List.of(), "lenses:read"));
    Token made2 = ta.as(manager.getSecret()).createToken(create(PERSONAL, "acme", "dora", List.of(), "lenses:read"));
    Token notMade = ta.orgToken("acme", "lenses:read");
    Token globex = ta.orgToken("globex", "lenses:read");

    assertThat(ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setCreator(manager.getId()).build())
        .getRevokedCount()).isEqualTo(2);
    assertThat(ta.isActive(made1.getSecret())).isFalse();
    assertThat(ta.isActive(made2.getSecret())).isFalse();
    assertThat(ta.isActive(notMade.getSecret())).isTrue();
    assertThat(ta.isActive(manager.getSecret())).isTrue();

    assertThat(ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").build())
        .getRevokedCount()).isEqualTo(2);
    assertThat(ta.isActive(notMade.getSecret())).isFalse();
    assertThat(ta.isActive(manager.getSecret())).isFalse();
    assertThat(ta.isActive(globex.getSecret())).isTrue();
  }

  @Test
  void revocationsReachTheFeed_oneEventPerToken() throws InterruptedException {
    List<Token> tokens = List.of(ta.orgToken("acme", "lenses:read"), ta.orgToken("acme", "lenses:read"),
        ta.orgToken("acme", "lenses:read"));
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), ta.adminSecret(), 0, 0)) {
      assertThat(feed.next(Duration.ofSeconds(5), EventCase.START)).isNotNull();
      ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").build());
      List<String> revoked = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        WatchRevocationsResponse m = feed.next(Duration.ofSeconds(5), EventCase.REVOCATION);
        assertThat(m).as("revocation %d on the feed", i + 1).isNotNull();
        revoked.add(m.getRevocation().getTokenId());
      }
      assertThat(revoked).containsExactlyInAnyOrderElementsOf(tokens.stream().map(Token::getId).toList());
    }
  }

  @Test
  void anEmptyFilterIsRefused_neverRevokeEverything() {
    Token t = ta.orgToken("acme", "lenses:read");
    assertInvalid(() -> ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setReason("oops").build()),
        "organization", "FILTER_REQUIRED");
    assertInvalid(() -> ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setCreator("me").build()),
        "creator", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("Not A Slug").build()),
        "organization", "FIELD_INVALID");
    assertThat(ta.isActive(t.getSecret())).isTrue();
    Token loner = ta.token(PERSONAL, "", "erin", List.of(), "tokens:write");
    assertFails(() -> ta.as(loner.getSecret()).revokeTokens(RevokeTokensRequest.newBuilder().setSubject("erin").build()),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
  }
}
