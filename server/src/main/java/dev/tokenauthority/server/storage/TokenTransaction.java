package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The token rows' one writer, inside a write transaction that may also change other tables (a
 * connector's row). Every change notes the token's secret hash; {@link JdbiTokenStore#write}
 * announces them after the commit, so caches are evicted in one place whoever made the change.
 */
public final class TokenTransaction {
  private final Handle handle;
  private final List<byte[]> changed;
  private boolean published;

  TokenTransaction(Handle handle, List<byte[]> changed) {
    this.handle = handle;
    this.changed = changed;
  }

  /** Whether this transaction put anything on the revocation feed (the feed is woken only then). */
  boolean published() {
    return published;
  }

  /** The transaction's handle, for the other tables changed in it. */
  Handle handle() {
    return handle;
  }

  /** Stores a new token, binding each column by name (reflection cost more than the insert). */
  public void insert(TokenRecord t) {
    TokenRow r = JdbiTokenStore.toRow(t);
    handle.createUpdate(TokenSql.INSERT)
        .bind("id", r.id()).bind("secretHash", r.secretHash()).bind("secretHint", r.secretHint())
        .bind("kind", r.kind()).bind("organization", r.organization()).bind("subject", r.subject())
        .bind("label", r.label()).bind("scopes", r.scopes()).bind("groupNames", r.groupNames())
        .bind("metadata", r.metadata()).bind("createTime", r.createTime()).bind("creator", r.creator())
        .bind("expireTime", r.expireTime()).bind("lastUseTime", r.lastUseTime())
        .bind("revokeTime", r.revokeTime()).bind("revokeReason", r.revokeReason())
        .bind("rotatedFrom", r.rotatedFrom()).bind("rotatedTo", r.rotatedTo())
        .bind("connectorId", r.connectorId()).bind("revoked", r.revoked() ? 1 : 0)
        .execute();
    changed.add(t.secretHash()); // a remembered "unknown" for this hash would be wrong now
  }

  /**
   * Marks {@code oldId} as replaced by {@code newId}, stopping at {@code stopsAt}, and puts it on
   * the revocation feed (now, or when that grace period ends); false, changing nothing, unless it
   * works at {@code now} and was not replaced yet.
   */
  public boolean retire(String oldId, String newId, Instant stopsAt, Instant now) {
    Optional<byte[]> hash = handle.createQuery(TokenSql.RETIRE).bind("id", oldId).bind("newId", newId)
        .bind("stop", stopsAt.toEpochMilli()).bind("now", now.toEpochMilli()).mapTo(byte[].class).findOne();
    if (hash.isEmpty()) {
      return false;
    }
    boolean atOnce = !stopsAt.isAfter(now);
    handle.createUpdate(atOnce ? TokenSql.PUBLISH_REVOCATION : TokenSql.SCHEDULE_REVOCATION)
        .bind("id", oldId).execute();
    published |= atOnce;
    changed.add(hash.get());
    return true;
  }

  /** Revokes, takes off the rotation schedule, publishes on the feed and audits; false if revoked already. */
  public boolean revoke(String id, Instant at, String reason, AuditEntry audit) {
    Optional<byte[]> hash = handle.createQuery(TokenSql.REVOKE).bind("id", id).bind("at", at.toEpochMilli())
        .bind("reason", reason).mapTo(byte[].class).findOne();
    if (hash.isEmpty()) {
      return false;
    }
    handle.createUpdate(TokenSql.UNSCHEDULE_REVOCATION).bind("id", id).execute();
    handle.createUpdate(TokenSql.PUBLISH_REVOCATION).bind("id", id).execute();
    published = true;
    AuditSql.insert(handle, audit);
    changed.add(hash.get());
    return true;
  }

  /** Gives a working token fewer scopes in place, and tells the feed so that caches drop it. */
  public void narrow(TokenRecord narrowed, Instant at) {
    handle.createUpdate(TokenSql.SET_SCOPES).bind("id", narrowed.id())
        .bind("scopes", narrowed.scopes().encoded()).execute();
    handle.createUpdate(TokenSql.PUBLISH_NARROWING).bind("id", narrowed.id())
        .bind("at", at.toEpochMilli()).execute();
    published = true;
    changed.add(narrowed.secretHash());
  }

  /** Marks the tokens whose rotation grace ended by {@code now} revoked, for good. */
  public int markGraceEnded(Instant now) {
    List<byte[]> hashes = handle.createQuery(TokenSql.MARK_GRACE_ENDED).bind("now", now.toEpochMilli())
        .mapTo(byte[].class).list();
    changed.addAll(hashes);
    return hashes.size();
  }

  /** The tokens of a connector that work at {@code now} (the current one, and any in a grace period). */
  public List<TokenRecord> activeOfConnector(String connectorId, Instant now) {
    return handle.createQuery(TokenSql.ACTIVE_OF_CONNECTOR).bind("id", connectorId)
        .bind("now", now.toEpochMilli()).map(JdbiTokenStore.TOKEN_ROWS).map(JdbiTokenStore::toRecord).list();
  }

  /** The audit entry, in this transaction. */
  public void audit(AuditEntry entry) {
    AuditSql.insert(handle, entry);
  }
}
