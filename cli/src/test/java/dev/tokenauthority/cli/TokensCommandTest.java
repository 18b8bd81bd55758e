package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensCommandTest {
  private static final TokenKind ORG = TokenKind.TOKEN_KIND_ORGANIZATION;
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;

  @TempDir
  Path dir;

  private LiveServer server;
  private Cli ta;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir.resolve("data"));
    ta = new Cli(dir.resolve("config")).env("TA_SERVER", server.target()).env("TA_TOKEN", server.adminSecret);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void createOrgToken_printsOnlyTheSecretOnStdout_andItWorks() {
    Cli.Result r = ta.run("tokens", "create", "org", "-n", "GitHub Actions deploy pipeline", "--scopes",
        "lenses:read,workflows:read", "--ttl", "90d", "-o", "acme");

    assertThat(r.exit()).as(r.toString()).isZero();
    String secret = r.out().strip();
    assertThat(r.out()).matches("tka_org_[A-Za-z0-9]+\n");
    assertThat(r.err()).contains("Created org token tok_").contains("\"GitHub Actions deploy pipeline\" in acme")
        .contains("(in 90 days)").contains("only time the token secret is shown").doesNotContain(secret);
    assertThat(server.active(secret)).isTrue();
  }

  @Test
  void createJson_carriesTheSecretWithProtoFieldNames() {
    Cli.Result r = ta.run("tokens", "create", "personal", "-n", "laptop", "--subject", "alice@example.com",
        "--scopes", "lenses:read", "--ttl", "720h", "-o", "acme", "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonObject token = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(token.get("kind").getAsString()).isEqualTo("TOKEN_KIND_PERSONAL");
    assertThat(token.get("subject").getAsString()).isEqualTo("alice@example.com");
    assertThat(token.has("expire_time")).isTrue();
    assertThat(server.active(token.get("secret").getAsString())).isTrue();
  }

  @Test
  void secretFile_isWritten0600_andKeptOffStdoutAndJson() throws Exception {
    Path file = dir.resolve("out/deploy.secret");
    Files.createDirectories(file.getParent());

    Cli.Result r = ta.run("tokens", "create", "org", "-n", "deploy", "--scopes", "lenses:read", "-o", "acme",
        "--secret-file", file.toString(), "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    String secret = Files.readString(file).strip();
    assertThat(secret).startsWith("tka_org_");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(r.out()).doesNotContain(secret).doesNotContain("\"secret\"");
    assertThat(r.err()).doesNotContain(secret).contains(file.toString());
    assertThat(server.active(secret)).isTrue();
  }

  @Test
  void list_printsTheSeedsColumnsAligned_withStateAndCreator() {
    Token older = server.token(ORG, "acme", null, "GitHub Actions deploy pipeline", "lenses:read", "workflows:read");
    Token newer = server.token(PERSONAL, "acme", "alice@example.com", "laptop", "lenses:read");

    Cli.Result r = ta.run("tokens", "list", "-o", "acme");

    // The day the server says the tokens were made (a run at midnight must not flake).
    String today = LocalDate.ofInstant(Instant.ofEpochSecond(newer.getCreateTime().getSeconds()), ZoneOffset.UTC).toString();
    String creator = server.adminId;
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo(String.join("\n",
        "ID                          LABEL                           KIND      SCOPES                      STATE   CREATED BY                  CREATED     EXPIRES     LAST USED",
        newer.getId() + "  laptop                          personal  lenses:read                 active  " + creator + "  " + today + "  in 30 days  never",
        older.getId() + "  GitHub Actions deploy pipeline  org       lenses:read,workflows:read  active  " + creator + "  " + today + "  in 90 days  never",
        ""));
  }

  @Test
  void listJson_isOneArrayOfEveryPage() {
    for (int i = 0; i < 501; i++) {
      server.token(ORG, "bulk", null, "t" + i, "lenses:read");
    }

    Cli.Result r = ta.run("tokens", "list", "-o", "bulk", "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonArray all = JsonParser.parseString(r.out()).getAsJsonArray();
    assertThat(all).hasSize(501);
    assertThat(StreamSupport.stream(all.spliterator(), false).map(e -> e.getAsJsonObject().get("id").getAsString())
        .distinct().count()).isEqualTo(501);
  }

  @Test
  void listFilters_kindStateCreatorLabelExpiryAndDisuse() {
    Token deploy = server.token(ORG, "acme", null, "deploy pipeline", "lenses:read");
    Token laptop = server.token(PERSONAL, "acme", "alice@example.com", "laptop", "lenses:read");
    Token manager = server.token(ORG, "acme", null, "manager", "tokens:write", "lenses:read");
    Token minted = server.as(manager.getSecret()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(ORG).setOrganization("acme").setLabel("minted").addScopes("lenses:read")).build());
    ta.run("tokens", "revoke", laptop.getId());

    assertThat(ids("-s", "personal")).containsExactly(laptop.getId());
    assertThat(ids("--state", "revoked")).containsExactly(laptop.getId());
    assertThat(ids("--created-by", manager.getId())).containsExactly(minted.getId());
    assertThat(ids("--label-contains", "PIPELINE")).containsExactly(deploy.getId());
    Token week = server.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(PERSONAL).setOrganization("acme").setSubject("carol@example.com").setLabel("week")
        .addScopes("lenses:read")).setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(7 * 86_400)).build());
    assertThat(ids("--expiring-within", "8d")).containsExactly(week.getId());
    assertThat(ids("-s", "org", "--expiring-within", "91d")).containsExactlyInAnyOrder(
        deploy.getId(), manager.getId(), minted.getId());
    assertThat(ids("-s", "org", "--expiring-within", "89d")).isEmpty();
    // Issued a moment ago and never used: not stale yet.
    assertThat(ids("-s", "org", "--unused-for", "1d")).isEmpty();
    // Two days on, the never-used ones are stale (the manager, used a moment ago, is too by then).
    Cli twoDaysOn = new Cli(dir.resolve("config")).env("TA_SERVER", server.target()).env("TA_TOKEN", server.adminSecret)
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
    assertThat(ids(twoDaysOn, "-s", "org", "--unused-for", "1d")).contains(deploy.getId(), minted.getId());
    assertThat(ids(twoDaysOn, "-s", "org", "--unused-for", "3d")).isEmpty();
  }

  private List<String> ids(String... filters) {
    return ids(ta, filters);
  }

  private static List<String> ids(Cli ta, String... filters) {
    List<String> args = new ArrayList<>(List.of("tokens", "list", "-o", "acme", "--json"));
    args.addAll(List.of(filters));
    Cli.Result r = ta.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> ids = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(r.out()).getAsJsonArray()) {
      ids.add(e.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  @Test
  void emptyList_saysWhatToDo() {
    Cli.Result r = ta.run("tokens", "list", "-o", "nobody-here");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("No tokens match").contains("ta tokens create");
    assertThat(ta.run("tokens", "list", "-o", "nobody-here", "--json").out()).isEqualTo("[]\n");
  }

  @Test
  void show_labelsEveryField() {
    Token t = server.token(ORG, "acme", null, "deploy", "lenses:read");

    Cli.Result r = ta.run("tokens", "show", t.getId());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("ID:           " + t.getId()).contains("State:        active")
        .contains("Scopes:       lenses:read").contains("Last used:    never")
        .contains("Secret hint:  " + t.getSecretHint()).doesNotContain(t.getSecret());
  }

  @Test
  void rotate_withGraceAndNarrowerScopes_intoASecretFile() throws Exception {
    Token t = server.token(ORG, "acme", null, "deploy", "lenses:read", "workflows:read");
    Path file = dir.resolve("rotated.secret");

    Cli.Result r = ta.run("tokens", "rotate", t.getId(), "--grace", "1h", "--scopes", "lenses:read",
        "--secret-file", file.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    String fresh = Files.readString(file).strip();
    assertThat(server.active(fresh)).isTrue();
    assertThat(server.active(t.getSecret())).as("old secret, within its grace").isTrue();
    assertThat(r.err()).contains("works for 1h more");
  }

  @Test
  void aSecretFileThatCannotBeWritten_failsBeforeTheRotation_soTheOldSecretStillWorks() throws Exception {
    Token t = server.token(ORG, "acme", null, "deploy", "lenses:read");
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");

    Cli.Result r = ta.run("tokens", "rotate", t.getId(), "--secret-file", notADirectory.resolve("deploy.secret").toString());

    assertThat(r.exit()).isEqualTo(ExitCode.ERROR);
    assertThat(r.err()).contains("cannot write --secret-file").contains("nothing was issued");
    assertThat(server.get(t.getId()).getRotatedTo()).isEmpty();
    assertThat(server.active(t.getSecret())).isTrue();
  }

  @Test
  void revokeSeveralIds_atOnce_andABadIdDoesNotSpareTheOthers() {
    Token a = server.token(ORG, "acme", null, "a", "lenses:read");
    Token b = server.token(ORG, "acme", null, "b", "lenses:read");

    Cli.Result r = ta.run("tokens", "revoke", a.getId(), "tok_AAAAAAAAAAAAAAAAAAAAAA", b.getId(), "--reason", "leaked in CI log");

    assertThat(r.exit()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.out()).contains("Revoked " + a.getId()).contains("Revoked " + b.getId());
    assertThat(r.err()).contains("tok_AAAAAAAAAAAAAAAAAAAAAA").contains("(TOKEN_NOT_FOUND)").contains("[request id ");
    assertThat(server.get(a.getId()).getState()).isEqualTo(TokenState.TOKEN_STATE_REVOKED);
    assertThat(server.get(b.getId()).getRevokeReason()).isEqualTo("leaked in CI log");
  }

  @Test
  void bulkRevoke_asksFirst_andRefusesWithoutAPersonOrYes() {
    Token bob1 = server.token(PERSONAL, "acme", "bob@example.com", "b1", "lenses:read");
    Token bob2 = server.token(PERSONAL, "acme", "bob@example.com", "b2", "lenses:read");
    Token alice = server.token(PERSONAL, "acme", "alice@example.com", "a", "lenses:read");

    Cli.Result script = ta.run("tokens", "revoke", "--subject", "bob@example.com", "-o", "acme");
    assertThat(script.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(script.err()).contains("--yes");
    Cli.Result declined = ta.run("n\n", true, "tokens", "revoke", "--subject", "bob@example.com", "-o", "acme");
    assertThat(declined.exit()).isEqualTo(ExitCode.ERROR);
    assertThat(server.active(bob1.getSecret())).isTrue();

    Cli.Result agreed = ta.run("y\n", true, "tokens", "revoke", "--subject", "bob@example.com", "-o", "acme", "--reason", "offboarding");

    assertThat(agreed.exit()).as(agreed.toString()).isZero();
    assertThat(agreed.err()).contains("Revoke every active token of bob@example.com in organisation acme?");
    assertThat(agreed.out()).isEqualTo("Revoked 2 tokens.\n");
    assertThat(server.active(bob1.getSecret())).isFalse();
    assertThat(server.active(bob2.getSecret())).isFalse();
    assertThat(server.active(alice.getSecret())).isTrue();
  }

  @Test
  void revokeAllInOrg_makesThePersonTypeTheOrganisation() {
    Token a = server.token(ORG, "acme", null, "a", "lenses:read");
    Token other = server.token(ORG, "globex", null, "g", "lenses:read");

    Cli.Result typo = ta.run("y\n", true, "tokens", "revoke", "--all-in-org", "-o", "acme");
    assertThat(typo.exit()).isEqualTo(ExitCode.ERROR);
    assertThat(server.active(a.getSecret())).isTrue();

    Cli.Result r = ta.run("acme\n", true, "tokens", "revoke", "--all-in-org", "-o", "acme", "--reason", "incident-42", "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(JsonParser.parseString(r.out()).getAsJsonObject().get("revoked_count").getAsLong()).isEqualTo(1);
    assertThat(server.active(a.getSecret())).isFalse();
    assertThat(server.active(other.getSecret())).isTrue();
  }

  @Test
  void revokeNeedsIdsOrAFilter_notBoth() {
    assertThat(ta.run("tokens", "revoke").exit()).isEqualTo(ExitCode.USAGE);
    assertThat(ta.run("tokens", "revoke", "tok_x", "--subject", "bob").exit()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void introspect_readsTheSecretFromStdinOrTheEnvironment_andExits9WhenInactive() {
    Token t = server.token(ORG, "acme", null, "deploy", "lenses:read");

    Cli.Result fromStdin = ta.run(t.getSecret() + "\n", false, "tokens", "introspect", "--scopes", "lenses:read");
    assertThat(fromStdin.exit()).as(fromStdin.toString()).isZero();
    assertThat(fromStdin.out()).startsWith("active\n").contains(t.getId());

    Cli.Result missing = ta.env("DEPLOY_TOKEN", t.getSecret())
        .run("tokens", "introspect", "--secret-env", "DEPLOY_TOKEN", "--scopes", "lenses:write", "--json");
    assertThat(missing.exit()).isEqualTo(ExitCode.INACTIVE);
    assertThat(JsonParser.parseString(missing.out()).getAsJsonObject().get("missing_scopes").toString())
        .isEqualTo("[\"lenses:write\"]");

    ta.run("tokens", "revoke", t.getId());
    Cli.Result revoked = ta.run(t.getSecret() + "\n", false, "tokens", "introspect");
    assertThat(revoked.exit()).isEqualTo(ExitCode.INACTIVE);
    assertThat(revoked.out()).isEqualTo("inactive: revoked\n");
  }

  @Test
  void serverRefusals_areOneLineWithReasonFieldsAndRequestId_andTheirOwnExitCodes() {
    Cli.Result invalid = ta.run("tokens", "create", "org", "-n", "x", "--scopes", "nonsense:read", "-o", "acme");
    assertThat(invalid.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(invalid.err().lines()).hasSize(1);
    assertThat(invalid.err()).matches("ta: token\\.scopes: scope 'nonsense:read' is not in this server's catalogue"
        + " \\(UNKNOWN_SCOPE\\) \\[request id [0-9a-f-]+\\]\n");

    assertThat(ta.run("tokens", "show", "tok_AAAAAAAAAAAAAAAAAAAAAA").exit()).isEqualTo(ExitCode.NOT_FOUND);

    Token reader = server.token(ORG, "acme", null, "reader", "tokens:read");
    Cli.Result denied = new Cli(dir.resolve("c2")).env("TA_SERVER", server.target()).env("TA_TOKEN", reader.getSecret())
        .run("tokens", "create", "org", "-n", "x", "--scopes", "lenses:read", "-o", "acme");
    assertThat(denied.exit()).isEqualTo(ExitCode.PERMISSION);

    Cli.Result bad = new Cli(dir.resolve("c3")).env("TA_SERVER", server.target()).env("TA_TOKEN", "tka_org_notarealtoken")
        .run("tokens", "list");
    assertThat(bad.exit()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(bad.err()).doesNotContain("tka_org_notarealtoken");

    Token t = server.token(ORG, "acme", null, "r", "lenses:read");
    ta.run("tokens", "revoke", t.getId());
    Cli.Result conflict = ta.run("tokens", "rotate", t.getId());
    assertThat(conflict.exit()).isEqualTo(ExitCode.CONFLICT);
  }

  @Test
  void noCredentials_orNoServer_sayWhatToDo() {
    Cli.Result anonymous = new Cli(dir.resolve("c4")).env("TA_SERVER", server.target()).run("tokens", "list");
    assertThat(anonymous.exit()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(anonymous.err()).contains("ta auth login").contains("TA_TOKEN");

    Cli.Result down = ta.run("tokens", "list", "--server", "127.0.0.1:9", "--timeout", "5s");
    assertThat(down.exit()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(down.err()).startsWith("ta: cannot reach the token authority at 127.0.0.1:9");
  }

  @Test
  void usageErrors_exit2_withAPointerToHelp() {
    Cli.Result r = ta.run("tokens", "create", "org", "--ttl", "ninety days");

    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("ta tokens create --help");
    assertThat(ta.run("tokens").exit()).isEqualTo(ExitCode.USAGE);
    assertThat(ta.run("tokens", "list", "--server", "no-port").err()).contains("HOST:PORT");
  }

  @Test
  void help_listsExitCodes_andEveryCommandHasHelp() {
    Cli.Result top = ta.run("--help");
    assertThat(top.out()).contains("Exit codes:").contains("9   The secret checked is not active");
    for (String[] cmd : new String[][] {{"tokens", "create"}, {"tokens", "list"}, {"connectors", "rotate"},
        {"audit", "tail"}, {"auth", "login"}, {"auth", "device", "approve"}, {"orgs", "switch"}, {"leaks", "report"}}) {
      List<String> args = new ArrayList<>(List.of(cmd));
      args.add("--help");
      Cli.Result r = ta.run(args.toArray(String[]::new));
      assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
      assertThat(r.out()).contains("Usage: ta " + String.join(" ", cmd));
    }
    assertThat(ta.run("generate-completion").out()).contains("complete -F");
  }
}
