package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.GetAuditEventRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListConnectorsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.TestConnectorRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.server.config.AuthorityConfig;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which pool runs each call comes from the proto's {@code idempotency_level}; these tests hold
 * the proto to what it declares, so a writing RPC cannot end up on the read pool.
 */
class CallRoutingTest {
  @TempDir Path dir;

  /** Every service of the API (a new one must be added here and in CallExecutors). */
  private static final List<io.grpc.ServiceDescriptor> API = List.of(TokenServiceGrpc.getServiceDescriptor(),
      ConnectorServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor(),
      dev.tokenauthority.api.v1.SessionServiceGrpc.getServiceDescriptor(),
      dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc.getServiceDescriptor());
  private static final Set<String> SAFE = API.stream()
      .map(ServiceDescriptor::getMethods)
      .flatMap(java.util.Collection::stream)
      .filter(MethodDescriptor::isSafe)
      .map(MethodDescriptor::getFullMethodName)
      .collect(Collectors.toSet());

  @Test
  void everyRpcTheProtoDeclaresWithoutSideEffects_commitsNoWrite() throws Exception {
    // Last-use times are written behind, on their own schedule: keep that schedule out of the count.
    AuthorityConfig quiet = AuthorityConfig.defaults().toBuilder().lastUseFlushInterval(Duration.ofHours(1)).build();
    try (TestAuthority ta = TestAuthority.start(dir, quiet)) {
      Token token = ta.orgToken("acme", "tokens:read", "tokens:introspect", "connectors:write", "lenses:read");
      var connectors = ta.connectorsAs(ta.adminSecret());
      Connector connector = connectors.createConnector(CreateConnectorRequest.newBuilder().setConnector(
          Connector.newBuilder().setOrganization("acme").setSlug("ci-runner").setName("CI").addScopes("lenses:read")).build());
      var audit = ta.auditAs(ta.adminSecret());
      long eventId = audit.listAuditEvents(ListAuditEventsRequest.getDefaultInstance()).getEvents(0).getId();

      Map<String, Runnable> calls = new LinkedHashMap<>();
      calls.put(TokenServiceGrpc.getGetTokenMethod().getFullMethodName(),
          () -> ta.admin().getToken(GetTokenRequest.newBuilder().setId(token.getId()).build()));
      calls.put(TokenServiceGrpc.getListTokensMethod().getFullMethodName(),
          () -> ta.admin().listTokens(ListTokensRequest.getDefaultInstance()));
      calls.put(TokenServiceGrpc.getIntrospectTokenMethod().getFullMethodName(),
          () -> assertThat(ta.isActive(token.getSecret())).isTrue());
      calls.put(TokenServiceGrpc.getWatchRevocationsMethod().getFullMethodName(),
          () -> assertThat(ta.admin().watchRevocations(WatchRevocationsRequest.getDefaultInstance()).next().hasStart()).isTrue());
      calls.put(ConnectorServiceGrpc.getGetConnectorMethod().getFullMethodName(),
          () -> connectors.getConnector(GetConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner").build()));
      calls.put(ConnectorServiceGrpc.getListConnectorsMethod().getFullMethodName(),
          () -> connectors.listConnectors(ListConnectorsRequest.newBuilder().setOrganization("acme").build()));
      calls.put(ConnectorServiceGrpc.getTestConnectorMethod().getFullMethodName(),
          () -> assertThat(connectors.testConnector(TestConnectorRequest.newBuilder().setOrganization("acme")
              .setSlug("ci-runner").setSecret(connector.getSecret()).build()).getLive()).isTrue());
      calls.put(AuditServiceGrpc.getListAuditEventsMethod().getFullMethodName(),
          () -> audit.listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
      calls.put(AuditServiceGrpc.getGetAuditEventMethod().getFullMethodName(),
          () -> audit.getAuditEvent(GetAuditEventRequest.newBuilder().setId(eventId).build()));
      calls.put(dev.tokenauthority.api.v1.SessionServiceGrpc.getListSessionsMethod().getFullMethodName(),
          () -> ta.sessionsAs(ta.adminSecret()).listSessions(
              dev.tokenauthority.api.v1.ListSessionsRequest.getDefaultInstance()));
      assertThat(calls.keySet()).as("every RPC declared NO_SIDE_EFFECTS, and every secret-carrying read, is called here")
          .isEqualTo(java.util.stream.Stream.concat(SAFE.stream(), CallExecutors.SECRET_READS.stream())
              .collect(Collectors.toSet()));

      var database = ta.authority().databaseForTests();
      long before = database.committedWrites();
      calls.values().forEach(Runnable::run);
      Thread.sleep(1_500); // past the security events' one-second flush, had a call queued one
      assertThat(database.committedWrites()).as("writes committed by the safe RPCs").isEqualTo(before);
    }
  }

  @Test
  void noRequestThatCarriesASecret_isDeclaredSafe_soNoClientSendsItAsAGet() {
    Set<String> carrying = API.stream()
        .map(ServiceDescriptor::getMethods)
        .flatMap(java.util.Collection::stream)
        .filter(m -> ((io.grpc.protobuf.ProtoMethodDescriptorSupplier) m.getSchemaDescriptor()).getMethodDescriptor()
            .getInputType().getFields().stream().anyMatch(f -> f.getOptions().getDebugRedact()))
        .peek(m -> assertThat(m.isSafe()).as(m.getFullMethodName() + " carries a secret").isFalse())
        .map(MethodDescriptor::getFullMethodName)
        .collect(Collectors.toSet());
    assertThat(carrying).contains(TokenServiceGrpc.getIntrospectTokenMethod().getFullMethodName(),
        ConnectorServiceGrpc.getTestConnectorMethod().getFullMethodName());
  }

  @Test
  void writesAndAuditReadsGoToTheWritePool_listsToTheScanPool_theRestToReads() {
    CallExecutors executors = CallExecutors.standard();
    try {
      for (var service : API) {
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
          if (!method.isSafe() && !CallExecutors.SECRET_READS.contains(method.getFullMethodName())) {
            assertThat(executors.executorFor(method.getFullMethodName())).as(method.getFullMethodName())
                .isSameAs(executors.writes());
          }
        }
      }
      assertThat(executors.executorFor(TokenServiceGrpc.getCreateTokenMethod().getFullMethodName())).isSameAs(executors.writes());
      assertThat(executors.executorFor(ConnectorServiceGrpc.getDeleteConnectorMethod().getFullMethodName())).isSameAs(executors.writes());
      assertThat(executors.executorFor(TokenServiceGrpc.getListTokensMethod().getFullMethodName())).isSameAs(executors.scans());
      assertThat(executors.executorFor(AuditServiceGrpc.getGetAuditEventMethod().getFullMethodName()))
          .as("audit reads wait for the security events' commit").isSameAs(executors.writes());
      assertThat(executors.executorFor(AuditServiceGrpc.getListAuditEventsMethod().getFullMethodName())).isSameAs(executors.writes());
      assertThat(executors.executorFor(ConnectorServiceGrpc.getTestConnectorMethod().getFullMethodName())).isNull();
      assertThat(executors.executorFor(TokenServiceGrpc.getIntrospectTokenMethod().getFullMethodName())).isNull();
      assertThat(executors.executorFor(AuthorizationGrpc.getCheckMethod().getFullMethodName())).isNull();
    } finally {
      executors.shutdown();
    }
  }
}
