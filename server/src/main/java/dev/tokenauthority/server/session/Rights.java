package dev.tokenauthority.server.session;

import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.scope.ScopeSet;
import java.util.List;

/**
 * What a signed-in person may do: a snapshot taken at sign-in and carried by every access token
 * of the session, as a token carries its scopes and groups.
 *
 * @param organization the organisation the session acts in (empty: an admin's every one, or none)
 * @param organizations where the person may sign in, for switching
 * @param mayCreateTokens whether the person may make their own developer tokens
 */
public record Rights(String subject, String organization, List<String> organizations, Role role,
    ScopeSet scopes, List<String> groups, boolean mayCreateTokens) {

  public Rights {
    organizations = List.copyOf(organizations);
    groups = List.copyOf(groups);
  }

  /** The rights of a person signing in with {@code caller}'s own personal or system token. */
  static Rights ofToken(Caller caller, String subject) {
    ScopeSet scopes = caller.scopes();
    Role role = scopes.isAdmin() ? Role.ADMIN
        : scopes.covers(OrganizationAccess.TOKENS_WRITE) ? Role.MANAGER : Role.MEMBER;
    boolean mayCreate = scopes.isAdmin() || scopes.covers(OrganizationAccess.TOKENS_WRITE)
        || scopes.covers(OrganizationAccess.PERSONAL_TOKENS_WRITE);
    List<String> organizations = caller.organization().isEmpty() ? List.of() : List.of(caller.organization());
    return new Rights(subject, caller.organization(), organizations, role, scopes, caller.groups(), mayCreate);
  }
}
