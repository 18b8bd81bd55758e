package dev.tokenauthority.cli;

import io.grpc.Status;

/** The exit codes scripts can branch on; {@code ta --help} lists them. */
public final class ExitCode {
  public static final int OK = 0;
  /** Anything not below: a server fault, a local I/O error, a declined confirmation. */
  public static final int ERROR = 1;
  /** Bad flags or arguments, or input the server refused (INVALID_ARGUMENT). */
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  /** The credential works but may not do this (PERMISSION_DENIED). */
  public static final int PERMISSION = 4;
  /** No credential, or one that is bad, expired or revoked (UNAUTHENTICATED). */
  public static final int UNAUTHENTICATED = 5;
  /** The server could not be reached or did not answer in time. */
  public static final int UNAVAILABLE = 6;
  /** The thing is not in a state that allows it: already exists, revoked, rotated. */
  public static final int CONFLICT = 7;
  /** Too many requests (RESOURCE_EXHAUSTED); wait and try again. */
  public static final int RATE_LIMITED = 8;
  /** A check said no: the secret is not active (introspect) or not live (connectors test). */
  public static final int INACTIVE = 9;

  /** The lines of {@code ta --help}'s "Exit codes" section. */
  static final String[] HELP = {
      "0:Success.",
      "1:Other failure (server error, local I/O error, not confirmed).",
      "2:Usage: bad flags or arguments, or input the server refused.",
      "3:Not found.",
      "4:Permission denied.",
      "5:Not authenticated: no credential, or a bad, expired or revoked one.",
      "6:Server unavailable or too slow.",
      "7:Conflict: already exists, revoked, rotated, used.",
      "8:Rate limited: wait and try again.",
      "9:The secret checked is not active (tokens introspect, connectors test)."};

  private ExitCode() {}

  /** The exit code for a failed call. */
  public static int of(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> USAGE;
      case NOT_FOUND -> NOT_FOUND;
      case PERMISSION_DENIED -> PERMISSION;
      case UNAUTHENTICATED -> UNAUTHENTICATED;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE;
      case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> CONFLICT;
      case RESOURCE_EXHAUSTED -> RATE_LIMITED;
      default -> ERROR;
    };
  }
}
