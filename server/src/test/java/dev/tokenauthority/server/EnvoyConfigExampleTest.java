package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The README's Envoy configuration, read with Envoy's own proto definitions: every field name and
 * typed config must exist, and the ext_authz wiring must point at this server as documented.
 * (No Envoy binary is available here, so this checks the configuration's shape, not a live proxy.)
 */
class EnvoyConfigExampleTest {
  @Test
  void readmeEnvoyConfig_isAValidBootstrapPointingAtTheAuthority() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README has an Envoy yaml block").isTrue();

    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
            .add(List.of(HttpConnectionManager.getDescriptor(), ExtAuthz.getDescriptor(),
                ExtAuthzPerRoute.getDescriptor(), Router.getDescriptor(), HttpProtocolOptions.getDescriptor(),
                UpstreamTlsContext.getDescriptor()))
            .build())
        .merge(json(new Yaml().load(block.group(1))), bootstrap); // strict: unknown fields fail

    HttpConnectionManager hcm = bootstrap.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0)
        .getTypedConfig().unpack(HttpConnectionManager.class);
    ExtAuthz extAuthz = hcm.getHttpFilters(0).getTypedConfig().unpack(ExtAuthz.class);
    assertThat(hcm.getHttpFilters(0).getName()).isEqualTo("envoy.filters.http.ext_authz");
    assertThat(extAuthz.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo("token_authority");
    assertThat(extAuthz.getFailureModeAllow()).as("fail closed").isFalse();
    assertThat(extAuthz.getGrpcService().getInitialMetadata(0).getKey()).isEqualTo("authorization");
    assertThat(extAuthz.getGrpcService().getInitialMetadata(0).getValue()).startsWith("Bearer tka_");
    assertThat(hcm.getHttpFilters(1).getTypedConfig().is(Router.class)).as("router last").isTrue();

    ExtAuthzPerRoute perRoute = hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0)
        .getTypedPerFilterConfigOrThrow("envoy.filters.http.ext_authz").unpack(ExtAuthzPerRoute.class);
    String required = perRoute.getCheckSettings().getContextExtensionsOrThrow("required_scopes");
    for (String scope : required.split(",")) {
      assertThat(ScopeCatalogue.defaults().contains(scope.trim())).as("scope %s exists", scope).isTrue();
    }

    Cluster authority = bootstrap.getStaticResources().getClustersList().stream()
        .filter(c -> c.getName().equals("token_authority")).findFirst().orElseThrow();
    HttpProtocolOptions options = authority.getTypedExtensionProtocolOptionsOrThrow(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions").unpack(HttpProtocolOptions.class);
    assertThat(options.getExplicitHttpConfig().hasHttp2ProtocolOptions()).as("gRPC needs HTTP/2").isTrue();
    UpstreamTlsContext tls = authority.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().getTlsCertificatesCount()).as("a client certificate: mTLS").isEqualTo(1);
    assertThat(tls.getCommonTlsContext().getValidationContext().hasTrustedCa()).as("verifies the authority").isTrue();
  }

  /** YAML's tree as JSON text, numbers kept as written. */
  private static String json(Object node) {
    if (node instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(json(String.valueOf(k))).append(':').append(json(v)));
      return out.append('}').toString();
    }
    if (node instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      list.forEach(v -> out.append(out.length() > 1 ? "," : "").append(json(v)));
      return out.append(']').toString();
    }
    if (node instanceof Number || node instanceof Boolean) {
      return node.toString();
    }
    return "\"" + String.valueOf(node).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
