package dev.tokenauthority.client;

import dev.tokenauthority.api.v1.InactiveReason;
import java.util.List;

/**
 * The answer to {@link TokenIntrospector#check}.
 *
 * @param active whether the token works now
 * @param allowed whether it is active and its scopes cover the required ones
 * @param principal who it speaks for; null when inactive
 * @param missingScopes required scopes it lacks
 * @param reason why it is inactive; {@code INACTIVE_REASON_UNSPECIFIED} when active
 */
public record CheckResult(
    boolean active, boolean allowed, Principal principal, List<String> missingScopes,
    InactiveReason reason) {

  static CheckResult inactive(InactiveReason reason) {
    return new CheckResult(false, false, null, List.of(), reason);
  }
}
