package dev.tokenauthority.server.error;

/**
 * A failure the caller can act on, with a stable machine-readable reason in UPPER_SNAKE_CASE.
 *
 * <p>The domain throws these; each names its {@link Outcome}, which the transports map. They carry no
 * stack trace: they are answers, not bugs, and are never logged as errors.
 */
public abstract sealed class TokenAuthorityException extends RuntimeException
    permits InvalidArgumentException,
        UnavailableException,
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

  /** How the call ends: what the transports' one table turns into their codes. */
  public abstract Outcome outcome();

  /** The stable reason, e.g. {@code TOKEN_REVOKED}. */
  public String reason() {
    return reason;
  }
}
