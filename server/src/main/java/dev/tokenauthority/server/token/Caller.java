package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.Origin;
import dev.tokenauthority.server.scope.ScopeSet;
import java.util.List;

/**
 * Who is making a call: the authenticated token (what it may do and where), or nobody, and where
 * the request came from.
 *
 * @param tokenId empty for an anonymous caller
 * @param kind null for an anonymous caller
 * @param retired the token was rotated and works only until its grace period ends
 */
public record Caller(
    String tokenId, TokenKind kind, String organization, String subject, ScopeSet scopes,
    List<String> groups, Origin origin, boolean retired) {

  /** The caller presenting {@code token}. */
  public static Caller of(TokenRecord token, Origin origin) {
    return new Caller(
        token.id(), token.kind(), token.organization(), token.subject(), token.scopes(),
        token.groups(), origin, !token.rotatedTo().isEmpty());
  }

  /** A caller without (valid) credentials. */
  public static Caller anonymous(Origin origin) {
    return new Caller("", null, "", "", ScopeSet.of(List.of()), List.of(), origin, false);
  }

  public boolean isAdmin() {
    return scopes.isAdmin();
  }

  /** What the audit log records as the actor: the token id, or {@code anonymous}. */
  public String actor() {
    return tokenId.isEmpty() ? AuditEntry.ANONYMOUS : tokenId;
  }
}
