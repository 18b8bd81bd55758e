package dev.tokenauthority.client;

import com.google.protobuf.ByteString;
import dev.tokenauthority.api.v1.RevocationFeedStart;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows {@code WatchRevocations}: evicts revoked and narrowed tokens from the cache as they arrive, drops the
 * cache when the server says so, and reconnects with exponential backoff, resuming after the last
 * sequence it saw. It is "live" while messages (heartbeats included) keep arriving.
 */
final class RevocationWatcher implements AutoCloseable {
  private static final Logger log = Logger.getLogger(RevocationWatcher.class.getName());
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  /** What the watcher tells the cache. */
  interface Listener {
    void revoked(ByteString secretSha256);

    void narrowed(ByteString secretSha256);

    void reset();
  }

  private final TokenServiceGrpc.TokenServiceStub stub;
  private final Listener listener;
  private final long staleAfterNanos;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;

  // Written by the stream's callbacks (one at a time), read by checks.
  private volatile boolean everStarted;
  private volatile long lastMessageNanos;
  private volatile boolean closed;
  private long epoch;
  private long lastSequence;
  private long backoffMs = MIN_BACKOFF_MS;
  private Context.CancellableContext stream;

  RevocationWatcher(Channel channel, CallCredentials credentials, Listener listener,
      Duration staleAfter, ScheduledExecutorService scheduler, LongSupplier nanoTime) {
    this.stub = TokenServiceGrpc.newStub(channel).withCallCredentials(credentials);
    this.listener = listener;
    this.staleAfterNanos = staleAfter.toNanos();
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /**
   * Whether the feed spoke within the staleness bound, so cached answers hold. A short outage
   * (a server restart) keeps them: what it missed is replayed when the feed resumes.
   */
  boolean isLive() {
    return everStarted && nanoTime.getAsLong() - lastMessageNanos < staleAfterNanos;
  }

  synchronized void connect() {
    if (closed) {
      return;
    }
    stream = Context.current().withCancellation();
    WatchRevocationsRequest request = WatchRevocationsRequest.newBuilder()
        .setEpoch(epoch).setAfterSequence(lastSequence).build();
    stream.run(() -> stub.watchRevocations(request, new Observer()));
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (stream != null) {
      stream.cancel(null);
    }
  }

  private synchronized void onMessage(WatchRevocationsResponse m) {
    lastMessageNanos = nanoTime.getAsLong();
    switch (m.getEventCase()) {
      case START -> {
        RevocationFeedStart start = m.getStart();
        if (start.getReset()) {
          listener.reset();
          lastSequence = start.getSequence();
        }
        epoch = start.getEpoch();
        everStarted = true;
        backoffMs = MIN_BACKOFF_MS;
      }
      case REVOCATION -> {
        listener.revoked(m.getRevocation().getSecretSha256());
        lastSequence = Math.max(lastSequence, m.getRevocation().getSequence());
      }
      case NARROWED -> { // still works, with less: ask again next time
        listener.narrowed(m.getNarrowed().getSecretSha256());
        lastSequence = Math.max(lastSequence, m.getNarrowed().getSequence());
      }
      case HEARTBEAT -> lastSequence = Math.max(lastSequence, m.getHeartbeat().getSequence());
      case EVENT_NOT_SET -> { }
    }
  }

  private synchronized void onEnd(Throwable error) {
    if (closed) {
      return;
    }
    long delay = ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1); // jitter
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    Status.Code code = error == null ? Status.Code.OK : Status.fromThrowable(error).getCode();
    boolean expected = code == Status.Code.OK || code == Status.Code.UNAVAILABLE || code == Status.Code.CANCELLED;
    log.log(expected ? Level.FINE : Level.WARNING,
        "revocation feed ended (" + code + "); reconnecting in " + delay + " ms", error);
    scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private final class Observer implements StreamObserver<WatchRevocationsResponse> {
    @Override
    public void onNext(WatchRevocationsResponse value) {
      onMessage(value);
    }

    @Override
    public void onError(Throwable t) {
      onEnd(t);
    }

    @Override
    public void onCompleted() {
      onEnd(null);
    }
  }
}
