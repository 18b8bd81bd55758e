package dev.tokenauthority.server.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.server.PostgresForTests;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.http.HttpDoor;
import dev.tokenauthority.server.storage.PostgresSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A browser's two tabs whose requests a load balancer sends to different replicas: both present
 * the same refresh cookie at once. On one server the second shares the first's refresh; across
 * replicas it must not look like a stolen refresh token (which ends the session), yet a refresh
 * token replayed later still must.
 */
class DashboardAcrossReplicasTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient(); // follows no redirect: each answer is seen
  private TestAuthority a;
  private TestAuthority b;
  private HttpDoor doorA;
  private HttpDoor doorB;

  @BeforeEach
  void start() {
    PostgresSettings db = PostgresForTests.freshDatabase();
    a = TestAuthority.replica(dir.resolve("a"), db);
    b = TestAuthority.replica(dir.resolve("b"), db);
    b.clock.advance(Duration.between(b.clock.instant(), a.clock.instant())); // one time on both, as NTP keeps it
    doorA = HttpDoor.start("127.0.0.1", 0, a.authority());
    doorB = HttpDoor.start("127.0.0.1", 0, b.authority());
  }

  @AfterEach
  void stop() {
    doorA.close();
    doorB.close();
    a.close();
    b.close();
  }

  private HttpResponse<String> send(HttpDoor door, String method, String path, String cookies, String form)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + path))
        .header("Cookie", cookies).method(method, form == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(form));
    if (form != null) {
      r.header("Content-Type", "application/x-www-form-urlencoded");
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst().orElse(null);
  }

  @Test
  void twoTabsRefreshingAtOnceThroughTwoReplicas_keepTheSession_aLaterReplayStillEndsIt() throws Exception {
    // (The access cookie's expiry is simulated by leaving it out; the refresh cookie is what both send.)
    String csrf = cookie(send(doorA, "GET", "/dashboard/sign-in", "", null), "ta_csrf");
    HttpResponse<String> signIn = send(doorA, "POST", "/dashboard/sign-in", "ta_csrf=" + csrf,
        "csrf=" + csrf + "&token=" + URLEncoder.encode(a.adminSecret(), StandardCharsets.UTF_8));
    assertThat(signIn.statusCode()).isEqualTo(303);
    // The access cookie has run out (it goes before its token): both tabs hold only the refresh cookie.
    String stale = "ta_csrf=" + csrf + "; ta_refresh=" + cookie(signIn, "ta_refresh");

    HttpResponse<String> first = send(doorA, "GET", "/dashboard/tokens?kind=system", stale, null);
    HttpResponse<String> second = send(doorB, "GET", "/dashboard/tokens?kind=system", stale, null);

    assertThat(first.statusCode()).isEqualTo(200);
    String renewed = "ta_csrf=" + csrf + "; ta_session=" + cookie(first, "ta_session") + "; ta_refresh="
        + cookie(first, "ta_refresh");
    assertThat(second.statusCode()).as("told to come again, not signed out").isEqualTo(200);
    assertThat(second.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(second.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
    assertThat(second.body()).contains("<meta http-equiv=\"refresh\" content=\"1;url=/dashboard/tokens?kind=system\">");
    assertThat(second.headers().allValues("Set-Cookie")).as("its cookies kept").isEmpty();
    // The page loaded again with the cookies the first tab's answer set meanwhile.
    assertThat(send(doorB, "GET", "/dashboard/tokens?kind=system", renewed, null).statusCode()).isEqualTo(200);
    // A form is not sent twice behind the person's back: they are asked to send it again.
    String columns = "csrf=" + csrf + "&columns=kind";
    HttpResponse<String> post = send(doorB, "POST", "/dashboard/tokens/columns", stale, columns);
    assertThat(post.statusCode()).isEqualTo(409);
    assertThat(post.body()).contains("send it again").doesNotContain("http-equiv");
    assertThat(send(doorB, "POST", "/dashboard/tokens/columns", renewed, columns).statusCode()).isEqualTo(303);

    // Past the window the old refresh token is what it is: replayed, it ends the session.
    b.clock.advance(Duration.ofSeconds(11));
    HttpResponse<String> replay = send(doorB, "GET", "/dashboard/tokens", stale, null);
    assertThat(replay.headers().firstValue("Location").orElse("")).startsWith("/dashboard/sign-in");
    String access = cookie(first, "ta_session");
    assertThat(activeOnA(access, false)).as("the renewed session ended too").isFalse();
  }

  @Test
  void signingOutWhileAnotherTabRenewsThroughAnotherReplica_endsTheRenewedSessionToo() throws Exception {
    String csrf = cookie(send(doorA, "GET", "/dashboard/sign-in", "", null), "ta_csrf");
    HttpResponse<String> signIn = send(doorA, "POST", "/dashboard/sign-in", "ta_csrf=" + csrf,
        "csrf=" + csrf + "&token=" + URLEncoder.encode(a.adminSecret(), StandardCharsets.UTF_8));
    String stale = "ta_csrf=" + csrf + "; ta_refresh=" + cookie(signIn, "ta_refresh");
    HttpResponse<String> otherTab = send(doorA, "GET", "/dashboard/tokens", stale, null);
    assertThat(otherTab.statusCode()).isEqualTo(200);

    HttpResponse<String> signOut = send(doorB, "POST", "/dashboard/sign-out", stale, "csrf=" + csrf);

    assertThat(signOut.statusCode()).isEqualTo(303);
    assertThat(activeOnA(cookie(otherTab, "ta_session"), false))
        .as("the other tab's renewed cookies, arriving later, bring no session back").isFalse();
  }

  /** Whether A says {@code secret} is active, waiting up to 5 s for it to become {@code expected} (news from B's feed). */
  private boolean activeOnA(String secret, boolean expected) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    boolean active;
    do {
      active = a.as(a.adminSecret()).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getActive();
    } while (active != expected && System.nanoTime() < deadline && sleep());
    return active;
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(20);
    return true;
  }

  @Test
  void refreshSessionOverGrpc_staysStrictlySingleUse_evenOnAReplicaWhoseClockIsBehind() throws Exception {
    dev.tokenauthority.api.v1.Session s = a.sessionsAs(a.adminSecret()).signIn(
        dev.tokenauthority.api.v1.SignInRequest.getDefaultInstance());
    a.clock.advance(Duration.ofSeconds(3)); // A uses the refresh token 3 s "after" B's now
    var refresh = dev.tokenauthority.api.v1.RefreshSessionRequest.newBuilder().setRefreshToken(s.getRefreshToken()).build();
    dev.tokenauthority.api.v1.Session renewed = a.sessionsAs(null).refreshSession(refresh);

    io.grpc.StatusRuntimeException replay = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> b.sessionsAs(null).refreshSession(refresh), io.grpc.StatusRuntimeException.class);

    assertThat(replay.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
    assertThat(replay.getStatus().getDescription()).contains("used before");
    assertThat(activeOnA(renewed.getAccessToken(), false)).as("the session ended").isFalse();
  }
}
