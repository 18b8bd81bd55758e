package dev.tokenauthority.server.error;

/** Maps to gRPC NOT_FOUND. */
public final class NotFoundException extends TokenAuthorityException {
  public NotFoundException(String reason, String message) {
    super(reason, message);
  }
}
