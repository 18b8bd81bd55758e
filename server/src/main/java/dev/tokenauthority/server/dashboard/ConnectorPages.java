package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.connector.ConnectorTest;
import dev.tokenauthority.server.connector.ConnectorView;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenRecord;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Connectors, for managers: list, add (the secret once), change scopes, rotate, remove, test a secret. */
final class ConnectorPages extends PageSupport {
  ConnectorPages(PageSupport shared) {
    super(shared);
  }

  /** The list and the form that adds one; an admin names the organisation in {@code ?organization=}. */
  void list(Context ctx) {
    signedInOr(ctx, "/dashboard/connectors", caller -> showList(ctx, 200, caller,
        organizationOf(caller, param(ctx, "organization", 100)), param(ctx, "page", 1000), Map.of(), Map.of(), null));
  }

  void add(Context ctx) {
    withForm(ctx, "/dashboard/connectors", caller -> {
      String org = organizationOf(caller, form(ctx, "organization"));
      Map<String, String> form = new LinkedHashMap<>();
      form.put("slug", form(ctx, "slug"));
      form.put("name", form(ctx, "name"));
      List<String> scopes = ctx.formParams("scopes");
      try {
        ConnectorView added = authority.connectors().create(caller, org, form.get("slug"), form.get("name"), scopes, null);
        showSecret(ctx, caller, new IssuedToken(added.token(), added.secret()), rowOf(added, clock.instant()).path());
      } catch (InvalidArgumentException e) {
        Map<String, String> errors = new LinkedHashMap<>();
        e.violations().forEach(v -> errors.merge(v.field().replaceFirst("^connector\\.", "").replaceFirst("\\[\\d+\\]$", ""),
            v.description(), (a, b) -> a + "; " + b));
        showList(ctx, 400, caller, org, "", form, errors, null);
      } catch (TokenAuthorityException e) {
        showList(ctx, status(e), caller, org, "", form, Map.of("", e.getMessage()), null);
      }
    });
  }

  void detail(Context ctx) {
    signedInOr(ctx, "/dashboard/connectors", caller -> showOne(ctx, 200, caller, null, false));
  }

  /** The actions on one connector: update (name and scopes), rotate, remove, test. */
  void act(Context ctx) {
    withForm(ctx, "/dashboard/connectors", caller -> {
      String org = ctx.pathParam("organization");
      String slug = ctx.pathParam("slug");
      try {
        switch (ctx.pathParam("action")) {
          case "update" -> {
            authority.connectors().update(caller, org, slug, form(ctx, "name"), ctx.formParams("scopes"));
            showOne(ctx, 200, caller, "Saved. Narrowed scopes apply to the live token now; wider ones at the next rotation.", false);
          }
          case "rotate" -> {
            Duration grace = Duration.ofSeconds(switch (form(ctx, "grace")) {
              case "3600" -> 3600;
              case "86400" -> 86400;
              default -> 0;
            });
            ConnectorView rotated = authority.connectors().rotate(caller, org, slug, grace, null);
            showSecret(ctx, caller, new IssuedToken(rotated.token(), rotated.secret()), rowOf(rotated, clock.instant()).path());
          }
          case "remove" -> {
            if (!"yes".equals(ctx.formParam("confirm"))) {
              showOne(ctx, 400, caller, "Tick the box to confirm: removing revokes the connector's tokens.", true);
              return;
            }
            authority.connectors().delete(caller, org, slug, form(ctx, "reason"));
            showList(ctx, 200, caller, org, "", Map.of(), Map.of(), "Removed " + org + "/" + slug + "; its tokens stopped working.");
          }
          case "test" -> {
            // The secret came in the form's body and goes nowhere else: not into the page, the log or the answer.
            ConnectorTest test = authority.connectors().test(caller, org, slug, Optional.ofNullable(ctx.formParam("secret")).orElse("").strip());
            showOne(ctx, 200, caller, !test.live() ? "That secret is not a working token of this connector."
                : test.current() ? "That secret is the connector's current token; it holds " + String.join(", ", test.scopes().asList()) + "."
                : "That secret works, but it is an older token of this connector (" + test.tokenId() + ") in its rotation grace.",
                !test.live());
          }
          default -> ctx.status(404).result("No such action.");
        }
      } catch (TokenAuthorityException e) {
        showOne(ctx, status(e), caller, e.getMessage(), true);
      }
    });
  }

