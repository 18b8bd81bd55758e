package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.http.HttpOrigin;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.session.IssuedSession;
import dev.tokenauthority.server.session.SessionManager;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenRecord;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * What every dashboard page needs: the signed-in person (from the session cookies, refreshed
 * once when due), rendering, and small text helpers. The pages extend it and share one state.
 */
abstract class PageSupport {
  static final String ACCESS_COOKIE = "ta_session";
  static final String REFRESH_COOKIE = "ta_refresh";
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  final TokenAuthority authority;
  final boolean secure;
  final Clock clock;
  private final TemplateEngine templates;
  private final Refreshes refreshes;

  PageSupport(TokenAuthority authority, boolean secure, Clock clock, TemplateEngine templates, Refreshes refreshes) {
    this.authority = authority;
    this.secure = secure;
    this.clock = clock;
    this.templates = templates;
    this.refreshes = refreshes;
  }

  PageSupport(PageSupport shared) {
    this(shared.authority, shared.secure, shared.clock, shared.templates, shared.refreshes);
  }

  void signedInOr(Context ctx, String here, java.util.function.Consumer<Caller> page) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, here);
    } else {
      page.accept(caller.get());
    }
  }

  /** The one page that shows a new secret, right after it was issued; it closes to the tokens list. */
  void showSecret(Context ctx, Caller caller, IssuedToken issued) {
    showSecret(ctx, caller, issued, "/dashboard/tokens");
  }

  /** As above, closing to {@code closeTo} (a dashboard path). */
  void showSecret(Context ctx, Caller caller, IssuedToken issued, String closeTo) {
    TokenRecord t = issued.token();
    render(ctx, 200, "dashboard/token-secret.jte", new SecretPage(Csrf.token(ctx, secure), who(caller), t.id(),
        t.label(), issued.secret().reveal(), t.expireTime() == null ? "never"
            : DATE.format(t.expireTime()) + " (" + relative(t.expireTime(), clock.instant()) + ")", closeTo));
  }

  /** To the sign-in page, coming back to {@code next} afterwards. */
  static void toSignIn(Context ctx, String next) {
    ctx.redirect("/dashboard/sign-in?next=" + enc(next), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** Where to go after signing in: a dashboard path only, never another site. */
  static String safeNext(String next) {
    return next != null && next.startsWith("/dashboard/") && !next.contains("//") && !next.contains("\\")
        && !next.contains("\n") && !next.contains("\r") ? next : "/dashboard/tokens";
  }

  void endQuietly(Caller caller) {
    try {
      authority.sessions().signOut(caller);
    } catch (TokenAuthorityException alreadyOver) {
      // Nothing left to end.
    }
  }

  /**
   * As {@link #signedIn}, for signing in and out, which go on whatever the old session's state:
   * a session another tab is renewing through another replica is ended here by its refresh
   * cookie (its renewed cookies, arriving later, would otherwise bring it back), and counts as none.
   */
  Optional<Caller> signedInIfSettled(Context ctx) {
    try {
      return signedIn(ctx);
    } catch (SessionBeingRenewed renewing) {
      authority.sessions().signOutWithRefreshToken(ctx.cookie(REFRESH_COOKIE), HttpOrigin.of(ctx));
      return Optional.empty();
    }
  }

  /**
   * The signed-in person: the session cookie's access token (a session's, nothing else), or,
   * when it has run out, the session refreshed with the refresh cookie (new cookies go with the
   * answer).
   */
  Optional<Caller> signedIn(Context ctx) {
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
        if (SessionManager.JUST_USED.equals(ended.reason())) {
          throw new SessionBeingRenewed(); // another tab's request renewed it a moment ago: retry, keep the cookies
        }
        Cookies.clear(ctx, ACCESS_COOKIE, secure);
        Cookies.clear(ctx, REFRESH_COOKIE, secure);
      }
    }
    return Optional.empty();
  }

  /**
   * The session cookie of the request was just refreshed by another request (another tab) through
   * another replica; the browser gets that refresh's cookies with its answer.
   */
  static final class SessionBeingRenewed extends RuntimeException {
    SessionBeingRenewed() {
      super("the session is being renewed by a concurrent request", null, false, false);
    }
  }

  /**
   * Asks the browser to come again in a second, by when it holds the new cookies the concurrent
   * request set: a page that reloads itself (a GET), never a redirect loop, and nothing holds a
   * listener thread meanwhile. A form is not sent again by itself: the page says so. The
   * address is this request's own path, never a header's.
   */
  void retryAfterRenewal(Context ctx) {
    String query = ctx.queryString();
    String here = ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
    if (!here.startsWith("/dashboard/") || here.startsWith("//")) {
      here = "/dashboard/tokens"; // only ever a dashboard page of this origin
    }
    boolean form = ctx.method() != io.javalin.http.HandlerType.GET && ctx.method() != io.javalin.http.HandlerType.HEAD;
    // 200, not 503: a healthy replica answering a browser race must not count as failing to a
    // balancer's outlier detection or an error-rate alert.
    render(ctx, form ? 409 : 200, "dashboard/renewing.jte", new RenewingPage(form ? null : here));
  }

  void setSession(Context ctx, IssuedSession session) {
    Instant now = clock.instant();
    // The access cookie goes a little before its token does, so that an expired token is never
    // presented (and audited as a failed authentication); the refresh cookie with its token.
    long access = Math.max(0, Duration.between(now, session.session().accessExpireTime()).getSeconds() - 30);
    long refresh = Math.max(0, Duration.between(now, session.session().refreshExpireTime()).getSeconds());
    Cookies.set(ctx, ACCESS_COOKIE, session.accessToken().reveal(), secure, access);
    Cookies.set(ctx, REFRESH_COOKIE, session.refreshToken().reveal(), secure, refresh);
  }

  static String relative(Instant t, Instant now) {
    Duration d = Duration.between(now, t);
    long s = Math.abs(d.getSeconds());
    String amount = s < 60 ? null : s < 3_600 ? n(Math.round(s / 60.0), "minute")
        : s < 86_400 ? n(Math.round(s / 3_600.0), "hour") : n(Math.round(s / 86_400.0), "day");
    return amount == null ? "just now" : d.isNegative() ? amount + " ago" : "in " + amount;
  }

  static String n(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  static String who(Caller c) {
    return c.subject().isEmpty() ? c.tokenId() : c.subject();
  }

  static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  static String param(Context ctx, String name, int max) {
    String v = ctx.queryParam(name);
    return v == null ? "" : v.length() > max ? v.substring(0, max) : v;
  }

  /** A query value from a closed list; anything else counts as "any". */
  static String choice(Context ctx, String name, List<String> allowed) {
    String v = ctx.queryParam(name);
    return v != null && allowed.contains(v) ? v : "";
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  void render(Context ctx, int status, String template, Object model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }
}
