package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.audit.AuditFilter;
import dev.tokenauthority.server.device.DeviceRequest;
import dev.tokenauthority.server.device.UserCodes;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.http.HttpOrigin;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.session.IssuedSession;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenDraft;
import dev.tokenauthority.server.token.TokenFilter;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenState;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard: server-rendered pages on the HTTP listener, signed in with a session of
 * {@code SessionService} held in cookies. A thin layer: each handler reads a form or query,
 * calls the domain as the signed-in person, and renders a template (jte, escaping by context).
 */
public final class Dashboard {
  static final String ACCESS_COOKIE = "ta_session";
  static final String REFRESH_COOKIE = "ta_refresh";
  private static final int PAGE_SIZE = 50;
  /** Scripts and styles only from this origin (none inline), no framing, forms only back here. */
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " form-action 'self';"
      + " frame-ancestors 'none'; base-uri 'none'";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final TokenAuthority authority;
  private final boolean secure;
  private final Clock clock;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
  private final Refreshes refreshes;
  private final byte[] css;
  private final byte[] js;

  public Dashboard(TokenAuthority authority, boolean secure, Clock clock) {
    this.authority = authority;
    this.secure = secure;
    this.clock = clock;
    this.refreshes = new Refreshes(authority.sessions());
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

  private void signedInOr(Context ctx, String here, java.util.function.Consumer<Caller> page) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, here);
    } else {
      page.accept(caller.get());
    }
  }

  private void detail(Context ctx, Caller caller, String id, String message, boolean error) {
    TokenRecord t;
    try {
      t = authority.tokens().get(caller, id);
    } catch (TokenAuthorityException e) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("No token you may see has that id.");
      return;
    }
    Instant now = clock.instant();
    List<String[]> events;
    try {
      events = authority.auditLog().list(caller, new AuditFilter("", "", t.id(), null, null, null), 50, "").items()
          .stream().map(r -> new String[] {DATE_TIME.format(r.entry().time()),
              r.entry().action().name().toLowerCase(Locale.ROOT), r.entry().outcome().name().toLowerCase(Locale.ROOT),
              r.entry().actor(), new java.util.TreeMap<>(r.entry().details()).toString()}).toList();
    } catch (TokenAuthorityException e) {
      events = List.of(); // a person who may see the token but not the audit log
    }
    boolean actionable = t.stateAt(now) == TokenState.ACTIVE && t.rotatedTo().isEmpty()
        && t.kind() != TokenKind.SESSION && t.kind() != TokenKind.SERVICE;
    render(ctx, ctx.statusCode() == 200 ? 200 : ctx.statusCode(), "dashboard/token.jte", new TokenDetailPage(
        Csrf.token(ctx, secure), who(caller), row(t, now), t.secretHint(),
        t.revokeTime() == null ? null : DATE_TIME.format(t.revokeTime()) + (t.revokeReason().isEmpty() ? "" : ": " + t.revokeReason()),
        t.rotatedFrom().isEmpty() ? null : t.rotatedFrom(), t.rotatedTo().isEmpty() ? null : t.rotatedTo(),
        actionable, events, message, error));
  }

  /** Revoke (with a reason and the confirmation box) or rotate (with a grace), as the signed-in person. */
  private void tokenAction(Context ctx, boolean revoke) {
    Optional<Caller> signed = signedIn(ctx);
    String id = ctx.pathParam("id");
    if (signed.isEmpty()) {
      toSignIn(ctx, "/dashboard/tokens");
      return;
    }
    Caller caller = signed.get();
    if (!Csrf.valid(ctx)) {
      ctx.status(403);
      detail(ctx, caller, id, "The form expired; nothing was changed. Try again.", true);
      return;
    }
    try {
      if (revoke) {
        if (!"yes".equals(ctx.formParam("confirm"))) {
          ctx.status(400);
          detail(ctx, caller, id, "Tick the box to confirm: revoking cannot be undone.", true);
          return;
        }
        String reason = Optional.ofNullable(ctx.formParam("reason")).orElse("").strip();
        authority.tokens().revoke(caller, id, reason);
        detail(ctx, caller, id, "Revoked: the token stopped working now.", false);
        return;
      }
      long grace = switch (Optional.ofNullable(ctx.formParam("grace")).orElse("0")) {
        case "3600" -> 3600;
        case "86400" -> 86400;
        default -> 0;
      };
      IssuedToken issued = authority.tokens().rotate(caller, id, Duration.ofSeconds(grace), List.of(), null);
      showSecret(ctx, caller, issued);
    } catch (TokenAuthorityException e) {
      ctx.status(e instanceof PermissionDeniedException ? 403 : 409);
      detail(ctx, caller, id, e.getMessage(), true);
    }
  }

  /** The one page that shows a new secret, right after it was issued. */
  private void showSecret(Context ctx, Caller caller, IssuedToken issued) {
    TokenRecord t = issued.token();
    render(ctx, 200, "dashboard/token-secret.jte", new SecretPage(Csrf.token(ctx, secure), who(caller), t.id(),
        t.label(), issued.secret().reveal(), t.expireTime() == null ? "never"
            : DATE.format(t.expireTime()) + " (" + relative(t.expireTime(), clock.instant()) + ")"));
  }

  /** Review (checked by the domain, nothing issued), back to edit, or create: the wizard's POST. */
  private void createStep(Context ctx) {
    Optional<Caller> signed = signedIn(ctx);
    if (signed.isEmpty()) {
      toSignIn(ctx, "/dashboard/tokens/new");
      return;
    }
    Caller caller = signed.get();
    TokenForm form = TokenForm.of(ctx);
    if (!Csrf.valid(ctx)) {
      renderForm(ctx, 403, caller, form, Map.of("", "The form expired; check it and send it again."));
      return;
    }
    String step = Optional.ofNullable(ctx.formParam("step")).orElse("");
    if (step.equals("edit")) {
      renderForm(ctx, 200, caller, form, Map.of());
      return;
    }
    Map<String, String> errors = new java.util.LinkedHashMap<>();
    TokenDraft draft = draft(form, errors);
    Duration ttl = ttl(form, errors);
    if (!errors.isEmpty()) {
      renderForm(ctx, 400, caller, form, errors);
      return;
    }
    try {
      if (!step.equals("create")) {
        authority.tokens().checkCreate(caller, draft, ttl);
        render(ctx, 200, "dashboard/token-review.jte", createPage(ctx, caller, form, Map.of()));
        return;
      }
      IssuedToken issued = authority.tokens().create(caller, draft, ttl);
      showSecret(ctx, caller, issued);
    } catch (InvalidArgumentException e) {
      e.violations().forEach(v -> errors.merge(formField(v.field()), v.description(), (a, b) -> a + "; " + b));
      renderForm(ctx, 400, caller, form, errors);
    } catch (TokenAuthorityException e) {
      renderForm(ctx, e instanceof PermissionDeniedException ? 403 : 409, caller, form, Map.of("", e.getMessage()));
    }
  }

  private static TokenDraft draft(TokenForm form, Map<String, String> errors) {
    TokenKind kind = switch (form.kind()) {
      case "organization" -> TokenKind.ORGANIZATION;
      case "personal" -> TokenKind.PERSONAL;
      case "system" -> TokenKind.SYSTEM;
      default -> null;
    };
    if (kind == null) {
      errors.put("kind", "Choose organization, personal or system.");
      kind = TokenKind.ORGANIZATION;
    }
    return new TokenDraft(kind, form.organization(), form.subject(), form.label(), form.scopes(), List.of(), Map.of());
  }

  private Duration ttl(TokenForm form, Map<String, String> errors) {
    switch (form.expiry()) {
      case "30d":
        return Duration.ofDays(30);
      case "90d":
        return Duration.ofDays(90);
      case "365d":
        return Duration.ofDays(365);
      case "custom":
        try {
          Instant at = java.time.LocalDate.parse(form.expireDate()).atStartOfDay(ZoneOffset.UTC).toInstant();
          Duration ttl = Duration.between(clock.instant(), at);
          if (ttl.isNegative() || ttl.isZero()) {
            errors.put("expiry", "Choose a date in the future.");
          }
          return ttl;
        } catch (java.time.format.DateTimeParseException e) {
          errors.put("expiry", "Give the date as YYYY-MM-DD.");
          return null;
        }
      default:
        errors.put("expiry", "Choose an expiry.");
        return null;
    }
  }

  /** The form field a server-side violation concerns ("" when none matches). */
  private static String formField(String field) {
    String f = field.replaceFirst("^token\\.", "").replaceFirst("\\[\\d+\\]$", "");
    return switch (f) {
      case "label", "kind", "organization", "subject", "scopes" -> f;
      case "ttl" -> "expiry";
      default -> "";
    };
  }

  private void renderForm(Context ctx, int status, Caller caller, TokenForm form, Map<String, String> errors) {
    render(ctx, status, "dashboard/token-form.jte", createPage(ctx, caller, form, errors));
  }

  private CreatePage createPage(Context ctx, Caller caller, TokenForm form, Map<String, String> errors) {
    String expires = switch (form.expiry()) {
      case "custom" -> form.expireDate();
      default -> CreatePage.expiryLabel(form.expiry()) + " from now";
    };
    return new CreatePage(Csrf.token(ctx, secure), who(caller), form, List.of("organization", "personal", "system"),
        authority.scopeCatalogue(), errors, expires);
  }

  /** Adds the dashboard's routes and headers to the listener being configured. */
  public void register(JavalinConfig config) {
    config.routes.before("/dashboard*", this::securityHeaders);
    config.routes.get("/dashboard", ctx -> ctx.redirect("/dashboard/tokens"));
    config.routes.get("/dashboard/static/dashboard.css", ctx -> ctx.contentType("text/css; charset=utf-8")
        .header("Cache-Control", "max-age=3600").result(css));
    config.routes.get("/dashboard/sign-in", ctx -> signInPage(ctx, null, 200, ctx.queryParam("next")));
    config.routes.post("/dashboard/sign-in", this::signIn);
    config.routes.post("/dashboard/sign-out", this::signOut);
    config.routes.get("/dashboard/tokens", this::tokens);
    config.routes.get("/dashboard/static/dashboard.js", ctx -> ctx.contentType("text/javascript; charset=utf-8")
        .header("Cache-Control", "max-age=3600").result(js));
    config.routes.get("/dashboard/tokens/new", ctx -> signedInOr(ctx, "/dashboard/tokens/new",
        caller -> renderForm(ctx, 200, caller, TokenForm.empty(), Map.of())));
    config.routes.post("/dashboard/tokens/new", this::createStep);
    config.routes.get("/dashboard/tokens/{id}", ctx -> signedInOr(ctx, "/dashboard/tokens",
        caller -> detail(ctx, caller, ctx.pathParam("id"), null, false)));
    config.routes.post("/dashboard/tokens/{id}/revoke", ctx -> tokenAction(ctx, true));
    config.routes.post("/dashboard/tokens/{id}/rotate", ctx -> tokenAction(ctx, false));
    // The device flow's verification URI (device.verification-uri) points here.
    config.routes.get("/device", ctx -> ctx.redirect("/dashboard/device"
        + (ctx.queryString() == null ? "" : "?" + ctx.queryString())));
    config.routes.get("/dashboard/device", this::devicePage);
    config.routes.post("/dashboard/device/approve", ctx -> decide(ctx, true));
    config.routes.post("/dashboard/device/deny", ctx -> decide(ctx, false));
  }

  private void devicePage(Context ctx) {
    Optional<Caller> caller = signedIn(ctx);
    String code = param(ctx, "user_code", 32);
    if (caller.isEmpty()) {
      toSignIn(ctx, "/dashboard/device" + (code.isEmpty() ? "" : "?user_code=" + enc(code)));
      return;
    }
    if (code.isEmpty()) {
      renderDevice(ctx, 200, caller.get(), "", null, null, false);
      return;
    }
    try {
      DeviceRequest request = authority.devices().get(caller.get(), code);
      renderDevice(ctx, 200, caller.get(), code, request, null, false);
    } catch (TokenAuthorityException e) {
      renderDevice(ctx, e instanceof ResourceExhaustedException ? 429 : 404, caller.get(), code, null, e.getMessage(), true);
    }
  }

  private void decide(Context ctx, boolean approve) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, "/dashboard/device");
      return;
    }
    String code = Optional.ofNullable(ctx.formParam("user_code")).orElse("");
    if (!Csrf.valid(ctx)) {
      renderDevice(ctx, 403, caller.get(), code, null, "The form expired; look the code up again.", true);
      return;
    }
    try {
      DeviceRequest decided = approve ? authority.devices().approve(caller.get(), code)
          : authority.devices().deny(caller.get(), code);
      renderDevice(ctx, 200, caller.get(), code, decided, approve
          ? "Approved: the device receives it at its next poll." : "Denied: the device gets nothing.", false);
    } catch (TokenAuthorityException e) {
      renderDevice(ctx, 409, caller.get(), code, null, e.getMessage(), true);
    }
  }

  private void renderDevice(Context ctx, int status, Caller caller, String code, DeviceRequest r, String message,
      boolean error) {
    Instant now = clock.instant();
    DevicePage.Request view = r == null ? null : new DevicePage.Request(UserCodes.display(r.userCode()),
        r.purpose() == DeviceRequest.Purpose.SESSION ? "a session (sign-in) as you" : "a personal token of yours",
        dash(r.label()), r.purpose() == DeviceRequest.Purpose.SESSION ? null : String.join(", ", r.scopes()),
        r.tokenTtl() == null ? "-" : r.tokenTtl().toDays() + " days", r.requesterPeer(), relative(r.createTime(), now),
        r.stateAt(now).name().toLowerCase(Locale.ROOT), r.stateAt(now) == DeviceRequest.State.PENDING);
    render(ctx, status, "dashboard/device.jte", new DevicePage(Csrf.token(ctx, secure), who(caller), code, view,
        message, error));
  }

  /** To the sign-in page, coming back to {@code next} afterwards. */
  private static void toSignIn(Context ctx, String next) {
    ctx.redirect("/dashboard/sign-in?next=" + enc(next), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** Where to go after signing in: a dashboard path only, never another site. */
  private static String safeNext(String next) {
    return next != null && next.startsWith("/dashboard/") && !next.contains("//") && !next.contains("\\")
        && !next.contains("\n") && !next.contains("\r") ? next : "/dashboard/tokens";
  }

  private void securityHeaders(Context ctx) {
    if (ctx.method() == io.javalin.http.HandlerType.POST && !Csrf.sameOrigin(ctx, secure)) {
      ctx.header("Content-Security-Policy", CSP);
      throw new io.javalin.http.ForbiddenResponse("This form was not sent from this dashboard.");
    }
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  private void signInPage(Context ctx, String error, int status, String next) {
    render(ctx, status, "dashboard/sign-in.jte", new SignInPage(Csrf.token(ctx, secure), error, safeNext(next)));
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
      signedIn(ctx).ifPresent(this::endQuietly);
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
    signedIn(ctx).ifPresent(this::endQuietly);
    Cookies.clear(ctx, ACCESS_COOKIE, secure);
    Cookies.clear(ctx, REFRESH_COOKIE, secure);
    Csrf.renew(ctx, secure);
    ctx.redirect("/dashboard/sign-in", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void tokens(Context ctx) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, "/dashboard/tokens");
      return;
    }
    String query = param(ctx, "q", 200);
    String kind = choice(ctx, "kind", TokensPage.KINDS);
    String state = choice(ctx, "state", TokensPage.STATES);
    String pageToken = param(ctx, "page", 1000);
    TokenFilter filter = new TokenFilter("", "", "", kind.isEmpty() ? null : TokenKind.valueOf(kind.toUpperCase(Locale.ROOT)),
        state.isEmpty() ? null : TokenState.valueOf(state.toUpperCase(Locale.ROOT)), null, null, false, query, false);
    Page<TokenRecord> page;
    try {
      page = authority.tokens().list(caller.get(), filter, PAGE_SIZE, pageToken);
    } catch (TokenAuthorityException e) {
      // Inside the page (with its navigation and sign-out), whatever the refusal.
      render(ctx, e instanceof PermissionDeniedException ? 403 : 400, "dashboard/tokens.jte", new TokensPage(
          Csrf.token(ctx, secure), who(caller.get()), query, kind, state, List.of(), null, e.getMessage()));
      return;
    }
    Instant now = clock.instant();
    List<TokenRow> rows = page.items().stream().map(t -> row(t, now)).toList();
    String next = page.nextPageToken().isEmpty() ? null : "/dashboard/tokens?q=" + enc(query) + "&kind=" + enc(kind)
        + "&state=" + enc(state) + "&page=" + enc(page.nextPageToken());
    render(ctx, 200, "dashboard/tokens.jte", new TokensPage(Csrf.token(ctx, secure), who(caller.get()), query, kind,
        state, rows, next, null));
  }

  private void endQuietly(Caller caller) {
    try {
      authority.sessions().signOut(caller);
    } catch (TokenAuthorityException alreadyOver) {
      // Nothing left to end.
    }
  }

  /**
   * The signed-in person: the session cookie's access token (a session's, nothing else), or,
   * when it has run out, the session refreshed with the refresh cookie (new cookies go with the
   * answer).
   */
  private Optional<Caller> signedIn(Context ctx) {
    Origin origin = HttpOrigin.of(ctx);
    String access = ctx.cookie(ACCESS_COOKIE);
    if (access != null && !access.isEmpty()) {
      try {
        Caller caller = authority.introspector().authenticate(access, origin);
        if (authority.sessions().sessionOf(caller.tokenId()).isPresent()) {
          return Optional.of(caller);
        }
      } catch (TokenAuthorityException expired) {
        // Fall through to the refresh token.
      }
    }
    String refresh = ctx.cookie(REFRESH_COOKIE);
    if (refresh != null && !refresh.isEmpty()) {
      try {
        IssuedSession renewed = refreshes.refresh(refresh, origin);
        setSession(ctx, renewed);
        return Optional.of(authority.introspector().authenticate(renewed.accessToken().reveal(), origin));
      } catch (TokenAuthorityException ended) {
        Cookies.clear(ctx, ACCESS_COOKIE, secure);
        Cookies.clear(ctx, REFRESH_COOKIE, secure);
      }
    }
    return Optional.empty();
  }

  private void setSession(Context ctx, IssuedSession session) {
    Instant now = clock.instant();
    // The access cookie goes a little before its token does, so that an expired token is never
    // presented (and audited as a failed authentication); the refresh cookie with its token.
    long access = Math.max(0, Duration.between(now, session.session().accessExpireTime()).getSeconds() - 30);
    long refresh = Math.max(0, Duration.between(now, session.session().refreshExpireTime()).getSeconds());
    Cookies.set(ctx, ACCESS_COOKIE, session.accessToken().reveal(), secure, access);
    Cookies.set(ctx, REFRESH_COOKIE, session.refreshToken().reveal(), secure, refresh);
  }

  private TokenRow row(TokenRecord t, Instant now) {
    return new TokenRow(t.id(), t.label(), t.kind().name().toLowerCase(Locale.ROOT), dash(t.subject()),
        dash(t.organization()), String.join(", ", t.scopes().asList()), state(t, now), DATE.format(t.createTime()),
        t.creator().isEmpty() ? "-" : t.creator(), t.expireTime() == null ? "never" : relative(t.expireTime(), now),
        t.lastUseTime() == null ? "never" : relative(t.lastUseTime(), now));
  }

  private static String state(TokenRecord t, Instant now) {
    TokenState s = t.stateAt(now);
    if (s == TokenState.ACTIVE && t.revokeTime() != null) {
      return "In rotation grace";
    }
    if (s == TokenState.ACTIVE && t.expireTime() != null && t.expireTime().isBefore(now.plus(Duration.ofDays(7)))) {
      return "Expiring soon";
    }
    return s.name().charAt(0) + s.name().substring(1).toLowerCase(Locale.ROOT);
  }

  static String relative(Instant t, Instant now) {
    Duration d = Duration.between(now, t);
    long s = Math.abs(d.getSeconds());
    String amount = s < 60 ? null : s < 3_600 ? n(Math.round(s / 60.0), "minute")
        : s < 86_400 ? n(Math.round(s / 3_600.0), "hour") : n(Math.round(s / 86_400.0), "day");
    return amount == null ? "just now" : d.isNegative() ? amount + " ago" : "in " + amount;
  }

  private static String n(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  private static String who(Caller c) {
    return c.subject().isEmpty() ? c.tokenId() : c.subject();
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static String param(Context ctx, String name, int max) {
    String v = ctx.queryParam(name);
    return v == null ? "" : v.length() > max ? v.substring(0, max) : v;
  }

  /** A query value from a closed list; anything else counts as "any". */
  private static String choice(Context ctx, String name, List<String> allowed) {
    String v = ctx.queryParam(name);
    return v != null && allowed.contains(v) ? v : "";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void render(Context ctx, int status, String template, Object model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }
}
