package dev.tokenauthority.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's tokens page for an organisation of 10,000 tokens: the first page, a search and
 * a filter, each requested one after another by a signed-in browser's cookies, against /healthz
 * on the same listener in the same run. Goal: p50 < 50 ms, p99 < 200 ms.
 */
final class DashboardTime {
  static final int TOKENS = 10_000;
  private static final int WARMUP = 100;
  private static final int MEASURED = 400;

  private DashboardTime() {}

  static void measure(Report report, Path work) throws Exception {
    Population population = Population.create(work.resolve("dashboard"), TOKENS);
    try (ServerHandle server = ServerHandle.start(work.resolve("dashboard"), 100_000)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER).build();
      String base = "http://127.0.0.1:" + server.httpPort;
      String cookies = signIn(http, base, population.adminSecret);
      Map<String, String> pages = new LinkedHashMap<>();
      pages.put("healthz", "/healthz");
      pages.put("tokens page (first of 10,000)", "/dashboard/tokens");
      pages.put("tokens page, search", "/dashboard/tokens?q=" + URLEncoder.encode("bench 9876", StandardCharsets.UTF_8));
      pages.put("tokens page, filter (kind, expiring within 90 days)", "/dashboard/tokens?kind=organization&expiring=90");
      pages.put("tokens page, sorted by label", "/dashboard/tokens?sort=label");
      double healthP50 = 0;
      for (Map.Entry<String, String> page : pages.entrySet()) {
        long[] nanos = time(http, base + page.getValue(), cookies);
        double p50 = percentile(nanos, 0.50) / 1e6;
        double p99 = percentile(nanos, 0.99) / 1e6;
        if (page.getKey().equals("healthz")) {
          healthP50 = p50;
        }
        report.fact("dashboard: " + page.getKey() + " p50 / p99", String.format("%.2f / %.2f ms%s", p50, p99,
            page.getKey().equals("healthz") ? "" : String.format(" (p50 %.1fx healthz; goal p50 < 50 ms, p99 < 200 ms: %s)",
                p50 / healthP50, p50 < 50 && p99 < 200 ? "met" : "MISSED")));
      }
    }
  }

  private static String signIn(HttpClient http, String base, String secret) throws Exception {
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/sign-in")).build(),
        HttpResponse.BodyHandlers.ofString());
    String csrf = cookie(form, "ta_csrf");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "ta_csrf=" + csrf)
        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf + "&token="
            + URLEncoder.encode(secret, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 303) {
      throw new IllegalStateException("the dashboard refused the bench admin: HTTP " + r.statusCode());
    }
    // The access token lasts minutes; the measured requests take seconds, so no refresh happens.
    return "ta_session=" + cookie(r, "ta_session") + "; ta_refresh=" + cookie(r, "ta_refresh");
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
        .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).orElseThrow();
  }

  private static long[] time(HttpClient http, String url, String cookies) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookies).build();
    long[] nanos = new long[MEASURED];
    for (int i = -WARMUP; i < MEASURED; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      long t = System.nanoTime() - t0;
      if (r.statusCode() != 200) {
        throw new IllegalStateException(url + " answered HTTP " + r.statusCode());
      }
      if (i >= 0) {
        nanos[i] = t;
      }
    }
    return nanos;
  }

  private static double percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }
}
