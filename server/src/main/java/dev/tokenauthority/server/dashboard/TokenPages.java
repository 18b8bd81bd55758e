package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.audit.AuditFilter;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenFilter;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenState;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The tokens list and one token's page: filters and pages, rotate and revoke. */
final class TokenPages extends PageSupport {
  static final int PAGE_SIZE = 50;

  TokenPages(PageSupport shared) {
    super(shared);
  }

  void tokens(Context ctx) {
    signedInOr(ctx, "/dashboard/tokens", caller -> tokens(ctx, caller));
  }

  private void tokens(Context ctx, Caller caller) {
    TokensQuery query = TokensQuery.of(ctx);
    String pageToken = param(ctx, "page", 4000);
    List<TokenColumn> columns = columnsOf(caller);
    Instant now = clock.instant();
    Page<TokenRecord> page;
    try {
      page = authority.tokens().list(caller, query.filter(now), query.order(), PAGE_SIZE, pageToken);
    } catch (TokenAuthorityException e) {
      // Inside the page (with its navigation and sign-out), whatever the refusal.
      render(ctx, e instanceof PermissionDeniedException ? 403 : 400, "dashboard/tokens.jte", new TokensPage(
          Csrf.token(ctx, secure), who(caller), query, columns, List.of(), null, e.getMessage()));
      return;
    }
    List<TokenRow> rows = page.items().stream().map(t -> row(t, now)).toList();
    String next = page.nextPageToken().isEmpty() ? null
        : "/dashboard/tokens?" + query.at(query.anchor(now)).params() + "&page=" + enc(page.nextPageToken());
    render(ctx, 200, "dashboard/tokens.jte", new TokensPage(Csrf.token(ctx, secure), who(caller), query,
        columns, rows, next, null));
  }

  /** The columns this person chose, or the default. */
  List<TokenColumn> columnsOf(Caller caller) {
    return authority.preferences().get(who(caller), TokenColumn.PREFERENCE)
        .map(text -> TokenColumn.parse(List.of(text.split(" ")))).orElse(TokenColumn.DEFAULT);
  }

  /** Remembers the columns ticked in the chooser for this person, and goes back to the list. */
  void chooseColumns(Context ctx) {
    signedInOr(ctx, "/dashboard/tokens", caller -> chooseColumns(ctx, caller));
  }

