package dev.tokenauthority.server.error;

/** Outcome UNAVAILABLE: something the call depends on (an identity provider) cannot answer now. */
public final class UnavailableException extends TokenAuthorityException {
  public UnavailableException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.UNAVAILABLE;
  }
}
