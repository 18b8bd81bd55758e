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
      try (Stream<Path> files = Files.walk(config)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(SECRET.matcher(Files.readString(f)).find()).as(f.toString()).isFalse();
        }
      }
    }
  }
}
