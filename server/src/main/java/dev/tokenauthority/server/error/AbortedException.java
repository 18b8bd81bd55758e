package dev.tokenauthority.server.error;

/** Outcome ABORTED. */
public final class AbortedException extends TokenAuthorityException {
  public AbortedException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.ABORTED;
  }
}
