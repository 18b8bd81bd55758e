package dev.tokenauthority.cli.auth;

import dev.tokenauthority.api.v1.ApproveDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.DenyDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.DeviceAuthorization;
import dev.tokenauthority.api.v1.DeviceAuthorizationPurpose;
import dev.tokenauthority.api.v1.GetDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.Durations;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.SecretOptions;
import dev.tokenauthority.cli.output.Table;
import dev.tokenauthority.cli.output.Times;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ta auth device}: developer tokens through the device flow, and approving from a terminal. */
@Command(name = "device", mixinStandardHelpOptions = true,
    description = "Ask for a developer token that a signed-in person approves; approve or deny such requests.",
    subcommands = {DeviceCommand.Request.class, DeviceCommand.Approve.class, DeviceCommand.Deny.class})
final class DeviceCommand extends Group {

  @Command(name = "request", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Ask for a developer (personal) token: prints a code to approve elsewhere, waits,"
          + " then prints the token's secret once (or writes it to --secret-file). Needs no credentials."},
      footer = {"", "Example:",
          "  ta auth device request --label \"CI setup\" --token-ttl 720h --scopes lenses:read"})
  static final class Request extends ApiCommand {
    @Option(names = "--label", required = true, paramLabel = "TEXT", description = "The token's label.")
    String label;

    @Option(names = "--scopes", required = true, split = ",", paramLabel = "SCOPE",
        description = "The token's scopes (within the approver's).")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--token-ttl", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "The token's lifetime, 1d-90d. Default: 30d.")
    Duration ttl;

    @Option(names = {"-o", "--org"}, paramLabel = "ORG", description = "The token's organisation; default: the approver's.")
    String org;

    @Mixin
    SecretOptions output;

    Request(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      StartDeviceAuthorizationRequest.Builder ask = StartDeviceAuthorizationRequest.newBuilder()
          .setPurpose(DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_DEVELOPER_TOKEN)
          .setLabel(label).addAllScopes(scopes);
      if (org != null) {
        ask.setOrganization(org);
      }
      if (ttl != null) {
        ask.setTokenTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.getSeconds()));
      }
      Token token = output.issue(() -> DeviceFlow.run(t, api, ask.build())).getToken();
      t.err().println("Approved: personal token " + token.getId() + " of " + token.getSubject() + ", expires "
          + Times.full(Times.instant(token.hasExpireTime(), token.getExpireTime()), t.clock().instant(), "never") + ".");
      output.handOver(t, token, token.toBuilder().clearSecret(), token.getSecret(), "token", token.getId());
      return ExitCode.OK;
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = {"Approve a device's request as yourself, after showing what it asks for and from"
          + " where. Asks first unless --yes."},
      footer = {"", "Example:", "  ta auth device approve WDJB-MJHT"})
  static final class Approve extends ApiCommand {
    @Parameters(paramLabel = "CODE", description = "The code the device shows, e.g. WDJB-MJHT.")
    String code;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    Approve(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      DeviceAuthorization request = api.devices().getDeviceAuthorization(
          GetDeviceAuthorizationRequest.newBuilder().setUserCode(code).build());
      describe(t, request);
      t.confirm(yes, "Approve this request as yourself?", null);
      DeviceAuthorization approved = api.devices().approveDeviceAuthorization(
          ApproveDeviceAuthorizationRequest.newBuilder().setUserCode(code).build());
      t.out().println("Approved " + approved.getUserCode() + "; the device receives it at its next poll.");
      return ExitCode.OK;
    }
  }

  @Command(name = "deny", mixinStandardHelpOptions = true, description = "Refuse a device's request.")
  static final class Deny extends ApiCommand {
    @Parameters(paramLabel = "CODE", description = "The code the device shows.")
    String code;

    Deny(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) {
      DeviceAuthorization denied = api.devices().denyDeviceAuthorization(
          DenyDeviceAuthorizationRequest.newBuilder().setUserCode(code).build());
      t.out().println("Denied " + denied.getUserCode() + ".");
      return ExitCode.OK;
    }
  }

  private static void describe(Terminal t, DeviceAuthorization d) {
    boolean session = d.getPurpose() == DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION;
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"Request", d.getUserCode()});
    f.add(new String[] {"Asks for", session ? "a session (sign-in) as you" : "a personal token of yours"});
    f.add(new String[] {"Label", d.getLabel().isEmpty() ? "-" : d.getLabel()});
    if (!session) {
      f.add(new String[] {"Scopes", String.join(",", d.getScopesList())});
      f.add(new String[] {"Organization", d.getOrganization().isEmpty() ? "yours" : d.getOrganization()});
      f.add(new String[] {"Lifetime", Durations.format(Duration.ofSeconds(d.getTokenTtl().getSeconds()))});
    }
    f.add(new String[] {"From", d.getRequesterPeer()});
    f.add(new String[] {"Asked", Times.full(Times.instant(true, d.getCreateTime()), t.clock().instant(), "-")});
    Table.fields(t.err(), f);
  }
}
