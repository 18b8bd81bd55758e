package dev.tokenauthority.server.token;

import dev.tokenauthority.server.scope.ScopeSet;
import java.util.List;

/** The authenticated token making a call: what it may do and where. */
public record Caller(
    String tokenId, TokenKind kind, String organization, String subject, ScopeSet scopes,
    List<String> groups) {

  /** The caller presenting {@code token}. */
  public static Caller of(TokenRecord token) {
    return new Caller(
        token.id(), token.kind(), token.organization(), token.subject(), token.scopes(),
        token.groups());
  }

  public boolean isAdmin() {
    return scopes.isAdmin();
  }
}
