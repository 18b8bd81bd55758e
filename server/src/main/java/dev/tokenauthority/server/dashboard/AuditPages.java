package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.AuditFilter;
import dev.tokenauthority.server.audit.AuditRecord;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.paging.Page;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The audit log: filter by action, actor, target and time; pages; one event in full. */
final class AuditPages extends PageSupport {
  private static final List<String> ACTIONS = Arrays.stream(AuditAction.values())
      .map(a -> a.name().toLowerCase(Locale.ROOT)).toList();

  AuditPages(PageSupport shared) {
    super(shared);
  }

  void list(Context ctx) {
    signedInOr(ctx, "/dashboard/audit", caller -> {
      Map<String, String> filters = new LinkedHashMap<>();
      String action = param(ctx, "action", 100);
      filters.put("action", ACTIONS.contains(action) ? action : "");
      filters.put("actor", param(ctx, "actor", 200).strip());
      filters.put("target", param(ctx, "target", 200).strip());
      filters.put("from", param(ctx, "from", 30).strip());
      filters.put("to", param(ctx, "to", 30).strip());
      Instant from;
      Instant to;
      try {
        from = time(filters.get("from"));
        to = time(filters.get("to"));
      } catch (DateTimeParseException e) {
        show(ctx, 400, caller, filters, List.of(), null, "Give times as YYYY-MM-DDTHH:MM (UTC).");
        return;
      }
      AuditFilter filter = new AuditFilter("", filters.get("actor"), filters.get("target"),
          filters.get("action").isEmpty() ? null : AuditAction.valueOf(filters.get("action").toUpperCase(Locale.ROOT)),
          from, to);
      Page<AuditRecord> page;
      try {
        page = authority.auditLog().list(caller, filter, 50, param(ctx, "page", 1000));
      } catch (TokenAuthorityException e) {
        show(ctx, e instanceof PermissionDeniedException ? 403 : 400, caller, filters, List.of(), null, e.getMessage());
        return;
      }
      StringBuilder next = new StringBuilder("/dashboard/audit?");
      filters.forEach((k, v) -> next.append(k).append('=').append(enc(v)).append('&'));
      show(ctx, 200, caller, filters, page.items().stream().map(AuditPages::row).toList(),
          page.nextPageToken().isEmpty() ? null : next + "page=" + enc(page.nextPageToken()), null);
    });
  }

  void detail(Context ctx) {
    signedInOr(ctx, "/dashboard/audit", caller -> {
      AuditRecord r;
      try {
        r = authority.auditLog().get(caller, Long.parseLong(ctx.pathParam("id")));
      } catch (NumberFormatException | TokenAuthorityException e) {
        ctx.status(404).contentType("text/plain; charset=utf-8").result("No audit event you may see has that id.");
        return;
      }
      AuditEntry e = r.entry();
      Map<String, String> detail = new LinkedHashMap<>();
      detail.put("Event", String.valueOf(r.id()));
      detail.put("Time", DATE_TIME.format(e.time()));
      detail.put("Action", e.action().name().toLowerCase(Locale.ROOT));
      detail.put("Outcome", e.outcome().name().toLowerCase(Locale.ROOT));
      detail.put("Actor", dash(e.actor()));
      detail.put("Organisation", dash(e.organization()));
      detail.put("Target", dash(e.target()));
      detail.put("Request", dash(e.origin().requestId()));
      detail.put("From", dash(e.origin().peer()));
      new TreeMap<>(e.details()).forEach((k, v) -> detail.put(k, v));
      render(ctx, 200, "dashboard/audit-event.jte", new AuditPage(Csrf.token(ctx, secure), who(caller), Map.of(),
          List.of(), List.of(row(r)), null, null, detail));
    });
  }

  private void show(Context ctx, int status, Caller caller, Map<String, String> filters, List<AuditPage.Row> rows,
      String next, String message) {
    render(ctx, status, "dashboard/audit.jte", new AuditPage(Csrf.token(ctx, secure), who(caller), filters,
        ACTIONS, rows, next, message, Map.of()));
  }

  /** A time from a datetime-local field, read as UTC; null when empty. */
  private static Instant time(String text) {
    if (text.isEmpty()) {
      return null;
    }
    LocalDateTime t = LocalDateTime.parse(text);
    if (t.getYear() < 1970 || t.getYear() > 9999) {
      throw new DateTimeParseException("a year from 1970 to 9999", text, 0);
    }
    return t.toInstant(ZoneOffset.UTC);
  }

  private static AuditPage.Row row(AuditRecord r) {
    AuditEntry e = r.entry();
    return new AuditPage.Row(r.id(), DATE_TIME.format(e.time()), e.action().name().toLowerCase(Locale.ROOT),
        e.outcome().name().toLowerCase(Locale.ROOT), dash(e.actor()), dash(e.organization()), dash(e.target()));
  }
}
