package dev.tokenauthority.server.api;

import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.Outcome;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.token.Introspection;
import dev.tokenauthority.server.token.Introspector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The check a proxy asks for before letting an HTTP request through, whichever way it asks (Envoy's
 * ext_authz over gRPC, nginx/Traefik/Caddy forward-auth over HTTP): the request's bearer token
 * against the scopes its route declares. The answer's status comes from the one outcome table.
 */
public final class ProxyCheck {
  /** The {@code required scopes} value of a route that accepts any active token. */
  public static final String ANY_ACTIVE_TOKEN = "*";
  /** The request headers the check owns: a client's own are never passed on. */
  public static final String OWN_HEADER_PREFIX = "x-token-";
  /** The identity headers an allowed request goes upstream with. */
  public static final List<String> IDENTITY_HEADERS =
      List.of("x-token-id", "x-token-subject", "x-token-organization", "x-token-scopes");

  private final Introspector introspector;

  public ProxyCheck(Introspector introspector) {
    this.introspector = introspector;
  }

  /**
   * A verdict: allowed with identity headers, or denied with an HTTP status, an error word and a
   * message.
   */
  public record Verdict(Outcome outcome, String error, String message, Map<String, String> identity) {
    public boolean allowed() {
      return outcome == null;
    }

    /** The HTTP status the proxy answers a denied client with (200 when allowed). */
    public int httpStatus() {
      return allowed() ? 200 : Outcomes.of(outcome).httpStatus;
    }

    /** Whether the client should be told how to authenticate ({@code WWW-Authenticate}). */
    public boolean challenge() {
      return outcome == Outcome.UNAUTHENTICATED;
    }

    io.grpc.Status.Code grpcCode() {
      return allowed() ? io.grpc.Status.Code.OK : Outcomes.of(outcome).grpc;
    }
  }

  /**
   * Checks a request for {@code proxy} (which must hold {@code tokens:introspect}).
   *
   * @param authorization the request's {@code Authorization} header, or null
   * @param requiredScopes the route's comma-separated scopes ({@code *} for any active token), or null
   */
  public Verdict check(Caller proxy, String authorization, String requiredScopes) {
    introspector.requireIntrospectScope(proxy);
    Optional<String> secret = BearerHeader.secret(authorization);
    if (secret.isEmpty()) {
      return denied(Outcome.UNAUTHENTICATED, "a bearer token is required");
    }
    Optional<List<String>> declared = requiredScopes(requiredScopes);
    if (declared.isEmpty()) {
      return misconfigured("the route declares no required scopes; list the scopes it needs, or \"*\" for any active token");
    }
    Introspection answer;
    try {
      answer = introspector.introspect(proxy, secret.get(), declared.get());
    } catch (InvalidArgumentException e) { // the route's configuration, not the client, is wrong
      return misconfigured(e.getMessage());
    }
    if (!answer.active()) {
      return denied(Outcome.UNAUTHENTICATED, "the bearer token is not valid");
    }
    if (!answer.allowed()) {
      return denied(Outcome.PERMISSION_DENIED, "the token lacks scope " + String.join(", ", answer.missingScopes()));
    }
    var token = answer.token();
    Map<String, String> identity = new LinkedHashMap<>();
    identity.put("x-token-id", token.id());
    identity.put("x-token-subject", token.subject());
    identity.put("x-token-organization", token.organization());
    identity.put("x-token-scopes", String.join(",", token.scopes().asList()));
    return new Verdict(null, "", "", identity);
  }

  private static Verdict denied(Outcome outcome, String message) {
    return new Verdict(outcome, Outcomes.of(outcome).httpError, message, Map.of());
  }

  /** The route's configuration, not the client, is wrong: the table's INTERNAL, named so. */
  public static Verdict misconfigured(String message) {
    return new Verdict(Outcome.INTERNAL, "misconfigured_route", message, Map.of());
  }

  /** The route's scopes; empty if it declares none (misconfigured), an empty list for "*". */
  private static Optional<List<String>> requiredScopes(String value) {
    if (value == null) {
      return Optional.empty();
    }
    if (value.trim().equals(ANY_ACTIVE_TOKEN)) {
      return Optional.of(List.of());
    }
    List<String> scopes = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return scopes.isEmpty() ? Optional.empty() : Optional.of(scopes);
  }
}
