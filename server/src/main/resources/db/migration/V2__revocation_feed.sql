-- The revocation feed: one row per token that stopped working, in commit order. Rows older than
-- the retention are pruned; AUTOINCREMENT keeps sequences from being reused after that.
CREATE TABLE revocation (
  sequence    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  token_id    TEXT    NOT NULL UNIQUE,
  secret_hash BLOB    NOT NULL,
  revoke_time INTEGER NOT NULL
) STRICT;

CREATE INDEX revocation_by_time ON revocation (revoke_time);

-- Tokens retired by a rotation whose grace period has not ended: moved to revocation when it does.
CREATE TABLE pending_revocation (
  token_id    TEXT    NOT NULL PRIMARY KEY,
  secret_hash BLOB    NOT NULL,
  revoke_time INTEGER NOT NULL
) STRICT;

CREATE INDEX pending_revocation_by_time ON pending_revocation (revoke_time);

-- Values the authority keeps about itself. The revocation epoch is random per database, so a
-- client can tell another history (a restored backup, a new server) from the one it followed.
CREATE TABLE authority_meta (
  name  TEXT    NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;

INSERT INTO authority_meta (name, value)
VALUES ('revocation_epoch', abs(random() % 9007199254740991) + 1);
