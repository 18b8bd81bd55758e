package dev.tokenauthority.server.revocation;

import java.time.Instant;

/**
 * One entry of the revocation feed, keyed by the token's secret hash: a token that stopped working,
 * or ({@code narrowed}) one that still works but lost grants, at {@code revokeTime}. Either way a
 * cache must drop what it holds for the token.
 */
public record RevokedToken(
    long sequence, String tokenId, byte[] secretHash, Instant revokeTime, boolean narrowed) {
  @Override
  public String toString() {
    return "RevokedToken[" + sequence + ", " + tokenId + "]";
  }
}
