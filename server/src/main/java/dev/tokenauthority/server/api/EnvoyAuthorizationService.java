package dev.tokenauthority.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.token.Introspection;
import dev.tokenauthority.server.token.Introspector;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Envoy's external authorization ({@code envoy.service.auth.v3.Authorization/Check}): a sidecar
 * asks whether an HTTP request's bearer token may pass. The sidecar itself authenticates like any
 * introspecting caller (a token with {@code tokens:introspect} in its gRPC metadata).
 *
 * <p>Allowed requests go upstream with {@code x-token-id}, {@code x-token-subject}, {@code
 * x-token-organization} and {@code x-token-scopes}, without their {@code authorization} header
 * and without any other {@code x-token-*} header the client sent (the namespace is ours); others
 * get 401 (no or bad token) or 403 (missing scope) with a short JSON body. The route's required
 * scopes come from the context extension {@code required_scopes}, comma-separated. A route with
 * no, an empty or a blank list is misconfigured (500): a route that wants any active token says so
 * with {@code required_scopes: "*"}, as the caching client's interceptor refuses undeclared methods.
 */
public final class EnvoyAuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  /** The context extension naming the scopes a route needs. */
  public static final String REQUIRED_SCOPES = "required_scopes";
  /** The {@code required_scopes} value of a route that accepts any active token. */
  public static final String ANY_ACTIVE_TOKEN = "*";
  /** The request headers this service owns: every one the client sent is removed. */
  private static final String OWN_HEADER_PREFIX = "x-token-";

  private final Introspector introspector;

  public EnvoyAuthorizationService(Introspector introspector) {
    this.introspector = introspector;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
    Responses.unary(out, () -> {
      introspector.requireIntrospectScope(CallerContext.current());
      AttributeContext attributes = request.getAttributes();
      Optional<String> secret = BearerHeader.secret(header(attributes.getRequest().getHttp(), "authorization"));
      if (secret.isEmpty()) {
        return denied(Outcomes.UNAUTHENTICATED, "a bearer token is required");
      }
      Optional<List<String>> declared = requiredScopes(attributes.getContextExtensionsMap().get(REQUIRED_SCOPES));
      if (declared.isEmpty()) {
        return misconfigured("the route declares no required_scopes; list the scopes it needs, or \"*\" for any active token");
      }
      List<String> required = declared.get();
      Introspection answer;
      try {
        answer = introspector.introspect(CallerContext.current(), secret.get(), required);
      } catch (InvalidArgumentException e) { // the route's configuration, not the client, is wrong
        return misconfigured(e.getMessage());
      }
      if (!answer.active()) {
        return denied(Outcomes.UNAUTHENTICATED, "the bearer token is not valid");
      }
      if (!answer.allowed()) {
        return denied(Outcomes.PERMISSION_DENIED,
            "the token lacks scope " + String.join(", ", answer.missingScopes()));
      }
      return allowed(answer, attributes.getRequest().getHttp());
    });
  }

  private static CheckResponse allowed(Introspection answer, AttributeContext.HttpRequest http) {
    var token = answer.token();
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
        .addHeaders(overwrite("x-token-id", token.id()))
        .addHeaders(overwrite("x-token-subject", token.subject()))
        .addHeaders(overwrite("x-token-organization", token.organization()))
        .addHeaders(overwrite("x-token-scopes", String.join(",", token.scopes().asList())))
        .addHeadersToRemove("authorization");
    java.util.Set<String> set = java.util.Set.of("x-token-id", "x-token-subject", "x-token-organization", "x-token-scopes");
    clientHeaderNames(http).stream()
        .filter(name -> name.startsWith(OWN_HEADER_PREFIX) && !set.contains(name))
        .distinct()
        .forEach(ok::addHeadersToRemove);
    return CheckResponse.newBuilder()
        .setStatus(com.google.rpc.Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        .build();
  }

  /** The lower-cased names of the headers the client sent. */
  private static List<String> clientHeaderNames(AttributeContext.HttpRequest http) {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    http.getHeadersMap().keySet().forEach(k -> names.add(k.toLowerCase(java.util.Locale.ROOT)));
    http.getHeaderMap().getHeadersList().forEach(h -> names.add(h.getKey().toLowerCase(java.util.Locale.ROOT)));
    return names;
  }

  /** A denial, its status and HTTP answer from the outcome table. */
  private static CheckResponse denied(Outcomes outcome, String message) {
    return denied(outcome, outcome.httpError, message);
  }

  /** The route's configuration, not the client, is wrong: the table's INTERNAL, named so. */
  private static CheckResponse misconfigured(String message) {
    return denied(Outcomes.INTERNAL, "misconfigured_route", message);
  }

  private static CheckResponse denied(Outcomes outcome, String error, String message) {
    Struct body = Struct.newBuilder()
        .putFields("error", Value.newBuilder().setStringValue(error).build())
        .putFields("message", Value.newBuilder().setStringValue(message).build())
        .build();
    DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
        .setStatus(HttpStatus.newBuilder().setCodeValue(outcome.httpStatus))
        .addHeaders(overwrite("content-type", "application/json"))
        .setBody(json(body));
    if (outcome == Outcomes.UNAUTHENTICATED) {
      denied.addHeaders(overwrite("www-authenticate", "Bearer"));
    }
    return CheckResponse.newBuilder()
        .setStatus(com.google.rpc.Status.newBuilder().setCode(outcome.grpc.value()).setMessage(message))
        .setDeniedResponse(denied)
        .build();
  }

  /** A header the client cannot pre-set: ours replaces theirs. */
  private static HeaderValueOption overwrite(String key, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(key).setValue(value))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  /** Envoy sends lower-case header names, in {@code headers} or (raw) in {@code header_map}. */
  private static String header(AttributeContext.HttpRequest http, String name) {
    String value = http.getHeadersMap().get(name);
    if (value != null) {
      return value;
    }
    for (HeaderValue h : http.getHeaderMap().getHeadersList()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue().isEmpty() ? h.getRawValue().toString(StandardCharsets.UTF_8) : h.getValue();
      }
    }
    return null;
  }

  /** The route's scopes; empty if it declares none (misconfigured), an empty list for "*". */
  private static Optional<List<String>> requiredScopes(String extension) {
    if (extension == null) {
      return Optional.empty();
    }
    if (extension.trim().equals(ANY_ACTIVE_TOKEN)) {
      return Optional.of(List.of());
    }
    List<String> scopes =
        Arrays.stream(extension.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return scopes.isEmpty() ? Optional.empty() : Optional.of(scopes);
  }

  /** JSON through protobuf's own printer: escaping is the library's, not ours. */
  private static String json(Struct body) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct of strings always prints", e);
    }
  }
}
