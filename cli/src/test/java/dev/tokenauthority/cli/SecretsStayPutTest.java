package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret reaches only stdout (once), a {@code --secret-file}, or the session store: never
 * stderr, an error, or any other file the tool writes.
 */
class SecretsStayPutTest {
  private static final Pattern SECRET = Pattern.compile("tka_[a-z]{3}_[A-Za-z0-9]{20,}");

  @TempDir
  Path dir;

  @Test
  void secretsAppearOnlyWhereTheyAreHandedOver() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      Path config = dir.resolve("config");
      Path secretFile = dir.resolve("secrets/rotated");
      Files.createDirectories(secretFile.getParent());
      Cli ta = new Cli(config).env("TA_SERVER", server.target()).env("TA_TOKEN", server.adminSecret).env("TA_ORG", "acme");
      Token victim = server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "victim", "lenses:read");
      List<Cli.Result> runs = new ArrayList<>();

      runs.add(ta.run("orgs", "switch", "acme"));
      runs.add(ta.run("tokens", "create", "org", "-n", "a", "--scopes", "lenses:read"));
      runs.add(ta.run("tokens", "create", "org", "-n", "b", "--scopes", "lenses:read", "--json"));
      runs.add(ta.run("tokens", "rotate", victim.getId(), "--secret-file", secretFile.toString(), "--json"));
      runs.add(ta.run("connectors", "add", "--slug", "ci-job", "--name", "CI", "--scopes", "lenses:read"));
      runs.add(ta.run("connectors", "rotate", "ci-job", "--json"));
      runs.add(ta.run(victim.getSecret() + "\n", false, "tokens", "introspect"));
      runs.add(ta.run(victim.getSecret() + "\n", false, "connectors", "test", "ci-job"));
      runs.add(ta.run(victim.getSecret() + "\n", false, "leaks", "report"));
      runs.add(ta.env("TA_TOKEN", victim.getSecret()).run("tokens", "list"));
      runs.add(ta.env("TA_TOKEN", "tka_org_" + "x".repeat(40)).run("tokens", "list"));
      runs.add(ta.env("TA_TOKEN", server.adminSecret).run("tokens", "list", "--json"));
      // A secret typed as an argument is refused without being echoed.
      Cli.Result asArgument = ta.run("tokens", "introspect", victim.getSecret());
      assertThat(asArgument.exit()).isEqualTo(ExitCode.USAGE);
      assertThat(asArgument.err()).contains("tka_***").contains("--secret-env");
      runs.add(asArgument);
      Cli.Result asVariableName = ta.run("tokens", "introspect", "--secret-env", victim.getSecret());
      assertThat(asVariableName.exit()).isEqualTo(ExitCode.USAGE);
      runs.add(asVariableName);
      Cli.Result asId = ta.run("tokens", "revoke", victim.getSecret(), "--reason", "leaked");
      assertThat(asId.exit()).isEqualTo(ExitCode.USAGE);
      assertThat(asId.err()).contains("ta leaks report");
      runs.add(asId);
      runs.add(ta.run("tokens", "show", victim.getSecret()));
      // A signed-in terminal: its session store is the one file allowed to hold secrets.
      Cli person = new Cli(config).env("TA_SERVER", server.target());
      Cli.Background login = person.start("auth", "login");
      java.util.regex.Matcher code = Pattern.compile("enter the code ([A-Z]{4}-[A-Z]{4})")
          .matcher(login.awaitErr("Waiting for approval"));
      assertThat(code.find()).isTrue();
      runs.add(ta.run("auth", "device", "approve", code.group(1), "--yes"));
      runs.add(login.result.get());
      runs.add(person.run("auth", "status"));
      runs.add(person.run("auth", "refresh"));
      runs.add(person.run("tokens", "list"));

      List<String> handedOver = new ArrayList<>();
      for (Cli.Result r : runs) {
        assertThat(SECRET.matcher(r.err()).find()).as("stderr of a run: %s", r.err()).isFalse();
        Matcher m = SECRET.matcher(r.out());
        while (m.find()) {
          handedOver.add(m.group());
        }
      }
      // Stdout carried the new secrets of the two creates and the two connector runs; nothing else.
      assertThat(handedOver).hasSize(4).doesNotContain(victim.getSecret(), server.adminSecret);
      String rotated = Files.readString(secretFile).strip();
      assertThat(handedOver).doesNotContain(rotated);
      List<Path> written;
      try (Stream<Path> files = Files.walk(config)) {
        written = files.filter(Files::isRegularFile).toList();
      }
      assertThat(written).extracting(f -> f.getFileName().toString())
          .containsExactlyInAnyOrder("config.properties", "session.properties", "session.lock");
      for (Path f : written) {
        boolean holdsSecrets = SECRET.matcher(Files.readString(f)).find();
        assertThat(holdsSecrets).as(f.toString()).isEqualTo(f.endsWith("session.properties"));
      }
      try (Stream<Path> files = Files.list(secretFile.getParent())) {
        assertThat(files.toList()).as("no temporary file left beside the secret file").containsExactly(secretFile);
      }
    }
  }
}
