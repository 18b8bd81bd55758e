package dev.tokenauthority.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/check} over real HTTP on loopback, as nginx, Traefik and Caddy call it. */
class ForwardAuthTest extends InProcessAuthorityTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpDoor door;
  private String proxy;

  @BeforeEach
  void startDoor() {
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
    proxy = ta.orgToken("acme", "tokens:introspect").getSecret();
  }

  @AfterEach
  void stopDoor() {
    door.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> check(String bearer, String scopes) throws Exception {
    return bearer == null
        ? get("/v1/check", "X-Proxy-Authorization", "Bearer " + proxy, "X-Required-Scopes", scopes)
        : get("/v1/check", "X-Proxy-Authorization", "Bearer " + proxy, "X-Required-Scopes", scopes,
            "Authorization", "Bearer " + bearer);
  }

  @Test
  void aGoodToken_passesWithItsIdentity_andEachRefusalHasItsStatus() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");

    HttpResponse<String> ok = check(alice.getSecret(), "lenses:read");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("x-token-id")).hasValue(alice.getId());
    assertThat(ok.headers().firstValue("x-token-subject")).hasValue("alice");
    assertThat(ok.headers().firstValue("x-token-organization")).hasValue("acme");
    assertThat(ok.headers().firstValue("x-token-scopes")).hasValue("lenses:read");

    HttpResponse<String> none = check(null, "lenses:read");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer");

    HttpResponse<String> lacking = check(alice.getSecret(), "lenses:write");
    assertThat(lacking.statusCode()).isEqualTo(403);
    assertThat(lacking.body()).contains("lenses:write").doesNotContain(alice.getSecret());

    assertThat(check(alice.getSecret(), "*").statusCode()).as("any active token").isEqualTo(200);
    assertThat(get("/v1/check", "X-Proxy-Authorization", "Bearer " + proxy, "Authorization",
        "Bearer " + alice.getSecret()).statusCode()).as("a route without X-Required-Scopes").isEqualTo(500);
    assertThat(check(alice.getSecret(), "not a scope").statusCode()).isEqualTo(500);

    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(alice.getId()).build());
    HttpResponse<String> revoked = check(alice.getSecret(), "lenses:read");
    assertThat(revoked.statusCode()).as("refused at once").isEqualTo(401);
    assertThat(revoked.headers().firstValue("x-token-id")).isEmpty();
  }

  @Test
  void aProxyWithoutItsOwnValidIntrospectToken_isAMisconfiguration() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    String weak = ta.orgToken("acme", "lenses:read").getSecret();
    for (String[] proxyHeader : List.of(new String[0], new String[] {"X-Proxy-Authorization", "Bearer nonsense"},
        new String[] {"X-Proxy-Authorization", "Bearer " + weak})) {
      String[] headers = new String[proxyHeader.length + 4];
      System.arraycopy(proxyHeader, 0, headers, 0, proxyHeader.length);
      headers[proxyHeader.length] = "Authorization";
      headers[proxyHeader.length + 1] = "Bearer " + alice.getSecret();
      headers[proxyHeader.length + 2] = "X-Required-Scopes";
      headers[proxyHeader.length + 3] = "lenses:read";
      HttpResponse<String> r = get("/v1/check", headers);
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).contains("misconfigured_route").doesNotContain(alice.getSecret());
      assertThat(r.headers().firstValue("x-token-id")).isEmpty();
    }
  }

  @Test
  void theUrlsScopesWin_aClientCannotRelaxThemWithAHeader() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    String bearer = "Bearer " + alice.getSecret();
    String proxyHeader = "Bearer " + proxy;
    assertThat(get("/v1/check?scopes=lenses:read", "X-Proxy-Authorization", proxyHeader, "Authorization", bearer)
        .statusCode()).isEqualTo(200);
    assertThat(get("/v1/check?scopes=lenses:write", "X-Proxy-Authorization", proxyHeader, "Authorization", bearer)
        .statusCode()).isEqualTo(403);
    HttpResponse<String> relaxed = get("/v1/check?scopes=lenses:write", "X-Proxy-Authorization", proxyHeader,
        "Authorization", bearer, "X-Required-Scopes", "*");
    assertThat(relaxed.statusCode()).as("a header disagreeing with the URL is not obeyed").isEqualTo(500);
    assertThat(relaxed.headers().firstValue("x-token-id")).isEmpty();
  }

  @Test
  void aSubjectBeyondAscii_arrivesPercentEncoded_soNoTwoPeopleLookAlike() throws Exception {
    Token yonghu = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "用户", List.of(), "lenses:read");
    Token shuju = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "数据%", List.of(), "lenses:read");
    String a = check(yonghu.getSecret(), "lenses:read").headers().firstValue("x-token-subject").orElseThrow();
    String b = check(shuju.getSecret(), "lenses:read").headers().firstValue("x-token-subject").orElseThrow();
    assertThat(a).isEqualTo("%E7%94%A8%E6%88%B7");
    assertThat(java.net.URLDecoder.decode(b, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("数据%");
    assertThat(check(alice().getSecret(), "lenses:read").headers().firstValue("x-token-subject")).hasValue("alice");
  }

  private Token alice() {
    return ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/nowhere").statusCode()).isEqualTo(404);
  }
}
