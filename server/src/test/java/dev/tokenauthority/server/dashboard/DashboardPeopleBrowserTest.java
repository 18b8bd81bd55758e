package dev.tokenauthority.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.http.HttpDoor;
import dev.tokenauthority.server.oidc.OidcSettings;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.session.GroupMapping;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People who sign in through the identity provider (mock-oauth2-server in the test JVM, the
 * authorization code flow with PKCE, no login form) in a real browser: a manager adds and rotates a
 * connector, a member makes their one personal token and is refused a second.
 */
class DashboardPeopleBrowserTest {
  private static final String ISSUER_ID = "platform";
  private static final String CLIENT = "token-authority";
  private static Browser browser;

  @TempDir Path dir;
  private MockOAuth2Server idp;
  private TestAuthority ta;
  private HttpDoor door;
  private BrowserContext context;
  private Page page;

  @BeforeAll
  static void launch() {
    browser = Browser.startOrSkip();
  }

  @AfterAll
  static void quit() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void open() {
    idp = new MockOAuth2Server();
    idp.start();
    GroupMapping groups = GroupMapping.defaults(ScopeCatalogue.defaults());
    groups = new GroupMapping("platform-admins", groups.managerPattern(), groups.memberPattern(), "api-users",
        groups.managerScopes(), groups.memberScopes());
    ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder()
        .oidc(new OidcSettings(URI.create(idp.issuerUrl(ISSUER_ID).toString()), CLIENT, "email", "groups",
            Duration.ofSeconds(30)))
        .groups(groups).personalTokenLimit(1).build());
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
    context = browser.newContext(true);
    page = context.newPage();
  }

  @AfterEach
  void shut() {
    context.close();
    door.close();
    ta.close();
    idp.shutdown();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + door.port() + path;
  }

  /** Signs in through the provider, which will say the person is {@code email} in {@code groups}. */
  private void signInAs(String email, List<String> groups) {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, email, "JWT", List.of(CLIENT),
        Map.of("email", email, "groups", groups), 3600));
    page.navigate(url("/dashboard/tokens"));
    page.waitForURL("**/dashboard/sign-in**");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in with your identity provider")).click();
    try {
      page.waitForURL("**/dashboard/tokens", new Page.WaitForURLOptions().setTimeout(5000));
    } catch (RuntimeException e) {
      throw new AssertionError("not signed in: at " + page.url() + " cookies " + context.cookies().stream().map(c -> c.name + "/" + c.sameSite + "/" + c.path).toList(), e);
    }
    assertThat(page.locator(".who").textContent()).isEqualTo("Signed in as " + email);
  }

  /** The next request the provider received, or null when there is none. */
  private RecordedRequest nextRequest() {
    try {
      return idp.takeRequest(200, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (RuntimeException none) {
      return null;
    }
  }

  private void click(String button) {
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true)).click();
  }

  @Test
  void signingInThroughTheProvider_usesPkceAndANonce_andLandsSignedIn() throws Exception {
    signInAs("ada@example.com", List.of("platform-admins"));

    RecordedRequest authorize = null;
    RecordedRequest token = null;
    for (RecordedRequest r; (r = nextRequest()) != null; ) {
      String path = r.getRequestUrl().encodedPath();
      if (path.endsWith("/authorize")) {
        authorize = r;
      } else if (path.endsWith("/token")) {
        token = r;
      }
    }
    assertThat(authorize).as("the browser went to the provider").isNotNull();
    assertThat(authorize.getRequestUrl().queryParameter("code_challenge_method")).isEqualTo("S256");
    assertThat(authorize.getRequestUrl().queryParameter("code_challenge")).hasSizeGreaterThanOrEqualTo(43);
    assertThat(authorize.getRequestUrl().queryParameter("nonce")).isNotBlank();
    assertThat(authorize.getRequestUrl().queryParameter("state")).isNotBlank();
    assertThat(token).as("the server traded the code").isNotNull();
    assertThat(token.getBody().readUtf8()).contains("code_verifier=").contains("grant_type=authorization_code");

    // The one-time cookie of the attempt is gone; the session's cookies hold the person.
    assertThat(context.cookies()).extracting(c -> c.name).doesNotContain(OidcPages.ATTEMPT_COOKIE)
        .contains("ta_session", "ta_refresh");
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-sign-in-oidc.png")));
  }

  @Test
  void aManagerAddsAConnector_seesItsSecretOnce_andRotatesIt() {
    signInAs("mia@example.com", List.of("org:acme:manager"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connectors")).click();
    assertThat(page.locator("h1").textContent()).isEqualTo("Connectors of acme");

    page.getByLabel("Short name").fill("billing");
    page.getByLabel("Display name").fill("Billing export");
    page.getByLabel("lenses:read").check();
    click("Add connector");
    String first = page.locator("#secret").textContent();
    assertThat(ta.isActive(first)).as("the connector's secret works").isTrue();
    page.getByLabel("I have securely saved this token").check();
    click("Close");
    assertThat(page.locator("h1").textContent()).isEqualTo("Connector acme/billing");
    assertThat(page.content()).doesNotContain(first);
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-connector.png"))
        .setFullPage(true));

    click("Rotate"); // with the default grace of an hour
    String second = page.locator("#secret").textContent();
    assertThat(second).isNotEqualTo(first);
    assertThat(ta.isActive(second)).isTrue();
    assertThat(ta.isActive(first)).as("the old secret works through its grace").isTrue();
    page.getByLabel("I have securely saved this token").check();
    click("Close");

    page.getByLabel("Secret", new Page.GetByLabelOptions().setExact(true)).fill(second);
    click("Test");
    assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("current token");
    assertThat(page.content()).as("a tested secret is not echoed").doesNotContain(second);
  }

  @Test
  void aMemberMakesTheirToken_andIsRefusedASecond_besideTheKind() {
    signInAs("amy@example.com", List.of("org:acme:member", "api-users"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Create a token")).click();
    assertThat(page.getByLabel("Subject (the person, for a personal token)").count()).as("not theirs to choose").isZero();

    page.getByLabel("Label").fill("laptop");
    page.getByLabel("lenses:read").check();
    page.getByLabel("30 days").check();
    click("Review");
    click("Create token");
    String secret = page.locator("#secret").textContent();
    assertThat(ta.admin().listTokens(ListTokensRequest.newBuilder().setSubject("amy@example.com")
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).build())
        .getTokensList()).singleElement().satisfies(t -> {
          assertThat(t.getKind()).isEqualTo(TokenKind.TOKEN_KIND_PERSONAL);
          assertThat(t.getOrganization()).isEqualTo("acme");
          assertThat(t.getGroupsList()).as("inherited from the person").containsExactly("api-users");
        });
    assertThat(ta.isActive(secret)).isTrue();
    page.getByLabel("I have securely saved this token").check();
    click("Close");

    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Create a token")).click();
    page.getByLabel("Label").fill("second laptop");
    page.getByLabel("lenses:read").check();
    page.getByLabel("30 days").check();
    click("Review");
    click("Create token");
    assertThat(page.locator("#kind-error").textContent()).contains("already has 1 active personal token");
    assertThat(page.locator("#secret").count()).isZero();
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-one-token-policy.png"))
        .setFullPage(true));
  }
}
