package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.token.TokenChangeListener;
import dev.tokenauthority.server.token.TokenFilter;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenOrder;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link TokenStore} on SQLite through JDBI: writes on the one writer, reads on the readers. */
public final class JdbiTokenStore implements TokenStore {
  /** Column by column: on every look-up, so no reflection (a reflective mapper cost more than the query). */
  static TokenRow row(ResultSet rs) throws SQLException {
    return new TokenRow(
        rs.getString("id"), rs.getBytes("secret_hash"), rs.getString("secret_hint"), rs.getString("kind"),
        rs.getString("organization"), rs.getString("subject"), rs.getString("label"), rs.getString("scopes"),
        rs.getString("group_names"), rs.getString("metadata"), rs.getLong("create_time"), rs.getString("creator"),
        nullableLong(rs, "expire_time"), nullableLong(rs, "last_use_time"), nullableLong(rs, "revoke_time"),
        rs.getString("revoke_reason"), rs.getString("rotated_from"), rs.getString("rotated_to"),
        rs.getString("connector_id"), rs.getInt("revoked") != 0);
  }

  static final RowMapper<TokenRow> TOKEN_ROWS = (rs, ctx) -> row(rs);

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** Last-use rows per write transaction. */
  static final int LAST_USE_CHUNK = 500;

  private final Database db;
  private final PointQuery byHash;
  private final List<TokenChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> publishListeners = new CopyOnWriteArrayList<>();

  public JdbiTokenStore(Database db) {
    this.db = db;
    this.byHash = db.rowByKey("token", "secret_hash");
  }

  @Override
  public void onChange(TokenChangeListener listener) {
    listeners.add(listener);
  }

  /** Has {@code listener} run after each commit that put something on the revocation feed. */
  void onPublished(Runnable listener) {
    publishListeners.add(listener);
  }

  /**
   * Runs {@code work} in a write transaction, possibly shared with others (group commit); after
   * the commit, and before returning, tells the listeners which token rows it changed. Every
   * change to token rows, whichever feature makes it, goes through here.
   */
  public <T> T write(Function<TokenTransaction, T> work) {
    List<byte[]> changed = new ArrayList<>();
    boolean[] published = new boolean[1];
    T result = db.write(h -> {
      changed.clear(); // this write's own changes only
      TokenTransaction tx = new TokenTransaction(h, changed);
      T answer = work.apply(tx);
      published[0] = tx.published();
      return answer;
    });
    if (!changed.isEmpty()) {
      List<byte[]> hashes = List.copyOf(changed);
      listeners.forEach(l -> l.changed(hashes));
    }
    if (published[0]) {
      publishListeners.forEach(Runnable::run); // after the caches'
    }
    return result;
  }

  @Override
  public void insert(TokenRecord token, AuditEntry audit) {
    write(tx -> {
      tx.insert(token);
      tx.audit(audit);
      return null;
    });
  }

  @Override
  public boolean insertWithinLimit(TokenRecord token, AuditEntry audit, int limit, Instant now) {
    return write(tx -> {
      int active = tx.handle().createQuery(TokenSql.COUNT_ACTIVE_OF_SUBJECT).bind("subject", token.subject())
          .bind("organization", token.organization())
          .bind("kind", token.kind().name()).bind("now", now.toEpochMilli()).mapTo(Integer.class).one();
      if (active >= limit) {
        return false;
      }
      tx.insert(token);
      tx.audit(audit);
      return true;
    });
  }

  @Override
  public Optional<TokenRecord> findById(String id) {
    return db.reader().withHandle(h ->
        h.createQuery(TokenSql.FIND_BY_ID).bind("id", id).map(TOKEN_ROWS).findOne()).map(JdbiTokenStore::toRecord);
  }

  @Override
  public Optional<TokenRecord> findByHash(byte[] secretHash) {
    return byHash.one(secretHash, JdbiTokenStore::row).map(JdbiTokenStore::toRecord);
  }

