package dev.tokenauthority.server.storage;

/**
 * The fixed statements on tokens and audit events, run through JDBI's fluent {@code Handle} API.
 *
 * <p>Not a SqlObject interface on purpose: attaching one builds a handler per method on every
 * attach (~120 µs measured here), which is more than the statements themselves cost.
 */
final class TokenSql {
  private TokenSql() {}

  static final String INSERT = """
      INSERT INTO token (id, secret_hash, secret_hint, kind, organization, subject, label, scopes,
                         group_names, metadata, create_time, creator, expire_time, last_use_time,
                         revoke_time, revoke_reason, rotated_from, rotated_to, connector_id, revoked)
      VALUES (:id, :secretHash, :secretHint, :kind, :organization, :subject, :label, :scopes,
              :groupNames, :metadata, :createTime, :creator, :expireTime, :lastUseTime,
              :revokeTime, :revokeReason, :rotatedFrom, :rotatedTo, :connectorId, :revoked)
      """;

  static final String FIND_BY_ID = "SELECT * FROM token WHERE id = :id";

  static final String FIND_BY_HASH = "SELECT * FROM token WHERE secret_hash = :hash";

  static final String IS_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM token)";

  /** Retires a token that is active and not rotated yet; 0 rows if it is neither. */
  static final String RETIRE = """
      UPDATE token SET rotated_to = :newId, revoke_time = :stop, revoke_reason = 'rotated',
                       revoked = CASE WHEN :stop <= :now THEN 1 ELSE 0 END
      WHERE id = :id AND rotated_to = '' AND revoked = 0
        AND (revoke_time IS NULL OR revoke_time > :now)
        AND (expire_time IS NULL OR expire_time > :now)
      RETURNING secret_hash
      """;

  /** Revokes a token unless it is revoked by {@code at} already (a grace period ends sooner). */
  static final String REVOKE = """
      UPDATE token SET revoke_time = :at, revoke_reason = :reason, revoked = 1
      WHERE id = :id AND revoked = 0 AND (revoke_time IS NULL OR revoke_time > :at)
      RETURNING secret_hash
      """;

  /** Puts a revoked token on the revocation feed (once: a token stops working once). */
  static final String PUBLISH_REVOCATION = """
      INSERT INTO revocation (token_id, secret_hash, revoke_time)
      SELECT id, secret_hash, revoke_time FROM token WHERE id = :id
      ON CONFLICT DO NOTHING
      """;

  /** Tells the feed that a working token lost grants, so that caches drop their answers. */
  static final String PUBLISH_NARROWING = """
      INSERT INTO revocation (token_id, secret_hash, revoke_time, narrowed)
      SELECT id, secret_hash, :at, 1 FROM token WHERE id = :id
      """;

  /** Puts a token on the feed later, when its rotation grace period ends. */
  static final String SCHEDULE_REVOCATION = """
      INSERT INTO pending_revocation (token_id, secret_hash, revoke_time)
      SELECT id, secret_hash, revoke_time FROM token WHERE id = :id
      ON CONFLICT (token_id) DO UPDATE SET secret_hash = excluded.secret_hash, revoke_time = excluded.revoke_time
      """;

  static final String UNSCHEDULE_REVOCATION = "DELETE FROM pending_revocation WHERE token_id = :id";

  /** A connector narrowed: its live tokens lose scopes in place. */
  static final String SET_SCOPES = "UPDATE token SET scopes = :scopes WHERE id = :id";

  /** Rotation grace periods that ended by {@code :now}: from then on revoked whatever the clock says. */
  static final String MARK_GRACE_ENDED = """
      UPDATE token SET revoked = 1
      WHERE revoked = 0 AND id IN (SELECT token_id FROM pending_revocation WHERE revoke_time <= :now)
      RETURNING secret_hash
      """;

  static final String RECORD_LAST_USE = """
      UPDATE token SET last_use_time = :time
      WHERE id = :id AND (last_use_time IS NULL OR last_use_time < :time)
      """;

  /**
   * How many tokens of a subject, organisation and kind work at {@code now} (rotation grace
   * included). Per organisation: one organisation's count must not reveal, or be blocked by,
   * tokens in another.
   */
  static final String COUNT_ACTIVE_OF_SUBJECT = """
      SELECT count(*) FROM token
      WHERE subject = :subject AND organization = :organization AND kind = :kind AND revoked = 0
        AND (revoke_time IS NULL OR revoke_time > :now)
        AND (expire_time IS NULL OR expire_time > :now)
      """;

  /** The condition of a token that still works at {@code :now}. */
  static final String ACTIVE = " AND revoked = 0 AND (revoke_time IS NULL OR revoke_time > :now)"
      + " AND (expire_time IS NULL OR expire_time > :now)";

  /** The tokens of connector {@code :id} that work at {@code :now}. */
  static final String ACTIVE_OF_CONNECTOR = "SELECT * FROM token WHERE connector_id = :id" + ACTIVE;
}
