package dev.tokenauthority.server.config;

import dev.tokenauthority.server.device.DeviceSettings;
import dev.tokenauthority.server.oidc.OidcSettings;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.session.GroupMapping;
import dev.tokenauthority.server.session.SessionSettings;
import dev.tokenauthority.server.token.Lifetime;
import dev.tokenauthority.server.token.LifetimePolicy;
import dev.tokenauthority.server.token.TokenKind;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
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
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --config} properties file (its keys are listed on {@link AuthorityConfig}): each key
 * read sets one builder setting; a key nobody reads is refused, so a typo cannot silently leave a
 * default in place.
 */
final class ConfigFile {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern LIFETIME_KEY = Pattern.compile("lifetime\\.([a-z]+)\\.(min|max|default)");

  private final Properties props;
  private final Set<String> unread;

  private ConfigFile(Properties props) {
    this.props = props;
    this.unread = new HashSet<>(props.stringPropertyNames());
  }

  static AuthorityConfig load(Path file) {
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
    return new ConfigFile(props).read();
  }

  private AuthorityConfig read() {
    AuthorityConfig defaults = AuthorityConfig.defaults();
    AuthorityConfig.Builder b = defaults.toBuilder();
    ScopeCatalogue[] catalogue = {defaults.scopes()};
    text("scopes", value -> catalogue[0] = ScopeCatalogue.of(words(value)));
    b.scopes(catalogue[0]);
    b.lifetimes(lifetimes(defaults.lifetimes()));
    positive("last-use.flush-interval", b::lastUseFlushInterval);
    duration("introspection.max-cache", d -> b.maxCache(atLeast("introspection.max-cache", d, Duration.ZERO)));
    positive("revocation-feed.heartbeat", b::feedHeartbeat);
    positive("revocation-feed.retention", b::feedRetention);
    number("revocation-feed.max-streams-per-token", 1, n -> b.feedStreamsPerToken((int) n));
    positive("revocation-feed.max-stall", b::feedMaxStall);
    number("token-cache.size", 0, Long.MAX_VALUE, b::tokenCacheSize);
    number("personal-tokens.max-active", 0, n -> b.personalTokenLimit((int) n));
    positive("audit.retention", b::auditRetention);
    number("leak-reports.per-minute", 1, n -> b.leakReportsPerMinute((int) n));
    number("list.max-concurrent-per-token", 1, n -> b.listCallsPerToken((int) n));
    b.sessions(sessions(defaults.sessions()));
    b.oidc(oidc());
    b.groups(groups(GroupMapping.defaults(catalogue[0]), catalogue[0]));
    b.devices(devices(defaults.devices()));
    if (!unread.isEmpty()) {
      String hint = unread.stream().anyMatch(k -> LIFETIME_KEY.matcher(k).matches())
          ? " (lifetime kinds are personal, organization, service, system, session)" : "";
      throw new ConfigException("unknown keys " + unread.stream().sorted().toList() + hint);
    }
    return b.build();
  }

