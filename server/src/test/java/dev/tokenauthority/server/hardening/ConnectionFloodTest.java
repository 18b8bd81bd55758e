package dev.tokenauthority.server.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.CallExecutors;
import dev.tokenauthority.server.NettyTransport;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that never speak HTTP/2, from one address, on the real Netty transport: capped per
 * address, closed after the handshake timeout, and health still answers from elsewhere at once.
 * The attacker's sockets come from 127.0.0.2, the health check from 127.0.0.1 (both loopback).
 */
class ConnectionFloodTest {
  @TempDir Path dataDir;
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private CallExecutors executors;
  private final List<Socket> sockets = new ArrayList<>();

  private int start(NettyTransport.ConnectionLimits limits) throws IOException {
    authority = TokenAuthority.open(dataDir, AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC());
    authority.bootstrap();
    executors = CallExecutors.standard();
    server = new TokenAuthorityServer(NettyTransport.builder("127.0.0.1", 0, executors,
        InsecureServerCredentials.create(), limits), authority).start();
    return server.port();
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    server.stop(Duration.ofSeconds(5));
    executors.shutdown();
    authority.close();
  }

  @Test
  void oneAddressOpeningThousandsOfSilentConnections_isCapped_andHealthStillAnswers() throws Exception {
    int port = start(new NettyTransport.ConnectionLimits(Duration.ofSeconds(30), Duration.ofMinutes(5), 50));
    for (int i = 0; i < 2_000; i++) {
      sockets.add(silentConnection(port));
    }

    assertThat(healthWithin(port, Duration.ofSeconds(1))).isEqualTo(ServingStatus.SERVING);
    long closed = countClosed(sockets, 2_000);
    assertThat(closed).as("all but the 50 allowed are closed at once").isGreaterThanOrEqualTo(1_950);
  }

  @Test
  void connectionThatNeverCompletesTheHandshake_isClosed() throws Exception {
    int port = start(new NettyTransport.ConnectionLimits(Duration.ofMillis(500), Duration.ofMinutes(5), 512));
    for (int i = 0; i < 20; i++) {
      sockets.add(silentConnection(port));
    }
    Thread.sleep(1_500);
    assertThat(countClosed(sockets, 3_000)).isEqualTo(sockets.size());
    assertThat(healthWithin(port, Duration.ofSeconds(1))).isEqualTo(ServingStatus.SERVING);
  }

  private Socket silentConnection(int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  /** How many of {@code all} the server closed, each given {@code waitMillis}, checked in parallel. */
  private static long countClosed(List<Socket> all, int waitMillis) throws InterruptedException {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(100);
    try {
      long closed = 0;
      for (var f : pool.invokeAll(all.stream()
          .map(s -> (java.util.concurrent.Callable<Boolean>) () -> closedByServer(s, waitMillis)).toList())) {
        closed += f.get() ? 1 : 0;
      }
      return closed;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Whether the server closed it: a read sees the end of the stream (or a reset). */
  private static boolean closedByServer(Socket s, int waitMillis) {
    try {
      s.setSoTimeout(waitMillis);
      InputStream in = s.getInputStream();
      while (true) {
        int b = in.read(); // the server may first send its SETTINGS frame; then it closes
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } catch (IOException e) {
      return true;
    }
  }

  private static ServingStatus healthWithin(int port, Duration limit) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(limit.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
