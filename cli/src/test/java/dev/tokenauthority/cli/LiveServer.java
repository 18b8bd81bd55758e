package dev.tokenauthority.cli;

import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.client.BearerToken;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.device.DeviceSettings;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real token authority serving on a loopback port (Netty) in the test's JVM, on SQLite files in
 * the test's directory; devices poll every 100 ms so that sign-in tests do not wait 5 s.
 */
final class LiveServer implements AutoCloseable {
  static final AuthorityConfig CONFIG = AuthorityConfig.defaults().toBuilder()
      .devices(new DeviceSettings(URI.create("http://localhost:8080/device"), 100, 10,
          Duration.ofMinutes(15), Duration.ofMillis(100)))
      .build();

  private final TokenAuthority authority;
  private final TokenAuthorityServer server;
  private final ManagedChannel channel;
  private final String host;
  final String adminSecret;
  final String adminId;

  private LiveServer(Path dataDir, String host, InetSocketAddress bind, ServerCredentials tls,
      ChannelCredentials clientTls, Clock clock) throws Exception {
    this.host = host;
    authority = TokenAuthority.open(dataDir, CONFIG, Durability.NORMAL, clock);
    authority.bootstrap();
    server = new TokenAuthorityServer(tls == null ? NettyServerBuilder.forAddress(bind)
        : NettyServerBuilder.forAddress(bind, tls), authority).start();
    adminSecret = Files.readString(dataDir.resolve("bootstrap-token")).trim();
    channel = clientTls == null ? NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build()
        : NettyChannelBuilder.forAddress("localhost", server.port(), clientTls).build();
    adminId = admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(adminSecret).build())
        .getToken().getId();
  }

  /** Plaintext on 127.0.0.1. */
  static LiveServer start(Path dataDir) throws Exception {
    return new LiveServer(dataDir, "127.0.0.1", new InetSocketAddress("127.0.0.1", 0), null, null, Clock.systemUTC());
  }

  /** Plaintext on 127.0.0.1, the server's time from {@code clock}. */
  static LiveServer start(Path dataDir, Clock clock) throws Exception {
    return new LiveServer(dataDir, "127.0.0.1", new InetSocketAddress("127.0.0.1", 0), null, null, clock);
  }

  /** Plaintext on every interface, reached at {@code host}. */
  static LiveServer onAllInterfaces(Path dataDir, String host) throws Exception {
    return new LiveServer(dataDir, host, new InetSocketAddress(0), null, null, Clock.systemUTC());
  }

  /** TLS on 127.0.0.1, reached as localhost. */
  static LiveServer withTls(Path dataDir, ServerCredentials tls, ChannelCredentials trust) throws Exception {
    return new LiveServer(dataDir, "localhost", new InetSocketAddress("127.0.0.1", 0), tls, trust, Clock.systemUTC());
  }

  String target() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
  }

  TokenServiceGrpc.TokenServiceBlockingStub admin() {
    return TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(adminSecret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  TokenServiceGrpc.TokenServiceBlockingStub as(String secret) {
    return TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Issues a token as the admin; returns it with its secret. */
  Token token(TokenKind kind, String org, String subject, String label, String... scopes) {
    Token.Builder t = Token.newBuilder().setKind(kind).setOrganization(org).setLabel(label).addAllScopes(List.of(scopes));
    if (subject != null) {
      t.setSubject(subject);
    }
    return admin().createToken(CreateTokenRequest.newBuilder().setToken(t).build());
  }

  Token get(String id) {
    return admin().getToken(GetTokenRequest.newBuilder().setId(id).build());
  }

  /** Whether {@code secret} introspects active now. */
  boolean active(String secret) {
    return admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getActive();
  }

  /** Signs in with {@code secret} (a personal or system token); returns the session's access token. */
  String signIn(String secret) {
    return SessionServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS).signIn(SignInRequest.getDefaultInstance()).getAccessToken();
  }

  Connector connector(String org, String slug, String... scopes) {
    return ConnectorServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(adminSecret))
        .withDeadlineAfter(10, TimeUnit.SECONDS).createConnector(CreateConnectorRequest.newBuilder()
            .setConnector(Connector.newBuilder().setOrganization(org).setSlug(slug).setName(slug)
                .addAllScopes(List.of(scopes))).build());
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop(Duration.ofSeconds(5));
    authority.close();
  }
}
