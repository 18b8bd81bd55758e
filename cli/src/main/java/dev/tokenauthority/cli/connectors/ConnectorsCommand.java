package dev.tokenauthority.cli.connectors;

import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.output.Table;
import dev.tokenauthority.cli.output.Times;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code ta connectors}: registered machine clients and their service tokens. */
@Command(name = "connectors", mixinStandardHelpOptions = true,
    description = "Register connectors (CI jobs, integrations) and manage their service tokens.",
    subcommands = {ConnectorCommands.Add.class, ConnectorCommands.ListAll.class, ConnectorCommands.Show.class,
        ConnectorCommands.Update.class, ConnectorCommands.Rotate.class, ConnectorCommands.Remove.class,
        ConnectorCommands.Test.class})
public final class ConnectorsCommand extends Group {

  static Table table(List<Connector> connectors, Instant now) {
    Table table = new Table("SLUG", "ORG", "NAME", "SCOPES", "TOKEN", "TOKEN EXPIRES", "LAST USED", "CREATED");
    for (Connector c : connectors) {
      table.row(c.getSlug(), c.getOrganization(), c.getName(), String.join(",", c.getScopesList()), c.getTokenId(),
          Times.relative(Times.instant(c.hasTokenExpireTime(), c.getTokenExpireTime()), now),
          Times.relative(Times.instant(c.hasLastUseTime(), c.getLastUseTime()), now),
          Times.date(Times.instant(c.hasCreateTime(), c.getCreateTime())));
    }
    return table;
  }

  static void show(PrintWriter out, Connector c, Instant now) {
    Table.fields(out, List.of(
        new String[] {"Slug", c.getSlug()},
        new String[] {"Organization", c.getOrganization()},
        new String[] {"ID", c.getId()},
        new String[] {"Name", c.getName()},
        new String[] {"Scopes", String.join(",", c.getScopesList())},
        new String[] {"Token", c.getTokenId() + " (" + c.getSecretHint() + "…)"},
        new String[] {"Token expires", Times.full(Times.instant(c.hasTokenExpireTime(), c.getTokenExpireTime()), now, "never")},
        new String[] {"Last used", Times.full(Times.instant(c.hasLastUseTime(), c.getLastUseTime()), now, "never")},
        new String[] {"Created", Times.full(Times.instant(c.hasCreateTime(), c.getCreateTime()), now, "-")},
        new String[] {"Created by", c.getCreator()},
        new String[] {"Updated", Times.full(Times.instant(c.hasUpdateTime(), c.getUpdateTime()), now, "-")}));
  }
}
