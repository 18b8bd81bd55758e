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
    return new TokenForm(field(ctx, "label"), field(ctx, "kind"), field(ctx, "organization"),
        field(ctx, "subject"), ctx.formParams("scopes").stream().map(String::strip).toList(),
        field(ctx, "expiry"), field(ctx, "expire_date"));
  }

  /** As sent: never cut short, so that the domain's limits refuse what is too long beside its field. */
  private static String field(Context ctx, String name) {
    return Optional.ofNullable(ctx.formParam(name)).orElse("").strip();
  }
}
