package dev.tokenauthority.server.config;

import dev.tokenauthority.server.device.DeviceSettings;
import dev.tokenauthority.server.oidc.OidcSettings;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.session.GroupMapping;
import dev.tokenauthority.server.session.SessionSettings;
import dev.tokenauthority.server.token.LifetimePolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What an operator may configure in the {@code --config} file (Java properties):
 *
 * <pre>
 * # Replaces the default scope catalogue ("admin" is always there).
 * scopes = lenses:read lenses:write tokens:read tokens:write tokens:introspect
 * # Lifetime bounds per kind (personal, organization, service, system, session): 30d, 12h, 90m, 45s or ISO-8601.
 * lifetime.personal.min = 1d
 * lifetime.personal.max = 90d
 * lifetime.personal.default = 30d
 * # How often last-use times are written (write-behind).
 * last-use.flush-interval = 5s
 * # The longest a client may reuse an introspection answer (cache_until).
 * introspection.max-cache = 5m
 * # How many token records the server keeps in memory for authentication and introspection.
 * token-cache.size = 50000
 * # How often an idle revocation feed says it is alive, and how long revocations are kept for
 * # clients that reconnect (older gaps make them drop their caches).
 * revocation-feed.heartbeat = 1s
 * revocation-feed.retention = 7d
 * # The most WatchRevocations streams one token may hold open, and how long a stream may stay
 * # behind without reading before it is ended with RESOURCE_EXHAUSTED (the client resumes).
 * revocation-feed.max-streams-per-token = 100
 * revocation-feed.max-stall = 30s
 * # The most list calls (tokens, connectors, audit events) one token may run at once.
 * list.max-concurrent-per-token = 4
 * # The most active personal tokens one subject may have (0: no limit; 1: "one token per user").
 * personal-tokens.max-active = 0
 * # How long audit events are kept (absent: for ever); pruning is itself audited.
 * audit.retention = 400d
 * # Leak reports each peer address may send per minute.
 * leak-reports.per-minute = 30
 * # Sessions: a refresh token lapses unused after refresh-idle; none goes past refresh-absolute.
 * # (The access token's lifetime is lifetime.session.*, 1 hour by default.)
 * session.refresh-idle = 30d
 * session.refresh-absolute = 90d
 * # The OIDC identity provider people sign in with (absent: people sign in with a token).
 * oidc.issuer = https://login.example.com/realms/platform
 * oidc.audience = token-authority
 * oidc.subject-claim = email
 * oidc.groups-claim = groups
 * oidc.leeway = 30s
 * # The dashboard signs in with the authorization code flow and PKCE as client oidc.audience;
 * # a confidential client reads its secret from this file.
 * oidc.client-secret-file = /etc/token-authority/oidc-client-secret
 * # What groups mean: the admin group, the manager and member groups of an organization, the
 * # group whose members may make their own developer tokens, and the scopes of each role.
 * groups.admin = platform-admins
 * groups.manager = org:{organization}:manager
 * groups.member = org:{organization}:member
 * groups.api = api-users
 * groups.manager-scopes = lenses:write tokens:write connectors:write personal-tokens:write
 * groups.member-scopes = lenses:read personal-tokens:read
 * # The device flow: where people approve, and how many requests an address may start a minute.
 * device.verification-uri = https://tokens.example.com/device
 * device.starts-per-minute = 10
 * </pre>
 *
 * Unknown keys are refused, so a typo cannot silently leave a default in place.
 */
