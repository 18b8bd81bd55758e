package dev.tokenauthority.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs {@code ta} in this JVM with captured stdout and stderr, a given environment and config dir. */
final class Cli {
  private final Path configDir;
  private final Map<String, String> env = new HashMap<>();
  private Clock clock = Clock.systemUTC();

  Cli(Path configDir) {
    this.configDir = configDir;
  }

  Cli env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  Cli clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  Path configDir() {
    return configDir;
  }

  /** What one run printed and returned. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    return run("", false, args);
  }

  Result run(String stdin, boolean interactive, String... args) {
    return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), interactive, new StringWriter(), args);
  }

  private Result run(InputStream in, boolean interactive, StringWriter err, String... args) {
    return run(in, interactive, new StringWriter(), err, args);
  }

  private Result run(InputStream in, boolean interactive, StringWriter out, StringWriter err, String... args) {
    Terminal t = Terminal.of(in, new PrintWriter(out, true), new PrintWriter(err, true), Map.copyOf(env),
        configDir, clock, interactive);
    int exit = Ta.run(t, args);
    return new Result(exit, out.toString(), err.toString());
  }

  /** A run in the background whose stderr can be watched while it waits (device flows). */
  final class Background {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CompletableFuture<Result> result;
    private final Thread runner;

    /** Interrupts the run (Ctrl-C for a follow) and waits for its end. */
    Result stop() throws InterruptedException {
      runner.interrupt();
      runner.join(10_000);
      return result.getNow(null);
    }

    Background(String... args) throws java.io.IOException {
      PipedOutputStream feed = new PipedOutputStream();
      PipedInputStream in = new PipedInputStream(feed);
      // Its own thread, not the common pool: cancelling a follow (audit tail) interrupts it.
      result = new CompletableFuture<>();
      runner = new Thread(() -> result.complete(run(in, false, out, err, args)), "ta " + String.join(" ", args));
      runner.start();
    }

    /** Waits until stderr contains {@code text}; returns stderr so far. */
    String awaitErr(String text) throws InterruptedException {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!err.toString().contains(text)) {
        if (System.nanoTime() > deadline || result.isDone()) {
          throw new AssertionError("stderr never showed '" + text + "': " + err + (result.isDone() ? result.join() : ""));
        }
        Thread.sleep(20);
      }
      return err.toString();
    }
  }

  Background start(String... args) throws java.io.IOException {
    return new Background(args);
  }
}
