package dev.tokenauthority.server.audit;

/** Whether an audited action took place or was refused. */
public enum AuditOutcome {
  SUCCESS,
  DENIED
}
