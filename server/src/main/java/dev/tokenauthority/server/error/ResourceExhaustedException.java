package dev.tokenauthority.server.error;

/** Outcome RESOURCE_EXHAUSTED. */
public final class ResourceExhaustedException extends TokenAuthorityException {
  public ResourceExhaustedException(String reason, String message) {
    super(reason, message);
  }

  @Override
  public Outcome outcome() {
    return Outcome.RESOURCE_EXHAUSTED;
  }
}