public record AuthorityConfig(
    ScopeCatalogue scopes,
    LifetimePolicy lifetimes,
    Duration lastUseFlushInterval,
    Duration maxCache,
    Duration feedHeartbeat,
    Duration feedRetention,
    int feedStreamsPerToken,
    Duration feedMaxStall,
    long tokenCacheSize,
    int personalTokenLimit,
    Duration auditRetention,
    int leakReportsPerMinute,
    int listCallsPerToken,
    SessionSettings sessions,
    OidcSettings oidc,
    GroupMapping groups,
    DeviceSettings devices) {
  /** The built-in defaults. */
  public static AuthorityConfig defaults() {
    return new Builder().build();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.scopes = scopes;
    b.lifetimes = lifetimes;
    b.lastUseFlushInterval = lastUseFlushInterval;
    b.maxCache = maxCache;
    b.feedHeartbeat = feedHeartbeat;
    b.feedRetention = feedRetention;
    b.feedStreamsPerToken = feedStreamsPerToken;
    b.feedMaxStall = feedMaxStall;
    b.tokenCacheSize = tokenCacheSize;
    b.personalTokenLimit = personalTokenLimit;
    b.auditRetention = auditRetention;
    b.leakReportsPerMinute = leakReportsPerMinute;
    b.listCallsPerToken = listCallsPerToken;
    b.sessions = sessions;
    b.oidc = oidc;
    b.groups = groups;
    b.devices = devices;
    return b;
  }

  /** Named settings, each starting at its default. */
  public static final class Builder {
    private ScopeCatalogue scopes = ScopeCatalogue.defaults();
    private LifetimePolicy lifetimes = LifetimePolicy.defaults();
    private Duration lastUseFlushInterval = Duration.ofSeconds(5);
    private Duration maxCache = Duration.ofMinutes(5);
    private Duration feedHeartbeat = Duration.ofSeconds(1);
    private Duration feedRetention = Duration.ofDays(7);
    private int feedStreamsPerToken = 100;
    private Duration feedMaxStall = Duration.ofSeconds(30);
    private long tokenCacheSize = 50_000;
    private int personalTokenLimit = 0;
    private Duration auditRetention = null;
    private int leakReportsPerMinute = 30;
    private int listCallsPerToken = 4;
    private SessionSettings sessions = SessionSettings.defaults();
    private OidcSettings oidc = null;
    private GroupMapping groups = null;
    private DeviceSettings devices = DeviceSettings.defaults();

    public Builder scopes(ScopeCatalogue catalogue) {
      this.scopes = catalogue;
      return this;
    }

    public Builder lifetimes(LifetimePolicy policy) {
      this.lifetimes = policy;
      return this;
    }

    /** The longest a client may reuse an introspection answer. */
    public Builder maxCache(Duration max) {
      this.maxCache = max;
      return this;
    }

    /** How long revocations are kept for clients that reconnect. */
    public Builder feedRetention(Duration retention) {
      this.feedRetention = retention;
      return this;
    }

    /** How often last-use times are written (write-behind). */
    public Builder lastUseFlushInterval(Duration interval) {
      this.lastUseFlushInterval = interval;
      return this;
    }

    public Builder feedHeartbeat(Duration heartbeat) {
      this.feedHeartbeat = heartbeat;
      return this;
    }

    /** The most WatchRevocations streams one caller token may hold open at once. */
    public Builder feedStreamsPerToken(int streams) {
      this.feedStreamsPerToken = streams;
      return this;
    }

    /** How long a subscriber may stay behind without taking an event before it is ended. */
    public Builder feedMaxStall(Duration stall) {
      this.feedMaxStall = stall;
      return this;
    }

    public Builder tokenCacheSize(long size) {
      this.tokenCacheSize = size;
      return this;
    }

    /** The most active personal tokens per subject and organisation (0: none). */
    public Builder personalTokenLimit(int limit) {
      this.personalTokenLimit = limit;
      return this;
    }

    public Builder leakReportsPerMinute(int perMinute) {
      this.leakReportsPerMinute = perMinute;
      return this;
    }

    /** How long audit events are kept (null: for ever). */
    public Builder auditRetention(Duration retention) {
      this.auditRetention = retention;
      return this;
    }

    /** The most ListTokens/ListAuditEvents/ListConnectors calls one caller token may run at once. */
    public Builder listCallsPerToken(int calls) {
      this.listCallsPerToken = calls;
      return this;
    }

    /** How long refresh tokens last, unused and at most. */
    public Builder sessions(SessionSettings settings) {
      this.sessions = settings;
      return this;
    }

    /** The identity provider people sign in with (null: none; people sign in with a token). */
    public Builder oidc(OidcSettings settings) {
      this.oidc = settings;
      return this;
    }

    /** What the identity provider's groups mean (null: the defaults for the scope catalogue). */
    public Builder groups(GroupMapping mapping) {
      this.groups = mapping;
      return this;
    }

    public Builder devices(DeviceSettings settings) {
      this.devices = settings;
      return this;
    }

    public AuthorityConfig build() {
      return new AuthorityConfig(scopes, lifetimes, lastUseFlushInterval, maxCache, feedHeartbeat,
          feedRetention, feedStreamsPerToken, feedMaxStall, tokenCacheSize, personalTokenLimit,
          auditRetention, leakReportsPerMinute, listCallsPerToken, sessions, oidc,
          groups == null ? GroupMapping.defaults(scopes) : groups, devices);
    }
  }

  /** Reads {@code file} (see above), falling back to the defaults for keys it does not set. */
  public static AuthorityConfig load(Path file) {
    return ConfigFile.load(file);
  }
}
