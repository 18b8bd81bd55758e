package dev.tokenauthority.server.access;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetAuditEventRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListConnectorsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ReportLeakedTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each kind of caller, with its own token, over gRPC: what it may do works, and each thing it may
 * not do is refused with the code and reason a client can act on.
 */
class RolesTest extends InProcessAuthorityTest {
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;
  private static final TokenKind ORG = TokenKind.TOKEN_KIND_ORGANIZATION;
  private static final TokenKind SYSTEM = TokenKind.TOKEN_KIND_SYSTEM;

  @Test
  void admin_managesEverythingAndAloneMakesSystemTokensWithAnyGroups() {
    Token acme = ta.orgToken("acme", "lenses:read");
    Token globex = ta.orgToken("globex", "lenses:read");

    Token system = ta.admin().createToken(create(SYSTEM, "", "ci-bot", List.of("ops", "release"), "lenses:write"));
    assertThat(system.getGroupsList()).containsExactly("ops", "release");
    assertThat(ta.admin().getToken(get(globex.getId())).getOrganization()).isEqualTo("globex");
    assertThat(ta.admin().listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(Token::getId).contains(acme.getId(), globex.getId(), system.getId());
    ta.connectorsAs(ta.adminSecret()).createConnector(connector("globex", "billing-sync", "lenses:read"));
    assertThat(ta.connectorsAs(ta.adminSecret()).listConnectors(ListConnectorsRequest.getDefaultInstance())
        .getConnectorsList()).extracting(Connector::getOrganization).contains("globex");
    assertThat(ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
        .getEventsList()).extracting(AuditEvent::getOrganization).contains("acme", "globex", "");
    assertThat(ta.admin().revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("globex").build())
        .getRevokedCount()).isEqualTo(2); // globex's token and its connector's
  }

  @Test
  void organisationManager_actsOnlyInsideItsOrganisation() {
    Token manager = ta.token(ORG, "acme", "", List.of("team-a"),
        "tokens:write", "lenses:read", "lenses:write", "personal-tokens:write");
    TokenServiceBlockingStub m = ta.as(manager.getSecret());
    Token foreign = ta.orgToken("globex", "lenses:read");

    Token team = m.createToken(create(ORG, "acme", "", List.of(), "lenses:read"));
    Token member = m.createToken(create(PERSONAL, "acme", "alice", List.of("team-a"), "lenses:read", "personal-tokens:write"));
    assertThat(member.getOrganization()).isEqualTo("acme");
    assertThat(m.getToken(get(member.getId())).getSubject()).isEqualTo("alice");
    assertThat(m.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(Token::getId).contains(manager.getId(), team.getId(), member.getId())
        .doesNotContain(foreign.getId());
    Token rotated = m.rotateToken(RotateTokenRequest.newBuilder().setId(team.getId()).build());
    assertThat(m.revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).build()).getRevokeReason()).isEmpty();
    assertThat(ta.auditAs(manager.getSecret()).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
        .getEventsList()).isNotEmpty().allSatisfy(e -> assertThat(e.getOrganization()).isEqualTo("acme"));

