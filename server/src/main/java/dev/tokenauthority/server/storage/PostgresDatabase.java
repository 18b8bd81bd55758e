package dev.tokenauthority.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * One PostgreSQL database shared by any number of replicas. Every write transaction runs at
 * SERIALIZABLE isolation: PostgreSQL then guarantees that the outcome is one some order of the
 * transactions one at a time would give, which is what SQLite's single writer gave by
 * construction, so every check-then-write of the stores (one winner of concurrent rotations, the
 * personal-token limit, one bootstrap token) holds across replicas too. A transaction the database
 * refuses as in conflict (SQLSTATE 40001, or a deadlock, 40P01) is run again, a few times, after a
 * short random pause.
 */
public final class PostgresDatabase implements Database {
  /**
   * Connections for reads, and for write transactions: 24 a replica (25 with the one listening
   * for the feed), 75 for three; PostgreSQL allows 100 by default. Writes are CPU-bound in the
   * replica here, not waiting for connections (12 and 20 measured the same).
   */
  private static final int READ_POOL = 12;
  private static final int WRITE_POOL = 12;
  private static final int ATTEMPTS = 16;

  private final HikariDataSource pool;
  private final HikariDataSource writes;
  private final Jdbi jdbi;
  private final Jdbi writeJdbi;
  private final StorageMonitor monitor = new StorageMonitor();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();

  private final PostgresSettings settings;
  private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private PostgresDatabase(HikariDataSource pool, HikariDataSource writes, PostgresSettings settings) {
    this.pool = pool;
    this.writes = writes;
    this.settings = settings;
    this.jdbi = Jdbi.create(pool);
    this.writeJdbi = Jdbi.create(writes);
    SqlLogger faults = new SqlLogger() {
      @Override
      public void logException(StatementContext context, SQLException ex) {
        if (!conflict(ex)) {
          monitor.failed(ex);
        }
      }
    };
    jdbi.setSqlLogger(faults);
    writeJdbi.setSqlLogger(faults);
  }

