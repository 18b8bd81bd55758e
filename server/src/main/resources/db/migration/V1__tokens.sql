-- Tokens. Only the SHA-256 of a secret is kept; times are Unix epoch milliseconds.
CREATE TABLE token (
  id            TEXT    NOT NULL PRIMARY KEY,
  secret_hash   BLOB    NOT NULL UNIQUE,
  secret_hint   TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  organization  TEXT    NOT NULL,
  subject       TEXT    NOT NULL,
  label         TEXT    NOT NULL,
  scopes        TEXT    NOT NULL, -- space-separated, sorted
  group_names   TEXT    NOT NULL, -- space-separated, sorted
  metadata      TEXT    NOT NULL, -- application/x-www-form-urlencoded, keys sorted
  create_time   INTEGER NOT NULL,
  creator       TEXT    NOT NULL,
  expire_time   INTEGER,
  last_use_time INTEGER,
  revoke_time   INTEGER,          -- in the future during a rotation's grace period
  revoke_reason TEXT    NOT NULL,
  rotated_from  TEXT    NOT NULL,
  rotated_to    TEXT    NOT NULL
) STRICT;

-- Lists are newest first, within an organisation or across all.
CREATE INDEX token_by_create_time ON token (create_time DESC, id DESC);
CREATE INDEX token_by_organization ON token (organization, create_time DESC, id DESC);

-- Append-only record of every change, written in the change's own transaction.
CREATE TABLE audit_event (
  id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  time         INTEGER NOT NULL,
  action       TEXT    NOT NULL,
  actor        TEXT    NOT NULL,
  organization TEXT    NOT NULL,
  target       TEXT    NOT NULL,
  details      TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_event_by_time ON audit_event (time DESC);
