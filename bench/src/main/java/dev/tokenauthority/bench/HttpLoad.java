package dev.tokenauthority.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Recorder;

/** The closed loop of {@link Load}, for HTTP requests: {@code outstanding} always in flight. */
final class HttpLoad {
  private HttpLoad() {}

  /** Latency from send to answer; answers other than {@code expected} count as errors. */
  static Window closedLoop(HttpClient client, int outstanding, Duration warmup, Duration measure,
      Supplier<HttpRequest> request, int expected) throws InterruptedException {
    Recorder recorder = new Recorder(60_000_000_000L, 3);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch drained = new CountDownLatch(outstanding);
    for (int i = 0; i < outstanding; i++) {
      new Runnable() {
        @Override
        public void run() {
          if (!running.get()) {
            drained.countDown();
            return;
          }
          long start = System.nanoTime();
          client.sendAsync(request.get(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            recorder.recordValue(System.nanoTime() - start);
            calls.incrementAndGet();
            if (e != null || r.statusCode() != expected) {
              errors.incrementAndGet();
            }
            run(); // the next request of this slot
          });
        }
      }.run();
    }
    Thread.sleep(warmup.toMillis());
    recorder.reset();
    calls.set(0);
    errors.set(0);
    long start = System.nanoTime();
    Thread.sleep(measure.toMillis());
    long nanos = System.nanoTime() - start;
    Window window = new Window(calls.get(), errors.get(), nanos, recorder.getIntervalHistogram());
    running.set(false);
    drained.await(30, TimeUnit.SECONDS);
    return window;
  }
}
