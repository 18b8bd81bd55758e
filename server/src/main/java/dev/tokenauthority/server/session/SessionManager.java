package dev.tokenauthority.server.session;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.oidc.IdTokenVerifier;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.Secret;
import dev.tokenauthority.server.token.TokenContext;
import dev.tokenauthority.server.token.TokenIssuer;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenRecord;
import dev.tokenauthority.server.token.TokenRules;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Signing in, staying signed in and signing out. A session's access tokens are ordinary token rows
 * of kind {@code SESSION} (so every check, cache and the revocation feed treat them as tokens);
 * its refresh tokens are single use, and a second use of one ends the session (RFC 9700 reuse
 * detection: one of the two presenters is a thief, and we cannot tell which).
 */
public final class SessionManager {
  static final Pattern SESSION_ID = Pattern.compile("ses_[0-9A-Za-z]{22}");
  /** The kind marker of refresh tokens ({@code tka_ref_...}): not a token kind, never a bearer. */
  public static final String REFRESH_MARKER = "ref";
  static final String REUSED = "refresh token reused";

  private final TokenContext context;
  private final SessionStore store;
  private final SessionSettings settings;
  private final GroupMapping groups;
  private final IdTokenVerifier idTokens;
  private final SecureRandom random = new SecureRandom();

  /** @param idTokens null when no identity provider is configured */
  public SessionManager(TokenContext context, SessionStore store, SessionSettings settings,
      GroupMapping groups, IdTokenVerifier idTokens) {
    this.context = context;
    this.store = store;
    this.settings = settings;
    this.groups = groups;
    this.idTokens = idTokens;
  }

  /** Signs in with an OIDC ID token; rights follow from its groups. */
  public IssuedSession signInWithIdToken(String idToken, String organization, Origin origin) {
    return signInWithIdToken(idToken, null, organization, origin);
  }

  /**
   * Signs in with the ID token that answered the dashboard's authentication request, whose nonce
   * was {@code nonce}.
   */
  public IssuedSession signInWithIdToken(String idToken, String nonce, String organization, Origin origin) {
    checkOrganization(organization);
    if (idTokens == null) {
      throw new FailedPreconditionException("NO_IDENTITY_PROVIDER", "this server has no identity provider"
          + " configured (oidc.issuer); sign in with a personal or system token instead (empty id_token)");
    }
    Rights rights = groups.rightsOf(idTokens.verify(idToken, nonce), organization);
    return start(rights, SignInMethod.ID_TOKEN, origin, "");
  }

  /** Signs in with the caller's own personal or system token: the session gets its rights. */
  public IssuedSession signInWithToken(Caller caller, String organization) {
    checkOrganization(organization);
    if (caller.tokenId().isEmpty()) {
      throw new UnauthenticatedException("MISSING_CREDENTIALS", "send an id_token, or sign in with a"
          + " personal or system token as metadata 'authorization: Bearer <secret>'");
    }
    TokenKind kind = kindOf(caller);
    if (kind != TokenKind.PERSONAL && kind != TokenKind.SYSTEM) {
      throw new PermissionDeniedException("SIGN_IN_KIND", kind == TokenKind.SESSION
          ? "this is a session's access token already; renew it with RefreshSession"
          : "only personal and system tokens sign a person in; this is a " + kind.name().toLowerCase() + " token");
    }
    OrganizationAccess.requireNotRetired(caller);
    if (!organization.isEmpty() && !organization.equals(caller.organization()) && !caller.isAdmin()) {
      throw OrganizationAccess.outside(caller.organization());
    }
    Rights rights = Rights.ofToken(caller, caller.subject().isEmpty() ? caller.tokenId() : caller.subject());
    if (!organization.isEmpty()) {
      rights = new Rights(rights.subject(), organization, rights.organizations(), rights.role(),
          rights.scopes(), rights.groups(), rights.mayCreateTokens());
    }
    return start(rights, SignInMethod.BEARER_TOKEN, caller.origin(), caller.tokenId());
  }

  private TokenKind kindOf(Caller caller) {
    return context.store().findById(caller.tokenId()).map(TokenRecord::kind)
        .orElseThrow(() -> new UnauthenticatedException("INVALID_CREDENTIALS", "the bearer token is not a valid token"));
  }

