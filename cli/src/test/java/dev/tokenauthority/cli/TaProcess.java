package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command as a separate process (the packaged jar, the launcher, a bash playbook). */
final class TaProcess {
  private TaProcess() {}

  static Path jar() {
    return Path.of(System.getProperty("ta.jar", "target/ta.jar")).toAbsolutePath();
  }

  static Path launcher() {
    return Path.of(System.getProperty("ta.launcher", "ta")).toAbsolutePath();
  }

  static Cli.Result run(List<String> command, Map<String, String> env, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("TA_") || k.startsWith("XDG_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    p.getOutputStream().write(stdin.getBytes());
    p.getOutputStream().close();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Cli.Result(p.exitValue(), out.get(), err.get());
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
