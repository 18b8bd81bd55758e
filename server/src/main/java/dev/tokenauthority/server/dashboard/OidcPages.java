package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.error.UnavailableException;
import dev.tokenauthority.server.http.HttpOrigin;
import dev.tokenauthority.server.oidc.AuthorizationCodeFlow;
import dev.tokenauthority.server.oidc.AuthorizationCodeFlow.Attempt;
import dev.tokenauthority.server.session.IssuedSession;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Signing in through the identity provider: the authorization code flow with PKCE. The browser
 * keeps the attempt's state, nonce and code verifier in an HttpOnly cookie for ten minutes; the
 * callback takes them once, checks the state, and trades the code for an ID token, which must
 * carry the nonce.
 */
final class OidcPages extends PageSupport {
  static final String ATTEMPT_COOKIE = "ta_oidc";
  /**
   * Under TLS the attempt cookie is a {@code __Host-} cookie: a sibling subdomain cannot plant one
   * (and with it its own sign-in) in this browser. Such a cookie must have {@code Path=/}.
   */
  static final String HOST_ATTEMPT_COOKIE = "__Host-ta_oidc";
  /** State, nonce and code verifier as this server makes them (base64url, 43 characters and more). */
  private static final Pattern ATTEMPT_PART = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
  private static final String CALLBACK = "/dashboard/oidc/callback";
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");
  private static final Pattern ORGANIZATION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final SignIn signInPage;

  /** Shows the sign-in page with an error, a status and where to go after. */
  interface SignIn {
    void show(Context ctx, String error, int status, String next);
  }

  OidcPages(PageSupport shared, SignIn signInPage) {
    super(shared);
    this.signInPage = signInPage;
  }

  /** Sends the browser to the provider, remembering the attempt in a cookie. */
  void start(Context ctx) {
    String asked = ctx.queryParam("next");
    String next = safeNext(asked != null && asked.length() > 1000 ? null : asked);
    Optional<AuthorizationCodeFlow> flow = authority.signInFlow();
    if (flow.isEmpty()) {
      signInPage.show(ctx, "This server has no identity provider; paste a token instead.", 404, next);
      return;
    }
    String organization = Optional.ofNullable(ctx.queryParam("organization")).orElse("").strip();
    if (!organization.isEmpty() && !ORGANIZATION.matcher(organization).matches()) {
      signInPage.show(ctx, "That is not an organisation name (lowercase letters, digits and dashes).", 400, next);
      return;
    }
    URI callback = callbackUri(ctx);
    if (callback == null) {
      signInPage.show(ctx, "This request names no usable host.", 400, next);
      return;
    }
    Attempt attempt = Attempt.fresh();
    URI to;
    try {
      to = flow.get().authorizationUri(attempt, callback);
    } catch (UnavailableException e) {
      signInPage.show(ctx, "The identity provider cannot be reached just now. Try again shortly.", 503, next);
      return;
    }
    // SameSite=Lax, not Strict: the provider sends the browser back with a cross-site navigation.
    ctx.res().addHeader("Set-Cookie", attemptCookie() + "=" + String.join(".", attempt.state(), attempt.nonce(),
        attempt.codeVerifier(), organization, b64(next)) + "; Path=" + attemptPath() + "; HttpOnly; SameSite=Lax;"
        + " Max-Age=600" + (secure ? "; Secure" : ""));
    ctx.redirect(to.toString(), HttpStatus.SEE_OTHER);
  }

  /** The provider's answer: the state checked, the code traded for an ID token, a session started. */
  void callback(Context ctx) {
    String[] kept = Optional.ofNullable(ctx.cookie(attemptCookie())).orElse("").split("\\.", -1);
    // The browser is told to forget the attempt, whatever happens next; the provider's codes work once.
    ctx.res().addHeader("Set-Cookie", attemptCookie() + "=; Path=" + attemptPath() + "; Max-Age=0; HttpOnly;"
        + " SameSite=Lax" + (secure ? "; Secure" : ""));
    if (kept.length != 5 || !ATTEMPT_PART.matcher(kept[0]).matches() || !ATTEMPT_PART.matcher(kept[1]).matches()
        || !ATTEMPT_PART.matcher(kept[2]).matches()) {
      signInPage.show(ctx, "This sign-in was not started here, or took longer than ten minutes. Sign in again.", 400, null);
      return;
    }
    Attempt attempt = new Attempt(kept[0], kept[1], kept[2]);
    String organization = kept[3];
    String next = safeNext(unb64(kept[4]));
    String state = Optional.ofNullable(ctx.queryParam("state")).orElse("");
    if (!MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), attempt.state().getBytes(StandardCharsets.UTF_8))) {
      signInPage.show(ctx, "This sign-in answer does not belong to the sign-in this browser started. Sign in again.", 400, next);
      return;
    }
    String error = ctx.queryParam("error");
    if (error != null) {
      signInPage.show(ctx, "The identity provider did not sign you in (" + shorten(error) + ").", 401, next);
      return;
    }
    String code = Optional.ofNullable(ctx.queryParam("code")).orElse("");
    if (code.isBlank() || code.length() > 4096) {
      signInPage.show(ctx, "The identity provider sent no usable code. Sign in again.", 400, next);
      return;
    }
    URI callback = callbackUri(ctx);
    if (callback == null || authority.signInFlow().isEmpty()) {
      signInPage.show(ctx, "This server cannot finish that sign-in. Sign in again.", 400, next);
      return;
    }
    try {
      String idToken = authority.signInFlow().get().exchange(code, attempt, callback);
      IssuedSession session = authority.sessions().signInWithIdToken(idToken, attempt.nonce(), organization,
          HttpOrigin.of(ctx));
      signedInIfSettled(ctx).ifPresent(this::endQuietly);
      setSession(ctx, session);
      Csrf.renew(ctx, secure);
      // A page that moves on by itself rather than a redirect: the session cookies are SameSite=Strict,
      // and a browser does not send them on a redirect chain that a cross-site navigation started.
      render(ctx, 200, "dashboard/signed-in.jte", next);
    } catch (FailedPreconditionException e) {
      signInPage.show(ctx, e.reason().equals("ORGANIZATION_REQUIRED")
          ? "You belong to several organisations: name the one to sign in to, and sign in again." : e.getMessage(), 409, next);
    } catch (UnavailableException e) {
      signInPage.show(ctx, "The identity provider cannot be reached just now. Try again shortly.", 503, next);
    } catch (TokenAuthorityException e) {
      signInPage.show(ctx, "The sign-in was refused: " + e.getMessage(), 401, next);
    }
  }

  private String attemptCookie() {
    return secure ? HOST_ATTEMPT_COOKIE : ATTEMPT_COOKIE;
  }

  private String attemptPath() {
    return secure ? "/" : CALLBACK;
  }

  /** Where the provider sends the browser back: this listener, as the browser reached it. */
  private URI callbackUri(Context ctx) {
    String host = ctx.header("Host");
    return host == null || !HOST.matcher(host).matches() ? null
        : URI.create((secure ? "https" : "http") + "://" + host + CALLBACK);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String unb64(String s) {
    try {
      return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static String shorten(String s) {
    String printable = s.replaceAll("[^A-Za-z0-9_ .-]", "");
    return printable.length() > 60 ? printable.substring(0, 60) : printable;
  }
}
