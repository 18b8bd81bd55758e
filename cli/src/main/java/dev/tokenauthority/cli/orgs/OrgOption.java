package dev.tokenauthority.cli.orgs;

import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.auth.StoredSession;
import dev.tokenauthority.cli.config.Settings;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --org/-o}, falling back on TA_ORG, then the organisation of {@code ta orgs switch}. */
public final class OrgOption {
  @Option(names = {"-o", "--org"}, paramLabel = "ORG",
      description = "The organisation; default: TA_ORG, else the one of `ta orgs switch`, else your session's.")
  String org;

  /** The organisation to act in, and where it came from; empty if none was chosen anywhere. */
  public static Optional<Chosen> resolve(Terminal t, String flag, String server) throws IOException {
    if (flag != null) {
      return Optional.of(new Chosen(flag, "--org"));
    }
    String env = t.env("TA_ORG");
    if (env != null) {
      return Optional.of(new Chosen(env, "TA_ORG"));
    }
    String stored = Settings.organization(t);
    if (stored != null) {
      return Optional.of(new Chosen(stored, "ta orgs switch"));
    }
    if (t.env("TA_TOKEN") == null) {
      Optional<StoredSession> session = StoredSession.load(t);
      if (session.isPresent() && !session.get().organization().isEmpty()
          && (server == null || session.get().server().equals(server))) {
        return Optional.of(new Chosen(session.get().organization(), "your session"));
      }
    }
    return Optional.empty();
  }

  /** The organisation, or empty text (the server then uses the caller's own). */
  public String orEmpty(Terminal t, Api api) throws IOException {
    return resolve(t, org, api.target()).map(Chosen::organization).orElse("");
  }

  /** The organisation; a usage error saying how to choose one when none was. */
  public String required(Terminal t, Api api) throws IOException {
    return resolve(t, org, api.target()).map(Chosen::organization).orElseThrow(() -> new CliException(ExitCode.USAGE,
        "which organisation? Pass --org ORG, set TA_ORG, or run `ta orgs switch ORG`"));
  }

  /** An organisation and the setting it came from. */
  public record Chosen(String organization, String source) {}
}
