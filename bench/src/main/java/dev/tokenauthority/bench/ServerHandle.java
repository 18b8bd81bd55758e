package dev.tokenauthority.bench;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link BenchServer} in its own JVM: its port, start-up time, memory figures, channels. */
final class ServerHandle implements AutoCloseable {
  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  final int port;
  /** The server's HTTP listener (health, forward-auth). */
  final int httpPort;
  /** CPU time the server process has used so far (user + system, all threads). */
  Duration cpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** From launching the JVM to health answering SERVING. */
  final Duration startup;

  private ServerHandle(Path dataDir, long tokenCacheSize, String... extra) throws Exception {
    long launched = System.nanoTime();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    String jfr = System.getProperty("bench.server.jfr"); // a folder: each server records a JFR profile there
    if (jfr != null) {
      command.add("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(jfr, dataDir.getFileName() + ".jfr"));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        BenchServer.class.getName(), dataDir.toString(), Long.toString(tokenCacheSize)));
    command.addAll(List.of(extra));
    process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    stdin = new PrintWriter(process.getOutputStream(), true);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "bench-server-output");
    reader.setDaemon(true);
    reader.start();
    port = Integer.parseInt(awaitLine("listening on ", Duration.ofSeconds(60)).replaceAll(".*:", ""));
    ManagedChannel probe = channel();
    var health = HealthGrpc.newBlockingStub(probe);
    while (health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus()
        != ServingStatus.SERVING) {
      Thread.sleep(1);
    }
    startup = Duration.ofNanos(System.nanoTime() - launched);
    httpPort = Integer.parseInt(awaitLine("http on ", Duration.ofSeconds(60)).replaceAll(".*:", ""));
    httpStartup = Duration.ofNanos(System.nanoTime() - launched);
  }

  /** From launching the JVM to the HTTP listener's port being known (it starts after gRPC). */
  final Duration httpStartup;

  /** @param extra further arguments of {@link BenchServer} (an OIDC issuer URL) */
  static ServerHandle start(Path dataDir, long tokenCacheSize, String... extra) throws Exception {
    return new ServerHandle(dataDir, tokenCacheSize, extra);
  }

  /** A new connection; closed with the server handle. */
  ManagedChannel channel() {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(c);
    return c;
  }

  List<ManagedChannel> channels(int n) {
    List<ManagedChannel> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(channel());
    }
    return list;
  }

  /** "heap_used=... heap_committed=... rss_kib=... rss_peak_kib=..." after a full GC in the server. */
  String stats() throws InterruptedException {
    stdin.println("stats");
    return awaitLine("stats ", Duration.ofSeconds(30)).substring("stats ".length());
  }

  private String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.contains(prefix)) {
        return line.substring(line.indexOf(prefix));
      }
      if (line == null && !process.isAlive()) {
        throw new IllegalStateException("bench server exited with " + process.exitValue());
      }
    }
    throw new IllegalStateException("bench server did not say '" + prefix + "' in time");
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    stdin.println("quit");
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
