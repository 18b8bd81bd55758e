package dev.tokenauthority.server.audit;

import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One audit record. A change writes its entry in the change's own transaction; security events
 * (failed authentication, denials) are written shortly after, by {@link SecurityEvents}.
 *
 * @param actor the id of the token that acted, {@link #ANONYMOUS} or {@link #SYSTEM}
 * @param organization the organisation of the target; empty if none
 * @param target the id of the token or connector acted on; empty if none
 * @param details particulars such as old and new scopes or a reason; never a secret
 */
public record AuditEntry(
    Instant time, AuditAction action, String actor, String organization, String target,
    Origin origin, AuditOutcome outcome, Map<String, String> details) {
  /** The actor of a caller without valid credentials. */
  public static final String ANONYMOUS = Caller.ANONYMOUS;
  /** The actor for what the server does by itself. */
  public static final String SYSTEM = Caller.SYSTEM;

  public AuditEntry {
    details = Collections.unmodifiableMap(new TreeMap<>(details));
  }

  /** A successful change. */
  public static AuditEntry success(Instant time, AuditAction action, String actor, Origin origin,
      String organization, String target, Map<String, String> details) {
    return new AuditEntry(time, action, actor, organization, target, origin, AuditOutcome.SUCCESS, details);
  }

  /** A refused call or a presented credential that did not work. */
  public static AuditEntry denied(Instant time, AuditAction action, String actor, Origin origin,
      String organization, String target, Map<String, String> details) {
    return new AuditEntry(time, action, actor, organization, target, origin, AuditOutcome.DENIED, details);
  }

  /** This entry with {@code key} set to {@code value} in its details. */
  public AuditEntry withDetail(String key, String value) {
    Map<String, String> more = new TreeMap<>(details);
    more.put(key, value);
    return new AuditEntry(time, action, actor, organization, target, origin, outcome, more);
  }
}
