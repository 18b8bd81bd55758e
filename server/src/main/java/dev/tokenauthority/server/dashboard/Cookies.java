package dev.tokenauthority.server.dashboard;

import io.javalin.http.Context;

/** The dashboard's cookies: HttpOnly, SameSite=Strict, limited to /dashboard, Secure under TLS. */
final class Cookies {
  static final String PATH = "/dashboard";

  private Cookies() {}

  static void set(Context ctx, String name, String value, boolean secure) {
    ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=" + PATH + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : ""));
  }

  static void clear(Context ctx, String name, boolean secure) {
    ctx.res().addHeader("Set-Cookie", name + "=; Path=" + PATH + "; Max-Age=0; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : ""));
  }
}
