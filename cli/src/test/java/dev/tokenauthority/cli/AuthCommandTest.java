package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthCommandTest {
  private static final Pattern CODE = Pattern.compile("enter the code ([A-Z]{4}-[A-Z]{4})");

  @TempDir
  Path dir;

  private LiveServer server;
  private final ShiftedClock serverClock = new ShiftedClock();
  private Token alice;
  /** Alice on a machine where she is already signed in (her personal token). */
  private Cli aliceElsewhere;
  /** A fresh terminal with no credential at all. */
  private Cli ta;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir.resolve("data"), serverClock);
    alice = server.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice@example.com", "alice", "tokens:read", "lenses:read",
        "personal-tokens:write");
    aliceElsewhere = new Cli(dir.resolve("elsewhere")).env("TA_SERVER", server.target()).env("TA_TOKEN", alice.getSecret());
    ta = new Cli(dir.resolve("config")).env("TA_SERVER", server.target());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private Cli.Result loginApprovedElsewhere() throws Exception {
    Cli.Background login = ta.start("auth", "login");
    String code = code(login.awaitErr("Waiting for approval"));
    Cli.Result approve = aliceElsewhere.run("auth", "device", "approve", code, "--yes");
    assertThat(approve.exit()).as(approve.toString()).isZero();
    assertThat(approve.err()).contains("a session (sign-in) as you").contains("127.0.0.1");
    return login.result.get();
  }

  private static String code(String stderr) {
    Matcher m = CODE.matcher(stderr);
    assertThat(m.find()).as(stderr).isTrue();
    return m.group(1);
  }

  @Test
  void login_storesTheSession0600_andLaterCommandsUseIt() throws Exception {
    Cli.Result login = loginApprovedElsewhere();

    assertThat(login.exit()).as(login.toString()).isZero();
    assertThat(login.err()).contains("Signed in to " + server.target() + " as alice@example.com");
    Path stored = ta.configDir().resolve("session.properties");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ta.configDir()))).isEqualTo("rwx------");

    Cli.Result list = ta.run("tokens", "list", "--json");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains(alice.getId());

    Cli.Result status = ta.run("auth", "status");
    assertThat(status.out()).contains("Subject:").contains("alice@example.com").contains("Role:").contains("member");

    String access = ta.run("auth", "token").out().strip();
    assertThat(access).startsWith("tka_ses_");
    assertThat(server.active(access)).isTrue();
  }

  @Test
  void aSessionNearItsEnd_isRefreshedBeforeUse_andRefreshTokensAreNeverReused() throws Exception {
    loginApprovedElsewhere();
    String before = ta.run("auth", "token").out().strip();

    // Fifty-nine and a half minutes later the one-hour access token has less than a minute left.
    Cli later = new Cli(ta.configDir()).env("TA_SERVER", server.target())
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(59).plusSeconds(30)));
    Cli.Result list = later.run("tokens", "list", "--json");

    assertThat(list.exit()).as(list.toString()).isZero();
    String after = ta.run("auth", "token").out().strip();
    assertThat(after).isNotEqualTo(before).startsWith("tka_ses_");
    assertThat(server.active(after)).isTrue();

    Cli.Result forced = ta.run("auth", "refresh");
    assertThat(forced.exit()).as(forced.toString()).isZero();
    assertThat(ta.run("auth", "token").out().strip()).isNotEqualTo(after);
  }

  @Test
  void logout_endsTheSessionOnTheServer_andForgetsIt() throws Exception {
    loginApprovedElsewhere();
    String access = ta.run("auth", "token").out().strip();

    Cli.Result out = ta.run("auth", "logout");

    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(server.active(access)).isFalse();
    assertThat(ta.configDir().resolve("session.properties")).doesNotExist();
    Cli.Result after = ta.run("tokens", "list");
    assertThat(after.exit()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(after.err()).contains("ta auth login");
  }

  @Test
  void logoutAfterTheAccessTokenRanOut_stillEndsTheSession_notJustTheFile() throws Exception {
    loginApprovedElsewhere();
    String refreshToken = java.nio.file.Files.readAllLines(ta.configDir().resolve("session.properties")).stream()
        .filter(l -> l.startsWith("refresh_token=")).findFirst().orElseThrow().substring("refresh_token=".length());
    // An hour and a minute later, on both sides: the access token is really spent.
    serverClock.shift(Duration.ofMinutes(61));
    Cli nextDay = new Cli(ta.configDir()).env("TA_SERVER", server.target()).clock(serverClock);

    Cli.Result out = nextDay.run("auth", "logout");

    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(out.err()).contains("has ended");
    // The session itself ended by sign-out (not merely its old refresh token spent by a refresh).
    dev.tokenauthority.api.v1.Session ended = dev.tokenauthority.api.v1.SessionServiceGrpc.newBlockingStub(
        io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(server.target()).usePlaintext().build())
        .withCallCredentials(dev.tokenauthority.client.BearerToken.of(server.adminSecret))
        .listSessions(dev.tokenauthority.api.v1.ListSessionsRequest.newBuilder().setSubject("alice@example.com")
            .setIncludeEnded(true).build()).getSessions(0);
    assertThat(ended.hasEndTime()).isTrue();
    assertThat(ended.getEndReason()).contains("signed out");
    io.grpc.StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class, () -> sessions().refreshSession(
            dev.tokenauthority.api.v1.RefreshSessionRequest.newBuilder().setRefreshToken(refreshToken).build()));
    assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
  }

  @Test
  void logoutAgainstAnotherServer_leavesTheStoredSessionAlone() throws Exception {
    loginApprovedElsewhere();
    String access = ta.run("auth", "token").out().strip();

    Cli.Result out = ta.run("auth", "logout", "--server", "127.0.0.1:9");

    assertThat(out.exit()).isZero();
    assertThat(out.err()).contains("Not signed in to 127.0.0.1:9");
    assertThat(ta.configDir().resolve("session.properties")).exists();
    assertThat(server.active(access)).isTrue();
  }

  @Test
  void signingInAgain_endsTheSessionItReplaces() throws Exception {
    loginApprovedElsewhere();
    String first = ta.run("auth", "token").out().strip();

    Cli.Result again = loginApprovedElsewhere();

    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(server.active(first)).isFalse();
    assertThat(server.active(ta.run("auth", "token").out().strip())).isTrue();
  }

  private dev.tokenauthority.api.v1.SessionServiceGrpc.SessionServiceBlockingStub sessions() {
    io.grpc.ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(server.target())
        .usePlaintext().build();
    channels.add(ch);
    return dev.tokenauthority.api.v1.SessionServiceGrpc.newBlockingStub(ch);
  }

  private final java.util.List<io.grpc.ManagedChannel> channels = new java.util.ArrayList<>();

  @AfterEach
  void closeChannels() {
    channels.forEach(io.grpc.ManagedChannel::shutdownNow);
  }

  @Test
  void logoutOfASessionEndedElsewhere_forgetsIt_andSaysSo() throws Exception {
    loginApprovedElsewhere();
    String access = ta.run("auth", "token").out().strip();
    server.admin().revokeToken(dev.tokenauthority.api.v1.RevokeTokenRequest.newBuilder()
        .setId(server.admin().introspectToken(dev.tokenauthority.api.v1.IntrospectTokenRequest.newBuilder()
            .setSecret(access).build()).getToken().getId()).build());

    Cli.Result out = ta.run("auth", "logout");

    assertThat(out.exit()).as(out.toString()).isZero();
    assertThat(ta.configDir().resolve("session.properties")).doesNotExist();
  }

  @Test
  void aDamagedSessionFile_doesNotCostAFreshLogin() throws Exception {
    java.nio.file.Files.createDirectories(ta.configDir());
    java.nio.file.Files.writeString(ta.configDir().resolve("session.properties"), "server=x\naccess_expire=soon\n");

    Cli.Result login = loginApprovedElsewhere();

    assertThat(login.exit()).as(login.toString()).isZero();
    assertThat(server.active(ta.run("auth", "token").out().strip())).isTrue();
  }

  @Test
  void aSessionEndedElsewhere_isForgotten_withAClearWord() throws Exception {
    loginApprovedElsewhere();
    String access = ta.run("auth", "token").out().strip();
    server.admin().revokeToken(dev.tokenauthority.api.v1.RevokeTokenRequest.newBuilder()
        .setId(server.admin().introspectToken(dev.tokenauthority.api.v1.IntrospectTokenRequest.newBuilder()
            .setSecret(access).build()).getToken().getId()).build());
    // Revoking a session's access token ends the session on the server; the terminal still holds its tokens.
    Cli later = new Cli(ta.configDir()).env("TA_SERVER", server.target())
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(59).plusSeconds(30)));

    Cli.Result r = later.run("tokens", "list");

    assertThat(r.exit()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(r.err()).contains("your session has ended").contains("ta auth login");
    assertThat(ta.configDir().resolve("session.properties")).doesNotExist();
  }

  @Test
  void taTokenWins_overTheStoredSession() throws Exception {
    loginApprovedElsewhere();
    Token admin = server.token(TokenKind.TOKEN_KIND_SYSTEM, "", "ops", "ops", "admin");

    Cli.Result status = ta.env("TA_TOKEN", admin.getSecret()).run("auth", "status");

    assertThat(status.out()).contains("Using the token in TA_TOKEN (" + admin.getSecret().substring(0, 12) + "…)");
    assertThat(status.out()).doesNotContain(admin.getSecret());
  }

  @Test
  void deviceRequest_printsTheApprovedDeveloperTokenOnce() throws Exception {
    Cli.Background request = ta.start("auth", "device", "request", "--label", "CI setup", "--token-ttl", "720h",
        "--scopes", "lenses:read");
    String code = code(request.awaitErr("Waiting for approval"));
    assertThat(aliceElsewhere.run("auth", "device", "approve", code, "--yes").exit()).isZero();

    Cli.Result r = request.result.get();

    assertThat(r.exit()).as(r.toString()).isZero();
    String secret = r.out().strip();
    assertThat(secret).startsWith("tka_pat_");
    assertThat(r.err()).contains("of alice@example.com").contains("(in 30 days)");
    assertThat(server.active(secret)).isTrue();
  }

  @Test
  void deviceRequest_denied_exits4_andIssuesNothing() throws Exception {
    Cli.Background request = ta.start("auth", "device", "request", "--label", "CI", "--scopes", "lenses:read");
    String code = code(request.awaitErr("Waiting for approval"));

    assertThat(aliceElsewhere.run("auth", "device", "deny", code).exit()).isZero();
    Cli.Result r = request.result.get();

    assertThat(r.exit()).isEqualTo(ExitCode.PERMISSION);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("denied");
  }

  @Test
  void approvingAsksFirst_unlessYes() throws Exception {
    Cli.Background request = ta.start("auth", "device", "request", "--label", "CI", "--scopes", "lenses:read");
    String code = code(request.awaitErr("Waiting for approval"));

    Cli.Result declined = aliceElsewhere.run("n\n", true, "auth", "device", "approve", code);
    assertThat(declined.exit()).isEqualTo(ExitCode.ERROR);
    assertThat(declined.err()).contains("Approve this request as yourself? [y/N]");
    Cli.Result approved = aliceElsewhere.run("y\n", true, "auth", "device", "approve", code);
    assertThat(approved.exit()).as(approved.toString()).isZero();
    assertThat(request.result.get().exit()).isZero();
  }
}
