package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DebugFormat;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.Token;
import org.junit.jupiter.api.Test;

/** Fields that carry plaintext secrets are marked debug_redact, so debug output hides them. */
class SecretRedactionTest {
  private static final String SECRET = "tka_org_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG123456";

  @Test
  void tokenSecret_isRedactedInDebugOutput() {
    Token t = Token.newBuilder().setId("tok_1").setSecret(SECRET).build();
    assertThat(DebugFormat.singleLine().toString(t)).contains("tok_1").contains("[REDACTED]").doesNotContain(SECRET);
  }

  @Test
  void introspectedSecret_isRedactedInDebugOutput() {
    IntrospectTokenRequest r = IntrospectTokenRequest.newBuilder().setSecret(SECRET).addRequiredScopes("lenses:read").build();
    assertThat(DebugFormat.singleLine().toString(r)).contains("lenses:read").doesNotContain(SECRET);
  }
}
