package dev.tokenauthority.server.device;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.device.DeviceRequest.Approver;
import dev.tokenauthority.server.device.DeviceRequest.Purpose;
import dev.tokenauthority.server.device.DeviceRequest.State;
import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.error.UnauthenticatedException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.quota.RatePerKey;
import dev.tokenauthority.server.session.IssuedSession;
import dev.tokenauthority.server.session.Rights;
import dev.tokenauthority.server.session.SessionManager;
import dev.tokenauthority.server.session.SignInMethod;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.LeakReportLimiter;
import dev.tokenauthority.server.token.Secret;
import dev.tokenauthority.server.token.TokenContext;
import dev.tokenauthority.server.token.TokenDraft;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenManager;
import dev.tokenauthority.server.token.TokenRules;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The device flow (RFC 8628): a device without a browser starts a request, a signed-in person
 * approves it by its user code, and the device's next poll receives the session or developer
 * token, once. What is issued is the approver's, within the approver's rights, and is issued only
 * at that poll, so no secret waits in storage between approval and delivery.
 */
public final class DeviceAuthorizations {
  /** The kind marker of device codes ({@code tka_dev_...}): a secret, never a bearer token. */
  public static final String DEVICE_CODE_MARKER = "dev";
  static final int MAX_LABEL = 200;
  /** A user code with dashes and spaces to spare; anything longer is not one. */
  static final int MAX_USER_CODE_INPUT = 16;

  private final TokenContext context;
  private final DeviceStore store;
  private final SessionManager sessions;
  private final TokenManager tokens;
  private final DeviceSettings settings;
  private final RatePerKey starts;
  private final RatePerKey guesses;
  private final SecureRandom random = new SecureRandom();

  public DeviceAuthorizations(TokenContext context, DeviceStore store, SessionManager sessions,
      TokenManager tokens, DeviceSettings settings) {
    this(context, store, sessions, tokens, settings, dev.tokenauthority.server.quota.RateBuckets.inMemory());
  }

  /** As above, the start and guess allowances kept in {@code buckets} (shared by replicas). */
  public DeviceAuthorizations(TokenContext context, DeviceStore store, SessionManager sessions,
      TokenManager tokens, DeviceSettings settings, dev.tokenauthority.server.quota.RateBuckets buckets) {
    this.context = context;
    this.store = store;
    this.sessions = sessions;
    this.tokens = tokens;
    this.settings = settings;
    this.starts = new RatePerKey("device-starts", settings.startsPerMinute(), buckets);
    this.guesses = new RatePerKey("device-guesses", settings.guessesPerMinute(), buckets);
  }

  /** A started request and its device code, which only this answer shows. */
  public record Started(DeviceRequest request, Secret deviceCode) {}

  /** Opens a request for {@code purpose}; anyone may, so it is rate limited per peer address. */
  public Started start(Purpose purpose, String label, List<String> scopes, String organization,
      Duration tokenTtl, Origin origin) {
    Violations v = new Violations();
    if (purpose == null) {
      v.add("purpose", "FIELD_REQUIRED", "purpose is required: DEVICE_AUTHORIZATION_PURPOSE_SESSION or"
          + " DEVICE_AUTHORIZATION_PURPOSE_DEVELOPER_TOKEN");
    } else if (purpose == Purpose.SESSION) {
      String why = " is for developer tokens; a session has the approver's rights";
      if (!scopes.isEmpty()) {
        v.add("scopes", "FIELD_NOT_ALLOWED", "scopes" + why);
      }
      if (!organization.isEmpty()) {
        v.add("organization", "FIELD_NOT_ALLOWED", "organization" + why);
      }
      if (tokenTtl != null) {
        v.add("token_ttl", "FIELD_NOT_ALLOWED", "token_ttl" + why);
      }
    } else {
      if (label.isBlank()) {
        v.add("label", "FIELD_REQUIRED", "label is required for a developer token: say what it is for");
      }
      if (scopes.isEmpty()) { // never "all of the approver's": an admin would hand out admin unawares
        v.add("scopes", "FIELD_REQUIRED", "scopes are required for a developer token: name what it may do");
      }
      context.rules().checkScopes(scopes, "scopes", v);
      if (!organization.isEmpty()) {
        OrganizationAccess.checkOrganization(organization, "organization", v);
      }
      context.rules().checkTtl(TokenKind.PERSONAL, tokenTtl, "token_ttl", v);
    }
    if (!label.isEmpty() && !TokenRules.isPrintable(label, MAX_LABEL)) {
      v.add("label", "FIELD_INVALID", "label must be 1-" + MAX_LABEL + " printable characters");
    }
    TokenRules.checkNoSecret(label, "label", v);
    v.throwIfAny();
    String host = LeakReportLimiter.host(origin.peer());
    if (!starts.tryAcquire(host)) {
      throw new ResourceExhaustedException("RATE_LIMITED", "too many device authorizations started from"
          + " this address; at most " + starts.perMinute() + " a minute");
    }
    Instant now = context.now();
    String shownLabel = label.isBlank() ? "command line" : label;
    for (int attempt = 0; ; attempt++) {
      Secret deviceCode = Secret.generate(DEVICE_CODE_MARKER, random);
      DeviceRequest request = new DeviceRequest(deviceCode.sha256(), UserCodes.generate(random), purpose,
          shownLabel, scopes, organization, tokenTtl, origin.peer(), now, now.plus(settings.expiry()),
          State.PENDING, null, null);
      AuditEntry audit = AuditEntry.success(now, AuditAction.DEVICE_AUTHORIZATION_REQUESTED,
          AuditEntry.ANONYMOUS, origin, organization, "", Map.of("purpose", purpose.name(),
              "label", shownLabel, "scopes", String.join(" ", scopes)));
      if (store.insert(request, audit)) {
        return new Started(request, deviceCode);
      }
      if (attempt == 3) { // 25 billion codes: four collisions in a row mean something else is wrong
        throw new IllegalStateException("could not find a free user code");
      }
    }
  }

