package dev.tokenauthority.server.error;

/**
 * How a call ended, in the domain's words. Each failure the domain throws names one; the
 * transports turn it into their codes through one table ({@code api.Outcomes}): the gRPC code, the
 * HTTP status a sidecar answers with, and whether it is a security event for the audit log.
 */
public enum Outcome {
  INVALID_ARGUMENT,
  UNAUTHENTICATED,
  PERMISSION_DENIED,
  NOT_FOUND,
  FAILED_PRECONDITION,
  ALREADY_EXISTS,
  RESOURCE_EXHAUSTED,
  ABORTED,
  /** The storage cannot serve the call now (a full disk, a damaged file). */
  UNAVAILABLE,
  /** Ours, not the caller's: a bug, or a route configured wrongly. */
  INTERNAL
}
