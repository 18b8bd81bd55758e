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
  void everyDocumentedKey_setsItsOwnSetting() throws IOException {
    Path file = write("""
        last-use.flush-interval = 7s
        introspection.max-cache = 0s
        token-cache.size = 3000000000
        revocation-feed.heartbeat = 2s
        revocation-feed.retention = 3d
        revocation-feed.max-streams-per-token = 7
        revocation-feed.max-stall = 9s
        list.max-concurrent-per-token = 2
        personal-tokens.max-active = 1
        audit.retention = 400d
        leak-reports.per-minute = 5
        """);
    AuthorityConfig c = AuthorityConfig.load(file);
    assertThat(c).usingRecursiveComparison().isEqualTo(AuthorityConfig.defaults().toBuilder()
        .lastUseFlushInterval(Duration.ofSeconds(7))
        .maxCache(Duration.ZERO)
        .tokenCacheSize(3_000_000_000L)
        .feedHeartbeat(Duration.ofSeconds(2))
        .feedRetention(Duration.ofDays(3))
        .feedStreamsPerToken(7)
        .feedMaxStall(Duration.ofSeconds(9))
        .listCallsPerToken(2)
        .personalTokenLimit(1)
        .auditRetention(Duration.ofDays(400))
        .leakReportsPerMinute(5)
        .build());
  }

  @Test
  void numbersAndDurationsOutOfRange_areRefusedWithTheKey() throws IOException {
    assertRefused("list.max-concurrent-per-token = 0\n", "list.max-concurrent-per-token must be at least 1");
    assertRefused("revocation-feed.max-streams-per-token = 2147483648\n", "must be at most 2147483647");
    assertRefused("personal-tokens.max-active = -1\n", "personal-tokens.max-active must be at least 0");
    assertRefused("token-cache.size = lots\n", "token-cache.size must be a whole number");
    assertRefused("revocation-feed.max-stall = 0s\n", "revocation-feed.max-stall must be positive");
    assertRefused("introspection.max-cache = -PT1S\n", "introspection.max-cache must not be negative");
  }

  private void assertRefused(String content, String message) throws IOException {
    Path file = write(content);
    assertThatThrownBy(() -> AuthorityConfig.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
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
