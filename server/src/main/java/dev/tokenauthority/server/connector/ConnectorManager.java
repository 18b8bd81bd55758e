package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.paging.Page;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.AlreadyExistsException;
import dev.tokenauthority.server.error.AbortedException;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.token.AccessPolicy;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.token.Durations;
import dev.tokenauthority.server.token.Introspector;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.LastUseRecorder;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.token.TokenIssuer;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenRules;
import dev.tokenauthority.server.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Connectors and their service tokens: register, read, change, rotate, delete, test. A service
 * token never carries more than its connector's registered scopes.
 */
public final class ConnectorManager {
  static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{1,61}[a-z0-9]");
  private static final int MAX_NAME = 200;
  /** Tries at a change that races others on one connector before answering ABORTED. */
  private static final int ATTEMPTS = 24;

  private final ConnectorStore store;
  private final TokenStore tokens;
  private final Introspector introspector;
  private final TokenRules rules;
  private final TokenIssuer issuer;
  private final LastUseRecorder lastUse;
  private final Clock clock;
  private final Runnable revocationsCommitted;

  /**
   * @param tokens reads the connectors' token rows (the connector store changes them, through the
   *     token rows' one writer, which also evicts them from every cache)
   * @param revocationsCommitted told after each commit that stopped a token or narrowed one
   */
  public ConnectorManager(ConnectorStore store, TokenStore tokens, Introspector introspector,
      TokenRules rules, TokenIssuer issuer, LastUseRecorder lastUse, Clock clock,
      Runnable revocationsCommitted) {
    this.store = store;
    this.tokens = tokens;
    this.introspector = introspector;
    this.rules = rules;
    this.issuer = issuer;
    this.lastUse = lastUse;
    this.clock = clock;
    this.revocationsCommitted = revocationsCommitted;
  }

  /** Registers a connector and issues its first service token, living {@code ttl} (null: default). */
  public ConnectorView create(Caller caller, String organization, String slug, String name,
      List<String> scopes, Duration ttl) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    checkName(organization, slug, v, "connector.");
    checkDisplayName(name, "connector.name", v);
    if (scopes.isEmpty()) {
      v.add("connector.scopes", "FIELD_REQUIRED", "register at least one scope");
    }
    rules.checkScopes(scopes, "connector.scopes", v);
    rules.checkTtl(TokenKind.SERVICE, ttl, "ttl", v);
    v.throwIfAny();
    if (reach != null && !reach.equals(organization)) {
      throw OrganizationAccess.outside(reach);
    }
    ScopeSet registered = ScopeSet.of(scopes);
    AccessPolicy.requireGrantable(caller, registered.asList(), List.of());

