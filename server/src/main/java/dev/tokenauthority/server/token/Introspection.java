package dev.tokenauthority.server.token;

import java.time.Instant;
import java.util.List;

/**
 * The answer about a presented secret.
 *
 * @param token the token, only when active
 * @param reason why it is inactive; null when active
 * @param missingScopes required scopes the active token does not cover
 * @param cacheUntil how long the active answer may be reused; null when inactive
 */
public record Introspection(
    boolean active, boolean allowed, TokenRecord token, InactiveReason reason,
    List<String> missingScopes, Instant cacheUntil) {

  static Introspection inactive(InactiveReason reason) {
    return new Introspection(false, false, null, reason, List.of(), null);
  }
}
