package dev.tokenauthority.server.token;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** Lifetime bounds per token kind. */
public final class LifetimePolicy {
  private final Map<TokenKind, Lifetime> byKind;

  public LifetimePolicy(Map<TokenKind, Lifetime> byKind) {
    for (TokenKind kind : TokenKind.values()) {
      if (!byKind.containsKey(kind)) {
        throw new IllegalArgumentException("no lifetime for " + kind);
      }
    }
    this.byKind = new EnumMap<>(byKind);
  }

  /**
   * The defaults, from the products this service replaces: personal 1-90 days (30), organisation
   * 30-365 (90), service 90-365 (90), system 1 hour-365 days (90), session access tokens 5 minutes-1 day (1 hour).
   */
  public static LifetimePolicy defaults() {
    Map<TokenKind, Lifetime> map = new EnumMap<>(TokenKind.class);
    map.put(TokenKind.PERSONAL, new Lifetime(days(1), days(90), days(30)));
    map.put(TokenKind.ORGANIZATION, new Lifetime(days(30), days(365), days(90)));
    map.put(TokenKind.SERVICE, new Lifetime(days(90), days(365), days(90)));
    map.put(TokenKind.SYSTEM, new Lifetime(Duration.ofHours(1), days(365), days(90)));
    map.put(TokenKind.SESSION, new Lifetime(Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(1)));
    return new LifetimePolicy(map);
  }

  public Lifetime of(TokenKind kind) {
    return byKind.get(kind);
  }

  private static Duration days(int n) {
    return Duration.ofDays(n);
  }
}
