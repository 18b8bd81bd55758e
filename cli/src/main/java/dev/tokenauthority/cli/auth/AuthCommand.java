package dev.tokenauthority.cli.auth;

import dev.tokenauthority.api.v1.DeviceAuthorizationPurpose;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationResponse;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.Table;
import dev.tokenauthority.cli.output.Times;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code ta auth}: sign in with the device flow and keep the session. */
@Command(name = "auth", mixinStandardHelpOptions = true,
    description = {"Sign in (device flow), show and refresh the stored session, sign out; request"
        + " developer tokens and approve devices."},
    subcommands = {AuthCommand.Login.class, AuthCommand.Status.class, AuthCommand.PrintToken.class,
        AuthCommand.Refresh.class, AuthCommand.Logout.class, DeviceCommand.class})
public final class AuthCommand extends Group {

  @Command(name = "login", mixinStandardHelpOptions = true,
      description = {"Sign in: prints a code and where to approve it (in the dashboard, or with"
          + " `ta auth device approve` on a signed-in machine), waits, and stores the session (0600)."})
  static final class Login extends ApiCommand {
    Login(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      PollDeviceAuthorizationResponse r = DeviceFlow.run(t, api, StartDeviceAuthorizationRequest.newBuilder()
          .setPurpose(DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION).setLabel(deviceLabel()).build());
      Session session = r.getSession();
      StoredSession stored = SessionKeeper.store(t, api, session);
      t.err().println("Signed in to " + api.target() + " as " + stored.subject() + " (" + stored.role()
          + (stored.organization().isEmpty() ? "" : " of " + stored.organization()) + ").");
      if (session.getOrganizationsCount() > 1) {
        t.err().println("Your organisations: " + String.join(", ", session.getOrganizationsList()));
      }
      return ExitCode.OK;
    }

    private static String deviceLabel() {
      try {
        return "ta on " + InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        return "ta";
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Say which credential commands use: TA_TOKEN, or the stored session and how long it lasts.")
  static final class Status extends ApiCommand {
    Status(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      Instant now = t.clock().instant();
      if (t.env("TA_TOKEN") != null) {
        String token = t.env("TA_TOKEN").strip();
        t.out().println("Using the token in TA_TOKEN (" + token.substring(0, Math.min(12, token.length())) + "…) for "
            + api.target() + "; the stored session, if any, is ignored.");
        return ExitCode.OK;
      }
      Optional<StoredSession> s = StoredSession.load(t);
      if (s.isEmpty() || !s.get().server().equals(api.target())) {
        throw SessionKeeper.notSignedIn(api.target());
      }
      StoredSession session = s.get();
      Table.fields(t.out(), List.of(
          new String[] {"Server", session.server()},
          new String[] {"Subject", session.subject()},
          new String[] {"Role", session.role()},
          new String[] {"Organization", session.organization().isEmpty() ? "-" : session.organization()},
          new String[] {"Session", session.id()},
          new String[] {"Access token", session.accessTokenId() + ", expires " + Times.relative(session.accessExpire(), now)
              + " (refreshed automatically)"},
          new String[] {"Signed in until", Times.full(session.refreshExpire(), now, "-") + " unless refreshed"}));
      return ExitCode.OK;
    }
  }

  @Command(name = "token", mixinStandardHelpOptions = true,
      description = {"Print the access token commands use, refreshed first when it has less than five"
          + " minutes left: for `grpcurl -H \"authorization: Bearer $(ta auth token)\"`."})
  static final class PrintToken extends ApiCommand {
    PrintToken(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      if (t.env("TA_TOKEN") != null) {
        t.out().println(t.env("TA_TOKEN").strip());
        return ExitCode.OK;
      }
      StoredSession s = SessionKeeper.current(t, api, Duration.ofMinutes(5))
          .orElseThrow(() -> SessionKeeper.notSignedIn(api.target()));
      t.out().println(s.accessToken());
      return ExitCode.OK;
    }
  }

  @Command(name = "refresh", mixinStandardHelpOptions = true,
      description = "Trade the stored session's refresh token for new tokens now.")
  static final class Refresh extends ApiCommand {
    Refresh(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      StoredSession s = SessionKeeper.refreshNow(t, api);
      t.err().println("Refreshed: the access token expires " + Times.relative(s.accessExpire(), t.clock().instant())
          + "; signed in until " + Times.dateTime(s.refreshExpire()) + " unless refreshed.");
      return ExitCode.OK;
    }
  }

  @Command(name = "logout", mixinStandardHelpOptions = true,
      description = "End the stored session on the server (its tokens stop at once) and delete it here.")
  static final class Logout extends ApiCommand {
    Logout(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      Optional<StoredSession> ended = SessionKeeper.signOut(t, api);
      if (ended.isEmpty()) {
        t.err().println("Not signed in to " + api.target() + "; nothing to do.");
        return ExitCode.OK;
      }
      t.err().println("Signed out of " + api.target() + ": session " + ended.get().id() + " has ended.");
      return ExitCode.OK;
    }
  }
}
