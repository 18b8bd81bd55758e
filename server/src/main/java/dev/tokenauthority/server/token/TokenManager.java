package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.scope.ScopeSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The token lifecycle: issue, read, list, rotate and revoke, each checked against the caller. */
public final class TokenManager {
  static final Pattern TOKEN_ID = Pattern.compile("tok_[0-9A-Za-z]{22}");

  private final TokenContext context;
  private final TokenStore store;
  private final TokenRules rules;
  private final int personalTokenLimit;

  /** @param personalTokenLimit the most active personal tokens a subject may have; 0 for no limit */
  public TokenManager(TokenContext context, int personalTokenLimit) {
    this.context = context;
    this.store = context.store();
    this.rules = context.rules();
    this.personalTokenLimit = personalTokenLimit;
  }

  /** Issues a token as {@code draft} describes, living {@code ttl} (null: the kind's default). */
  public IssuedToken create(Caller caller, TokenDraft draft, Duration ttl) {
    Checked checked = check(caller, draft, ttl);
    ScopeSet scopes = checked.scopes();
    List<String> groups = checked.groups();

    Instant now = now();
    Duration lifetime = ttl != null ? ttl : rules.lifetime(draft.kind()).defaultTtl();
    IssuedToken issued = context.issuer().issue(TokenIssuer.Spec.of(draft.kind(), lifetime)
        .organization(draft.organization()).subject(draft.subject()).label(draft.label())
        .scopes(scopes).groups(groups).metadata(draft.metadata()).creator(caller.tokenId())
        .build(), now);
    TokenRecord token = issued.token();
    AuditEntry audit = audit(caller, now, AuditAction.TOKEN_CREATED, token, Map.of(
        "kind", token.kind().name(), "scopes", scopes.encoded(), "groups", String.join(" ", groups),
        "ttl", Durations.describe(lifetime)));
    if (token.kind() == TokenKind.PERSONAL && personalTokenLimit > 0) {
      if (!store.insertWithinLimit(token, audit, personalTokenLimit, now)) {
        throw new FailedPreconditionException("PERSONAL_TOKEN_LIMIT",
            "subject " + token.subject() + " already has " + personalTokenLimit + " active personal"
                + (personalTokenLimit == 1 ? " token" : " tokens")
                + (token.organization().isEmpty() ? "" : " in organization " + token.organization())
                + ", the most this server allows;"
                + " revoke " + (personalTokenLimit == 1 ? "it" : "one") + " to make a new one");
      }
    } else {
      store.insert(token, audit);
    }
    return issued;
  }

  /**
   * Checks, without issuing anything, that {@code caller} may create the token {@code draft}
   * describes (an approval of a device's request for a developer token, decided before its poll).
   */
  public void checkCreate(Caller caller, TokenDraft draft, Duration ttl) {
    check(caller, draft, ttl);
  }

  private record Checked(ScopeSet scopes, List<String> groups) {}

  private Checked check(Caller caller, TokenDraft draft, Duration ttl) {
    Reach reach = AccessPolicy.tokenReach(caller, true);
    Violations v = new Violations();
    rules.checkDraft(draft, ttl, v);
    v.throwIfAny();
    ScopeSet scopes = ScopeSet.of(draft.scopes());
    // A person's own new token inherits their groups: a snapshot, later changes do not follow.
    List<String> groups = reach.isSelfService() && draft.groups().isEmpty()
        ? caller.groups() : TokenRules.normaliseGroups(draft.groups());
    AccessPolicy.requireMayIssue(
        caller, reach, draft.kind(), draft.organization(), draft.subject(), scopes, groups);
    return new Checked(scopes, groups);
  }

  /** The token {@code id}, if the caller may see it. */
  public TokenRecord get(Caller caller, String id) {
    Reach reach = AccessPolicy.tokenReach(caller, false);
    Violations v = new Violations();
    checkId(id, "id", v);
    v.throwIfAny();
    return context.withPendingUse(visible(reach, id));
  }

  /** One page of the tokens the caller may see that match {@code filter}, newest first. */
  public Page<TokenRecord> list(Caller caller, TokenFilter filter, int pageSize, String pageToken) {
    return list(caller, filter, TokenOrder.NEWEST, pageSize, pageToken);
  }

