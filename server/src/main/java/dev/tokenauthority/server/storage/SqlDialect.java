package dev.tokenauthority.server.storage;

/**
 * The few places where SQLite and PostgreSQL need different SQL; everything else the stores say
 * is one text for both (ON CONFLICT, RETURNING, LIMIT, integer times and flags).
 */
public enum SqlDialect {
  SQLITE {
    @Override
    String contains(String column, String parameter) {
      return "instr(lower(" + column + "), lower(:" + parameter + ")) > 0";
    }

    @Override
    String latestRevocationSequence() {
      // AUTOINCREMENT's high-water mark outlives the rows retention deletes.
      return "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'revocation'), 0)";
    }
  },
  POSTGRESQL {
    @Override
    String contains(String column, String parameter) {
      return "strpos(lower(" + column + "), lower(:" + parameter + ")) > 0";
    }

    @Override
    String latestRevocationSequence() {
      return "SELECT last FROM revocation_counter";
    }

    @Override
    boolean numbersRevocationsAfterCommit() {
      return true;
    }
  };

  /**
   * Whether revocation rows are written without a sequence number and numbered after they
   * committed (PostgreSQL), rather than numbered by the one writer as they are written (SQLite).
   */
  boolean numbersRevocationsAfterCommit() {
    return false;
  }

  /** A condition: {@code column} contains the text bound to {@code parameter}, ignoring case. */
  abstract String contains(String column, String parameter);

  /** A query for the feed's latest sequence number, kept even when its rows were pruned. */
  abstract String latestRevocationSequence();
}
