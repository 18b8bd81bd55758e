package dev.tokenauthority.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import dev.tokenauthority.server.http.HttpDoor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard in a real browser (Debian's chromium), against the real listener and domain. */
class DashboardBrowserTest extends InProcessAuthorityTest {
  private static Browser browser;
  private HttpDoor door;
  private BrowserContext context;
  private Page page;
  private final List<String> dialogs = new ArrayList<>();

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
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
    context = browser.newContext(true);
    page = context.newPage();
    page.onDialog(d -> {
      dialogs.add(d.message());
      d.dismiss();
    });
  }

  @AfterEach
  void shut() {
    context.close();
    door.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + door.port() + path;
  }

  private void signIn(String secret) {
    page.navigate(url("/dashboard"));
    page.getByLabel("Token").fill(secret);
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
        new Page.GetByRoleOptions().setName("Sign in")).click();
  }

  @Test
  void adminSignsInWithTheBootstrapToken_andSeesEveryToken_labelsAsText() {
    Token hostile = ta.orgToken("acme", "lenses:read");
    Token xss = ta.admin().createToken(dev.tokenauthority.api.v1.CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme")
            .setLabel("<script>alert(1)</script>").addScopes("lenses:read")).build());

    signIn(ta.adminSecret());

    assertThat(page.url()).endsWith("/dashboard/tokens");
    assertThat(page.locator("header").textContent()).contains("Signed in as bootstrap");
    assertThat(page.locator("tr[data-token-id='" + hostile.getId() + "']").count()).isEqualTo(1);
    assertThat(page.locator("tr[data-token-id='" + xss.getId() + "'] td").first().textContent())
        .isEqualTo("<script>alert(1)</script>");
    assertThat(dialogs).as("no script of a label ran").isEmpty();
    assertThat(page.content()).doesNotContain(ta.adminSecret()).doesNotContain(xss.getSecret());
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-tokens.png")).setFullPage(true));
  }

  @Test
  void filtersNarrowTheList() {
    Token org = ta.orgToken("acme", "lenses:read");
    Token personal = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice@example.com", List.of(), "lenses:read");
    signIn(ta.adminSecret());

    page.getByLabel("Kind", new Page.GetByLabelOptions().setExact(true)).selectOption("personal");
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();

    assertThat(page.locator("tr[data-token-id='" + personal.getId() + "']").count()).isEqualTo(1);
    assertThat(page.locator("tr[data-token-id='" + org.getId() + "']").count()).isZero();
    assertThat(page.url()).contains("kind=personal");
  }

  @Test
  void aWrongToken_isRefusedOnThePage_withoutEchoingIt() {
    page.navigate(url("/dashboard/sign-in"));
    page.getByLabel("Token").fill("tka_org_notarealtoken00000000000000000");
    Response r = page.waitForNavigation(() -> page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
        new Page.GetByRoleOptions().setName("Sign in")).click());

    assertThat(r.status()).isEqualTo(401);
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT).textContent()).contains("does not work here");
    assertThat(page.content()).doesNotContain("notarealtoken");
  }

  @Test
  void aPersonApprovesTheCodeADeviceIsWaitingOn_signingInOnTheWay() {
    var started = ta.devicesAs(null).startDeviceAuthorization(dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest
        .newBuilder().setPurpose(dev.tokenauthority.api.v1.DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION)
        .setLabel("ta on build-42").build());
    String link = started.getVerificationUriComplete();

    // The link the device printed, on this listener: /device?user_code=...
    page.navigate(url(link.substring(link.indexOf("/device"))));
    assertThat(page.url()).contains("/dashboard/sign-in");
    page.getByLabel("Token").fill(ta.adminSecret());
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();

    assertThat(page.url()).contains("/dashboard/device?user_code=");
    assertThat(page.locator("dl").textContent()).contains("a session (sign-in) as you").contains("ta on build-42");
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-device.png")).setFullPage(true));
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Approve")).click();

    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).textContent()).contains("Approved");
    var poll = ta.devicesAs(null).pollDeviceAuthorization(dev.tokenauthority.api.v1.PollDeviceAuthorizationRequest
        .newBuilder().setDeviceCode(started.getDeviceCode()).build());
    assertThat(poll.getState()).isEqualTo(dev.tokenauthority.api.v1.DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_APPROVED);
    assertThat(ta.isActive(poll.getSession().getAccessToken())).isTrue();
    assertThat(page.content()).doesNotContain(started.getDeviceCode());
  }

  private void click(String button) {
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true)).click();
  }

  @Test
  void adminCreatesAnOrganisationToken_copiesTheSecretOnce_andItWorksOverGrpc() throws Exception {
    signIn(ta.adminSecret());
    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Create a token")).click();
    page.getByLabel("Label").fill("GitHub Actions deploy pipeline");
    page.getByLabel("Kind").selectOption("organization");
    page.getByLabel("Organisation").fill("acme");
    page.getByLabel("lenses:read").check();
    page.getByLabel("90 days").check();
    click("Review");
    assertThat(page.locator("dl").textContent()).contains("GitHub Actions deploy pipeline").contains("lenses:read");
    click("Create token");

    String secret = page.locator("#secret").textContent();
    assertThat(secret).startsWith("tka_org_");
    com.microsoft.playwright.Download download = page.waitForDownload(() -> click("Download"));
    assertThat(java.nio.file.Files.readString(download.path()).strip()).isEqualTo(secret);
    // The README shows this page: with the secret shortened, so that no secret lands in the repository.
    page.evaluate("s => document.getElementById('secret').textContent = s", secret.substring(0, 12) + "…");
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-secret.png")).setFullPage(true));
    String before = page.url();
    click("Close");
    assertThat(page.url()).as("the dialog stays until the box is ticked").isEqualTo(before);
    assertThat(page.locator("#secret").isVisible()).isTrue();
    page.getByLabel("I have securely saved this token").check();
    click("Close");

    assertThat(page.url()).contains("/dashboard/tokens");
    assertThat(page.content()).doesNotContain(secret);
    assertThat(ta.isActive(secret)).isTrue();
  }

  @Test
  void fromTheList_aTokenIsRevokedWithAReason_afterTheConfirmation_andStopsAtOnce() {
    Token leaked = ta.orgToken("acme", "lenses:read");
    signIn(ta.adminSecret());
    page.locator("tr[data-token-id='" + leaked.getId() + "'] a").click();
    assertThat(page.locator("dl").textContent()).contains(leaked.getId()).contains("Active");

    page.getByLabel("Reason (recorded in the audit log)").fill("leaked in CI log");
    click("Revoke");
    assertThat(ta.isActive(leaked.getSecret())).as("not without the confirmation").isTrue();
    page.getByLabel("Stop this token now, for good").check();
    click("Revoke");

    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).textContent()).contains("Revoked");
    assertThat(ta.isActive(leaked.getSecret())).isFalse();
    assertThat(page.locator("dl").textContent()).contains("leaked in CI log");
    assertThat(page.locator("table").textContent()).contains("token_revoked");
  }

  private Token labelled(String label) {
    return ta.admin().createToken(dev.tokenauthority.api.v1.CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel(label).addScopes("lenses:read"))
        .build());
  }

  @Test
  void revokeAll_previewsTheCount_wantsItTyped_andRevokesExactlyTheFilteredTokens() {
    List<Token> leaked = List.of(labelled("ci leaked 1"), labelled("ci leaked 2"), labelled("ci leaked 3"));
    Token kept = labelled("production");
    signIn(ta.adminSecret());
    page.getByLabel("Search").fill("leaked");
    click("Filter");
    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Revoke all matching…")).click();
    assertThat(page.locator("#revoke-count").textContent()).contains("3 working tokens");
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-revoke-all.png")).setFullPage(true));

    page.getByLabel("Reason (kept in the audit log)").fill("leaked in a CI log");
    page.getByLabel("Type the number of tokens").fill("4");
    click("Revoke 3 tokens");
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT).textContent()).contains("Nothing was revoked");
    assertThat(leaked).allSatisfy(t -> assertThat(ta.isActive(t.getSecret())).isTrue());

    page.getByLabel("Type the number of tokens").fill("3");
    click("Revoke 3 tokens");
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).textContent()).contains("Revoked 3 tokens");
    assertThat(leaked).allSatisfy(t -> assertThat(ta.isActive(t.getSecret())).isFalse());
    assertThat(ta.isActive(kept.getSecret())).as("outside the filter").isTrue();
  }

  @Test
  void theColumnsAPersonChooses_areRemembered_andHeadingsSort() {
    Token late = labelled("a late"); // made first: neither sort may be the order of creation
    ta.clock.advance(java.time.Duration.ofSeconds(1));
    Token soon = ta.admin().createToken(dev.tokenauthority.api.v1.CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("b soon").addScopes("lenses:read"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(31 * 86_400)).build());
    signIn(ta.adminSecret());
    page.locator("details.columns summary").click();
    page.getByLabel("Scopes column").uncheck();
    page.getByLabel("Groups column").check();
    click("Show these columns");
    assertThat(page.locator("th").allTextContents()).contains("Groups").doesNotContain("Scopes");

    // Another browser, another session of the same person: the same columns.
    context.close();
    context = browser.newContext(true);
    page = context.newPage();
    signIn(ta.adminSecret());
    assertThat(page.locator("th").allTextContents()).contains("Groups").doesNotContain("Scopes");

    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Expires").setExact(true)).click();
    assertThat(page.locator("th[aria-sort='ascending']").textContent()).isEqualTo("Expires");
    String ids = String.valueOf(page.locator("tbody tr").evaluateAll("rows => rows.map(r => r.dataset.tokenId).join(' ')"));
    assertThat(ids.indexOf(soon.getId())).as("the sooner expiry first").isLessThan(ids.indexOf(late.getId()));
    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Label").setExact(true)).click();
    ids = String.valueOf(page.locator("tbody tr").evaluateAll("rows => rows.map(r => r.dataset.tokenId).join(' ')"));
    assertThat(ids.indexOf(late.getId())).as("a before b").isLessThan(ids.indexOf(soon.getId()));
  }

  @Test
  void theAuditLog_filtersByAction_andShowsAnEventInFull() {
    Token t = labelled("to revoke");
    ta.admin().revokeToken(dev.tokenauthority.api.v1.RevokeTokenRequest.newBuilder().setId(t.getId()).setReason("rotated by hand").build());
    signIn(ta.adminSecret());
    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Audit log")).click();
    page.getByLabel("Action").selectOption("token_revoked");
    click("Filter");
    assertThat(page.locator("tbody tr")).satisfies(rows -> assertThat(rows.count()).isEqualTo(1));
    page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target/screenshots/dashboard-audit.png")).setFullPage(true));
    page.locator("tbody tr a").click();
    assertThat(page.locator("dl").textContent()).contains("token_revoked").contains(t.getId()).contains("rotated by hand");
  }

  @Test
  void byKeyboardAlone_atAPhonesWidth_signInAndReachEveryPage_withoutSidewaysScrolling() {
    page.setViewportSize(390, 844);
    page.navigate(url("/dashboard"));
    page.keyboard().press("Tab"); // into the token field: the first control of the page
    page.keyboard().insertText(ta.adminSecret());
    page.keyboard().press("Tab");
    page.waitForNavigation(() -> page.keyboard().press("Enter")); // the focused Sign in button
    assertThat(page.url()).endsWith("/dashboard/tokens");
    for (String path : List.of("/dashboard/tokens", "/dashboard/tokens/new", "/dashboard/connectors?organization=acme",
        "/dashboard/audit", "/dashboard/device", "/dashboard/sessions", "/dashboard/tokens/revoke-all?kind=organization")) {
      page.navigate(url(path));
      assertThat((Integer) page.evaluate("() => document.documentElement.scrollWidth")).as(path).isLessThanOrEqualTo(390);
      assertThat((Integer) page.evaluate("() => document.querySelectorAll('input:not([type=hidden]), select, textarea')"
          + ".length - [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
          + ".filter(e => e.labels && e.labels.length > 0).length")).as("controls without a label on " + path).isZero();
    }
  }

  @Test
  void rotatingWithGrace_showsTheNewSecretOnce_andTheOldKeepsWorkingMeanwhile() {
    Token old = ta.orgToken("acme", "lenses:read");
    signIn(ta.adminSecret());
    page.navigate(url("/dashboard/tokens/" + old.getId()));
    page.getByLabel("Keep the old secret working for").selectOption("3600");
    click("Rotate");

    String fresh = page.locator("#secret").textContent();
    assertThat(ta.isActive(fresh)).isTrue();
    assertThat(ta.isActive(old.getSecret())).isTrue();
    page.navigate(url("/dashboard/tokens/" + old.getId()));
    assertThat(page.locator("dl").textContent()).contains("Replaced by").contains("In rotation grace");
    assertThat(page.content()).doesNotContain(fresh);
  }

  @Test
  void theServersRefusal_isShownBesideTheFieldItConcerns() {
    signIn(ta.adminSecret());
    page.navigate(url("/dashboard/tokens/new"));
    page.getByLabel("Label").fill("laptop");
    page.getByLabel("Kind", new Page.GetByLabelOptions().setExact(true)).selectOption("personal");
    page.getByLabel("Organisation").fill("acme");
    page.getByLabel("lenses:read").check();
    click("Review");

    assertThat(page.locator("#subject-error").textContent()).isNotBlank();
    assertThat(page.getByLabel("Label").inputValue()).isEqualTo("laptop");
  }

  @Test
  void aWrongCode_saysSo() {
    signIn(ta.adminSecret());
    page.navigate(url("/dashboard/device"));
    page.getByLabel("Code shown on the device").fill("BBBB-BBBB");
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Look up")).click();

    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT).textContent()).contains("check the code");
  }

  @Test
  void mySessions_listsEachSignedInBrowser_andEndsThem() {
    BrowserContext laptop = browser.newContext(false);
    Page other = laptop.newPage();
    other.navigate(url("/dashboard/sign-in"));
    other.getByLabel("Token").fill(ta.adminSecret());
    other.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    String otherAccess = laptop.cookies().stream().filter(c -> c.name.equals("ta_session")).findFirst().orElseThrow().value;
    signIn(ta.adminSecret());

    page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("My sessions")).click();
    assertThat(page.locator("tbody tr").count()).isEqualTo(2);
    assertThat(page.locator("tbody").textContent()).contains("(this browser)");
    page.locator("tbody tr:not(:has-text('this browser')) button").click();

    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).textContent()).contains("Ended session");
    assertThat(ta.isActive(otherAccess)).isFalse();
    assertThat(page.locator("tbody tr").count()).isEqualTo(1);
    page.locator("tbody tr button").click();
    assertThat(page.url()).contains("/dashboard/sign-in");
    laptop.close();
  }

  @Test
  void signOut_endsTheSession_andTheListIsClosedAgain() {
    signIn(ta.adminSecret());
    String access = context.cookies().stream().filter(c -> c.name.equals("ta_session")).findFirst().orElseThrow().value;
    assertThat(ta.isActive(access)).isTrue();

    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();

    assertThat(page.url()).endsWith("/dashboard/sign-in");
    assertThat(ta.isActive(access)).isFalse();
    page.navigate(url("/dashboard/tokens"));
    assertThat(page.url()).contains("/dashboard/sign-in");
  }
}
