package dev.tokenauthority.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The token secret format, its one home: {@code tka_<kind>_<43 base62 random><6 base62 CRC32>},
 * 57 characters. The server generates and stores secrets with it, the caching client and the
 * benchmark check and hash them with it.
 *
 * <p>The fixed prefix lets secret scanners find leaked tokens; the kind marker tells a reader what
 * a token is; 32 random bytes make it unguessable; the checksum lets both sides reject typos and
 * junk without a look-up. Everything is keyed by the secret's SHA-256, never the plaintext.
 */
public final class SecretFormat {
  /** Every secret starts with this. */
  public static final String PREFIX = "tka_";
  /** Base62 digits, in value order. */
  public static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  static final int MARKER_CHARS = 3;
  /** The value of each base62 digit by character, -1 for other characters. */
  private static final byte[] DIGIT_VALUE = new byte[128];

  static {
    java.util.Arrays.fill(DIGIT_VALUE, (byte) -1);
    for (int i = 0; i < BASE62.length(); i++) {
      DIGIT_VALUE[BASE62.charAt(i)] = (byte) i;
    }
  }
  /** Where the random part starts, after {@code tka_xxx_}. */
  public static final int BODY_START = PREFIX.length() + MARKER_CHARS + 1;
  /** Base62 characters of the random part: 62^43 > 2^256. */
  public static final int RANDOM_CHARS = 43;
  /** Base62 characters of the checksum: 62^6 > 2^32. */
  public static final int CHECKSUM_CHARS = 6;
  /** The length of every secret. */
  public static final int LENGTH = BODY_START + RANDOM_CHARS + CHECKSUM_CHARS;
  /** How many leading characters a hint shows: the prefix, kind and four random characters. */
  public static final int HINT_LENGTH = BODY_START + 4;
  private static final int RANDOM_BYTES = 32;
  private static final BigInteger BASE = BigInteger.valueOf(62);

  /** A secret, or anything close enough to one (a typo, a cut-off copy) to be treated as one. */
  private static final java.util.regex.Pattern SECRET_LIKE =
      java.util.regex.Pattern.compile("tka_[a-z]{3}_[0-9A-Za-z]{8,}");

  private SecretFormat() {}

  /** A fresh secret whose kind marker is {@code marker} (three lower-case letters). */
  public static String generate(String marker, SecureRandom random) {
    if (marker.length() != MARKER_CHARS || !marker.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
      throw new IllegalArgumentException("a kind marker is three lower-case letters");
    }
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    String unchecked = PREFIX + marker + "_" + base62(bytes, RANDOM_CHARS);
    return unchecked + checksum(unchecked);
  }

  /** Encodes {@code bytes} as an unsigned number in exactly {@code width} base62 digits. */
  public static String base62(byte[] bytes, int width) {
    BigInteger n = new BigInteger(1, bytes);
    char[] out = new char[width];
    for (int i = width - 1; i >= 0; i--) {
      BigInteger[] qr = n.divideAndRemainder(BASE);
      out[i] = BASE62.charAt(qr[1].intValue());
      n = qr[0];
    }
    if (n.signum() != 0) {
      throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
    }
    return new String(out);
  }

  /** The non-secret hint of a secret: its first {@link #HINT_LENGTH} characters. */
  public static String hint(String secret) {
    return secret.substring(0, Math.min(HINT_LENGTH, secret.length()));
  }

  /**
   * {@code text} with every secret-like string in it replaced by its hint and an ellipsis
   * ({@code tka_org_AbCd…}): for anything that echoes caller input into an answer, a log line or
   * an audit record.
   */
  public static String redact(String text) {
    if (text == null || !text.contains(PREFIX)) {
      return text;
    }
    return SECRET_LIKE.matcher(text).replaceAll(m -> hint(m.group()) + "…");
  }

  /** Whether {@code text} contains a secret-like string anywhere. */
  public static boolean containsSecret(String text) {
    return text != null && text.contains(PREFIX) && SECRET_LIKE.matcher(text).find();
  }