  @Override
  public List<TokenRecord> list(TokenFilter f, TokenOrder order, Instant now, TokenOrder.After after, int limit) {
    Map<String, Object> args = new HashMap<>();
    StringBuilder sql = new StringBuilder("SELECT * FROM token WHERE 1 = 1").append(where(f, now, args));
    String key = sortKey(order);
    String direction = order.descending() ? "DESC" : "ASC";
    if (after != null) {
      String beyond = order.descending() ? "<" : ">";
      sql.append(" AND (" + key + " " + beyond + " :afterKey OR (" + key + " = :afterKey AND id " + beyond
          + " :afterId))");
      args.put("afterKey", order.textKey() ? after.key() : Long.parseLong(after.key()));
      args.put("afterId", after.id());
    }
    sql.append(" ORDER BY " + key + " " + direction + ", id " + direction + " LIMIT :limit");
    args.put("limit", limit);
    return db.reader().withHandle(h -> h.createQuery(sql.toString())
        .bindMap(args)
        .map(TOKEN_ROWS)
        .map(JdbiTokenStore::toRecord)
        .list());
  }

  @Override
  public boolean insertIfEmpty(TokenRecord token, AuditEntry audit) {
    return write(tx -> {
      if (!tx.handle().createQuery(TokenSql.IS_EMPTY).mapTo(Boolean.class).one()) {
        return false;
      }
      tx.insert(token);
      tx.audit(audit);
      return true;
    });
  }

  @Override
  public int countActive(TokenFilter f, Instant now) {
    Map<String, Object> args = new HashMap<>();
    String sql = "SELECT count(*) FROM token WHERE 1 = 1" + where(f, now, args) + TokenSql.ACTIVE;
    return db.reader().withHandle(h -> h.createQuery(sql).bindMap(args).mapTo(Integer.class).one());
  }

  /** The column (or expression, for one that may be null) {@code order} sorts by, as {@link TokenOrder#after} keys it. */
  private static String sortKey(TokenOrder order) {
    return switch (order) {
      case NEWEST, OLDEST -> "create_time";
      case EXPIRES_SOONEST -> "coalesce(expire_time, " + TokenOrder.NEVER + ")";
      case LAST_USED -> "coalesce(last_use_time, 0)";
      case LABEL -> "label";
    };
  }

  /** The SQL conditions (each starting with AND) for {@code f}; their arguments go to {@code args}. */
  private String where(TokenFilter f, Instant now, Map<String, Object> args) {
    SqlDialect dialect = db.dialect();
    StringBuilder sql = new StringBuilder();
    args.put("now", now.toEpochMilli());
    if (!f.organization().isEmpty() || f.withoutOrganization()) {
      sql.append(" AND organization = :organization");
      args.put("organization", f.organization());
    }
    if (!f.subject().isEmpty()) {
      sql.append(" AND subject = :subject");
      args.put("subject", f.subject());
    }
    if (!f.creator().isEmpty()) {
      sql.append(" AND creator = :creator");
      args.put("creator", f.creator());
    }
    if (f.kind() != null) {
      sql.append(" AND kind = :kind");
      args.put("kind", f.kind().name());
    }
    if (f.state() != null) {
      sql.append(switch (f.state()) {
        case ACTIVE -> TokenSql.ACTIVE;
        case EXPIRED -> " AND revoked = 0 AND (revoke_time IS NULL OR revoke_time > :now)"
            + " AND expire_time <= :now";
        case REVOKED -> " AND (revoked = 1 OR revoke_time <= :now)";
      });
    }
    if (f.expireBefore() != null) {
      sql.append(" AND expire_time < :expireBefore");
      args.put("expireBefore", f.expireBefore().toEpochMilli());
    }
    if (f.lastUseBefore() != null) {
      sql.append(" AND (last_use_time IS NULL OR last_use_time < :lastUseBefore)");
      args.put("lastUseBefore", f.lastUseBefore().toEpochMilli());
    }
    if (f.neverUsed()) {
      sql.append(" AND last_use_time IS NULL");
    }
    if (!f.labelContains().isEmpty()) {
      sql.append(" AND " + dialect.contains("label", "label"));
      args.put("label", f.labelContains());
    }
    int k = 0;
    for (TokenKind notKind : f.notKinds()) {
      sql.append(" AND kind <> :notKind" + k);
      args.put("notKind" + k++, notKind.name());
    }
    for (String notId : f.notIds()) {
      sql.append(" AND id <> :notId" + k);
      args.put("notId" + k++, notId);
    }
    if (!f.search().isEmpty()) {
      sql.append(" AND (" + dialect.contains("label", "search") + " OR " + dialect.contains("subject", "search")
          + " OR " + dialect.contains("creator", "search") + " OR " + dialect.contains("group_names", "search") + ")");
      args.put("search", f.search());
    }
    return sql.toString();
  }

