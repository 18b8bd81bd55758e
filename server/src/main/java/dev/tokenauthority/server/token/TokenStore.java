package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where tokens live. Each changing method is one transaction that includes its audit entry and its
 * revocation-feed entry, and is durable when it returns.
 */
public interface TokenStore {
  /** Stores a new token. */
  void insert(TokenRecord token, AuditEntry audit);

  Optional<TokenRecord> findById(String id);

  /** The token whose secret hashes to {@code secretHash}. */
  Optional<TokenRecord> findByHash(byte[] secretHash);

  /**
   * Tokens matching {@code filter} at {@code now}, newest first ({@code createTime}, then id,
   * descending), strictly after {@code after} when it is not null, at most {@code limit}.
   */
  List<TokenRecord> list(TokenFilter filter, Instant now, PageToken.Position after, int limit);

  /**
   * Retires {@code oldId} at {@code oldStopsAt} and stores {@code replacement}, only if the old
   * token is still active at {@code now} and not rotated yet.
   *
   * @return false, changing nothing, if the old token could not be rotated
   */
  boolean rotate(
      String oldId, Instant oldStopsAt, TokenRecord replacement, Instant now, AuditEntry audit);

  /**
   * Revokes {@code id} at {@code at} with {@code reason}, unless it is already revoked by then.
   *
   * @return whether anything changed
   */
  boolean revoke(String id, Instant at, String reason, AuditEntry audit);

  /** Raises each token's last use time to the given one (never lowers it). */
  void recordLastUse(Map<String, Instant> lastUseById);

  /** Whether no token was ever stored. */
  boolean isEmpty();
}
