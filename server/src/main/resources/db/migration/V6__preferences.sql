-- What each person chose for themselves in the dashboard (the tokens page's columns), by subject.
-- Not a security fact, so not audited; the one writer is JdbiPreferenceStore.
CREATE TABLE preference (
  subject     TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  update_time INTEGER NOT NULL,
  PRIMARY KEY (subject, name)
) STRICT;
