package dev.tokenauthority.server;

import dev.tokenauthority.server.api.AuthInterceptor;
import dev.tokenauthority.server.api.EnvoyAuthorizationService;
import dev.tokenauthority.server.api.TokenGrpcService;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.JdbiRevocationLog;
import dev.tokenauthority.server.storage.JdbiTokenStore;
import dev.tokenauthority.server.token.CachingTokenStore;
import dev.tokenauthority.server.token.Introspector;
import dev.tokenauthority.server.token.LastUseRecorder;
import dev.tokenauthority.server.token.TokenManager;
import dev.tokenauthority.server.token.TokenRules;
import dev.tokenauthority.server.token.TokenStore;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The wired application: database, domain and gRPC services, independent of the transport. */
public final class TokenAuthority implements AutoCloseable {
  /** The database file inside the data directory. */
  public static final String DATABASE_FILE = "token-authority.db";

  private final Path dataDir;
  private final Database database;
  private final LastUseRecorder lastUse;
  private final RevocationFeed feed;
  private final TokenManager tokens;
  private final Introspector introspector;
  private final Clock clock;

  private TokenAuthority(Path dataDir, Database database, AuthorityConfig config, Clock clock) {
    this.dataDir = dataDir;
    this.database = database;
    this.clock = clock;
    TokenStore store = new CachingTokenStore(new JdbiTokenStore(database), config.tokenCacheSize());
    TokenRules rules = new TokenRules(config.scopes(), config.lifetimes());
    this.lastUse = new LastUseRecorder(store, config.lastUseFlushInterval());
    this.feed = new RevocationFeed(
        new JdbiRevocationLog(database), clock, config.feedHeartbeat(), config.feedRetention());
    this.tokens = new TokenManager(store, rules, lastUse, clock, new SecureRandom(), feed::wake);
    this.introspector = new Introspector(store, rules, lastUse, clock, config.maxCache());
  }

  /** Opens (and migrates) the database in {@code dataDir} and wires the services. */
  public static TokenAuthority open(
      Path dataDir, AuthorityConfig config, Durability durability, Clock clock) {
    Database database = Database.open(dataDir.resolve(DATABASE_FILE), durability);
    return new TokenAuthority(dataDir, database, config, clock);
  }

  /**
   * On an empty database, issues the first admin token and writes its secret to
   * {@code <data-dir>/bootstrap-token}; returns that file's path.
   */
  public Optional<Path> bootstrap() {
    Path file = dataDir.resolve(BootstrapFile.NAME);
    return tokens.bootstrapIfEmpty(issued -> BootstrapFile.write(file, issued.secret())).map(t -> file);
  }

  /** The authenticated gRPC services this server offers. */
  public List<ServerServiceDefinition> services() {
    AuthInterceptor auth = new AuthInterceptor(introspector);
    return List.of(
        ServerInterceptors.intercept(new TokenGrpcService(tokens, introspector, feed, clock), auth),
        ServerInterceptors.intercept(new EnvoyAuthorizationService(introspector), auth));
  }

  /** Ends the long-lived streams (the revocation feed), so that a shutdown need not wait on them. */
  public void endStreams() {
    feed.close();
  }

  /** Ends the streams, writes pending last-use times and closes the database. */
  @Override
  public void close() {
    try {
      feed.close();
      lastUse.close();
    } finally {
      database.close();
    }
  }
}
