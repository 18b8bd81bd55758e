package dev.tokenauthority.server.error;

/** Maps to gRPC ABORTED: a concurrency conflict the server gave up retrying; the caller may retry. */
public final class AbortedException extends TokenAuthorityException {
  public AbortedException(String reason, String message) {
    super(reason, message);
  }
}
