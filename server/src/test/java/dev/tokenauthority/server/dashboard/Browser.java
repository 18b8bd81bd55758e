package dev.tokenauthority.server.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Debian's chromium driven by Playwright, without Playwright's own browser download. Where no
 * chromium is installed the browser tests skip and say why; with TA_REQUIRE_BROWSER=1 (CI) they
 * fail instead.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TA_CHROMIUM", "/usr/bin/chromium"));

  private final Playwright playwright;
  private final com.microsoft.playwright.Browser browser;

  private Browser() {
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
        .setHeadless(true).setArgs(java.util.List.of("--no-sandbox")));
  }

  /** A browser, or the test skipped (with the reason) where there is none and none is required. */
  static Browser startOrSkip() {
    boolean present = Files.isExecutable(CHROMIUM);
    if (!present && "1".equals(System.getenv("TA_REQUIRE_BROWSER"))) {
      throw new AssertionError(CHROMIUM + " is missing and TA_REQUIRE_BROWSER=1: install Debian's chromium");
    }
    assumeTrue(present, "the dashboard's browser tests need chromium at " + CHROMIUM
        + " (apt-get install chromium; .ci/run installs it)");
    return new Browser();
  }

  /** A fresh profile: its own cookies. */
  BrowserContext newContext(boolean downloads) {
    return browser.newContext(new NewContextOptions().setViewportSize(1280, 800).setAcceptDownloads(downloads));
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
