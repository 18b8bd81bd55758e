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
 */
public record OidcSettings(URI issuer, String audience, String subjectClaim, String groupsClaim,
    Duration leeway) {}
