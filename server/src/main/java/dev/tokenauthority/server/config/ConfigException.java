package dev.tokenauthority.server.config;

/** The configuration file cannot be used; the message names the file and the bad key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
