package dev.tokenauthority.server.hardening;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.InProcessAuthorityTest;
import dev.tokenauthority.server.RpcErrors;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Credentials, echoed secrets, look-alike identifiers and the audit log under repetition. */
class InputHardeningTest extends InProcessAuthorityTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void twoAuthorizationHeaders_areRefused_notResolvedToTheLastOne() {
    Token reader = ta.orgToken("acme", "tokens:read");
    Metadata both = new Metadata();
    both.put(AUTHORIZATION, "Bearer " + reader.getSecret());
    both.put(AUTHORIZATION, "Bearer " + ta.adminSecret());
    TokenServiceGrpc.TokenServiceBlockingStub stub = TokenServiceGrpc.newBlockingStub(ta.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(both))
        .withDeadlineAfter(10, TimeUnit.SECONDS);

    assertFails(() -> stub.listTokens(ListTokensRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED, "MULTIPLE_CREDENTIALS");
  }

  @Test
  void permissionDenials_areCoalesced_notOneRowEach() {
    Token reader = ta.orgToken("acme", "tokens:read");
    Token victim = ta.orgToken("acme", "lenses:read");
    for (int i = 0; i < 50; i++) {
      assertFails(() -> ta.as(reader.getSecret()).revokeToken(RevokeTokenRequest.newBuilder().setId(victim.getId()).build()),
          Code.PERMISSION_DENIED, "MISSING_SCOPE");
    }
    List<AuditEvent> denied = denials();
    assertThat(denied).as("the first at once; the rest wait for the minute to end").hasSize(1);

    ta.clock.advance(java.time.Duration.ofMinutes(1));
    assertThat(denials()).hasSize(2)
        .anySatisfy(e -> assertThat(e.getDetailsMap()).containsEntry("repeats", "49"));
  }

  @Test
  void secretPastedIntoScopes_comesBackAsItsHintOnly() {
    Token t = ta.orgToken("acme", "lenses:read");
    String secret = t.getSecret();

    StatusRuntimeException e = assertFails(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme")
            .setLabel("x").addScopes(secret)).build()), Code.INVALID_ARGUMENT, "MALFORMED_SCOPE");

    String everything = e.getStatus().getDescription() + RpcErrors.badRequest(e).toString();
    assertThat(everything).doesNotContain(secret).doesNotContain(secret.substring(12))
        .contains(secret.substring(0, 12) + "…");
  }

  @Test
  void secretInALabelOrReason_isRefused_andNeverStored() {
    Token t = ta.orgToken("acme", "lenses:read");
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme")
            .setLabel("my token is " + t.getSecret()).addScopes("lenses:read")).build()),
        "token.label", "SECRET_IN_FIELD");
    assertInvalid(() -> ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId())
        .setReason("leaked: " + t.getSecret()).build()), "reason", "SECRET_IN_FIELD");
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme")
            .setLabel("x").addScopes("lenses:read").putMetadata(t.getSecret(), "v")).build()),
        "token.metadata", "SECRET_IN_FIELD");
    assertInvalid(() -> ta.connectorsAs(ta.adminSecret()).createConnector(
        dev.tokenauthority.api.v1.CreateConnectorRequest.newBuilder().setConnector(dev.tokenauthority.api.v1.Connector
            .newBuilder().setOrganization("acme").setSlug("leaky").setName("uses " + t.getSecret())
            .addScopes("lenses:read")).build()), "connector.name", "SECRET_IN_FIELD");
  }

  @Test
  void invisibleAndBidiCharacters_areRefusedInSubjectsAndLabels() {
    for (String sneaky : List.of("ali\u200Bce", "\uFEFFalice", "alice\u202Eecila", "ali\u00A0ce", "ali\u2028ce")) {
      assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
          .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme")
              .setSubject(sneaky).setLabel("laptop").addScopes("lenses:read")).build()),
          "token.subject", "FIELD_INVALID");
      assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
          .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme")
              .setLabel("deploy " + sneaky).addScopes("lenses:read")).build()),
          "token.label", "FIELD_INVALID");
    }
    // Ordinary non-ASCII letters are fine.
    assertThat(ta.admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme")
            .setSubject("zoë@example.com").setLabel("Zoë's laptop").addScopes("lenses:read")).build())
        .getSubject()).isEqualTo("zoë@example.com");
  }

  private List<AuditEvent> denials() {
    return ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setAction(AuditAction.AUDIT_ACTION_PERMISSION_DENIED).setPageSize(100).build()).getEventsList();
  }
}
