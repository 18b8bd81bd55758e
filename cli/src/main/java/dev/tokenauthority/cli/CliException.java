package dev.tokenauthority.cli;

/** A failure the command explains itself: printed as one line, then the process exits with {@code code}. */
public final class CliException extends RuntimeException {
  private final int code;

  public CliException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
