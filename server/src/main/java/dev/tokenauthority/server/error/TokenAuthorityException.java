package dev.tokenauthority.server.error;

/**
 * A failure the caller can act on, with a stable machine-readable reason in UPPER_SNAKE_CASE.
 *
 * <p>The domain throws these; the API layer maps each subclass to its gRPC status. They carry no
 * stack trace: they are answers, not bugs, and are never logged as errors.
 */
public abstract sealed class TokenAuthorityException extends RuntimeException
    permits InvalidArgumentException,
        NotFoundException,
        PermissionDeniedException,
        UnauthenticatedException,
        FailedPreconditionException,
        AlreadyExistsException,
        ResourceExhaustedException,
        AbortedException {
  private final String reason;

  protected TokenAuthorityException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The stable reason, e.g. {@code TOKEN_REVOKED}. */
  public String reason() {
    return reason;
  }
}
