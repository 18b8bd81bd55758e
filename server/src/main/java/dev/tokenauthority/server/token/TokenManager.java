package dev.tokenauthority.server.token;

import static dev.tokenauthority.server.token.AccessPolicy.TOKENS_READ;
import static dev.tokenauthority.server.token.AccessPolicy.TOKENS_WRITE;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.scope.ScopeSet;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The token lifecycle: issue, read, list, rotate and revoke, each checked against the caller. */
public final class TokenManager {
  /** The actor recorded for what the server does by itself. */
  public static final String SYSTEM_ACTOR = "system";

  static final int DEFAULT_PAGE_SIZE = 50;
  static final int MAX_PAGE_SIZE = 500;
  private static final Pattern TOKEN_ID = Pattern.compile("tok_[0-9A-Za-z]{22}");
  private static final int ID_RANDOM_BYTES = 16;

  private final TokenStore store;
  private final TokenRules rules;
  private final LastUseRecorder lastUse;
  private final Clock clock;
  private final SecureRandom random;
  private final Runnable revocationsCommitted;

  /**
   * @param revocationsCommitted told after each commit that stopped a token, so that the
   *     revocation feed delivers it at once
   */
  public TokenManager(TokenStore store, TokenRules rules, LastUseRecorder lastUse, Clock clock,
      SecureRandom random, Runnable revocationsCommitted) {
    this.store = store;
    this.rules = rules;
    this.lastUse = lastUse;
    this.clock = clock;
    this.random = random;
    this.revocationsCommitted = revocationsCommitted;
  }

  /** Issues a token as {@code draft} describes, living {@code ttl} (null: the kind's default). */
  public IssuedToken create(Caller caller, TokenDraft draft, Duration ttl) {
    AccessPolicy.requireScope(caller, TOKENS_WRITE);
    Violations v = new Violations();
    rules.checkDraft(draft, ttl, v);
    v.throwIfAny();
    ScopeSet scopes = ScopeSet.of(draft.scopes());
    List<String> groups = TokenRules.normaliseGroups(draft.groups());
    AccessPolicy.requireMayIssue(caller, draft.kind(), draft.organization(), scopes, groups);

    Instant now = now();
    Duration lifetime = ttl != null ? ttl : rules.lifetime(draft.kind()).defaultTtl();
    Secret secret = SecretFormat.generate(draft.kind(), random);
    TokenRecord token = new TokenRecord(
        newId(), draft.kind(), draft.organization(), draft.subject(), draft.label(), scopes, groups,
        sorted(draft.metadata()), now, caller.tokenId(), expiry(now, lifetime), null, null, "", "", "",
        secret.hint(), secret.sha256());
    store.insert(token, audit(now, "TOKEN_CREATED", caller.tokenId(), token,
        "kind=" + token.kind() + " scopes=" + scopes.encoded() + " ttl=" + Durations.describe(lifetime)));
    return new IssuedToken(token, secret);
  }

  /** The token {@code id}, if the caller may see it. */
  public TokenRecord get(Caller caller, String id) {
    AccessPolicy.requireScope(caller, TOKENS_READ);
    Violations v = new Violations();
    checkId(id, v);
    v.throwIfAny();
    return withPendingUse(visible(caller, id));
  }

  /** One page of the tokens the caller may see that match {@code filter}, newest first. */
  public TokenPage list(Caller caller, TokenFilter filter, int pageSize, String pageToken) {
    AccessPolicy.requireScope(caller, TOKENS_READ);
    Violations v = new Violations();
    if (pageSize < 0) {
      v.add("page_size", "FIELD_INVALID", "page_size must not be negative");
    }
    if (!filter.organization().isEmpty()) {
      TokenRules.checkOrganization(filter.organization(), "organization", v);
    }
    v.throwIfAny();
    TokenFilter scoped =
        filter.inOrganization(AccessPolicy.listOrganization(caller, filter.organization()));
    PageToken.Position after = PageToken.decode(pageToken, scoped.fingerprint());
    int limit = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);

