package dev.tokenauthority.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Scope implication, shared by the server and its clients: {@code admin} covers everything and
 * {@code x:write} covers {@code x:read}.
 */
public final class ScopeRules {
  /** The scope that implies every other. */
  public static final String ADMIN = "admin";

  private static final String READ = ":read";
  private static final String WRITE = ":write";

  private ScopeRules() {}

  /** Whether holding {@code held} grants {@code required}. */
  public static boolean covers(Collection<String> held, String required) {
    if (held.contains(ADMIN) || held.contains(required)) {
      return true;
    }
    return required.endsWith(READ)
        && held.contains(required.substring(0, required.length() - READ.length()) + WRITE);
  }

  /** The scopes of {@code required} that {@code held} does not grant, in order, once each. */
  public static List<String> missing(Collection<String> held, Collection<String> required) {
    List<String> missing = null; // the common answer, nothing missing, allocates nothing
    for (String scope : required) {
      if (!covers(held, scope)) {
        if (missing == null) {
          missing = new ArrayList<>();
        }
        if (!missing.contains(scope)) {
          missing.add(scope);
        }
      }
    }
    return missing == null ? List.of() : List.copyOf(missing);
  }
}