  /** The request behind {@code userCode}, for a signed-in person to judge. */
  public DeviceRequest get(Caller caller, String userCode) {
    String key = requirePerson(caller);
    Violations v = new Violations();
    if (userCode.isEmpty()) {
      v.add("user_code", "FIELD_REQUIRED", "user_code is required");
    } else if (userCode.length() > MAX_USER_CODE_INPUT) {
      v.add("user_code", "FIELD_INVALID", "user_code is 8 letters, like WDJB-MJHT");
    }
    v.throwIfAny();
    // Every look-up counts, taken before it runs: checking first and counting misses after would
    // let a burst of concurrent guesses all pass the check.
    if (!guesses.tryAcquire(key)) {
      throw new ResourceExhaustedException("TOO_MANY_GUESSES", "too many user codes entered; at most "
          + guesses.perMinute() + " a minute");
    }
    return UserCodes.parse(userCode).flatMap(store::findByUserCode).orElseThrow(() ->
        new NotFoundException("USER_CODE_NOT_FOUND", "no device authorization has user code '"
            + userCode.replaceAll("[^A-Za-z0-9-]", "?") + "'; check the code on the device"));
  }

  /** Approves a pending request as the caller, whose session or developer token it will be. */
  public DeviceRequest approve(Caller caller, String userCode) {
    OrganizationAccess.requireNotRetired(caller);
    DeviceRequest request = get(caller, userCode);
    Instant now = context.now();
    requirePending(request, now);
    Rights rights = sessions.rightsOf(caller);
    Approver approver = new Approver(caller.tokenId(), rights);
    if (request.purpose() == Purpose.DEVELOPER_TOKEN) {
      tokens.checkCreate(approverCaller(approver, caller.origin()), draft(request, rights), request.tokenTtl());
    }
    decide(caller, request, State.APPROVED, approver, AuditAction.DEVICE_AUTHORIZATION_APPROVED, now);
    return store.findByUserCode(request.userCode()).orElseThrow();
  }

  /** Refuses a pending request. */
  public DeviceRequest deny(Caller caller, String userCode) {
    OrganizationAccess.requireNotRetired(caller);
    DeviceRequest request = get(caller, userCode);
    Instant now = context.now();
    requirePending(request, now);
    decide(caller, request, State.DENIED, new Approver(caller.tokenId(), sessions.rightsOf(caller)),
        AuditAction.DEVICE_AUTHORIZATION_DENIED, now);
    return store.findByUserCode(request.userCode()).orElseThrow();
  }

  private void decide(Caller caller, DeviceRequest request, State decision, Approver approver,
      AuditAction action, Instant now) {
    AuditEntry audit = AuditEntry.success(now, action, caller.actor(), caller.origin(),
        approver.rights().organization(), "", Map.of("purpose", request.purpose().name(),
            "approver", approver.rights().subject(), "requester_peer", request.requesterPeer()));
    if (!store.decide(request.userCode(), decision, approver, now, audit)) {
      requirePending(store.findByUserCode(request.userCode()).orElseThrow(), now);
      throw new FailedPreconditionException("DEVICE_AUTHORIZATION_DECIDED", "this request was decided already");
    }
  }