    List<TokenRecord> rows = store.list(scoped, now(), after, limit + 1);
    String next = "";
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      TokenRecord last = rows.get(limit - 1);
      next = PageToken.encode(new PageToken.Position(last.createTime(), last.id()), scoped.fingerprint());
    }
    List<TokenRecord> page = new ArrayList<>(rows.size());
    rows.forEach(t -> page.add(withPendingUse(t)));
    return new TokenPage(page, next);
  }

  /**
   * Replaces token {@code id} with a new secret of the same kind, organisation, subject and groups.
   * The old secret works until {@code grace} (null or zero: stops now) has passed.
   *
   * @param scopes the new token's scopes; empty keeps the old ones
   * @param ttl the new token's lifetime; null for the kind's default
   */
  public IssuedToken rotate(
      Caller caller, String id, Duration grace, List<String> scopes, Duration ttl) {
    AccessPolicy.requireScope(caller, TOKENS_WRITE);
    Violations v = new Violations();
    checkId(id, v);
    Duration graceOrNone = grace == null ? Duration.ZERO : grace;
    TokenRules.checkGrace(graceOrNone, v);
    rules.checkScopes(scopes, "scopes", v);
    v.throwIfAny();

    TokenRecord old = visible(caller, id);
    Violations ttlCheck = new Violations();
    rules.checkTtl(old.kind(), ttl, "ttl", ttlCheck);
    ttlCheck.throwIfAny();
    Instant now = now();
    requireRotatable(old, now);
    ScopeSet newScopes = scopes.isEmpty() ? old.scopes() : ScopeSet.of(scopes);
    AccessPolicy.requireGrantable(caller, newScopes.asList(), old.groups());

    Duration lifetime = ttl != null ? ttl : rules.lifetime(old.kind()).defaultTtl();
    Secret secret = SecretFormat.generate(old.kind(), random);
    TokenRecord replacement = new TokenRecord(
        newId(), old.kind(), old.organization(), old.subject(), old.label(), newScopes,
        old.groups(), old.metadata(), now, caller.tokenId(), expiry(now, lifetime), null, null, "",
        old.id(), "", secret.hint(), secret.sha256());
    String details = "replaced by " + replacement.id() + " grace=" + Durations.describe(graceOrNone)
        + " scopes=" + old.scopes().encoded()
        + (newScopes.equals(old.scopes()) ? "" : " -> " + newScopes.encoded());
    boolean rotated = store.rotate(old.id(), now.plus(graceOrNone), replacement, now,
        audit(now, "TOKEN_ROTATED", caller.tokenId(), old, details));
    if (!rotated) {
      // Someone else rotated or revoked it since we read it: report what it is now.
      requireRotatable(visible(caller, id), now);
      throw new FailedPreconditionException("TOKEN_ALREADY_ROTATED", "token " + id + " was already rotated");
    }
    revocationsCommitted.run();
    return new IssuedToken(replacement, secret);
  }

  /** Revokes token {@code id} now; a token already revoked is returned unchanged. */
  public TokenRecord revoke(Caller caller, String id, String reason) {
    AccessPolicy.requireScope(caller, TOKENS_WRITE);
    Violations v = new Violations();
    checkId(id, v);
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    TokenRecord token = visible(caller, id);
    Instant now = now();
    if (store.revoke(token.id(), now, reason,
        audit(now, "TOKEN_REVOKED", caller.tokenId(), token, "reason=" + reason))) {
      revocationsCommitted.run();
    }
    return withPendingUse(visible(caller, id));
  }

  /**
   * On an empty store, issues the first admin token. {@code keep} receives it before it is stored,
   * so that a crash in between cannot leave a token nobody can read.
   */
  public Optional<IssuedToken> bootstrapIfEmpty(Consumer<IssuedToken> keep) {
    if (!store.isEmpty()) {
      return Optional.empty();
    }
    Instant now = now();
    Secret secret = SecretFormat.generate(TokenKind.SYSTEM, random);
    TokenRecord token = new TokenRecord(
        newId(), TokenKind.SYSTEM, "", "bootstrap", "bootstrap admin token",
        ScopeSet.of(List.of(ScopeSet.ADMIN)), List.of(), Map.of(), now, "",
        expiry(now, rules.lifetime(TokenKind.SYSTEM).max()), null, null, "", "", "", secret.hint(),
        secret.sha256());
    IssuedToken issued = new IssuedToken(token, secret);
    keep.accept(issued);
    store.insert(token, audit(now, "TOKEN_CREATED", SYSTEM_ACTOR, token, "bootstrap admin token"));
    return Optional.of(issued);
  }

  private TokenRecord visible(Caller caller, String id) {
    TokenRecord token = store.findById(id).orElseThrow(() -> AccessPolicy.notFound(id));
    AccessPolicy.requireVisible(caller, token);
    return token;
  }

  private static void requireRotatable(TokenRecord token, Instant now) {
    if (!token.rotatedTo().isEmpty()) {
      throw new FailedPreconditionException("TOKEN_ALREADY_ROTATED",
          "token " + token.id() + " was already rotated to " + token.rotatedTo()
              + "; rotate that one instead");
    }
    switch (token.stateAt(now)) {
      case REVOKED -> throw new FailedPreconditionException(
          "TOKEN_REVOKED", "token " + token.id() + " is revoked and cannot be rotated; create a new one");
      case EXPIRED -> throw new FailedPreconditionException(
          "TOKEN_EXPIRED", "token " + token.id() + " has expired and cannot be rotated; create a new one");
      case ACTIVE -> { }
    }
  }

  private TokenRecord withPendingUse(TokenRecord token) {
    return token.withLastUse(lastUse.pending(token.id()));
  }

  private static void checkId(String id, Violations v) {
    if (id.isEmpty()) {
      v.add("id", "FIELD_REQUIRED", "id is required");
    } else if (!TOKEN_ID.matcher(id).matches()) {
      v.add("id", "FIELD_INVALID", "id must look like tok_ followed by 22 letters and digits");
    }
  }

  private String newId() {
    byte[] bytes = new byte[ID_RANDOM_BYTES];
    random.nextBytes(bytes);
    return "tok_" + Base62.encode(bytes, 22);
  }

  /** Millisecond precision: what storage keeps, so an answer equals a later read. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static Instant expiry(Instant now, Duration lifetime) {
    return now.plus(lifetime).truncatedTo(ChronoUnit.MILLIS);
  }

  private static Map<String, String> sorted(Map<String, String> metadata) {
    return Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  private static AuditEntry audit(
      Instant now, String action, String actor, TokenRecord target, String details) {
    return new AuditEntry(now, action, actor, target.organization(), target.id(), details);
  }
}
