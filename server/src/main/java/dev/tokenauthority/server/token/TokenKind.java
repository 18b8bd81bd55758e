package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretFormat;
import java.util.Arrays;
import java.util.Optional;

/** Whose credential a token is; the marker is the secret's second segment ({@code tka_org_...}). */
public enum TokenKind {
  PERSONAL("pat"),
  ORGANIZATION("org"),
  SERVICE("svc"),
  SYSTEM("sys"),
  /** A signed-in person's access token, issued by SignIn and renewed by RefreshSession. */
  SESSION("ses");

  private final String marker;

  TokenKind(String marker) {
    this.marker = marker;
  }

  /** Whether a token of this kind acts as one person (their own token, or their session). */
  public boolean isPersons() {
    return this == PERSONAL || this == SESSION;
  }

  /** The three-letter marker in secrets of this kind. */
  public String marker() {
    return marker;
  }

  /**
   * The kind a presented secret claims, if it is well-formed and its checksum matches; empty for
   * anything else. Never throws on junk input.
   */
  public static Optional<TokenKind> ofSecret(String presented) {
    return SecretFormat.kindMarker(presented).flatMap(TokenKind::fromMarker);
  }

  /** The kind whose secrets carry {@code marker}, if any. */
  public static Optional<TokenKind> fromMarker(CharSequence marker) {
    return Arrays.stream(values()).filter(k -> k.marker.contentEquals(marker)).findFirst();
  }
}
