package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.AlreadyExistsException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.token.AccessPolicy;
import dev.tokenauthority.server.token.Durations;
import dev.tokenauthority.server.token.Introspector;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenContext;
import dev.tokenauthority.server.token.TokenIssuer;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Connectors and their service tokens: register, read, change, rotate, delete, test. A service
 * token never carries more than its connector's registered scopes.
 */
public final class ConnectorManager {
  private final ConnectorStore store;
  private final TokenContext tokens;
  private final TokenRules rules;
  private final Introspector introspector;

  /**
   * @param store the connector rows; it changes their token rows through the token rows' one
   *     writer, which evicts them from every cache and wakes the revocation feed
   * @param tokens reads the connectors' token rows and issues their service tokens
   */
  public ConnectorManager(ConnectorStore store, TokenContext tokens, Introspector introspector) {
    this.store = store;
    this.tokens = tokens;
    this.rules = tokens.rules();
    this.introspector = introspector;
  }

  /** Registers a connector and issues its first service token, living {@code ttl} (null: default). */
  public ConnectorView create(Caller caller, String organization, String slug, String name,
      List<String> scopes, Duration ttl) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    ConnectorRules.checkName(organization, slug, v, "connector.");
    ConnectorRules.checkDisplayName(name, "connector.name", v);
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

    Instant now = tokens.now();
    String id = tokens.issuer().newId("con_");
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
    ConnectorRules.requireName(organization, slug);
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
    ConnectorRules.checkName(organization, slug, v, "connector.");
    if (name != null) {
      ConnectorRules.checkDisplayName(name, "connector.name", v);
    }
    if (scopes != null) {
      if (scopes.isEmpty()) {
        v.add("connector.scopes", "FIELD_REQUIRED", "a connector needs at least one scope");
      }
      rules.checkScopes(scopes, "connector.scopes", v);
    }
    v.throwIfAny();
    return Retries.untilCommitted(organization, slug, () -> {
      ConnectorRecord old = visible(reach, organization, slug);
      ScopeSet registered = scopes == null ? old.scopes() : ScopeSet.of(scopes);
      AccessPolicy.requireGrantable(caller, registered.asList(), List.of());
      Instant now = tokens.now();
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
      return store.update(updated, narrowed, audit) ? Optional.of(view(updated)) : Optional.empty();
    });
  }

  /** Issues a new service token; the old one stops after {@code grace} (null or zero: now). */
  public ConnectorView rotate(Caller caller, String organization, String slug, Duration grace,
      Duration ttl) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    ConnectorRules.checkName(organization, slug, v, "");
    Duration graceOrNone = grace == null ? Duration.ZERO : grace;
    TokenRules.checkGrace(graceOrNone, v);
    rules.checkTtl(TokenKind.SERVICE, ttl, "ttl", v);
    v.throwIfAny();
    return Retries.untilCommitted(organization, slug, () -> {
      ConnectorRecord old = visible(reach, organization, slug);
      AccessPolicy.requireGrantable(caller, old.scopes().asList(), List.of());
      Instant now = tokens.now();
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
      return rotated ? Optional.of(new ConnectorView(updated, issued.token(), issued.secret())) : Optional.empty();
    });
  }

  /** Deletes the connector and revokes all its tokens in the same transaction. */
  public void delete(Caller caller, String organization, String slug, String reason) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_WRITE);
    Violations v = new Violations();
    ConnectorRules.checkName(organization, slug, v, "");
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    ConnectorRecord connector = visible(reach, organization, slug);
    Instant now = tokens.now();
    String why = reason.isEmpty() ? "connector deleted" : reason;
    store.delete(connector, now, why,
        t -> AuditEntry.success(now, AuditAction.TOKEN_REVOKED, caller.actor(), caller.origin(),
            t.organization(), t.id(), Map.of("reason", why, "connector_id", connector.id())),
        audit(caller, now, AuditAction.CONNECTOR_DELETED, connector, Map.of(
            "slug", slug, "reason", why)))
        .orElseThrow(() -> ConnectorRules.notFound(organization, slug));
  }

  /** Whether {@code secret} is a working token of the connector, and what it holds. */
  public ConnectorTest test(Caller caller, String organization, String slug, String secret) {
    String reach = OrganizationAccess.organizationReach(caller, OrganizationAccess.CONNECTORS_READ);
    Violations v = new Violations();
    ConnectorRules.checkName(organization, slug, v, "");
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
    return tokens.issuer().issue(TokenIssuer.Spec.of(TokenKind.SERVICE, lifetime)
        .organization(organization).subject("connector:" + slug).label("connector " + slug)
        .scopes(scopes).creator(caller.tokenId()).rotatedFrom(rotatedFrom).connector(connectorId)
        .build(), now);
  }

  private ConnectorView view(ConnectorRecord c) {
    TokenRecord token = tokens.store().findById(c.tokenId()).map(tokens::withPendingUse).orElse(null);
    return new ConnectorView(c, token, null);
  }

  private ConnectorRecord visible(String reach, String organization, String slug) {
    if (reach != null && !reach.equals(organization)) {
      throw ConnectorRules.notFound(organization, slug);
    }
    return store.find(organization, slug).orElseThrow(() -> ConnectorRules.notFound(organization, slug));
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
