package dev.tokenauthority.server.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.error.UnavailableException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.token.TokenRules;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies OIDC ID tokens with Nimbus JOSE+JWT: the signature against the provider's published
 * keys (discovered once, cached, fetched again when a token names an unknown {@code kid}), then
 * {@code iss}, {@code aud}, {@code exp} and {@code nbf} with a small leeway. Only asymmetric
 * algorithms are accepted: {@code alg: none} and HMAC (which would let anyone holding the public
 * key sign) are refused.
 */
public final class IdTokenVerifier {
  /** What an ID token may be signed with. */
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);
  /** ID tokens are a few kB at most; anything much larger is refused unread. */
  static final int MAX_LENGTH = 16 * 1024;
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private final OidcSettings settings;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  private volatile DefaultJWTProcessor<SecurityContext> processor;
  /** After a failed discovery, callers are answered at once for a while rather than each waiting on it. */
  private volatile Instant discoveryRetry = Instant.MIN;
  private volatile String discoveryFailure = "";
  static final Duration DISCOVERY_BACKOFF = Duration.ofSeconds(10);

  public IdTokenVerifier(OidcSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * The person an ID token names.
   *
   * @throws UnauthenticatedException if it is not a valid ID token of the provider for us
   */
  public Person verify(String idToken) {
    return verify(idToken, null);
  }

  /**
   * As above, for an ID token that answers an authentication request of ours: its {@code nonce}
   * claim must be the one that request sent (null: no nonce expected), so that an ID token
   * captured from another sign-in cannot be replayed into this one.
   */
  public Person verify(String idToken, String expectedNonce) {
    if (idToken.length() > MAX_LENGTH) {
      throw invalid("ID_TOKEN_INVALID", "the ID token is longer than " + MAX_LENGTH + " characters");
    }
    // Junk and tokens of other issuers or audiences are turned away before anything is fetched
    // from the provider: an anonymous flood must not become discovery requests.
    try {
      JWTClaimsSet unverified = JWTParser.parse(idToken).getJWTClaimsSet();
      UnauthenticatedException early = wrongIssuerOrAudience(unverified);
      if (early != null) {
        throw early;
      }
    } catch (ParseException e) {
      throw invalid("ID_TOKEN_INVALID", "the ID token is not a JWT");
    }
    JWTClaimsSet claims;
    try {
      claims = processor().process(idToken, null);
    } catch (ParseException e) {
      throw invalid("ID_TOKEN_INVALID", "the ID token is not a JWT");
    } catch (RemoteKeySourceException | JWKSetUnavailableException e) {
      throw unavailable("could not fetch the identity provider's keys: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      if (e.getCause() instanceof RemoteKeySourceException || e.getCause() instanceof JWKSetUnavailableException) {
        throw unavailable("could not fetch the identity provider's keys: " + e.getCause().getMessage());
      }
      throw refusal(idToken, e);
    }
    if (expectedNonce != null) {
      Object nonce = claims.getClaim("nonce");
      if (!(nonce instanceof String n) || !java.security.MessageDigest.isEqual(
          n.getBytes(java.nio.charset.StandardCharsets.UTF_8), expectedNonce.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        throw invalid("ID_TOKEN_NONCE_MISMATCH", "the ID token does not answer this sign-in (its nonce differs)");
      }
    }
    Object subject = claims.getClaim(settings.subjectClaim());
    if (!(subject instanceof String s) || s.isBlank()) {
      throw invalid("ID_TOKEN_NO_SUBJECT",
          "the ID token has no '" + settings.subjectClaim() + "' claim to name the person");
    }
    // The subject becomes a token subject: it must be one (offboarding selects by it).
    Violations v = new Violations();
    TokenRules.checkSubject(s, "subject", v);
    TokenRules.checkNoSecret(s, "subject", v);
    if (!v.isEmpty()) {
      throw invalid("ID_TOKEN_BAD_SUBJECT", "the ID token's '" + settings.subjectClaim() + "' claim is not"
          + " usable as a subject (1-200 printable characters without spaces); configure oidc.subject-claim");
    }
    // Where people may set their own address, an unverified one could be anyone's.
    if ("email".equals(settings.subjectClaim()) && Boolean.FALSE.equals(claims.getClaim("email_verified"))) {
      throw invalid("ID_TOKEN_EMAIL_UNVERIFIED", "the identity provider has not verified this email address");
    }
    return new Person(s, groups(claims.getClaim(settings.groupsClaim())));
  }

  /** A refusal if {@code claims} name another issuer or not our audience; null otherwise. */
  private UnauthenticatedException wrongIssuerOrAudience(JWTClaimsSet claims) {
    if (!settings.issuer().toString().equals(claims.getIssuer())) {
      return invalid("ID_TOKEN_WRONG_ISSUER", "the ID token was issued by '" + shorten(claims.getIssuer())
          + "', not by the configured provider " + settings.issuer());
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
      return invalid("ID_TOKEN_WRONG_AUDIENCE",
          "the ID token is not meant for this service (audience " + settings.audience() + ")");
    }
    return null;
  }

  private static String shorten(String text) {
    return text == null ? "" : text.length() > 100 ? text.substring(0, 100) + "…" : text;
  }

  private static List<String> groups(Object claim) {
    if (claim instanceof String one) {
      return List.of(one);
    }
    if (claim instanceof List<?> many) {
      return many.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  /**
   * A refusal with a reason the caller can act on. Nimbus decides; the unverified claims only pick
   * the words, so a forged token learns nothing it did not write itself.
   */
  private UnauthenticatedException refusal(String idToken, Exception cause) {
    try {
      JWTClaimsSet claims = JWTParser.parse(idToken).getJWTClaimsSet();
      Instant now = clock.instant();
      Date exp = claims.getExpirationTime();
      if (exp != null && exp.toInstant().plus(settings.leeway()).isBefore(now)) {
        return invalid("ID_TOKEN_EXPIRED", "the ID token expired at " + exp.toInstant() + "; sign in again");
      }
    } catch (ParseException | RuntimeException e) {
      // fall through: not even readable claims
    }
    return invalid("ID_TOKEN_INVALID", "the ID token was refused: " + shorten(cause.getMessage()));
  }

  private static UnauthenticatedException invalid(String reason, String message) {
    return new UnauthenticatedException(reason, message);
  }

  /** The processor, built on first use: the server starts even while the provider is down. */
  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p == null) {
      if (clock.instant().isBefore(discoveryRetry)) {
        throw unavailable(discoveryFailure);
      }
      synchronized (this) {
        if (processor == null) {
          if (clock.instant().isBefore(discoveryRetry)) {
            throw unavailable(discoveryFailure);
          }
          try {
            processor = build(discoverJwks());
          } catch (UnavailableException e) {
            discoveryFailure = e.getMessage();
            discoveryRetry = clock.instant().plus(DISCOVERY_BACKOFF);
            throw e;
          }
        }
        p = processor;
      }
    }
    return p;
  }

  private DefaultJWTProcessor<SecurityContext> build(URI jwks) {
    JWKSource<SecurityContext> keys;
    try {
      // Cached; fetched again (rate limited) when a token names a kid the cache lacks: rotation.
      keys = JWKSourceBuilder.create(jwks.toURL()).retrying(true).build();
    } catch (IOException e) {
      throw unavailable("the identity provider's jwks_uri " + jwks + " is not a URL");
    }
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        settings.audience(), new JWTClaimsSet.Builder().issuer(settings.issuer().toString()).build(),
        Set.of("sub", "exp", "iat")) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew((int) settings.leeway().toSeconds());
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  /** Reads the provider's discovery document for its {@code jwks_uri}, checking its issuer. */
  private URI discoverJwks() {
    String base = settings.issuer().toString();
    URI discovery = URI.create((base.endsWith("/") ? base : base + "/") + ".well-known/openid-configuration");
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(discovery).timeout(FETCH_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw unavailable("the identity provider's discovery document " + discovery + " answered HTTP "
            + response.statusCode());
      }
      Map<String, Object> document = JSONObjectUtils.parse(response.body());
      if (!base.equals(document.get("issuer"))) {
        throw unavailable("the discovery document at " + discovery + " names issuer '"
            + document.get("issuer") + "', not the configured " + base);
      }
      Object jwks = document.get("jwks_uri");
      if (!(jwks instanceof String uri)) {
        throw unavailable("the discovery document at " + discovery + " has no jwks_uri");
      }
      return URI.create(uri);
    } catch (IOException | ParseException | IllegalArgumentException e) {
      throw unavailable("could not read the identity provider's discovery document " + discovery + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while reading " + discovery);
    }
  }

  private static UnavailableException unavailable(String message) {
    return new UnavailableException("IDENTITY_PROVIDER_UNAVAILABLE", message);
  }
}
