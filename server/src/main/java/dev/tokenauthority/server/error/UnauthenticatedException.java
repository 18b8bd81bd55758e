package dev.tokenauthority.server.error;

/** Outcome UNAUTHENTICATED. */
public final class UnauthenticatedException extends TokenAuthorityException {
  public UnauthenticatedException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.UNAUTHENTICATED;
  }
}
