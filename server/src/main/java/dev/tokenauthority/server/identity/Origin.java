package dev.tokenauthority.server.identity;

/**
 * Where a request came from, for the audit log.
 *
 * @param requestId the request's {@code x-request-id} (the caller's or a generated one)
 * @param peer the caller's network address
 */
public record Origin(String requestId, String peer) {
  /** Work the server does by itself (bootstrap, pruning): no request, no peer. */
  public static final Origin SERVER = new Origin("", "");
}
