package dev.tokenauthority.example;

import dev.tokenauthority.client.BearerToken;
import dev.tokenauthority.client.TokenAuthInterceptor;
import dev.tokenauthority.client.TokenIntrospector;
import dev.tokenauthority.example.v1.LensServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.concurrent.TimeUnit;

/**
 * A runnable example: a service that checks every caller with the token authority.
 *
 * <p>Environment: {@code TA_SERVICE_TOKEN} (this service's own token, with
 * {@code tokens:introspect}; required), {@code TA_AUTHORITY} (default {@code localhost:50051}),
 * {@code LENS_PORT} (default 50052).
 */
public final class LensServer {
  private LensServer() {}

  /** The lens service behind the token check, one line of wiring. */
  public static ServerServiceDefinition guarded(TokenIntrospector tokens) {
    return ServerInterceptors.intercept(new LensService(), TokenAuthInterceptor.newBuilder(tokens)
        .require(LensServiceGrpc.getGetLensMethod().getFullMethodName(), "lenses:read")
        .require(LensServiceGrpc.getUpdateLensMethod().getFullMethodName(), "lenses:write")
        .build());
  }

  public static void main(String[] args) throws Exception {
    String serviceToken = System.getenv("TA_SERVICE_TOKEN");
    if (serviceToken == null || serviceToken.isBlank()) {
      System.err.println("set TA_SERVICE_TOKEN to a token with scope tokens:introspect");
      System.exit(2);
    }
    String authority = System.getenv().getOrDefault("TA_AUTHORITY", "localhost:50051");
    int port = Integer.parseInt(System.getenv().getOrDefault("LENS_PORT", "50052"));

    ManagedChannel channel = Grpc.newChannelBuilder(authority, InsecureChannelCredentials.create()).build();
    TokenIntrospector tokens = TokenIntrospector.newBuilder(channel, BearerToken.of(serviceToken)).build();
    Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        .addService(guarded(tokens))
        .build()
        .start();
    System.err.println("lens example listening on port " + server.getPort() + ", checking tokens with " + authority);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      tokens.close();
      channel.shutdown();
    }));
    server.awaitTermination();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
