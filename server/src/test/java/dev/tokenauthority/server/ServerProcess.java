package dev.tokenauthority.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged server jar running as its own process, as an operator runs it. */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private volatile int port = -1;

  private ServerProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readOutput, "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -jar token-authority-server.jar --port 0 --http-port 0 --data-dir DIR ARGS...}. */
  static ServerProcess start(Path dataDir, String... args) throws IOException {
    String jar = System.getProperty("server.jar");
    if (jar == null) {
      throw new IllegalStateException("system property server.jar is not set: run through 'mvn verify'");
    }
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-jar", jar,
        "--port", "0", "--data-dir", dataDir.toString()));
    if (!List.of(args).contains("--http-port")) {
      command.addAll(List.of("--http-port", "0")); // never the default 8080: tests run side by side
    }
    command.addAll(List.of(args));
    return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Waits until the server logs its port; fails if it exits first. */
  int awaitPort() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (port < 0) {
      if (!process.isAlive()) {
        throw new AssertionError("server exited with " + process.exitValue() + ":\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("server did not report its port:\n" + output());
      }
      Thread.sleep(20);
    }
    return port;
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  void kill9() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then the exit code. */
  int terminate() throws InterruptedException {
    process.toHandle().destroy(); // signals only; Process.destroy() would also close our view of its output
    return awaitExit();
  }

  int awaitExit() throws InterruptedException {
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not exit:\n" + output());
    }
    Thread.sleep(100); // let the reader drain the last lines
    return process.exitValue();
  }

  String output() {
    return String.join("\n", output);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        output.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
    } catch (IOException e) {
      output.add("(output closed: " + e + ")");
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