  /**
   * Connects to and migrates the database {@code settings} names.
   *
   * @throws StorageException with an operator-readable message if it cannot be reached or migrated
   */
  public static PostgresDatabase open(PostgresSettings settings) {
    HikariDataSource pool = pool(settings, "postgresql", READ_POOL, null);
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").load().migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new StorageException("cannot migrate the PostgreSQL database at " + settings + ": "
          + rootMessage(e), e);
    }
    // Write transactions get connections that start SERIALIZABLE: asking for the level on each
    // transaction cost two statements more (setting it, and the pool setting it back).
    try {
      return new PostgresDatabase(pool, pool(settings, "postgresql-writes", WRITE_POOL, "TRANSACTION_SERIALIZABLE"),
          settings);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static HikariDataSource pool(PostgresSettings settings, String name, int size, String isolation) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(settings.url());
    if (settings.user() != null && !settings.user().isEmpty()) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null && !settings.password().isEmpty()) {
      config.setPassword(settings.password());
    }
    config.setMaximumPoolSize(size);
    if (isolation != null) {
      config.setTransactionIsolation(isolation);
    }
    config.setConnectionTimeout(5_000);
    config.setValidationTimeout(2_000);
    // Start even when the database is down for a moment; the first write says so.
    config.setInitializationFailTimeout(-1);
    config.addDataSourceProperty("connectTimeout", "5");
    config.addDataSourceProperty("socketTimeout", "30");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    return new HikariDataSource(config);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Override
  public SqlDialect dialect() {
    return SqlDialect.POSTGRESQL;
  }

  @Override
  public StorageMonitor monitor() {
    return monitor;
  }

  @Override
  public <T> T write(Function<Handle, T> work) {
    waiting.incrementAndGet();
    try {
      for (int attempt = 1; ; attempt++) {
        long t0 = System.nanoTime();
        try {
          T result = writeJdbi.inTransaction(work::apply); // SERIALIZABLE: the pool's connections start so
          nanos.addAndGet(System.nanoTime() - t0);
          committed.incrementAndGet();
          return result;
        } catch (JdbiException e) {
          if (conflict(e) && attempt < ATTEMPTS) {
            pause(attempt);
            continue;
          }
          failed.incrementAndGet();
          throw new StorageException("the write failed: " + rootMessage(e), e);
        }
      }
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** Whether {@code e} is the database refusing a transaction for a conflict (worth running again). */
  private static boolean conflict(Throwable e) {
    return StorageFault.of(e).filter(StorageFault.CONFLICT::equals).isPresent();
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L << Math.min(attempt, 7))); // at most 256 ms
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while retrying a write", e);
    }
  }

  @Override
  public Jdbi reader() {
    return jdbi;
  }

  @Override
  public Jdbi writer() {
    return jdbi;
  }

  @Override
  public PointQuery pointQuery(String sql, int connections) {
    // Through the read pool, whatever {@code connections} says: the driver prepares a statement
    // on the server after a few uses of it on a connection, and a connection cut and restored
    // heals by itself.
    return new PointQuery() {
      @Override
      public <T> Optional<T> one(byte[] key, RowReader<T> reader) {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
          s.setBytes(1, key);
          try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
          }
        } catch (SQLException e) {
          monitor.failed(e);
          throw new StorageException("look-up failed: " + e.getMessage(), e);
        }
      }

      @Override
      public void close() {
        // the pool closes with the database
      }
    };
  }

  /**
   * Batched: concurrent misses share a statement. Two batches at most are under way at once,
   * which leaves the rest of the read pool to scans, the feed and the rate buckets.
   */
  @Override
  public PointQuery rowByKey(String table, String keyColumn) {
    BatchedPointQuery query = new BatchedPointQuery(pool, table, keyColumn, LOOKUP_SENDERS, monitor);
    lookups.add(query);
    return query;
  }

  private static final int LOOKUP_SENDERS = 2;
  private final java.util.List<BatchedPointQuery> lookups = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public int queuedWrites() {
    return waiting.get();
  }

  @Override
  public long transactions() {
    return committed.get();
  }

  @Override
  public long failedTransactions() {
    return failed.get();
  }

  @Override
  public double transactionSeconds() {
    return nanos.get() / 1e9;
  }

  @Override
  public long sizeBytes() {
    return jdbi.withHandle(h -> h.createQuery("SELECT pg_database_size(current_database())").mapTo(Long.class).one());
  }

  @Override
  public long committedWrites() {
    return committed.get();
  }

  @Override
  public dev.tokenauthority.server.quota.RateBuckets rateBuckets() {
    PostgresRateBuckets shared = rateBuckets;
    if (shared == null) {
      synchronized (this) {
        if (rateBuckets == null) {
          rateBuckets = new PostgresRateBuckets(pool);
          // Full buckets' rows are deleted a minute after they refilled: distinct keys cannot pile up.
          Listener.startDaemon("bucket-cleaner", () -> {
            while (!closed) {
              sleepQuietly(60_000);
              try {
                while (!closed && rateBuckets.removeExpired(1_000) == 1_000) {
                  // more to delete
                }
              } catch (RuntimeException e) {
                monitor.failed(e);
              }
            }
          });
        }
        shared = rateBuckets;
      }
    }
    return shared;
  }

  private volatile PostgresRateBuckets rateBuckets;

  @Override
  public void listen(String channel, Runnable onNotify) {
    Listener l = new Listener(channel, onNotify);
    listeners.add(l);
    l.start();
  }

  /**
   * A connection of its own that LISTENs on a channel and runs a callback for each burst of
   * notifications; when the connection breaks it connects again (every second), running the
   * callback once connected, since signals sent meanwhile were lost.
   */
  private final class Listener extends Thread {
    private final String channel;
    private final Runnable onNotify;
    private volatile Connection connection;

    static void startDaemon(String name, Runnable work) {
      Thread t = new Thread(work, name);
      t.setDaemon(true);
      t.start();
    }

    Listener(String channel, Runnable onNotify) {
      super("postgresql-listen-" + channel);
      setDaemon(true);
      this.channel = channel;
      this.onNotify = onNotify;
    }

    @Override
    public void run() {
      while (!closed) {
        try (Connection c = java.sql.DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
          connection = c;
          try (java.sql.Statement s = c.createStatement()) {
            s.execute("LISTEN " + channel);
          }
          onNotify.run(); // catch up on whatever was signalled while not listening
          org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
          while (!closed) {
            org.postgresql.PGNotification[] got = pg.getNotifications(1_000);
            if (got != null && got.length > 0) {
              onNotify.run();
            }
          }
        } catch (SQLException | RuntimeException e) {
          if (!closed) {
            monitor.failed(e);
            sleepQuietly(1_000);
          }
        }
      }
    }

    void shut() {
      Connection c = connection;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      interrupt();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    listeners.forEach(Listener::shut);
    lookups.forEach(BatchedPointQuery::close);
    writes.close();
    pool.close();
  }
}
