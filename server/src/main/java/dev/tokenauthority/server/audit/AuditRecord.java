package dev.tokenauthority.server.audit;

/** A stored audit entry and its id, which increases in the order entries were written. */
public record AuditRecord(long id, AuditEntry entry) {}
