package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import org.jdbi.v3.core.Handle;

/** Writes audit entries inside whatever transaction the change they record runs in. */
final class AuditSql {
  private AuditSql() {}

  static final String INSERT = """
      INSERT INTO audit_event (time, action, actor, organization, target, request_id, peer, outcome, details)
      VALUES (:time, :action, :actor, :organization, :target, :requestId, :peer, :outcome, :details)
      """;

  static void insert(Handle h, AuditEntry a) {
    h.createUpdate(INSERT)
        .bind("time", a.time().toEpochMilli()).bind("action", a.action().name())
        .bind("actor", a.actor()).bind("organization", a.organization()).bind("target", a.target())
        .bind("requestId", a.origin().requestId()).bind("peer", a.origin().peer())
        .bind("outcome", a.outcome().name()).bind("details", FormEncoding.encode(a.details()))
        .execute();
  }
}
