-- 0002: security: staff and member accounts, sessions, login-failure
-- counters, and the audit trail (a hash chain, append-only).
-- Times used in arithmetic are integer Unix seconds (*_s) on both backends.
-- Only hashes of session and CSRF tokens are stored, never the tokens.
-- audit_event refuses UPDATE and DELETE (triggers); audit_head is the one
-- row every appender updates, which serialises appenders on both backends
-- and lets `huzhu audit verify` notice a deleted tail.

CREATE TABLE app_user (
    id                    INTEGER PRIMARY KEY,
    login                 TEXT NOT NULL UNIQUE,          -- lower case [a-z0-9._@-]
    display_name          TEXT NOT NULL DEFAULT '',
    role                  TEXT NOT NULL CHECK (role IN
                            ('admin', 'supervisor', 'unit_staff', 'claims_officer',
                             'claims_approver', 'finance', 'auditor', 'member')),
    org_id                INTEGER NOT NULL REFERENCES org(id),
    password_hash         TEXT NOT NULL,                 -- crypto_pwhash_str (argon2id)
    disabled              INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    member_id             INTEGER REFERENCES member(id),
    created_at_s          INTEGER NOT NULL,
    password_changed_at_s INTEGER NOT NULL,
    CHECK ((role = 'member') = (member_id IS NOT NULL))
);
CREATE INDEX app_user_org ON app_user(org_id);

CREATE TABLE session (
    id            INTEGER PRIMARY KEY,
    token_hash    BLOB NOT NULL UNIQUE,    -- BLAKE2b-256 of the 256-bit token
    csrf_hash     BLOB NOT NULL,           -- BLAKE2b-256 of the CSRF token
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    created_at_s  INTEGER NOT NULL,
    last_seen_s   INTEGER NOT NULL,
    expires_at_s  INTEGER NOT NULL,        -- absolute end
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',-- truncated
    revoked       INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX session_by_user ON session(user_id, revoked);

-- Fixed-window failure counters, keyed 'l:<login>' or 'a:<address>'.
CREATE TABLE login_failure (
    bucket          TEXT PRIMARY KEY,
    window_start_s  INTEGER NOT NULL,
    failures        INTEGER NOT NULL
);

CREATE TABLE audit_event (
    seq            INTEGER PRIMARY KEY,       -- 1, 2, 3, ... no gaps
    at             TEXT NOT NULL,             -- UTC 'YYYY-MM-DDTHH:MM:SS.mmmZ'
    actor_user_id  INTEGER,                   -- NULL: the CLI, the system, an unknown login
    actor_login    TEXT NOT NULL,
    role           TEXT NOT NULL,
    org_id         INTEGER,
    action         TEXT NOT NULL,             -- 'session.login', 'user.create', ...
    object_type    TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    detail         TEXT NOT NULL,             -- canonical JSON, never a sensitive value
    detail_digest  TEXT NOT NULL,             -- hex SHA-256 of detail
    prev_hash      BLOB NOT NULL,
    hash           BLOB NOT NULL
);
CREATE INDEX audit_event_at ON audit_event(at);
CREATE INDEX audit_event_actor ON audit_event(actor_login, seq);
CREATE INDEX audit_event_object ON audit_event(object_type, object_id, seq);

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,                   -- seq of the last event (0: none)
    hash  BLOB NOT NULL                       -- its hash (32 zero bytes: none)
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward');
END;
