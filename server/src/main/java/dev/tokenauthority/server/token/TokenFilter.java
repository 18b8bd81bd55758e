package dev.tokenauthority.server.token;

import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.identity.OrganizationAccess;
import java.time.Instant;

/**
 * Which tokens a list or a bulk revocation asks for; empty strings and nulls match everything.
 *
 * @param creator matches tokens issued by this token id
 * @param lastUseBefore matches tokens not used since then, including never-used ones
 * @param withoutOrganization matches only tokens of no organisation (a self-service reach)
 * @param search matches tokens whose label, subject, creator or a group contains it, ignoring case
 * @param notKinds matches no token of these kinds
 * @param notIds matches none of these tokens
 */
public record TokenFilter(
    String organization,
    String subject,
    String creator,
    TokenKind kind,
    TokenState state,
    Instant expireBefore,
    Instant lastUseBefore,
    boolean neverUsed,
    String labelContains,
    boolean withoutOrganization,
    String search,
    java.util.Set<TokenKind> notKinds,
    java.util.Set<String> notIds) {

  /** Tokens of {@code organization}, {@code subject} and {@code creator} (empty: any), nothing else. */
  public static TokenFilter of(String organization, String subject, String creator) {
    return new TokenFilter(organization, subject, creator, null, null, null, null, false, "", false, "", java.util.Set.of(), java.util.Set.of());
  }

  /** This filter, matching no token of {@code kinds} nor any of {@code ids} either. */
  public TokenFilter excluding(java.util.Set<TokenKind> kinds, java.util.Set<String> ids) {
    java.util.Set<TokenKind> k = java.util.EnumSet.noneOf(TokenKind.class);
    k.addAll(notKinds);
    k.addAll(kinds);
    java.util.Set<String> i = new java.util.TreeSet<>(notIds);
    i.addAll(ids);
    return new TokenFilter(organization, subject, creator, kind, state, expireBefore, lastUseBefore, neverUsed,
        labelContains, withoutOrganization, search, java.util.Set.copyOf(k), java.util.Set.copyOf(i));
  }

  /**
   * This filter confined to what {@code reach} covers. Asking for more than that (another
   * organisation, subject or kind) is refused rather than silently answered with less.
   */
  TokenFilter within(Reach reach) {
    String org = organization;
    boolean noOrg = withoutOrganization;
    if (reach.organization() != null) {
      if (!organization.isEmpty() && !organization.equals(reach.organization())) {
        throw reach.organization().isEmpty()
            ? new PermissionDeniedException("OUTSIDE_ORGANIZATION",
                "this token may only act on tokens without an organization")
            : OrganizationAccess.outside(reach.organization());
      }
      org = reach.organization();
      noOrg = org.isEmpty();
    }
    String subj = subject;
    if (reach.subject() != null) {
      if (!subject.isEmpty() && !subject.equals(reach.subject())) {
        throw new PermissionDeniedException("SELF_SERVICE_ONLY",
            "this token may only act on personal tokens of its own subject " + reach.subject());
      }
      subj = reach.subject();
    }
    TokenKind k = kind;
    if (reach.kind() != null) {
      if (kind != null && kind != reach.kind()) {
        throw new PermissionDeniedException("SELF_SERVICE_ONLY",
            "this token may only act on personal tokens of its own subject");
      }
      k = reach.kind();
    }
    return new TokenFilter(org, subj, creator, k, state, expireBefore, lastUseBefore, neverUsed,
        labelContains, noOrg, search, notKinds, notIds);
  }

  /** A stable text of the filter, which a page token is bound to. */
  String fingerprint() {
    // A search is added only when given: fingerprints of API lists (which have none) stay as they were.
    return (search.isEmpty() ? "" : search + "\u0001")
        + (notKinds.isEmpty() && notIds.isEmpty() ? "" : new java.util.TreeSet<>(notKinds) + "" + new java.util.TreeSet<>(notIds) + "\u0001")
        + String.join(
        "\u0000",
        organization,
        subject,
        creator,
        String.valueOf(kind),
        String.valueOf(state),
        String.valueOf(expireBefore),
        String.valueOf(lastUseBefore),
        String.valueOf(neverUsed),
        labelContains,
        String.valueOf(withoutOrganization));
  }
}
