package dev.tokenauthority.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the authority is and how to reach it; mixed into every command that calls it. */
public final class ServerOptions {
  static final String DEFAULT_SERVER = "127.0.0.1:50051";

  @Option(names = "--server", paramLabel = "HOST:PORT", order = 100,
      description = "The authority's gRPC address. Env TA_SERVER. Default: " + DEFAULT_SERVER + ".")
  String server;

  @Option(names = "--tls-ca", paramLabel = "PEM", order = 101,
      description = "Use TLS, trusting the CA certificates in this PEM file. Env TA_TLS_CA."
          + " Without it, TLS with the system's trusted CAs for any host but loopback.")
  Path tlsCa;

  @Option(names = "--insecure", order = 102,
      description = "Allow plaintext (no TLS) to a host that is not loopback. Credentials then cross"
          + " the network readable: for a trusted network only.")
  boolean insecure;

  @Option(names = "--timeout", paramLabel = "DURATION", order = 103, converter = Durations.Converter.class,
      description = "How long each call may take. Default: 30s.")
  java.time.Duration timeout;

  /** The address to call: {@code --server}, else {@code TA_SERVER}, else the default. */
  String target(Terminal t) {
    if (server != null) {
      return server;
    }
    String env = t.env("TA_SERVER");
    return env != null ? env : DEFAULT_SERVER;
  }

  Path tlsCa(Terminal t) {
    if (tlsCa != null) {
      return tlsCa;
    }
    String env = t.env("TA_TLS_CA");
    return env == null ? null : Path.of(env);
  }

  java.time.Duration timeout() {
    if (timeout != null && timeout.isZero()) {
      throw new CliException(ExitCode.USAGE, "--timeout must be more than 0s");
    }
    return timeout == null ? java.time.Duration.ofSeconds(30) : timeout;
  }
}
