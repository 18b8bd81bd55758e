package dev.tokenauthority.server.http;

import com.google.common.net.PercentEscaper;
import com.google.gson.JsonObject;
import dev.tokenauthority.api.BearerHeader;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.api.ProxyCheck;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.scope.ScopeSet;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/check}: forward-auth in the shape nginx ({@code auth_request}), Traefik
 * ({@code forwardAuth}) and Caddy ({@code forward_auth}) use. The proxy sends the client's
 * {@code Authorization} header, the route's {@code X-Required-Scopes} (comma-separated, or
 * {@code *}; or the {@code scopes} query parameter) and its own {@code tokens:introspect} token in
 * {@code X-Proxy-Authorization}, or, under mutual TLS, a client certificate the listener verified.
 * 200 carries the identity headers ({@code x-token-id}, {@code -subject}, {@code -organization},
 * {@code -scopes}); 401 says {@code WWW-Authenticate: Bearer}; 403 names the missing scope; 500
 * means the route or the proxy is misconfigured. The same check as Envoy's, through
 * {@link ProxyCheck}.
 */
final class ForwardAuth {
  static final String PATH = "/v1/check";
  static final String PROXY_AUTHORIZATION = "X-Proxy-Authorization";
  static final String REQUIRED_SCOPES = "X-Required-Scopes";
  /** Identity header values: Guava's percent-escaper keeping printable ASCII but '%' (alphanumerics are always kept). */
  private static final PercentEscaper IDENTITY_ESCAPER = new PercentEscaper(
      java.util.stream.IntStream.rangeClosed(0x21, 0x7e)
          .filter(c -> !Character.isLetterOrDigit(c) && c != '%')
          .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString(),
      false);

  private final TokenAuthority authority;
  private final ProxyCheck check;

  private final java.util.Set<String> proxyCertificateSubjects;

  ForwardAuth(TokenAuthority authority, java.util.Set<String> proxyCertificateSubjects) {
    this.authority = authority;
    this.check = authority.proxyCheck();
    this.proxyCertificateSubjects = java.util.Set.copyOf(proxyCertificateSubjects);
  }

  void handle(Context ctx) {
    Origin origin = HttpOrigin.of(ctx);
    ProxyCheck.Verdict verdict;
    try {
      verdict = proxy(ctx.header(PROXY_AUTHORIZATION), origin).or(() -> certifiedProxy(ctx, origin))
          .map(proxy -> check.check(proxy, ctx.header("Authorization"), requiredScopes(ctx)))
          .orElseGet(() -> ProxyCheck.misconfigured("the proxy sent no valid " + PROXY_AUTHORIZATION
              + ": Bearer <a tokens:introspect token> (set it in the proxy's configuration)"));
    } catch (TokenAuthorityException e) { // the proxy's own token lacks tokens:introspect
      verdict = ProxyCheck.misconfigured("the proxy's token may not check tokens: " + e.getMessage());
    }
    if (verdict.allowed()) {
      verdict.identity().forEach((name, value) -> ctx.header(name, headerValue(value)));
      ctx.status(200).result("");
      return;
    }
    if (verdict.challenge()) {
      ctx.header("WWW-Authenticate", "Bearer");
    }
    JsonObject body = new JsonObject();
    body.addProperty("error", verdict.error());
    body.addProperty("message", verdict.message());
    ctx.status(verdict.httpStatus()).contentType("application/json").result(body.toString());
  }

  /**
   * A proxy that presented a client certificate the listener verified against
   * {@code --tls-client-ca}, whose subject is one of {@code --http-proxy-cert-subject}: the
   * certificate is then its credential, good for checking tokens and nothing else. Audited as
   * {@code mtls:<subject>}.
   */
  private Optional<Caller> certifiedProxy(Context ctx, Origin origin) {
    Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    if (!(chain instanceof java.security.cert.X509Certificate[] certs) || certs.length == 0) {
      return Optional.empty();
    }
    String subject = certs[0].getSubjectX500Principal().getName();
    // The client CA also vouches for every gRPC client: only the proxies named are proxies.
    if (!proxyCertificateSubjects.contains(subject)) {
      return Optional.empty();
    }
    return Optional.of(new Caller("mtls:" + subject, false, "", subject,
        ScopeSet.of(List.of(OrganizationAccess.TOKENS_INTROSPECT)), List.of(), origin, false));
  }

  /**
   * The route's scopes: the {@code X-Required-Scopes} header, or the {@code scopes} query parameter
   * for proxies that can only set the check's URL per route (Traefik's {@code forwardAuth}).
   */
  private static String requiredScopes(Context ctx) {
    String header = ctx.header(REQUIRED_SCOPES);
    String query = ctx.queryParam("scopes");
    // The URL is the proxy's configuration; a header may have come from the client through a
    // proxy that passes headers on. Given both, they must agree, or the route is misconfigured.
    if (query != null) {
      return header == null || header.equals(query) ? query : null;
    }
    return header;
  }

  /**
   * An identity value as an HTTP header carries it faithfully: percent-encoded UTF-8 (RFC 3986)
   * for anything but printable ASCII other than '%'. Headers are Latin-1 on the wire, so a subject
   * like "用户" would otherwise arrive as spaces, and two people could look alike upstream.
   */
  static String headerValue(String value) {
    return IDENTITY_ESCAPER.escape(value);
  }

  /** The proxy, if its own bearer token is valid. */
  private Optional<Caller> proxy(String header, Origin origin) {
    Optional<String> secret = BearerHeader.secret(header);
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(authority.introspector().authenticate(secret.get(), origin));
    } catch (TokenAuthorityException e) {
      return Optional.empty();
    }
  }
}
