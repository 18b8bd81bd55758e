package dev.tokenauthority.server.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc.ConnectorServiceBlockingStub;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent changes to one connector are retried inside the server, not handed back. */
class ConnectorRaceTest extends InProcessAuthorityTest {

  @Test
  void sixteenConcurrentRotations_allSucceedOrAnswerAborted_andOneTokenStaysCurrent() throws Exception {
    ConnectorServiceBlockingStub admin = ta.connectorsAs(ta.adminSecret());
    admin.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug("ci-runner").setName("CI").addScopes("lenses:read")).build());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Connector>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      calls.add(pool.submit(() -> {
        go.await();
        return admin.rotateConnector(RotateConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner").build());
      }));
    }
    go.countDown();
    List<Connector> rotated = new ArrayList<>();
    for (Future<Connector> call : calls) {
      try {
        rotated.add(call.get());
      } catch (java.util.concurrent.ExecutionException e) {
        StatusRuntimeException refusal = (StatusRuntimeException) e.getCause();
        assertThat(refusal.getStatus().getCode()).as("only the retryable code").isEqualTo(Status.Code.ABORTED);
      }
    }
    pool.shutdown();

    assertThat(rotated).as("retried inside the server").hasSize(16);
    Connector now = admin.getConnector(GetConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner").build());
    long working = rotated.stream().filter(c -> ta.isActive(c.getSecret())).count();
    assertThat(working).as("each rotation retired the one before").isEqualTo(1);
    assertThat(rotated).anySatisfy(c -> assertThat(c.getTokenId()).isEqualTo(now.getTokenId()));
  }
}