  /**
   * A new session with {@code rights}. {@code source} is the token that signed in or approved
   * (empty for an ID token): the session never outlives it (its expiry, or the absolute limit of
   * the session it belongs to), and ends if it is revoked, so a credential cannot be turned into a
   * longer-lived one.
   */
  public IssuedSession start(Rights rights, SignInMethod method, Origin origin, String source) {
    Instant now = context.now();
    String id = context.issuer().newId("ses_");
    Instant absolute = now.plus(settings.refreshAbsolute());
    if (!source.isEmpty()) {
      absolute = earliest(absolute, notAfter(source, absolute));
    }
    IssuedToken access = accessToken(id, rights, now, source, absolute);
    Secret refresh = Secret.generate(REFRESH_MARKER, random);
    String actor = source;
    SessionRecord session = new SessionRecord(id, rights, method, origin.peer(), now, absolute, null,
        access.token().id(), access.token().expireTime(), earliest(now.plus(settings.refreshIdle()), absolute),
        null, "", source);
    store.start(session, access.token(), refresh.sha256(), audit(now, AuditAction.SESSION_STARTED,
        actor.isEmpty() ? access.token().id() : actor, origin, session,
        Map.of("method", method.name(), "role", rights.role().name(), "subject", rights.subject(),
            "access_token", access.token().id())));
    return new IssuedSession(session, access.secret(), refresh);
  }

  /** When what {@code tokenId} may start ends: its session's absolute limit, or its own expiry. */
  private Instant notAfter(String tokenId, Instant otherwise) {
    Optional<SessionRecord> parent = store.findByAccessToken(tokenId, context.now());
    if (parent.isPresent()) {
      return parent.get().absoluteExpireTime();
    }
    return context.store().findById(tokenId).map(TokenRecord::expireTime).filter(t -> t != null).orElse(otherwise);
  }

  private IssuedToken accessToken(String sessionId, Rights rights, Instant now, String creator, Instant absolute) {
    Duration lifetime = context.rules().lifetime(TokenKind.SESSION).defaultTtl();
    if (now.plus(lifetime).isAfter(absolute)) {
      lifetime = Duration.between(now, absolute); // no access token outlives its session
    }
    return context.issuer().issue(TokenIssuer.Spec.of(TokenKind.SESSION, lifetime)
        .organization(rights.organization()).subject(rights.subject()).label("session " + sessionId)
        .scopes(rights.scopes()).groups(rights.groups()).metadata(Map.of(SessionStore.SESSION_METADATA_KEY, sessionId))
        .creator(creator).build(), now);
  }

  /**
   * A new access token and refresh token for the session of {@code refreshToken}, which stops
   * working. A refresh token presented again ends its session.
   */
  public IssuedSession refresh(String refreshToken, Origin origin) {
    return refresh(refreshToken, origin, Duration.ZERO);
  }

  /** The reason of a refresh token presented again within the concurrent window. */
  public static final String JUST_USED = "REFRESH_TOKEN_JUST_USED";

  /**
   * As {@link #refresh(String, Origin)}, for a browser, whose tabs may refresh at the same moment
   * with the same cookie, through different replicas: a refresh token presented again less than
   * {@code concurrent} after its use is refused with reason {@link #JUST_USED} instead of ending
   * the session, so the browser can retry with the cookies the first refresh set. Nothing is
   * issued to the second presenter: a thief replaying a used token within the window gets
   * nothing, and one replaying it later ends the session as ever.
   */
  public IssuedSession refresh(String refreshToken, Origin origin, Duration concurrent) {
    if (refreshToken.isEmpty()) {
      Violations v = new Violations();
      v.add("refresh_token", "FIELD_REQUIRED", "refresh_token is required");
      v.throwIfAny();
    }
    if (!SecretFormat.kindMarker(refreshToken).filter(REFRESH_MARKER::equals).isPresent()) {
      throw new UnauthenticatedException("INVALID_REFRESH_TOKEN", "refresh_token is not a refresh token of this server");
    }
    byte[] hash = Secret.sha256(refreshToken);
    Instant now = context.now();
    SessionStore.RefreshToken presented = store.findRefreshToken(hash, now).orElseThrow(() ->
        new UnauthenticatedException("INVALID_REFRESH_TOKEN", "refresh_token is not a refresh token of this server"));
    SessionRecord session = presented.session();
    if (presented.usedTime() != null) {
      // Only where a window was asked for: with none, a replica whose clock runs behind the one
      // that used the token must still take a replay as a theft.
      if (!concurrent.isZero() && !concurrent.isNegative() && session.endTime() == null && now.isBefore(presented.usedTime().plus(concurrent))) {
        throw justUsed();
      }
      throw reused(session, origin, now);
    }
    if (session.endTime() != null) {
      throw new UnauthenticatedException("SESSION_ENDED", "the session ended at " + session.endTime()
          + " (" + session.endReason() + "); sign in again");
    }
    if (!presented.expireTime().isAfter(now)) {
      throw new UnauthenticatedException("REFRESH_TOKEN_EXPIRED", "the refresh token expired at "
          + presented.expireTime() + "; sign in again");
    }
    IssuedToken access = accessToken(session.id(), session.rights(), now, session.accessTokenId(),
        session.absoluteExpireTime());
    Secret refresh = Secret.generate(REFRESH_MARKER, random);
    SessionRecord renewed = new SessionRecord(session.id(), session.rights(), session.method(), session.peer(),
        session.createTime(), session.absoluteExpireTime(), now, access.token().id(), access.token().expireTime(),
        earliest(now.plus(settings.refreshIdle()), session.absoluteExpireTime()), null, "", session.sourceTokenId());
    SessionStore.RefreshOutcome outcome = store.refresh(hash, now, renewed, access.token(), refresh.sha256(),
        audit(now, AuditAction.SESSION_REFRESHED, session.accessTokenId(), origin, session,
            Map.of("access_token", access.token().id())));
    return switch (outcome) {
      case REFRESHED -> new IssuedSession(renewed, access.secret(), refresh);
      // A concurrent refresh won: the same theft signal, unless concurrent refreshes are expected.
      case ALREADY_USED -> throw concurrent.isZero() ? reused(session, origin, now) : justUsed();
      case SESSION_ENDED -> throw new UnauthenticatedException("SESSION_ENDED", "the session has ended; sign in again");
    };
  }