  private void chooseColumns(Context ctx, Caller caller) {
    if (!Csrf.valid(ctx)) {
      ctx.status(403).contentType("text/plain; charset=utf-8").result("The form expired; reload the page.");
      return;
    }
    List<TokenColumn> chosen = TokenColumn.parse(ctx.formParams("columns"));
    authority.preferences().put(who(caller), TokenColumn.PREFERENCE, TokenColumn.text(chosen), clock.instant());
    String back = Optional.ofNullable(ctx.formParam("back")).orElse("");
    // Only this page's own parameters go back into the address: never a path, host or scheme.
    ctx.redirect("/dashboard/tokens" + (back.matches("[A-Za-z0-9=&%._~+-]{0,2000}") ? "?" + back : ""),
        io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** The preview of "revoke all": how many working tokens the list's filter matches. */
  void revokeAllPreview(Context ctx) {
    signedInOr(ctx, "/dashboard/tokens", caller -> revokeAll(ctx, caller, TokensQuery.of(ctx), null, false, -1));
  }

  /** Revokes them, if the number typed is the number that match now: a changed list is previewed again. */
  void revokeAllConfirmed(Context ctx) {
    signedInOr(ctx, "/dashboard/tokens", caller -> revokeAllConfirmed(ctx, caller));
  }

  private void revokeAllConfirmed(Context ctx, Caller caller) {
    TokensQuery query = TokensQuery.ofForm(ctx);
    if (!Csrf.valid(ctx)) {
      ctx.status(403);
      revokeAll(ctx, caller, query, "The form expired; nothing was revoked. Try again.", true, -1);
      return;
    }
    String typed = Optional.ofNullable(ctx.formParam("confirm")).orElse("").strip();
    if (!typed.matches("[0-9]{1,9}")) {
      ctx.status(400);
      revokeAll(ctx, caller, query, "Nothing was revoked: type the number of tokens shown, in digits.", true, -1);
      return;
    }
    String reason = Optional.ofNullable(ctx.formParam("reason")).orElse("").strip();
    try {
      // The domain counts again inside the revoking transaction: another number revokes nothing.
      int revoked = authority.tokens().revokeMatching(caller, bulkFilter(caller, query), query.describe(), reason,
          Integer.parseInt(typed));
      revokeAll(ctx, caller, query, "Revoked " + n(revoked, "token") + ": they stopped working now.", false, revoked);
    } catch (dev.tokenauthority.server.error.FailedPreconditionException e) {
      ctx.status(409);
      revokeAll(ctx, caller, query, "N" + e.getMessage().substring(1) + ". Check the count and type it again.", true, -1);
    } catch (TokenAuthorityException e) {
      ctx.status(e instanceof PermissionDeniedException ? 403 : 400);
      revokeAll(ctx, caller, query, e.getMessage(), true, -1);
    }
  }

  /** The list's filter, sparing the token the signed-in person's session came from (their way back in). */
  private TokenFilter bulkFilter(Caller caller, TokensQuery query) {
    java.util.Set<String> spared = authority.sessions().sessionOf(caller.tokenId())
        .map(s -> s.sourceTokenId()).filter(id -> !id.isEmpty()).map(java.util.Set::of).orElse(java.util.Set.of());
    return query.filter(clock.instant()).excluding(java.util.Set.of(), spared);
  }

  private void revokeAll(Context ctx, Caller caller, TokensQuery query, String message, boolean error, int done) {
    int count;
    try {
      count = done >= 0 ? 0 : authority.tokens().countMatching(caller, bulkFilter(caller, query));
    } catch (TokenAuthorityException e) {
      ctx.status(e instanceof PermissionDeniedException ? 403 : 400);
      count = 0;
      message = e.getMessage();
      error = true;
    }
    render(ctx, ctx.statusCode(), "dashboard/revoke-all.jte",
        new RevokeAllPage(Csrf.token(ctx, secure), who(caller), query.at(query.anchor(clock.instant())), count,
            Optional.ofNullable(ctx.formParam("reason")).orElse(""), message, error, done));
  }

  void detail(Context ctx, Caller caller, String id, String message, boolean error) {
    TokenRecord t;
    try {
      t = authority.tokens().get(caller, id);
    } catch (TokenAuthorityException e) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("No token you may see has that id.");
      return;
    }
    Instant now = clock.instant();
    List<String[]> events;
    try {
      events = authority.auditLog().list(caller, new AuditFilter("", "", t.id(), null, null, null), 50, "").items()
          .stream().map(r -> new String[] {DATE_TIME.format(r.entry().time()),
              r.entry().action().name().toLowerCase(Locale.ROOT), r.entry().outcome().name().toLowerCase(Locale.ROOT),
              r.entry().actor(), new java.util.TreeMap<>(r.entry().details()).toString()}).toList();
    } catch (TokenAuthorityException e) {
      events = List.of(); // a person who may see the token but not the audit log
    }
    boolean actionable = t.stateAt(now) == TokenState.ACTIVE && t.rotatedTo().isEmpty()
        && t.kind() != TokenKind.SESSION && t.kind() != TokenKind.SERVICE;
    render(ctx, ctx.statusCode(), "dashboard/token.jte", new TokenDetailPage(
        Csrf.token(ctx, secure), who(caller), row(t, now), t.secretHint(),
        t.revokeTime() == null ? null : DATE_TIME.format(t.revokeTime()) + (t.revokeReason().isEmpty() ? "" : ": " + t.revokeReason()),
        t.rotatedFrom().isEmpty() ? null : t.rotatedFrom(), t.rotatedTo().isEmpty() ? null : t.rotatedTo(),
        actionable, events, message, error));
  }

  /** Revoke (with a reason and the confirmation box) or rotate (with a grace), as the signed-in person. */
  void tokenAction(Context ctx, boolean revoke) {
    signedInOr(ctx, "/dashboard/tokens", caller -> tokenAction(ctx, caller, revoke));
  }

  private void tokenAction(Context ctx, Caller caller, boolean revoke) {
    String id = ctx.pathParam("id");
    if (!Csrf.valid(ctx)) {
      ctx.status(403);
      detail(ctx, caller, id, "The form expired; nothing was changed. Try again.", true);
      return;
    }
    try {
      if (revoke) {
        if (!"yes".equals(ctx.formParam("confirm"))) {
          ctx.status(400);
          detail(ctx, caller, id, "Tick the box to confirm: revoking cannot be undone.", true);
          return;
        }
        String reason = Optional.ofNullable(ctx.formParam("reason")).orElse("").strip();
        authority.tokens().revoke(caller, id, reason);
        detail(ctx, caller, id, "Revoked: the token stopped working now.", false);
        return;
      }
      long grace = switch (Optional.ofNullable(ctx.formParam("grace")).orElse("0")) {
        case "3600" -> 3600;
        case "86400" -> 86400;
        default -> 0;
      };
      IssuedToken issued = authority.tokens().rotate(caller, id, Duration.ofSeconds(grace), List.of(), null);
      showSecret(ctx, caller, issued);
    } catch (TokenAuthorityException e) {
      ctx.status(e instanceof PermissionDeniedException ? 403 : 409);
      detail(ctx, caller, id, e.getMessage(), true);
    }
  }

  TokenRow row(TokenRecord t, Instant now) {
    return new TokenRow(t.id(), t.label(), t.kind().name().toLowerCase(Locale.ROOT), dash(t.subject()),
        dash(t.organization()), String.join(", ", t.scopes().asList()), dash(String.join(", ", t.groups())),
        state(t, now), DATE.format(t.createTime()),
        t.creator().isEmpty() ? "-" : t.creator(), t.expireTime() == null ? "never" : relative(t.expireTime(), now),
        t.lastUseTime() == null ? "never" : relative(t.lastUseTime(), now));
  }

  static String state(TokenRecord t, Instant now) {
    TokenState s = t.stateAt(now);
    if (s == TokenState.ACTIVE && t.revokeTime() != null) {
      return "In rotation grace";
    }
    if (s == TokenState.ACTIVE && t.expireTime() != null && t.expireTime().isBefore(now.plus(Duration.ofDays(7)))) {
      return "Expiring soon";
    }
    return s.name().charAt(0) + s.name().substring(1).toLowerCase(Locale.ROOT);
  }
}