  @Override
  public List<TokenRecord> revokeMatching(TokenFilter filter, Instant at, String reason, int expected,
      Function<TokenRecord, AuditEntry> audit) {
    Map<String, Object> args = new HashMap<>();
    String sql = "SELECT * FROM token WHERE 1 = 1" + where(filter, at, args) + TokenSql.ACTIVE;
    return write(tx -> {
      List<TokenRecord> found = tx.handle().createQuery(sql).bindMap(args).map(TOKEN_ROWS)
          .map(JdbiTokenStore::toRecord).list();
      if (expected >= 0 && found.size() != expected) {
        throw new TokenStore.CountChanged(found.size()); // before anything is written: this write changes nothing
      }
      found.forEach(t -> tx.revoke(t.id(), at, reason, audit.apply(t)));
      return found;
    });
  }

  @Override
  public List<TokenRecord> revokeLeaked(List<byte[]> hashes, Instant at,
      Function<TokenRecord, AuditEntry> audit, IntFunction<AuditEntry> report) {
    return write(tx -> {
      List<TokenRecord> revoked = new ArrayList<>();
      for (byte[] hash : hashes) {
        tx.handle().createQuery(TokenSql.FIND_BY_HASH + TokenSql.ACTIVE).bind("hash", hash)
            .bind("now", at.toEpochMilli()).map(TOKEN_ROWS).findOne().map(JdbiTokenStore::toRecord)
            .ifPresent(t -> {
              tx.revoke(t.id(), at, "leaked", audit.apply(t));
              revoked.add(t);
            });
      }
      tx.audit(report.apply(revoked.size()));
      return revoked;
    });
  }

  @Override
  public boolean rotate(
      TokenRecord old, Instant oldStopsAt, TokenRecord replacement, Instant now, AuditEntry audit) {
    return write(tx -> {
      if (!tx.retire(old.id(), replacement.id(), oldStopsAt, now)) {
        return false;
      }
      tx.insert(replacement);
      tx.audit(audit);
      return true;
    });
  }

  @Override
  public boolean revoke(TokenRecord token, Instant at, String reason, AuditEntry audit) {
    return write(tx -> tx.revoke(token.id(), at, reason, audit));
  }


  @Override
  public void recordLastUse(Map<String, Instant> lastUseById) {
    if (lastUseById.isEmpty()) {
      return;
    }
    // In chunks, each its own write: with a large population one flush can hold tens of thousands
    // of tokens, and a revocation queued behind it waits for one chunk, not for all of them.
    List<Map.Entry<String, Instant>> uses = List.copyOf(lastUseById.entrySet());
    for (int from = 0; from < uses.size(); from += LAST_USE_CHUNK) {
      List<Map.Entry<String, Instant>> chunk = uses.subList(from, Math.min(uses.size(), from + LAST_USE_CHUNK));
      db.write(h -> {
        PreparedBatch batch = h.prepareBatch(TokenSql.RECORD_LAST_USE);
        chunk.forEach(use -> batch.bind("id", use.getKey()).bind("time", use.getValue().toEpochMilli()).add());
        return batch.execute();
      });
    }
  }

  @Override
  public boolean isEmpty() {
    return db.reader().withHandle(h -> h.createQuery(TokenSql.IS_EMPTY).mapTo(Boolean.class).one());
  }

  static TokenRow toRow(TokenRecord t) {
    return new TokenRow(
        t.id(), t.secretHash(), t.secretHint(), t.kind().name(), t.organization(), t.subject(),
        t.label(), t.scopes().encoded(), String.join(" ", t.groups()), FormEncoding.encode(t.metadata()),
        t.createTime().toEpochMilli(), t.creator(), millis(t.expireTime()),
        millis(t.lastUseTime()), millis(t.revokeTime()), t.revokeReason(), t.rotatedFrom(),
        t.rotatedTo(), t.connectorId(), t.revoked());
  }

  static TokenRecord toRecord(TokenRow r) {
    return new TokenRecord(
        r.id(), TokenKind.valueOf(r.kind()), r.organization(), r.subject(), r.label(),
        ScopeSet.decode(r.scopes()),
        Columns.words(r.groupNames()),
        FormEncoding.decode(r.metadata()), Instant.ofEpochMilli(r.createTime()), r.creator(),
        instant(r.expireTime()), instant(r.lastUseTime()), instant(r.revokeTime()),
        r.revokeReason(), r.rotatedFrom(), r.rotatedTo(), r.secretHint(), r.secretHash(),
        r.connectorId(), r.revoked());
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
