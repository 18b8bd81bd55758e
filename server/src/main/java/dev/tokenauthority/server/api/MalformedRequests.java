package dev.tokenauthority.server.api;

import dev.tokenauthority.server.error.InvalidArgumentException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose bytes do not parse (truncated, invalid UTF-8 in a string) with
 * INVALID_ARGUMENT. Left to grpc-java, the parse failure becomes UNKNOWN and a 2 KB stack trace in
 * the log per request, which anyone could provoke anonymously. Each method's request marshaller
 * is wrapped so that a failed parse yields no message (null), and the call is then closed here.
 * Such requests are logged at most once per {@link #LOG_EVERY_MILLIS}, with a count, never a trace.
 */
public final class MalformedRequests {
  private static final Logger log = LoggerFactory.getLogger(MalformedRequests.class);
  private static final long LOG_EVERY_MILLIS = 10_000;
  private static final AtomicLong lastLogged = new AtomicLong();
  private static final AtomicLong unlogged = new AtomicLong();

  private MalformedRequests() {}

  /** {@code service} with every method guarded; reflection's schema is kept. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor old = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> guarded = new ArrayList<>();
    service.getMethods().forEach(m -> guarded.add(guard(m)));
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(old.getName()).setSchemaDescriptor(old.getSchemaDescriptor());
    guarded.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    guarded.forEach(builder::addMethod);
    return builder.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> definition) {
    MethodDescriptor<Q, R> method = definition.getMethodDescriptor();
    MethodDescriptor<Q, R> lenient = method.toBuilder(
        new Lenient<>(method.getRequestMarshaller()), method.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(lenient, (call, headers) -> refusingNull(call, handler.startCall(call, headers)));
  }

  private static <Q, R> ServerCall.Listener<Q> refusingNull(ServerCall<Q, R> call, ServerCall.Listener<Q> next) {
    return new SimpleForwardingServerCallListener<>(next) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        if (message == null) {
          refused = true;
          noteMalformed(call.getMethodDescriptor().getFullMethodName());
          StatusRuntimeException e = GrpcErrors.toStatus(InvalidArgumentException.of("request",
              "MALFORMED_REQUEST", "the request is not a valid " + call.getMethodDescriptor()
                  .getFullMethodName() + " message (truncated, or a string that is not UTF-8)"));
          call.close(e.getStatus(), e.getTrailers());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private static void noteMalformed(String method) {
    long now = System.currentTimeMillis();
    long last = lastLogged.get();
    if (now - last >= LOG_EVERY_MILLIS && lastLogged.compareAndSet(last, now)) {
      long others = unlogged.getAndSet(0);
      log.warn("refused a malformed {} request with INVALID_ARGUMENT{}", method,
          others == 0 ? "" : " (and " + others + " more since the last such line)");
    } else {
      unlogged.incrementAndGet();
    }
  }

  /** Parses as the wrapped marshaller does, but answers null for bytes that do not parse. */
  private record Lenient<T>(MethodDescriptor.Marshaller<T> delegate) implements MethodDescriptor.Marshaller<T> {
    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) { // grpc's proto marshaller throws StatusRuntimeException
        return null;
      }
    }
  }
}
