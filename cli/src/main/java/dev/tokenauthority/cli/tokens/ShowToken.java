package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ta tokens show ID}. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one token, without its secret.",
    footer = {"", "Example:", "  ta tokens show tok_4mZ..."})
final class ShowToken extends ApiCommand {
  @Parameters(paramLabel = "ID", description = "The token's id (tok_...).")
  String id;

  @Option(names = "--json", description = "Print the token as JSON (proto field names).")
  boolean json;

  ShowToken(Terminal t) {
    super(t);
  }

  @Override
  protected int run(Api api) {
    Token token = api.tokens().getToken(GetTokenRequest.newBuilder().setId(id).build());
    if (json) {
      Json.print(t.out(), token);
    } else {
      TokenViews.show(t.out(), token, t.clock().instant());
    }
    return ExitCode.OK;
  }
}
