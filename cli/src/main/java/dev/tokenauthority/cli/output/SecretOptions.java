package dev.tokenauthority.cli.output;

import com.google.protobuf.MessageOrBuilder;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
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

  private StateFile.Pending pending;

  /**
   * Called before the call that issues the secret: a {@code --secret-file} that cannot be written
   * fails now, while nothing is issued and an old secret still works.
   */
  private void prepare() throws IOException {
    if (secretFile != null) {
      try {
        pending = StateFile.prepare(secretFile);
      } catch (IOException e) {
        throw new CliException(ExitCode.ERROR, "cannot write --secret-file " + secretFile + " (" + e
            + "); nothing was issued");
      }
    }
  }

  /** Gives up the prepared file when the call failed. */
  private void abandon() throws IOException {
    if (pending != null) {
      pending.abandon();
    }
  }

  /**
   * Hands over {@code secret} of {@code id}; returns whether the JSON document may carry it (only
   * when it was not written to a file). A secret that cannot be handed over is lost: the error
   * says so and names what to revoke, and never repeats the secret.
   */
  private boolean deliver(Terminal t, String secret, String what, String id) {
    if (pending != null) {
      try {
        pending.commit(secret + "\n");
      } catch (IOException e) {
        throw new CliException(ExitCode.ERROR, "the new " + what + " secret of " + id + " could not be written to "
            + secretFile + " (" + e + ") and is lost: revoke or rotate " + id);
      }
      t.err().println("The new " + what + " secret is in " + secretFile + " (mode 0600).");
      t.err().flush();
      return false;
    }
    if (!json) {
      t.out().println(secret);
      if (t.out().checkError()) {
        throw new CliException(ExitCode.ERROR, "the new " + what + " secret of " + id
            + " could not be printed (stdout failed) and is lost: revoke or rotate " + id);
      }
    }
    t.err().println("This is the only time the " + what + " secret is shown: store it now.");
    t.err().flush();
    return true;
  }

  /** A call that issues a secret. */
  public interface Issue<T> {
    T call() throws Exception;
  }

  /** Runs {@code call} with the secret file prepared before it and given up if the call fails. */
  public <T> T issue(Issue<T> call) throws Exception {
    prepare();
    try {
      return call.call();
    } catch (Exception e) {
      abandon();
      throw e;
    }
  }

  /**
   * Hands over the secret {@code answer} carries, then prints {@code answer} as JSON when asked:
   * with the secret, or {@code withoutSecret} when it went to a file.
   */
  public void handOver(Terminal t, MessageOrBuilder answer, MessageOrBuilder withoutSecret, String secret,
      String what, String id) {
    boolean keepSecret = deliver(t, secret, what, id);
    if (json) {
      Json.print(t.out(), keepSecret ? answer : withoutSecret);
      if (keepSecret && t.out().checkError()) {
        throw new CliException(ExitCode.ERROR, "the new " + what + " secret of " + id
            + " could not be printed (stdout failed) and is lost: revoke or rotate " + id);
      }
    }
  }
}