  /** One page of the tokens the caller may see that match {@code filter}, in {@code order}. */
  public Page<TokenRecord> list(Caller caller, TokenFilter filter, TokenOrder order, int pageSize, String pageToken) {
    Reach reach = AccessPolicy.tokenReach(caller, false);
    Violations v = new Violations();
    PageToken.checkPageSize(pageSize, v);
    if (!filter.organization().isEmpty()) {
      OrganizationAccess.checkOrganization(filter.organization(), "organization", v);
    }
    if (!filter.creator().isEmpty()) {
      checkId(filter.creator(), "creator", v);
    }
    v.throwIfAny();
    TokenFilter scoped = filter.within(reach);
    // The newest-first order keeps the fingerprint it always had: page tokens already handed out stay good.
    String fingerprint = order == TokenOrder.NEWEST ? scoped.fingerprint() : scoped.fingerprint() + "\u0000" + order;
    String position = PageToken.decodeText(pageToken, fingerprint);
    TokenOrder.After after = position == null ? null : TokenOrder.After.parse(position, order);
    if (position != null && after == null) {
      throw PageToken.notIssuedHere();
    }
    int limit = PageToken.limit(pageSize);

    return Page.of(store.list(scoped, order, now(), after, limit + 1), limit, t -> order.after(t).text(), fingerprint)
        .map(context::withPendingUse);
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
    Reach reach = AccessPolicy.tokenReach(caller, true);
    Violations v = new Violations();
    checkId(id, "id", v);
    Duration graceOrNone = grace == null ? Duration.ZERO : grace;
    TokenRules.checkGrace(graceOrNone, v);
    rules.checkScopes(scopes, "scopes", v);
    v.throwIfAny();

    TokenRecord old = visible(reach, id);
    if (old.kind() == TokenKind.SERVICE) {
      throw new FailedPreconditionException("ROTATE_THROUGH_CONNECTOR",
          "token " + id + " is a connector's service token; rotate it with ConnectorService.RotateConnector");
    }
    if (old.kind() == TokenKind.SESSION) {
      throw new FailedPreconditionException("ROTATE_THROUGH_REFRESH",
          "token " + id + " is a session's access token; renew it with SessionService.RefreshSession");
    }
    Violations ttlCheck = new Violations();
    rules.checkTtl(old.kind(), ttl, "ttl", ttlCheck);
    ttlCheck.throwIfAny();
    Instant now = now();
    requireRotatable(old, now);
    ScopeSet newScopes = scopes.isEmpty() ? old.scopes() : ScopeSet.of(scopes);
    AccessPolicy.requireGrantable(caller, newScopes.asList(), old.groups());

    Duration lifetime = ttl != null ? ttl : rules.lifetime(old.kind()).defaultTtl();
    IssuedToken issued = context.issuer().issue(TokenIssuer.Spec.of(old.kind(), lifetime)
        .organization(old.organization()).subject(old.subject()).label(old.label())
        .scopes(newScopes).groups(old.groups()).metadata(old.metadata()).creator(caller.tokenId())
        .rotatedFrom(old.id()).build(), now);
    TokenRecord replacement = issued.token();
    boolean rotated = store.rotate(old, now.plus(graceOrNone), replacement, now,
        audit(caller, now, AuditAction.TOKEN_ROTATED, old, Map.of(
            "replaced_by", replacement.id(), "grace_period", Durations.describe(graceOrNone),
            "old_scopes", old.scopes().encoded(), "new_scopes", newScopes.encoded())));
    if (!rotated) {
      // Someone else rotated or revoked it since we read it: report what it is now.
      requireRotatable(visible(reach, id), now);
      throw new FailedPreconditionException("TOKEN_ALREADY_ROTATED", "token " + id + " was already rotated");
    }
    return issued;
  }

  /** Revokes token {@code id} now; a token already revoked is returned unchanged. */
  public TokenRecord revoke(Caller caller, String id, String reason) {
    Reach reach = AccessPolicy.tokenReach(caller, true);
    Violations v = new Violations();
    checkId(id, "id", v);
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    TokenRecord token = visible(reach, id);
    Instant now = now();
    store.revoke(token, now, reason,
        audit(caller, now, AuditAction.TOKEN_REVOKED, token, Map.of("reason", reason)));
    return context.withPendingUse(visible(reach, id));
  }

  /**
   * Revokes every working token of {@code organization}, {@code subject} and {@code creator}
   * (empty: any, but not all three) that the caller may manage, in one transaction.
   *
   * @return how many tokens were revoked
   */
  public int revokeMatching(
      Caller caller, String organization, String subject, String creator, String reason) {
    Reach reach = AccessPolicy.tokenReach(caller, true);
    Violations v = new Violations();
    if (organization.isEmpty() && subject.isEmpty() && creator.isEmpty()) {
      v.add("organization", "FILTER_REQUIRED",
          "name at least one of organization, subject and creator: revoking every token is not a"
              + " filter this call accepts");
    }
    if (!organization.isEmpty()) {
      OrganizationAccess.checkOrganization(organization, "organization", v);
    }
    if (!subject.isEmpty()) {
      TokenRules.checkSubject(subject, "subject", v);
    }
    if (!creator.isEmpty()) {
      checkId(creator, "creator", v);
    }
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    TokenFilter filter = TokenFilter.of(organization, subject, creator).within(reach);
    Instant now = now();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("reason", reason);
    details.put("filter", "organization=" + organization + " subject=" + subject + " creator=" + creator);
    return store.revokeMatching(filter, now, reason, -1,
        t -> audit(caller, now, AuditAction.TOKEN_BULK_REVOKED, t, details)).size();
  }

