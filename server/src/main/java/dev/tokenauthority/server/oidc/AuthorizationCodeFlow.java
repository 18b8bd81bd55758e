package dev.tokenauthority.server.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.error.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The browser sign-in of OpenID Connect (authorization code flow with PKCE, RFC 7636), with the
 * Nimbus OAuth 2.0 SDK: where to send the browser, and the code it comes back with exchanged for
 * an ID token at the provider's token endpoint. Verifying that ID token is {@link IdTokenVerifier}'s
 * work; this class never decides who someone is.
 */
public final class AuthorizationCodeFlow {
  private static final int TIMEOUT_MILLIS = 5_000;
  private static final Duration DISCOVERY_BACKOFF = Duration.ofSeconds(10);

  private final OidcSettings settings;
  private final Clock clock;
  private volatile OIDCProviderMetadata provider;
  private volatile Instant retryAt = Instant.MIN;

  public AuthorizationCodeFlow(OidcSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** One sign-in's secrets, kept by the browser (in an HttpOnly cookie) until it comes back. */
  public record Attempt(String state, String nonce, String codeVerifier) {
    public static Attempt fresh() {
      return new Attempt(new State().getValue(), new Nonce().getValue(), new CodeVerifier().getValue());
    }

    @Override
    public String toString() {
      return "Attempt[redacted]";
    }
  }

  /**
   * The provider's origin ({@code scheme://host[:port]} of its issuer), which the dashboard's
   * Content-Security-Policy lets a form's redirect reach.
   */
  public String providerOrigin() {
    URI issuer = settings.issuer();
    return issuer.getScheme() + "://" + issuer.getHost() + (issuer.getPort() < 0 ? "" : ":" + issuer.getPort());
  }

  /** Where to send the browser to sign in, coming back to {@code redirectUri}. */
  public URI authorizationUri(Attempt attempt, URI redirectUri) {
    return new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "email", "profile"),
        new ClientID(settings.clientId()), redirectUri)
        .endpointURI(provider().getAuthorizationEndpointURI())
        .state(new State(attempt.state()))
        .nonce(new Nonce(attempt.nonce()))
        .codeChallenge(new CodeVerifier(attempt.codeVerifier()), CodeChallengeMethod.S256)
        .build()
        .toURI();
  }

  /**
   * The ID token the provider issues for {@code code}, proving with the attempt's code verifier
   * that this server started the sign-in.
   *
   * @throws UnauthenticatedException if the provider refuses the code
   * @throws UnavailableException if the provider cannot be reached
   */
  public String exchange(String code, Attempt attempt, URI redirectUri) {
    OIDCProviderMetadata p = provider();
    AuthorizationCodeGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri,
        new CodeVerifier(attempt.codeVerifier()));
    ClientID client = new ClientID(settings.clientId());
    TokenRequest request = settings.clientSecret().isEmpty()
        ? new TokenRequest(p.getTokenEndpointURI(), client, grant)
        : new TokenRequest(p.getTokenEndpointURI(), new ClientSecretBasic(client, new Secret(settings.clientSecret())), grant);
    TokenResponse response;
    try {
      HTTPRequest http = request.toHTTPRequest();
      http.setConnectTimeout(TIMEOUT_MILLIS);
      http.setReadTimeout(TIMEOUT_MILLIS);
      http.setFollowRedirects(false);
      response = OIDCTokenResponseParser.parse(http.send());
    } catch (IOException e) {
      throw unavailable("could not reach the identity provider's token endpoint: " + e.getClass().getSimpleName());
    } catch (ParseException e) {
      throw unavailable("the identity provider's token endpoint answered something that is not a token response");
    }
    if (!response.indicatesSuccess()) {
      TokenErrorResponse error = response.toErrorResponse();
      String what = error.getErrorObject() == null ? "an error" : error.getErrorObject().getCode();
      throw new UnauthenticatedException("AUTHORIZATION_CODE_REFUSED",
          "the identity provider refused the sign-in (" + what + "); sign in again");
    }
    String idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDTokenString();
    if (idToken == null) {
      throw unavailable("the identity provider answered without an ID token");
    }
    return idToken;
  }

  /** The provider's metadata, discovered on first use (and again after a failure, not more often than every 10 s). */
  private OIDCProviderMetadata provider() {
    OIDCProviderMetadata p = provider;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (provider == null) {
        if (clock.instant().isBefore(retryAt)) {
          throw unavailable("the identity provider could not be reached a moment ago; try again shortly");
        }
        try {
          provider = OIDCProviderMetadata.resolve(new Issuer(settings.issuer().toString()), TIMEOUT_MILLIS, TIMEOUT_MILLIS);
        } catch (IOException | com.nimbusds.oauth2.sdk.GeneralException e) {
          retryAt = clock.instant().plus(DISCOVERY_BACKOFF);
          throw unavailable("could not read the identity provider's discovery document at " + settings.issuer()
              + ": " + e.getMessage());
        }
      }
      return provider;
    }
  }

  private static UnavailableException unavailable(String message) {
    return new UnavailableException("IDENTITY_PROVIDER_UNAVAILABLE", message);
  }
}
