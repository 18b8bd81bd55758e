package dev.tokenauthority.cli.orgs;

import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.config.Settings;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ta orgs}: the active organisation. */
@Command(name = "orgs", mixinStandardHelpOptions = true,
    description = "The active organisation, used when --org/-o is not given.",
    subcommands = {OrgsCommand.Switch.class, OrgsCommand.Current.class})
public final class OrgsCommand extends Group {
  /** The server's rule for organisation slugs; checked here too so that a typo fails at once. */
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  @Command(name = "switch", mixinStandardHelpOptions = true,
      description = "Make ORG the active organisation for later commands.",
      footer = {"", "Example:", "  ta orgs switch acme"})
  static final class Switch implements Callable<Integer> {
    private final Terminal t;

    @Parameters(paramLabel = "ORG", description = "The organisation's slug, e.g. acme.")
    String org;

    Switch(Terminal t) {
      this.t = t;
    }

    @Override
    public Integer call() throws Exception {
      if (!SLUG.matcher(org).matches()) {
        throw new CliException(ExitCode.USAGE, "'" + org + "' is not an organisation slug: lower-case"
            + " letters, digits and '-', 1-63 characters, starting with a letter or digit");
      }
      Settings.setOrganization(t, org);
      t.out().println("Active organisation: " + org);
      if (t.env("TA_ORG") != null && !t.env("TA_ORG").equals(org)) {
        t.err().println("Note: TA_ORG=" + t.env("TA_ORG") + " is set and wins over this choice.");
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "current", mixinStandardHelpOptions = true,
      description = "Print the active organisation (on stdout) and where it was chosen (on stderr).")
  static final class Current implements Callable<Integer> {
    private final Terminal t;

    Current(Terminal t) {
      this.t = t;
    }

    @Override
    public Integer call() throws Exception {
      Optional<OrgOption.Chosen> chosen = OrgOption.resolve(t, null, null);
      if (chosen.isEmpty()) {
        t.err().println("No active organisation: choose one with `ta orgs switch ORG`, or set TA_ORG.");
        return ExitCode.NOT_FOUND;
      }
      t.out().println(chosen.get().organization());
      t.err().println("(from " + chosen.get().source() + ")");
      return ExitCode.OK;
    }
  }
}
