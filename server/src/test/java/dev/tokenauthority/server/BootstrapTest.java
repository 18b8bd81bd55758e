package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.TokenKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapTest {
  @TempDir Path dir;

  @Test
  void firstStart_writesAnOwnerOnlyAdminToken() throws IOException {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      Path file = dir.resolve("bootstrap-token");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

      IntrospectTokenResponse self = ta.admin().introspectToken(
          IntrospectTokenRequest.newBuilder().setSecret(ta.adminSecret()).addRequiredScopes("tokens:write").build());

      assertThat(self.getAllowed()).isTrue();
      assertThat(self.getToken().getKind()).isEqualTo(TokenKind.TOKEN_KIND_SYSTEM);
      assertThat(self.getToken().getScopesList()).containsExactly("admin");
      assertThat(self.getToken().getExpireTime().getSeconds() - self.getToken().getCreateTime().getSeconds())
          .isEqualTo(365L * 86_400);
    }
  }

  @Test
  void laterStarts_issueNoSecondToken() throws IOException {
    String first;
    TestAuthority ta = TestAuthority.start(dir);
    first = ta.adminSecret();
    ta.close();
    Files.delete(dir.resolve("bootstrap-token"));

    try (TokenAuthority again = ta.openAgain()) {
      assertThat(again.bootstrap()).isEmpty();
    }
    assertThat(dir.resolve("bootstrap-token")).doesNotExist();
    assertThat(first).startsWith("tka_sys_");
  }
}
