package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's playbooks ("The ta command line: an operator's guide") as written, with bash
 * and the ta launcher, against a real server; then checks that each did what it says.
 */
class OperatorGuideIT {
  private static final Pattern PLAYBOOK = Pattern.compile("```sh\n# playbook: ([a-z-]+)\n(.*?)```", Pattern.DOTALL);
  private static final TokenKind ORG = TokenKind.TOKEN_KIND_ORGANIZATION;
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;

  @TempDir
  Path dir;

  private LiveServer server;
  /** The server's clock: the stale-token review needs tokens issued months ago. */
  private final ShiftedClock clock = new ShiftedClock();
  private Map<String, String> playbooks;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir.resolve("data"), clock);
    String readme = Files.readString(Path.of(System.getProperty("readme", "../README.md")));
    String guide = readme.substring(readme.indexOf("## The `ta` command line"), readme.indexOf("## Using it with grpcurl"));
    playbooks = new LinkedHashMap<>();
    Matcher m = PLAYBOOK.matcher(guide);
    while (m.find()) {
      playbooks.put(m.group(1), m.group(2));
    }
    assertThat(playbooks).containsOnlyKeys("rotation", "incident", "offboarding", "stale-review");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private Cli.Result play(String name, Map<String, String> variables) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", TaProcess.launcher().getParent() + ":" + System.getenv("PATH"));
    env.put("HOME", dir.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    env.put("TA_SERVER", server.target());
    env.put("TA_TOKEN", server.adminSecret);
    env.putAll(variables);
    Cli.Result r = TaProcess.run(List.of("bash", "-euo", "pipefail", "-c", playbooks.get(name)), env, "");
    assertThat(r.exit()).as("playbook %s: %s", name, r).isZero();
    return r;
  }

  @Test
  void rotation_leavesAWorkingSecretInTheFile_andTheOldOneInItsGrace() throws Exception {
    String old = server.connector("acme", "github-actions", "lenses:read", "workflows:read").getSecret();
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Token rotator = server.token(ORG, "acme", null, "rotation cron", "connectors:write", "lenses:read", "workflows:read");
    Files.writeString(secrets.resolve("rotation-token"), rotator.getSecret() + "\n");

    // As cron runs it: no TA_TOKEN in the environment, only what the crontab names.
    Cli.Result r = play("rotation", Map.of("SECRETS_DIR", secrets.toString(), "TA_TOKEN", ""));

    String fresh = Files.readString(secrets.resolve("github-actions.secret")).strip();
    assertThat(fresh).startsWith("tka_svc_").isNotEqualTo(old);
    assertThat(server.active(fresh)).isTrue();
    assertThat(server.active(old)).as("within the hour's grace").isTrue();
    assertThat(r.out()).contains("live: the current token").doesNotContain(fresh);
    assertThat(r.err()).doesNotContain(fresh);
  }

  @Test
  void incident_revokesTheLeakedTokens_everythingTheCompromisedOneIssued_andItself() throws Exception {
    Token leaked1 = server.token(ORG, "acme", null, "deploy", "lenses:read");
    Token leaked2 = server.token(ORG, "acme", null, "deploy-staging", "lenses:read");
    Token manager = server.token(ORG, "acme", null, "pipeline manager", "tokens:write", "lenses:read");
    Token issued = server.as(manager.getSecret()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(ORG).setOrganization("acme").setLabel("issued by manager").addScopes("lenses:read")).build());
    Token bystander = server.token(ORG, "acme", null, "unrelated", "lenses:read");

    Cli.Result r = play("incident", Map.of("LEAKED_1", leaked1.getId(), "LEAKED_2", leaked2.getId(),
        "COMPROMISED", manager.getId()));

    for (Token t : List.of(leaked1, leaked2, manager, issued)) {
      assertThat(server.active(t.getSecret())).as(t.getLabel()).isFalse();
    }
    assertThat(server.active(bystander.getSecret())).isTrue();
    assertThat(r.out()).contains("Revoked 1 token.").contains("token_bulk_revoked");
  }

  @Test
  void offboarding_stopsEveryTokenOfThePerson_andNoOneElses() throws Exception {
    Token laptop = server.token(PERSONAL, "acme", "bob@example.com", "laptop", "lenses:read");
    Token ci = server.token(PERSONAL, "acme", "bob@example.com", "ci", "lenses:read");
    Token alice = server.token(PERSONAL, "acme", "alice@example.com", "laptop", "lenses:read");
    // Bob is signed in on some device, with a session made from his laptop token.
    String session = server.signIn(laptop.getSecret());

    Cli.Result r = play("offboarding", Map.of("PERSON", "bob@example.com"));

    assertThat(server.active(session)).as("bob's session access token").isFalse();
    assertThat(server.active(laptop.getSecret())).isFalse();
    assertThat(server.active(ci.getSecret())).isFalse();
    assertThat(server.active(alice.getSecret())).isTrue();
    assertThat(r.out()).contains(laptop.getId()).contains(ci.getId()).contains("Revoked 3 tokens.");
  }

  @Test
  void staleReview_listsTheNeverUsed_andTheSoonExpiring() throws Exception {
    clock.shift(Duration.ofDays(-100));
    Token neverUsed = server.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(ORG).setOrganization("acme").setLabel("forgotten").addScopes("lenses:read"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(365 * 86_400)).build());
    Token oldButUsed = server.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(ORG).setOrganization("acme").setLabel("in daily use").addScopes("tokens:introspect"))
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(365 * 86_400)).build());
    clock.shift(Duration.ZERO);
    server.as(oldButUsed.getSecret()).introspectToken(dev.tokenauthority.api.v1.IntrospectTokenRequest.newBuilder()
        .setSecret(neverUsed.getSecret().replace('a', 'b')).build());
    Token fresh = server.token(ORG, "acme", null, "made today", "lenses:read");
    Token soon = server.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(PERSONAL).setOrganization("acme").setSubject("carol@example.com").setLabel("short")
        .addScopes("lenses:read")).setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(7 * 86_400)).build());

    Cli.Result r = play("stale-review", Map.of());

    String[] halves = r.out().split("\nID ", 2);
    assertThat(halves).hasSize(2);
    assertThat(halves[0]).contains(neverUsed.getId()).doesNotContain(oldButUsed.getId()).doesNotContain(fresh.getId());
    assertThat(halves[1]).contains(soon.getId()).contains("in 7 days").doesNotContain(neverUsed.getId());
  }
}
