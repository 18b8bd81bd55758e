package dev.tokenauthority.server.http;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricsProcessor;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} after known traffic, parsed as Prometheus parses it: the counts match the traffic. */
class MetricsTest extends InProcessAuthorityTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpDoor door;

  @BeforeEach
  void startDoor() {
    door = HttpDoor.start("127.0.0.1", 0, ta.authority());
  }

  @AfterEach
  void stopDoor() {
    door.close();
  }

  private List<MetricFamily> scrape() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + "/metrics"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    CollectorPrometheusMetricsWalker walker = new CollectorPrometheusMetricsWalker();
    new TextPrometheusMetricsProcessor(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)), walker).walk();
    return walker.getAllMetricFamilies();
  }

  private static Optional<Metric> metric(List<MetricFamily> families, String name, Map<String, String> labels) {
    return families.stream().filter(f -> f.getName().equals(name)).flatMap(f -> f.getMetrics().stream())
        .filter(m -> m.getLabels().entrySet().containsAll(labels.entrySet())).findFirst();
  }

  private static double counter(List<MetricFamily> families, String name, Map<String, String> labels) {
    return ((Counter) metric(families, name, labels).orElseThrow(() ->
        new AssertionError("no " + name + " " + labels))).getValue();
  }

  @Test
  void countsMatchTheTraffic() throws Exception {
    String checker = ta.orgToken("acme", "tokens:introspect").getSecret();
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    Token bob = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "bob", List.of(), "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(bob.getId()).build());
    var watch = ta.as(checker).watchRevocations(WatchRevocationsRequest.getDefaultInstance());
    assertThat(watch.next().hasStart()).isTrue();

    for (int i = 0; i < 7; i++) {
      ta.as(checker).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(alice.getSecret()).build());
    }
    for (int i = 0; i < 3; i++) {
      ta.as(checker).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(bob.getSecret()).build());
    }
    ta.as(checker).introspectToken(IntrospectTokenRequest.newBuilder().setSecret("not a token").build());
    assertFails(() -> ta.as(alice.getSecret()).introspectToken(IntrospectTokenRequest.newBuilder()
        .setSecret(bob.getSecret()).build()), Code.PERMISSION_DENIED, "MISSING_SCOPE");

    for (int i = 0; i < 2; i++) { // two forward-auth checks, one refused, over HTTP
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + door.port() + "/v1/check?scopes=lenses:read"))
          .header("X-Proxy-Authorization", "Bearer " + checker)
          .header("Authorization", "Bearer " + (i == 0 ? alice.getSecret() : bob.getSecret())).GET().build(),
          HttpResponse.BodyHandlers.discarding());
    }

    List<MetricFamily> m = scrape();
    Histogram checks = (Histogram) metric(m, "ta_http_server_requests_seconds",
        Map.of("route", "/v1/check", "status", "200")).orElseThrow();
    assertThat(checks.getSampleCount()).isEqualTo(1);
    assertThat(((Histogram) metric(m, "ta_http_server_requests_seconds", Map.of("route", "/v1/check",
        "status", "401")).orElseThrow()).getSampleCount()).isEqualTo(1);
    assertThat(counter(m, "ta_introspections_total", Map.of("outcome", "active"))).isEqualTo(7 + 1);
    assertThat(counter(m, "ta_introspections_total", Map.of("outcome", "revoked"))).isEqualTo(3 + 1);
    assertThat(counter(m, "ta_introspections_total", Map.of("outcome", "malformed"))).isEqualTo(1);
    assertThat(counter(m, "ta_introspections_total", Map.of("outcome", "unknown"))).isZero();

    Map<String, String> introspectOk = Map.of("service", "tokenauthority.v1.TokenService",
        "method", "IntrospectToken", "statusCode", "OK");
    Histogram latency = (Histogram) metric(m, "grpc_server_processing_duration_seconds", introspectOk).orElseThrow();
    assertThat(latency.getSampleCount()).isEqualTo(11);
    assertThat(latency.getBuckets()).as("a latency histogram, with buckets").hasSizeGreaterThan(5);
    Histogram denied = (Histogram) metric(m, "grpc_server_processing_duration_seconds", Map.of(
        "method", "IntrospectToken", "statusCode", "PERMISSION_DENIED")).orElseThrow();
    assertThat(denied.getSampleCount()).isEqualTo(1);
    Histogram creates = (Histogram) metric(m, "grpc_server_processing_duration_seconds", Map.of(
        "method", "CreateToken", "statusCode", "OK")).orElseThrow();
    assertThat(creates.getSampleCount()).isEqualTo(3); // checker, alice, bob

    assertThat(((Gauge) metric(m, "ta_revocation_feed_subscribers", Map.of()).orElseThrow()).getValue()).isEqualTo(1);
    assertThat(counter(m, "ta_storage_writes_total", Map.of())).as("3 creates and a revocation at least")
        .isGreaterThanOrEqualTo(4);
    assertThat(counter(m, "ta_token_cache_hits_total", Map.of())).isPositive();
    assertThat(((Gauge) metric(m, "ta_storage_size_bytes", Map.of()).orElseThrow()).getValue()).isPositive();
    assertThat(m).extracting(MetricFamily::getName).contains("jvm_memory_used_bytes", "process_cpu_usage",
        "ta_security_events_dropped_total", "ta_storage_write_queue", "ta_storage_commits_seconds");
  }
}
