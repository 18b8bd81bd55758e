package dev.tokenauthority.server.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The audit log: the filters as given, one page of events, the link to the next; or one event
 * ({@code detail}, with its fields in order).
 */
public record AuditPage(String csrf, String who, Map<String, String> filters, List<String> actions, List<Row> rows,
    String nextPageLink, String message, Map<String, String> detail) {
  /** One event, every cell already text. */
  public record Row(long id, String time, String action, String outcome, String actor, String organization,
      String target) {}

  public String filter(String name) {
    return filters.getOrDefault(name, "");
  }
}
