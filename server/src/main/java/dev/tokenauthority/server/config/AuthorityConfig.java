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
 * </pre>
 *
 * Unknown keys are refused, so a typo cannot silently leave a default in place.
 */
public record AuthorityConfig(
    ScopeCatalogue scopes, LifetimePolicy lifetimes, Duration lastUseFlushInterval) {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern LIFETIME_KEY = Pattern.compile("lifetime\\.([a-z]+)\\.(min|max|default)");
  private static final String SCOPES = "scopes";
  private static final String FLUSH_INTERVAL = "last-use.flush-interval";

  /** The built-in defaults. */
  public static AuthorityConfig defaults() {
    return new AuthorityConfig(ScopeCatalogue.defaults(), LifetimePolicy.defaults(), Duration.ofSeconds(5));
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
    Duration flush = duration(props, FLUSH_INTERVAL, defaults.lastUseFlushInterval(), unknown);
    if (flush.isNegative() || flush.isZero()) {
      throw new ConfigException(FLUSH_INTERVAL + " must be positive");
    }
    if (!unknown.isEmpty()) {
      String hint = unknown.stream().anyMatch(k -> LIFETIME_KEY.matcher(k).matches())
          ? " (lifetime kinds are personal, organization, service, system)" : "";
      throw new ConfigException("unknown keys " + unknown.stream().sorted().toList() + hint);
    }
    return new AuthorityConfig(scopes, new LifetimePolicy(lifetimes), flush);
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
