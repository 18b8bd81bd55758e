package dev.tokenauthority.server.audit;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.util.List;

/** Small CreateToken requests for the audit tests. */
final class RolesRequests {
  private RolesRequests() {}

  static CreateTokenRequest orgToken(String org, String... scopes) {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
        .setOrganization(org).setLabel("audited").addAllScopes(List.of(scopes))).build();
  }

  static CreateTokenRequest personal(String org, String subject, String... scopes) {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_PERSONAL)
        .setOrganization(org).setSubject(subject).setLabel("audited").addAllScopes(List.of(scopes))).build();
  }
}
