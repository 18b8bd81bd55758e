package dev.tokenauthority.cli.auth;

import dev.tokenauthority.api.v1.RefreshSessionRequest;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.config.StateFile;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Keeps the stored session usable: refreshes its access token before it runs out. Refresh tokens
 * work once and a second use ends the whole session, so two {@code ta} processes must never
 * refresh the same one: the refresh happens under an exclusive lock on a file beside the session.
 */
public final class SessionKeeper {
  /** Refresh when less than this is left, so that a command never starts with a dying token. */
  static final Duration MARGIN = Duration.ofMinutes(1);

  private SessionKeeper() {}

  /** The stored session for {@code api}'s server with at least {@code minLeft} to live, if any. */
  public static Optional<StoredSession> current(Terminal t, Api api, Duration minLeft) throws IOException {
    return withLock(t, () -> {
      Optional<StoredSession> stored = StoredSession.load(t);
      if (stored.isEmpty() || !stored.get().server().equals(api.target())) {
        return Optional.empty();
      }
      StoredSession s = stored.get();
      if (s.accessExpire().isAfter(t.clock().instant().plus(minLeft))) {
        return Optional.of(s);
      }
      return Optional.of(refresh(t, api, s));
    });
  }

  /** The access token to call with: refreshed first when less than a minute is left. */
  public static Optional<String> accessToken(Terminal t, Api api) throws IOException {
    return current(t, api, MARGIN).map(StoredSession::accessToken);
  }

  /** Refreshes the stored session now, whatever is left of it. */
  public static StoredSession refreshNow(Terminal t, Api api) throws IOException {
    return withLock(t, () -> {
      StoredSession s = StoredSession.load(t).filter(x -> x.server().equals(api.target()))
          .orElseThrow(() -> notSignedIn(api.target()));
      return refresh(t, api, s);
    });
  }

  /** Stores a new session (after a sign-in), replacing any other. */
  static StoredSession store(Terminal t, Api api, Session session) throws IOException {
    return withLock(t, () -> {
      StoredSession s = StoredSession.of(api.target(), session);
      s.save(t);
      return s;
    });
  }

  static CliException notSignedIn(String server) {
    return new CliException(ExitCode.UNAUTHENTICATED, "not signed in to " + server
        + ": run `ta auth login`, or set TA_TOKEN to a token's secret");
  }

  private static StoredSession refresh(Terminal t, Api api, StoredSession s) throws IOException {
    Session fresh;
    try {
      fresh = api.sessionsAnonymous().refreshSession(
          RefreshSessionRequest.newBuilder().setRefreshToken(s.refreshToken()).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
        throw e;
      }
      // The session is over (expired, signed out elsewhere, revoked): the file is of no more use.
      StoredSession.delete(t);
      throw new CliException(ExitCode.UNAUTHENTICATED, "your session has ended ("
          + e.getStatus().getDescription() + "): sign in again with `ta auth login`");
    }
    StoredSession renewed = StoredSession.of(s.server(), fresh);
    renewed.save(t);
    return renewed;
  }

  private interface Locked<T> {
    T run() throws IOException;
  }

  private static <T> T withLock(Terminal t, Locked<T> body) throws IOException {
    StateFile.createPrivateDirectories(t.configDir());
    Path lockFile = t.configDir().resolve("session.lock");
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      return body.run();
    }
  }
}
