package dev.tokenauthority.server;

import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.api.MalformedRequests;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server's lifecycle: the token services, health ({@code grpc.health.v1}) and reflection
 * (v1 and v1alpha) on whatever transport the given builder makes; tests pass an in-process one.
 */
public final class TokenAuthorityServer {
  private final Server server;
  private final TokenAuthority authority;
  private final HealthStatusManager health = new HealthStatusManager();

  @SuppressWarnings("deprecation") // v1alpha reflection: older tools know only that one
  public TokenAuthorityServer(ServerBuilder<?> builder, TokenAuthority authority) {
    this.authority = authority;
    authority.services().forEach(builder::addService);
    this.server = builder
        // Anonymous services too: bytes that do not parse are the caller's mistake everywhere.
        .addService(MalformedRequests.guard(health.getHealthService().bindService()))
        .addService(MalformedRequests.guard(ProtoReflectionServiceV1.newInstance().bindService()))
        .addService(MalformedRequests.guard(ProtoReflectionService.newInstance().bindService()))
        .build();
  }

  /** Starts listening; health says SERVING from here on (the database is open and migrated). */
  public TokenAuthorityServer start() throws IOException {
    server.start();
    setHealth(ServingStatus.SERVING);
    // A damaged database does not heal: say so to load balancers until an operator restarts.
    authority.storageMonitor().onOutOfService(fault -> {
      outOfService = true;
      setHealth(ServingStatus.NOT_SERVING);
    });
    if (authority.sharedFeedHeardWithin(FEED_HEALTH).isPresent()) {
      // On a shared database, serving means hearing the others' revocations: NOT_SERVING while
      // the database cannot be read, SERVING again once it can, by itself.
      healthCheck.scheduleWithFixedDelay(() -> {
        boolean heard = authority.sharedFeedHeardWithin(FEED_HEALTH).orElse(true);
        if (!outOfService && heard != serving) {
          serving = heard;
          setHealth(heard ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
        }
      }, 250, 250, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Health says NOT_SERVING when the shared revocation feed was not heard for this long. */
  private static final Duration FEED_HEALTH = Duration.ofSeconds(2);
  private final java.util.concurrent.ScheduledExecutorService healthCheck =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          new com.google.common.util.concurrent.ThreadFactoryBuilder().setNameFormat("health-check").setDaemon(true).build());
  private volatile boolean outOfService;
  private volatile boolean serving = true;

  private void setHealth(ServingStatus status) {
    health.setStatus("", status);
    for (String service : List.of(TokenServiceGrpc.SERVICE_NAME, ConnectorServiceGrpc.SERVICE_NAME,
        AuditServiceGrpc.SERVICE_NAME)) {
      health.setStatus(service, status);
    }
  }

  /** The port listened on (the chosen one when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * Says NOT_SERVING, ends the revocation streams (clients reconnect), finishes calls in flight
   * within {@code grace}, then cancels the rest.
   */
  public void stop(Duration grace) throws InterruptedException {
    healthCheck.shutdownNow();
    health.enterTerminalState();
    authority.endStreams();
    server.shutdown();
    if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
