package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretFormat;
import java.security.SecureRandom;

/**
 * A plaintext token secret. It exists only between issuing and the one response that shows it.
 *
 * <p>{@link #toString()} shows the hint only, so that logging a value holding a secret cannot
 * leak it; {@link #reveal()} is the one deliberate way out.
 */
public final class Secret {
  private final String value;

  Secret(String value) {
    this.value = value;
  }

  /** A fresh secret for a token of {@code kind}. */
  public static Secret generate(TokenKind kind, SecureRandom random) {
    return new Secret(SecretFormat.generate(kind.marker(), random));
  }

  /** A fresh secret of another sort (refresh tokens, device codes), marked {@code marker}. */
  public static Secret generate(String marker, SecureRandom random) {
    return new Secret(SecretFormat.generate(marker, random));
  }

  /** The plaintext, for the one response that shows it to its owner. */
  public String reveal() {
    return value;
  }

  /** The non-secret first characters shown in listings. */
  public String hint() {
    return SecretFormat.hint(value);
  }

  /** SHA-256 of the secret: the only form the authority stores. */
  public byte[] sha256() {
    return sha256(value);
  }

  /** SHA-256 of a presented string's UTF-8 bytes. */
  public static byte[] sha256(String presented) {
    return SecretFormat.sha256(presented);
  }

  @Override
  public String toString() {
    return "Secret[" + hint() + "…]";
  }
}
