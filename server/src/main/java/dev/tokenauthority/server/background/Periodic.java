package dev.tokenauthority.server.background;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A task the server runs every so often on a daemon thread of its own (writing last-use times,
 * security events, pruning). A failed run is logged and the next one tries again.
 */
public final class Periodic implements AutoCloseable {
  private final ScheduledExecutorService thread;

  private Periodic(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  /**
   * Runs {@code task} every {@code interval}, first after {@code initialDelay}.
   *
   * @param what what the task does, for the log line when it fails ("record last-use times")
   */
  public static Periodic every(String threadName, Duration initialDelay, Duration interval,
      Runnable task, Logger log, String what) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat(threadName).setDaemon(true).build());
    thread.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("could not {}; will retry: {}", what, e.toString());
      }
    }, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return new Periodic(thread);
  }

  /** Stops scheduling and waits up to five seconds for a run in progress to finish. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
