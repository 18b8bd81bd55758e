package dev.tokenauthority.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.token.TokenKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorityConfigTest {
  @TempDir Path dir;

  @Test
  void defaults_matchTheProductsLifetimes() {
    AuthorityConfig c = AuthorityConfig.defaults();
    assertThat(c.lifetimes().of(TokenKind.PERSONAL).max()).isEqualTo(Duration.ofDays(90));
    assertThat(c.lifetimes().of(TokenKind.ORGANIZATION).min()).isEqualTo(Duration.ofDays(30));
    assertThat(c.lifetimes().of(TokenKind.SERVICE).defaultTtl()).isEqualTo(Duration.ofDays(90));
    assertThat(c.lifetimes().of(TokenKind.SYSTEM).max()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void file_overridesScopesAndLifetimes() throws IOException {
    Path file = write("""
        scopes = billing:read, billing:write tokens:write tokens:read
        lifetime.personal.max = 7d
        lifetime.personal.default = PT48H
        last-use.flush-interval = 250ms
        """);

    AuthorityConfig c = AuthorityConfig.load(file);

    assertThat(c.scopes().scopes()).containsExactly(
        "admin", "billing:read", "billing:write", "tokens:read", "tokens:write");
    assertThat(c.lifetimes().of(TokenKind.PERSONAL).max()).isEqualTo(Duration.ofDays(7));
    assertThat(c.lifetimes().of(TokenKind.PERSONAL).defaultTtl()).isEqualTo(Duration.ofDays(2));
    assertThat(c.lifetimes().of(TokenKind.ORGANIZATION).max()).isEqualTo(Duration.ofDays(365));
    assertThat(c.lastUseFlushInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void unknownKey_isRefusedByName() throws IOException {
    Path file = write("lifetime.personel.max = 7d\n");
    assertThatThrownBy(() -> AuthorityConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lifetime.personel.max")
        .hasMessageContaining(file.toString());
  }

  @Test
  void inconsistentBounds_areRefused() throws IOException {
    Path file = write("lifetime.organization.max = 10d\n");
    assertThatThrownBy(() -> AuthorityConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lifetime.organization");
  }

  @Test
  void badDuration_isRefusedWithTheKey() throws IOException {
    Path file = write("lifetime.system.default = ninety days\n");
    assertThatThrownBy(() -> AuthorityConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lifetime.system.default");
  }

  @Test
  void malformedScope_isRefused() throws IOException {
    Path file = write("scopes = lenses\n");
    assertThatThrownBy(() -> AuthorityConfig.load(file)).hasMessageContaining("'lenses'");
  }

  @Test
  void missingFile_isAClearError() {
    assertThatThrownBy(() -> AuthorityConfig.load(dir.resolve("nope.properties")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read config file");
  }

  private Path write(String text) throws IOException {
    Path file = dir.resolve("authority.properties");
    Files.writeString(file, text);
    return file;
  }
}
