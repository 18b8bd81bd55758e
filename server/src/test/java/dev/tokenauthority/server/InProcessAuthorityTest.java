package dev.tokenauthority.server;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base for tests that call a fresh {@link TestAuthority} (own temp folder) per test. */
public abstract class InProcessAuthorityTest {
  @TempDir protected Path dir;
  protected TestAuthority ta;

  @BeforeEach
  void startAuthority() {
    ta = TestAuthority.start(dir);
  }

  @AfterEach
  void stopAuthority() {
    ta.close();
  }
}
