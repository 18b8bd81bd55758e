package dev.tokenauthority.server.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every write on the single writer connection, committing the writes that queued up
 * meanwhile in one transaction: one fsync for the batch instead of one each. Each write runs in
 * its own SAVEPOINT, so one that fails is rolled back alone; each caller is answered only after
 * the shared COMMIT, so an acknowledged write is as durable as before.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
  private static final int MAX_BATCH = 64;

  private final Jdbi writer;
  private final StorageMonitor monitor;
  private final BlockingQueue<Write<?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong committed = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder transactions = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder transactionNanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder failedTransactions = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closed;

  GroupCommit(Jdbi writer, StorageMonitor monitor) {
    this.writer = writer;
    this.monitor = monitor;
    this.thread = new Thread(this::run, "sqlite-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code work} in a transaction (possibly shared) and returns once it is committed. */
  <T> T write(Function<Handle, T> work) {
    if (closed) {
      throw new IllegalStateException("the database is closed");
    }
    Write<T> w = new Write<>(work);
    queue.add(w);
    try {
      return w.done.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      // An Error inside a write (say a StackOverflowError) failed that write only.
      throw new StorageException("the write failed: " + e.getCause(), e.getCause());
    }
  }

  /** Writes committed since the database was opened. */
  long committed() {
    return committed.get();
  }

  /** Writes waiting for the writer thread (tests wait for a batch to form). */
  int queued() {
    return queue.size();
  }

  private void run() {
    List<Write<?>> batch = new ArrayList<>(MAX_BATCH);
    while (!closed || !queue.isEmpty()) {
      try {
        Write<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Throwable e) { // the thread must outlive anything: every caller waits on it
        batch.forEach(w -> w.done.completeExceptionally(e));
        log.error("the writer thread caught {}; it goes on", e.toString());
      } finally {
        batch.clear();
      }
    }
  }

  /** Transactions committed (each holds one or more writes), and the time they took in all. */
  long transactions() {
    return transactions.sum();
  }

  long transactionNanos() {
    return transactionNanos.sum();
  }

  /** Transactions whose commit failed (every write in them failed with it). */
  long failedTransactions() {
    return failedTransactions.sum();
  }

  private void commit(List<Write<?>> batch) {
    List<Object> results = new ArrayList<>(batch.size());
    long started = System.nanoTime();
    try {
      writer.useTransaction(h -> {
        for (int i = 0; i < batch.size(); i++) {
          String savepoint = "w" + i;
          h.savepoint(savepoint);
          try {
            results.add(batch.get(i).work.apply(h));
            h.releaseSavepoint(savepoint);
          } catch (RuntimeException | Error e) { // an Error too: it fails this write, not the writer
            try {
              h.rollbackToSavepoint(savepoint); // undoes this write only; COMMIT ends the savepoint
            } catch (RuntimeException rollbackFailed) {
              // SQLite rolled the whole transaction back itself (it does on a full disk or an I/O
              // error): every write of the batch is gone, and fails with the original cause.
              e.addSuppressed(rollbackFailed);
              throw e;
            }
            results.add(new Failed(e));
          }
        }
      });
    } catch (RuntimeException | Error e) { // the commit itself failed: nothing in the batch happened
      monitor.failed(e);
      failedTransactions.increment();
      log.warn("write transaction failed: {}", e.toString());
      batch.forEach(w -> w.done.completeExceptionally(e));
      return;
    }
    transactions.increment();
    transactionNanos.add(System.nanoTime() - started);
    for (int i = 0; i < batch.size(); i++) {
      if (!(results.get(i) instanceof Failed)) {
        committed.incrementAndGet();
      }
      batch.get(i).complete(results.get(i));
    }
  }

  /** Commits what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Failed(Throwable error) {}

  private static final class Write<T> {
    final Function<Handle, T> work;
    final CompletableFuture<T> done = new CompletableFuture<>();

    Write(Function<Handle, T> work) {
      this.work = work;
    }

    @SuppressWarnings("unchecked")
    void complete(Object result) {
      if (result instanceof Failed f) {
        done.completeExceptionally(f.error());
      } else {
        done.complete((T) result);
      }
    }
  }
}
