package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path dir;

  @Test
  void newDatabase_isMigratedInWalMode() {
    Path file = dir.resolve("sub/tokens.db");
    try (Database db = Database.open(file, Durability.FULL)) {
      assertThat(one(db.reader(), "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(one(db.writer(), "PRAGMA synchronous")).isEqualTo("2"); // FULL
      assertThat(one(db.reader(), "SELECT count(*) FROM token")).isEqualTo("0");
    }
    try (Database again = Database.open(file, Durability.NORMAL)) {
      assertThat(one(again.writer(), "PRAGMA synchronous")).isEqualTo("1"); // NORMAL
    }
  }

  private static String one(Jdbi jdbi, String sql) {
    String value = jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    return value;
  }

  @Test
  void readers_cannotWrite() {
    try (Database db = Database.open(dir.resolve("tokens.db"), Durability.FULL)) {
      assertThatThrownBy(() -> db.reader().useHandle(h -> h.execute("DELETE FROM token")))
          .hasMessageContaining("readonly");
    }
  }

  @Test
  void corruptFile_failsWithAClearMessage() throws IOException {
    Path file = dir.resolve("tokens.db");
    Files.writeString(file, "this is not a database, just a text file that is long enough to have a header");

    assertThatThrownBy(() -> Database.open(file, Durability.FULL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a usable SQLite database");
  }

  @Test
  void databaseFromANewerVersion_isRefused() throws SQLException {
    Path file = dir.resolve("tokens.db");
    Database.open(file, Durability.FULL).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("""
          INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,
              checksum, installed_by, execution_time, success)
          VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 0, 1)
          """);
    }

    assertThatThrownBy(() -> Database.open(file, Durability.FULL))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer than this server");
  }
}