  /** The most tokens one "revoke all" takes: one transaction, one audit record each. */
  public static final int MAX_BULK = 10_000;

  /**
   * How many working tokens that the caller may manage match {@code filter}, as {@link
   * #revokeMatching(Caller, TokenFilter, String, String, int)} would count them: a preview.
   */
  public int countMatching(Caller caller, TokenFilter filter) {
    return store.countActive(bulk(caller, filter), now());
  }

  /**
   * Revokes every working token that the caller may manage and that matches {@code filter} (any of
   * its fields), in one transaction: the dashboard's "revoke all" for the list it shows. Sessions
   * and connectors' service tokens are left alone unless the filter names that kind, and the
   * caller's own token always is. {@code describe} names the filter in the audit record.
   *
   * @param expected how many the caller saw in the preview: if another number matches now, nothing
   *     is revoked
   * @return how many tokens were revoked
   */
  public int revokeMatching(Caller caller, TokenFilter filter, String describe, String reason, int expected) {
    Violations v = new Violations();
    if (reason.isBlank()) {
      v.add("reason", "FIELD_REQUIRED", "say why: the reason goes into the audit record of every token revoked");
    }
    TokenRules.checkReason(reason, v);
    if (expected > MAX_BULK) {
      v.add("filter", "TOO_MANY", "at most " + MAX_BULK + " tokens at once; narrow the filter");
    }
    v.throwIfAny();
    TokenFilter scoped = bulk(caller, filter);
    Instant now = now();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("reason", reason);
    details.put("filter", describe);
    try {
      return store.revokeMatching(scoped, now, reason, expected,
          t -> audit(caller, now, AuditAction.TOKEN_BULK_REVOKED, t, details)).size();
    } catch (TokenStore.CountChanged e) {
      throw new FailedPreconditionException("MATCHING_COUNT_CHANGED", "nothing was revoked: " + e.found()
          + " tokens match now, not " + expected);
    }
  }

  /** A bulk filter: within the caller's reach, never the caller's own token, sessions and service tokens only by name. */
  private TokenFilter bulk(Caller caller, TokenFilter filter) {
    if (filter.equals(TokenFilter.of("", "", "").excluding(filter.notKinds(), filter.notIds()))) {
      throw InvalidArgumentException.of("filter", "FILTER_REQUIRED",
          "choose a filter first: revoking every token in reach is not one action");
    }
    java.util.Set<TokenKind> spared = filter.kind() != null ? java.util.Set.of()
        : java.util.EnumSet.of(TokenKind.SESSION, TokenKind.SERVICE);
    return filter.excluding(spared, java.util.Set.of(caller.tokenId())).within(AccessPolicy.tokenReach(caller, true));
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
    IssuedToken issued = context.issuer().issue(
        TokenIssuer.Spec.of(TokenKind.SYSTEM, rules.lifetime(TokenKind.SYSTEM).max())
            .subject("bootstrap").label("bootstrap admin token")
            .scopes(ScopeSet.of(List.of(ScopeSet.ADMIN))).build(), now);
    keep.accept(issued);
    // Checked again in the inserting transaction: of replicas starting at once on an empty
    // database, one issues the token.
    boolean first = store.insertIfEmpty(issued.token(), AuditEntry.success(now, AuditAction.TOKEN_CREATED,
        AuditEntry.SYSTEM, Origin.SERVER, "", issued.token().id(),
        Map.of("kind", "SYSTEM", "scopes", ScopeSet.ADMIN, "note", "bootstrap admin token")));
    return first ? Optional.of(issued) : Optional.empty();
  }

  private TokenRecord visible(Reach reach, String id) {
    TokenRecord token = store.findById(id).orElseThrow(() -> AccessPolicy.notFound(id));
    AccessPolicy.requireVisible(reach, token);
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

  static void checkId(String id, String field, Violations v) {
    if (id.isEmpty()) {
      v.add(field, "FIELD_REQUIRED", field + " is required");
    } else if (!TOKEN_ID.matcher(id).matches()) {
      v.add(field, "FIELD_INVALID", field + " must look like tok_ followed by 22 letters and digits");
    }
  }

  private Instant now() {
    return context.now();
  }

  static AuditEntry audit(
      Caller caller, Instant now, AuditAction action, TokenRecord target, Map<String, String> details) {
    return AuditEntry.success(now, action, caller.actor(), caller.origin(), target.organization(),
        target.id(), details);
  }
}
