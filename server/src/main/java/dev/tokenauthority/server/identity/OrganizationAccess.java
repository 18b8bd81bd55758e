package dev.tokenauthority.server.identity;

import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.Violations;
import java.util.regex.Pattern;

/**
 * The rules every feature shares about a caller: the scopes that gate them, and the one
 * organisation a non-admin caller acts in. Token-specific reach (self-service, kinds) lives with
 * the tokens ({@code token.AccessPolicy}).
 */
public final class OrganizationAccess {
  public static final String TOKENS_READ = "tokens:read";
  public static final String TOKENS_WRITE = "tokens:write";
  public static final String TOKENS_INTROSPECT = "tokens:introspect";
  public static final String PERSONAL_TOKENS_READ = "personal-tokens:read";
  public static final String PERSONAL_TOKENS_WRITE = "personal-tokens:write";
  public static final String CONNECTORS_READ = "connectors:read";
  public static final String CONNECTORS_WRITE = "connectors:write";

  /** Organisation slugs: lower-case letters, digits and '-', 1-63, starting alphanumeric. */
  public static final Pattern ORGANIZATION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private OrganizationAccess() {}

  /** The caller must hold {@code scope}. */
  public static void requireScope(Caller caller, String scope) {
    if (!caller.scopes().covers(scope)) {
      throw new PermissionDeniedException(
          "MISSING_SCOPE", "this call needs scope " + scope + ", which the calling token lacks");
    }
  }

  /**
   * The organisation everything a caller does with {@code scope} is confined to; null for
   * admins (every organisation). A write scope also needs a caller that was not rotated away.
   */
  public static String organizationReach(Caller caller, String scope) {
    if (scope.endsWith(":write")) {
      requireNotRetired(caller);
    }
    requireScope(caller, scope);
    if (caller.isAdmin()) {
      return null;
    }
    requireInOrganization(caller);
    return caller.organization();
  }

  /** The organisation a list asks for, within the caller's reach ({@code null}: every one). */
  public static String listOrganization(String reached, String requested) {
    if (reached == null) {
      return requested.isEmpty() ? null : requested;
    }
    if (!requested.isEmpty() && !requested.equals(reached)) {
      throw outside(reached);
    }
    return reached;
  }

  /** Refuses a caller naming an organisation other than {@code own}. */
  public static PermissionDeniedException outside(String own) {
    return new PermissionDeniedException(
        "OUTSIDE_ORGANIZATION", "this token may only act within organization " + own);
  }

  /** A non-admin caller acts only inside an organisation. */
  public static void requireInOrganization(Caller caller) {
    if (caller.organization().isEmpty()) {
      throw new PermissionDeniedException(
          "OUTSIDE_ORGANIZATION",
          "only tokens with scope admin may act outside an organization");
    }
  }

  /**
   * A token in its rotation grace period keeps working for the services it calls, but manages
   * nothing: else a leaked old secret could rotate its own replacement, or mint new tokens.
   */
  public static void requireNotRetired(Caller caller) {
    if (caller.retired()) {
      throw new PermissionDeniedException("CALLER_TOKEN_ROTATED", "the calling token was rotated"
          + " and only works for its grace period; it may not manage tokens or connectors. Use its"
          + " replacement.");
    }
  }

  /** Checks that {@code organization} is a slug. */
  public static void checkOrganization(String organization, String field, Violations v) {
    if (!ORGANIZATION.matcher(organization).matches()) {
      v.add(field, "FIELD_INVALID",
          "organization must be 1-63 lower-case letters, digits or '-', starting with a letter or"
              + " digit");
    }
  }
}
