package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.preference.PreferenceStore;
import java.time.Instant;
import java.util.Optional;

/** {@link PreferenceStore} through JDBI; the one writer of {@code preference}. */
public final class JdbiPreferenceStore implements PreferenceStore {
  private static final String UPSERT = """
      INSERT INTO preference (subject, name, value, update_time) VALUES (:subject, :name, :value, :time)
      ON CONFLICT (subject, name) DO UPDATE SET value = excluded.value, update_time = excluded.update_time
      """;

  private final Database db;

  public JdbiPreferenceStore(Database db) {
    this.db = db;
  }

  @Override
  public Optional<String> get(String subject, String name) {
    return db.reader().withHandle(h -> h.createQuery("SELECT value FROM preference WHERE subject = :subject AND name = :name")
        .bind("subject", subject).bind("name", name).mapTo(String.class).findOne());
  }

  @Override
  public void put(String subject, String name, String value, Instant at) {
    db.write(h -> h.createUpdate(UPSERT).bind("subject", subject).bind("name", name).bind("value", value)
        .bind("time", at.toEpochMilli()).execute());
  }
}
