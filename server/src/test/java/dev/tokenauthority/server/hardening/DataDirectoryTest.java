package dev.tokenauthority.server.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One server per data directory; no silent restart on a lost WAL or an emptied database. */
class DataDirectoryTest {
  @TempDir Path dir;

  private static TokenAuthority open(Path dir) {
    return TokenAuthority.open(dir, AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC());
  }

  @Test
  void secondServerOnTheSameDirectory_refusesToStart() {
    try (TestAuthority first = TestAuthority.start(dir)) {
      assertThatThrownBy(() -> open(dir))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("another token authority server holds the data directory");
      assertThat(first.isActive(first.adminSecret())).isTrue(); // the first one is unharmed
    }
    try (TokenAuthority again = open(dir)) { // released on close
      assertThat(again.bootstrap()).isEmpty();
    }
  }

  @Test
  void directoryAndFiles_areOwnerOnly() throws IOException {
    Path data = Files.createDirectory(dir.resolve("data"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try (TestAuthority ta = TestAuthority.start(data)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
      try (Stream<Path> files = Files.list(data)) {
        for (Path f : files.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
              .as(f.getFileName().toString()).isEqualTo("rw-------");
        }
      }
      assertThat(data.resolve(TokenAuthority.DATABASE_FILE + "-wal")).exists();
    }
  }

  @Test
  void crashWithTheWriteAheadLogLost_refusesToStart() throws IOException {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      ta.orgToken("acme", "lenses:read");
    }
    // What a crash leaves: the lock file still says running. The WAL is gone (here: deleted).
    Files.writeString(dir.resolve("server.lock"), "running\n");
    Files.deleteIfExists(dir.resolve(TokenAuthority.DATABASE_FILE + "-wal"));

    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("did not stop cleanly")
        .hasMessageContaining("write-ahead log");
  }

  @Test
  void emptiedDatabase_isNotBootstrappedAgain() throws IOException {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      ta.orgToken("acme", "lenses:read");
    }
    Files.delete(dir.resolve(TokenAuthority.DATABASE_FILE));
    Files.delete(dir.resolve("bootstrap-token"));

    try (TokenAuthority again = open(dir)) {
      assertThatThrownBy(again::bootstrap)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("has held a database before");
    }
    assertThat(dir.resolve("bootstrap-token")).doesNotExist();
  }
}
