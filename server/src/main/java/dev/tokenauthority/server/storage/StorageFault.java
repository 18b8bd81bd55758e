package dev.tokenauthority.server.storage;

import java.sql.SQLException;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What went wrong with the storage itself, as opposed to a bug: the caller's request was fine,
 * the server cannot serve it now. Each becomes UNAVAILABLE with its reason.
 */
public enum StorageFault {
  /** The database file is damaged (truncated, overwritten): an operator must restore it. */
  CORRUPT("STORAGE_CORRUPT", "the database is damaged; the operator must restore it from a backup", true),
  /** The disk (or the database's size limit) is full: writes fail until space is freed. */
  FULL("STORAGE_FULL", "the database's disk is full; nothing was written, try again later", false),
  /** The file cannot be written (read-only mount, immutable file, permissions). */
  READ_ONLY("STORAGE_READ_ONLY", "the database cannot be written; nothing was written", false),
  /** Reading or writing the file failed. */
  IO_ERROR("STORAGE_IO_ERROR", "the database could not be read or written; try again later", true),
  /** A connection to the file could not be opened (often passing: out of file descriptors). */
  CANNOT_OPEN("STORAGE_UNREACHABLE", "the database could not be opened just now; try again later", false),
  /** The PostgreSQL server cannot be reached (network cut, restart, too many connections): it passes. */
  UNREACHABLE("DATABASE_UNREACHABLE", "the database cannot be reached just now; try again shortly", false),
  /** Concurrent writes kept conflicting (PostgreSQL, SERIALIZABLE) after every retry: try again. */
  CONFLICT("WRITE_CONFLICT", "concurrent changes kept conflicting with this one; nothing was written, try again", false);

  private final String reason;
  private final String message;
  private final boolean takesServerOutOfService;

  StorageFault(String reason, String message, boolean takesServerOutOfService) {
    this.reason = reason;
    this.message = message;
    this.takesServerOutOfService = takesServerOutOfService;
  }

  /** The ErrorInfo reason, e.g. {@code STORAGE_FULL}. */
  public String reason() {
    return reason;
  }

  /** What a caller reads: no file names, no SQL. */
  public String message() {
    return message;
  }

  /** Whether health should say NOT_SERVING: the damage will not pass by itself. */
  public boolean takesServerOutOfService() {
    return takesServerOutOfService;
  }

  /** The fault behind {@code failure}, if it is one (looked for along its causes). */
  public static Optional<StorageFault> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException
          || t instanceof SQLException s && s.getSQLState() != null && (s.getSQLState().startsWith("08")
              || s.getSQLState().startsWith("57P") || s.getSQLState().equals("53300"))) {
        return Optional.of(UNREACHABLE); // a connection failed, the server is shutting down, or it is full
      }
      if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
        return Optional.of(CONFLICT);
      }
      if (t instanceof SQLiteException e) {
        Optional<StorageFault> fault = of(e.getResultCode());
        if (fault.isPresent()) {
          return fault;
        }
      } else if (t instanceof SQLException e && e.getErrorCode() != 0) {
        // Without the extended code (e.g. a wrapped driver exception): the primary code is enough.
        Optional<StorageFault> fault = of(SQLiteErrorCode.getErrorCode(e.getErrorCode()));
        if (fault.isPresent()) {
          return fault;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  private static Optional<StorageFault> of(SQLiteErrorCode code) {
    if (code == null) {
      return Optional.empty();
    }
    int primary = code.code & 0xff;
    return switch (primary) {
      case 11, 26 -> Optional.of(CORRUPT); // SQLITE_CORRUPT, SQLITE_NOTADB
      case 13 -> Optional.of(FULL); // SQLITE_FULL
      case 8 -> Optional.of(READ_ONLY); // SQLITE_READONLY
      case 10 -> Optional.of(IO_ERROR); // SQLITE_IOERR
      case 14 -> Optional.of(CANNOT_OPEN); // SQLITE_CANTOPEN: out of descriptors, say; it passes
      default -> Optional.empty();
    };
  }
}
