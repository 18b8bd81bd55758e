package dev.tokenauthority.server.access;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ReportLeakedTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.token.Secret;
import dev.tokenauthority.server.token.TokenKind;
import io.grpc.Status.Code;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReportLeakedTokens: anyone may report; live tokens die; the answer reveals nothing. */
class LeakReportTest {
  @TempDir Path dir;
  private TestAuthority ta;

  @BeforeEach
  void start() {
    ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().leakReportsPerMinute(3).build());
  }

  @AfterEach
  void stop() {
    ta.close();
  }

  @Test
  void anonymousReport_revokesTheLiveTokensAmongTheSecrets() {
    Token live = ta.orgToken("acme", "lenses:read");
    Token bystander = ta.orgToken("acme", "lenses:read");
    Token dead = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(dead.getId()).setReason("old").build());

    int accepted = ta.anonymous().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder()
        .addSecrets(live.getSecret()).addSecrets(live.getSecret()).addSecrets(dead.getSecret())
        .addSecrets("password123").build()).getAcceptedCount();

    assertThat(accepted).as("distinct well-formed secrets, live or not").isEqualTo(2);
    assertThat(ta.isActive(live.getSecret())).isFalse();
    assertThat(ta.isActive(bystander.getSecret())).isTrue();
    Token revoked = ta.admin().getToken(GetTokenRequest.newBuilder().setId(live.getId()).build());
    assertThat(revoked.getRevokeReason()).isEqualTo("leaked");
    assertThat(ta.admin().getToken(GetTokenRequest.newBuilder().setId(dead.getId()).build()).getRevokeReason())
        .as("an already revoked token keeps its reason").isEqualTo("old");

    List<AuditEvent> leaked = events(AuditAction.AUDIT_ACTION_TOKEN_LEAK_REVOKED);
    assertThat(leaked).singleElement().satisfies(e -> {
      assertThat(e.getTarget()).isEqualTo(live.getId());
      assertThat(e.getActor()).isEqualTo("anonymous");
      assertThat(e.getOrganization()).isEqualTo("acme");
      assertThat(e.getPeer()).isNotEmpty();
    });
    assertThat(events(AuditAction.AUDIT_ACTION_LEAK_REPORTED)).singleElement()
        .satisfies(e -> assertThat(e.getDetailsMap()).containsEntry("accepted", "2").containsEntry("revoked", "1"));
  }

  @Test
  void theAnswerIsTheSame_whetherASecretWasLiveOrNot() {
    Token live = ta.orgToken("acme", "lenses:read");
    String neverIssued = Secret.generate(TokenKind.ORGANIZATION, new SecureRandom()).reveal();

    var forLive = ta.anonymous().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder().addSecrets(live.getSecret()).build());
    var forUnknown = ta.anonymous().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder().addSecrets(neverIssued).build());

    assertThat(forLive).isEqualTo(forUnknown);
  }

  @Test
  void anAuthenticatedReporter_isTheActor() {
    Token scanner = ta.orgToken("security", "lenses:read");
    Token leaked = ta.orgToken("acme", "lenses:read");
    ta.as(scanner.getSecret()).reportLeakedTokens(ReportLeakedTokensRequest.newBuilder().addSecrets(leaked.getSecret()).build());
    assertThat(events(AuditAction.AUDIT_ACTION_TOKEN_LEAK_REVOKED)).singleElement()
        .satisfies(e -> assertThat(e.getActor()).isEqualTo(scanner.getId()));
  }

  @Test
  void reportsAreRateLimitedPerPeer_andBounded() {
    ReportLeakedTokensRequest junk = ReportLeakedTokensRequest.newBuilder().addSecrets("x").build();
    for (int i = 0; i < 3; i++) {
      ta.anonymous().reportLeakedTokens(junk);
    }
    assertFails(() -> ta.anonymous().reportLeakedTokens(junk), Code.RESOURCE_EXHAUSTED, "RATE_LIMITED");
    assertInvalid(() -> ta.anonymous().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder()
        .addAllSecrets(Collections.nCopies(101, "x")).build()), "secrets", "TOO_MANY_SECRETS");
  }

  private List<AuditEvent> events(AuditAction action) {
    return ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder().setAction(action).build())
        .getEventsList();
  }
}
