-- 0005: plans, enrolment and contributions (参保与缴费).
--
-- plan_version   every version of every plan document, with its state
--                draft -> published -> closed (only forward); a published
--                document never changes, so enrolments made on it keep it.
-- enrol_batch    one enrolment act: a unit's group enrolment, one worker's
--                individual enrolment or gifted cover. It holds the term,
--                the shares and the split of ONE enrolment's price between
--                the payers (every enrolment of a batch has the same shares,
--                so the same parts); the parts add up to the price (CHECK).
-- enrolment      member x plan version x term x shares; seq orders the
--                enrolments of a batch: payments fill them in seq order, so
--                an enrolment is fully paid when every payer's invoice has
--                paid at least seq times its part. Active only when paid.
-- invoice        one per payer per batch: part x member_count.
-- receipt        a payment against an invoice, unique by bank reference
--                (idempotency); append-only.
-- Dates are 'YYYY-MM-DD' text; money INTEGER fen.

CREATE TABLE plan_version (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN
                    ('inpatient', 'daily_allowance', 'critical_illness', 'accident')),
    state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'closed')),
    document      TEXT NOT NULL,                 -- canonical JSON (plan_to_json)
    created_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    published_at  TEXT,
    closed_at     TEXT,
    UNIQUE (code, version)
);
CREATE TRIGGER plan_version_frozen BEFORE UPDATE ON plan_version
WHEN NEW.code <> OLD.code OR NEW.version <> OLD.version
  OR (OLD.state <> 'draft' AND NEW.document <> OLD.document)
  OR (OLD.state = 'published' AND NEW.state = 'draft')
  OR (OLD.state = 'closed' AND NEW.state <> 'closed')
BEGIN
    SELECT RAISE(ABORT, 'a published plan version never changes; states only move forward');
END;
CREATE TRIGGER plan_version_no_delete BEFORE DELETE ON plan_version
WHEN OLD.state <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'only a draft plan version may be deleted');
END;

CREATE TABLE enrol_batch (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('group', 'individual', 'gift')),
    plan_id       INTEGER NOT NULL REFERENCES plan_version(id),
    employer_id   INTEGER REFERENCES employer(id),   -- group: the unit
    org_id        INTEGER NOT NULL REFERENCES org(id), -- whose subtree the batch is in
    term_start    TEXT NOT NULL,
    term_end      TEXT NOT NULL CHECK (term_end >= term_start),
    shares        INTEGER NOT NULL CHECK (shares >= 1),
    price_fen     INTEGER NOT NULL CHECK (price_fen >= 0),  -- one enrolment
    employer_fen  INTEGER NOT NULL CHECK (employer_fen >= 0),
    union_fen     INTEGER NOT NULL CHECK (union_fen >= 0),
    worker_fen    INTEGER NOT NULL CHECK (worker_fen >= 0),
    gift_fen      INTEGER NOT NULL CHECK (gift_fen >= 0),
    funding       TEXT NOT NULL,                 -- the funding spec as JSON
    donor         TEXT NOT NULL DEFAULT '',      -- gift: who pays
    due_date      TEXT NOT NULL,
    member_count  INTEGER NOT NULL CHECK (member_count >= 1),
    renewal_of    INTEGER REFERENCES enrol_batch(id),
    created_by    INTEGER,                       -- app_user id; NULL: CLI
    created_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (employer_fen + union_fen + worker_fen + gift_fen = price_fen),
    CHECK (kind <> 'group' OR employer_id IS NOT NULL),
    CHECK (kind <> 'gift' OR donor <> '')
);
CREATE INDEX enrol_batch_employer ON enrol_batch(employer_id);
CREATE INDEX enrol_batch_due ON enrol_batch(due_date);

CREATE TABLE enrolment (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES enrol_batch(id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    member_id     INTEGER NOT NULL REFERENCES member(id),
    plan_id       INTEGER NOT NULL REFERENCES plan_version(id),
    plan_code     TEXT NOT NULL,
    term_start    TEXT NOT NULL,
    term_end      TEXT NOT NULL CHECK (term_end >= term_start),
    shares        INTEGER NOT NULL CHECK (shares >= 1),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'active', 'lapsed', 'cancelled')),
    cover_start   TEXT,                          -- set when the whole price is paid
    cancelled_on  TEXT,                          -- effective date: cover ends the day before
    refund_fen    INTEGER NOT NULL DEFAULT 0 CHECK (refund_fen >= 0),
    lapse_reason  TEXT,
    renewal_of    INTEGER REFERENCES enrolment(id),
    UNIQUE (batch_id, seq),
    CHECK ((status = 'lapsed') = (lapse_reason IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_on IS NOT NULL))
);
CREATE INDEX enrolment_member ON enrolment(member_id, plan_code);
CREATE INDEX enrolment_term_end ON enrolment(term_end, status);
CREATE UNIQUE INDEX enrolment_renewed ON enrolment(renewal_of) WHERE renewal_of IS NOT NULL;
CREATE TRIGGER enrolment_fixed BEFORE UPDATE ON enrolment
WHEN NEW.member_id <> OLD.member_id OR NEW.plan_id <> OLD.plan_id
  OR NEW.term_start <> OLD.term_start OR NEW.shares <> OLD.shares
  OR NEW.batch_id <> OLD.batch_id OR NEW.seq <> OLD.seq
  OR OLD.status IN ('lapsed', 'cancelled')
BEGIN
    SELECT RAISE(ABORT, 'an enrolment''s terms are fixed; lapsed and cancelled are final');
END;
CREATE TRIGGER enrolment_no_delete BEFORE DELETE ON enrolment
BEGIN
    SELECT RAISE(ABORT, 'enrolments are never deleted');
END;

CREATE TABLE invoice (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES enrol_batch(id),
    payer         TEXT NOT NULL CHECK (payer IN ('employer', 'union', 'worker', 'gift')),
    payer_name    TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    paid_fen      INTEGER NOT NULL DEFAULT 0,
    due_date      TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'lapsed')),
    UNIQUE (batch_id, payer),
    CHECK (paid_fen BETWEEN 0 AND amount_fen),
    CHECK ((status = 'paid') = (paid_fen = amount_fen))
);
CREATE INDEX invoice_open ON invoice(status, due_date);

CREATE TABLE receipt (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoice(id),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    method        TEXT NOT NULL CHECK (method IN
                    ('bank_transfer', 'cash', 'wechat', 'alipay', 'payroll')),
    bank_ref      TEXT NOT NULL UNIQUE CHECK (length(bank_ref) >= 1),
    payer_name    TEXT NOT NULL,
    paid_on       TEXT NOT NULL,
    journal_entry INTEGER,                       -- ledger_entry id of its posting
    recorded_by   INTEGER,
    created_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX receipt_invoice ON receipt(invoice_id);
CREATE TRIGGER receipt_no_update BEFORE UPDATE ON receipt
WHEN NEW.amount_fen <> OLD.amount_fen OR NEW.invoice_id <> OLD.invoice_id
  OR NEW.bank_ref <> OLD.bank_ref OR (OLD.journal_entry IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'receipt is append-only');
END;
CREATE TRIGGER receipt_no_delete BEFORE DELETE ON receipt
BEGIN
    SELECT RAISE(ABORT, 'receipt is append-only');
END;