  private static List<String> words(String value) {
    return Arrays.stream(value.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
  }

  private SessionSettings sessions(SessionSettings base) {
    Duration[] d = {base.refreshIdle(), base.refreshAbsolute()};
    positive("session.refresh-idle", v -> d[0] = v);
    positive("session.refresh-absolute", v -> d[1] = v);
    if (d[0].compareTo(d[1]) > 0) {
      throw new ConfigException("session.refresh-idle must not be longer than session.refresh-absolute");
    }
    return new SessionSettings(d[0], d[1]);
  }

  /** The identity provider, if {@code oidc.issuer} is set; then {@code oidc.audience} is required. */
  private OidcSettings oidc() {
    String[] t = {null, null, "email", "groups", ""};
    Duration[] leeway = {Duration.ofSeconds(30)};
    text("oidc.issuer", v -> t[0] = v);
    text("oidc.audience", v -> t[1] = v);
    text("oidc.subject-claim", v -> t[2] = v);
    text("oidc.groups-claim", v -> t[3] = v);
    // The secret itself is read from a file (mode 0600, say): never on a command line or in this file.
    text("oidc.client-secret-file", v -> t[4] = readSecretFile("oidc.client-secret-file", v));
    duration("oidc.leeway", v -> leeway[0] = atLeast("oidc.leeway", v, Duration.ZERO));
    if (t[0] == null) {
      if (t[1] != null) {
        throw new ConfigException("oidc.audience is set but oidc.issuer is not");
      }
      return null;
    }
    if (t[1] == null || t[1].isEmpty()) {
      throw new ConfigException("oidc.issuer needs oidc.audience (the client id ID tokens are issued to)");
    }
    URI issuer;
    try {
      issuer = new URI(t[0]);
    } catch (URISyntaxException e) {
      throw new ConfigException("oidc.issuer is not a URL: " + e.getMessage());
    }
    if (!"https".equals(issuer.getScheme()) && !isLoopback(issuer)) {
      throw new ConfigException("oidc.issuer must be an https URL (http only on the loopback address)");
    }
    if (leeway[0].compareTo(Duration.ofMinutes(5)) > 0) {
      throw new ConfigException("oidc.leeway must be at most 5m");
    }
    return new OidcSettings(issuer, t[1], t[2], t[3], leeway[0], t[4]);
  }

  private static String readSecretFile(String key, String path) {
    try {
      String secret = java.nio.file.Files.readString(java.nio.file.Path.of(path)).strip();
      if (secret.isEmpty() || secret.length() > 1000) {
        throw new ConfigException(key + ": " + path + " must hold the secret (1-1000 characters)");
      }
      return secret;
    } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
      throw new ConfigException(key + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean isLoopback(URI uri) {
    return "http".equals(uri.getScheme())
        && List.of("localhost", "127.0.0.1", "[::1]").contains(String.valueOf(uri.getHost()));
  }

  private GroupMapping groups(GroupMapping base, ScopeCatalogue catalogue) {
    String[] t = {base.adminGroup(), base.managerPattern(), base.memberPattern(), base.apiGroup()};
    ScopeSet[] scopes = {base.managerScopes(), base.memberScopes()};
    text("groups.admin", v -> t[0] = v);
    text("groups.manager", v -> t[1] = v);
    text("groups.member", v -> t[2] = v);
    text("groups.api", v -> t[3] = v);
    text("groups.manager-scopes", v -> scopes[0] = knownScopes("groups.manager-scopes", v, catalogue));
    text("groups.member-scopes", v -> scopes[1] = knownScopes("groups.member-scopes", v, catalogue));
    try {
      return new GroupMapping(t[0], t[1], t[2], t[3], scopes[0], scopes[1]);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("groups.manager/groups.member: " + e.getMessage());
    }
  }

  private static ScopeSet knownScopes(String key, String value, ScopeCatalogue catalogue) {
    List<String> scopes = words(value);
    if (scopes.contains(ScopeSet.ADMIN)) {
      throw new ConfigException(key + " must not include admin: admins come from groups.admin alone");
    }
    List<String> unknown = scopes.stream().filter(s -> !catalogue.contains(s)).toList();
    if (!unknown.isEmpty()) {
      throw new ConfigException(key + ": not in the scope catalogue: " + unknown);
    }
    return ScopeSet.of(scopes);
  }

  private DeviceSettings devices(DeviceSettings base) {
    URI[] uri = {base.verificationUri()};
    int[] starts = {base.startsPerMinute()};
    text("device.verification-uri", v -> {
      try {
        uri[0] = new URI(v);
      } catch (URISyntaxException e) {
        throw new ConfigException("device.verification-uri is not a URL: " + e.getMessage());
      }
      if (!List.of("http", "https").contains(String.valueOf(uri[0].getScheme()))) {
        throw new ConfigException("device.verification-uri must be an http(s) URL");
      }
    });
    number("device.starts-per-minute", 1, n -> starts[0] = (int) n);
    return new DeviceSettings(uri[0], starts[0], base.guessesPerMinute(), base.expiry(), base.interval());
  }

  private LifetimePolicy lifetimes(LifetimePolicy defaults) {
    Map<TokenKind, Lifetime> lifetimes = new EnumMap<>(TokenKind.class);
    for (TokenKind kind : TokenKind.values()) {
      Lifetime base = defaults.of(kind);
      String prefix = "lifetime." + kind.name().toLowerCase(Locale.ROOT) + ".";
      Duration[] bounds = {base.min(), base.max(), base.defaultTtl()};
      duration(prefix + "min", d -> bounds[0] = d);
      duration(prefix + "max", d -> bounds[1] = d);
      duration(prefix + "default", d -> bounds[2] = d);
      try {
        lifetimes.put(kind, new Lifetime(bounds[0], bounds[1], bounds[2]));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(prefix + "*: " + e.getMessage());
      }
    }
    return new LifetimePolicy(lifetimes);
  }

  /** Hands {@code key}'s trimmed value to {@code setting}, if the file sets it. */
  private void text(String key, Consumer<String> setting) {
    unread.remove(key);
    String value = props.getProperty(key);
    if (value != null) {
      setting.accept(value.trim());
    }
  }

  /** A whole number from {@code min} up to what an int holds. */
  private void number(String key, long min, java.util.function.LongConsumer setting) {
    number(key, min, Integer.MAX_VALUE, setting);
  }

  /** A whole number from {@code min} to {@code max}. */
  private void number(String key, long min, long max, java.util.function.LongConsumer setting) {
    text(key, value -> {
      long n;
      try {
        n = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(key + " must be a whole number");
      }
      if (n < min) {
        throw new ConfigException(key + " must be at least " + min);
      }
      if (n > max) {
        throw new ConfigException(key + " must be at most " + max);
      }
      setting.accept(n);
    });
  }

  private void duration(String key, Consumer<Duration> setting) {
    text(key, value -> {
      Duration d;
      try {
        d = parseDuration(value);
      } catch (ConfigException e) {
        throw new ConfigException(key + ": " + e.getMessage());
      }
      setting.accept(d);
    });
  }

  private void positive(String key, Consumer<Duration> setting) {
    duration(key, d -> setting.accept(atLeast(key, d, Duration.ofNanos(1))));
  }

  private static Duration atLeast(String key, Duration d, Duration min) {
    if (d.compareTo(min) < 0) {
      throw new ConfigException(key + (min.isZero() ? " must not be negative" : " must be positive"));
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
}