  /** Runs {@code action} for the signed-in person if the form carries this browser's CSRF token. */
  private void withForm(Context ctx, String here, java.util.function.Consumer<Caller> action) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, here);
    } else if (!Csrf.valid(ctx)) {
      ctx.status(403).contentType("text/plain; charset=utf-8").result("The form expired; nothing was changed. Reload the page.");
    } else {
      action.accept(caller.get());
    }
  }

  private void showList(Context ctx, int status, Caller caller, String org, String pageToken, Map<String, String> form,
      Map<String, String> errors, String message) {
    Page<ConnectorView> page;
    try {
      page = authority.connectors().list(caller, org, TokenPages.PAGE_SIZE, pageToken);
    } catch (TokenAuthorityException e) {
      render(ctx, status(e), "dashboard/connectors.jte", new ConnectorsPage(Csrf.token(ctx, secure), who(caller), org,
          false, List.of(), null, List.of(), form, Map.of(), e.getMessage(), true));
      return;
    }
    Instant now = clock.instant();
    String next = page.nextPageToken().isEmpty() ? null
        : "/dashboard/connectors?organization=" + enc(org) + "&page=" + enc(page.nextPageToken());
    render(ctx, status, "dashboard/connectors.jte", new ConnectorsPage(Csrf.token(ctx, secure), who(caller), org,
        !org.isEmpty(), page.items().stream().map(c -> rowOf(c, now)).toList(), next, authority.scopeCatalogue(),
        form, errors, errors.isEmpty() ? message : errors.getOrDefault("", null), !errors.isEmpty()));
  }

  private void showOne(Context ctx, int status, Caller caller, String message, boolean error) {
    ConnectorView c;
    try {
      c = authority.connectors().get(caller, ctx.pathParam("organization"), ctx.pathParam("slug"));
    } catch (TokenAuthorityException e) {
      ctx.status(e instanceof NotFoundException || e instanceof PermissionDeniedException ? 404 : 400)
          .contentType("text/plain; charset=utf-8").result("No connector you may see has that name.");
      return;
    }
    ConnectorsPage.Row row = rowOf(c, clock.instant());
    render(ctx, status, "dashboard/connector.jte", new ConnectorsPage(Csrf.token(ctx, secure), who(caller),
        row.organization(), true, List.of(row), null, authority.scopeCatalogue(), Map.of("name", row.name()), Map.of(),
        message, error));
  }

  /** A manager's own organisation; an admin's as asked ("" lists every organisation's). */
  private static String organizationOf(Caller caller, String asked) {
    return caller.isAdmin() || caller.organization().isEmpty() ? asked : caller.organization();
  }

  private static String form(Context ctx, String name) {
    return Optional.ofNullable(ctx.formParam(name)).orElse("").strip();
  }

  private static int status(TokenAuthorityException e) {
    return e instanceof PermissionDeniedException ? 403 : e instanceof NotFoundException ? 404
        : e instanceof InvalidArgumentException ? 400 : 409;
  }

  ConnectorsPage.Row rowOf(ConnectorView v, Instant now) {
    TokenRecord t = v.token();
    return new ConnectorsPage.Row(v.connector().organization(), v.connector().slug(), v.connector().name(),
        v.connector().scopes().asList(), t == null ? "-" : t.id(), t == null ? "-" : t.secretHint(),
        t == null || t.expireTime() == null ? "never" : relative(t.expireTime(), now),
        t == null || t.lastUseTime() == null ? "never" : relative(t.lastUseTime(), now),
        relative(v.connector().updateTime(), now));
  }
}
