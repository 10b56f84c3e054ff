-- 0003: roster import: the change history of members.
-- When an import (or, later, the API) changes a member, one row per changed
-- field records the old and the new value. Sensitive values (phone, bank
-- card) appear only masked; the ID number never changes (it is the key) and
-- never appears. Employers are named by their credit code, organisations by
-- their code. The table is append-only (triggers refuse UPDATE and DELETE).

CREATE TABLE member_history (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES member(id),
    at          TEXT NOT NULL,                -- UTC 'YYYY-MM-DDTHH:MM:SSZ'
    source      TEXT NOT NULL CHECK (source IN ('import', 'api', 'cli')),
    source_ref  TEXT NOT NULL DEFAULT '',     -- the file name of an import
    actor       TEXT NOT NULL DEFAULT '',     -- login; '' for the command line
    field       TEXT NOT NULL CHECK (field IN
                  ('name', 'phone', 'employer', 'employment', 'hardship', 'bank_account',
                   'org')),
    old_value   TEXT NOT NULL,                -- '' for none; masked when sensitive
    new_value   TEXT NOT NULL
);
CREATE INDEX member_history_member ON member_history(member_id, id);

CREATE TRIGGER member_history_no_update BEFORE UPDATE ON member_history
BEGIN
    SELECT RAISE(ABORT, 'member_history is append-only');
END;
CREATE TRIGGER member_history_no_delete BEFORE DELETE ON member_history
BEGIN
    SELECT RAISE(ABORT, 'member_history is append-only');
END;
