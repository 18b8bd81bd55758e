package dev.tokenauthority.server.storage;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Rows looked up by a unique key, the keys of concurrent callers sent in one statement
 * ({@code key = ANY(?)}): under load the cache misses of many calls share one round trip to
 * PostgreSQL instead of each paying its own (a wake-up of a database backend, a bind and execute,
 * a reply, on cores the replicas share). A caller waits for the batch its key went into. With no
 * other look-up under way a batch is that one key, sent at once; with every sender busy, the keys
 * that queue meanwhile go together in the next.
 */
final class BatchedPointQuery implements PointQuery {
  static final int MAX_BATCH = 64;
  private static final long WAIT_SECONDS = 35; // a little over the driver's socket timeout

  private final DataSource pool;
  private final String sql;
  private final String keyColumn;
  private final StorageMonitor monitor;
  private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
  private final List<Thread> senders = new ArrayList<>();
  private volatile boolean closed;

  /**
   * @param table the table whose rows are read whole
   * @param keyColumn a column with a unique index, bytea
   * @param senders how many batches may be under way at once (each holds a pooled connection)
   */
  BatchedPointQuery(DataSource pool, String table, String keyColumn, int senders, StorageMonitor monitor) {
    this.pool = pool;
    this.sql = "SELECT * FROM " + table + " WHERE " + keyColumn + " = ANY(?)";
    this.keyColumn = keyColumn;
    this.monitor = monitor;
    for (int i = 0; i < senders; i++) {
      Thread t = new Thread(this::send, "postgresql-lookup-" + table + "-" + i);
      t.setDaemon(true);
      t.start();
      this.senders.add(t);
    }
  }

  private static final class Request<T> {
    final byte[] key;
    final RowReader<T> reader;
    final CompletableFuture<Optional<T>> answer = new CompletableFuture<>();

    Request(byte[] key, RowReader<T> reader) {
      this.key = key.clone();
      this.reader = reader;
    }

    void answerFrom(ResultSet row) {
      try {
        answer.complete(Optional.of(reader.read(row)));
      } catch (Throwable e) { // this caller's reader failed: the others of the batch still get their rows
        answer.completeExceptionally(e);
      }
    }
  }

  @Override
  public <T> Optional<T> one(byte[] key, RowReader<T> reader) {
    Request<T> request = new Request<>(key, reader);
    queue.add(request);
    if (closed && queue.remove(request)) { // closed meanwhile: no sender will take it
      throw unreachable("the database is closed");
    }
    try {
      return request.answer.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof StorageException s ? s : new StorageException("look-up failed: " + cause, cause);
    } catch (TimeoutException e) {
      StorageException failure = unreachable("look-up got no answer from the database in " + WAIT_SECONDS + " s");
      monitor.failed(failure); // logged (once in a while) and counted, as the pool's failures are
      throw failure;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable("interrupted while looking up");
    }
  }

  /** A failure callers see as the database out of reach (UNAVAILABLE), not as a fault of theirs or ours. */
  private static StorageException unreachable(String why) {
    return new StorageException(why, new java.sql.SQLTransientConnectionException(why, "08006"));
  }

  /** The largest batch sent so far (how much sharing there was). */
  int largestBatch() {
    return largestBatch;
  }

  private volatile int largestBatch;

  private void send() {
    List<Request<?>> batch = new ArrayList<>(MAX_BATCH);
    while (!closed) {
      try {
        Request<?> first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        largestBatch = Math.max(largestBatch, batch.size());
        run(batch);
      } catch (InterruptedException e) {
        // close() interrupts; anything else must not end a sender for good
      } catch (Throwable e) { // an Error in a reader or the driver: its batch fails, the sender lives on
        StorageException failure = new StorageException("look-up failed: " + e, e);
        for (Request<?> r : batch) {
          r.answer.completeExceptionally(failure);
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void run(List<Request<?>> batch) {
    Map<ByteBuffer, List<Request<?>>> byKey = new HashMap<>();
    for (Request<?> r : batch) {
      byKey.computeIfAbsent(ByteBuffer.wrap(r.key), k -> new ArrayList<>(1)).add(r);
    }
    byte[][] keys = new byte[byKey.size()][];
    int i = 0;
    for (ByteBuffer k : byKey.keySet()) {
      keys[i++] = k.array();
    }
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, c.createArrayOf("bytea", keys));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          for (Request<?> r : byKey.getOrDefault(ByteBuffer.wrap(rs.getBytes(keyColumn)), List.of())) {
            r.answerFrom(rs);
          }
        }
      }
      for (Request<?> r : batch) {
        r.answer.complete(Optional.empty()); // no row: a no-op for those answered above
      }
    } catch (SQLException | RuntimeException e) {
      monitor.failed(e);
      StorageException failure = new StorageException("look-up failed: " + e.getMessage(), e);
      for (Request<?> r : batch) {
        r.answer.completeExceptionally(failure);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    senders.forEach(Thread::interrupt);
    StorageException failure = unreachable("the database is closed");
    for (Request<?> r; (r = queue.poll()) != null; ) {
      r.answer.completeExceptionally(failure);
    }
  }
}
