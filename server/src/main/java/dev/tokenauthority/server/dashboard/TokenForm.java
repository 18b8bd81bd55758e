package dev.tokenauthority.server.dashboard;

import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;

/** The create form's fields as posted, carried from step to step. */
public record TokenForm(String label, String kind, String organization, String subject, List<String> scopes,
    String expiry, String expireDate) {

  static TokenForm empty() {
    return new TokenForm("", "organization", "", "", List.of(), "90d", "");
  }

  static TokenForm of(Context ctx) {
    return new TokenForm(field(ctx, "label", 200), field(ctx, "kind", 20), field(ctx, "organization", 63),
        field(ctx, "subject", 200), ctx.formParams("scopes").stream().limit(64).toList(),
        field(ctx, "expiry", 10), field(ctx, "expire_date", 10));
  }

  private static String field(Context ctx, String name, int max) {
    String v = Optional.ofNullable(ctx.formParam(name)).orElse("").strip();
    return v.length() > max ? v.substring(0, max) : v;
  }
}
