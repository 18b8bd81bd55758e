package dev.tokenauthority.server;

import dev.tokenauthority.server.api.AuditGrpcService;
import dev.tokenauthority.server.api.AuthInterceptor;
import dev.tokenauthority.server.api.ConnectorGrpcService;
import dev.tokenauthority.server.api.DeviceAuthorizationGrpcService;
import dev.tokenauthority.server.api.EnvoyAuthorizationService;
import dev.tokenauthority.server.api.ListCallLimiter;
import dev.tokenauthority.server.api.MalformedRequests;
import dev.tokenauthority.server.api.ProxyCheck;
import dev.tokenauthority.server.api.SessionGrpcService;
import dev.tokenauthority.server.api.TokenGrpcService;
import dev.tokenauthority.server.audit.AuditLog;
import dev.tokenauthority.server.audit.SecurityEvents;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.connector.ConnectorManager;
import dev.tokenauthority.server.device.DeviceAuthorizations;
import dev.tokenauthority.server.device.DeviceSettings;
import dev.tokenauthority.server.metrics.AuthorityMetrics;
import dev.tokenauthority.server.oidc.AuthorizationCodeFlow;
import dev.tokenauthority.server.oidc.IdTokenVerifier;
import dev.tokenauthority.server.revocation.FeedLimits;
import dev.tokenauthority.server.revocation.ForgetBeforeTelling;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.session.SessionManager;
import dev.tokenauthority.server.preference.PreferenceStore;
import dev.tokenauthority.server.storage.DataDirectory;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.IntegrityCheck;
import dev.tokenauthority.server.storage.JdbiAuditStore;
import dev.tokenauthority.server.storage.JdbiConnectorStore;
import dev.tokenauthority.server.storage.JdbiDeviceStore;
import dev.tokenauthority.server.storage.JdbiPreferenceStore;
import dev.tokenauthority.server.storage.JdbiRevocationLog;
import dev.tokenauthority.server.storage.JdbiSessionStore;
import dev.tokenauthority.server.storage.JdbiTokenStore;
import dev.tokenauthority.server.storage.PostgresDatabase;
import dev.tokenauthority.server.storage.PostgresSettings;
import dev.tokenauthority.server.storage.SqlDialect;
import dev.tokenauthority.server.storage.StorageException;
import dev.tokenauthority.server.storage.StorageMonitor;
import dev.tokenauthority.server.token.CachingTokenStore;
import dev.tokenauthority.server.token.Introspector;
import dev.tokenauthority.server.token.LastUseRecorder;
import dev.tokenauthority.server.token.LeakReportLimiter;
import dev.tokenauthority.server.token.LeakReports;
import dev.tokenauthority.server.token.TokenContext;
import dev.tokenauthority.server.token.TokenIssuer;
import dev.tokenauthority.server.token.TokenManager;
import dev.tokenauthority.server.token.TokenRules;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The wired application: database, domain and gRPC services, independent of the transport. */
public final class TokenAuthority implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TokenAuthority.class);
  /** The database file inside the data directory. */
  public static final String DATABASE_FILE = "token-authority.db";
  /** How long a replica answers from its cache without hearing the shared revocation feed. */
  static final Duration FEED_SILENCE = Duration.ofSeconds(5);

  private final DataDirectory dataDir;
  private final Database database;
  private final LastUseRecorder lastUse;
  private final RevocationFeed feed;
  private final SecurityEvents securityEvents;
  private final AuditLog auditLog;
  private final TokenManager tokens;
  private final LeakReports leakReports;
  private final Introspector introspector;
  private final ConnectorManager connectors;
  private final SessionManager sessions;
  private final DeviceAuthorizations devices;
  private final PreferenceStore preferences;
  private final AuthorizationCodeFlow signInFlow;
  private final DeviceSettings deviceSettings;
  private final AuthorityMetrics metrics;
  private final Clock clock;
  private final int listCallsPerToken;
  private final List<String> scopeCatalogue;

  private TokenAuthority(DataDirectory dataDir, Database database, AuthorityConfig config, Clock clock) {
    this.dataDir = dataDir;
    this.database = database;
    this.clock = clock;
    this.listCallsPerToken = config.listCallsPerToken();
    JdbiTokenStore tokenRows = new JdbiTokenStore(database);
    CachingTokenStore store = new CachingTokenStore(tokenRows, config.tokenCacheSize());
    this.scopeCatalogue = config.scopes().scopes();
    TokenRules rules = new TokenRules(config.scopes(), config.lifetimes());
    TokenIssuer issuer = new TokenIssuer(new SecureRandom());
    this.lastUse = new LastUseRecorder(store, config.lastUseFlushInterval());
    // The feed wakes after every commit that revoked or narrowed a token, and the token cache
    // forgets what the feed reads before it is sent: a client told of a revocation never finds
    // the cache still holding the token, whichever of the feed and the commit's eviction is first.
    this.feed = new RevocationFeed(
        new ForgetBeforeTelling(new JdbiRevocationLog(database, tokenRows), store::forget), clock, new FeedLimits(
        config.feedHeartbeat(), config.feedRetention(), config.feedStreamsPerToken(), config.feedMaxStall()));
    if (database.dialect() == SqlDialect.POSTGRESQL) {
      // Other replicas write too: their revocations reach this cache through the feed, so the
      // cache answers only while the feed is heard (the same 5 s a caching client allows itself).
      store.trustWhile(() -> feed.heardWithin(FEED_SILENCE));
      feed.afterSilenceOf(FEED_SILENCE, store::forgetAll);
    }
    JdbiAuditStore auditStore = new JdbiAuditStore(database);
    this.securityEvents = new SecurityEvents(auditStore, clock);
    this.auditLog = new AuditLog(auditStore, securityEvents, clock, config.auditRetention());
    TokenContext context = new TokenContext(store, rules, issuer, lastUse, clock);
    this.tokens = new TokenManager(context, config.personalTokenLimit());
    this.leakReports = new LeakReports(context, new LeakReportLimiter(config.leakReportsPerMinute(), database.rateBuckets()));
    this.introspector =
        new Introspector(store, rules, lastUse, clock, config.maxCache(), securityEvents);
    this.connectors = new ConnectorManager(new JdbiConnectorStore(database, tokenRows), context, introspector);
    IdTokenVerifier idTokens = config.oidc() == null ? null : new IdTokenVerifier(config.oidc(), clock);
    this.sessions = new SessionManager(context, new JdbiSessionStore(database, tokenRows), config.sessions(),
        config.groups(), idTokens);
    this.preferences = new JdbiPreferenceStore(database);
    this.signInFlow = config.oidc() == null ? null : new AuthorizationCodeFlow(config.oidc(), clock);
    this.deviceSettings = config.devices();
    this.devices = new DeviceAuthorizations(context, new JdbiDeviceStore(database), sessions, tokens, deviceSettings,
        database.rateBuckets());
    this.metrics = new AuthorityMetrics(new AuthorityMetrics.Sources(introspector, store, feed, database, securityEvents));
  }

  /** Opens (and migrates) the database in {@code dataDir} and wires the services. */
  public static TokenAuthority open(
      Path dataDir, AuthorityConfig config, Durability durability, Clock clock) {
    return open(dataDir, config, durability, IntegrityCheck.QUICK, clock);
  }

  /** As above, checking the database file at start as {@code integrity} says. */
  public static TokenAuthority open(Path dataDir, AuthorityConfig config, Durability durability,
      IntegrityCheck integrity, Clock clock) {
    DataDirectory directory = DataDirectory.acquire(dataDir, DATABASE_FILE);
    try {
      Database database = Database.open(dataDir.resolve(DATABASE_FILE), durability, integrity);
      directory.restrictFiles();
      return new TokenAuthority(directory, database, config, clock);
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /**
   * Connects to the PostgreSQL database {@code postgres} names, shared with other replicas;
   * {@code dataDir} holds only this replica's bootstrap file and lock.
   */
  public static TokenAuthority open(Path dataDir, PostgresSettings postgres, AuthorityConfig config, Clock clock) {
    DataDirectory directory = DataDirectory.acquire(dataDir, DATABASE_FILE);
    Database database = null;
    try {
      database = PostgresDatabase.open(postgres);
      return new TokenAuthority(directory, database, config, clock);
    } catch (RuntimeException e) {
      if (database != null) {
        database.close(); // its pool and listening connections
      }
      directory.close();
      throw e;
    }
  }

  /**
   * On an empty database, issues the first admin token and writes its secret to
   * {@code <data-dir>/bootstrap-token}; returns that file's path.
   *
   * @throws StorageException if the database is empty but the directory held one before: a lost
   *     or replaced file must not yield a second admin token
   */
  public Optional<Path> bootstrap() {
    Path file = dataDir.path().resolve(BootstrapFile.NAME);
    boolean[] wrote = {false};
    Optional<Path> written = tokens.bootstrapIfEmpty(issued -> {
      if (dataDir.heldDatabaseBefore()) {
        throw new StorageException("the database in " + dataDir.path() + " is empty, but this"
            + " directory has held a database before (file " + dataDir.path().resolve(DataDirectory.MARKER_FILE)
            + "): it was lost or replaced. Refusing to issue a new bootstrap admin token over it;"
            + " restore the database from a backup, or choose an empty --data-dir.");
      }
      BootstrapFile.write(file, issued.secret());
      wrote[0] = true;
    }).map(t -> file);
    if (written.isEmpty() && wrote[0]) {
      // Another replica bootstrapped the shared database first: this secret was never stored.
      try {
        java.nio.file.Files.deleteIfExists(file);
      } catch (java.io.IOException e) {
        throw new StorageException("cannot delete " + file + ", whose token another replica's bootstrap made"
            + " unnecessary: " + e.getMessage(), e);
      }
    }
    dataDir.markInitialised();
    dataDir.restrictFiles();
    return written;
  }

  /** The authenticated gRPC services this server offers. */
  public List<ServerServiceDefinition> services() {
    AuthInterceptor auth = new AuthInterceptor(introspector, securityEvents, clock);
    ListCallLimiter lists = new ListCallLimiter(listCallsPerToken);
    MetricCollectingServerInterceptor measured = metrics.grpcInterceptor(); // outermost: refusals count too
    return Stream.of(
            new TokenGrpcService(tokens, leakReports, introspector, feed, clock),
            new ConnectorGrpcService(connectors),
            new AuditGrpcService(auditLog),
            new EnvoyAuthorizationService(proxyCheck()),
            new SessionGrpcService(sessions),
            new DeviceAuthorizationGrpcService(devices, deviceSettings, clock))
        .map(service -> {
          ServerServiceDefinition bound = MalformedRequests.guard(service.bindService());
          measured.preregisterService(bound); // every method shows from the start, at zero
          return ServerInterceptors.intercept(bound, lists, auth, measured);
        })
        .toList();
  }

  /** The check proxies ask for (Envoy over gRPC, forward-auth over HTTP): one for every transport. */
  public ProxyCheck proxyCheck() {
    return new ProxyCheck(introspector);
  }

  /** What {@code /metrics} shows. */
  public AuthorityMetrics metrics() {
    return metrics;
  }

  /** Token lifecycle, for the dashboard (the gRPC services get theirs through {@link #services}). */
  public dev.tokenauthority.server.token.TokenManager tokens() {
    return tokens;
  }

  /** The audit log, for the dashboard's token detail. */
  public AuditLog auditLog() {
    return auditLog;
  }

  /** The scopes this server knows, for the dashboard's forms. */
  public List<String> scopeCatalogue() {
    return scopeCatalogue;
  }

  /** Connectors, for the dashboard's connectors page. */
  public ConnectorManager connectors() {
    return connectors;
  }

  /** The browser sign-in through the identity provider, if one is configured. */
  public Optional<AuthorizationCodeFlow> signInFlow() {
    return Optional.ofNullable(signInFlow);
  }

  /**
   * On a database other replicas share: whether this replica heard the revocation feed within
   * {@code bound} (health follows it). Empty on SQLite, which only this process writes.
   */
  public Optional<Boolean> sharedFeedHeardWithin(Duration bound) {
    return database.dialect() == SqlDialect.POSTGRESQL ? Optional.of(feed.heardWithin(bound)) : Optional.empty();
  }

  /** What people chose for themselves in the dashboard. */
  public PreferenceStore preferences() {
    return preferences;
  }

  /** The device flow, for the dashboard's approval page. */
  public dev.tokenauthority.server.device.DeviceAuthorizations devices() {
    return devices;
  }

  /** Sessions, for the dashboard's sign-in. */
  public dev.tokenauthority.server.session.SessionManager sessions() {
    return sessions;
  }

  public Clock clock() {
    return clock;
  }

  /** Introspection and authentication, for the HTTP endpoints (the gRPC services get it wired). */
  public Introspector introspector() {
    return introspector;
  }

  /** The database, for tests that reach under the API (a size limit standing in for a full disk). */
  public Database databaseForTests() {
    return database;
  }

  /** Where storage faults are reported: health listens to take the server out of service. */
  public StorageMonitor storageMonitor() {
    return database.monitor();
  }

  /** Ends the long-lived streams (the revocation feed), so that a shutdown need not wait on them. */
  public void endStreams() {
    feed.close();
  }

  /** Ends the streams, writes pending last-use times and security events, closes the database. */
  @Override
  public void close() {
    // Each step runs whatever the one before did: a damaged or full database must not keep the
    // directory locked or the file open.
    for (AutoCloseable step : List.<AutoCloseable>of(
        feed, auditLog, lastUse, securityEvents, dataDir::stopping, database, dataDir, metrics)) {
      try {
        step.close();
      } catch (Exception e) {
        log.warn("while stopping, {} failed: {}", step.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
