package dev.tokenauthority.cli.connectors;

import com.google.protobuf.FieldMask;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.DeleteConnectorRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.ListConnectorsRequest;
import dev.tokenauthority.api.v1.ListConnectorsResponse;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorResponse;
import dev.tokenauthority.api.v1.UpdateConnectorRequest;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.Durations;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Pages;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.orgs.OrgOption;
import dev.tokenauthority.cli.output.Json;
import dev.tokenauthority.cli.output.SecretOptions;
import dev.tokenauthority.cli.output.Times;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ta connectors} subcommands: each a thin call of ConnectorService. */
final class ConnectorCommands {
  private ConnectorCommands() {}

  private static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).build();
  }

  /** Prints a connector that carries a new secret: details on stderr, the secret once. */
  private static void issued(Terminal t, Connector c, SecretOptions output, String verb) {
    t.err().println(verb + " connector " + c.getOrganization() + "/" + c.getSlug() + ": service token " + c.getTokenId()
        + ", expires " + Times.full(Times.instant(c.hasTokenExpireTime(), c.getTokenExpireTime()), t.clock().instant(), "never") + ".");
    output.handOver(t, c, c.toBuilder().clearSecret(), c.getSecret(), "service token", c.getTokenId());
  }

  @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Register a connector and issue its service token; the secret is printed once.",
      footer = {"", "Example:",
          "  ta connectors add --slug github-actions --name \"GitHub Actions\" --scopes lenses:read,workflows:read"})
  static final class Add extends ApiCommand {
    @Option(names = "--slug", required = true, paramLabel = "SLUG", description = "Its name in the organisation: 3-63 of a-z, 0-9, '-'.")
    String slug;

    @Option(names = "--name", required = true, paramLabel = "TEXT", description = "A description for people.")
    String name;

    @Option(names = "--scopes", required = true, split = ",", paramLabel = "SCOPE", description = "Registered scopes: the most its token may hold.")
    List<String> scopes = new ArrayList<>();

    @Option(names = {"-x", "--ttl"}, paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "The service token's lifetime (90d-365d); default: the server's.")
    Duration ttl;

    @Mixin
    OrgOption org;

    @Mixin
    SecretOptions output;

    Add(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      CreateConnectorRequest.Builder request = CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
          .setOrganization(org.required(t, api)).setSlug(slug).setName(name).addAllScopes(scopes));
      if (ttl != null) {
        request.setTtl(duration(ttl));
      }
      issued(t, output.issue(() -> api.connectors().createConnector(request.build())), output, "Registered");
      return ExitCode.OK;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
      description = "List the organisation's connectors (admins without --org: every organisation's).")
  static final class ListAll extends ApiCommand {
    @Option(names = "--json", description = "Print one JSON array of every connector.")
    boolean json;

    @Mixin
    OrgOption org;

    ListAll(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      ListConnectorsRequest.Builder request = ListConnectorsRequest.newBuilder().setOrganization(org.orEmpty(t, api)).setPageSize(500);
      List<Connector> all = Pages.all(page -> {
        ListConnectorsResponse r = api.connectors().listConnectors(request.setPageToken(page).build());
        return new Pages.Page<>(r.getConnectorsList(), r.getNextPageToken());
      });
      if (json) {
        Json.printArray(t.out(), all);
      } else if (all.isEmpty()) {
        t.err().println("No connectors. Register one with `ta connectors add --slug SLUG --name NAME --scopes SCOPES`.");
      } else {
        ConnectorsCommand.table(all, t.clock().instant()).print(t.out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one connector, without secret.")
  static final class Show extends ApiCommand {
    @Parameters(paramLabel = "SLUG")
    String slug;

    @Option(names = "--json", description = "Print the connector as JSON.")
    boolean json;

    @Mixin
    OrgOption org;

    Show(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      Connector c = api.connectors().getConnector(GetConnectorRequest.newBuilder()
          .setOrganization(org.required(t, api)).setSlug(slug).build());
      if (json) {
        Json.print(t.out(), c);
      } else {
        ConnectorsCommand.show(t.out(), c, t.clock().instant());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = {"Change a connector's name or registered scopes. Narrowing scopes narrows its live"
          + " token at once; widening them takes effect at the next rotate."},
      footer = {"", "Example:", "  ta connectors update github-actions --scopes lenses:read"})
  static final class Update extends ApiCommand {
    @Parameters(paramLabel = "SLUG")
    String slug;

    @Option(names = "--name", paramLabel = "TEXT", description = "The new name.")
    String name;

    @Option(names = "--scopes", split = ",", paramLabel = "SCOPE", description = "The new registered scopes.")
    List<String> scopes;

    @Option(names = "--json", description = "Print the connector as JSON.")
    boolean json;

    @Mixin
    OrgOption org;

    Update(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      if (name == null && scopes == null) {
        throw new CliException(ExitCode.USAGE, "nothing to change: give --name, --scopes or both");
      }
      Connector.Builder c = Connector.newBuilder().setOrganization(org.required(t, api)).setSlug(slug);
      FieldMask.Builder mask = FieldMask.newBuilder();
      if (name != null) {
        c.setName(name);
        mask.addPaths("name");
      }
      if (scopes != null) {
        c.addAllScopes(scopes);
        mask.addPaths("scopes");
      }
      Connector updated = api.connectors().updateConnector(
          UpdateConnectorRequest.newBuilder().setConnector(c).setUpdateMask(mask).build());
      if (json) {
        Json.print(t.out(), updated);
      } else {
        ConnectorsCommand.show(t.out(), updated, t.clock().instant());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Issue the connector a new service token; the old one stops at once or after --grace."
          + " The new secret is printed once, or written to --secret-file (for cron)."},
      footer = {"", "Example (cron, every 90 days):",
          "  ta connectors rotate github-actions --grace 1h --secret-file /run/ta/github-actions.secret"})
  static final class Rotate extends ApiCommand {
    @Parameters(paramLabel = "SLUG")
    String slug;

    @Option(names = "--grace", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "Keep the old secret working this long (at most 24h).")
    Duration grace;

    @Option(names = {"-x", "--ttl"}, paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "The new token's lifetime; default: the server's.")
    Duration ttl;

    @Mixin
    OrgOption org;

    @Mixin
    SecretOptions output;

    Rotate(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      RotateConnectorRequest.Builder request = RotateConnectorRequest.newBuilder().setOrganization(org.required(t, api)).setSlug(slug);
      if (grace != null) {
        request.setGracePeriod(duration(grace));
      }
      if (ttl != null) {
        request.setTtl(duration(ttl));
      }
      issued(t, output.issue(() -> api.connectors().rotateConnector(request.build())), output, "Rotated");
      return ExitCode.OK;
    }
  }

  @Command(name = "remove", aliases = "rm", mixinStandardHelpOptions = true,
      description = "Remove a connector and revoke all its tokens.")
  static final class Remove extends ApiCommand {
    @Parameters(paramLabel = "SLUG")
    String slug;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded with the revocations.")
    String reason = "";

    @Mixin
    OrgOption org;

    Remove(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      String organization = org.required(t, api);
      api.connectors().deleteConnector(DeleteConnectorRequest.newBuilder().setOrganization(organization)
          .setSlug(slug).setReason(reason).build());
      t.out().println("Removed connector " + organization + "/" + slug + "; its tokens are revoked.");
      return ExitCode.OK;
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
      description = {"Say whether a secret is a live token of the connector. The secret is read from stdin"
          + " or --secret-env, never an argument. Exit code 9 when it is not live."},
      footer = {"", "Example:", "  ta connectors test github-actions < /run/ta/github-actions.secret"})
  static final class Test extends ApiCommand {
    @Parameters(paramLabel = "SLUG")
    String slug;

    @Option(names = "--secret-env", paramLabel = "VAR", description = "Read the secret from this environment variable.")
    String secretEnv;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    @Mixin
    OrgOption org;

    Test(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      String organization = org.required(t, api);
      String secret = t.readSecret(secretEnv, "secret");
      TestConnectorResponse r = api.connectors().testConnector(TestConnectorRequest.newBuilder()
          .setOrganization(organization).setSlug(slug).setSecret(secret).build());
      if (json) {
        Json.print(t.out(), r);
      } else if (r.getLive()) {
        t.out().println("live: " + (r.getCurrent() ? "the current token " : "the previous token (in its grace period) ")
            + r.getTokenId() + ", scopes " + String.join(",", r.getScopesList()));
      } else {
        t.out().println("not live: this secret is not a working token of " + organization + "/" + slug);
      }
      return r.getLive() ? ExitCode.OK : ExitCode.INACTIVE;
    }
  }
}
