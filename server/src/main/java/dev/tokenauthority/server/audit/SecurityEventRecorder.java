package dev.tokenauthority.server.audit;

/**
 * Where the features report security events (failed authentications, denials, inactive tokens
 * presented): they only say what happened; how and when it is written is the audit log's.
 */
public interface SecurityEventRecorder {
  /** Records {@code entry} soon, off the request path. */
  void record(AuditEntry entry);

  /**
   * Records the first {@code entry} of {@code key} in each minute at once, and the repeats within
   * that minute as one entry with their count.
   */
  void recordCoalesced(String key, AuditEntry entry);
}
