package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorsAndAuditTest {
  @TempDir
  Path dir;

  private LiveServer server;
  private Cli ta;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir.resolve("data"));
    ta = new Cli(dir.resolve("config")).env("TA_SERVER", server.target()).env("TA_TOKEN", server.adminSecret)
        .env("TA_ORG", "acme");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void connectorLifecycle_addListShowUpdateRotateTestRemove() throws Exception {
    Cli.Result add = ta.run("connectors", "add", "--slug", "github-actions", "--name", "GitHub Actions",
        "--scopes", "lenses:read,workflows:read");
    assertThat(add.exit()).as(add.toString()).isZero();
    String first = add.out().strip();
    assertThat(first).startsWith("tka_svc_");
    assertThat(add.err()).contains("Registered connector acme/github-actions");

    Cli.Result list = ta.run("connectors", "list");
    assertThat(list.out().lines().toList().get(0)).startsWith("SLUG            ORG   NAME            SCOPES");
    assertThat(list.out()).contains("github-actions  acme  GitHub Actions  lenses:read,workflows:read");

    Cli.Result narrowed = ta.run("connectors", "update", "github-actions", "--scopes", "lenses:read");
    assertThat(narrowed.exit()).as(narrowed.toString()).isZero();
    assertThat(narrowed.out()).contains("Scopes:        lenses:read\n");

    Path file = dir.resolve("github-actions.secret");
    Cli.Result rotate = ta.run("connectors", "rotate", "github-actions", "--grace", "1h", "--secret-file", file.toString());
    assertThat(rotate.exit()).as(rotate.toString()).isZero();
    assertThat(rotate.out()).isEmpty();
    String second = Files.readString(file).strip();

    Cli.Result current = ta.run(second + "\n", false, "connectors", "test", "github-actions");
    assertThat(current.exit()).as(current.toString()).isZero();
    assertThat(current.out()).startsWith("live: the current token").contains("scopes lenses:read");
    Cli.Result previous = ta.run(first + "\n", false, "connectors", "test", "github-actions", "--json");
    assertThat(JsonParser.parseString(previous.out()).getAsJsonObject().get("live").getAsBoolean()).isTrue();

    Cli.Result remove = ta.run("connectors", "remove", "github-actions", "--reason", "decommissioned");
    assertThat(remove.exit()).as(remove.toString()).isZero();
    assertThat(server.active(second)).isFalse();
    assertThat(ta.run("connectors", "show", "github-actions").exit()).isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void connectorTest_ofAStrangersSecret_exits9() {
    server.connector("acme", "deployer", "lenses:read");
    Token other = server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "other", "lenses:read");

    Cli.Result r = ta.env("SECRET", other.getSecret()).run("connectors", "test", "deployer", "--secret-env", "SECRET");

    assertThat(r.exit()).isEqualTo(ExitCode.INACTIVE);
    assertThat(r.out()).startsWith("not live");
  }

  @Test
  void connectorsNeedAnOrganisation_andSayHowToChooseOne() {
    Cli.Result r = ta.env("TA_ORG", null).run("connectors", "show", "deployer");

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("ta orgs switch");
  }

  @Test
  void auditList_filtersByActionActorTargetAndTime() {
    Token t = server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "deploy", "lenses:read");
    ta.run("tokens", "revoke", t.getId(), "--reason", "test");

    Cli.Result r = ta.run("audit", "list", "--action", "token_revoked", "--since", "1h", "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonArray events = JsonParser.parseString(r.out()).getAsJsonArray();
    assertThat(events).hasSize(1);
    JsonObject e = events.get(0).getAsJsonObject();
    assertThat(e.get("action").getAsString()).isEqualTo("AUDIT_ACTION_TOKEN_REVOKED");
    assertThat(e.get("target").getAsString()).isEqualTo(t.getId());
    assertThat(e.get("actor").getAsString()).isEqualTo(server.adminId);

    Cli.Result table = ta.run("audit", "list", "--target", t.getId(), "--actor", server.adminId);
    assertThat(table.out().lines().toList().get(0)).startsWith("ID").contains("ACTION").contains("DETAILS");
    assertThat(table.out()).contains("token_revoked").contains("token_created");

    Cli.Result unknown = ta.run("audit", "list", "--action", "token_exploded");
    assertThat(unknown.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err()).contains("token_revoked");
  }

  @Test
  void auditTail_printsTheLatestThenFollowsNewEvents() throws Exception {
    server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "before", "lenses:read");
    Cli.Background tail = ta.start("audit", "tail", "-n", "1", "--interval", "1s", "--json");
    awaitOut(tail, "AUDIT_ACTION_TOKEN_CREATED", 1);

    Token later = server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "after", "lenses:read");
    ta.run("tokens", "revoke", later.getId());

    String out = awaitOut(tail, "AUDIT_ACTION_TOKEN_REVOKED", 1);
    assertThat(out).contains(later.getId());
    assertThat(out.lines().filter(l -> l.contains("AUDIT_ACTION_TOKEN_CREATED")).count()).isEqualTo(2);
    Cli.Result ended = tail.stop();
    assertThat(ended.exit()).isEqualTo(130);
  }

  private static String awaitOut(Cli.Background run, String text, int times) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      String out = run.out.toString();
      if (out.lines().filter(l -> l.contains(text)).count() >= times) {
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("stdout never showed " + text + ": " + out + run.err);
      }
      Thread.sleep(50);
    }
  }
}
