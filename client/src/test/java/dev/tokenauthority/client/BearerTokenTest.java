package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
  private static final String SECRET = "tka_org_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG123456";
  private final AtomicReference<String> seenHeader = new AtomicReference<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    TokenServiceGrpc.TokenServiceImplBase echo = new TokenServiceGrpc.TokenServiceImplBase() {
      @Override
      public void getToken(GetTokenRequest request, StreamObserver<Token> out) {
        out.onNext(Token.newBuilder().setId(request.getId()).build());
        out.onCompleted();
      }
    };
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        seenHeader.set(headers.get(BearerToken.AUTHORIZATION));
        return next.startCall(call, headers);
      }
    };
    server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(echo, capture)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void sendsTheSecretAsABearerAuthorizationHeader() {
    TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(SECRET))
        .getToken(GetTokenRequest.newBuilder().setId("tok_x").build());

    assertThat(seenHeader.get()).isEqualTo("Bearer " + SECRET);
  }

  @Test
  void toString_neverShowsTheSecret() {
    assertThat(BearerToken.of(SECRET).toString()).doesNotContain(SECRET).contains("redacted");
  }

  @Test
  void blankSecrets_areRefused() {
    assertThatThrownBy(() -> BearerToken.of(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
