package dev.tokenauthority.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.http.HttpDoor;
import dev.tokenauthority.server.oidc.OidcSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider sign-in's callback as an attacker meets it: answers that belong to another sign-in. */
class DashboardOidcHttpTest {
  private static final String ISSUER_ID = "platform";
  private static final String CLIENT = "token-authority";
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @TempDir Path dir;
  private MockOAuth2Server idp;
  private TestAuthority ta;
  private HttpDoor door;

  @BeforeEach
  void open() {
    idp = new MockOAuth2Server();
    idp.start();
    ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder()
        .oidc(new OidcSettings(URI.create(idp.issuerUrl(ISSUER_ID).toString()), CLIENT, "email", "groups",
            Duration.ofSeconds(30))).build());
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
  }

  @AfterEach
  void shut() {
    door.close();
    ta.close();
    idp.shutdown();
  }

  private HttpResponse<String> get(String url, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A started sign-in: the attempt cookie and the provider's answer (the callback address with code and state). */
  private record Started(String cookie, URI answer) {}

  private Started start() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "ada@example.com", "JWT", List.of(CLIENT),
        Map.of("email", "ada@example.com", "groups", List.of("org:acme:manager")), 3600));
    HttpResponse<String> start = get("http://127.0.0.1:" + door.port() + "/dashboard/oidc/start", null);
    assertThat(start.statusCode()).isEqualTo(303);
    String setCookie = start.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith(OidcPages.ATTEMPT_COOKIE + "=").contains("HttpOnly").contains("SameSite=Lax")
        .contains("Path=/dashboard/oidc/callback").contains("Max-Age=600");
    HttpResponse<String> provider = get(start.headers().firstValue("Location").orElseThrow(), null);
    assertThat(provider.statusCode()).isEqualTo(302);
    return new Started(setCookie.substring(0, setCookie.indexOf(';')), URI.create(provider.headers().firstValue("Location").orElseThrow()));
  }

  private static String query(URI u, String name) {
    for (String pair : u.getRawQuery().split("&")) {
      if (pair.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(pair.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no " + name + " in " + u);
  }

  private static boolean startsSession(HttpResponse<?> r) {
    return r.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("ta_session=") && !c.startsWith("ta_session=;"));
  }

  @Test
  void theGenuineAnswer_startsASession() throws Exception {
    Started s = start();
    HttpResponse<String> done = get(s.answer().toString(), s.cookie());
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(startsSession(done)).isTrue();
    assertThat(done.body()).contains("url=/dashboard/tokens");
  }

  @Test
  void anAnswerWithoutTheAttemptCookie_orWithAnotherState_startsNothing() throws Exception {
    Started s = start();
    HttpResponse<String> noCookie = get(s.answer().toString(), null);
    assertThat(noCookie.statusCode()).isEqualTo(400);
    assertThat(startsSession(noCookie)).isFalse();

    String forged = s.answer().toString().replace("state=" + query(s.answer(), "state"), "state=forged");
    HttpResponse<String> wrongState = get(forged, s.cookie());
    assertThat(wrongState.statusCode()).isEqualTo(400);
    assertThat(wrongState.body()).contains("does not belong to the sign-in this browser started");
    assertThat(startsSession(wrongState)).isFalse();
  }

  @Test
  void anotherSignInsCode_withThisBrowsersState_isRefused() throws Exception {
    Started mine = start();
    Started theirs = start(); // the attacker's own sign-in, whose code they plant in my browser
    String planted = mine.answer().toString().replace("code=" + query(mine.answer(), "code"),
        "code=" + query(theirs.answer(), "code"));
    HttpResponse<String> r = get(planted, mine.cookie());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(startsSession(r)).isFalse();
  }

  @Test
  void aReplayedAnswer_startsNothing_forTheProviderSpentItsCode() throws Exception {
    Started s = start();
    HttpResponse<String> first = get(s.answer().toString(), s.cookie());
    assertThat(first.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(OidcPages.ATTEMPT_COOKIE + "=;"));
    HttpResponse<String> replay = get(s.answer().toString(), s.cookie());
    assertThat(replay.statusCode()).as("the code was spent").isEqualTo(401);
    assertThat(startsSession(replay)).isFalse();
  }

  @Test
  void aForgedAttemptCookie_orABlankCode_isABadRequest_notAnError() throws Exception {
    String callback = "http://127.0.0.1:" + door.port() + "/dashboard/oidc/callback";
    HttpResponse<String> forged = get(callback + "?state=a&code=x", OidcPages.ATTEMPT_COOKIE + "=a.b.c..");
    assertThat(forged.statusCode()).isEqualTo(400);
    Started s = start();
    String blank = s.answer().toString().replace("code=" + query(s.answer(), "code"), "code=%20");
    HttpResponse<String> r = get(blank, s.cookie());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(startsSession(r)).isFalse();
  }
}
