package dev.tokenauthority.cli.auth;

import com.google.protobuf.Timestamp;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.config.StateFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The session {@code ta auth login} stored ({@code session.properties}, 0600): the only file
 * besides {@code --secret-file} that holds secrets. Bound to the server it came from.
 */
public record StoredSession(String server, String id, String subject, String organization, String role,
    String accessTokenId, String accessToken, Instant accessExpire, String refreshToken,
    Instant refreshExpire) {

  static Path file(Terminal t) {
    return t.configDir().resolve("session.properties");
  }

  static StoredSession of(String server, Session s) {
    return new StoredSession(server, s.getId(), s.getSubject(), s.getOrganization(),
        s.getRole().name().replace("SESSION_ROLE_", "").toLowerCase(), s.getAccessTokenId(),
        s.getAccessToken(), instant(s.getAccessExpireTime()), s.getRefreshToken(),
        instant(s.getRefreshExpireTime()));
  }

  /** The stored session, if there is one. */
  public static Optional<StoredSession> load(Terminal t) throws IOException {
    Map<String, String> e = StateFile.read(file(t));
    if (e.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new StoredSession(required(e, "server"), e.get("id"), e.get("subject"),
          e.getOrDefault("organization", ""), e.get("role"), e.get("access_token_id"),
          required(e, "access_token"), Instant.ofEpochSecond(Long.parseLong(required(e, "access_expire"))),
          required(e, "refresh_token"), Instant.ofEpochSecond(Long.parseLong(required(e, "refresh_expire")))));
    } catch (IllegalArgumentException damaged) {
      throw new CliException(ExitCode.UNAUTHENTICATED, "the stored session in " + file(t)
          + " is damaged: delete it and sign in again with `ta auth login`");
    }
  }

  private static String required(Map<String, String> e, String key) {
    String value = e.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key);
    }
    return value;
  }

  void save(Terminal t) throws IOException {
    Map<String, String> e = new HashMap<>();
    e.put("server", server);
    e.put("id", id);
    e.put("subject", subject);
    e.put("organization", organization);
    e.put("role", role);
    e.put("access_token_id", accessTokenId);
    e.put("access_token", accessToken);
    e.put("access_expire", Long.toString(accessExpire.getEpochSecond()));
    e.put("refresh_token", refreshToken);
    e.put("refresh_expire", Long.toString(refreshExpire.getEpochSecond()));
    StateFile.write(file(t), e);
  }

  static void delete(Terminal t) throws IOException {
    StateFile.delete(file(t));
  }

  private static Instant instant(Timestamp ts) {
    return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
  }

  @Override
  public String toString() {
    return "StoredSession[" + id + " of " + subject + " at " + server + ", secrets redacted]";
  }
}
