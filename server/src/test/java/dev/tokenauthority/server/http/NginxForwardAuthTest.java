package dev.tokenauthority.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx (Debian's package) in front of an upstream, checking tokens through
 * {@code /v1/check} with the configuration the README gives (read from the README, ports and the
 * proxy's token substituted). Without nginx on the machine the test says so and is skipped, unless
 * {@code TA_REQUIRE_NGINX=1} (as {@code .ci/run} sets), which makes a missing nginx a failure.
 */
class NginxForwardAuthTest extends InProcessAuthorityTest {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path nginxDir;
  private HttpDoor door;
  private HttpServer upstream;
  private final Map<String, String> lastUpstreamHeaders = new java.util.concurrent.ConcurrentHashMap<>();
  private Process nginx;
  private int nginxPort;

  @BeforeEach
  void start() throws Exception {
    boolean required = "1".equals(System.getenv("TA_REQUIRE_NGINX"));
    if (!Files.isExecutable(NGINX)) {
      assertThat(required).as("TA_REQUIRE_NGINX=1 but " + NGINX + " is missing (apt-get install nginx-light)").isFalse();
      Assumptions.abort("skipped: " + NGINX + " is not installed (apt-get install nginx-light); .ci/run requires it");
    }
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      lastUpstreamHeaders.clear();
      exchange.getRequestHeaders().forEach((k, v) -> lastUpstreamHeaders.put(k.toLowerCase(), String.join(",", v)));
      byte[] body = "upstream".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    upstream.start();
    String proxyToken = ta.orgToken("acme", "tokens:introspect").getSecret();
    nginxPort = freePort();
    String snippet = readmeNginxSnippet()
        .replace("127.0.0.1:8080", "127.0.0.1:" + door.port())
        .replace("127.0.0.1:3000", "127.0.0.1:" + upstream.getAddress().getPort())
        .replace("listen 127.0.0.1:8000;", "listen 127.0.0.1:" + nginxPort + ";")
        .replace("tka_org_REPLACE_WITH_THE_PROXY_TOKEN", proxyToken);
    String d = nginxDir.toAbsolutePath().toString();
    String conf = """
        daemon off;
        master_process off;
        worker_processes 1;
        error_log %1$s/error.log;
        pid %1$s/nginx.pid;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
        %2$s
        }
        """.formatted(d, snippet);
    Path file = nginxDir.resolve("nginx.conf");
    Files.writeString(file, conf);
    nginx = new ProcessBuilder(NGINX.toString(), "-p", d, "-c", file.toString())
        .redirectErrorStream(true).redirectOutput(nginxDir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!listening(nginxPort)) {
      assertThat(nginx.isAlive()).as("nginx exited: " + Files.readString(nginxDir.resolve("stdout.log"))
          + errorLog()).isTrue();
      assertThat(System.nanoTime()).as("nginx listening within 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(5, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.stop(0);
    }
    if (door != null) {
      door.close();
    }
  }

  private String errorLog() throws IOException {
    Path log = nginxDir.resolve("error.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The ```nginx block of the README's forward-auth section. */
  static String readmeNginxSnippet() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher m = Pattern.compile("```nginx\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("the README has an nginx configuration block").isTrue();
    return m.group(1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private HttpResponse<String> throughNginx(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + "/lenses")).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void nginxLetsGoodTokensThrough_withTheirIdentity_andRefusesTheRest() throws Exception {
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    Token reader = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "bob", List.of(), "agents:read");

    HttpResponse<String> none = throughNginx();
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(lastUpstreamHeaders).as("nothing reached the upstream").isEmpty();

    HttpResponse<String> ok = throughNginx("Authorization", "Bearer " + alice.getSecret(),
        "X-Token-Id", "tok_forgedByTheClient000000", "X-Token-Scopes", "admin");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("upstream");
    Map<String, String> seen = new TreeMap<>(lastUpstreamHeaders);
    assertThat(seen).containsEntry("x-token-id", alice.getId()).containsEntry("x-token-subject", "alice")
        .containsEntry("x-token-organization", "acme").containsEntry("x-token-scopes", "lenses:read");
    assertThat(seen.toString()).as("the client's own x-token-* values and its secret never reach the upstream")
        .doesNotContain("tok_forgedByTheClient000000").doesNotContain(alice.getSecret());

    assertThat(throughNginx("Authorization", "Bearer " + reader.getSecret()).statusCode()).isEqualTo(403);

    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(alice.getId()).build());
    assertThat(throughNginx("Authorization", "Bearer " + alice.getSecret()).statusCode())
        .as("a revoked token is refused at once").isEqualTo(401);
  }
}
