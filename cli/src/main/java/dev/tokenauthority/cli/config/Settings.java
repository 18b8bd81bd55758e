package dev.tokenauthority.cli.config;

import dev.tokenauthority.cli.Terminal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The settings {@code ta} keeps between runs ({@code config.properties}): the active organisation. */
public final class Settings {
  private static final String ORGANIZATION = "organization";

  private Settings() {}

  static Path file(Terminal t) {
    return t.configDir().resolve("config.properties");
  }

  /** The organisation chosen with {@code ta orgs switch}, or null. */
  public static String organization(Terminal t) throws IOException {
    return StateFile.read(file(t)).get(ORGANIZATION);
  }

  public static void setOrganization(Terminal t, String organization) throws IOException {
    Map<String, String> entries = new HashMap<>(StateFile.read(file(t)));
    entries.put(ORGANIZATION, organization);
    StateFile.write(file(t), entries);
  }
}
