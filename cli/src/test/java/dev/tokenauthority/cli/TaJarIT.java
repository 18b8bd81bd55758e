package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar and the launcher, run as real processes with credentials from the environment. */
class TaJarIT {
  @TempDir
  Path dir;

  @Test
  void packagedJar_listsTokens_withTaTokenFromTheEnvironment() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "deploy", "lenses:read");
      Map<String, String> env = Map.of("TA_TOKEN", server.adminSecret, "TA_SERVER", server.target(),
          "XDG_CONFIG_HOME", dir.resolve("config").toString());

      Cli.Result r = TaProcess.run(List.of(javaBin(), "-jar", TaProcess.jar().toString(), "tokens", "list", "--json"), env, "");

      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(JsonParser.parseString(r.out()).getAsJsonArray()).hasSize(2);

      Cli.Result denied = TaProcess.run(List.of(javaBin(), "-jar", TaProcess.jar().toString(), "tokens", "list"),
          Map.of("TA_TOKEN", "tka_org_" + "x".repeat(40), "TA_SERVER", server.target()), "");
      assertThat(denied.exit()).isEqualTo(ExitCode.UNAUTHENTICATED);
      assertThat(denied.err().lines()).hasSize(1);
    }
  }

  @Test
  void launcher_recordsAClassArchiveOnce_andLaterRunsMapIt_withTheSameOutput() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      Map<String, String> env = Map.of("TA_TOKEN", server.adminSecret, "TA_SERVER", server.target(),
          "XDG_CACHE_HOME", dir.resolve("cache").toString(), "PATH", System.getenv("PATH"),
          "HOME", dir.toString(), "JAVA_HOME", System.getProperty("java.home"));
      // A never-used token: its listing stays the same from run to run (the admin's last use does not).
      server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "deploy", "lenses:read");
      List<String> list = List.of(TaProcess.launcher().toString(), "tokens", "list", "-s", "org", "--json");

      // Runs that call no server, or fail, record nothing worth mapping.
      for (List<String> thin : List.of(List.of("--help"), List.of("orgs", "current"), List.of("tokens", "list", "--help"), List.of("auth", "status"),
          List.of("tokens", "show", "tok_AAAAAAAAAAAAAAAAAAAAAA"))) {
        List<String> command = new java.util.ArrayList<>(List.of(TaProcess.launcher().toString()));
        command.addAll(thin);
        TaProcess.run(command, env, "");
        try (Stream<Path> files = Files.exists(dir.resolve("cache/ta")) ? Files.list(dir.resolve("cache/ta")) : Stream.empty()) {
          assertThat(files.toList()).as("after ta %s", thin).isEmpty();
        }
      }

      Cli.Result first = TaProcess.run(list, env, "");
      assertThat(first.exit()).as(first.toString()).isZero();
      List<Path> archives;
      try (Stream<Path> files = Files.list(dir.resolve("cache/ta"))) {
        archives = files.toList();
      }
      assertThat(archives).singleElement().satisfies(a -> assertThat(a.toString()).endsWith(".jsa"));

      Cli.Result second = TaProcess.run(list, env, "");
      assertThat(second.exit()).as(second.toString()).isZero();
      assertThat(second.out()).isEqualTo(first.out());
      assertThat(second.err()).isEmpty();

      Cli.Result plain = TaProcess.run(list, Map.of("TA_TOKEN", server.adminSecret, "TA_SERVER", server.target(),
          "TA_CDS", "0", "PATH", System.getenv("PATH"), "HOME", dir.toString()), "");
      assertThat(plain.out()).isEqualTo(first.out());
    }
  }

  @Test
  void aRefreshWaitsForTheSessionLock_soTwoProcessesNeverSpendOneRefreshToken() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      Token alice = server.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice@example.com", "alice",
          "tokens:read", "personal-tokens:write");
      Path xdg = dir.resolve("xdg");
      Cli ta = new Cli(xdg.resolve("ta")).env("TA_SERVER", server.target());
      Cli.Background login = ta.start("auth", "login");
      java.util.regex.Matcher code = java.util.regex.Pattern.compile("enter the code ([A-Z]{4}-[A-Z]{4})")
          .matcher(login.awaitErr("Waiting for approval"));
      assertThat(code.find()).isTrue();
      new Cli(dir.resolve("other")).env("TA_SERVER", server.target()).env("TA_TOKEN", alice.getSecret())
          .run("auth", "device", "approve", code.group(1), "--yes");
      assertThat(login.result.get().exit()).isZero();
      Path stored = xdg.resolve("ta/session.properties");

      // Another ta holds the lock (mid-refresh): this one must wait for it, not spend the same token.
      long released;
      Process refresh;
      try (FileChannel lockFile = FileChannel.open(xdg.resolve("ta/session.lock"), StandardOpenOption.WRITE);
          FileLock held = lockFile.lock()) {
        ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", TaProcess.jar().toString(), "auth", "refresh");
        pb.environment().keySet().removeIf(k -> k.startsWith("TA_") || k.startsWith("XDG_"));
        pb.environment().putAll(Map.of("TA_SERVER", server.target(), "XDG_CONFIG_HOME", xdg.toString()));
        refresh = pb.start();
        Thread.sleep(3_000); // long enough for an unlocked refresh to have finished
        released = System.currentTimeMillis();
      }
      assertThat(refresh.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(refresh.exitValue()).as(new String(refresh.getErrorStream().readAllBytes())).isZero();
      assertThat(Files.getLastModifiedTime(stored).toMillis()).as("the refreshed session was written after the lock was released")
          .isGreaterThanOrEqualTo(released - 5);
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
