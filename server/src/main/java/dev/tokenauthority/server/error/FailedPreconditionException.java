package dev.tokenauthority.server.error;

/** Outcome FAILED_PRECONDITION. */
public final class FailedPreconditionException extends TokenAuthorityException {
  public FailedPreconditionException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.FAILED_PRECONDITION;
  }
}
