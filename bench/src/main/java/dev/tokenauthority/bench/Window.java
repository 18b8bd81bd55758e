package dev.tokenauthority.bench;

import org.HdrHistogram.Histogram;

/** One measured window: completed calls, failures, its length, and latencies in nanoseconds. */
record Window(long calls, long errors, long nanos, Histogram latency) {
  static Histogram histogram() {
    return new Histogram(60_000_000_000L, 3);
  }

  /** Windows of one scenario, added up (used when a scenario alternates with its baseline). */
  static Window sum(Iterable<Window> windows) {
    long calls = 0;
    long errors = 0;
    long nanos = 0;
    Histogram all = histogram();
    for (Window w : windows) {
      calls += w.calls;
      errors += w.errors;
      nanos += w.nanos;
      all.add(w.latency);
    }
    return new Window(calls, errors, nanos, all);
  }

  double qps() {
    return calls / (nanos / 1e9);
  }

  /** A latency percentile in microseconds. */
  double micros(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1_000.0;
  }
}
