package dev.tokenauthority.server.token;

/** A token's state at a moment; revocation wins over expiry. */
public enum TokenState {
  ACTIVE,
  EXPIRED,
  REVOKED
}
