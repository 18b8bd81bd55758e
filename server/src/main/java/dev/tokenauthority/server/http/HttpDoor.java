package dev.tokenauthority.server.http;

import dev.tokenauthority.server.TokenAuthority;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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

  private final Javalin app;

  private HttpDoor(Javalin app) {
    this.app = app;
  }

  /** Starts listening on {@code host:port} (0: a free port), plaintext. */
  public static HttpDoor start(String host, int port, TokenAuthority authority) {
    return start(host, port, authority, null);
  }

  /** As above, with TLS (and mutual TLS) from {@code tls}; null for plaintext. */
  public static HttpDoor start(String host, int port, TokenAuthority authority, HttpTls tls) {
    AtomicBoolean ready = new AtomicBoolean(true);
    authority.storageMonitor().onOutOfService(fault -> ready.set(false));
    ForwardAuth forwardAuth = new ForwardAuth(authority);

    Javalin app = Javalin.create(config -> {
      config.jetty.host = host;
      config.jetty.port = port;
      if (tls != null) { // the one connector, TLS; the client certificate reaches the request
        SslContextFactory.Server ssl = tls.sslContextFactory();
        config.jetty.addConnector((server, http) -> {
          HttpConfiguration https = new HttpConfiguration(http);
          https.addCustomizer(new SecureRequestCustomizer(false));
          ServerConnector connector = new ServerConnector(server,
              new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
          connector.setHost(host);
          connector.setPort(port);
          return connector;
        });
      }
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
      config.http.prefer405over404 = true; // a GET of /oauth2/introspect says POST, not "no such page"
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