    Instant now = now();
    String id = issuer.newId("con_");
    IssuedToken issued = serviceToken(caller, organization, slug, id, registered, ttl, "", now);
    ConnectorRecord connector = new ConnectorRecord(id, organization, slug, name, registered, now, now,
        caller.tokenId(), issued.token().id(), 1);
    boolean created = store.create(connector, issued.token(), List.of(
        audit(caller, now, AuditAction.CONNECTOR_CREATED, connector, Map.of(
            "slug", slug, "name", name, "scopes", registered.encoded(), "token_id", issued.token().id())),
        tokenCreated(caller, now, issued.token())));
    if (!created) {
      throw new AlreadyExistsException("CONNECTOR_EXISTS",
          "organization " + organization + " already has a connector " + slug);
    }
    return new ConnectorView(connector, issued.token(), issued.secret());
  }

  /** The connector {@code organization}/{@code slug}, if the caller may see it. */
  public ConnectorView get(Caller caller, String organization, String slug) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_READ);
    requireName(organization, slug);
    return view(visible(reach, organization, slug));
  }

  /** One page of connectors of {@code organization} (empty: the caller's, or all for admins). */
  public Page<ConnectorView> list(Caller caller, String organization, int pageSize, String pageToken) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_READ);
    Violations v = new Violations();
    PageToken.checkPageSize(pageSize, v);
    if (!organization.isEmpty()) {
      OrganizationAccess.checkOrganization(organization, "organization", v);
    }
    v.throwIfAny();
    String org = OrganizationAccess.listOrganization(reach, organization);
    String fingerprint = "connectors\u0000" + org;
    String after = PageToken.decodeText(pageToken, fingerprint);
    String afterOrg = after == null ? null : after.substring(0, Math.max(0, after.indexOf('/')));
    String afterSlug = after == null ? null : after.substring(after.indexOf('/') + 1);
    int limit = PageToken.limit(pageSize);
    return Page.of(store.list(org, afterOrg, afterSlug, limit + 1), limit,
        c -> c.organization() + "/" + c.slug(), fingerprint).map(this::view);
  }

  /**
   * Changes the name and/or registered scopes (null: unchanged). Narrowed scopes narrow the live
   * tokens at once; wider ones take effect at the next rotation.
   */
  public ConnectorView update(Caller caller, String organization, String slug, String name,
      List<String> scopes) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    checkName(organization, slug, v, "connector.");
    if (name != null) {
      checkDisplayName(name, "connector.name", v);
    }
    if (scopes != null) {
      if (scopes.isEmpty()) {
        v.add("connector.scopes", "FIELD_REQUIRED", "a connector needs at least one scope");
      }
      rules.checkScopes(scopes, "connector.scopes", v);
    }
    v.throwIfAny();
    for (int attempt = 1; ; attempt++) {
      ConnectorRecord old = visible(reach, organization, slug);
      ScopeSet registered = scopes == null ? old.scopes() : ScopeSet.of(scopes);
      AccessPolicy.requireGrantable(caller, registered.asList(), List.of());
      Instant now = now();
      ConnectorRecord updated = old.changed(name == null ? old.name() : name, registered, old.tokenId(), now);
      List<AuditEntry> audit = new ArrayList<>();
      audit.add(audit(caller, now, AuditAction.CONNECTOR_UPDATED, updated, Map.of(
          "old_name", old.name(), "new_name", updated.name(),
          "old_scopes", old.scopes().encoded(), "new_scopes", registered.encoded())));
      List<TokenRecord> narrowed = new ArrayList<>();
      for (TokenRecord t : store.activeTokens(old.id(), now)) {
        List<String> kept = t.scopes().asList().stream().filter(registered::covers).toList();
        if (kept.size() < t.scopes().asList().size()) {
          TokenRecord n = t.withScopes(ScopeSet.of(kept));
          narrowed.add(n);
          audit.add(AuditEntry.success(now, AuditAction.TOKEN_NARROWED, caller.actor(),
              caller.origin(), t.organization(), t.id(), Map.of("connector_id", old.id(),
                  "old_scopes", t.scopes().encoded(), "new_scopes", n.scopes().encoded())));
        }
      }
      if (store.update(updated, narrowed, audit)) {
        if (!narrowed.isEmpty()) {
          revocationsCommitted.run(); // clients' caches drop their wider answers
        }
        return view(updated);
      }
      if (attempt == ATTEMPTS) {
        throw concurrentChange(organization, slug);
      }
      backOff(attempt);
    }
  }

  /** Issues a new service token; the old one stops after {@code grace} (null or zero: now). */
  public ConnectorView rotate(Caller caller, String organization, String slug, Duration grace,
      Duration ttl) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    checkName(organization, slug, v, "");
    Duration graceOrNone = grace == null ? Duration.ZERO : grace;
    TokenRules.checkGrace(graceOrNone, v);
    rules.checkTtl(TokenKind.SERVICE, ttl, "ttl", v);
    v.throwIfAny();
    for (int attempt = 1; ; attempt++) {
      ConnectorRecord old = visible(reach, organization, slug);
      AccessPolicy.requireGrantable(caller, old.scopes().asList(), List.of());
      Instant now = now();
      IssuedToken issued =
          serviceToken(caller, organization, slug, old.id(), old.scopes(), ttl, old.tokenId(), now);
      ConnectorRecord updated = old.changed(old.name(), old.scopes(), issued.token().id(), now);
      boolean rotated = store.rotate(updated, old.tokenId(), now.plus(graceOrNone), issued.token(), now,
          List.of(
              audit(caller, now, AuditAction.CONNECTOR_ROTATED, updated, Map.of(
                  "old_token_id", old.tokenId(), "new_token_id", issued.token().id(),
                  "grace_period", Durations.describe(graceOrNone))),
              AuditEntry.success(now, AuditAction.TOKEN_ROTATED, caller.actor(), caller.origin(),
                  organization, old.tokenId(), Map.of("replaced_by", issued.token().id(),
                      "grace_period", Durations.describe(graceOrNone), "connector_id", old.id())),
              tokenCreated(caller, now, issued.token())));
      if (rotated) {
        revocationsCommitted.run();
        return new ConnectorView(updated, issued.token(), issued.secret());
      }
      if (attempt == ATTEMPTS) {
        throw concurrentChange(organization, slug);
      }
      backOff(attempt);
    }
  }

  /** Deletes the connector and revokes all its tokens in the same transaction. */
  public void delete(Caller caller, String organization, String slug, String reason) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    checkName(organization, slug, v, "");
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    ConnectorRecord connector = visible(reach, organization, slug);
    Instant now = now();
    String why = reason.isEmpty() ? "connector deleted" : reason;
    List<TokenRecord> revoked = store.delete(connector, now, why,
        t -> AuditEntry.success(now, AuditAction.TOKEN_REVOKED, caller.actor(), caller.origin(),
            t.organization(), t.id(), Map.of("reason", why, "connector_id", connector.id())),
        audit(caller, now, AuditAction.CONNECTOR_DELETED, connector, Map.of(
            "slug", slug, "reason", why)))
        .orElseThrow(() -> notFound(organization, slug));
    if (!revoked.isEmpty()) {
      revocationsCommitted.run();
    }
  }

  /** Whether {@code secret} is a working token of the connector, and what it holds. */
  public ConnectorTest test(Caller caller, String organization, String slug, String secret) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_READ);
    Violations v = new Violations();
    checkName(organization, slug, v, "");
    if (secret.isEmpty()) {
      v.add("secret", "FIELD_REQUIRED", "secret is required");
    }
    v.throwIfAny();
    ConnectorRecord connector = visible(reach, organization, slug);
    return introspector.activeToken(secret)
        .filter(t -> t.connectorId().equals(connector.id()))
        .map(t -> new ConnectorTest(true, t.id().equals(connector.tokenId()), t.id(), t.scopes()))
        .orElse(ConnectorTest.NOT_LIVE);
  }

  private IssuedToken serviceToken(Caller caller, String organization, String slug,
      String connectorId, ScopeSet scopes, Duration ttl, String rotatedFrom, Instant now) {
    Duration lifetime = ttl != null ? ttl : rules.lifetime(TokenKind.SERVICE).defaultTtl();
    return issuer.issue(new TokenIssuer.Spec(TokenKind.SERVICE, organization, "connector:" + slug,
        "connector " + slug, scopes, List.of(), Map.of(), caller.tokenId(), lifetime, rotatedFrom,
        connectorId), now);
  }

  private ConnectorView view(ConnectorRecord c) {
    TokenRecord token = tokens.findById(c.tokenId())
        .map(t -> t.withLastUse(lastUse.pending(t.id()))).orElse(null);
    return new ConnectorView(c, token, null);
  }

  private ConnectorRecord visible(String reach, String organization, String slug) {
    if (reach != null && !reach.equals(organization)) {
      throw notFound(organization, slug);
    }
    return store.find(organization, slug).orElseThrow(() -> notFound(organization, slug));
  }

  private static void requireName(String organization, String slug) {
    Violations v = new Violations();
    checkName(organization, slug, v, "");
    v.throwIfAny();
  }

  private static void checkName(String organization, String slug, Violations v, String prefix) {
    if (organization.isEmpty()) {
      v.add(prefix + "organization", "FIELD_REQUIRED", "organization is required");
    } else {
      OrganizationAccess.checkOrganization(organization, prefix + "organization", v);
    }
    if (slug.isEmpty()) {
      v.add(prefix + "slug", "FIELD_REQUIRED", "slug is required");
    } else if (!SLUG.matcher(slug).matches()) {
      v.add(prefix + "slug", "FIELD_INVALID", "slug must be 3-63 lower-case letters, digits or '-',"
          + " starting with a letter and not ending with '-'");
    }
  }

  private static void checkDisplayName(String name, String field, Violations v) {
    if (name.isBlank()) {
      v.add(field, "FIELD_REQUIRED", "name is required: say what the connector is");
    } else if (SecretFormat.containsSecret(name)) {
      v.add(field, "SECRET_IN_FIELD", field + " contains what looks like a token secret");
    } else if (!TokenRules.isPrintable(name, MAX_NAME)) {
      v.add(field, "FIELD_INVALID", "name must be 1-" + MAX_NAME + " printable characters");
    }
  }

  private static NotFoundException notFound(String organization, String slug) {
    return new NotFoundException("CONNECTOR_NOT_FOUND",
        "connector " + slug + " not found in organization " + organization);
  }

  private static AbortedException concurrentChange(String organization, String slug) {
    return new AbortedException("CONCURRENT_CHANGE",
        "connector " + organization + "/" + slug + " kept changing while this call ran; try again");
  }

  /**
   * Before another attempt at a change that lost a race on the connector's version: a short,
   * random and growing pause, so that the racers do not collide again in step.
   */
  private static void backOff(int attempt) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 2 + 4L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AbortedException("CONCURRENT_CHANGE", "interrupted while retrying; try again");
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static AuditEntry tokenCreated(Caller caller, Instant now, TokenRecord token) {
    return AuditEntry.success(now, AuditAction.TOKEN_CREATED, caller.actor(), caller.origin(),
        token.organization(), token.id(), Map.of("kind", token.kind().name(),
            "scopes", token.scopes().encoded(), "connector_id", token.connectorId()));
  }

  private static AuditEntry audit(Caller caller, Instant now, AuditAction action,
      ConnectorRecord connector, Map<String, String> details) {
    return AuditEntry.success(now, action, caller.actor(), caller.origin(), connector.organization(),
        connector.id(), details);
  }
}
