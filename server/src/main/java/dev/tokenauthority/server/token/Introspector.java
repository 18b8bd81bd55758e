package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.SecurityEventRecorder;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers what a presented secret is: for callers authenticating themselves, and for services
 * asking about their callers' tokens. Reads only; uses are recorded write-behind.
 */
public final class Introspector {
  private final LongAdder activeAnswers = new LongAdder();
  private final Map<InactiveReason, LongAdder> inactiveAnswers = new EnumMap<>(InactiveReason.class);
  private final TokenStore store;
  private final TokenRules rules;
  private final LastUseRecorder lastUse;
  private final Clock clock;
  private final Duration maxCache;
  private final SecurityEventRecorder securityEvents;

  /**
   * @param maxCache the longest a client may reuse an answer (cache_until)
   * @param securityEvents where failed authentications and inactive tokens presented are recorded
   */
  public Introspector(TokenStore store, TokenRules rules, LastUseRecorder lastUse, Clock clock,
      Duration maxCache, SecurityEventRecorder securityEvents) {
    this.store = store;
    this.rules = rules;
    this.lastUse = lastUse;
    this.clock = clock;
    this.maxCache = maxCache;
    this.securityEvents = securityEvents;
    for (InactiveReason reason : InactiveReason.values()) {
      inactiveAnswers.put(reason, new LongAdder());
    }
  }

  /** The caller must hold tokens:introspect: to follow the feed or check sidecar requests. */
  public void requireIntrospectScope(Caller caller) {
    OrganizationAccess.requireScope(caller, OrganizationAccess.TOKENS_INTROSPECT);
  }

  /**
   * The caller presenting {@code secret}, from {@code origin}.
   *
   * @throws UnauthenticatedException if the secret is not an active token (and audits that)
   */
  public Caller authenticate(String secret, Origin origin) {
    Instant now = clock.instant();
    Lookup found = lookUp(secret, now);
    if (found.reason() != null) {
      UnauthenticatedException refusal = switch (found.reason()) {
        case MALFORMED, UNKNOWN -> new UnauthenticatedException(
            "INVALID_CREDENTIALS", "the bearer token is not a valid token");
        case EXPIRED -> new UnauthenticatedException(
            "CREDENTIALS_EXPIRED", "the bearer token has expired");
        case REVOKED -> new UnauthenticatedException(
            "CREDENTIALS_REVOKED", "the bearer token has been revoked");
      };
      TokenRecord presented = found.token();
      authenticationFailed(origin, refusal.reason(),
          presented == null ? "" : presented.id(), presented == null ? "" : presented.organization());
      throw refusal;
    }
    lastUse.record(found.token().id(), now);
    return callerOf(found.token(), origin);
  }

  /** The caller presenting {@code token}. */
  static Caller callerOf(TokenRecord token, Origin origin) {
    return new Caller(token.id(), token.kind().isPersons(), token.organization(),
        token.subject(), token.scopes(), token.groups(), origin, !token.rotatedTo().isEmpty());
  }

  /**
   * Audits a call refused for its credentials: once per peer address, reason and token a minute,
   * with the repeats counted, so a storm of bad credentials cannot flood the log.
   */
  public void authenticationFailed(Origin origin, String reason, String tokenId, String organization) {
    securityEvents.recordCoalesced(
        "auth\u0000" + LeakReportLimiter.host(origin.peer()) + "\u0000" + reason + "\u0000" + tokenId,
        AuditEntry.denied(clock.instant(), AuditAction.AUTHENTICATION_FAILED, AuditEntry.ANONYMOUS,
            origin, organization, tokenId, Map.of("reason", reason)));
  }

  /** How many introspections answered active so far (for metrics). */
  public long activeAnswers() {
    return activeAnswers.sum();
  }

  /** How many answered inactive for {@code reason} so far (for metrics). */
  public long inactiveAnswers(InactiveReason reason) {
    return inactiveAnswers.get(reason).sum();
  }

  /** Whether {@code secret} is active and covers {@code requiredScopes}; needs tokens:introspect. */
  public Introspection introspect(Caller caller, String secret, List<String> requiredScopes) {
    OrganizationAccess.requireScope(caller, OrganizationAccess.TOKENS_INTROSPECT);
    Violations v = new Violations();
    if (secret.isEmpty()) {
      v.add("secret", "FIELD_REQUIRED", "secret is required");
    }
    rules.checkScopes(requiredScopes, "required_scopes", v);
    v.throwIfAny();

    Instant now = clock.instant();
    Lookup found = lookUp(secret, now);
    if (found.reason() != null) {
      if (found.token() != null) { // a revoked or expired token is still in use somewhere
        TokenRecord t = found.token();
        securityEvents.recordCoalesced("inactive\u0000" + t.id(), AuditEntry.denied(now,
            AuditAction.INACTIVE_TOKEN_PRESENTED, caller.actor(), caller.origin(), t.organization(),
            t.id(), Map.of("state", found.reason().name())));
      }
      inactiveAnswers.get(found.reason()).increment();
      return Introspection.inactive(found.reason());
    }
    activeAnswers.increment();
    TokenRecord token = found.token();
    lastUse.record(token.id(), now);
    List<String> missing = token.scopes().missing(requiredScopes);
    return new Introspection(true, missing.isEmpty(), token, null, missing, cacheUntil(token, now));
  }

  /**
   * The token {@code secret} belongs to, if it works now. Records nothing (no last use, no
   * security event): for callers that test a secret rather than present it.
   */
  public Optional<TokenRecord> activeToken(String secret) {
    Lookup found = lookUp(secret, clock.instant());
    return found.reason() == null ? Optional.of(found.token()) : Optional.empty();
  }

  /** Never past the token's expiry or (grace) revocation, nor the configured maximum. */
  private Instant cacheUntil(TokenRecord token, Instant now) {
    Instant until = now.plus(maxCache);
    if (token.expireTime() != null && token.expireTime().isBefore(until)) {
      until = token.expireTime();
    }
    if (token.revokeTime() != null && token.revokeTime().isBefore(until)) {
      until = token.revokeTime();
    }
    return until;
  }

  private Lookup lookUp(String secret, Instant now) {
    Optional<TokenKind> claimed = TokenKind.ofSecret(secret);
    if (claimed.isEmpty()) {
      return new Lookup(null, InactiveReason.MALFORMED); // no storage touched for junk
    }
    byte[] hash = Secret.sha256(secret);
    Optional<TokenRecord> stored = store.findByHash(hash);
    if (stored.isEmpty()
        || !MessageDigest.isEqual(stored.get().secretHash(), hash)
        || stored.get().kind() != claimed.get()) {
      return new Lookup(null, InactiveReason.UNKNOWN);
    }
    TokenRecord token = stored.get();
    return switch (token.stateAt(now)) {
      case ACTIVE -> new Lookup(token, null);
      case EXPIRED -> new Lookup(token, InactiveReason.EXPIRED);
      case REVOKED -> new Lookup(token, InactiveReason.REVOKED);
    };
  }

  /** What a look-up found: the token (if stored) and, unless it is active, why not. */
  private record Lookup(TokenRecord token, InactiveReason reason) {}
}
