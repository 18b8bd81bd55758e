package dev.tokenauthority.server.error;

/** Outcome PERMISSION_DENIED. */
public final class PermissionDeniedException extends TokenAuthorityException {
  public PermissionDeniedException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.PERMISSION_DENIED;
  }
}