  private static UnauthenticatedException justUsed() {
    return new UnauthenticatedException(JUST_USED, "this refresh token was used a moment ago by a concurrent"
        + " request; retry with the session that request started");
  }

  /** Ends the session of a reused refresh token and answers the presenter. */
  private UnauthenticatedException reused(SessionRecord session, Origin origin, Instant now) {
    end(session, now, REUSED, audit(now, AuditAction.REFRESH_TOKEN_REUSED, AuditEntry.ANONYMOUS, origin,
        session, Map.of("reason", REUSED)), AuditEntry.ANONYMOUS, origin);
    return new UnauthenticatedException("REFRESH_TOKEN_REUSED", "this refresh token was used before: the"
        + " session is ended, as a stolen refresh token may have been replayed; sign in again");
  }

  /** Ends the caller's own session (the caller must be its access token). */
  public void signOut(Caller caller) {
    SessionRecord session = store.findByAccessToken(caller.tokenId(), context.now()).orElseThrow(() ->
        new FailedPreconditionException("NOT_A_SESSION",
            "SignOut needs a session's access token as the bearer token; this token is not one"));
    Instant now = context.now();
    end(session, now, "signed out", audit(now, AuditAction.SESSION_ENDED, caller.actor(), caller.origin(),
        session, Map.of("reason", "signed out")), caller.actor(), caller.origin());
  }

  /**
   * Ends the session {@code refreshToken} belongs to, whether or not the token was used: a
   * browser signing out (or in again) while another tab renews that session through another
   * replica holds only the refresh cookie it had. Unknown tokens and ended sessions change nothing.
   */
  public void signOutWithRefreshToken(String refreshToken, Origin origin) {
    if (!SecretFormat.kindMarker(refreshToken).filter(REFRESH_MARKER::equals).isPresent()) {
      return;
    }
    Instant now = context.now();
    store.findRefreshToken(Secret.sha256(refreshToken), now).map(SessionStore.RefreshToken::session)
        .filter(session -> session.endTime() == null)
        .ifPresent(session -> end(session, now, "signed out", audit(now, AuditAction.SESSION_ENDED,
            session.accessTokenId(), origin, session, Map.of("reason", "signed out")), session.accessTokenId(), origin));
  }

  /** Ends session {@code id}: the caller's own, or a member's for admins and managers. */
  public SessionRecord revoke(Caller caller, String id, String reason) {
    Violations v = new Violations();
    checkId(id, v);
    TokenRules.checkReason(reason, v);
    v.throwIfAny();
    Instant now = context.now();
    SessionRecord session = visible(caller, id, now, true);
    String why = reason.isEmpty() ? "revoked" : reason;
    end(session, now, why, audit(now, AuditAction.SESSION_ENDED, caller.actor(), caller.origin(), session,
        Map.of("reason", why)), caller.actor(), caller.origin());
    return store.find(id, now).orElseThrow();
  }

