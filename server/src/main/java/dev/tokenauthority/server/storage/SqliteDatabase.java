package dev.tokenauthority.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One SQLite database file in WAL mode: a single writer connection (SQLite allows one writer at a
 * time, so more would only queue on its lock) that begins every transaction IMMEDIATE, and a few
 * read-only connections that never wait for it.
 */
public final class SqliteDatabase implements Database {
  private static final int READERS = 4;
  private static final int BUSY_TIMEOUT_MS = 5_000;
  private static final int CACHE_KIB = 16 * 1024;

  private final HikariDataSource writerPool;
  private final HikariDataSource readerPool;
  private final Jdbi writer;
  private final Jdbi reader;
  private final GroupCommit writes;
  private final SQLiteDataSource readOnly;
  private final List<PointQuery> pointQueries = new CopyOnWriteArrayList<>();
  private final StorageMonitor monitor = new StorageMonitor();
  private final Path file;

  private SqliteDatabase(Path file, HikariDataSource writerPool, HikariDataSource readerPool, SQLiteDataSource readOnly) {
    this.file = file;
    this.writerPool = writerPool;
    this.readerPool = readerPool;
    this.readOnly = readOnly;
    this.writer = monitored(Jdbi.create(writerPool));
    this.reader = monitored(Jdbi.create(readerPool));
    this.writes = new GroupCommit(writer, monitor);
  }

  /** Every failed statement is shown to the monitor, whichever store ran it. */
  private Jdbi monitored(Jdbi jdbi) {
    jdbi.setSqlLogger(new SqlLogger() {
      @Override
      public void logException(StatementContext context, SQLException ex) {
        monitor.failed(ex);
      }
    });
    return jdbi;
  }

  @Override
  public SqlDialect dialect() {
    return SqlDialect.SQLITE;
  }

  /** Where storage faults are reported (health listens). */
  @Override
  public StorageMonitor monitor() {
    return monitor;
  }

  /**
   * Opens (creating if absent) and migrates the database at {@code file}.
   *
   * @throws StorageException with an operator-readable message if the file is corrupt, not a
   *     database, or from a newer version of this server
   */
  public static SqliteDatabase open(Path file, Durability durability) {
    return open(file, durability, IntegrityCheck.QUICK);
  }

