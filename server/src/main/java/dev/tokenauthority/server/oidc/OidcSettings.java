package dev.tokenauthority.server.oidc;

import java.net.URI;
import java.time.Duration;

/**
 * The identity provider people sign in with.
 *
 * @param issuer the provider's issuer URL; discovery is {@code <issuer>/.well-known/openid-configuration}
 * @param audience the client id ID tokens must be issued to ({@code aud})
 * @param subjectClaim the claim naming the person, e.g. {@code email}
 * @param groupsClaim the claim listing the person's groups
 * @param leeway how far {@code exp} and {@code nbf} may be off, for clocks that drift
 * @param clientSecret the dashboard's client secret at the provider, "" for a public client (PKCE only)
 */
public record OidcSettings(URI issuer, String audience, String subjectClaim, String groupsClaim,
    Duration leeway, String clientSecret) {
  /** A provider the dashboard signs in to as a public client. */
  public OidcSettings(URI issuer, String audience, String subjectClaim, String groupsClaim, Duration leeway) {
    this(issuer, audience, subjectClaim, groupsClaim, leeway, "");
  }

  /** The audience is also the dashboard's client id at the provider. */
  public String clientId() {
    return audience;
  }

  @Override
  public String toString() {
    return "OidcSettings[issuer=" + issuer + ", audience=" + audience + ", subjectClaim=" + subjectClaim
        + ", groupsClaim=" + groupsClaim + ", leeway=" + leeway + ", clientSecret="
        + (clientSecret.isEmpty() ? "none" : "redacted") + "]";
  }
}
