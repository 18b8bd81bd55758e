package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CreateTokenTest extends InProcessAuthorityTest {
  private static final long DAY = 86_400;

  @Test
  void organizationToken_isIssuedWithItsSecretOnce() {
    Token created = ta.admin().createToken(request(org().addScopes("lenses:read").addScopes("lenses:read")
        .addScopes("agents:write").putMetadata("team", "platform"), 30 * DAY));

    assertThat(created.getId()).matches("tok_[0-9A-Za-z]{22}");
    assertThat(created.getSecret()).startsWith("tka_org_").hasSize(57);
    assertThat(created.getSecretHint()).isEqualTo(created.getSecret().substring(0, 12));
    assertThat(created.getScopesList()).containsExactly("agents:write", "lenses:read");
    assertThat(created.getState()).isEqualTo(TokenState.TOKEN_STATE_ACTIVE);
    assertThat(created.getOrganization()).isEqualTo("acme");
    assertThat(created.getMetadataMap()).containsEntry("team", "platform");
    assertThat(created.getCreator()).isNotEmpty();
    assertThat(created.getExpireTime().getSeconds() - created.getCreateTime().getSeconds())
        .isEqualTo(30 * DAY);
    assertThat(created.hasLastUseTime()).isFalse();
    assertThat(created.hasRevokeTime()).isFalse();

    Token fetched = ta.admin().getToken(GetTokenRequest.newBuilder().setId(created.getId()).build());
    assertThat(fetched.getSecret()).isEmpty();
    assertThat(fetched).isEqualTo(created.toBuilder().clearSecret().build());
  }

  @Test
  void personalToken_needsASubject_andGetsTheDefaultLifetime() {
    Token created = ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).setSubject("alice@example.com").setLabel("laptop")
        .addScopes("lenses:read")).build());

    assertThat(created.getSecret()).startsWith("tka_pat_");
    assertThat(created.getExpireTime().getSeconds() - created.getCreateTime().getSeconds())
        .isEqualTo(30 * DAY);
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).setLabel("laptop").addScopes("lenses:read")).build()),
        "token.subject", "FIELD_REQUIRED");
  }

  @Test
  void systemToken_carriesItsOwnGroups() {
    Token created = ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_SYSTEM).setLabel("billing exporter").addScopes("lenses:read")
        .addGroups("sre").addGroups("billing").addGroups("sre")).build());

    assertThat(created.getSecret()).startsWith("tka_sys_");
    assertThat(created.getGroupsList()).containsExactly("billing", "sre");
  }

  @Test
  void serviceTokens_areNotIssuedByCreateToken() {
    assertInvalid(() -> ta.admin().createToken(request(org().setKind(TokenKind.TOKEN_KIND_SERVICE)
        .addScopes("lenses:read"), 90 * DAY)), "token.kind", "SERVICE_TOKEN_NEEDS_CONNECTOR");
  }

  @Test
  void missingTokenOrKind_isInvalid() {
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.getDefaultInstance()), "token", "FIELD_REQUIRED");
    assertInvalid(() -> ta.admin().createToken(request(org().setKind(TokenKind.TOKEN_KIND_UNSPECIFIED)
        .addScopes("lenses:read"), 30 * DAY)), "token.kind", "FIELD_REQUIRED");
  }

  @ParameterizedTest(name = "{0} ttl {1}s -> {2}")
  @CsvSource({
      "TOKEN_KIND_PERSONAL, 86399, below",
      "TOKEN_KIND_PERSONAL, 86400, ok",
      "TOKEN_KIND_PERSONAL, 7776000, ok",
      "TOKEN_KIND_PERSONAL, 7776001, above",
      "TOKEN_KIND_ORGANIZATION, 2591999, below",
      "TOKEN_KIND_ORGANIZATION, 2592000, ok",
      "TOKEN_KIND_ORGANIZATION, 31536000, ok",
      "TOKEN_KIND_ORGANIZATION, 31536001, above",
      "TOKEN_KIND_SYSTEM, 3599, below",
      "TOKEN_KIND_SYSTEM, 31536000, ok",
      "TOKEN_KIND_SYSTEM, 31536001, above",
  })
  void ttl_outsideTheKindsBounds_isRefusedNotClamped(TokenKind kind, long seconds, String expect) {
    Token.Builder token = Token.newBuilder().setKind(kind).setOrganization("acme")
        .setSubject("alice").setLabel("ttl").addScopes("lenses:read");
    CreateTokenRequest req = CreateTokenRequest.newBuilder().setToken(token)
        .setTtl(Duration.newBuilder().setSeconds(seconds)).build();
    if (expect.equals("ok")) {
      Token t = ta.admin().createToken(req);
      assertThat(t.getExpireTime().getSeconds() - t.getCreateTime().getSeconds()).isEqualTo(seconds);
    } else {
      var violations = assertInvalid(() -> ta.admin().createToken(req), "ttl", "TTL_OUT_OF_BOUNDS");
      assertThat(violations.get(0).getDescription()).contains(expect.equals("below") ? "minimum" : "maximum");
    }
  }

  @Test
  void malformedTtl_isInvalid() {
    CreateTokenRequest req = request(org().addScopes("lenses:read"), 0).toBuilder()
        .setTtl(Duration.newBuilder().setSeconds(30 * DAY).setNanos(-5)).build();
    assertInvalid(() -> ta.admin().createToken(req), "ttl", "FIELD_INVALID");
  }

  @Test
  void unknownAndMalformedScopes_areNamed() {
    var violations = assertInvalid(() -> ta.admin().createToken(request(org()
        .addScopes("lenses:delete").addScopes("LENSES"), 30 * DAY)), "token.scopes", "UNKNOWN_SCOPE");
    assertThat(violations).anySatisfy(v -> {
      assertThat(v.getReason()).isEqualTo("MALFORMED_SCOPE");
      assertThat(v.getDescription()).contains("LENSES");
    });
    assertThat(violations.get(0).getDescription()).contains("lenses:delete");
    assertInvalid(() -> ta.admin().createToken(request(org(), 30 * DAY)), "token.scopes", "FIELD_REQUIRED");
  }

  @Test
  void organization_mustBeASlugOfAtMost63() {
    String ok63 = "a" + "-".repeat(61) + "z";
    assertThat(ta.admin().createToken(request(org().setOrganization(ok63).addScopes("lenses:read"), 30 * DAY))
        .getOrganization()).isEqualTo(ok63);
    for (String bad : new String[] {ok63 + "z", "Acme", "-acme", "ac me", "acmé"}) {
      assertInvalid(() -> ta.admin().createToken(request(org().setOrganization(bad).addScopes("lenses:read"), 30 * DAY)),
          "token.organization", "FIELD_INVALID");
    }
    assertInvalid(() -> ta.admin().createToken(request(org().setOrganization("").addScopes("lenses:read"), 30 * DAY)),
        "token.organization", "FIELD_REQUIRED");
  }

  @Test
  void label_isRequiredPrintableAndAtMost200() {
    assertThat(ta.admin().createToken(request(org().setLabel("é".repeat(200)).addScopes("lenses:read"), 30 * DAY))
        .getLabel()).hasSize(200);
    assertInvalid(() -> ta.admin().createToken(request(org().setLabel("x".repeat(201)).addScopes("lenses:read"), 30 * DAY)),
        "token.label", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().createToken(request(org().setLabel("bell\u0007").addScopes("lenses:read"), 30 * DAY)),
        "token.label", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().createToken(request(org().setLabel("  ").addScopes("lenses:read"), 30 * DAY)),
        "token.label", "FIELD_REQUIRED");
  }

  @Test
  void subject_isPrintableWithoutSpacesAndAtMost200() {
    assertThat(ta.admin().createToken(request(org().setSubject("s".repeat(200)).addScopes("lenses:read"), 30 * DAY))
        .getSubject()).hasSize(200);
    assertInvalid(() -> ta.admin().createToken(request(org().setSubject("s".repeat(201)).addScopes("lenses:read"), 30 * DAY)),
        "token.subject", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().createToken(request(org().setSubject("alice smith").addScopes("lenses:read"), 30 * DAY)),
        "token.subject", "FIELD_INVALID");
  }

  @Test
  void scopes_areBoundedTo64Entries() {
    Token.Builder sixtyFour = org();
    for (int i = 0; i < 64; i++) {
      sixtyFour.addScopes("lenses:read");
    }
    assertThat(ta.admin().createToken(request(sixtyFour, 30 * DAY)).getScopesList()).containsExactly("lenses:read");
    assertInvalid(() -> ta.admin().createToken(request(sixtyFour.clone().addScopes("lenses:read"), 30 * DAY)),
        "token.scopes", "TOO_MANY_SCOPES");
  }

  @Test
  void metadata_isBoundedTo16KeysOf256Bytes() {
    Map<String, String> sixteen = new HashMap<>();
    for (int i = 0; i < 16; i++) {
      sixteen.put("k" + i, "v".repeat(256));
    }
    assertThat(ta.admin().createToken(request(org().putAllMetadata(sixteen).addScopes("lenses:read"), 30 * DAY))
        .getMetadataMap()).hasSize(16);

    Map<String, String> seventeen = new HashMap<>(sixteen);
    seventeen.put("k16", "v");
    assertInvalid(() -> ta.admin().createToken(request(org().putAllMetadata(seventeen).addScopes("lenses:read"), 30 * DAY)),
        "token.metadata", "TOO_MANY_METADATA_KEYS");
    assertInvalid(() -> ta.admin().createToken(request(org().putMetadata("k", "v".repeat(257)).addScopes("lenses:read"), 30 * DAY)),
        "token.metadata", "METADATA_VALUE_TOO_LONG");
    assertInvalid(() -> ta.admin().createToken(request(org().putMetadata("bad key", "v").addScopes("lenses:read"), 30 * DAY)),
        "token.metadata", "FIELD_INVALID");
  }

  @Test
  void metadata_roundTripsAnyCharacters() {
    Token t = ta.admin().createToken(request(org().putMetadata("note", "a=b&c=d %ü").addScopes("lenses:read"), 30 * DAY));
    Token fetched = ta.admin().getToken(GetTokenRequest.newBuilder().setId(t.getId()).build());
    assertThat(fetched.getMetadataMap()).containsEntry("note", "a=b&c=d %ü");
  }

  @Test
  void groups_areBoundedTo32() {
    Token.Builder thirtyTwo = Token.newBuilder().setKind(TokenKind.TOKEN_KIND_SYSTEM).setLabel("g").addScopes("lenses:read");
    for (int i = 0; i < 32; i++) {
      thirtyTwo.addGroups("g" + i);
    }
    assertThat(ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(thirtyTwo).build()).getGroupsCount()).isEqualTo(32);
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(thirtyTwo.clone().addGroups("g32")).build()),
        "token.groups", "TOO_MANY_GROUPS");
    assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(
        Token.newBuilder().setKind(TokenKind.TOKEN_KIND_SYSTEM).setLabel("g").addScopes("lenses:read").addGroups("Not OK")).build()),
        "token.groups", "FIELD_INVALID");
  }

  @Test
  void everyBadFieldIsReportedAtOnce() {
    var violations = assertInvalid(() -> ta.admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).addScopes("nope:nope")).build()),
        "token.organization", "FIELD_REQUIRED");
    assertThat(violations).extracting(v -> v.getField())
        .contains("token.organization", "token.label", "token.scopes");
  }

  @Test
  void errorsNeverEchoASecret() {
    Token t = ta.admin().createToken(request(org().addScopes("lenses:read"), 30 * DAY));
    var e = assertFails(() -> ta.as(t.getSecret()).createToken(request(org().addScopes("lenses:read"), 30 * DAY)),
        Status.Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertThat(e.getStatus().getDescription()).doesNotContain(t.getSecret());
  }

  private static Token.Builder org() {
    return Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("ci");
  }

  private static CreateTokenRequest request(Token.Builder token, long ttlSeconds) {
    CreateTokenRequest.Builder b = CreateTokenRequest.newBuilder().setToken(token);
    if (ttlSeconds > 0) {
      b.setTtl(Duration.newBuilder().setSeconds(ttlSeconds));
    }
    return b.build();
  }
}
