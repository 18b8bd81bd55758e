package dev.tokenauthority.server;

import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.config.ConfigException;
import dev.tokenauthority.server.http.HttpDoor;
import dev.tokenauthority.server.http.HttpTls;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.IntegrityCheck;
import dev.tokenauthority.server.storage.PostgresSettings;
import dev.tokenauthority.server.storage.StorageException;
import io.grpc.ServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Starts the token authority on Netty. */
@Command(
    name = "token-authority-server",
    mixinStandardHelpOptions = true,
    version = "token-authority 0.1.0",
    sortOptions = false,
    description = "Issues, rotates, revokes and introspects API tokens over gRPC (tokenauthority.v1).",
    footer = {"", "Each option can also be set by the environment variable named beside it."})
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  static final int EXIT_START_FAILED = 2;
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  @Option(names = "--port", defaultValue = "${env:TA_PORT:-50051}", paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free one and logs it. Env TA_PORT. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--http-port", defaultValue = "${env:TA_HTTP_PORT:-8080}", paramLabel = "PORT",
      description = "Port of the HTTP listener (/healthz, /readyz, /metrics, /v1/check for nginx,"
          + " Traefik and Caddy, /oauth2/introspect), on the same host with the same TLS; 0 picks a"
          + " free one and logs it, -1 turns it off. Env TA_HTTP_PORT. Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--http-proxy-cert-subject", split = ";", paramLabel = "DN",
      defaultValue = "${env:TA_HTTP_PROXY_CERT_SUBJECTS}",
      description = "Under mutual TLS, the client certificate subject (RFC 2253, e.g."
          + " CN=traefik,O=Platform) of a proxy that may call /v1/check with its certificate alone;"
          + " repeat it, or separate several with ';'. Env TA_HTTP_PROXY_CERT_SUBJECTS.")
  List<String> httpProxyCertSubjects = new ArrayList<>();

  @Option(names = "--host", defaultValue = "${env:TA_HOST:-127.0.0.1}", paramLabel = "HOST",
      description = "Address to listen on. Env TA_HOST. Default: ${DEFAULT-VALUE} (loopback only).")
  String host;

  @Option(names = "--data-dir", defaultValue = "${env:TA_DATA_DIR:-./data}", paramLabel = "DIR",
      description = "Where the SQLite database and, on first start, the bootstrap-token file live."
          + " Env TA_DATA_DIR. Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--config", defaultValue = "${env:TA_CONFIG}", paramLabel = "FILE",
      description = "Optional properties file: scope catalogue, lifetimes per kind, last-use flush"
          + " interval (see README). Env TA_CONFIG.")
  Path config;

  @Option(names = "--durability", defaultValue = "${env:TA_DURABILITY:-FULL}", paramLabel = "MODE",
      description = "FULL: every commit reaches the disk (survives power loss). NORMAL: survives a"
          + " killed process only, several times faster. Env TA_DURABILITY. Default: ${DEFAULT-VALUE}.")
  Durability durability;

  @Option(names = "--integrity-check", defaultValue = "${env:TA_INTEGRITY_CHECK:-QUICK}", paramLabel = "MODE",
      description = "How the database file is checked at start: QUICK (every page read), FULL (indexes"
          + " against tables too, slower) or OFF. A damaged file stops the start with exit code 2."
          + " Env TA_INTEGRITY_CHECK. Default: ${DEFAULT-VALUE}.")
  IntegrityCheck integrityCheck;

  @Option(names = "--database", defaultValue = "${env:TA_DATABASE}", paramLabel = "JDBC_URL",
      description = "A PostgreSQL database shared by several replicas (jdbc:postgresql://host:5432/name);"
          + " without it, the embedded SQLite file in --data-dir. The password never goes here:"
          + " env TA_DATABASE_PASSWORD or --database-password-file. Env TA_DATABASE.")
  String database;

  @Option(names = "--database-user", defaultValue = "${env:TA_DATABASE_USER}", paramLabel = "NAME",
      description = "The PostgreSQL user. Env TA_DATABASE_USER.")
  String databaseUser;

  @Option(names = "--database-password-file", defaultValue = "${env:TA_DATABASE_PASSWORD_FILE}", paramLabel = "FILE",
      description = "A file holding the PostgreSQL password (else env TA_DATABASE_PASSWORD)."
          + " Env TA_DATABASE_PASSWORD_FILE.")
  Path databasePasswordFile;

  @Option(names = "--tls-cert", defaultValue = "${env:TA_TLS_CERT}", paramLabel = "PEM",
      description = "Serve TLS with this certificate chain (PEM); needs --tls-key. Env TA_TLS_CERT.")
  Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:TA_TLS_KEY}", paramLabel = "PEM",
      description = "The certificate's private key (PKCS#8 PEM). Env TA_TLS_KEY.")
  Path tlsKey;

  @Option(names = "--tls-client-ca", defaultValue = "${env:TA_TLS_CLIENT_CA}", paramLabel = "PEM",
      description = "Require client certificates signed by these CAs (mTLS, e.g. for sidecars)."
          + " Needs --tls-cert. Env TA_TLS_CLIENT_CA.")
  Path tlsClientCa;

  @Option(names = "--insecure", defaultValue = "${env:TA_INSECURE:-false}",
      description = "Allow plaintext on a non-loopback --host. Without TLS the server refuses to"
          + " listen beyond loopback unless this is given: bearer tokens would cross the network"
          + " in the clear. Env TA_INSECURE.")
  boolean insecure;

  @Option(names = "--max-connections-per-address", defaultValue = "${env:TA_MAX_CONNECTIONS_PER_ADDRESS:-512}",
      paramLabel = "N", description = "Open connections one remote address may hold; more are closed"
          + " at once. Env TA_MAX_CONNECTIONS_PER_ADDRESS. Default: ${DEFAULT-VALUE}.")
  int maxConnectionsPerAddress;

  @Option(names = "--handshake-timeout-ms", defaultValue = "${env:TA_HANDSHAKE_TIMEOUT_MS:-5000}",
      paramLabel = "MS", description = "A connection that has not completed its TLS and HTTP/2"
          + " handshake by then is closed. Env TA_HANDSHAKE_TIMEOUT_MS. Default: ${DEFAULT-VALUE}.")
  long handshakeTimeoutMillis;

  @Option(names = "--idle-timeout-s", defaultValue = "${env:TA_IDLE_TIMEOUT_S:-300}", paramLabel = "S",
      description = "A connection without a call for this long is closed (clients reconnect on"
          + " their next call). Env TA_IDLE_TIMEOUT_S. Default: ${DEFAULT-VALUE}.")
  long idleSeconds;

  public static void main(String[] args) {
    // grpc-java and Netty log through java.util.logging: one log, one format, logback's.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** The PostgreSQL password: from the file if one is named, else the environment; never an argument. */
  private String databasePassword() {
    if (databasePasswordFile != null) {
      try {
        return java.nio.file.Files.readString(databasePasswordFile).strip();
      } catch (IOException e) {
        throw new StorageException("cannot read --database-password-file " + databasePasswordFile + ": " + e);
      }
    }
    return System.getenv().getOrDefault("TA_DATABASE_PASSWORD", "");
  }

  @Override
  public Integer call() throws InterruptedException {
    ServerCredentials credentials;
    try {
      credentials = Transport.credentials(host, tlsCert, tlsKey, tlsClientCa, insecure);
    } catch (IllegalArgumentException e) {
      log.error("cannot start: {}", e.getMessage());
      return EXIT_START_FAILED;
    }
    TokenAuthority authority;
    try {
      AuthorityConfig settings = config == null ? AuthorityConfig.defaults() : AuthorityConfig.load(config);
      authority = database == null || database.isBlank()
          ? TokenAuthority.open(dataDir, settings, durability, integrityCheck, Clock.systemUTC())
          : TokenAuthority.open(dataDir, new PostgresSettings(database, databaseUser, databasePassword()), settings,
              Clock.systemUTC());
    } catch (ConfigException | StorageException e) {
      log.error("cannot start: {}", e.getMessage());
      return EXIT_START_FAILED;
    } catch (RuntimeException e) { // anything else that stops the start: a message, not a trace
      log.error("cannot start: {}", e.toString());
      return EXIT_START_FAILED;
    }
    CallExecutors executor = CallExecutors.standard(database != null && !database.isBlank());
    TokenAuthorityServer server;
    try {
      authority.bootstrap().ifPresent(file -> log.info(
          "first start: wrote the bootstrap admin token to {} (mode 0600); store it safely and"
              + " delete the file", file.toAbsolutePath().normalize()));
      server = new TokenAuthorityServer(
          NettyTransport.builder(host, port, executor, credentials,
              new NettyTransport.ConnectionLimits(Duration.ofMillis(handshakeTimeoutMillis), Duration.ofSeconds(idleSeconds),
                  maxConnectionsPerAddress)),
          authority).start();
    } catch (IOException | RuntimeException e) {
      log.error("cannot start: {}", e.getMessage());
      executor.shutdownNow();
      authority.close();
      return EXIT_START_FAILED;
    }
    log.info("token authority listening on {}:{} with {} (data in {})", host, server.port(),
        Transport.describe(tlsCert, tlsClientCa), database == null || database.isBlank()
            ? dataDir.toAbsolutePath().normalize() : "PostgreSQL " + database.replaceAll("password=[^&]*", "password=…"));
    HttpDoor http;
    try {
      http = startHttp(authority);
    } catch (RuntimeException e) { // a port in use: say so and stop, as for the gRPC port
      log.error("cannot start the HTTP listener on {}:{}: {}", host, httpPort, e.getMessage());
      stop(server, executor, authority);
      return EXIT_START_FAILED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (http != null) {
        http.close();
      }
      stop(server, executor, authority);
    }, "shutdown"));
    server.blockUntilShutdown();
    return 0;
  }

  /**
   * The HTTP listener on the gRPC host with the gRPC side's TLS files (and client CA); plaintext
   * only where gRPC may be plaintext (loopback, or --insecure: checked before anything starts).
   */
  private HttpDoor startHttp(TokenAuthority authority) {
    if (httpPort < 0) {
      log.info("HTTP listener off (--http-port {})", httpPort);
      return null;
    }
    HttpTls tls = tlsCert == null ? null : new HttpTls(tlsCert, tlsKey, tlsClientCa);
    HttpDoor http = HttpDoor.start(new HttpDoor.Settings(host, httpPort, tls,
        java.util.Set.copyOf(httpProxyCertSubjects == null ? List.of() : httpProxyCertSubjects),
        Duration.ofSeconds(idleSeconds), Math.max(1024, maxConnectionsPerAddress)), authority);
    String base = (tls == null ? "http" : "https") + "://" + host + ":" + http.port();
    log.info("HTTP listening on {} (/healthz, /readyz, /metrics, /v1/check, /oauth2/introspect)", base);
    log.info("dashboard at {}/dashboard", base);
    return http;
  }

  /** SIGTERM: stop taking calls, finish those in flight, write last-use times, close the database. */
  private static void stop(TokenAuthorityServer server, CallExecutors executor, TokenAuthority authority) {
    log.info("shutting down");
    try {
      server.stop(SHUTDOWN_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdown();
      authority.close();
      log.info("stopped");
    }
  }
}
