package dev.tokenauthority.server.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** How the stores keep a few kinds of value in columns, read back the same way by each. */
final class Columns {
  private Columns() {}

  /** A nullable epoch-millisecond column as an instant (null stays null). */
  static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  /** A space-separated list column (scopes aside: {@code ScopeSet} has its own encoding). */
  static List<String> words(String text) {
    return text == null || text.isEmpty() ? List.of() : List.of(text.split(" "));
  }
}
