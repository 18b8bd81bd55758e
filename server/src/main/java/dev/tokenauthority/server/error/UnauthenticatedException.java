package dev.tokenauthority.server.error;

/** Maps to gRPC UNAUTHENTICATED. */
public final class UnauthenticatedException extends TokenAuthorityException {
  public UnauthenticatedException(String reason, String message) {
    super(reason, message);
  }
}
