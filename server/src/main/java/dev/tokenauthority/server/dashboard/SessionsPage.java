package dev.tokenauthority.server.dashboard;

import java.util.List;

/** The signed-in person's live sessions (signed-in devices), each of which they may end. */
public record SessionsPage(String csrf, String who, List<Row> rows, String message) {
  /** One session; {@code current} for the one this browser holds. */
  public record Row(String id, String method, String peer, String created, String lastRefresh, boolean current) {}
}
