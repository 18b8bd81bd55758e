package dev.tokenauthority.server.token;

/** Why a presented secret does not work: coarse on purpose, for logs. */
public enum InactiveReason {
  MALFORMED,
  UNKNOWN,
  EXPIRED,
  REVOKED
}
