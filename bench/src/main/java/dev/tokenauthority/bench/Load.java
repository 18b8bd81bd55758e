package dev.tokenauthority.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;

/** Drives calls against a server: closed loop (fixed concurrency) or open loop (fixed rate). */
final class Load {
  /** Starts one asynchronous call; the future fails if the call (or its answer) was wrong. */
  interface Call {
    ListenableFuture<?> fire(Channel channel, long sequence);
  }

  private Load() {}

  /**
   * {@code channels} × {@code outstanding} calls always in flight: each completion fires the next.
   * Latency is from send to answer; the first {@code warmup} is not counted.
   */
  static Window closedLoop(List<? extends Channel> channels, int outstanding, Duration warmup, Duration measure, Call call)
      throws InterruptedException {
    AtomicLong sequence = new AtomicLong();
    List<Starter> slots = new java.util.ArrayList<>();
    for (Channel channel : channels) {
      for (int i = 0; i < outstanding; i++) {
        slots.add(done -> whenDone(call.fire(channel, sequence.getAndIncrement()), done));
      }
    }
    return closedLoop(slots, warmup, measure);
  }

  /** Starts one request and tells {@code done}, once, whether it succeeded. */
  interface Starter {
    void start(Consumer<Boolean> done);
  }

  /** The closed loop itself, whatever the requests are (gRPC calls, HTTP requests): one slot each. */
  static Window closedLoop(List<Starter> slots, Duration warmup, Duration measure) throws InterruptedException {
    Recorder recorder = new Recorder(60_000_000_000L, 3);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch drained = new CountDownLatch(slots.size());
    for (Starter slot : slots) {
      new Runnable() {
        @Override
        public void run() {
          if (!running.get()) {
            drained.countDown();
            return;
          }
          long start = System.nanoTime();
          slot.start(ok -> {
            recorder.recordValue(System.nanoTime() - start);
            calls.incrementAndGet();
            if (!ok) {
              errors.incrementAndGet();
            }
            run(); // the next call of this slot
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

  /**
   * Calls at a fixed {@code rate} per second whatever the answers do. Latency is counted from when
   * each call was due, so a stalled server shows as latency instead of hiding as fewer calls
   * (no coordinated omission).
   */
  static Window openLoop(List<? extends Channel> channels, double rate, Duration warmup, Duration measure, Call call)
      throws InterruptedException {
    Recorder recorder = new Recorder(60_000_000_000L, 3);
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    long interval = (long) (1e9 / rate);
    long begin = System.nanoTime();
    long measureFrom = begin + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    long due = begin;
    for (long i = 0; due < end; i++, due = begin + i * interval) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long intended = due;
      boolean counted = intended >= measureFrom;
      inFlight.incrementAndGet();
      whenDone(call.fire(channels.get((int) (i % channels.size())), i), ok -> {
        if (counted) {
          recorder.recordValue(System.nanoTime() - intended);
          calls.incrementAndGet();
          if (!ok) {
            errors.incrementAndGet();
          }
        }
        inFlight.decrementAndGet();
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return new Window(calls.get(), errors.get(), measure.toNanos(), recorder.getIntervalHistogram());
  }

  /** Runs {@code done} with whether the call succeeded, on the thread that completed it. */
  private static void whenDone(ListenableFuture<?> call, Consumer<Boolean> done) {
    Futures.addCallback(call, new FutureCallback<Object>() {
      @Override
      public void onSuccess(Object result) {
        done.accept(true);
      }

      @Override
      public void onFailure(Throwable t) {
        done.accept(false);
      }
    }, MoreExecutors.directExecutor());
  }
}
