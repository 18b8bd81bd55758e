package dev.tokenauthority.client;

import dev.tokenauthority.api.ScopeRules;
import dev.tokenauthority.api.v1.InactiveReason;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** What the authority said about one token, independent of the scopes a caller needs. */
record Answer(boolean active, Principal principal, InactiveReason reason, Instant cacheUntil,
    CheckResult settled) {
  /**
   * @param settled the result when no scope is missing (for an inactive answer, the only one),
   *     made once here so that a cached check that passes allocates nothing
   */
  Answer(boolean active, Principal principal, InactiveReason reason, Instant cacheUntil) {
    this(active, principal, reason, cacheUntil, active
        ? new CheckResult(true, true, principal, List.of(), InactiveReason.INACTIVE_REASON_UNSPECIFIED)
        : CheckResult.inactive(reason));
  }

  static Answer inactive(InactiveReason reason) {
    return new Answer(false, null, reason, null);
  }

  /** This answer judged against the scopes one request needs. */
  CheckResult against(Collection<String> requiredScopes) {
    if (!active) {
      return settled;
    }
    List<String> missing = ScopeRules.missing(principal.scopes(), requiredScopes);
    return missing.isEmpty() ? settled
        : new CheckResult(true, false, principal, missing, InactiveReason.INACTIVE_REASON_UNSPECIFIED);
  }
}
