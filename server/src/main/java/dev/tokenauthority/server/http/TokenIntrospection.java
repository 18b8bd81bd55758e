package dev.tokenauthority.server.http;

import com.google.gson.JsonObject;
import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.token.Introspection;
import dev.tokenauthority.server.token.TokenRecord;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /oauth2/introspect}: OAuth 2.0 Token Introspection (RFC 7662) for middleware that
 * speaks it (oauth2-proxy, Kong, mod_auth_openidc, API gateways). The caller authenticates with
 * its own bearer token holding {@code tokens:introspect}; the form field {@code token} is the
 * secret asked about. Errors are JSON: {@code invalid_request} (RFC 6749), {@code invalid_token}
 * and {@code insufficient_scope} (RFC 6750, for the caller's bearer token).
 */
final class TokenIntrospection {
  static final String PATH = "/oauth2/introspect";
  private static final String FORM = "application/x-www-form-urlencoded";

  private final TokenAuthority authority;

  TokenIntrospection(TokenAuthority authority) {
    this.authority = authority;
  }

  void handle(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    Origin origin = HttpOrigin.of(ctx);
    Optional<String> bearer = BearerHeader.secret(ctx.header("Authorization"));
    Caller caller;
    try {
      caller = authority.introspector().authenticate(bearer.orElse(""), origin);
      authority.introspector().requireIntrospectScope(caller);
    } catch (PermissionDeniedException e) {
      ctx.header("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"tokens:introspect\"");
      error(ctx, 403, "insufficient_scope", "the calling token needs scope tokens:introspect");
      return;
    } catch (TokenAuthorityException e) { // the caller's bearer token (RFC 6750), not an OAuth client
      ctx.header("WWW-Authenticate", bearer.isEmpty() ? "Bearer" : "Bearer error=\"invalid_token\"");
      error(ctx, 401, "invalid_token", "authenticate with 'Authorization: Bearer <a tokens:introspect token>'");
      return;
    }
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (!type.startsWith(FORM)) {
      error(ctx, 400, "invalid_request", "send the token as a form: Content-Type " + FORM);
      return;
    }
    List<String> tokens = ctx.formParams("token");
    if (tokens.size() != 1 || tokens.get(0).isEmpty()) {
      error(ctx, 400, "invalid_request", tokens.isEmpty() || tokens.get(0).isEmpty()
          ? "the form field 'token' is required" : "send exactly one 'token' field");
      return;
    }
    Introspection answer = authority.introspector().introspect(caller, tokens.get(0), List.of());
    JsonObject body = new JsonObject();
    body.addProperty("active", answer.active());
    if (answer.active()) { // inactive answers say exactly {"active": false}: nothing about why
      TokenRecord t = answer.token();
      body.addProperty("scope", String.join(" ", t.scopes().asList()));
      body.addProperty("client_id", t.id());
      if (!t.subject().isEmpty()) {
        body.addProperty("sub", t.subject());
      }
      body.addProperty("token_type", "Bearer");
      body.addProperty("iat", t.createTime().getEpochSecond());
      if (t.expireTime() != null) {
        body.addProperty("exp", t.expireTime().getEpochSecond());
      }
      body.addProperty("organization", t.organization());
    }
    ctx.status(200).contentType("application/json").result(body.toString());
  }

  private static void error(Context ctx, int status, String error, String description) {
    JsonObject body = new JsonObject();
    body.addProperty("error", error);
    body.addProperty("error_description", description);
    ctx.status(status).contentType("application/json").result(body.toString());
  }
}
