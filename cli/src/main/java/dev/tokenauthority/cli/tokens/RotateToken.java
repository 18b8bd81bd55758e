package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.Durations;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.SecretOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ta tokens rotate ID}. */
@Command(name = "rotate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Replace a token with a new one (new id, new secret); the old one stops at once, or"
        + " after --grace. The new secret is printed once, or written to --secret-file."},
    footer = {"", "Examples:",
        "  ta tokens rotate tok_4mZ... --grace 1h",
        "  ta tokens rotate tok_4mZ... --scopes lenses:read --secret-file /run/secrets/deploy-token"})
final class RotateToken extends ApiCommand {
  @Parameters(paramLabel = "ID", description = "The token to rotate.")
  String id;

  @Option(names = "--grace", paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "Keep the old secret working this long (at most 24h), for deployments to switch.")
  Duration grace;

  @Option(names = "--scopes", split = ",", paramLabel = "SCOPE", description = "The new token's scopes; default: the old one's.")
  List<String> scopes = new ArrayList<>();

  @Option(names = {"-x", "--ttl"}, paramLabel = "DURATION", converter = Durations.Converter.class,
      description = "The new token's lifetime; default: the kind's.")
  Duration ttl;

  @Mixin
  SecretOptions output;

  RotateToken(Terminal t) {
    super(t);
  }

  @Override
  protected int run(Api api) throws Exception {
    RotateTokenRequest.Builder request = RotateTokenRequest.newBuilder().setId(id).addAllScopes(scopes);
    if (grace != null) {
      request.setGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(grace.getSeconds()));
    }
    if (ttl != null) {
      request.setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.getSeconds()));
    }
    Token fresh = output.issue(() -> api.tokens().rotateToken(request.build()));
    t.err().println(TokenViews.issued("Rotated " + id + " into", fresh, t.clock().instant())
        + (grace == null || grace.isZero() ? " The old secret no longer works."
            : " The old secret works for " + Durations.format(grace) + " more."));
    output.handOver(t, fresh, fresh.toBuilder().clearSecret(), fresh.getSecret(), "token", fresh.getId());
    return ExitCode.OK;
  }
}
