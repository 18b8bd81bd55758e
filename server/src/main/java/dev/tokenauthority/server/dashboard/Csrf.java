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
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Cookies.set(ctx, COOKIE, value, secure);
    return value;
  }

  /** Whether the form's field matches the cookie. */
  static boolean valid(Context ctx) {
    String cookie = ctx.cookie(COOKIE);
    String field = ctx.formParam(FIELD);
    return cookie != null && field != null && !cookie.isEmpty()
        && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8));
  }
}
