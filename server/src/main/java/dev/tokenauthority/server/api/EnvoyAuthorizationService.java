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
  public static final String ANY_ACTIVE_TOKEN = ProxyCheck.ANY_ACTIVE_TOKEN;

  private final ProxyCheck proxyCheck;

  public EnvoyAuthorizationService(ProxyCheck proxyCheck) {
    this.proxyCheck = proxyCheck;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
    Responses.unary(out, () -> {
      AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
      ProxyCheck.Verdict verdict = proxyCheck.check(CallerContext.current(), header(http, "authorization"),
          request.getAttributes().getContextExtensionsMap().get(REQUIRED_SCOPES));
      return verdict.allowed() ? allowed(verdict, http) : denied(verdict);
    });
  }

  private static CheckResponse allowed(ProxyCheck.Verdict verdict, AttributeContext.HttpRequest http) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder().addHeadersToRemove("authorization");
    verdict.identity().forEach((name, value) -> ok.addHeaders(overwrite(name, value)));
    clientHeaderNames(http).stream()
        .filter(name -> name.startsWith(ProxyCheck.OWN_HEADER_PREFIX) && !verdict.identity().containsKey(name))
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

  private static CheckResponse denied(ProxyCheck.Verdict verdict) {
    Struct body = Struct.newBuilder()
        .putFields("error", Value.newBuilder().setStringValue(verdict.error()).build())
        .putFields("message", Value.newBuilder().setStringValue(verdict.message()).build())
        .build();
    DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
        .setStatus(HttpStatus.newBuilder().setCodeValue(verdict.httpStatus()))
        .addHeaders(overwrite("content-type", "application/json"))
        .setBody(json(body));
    if (verdict.challenge()) {
      denied.addHeaders(overwrite("www-authenticate", "Bearer"));
    }
    return CheckResponse.newBuilder()
        .setStatus(com.google.rpc.Status.newBuilder().setCode(verdict.grpcCode().value()).setMessage(verdict.message()))
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

  /** JSON through protobuf's own printer: escaping is the library's, not ours. */
  private static String json(Struct body) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct of strings always prints", e);
    }
  }
}
