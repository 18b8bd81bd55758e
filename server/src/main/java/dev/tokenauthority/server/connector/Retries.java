package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.error.AbortedException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Optimistic changes to one connector: each attempt reads the connector, works out the change,
 * and commits it only if the connector's version is still the one read. An attempt that lost the
 * race answers empty and is tried again, up to {@link #ATTEMPTS} times, then ABORTED.
 */
final class Retries {
  /** Tries at a change that races others on one connector before answering ABORTED. */
  static final int ATTEMPTS = 24;

  private Retries() {}

  static <T> T untilCommitted(String organization, String slug, Supplier<Optional<T>> attempt) {
    for (int n = 1; ; n++) {
      Optional<T> committed = attempt.get();
      if (committed.isPresent()) {
        return committed.get();
      }
      if (n == ATTEMPTS) {
        throw new AbortedException("CONCURRENT_CHANGE", "connector " + organization + "/" + slug
            + " kept changing while this call ran; try again");
      }
      backOff(n);
    }
  }

  /** A short, random and growing pause, so that the racers do not collide again in step. */
  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2 + 4L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AbortedException("CONCURRENT_CHANGE", "interrupted while retrying; try again");
    }
  }
}
