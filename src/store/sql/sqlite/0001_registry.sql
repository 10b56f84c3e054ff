-- 0001: the registry core: union organisations, employers, members.
-- Sensitive fields (ID number, bank card) are stored only encrypted
-- (libsodium secretbox, *_enc), looked up by a keyed hash (*_hash), and
-- shown masked (*_mask). Dates are 'YYYY-MM-DD' text; booleans 0/1.

CREATE TABLE org (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    parent_id     INTEGER REFERENCES org(id),
    level         TEXT NOT NULL CHECK (level IN
                    ('national', 'province', 'city', 'district', 'grassroots', 'industry')),
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    path          TEXT NOT NULL,            -- '/1/4/17/': subtree = path LIKE prefix || '%'
    created_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX org_parent ON org(parent_id);
CREATE INDEX org_path ON org(path);

CREATE TABLE employer (
    id          INTEGER PRIMARY KEY,
    uscc        TEXT NOT NULL UNIQUE CHECK (length(uscc) = 18),
    name        TEXT NOT NULL,
    ownership   TEXT NOT NULL CHECK (ownership IN
                  ('public_sector', 'state', 'private', 'foreign', 'collective', 'individual')),
    size        TEXT NOT NULL CHECK (size IN ('large', 'medium', 'small', 'micro')),
    industry    TEXT NOT NULL DEFAULT '',
    org_id      INTEGER NOT NULL REFERENCES org(id),
    contact     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX employer_org ON employer(org_id);
CREATE INDEX employer_name ON employer(name);

CREATE TABLE member (
    id           INTEGER PRIMARY KEY,
    id_hash      BLOB NOT NULL UNIQUE,      -- keyed BLAKE2b of the normalised ID number
    id_enc       BLOB NOT NULL,             -- secretbox(nonce || ciphertext)
    id_mask      TEXT NOT NULL,             -- 110101********1234
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL CHECK (gender IN ('M', 'F')),
    birth_date   TEXT NOT NULL,
    phone        TEXT,
    employment   TEXT NOT NULL CHECK (employment IN
                   ('standard', 'courier', 'delivery', 'ride_hailing', 'truck', 'other_gig')),
    employer_id  INTEGER REFERENCES employer(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    hardship     INTEGER NOT NULL DEFAULT 0 CHECK (hardship IN (0, 1)),
    bank_enc     BLOB,
    bank_mask    TEXT,
    created_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (employment <> 'standard' OR employer_id IS NOT NULL)
);
CREATE INDEX member_org ON member(org_id, id);
CREATE INDEX member_employer ON member(employer_id);
CREATE INDEX member_name ON member(name);
