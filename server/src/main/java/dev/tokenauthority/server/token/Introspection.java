package dev.tokenauthority.server.token;

import java.util.List;

/**
 * The answer about a presented secret.
 *
 * @param token the token, only when active
 * @param reason why it is inactive; null when active
 * @param missingScopes required scopes the active token does not cover
 */
public record Introspection(
    boolean active, boolean allowed, TokenRecord token, InactiveReason reason,
    List<String> missingScopes) {

  static Introspection inactive(InactiveReason reason) {
    return new Introspection(false, false, null, reason, List.of());
  }
}
