package dev.tokenauthority.cli.output;

import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.config.StateFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command that receives a new secret hands it over: on stdout, shown once, with a note on
 * stderr; or into {@code --secret-file} (0600) and never on the terminal, for cron jobs.
 */
public final class SecretOptions {
  @Option(names = "--secret-file", paramLabel = "PATH",
      description = "Write the new secret to this file (mode 0600, replaced atomically) instead of"
          + " printing it; --json output then leaves the secret out.")
  public Path secretFile;

  @Option(names = "--json", description = "Print the answer as JSON (proto field names), the secret included"
      + " unless --secret-file is given.")
  public boolean json;

  /**
   * Hands over {@code secret}; returns whether the JSON document may carry it (only when it was
   * not written to a file).
   */
  public boolean deliver(Terminal t, String secret, String what) throws IOException {
    if (secretFile != null) {
      StateFile.writeSecret(secretFile, secret);
      t.err().println("The new " + what + " secret is in " + secretFile + " (mode 0600).");
      t.err().flush();
      return false;
    }
    if (!json) {
      t.out().println(secret);
      t.out().flush();
    }
    t.err().println("This is the only time the " + what + " secret is shown: store it now.");
    t.err().flush();
    return true;
  }
}
