package dev.tokenauthority.server.storage;

/**
 * Where the PostgreSQL database is: a JDBC URL ({@code jdbc:postgresql://host:5432/name}) and the
 * credentials, which never come from the command line (the password from the environment or a
 * file).
 */
public record PostgresSettings(String url, String user, String password) {
  public PostgresSettings {
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      throw new StorageException("the database URL must start with jdbc:postgresql:// (got "
          + (url == null ? "none" : url.replaceAll("password=[^&]*", "password=…")) + ")");
    }
    if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
      // A URL is a flag or an environment value that ps and logs show: the password goes elsewhere.
      throw new StorageException("the database URL must not carry the password; give it in env"
          + " TA_DATABASE_PASSWORD or a file named by --database-password-file");
    }
  }

  @Override
  public String toString() {
    return "PostgresSettings[" + url.replaceAll("password=[^&]*", "password=…") + ", user=" + user
        + ", password=" + (password == null || password.isEmpty() ? "none" : "redacted") + "]";
  }
}
