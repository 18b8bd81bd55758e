package dev.tokenauthority.server.storage;

import java.nio.file.Path;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The database the stores share: reads, and write transactions that behave as if they ran one at
 * a time. On SQLite they do (one writer connection, group commit); on PostgreSQL they run at
 * SERIALIZABLE isolation and are retried when the database finds them in conflict, so that every
 * check-then-write a store makes holds there as it does on SQLite, across replicas too.
 */
public interface Database extends AutoCloseable {
  /** Opens (creating if absent) and migrates the SQLite database at {@code file}. */
  static SqliteDatabase open(Path file, Durability durability) {
    return SqliteDatabase.open(file, durability);
  }

  static SqliteDatabase open(Path file, Durability durability, IntegrityCheck integrity) {
    return SqliteDatabase.open(file, durability, integrity);
  }

  /** Which SQL this database speaks where the two differ. */
  SqlDialect dialect();

  /** Where storage faults are reported (health listens). */
  StorageMonitor monitor();

  /**
   * Runs {@code work} in a write transaction and returns once it is durably committed. If {@code
   * work} throws, its changes are rolled back. {@code work} may run more than once (a retried
   * conflict), so it must not have effects outside the transaction.
   */
  <T> T write(Function<Handle, T> work);

  /** Runs reads; each statement sees the latest committed state. */
  Jdbi reader();

  /** Direct access for tests and start-up, where no other write can be running. */
  Jdbi writer();

  /**
   * {@code sql}, a read by one key given as its only parameter, prepared once per connection, on
   * {@code connections} connections where the database keeps them per query (SQLite).
   */
  PointQuery pointQuery(String sql, int connections);

  /**
   * The whole row of {@code table} whose {@code keyColumn} (unique) equals the key: the hottest
   * read, a token by its secret's hash. It lasts as long as the database.
   */
  PointQuery rowByKey(String table, String keyColumn);

  /** Writes waiting for a connection now. */
  int queuedWrites();

  /** Write transactions committed so far. */
  long transactions();

  /** Write transactions that failed as a whole. */
  long failedTransactions();

  /** Seconds spent in committed write transactions so far. */
  double transactionSeconds();

  /** Bytes the database takes on disk (-1 where unknown). */
  long sizeBytes();

  /** Writes committed since the database was opened. */
  long committedWrites();

  /**
   * Runs {@code onNotify} whenever another connection (another replica) signals {@code channel},
   * until the database closes. Only PostgreSQL has such signals (LISTEN/NOTIFY); a database only
   * one process writes needs none.
   */
  default void listen(String channel, Runnable onNotify) {}

  /** Where rate limits keep their buckets: shared by replicas on PostgreSQL, this process's memory on SQLite. */
  default dev.tokenauthority.server.quota.RateBuckets rateBuckets() {
    return dev.tokenauthority.server.quota.RateBuckets.inMemory();
  }

  @Override
  void close();
}
