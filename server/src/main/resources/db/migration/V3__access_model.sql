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
