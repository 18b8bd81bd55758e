package dev.tokenauthority.server.error;

/** Maps to gRPC RESOURCE_EXHAUSTED. */
public final class ResourceExhaustedException extends TokenAuthorityException {
  public ResourceExhaustedException(String reason, String message) {
    super(reason, message);
  }
}
