package dev.tokenauthority.server.session;

import dev.tokenauthority.server.error.FailedPreconditionException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.oidc.Person;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.token.TokenRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an identity provider's groups mean here, in the spirit of LISA's {@code authConfig}: one
 * group makes an admin, groups named by a pattern make someone a manager or a member of an
 * organisation ({@code org:{organization}:manager}), and one group lets members make their own
 * developer tokens. Computed at sign-in; the session carries the result.
 *
 * @param adminGroup empty: nobody becomes admin through the identity provider
 * @param apiGroup empty: members may not make their own tokens (managers and admins may)
 */
public record GroupMapping(String adminGroup, String managerPattern, String memberPattern,
    String apiGroup, ScopeSet managerScopes, ScopeSet memberScopes) {
  /** Where a pattern names the organisation. */
  public static final String ORGANIZATION_PLACEHOLDER = "{organization}";
  static final String PERSONAL_TOKENS_WRITE = OrganizationAccess.PERSONAL_TOKENS_WRITE;

  public GroupMapping {
    for (String pattern : List.of(managerPattern, memberPattern)) {
      if (!pattern.contains(ORGANIZATION_PLACEHOLDER)) {
        throw new IllegalArgumentException("group pattern '" + pattern + "' must contain " + ORGANIZATION_PLACEHOLDER);
      }
    }
  }

  /**
   * The defaults for {@code catalogue}: members get every product scope and may read their own
   * tokens; managers also manage their organisation's tokens and connectors.
   */
  public static GroupMapping defaults(ScopeCatalogue catalogue) {
    List<String> member = new ArrayList<>();
    for (String scope : catalogue.scopes()) {
      if (!ScopeSet.ADMIN.equals(scope) && !scope.startsWith("tokens:") && !scope.startsWith("personal-tokens:")
          && !scope.startsWith("connectors:")) {
        member.add(scope);
      }
    }
    member.add(OrganizationAccess.PERSONAL_TOKENS_READ);
    List<String> manager = new ArrayList<>(member);
    manager.addAll(List.of(OrganizationAccess.TOKENS_WRITE, OrganizationAccess.CONNECTORS_WRITE, PERSONAL_TOKENS_WRITE));
    return new GroupMapping("", "org:" + ORGANIZATION_PLACEHOLDER + ":manager",
        "org:" + ORGANIZATION_PLACEHOLDER + ":member", "", ScopeSet.of(manager), ScopeSet.of(member));
  }

  /**
   * The rights {@code person} signs in with, acting in {@code requested} (empty: their only
   * organisation, if they have one).
   *
   * @throws PermissionDeniedException if no group gives them a role, or not in {@code requested}
   * @throws FailedPreconditionException if they belong to several organisations and named none
   */
  public Rights rightsOf(Person person, String requested) {
    Set<String> groups = Set.copyOf(person.groups());
    TreeSet<String> managed = organizations(managerPattern, groups);
    TreeSet<String> all = new TreeSet<>(managed);
    all.addAll(organizations(memberPattern, groups));
    boolean admin = !adminGroup.isEmpty() && groups.contains(adminGroup);
    boolean api = !apiGroup.isEmpty() && groups.contains(apiGroup);
    List<String> tokenGroups = person.groups().stream()
        .filter(g -> TokenRules.GROUP.matcher(g).matches()).distinct().sorted().limit(TokenRules.MAX_GROUPS).toList();
    if (admin) {
      return new Rights(person.subject(), requested, List.copyOf(all), Role.ADMIN,
          ScopeSet.of(List.of(ScopeSet.ADMIN)), tokenGroups, true);
    }
    if (all.isEmpty()) {
      throw new PermissionDeniedException("NO_ROLE", person.subject() + " is in no group that gives a role"
          + " here: an organization's manager or member group (" + memberPattern + ")"
          + (adminGroup.isEmpty() ? "" : ", or the admin group") + "; ask an administrator to add you");
    }
    String organization = requested;
    if (organization.isEmpty()) {
      if (all.size() > 1) {
        throw new FailedPreconditionException("ORGANIZATION_REQUIRED", person.subject()
            + " belongs to several organizations; sign in to one of " + String.join(", ", all)
            + " (SignInRequest.organization)");
      }
      organization = all.first();
    } else if (!all.contains(organization)) {
      throw new PermissionDeniedException("NOT_IN_ORGANIZATION",
          person.subject() + " is not a member of organization " + organization);
    }
    boolean manager = managed.contains(organization);
    List<String> scopes = new ArrayList<>((manager ? managerScopes : memberScopes).asList());
    if (api) {
      scopes.add(PERSONAL_TOKENS_WRITE);
    }
    return new Rights(person.subject(), organization, List.copyOf(all), manager ? Role.MANAGER : Role.MEMBER,
        ScopeSet.of(scopes), tokenGroups, manager || api);
  }

  /** The organisations that groups matching {@code pattern} name. */
  private static TreeSet<String> organizations(String pattern, Set<String> groups) {
    int at = pattern.indexOf(ORGANIZATION_PLACEHOLDER);
    Pattern regex = Pattern.compile(Pattern.quote(pattern.substring(0, at)) + "("
        + OrganizationAccess.ORGANIZATION.pattern() + ")"
        + Pattern.quote(pattern.substring(at + ORGANIZATION_PLACEHOLDER.length())));
    TreeSet<String> found = new TreeSet<>();
    for (String group : groups) {
      Matcher m = regex.matcher(group);
      if (m.matches()) {
        found.add(m.group(1));
      }
    }
    return found;
  }
}
