package dev.tokenauthority.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.server.Bearer;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Check requests shaped as Envoy's ext_authz filter sends them. */
class EnvoyCheckTest extends InProcessAuthorityTest {
  private AuthorizationGrpc.AuthorizationBlockingStub sidecar;

  @BeforeEach
  void sidecar() {
    String sidecarSecret = ta.orgToken("acme", "tokens:introspect").getSecret();
    sidecar = AuthorizationGrpc.newBlockingStub(ta.channel()).withCallCredentials(Bearer.of(sidecarSecret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void allowedRequest_goesUpstreamWithIdentityHeaders_andWithoutTheToken() {
    Token t = ta.orgToken("acme", "lenses:write", "agents:read");

    CheckResponse r = sidecar.check(request("Bearer " + t.getSecret(), "lenses:read, agents:read"));

    assertThat(r.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    Map<String, String> headers = headers(r.getOkResponse().getHeadersList());
    assertThat(headers).containsEntry("x-token-id", t.getId())
        .containsEntry("x-token-organization", "acme")
        .containsEntry("x-token-subject", "")
        .containsEntry("x-token-scopes", "agents:read,lenses:write");
    assertThat(r.getOkResponse().getHeadersList()).allSatisfy(h ->
        assertThat(h.getAppendAction()).as("a client cannot pre-set these").isEqualTo(
            HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    assertThat(r.getOkResponse().getHeadersToRemoveList()).containsExactly("authorization");
    // x-token-id was spoofed too, but it is overwritten, not removed (removal would drop ours)
  }

  @Test
  void routeWithoutRequiredScopes_isMisconfigured_evenForAnActiveToken() {
    Token t = ta.orgToken("acme", "lenses:read");
    for (String declared : new String[] {null, "", "   ", " , ,"}) {
      CheckResponse r = sidecar.check(request("Bearer " + t.getSecret(), declared));
      assertDenied(r, StatusCode.InternalServerError, Code.INTERNAL, "misconfigured_route");
    }
  }

  @Test
  void routeDeclaringAnyActiveToken_onlyAuthenticates() {
    Token t = ta.orgToken("acme", "lenses:read");
    assertThat(sidecar.check(request("Bearer " + t.getSecret(), "*")).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertDenied(sidecar.check(request("Bearer tka_org_nonsense", "*")),
        StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated");
  }

  @Test
  void everyClientSentXTokenHeader_isRemoved() {
    Token t = ta.orgToken("acme", "lenses:read");
    CheckRequest.Builder b = request("Bearer " + t.getSecret(), "lenses:read").toBuilder();
    b.getAttributesBuilder().getRequestBuilder().getHttpBuilder()
        .putHeaders("x-token-groups", "admins").putHeaders("x-token-kind", "TOKEN_KIND_SYSTEM")
        .getHeaderMapBuilder().addHeaders(HeaderValue.newBuilder().setKey("X-Token-Admin").setValue("yes"));

    CheckResponse r = sidecar.check(b.build());

    assertThat(r.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(r.getOkResponse().getHeadersToRemoveList())
        .contains("authorization", "x-token-groups", "x-token-kind", "x-token-admin");
    assertThat(headers(r.getOkResponse().getHeadersList())).containsEntry("x-token-id", t.getId());
  }

  @Test
  void missingOrBadToken_is401WithAJsonBody() {
    CheckResponse none = sidecar.check(request(null, "lenses:read"));
    assertDenied(none, StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated");
    assertThat(headers(none.getDeniedResponse().getHeadersList())).containsEntry("www-authenticate", "Bearer");

    assertDenied(sidecar.check(request("Basic dXNlcjpwYXNz", "lenses:read")), StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated");
    assertDenied(sidecar.check(request("Bearer tka_org_garbage", "lenses:read")), StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated");

    Token t = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).build());
    CheckResponse revoked = sidecar.check(request("Bearer " + t.getSecret(), "lenses:read"));
    assertDenied(revoked, StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated");
    assertThat(revoked.getDeniedResponse().getBody()).doesNotContain(t.getSecret());
  }

  @Test
  void missingScope_is403NamingIt() {
    Token t = ta.orgToken("acme", "lenses:read");
    CheckResponse r = sidecar.check(request("Bearer " + t.getSecret(), "lenses:write"));
    assertDenied(r, StatusCode.Forbidden, Code.PERMISSION_DENIED, "forbidden");
    assertThat(r.getDeniedResponse().getBody()).contains("lenses:write");
  }

  @Test
  void rawHeaderMap_isReadToo() {
    Token t = ta.orgToken("acme", "lenses:read");
    CheckRequest raw = CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setMethod("GET").setPath("/lenses").setHeaderMap(HeaderMap.newBuilder()
                .addHeaders(HeaderValue.newBuilder().setKey(":path").setRawValue(bytes("/lenses")))
                .addHeaders(HeaderValue.newBuilder().setKey("authorization").setRawValue(bytes("Bearer " + t.getSecret()))))))
        .putContextExtensions("required_scopes", "lenses:read")).build();
    assertThat(sidecar.check(raw).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
  }

  @Test
  void unknownRequiredScope_isTheRoutesFault_500() {
    Token t = ta.orgToken("acme", "lenses:read");
    CheckResponse r = sidecar.check(request("Bearer " + t.getSecret(), "lenses:fly"));
    assertDenied(r, StatusCode.InternalServerError, Code.INTERNAL, "misconfigured_route");
    assertThat(r.getDeniedResponse().getBody()).contains("lenses:fly");
  }

  @Test
  void theSidecarNeedsItsOwnIntrospectToken() {
    String weak = ta.orgToken("acme", "lenses:read").getSecret();
    var weakSidecar = AuthorizationGrpc.newBlockingStub(ta.channel()).withCallCredentials(Bearer.of(weak));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> weakSidecar.check(request("Bearer " + weak, "lenses:read")));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    StatusRuntimeException anonymous = catchThrowableOfType(StatusRuntimeException.class,
        () -> AuthorizationGrpc.newBlockingStub(ta.channel()).check(request("Bearer " + weak, "lenses:read")));
    assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  /** What Envoy sends: lower-case headers (pseudo-headers included) and the route's context extensions. */
  private static CheckRequest request(String authorization, String requiredScopes) {
    AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
        .setId("1234").setMethod("GET").setPath("/lenses/revenue").setHost("api.example.com").setScheme("https")
        .setProtocol("HTTP/1.1")
        .putHeaders(":authority", "api.example.com").putHeaders(":method", "GET")
        .putHeaders(":path", "/lenses/revenue").putHeaders("user-agent", "curl/8.5.0")
        .putHeaders("x-token-id", "spoofed-by-client").putHeaders("x-request-id", "5e0c5b0a");
    if (authorization != null) {
      http.putHeaders("authorization", authorization);
    }
    AttributeContext.Builder attributes = AttributeContext.newBuilder()
        .setRequest(AttributeContext.Request.newBuilder().setHttp(http));
    if (requiredScopes != null) {
      attributes.putContextExtensions("required_scopes", requiredScopes);
    }
    return CheckRequest.newBuilder().setAttributes(attributes).build();
  }

  private static void assertDenied(CheckResponse r, StatusCode http, Code code, String error) {
    assertThat(r.getStatus().getCode()).isEqualTo(code.getNumber());
    assertThat(r.getDeniedResponse().getStatus().getCode()).isEqualTo(http);
    assertThat(r.getDeniedResponse().getBody()).startsWith("{\"error\":\"" + error + "\",\"message\":\"").endsWith("\"}");
    assertThat(headers(r.getDeniedResponse().getHeadersList())).containsEntry("content-type", "application/json");
  }

  private static Map<String, String> headers(java.util.List<HeaderValueOption> options) {
    return options.stream().collect(Collectors.toMap(h -> h.getHeader().getKey(), h -> h.getHeader().getValue(), (a, b) -> b, TreeMap::new));
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }
}
