package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.session.SessionRecord;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** "My sessions": the person's signed-in devices, and ending any of them. */
final class SessionPages extends PageSupport {
  SessionPages(PageSupport shared) {
    super(shared);
  }

  void sessions(Context ctx) {
    signedInOr(ctx, "/dashboard/sessions", caller -> show(ctx, 200, caller, null));
  }

  void end(Context ctx) {
    signedInOr(ctx, "/dashboard/sessions", caller -> end(ctx, caller));
  }

  private void end(Context ctx, Caller caller) {
    if (!Csrf.valid(ctx)) {
      show(ctx, 403, caller, "The form expired; nothing was ended.");
      return;
    }
    String id = ctx.pathParam("id");
    boolean current = authority.sessions().sessionOf(caller.tokenId()).map(s -> s.id().equals(id)).orElse(false);
    try {
      authority.sessions().revoke(caller, id, "ended from the dashboard");
    } catch (TokenAuthorityException e) {
      show(ctx, 404, caller, "No session of yours has that id.");
      return;
    }
    if (current) {
      Cookies.clear(ctx, ACCESS_COOKIE, secure);
      Cookies.clear(ctx, REFRESH_COOKIE, secure);
      ctx.redirect("/dashboard/sign-in", HttpStatus.SEE_OTHER);
      return;
    }
    show(ctx, 200, caller, "Ended session " + id + ": its tokens stopped working.");
  }

  private void show(Context ctx, int status, Caller caller, String message) {
    Instant now = clock.instant();
    String currentId = authority.sessions().sessionOf(caller.tokenId()).map(SessionRecord::id).orElse("");
    List<SessionsPage.Row> rows = authority.sessions().list(caller, "", false, 50, "").items().stream()
        .map(s -> new SessionsPage.Row(s.id(), s.method().name().toLowerCase(Locale.ROOT).replace('_', ' '),
            dash(s.peer()), relative(s.createTime(), now),
            s.lastRefreshTime() == null ? "never" : relative(s.lastRefreshTime(), now), s.id().equals(currentId)))
        .toList();
    render(ctx, status, "dashboard/sessions.jte", new SessionsPage(Csrf.token(ctx, secure), who(caller), rows, message));
  }
}