  /** One page of sessions: the caller's own, or {@code subject}'s for admins and managers. */
  public Page<SessionRecord> list(Caller caller, String subject, boolean includeEnded, int pageSize,
      String pageToken) {
    Violations v = new Violations();
    PageToken.checkPageSize(pageSize, v);
    if (!subject.isEmpty()) {
      TokenRules.checkSubject(subject, "subject", v);
    }
    v.throwIfAny();
    String organization;
    String whose;
    if (subject.isEmpty() || subject.equals(ownSubject(caller))) {
      whose = ownSubject(caller);
      organization = caller.personal() ? caller.organization() : null;
    } else {
      organization = OrganizationAccess.organizationReach(caller, OrganizationAccess.TOKENS_WRITE);
      whose = subject;
    }
    boolean withAdmins = caller.isAdmin();
    String fingerprint = "sessions\u0000" + whose + "\u0000" + organization + "\u0000" + includeEnded;
    PageToken.Position after = PageToken.decode(pageToken, fingerprint);
    int limit = PageToken.limit(pageSize);
    return Page.of(store.list(whose, organization, includeEnded, withAdmins, context.now(), after, limit + 1), limit,
        s -> new PageToken.Position(s.createTime(), s.id()).text(), fingerprint);
  }

  /** The session {@code tokenId} belongs to, if it is a session's access token. */
  public Optional<SessionRecord> sessionOf(String tokenId) {
    return store.findByAccessToken(tokenId, context.now());
  }

  /**
   * The rights the caller acts with as a person: their session's, or their personal or system
   * token's (for approving a device).
   */
  public Rights rightsOf(Caller caller) {
    Optional<SessionRecord> session = sessionOf(caller.tokenId());
    if (session.isPresent()) {
      return session.get().rights();
    }
    return Rights.ofToken(caller, caller.subject().isEmpty() ? caller.tokenId() : caller.subject());
  }

  private static String ownSubject(Caller caller) {
    return caller.subject().isEmpty() ? caller.tokenId() : caller.subject();
  }

  /**
   * Whether {@code session} is the caller's own: a person's (personal token or session) of the
   * same subject and organisation, or the sessions a system token signed in itself. A manager
   * who mints a personal token for some subject does not come to own that person's sessions
   * elsewhere, nor an admin's.
   */
  private static boolean owns(Caller caller, SessionRecord session) {
    Rights r = session.rights();
    if (r.role() == Role.ADMIN && !caller.isAdmin()) {
      return false;
    }
    if (caller.personal()) {
      return r.subject().equals(caller.subject()) && r.organization().equals(caller.organization());
    }
    return r.subject().equals(caller.tokenId());
  }

  /** A session the caller may see (and end): their own, an admin's any, a manager's in their organisation. */
  private SessionRecord visible(Caller caller, String id, Instant now, boolean write) {
    SessionRecord session = store.find(id, now)
        .orElseThrow(() -> new NotFoundException("SESSION_NOT_FOUND", "session " + id + " not found"));
    if (caller.isAdmin() || owns(caller, session)) {
      return session;
    }
    boolean manages = caller.scopes().covers(OrganizationAccess.TOKENS_WRITE)
        && !caller.organization().isEmpty() && caller.organization().equals(session.rights().organization())
        && session.rights().role() != Role.ADMIN;
    if (!manages) {
      throw new NotFoundException("SESSION_NOT_FOUND", "session " + id + " not found");
    }
    if (write) {
      OrganizationAccess.requireNotRetired(caller);
    }
    return session;
  }

  private void end(SessionRecord session, Instant now, String reason, AuditEntry audit, String actor, Origin origin) {
    store.end(session, now, reason, token -> AuditEntry.success(now, AuditAction.TOKEN_REVOKED, actor,
        origin, token.organization(), token.id(), Map.of("reason", reason, "session", session.id())), audit);
  }

  private static AuditEntry audit(Instant now, AuditAction action, String actor, Origin origin,
      SessionRecord session, Map<String, String> details) {
    return AuditEntry.success(now, action, actor, origin, session.rights().organization(), session.id(), details);
  }

  private static void checkOrganization(String organization) {
    if (!organization.isEmpty()) {
      Violations v = new Violations();
      OrganizationAccess.checkOrganization(organization, "organization", v);
      v.throwIfAny();
    }
  }

  static void checkId(String id, Violations v) {
    if (id.isEmpty()) {
      v.add("id", "FIELD_REQUIRED", "id is required");
    } else if (!SESSION_ID.matcher(id).matches()) {
      v.add("id", "FIELD_INVALID", "id must look like ses_ followed by 22 letters and digits");
    }
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
