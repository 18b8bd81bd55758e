package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class AuthorizationTest extends InProcessAuthorityTest {

  @Test
  void noCredentials_isUnauthenticated() {
    assertFails(() -> ta.anonymous().getToken(get("tok_0000000000000000000000")),
        Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
  }

  @Test
  void badCredentials_areUnauthenticated() {
    assertFails(() -> ta.as("tka_org_not-a-token").listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
    String revoked = ta.orgToken("acme", "tokens:read").getSecret();
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(idOf(revoked)).build());
    assertFails(() -> ta.as(revoked).listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "CREDENTIALS_REVOKED");
    var basic = TokenServiceGrpc.newBlockingStub(ta.channel()).withCallCredentials(header("Basic dXNlcjpwYXNz"));
    assertFails(() -> basic.listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
  }

  @Test
  void expiredCaller_isUnauthenticated() {
    String secret = ta.orgToken("acme", "tokens:read").getSecret();
    ta.clock.advance(java.time.Duration.ofDays(91));
    assertFails(() -> ta.as(secret).listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "CREDENTIALS_EXPIRED");
  }

  @Test
  void bearerScheme_isCaseInsensitive() {
    String secret = ta.orgToken("acme", "tokens:read").getSecret();
    var lower = TokenServiceGrpc.newBlockingStub(ta.channel()).withCallCredentials(header("bearer " + secret));
    assertThat(lower.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList()).isNotEmpty();
  }

  @Test
  void readScope_readsButCannotWrite() {
    Token reader = ta.orgToken("acme", "tokens:read");
    Token target = ta.orgToken("acme", "lenses:read");

    assertThat(ta.as(reader.getSecret()).getToken(get(target.getId())).getId()).isEqualTo(target.getId());
    assertFails(() -> ta.as(reader.getSecret()).createToken(orgRequest("acme", "lenses:read")),
        Status.Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.as(reader.getSecret()).revokeToken(RevokeTokenRequest.newBuilder().setId(target.getId()).build()),
        Status.Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertFails(() -> ta.as(reader.getSecret()).rotateToken(RotateTokenRequest.newBuilder().setId(target.getId()).build()),
        Status.Code.PERMISSION_DENIED, "MISSING_SCOPE");
  }

  @Test
  void writeScope_impliesRead() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");
    assertThat(ta.as(manager.getSecret()).getToken(get(manager.getId())).getId()).isEqualTo(manager.getId());
  }

  @Test
  void otherOrganisationsTokens_areNotFound_notForbidden() {
    Token manager = ta.orgToken("acme", "tokens:write");
    Token foreign = ta.orgToken("globex", "lenses:read");

    var e = assertFails(() -> ta.as(manager.getSecret()).getToken(get(foreign.getId())),
        Status.Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    var missing = assertFails(() -> ta.as(manager.getSecret()).getToken(get("tok_0000000000000000000000")),
        Status.Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertThat(e.getStatus().getDescription()).isEqualTo(
        missing.getStatus().getDescription().replace("tok_0000000000000000000000", foreign.getId()));
    assertFails(() -> ta.as(manager.getSecret()).revokeToken(RevokeTokenRequest.newBuilder().setId(foreign.getId()).build()),
        Status.Code.NOT_FOUND, "TOKEN_NOT_FOUND");
    assertFails(() -> ta.as(manager.getSecret()).rotateToken(RotateTokenRequest.newBuilder().setId(foreign.getId()).build()),
        Status.Code.NOT_FOUND, "TOKEN_NOT_FOUND");
  }

  @Test
  void managers_createOnlyInTheirOwnOrganisation() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");

    Token mine = ta.as(manager.getSecret()).createToken(orgRequest("acme", "lenses:read"));
    assertThat(mine.getCreator()).isEqualTo(manager.getId());
    assertFails(() -> ta.as(manager.getSecret()).createToken(orgRequest("globex", "lenses:read")),
        Status.Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
  }

  @Test
  void aTokenCannotGrantScopesItDoesNotHold() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");

    var e = assertFails(() -> ta.as(manager.getSecret()).createToken(orgRequest("acme", "lenses:write")),
        Status.Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    assertThat(e.getStatus().getDescription()).contains("lenses:write");
    assertFails(() -> ta.as(manager.getSecret()).createToken(orgRequest("acme", "admin")),
        Status.Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    Token target = ta.as(manager.getSecret()).createToken(orgRequest("acme", "lenses:read"));
    assertFails(() -> ta.as(manager.getSecret()).rotateToken(RotateTokenRequest.newBuilder()
            .setId(target.getId()).addScopes("agents:read").build()),
        Status.Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
  }

  @Test
  void onlyAdminsCreateSystemTokens() {
    Token manager = ta.orgToken("acme", "tokens:write", "lenses:read");
    CreateTokenRequest system = CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_SYSTEM).setOrganization("acme").setLabel("svc").addScopes("lenses:read")).build();

    assertFails(() -> ta.as(manager.getSecret()).createToken(system), Status.Code.PERMISSION_DENIED, "ADMIN_REQUIRED");
    assertThat(ta.admin().createToken(system).getKind()).isEqualTo(TokenKind.TOKEN_KIND_SYSTEM);
  }

  @Test
  void tokensWithoutOrganisation_manageNothingUnlessAdmin() {
    Token loner = ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).setSubject("bob").setLabel("b").addScopes("tokens:write")).build());

    assertFails(() -> ta.as(loner.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertFails(() -> ta.as(loner.getSecret()).getToken(get(loner.getId())),
        Status.Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
  }

  @Test
  void introspection_needsTheIntrospectScope() {
    Token plain = ta.orgToken("acme", "tokens:write");
    Token checker = ta.orgToken("acme", "tokens:introspect");
    IntrospectTokenRequest req = IntrospectTokenRequest.newBuilder().setSecret(plain.getSecret()).build();

    assertFails(() -> ta.as(plain.getSecret()).introspectToken(req), Status.Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertThat(ta.as(checker.getSecret()).introspectToken(req).getActive()).isTrue();
    assertThat(ta.admin().introspectToken(req).getActive()).isTrue();
  }

  @Test
  void lists_areConfinedToTheCallersOrganisation() {
    Token reader = ta.orgToken("acme", "tokens:read");
    ta.orgToken("globex", "lenses:read");

    var mine = ta.as(reader.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()).getTokensList();
    assertThat(mine).isNotEmpty().allSatisfy(t -> assertThat(t.getOrganization()).isEqualTo("acme"));
    assertFails(() -> ta.as(reader.getSecret()).listTokens(ListTokensRequest.newBuilder().setOrganization("globex").build()),
        Status.Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertThat(ta.admin().listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(Token::getOrganization).contains("acme", "globex", "");
  }

  private String idOf(String secret) {
    return ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getToken().getId();
  }

  private static GetTokenRequest get(String id) {
    return GetTokenRequest.newBuilder().setId(id).build();
  }

  private static CreateTokenRequest orgRequest(String org, String scope) {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
        .setOrganization(org).setLabel("made by a manager").addScopes(scope))
        .setTtl(Duration.newBuilder().setSeconds(30L * 86_400)).build();
  }

  private static CallCredentials header(String value) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
        applier.apply(m);
      }
    };
  }
}
