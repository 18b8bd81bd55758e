package dev.tokenauthority.api;

import java.util.Optional;

/** Reads {@code authorization: Bearer <secret>}; the scheme is case-insensitive (RFC 6750). */
public final class BearerHeader {
  private static final String BEARER = "bearer ";

  private BearerHeader() {}

  /** The secret in an authorization header value; empty if absent or not a bearer token. */
  public static Optional<String> secret(String header) {
    if (header == null
        || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String secret = header.substring(BEARER.length()).trim();
    return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
  }
}