  /** What a poll answers: the state, and on the first poll after approval what was asked for. */
  public record Poll(State state, IssuedToken token, IssuedSession session) {}

  /** Where the request of {@code deviceCode} stands; hands out the token or session once. */
  public Poll poll(String deviceCode, Origin origin) {
    if (deviceCode.isEmpty()) {
      Violations v = new Violations();
      v.add("device_code", "FIELD_REQUIRED", "device_code is required");
      v.throwIfAny();
    }
    UnauthenticatedException unknown = new UnauthenticatedException("INVALID_DEVICE_CODE",
        "device_code is not a device code this server issued");
    if (!SecretFormat.kindMarker(deviceCode).filter(DEVICE_CODE_MARKER::equals).isPresent()) {
      throw unknown;
    }
    byte[] hash = Secret.sha256(deviceCode);
    DeviceRequest request = store.findByDeviceCode(hash).orElseThrow(() -> unknown);
    Instant now = context.now();
    if (!store.poll(hash, now, settings.interval())) {
      throw new ResourceExhaustedException("SLOW_DOWN", "polling too fast: wait at least "
          + settings.interval().toSeconds() + " s between polls");
    }
    State state = request.stateAt(now);
    if (state == State.ISSUED) {
      throw used();
    }
    if (state != State.APPROVED) {
      return new Poll(state, null, null);
    }
    // The approval acts for the approver: if their token stopped working since (signed out,
    // offboarded, revoked), nothing is issued in their name.
    boolean approverActive = context.store().findById(request.approver().tokenId())
        .map(t -> t.stateAt(now) == dev.tokenauthority.server.token.TokenState.ACTIVE).orElse(false);
    if (!approverActive) {
      throw new FailedPreconditionException("APPROVER_INACTIVE", "the person who approved this request has"
          + " signed out or lost access since; start a new request");
    }
    AuditEntry audit = AuditEntry.success(now, AuditAction.DEVICE_AUTHORIZATION_ISSUED,
        request.approver().tokenId(), origin, request.approver().rights().organization(), "",
        Map.of("purpose", request.purpose().name(), "approver", request.approver().rights().subject()));
    if (!store.claim(hash, now, audit)) {
      throw used();
    }
    Approver approver = request.approver();
    if (request.purpose() == Purpose.SESSION) {
      return new Poll(State.APPROVED, null,
          sessions.start(approver.rights(), SignInMethod.DEVICE, origin, approver.tokenId()));
    }
    return new Poll(State.APPROVED, tokens.create(approverCaller(approver, origin),
        draft(request, approver.rights()), request.tokenTtl()), null);
  }

  private static FailedPreconditionException used() {
    return new FailedPreconditionException("DEVICE_CODE_USED",
        "this device authorization was already handed out; start a new one");
  }

  /** The developer token a request asks for, as the approver's personal token. */
  private static TokenDraft draft(DeviceRequest request, Rights approver) {
    return new TokenDraft(TokenKind.PERSONAL,
        request.organization().isEmpty() ? approver.organization() : request.organization(),
        approver.subject(), request.label(),
        request.scopes(), List.of(), Map.of());
  }

  /** The approver as a caller, with the rights they had when they approved. */
  private static Caller approverCaller(Approver approver, Origin origin) {
    Rights r = approver.rights();
    return new Caller(approver.tokenId(), true, r.organization(), r.subject(), r.scopes(), r.groups(),
        origin, false);
  }

  private static void requirePending(DeviceRequest request, Instant now) {
    State state = request.stateAt(now);
    if (state == State.EXPIRED) {
      throw new FailedPreconditionException("DEVICE_AUTHORIZATION_EXPIRED",
          "this request expired at " + request.expireTime() + "; start a new one on the device");
    }
    if (state != State.PENDING) {
      throw new FailedPreconditionException("DEVICE_AUTHORIZATION_DECIDED",
          "this request was " + state.name().toLowerCase() + " already");
    }
  }

  /** Only a person (not a machine's token) approves devices; the codes they enter count against them. */
  private static String requirePerson(Caller caller) {
    if (!caller.personal() && !caller.isAdmin()) {
      throw new dev.tokenauthority.server.error.PermissionDeniedException("PERSON_REQUIRED",
          "device requests are read and approved by a signed-in person (a session, or a personal or"
              + " admin token)");
    }
    return caller.organization() + "\u0000" + (caller.subject().isEmpty() ? caller.tokenId() : caller.subject());
  }
}
