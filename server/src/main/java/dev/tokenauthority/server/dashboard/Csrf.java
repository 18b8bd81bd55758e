package dev.tokenauthority.server.dashboard;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Double-submit CSRF protection: a random value in a {@code SameSite=Strict}, {@code HttpOnly}
 * cookie, repeated in a hidden field of every form; a state-changing request must carry both,
 * equal (compared in constant time). Another site can make a browser send the cookie (not with
 * Strict), but can neither read it nor guess it for the field.
 */
final class Csrf {
  static final String COOKIE = "ta_csrf";
  static final String FIELD = "csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Csrf() {}

  /** The request's CSRF value, set as a cookie first if it has none. */
  static String token(Context ctx, boolean secure) {
    String existing = ctx.cookie(COOKIE);
    if (existing != null && existing.matches("[A-Za-z0-9_-]{43}")) {
      return existing;
    }
    return renew(ctx, secure);
  }

  /** A new value, as at sign-in and sign-out: one person's value never serves the next. */
  static String renew(Context ctx, boolean secure) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Cookies.set(ctx, COOKIE, value, secure);
    return value;
  }

  /**
   * Whether a state-changing request comes from this dashboard's own pages. Browsers name the
   * page's origin on every POST ({@code Sec-Fetch-Site}, else {@code Origin}): a page of another
   * origin, even one on this host or a sibling domain that can plant cookies, is refused here
   * whatever cookie it managed to set.
   */
  static boolean sameOrigin(Context ctx, boolean secure) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null) {
      return site.equals("same-origin");
    }
    // Older browsers: Origin ("null" is what pages under Referrer-Policy: no-referrer may send,
    // and says nothing either way; the CSRF pair still has to match).
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin != null && !origin.equals("null")) {
      return host != null && origin.equals((secure ? "https://" : "http://") + host);
    }
    return true; // neither header: not a browser, so there are no ambient cookies to abuse
  }

  /** Whether the form's field matches the cookie. */
  static boolean valid(Context ctx) {
    String cookie = ctx.cookie(COOKIE);
    String field = ctx.formParam(FIELD);
    return cookie != null && field != null && !cookie.isEmpty()
        && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8));
  }
}
