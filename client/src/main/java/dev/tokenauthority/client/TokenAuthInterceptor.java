package dev.tokenauthority.client;

import dev.tokenauthority.api.BearerHeader;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Guards a gRPC service with the token authority: reads the bearer token, checks it against the
 * scopes declared for the method, answers UNAUTHENTICATED / PERMISSION_DENIED / UNAVAILABLE itself,
 * (or INTERNAL when the authority refuses this service's own token), and puts the {@link Principal} in the {@link Context} for the handler ({@link #PRINCIPAL}).
 * Methods with no declared scopes are refused: a forgotten declaration fails closed.
 *
 * <pre>{@code
 * ServerInterceptors.intercept(new LensService(), TokenAuthInterceptor.newBuilder(introspector)
 *     .require("example.v1.LensService/GetLens", "lenses:read")
 *     .require("example.v1.LensService/UpdateLens", "lenses:write")
 *     .build());
 * }</pre>
 */
public final class TokenAuthInterceptor implements ServerInterceptor {
  /** The caller of the current call, for handlers behind this interceptor. */
  public static final Context.Key<Principal> PRINCIPAL = Context.key("tokenauthority-principal");

  private final TokenIntrospector introspector;
  private final Map<String, List<String>> scopesByMethod;

  private TokenAuthInterceptor(TokenIntrospector introspector, Map<String, List<String>> scopesByMethod) {
    this.introspector = introspector;
    this.scopesByMethod = Map.copyOf(scopesByMethod);
  }

  public static Builder newBuilder(TokenIntrospector introspector) {
    return new Builder(introspector);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    List<String> required = scopesByMethod.get(method);
    if (required == null) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription("no scopes are declared for " + method));
    }
    Optional<String> secret = BearerHeader.secret(headers.get(BearerToken.AUTHORIZATION));
    if (secret.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("send 'authorization: Bearer <token>'"));
    }
    CheckResult result;
    try {
      result = introspector.check(secret.get(), required);
    } catch (TokenCheckException e) {
      return refuse(call, e.isUnavailable()
          ? Status.UNAVAILABLE.withDescription("cannot verify the token right now")
          // the authority refused this service itself: a configuration error, not the caller's
          : Status.INTERNAL.withDescription("this service cannot verify tokens (" + e.reason() + ")"));
    }
    if (!result.active()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("the token is not valid"));
    }
    if (!result.allowed()) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(
          "the token lacks scope " + String.join(", ", result.missingScopes())));
    }
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, result.principal()), call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** Declares the scopes each method needs. */
  public static final class Builder {
    private final TokenIntrospector introspector;
    private final Map<String, List<String>> scopes = new HashMap<>();

    private Builder(TokenIntrospector introspector) {
      this.introspector = introspector;
    }

    /** {@code fullMethodName} ("package.Service/Method") needs every one of {@code scopes}. */
    public Builder require(String fullMethodName, String... scopes) {
      this.scopes.put(fullMethodName, List.of(scopes));
      return this;
    }

    public TokenAuthInterceptor build() {
      return new TokenAuthInterceptor(introspector, scopes);
    }
  }
}
