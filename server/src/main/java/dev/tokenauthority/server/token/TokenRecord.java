package dev.tokenauthority.server.token;

import dev.tokenauthority.server.scope.ScopeSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored token: everything but the secret, of which only the SHA-256 is kept.
 *
 * <p>Absent strings are empty, absent times are null (except {@code createTime}). {@code
 * connectorId} is set on service tokens only.
 */
public record TokenRecord(
    String id,
    TokenKind kind,
    String organization,
    String subject,
    String label,
    ScopeSet scopes,
    List<String> groups,
    Map<String, String> metadata,
    Instant createTime,
    String creator,
    Instant expireTime,
    Instant lastUseTime,
    Instant revokeTime,
    String revokeReason,
    String rotatedFrom,
    String rotatedTo,
    String secretHint,
    byte[] secretHash,
    String connectorId,
    boolean revoked) {

  /**
   * The state at {@code now}: revocation (also a rotation's end of grace) wins over expiry. A
   * revoked token stays revoked whatever the clock says later; a grace period ends by the clock.
   */
  public TokenState stateAt(Instant now) {
    if (revoked || (revokeTime != null && !revokeTime.isAfter(now))) {
      return TokenState.REVOKED;
    }
    if (expireTime != null && !expireTime.isAfter(now)) {
      return TokenState.EXPIRED;
    }
    return TokenState.ACTIVE;
  }

  /** A copy whose last use is the later of the stored one and {@code pending}. */
  public TokenRecord withLastUse(Instant pending) {
    if (pending == null || (lastUseTime != null && !pending.isAfter(lastUseTime))) {
      return this;
    }
    return new TokenRecord(
        id, kind, organization, subject, label, scopes, groups, metadata, createTime, creator,
        expireTime, pending, revokeTime, revokeReason, rotatedFrom, rotatedTo, secretHint,
        secretHash, connectorId, revoked);
  }

  /** A copy with {@code newScopes}: a token loses scopes in place only when its connector's narrow. */
  public TokenRecord withScopes(ScopeSet newScopes) {
    return new TokenRecord(
        id, kind, organization, subject, label, newScopes, groups, metadata, createTime, creator,
        expireTime, lastUseTime, revokeTime, revokeReason, rotatedFrom, rotatedTo, secretHint,
        secretHash, connectorId, revoked);
  }

  @Override
  public String toString() {
    // The hash is not secret, but it is a look-up key: keep it out of logs all the same.
    return "TokenRecord[id=" + id + ", kind=" + kind + ", organization=" + organization
        + ", subject=" + subject + ", scopes=" + scopes + ", hint=" + secretHint + "]";
  }
}
