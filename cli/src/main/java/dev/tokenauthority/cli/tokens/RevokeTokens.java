package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokensResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ErrorLine;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.orgs.OrgOption;
import dev.tokenauthority.cli.output.Json;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ta tokens revoke ID...} and the bulk form by subject, creator or organisation. */
@Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Stop tokens at once, for good: the ones named, or (bulk) every active token of a"
        + " person, of a creator token, or of the whole organisation. Bulk revocation asks first"
        + " unless --yes."},
    footer = {"", "Examples:",
        "  ta tokens revoke tok_4mZ... tok_9Qa... --reason \"leaked in CI log\"",
        "  ta tokens revoke --subject bob@example.com --reason offboarding --yes",
        "  ta tokens revoke --created-by tok_4mZ... --reason \"compromised manager token\"",
        "  ta tokens revoke --all-in-org -o acme --reason incident-42"})
final class RevokeTokens extends ApiCommand {
  @Parameters(paramLabel = "ID", arity = "0..*", description = "Token ids (tok_...) to revoke.")
  List<String> ids = new ArrayList<>();

  @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded with each revocation and in the audit log.")
  String reason = "";

  @Option(names = "--subject", paramLabel = "WHO", description = "Bulk: every active token of this person.")
  String subject;

  @Option(names = "--created-by", paramLabel = "TOKEN_ID", description = "Bulk: every active token this token issued.")
  String createdBy;

  @Option(names = "--all-in-org", description = "Bulk: every active token of the organisation (you type its name to confirm).")
  boolean allInOrg;

  @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (scripts).")
  boolean yes;

  @Option(names = "--json", description = "Print the revoked tokens (by id) or {\"revoked_count\": N} (bulk) as JSON.")
  boolean json;

  @Mixin
  OrgOption org;

  RevokeTokens(Terminal t) {
    super(t);
  }

  @Override
  protected int run(Api api) throws Exception {
    boolean bulk = subject != null || createdBy != null || allInOrg;
    if (bulk == !ids.isEmpty()) {
      throw new CliException(ExitCode.USAGE, bulk
          ? "give token ids or a bulk filter (--subject, --created-by, --all-in-org), not both"
          : "give the token ids to revoke, or a bulk filter: --subject, --created-by or --all-in-org");
    }
    for (String id : ids) {
      if (id.startsWith("tka_")) {
        throw new CliException(ExitCode.USAGE, "that is a secret, not a token id (tok_...): find the id with"
            + " `ta tokens list`, or stop a secret at once with `ta leaks report` (it reads secrets on stdin)");
      }
    }
    return bulk ? bulk(api) : byId(api);
  }

  private int byId(Api api) {
    List<Token> revoked = new ArrayList<>();
    int exit = ExitCode.OK;
    for (String id : ids) {
      try {
        Token token = api.tokens().revokeToken(RevokeTokenRequest.newBuilder().setId(id).setReason(reason).build());
        revoked.add(token);
        if (!json) {
          t.out().println("Revoked " + token.getId() + " \"" + token.getLabel() + "\"");
        }
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE && api.explain(e) instanceof CliException unreachable) {
          throw unreachable; // nothing answers: the other ids would fail the same way
        }
        // One bad id must not spare the rest: in an incident every other token still has to stop.
        t.err().println("ta: " + id + ": " + ErrorLine.of(e));
        exit = exit == ExitCode.OK ? ExitCode.of(e.getStatus().getCode()) : exit;
      }
    }
    if (json) {
      Json.printArray(t.out(), revoked);
    }
    return exit;
  }

  private int bulk(Api api) throws Exception {
    String organization = allInOrg ? org.required(t, api) : org.orEmpty(t, api);
    List<String> what = new ArrayList<>();
    if (subject != null) {
      what.add("of " + subject);
    }
    if (createdBy != null) {
      what.add("issued by " + createdBy);
    }
    String scope = organization.isEmpty() ? "" : " in organisation " + organization;
    t.confirm(yes, "Revoke every active token " + String.join(" and ", what) + scope + "? This cannot be undone.",
        allInOrg ? organization : null);
    RevokeTokensRequest.Builder request = RevokeTokensRequest.newBuilder().setOrganization(organization).setReason(reason);
    if (subject != null) {
      request.setSubject(subject);
    }
    if (createdBy != null) {
      request.setCreator(createdBy);
    }
    RevokeTokensResponse response = api.tokens().revokeTokens(request.build());
    if (json) {
      Json.print(t.out(), response);
    } else {
      long n = response.getRevokedCount();
      t.out().println("Revoked " + n + " token" + (n == 1 ? "" : "s") + ".");
    }
    return ExitCode.OK;
  }
}
