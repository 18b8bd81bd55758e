package dev.tokenauthority.server.session;

/** What a person is in a session, computed at sign-in from their groups or their token's scopes. */
public enum Role {
  ADMIN,
  MANAGER,
  MEMBER
}
