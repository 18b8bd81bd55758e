package dev.tokenauthority.server.error;

/** Maps to gRPC ALREADY_EXISTS. */
public final class AlreadyExistsException extends TokenAuthorityException {
  public AlreadyExistsException(String reason, String message) {
    super(reason, message);
  }
}
