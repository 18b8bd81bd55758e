package dev.tokenauthority.server.identity;

import dev.tokenauthority.server.scope.ScopeSet;
import java.util.List;

/**
 * Who is making a call: the authenticated token (what it may do and where), or nobody, and where
 * the request came from. The token, audit and connector features all ask it; it knows none of them.
 *
 * @param tokenId empty for an anonymous caller
 * @param personal the calling token is a person's own (a personal token, or a session)
 * @param retired the token was rotated and works only until its grace period ends
 */
public record Caller(
    String tokenId, boolean personal, String organization, String subject, ScopeSet scopes,
    List<String> groups, Origin origin, boolean retired) {
  /** The actor of a caller without valid credentials, as the audit log records it. */
  public static final String ANONYMOUS = "anonymous";
  /** The actor for what the server does by itself. */
  public static final String SYSTEM = "system";

  /** A caller without (valid) credentials. */
  public static Caller anonymous(Origin origin) {
    return new Caller("", false, "", "", ScopeSet.of(List.of()), List.of(), origin, false);
  }

  public boolean isAdmin() {
    return scopes.isAdmin();
  }

  /** What the audit log records as the actor: the token id, or {@code anonymous}. */
  public String actor() {
    return tokenId.isEmpty() ? ANONYMOUS : tokenId;
  }
}
