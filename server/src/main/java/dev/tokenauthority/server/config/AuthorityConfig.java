package dev.tokenauthority.server.config;

import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.token.Lifetime;
import dev.tokenauthority.server.token.LifetimePolicy;
import dev.tokenauthority.server.token.TokenKind;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator may configure in the {@code --config} file (Java properties):
 *
 * <pre>
 * # Replaces the default scope catalogue ("admin" is always there).
 * scopes = lenses:read lenses:write tokens:read tokens:write tokens:introspect
 * # Lifetime bounds per kind (personal, organization, service, system): 30d, 12h, 90m, 45s or ISO-8601.
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
    int listCallsPerToken) {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern LIFETIME_KEY = Pattern.compile("lifetime\\.([a-z]+)\\.(min|max|default)");
  private static final String SCOPES = "scopes";
  private static final String FLUSH_INTERVAL = "last-use.flush-interval";
  private static final String MAX_CACHE = "introspection.max-cache";
  private static final String HEARTBEAT = "revocation-feed.heartbeat";
  private static final String RETENTION = "revocation-feed.retention";
  private static final String STREAMS_PER_TOKEN = "revocation-feed.max-streams-per-token";
  private static final String MAX_STALL = "revocation-feed.max-stall";
  private static final String TOKEN_CACHE_SIZE = "token-cache.size";
  private static final String PERSONAL_LIMIT = "personal-tokens.max-active";
  private static final String AUDIT_RETENTION = "audit.retention";
  private static final String LEAK_REPORTS = "leak-reports.per-minute";
  private static final String LIST_CALLS = "list.max-concurrent-per-token";

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

    public AuthorityConfig build() {
      return new AuthorityConfig(scopes, lifetimes, lastUseFlushInterval, maxCache, feedHeartbeat,
          feedRetention, feedStreamsPerToken, feedMaxStall, tokenCacheSize, personalTokenLimit,
          auditRetention, leakReportsPerMinute, listCallsPerToken);
    }
  }

  /** Reads {@code file}, falling back to the defaults for keys it does not set. */
  public static AuthorityConfig load(Path file) {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    try {
      return parse(props);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new ConfigException("config file " + file + ": " + e.getMessage());
    }
  }

  static AuthorityConfig parse(Properties props) {
    AuthorityConfig defaults = defaults();
    Set<String> unknown = new HashSet<>(props.stringPropertyNames());

    ScopeCatalogue scopes = defaults.scopes();
    if (props.containsKey(SCOPES)) {
      unknown.remove(SCOPES);
      List<String> listed = Arrays.stream(props.getProperty(SCOPES).split("[\\s,]+"))
          .filter(s -> !s.isEmpty()).toList();
      scopes = ScopeCatalogue.of(listed);
    }

    Map<TokenKind, Lifetime> lifetimes = new EnumMap<>(TokenKind.class);
    for (TokenKind kind : TokenKind.values()) {
      Lifetime base = defaults.lifetimes().of(kind);
      String prefix = "lifetime." + kind.name().toLowerCase(Locale.ROOT) + ".";
      Duration min = duration(props, prefix + "min", base.min(), unknown);
      Duration max = duration(props, prefix + "max", base.max(), unknown);
      Duration dflt = duration(props, prefix + "default", base.defaultTtl(), unknown);
      try {
        lifetimes.put(kind, new Lifetime(min, max, dflt));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(prefix + "*: " + e.getMessage());
      }
    }
    Duration flush = positive(props, FLUSH_INTERVAL, defaults.lastUseFlushInterval(), unknown);
    Duration maxCache = duration(props, MAX_CACHE, defaults.maxCache(), unknown);
    if (maxCache.isNegative()) {
      throw new ConfigException(MAX_CACHE + " must not be negative");
    }
    Duration heartbeat = positive(props, HEARTBEAT, defaults.feedHeartbeat(), unknown);
    Duration retention = positive(props, RETENTION, defaults.feedRetention(), unknown);
    long cacheSize = defaults.tokenCacheSize();
    if (props.containsKey(TOKEN_CACHE_SIZE)) {
      unknown.remove(TOKEN_CACHE_SIZE);
      try {
        cacheSize = Long.parseLong(props.getProperty(TOKEN_CACHE_SIZE).trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(TOKEN_CACHE_SIZE + " must be a whole number");
      }
      if (cacheSize < 0) {
        throw new ConfigException(TOKEN_CACHE_SIZE + " must not be negative");
      }
    }
    int personalLimit = wholeNumber(props, PERSONAL_LIMIT, defaults.personalTokenLimit(), 0, unknown);
    Duration auditRetention = props.containsKey(AUDIT_RETENTION)
        ? positive(props, AUDIT_RETENTION, null, unknown) : null;
    int leakReports = wholeNumber(props, LEAK_REPORTS, defaults.leakReportsPerMinute(), 1, unknown);
    int streams = wholeNumber(props, STREAMS_PER_TOKEN, defaults.feedStreamsPerToken(), 1, unknown);
    Duration maxStall = positive(props, MAX_STALL, defaults.feedMaxStall(), unknown);
    int listCalls = wholeNumber(props, LIST_CALLS, defaults.listCallsPerToken(), 1, unknown);
    if (!unknown.isEmpty()) {
      String hint = unknown.stream().anyMatch(k -> LIFETIME_KEY.matcher(k).matches())
          ? " (lifetime kinds are personal, organization, service, system)" : "";
      throw new ConfigException("unknown keys " + unknown.stream().sorted().toList() + hint);
    }
    return new AuthorityConfig(
        scopes, new LifetimePolicy(lifetimes), flush, maxCache, heartbeat, retention, streams, maxStall,
        cacheSize, personalLimit, auditRetention, leakReports, listCalls);
  }

  private static int wholeNumber(Properties props, String key, int dflt, int min, Set<String> unknown) {
    unknown.remove(key);
    String value = props.getProperty(key);
    if (value == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a whole number");
    }
    if (n < min) {
      throw new ConfigException(key + " must be at least " + min);
    }
    return n;
  }

  private static Duration positive(Properties props, String key, Duration dflt, Set<String> unknown) {
    Duration d = duration(props, key, dflt, unknown);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key + " must be positive");
    }
    return d;
  }

  /** Parses "30d", "12h", "90m", "45s", "500ms" or ISO-8601 ("P30D", "PT12H"). */
  static Duration parseDuration(String text) {
    String t = text.trim();
    Matcher m = SHORT_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (DateTimeParseException e) {
      throw new ConfigException("'" + text + "' is not a duration (say 30d, 12h, 90m, 45s or P30D)");
    }
  }

  private static Duration duration(Properties props, String key, Duration dflt, Set<String> unknown) {
    unknown.remove(key);
    String value = props.getProperty(key);
    if (value == null) {
      return dflt;
    }
    try {
      return parseDuration(value);
    } catch (ConfigException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}
