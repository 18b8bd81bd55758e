package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Where tokens live. Each changing method is one transaction that includes its audit entry and its
 * revocation-feed entry, and is durable when it returns.
 */
public interface TokenStore {
  /**
   * Calls {@code listener} after each commit that changed token rows, with their secrets' hashes,
   * before the change is answered (whichever feature changed them).
   */
  void onChange(TokenChangeListener listener);

  /** Stores a new token. */
  void insert(TokenRecord token, AuditEntry audit);

  /**
   * Stores a new token unless its subject already has {@code limit} or more active tokens of its
   * kind in its organisation at {@code now}; the count and the insert are one transaction.
   *
   * @return false, storing nothing, if the limit was reached
   */
  boolean insertWithinLimit(TokenRecord token, AuditEntry audit, int limit, Instant now);

  Optional<TokenRecord> findById(String id);

  /** The token whose secret hashes to {@code secretHash}. */
  Optional<TokenRecord> findByHash(byte[] secretHash);

  /**
   * Tokens matching {@code filter} at {@code now} in {@code order}, strictly after {@code after}
   * when it is not null, at most {@code limit}.
   */
  List<TokenRecord> list(TokenFilter filter, TokenOrder order, Instant now, TokenOrder.After after, int limit);

  /** Stores {@code token} with {@code audit} only if no token is stored yet, in one transaction. */
  boolean insertIfEmpty(TokenRecord token, AuditEntry audit);

  /** How many tokens matching {@code filter} are working at {@code now}. */
  int countActive(TokenFilter filter, Instant now);

  /**
   * Retires {@code old} at {@code oldStopsAt} and stores {@code replacement}, only if the old
   * token is still active at {@code now} and not rotated yet.
   *
   * @return false, changing nothing, if the old token could not be rotated
   */
  boolean rotate(
      TokenRecord old, Instant oldStopsAt, TokenRecord replacement, Instant now, AuditEntry audit);

  /**
   * Revokes {@code token} at {@code at} with {@code reason}, unless it is already revoked by then.
   *
   * @return whether anything changed
   */
  boolean revoke(TokenRecord token, Instant at, String reason, AuditEntry audit);

  /**
   * Revokes at {@code at}, in one transaction, every token matching {@code filter} that still
   * works then, each with its own audit entry.
   *
   * @param expected how many must match, or -1 for any number
   * @return the tokens revoked, as they were before
   * @throws CountChanged if {@code expected} is not -1 and another number matches; nothing is revoked
   */
  List<TokenRecord> revokeMatching(TokenFilter filter, Instant at, String reason, int expected,
      Function<TokenRecord, AuditEntry> audit);

  /** A bulk revocation found another number of tokens than it was told to expect, and changed nothing. */
  final class CountChanged extends RuntimeException {
    private final int found;

    public CountChanged(int found) {
      super("found " + found + " matching tokens", null, false, false);
      this.found = found;
    }

    public int found() {
      return found;
    }
  }

  /**
   * Revokes at {@code at} every working token whose secret hashes to one of {@code hashes}, with
   * reason {@code leaked}, each with its own audit entry, and appends {@code report} (given how
   * many were revoked), in one transaction.
   *
   * @return the tokens revoked, as they were before
   */
  List<TokenRecord> revokeLeaked(List<byte[]> hashes, Instant at,
      Function<TokenRecord, AuditEntry> audit, IntFunction<AuditEntry> report);

  /** Raises each token's last use time to the given one (never lowers it). */
  void recordLastUse(Map<String, Instant> lastUseById);

  /** Whether no token was ever stored. */
  boolean isEmpty();
}
