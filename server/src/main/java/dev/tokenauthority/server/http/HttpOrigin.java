package dev.tokenauthority.server.http;

import dev.tokenauthority.server.identity.Origin;
import io.javalin.http.Context;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Where an HTTP request came from, as the audit log records it; its request id is sent back. */
final class HttpOrigin {
  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

  private HttpOrigin() {}

  static Origin of(Context ctx) {
    String given = ctx.header("X-Request-Id");
    String id;
    if (given != null && SANE_REQUEST_ID.matcher(given).matches()) {
      id = given;
    } else {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      id = new UUID(random.nextLong(), random.nextLong()).toString();
    }
    ctx.header("X-Request-Id", id);
    return new Origin(id, ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort());
  }
}
