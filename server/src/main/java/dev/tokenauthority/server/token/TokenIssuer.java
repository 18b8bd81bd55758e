package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.scope.ScopeSet;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Makes new tokens and ids: a fresh secret, its hash and hint, and the record to store. */
public final class TokenIssuer {
  private static final int ID_RANDOM_BYTES = 16;

  private final SecureRandom random;

  public TokenIssuer(SecureRandom random) {
    this.random = random;
  }

  /** What a new token is; {@code lifetime} is counted from {@code now}. */
  public record Spec(TokenKind kind, String organization, String subject, String label,
      ScopeSet scopes, List<String> groups, Map<String, String> metadata, String creator,
      Duration lifetime, String rotatedFrom, String connectorId) {}

  /** A new token as {@code spec} says, created {@code now}, with its secret. */
  public IssuedToken issue(Spec spec, Instant now) {
    Secret secret = Secret.generate(spec.kind(), random);
    TokenRecord token = new TokenRecord(
        newId("tok_"), spec.kind(), spec.organization(), spec.subject(), spec.label(), spec.scopes(),
        spec.groups(), Collections.unmodifiableMap(new TreeMap<>(spec.metadata())), now,
        spec.creator(), now.plus(spec.lifetime()).truncatedTo(ChronoUnit.MILLIS), null, null, "",
        spec.rotatedFrom(), "", secret.hint(), secret.sha256(), spec.connectorId(), false);
    return new IssuedToken(token, secret);
  }

  /** A random id: {@code prefix} and 22 base62 characters (128 bits). */
  public String newId(String prefix) {
    byte[] bytes = new byte[ID_RANDOM_BYTES];
    random.nextBytes(bytes);
    return prefix + SecretFormat.base62(bytes, 22);
  }
}
