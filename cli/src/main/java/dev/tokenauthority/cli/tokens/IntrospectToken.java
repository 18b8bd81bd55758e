package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ta tokens introspect}: what a secret may do; the secret from stdin or an env var. */
@Command(name = "introspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Say whether a secret is an active token and what it may do. The secret is read from"
        + " stdin (hidden when typed) or from the variable --secret-env names, never from an argument,"
        + " so it stays out of shell history and `ps`. Exit code 9 when it is not active or lacks"
        + " --scopes. Needs tokens:introspect."},
    footer = {"", "Examples:",
        "  ta tokens introspect --scopes lenses:read < secret.txt",
        "  DEPLOY_TOKEN=... ta tokens introspect --secret-env DEPLOY_TOKEN --json"})
final class IntrospectToken extends ApiCommand {
  @Option(names = "--secret-env", paramLabel = "VAR", description = "Read the secret from this environment variable.")
  String secretEnv;

  @Option(names = "--scopes", split = ",", paramLabel = "SCOPE", description = "Scopes the token must hold.")
  List<String> scopes = new ArrayList<>();

  @Option(names = "--json", description = "Print the answer as JSON (proto field names).")
  boolean json;

  IntrospectToken(Terminal t) {
    super(t);
  }

  @Override
  protected int run(Api api) throws Exception {
    String secret = t.readSecret(secretEnv, "secret");
    IntrospectTokenResponse r = api.tokens().introspectToken(
        IntrospectTokenRequest.newBuilder().setSecret(secret).addAllRequiredScopes(scopes).build());
    if (json) {
      Json.print(t.out(), r);
    } else if (!r.getActive()) {
      t.out().println("inactive: " + r.getReason().name().replace("INACTIVE_REASON_", "").toLowerCase());
    } else {
      t.out().println(r.getAllowed() ? "active" : "active, but missing " + String.join(",", r.getMissingScopesList()));
      TokenViews.show(t.out(), r.getToken(), t.clock().instant());
    }
    return r.getActive() && r.getAllowed() ? ExitCode.OK : ExitCode.INACTIVE;
  }
}
