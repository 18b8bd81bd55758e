package dev.tokenauthority.server.audit;

import dev.tokenauthority.server.background.Periodic;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.paging.PageToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the audit log for callers allowed to (admins everything, others their organisation, with
 * tokens:read), and prunes events past the configured retention, auditing each pruning.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final Duration PRUNE_EVERY = Duration.ofHours(1);

  private final AuditStore store;
  private final SecurityEvents securityEvents;
  private final Clock clock;
  private final Duration retention;
  private final Periodic pruner;

  /** @param retention how long events are kept; null keeps them for ever */
  public AuditLog(AuditStore store, SecurityEvents securityEvents, Clock clock, Duration retention) {
    this.store = store;
    this.securityEvents = securityEvents;
    this.clock = clock;
    this.retention = retention;
    if (retention == null) {
      this.pruner = null;
    } else {
      try {
        prune(); // at start, then hourly
      } catch (RuntimeException e) {
        log.warn("could not prune the audit log; will retry: {}", e.toString());
      }
      this.pruner = Periodic.every(
          "audit-retention", PRUNE_EVERY, PRUNE_EVERY, this::prune, log, "prune the audit log");
    }
  }

  /** One page of the events the caller may see that match {@code filter}, newest first. */
  public Page<AuditRecord> list(Caller caller, AuditFilter filter, int pageSize, String pageToken) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.TOKENS_READ);
    Violations v = new Violations();
    PageToken.checkPageSize(pageSize, v);
    if (!filter.organization().isEmpty()) {
      OrganizationAccess.checkOrganization(filter.organization(), "organization", v);
    }
    if (filter.start() != null && filter.end() != null && !filter.start().isBefore(filter.end())) {
      v.add("end_time", "FIELD_INVALID", "end_time must be after start_time");
    }
    v.throwIfAny();
    String org = OrganizationAccess.listOrganization(reach, filter.organization());
    AuditFilter scoped = filter.inOrganization(org == null ? "" : org);
    String after = PageToken.decodeText(pageToken, scoped.fingerprint());
    Long beforeId;
    try {
      beforeId = after == null ? null : Long.parseLong(after);
    } catch (NumberFormatException e) {
      throw InvalidArgumentException.of(
          "page_token", "INVALID_PAGE_TOKEN", "page_token is not one this server issued");
    }
    securityEvents.flush(); // what was refused a moment ago is already in the answer
    int limit = PageToken.limit(pageSize);
    return Page.of(store.list(scoped, beforeId, limit + 1), limit,
        e -> Long.toString(e.id()), scoped.fingerprint());
  }

  /** The event {@code id}, if the caller may see it. */
  public AuditRecord get(Caller caller, long id) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.TOKENS_READ);
    if (id <= 0) {
      throw InvalidArgumentException.of("id", "FIELD_REQUIRED", "id is required (a positive number)");
    }
    securityEvents.flush();
    return store.find(id)
        .filter(e -> reach == null || reach.equals(e.entry().organization()))
        .orElseThrow(() -> new NotFoundException("AUDIT_EVENT_NOT_FOUND", "audit event " + id + " not found"));
  }

  /** Deletes events older than the retention, recording that it did; returns how many. */
  public long prune() {
    if (retention == null) {
      return 0;
    }
    Instant now = clock.instant();
    Instant cutoff = now.minus(retention);
    long deleted = store.prune(cutoff, n -> AuditEntry.success(now, AuditAction.AUDIT_EVENTS_PRUNED,
        AuditEntry.SYSTEM, Origin.SERVER, "", "", Map.of(
            "deleted", Long.toString(n), "before", cutoff.toString(), "retention", retention.toString())));
    if (deleted > 0) {
      log.info("pruned {} audit events older than {}", deleted, cutoff);
    }
    return deleted;
  }

  @Override
  public void close() {
    if (pruner != null) {
      pruner.close();
    }
  }
}
