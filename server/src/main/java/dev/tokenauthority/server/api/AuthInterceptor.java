package dev.tokenauthority.server.api;

import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.SecurityEventRecorder;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.token.Introspector;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call by its {@code authorization: Bearer <secret>} metadata and puts the
 * {@link Caller} (with the request's id and peer address) in the call's {@link Context}; answers
 * UNAUTHENTICATED itself otherwise. Every answer carries the request's {@code x-request-id}, and
 * every answer the outcome table calls a security event (a denial) is audited.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** The request id: taken from the caller if sane, generated otherwise, always sent back. */
  public static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * Where credentials are optional: anyone may report a leak; signing in with an ID token and
   * refreshing carry their own credential in the request; a device without a token starts and
   * polls a device authorization (its device code is its credential).
   */
  private static final java.util.Set<String> CREDENTIALS_OPTIONAL = java.util.Set.of(
      TokenServiceGrpc.getReportLeakedTokensMethod().getFullMethodName(),
      SessionServiceGrpc.getSignInMethod().getFullMethodName(),
      SessionServiceGrpc.getRefreshSessionMethod().getFullMethodName(),
      DeviceAuthorizationServiceGrpc.getStartDeviceAuthorizationMethod().getFullMethodName(),
      DeviceAuthorizationServiceGrpc.getPollDeviceAuthorizationMethod().getFullMethodName());

  private final Introspector introspector;
  private final SecurityEventRecorder securityEvents;
  private final Clock clock;

  public AuthInterceptor(Introspector introspector, SecurityEventRecorder securityEvents, Clock clock) {
    this.introspector = introspector;
    this.securityEvents = securityEvents;
    this.clock = clock;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Origin origin = new Origin(Origin.requestId(headers.get(REQUEST_ID)), peer(call));
    String method = call.getMethodDescriptor().getFullMethodName();
    Caller caller;
    try {
      caller = authenticate(single(headers, origin), origin, CREDENTIALS_OPTIONAL.contains(method));
    } catch (TokenAuthorityException e) {
      return refuse(call, origin, GrpcErrors.toStatus(e));
    } catch (RuntimeException e) {
      if (dev.tokenauthority.server.storage.StorageFault.of(e).isEmpty()) {
        log.error("authentication failed", e);
      }
      return refuse(call, origin, GrpcErrors.unexpected(e));
    }
    ServerCall<Q, R> audited = new Answering<>(call, caller, method);
    return Contexts.interceptCall(
        Context.current().withValue(CallerContext.KEY, caller), audited, headers, next);
  }

  /**
   * The one authorization header. Two (say a reader's and an admin's) are refused rather than
   * resolved: whichever one a server or proxy took, the other party would disagree.
   */
  private String single(Metadata headers, Origin origin) {
    Iterable<String> all = headers.getAll(AUTHORIZATION);
    if (all == null) {
      return null;
    }
    java.util.Iterator<String> values = all.iterator();
    String first = values.next();
    if (values.hasNext()) {
      introspector.authenticationFailed(origin, "MULTIPLE_CREDENTIALS", "", "");
      throw new UnauthenticatedException("MULTIPLE_CREDENTIALS",
          "send exactly one 'authorization: Bearer <secret>' metadata entry; this call had several");
    }
    return first;
  }

  private Caller authenticate(String header, Origin origin, boolean optional) {
    if (header == null || header.isBlank()) {
      if (optional) {
        return Caller.anonymous(origin);
      }
      introspector.authenticationFailed(origin, "MISSING_CREDENTIALS", "", "");
      throw new UnauthenticatedException(
          "MISSING_CREDENTIALS", "send the token secret as metadata 'authorization: Bearer <secret>'");
    }
    String secret = BearerHeader.secret(header).orElse(null);
    if (secret == null) {
      if (optional) {
        return Caller.anonymous(origin);
      }
      introspector.authenticationFailed(origin, "INVALID_CREDENTIALS", "", "");
      throw new UnauthenticatedException(
          "INVALID_CREDENTIALS", "the authorization metadata must be 'Bearer <secret>'");
    }
    try {
      return introspector.authenticate(secret, origin);
    } catch (UnauthenticatedException e) {
      if (optional) {
        return Caller.anonymous(origin);
      }
      throw e;
    }
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String host = inet.getAddress().getHostAddress();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address == null ? "" : address.toString();
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call, Origin origin, StatusRuntimeException e) {
    Metadata trailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
    trailers.put(REQUEST_ID, origin.requestId());
    call.close(e.getStatus(), trailers);
    return new ServerCall.Listener<>() {};
  }

  /** The ErrorInfo reason a refusal carries, if any. */
  private static String reasonOf(Status status, Metadata trailers) {
    com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromStatusAndTrailers(status, trailers);
    for (com.google.protobuf.Any any : details.getDetailsList()) {
      if (any.is(com.google.rpc.ErrorInfo.class)) {
        try {
          return any.unpack(com.google.rpc.ErrorInfo.class).getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          return "";
        }
      }
    }
    return "";
  }

  /** Sends the request id with the answer, and audits a PERMISSION_DENIED one. */
  private final class Answering<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final Caller caller;
    private final String method;
    private boolean headersSent;

    Answering(ServerCall<Q, R> call, Caller caller, String method) {
      super(call);
      this.caller = caller;
      this.method = method;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headers.put(REQUEST_ID, caller.origin().requestId());
      headersSent = true;
      super.sendHeaders(headers);
    }

    private void auditDenial(AuditAction action, Status status, Metadata trailers) {
      // Coalesced like failed authentications: a caller hammering a denied method writes one
      // event a minute with the count, not one row per call.
      securityEvents.recordCoalesced(
          action + "\u0000" + caller.actor() + "\u0000" + method + "\u0000" + reasonOf(status, trailers),
          AuditEntry.denied(clock.instant(), action, caller.actor(),
              caller.origin(), caller.organization(), "",
              Map.of("method", method, "message", String.valueOf(status.getDescription()))));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent) {
        trailers.put(REQUEST_ID, caller.origin().requestId());
      }
      // Which answers are security events is the outcome table's to say (here: denials; failed
      // authentications are recorded where the credential was judged, with its token id).
      Outcomes.ofGrpc(status.getCode()).map(o -> o.securityEvent).ifPresent(action -> {
        try {
          auditDenial(action, status, trailers);
        } catch (RuntimeException e) { // recording must never change the answer
          log.warn("could not record a {} security event: {}", action, e.toString());
        }
      });
      super.close(status, trailers);
    }
  }
}
