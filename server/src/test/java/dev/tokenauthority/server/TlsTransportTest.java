package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.TlsTesting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS on a real Netty server, with grpc-testing's test certificates (issued for
 * *.test.google.fr), and the refusal to serve plaintext beyond loopback.
 */
class TlsTransportTest {
  private static final String AUTHORITY = "foo.test.google.fr";

  @TempDir Path dir;

  @Test
  void plaintextBeyondLoopback_isRefusedUnlessInsecure() {
    assertThatThrownBy(() -> Transport.credentials("0.0.0.0", null, null, null, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--insecure").hasMessageContaining("--tls-cert");
    assertThat(Transport.credentials("0.0.0.0", null, null, null, true)).isInstanceOf(InsecureServerCredentials.class);
    assertThat(Transport.credentials("127.0.0.1", null, null, null, false)).isInstanceOf(InsecureServerCredentials.class);
    assertThat(Transport.credentials("localhost", null, null, null, false)).isInstanceOf(InsecureServerCredentials.class);
    assertThatThrownBy(() -> Transport.credentials("127.0.0.1", dir.resolve("cert.pem"), null, null, false))
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> Transport.credentials("127.0.0.1", null, null, dir.resolve("ca.pem"), false))
        .hasMessageContaining("needs --tls-cert");

    int exit = Main.commandLine().execute("--host", "0.0.0.0", "--port", "0", "--data-dir", dir.resolve("data").toString());
    assertThat(exit).isEqualTo(Main.EXIT_START_FAILED);
    assertThat(dir.resolve("data")).as("refused before touching anything").doesNotExist();
  }

  @Test
  void tls_servesClientsThatTrustTheCertificate() throws Exception {
    ServerCredentials tls = Transport.credentials("127.0.0.1", cert("server1.pem"), cert("server1.key"), null, false);
    try (Running server = Running.start(dir, tls)) {
      ChannelCredentials trusting = TlsChannelCredentials.newBuilder().trustManager(cert("ca.pem").toFile()).build();
      assertThat(server.listTokens(trusting)).isPositive();
      assertThatThrownBy(() -> server.listTokens(InsecureChannelCredentials.create()))
          .isInstanceOf(StatusRuntimeException.class).as("plaintext client");
    }
  }

  @Test
  void mutualTls_requiresAClientCertificateFromTheGivenCa() throws Exception {
    ServerCredentials mtls = Transport.credentials(
        "127.0.0.1", cert("server1.pem"), cert("server1.key"), cert("ca.pem"), false);
    try (Running server = Running.start(dir, mtls)) {
      ChannelCredentials anonymousTls = TlsChannelCredentials.newBuilder().trustManager(cert("ca.pem").toFile()).build();
      assertThatThrownBy(() -> server.listTokens(anonymousTls)).isInstanceOf(StatusRuntimeException.class);
      ChannelCredentials withCertificate = TlsChannelCredentials.newBuilder()
          .trustManager(cert("ca.pem").toFile())
          .keyManager(cert("client.pem").toFile(), cert("client.key").toFile()).build();
      assertThat(server.listTokens(withCertificate)).isPositive();
    }
  }

  private Path cert(String name) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      try (InputStream in = TlsTesting.loadCert(name)) {
        Files.copy(in, file);
      }
    }
    return file;
  }

  /** The real server on a Netty loopback port with the given credentials. */
  private record Running(TokenAuthority authority, TokenAuthorityServer server, CallExecutors executors, Path dir)
      implements AutoCloseable {
    static Running start(Path dir, ServerCredentials credentials) throws IOException {
      TokenAuthority authority = TokenAuthority.open(dir.resolve("data"), AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC());
      authority.bootstrap();
      CallExecutors executors = CallExecutors.standard();
      TokenAuthorityServer server = new TokenAuthorityServer(
          NettyTransport.builder("127.0.0.1", 0, executors, credentials, NettyTransport.ConnectionLimits.DEFAULTS), authority).start();
      return new Running(authority, server, executors, dir);
    }

    /** Lists tokens as the admin over a channel with {@code credentials}; how many came back. */
    int listTokens(ChannelCredentials credentials) throws Exception {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port(), credentials)
          .overrideAuthority(AUTHORITY).build();
      try {
        String admin = Files.readString(dir.resolve("data").resolve(BootstrapFile.NAME)).trim();
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .withCallCredentials(Bearer.of(admin))
            .listTokens(ListTokensRequest.getDefaultInstance()).getTokensCount();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }

    @Override
    public void close() {
      try {
        server.stop(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        executors.shutdown();
        authority.close();
      }
    }
  }
}
