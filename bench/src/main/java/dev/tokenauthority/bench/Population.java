package dev.tokenauthority.bench;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.token.Secret;
import dev.tokenauthority.server.token.TokenKind;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;

/**
 * Fills a fresh data directory with tokens directly through JDBC (a million through the API
 * would take minutes of fsyncs), keeping the plaintexts so the load can present them.
 */
final class Population {
  /** The admin token the load calls with (scope admin), and the stored tokens' secrets. */
  final String adminSecret;
  final String[] secrets;

  private Population(String adminSecret, String[] secrets) {
    this.adminSecret = adminSecret;
    this.secrets = secrets;
  }

  static Population create(Path dataDir, int count) throws Exception {
    Path file = dataDir.resolve(TokenAuthority.DATABASE_FILE);
    Database.open(file, Durability.FULL).close(); // the server's own migrations make the schema
    return fill(DriverManager.getConnection("jdbc:sqlite:" + file), count);
  }

  /** The same population in a PostgreSQL database, migrated by the server's own code first. */
  static Population createOnPostgres(dev.tokenauthority.server.storage.PostgresSettings db, int count) throws Exception {
    dev.tokenauthority.server.storage.PostgresDatabase.open(db).close();
    // The driver sends a batch as multi-row INSERTs: a million rows in seconds, not minutes.
    String url = db.url() + (db.url().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    return fill(DriverManager.getConnection(url, db.user(), db.password()), count);
  }

  private static Population fill(Connection connection, int count) throws Exception {
    SecureRandom random = new SecureRandom();
    String[] secrets = new String[count];
    String admin;
    try (Connection c = connection) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO token (id, secret_hash, secret_hint, kind, organization, subject, label, scopes,
                             group_names, metadata, create_time, creator, expire_time, revoke_reason,
                             rotated_from, rotated_to)
          VALUES (?, ?, ?, ?, 'bench', '', ?, ?, '', '', ?, '', ?, '', '', '')
          """)) {
        long now = Instant.now().toEpochMilli();
        long expire = Instant.now().plus(Duration.ofDays(90)).toEpochMilli();
        admin = add(insert, random, TokenKind.SYSTEM, "admin", "bench admin", now, expire);
        for (int i = 0; i < count; i++) {
          secrets[i] = add(insert, random, TokenKind.ORGANIZATION, "lenses:read tokens:introspect", "bench " + i, now, expire);
          if (i % 10_000 == 9_999) {
            insert.executeBatch();
          }
        }
        insert.executeBatch();
      }
      c.commit();
    }
    return new Population(admin, secrets);
  }

  private static String add(PreparedStatement insert, SecureRandom random, TokenKind kind, String scopes,
      String label, long now, long expire) throws Exception {
    Secret secret = Secret.generate(kind, random);
    byte[] idBytes = new byte[16];
    random.nextBytes(idBytes);
    insert.setString(1, "tok_" + SecretFormat.base62(idBytes, 22)); // the server's id format
    insert.setBytes(2, secret.sha256());
    insert.setString(3, secret.hint());
    insert.setString(4, kind.name());
    insert.setString(5, label);
    insert.setString(6, scopes);
    insert.setLong(7, now);
    insert.setLong(8, expire);
    insert.addBatch();
    return secret.reveal();
  }
}
