package dev.tokenauthority.cli.leaks;

import dev.tokenauthority.api.v1.ReportLeakedTokensRequest;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.Terminal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code ta leaks}: report secrets found where they should not be. */
@Command(name = "leaks", mixinStandardHelpOptions = true, description = "Report leaked secrets.",
    subcommands = LeaksCommand.Report.class)
public final class LeaksCommand extends Group {
  /** The server takes at most this many secrets per report. */
  static final int PER_REPORT = 100;

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = {"Report secrets found in the wild (a paste, a log, a scanner's hit), read from stdin,"
          + " one per line. Every live token among them is revoked at once (reason \"leaked\"). The"
          + " answer says how many were well-formed, never which were live. Needs no credentials."},
      footer = {"", "Example:", "  grep -oE 'tka_[a-z]{3}_[A-Za-z0-9]+' build.log | ta leaks report"})
  static final class Report extends ApiCommand {
    Report(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      Set<String> secrets = new LinkedHashSet<>();
      for (String line = t.in().readLine(); line != null; line = t.in().readLine()) {
        if (!line.isBlank()) {
          secrets.add(line.strip());
        }
      }
      if (secrets.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "no secrets on stdin: give one per line");
      }
      List<String> all = new ArrayList<>(secrets);
      int accepted = 0;
      for (int from = 0; from < all.size(); from += PER_REPORT) {
        accepted += api.tokensOptionallyAuthenticated().reportLeakedTokens(ReportLeakedTokensRequest.newBuilder()
            .addAllSecrets(all.subList(from, Math.min(all.size(), from + PER_REPORT))).build()).getAcceptedCount();
      }
      t.out().println("Reported " + all.size() + " secret" + (all.size() == 1 ? "" : "s") + "; " + accepted
          + " had this authority's format. Any live token among them is now revoked.");
      return ExitCode.OK;
    }
  }
}
