package dev.tokenauthority.client;

import dev.tokenauthority.api.SecretFormat;
import java.util.Arrays;

/**
 * A secret's SHA-256 as a cache key. Each thread keeps one mutable probe to look keys up with, so
 * a cache hit allocates nothing; the cache only ever stores immutable copies ({@link #copy()}).
 */
final class DigestKey {
  private final byte[] digest;
  private int hash;

  private DigestKey(byte[] digest) {
    this.digest = digest;
    rehash();
  }

  /** A key holding {@code digest} itself (the caller hands over a fresh array). */
  static DigestKey of(byte[] digest) {
    return new DigestKey(digest);
  }

  /** This thread's probe, holding {@code secret}'s digest; null if it is not a well-formed secret. */
  static DigestKey probeFor(String secret) {
    DigestKey probe = PROBE.get();
    if (!SecretFormat.wellFormedSha256(secret, probe.digest)) {
      return null;
    }
    probe.rehash();
    return probe;
  }

  private static final ThreadLocal<DigestKey> PROBE = ThreadLocal.withInitial(() -> new DigestKey(new byte[32]));

  /** The digest is uniformly random, so its first bytes hash well. */
  private void rehash() {
    hash = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
  }

  DigestKey copy() {
    return new DigestKey(digest.clone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DigestKey other && Arrays.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "DigestKey[redacted]"; // a digest of a secret still identifies the token
  }
}
