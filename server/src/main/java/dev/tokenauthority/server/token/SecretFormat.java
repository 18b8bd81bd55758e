package dev.tokenauthority.server.token;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The token secret format: {@code tka_<kind>_<43 base62 random><6 base62 CRC32>}.
 *
 * <p>The fixed prefix lets secret scanners find leaked tokens; the kind marker tells a reader what
 * a token is; 32 random bytes make it unguessable; the checksum lets both sides reject typos and
 * junk without a database look-up.
 */
public final class SecretFormat {
  /** Every secret starts with this. */
  public static final String PREFIX = "tka_";

  static final int RANDOM_BYTES = 32;
  static final int RANDOM_CHARS = 43; // 62^43 > 2^256
  static final int CHECKSUM_CHARS = 6; // 62^6 > 2^32
  static final int MARKER_CHARS = 3;
  static final int BODY_START = PREFIX.length() + MARKER_CHARS + 1;

  /** The length of every secret. */
  public static final int LENGTH = BODY_START + RANDOM_CHARS + CHECKSUM_CHARS;

  /** How many leading characters a hint shows: the prefix, kind and four random characters. */
  public static final int HINT_LENGTH = BODY_START + 4;

  private SecretFormat() {}

  /** A fresh secret for a token of {@code kind}. */
  public static Secret generate(TokenKind kind, SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String unchecked = PREFIX + kind.marker() + "_" + Base62.encode(bytes, RANDOM_CHARS);
    return new Secret(unchecked + checksum(unchecked));
  }

  /**
   * The kind a presented string claims, if it is well-formed and its checksum matches; empty for
   * anything else. Never throws on junk input.
   */
  public static Optional<TokenKind> parse(String presented) {
    if (presented == null
        || presented.length() != LENGTH
        || !presented.startsWith(PREFIX)
        || presented.charAt(BODY_START - 1) != '_') {
      return Optional.empty();
    }
    for (int i = BODY_START; i < LENGTH; i++) {
      if (!Base62.isDigit(presented.charAt(i))) {
        return Optional.empty();
      }
    }
    Optional<TokenKind> kind =
        TokenKind.fromMarker(presented.subSequence(PREFIX.length(), BODY_START - 1));
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    int checksumStart = LENGTH - CHECKSUM_CHARS;
    String expected = checksum(presented.substring(0, checksumStart));
    return presented.regionMatches(checksumStart, expected, 0, CHECKSUM_CHARS)
        ? kind
        : Optional.empty();
  }

  /** The non-secret hint of a well-formed secret. */
  static String hint(String secret) {
    return secret.substring(0, Math.min(HINT_LENGTH, secret.length()));
  }

  private static String checksum(String unchecked) {
    CRC32 crc = new CRC32();
    crc.update(unchecked.getBytes(StandardCharsets.US_ASCII));
    return Base62.encode(crc.getValue(), CHECKSUM_CHARS);
  }
}
