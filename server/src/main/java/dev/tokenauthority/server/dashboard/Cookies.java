package dev.tokenauthority.server.dashboard;

import io.javalin.http.Context;

/** The dashboard's cookies: HttpOnly, SameSite=Strict, limited to /dashboard, Secure under TLS. */
final class Cookies {
  static final String PATH = "/dashboard";

  private Cookies() {}

  static void set(Context ctx, String name, String value, boolean secure) {
    set(ctx, name, value, secure, -1);
  }

  /** With {@code maxAgeSeconds} >= 0 the browser drops the cookie by itself when its token ends. */
  static void set(Context ctx, String name, String value, boolean secure, long maxAgeSeconds) {
    ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=" + PATH + "; HttpOnly; SameSite=Strict"
        + (maxAgeSeconds >= 0 ? "; Max-Age=" + maxAgeSeconds : "") + (secure ? "; Secure" : ""));
  }

  static void clear(Context ctx, String name, boolean secure) {
    ctx.res().addHeader("Set-Cookie", name + "=; Path=" + PATH + "; Max-Age=0; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : ""));
  }
}
