package dev.tokenauthority.server.error;

/** Maps to gRPC FAILED_PRECONDITION. */
public final class FailedPreconditionException extends TokenAuthorityException {
  public FailedPreconditionException(String reason, String message) {
    super(reason, message);
  }
}
