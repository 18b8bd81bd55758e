package dev.tokenauthority.server.token;

import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.scope.ScopeSet;
import java.util.Collection;
import java.util.List;

/**
 * Which tokens a caller may touch (the organisation-wide rules are {@link OrganizationAccess}). Admins may do everything. Organisation managers ({@code tokens:write}) and
 * readers ({@code tokens:read}) act inside their own organisation. A personal token with
 * {@code personal-tokens:write} (or {@code :read}) manages only its own subject's personal tokens.
 * Nobody hands out scopes or groups they do not hold. Anything out of reach answers like something
 * that does not exist, so ids cannot be probed across organisations.
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  /** The tokens a caller reading ({@code write} false) or changing them may touch. */
  static Reach tokenReach(Caller caller, boolean write) {
    if (write) {
      OrganizationAccess.requireNotRetired(caller);
    }
    if (caller.isAdmin()) {
      return Reach.ALL;
    }
    String manage = write ? OrganizationAccess.TOKENS_WRITE : OrganizationAccess.TOKENS_READ;
    if (caller.scopes().covers(manage)) {
      OrganizationAccess.requireInOrganization(caller);
      return new Reach(caller.organization(), null, null);
    }
    String self = write ? OrganizationAccess.PERSONAL_TOKENS_WRITE : OrganizationAccess.PERSONAL_TOKENS_READ;
    if (caller.personal() && caller.scopes().covers(self)) {
      return new Reach(caller.organization(), caller.subject(), TokenKind.PERSONAL);
    }
    throw new PermissionDeniedException("MISSING_SCOPE",
        "this call needs scope " + manage + ", or " + self + " on a personal token for its own"
            + " subject's personal tokens; the calling token has neither");
  }

  /** A token out of the caller's reach is, to the caller, a token that does not exist. */
  static void requireVisible(Reach reach, TokenRecord token) {
    if (!reach.contains(token)) {
      throw notFound(token.id());
    }
  }

  static NotFoundException notFound(String id) {
    return new NotFoundException("TOKEN_NOT_FOUND", "token " + id + " not found");
  }

  /** The caller may issue a token of {@code kind} for {@code organization} and {@code subject}. */
  static void requireMayIssue(Caller caller, Reach reach, TokenKind kind, String organization,
      String subject, ScopeSet scopes, List<String> groups) {
    if (caller.isAdmin()) {
      return;
    }
    if (kind == TokenKind.SYSTEM) {
      throw new PermissionDeniedException(
          "ADMIN_REQUIRED", "only tokens with scope admin may create system tokens");
    }
    if (reach.isSelfService()) {
      if (kind != TokenKind.PERSONAL || !reach.subject().equals(subject)) {
        throw new PermissionDeniedException("SELF_SERVICE_ONLY",
            "this token may only create personal tokens for its own subject " + reach.subject());
      }
      if (!reach.organization().equals(organization)) {
        throw new PermissionDeniedException("OUTSIDE_ORGANIZATION",
            reach.organization().isEmpty()
                ? "this token may only create personal tokens without an organization"
                : "this token may only create personal tokens of organization " + reach.organization());
      }
    } else if (!organization.equals(reach.organization())) {
      throw OrganizationAccess.outside(reach.organization());
    }
    requireGrantable(caller, scopes.asList(), groups);
  }

  /** The caller must hold every scope and group it hands out (admins excepted). */
  public static void requireGrantable(Caller caller, Collection<String> scopes, List<String> groups) {
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
}
