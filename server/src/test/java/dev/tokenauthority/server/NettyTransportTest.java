package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.reflection.v1alpha.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real transport on an ephemeral loopback port: health, both reflection versions, a call. */
class NettyTransportTest {
  @TempDir Path dataDir;
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    authority = TokenAuthority.open(dataDir, AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC());
    authority.bootstrap();
    server = new TokenAuthorityServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), authority).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop(Duration.ofSeconds(5));
    authority.close();
  }

  @Test
  void health_isServingForTheServerAndTheTokenService() {
    var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.TokenService").build())
        .getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflectionV1_listsTheServices() throws Exception {
    assertThat(new ReflectionClient(channel).listServices()).contains(
        "tokenauthority.v1.TokenService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
  }

  @Test
  void reflectionV1alpha_isServedForOlderTools() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override public void onNext(ServerReflectionResponse r) { answer.complete(r); }
          @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
          @Override public void onCompleted() { }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    assertThat(answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName).contains("tokenauthority.v1.TokenService");
  }

  @Test
  void introspection_worksOverTheWire() throws Exception {
    String admin = Files.readString(dataDir.resolve("bootstrap-token")).trim();
    var answer = TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(Bearer.of(admin))
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .introspectToken(IntrospectTokenRequest.newBuilder().setSecret(admin).addRequiredScopes("tokens:write").build());
    assertThat(answer.getAllowed()).isTrue();
  }
}