    assertFails(() -> m.getToken(get(foreign.getId())), Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> m.revokeToken(RevokeTokenRequest.newBuilder().setId(foreign.getId()).build()),
        Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> m.createToken(create(ORG, "globex", "", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertFails(() -> m.listTokens(ListTokensRequest.newBuilder().setOrganization("globex").build()),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertFails(() -> m.revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("globex").build()),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertThat(assertFails(() -> m.createToken(create(ORG, "acme", "", List.of(), "agents:read")),
        Code.PERMISSION_DENIED, "SCOPE_NOT_HELD").getStatus().getDescription()).as("names the scope").contains("agents:read");
    assertFails(() -> m.createToken(create(PERSONAL, "acme", "bob", List.of("team-b"), "lenses:read")),
        Code.PERMISSION_DENIED, "GROUP_NOT_HELD");
    assertFails(() -> m.createToken(create(SYSTEM, "acme", "", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "ADMIN_REQUIRED");
    assertFails(() -> ta.auditAs(manager.getSecret()).listAuditEvents(
        ListAuditEventsRequest.newBuilder().setOrganization("globex").build()), Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    long globexEvent = ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setOrganization("globex").build()).getEvents(0).getId();
    assertFails(() -> ta.auditAs(manager.getSecret()).getAuditEvent(GetAuditEventRequest.newBuilder().setId(globexEvent).build()),
        Code.NOT_FOUND, "AUDIT_EVENT_NOT_FOUND");
  }

  @Test
  void reader_readsItsOrganisationAndChangesNothing() {
    Token reader = ta.orgToken("acme", "tokens:read");
    Token other = ta.orgToken("acme", "lenses:read");
    TokenServiceBlockingStub r = ta.as(reader.getSecret());

    assertThat(r.getToken(get(other.getId())).getId()).isEqualTo(other.getId());
    assertThat(r.listTokens(ListTokensRequest.getDefaultInstance()).getTokensCount()).isEqualTo(2);
    assertThat(ta.auditAs(reader.getSecret()).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
        .getEventsCount()).isPositive();

    assertFails(() -> r.createToken(create(ORG, "acme", "", List.of(), "lenses:read")), Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> r.rotateToken(RotateTokenRequest.newBuilder().setId(other.getId()).build()), Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> r.revokeToken(RevokeTokenRequest.newBuilder().setId(other.getId()).build()), Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> r.revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").build()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.connectorsAs(reader.getSecret()).listConnectors(ListConnectorsRequest.getDefaultInstance()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertThat(ta.isActive(other.getSecret())).isTrue();
  }

  @Test
  void person_managesOnlyTheirOwnPersonalTokens_whichInheritTheirGroups() {
    Token alice = ta.token(PERSONAL, "acme", "alice", List.of("team-a"), "lenses:read", "personal-tokens:write");
    Token bob = ta.token(PERSONAL, "acme", "bob", List.of("team-a"), "lenses:read");
    Token team = ta.orgToken("acme", "lenses:read");
    TokenServiceBlockingStub a = ta.as(alice.getSecret());

    Token laptop = a.createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read"));
    assertThat(laptop.getGroupsList()).as("inherited").containsExactly("team-a");
    assertThat(laptop.getCreator()).isEqualTo(alice.getId());
    assertThat(a.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(Token::getId).containsExactlyInAnyOrder(alice.getId(), laptop.getId());
    Token rotated = a.rotateToken(RotateTokenRequest.newBuilder().setId(laptop.getId()).build());
    a.revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).build());
    // Groups are a snapshot: alice's next token with other groups does not change this one.
    Token desk = a.createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read"));
    ta.token(PERSONAL, "acme", "alice", List.of("team-b"), "lenses:read");
    assertThat(ta.admin().getToken(get(desk.getId())).getGroupsList()).containsExactly("team-a");

    assertFails(() -> a.createToken(create(PERSONAL, "acme", "bob", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "SELF_SERVICE_ONLY");
    assertFails(() -> a.createToken(create(ORG, "acme", "", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "SELF_SERVICE_ONLY");
    assertFails(() -> a.createToken(create(PERSONAL, "globex", "alice", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertFails(() -> a.createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:write")),
        Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    assertFails(() -> a.createToken(create(PERSONAL, "acme", "alice", List.of("team-b"), "lenses:read")),
        Code.PERMISSION_DENIED, "GROUP_NOT_HELD");
    assertFails(() -> a.getToken(get(bob.getId())), Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> a.getToken(get(team.getId())), Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> a.revokeToken(RevokeTokenRequest.newBuilder().setId(bob.getId()).build()),
        Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> a.listTokens(ListTokensRequest.newBuilder().setSubject("bob").build()),
        Code.PERMISSION_DENIED, "SELF_SERVICE_ONLY");
    assertFails(() -> a.revokeTokens(RevokeTokensRequest.newBuilder().setSubject("bob").build()),
        Code.PERMISSION_DENIED, "SELF_SERVICE_ONLY");
    assertFails(() -> ta.auditAs(alice.getSecret()).listAuditEvents(ListAuditEventsRequest.getDefaultInstance()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertThat(ta.isActive(bob.getSecret())).isTrue();

    assertThat(a.revokeTokens(RevokeTokensRequest.newBuilder().setSubject("alice").setReason("new laptop").build())
        .getRevokedCount()).as("alice's own tokens, the calling one and the admin-made one included").isEqualTo(3);
    assertThat(ta.isActive(bob.getSecret())).isTrue();
  }

  @Test
  void personalTokenWithoutSelfServiceScope_managesNothing() {
    Token carol = ta.token(PERSONAL, "acme", "carol", List.of(), "lenses:read");
    assertFails(() -> ta.as(carol.getSecret()).createToken(create(PERSONAL, "acme", "carol", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.as(carol.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
  }

  @Test
  void connector_usesItsServiceTokenForWhatItWasRegistered() {
    Token manager = ta.orgToken("acme", "connectors:write", "lenses:read", "tokens:introspect");
    Connector registered = ta.connectorsAs(manager.getSecret())
        .createConnector(connector("acme", "ci-runner", "lenses:read", "tokens:introspect"));
    String service = registered.getSecret();
    Token user = ta.orgToken("acme", "lenses:read");

    var answer = ta.as(service).introspectToken(IntrospectTokenRequest.newBuilder()
        .setSecret(user.getSecret()).addRequiredScopes("lenses:read").build());
    assertThat(answer.getAllowed()).isTrue();
    Token self = ta.admin().getToken(get(registered.getTokenId()));
    assertThat(self.getKind()).isEqualTo(TokenKind.TOKEN_KIND_SERVICE);
    assertThat(self.getConnectorId()).isEqualTo(registered.getId());
    assertThat(self.getScopesList()).containsExactly("lenses:read", "tokens:introspect");

    assertFails(() -> ta.as(service).listTokens(ListTokensRequest.getDefaultInstance()), Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.as(service).createToken(create(ORG, "acme", "", List.of(), "lenses:read")),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.connectorsAs(service).getConnector(GetConnectorRequest.newBuilder()
        .setOrganization("acme").setSlug("ci-runner").build()), Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(registered.getTokenId()).build()),
        Code.FAILED_PRECONDITION, "ROTATE_THROUGH_CONNECTOR");
  }

  @Test
  void anonymous_mayOnlyReportLeaks() {
    assertThat(ta.anonymous().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder()
        .addSecrets("not a secret").build()).getAcceptedCount()).isZero();

    assertFails(() -> ta.anonymous().listTokens(ListTokensRequest.getDefaultInstance()), Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    assertFails(() -> ta.anonymous().revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").build()),
        Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    assertFails(() -> ta.anonymous().introspectToken(IntrospectTokenRequest.newBuilder().setSecret("x").build()),
        Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    assertFails(() -> dev.tokenauthority.api.v1.ConnectorServiceGrpc.newBlockingStub(ta.channel())
        .listConnectors(ListConnectorsRequest.getDefaultInstance()), Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    assertFails(() -> dev.tokenauthority.api.v1.AuditServiceGrpc.newBlockingStub(ta.channel())
        .listAuditEvents(ListAuditEventsRequest.getDefaultInstance()), Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
  }

  static CreateTokenRequest create(TokenKind kind, String org, String subject, List<String> groups, String... scopes) {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(kind).setOrganization(org)
        .setSubject(subject).setLabel("made in RolesTest").addAllGroups(groups).addAllScopes(List.of(scopes))).build();
  }

  static CreateConnectorRequest connector(String org, String slug, String... scopes) {
    return CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder().setOrganization(org)
        .setSlug(slug).setName("connector " + slug).addAllScopes(List.of(scopes))).build();
  }

  static GetTokenRequest get(String id) {
    return GetTokenRequest.newBuilder().setId(id).build();
  }
}
