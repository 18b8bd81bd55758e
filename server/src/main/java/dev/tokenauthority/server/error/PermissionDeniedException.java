package dev.tokenauthority.server.error;

/** Maps to gRPC PERMISSION_DENIED. */
public final class PermissionDeniedException extends TokenAuthorityException {
  public PermissionDeniedException(String reason, String message) {
    super(reason, message);
  }
}
