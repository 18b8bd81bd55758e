package dev.tokenauthority.server.token;

import java.util.Arrays;
import java.util.Optional;

/** Whose credential a token is; the marker is the secret's second segment ({@code tka_org_...}). */
public enum TokenKind {
  PERSONAL("pat"),
  ORGANIZATION("org"),
  SERVICE("svc"),
  SYSTEM("sys");

  private final String marker;

  TokenKind(String marker) {
    this.marker = marker;
  }

  /** The three-letter marker in secrets of this kind. */
  public String marker() {
    return marker;
  }

  /** The kind whose secrets carry {@code marker}, if any. */
  public static Optional<TokenKind> fromMarker(CharSequence marker) {
    return Arrays.stream(values()).filter(k -> k.marker.contentEquals(marker)).findFirst();
  }
}
