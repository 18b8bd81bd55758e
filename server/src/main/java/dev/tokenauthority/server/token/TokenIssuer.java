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

  /**
   * What a new token is; {@code lifetime} is counted from {@code now}. Empty strings stand for
   * "none" (no organisation, not a rotation, no connector), as in the stored row.
   */
  public record Spec(TokenKind kind, String organization, String subject, String label,
      ScopeSet scopes, List<String> groups, Map<String, String> metadata, String creator,
      Duration lifetime, String rotatedFrom, String connectorId) {

    /** A token of {@code kind} living {@code lifetime}; everything else starts empty. */
    public static SpecBuilder of(TokenKind kind, Duration lifetime) {
      return new SpecBuilder(kind, lifetime);
    }
  }

  /** Names each part of a {@link Spec}; unset parts stay empty. */
  public static final class SpecBuilder {
    private final TokenKind kind;
    private final Duration lifetime;
    private String organization = "";
    private String subject = "";
    private String label = "";
    private ScopeSet scopes = ScopeSet.of(List.of());
    private List<String> groups = List.of();
    private Map<String, String> metadata = Map.of();
    private String creator = "";
    private String rotatedFrom = "";
    private String connectorId = "";

    private SpecBuilder(TokenKind kind, Duration lifetime) {
      this.kind = kind;
      this.lifetime = lifetime;
    }

    public SpecBuilder organization(String organization) {
      this.organization = organization;
      return this;
    }

    public SpecBuilder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public SpecBuilder label(String label) {
      this.label = label;
      return this;
    }

    public SpecBuilder scopes(ScopeSet scopes) {
      this.scopes = scopes;
      return this;
    }

    public SpecBuilder groups(List<String> groups) {
      this.groups = groups;
      return this;
    }

    public SpecBuilder metadata(Map<String, String> metadata) {
      this.metadata = metadata;
      return this;
    }

    /** The id of the token that issued this one (empty: the server itself). */
    public SpecBuilder creator(String creatorTokenId) {
      this.creator = creatorTokenId;
      return this;
    }

    /** The id of the token this one replaces. */
    public SpecBuilder rotatedFrom(String tokenId) {
      this.rotatedFrom = tokenId;
      return this;
    }

    /** The connector whose service token this is. */
    public SpecBuilder connector(String connectorId) {
      this.connectorId = connectorId;
      return this;
    }

    public Spec build() {
      return new Spec(kind, organization, subject, label, scopes, groups, metadata, creator, lifetime,
          rotatedFrom, connectorId);
    }
  }

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
