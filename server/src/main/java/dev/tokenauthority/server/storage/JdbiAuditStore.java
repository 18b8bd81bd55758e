package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.AuditFilter;
import dev.tokenauthority.server.audit.AuditOutcome;
import dev.tokenauthority.server.audit.AuditRecord;
import dev.tokenauthority.server.audit.AuditStore;
import dev.tokenauthority.server.identity.Origin;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@link AuditStore} on SQLite through JDBI. */
public final class JdbiAuditStore implements AuditStore {
  private static final RowMapper<AuditRecord> EVENTS = (rs, ctx) -> new AuditRecord(
      rs.getLong("id"),
      new AuditEntry(Instant.ofEpochMilli(rs.getLong("time")), AuditAction.valueOf(rs.getString("action")),
          rs.getString("actor"), rs.getString("organization"), rs.getString("target"),
          new Origin(rs.getString("request_id"), rs.getString("peer")),
          AuditOutcome.valueOf(rs.getString("outcome")), FormEncoding.decode(rs.getString("details"))));

  private final Database db;

  public JdbiAuditStore(Database db) {
    this.db = db;
  }

  @Override
  public void append(List<AuditEntry> entries) {
    db.write(h -> {
      entries.forEach(e -> AuditSql.insert(h, e));
      return null;
    });
  }

  @Override
  public List<AuditRecord> list(AuditFilter f, Long beforeId, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_event WHERE 1 = 1");
    Map<String, Object> args = new HashMap<>();
    if (!f.organization().isEmpty()) {
      sql.append(" AND organization = :organization");
      args.put("organization", f.organization());
    }
    if (!f.actor().isEmpty()) {
      sql.append(" AND actor = :actor");
      args.put("actor", f.actor());
    }
    if (!f.target().isEmpty()) {
      sql.append(" AND target = :target");
      args.put("target", f.target());
    }
    if (f.action() != null) {
      sql.append(" AND action = :action");
      args.put("action", f.action().name());
    }
    if (f.start() != null) {
      sql.append(" AND time >= :start");
      args.put("start", f.start().toEpochMilli());
    }
    if (f.end() != null) {
      sql.append(" AND time < :end");
      args.put("end", f.end().toEpochMilli());
    }
    if (beforeId != null) {
      sql.append(" AND id < :beforeId");
      args.put("beforeId", beforeId);
    }
    sql.append(" ORDER BY id DESC LIMIT :limit");
    args.put("limit", limit);
    return db.reader().withHandle(h -> h.createQuery(sql.toString()).bindMap(args).map(EVENTS).list());
  }

  @Override
  public Optional<AuditRecord> find(long id) {
    return db.reader().withHandle(h ->
        h.createQuery("SELECT * FROM audit_event WHERE id = :id").bind("id", id).map(EVENTS).findOne());
  }

  @Override
  public long prune(Instant cutoff, LongFunction<AuditEntry> pruned) {
    return db.write(h -> {
      long deleted = h.createUpdate("DELETE FROM audit_event WHERE time < :cutoff")
          .bind("cutoff", cutoff.toEpochMilli()).execute();
      if (deleted > 0) {
        AuditSql.insert(h, pruned.apply(deleted));
      }
      return deleted;
    });
  }
}
