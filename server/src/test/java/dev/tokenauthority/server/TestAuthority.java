package dev.tokenauthority.server;

import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real token authority for tests: SQLite in a temp folder, the full gRPC service stack on an
 * in-process transport, and a clock the test moves. Restartable on the same data.
 */
public final class TestAuthority implements AutoCloseable {
  public final Path dataDir;
  public final MutableClock clock;
  private final AuthorityConfig config;
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private ManagedChannel channel;
  private final String adminSecret;
  /** The PostgreSQL database this authority keeps across restarts, when the tests run on PostgreSQL. */
  private final dev.tokenauthority.server.storage.PostgresSettings postgres;

  private TestAuthority(Path dataDir, AuthorityConfig config) {
    this(dataDir, config, PostgresForTests.selected() ? PostgresForTests.freshDatabase() : null);
  }

  private TestAuthority(Path dataDir, AuthorityConfig config, dev.tokenauthority.server.storage.PostgresSettings postgres) {
    this.dataDir = dataDir;
    this.config = config;
    this.clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    this.postgres = postgres;
    open();
    Path file = dataDir.resolve("bootstrap-token");
    try {
      // A replica joining a database another bootstrapped has no file: its admin secret is the other's.
      this.adminSecret = Files.exists(file) ? Files.readString(file).trim() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A replica on the PostgreSQL database {@code postgres}, which other replicas may share. */
  public static TestAuthority replica(Path dataDir, dev.tokenauthority.server.storage.PostgresSettings postgres) {
    return startReplica(dataDir, postgres, AuthorityConfig.defaults());
  }

  public static TestAuthority startReplica(Path dataDir, dev.tokenauthority.server.storage.PostgresSettings postgres,
      AuthorityConfig config) {
    return new TestAuthority(dataDir, config, postgres);
  }

  /** Starts on an empty data folder; the bootstrap admin token is {@link #adminSecret()}. */
  public static TestAuthority start(Path dataDir) {
    return start(dataDir, AuthorityConfig.defaults());
  }

  public static TestAuthority start(Path dataDir, AuthorityConfig config) {
    return new TestAuthority(dataDir, config);
  }

  private void open() {
    authority = postgres != null ? TokenAuthority.open(dataDir, postgres, config, clock)
        : TokenAuthority.open(dataDir, config, Durability.FULL, clock);
    authority.bootstrap();
    String name = InProcessServerBuilder.generateName();
    try {
      server = new TokenAuthorityServer(InProcessServerBuilder.forName(name), authority).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** Stops everything (flushing last-use times) and opens the same data folder again. */
  public void restart() {
    close();
    open();
  }

  public String adminSecret() {
    return adminSecret;
  }

  /** A stub calling as the holder of {@code secret}, with a deadline. */
  public TokenServiceBlockingStub as(String secret) {
    return anonymous().withCallCredentials(Bearer.of(secret));
  }

  public TokenServiceBlockingStub admin() {
    return as(adminSecret);
  }

  /** A stub that sends no credentials. */
  public TokenServiceBlockingStub anonymous() {
    return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Has the admin issue an organisation token with {@code scopes}; returns it with its secret. */
  public Token orgToken(String organization, String... scopes) {
    return admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
            .setOrganization(organization)
            .setLabel("test token for " + organization)
            .addAllScopes(List.of(scopes)))
        .build());
  }

  /** Has the admin issue a token of {@code kind}; returns it with its secret. */
  public Token token(TokenKind kind, String organization, String subject, List<String> groups,
      String... scopes) {
    return admin().createToken(CreateTokenRequest.newBuilder()
        .setToken(Token.newBuilder()
            .setKind(kind)
            .setOrganization(organization)
            .setSubject(subject)
            .setLabel("test " + kind + " token")
            .addAllGroups(groups)
            .addAllScopes(List.of(scopes)))
        .build());
  }

  /** A SessionService stub calling as the holder of {@code secret} (null: without credentials). */
  public dev.tokenauthority.api.v1.SessionServiceGrpc.SessionServiceBlockingStub sessionsAs(String secret) {
    var stub = dev.tokenauthority.api.v1.SessionServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    return secret == null ? stub : stub.withCallCredentials(Bearer.of(secret));
  }

  /** A DeviceAuthorizationService stub calling as the holder of {@code secret} (null: without). */
  public dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc.DeviceAuthorizationServiceBlockingStub devicesAs(
      String secret) {
    var stub = dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    return secret == null ? stub : stub.withCallCredentials(Bearer.of(secret));
  }

  /** A ConnectorService stub calling as the holder of {@code secret}. */
  public ConnectorServiceGrpc.ConnectorServiceBlockingStub connectorsAs(String secret) {
    return ConnectorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withCallCredentials(Bearer.of(secret));
  }

  /** An AuditService stub calling as the holder of {@code secret}. */
  public AuditServiceGrpc.AuditServiceBlockingStub auditAs(String secret) {
    return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withCallCredentials(Bearer.of(secret));
  }

  /** Whether {@code secret} introspects as active right now (asked as an admin). */
  public boolean isActive(String secret) {
    return admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build()).getActive();
  }

  /** Reads the database file directly, on a connection of the test's own. */
  public <T> T readDatabase(org.jdbi.v3.core.HandleCallback<T, RuntimeException> read) {
    return org.jdbi.v3.core.Jdbi.create(this::connectDatabase).withHandle(read);
  }

  /** A connection of its own to this authority's database, SQLite file or PostgreSQL alike. */
  public java.sql.Connection connectDatabase() throws java.sql.SQLException {
    return postgres != null
        ? java.sql.DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password())
        : java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(TokenAuthority.DATABASE_FILE));
  }

  /** Another authority on the same data folder and database (after {@link #close()}), bootstrapping nothing. */
  public TokenAuthority openAgain() {
    return postgres != null ? TokenAuthority.open(dataDir, postgres, config, java.time.Clock.systemUTC())
        : TokenAuthority.open(dataDir, config, Durability.FULL, java.time.Clock.systemUTC());
  }

  /** The running authority (restarts replace it). */
  public TokenAuthority authority() {
    return authority;
  }

  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.stop(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      authority.close();
    }
  }
}
