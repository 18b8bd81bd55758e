package dev.tokenauthority.server.storage;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The fixed statements on tokens and audit events. */
@RegisterConstructorMapper(TokenRow.class)
interface TokenDao {
  @SqlUpdate("""
      INSERT INTO token (id, secret_hash, secret_hint, kind, organization, subject, label, scopes,
                         group_names, metadata, create_time, creator, expire_time, last_use_time,
                         revoke_time, revoke_reason, rotated_from, rotated_to)
      VALUES (:id, :secretHash, :secretHint, :kind, :organization, :subject, :label, :scopes,
              :groupNames, :metadata, :createTime, :creator, :expireTime, :lastUseTime,
              :revokeTime, :revokeReason, :rotatedFrom, :rotatedTo)
      """)
  void insert(@BindMethods TokenRow row);

  @SqlQuery("SELECT * FROM token WHERE id = :id")
  Optional<TokenRow> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM token WHERE secret_hash = :hash")
  Optional<TokenRow> findByHash(@Bind("hash") byte[] hash);

  @SqlQuery("SELECT NOT EXISTS (SELECT 1 FROM token)")
  boolean isEmpty();

  /** Retires a token that is active and not rotated yet; 0 rows if it is neither. */
  @SqlUpdate("""
      UPDATE token SET rotated_to = :newId, revoke_time = :stop, revoke_reason = 'rotated'
      WHERE id = :id AND rotated_to = ''
        AND (revoke_time IS NULL OR revoke_time > :now)
        AND (expire_time IS NULL OR expire_time > :now)
      """)
  int retire(@Bind("id") String id, @Bind("newId") String newId, @Bind("stop") long stop,
      @Bind("now") long now);

  /** Revokes a token unless it is revoked by {@code at} already (a grace period ends sooner). */
  @SqlUpdate("""
      UPDATE token SET revoke_time = :at, revoke_reason = :reason
      WHERE id = :id AND (revoke_time IS NULL OR revoke_time > :at)
      """)
  int revoke(@Bind("id") String id, @Bind("at") long at, @Bind("reason") String reason);

  /** Puts a revoked token on the revocation feed (once: a token stops working once). */
  @SqlUpdate("""
      INSERT OR IGNORE INTO revocation (token_id, secret_hash, revoke_time)
      SELECT id, secret_hash, revoke_time FROM token WHERE id = :id
      """)
  void publishRevocation(@Bind("id") String id);

  /** Puts a token on the feed later, when its rotation grace period ends. */
  @SqlUpdate("""
      INSERT OR REPLACE INTO pending_revocation (token_id, secret_hash, revoke_time)
      SELECT id, secret_hash, revoke_time FROM token WHERE id = :id
      """)
  void scheduleRevocation(@Bind("id") String id);

  @SqlUpdate("DELETE FROM pending_revocation WHERE token_id = :id")
  void unscheduleRevocation(@Bind("id") String id);

  @SqlBatch("""
      UPDATE token SET last_use_time = :time
      WHERE id = :id AND (last_use_time IS NULL OR last_use_time < :time)
      """)
  void recordLastUse(@Bind("id") List<String> ids, @Bind("time") List<Long> times);

  @SqlUpdate("""
      INSERT INTO audit_event (time, action, actor, organization, target, details)
      VALUES (:time, :action, :actor, :organization, :target, :details)
      """)
  void insertAudit(@Bind("time") long time, @Bind("action") String action,
      @Bind("actor") String actor, @Bind("organization") String organization,
      @Bind("target") String target, @Bind("details") String details);
}
