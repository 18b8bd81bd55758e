package dev.tokenauthority.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /oauth2/introspect} (RFC 7662) called as OAuth middleware calls it. */
class TokenIntrospectionTest extends InProcessAuthorityTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpDoor door;
  private String caller;

  @BeforeEach
  void startDoor() {
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
    caller = ta.orgToken("acme", "tokens:introspect").getSecret();
  }

  @AfterEach
  void stopDoor() {
    door.close();
  }

  private HttpResponse<String> post(String bearer, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + "/oauth2/introspect"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> introspect(String token) throws Exception {
    return post(caller, "application/x-www-form-urlencoded",
        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token");
  }

  private static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  @Test
  void activeTokensAreDescribed_inactiveOnesSayOnlyThat() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read", "lenses:write");
    HttpResponse<String> active = introspect(alice.getSecret());
    assertThat(active.statusCode()).isEqualTo(200);
    assertThat(active.headers().firstValue("cache-control")).hasValue("no-store");
    JsonObject a = json(active);
    assertThat(a.get("active").getAsBoolean()).isTrue();
    assertThat(a.get("scope").getAsString()).isEqualTo("lenses:read lenses:write");
    assertThat(a.get("sub").getAsString()).isEqualTo("alice");
    assertThat(a.get("client_id").getAsString()).isEqualTo(alice.getId());
    assertThat(a.get("token_type").getAsString()).isEqualTo("Bearer");
    assertThat(a.get("iat").getAsLong()).isEqualTo(alice.getCreateTime().getSeconds());
    assertThat(a.get("exp").getAsLong()).isEqualTo(alice.getExpireTime().getSeconds());
    assertThat(a.get("organization").getAsString()).isEqualTo("acme");

    JsonObject org = json(introspect(ta.orgToken("acme", "lenses:read").getSecret()));
    assertThat(org.has("sub")).as("no subject, no sub member").isFalse();

    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(alice.getId()).build());
    for (String inactive : List.of(alice.getSecret(), "tka_pat_junk", "x")) {
      HttpResponse<String> r = introspect(inactive);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).as(inactive).isEqualTo("{\"active\":false}");
    }
  }

  @Test
  void badRequestsAndBadCallers_getRfc6749Errors() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    String form = "application/x-www-form-urlencoded";

    HttpResponse<String> noCaller = post(null, form, "token=" + alice.getSecret());
    assertThat(noCaller.statusCode()).isEqualTo(401);
    assertThat(json(noCaller).get("error").getAsString()).isEqualTo("invalid_token");
    assertThat(noCaller.headers().firstValue("www-authenticate")).hasValue("Bearer");
    assertThat(post("tka_org_nonsense", form, "token=" + alice.getSecret()).statusCode()).isEqualTo(401);
    HttpResponse<String> weak = post(ta.orgToken("acme", "lenses:read").getSecret(), form, "token=" + alice.getSecret());
    assertThat(weak.statusCode()).isEqualTo(403);
    assertThat(json(weak).get("error").getAsString()).isEqualTo("insufficient_scope");
    assertThat(weak.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v)
        .contains("insufficient_scope"));

    for (String body : List.of("", "token=", "token_type_hint=access_token", "token=a&token=" + alice.getSecret())) {
      HttpResponse<String> r = post(caller, form, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(json(r).get("error").getAsString()).isEqualTo("invalid_request");
      assertThat(r.body()).doesNotContain(alice.getSecret());
    }
    assertThat(post(caller, "application/json", "{\"token\":\"" + alice.getSecret() + "\"}").statusCode()).isEqualTo(400);

    HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port()
        + "/oauth2/introspect")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);

    // Just past the listener's 64 KiB: small enough to be written whole before the answer, so the
    // 413 always arrives (a 2 MiB body raced the server's close and was sometimes reset instead).
    HttpResponse<String> huge = post(caller, form, "token=" + "a".repeat((int) HttpDoor.MAX_REQUEST_BYTES));
    assertThat(huge.statusCode()).isEqualTo(413);
  }
}
