package dev.tokenauthority.cli;

import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that calls the authority: opens the connection, runs, explains transport failures. */
public abstract class ApiCommand implements Callable<Integer> {
  @Mixin
  public ServerOptions serverOptions;

  protected final Terminal t;

  protected ApiCommand(Terminal t) {
    this.t = t;
  }

  @Override
  public final Integer call() throws Exception {
    try (Api api = Api.open(t, serverOptions)) {
      try {
        int exit = run(api);
        markServerCalled(api, exit);
        return exit;
      } catch (StatusRuntimeException e) {
        throw api.explain(e);
      }
    }
  }

  /**
   * Tells the launcher that this run called a server and succeeded, so that the classes it
   * loaded are worth recording in the class-data-sharing archive ({@code -Dta.cds.marker=FILE}).
   */
  private static void markServerCalled(Api api, int exit) throws java.io.IOException {
    String marker = System.getProperty("ta.cds.marker");
    if (marker != null && exit == ExitCode.OK && api.called()) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(marker), "");
    }
  }

  /** The command's work; returns the exit code. */
  protected abstract int run(Api api) throws Exception;
}
