package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretSyntax;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The token secret format: {@code tka_<kind>_<43 base62 random><6 base62 CRC32>}.
 *
 * <p>The fixed prefix lets secret scanners find leaked tokens; the kind marker tells a reader what
 * a token is; 32 random bytes make it unguessable; the checksum lets both sides reject typos and
 * junk without a database look-up.
 */
public final class SecretFormat {
  /** Every secret starts with this. */
  public static final String PREFIX = SecretSyntax.PREFIX;

  static final int RANDOM_BYTES = 32;
  static final int BODY_START = SecretSyntax.BODY_START;

  /** The length of every secret. */
  public static final int LENGTH = SecretSyntax.LENGTH;

  /** How many leading characters a hint shows: the prefix, kind and four random characters. */
  public static final int HINT_LENGTH = BODY_START + 4;

  private SecretFormat() {}

  /** A fresh secret for a token of {@code kind}. */
  public static Secret generate(TokenKind kind, SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String unchecked = PREFIX + kind.marker() + "_" + Base62.encode(bytes, SecretSyntax.RANDOM_CHARS);
    return new Secret(unchecked + SecretSyntax.checksum(unchecked));
  }

  /**
   * The kind a presented string claims, if it is well-formed and its checksum matches; empty for
   * anything else. Never throws on junk input.
   */
  public static Optional<TokenKind> parse(String presented) {
    return SecretSyntax.kindMarker(presented).flatMap(TokenKind::fromMarker);
  }

  /** The non-secret hint of a well-formed secret. */
  static String hint(String secret) {
    return secret.substring(0, Math.min(HINT_LENGTH, secret.length()));
  }
}
