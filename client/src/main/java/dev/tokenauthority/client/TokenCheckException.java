package dev.tokenauthority.client;

import io.grpc.Status;

/**
 * A token could not be checked: the authority is unreachable (and cached answers may not be
 * trusted), or refused this service's own credentials. Never means "the token is bad".
 */
public final class TokenCheckException extends RuntimeException {
  private final Status.Code code;
  private final String reason;

  TokenCheckException(Status.Code code, String reason, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.reason = reason;
  }

  /** The gRPC code of the failed call, e.g. UNAVAILABLE. */
  public Status.Code code() {
    return code;
  }

  /** The authority's ErrorInfo reason, or the code's name when it sent none. */
  public String reason() {
    return reason;
  }

  /** Whether trying again later may help (the authority was down or slow). */
  public boolean isUnavailable() {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }
}
