package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.device.DeviceRequest.Approver;
import dev.tokenauthority.server.device.DeviceRequest.Purpose;
import dev.tokenauthority.server.device.DeviceRequest.State;
import dev.tokenauthority.server.device.DeviceRequest;
import dev.tokenauthority.server.device.DeviceStore;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.session.Rights;
import dev.tokenauthority.server.session.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@link DeviceStore} on SQLite through JDBI; the one writer of {@code device_authorization}. */
public final class JdbiDeviceStore implements DeviceStore {
  private static final String INSERT = """
      INSERT INTO device_authorization (device_code_hash, user_code, purpose, label, scopes,
          organization, token_ttl_seconds, requester_peer, create_time, expire_time, state)
      VALUES (:hash, :userCode, :purpose, :label, :scopes, :organization, :ttl, :peer, :createTime,
              :expireTime, 'PENDING')
      ON CONFLICT DO NOTHING
      """;
  private static final String DECIDE = """
      UPDATE device_authorization SET state = :state, approver = :approver, decide_time = :now
      WHERE user_code = :userCode AND state = 'PENDING' AND expire_time > :now
      """;
  private static final String POLL = """
      UPDATE device_authorization SET last_poll_time = :now
      WHERE device_code_hash = :hash AND (last_poll_time IS NULL OR last_poll_time <= :now - :interval)
      """;
  private static final String CLAIM = """
      UPDATE device_authorization SET state = 'ISSUED'
      WHERE device_code_hash = :hash AND state = 'APPROVED' AND expire_time > :now
      """;

  private static final RowMapper<DeviceRequest> REQUESTS = (rs, ctx) -> new DeviceRequest(
      rs.getBytes("device_code_hash"), rs.getString("user_code"), Purpose.valueOf(rs.getString("purpose")),
      rs.getString("label"), Columns.words(rs.getString("scopes")), rs.getString("organization"),
      seconds(rs, "token_ttl_seconds"), rs.getString("requester_peer"),
      Instant.ofEpochMilli(rs.getLong("create_time")), Instant.ofEpochMilli(rs.getLong("expire_time")),
      State.valueOf(rs.getString("state")), approver(rs.getString("approver")), Columns.instant(rs, "decide_time"));

  private final Database db;

  public JdbiDeviceStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean insert(DeviceRequest r, AuditEntry audit) {
    return db.write(h -> {
      boolean stored = h.createUpdate(INSERT).bind("hash", r.deviceCodeHash()).bind("userCode", r.userCode())
          .bind("purpose", r.purpose().name()).bind("label", r.label()).bind("scopes", String.join(" ", r.scopes()))
          .bind("organization", r.organization())
          .bind("ttl", r.tokenTtl() == null ? null : r.tokenTtl().toSeconds()).bind("peer", r.requesterPeer())
          .bind("createTime", r.createTime().toEpochMilli()).bind("expireTime", r.expireTime().toEpochMilli())
          .execute() > 0;
      if (stored) {
        AuditSql.insert(h, audit);
      }
      return stored;
    });
  }

  @Override
  public Optional<DeviceRequest> findByUserCode(String userCode) {
    return db.reader().withHandle(h -> h.createQuery("SELECT * FROM device_authorization WHERE user_code = :code")
        .bind("code", userCode).map(REQUESTS).findOne());
  }

  @Override
  public Optional<DeviceRequest> findByDeviceCode(byte[] hash) {
    return db.reader().withHandle(h -> h.createQuery(
            "SELECT * FROM device_authorization WHERE device_code_hash = :hash")
        .bind("hash", hash).map(REQUESTS).findOne());
  }

  @Override
  public boolean decide(String userCode, State decision, Approver approver, Instant now, AuditEntry audit) {
    return db.write(h -> {
      boolean decided = h.createUpdate(DECIDE).bind("userCode", userCode).bind("state", decision.name())
          .bind("approver", encode(approver)).bind("now", now.toEpochMilli()).execute() > 0;
      if (decided) {
        AuditSql.insert(h, audit);
      }
      return decided;
    });
  }

  @Override
  public boolean poll(byte[] hash, Instant now, Duration interval) {
    return db.write(h -> h.createUpdate(POLL).bind("hash", hash).bind("now", now.toEpochMilli())
        .bind("interval", interval.toMillis()).execute() > 0);
  }

  @Override
  public boolean claim(byte[] hash, Instant now, AuditEntry audit) {
    return db.write(h -> {
      boolean claimed = h.createUpdate(CLAIM).bind("hash", hash).bind("now", now.toEpochMilli()).execute() > 0;
      if (claimed) {
        AuditSql.insert(h, audit);
      }
      return claimed;
    });
  }

  private static String encode(Approver a) {
    Rights r = a.rights();
    return FormEncoding.encode(Map.of("token", a.tokenId(), "subject", r.subject(),
        "organization", r.organization(), "organizations", String.join(" ", r.organizations()),
        "role", r.role().name(), "scopes", r.scopes().encoded(), "groups", String.join(" ", r.groups()),
        "may_create_tokens", Boolean.toString(r.mayCreateTokens())));
  }

  private static Approver approver(String encoded) {
    if (encoded.isEmpty()) {
      return null;
    }
    Map<String, String> m = FormEncoding.decode(encoded);
    return new Approver(m.get("token"), new Rights(m.get("subject"), m.get("organization"),
        Columns.words(m.get("organizations")), Role.valueOf(m.get("role")), ScopeSet.decode(m.get("scopes")),
        Columns.words(m.get("groups")), Boolean.parseBoolean(m.get("may_create_tokens"))));
  }


  private static Duration seconds(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Duration.ofSeconds(v);
  }
}
