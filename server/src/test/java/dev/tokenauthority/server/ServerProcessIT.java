package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ReportLeakedTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.TestConnectorRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a real process, over Netty on loopback. */
class ServerProcessIT {
  @TempDir Path dataDir;
  private final List<String> secretsSeen = new ArrayList<>();

  @Test
  void endToEnd_overTheWire_thenGracefulShutdown() throws Exception {
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      int port = server.awaitPort();
      ManagedChannel channel = channel(port);
      try {
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        TokenServiceBlockingStub admin = stub(channel, adminSecret());

        Token t = remember(admin.createToken(orgToken()));
        assertThat(introspect(admin, t.getSecret()).getAllowed()).isTrue();
        Token rotated = remember(admin.rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).build()));
        assertThat(introspect(admin, t.getSecret()).getActive()).isFalse();
        assertThat(admin.listTokens(ListTokensRequest.newBuilder().setOrganization("acme").build()).getTokensCount()).isEqualTo(2);
        admin.revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).setReason("done").build());
        assertThat(introspect(admin, rotated.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      int exit = server.terminate();

      assertThat(exit).as(server.output()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
      assertThat(server.output()).contains("shutting down").contains("stopped");
      assertNoSecretIn(server.output());
      assertNoSecretInDatabaseFiles();
    }
  }

  @Test
  void everyRoleAndAction_leavesNoSecretInTheDatabaseOrTheLog() throws Exception {
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      ManagedChannel channel = channel(server.awaitPort());
      try {
        TokenServiceBlockingStub admin = stub(channel, adminSecret());
        Token manager = remember(admin.createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("manager")
            .addScopes("tokens:write").addScopes("connectors:write").addScopes("lenses:read")
            .addScopes("personal-tokens:write")).build()));
        TokenServiceBlockingStub m = stub(channel, manager.getSecret());
        Token alice = remember(m.createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme").setSubject("alice").setLabel("alice")
            .addScopes("lenses:read").addScopes("personal-tokens:write")).build()));
        remember(stub(channel, alice.getSecret()).createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_PERSONAL).setOrganization("acme").setSubject("alice").setLabel("laptop")
            .addScopes("lenses:read")).build()));
        var connectors = ConnectorServiceGrpc.newBlockingStub(channel).withCallCredentials(Bearer.of(manager.getSecret()))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        Connector first = connectors.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
            .setOrganization("acme").setSlug("ci-runner").setName("CI").addScopes("lenses:read")).build());
        secretsSeen.add(first.getSecret());
        Connector second = connectors.rotateConnector(RotateConnectorRequest.newBuilder()
            .setOrganization("acme").setSlug("ci-runner").build());
        secretsSeen.add(second.getSecret());
        connectors.testConnector(TestConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner")
            .setSecret(second.getSecret()).build());
        Token leaked = remember(admin.createToken(orgToken()));
        TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).reportLeakedTokens(
            ReportLeakedTokensRequest.newBuilder().addSecrets(leaked.getSecret()).build());
        String neverIssued = dev.tokenauthority.server.token.Secret.generate(
            dev.tokenauthority.server.token.TokenKind.ORGANIZATION, new java.security.SecureRandom()).reveal();
        secretsSeen.add(neverIssued);
        for (String bad : List.of(leaked.getSecret(), first.getSecret(), neverIssued)) {
          assertThatThrownBy(() -> stub(channel, bad).listTokens(ListTokensRequest.getDefaultInstance()))
              .isInstanceOf(StatusRuntimeException.class);
          introspect(admin, bad);
        }
        assertThatThrownBy(() -> stub(channel, alice.getSecret()).listTokens(
            ListTokensRequest.newBuilder().setSubject("bob").build())).isInstanceOf(StatusRuntimeException.class);
        m.revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").setSubject("alice").build());
        var audit = AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(Bearer.of(manager.getSecret()))
            .withDeadlineAfter(10, TimeUnit.SECONDS).listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(500).build());
        assertThat(audit.getEventsList()).extracting(e -> e.getAction().name())
            .contains("AUDIT_ACTION_CONNECTOR_ROTATED", "AUDIT_ACTION_TOKEN_LEAK_REVOKED",
                "AUDIT_ACTION_AUTHENTICATION_FAILED", "AUDIT_ACTION_PERMISSION_DENIED",
                "AUDIT_ACTION_INACTIVE_TOKEN_PRESENTED", "AUDIT_ACTION_TOKEN_BULK_REVOKED");
        assertNoSecretIn(audit.toString());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertThat(server.terminate()).as(server.output()).isEqualTo(143);
      assertThat(secretsSeen).hasSizeGreaterThanOrEqualTo(8);
      assertNoSecretIn(server.output());
      assertNoSecretInDatabaseFiles();
    }
  }

  @Test
  void acknowledgedWrites_surviveKill9() throws Exception {
    Token created;
    Token revoked;
    Token rotatedAway;
    Token rotatedTo;
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      ManagedChannel channel = channel(server.awaitPort());
      TokenServiceBlockingStub admin = stub(channel, adminSecret());
      created = remember(admin.createToken(orgToken()));
      revoked = remember(admin.createToken(orgToken()));
      rotatedAway = remember(admin.createToken(orgToken()));
      admin.revokeToken(RevokeTokenRequest.newBuilder().setId(revoked.getId()).build());
      rotatedTo = remember(admin.rotateToken(RotateTokenRequest.newBuilder().setId(rotatedAway.getId()).build()));

      server.kill9(); // right after the last acknowledgement
      channel.shutdownNow();
      assertNoSecretIn(server.output());
    }

    try (ServerProcess again = ServerProcess.start(dataDir)) {
      ManagedChannel channel = channel(again.awaitPort());
      try {
        TokenServiceBlockingStub admin = stub(channel, adminSecret());
        assertThat(introspect(admin, created.getSecret()).getActive()).isTrue();
        assertThat(introspect(admin, revoked.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
        assertThat(introspect(admin, rotatedAway.getSecret()).getReason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
        assertThat(introspect(admin, rotatedTo.getSecret()).getActive()).isTrue();
        assertThat(admin.getToken(GetTokenRequest.newBuilder().setId(rotatedAway.getId()).build()).getRotatedTo())
            .isEqualTo(rotatedTo.getId());
        assertThat(again.output()).doesNotContain("first start"); // no second bootstrap token
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void corruptDatabase_exitsWithCode2AndSaysWhy() throws Exception {
    Files.writeString(dataDir.resolve(TokenAuthority.DATABASE_FILE), "not a database ".repeat(100));
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      assertThat(server.awaitExit()).isEqualTo(2);
      assertThat(server.output()).contains("cannot start").contains("not a usable SQLite database")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void secondServerOnTheSameDataDirectory_exitsWithCode2_andTheFirstKeepsServing() throws Exception {
    try (ServerProcess first = ServerProcess.start(dataDir)) {
      ManagedChannel channel = channel(first.awaitPort());
      try (ServerProcess second = ServerProcess.start(dataDir)) {
        assertThat(second.awaitExit()).isEqualTo(2);
        assertThat(second.output()).contains("another token authority server holds the data directory")
            .doesNotContain("\tat ");
        assertThat(introspect(stub(channel, adminSecret()), adminSecret()).getActive()).isTrue();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void kill9ThenALostWriteAheadLog_refusesToStart_insteadOfUndoingARevocation() throws Exception {
    try (ServerProcess server = ServerProcess.start(dataDir)) {
      ManagedChannel channel = channel(server.awaitPort());
      TokenServiceBlockingStub admin = stub(channel, adminSecret());
      Token t = remember(admin.createToken(orgToken()));
      admin.revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).build());
      server.kill9();
      channel.shutdownNow();
    }
    Path wal = dataDir.resolve(TokenAuthority.DATABASE_FILE + "-wal");
    assertThat(wal).exists();
    Files.delete(wal);

    try (ServerProcess again = ServerProcess.start(dataDir)) {
      assertThat(again.awaitExit()).isEqualTo(2);
      assertThat(again.output()).contains("did not stop cleanly").contains("write-ahead log")
          .doesNotContain("first start").doesNotContain("\tat ");
    }
  }

  @Test
  void httpPortInUse_exitsWithCode2AndSaysSo() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
         ServerProcess server = ServerProcess.start(dataDir, "--http-port", Integer.toString(taken.getLocalPort()))) {
      assertThat(server.awaitExit()).isEqualTo(2);
      assertThat(server.output()).contains("cannot start the HTTP listener").doesNotContain("\tat ");
    }
  }

  @Test
  void badConfig_exitsWithCode2AndNamesTheKey() throws Exception {
    Path config = dataDir.resolve("authority.properties");
    Files.writeString(config, "lifetime.personal.maximum = 7d\n");
    try (ServerProcess server = ServerProcess.start(dataDir, "--config", config.toString())) {
      assertThat(server.awaitExit()).isEqualTo(2);
      assertThat(server.output()).contains("lifetime.personal.maximum");
    }
  }

  private String adminSecret() throws Exception {
    String secret = Files.readString(dataDir.resolve("bootstrap-token")).trim();
    secretsSeen.add(secret);
    return secret;
  }

  private Token remember(Token t) {
    secretsSeen.add(t.getSecret());
    return t;
  }

  private void assertNoSecretIn(String log) {
    assertThat(secretsSeen).isNotEmpty();
    for (String secret : secretsSeen) {
      assertThat(log).doesNotContain(secret);
    }
  }

  /** The database, its WAL and shared memory hold hashes only. */
  private void assertNoSecretInDatabaseFiles() throws java.io.IOException {
    try (var files = Files.list(dataDir)) {
      List<Path> dbFiles = files.filter(f -> f.getFileName().toString().startsWith(TokenAuthority.DATABASE_FILE)).toList();
      assertThat(dbFiles).isNotEmpty();
      for (Path f : dbFiles) {
        String bytes = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String secret : secretsSeen) {
          assertThat(bytes).as("%s holds no secret", f.getFileName()).doesNotContain(secret);
          assertThat(bytes).as("%s holds no secret body", f.getFileName()).doesNotContain(secret.substring(12));
        }
      }
    }
  }

  private static CreateTokenRequest orgToken() {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
        .setOrganization("acme").setLabel("it").addScopes("lenses:read"))
        .setTtl(Duration.newBuilder().setSeconds(30L * 86_400)).build();
  }

  private static IntrospectTokenResponse introspect(TokenServiceBlockingStub stub, String secret) {
    return stub.introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).addRequiredScopes("lenses:read").build());
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static TokenServiceBlockingStub stub(ManagedChannel channel, String secret) {
    return TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(Bearer.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
