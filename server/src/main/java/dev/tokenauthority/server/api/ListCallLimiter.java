package dev.tokenauthority.server.api;

import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.quota.HolderQuota;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the list calls (scans of tokens, connectors or audit events) one caller token runs at
 * once; one over answers RESOURCE_EXHAUSTED / TOO_MANY_LIST_CALLS. Scans also run on their own
 * threads and database connections (see {@code Main}), so a caller scanning in a loop slows
 * its own lists, never the introspection of others. Installed inside {@link AuthInterceptor}.
 */
public final class ListCallLimiter implements ServerInterceptor {
  /** The calls that scan: they get their own executor and this limit. */
  public static final Set<String> SCANS = Set.of(
      TokenServiceGrpc.getListTokensMethod().getFullMethodName(),
      ConnectorServiceGrpc.getListConnectorsMethod().getFullMethodName(),
      AuditServiceGrpc.getListAuditEventsMethod().getFullMethodName());

  private final HolderQuota running;

  public ListCallLimiter(int perCaller) {
    this.running = new HolderQuota(perCaller);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!SCANS.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    String holder = CallerContext.current().actor();
    if (!running.tryAcquire(holder)) {
      StatusRuntimeException e = GrpcErrors.toStatus(new ResourceExhaustedException(
          "TOO_MANY_LIST_CALLS", "this token already runs " + running.limit() + " list calls, the most"
              + " allowed at once; wait for one to finish"));
      call.close(e.getStatus(), e.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable done = () -> {
      if (released.compareAndSet(false, true)) {
        running.release(holder);
      }
    };
    // Freed as the answer goes out, not when the transport reports it done: a caller that sends its
    // next call the moment an answer arrives must find its slot free.
    ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        done.run();
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(releasing, headers);
    } catch (RuntimeException e) {
      done.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        done.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        done.run();
        super.onCancel();
      }
    };
  }

}
