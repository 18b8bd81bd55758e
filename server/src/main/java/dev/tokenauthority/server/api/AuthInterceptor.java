package dev.tokenauthority.server.api;

import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.token.Caller;
import dev.tokenauthority.server.token.Introspector;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call by its {@code authorization: Bearer <secret>} metadata and puts the
 * {@link Caller} in the call's {@link Context}; answers UNAUTHENTICATED itself otherwise.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Introspector introspector;

  public AuthInterceptor(Introspector introspector) {
    this.introspector = introspector;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Caller caller;
    try {
      caller = introspector.authenticate(bearerSecret(headers.get(AUTHORIZATION)));
    } catch (TokenAuthorityException e) {
      return refuse(call, GrpcErrors.toStatus(e));
    } catch (RuntimeException e) {
      log.error("authentication failed", e);
      return refuse(call, GrpcErrors.internal());
    }
    return Contexts.interceptCall(Context.current().withValue(CallerContext.KEY, caller), call, headers, next);
  }

  private static String bearerSecret(String header) {
    if (header == null || header.isBlank()) {
      throw new UnauthenticatedException(
          "MISSING_CREDENTIALS", "send the token secret as metadata 'authorization: Bearer <secret>'");
    }
    return BearerHeader.secret(header).orElseThrow(() -> new UnauthenticatedException(
        "INVALID_CREDENTIALS", "the authorization metadata must be 'Bearer <secret>'"));
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException e) {
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
