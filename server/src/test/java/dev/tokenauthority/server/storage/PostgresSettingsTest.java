package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresSettingsTest {
  @Test
  void aPasswordInTheUrl_isRefused_withoutRepeatingIt() {
    assertThatThrownBy(() -> new PostgresSettings("jdbc:postgresql://db:5432/ta?user=ta&password=hunter2", "ta", ""))
        .isInstanceOf(StorageException.class).hasMessageContaining("TA_DATABASE_PASSWORD")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> new PostgresSettings("jdbc:mysql://db/ta", "ta", "")).isInstanceOf(StorageException.class);
  }

  @Test
  void toString_neverShowsThePassword() {
    assertThat(new PostgresSettings("jdbc:postgresql://db:5432/ta", "ta", "hunter2").toString())
        .contains("db:5432").doesNotContain("hunter2");
  }
}
