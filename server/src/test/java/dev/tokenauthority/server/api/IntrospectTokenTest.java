package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.server.InProcessAuthorityTest;
import dev.tokenauthority.server.TestAuthority;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IntrospectTokenTest extends InProcessAuthorityTest {
  private String checker;

  @BeforeEach
  void makeChecker() {
    checker = ta.orgToken("acme", "tokens:introspect").getSecret();
  }

  @Test
  void activeToken_isDescribedAndAllowedWhenItsScopesCover() {
    Token t = ta.orgToken("acme", "lenses:write", "agents:read");

    IntrospectTokenResponse answer = introspect(t.getSecret(), "lenses:read", "agents:read");

    assertThat(answer.getActive()).isTrue();
    assertThat(answer.getAllowed()).isTrue();
    assertThat(answer.getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_UNSPECIFIED);
    assertThat(answer.getMissingScopesList()).isEmpty();
    assertThat(answer.getToken().getId()).isEqualTo(t.getId());
    assertThat(answer.getToken().getOrganization()).isEqualTo("acme");
    assertThat(answer.getToken().getScopesList()).containsExactly("agents:read", "lenses:write");
    assertThat(answer.getToken().getExpireTime()).isEqualTo(t.getExpireTime());
    assertThat(answer.getToken().getSecret()).isEmpty();
  }

  @Test
  void activeToken_lackingAScope_isActiveButNotAllowed() {
    Token t = ta.orgToken("acme", "lenses:read");

    IntrospectTokenResponse answer = introspect(t.getSecret(), "lenses:read", "lenses:write", "agents:read");

    assertThat(answer.getActive()).isTrue();
    assertThat(answer.getAllowed()).isFalse();
    assertThat(answer.getMissingScopesList()).containsExactly("lenses:write", "agents:read");
  }

  @Test
  void malformedAndUnknownSecrets_areInactiveWithACoarseReason() {
    Token t = ta.orgToken("acme", "lenses:read");
    String typo = t.getSecret().substring(0, 20) + (t.getSecret().charAt(20) == 'x' ? 'y' : 'x') + t.getSecret().substring(21);

    assertThat(introspect(typo).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_MALFORMED);
    assertThat(introspect("hello").getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_MALFORMED);
    String unknown = ta.orgToken("acme", "lenses:read").getSecret();
    ta.restart(); // same data: still known
    assertThat(introspect(unknown).getActive()).isTrue();
    IntrospectTokenResponse fresh = new TestAuthorityElsewhere(dir.resolve("other")).introspectOnce(unknown);
    assertThat(fresh.getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_UNKNOWN);
    assertThat(fresh.hasToken()).isFalse();
  }

  @Test
  void badRequests_areInvalidArguments() {
    assertInvalid(() -> introspect(""), "secret", "FIELD_REQUIRED");
    Token t = ta.orgToken("acme", "lenses:read");
    assertInvalid(() -> introspect(t.getSecret(), "lenses:fly"), "required_scopes", "UNKNOWN_SCOPE");
    assertInvalid(() -> introspect(t.getSecret(), "lenses"), "required_scopes", "MALFORMED_SCOPE");
  }

  @Test
  void introspection_recordsLastUseWriteBehind_notOnTheRequestPath() throws SQLException {
    Token t = ta.orgToken("acme", "lenses:read");

    introspect(t.getSecret());

    assertThat(storedLastUse(t.getId())).as("nothing written on the request path").isNull();
    Token seen = ta.admin().getToken(GetTokenRequest.newBuilder().setId(t.getId()).build());
    assertThat(seen.hasLastUseTime()).as("pending use is visible at once").isTrue();
    ta.restart(); // closing flushes pending uses
    assertThat(storedLastUse(t.getId())).isEqualTo(ta.clock.instant().toEpochMilli());
    assertThat(ta.admin().getToken(GetTokenRequest.newBuilder().setId(t.getId()).build()).getLastUseTime())
        .isEqualTo(seen.getLastUseTime());
  }

  @Test
  void callersOwnUse_isRecordedToo() {
    Token reader = ta.orgToken("acme", "tokens:read");
    assertThat(reader.hasLastUseTime()).isFalse();

    Token self = ta.as(reader.getSecret()).getToken(GetTokenRequest.newBuilder().setId(reader.getId()).build());

    assertThat(self.hasLastUseTime()).isTrue();
  }

  private Long storedLastUse(String id) throws SQLException {
    try (Connection c = ta.connectDatabase();
         PreparedStatement s = c.prepareStatement("SELECT last_use_time FROM token WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        long v = rs.getLong(1);
        return rs.wasNull() ? null : v;
      }
    }
  }

  private IntrospectTokenResponse introspect(String secret, String... required) {
    return ta.as(checker).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret)
        .addAllRequiredScopes(List.of(required)).build());
  }

  /** A second, unrelated authority: a well-formed secret from the first is unknown there. */
  private record TestAuthorityElsewhere(Path dataDir) {
    IntrospectTokenResponse introspectOnce(String secret) {
      try (TestAuthority other = TestAuthority.start(dataDir)) {
        return other.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build());
      }
    }
  }
}
