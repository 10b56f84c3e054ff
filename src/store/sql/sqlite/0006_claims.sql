-- 0006: claims (理赔): intake, documents, adjudication results, the
-- accumulators that approvals advance, the feed of basic medical insurance
-- settlements (免申即享) and the hardship-assistance referral list.
--
-- claim             one claim: member, channel, the plans it names (in
--                   order), the event, the settlement, its status. The
--                   diagnosis and the critical-illness disease code are
--                   sensitive: stored only sealed (*_enc). settlement_id is
--                   the feed's idempotency key (unique when present).
-- claim_event       every status change: from, to, when (Unix ms), who,
--                   why. Append-only. Payout time = paid - submitted.
-- claim_result      the engine's result per (claim, plan) of the last
--                   assessment: decision, reason, payout, plan version,
--                   enrolment and the engine's explanation steps (compact:
--                   rendered to JSON on reading, so a feed of 10^5 claims
--                   does not serialise 10^5 documents),
--                   and the ledger entries posted for the pair.
-- claim_acc_*       accumulators (spec "Accumulators"), advanced only when a
--                   claim is approved, in the approval's transaction:
--                   per enrolment (term), per member + plan code (critical
--                   illness awards, disease as a keyed hash) and per member +
--                   plan code + accident id.
-- claim_invoice_used invoice numbers on approved claims, per plan code.
-- claim_member_lock one row per member that every approval updates, so
--                   two approvals for one member serialise (PostgreSQL:
--                   the second gets a serialization failure and retries).
-- document_blob     uploaded documents stored once by SHA-256 (in the
--                   database, so a backup holds everything).
-- claim_document    a document attached to a claim under a kind.
-- claim_waiver      a required document kind waived by an officer.
-- claim_feed        one row per imported settlement feed.
-- assistance_referral members put on the union's referral list, per year.

CREATE TABLE claim (
    id                       INTEGER PRIMARY KEY,
    member_id                INTEGER NOT NULL REFERENCES member(id),
    org_id                   INTEGER NOT NULL REFERENCES org(id),
    channel                  TEXT NOT NULL CHECK (channel IN ('online', 'offline', 'auto')),
    status                   TEXT NOT NULL CHECK (status IN
                               ('draft', 'submitted', 'documents_complete', 'assessed',
                                'approved', 'rejected', 'appealed', 'payable', 'paid',
                                'closed')),
    plan_codes               TEXT NOT NULL,          -- 'ZY,JT': in the claim's order
    submitted_on             TEXT,                   -- the engine's submission date
    cause                    TEXT CHECK (cause IN ('illness', 'accident')),
    admission_date           TEXT,
    discharge_date           TEXT,
    diagnosis_date           TEXT,
    accident_date            TEXT,
    accident_id              TEXT,
    outcome                  TEXT CHECK (outcome IN ('death', 'disability', 'medical')),
    grade                    INTEGER CHECK (grade BETWEEN 1 AND 10),
    disease_enc              BLOB,                   -- sealed disease code
    diagnosis_enc            BLOB,                   -- sealed free text
    hospital                 TEXT NOT NULL DEFAULT '',
    has_settlement           INTEGER NOT NULL DEFAULT 0 CHECK (has_settlement IN (0, 1)),
    total_fen                INTEGER NOT NULL DEFAULT 0 CHECK (total_fen >= 0),
    fund_paid_fen            INTEGER NOT NULL DEFAULT 0 CHECK (fund_paid_fen >= 0),
    serious_illness_paid_fen INTEGER NOT NULL DEFAULT 0 CHECK (serious_illness_paid_fen >= 0),
    assistance_paid_fen      INTEGER NOT NULL DEFAULT 0 CHECK (assistance_paid_fen >= 0),
    other_paid_fen           INTEGER NOT NULL DEFAULT 0 CHECK (other_paid_fen >= 0),
    self_pay_in_scope_fen    INTEGER NOT NULL DEFAULT 0 CHECK (self_pay_in_scope_fen >= 0),
    self_pay_out_scope_fen   INTEGER NOT NULL DEFAULT 0 CHECK (self_pay_out_scope_fen >= 0),
    invoices                 TEXT NOT NULL DEFAULT '',  -- invoice numbers, '|' separated
    settlement_id            TEXT UNIQUE,
    payout_fen               INTEGER NOT NULL DEFAULT 0 CHECK (payout_fen >= 0),
    risk_flags               INTEGER NOT NULL DEFAULT 0,
    assessed_by              INTEGER,                -- app_user id; 0 = the system
    decided_by               INTEGER,
    rejected_by              INTEGER,
    reject_code              TEXT,
    reject_text              TEXT,
    appealed                 INTEGER NOT NULL DEFAULT 0 CHECK (appealed IN (0, 1)),
    appeal_reason            TEXT,
    payout_attempts          INTEGER NOT NULL DEFAULT 0,
    created_by               INTEGER,
    created_ms               INTEGER NOT NULL,
    submitted_ms             INTEGER,
    paid_ms                  INTEGER,
    CHECK (has_settlement = 0 OR total_fen = fund_paid_fen + serious_illness_paid_fen
           + assistance_paid_fen + other_paid_fen + self_pay_in_scope_fen
           + self_pay_out_scope_fen),
    CHECK (discharge_date IS NULL OR admission_date IS NULL OR discharge_date >= admission_date)
);
CREATE INDEX claim_member ON claim(member_id, id);
CREATE INDEX claim_status ON claim(status, id);
CREATE INDEX claim_stay ON claim(hospital, admission_date, discharge_date);

