package dev.tokenauthority.cli;

import dev.tokenauthority.cli.audit.AuditCommand;
import dev.tokenauthority.cli.auth.AuthCommand;
import dev.tokenauthority.cli.connectors.ConnectorsCommand;
import dev.tokenauthority.cli.leaks.LeaksCommand;
import dev.tokenauthority.cli.orgs.OrgsCommand;
import dev.tokenauthority.cli.tokens.TokensCommand;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code ta}: the token authority from a terminal. */
@Command(
    name = "ta",
    mixinStandardHelpOptions = true,
    version = "ta 0.1.0 (tokenauthority.v1)",
    description = {"Manage the token authority's tokens, connectors and audit log; sign in; report leaks.", ""},
    footerHeading = "%nCredentials and server:%n",
    footer = {
        "  TA_TOKEN (a token's secret) wins; otherwise the session of `ta auth login`, refreshed as needed.",
        "  TA_SERVER or --server picks the authority (default 127.0.0.1:50051); TA_ORG or --org the",
        "  organisation, else the one of `ta orgs switch`. State lives in $XDG_CONFIG_HOME/ta (0600).",
        "",
        "Examples:",
        "  ta tokens create org -n \"GitHub Actions deploy\" --scopes lenses:read --ttl 90d",
        "  ta tokens list -s org --expiring-within 30d",
        "  ta tokens revoke tok_4mZ... tok_9Qa... --reason \"leaked in CI log\"",
        "  source <(ta generate-completion)"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {})
public final class Ta extends Group {
  /**
   * The command groups, added to the tree by {@link #run}. Not in the annotation: picocli builds
   * every command it is given by reflection (0.23 s for all of them), so a run builds only the
   * group its first argument names, 0.07 s less (and all of them for help and completion).
   */
  private static final Map<String, Class<?>> GROUPS = groups();
  private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("tka_[a-z]{3}_[A-Za-z0-9]+");

  private static Map<String, Class<?>> groups() {
    Map<String, Class<?>> g = new LinkedHashMap<>();
    g.put("tokens", TokensCommand.class);
    g.put("connectors", ConnectorsCommand.class);
    g.put("audit", AuditCommand.class);
    g.put("auth", AuthCommand.class);
    g.put("orgs", OrgsCommand.class);
    g.put("leaks", LeaksCommand.class);
    g.put("generate-completion", AutoComplete.GenerateCompletion.class);
    return g;
  }

  public static void main(String[] args) {
    int code = run(Terminal.system(), args);
    System.exit(code);
  }

  /** Runs {@code ta args} on {@code terminal}; returns the exit code. */
  public static int run(Terminal terminal, String... args) {
    Factory factory = new Factory(terminal);
    CommandLine cl = new CommandLine(new Ta(), factory);
    try {
      if (args.length > 0 && GROUPS.containsKey(args[0]) && !args[0].equals("generate-completion")) {
        cl.addSubcommand(args[0], factory.create(GROUPS.get(args[0])));
      } else if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
        // Nothing to build: the version is the root command's.
      } else {
        for (Map.Entry<String, Class<?>> g : GROUPS.entrySet()) {
          cl.addSubcommand(g.getKey(), factory.create(g.getValue()));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("the command tree does not build", e);
    }
    cl.getCommandSpec().usageMessage().exitCodeList(exitCodes());
    cl.setOut(terminal.out());
    cl.setErr(terminal.err());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((e, argv) -> {
      // picocli quotes what it could not place; a secret typed as an argument must not be echoed.
      String message = mask(e.getMessage());
      terminal.err().println("ta: " + message);
      if (!message.equals(e.getMessage())) {
        terminal.err().println("Secrets are never taken as arguments (shell history, ps): give them on stdin or"
            + " with --secret-env.");
      }
      terminal.err().println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      terminal.err().flush();
      return ExitCode.USAGE;
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      int code = report(terminal, e);
      terminal.err().flush();
      return code;
    });
    int code = cl.execute(args);
    terminal.out().flush();
    return code;
  }

  private static Map<String, String> exitCodes() {
    Map<String, String> codes = new LinkedHashMap<>();
    for (String line : ExitCode.HELP) {
      int colon = line.indexOf(':');
      codes.put(String.format("%3s", line.substring(0, colon)), line.substring(colon + 1));
    }
    return codes;
  }

  /** Every error line passes here: a secret given where an id or a name belongs is not echoed. */
  private static String mask(String line) {
    return SECRET.matcher(line).replaceAll("tka_***");
  }

  private record MaskingWriter(Terminal t) {
    void println(String line) {
      t.err().println(mask(line));
    }
  }

  private static int report(Terminal t, Exception e) {
    MaskingWriter err = new MaskingWriter(t);
    if (e instanceof CliException c) {
      err.println("ta: " + c.getMessage());
      return c.code();
    }
    if (e instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.CANCELLED
        && Thread.currentThread().isInterrupted()) {
      return 130; // Ctrl-C (an interrupt) landed during a call rather than between calls
    }
    if (e instanceof io.grpc.StatusRuntimeException s) {
      err.println("ta: " + ErrorLine.of(s));
      return ExitCode.of(s.getStatus().getCode());
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return 130;
    }
    if (e instanceof java.io.IOException || e instanceof UncheckedIOException) {
      err.println("ta: " + e.getMessage());
      return ExitCode.ERROR;
    }
    err.println("ta: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
    return ExitCode.ERROR;
  }

  /** Gives every command and mixin the terminal it runs on, through its constructor. */
  private record Factory(Terminal terminal) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      for (Constructor<?> c : cls.getDeclaredConstructors()) {
        if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Terminal.class) {
          c.setAccessible(true);
          return cls.cast(c.newInstance(terminal));
        }
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
