package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretSyntax;
import java.math.BigInteger;

/** Fixed-width base62 ({@code 0-9A-Za-z}): URL-safe, no padding, one double-click selects it. */
final class Base62 {
  static final String ALPHABET = SecretSyntax.BASE62;
  private static final BigInteger BASE = BigInteger.valueOf(62);

  private Base62() {}

  /** Encodes {@code bytes} as an unsigned number in exactly {@code width} digits. */
  static String encode(byte[] bytes, int width) {
    BigInteger n = new BigInteger(1, bytes);
    char[] out = new char[width];
    for (int i = width - 1; i >= 0; i--) {
      BigInteger[] qr = n.divideAndRemainder(BASE);
      out[i] = ALPHABET.charAt(qr[1].intValue());
      n = qr[0];
    }
    if (n.signum() != 0) {
      throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
    }
    return new String(out);
  }
}
