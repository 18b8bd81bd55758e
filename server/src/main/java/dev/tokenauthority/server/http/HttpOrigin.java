package dev.tokenauthority.server.http;

import dev.tokenauthority.server.identity.Origin;
import io.javalin.http.Context;

/** Where an HTTP request came from, as the audit log records it; its request id is sent back. */
public final class HttpOrigin {
  private HttpOrigin() {}

  public static Origin of(Context ctx) {
    String id = Origin.requestId(ctx.header("X-Request-Id"));
    ctx.header("X-Request-Id", id);
    return new Origin(id, ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort());
  }
}
