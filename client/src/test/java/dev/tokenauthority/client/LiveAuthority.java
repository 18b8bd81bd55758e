package dev.tokenauthority.client;

import com.google.protobuf.FieldMask;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.UpdateConnectorRequest;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real token authority on a loopback port, in this JVM; stoppable and restartable on its data.
 * The client's tests and the example's share it (the client's test jar).
 */
public final class LiveAuthority implements AutoCloseable {
  public static final AuthorityConfig CONFIG = AuthorityConfig.defaults().toBuilder().feedHeartbeat(Duration.ofMillis(200)).build();

  private final Path dataDir;
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private int port;
  private ManagedChannel adminChannel;
  private String adminSecret;

  public LiveAuthority(Path dataDir) throws IOException {
    this.dataDir = dataDir;
    start(0);
  }

  private void start(int onPort) throws IOException {
    authority = TokenAuthority.open(dataDir, CONFIG, Durability.FULL, Clock.systemUTC());
    authority.bootstrap();
    server = new TokenAuthorityServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort)), authority).start();
    port = server.port();
    adminSecret = Files.readString(dataDir.resolve("bootstrap-token")).trim();
    adminChannel = channel();
  }

  public int port() {
    return port;
  }

  /** A new plaintext channel to the authority; the caller closes it. */
  public ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  public TokenServiceGrpc.TokenServiceBlockingStub admin() {
    return TokenServiceGrpc.newBlockingStub(adminChannel).withCallCredentials(BearerToken.of(adminSecret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public Token token(String subject, String... scopes) {
    return admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme").setSubject(subject)
        .setLabel("test").addAllScopes(List.of(scopes))).build());
  }

  /** A SessionService stub calling as the holder of {@code secret}. */
  public dev.tokenauthority.api.v1.SessionServiceGrpc.SessionServiceBlockingStub sessionsAs(String secret) {
    return dev.tokenauthority.api.v1.SessionServiceGrpc.newBlockingStub(adminChannel)
        .withCallCredentials(BearerToken.of(secret)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Registers connector {@code slug} in acme; returns it with its service token's secret. */
  public Connector connector(String slug, String... scopes) {
    return connectors().createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug(slug).setName(slug).addAllScopes(List.of(scopes))).build());
  }

  /** Narrows (or widens) connector {@code slug}'s registered scopes. */
  public void registerScopes(String slug, String... scopes) {
    connectors().updateConnector(UpdateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug(slug).addAllScopes(List.of(scopes)))
        .setUpdateMask(FieldMask.newBuilder().addPaths("scopes")).build());
  }

  private ConnectorServiceGrpc.ConnectorServiceBlockingStub connectors() {
    return ConnectorServiceGrpc.newBlockingStub(adminChannel).withCallCredentials(BearerToken.of(adminSecret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public void revoke(Token t) {
    admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).build());
  }

  /** Stops serving (the revocation feed ends; clients see the outage). */
  public void stop() throws InterruptedException {
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop(Duration.ofSeconds(5));
    authority.close();
  }

  /** Opens the same data again without serving: changes made here are missed by clients. */
  public TokenAuthority openOffline() {
    return TokenAuthority.open(dataDir, CONFIG, Durability.FULL, Clock.systemUTC());
  }

  /** Serves again on the same port. */
  public void restart() throws IOException {
    start(port);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
