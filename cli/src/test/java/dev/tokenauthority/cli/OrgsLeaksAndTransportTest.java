package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.FileInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrgsLeaksAndTransportTest {
  @TempDir
  Path dir;

  @Test
  void orgsSwitch_choosesTheDefaultOrganisation_andTaOrgWins() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      Cli ta = new Cli(dir.resolve("config")).env("TA_SERVER", server.target()).env("TA_TOKEN", server.adminSecret);
      Cli.Result none = ta.run("orgs", "current");
      assertThat(none.exit()).isEqualTo(ExitCode.NOT_FOUND);
      assertThat(none.err()).contains("ta orgs switch ORG");

      assertThat(ta.run("orgs", "switch", "acme").out()).isEqualTo("Active organisation: acme\n");
      Path config = ta.configDir().resolve("config.properties");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
      assertThat(ta.run("orgs", "current").out()).isEqualTo("acme\n");

      Cli.Result created = ta.run("tokens", "create", "org", "-n", "deploy", "--scopes", "lenses:read", "--json");
      assertThat(created.out()).contains("\"organization\": \"acme\"");
      Cli.Result fromEnv = ta.env("TA_ORG", "globex").run("orgs", "current");
      assertThat(fromEnv.out()).isEqualTo("globex\n");
      assertThat(fromEnv.err()).contains("TA_ORG");

      Cli.Result bad = ta.run("orgs", "switch", "Not An Org");
      assertThat(bad.exit()).isEqualTo(ExitCode.USAGE);
      assertThat(ta.env("TA_ORG", null).run("orgs", "current").out()).isEqualTo("acme\n");
    }
  }

  @Test
  void leaksReport_revokesLiveSecrets_withoutCredentials_andSaysOnlyHowManyWereWellFormed() throws Exception {
    try (LiveServer server = LiveServer.start(dir.resolve("data"))) {
      Token leaked = server.token(TokenKind.TOKEN_KIND_ORGANIZATION, "acme", null, "leaky", "lenses:read");
      Cli anonymous = new Cli(dir.resolve("config")).env("TA_SERVER", server.target());

      Cli.Result r = anonymous.run(leaked.getSecret() + "\nnot a secret\n\n" + leaked.getSecret() + "\n", false,
          "leaks", "report");

      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo("Reported 2 secrets; 1 had this authority's format."
          + " Any live token among them is now revoked.\n");
      assertThat(server.active(leaked.getSecret())).isFalse();
      assertThat(anonymous.run("leaks", "report").exit()).isEqualTo(ExitCode.USAGE);
    }
  }

  @Test
  void tls_withTheGivenCa_works_andAnUntrustedServerIsRefused() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path ca = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "ta", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "ta", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-file", ca.toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());

    try (LiveServer server = LiveServer.withTls(dir.resolve("data"), TlsServerCredentials.newBuilder()
        .keyManager(kmf.getKeyManagers()).build(), TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build())) {
      Cli ta = new Cli(dir.resolve("config")).env("TA_TOKEN", server.adminSecret);

      Cli.Result trusted = ta.run("tokens", "list", "--json", "--server", server.target(), "--tls-ca", ca.toString());
      assertThat(trusted.exit()).as(trusted.toString()).isZero();
      assertThat(trusted.out()).contains(server.adminId);
      Cli.Result viaEnv = ta.env("TA_TLS_CA", ca.toString()).env("TA_SERVER", server.target()).run("tokens", "list");
      assertThat(viaEnv.exit()).as(viaEnv.toString()).isZero();

      Cli.Result plaintext = ta.env("TA_TLS_CA", null).run("tokens", "list", "--server", server.target(), "--timeout", "5s");
      assertThat(plaintext.exit()).isEqualTo(ExitCode.UNAVAILABLE);
      Cli.Result missingCa = ta.run("tokens", "list", "--server", server.target(), "--tls-ca", dir.resolve("nope.pem").toString());
      assertThat(missingCa.exit()).isEqualTo(ExitCode.USAGE);
      assertThat(missingCa.err()).contains("nope.pem");
    }
  }

  @Test
  void plaintext_onlyToLoopback_unlessInsecure() throws Exception {
    InetAddress outside = nonLoopbackAddress();
    assumeTrue(outside != null, "this machine has no non-loopback IPv4 address to test plaintext refusal on");
    try (LiveServer server = LiveServer.onAllInterfaces(dir.resolve("data"), outside.getHostAddress())) {
      Cli ta = new Cli(dir.resolve("config")).env("TA_TOKEN", server.adminSecret).env("TA_SERVER", server.target());

      Cli.Result refused = ta.run("tokens", "list", "--timeout", "5s");
      assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCode.UNAVAILABLE);

      Cli.Result insecure = ta.run("tokens", "list", "--insecure");
      assertThat(insecure.exit()).as(insecure.toString()).isZero();
    }
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a;
          }
        }
      }
    }
    return null;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }
}