CREATE TABLE claim_event (
    id             INTEGER PRIMARY KEY,
    claim_id       INTEGER NOT NULL REFERENCES claim(id),
    from_status    TEXT NOT NULL,                    -- '' for a new claim
    to_status      TEXT NOT NULL,
    at_ms          INTEGER NOT NULL,
    actor_user_id  INTEGER,                          -- NULL: the system or the CLI
    actor_role     TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX claim_event_claim ON claim_event(claim_id, id);
CREATE TRIGGER claim_event_no_update BEFORE UPDATE ON claim_event
BEGIN
    SELECT RAISE(ABORT, 'claim_event is append-only');
END;
CREATE TRIGGER claim_event_no_delete BEFORE DELETE ON claim_event
BEGIN
    SELECT RAISE(ABORT, 'claim_event is append-only');
END;

CREATE TABLE claim_result (
    claim_id       INTEGER NOT NULL REFERENCES claim(id),
    seq            INTEGER NOT NULL CHECK (seq >= 0),
    plan_code      TEXT NOT NULL,
    plan_id        INTEGER REFERENCES plan_version(id),
    enrolment_id   INTEGER REFERENCES enrolment(id),  -- NULL when NOT_ENROLLED
    decision       TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason         TEXT,                              -- NULL: a normal approval
    payout_fen     INTEGER NOT NULL CHECK (payout_fen >= 0),
    steps          BLOB NOT NULL,                      -- event date + steps, int64 BE
    payable_entry  INTEGER,                           -- ledger entry 5101 <- 2241
    payout_entry   INTEGER,                           -- ledger entry 2241 -> 1002
    payout_pending INTEGER,                           -- pending payment awaiting finance
    PRIMARY KEY (claim_id, seq)
);
CREATE INDEX claim_result_plan ON claim_result(plan_code, decision);

CREATE TABLE claim_acc_term (
    enrolment_id         INTEGER PRIMARY KEY REFERENCES enrolment(id),
    deductible_used_fen  INTEGER NOT NULL DEFAULT 0,
    tier_used_fen        INTEGER NOT NULL DEFAULT 0,
    paid_fen             INTEGER NOT NULL DEFAULT 0,
    days_paid            INTEGER NOT NULL DEFAULT 0,
    medical_paid_fen     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE claim_acc_ci (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES member(id),
    plan_code     TEXT NOT NULL,
    disease_hash  BLOB NOT NULL,                      -- keyed hash of the disease code
    severity      TEXT NOT NULL CHECK (severity IN ('severe', 'mild')),
    payout_fen    INTEGER NOT NULL,
    claim_id      INTEGER NOT NULL REFERENCES claim(id)
);
CREATE INDEX claim_acc_ci_member ON claim_acc_ci(member_id, plan_code);

CREATE TABLE claim_acc_accident (
    member_id            INTEGER NOT NULL REFERENCES member(id),
    plan_code            TEXT NOT NULL,
    accident_id          TEXT NOT NULL,
    disability_paid_fen  INTEGER NOT NULL DEFAULT 0,
    death_paid           INTEGER NOT NULL DEFAULT 0 CHECK (death_paid IN (0, 1)),
    PRIMARY KEY (member_id, plan_code, accident_id)
);

CREATE TABLE claim_invoice_used (
    plan_code   TEXT NOT NULL,
    invoice_no  TEXT NOT NULL,
    claim_id    INTEGER NOT NULL REFERENCES claim(id),
    PRIMARY KEY (plan_code, invoice_no)
);

CREATE TABLE claim_member_lock (
    member_id  INTEGER PRIMARY KEY REFERENCES member(id),
    approvals  INTEGER NOT NULL
);

CREATE TABLE document_blob (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),  -- lower-case hex
    content_type  TEXT NOT NULL CHECK (content_type IN
                    ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes    INTEGER NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    data          BLOB NOT NULL,
    created_ms    INTEGER NOT NULL
);
CREATE TRIGGER document_blob_no_update BEFORE UPDATE ON document_blob
BEGIN
    SELECT RAISE(ABORT, 'document_blob is immutable');
END;

CREATE TABLE claim_document (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER NOT NULL REFERENCES claim(id),
    kind          TEXT NOT NULL CHECK (kind IN
                    ('invoice', 'settlement_statement', 'discharge_summary',
                     'diagnosis_report', 'accident_certificate', 'disability_appraisal',
                     'death_certificate', 'other')),
    sha256        TEXT NOT NULL REFERENCES document_blob(sha256),
    file_name     TEXT NOT NULL DEFAULT '',
    uploaded_by   INTEGER,
    uploaded_ms   INTEGER NOT NULL,
    UNIQUE (claim_id, kind, sha256)
);
CREATE INDEX claim_document_claim ON claim_document(claim_id);

CREATE TABLE claim_waiver (
    claim_id    INTEGER NOT NULL REFERENCES claim(id),
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (length(reason) >= 1),
    waived_by   INTEGER,
    waived_ms   INTEGER NOT NULL,
    PRIMARY KEY (claim_id, kind)
);

CREATE TABLE claim_feed (
    id            INTEGER PRIMARY KEY,
    file_sha256   TEXT NOT NULL,
    source_ref    TEXT NOT NULL DEFAULT '',
    as_of         TEXT NOT NULL,
    rows          INTEGER NOT NULL,
    created       INTEGER NOT NULL,
    duplicates    INTEGER NOT NULL,
    not_enrolled  INTEGER NOT NULL,
    rejected      INTEGER NOT NULL,
    imported_by   INTEGER,
    at_ms         INTEGER NOT NULL
);

CREATE TABLE assistance_referral (
    member_id      INTEGER NOT NULL REFERENCES member(id),
    year           INTEGER NOT NULL,
    org_id         INTEGER NOT NULL REFERENCES org(id),
    oop_fen        INTEGER NOT NULL,        -- settlements' out-of-pocket in the year
    aid_paid_fen   INTEGER NOT NULL,        -- mutual aid paid on those claims
    remaining_fen  INTEGER NOT NULL,        -- oop - aid
    hardship       INTEGER NOT NULL CHECK (hardship IN (0, 1)),
    reason         TEXT NOT NULL CHECK (reason IN ('threshold', 'hardship')),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled')),
    updated_ms     INTEGER NOT NULL,
    PRIMARY KEY (member_id, year)
);
CREATE INDEX assistance_referral_org ON assistance_referral(org_id, year);
