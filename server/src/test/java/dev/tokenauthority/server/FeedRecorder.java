package dev.tokenauthority.server;

import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Follows WatchRevocations and queues what arrives, for tests to take in order. */
public final class FeedRecorder implements AutoCloseable {
  private final BlockingQueue<WatchRevocationsResponse> messages = new LinkedBlockingQueue<>();
  private final AtomicReference<Throwable> error = new AtomicReference<>();
  private final Context.CancellableContext context = Context.current().withCancellation();

  private FeedRecorder(Channel channel, String secret, WatchRevocationsRequest request) {
    context.run(() -> TokenServiceGrpc.newStub(channel).withCallCredentials(Bearer.of(secret))
        .watchRevocations(request, new StreamObserver<>() {
          @Override
          public void onNext(WatchRevocationsResponse value) {
            messages.add(value);
          }

          @Override
          public void onError(Throwable t) {
            error.set(t);
          }

          @Override
          public void onCompleted() {
            error.set(new IllegalStateException("feed completed"));
          }
        }));
  }

  public static FeedRecorder follow(Channel channel, String secret, long epoch, long after) {
    return new FeedRecorder(channel, secret,
        WatchRevocationsRequest.newBuilder().setEpoch(epoch).setAfterSequence(after).build());
  }

  /** The next message of the kind wanted, skipping heartbeats unless asked for; null on timeout. */
  public WatchRevocationsResponse next(Duration timeout, WatchRevocationsResponse.EventCase wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      WatchRevocationsResponse m = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (m == null || m.getEventCase() == wanted) {
        return m;
      }
    }
  }

  public Throwable error() {
    return error.get();
  }

  @Override
  public void close() {
    context.cancel(null);
  }
}
