package dev.tokenauthority.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.InProcessAuthorityTest;
import dev.tokenauthority.server.http.HttpDoor;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's protections as an attacker meets them: plain HTTP, no browser to help. */
class DashboardHttpTest extends InProcessAuthorityTest {
  private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpDoor door;

  @BeforeEach
  void open() {
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
  }

  @AfterEach
  void shut() {
    door.close();
  }

  private HttpResponse<String> get(String path, String cookies) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + path));
    if (cookies != null) {
      b.header("Cookie", cookies);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String cookies, String form) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + path))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (cookies != null) {
      b.header("Cookie", cookies);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .findFirst().orElseThrow(() -> new AssertionError("no cookie " + name + " in " + r.headers()));
  }

  private static String value(String setCookie) {
    return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
  }

  /** Signs in as the admin; returns the Cookie header a browser would send afterwards. */
  private String signedIn() throws Exception {
    HttpResponse<String> form = get("/dashboard/sign-in", null);
    String csrf = value(cookie(form, "ta_csrf"));
    HttpResponse<String> r = post("/dashboard/sign-in", "ta_csrf=" + csrf,
        "csrf=" + csrf + "&token=" + URLEncoder.encode(ta.adminSecret(), StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(303);
    return "ta_csrf=" + csrf + "; ta_session=" + value(cookie(r, "ta_session")) + "; ta_refresh=" + value(cookie(r, "ta_refresh"));
  }

  @Test
  void everyPage_carriesAStrictPolicy_andNoCaching() throws Exception {
    for (HttpResponse<String> r : List.of(get("/dashboard/sign-in", null), get("/dashboard/tokens", signedIn()))) {
      assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
          .contains("default-src 'none'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
      assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
      assertThat(r.body()).as("no inline script: every script has a src").doesNotContainPattern("<script(?![^>]*\\ssrc=)");
    }
  }

  @Test
  void sessionCookies_areHttpOnlyStrictAndLimitedToTheDashboard() throws Exception {
    HttpResponse<String> form = get("/dashboard/sign-in", null);
    String csrf = value(cookie(form, "ta_csrf"));
    HttpResponse<String> r = post("/dashboard/sign-in", "ta_csrf=" + csrf,
        "csrf=" + csrf + "&token=" + URLEncoder.encode(ta.adminSecret(), StandardCharsets.UTF_8));

    for (String name : List.of("ta_session", "ta_refresh", "ta_csrf")) {
      String c = name.equals("ta_csrf") ? cookie(form, name) : cookie(r, name);
      assertThat(c).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/dashboard");
    }
    assertThat(r.headers().firstValue("Location")).hasValue("/dashboard/tokens");
    assertThat(r.body()).doesNotContain(ta.adminSecret());
  }

  @Test
  void signInWithoutTheCsrfValue_isRefused_andStartsNoSession() throws Exception {
    HttpResponse<String> form = get("/dashboard/sign-in", null);
    String csrf = value(cookie(form, "ta_csrf"));
    String token = URLEncoder.encode(ta.adminSecret(), StandardCharsets.UTF_8);

    HttpResponse<String> noField = post("/dashboard/sign-in", "ta_csrf=" + csrf, "token=" + token);
    HttpResponse<String> wrongField = post("/dashboard/sign-in", "ta_csrf=" + csrf, "csrf=" + csrf + "x&token=" + token);
    HttpResponse<String> noCookie = post("/dashboard/sign-in", null, "csrf=" + csrf + "&token=" + token);

    for (HttpResponse<String> r : List.of(noField, wrongField, noCookie)) {
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("ta_session="));
    }
  }

  @Test
  void signOutWithoutTheCsrfValue_isRefused_andTheSessionLives() throws Exception {
    String cookies = signedIn();
    String access = cookies.replaceAll(".*ta_session=([^;]+).*", "$1");

    HttpResponse<String> forged = post("/dashboard/sign-out", cookies, "");

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(ta.isActive(access)).isTrue();
    Matcher m = CSRF_FIELD.matcher(get("/dashboard/tokens", cookies).body());
    assertThat(m.find()).isTrue();
    assertThat(post("/dashboard/sign-out", cookies, "csrf=" + m.group(1)).statusCode()).isEqualTo(303);
    assertThat(ta.isActive(access)).isFalse();
  }

  @Test
  void theSecretsPage_isNeverCached_andCreatingNeedsTheCsrfValue() throws Exception {
    String cookies = signedIn();
    String csrf = cookies.replaceAll("ta_csrf=([^;]+).*", "$1");
    String form = "label=ci&kind=organization&organization=acme&scopes=lenses%3Aread&expiry=90d&step=create";

    HttpResponse<String> forged = post("/dashboard/tokens/new", cookies, form);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).doesNotContain("tka_org_");

    HttpResponse<String> created = post("/dashboard/tokens/new", cookies, form + "&csrf=" + csrf);
    assertThat(created.statusCode()).isEqualTo(200);
    assertThat(created.body()).containsPattern("<code id=\"secret\">tka_org_[A-Za-z0-9]+</code>");
    assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void revokingWithoutTheConfirmation_orTheCsrfValue_changesNothing() throws Exception {
    String cookies = signedIn();
    String csrf = cookies.replaceAll("ta_csrf=([^;]+).*", "$1");
    var token = ta.orgToken("acme", "lenses:read");

    HttpResponse<String> unconfirmed = post("/dashboard/tokens/" + token.getId() + "/revoke", cookies, "csrf=" + csrf + "&reason=x");
    HttpResponse<String> forged = post("/dashboard/tokens/" + token.getId() + "/revoke", cookies, "confirm=yes&reason=x");
    HttpResponse<String> forgedRotate = post("/dashboard/tokens/" + token.getId() + "/rotate", cookies, "grace=0");

    assertThat(unconfirmed.statusCode()).isEqualTo(400);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forgedRotate.statusCode()).isEqualTo(403);
    assertThat(ta.isActive(token.getSecret())).isTrue();
    assertThat(post("/dashboard/tokens/" + token.getId() + "/revoke", cookies, "csrf=" + csrf + "&confirm=yes")
        .statusCode()).isEqualTo(200);
    assertThat(ta.isActive(token.getSecret())).isFalse();
  }

  @Test
  void withoutASession_theTokensPageSendsToSignIn_andAnEndedSessionToo() throws Exception {
    assertThat(get("/dashboard/tokens", null).headers().firstValue("Location"))
        .hasValue("/dashboard/sign-in?next=%2Fdashboard%2Ftokens");
    assertThat(get("/dashboard/tokens", "ta_session=tka_ses_forged; ta_refresh=tka_ref_forged").headers()
        .firstValue("Location").orElseThrow()).startsWith("/dashboard/sign-in");
  }

  @Test
  void afterSignIn_onlyDashboardPagesAreFollowed_neverAnotherSite() throws Exception {
    for (String next : List.of("https://evil.example/", "//evil.example/x", "/dashboard/../../x\\evil", "/elsewhere",
        "/dashboard//evil.example")) {
      HttpResponse<String> form = get("/dashboard/sign-in?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), null);
      assertThat(form.body()).contains("name=\"next\" value=\"/dashboard/tokens\"");
      String csrf = value(cookie(form, "ta_csrf"));
      HttpResponse<String> r = post("/dashboard/sign-in", "ta_csrf=" + csrf, "csrf=" + csrf + "&next="
          + URLEncoder.encode(next, StandardCharsets.UTF_8) + "&token=" + URLEncoder.encode(ta.adminSecret(), StandardCharsets.UTF_8));
      assertThat(r.headers().firstValue("Location")).as(next).hasValue("/dashboard/tokens");
    }
  }

  @Test
  void aSpentAccessCookie_isRenewedFromTheRefreshCookie() throws Exception {
    String cookies = signedIn();
    // Only the refresh cookie left, as when the access token's cookie has gone.
    String refreshOnly = cookies.replaceAll("ta_session=[^;]+; ", "");

    HttpResponse<String> r = get("/dashboard/tokens", refreshOnly);

    assertThat(r.statusCode()).isEqualTo(200);
    String renewed = value(cookie(r, "ta_session"));
    assertThat(ta.isActive(renewed)).isTrue();
    assertThat(cookie(r, "ta_refresh")).isNotEqualTo("ta_refresh=" + cookies.replaceAll(".*ta_refresh=([^;]+).*", "$1"));
  }
}
