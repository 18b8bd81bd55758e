package dev.tokenauthority.client;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or time runs out; returns how long it took. */
public final class Await {
  private Await() {}

  public static Duration until(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + limit);
      }
      Thread.sleep(5);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
