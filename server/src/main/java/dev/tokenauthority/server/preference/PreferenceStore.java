package dev.tokenauthority.server.preference;

import java.time.Instant;
import java.util.Optional;

/** A person's own settings, by name: small texts only they choose and only they read. */
public interface PreferenceStore {
  Optional<String> get(String subject, String name);

  /** Sets {@code name} of {@code subject} to {@code value}, replacing what was there. */
  void put(String subject, String name, String value, Instant at);
}
