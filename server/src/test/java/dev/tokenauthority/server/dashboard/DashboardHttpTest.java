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

  /** The CSRF value in a Cookie header {@link #signedIn()} made. */
  private static String csrfOf(String cookies) {
    return cookies.substring("ta_csrf=".length(), cookies.indexOf(';'));
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
    assertThat(value(cookie(r, "ta_refresh"))).isNotEqualTo(cookies.replaceAll(".*ta_refresh=([^;]+).*", "$1"));
  }

  @Test
  void twoTabsRefreshingAtOnce_shareOneRefresh_andTheSessionLives() throws Exception {
    String refreshOnly = signedIn().replaceAll("ta_session=[^;]+; ", "");

    var a = java.util.concurrent.CompletableFuture.supplyAsync(() -> unchecked(() -> get("/dashboard/tokens", refreshOnly)));
    var b = java.util.concurrent.CompletableFuture.supplyAsync(() -> unchecked(() -> get("/dashboard/tokens", refreshOnly)));

    assertThat(a.get().statusCode()).isEqualTo(200);
    assertThat(b.get().statusCode()).isEqualTo(200);
    String first = value(cookie(a.get(), "ta_session"));
    assertThat(value(cookie(b.get(), "ta_session"))).isEqualTo(first);
    assertThat(ta.isActive(first)).as("no reuse alarm ended the session").isTrue();
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T unchecked(Call<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aPostFromAnotherOrigin_isRefused_evenWithAPlantedCsrfPair() throws Exception {
    String cookies = signedIn();
    String csrf = cookies.replaceAll("ta_csrf=([^;]+).*", "$1");
    var token = ta.orgToken("acme", "lenses:read");
    for (String origin : List.of("http://evil.example", "http://127.0.0.1:1")) {
      HttpRequest forged = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port()
              + "/dashboard/tokens/" + token.getId() + "/revoke"))
          .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies).header("Origin", origin)
          .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf + "&confirm=yes")).build();
      assertThat(http.send(forged, HttpResponse.BodyHandlers.ofString()).statusCode()).as(origin).isEqualTo(403);
    }
    HttpRequest crossSite = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + "/dashboard/device/approve"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
        .header("Sec-Fetch-Site", "same-site").POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf + "&user_code=BBBBBBBB")).build();
    assertThat(http.send(crossSite, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    assertThat(ta.isActive(token.getSecret())).isTrue();
  }

  @Test
  void deviceDecisionsNeedTheCsrfValue() throws Exception {
    String cookies = signedIn();
    var started = ta.devicesAs(null).startDeviceAuthorization(dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest
        .newBuilder().setPurpose(dev.tokenauthority.api.v1.DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION).build());

    HttpResponse<String> forged = post("/dashboard/device/approve", cookies, "user_code=" + started.getUserCode());

    assertThat(forged.statusCode()).isEqualTo(403);
    var poll = ta.devicesAs(null).pollDeviceAuthorization(dev.tokenauthority.api.v1.PollDeviceAuthorizationRequest
        .newBuilder().setDeviceCode(started.getDeviceCode()).build());
    assertThat(poll.getState()).isEqualTo(dev.tokenauthority.api.v1.DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_PENDING);
  }

  @Test
  void signingIn_givesANewCsrfValue_andOnlySessionTokensOpenTheDashboard() throws Exception {
    HttpResponse<String> form = get("/dashboard/sign-in", null);
    String before = value(cookie(form, "ta_csrf"));
    HttpResponse<String> r = post("/dashboard/sign-in", "ta_csrf=" + before,
        "csrf=" + before + "&token=" + URLEncoder.encode(ta.adminSecret(), StandardCharsets.UTF_8));
    assertThat(value(cookie(r, "ta_csrf"))).isNotEqualTo(before);

    // An organisation token put in the session cookie by hand is not a session.
    var org = ta.orgToken("acme", "tokens:read");
    assertThat(get("/dashboard/tokens", "ta_session=" + org.getSecret()).headers().firstValue("Location").orElseThrow())
        .startsWith("/dashboard/sign-in");
  }

  @Test
  void everySortOrder_pagesThroughEveryTokenOnce_inItsOrder() throws Exception {
    for (int i = 0; i < 120; i++) {
      ta.admin().createToken(dev.tokenauthority.api.v1.CreateTokenRequest.newBuilder().setToken(
          dev.tokenauthority.api.v1.Token.newBuilder().setKind(dev.tokenauthority.api.v1.TokenKind.TOKEN_KIND_ORGANIZATION)
              .setOrganization("acme").setLabel("zq-" + (i * 37 % 120)).addScopes("lenses:read"))
          .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(86_400L * (31 + i % 7))).build());
      ta.clock.advance(java.time.Duration.ofMillis(i % 3)); // ties too
    }
    String cookies = signedIn();
    Pattern row = Pattern.compile("data-token-id=\"([^\"]+)\"><td><a [^>]*>([^<]*)</a>");
    Pattern next = Pattern.compile("href=\"(/dashboard/tokens\\?[^\"]*page=[^\"]+)\" rel=\"next\"");
    java.util.Map<String, List<String>> orders = new java.util.HashMap<>();
    for (String sort : List.of("", "oldest", "expires", "last-used", "label")) {
      List<String> ids = new java.util.ArrayList<>();
      List<String> labels = new java.util.ArrayList<>();
      // "zq-": a hyphen no random id has ("zq" alone matched a session's id now and then)
      String path = "/dashboard/tokens?q=zq-&sort=" + sort;
      for (int pages = 0; path != null; pages++) {
        assertThat(pages).as("pages of " + sort).isLessThan(10);
        String body = get(path, cookies).body();
        for (Matcher m = row.matcher(body); m.find(); ) {
          ids.add(m.group(1));
          labels.add(m.group(2));
        }
        Matcher m = next.matcher(body);
        path = m.find() ? m.group(1).replace("&amp;", "&") : null;
      }
      assertThat(ids).as(sort).hasSize(120).doesNotHaveDuplicates();
      orders.put(sort, ids);
      if (sort.equals("label")) {
        assertThat(labels).isSorted();
      }
    }
    java.util.Map<String, dev.tokenauthority.api.v1.Token> byId = new java.util.HashMap<>();
    ta.admin().listTokens(dev.tokenauthority.api.v1.ListTokensRequest.newBuilder().setLabelContains("zq-").setPageSize(500)
        .build()).getTokensList().forEach(t -> byId.put(t.getId(), t));
    assertThat(orders.get("").stream().map(id -> -com.google.protobuf.util.Timestamps.toMillis(byId.get(id).getCreateTime())).toList())
        .as("newest first").isSorted();
    List<String> reversed = new java.util.ArrayList<>(orders.get(""));
    java.util.Collections.reverse(reversed);
    assertThat(orders.get("oldest")).as("oldest first: newest first backwards, ties too").isEqualTo(reversed);
    assertThat(orders.get("expires").stream().map(id -> com.google.protobuf.util.Timestamps.toMillis(byId.get(id).getExpireTime())).toList())
        .as("soonest expiry first").isSorted();
  }

  @Test
  void theNextPage_ofAnUnusedForFilter_continuesAfterTheClockMoved() throws Exception {
    for (int i = 0; i < 60; i++) {
      ta.orgToken("acme", "lenses:read");
    }
    String cookies = signedIn();
    String first = get("/dashboard/tokens?unused=30&kind=organization", cookies).body();
    Matcher next = Pattern.compile("href=\"(/dashboard/tokens\\?[^\"]*page=[^\"]+)\" rel=\"next\"").matcher(first);
    assertThat(next.find()).isTrue();
    ta.clock.advance(java.time.Duration.ofSeconds(5));
    HttpResponse<String> second = get(next.group(1).replace("&amp;", "&"), cookies);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(Pattern.compile("data-token-id=").matcher(second.body()).results().count()).isEqualTo(10);
  }

  /** The number the revoke-all preview asks to type, or -1 if it shows none. */
  private static int previewCount(String page) {
    Matcher m = Pattern.compile("id=\"revoke-count\"><strong>(\\d+)</strong>").matcher(page);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  @Test
  void revokeAll_needsAFilter_andSparesSessionsServiceTokensAndTheWayBackIn() throws Exception {
    dev.tokenauthority.api.v1.Token org = ta.orgToken("acme", "lenses:read");
    String service = ta.connectorsAs(ta.adminSecret()).createConnector(dev.tokenauthority.api.v1.CreateConnectorRequest
        .newBuilder().setConnector(dev.tokenauthority.api.v1.Connector.newBuilder().setOrganization("acme").setSlug("billing")
            .setName("Billing").addScopes("lenses:read")).build()).getSecret();
    String cookies = signedIn();
    String csrf = csrfOf(cookies);

    HttpResponse<String> unfiltered = get("/dashboard/tokens/revoke-all", cookies);
    assertThat(unfiltered.statusCode()).isEqualTo(400);
    assertThat(unfiltered.body()).contains("choose a filter first");
    assertThat(post("/dashboard/tokens/revoke-all", cookies, "csrf=" + csrf + "&reason=x&confirm=0").statusCode())
        .isEqualTo(400);

    String preview = get("/dashboard/tokens/revoke-all?state=active", cookies).body();
    assertThat(previewCount(preview)).as("the organisation token only").isEqualTo(1);
    HttpResponse<String> done = post("/dashboard/tokens/revoke-all", cookies,
        "csrf=" + csrf + "&state=active&reason=incident&confirm=1");
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("Revoked 1 token");
    assertThat(ta.isActive(org.getSecret())).isFalse();
    assertThat(ta.isActive(ta.adminSecret())).as("the token this session came from").isTrue();
    assertThat(ta.isActive(service)).as("a connector's token, not named by kind").isTrue();
    assertThat(get("/dashboard/tokens", cookies).statusCode()).as("still signed in").isEqualTo(200);
  }

  @Test
  void revokeAll_whenTheCountChangedMeanwhile_revokesNothing_andNeedsAReason() throws Exception {
    dev.tokenauthority.api.v1.Token first = ta.orgToken("acme", "lenses:read");
    String cookies = signedIn();
    String csrf = csrfOf(cookies);
    assertThat(previewCount(get("/dashboard/tokens/revoke-all?kind=organization", cookies).body())).isEqualTo(1);
    dev.tokenauthority.api.v1.Token second = ta.orgToken("acme", "lenses:read");

    HttpResponse<String> stale = post("/dashboard/tokens/revoke-all", cookies,
        "csrf=" + csrf + "&kind=organization&reason=incident&confirm=1");
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(stale.body()).contains("2 tokens match now, not 1");
    assertThat(ta.isActive(first.getSecret())).isTrue();
    assertThat(ta.isActive(second.getSecret())).isTrue();

    HttpResponse<String> noReason = post("/dashboard/tokens/revoke-all", cookies,
        "csrf=" + csrf + "&kind=organization&reason=&confirm=2");
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(ta.isActive(first.getSecret())).isTrue();
  }

  @Test
  void auditTimesOutsideTheCalendar_areABadRequest() throws Exception {
    HttpResponse<String> r = get("/dashboard/audit?from=%2B999999999-01-01T00:00", signedIn());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("YYYY-MM-DDTHH:MM");
  }

  @Test
  void theColumnChooser_goesBackOnlyToTheTokensPage_andIgnoresUnknownColumns() throws Exception {
    String cookies = signedIn();
    String csrf = csrfOf(cookies);
    HttpResponse<String> r = post("/dashboard/tokens/columns", cookies,
        "csrf=" + csrf + "&columns=kind&columns=%3Cscript%3E&back=" + URLEncoder.encode("//evil.example/x", StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/dashboard/tokens");
    String page = get("/dashboard/tokens", cookies).body();
    assertThat(page).contains(">Kind</th>").doesNotContain(">Scopes</th>").doesNotContain("<script>");

    HttpResponse<String> forged = post("/dashboard/tokens/columns", cookies, "columns=scopes");
    assertThat(forged.statusCode()).isEqualTo(403);
  }

  @Test
  void revokeAll_withoutTheCsrfValue_revokesNothing() throws Exception {
    dev.tokenauthority.api.v1.Token t = ta.orgToken("acme", "lenses:read");
    String cookies = signedIn();
    HttpResponse<String> r = post("/dashboard/tokens/revoke-all", cookies, "kind=organization&reason=x&confirm=1");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(ta.isActive(t.getSecret())).isTrue();
  }
}