  /**
   * The three-letter kind marker of a well-formed secret with a matching checksum; empty for
   * anything else. Never throws on junk.
   */
  public static Optional<String> kindMarker(String presented) {
    return isWellFormed(presented)
        ? Optional.of(presented.substring(PREFIX.length(), BODY_START - 1))
        : Optional.empty();
  }

  /**
   * Whether {@code presented} has the format and a matching checksum. Allocates nothing: its
   * characters are copied into this thread's buffer and each is looked up in a table.
   */
  public static boolean isWellFormed(String presented) {
    return copyIfWellFormed(presented, SCRATCH.get());
  }

  /**
   * Copies a well-formed {@code presented} into {@code scratch.text} as ASCII bytes (which are also
   * its UTF-8 bytes); false, for anything else.
   */
  private static boolean copyIfWellFormed(String presented, Scratch scratch) {
    if (presented == null || presented.length() != LENGTH || !presented.startsWith(PREFIX)) {
      return false;
    }
    byte[] b = scratch.text;
    for (int i = 0; i < LENGTH; i++) {
      char c = presented.charAt(i);
      if (c > 127) {
        return false; // not ASCII: never a secret (and never truncated into one)
      }
      b[i] = (byte) c;
    }
    return hasFormatAndChecksum(b, scratch.crc);
  }

  private static boolean hasFormatAndChecksum(byte[] b, CRC32 crc) {
    if (b[BODY_START - 1] != '_') {
      return false;
    }
    for (int i = PREFIX.length(); i < BODY_START - 1; i++) {
      if (b[i] < 'a' || b[i] > 'z') {
        return false;
      }
    }
    for (int i = BODY_START; i < LENGTH; i++) {
      if (b[i] < 0 || DIGIT_VALUE[b[i]] < 0) {
        return false;
      }
    }
    int checksumStart = LENGTH - CHECKSUM_CHARS;
    crc.reset();
    crc.update(b, 0, checksumStart); // one bulk update: per byte costs ten times more
    long found = 0;
    for (int i = checksumStart; i < LENGTH; i++) {
      found = found * 62 + DIGIT_VALUE[b[i]];
    }
    return found == crc.getValue();
  }

  /** The six-character checksum of everything before it. */
  public static String checksum(String unchecked) {
    CRC32 crc = new CRC32();
    crc.update(unchecked.getBytes(StandardCharsets.US_ASCII));
    long n = crc.getValue();
    char[] out = new char[CHECKSUM_CHARS];
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (n % 62));
      n /= 62;
    }
    return new String(out);
  }

  /** SHA-256 of the secret's UTF-8 bytes: the key the server stores and caches use. */
  public static byte[] sha256(String secret) {
    return sha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** SHA-256 of bytes already at hand. */
  public static byte[] sha256(byte[] bytes) {
    return SCRATCH.get().digest.digest(bytes); // digest() also resets it for the next use
  }

  /**
   * Writes the SHA-256 of {@code presented} into {@code out[0..32)} if it is a well-formed secret,
   * allocating nothing (a cached check runs this on every request); false, writing nothing,
   * otherwise. The same answer as {@link #isWellFormed} followed by {@link #sha256(String)}.
   */
  public static boolean wellFormedSha256(String presented, byte[] out) {
    Scratch scratch = SCRATCH.get();
    if (!copyIfWellFormed(presented, scratch)) {
      return false;
    }
    scratch.digest.update(scratch.text, 0, LENGTH);
    try {
      scratch.digest.digest(out, 0, 32);
    } catch (java.security.DigestException e) {
      throw new IllegalArgumentException("out must hold 32 bytes", e);
    }
    return true;
  }

  /** Per-thread tools, so that the hot paths allocate nothing: a digest, a CRC and a buffer. */
  private static final class Scratch {
    final MessageDigest digest;
    final CRC32 crc = new CRC32();
    final byte[] text = new byte[LENGTH];

    Scratch() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
