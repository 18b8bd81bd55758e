-- People sign in. A session is a person's signed-in device: its rights are a snapshot taken at
-- sign-in; its access tokens are token rows of kind SESSION (so they work wherever tokens do),
-- each naming its session in its metadata (session=<id>); its refresh tokens are single use and
-- only their hashes are kept.
CREATE TABLE session (
  id                   TEXT    NOT NULL PRIMARY KEY,
  subject              TEXT    NOT NULL,
  organization         TEXT    NOT NULL,
  organizations        TEXT    NOT NULL, -- space-separated: where the person may sign in
  role                 TEXT    NOT NULL,
  scopes               TEXT    NOT NULL,
  group_names          TEXT    NOT NULL,
  may_create_tokens    INTEGER NOT NULL,
  method               TEXT    NOT NULL,
  peer                 TEXT    NOT NULL,
  create_time          INTEGER NOT NULL,
  absolute_expire_time INTEGER NOT NULL,
  last_refresh_time    INTEGER,
  access_token_id      TEXT    NOT NULL, -- the newest access token
  access_expire_time   INTEGER NOT NULL,
  refresh_expire_time  INTEGER NOT NULL,
  end_time             INTEGER,
  end_reason           TEXT    NOT NULL DEFAULT '',
  source_token_id      TEXT    NOT NULL DEFAULT '' -- the token that signed in or approved; revoked, it ends the session
) STRICT;
CREATE INDEX session_by_subject ON session (subject, create_time DESC, id DESC);

CREATE TABLE refresh_token (
  secret_hash BLOB    NOT NULL PRIMARY KEY,
  session_id  TEXT    NOT NULL REFERENCES session (id),
  create_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL,
  used_time   INTEGER -- set once: a second presentation is a reuse
) STRICT, WITHOUT ROWID;

-- Device authorization requests (RFC 8628). The device code is a secret: its hash only. The
-- approver's rights are kept from approval to the poll that issues the token or session.
CREATE TABLE device_authorization (
  device_code_hash  BLOB    NOT NULL PRIMARY KEY,
  user_code         TEXT    NOT NULL UNIQUE,
  purpose           TEXT    NOT NULL,
  label             TEXT    NOT NULL,
  scopes            TEXT    NOT NULL,
  organization      TEXT    NOT NULL,
  token_ttl_seconds INTEGER,
  requester_peer    TEXT    NOT NULL,
  create_time       INTEGER NOT NULL,
  expire_time       INTEGER NOT NULL,
  state             TEXT    NOT NULL, -- PENDING, APPROVED, DENIED, ISSUED
  approver          TEXT    NOT NULL DEFAULT '', -- form-encoded rights of the approver
  decide_time       INTEGER,
  last_poll_time    INTEGER
) STRICT, WITHOUT ROWID;
