package dev.tokenauthority.cli.auth;

import dev.tokenauthority.api.v1.RefreshSessionRequest;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.SignOutRequest;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

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

  /** Stores a new session (after a sign-in), ending the one it replaces on its server. */
  static StoredSession store(Terminal t, Api api, Session session) throws IOException {
    return withLock(t, () -> {
      Optional<StoredSession> old = loadOrForgetDamaged(t);
      if (old.isPresent() && old.get().server().equals(api.target())) {
        endQuietly(t, api, old.get());
      }
      StoredSession s = StoredSession.of(api.target(), session);
      s.save(t);
      return s;
    });
  }

  /**
   * Ends the stored session of {@code api}'s server on the server, then forgets it. An access
   * token past its hour is refreshed first, so that sign-out really ends the session rather than
   * leaving its refresh token working. Returns the session that was ended, if there was one.
   */
  static Optional<StoredSession> signOut(Terminal t, Api api) throws IOException {
    return withLock(t, () -> {
      Optional<StoredSession> stored = loadOrForgetDamaged(t);
      if (stored.isEmpty() || !stored.get().server().equals(api.target())) {
        return Optional.empty();
      }
      StoredSession s = stored.get();
      end(t, api, s);
      StoredSession.delete(t);
      return Optional.of(s);
    });
  }

  /**
   * Signs {@code s} out on its server. An access token that no longer works (past its hour by
   * either clock, or the session ended elsewhere) is refreshed first; a refresh refused means
   * the session is over already, which is what sign-out wants.
   */
  private static void end(Terminal t, Api api, StoredSession s) throws IOException {
    StoredSession live = s.accessExpire().isAfter(t.clock().instant().plus(MARGIN)) ? s : refreshOrNull(t, api, s);
    if (live == null) {
      return;
    }
    try {
      api.sessionsAs(live.accessToken()).signOut(SignOutRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED || live != s) {
        throw e;
      }
      StoredSession renewed = refreshOrNull(t, api, s);
      if (renewed != null) {
        api.sessionsAs(renewed.accessToken()).signOut(SignOutRequest.getDefaultInstance());
      }
    }
  }

  /** The stored session; a damaged file is deleted and counts as none (it can sign nobody in). */
  private static Optional<StoredSession> loadOrForgetDamaged(Terminal t) throws IOException {
    try {
      return StoredSession.load(t);
    } catch (CliException damaged) {
      StoredSession.delete(t);
      return Optional.empty();
    }
  }

  /** A refreshed session, or null when the server says the session is already over. */
  private static StoredSession refreshOrNull(Terminal t, Api api, StoredSession s) throws IOException {
    try {
      return refresh(t, api, s);
    } catch (CliException ended) {
      if (ended.code() == ExitCode.UNAUTHENTICATED) {
        return null;
      }
      throw ended;
    }
  }

  /** Ends a session being replaced; a session that is already over needs nothing. */
  private static void endQuietly(Terminal t, Api api, StoredSession s) {
    try {
      end(t, api, s);
    } catch (IOException | RuntimeException e) {
      t.err().println("Note: the previous session " + s.id() + " could not be ended (" + e.getMessage()
          + "); it ends by itself when its refresh token expires.");
    }
  }

  public static CliException notSignedIn(String server) {
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
    try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock = channel.lock()) {
      return body.run();
    }
  }
}
