package dev.tokenauthority.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What a command may touch of the world: its streams, environment, config directory and clock.
 * Tests build one with captured streams; {@link #system()} is the real terminal.
 *
 * @param interactive whether a person is at stdin (prompts and confirmations are possible)
 */
public record Terminal(BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env,
    Path configDir, Clock clock, boolean interactive) {

  /** The process's own terminal. */
  public static Terminal system() {
    Map<String, String> env = System.getenv();
    return new Terminal(
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
        env, configDir(env), Clock.systemUTC(), stdinIsTerminal());
  }

  /** A terminal reading {@code in}, for tests and embedding. */
  public static Terminal of(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env,
      Path configDir, Clock clock, boolean interactive) {
    return new Terminal(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out, err,
        env, configDir, clock, interactive);
  }

  /**
   * Whether a person types on stdin. The launcher says so ({@code test -t 0}); run without it,
   * a console (stdin and stdout both a terminal) is the best Java 17 can tell.
   */
  private static boolean stdinIsTerminal() {
    String fromLauncher = System.getProperty("ta.stdin.tty");
    return fromLauncher != null ? Boolean.parseBoolean(fromLauncher) : System.console() != null;
  }

  /** {@code $XDG_CONFIG_HOME/ta}, else {@code $HOME/.config/ta} (the XDG base directory default). */
  static Path configDir(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "ta");
    }
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config", "ta");
  }

  /** The environment variable, or null when unset or empty. */
  public String env(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * Reads a secret: from environment variable {@code envName} when given, else one line of stdin
   * (without echo when a person types it). Never from an argument, which would land in shell
   * history and {@code ps}.
   */
  public String readSecret(String envName, String what) throws IOException {
    if (envName != null) {
      String value = env(envName);
      if (value == null) {
        throw new CliException(ExitCode.USAGE, "environment variable " + envName + " is not set");
      }
      return value.strip();
    }
    Console console = System.console();
    if (interactive && console != null) {
      char[] typed = console.readPassword("%s (input hidden): ", what);
      return typed == null ? "" : new String(typed).strip();
    }
    if (interactive) {
      // A person at stdin but no console (stdout is piped): typing would echo the secret.
      throw new CliException(ExitCode.USAGE, "the " + what + " would show on the screen as you type it (stdout is"
          + " not a terminal): redirect it into stdin, or name a variable with --secret-env");
    }
    String line = in.readLine();
    if (line == null || line.isBlank()) {
      throw new CliException(ExitCode.USAGE, "no " + what + " on stdin");
    }
    return line.strip();
  }

  /**
   * Asks before something that cannot be undone. {@code --yes} skips the question; without a
   * person at stdin there is nobody to ask, so the command refuses instead of guessing.
   *
   * @param expected what the person must type; null for a plain yes/no
   */
  public void confirm(boolean yes, String question, String expected) throws IOException {
    if (yes) {
      return;
    }
    if (!interactive) {
      throw new CliException(ExitCode.USAGE,
          "stdin is not a terminal, so there is nobody to confirm: add --yes to go ahead");
    }
    err.print(expected == null ? question + " [y/N] " : question + " Type " + expected + " to confirm: ");
    err.flush();
    String answer = in.readLine();
    boolean agreed = answer != null && (expected == null
        ? answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes")
        : answer.strip().equals(expected));
    if (!agreed) {
      throw new CliException(ExitCode.ERROR, "not confirmed; nothing was changed");
    }
  }
}
