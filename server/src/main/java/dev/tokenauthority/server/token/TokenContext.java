package dev.tokenauthority.server.token;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What every feature that issues, reads or changes tokens works with: the token rows (whose one
 * writer also evicts caches and wakes the revocation feed after the commit), the rules a token
 * must satisfy, the issuer of secrets and ids, the last-use times not yet written, and the clock.
 */
public record TokenContext(TokenStore store, TokenRules rules, TokenIssuer issuer,
    LastUseRecorder lastUse, Clock clock) {

  /** Now, to the millisecond: what storage keeps, so an answer equals a later read. */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** {@code token} with its last use as known here, written or not. */
  public TokenRecord withPendingUse(TokenRecord token) {
    return token.withLastUse(lastUse.pending(token.id()));
  }
}
