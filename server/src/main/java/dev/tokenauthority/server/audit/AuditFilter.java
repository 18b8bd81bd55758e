package dev.tokenauthority.server.audit;

import java.time.Instant;

/**
 * Which audit events a list asks for; empty strings and nulls match everything.
 *
 * @param start events at or after this time
 * @param end events before this time
 */
public record AuditFilter(
    String organization, String actor, String target, AuditAction action, Instant start, Instant end) {

  AuditFilter inOrganization(String organizationFilter) {
    return new AuditFilter(organizationFilter, actor, target, action, start, end);
  }

  /** A stable text of the filter, which a page token is bound to. */
  String fingerprint() {
    return String.join("\u0000", organization, actor, target, String.valueOf(action),
        String.valueOf(start), String.valueOf(end));
  }
}
