package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.Durations;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.orgs.OrgOption;
import dev.tokenauthority.cli.output.SecretOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ta tokens create org|personal|system}. */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Issue a token. Its secret is printed once on stdout (or written to --secret-file);"
        + " details go to stderr, so `SECRET=$(ta tokens create ...)` captures only the secret."},
    footer = {"", "Examples:",
        "  ta tokens create org -n \"GitHub Actions deploy pipeline\" --scopes lenses:read,workflows:read --ttl 90d",
        "  ta tokens create personal -n laptop --subject alice@example.com --scopes lenses:read --ttl 30d",
        "  ta tokens create system -n billing-sync --scopes admin --groups billing --ttl 365d --json"})
final class CreateToken extends ApiCommand {
  /** The kinds CreateToken issues (service tokens come from connectors, sessions from sign-in). */
  enum CreatableKind { org, personal, system }

  @Parameters(index = "0", paramLabel = "KIND", description = "org, personal or system.")
  CreatableKind kind;

  @Option(names = {"-n", "--label"}, required = true, paramLabel = "TEXT",
      description = "What the token is for, shown in listings.")
  String label;

  @Option(names = "--scopes", split = ",", paramLabel = "SCOPE", description = "Scopes, comma-separated, e.g. lenses:read,workflows:read.")
  List<String> scopes = new ArrayList<>();

  @Option(names = {"-x", "--ttl"}, paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "Lifetime, e.g. 90d or 720h. Default: the kind's (org 90d, personal 30d, system 90d).")
  Duration ttl;

  @Option(names = "--subject", paramLabel = "WHO", description = "The person the token acts for (required for personal).")
  String subject;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Groups, comma-separated.")
  List<String> groups = new ArrayList<>();

  @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Your own bookkeeping; repeatable.")
  Map<String, String> metadata = new LinkedHashMap<>();

  @Mixin
  OrgOption org;

  @Mixin
  SecretOptions output;

  CreateToken(Terminal t) {
    super(t);
  }

  @Override
  protected int run(Api api) throws Exception {
    Token.Builder token = Token.newBuilder().setKind(TokenViews.Kind.valueOf(kind.name()).proto).setLabel(label)
        .addAllScopes(scopes).addAllGroups(groups).putAllMetadata(metadata).setOrganization(org.orEmpty(t, api));
    if (subject != null) {
      token.setSubject(subject);
    }
    CreateTokenRequest.Builder request = CreateTokenRequest.newBuilder().setToken(token);
    if (ttl != null) {
      request.setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.getSeconds()));
    }
    Token created = output.issue(() -> api.tokens().createToken(request.build()));
    t.err().println(TokenViews.issued("Created", created, t.clock().instant()));
    output.handOver(t, created, created.toBuilder().clearSecret(), created.getSecret(), "token", created.getId());
    return ExitCode.OK;
  }
}
