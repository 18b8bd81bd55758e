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
        return run(api);
      } catch (StatusRuntimeException e) {
        throw api.explain(e);
      }
    }
  }

  /** The command's work; returns the exit code. */
  protected abstract int run(Api api) throws Exception;
}
