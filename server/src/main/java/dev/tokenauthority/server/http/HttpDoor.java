package dev.tokenauthority.server.http;

import dev.tokenauthority.server.TokenAuthority;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authority's HTTP listener (Javalin on Jetty), beside gRPC and over the same domain core:
 * {@code /healthz}, {@code /readyz}, {@code /metrics} (Prometheus), the forward-auth check
 * {@code /v1/check} for nginx, Traefik and Caddy, and RFC 7662 {@code /oauth2/introspect}.
 */
public final class HttpDoor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpDoor.class);
  /** The largest request body any endpoint reads; checks have none. */
  static final long MAX_REQUEST_BYTES = 64 * 1024;

  private static final String STARTED = "dev.tokenauthority.http.started";
  private static final java.util.Set<String> ROUTES =
      java.util.Set.of("/healthz", "/readyz", "/metrics", ForwardAuth.PATH, TokenIntrospection.PATH);

  private final Javalin app;

  private HttpDoor(Javalin app) {
    this.app = app;
  }

  /**
   * How the listener listens.
   *
   * @param tls null for plaintext
   * @param proxyCertificateSubjects the client certificate subjects (RFC 2253 names) that may act as
   *     a proxy on {@code /v1/check} without a token; empty: none (a certificate is not enough)
   * @param idleTimeout a connection without a request for this long is closed
   * @param maxConnections open connections the listener accepts at once; more wait in the backlog
   */
  public record Settings(String host, int port, HttpTls tls, java.util.Set<String> proxyCertificateSubjects,
      java.time.Duration idleTimeout, int maxConnections) {
    /** Plaintext on {@code host:port}, the defaults for the rest. */
    public static Settings plaintext(String host, int port) {
      return new Settings(host, port, null, java.util.Set.of(), java.time.Duration.ofSeconds(300), 1024);
    }
  }

  /** Starts listening on {@code host:port} (0: a free port), plaintext. */
  public static HttpDoor start(String host, int port, TokenAuthority authority) {
    return start(Settings.plaintext(host, port), authority);
  }

  /** As above, with TLS (and mutual TLS) from {@code tls}; null for plaintext. */
  public static HttpDoor start(String host, int port, TokenAuthority authority, HttpTls tls) {
    Settings plain = Settings.plaintext(host, port);
    return start(new Settings(host, port, tls, plain.proxyCertificateSubjects(), plain.idleTimeout(),
        plain.maxConnections()), authority);
  }

  /** Starts listening as {@code settings} say. */
  public static HttpDoor start(Settings settings, TokenAuthority authority) {
    String host = settings.host();
    int port = settings.port();
    HttpTls tls = settings.tls();
    AtomicBoolean ready = new AtomicBoolean(true);
    authority.storageMonitor().onOutOfService(fault -> ready.set(false));
    ForwardAuth forwardAuth = new ForwardAuth(authority, settings.proxyCertificateSubjects());

    Javalin app = Javalin.create(config -> {
      config.jetty.host = host;
      config.jetty.port = port;
      // The one connector, ours (so Javalin adds no default one): TLS with TLS files, where the
      // verified client certificate reaches the request; plaintext without.
      SslContextFactory.Server ssl = tls == null ? null : tls.sslContextFactory();
      config.jetty.addConnector((server, http) -> {
        ServerConnector connector;
        if (ssl == null) {
          connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
          HttpConfiguration https = new HttpConfiguration(http);
          https.addCustomizer(new SecureRequestCustomizer(false));
          connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(https));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        return connector;
      });
      // A cap on open connections: a client holding thousands idle cannot take the descriptors
      // that gRPC and SQLite share with this listener.
      config.jetty.modifyServer(server -> server.addBean(new NetworkConnectionLimit(settings.maxConnections(), server)));
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = MAX_REQUEST_BYTES;
      config.routes.get("/healthz", ctx -> text(ctx, 200, "ok"));
      config.routes.get("/readyz", ctx -> text(ctx, ready.get() ? 200 : 503,
          ready.get() ? "ready" : "storage out of service"));
      config.routes.get(ForwardAuth.PATH, forwardAuth::handle);
      config.routes.get("/metrics", ctx -> ctx.status(200)
          .contentType("text/plain; version=0.0.4; charset=utf-8").result(authority.metrics().scrape()));
      config.routes.post(TokenIntrospection.PATH, new TokenIntrospection(authority)::handle);
      new dev.tokenauthority.server.dashboard.Dashboard(authority, tls != null).register(config);
      config.http.prefer405over404 = true; // a GET of /oauth2/introspect says POST, not "no such page"
      // Every answer timed by route (the listener's own paths only: no label from client input).
      config.routes.before(ctx -> ctx.req().setAttribute(STARTED, System.nanoTime()));
      config.routes.after(ctx -> {
        Object started = ctx.req().getAttribute(STARTED);
        if (started instanceof Long t) {
          authority.metrics().httpRequest(ROUTES.contains(ctx.path()) ? ctx.path() : "other",
              ctx.method().name(), ctx.statusCode(), System.nanoTime() - t);
        }
      });
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("HTTP request failed", e); // never a secret: handlers keep them out of exceptions
        text(ctx, 500, "internal error");
      });
    });
    app.start();
    return new HttpDoor(app);
  }

  private static void text(Context ctx, int status, String body) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(body);
  }

  public int port() {
    return app.port();
  }

  /** The listener's connectors (one: TLS with TLS files, plaintext without). */
  int connectors() {
    return app.jettyServer().server().getConnectors().length;
  }

  @Override
  public void close() {
    app.stop();
  }
}
