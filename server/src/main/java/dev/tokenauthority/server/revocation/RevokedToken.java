package dev.tokenauthority.server.revocation;

import java.time.Instant;

/** One entry of the revocation feed: a token that stopped working, keyed by its secret's hash. */
public record RevokedToken(long sequence, String tokenId, byte[] secretHash, Instant revokeTime) {
  @Override
  public String toString() {
    return "RevokedToken[" + sequence + ", " + tokenId + "]";
  }
}
