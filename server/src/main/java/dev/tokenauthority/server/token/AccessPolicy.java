package dev.tokenauthority.server.token;

import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.scope.ScopeSet;
import java.util.Collection;
import java.util.List;

/**
 * Who may do what. Admins may do everything; other callers act inside their own organisation
 * and can never hand out scopes or groups they do not hold.
 */
final class AccessPolicy {
  static final String TOKENS_READ = "tokens:read";
  static final String TOKENS_WRITE = "tokens:write";
  static final String TOKENS_INTROSPECT = "tokens:introspect";

  private AccessPolicy() {}

  /** The caller must hold {@code scope}. */
  static void requireScope(Caller caller, String scope) {
    if (!caller.scopes().covers(scope)) {
      throw new PermissionDeniedException(
          "MISSING_SCOPE", "this call needs scope " + scope + ", which the calling token lacks");
    }
  }

  /**
   * The caller must be allowed to see a token of {@code organization}. A token the caller may not
   * see answers exactly like one that does not exist, so ids cannot be probed across organisations.
   */
  static void requireVisible(Caller caller, TokenRecord token) {
    if (!caller.isAdmin() && !sameOrganization(caller, token.organization())) {
      throw notFound(token.id());
    }
  }

  static NotFoundException notFound(String id) {
    return new NotFoundException("TOKEN_NOT_FOUND", "token " + id + " not found");
  }

  /** The organisation a caller's list is confined to; empty means every one (admins only). */
  static String listOrganization(Caller caller, String requested) {
    if (caller.isAdmin()) {
      return requested;
    }
    if (requested.isEmpty() || sameOrganization(caller, requested)) {
      requireInOrganization(caller);
      return caller.organization();
    }
    throw outside(caller);
  }

  /** The caller may issue a token of {@code kind} in {@code organization} with these grants. */
  static void requireMayIssue(
      Caller caller, TokenKind kind, String organization, ScopeSet scopes, List<String> groups) {
    if (caller.isAdmin()) {
      return;
    }
    if (kind == TokenKind.SYSTEM) {
      throw new PermissionDeniedException(
          "ADMIN_REQUIRED", "only tokens with scope admin may create system tokens");
    }
    requireInOrganization(caller);
    if (!sameOrganization(caller, organization)) {
      throw outside(caller);
    }
    requireGrantable(caller, scopes.asList(), groups);
  }

  /** The caller must hold every scope and group it hands out (admins excepted). */
  static void requireGrantable(Caller caller, Collection<String> scopes, List<String> groups) {
    if (caller.isAdmin()) {
      return;
    }
    List<String> missing = caller.scopes().missing(scopes);
    if (!missing.isEmpty()) {
      throw new PermissionDeniedException(
          "SCOPE_NOT_HELD",
          "a token cannot grant scopes it does not hold itself: " + String.join(", ", missing));
    }
    List<String> foreign = groups.stream().filter(g -> !caller.groups().contains(g)).toList();
    if (!foreign.isEmpty()) {
      throw new PermissionDeniedException(
          "GROUP_NOT_HELD",
          "a token cannot grant groups it does not belong to: " + String.join(", ", foreign));
    }
  }

  private static void requireInOrganization(Caller caller) {
    if (caller.organization().isEmpty()) {
      throw new PermissionDeniedException(
          "OUTSIDE_ORGANIZATION",
          "only tokens with scope admin may manage tokens outside an organization");
    }
  }

  private static boolean sameOrganization(Caller caller, String organization) {
    return !caller.organization().isEmpty() && caller.organization().equals(organization);
  }

  private static PermissionDeniedException outside(Caller caller) {
    return caller.organization().isEmpty()
        ? new PermissionDeniedException(
            "OUTSIDE_ORGANIZATION",
            "only tokens with scope admin may manage tokens outside an organization")
        : new PermissionDeniedException(
            "OUTSIDE_ORGANIZATION",
            "this token may only manage tokens of organization " + caller.organization());
  }
}
