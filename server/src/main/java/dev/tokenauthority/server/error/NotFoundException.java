package dev.tokenauthority.server.error;

/** Outcome NOT_FOUND. */
public final class NotFoundException extends TokenAuthorityException {
  public NotFoundException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.NOT_FOUND;
  }
}
