package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.http.HttpOrigin;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.session.IssuedSession;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard: server-rendered pages on the HTTP listener, signed in with a session of
 * {@code SessionService} held in cookies. A thin layer: each handler reads a form or query,
 * calls the domain as the signed-in person, and renders a template (jte, escaping by context).
 */
public final class Dashboard extends PageSupport {
  /**
   * Scripts and styles only from this origin (none inline), no framing, forms only back here and
   * (sign-in through the provider starts with a form whose answer redirects there) to the provider.
   */
  private final String csp;
  private final byte[] css;
  private final byte[] js;

  private final TokenPages tokens;
  private final CreateTokenPages create;
  private final DevicePages devices;
  private final SessionPages sessions;
  private final ConnectorPages connectors;
  private final AuditPages audit;
  private final OidcPages oidc;

  public Dashboard(TokenAuthority authority, boolean secure) {
    super(authority, secure, authority.clock(), TemplateEngine.createPrecompiled(ContentType.Html), new Refreshes(authority.sessions()));
    this.tokens = new TokenPages(this);
    this.create = new CreateTokenPages(this);
    this.devices = new DevicePages(this);
    this.sessions = new SessionPages(this);
    this.connectors = new ConnectorPages(this);
    this.audit = new AuditPages(this);
    this.oidc = new OidcPages(this, this::signInPage);
    this.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'"
        + authority.signInFlow().map(f -> " " + f.providerOrigin()).orElse("") + ";"
        + " frame-ancestors 'none'; base-uri 'none'";
    this.css = resource("/dashboard/dashboard.css");
    this.js = resource("/dashboard/dashboard.js");
  }

  private static byte[] resource(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the dashboard's routes and headers to the listener being configured. */
  public void register(JavalinConfig config) {
    config.routes.before("/dashboard*", this::securityHeaders);
    config.routes.exception(SessionBeingRenewed.class, (e, ctx) -> retryAfterRenewal(ctx));
    config.routes.get("/dashboard", ctx -> ctx.redirect("/dashboard/tokens"));
    config.routes.get("/dashboard/static/dashboard.css", ctx -> ctx.contentType("text/css; charset=utf-8")
        .header("Cache-Control", "max-age=3600").result(css));
    config.routes.get("/dashboard/sign-in", ctx -> signInPage(ctx, null, 200, ctx.queryParam("next")));
    config.routes.post("/dashboard/sign-in", this::signIn);
    config.routes.post("/dashboard/sign-out", this::signOut);
    config.routes.get("/dashboard/oidc/start", oidc::start);
    config.routes.get("/dashboard/oidc/callback", oidc::callback);
    config.routes.get("/dashboard/tokens", tokens::tokens);
    config.routes.get("/dashboard/static/dashboard.js", ctx -> ctx.contentType("text/javascript; charset=utf-8")
        .header("Cache-Control", "max-age=3600").result(js));
    config.routes.get("/dashboard/tokens/new", ctx -> signedInOr(ctx, "/dashboard/tokens/new",
        caller -> create.renderForm(ctx, 200, caller, TokenForm.empty(), Map.of())));
    config.routes.post("/dashboard/tokens/new", create::createStep);
    config.routes.get("/dashboard/tokens/revoke-all", tokens::revokeAllPreview);
    config.routes.post("/dashboard/tokens/revoke-all", tokens::revokeAllConfirmed);
    config.routes.post("/dashboard/tokens/columns", tokens::chooseColumns);
    config.routes.get("/dashboard/tokens/{id}", ctx -> signedInOr(ctx, "/dashboard/tokens",
        caller -> tokens.detail(ctx, caller, ctx.pathParam("id"), null, false)));
    config.routes.post("/dashboard/tokens/{id}/revoke", ctx -> tokens.tokenAction(ctx, true));
    config.routes.post("/dashboard/tokens/{id}/rotate", ctx -> tokens.tokenAction(ctx, false));
    // The device flow's verification URI (device.verification-uri) points here.
    config.routes.get("/device", ctx -> ctx.redirect("/dashboard/device"
        + (ctx.queryString() == null ? "" : "?" + ctx.queryString())));
    config.routes.get("/dashboard/device", devices::devicePage);
    config.routes.post("/dashboard/device/approve", ctx -> devices.decide(ctx, true));
    config.routes.post("/dashboard/device/deny", ctx -> devices.decide(ctx, false));
    config.routes.get("/dashboard/sessions", sessions::sessions);
    config.routes.get("/dashboard/audit", audit::list);
    config.routes.get("/dashboard/audit/{id}", audit::detail);
    config.routes.get("/dashboard/connectors", connectors::list);
    config.routes.post("/dashboard/connectors", connectors::add);
    config.routes.get("/dashboard/connectors/{organization}/{slug}", connectors::detail);
    config.routes.post("/dashboard/connectors/{organization}/{slug}/{action}", connectors::act);
    config.routes.post("/dashboard/sessions/{id}/end", sessions::end);
  }

  private void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", csp);
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    if (ctx.method() == io.javalin.http.HandlerType.POST && !Csrf.sameOrigin(ctx, secure)) {
      throw new io.javalin.http.ForbiddenResponse("This form was not sent from this dashboard.");
    }
  }

  private void signInPage(Context ctx, String error, int status, String next) {
    render(ctx, status, "dashboard/sign-in.jte", new SignInPage(Csrf.token(ctx, secure), error, safeNext(next),
        authority.signInFlow().isPresent()));
  }

  private void signIn(Context ctx) {
    if (!Csrf.valid(ctx)) {
      signInPage(ctx, "The form expired. Please sign in again.", 403, ctx.formParam("next"));
      return;
    }
    String token = Optional.ofNullable(ctx.formParam("token")).orElse("").strip();
    Origin origin = HttpOrigin.of(ctx);
    try {
      Caller caller = authority.introspector().authenticate(token, origin);
      // Any session already held in this browser ends: signing in again never leaves one behind.
      signedInIfSettled(ctx).ifPresent(this::endQuietly);
      IssuedSession session = authority.sessions().signInWithToken(caller, "");
      setSession(ctx, session);
      Csrf.renew(ctx, secure);
      ctx.redirect(safeNext(ctx.formParam("next")), io.javalin.http.HttpStatus.SEE_OTHER);
    } catch (TokenAuthorityException e) {
      // Never the token itself, nor which check failed for it: the form says what to do.
      signInPage(ctx, e instanceof UnauthenticatedException
          ? "That token does not work here: it is unknown, expired or revoked."
          : "That token cannot sign in: only personal and system tokens can.", 401, ctx.formParam("next"));
    }
  }

  private void signOut(Context ctx) {
    if (!Csrf.valid(ctx)) {
      ctx.status(403).result("The form expired; reload the page.");
      return;
    }
    signedInIfSettled(ctx).ifPresent(this::endQuietly);
    Cookies.clear(ctx, ACCESS_COOKIE, secure);
    Cookies.clear(ctx, REFRESH_COOKIE, secure);
    Csrf.renew(ctx, secure);
    ctx.redirect("/dashboard/sign-in", io.javalin.http.HttpStatus.SEE_OTHER);
  }
}
