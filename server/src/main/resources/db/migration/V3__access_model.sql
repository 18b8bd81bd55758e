-- Service tokens belong to a connector; offboarding and bulk revocation select by subject and creator.
ALTER TABLE token ADD COLUMN connector_id TEXT NOT NULL DEFAULT '';
CREATE INDEX token_by_connector ON token (connector_id) WHERE connector_id <> '';
CREATE INDEX token_by_subject ON token (subject, organization);
CREATE INDEX token_by_creator ON token (creator);

-- Registered machine clients. The current service token is token_id; older ones point here
-- through token.connector_id.
CREATE TABLE connector (
  id           TEXT    NOT NULL PRIMARY KEY,
  organization TEXT    NOT NULL,
  slug         TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  scopes       TEXT    NOT NULL, -- space-separated, sorted
  create_time  INTEGER NOT NULL,
  update_time  INTEGER NOT NULL,
  creator      TEXT    NOT NULL,
  token_id     TEXT    NOT NULL,
  version      INTEGER NOT NULL, -- raised by every change: concurrent changes cannot interleave
  UNIQUE (organization, slug)
) STRICT;

-- Audit events say which request did it, from where, and whether it was allowed. Details become
-- form-encoded key/value pairs; the free text of older events is kept under "note".
ALTER TABLE audit_event ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_event ADD COLUMN peer TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_event ADD COLUMN outcome TEXT NOT NULL DEFAULT 'SUCCESS';
UPDATE audit_event
SET details = 'note=' || replace(replace(replace(details, '%', '%25'), '&', '%26'), '+', '%2B')
WHERE details <> '';

CREATE INDEX audit_event_by_organization ON audit_event (organization, id DESC);
CREATE INDEX audit_event_by_actor ON audit_event (actor, id DESC);
CREATE INDEX audit_event_by_target ON audit_event (target, id DESC);

-- Append-only: no statement may change an event (retention deletes whole old events).
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- The revocation feed also says when a working token lost grants (a connector's scopes were
-- narrowed), so that caches drop their answers for it. A token stops working once, but may be
-- narrowed many times: uniqueness now holds for revocations only. The table is rebuilt for that,
-- keeping its sequence, so that clients resume where they were.
CREATE TABLE revocation_feed_sequence AS
SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'revocation'), 0) AS seq;

CREATE TABLE revocation_new (
  sequence    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  token_id    TEXT    NOT NULL,
  secret_hash BLOB    NOT NULL,
  revoke_time INTEGER NOT NULL,          -- for a narrowing: when it happened
  narrowed    INTEGER NOT NULL DEFAULT 0 -- 1: the token still works, with fewer grants
) STRICT;
INSERT INTO revocation_new (sequence, token_id, secret_hash, revoke_time)
SELECT sequence, token_id, secret_hash, revoke_time FROM revocation;
DROP TABLE revocation;
ALTER TABLE revocation_new RENAME TO revocation;
DELETE FROM sqlite_sequence WHERE name IN ('revocation', 'revocation_new');
INSERT INTO sqlite_sequence (name, seq) SELECT 'revocation', seq FROM revocation_feed_sequence;
DROP TABLE revocation_feed_sequence;

CREATE UNIQUE INDEX revocation_once ON revocation (token_id) WHERE narrowed = 0;
CREATE INDEX revocation_by_time ON revocation (revoke_time);
