package dev.tokenauthority.server.error;

/** Outcome ALREADY_EXISTS. */
public final class AlreadyExistsException extends TokenAuthorityException {
  public AlreadyExistsException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.ALREADY_EXISTS;
  }
}