  /** As {@link #open(Path, Durability)}, checking the file's integrity as {@code integrity} says. */
  public static SqliteDatabase open(Path file, Durability durability, IntegrityCheck integrity) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create the data directory for " + file + ": " + e, e);
    }
    SQLiteDataSource writable = dataSource(file, durability, false);
    probe(file, writable);
    checkIntegrity(file, writable, integrity);
    migrate(file, writable);
    HikariDataSource writerPool = pool("sqlite-writer", writable, 1, false);
    try {
      SQLiteDataSource readOnly = dataSource(file, durability, true);
      return new SqliteDatabase(file, writerPool, pool("sqlite-reader", readOnly, READERS, true), readOnly);
    } catch (RuntimeException e) {
      writerPool.close();
      throw e;
    }
  }

  /** The writer connection, for direct use where no other write can be running (tests). */
  @Override
  public Jdbi writer() {
    return writer;
  }

  /**
   * Runs {@code work} in a write transaction on the one writer connection, possibly together with
   * other writes that queued meanwhile (group commit), and returns once it is durably committed.
   * If {@code work} throws, only its own changes are rolled back.
   */
  @Override
  public <T> T write(java.util.function.Function<org.jdbi.v3.core.Handle, T> work) {
    return writes.write(work);
  }

  /** Writes waiting for the single writer now. */
  @Override
  public int queuedWrites() {
    return writes.queued();
  }

  /** Write transactions committed so far (a group commit holds several writes). */
  @Override
  public long transactions() {
    return writes.transactions();
  }

  /** Write transactions that failed as a whole (a full disk, an I/O error). */
  @Override
  public long failedTransactions() {
    return writes.failedTransactions();
  }

  /** Seconds spent in committed write transactions so far, fsync included. */
  @Override
  public double transactionSeconds() {
    return writes.transactionNanos() / 1e9;
  }

  /** Bytes on disk: the database file and its write-ahead log. */
  @Override
  public long sizeBytes() {
    long total = 0;
    for (java.nio.file.Path p : java.util.List.of(file, java.nio.file.Path.of(file + "-wal"))) {
      try {
        total += java.nio.file.Files.size(p);
      } catch (java.io.IOException e) {
        // no WAL yet, or removed at a checkpoint
      }
    }
    return total;
  }

  /** Writes committed since this database was opened (tests check what does not write). */
  @Override
  public long committedWrites() {
    return writes.committed();
  }

  /** Runs reads; each statement sees the latest committed state. */
  @Override
  public Jdbi reader() {
    return reader;
  }

  /** Prepared on {@code READERS} read-only connections of its own; closed with the database. */
  @Override
  public PointQuery rowByKey(String table, String keyColumn) {
    return pointQuery("SELECT * FROM " + table + " WHERE " + keyColumn + " = ?", READERS);
  }

  /** On read-only connections of its own (a less frequent read needs fewer); closed with the database. */
  @Override
  public PointQuery pointQuery(String sql, int connections) {
    PointQuery query = new PreparedPointQuery(readOnly, sql, connections, monitor);
    pointQueries.add(query);
    return query;
  }

  @Override
  public void close() {
    writes.close();
    pointQueries.forEach(PointQuery::close);
    readerPool.close();
    writerPool.close();
  }

  private static SQLiteDataSource dataSource(Path file, Durability durability, boolean readOnly) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setCacheSize(-CACHE_KIB);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    config.enforceForeignKeys(true);
    config.setSynchronous(durability == Durability.FULL
        ? SQLiteConfig.SynchronousMode.FULL
        : SQLiteConfig.SynchronousMode.NORMAL);
    if (readOnly) {
      // No memory map (mmap_size stays 0): a file truncated under a mapping raises SIGBUS inside
      // SQLite, which kills the whole JVM. Read through the OS page cache instead, where damage
      // comes back as an error code.
      config.setReadOnly(true);
    } else {
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // Take the write lock at BEGIN, so a transaction never fails half-way on a lock upgrade.
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    }
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }

  private static HikariDataSource pool(String name, SQLiteDataSource ds, int size, boolean readOnly) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setDataSource(ds);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setReadOnly(readOnly); // must match the SQLite open flags, which cannot change later
    config.setConnectionTimeout(30_000);
    return new HikariDataSource(config);
  }

  /** Reads the header once, so a corrupt or foreign file fails here with a clear message. */
  private static void probe(Path file, SQLiteDataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("PRAGMA schema_version");
    } catch (SQLException e) {
      throw describe(file, e);
    }
  }

  /**
   * Reads every page (QUICK: SQLite's quick_check, which skips index-to-table cross checks), so a
   * truncated or damaged file stops the server at start with a clear message rather than
   * answering errors later.
   */
  private static void checkIntegrity(Path file, SQLiteDataSource ds, IntegrityCheck integrity) {
    if (integrity == IntegrityCheck.OFF) {
      return;
    }
    String pragma = integrity == IntegrityCheck.FULL ? "PRAGMA integrity_check(5)" : "PRAGMA quick_check(5)";
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(pragma)) {
      List<String> problems = new java.util.ArrayList<>();
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
      if (!problems.equals(List.of("ok"))) {
        throw new StorageException(file + " failed its integrity check (" + String.join("; ", problems)
            + "); restore it from a backup, or start with --integrity-check off to inspect it");
      }
    } catch (SQLException e) {
      throw describe(file, e);
    }
  }

  private static void migrate(Path file, SQLiteDataSource ds) {
    Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
    try {
      MigrationInfo[] future = Arrays.stream(flyway.info().applied())
          .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS
              || m.getState() == MigrationState.FUTURE_FAILED)
          .toArray(MigrationInfo[]::new);
      if (future.length > 0) {
        throw new StorageException("database " + file + " has schema version "
            + future[future.length - 1].getVersion()
            + ", newer than this server understands; run the newer server or restore a backup");
      }
      flyway.migrate();
    } catch (FlywayException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SQLException sql) {
          throw describe(file, sql);
        }
      }
      throw new StorageException("cannot migrate database " + file + ": " + e.getMessage(), e);
    }
  }

  private static StorageException describe(Path file, SQLException e) {
    if (e instanceof SQLiteException se
        && (se.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB
            || se.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT)) {
      return new StorageException(file + " is not a usable SQLite database (corrupt, or not a"
          + " database file); restore it from a backup or choose another --data-dir", e);
    }
    return new StorageException("cannot open database " + file + ": " + e.getMessage(), e);
  }
}
