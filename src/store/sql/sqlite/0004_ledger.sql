-- 0004: the fund ledger (互助金账簿): funds, their chart of accounts, the
-- fund-use rules, journal entries and lines, payments awaiting a second
-- person, contribution earning schedules and closed periods.
--
-- Money is INTEGER fen. Dates are 'YYYY-MM-DD', periods 'YYYY-MM'.
-- A line's side is 'D' (debit) or 'C' (credit); balances kept here are
-- signed debit-minus-credit, whatever the account's normal side.
--
-- How balance is enforced by the database, without triggers (SQLite
-- cannot defer a trigger to COMMIT, and a trigger per row costs more than
-- the insert itself):
--   1. the lines of an entry are written FIRST, in order; line n carries the
--      running totals debit_through_fen / credit_through_fen of lines 1..n
--      and repeats its predecessor's (prev_*); a CHECK ties the running
--      totals to its own side and amount, and a foreign key ties prev_* to
--      the actual line n-1 (line 1 starts from zero);
--   2. the header is written LAST with total_debit_fen = total_credit_fen
--      (CHECK); its foreign key (id, line_count, line_count, totals) names
--      line number line_count with exactly those running totals, so the
--      lines it seals sum to its totals and debits equal credits;
--   3. every line names its entry and the entry's line count, with
--      1 <= line_no <= line_count, unique per (entry, line count), and a
--      DEFERRABLE INITIALLY DEFERRED foreign key (entry_id, line_count) ->
--      ledger_entry(id, line_count): lines without their header fail
--      COMMIT, and since a sealed entry's slots 1..line_count are all taken
--      (the chain reaches line_count), no line can be added to it later;
--   4. entries and lines refuse UPDATE and DELETE (triggers that fire only
--      on those statements, never on inserts).
-- So every committed entry is balanced. Each line's account belongs to the
-- entry's fund (checked by the domain and by `huzhu ledger verify`). The
-- per-account totals (ledger_account.balance_fen, ledger_account_day) are
-- aggregates the domain maintains once per batch; verify recomputes them
-- from the lines.

CREATE TABLE fund (
    id                      INTEGER PRIMARY KEY,
    code                    TEXT NOT NULL UNIQUE,      -- plan code, or 'POOL'
    name                    TEXT NOT NULL,
    mgmt_cap_bp             INTEGER NOT NULL DEFAULT 1000
                              CHECK (mgmt_cap_bp BETWEEN 0 AND 10000),
    approval_threshold_fen  INTEGER NOT NULL DEFAULT 1000000
                              CHECK (approval_threshold_fen >= 0),
    closed_through          TEXT NOT NULL DEFAULT '',  -- last closed period, '' none
    created_at              TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TRIGGER fund_no_delete BEFORE DELETE ON fund
BEGIN
    SELECT RAISE(ABORT, 'fund cannot be deleted');
END;
CREATE TRIGGER fund_close_forward BEFORE UPDATE ON fund
WHEN NEW.closed_through < OLD.closed_through OR NEW.code <> OLD.code
BEGIN
    SELECT RAISE(ABORT, 'fund periods only close forward');
END;

-- The chart every fund gets (copied into ledger_account on fund creation).
CREATE TABLE ledger_chart (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN
                   ('asset', 'liability', 'net_assets', 'income', 'expense')),
    normal_side  TEXT NOT NULL CHECK (normal_side IN ('D', 'C')),
    no_negative  INTEGER NOT NULL CHECK (no_negative IN (0, 1))
);
INSERT INTO ledger_chart (code, name, type, normal_side, no_negative) VALUES
    ('1002', '银行存款', 'asset', 'D', 1),
    ('2203', '预收互助金', 'liability', 'C', 1),
    ('2241', '应付互助金', 'liability', 'C', 1),
    ('3101', '互助金结余', 'net_assets', 'C', 0),
    ('4101', '互助金收入', 'income', 'C', 0),
    ('4201', '补助及捐赠收入', 'income', 'C', 0),
    ('4301', '利息收入', 'income', 'C', 0),
    ('5101', '互助金支出', 'expense', 'D', 0),
    ('5201', '管理费用', 'expense', 'D', 0);

CREATE TABLE ledger_account (
    id           INTEGER PRIMARY KEY,
    fund_id      INTEGER NOT NULL REFERENCES fund(id),
    code         TEXT NOT NULL REFERENCES ledger_chart(code),
    balance_fen  INTEGER NOT NULL DEFAULT 0,   -- debits minus credits, all dates
    UNIQUE (fund_id, code)
);
CREATE TRIGGER ledger_account_no_delete BEFORE DELETE ON ledger_account
BEGIN
    SELECT RAISE(ABORT, 'ledger_account cannot be deleted');
END;
CREATE TRIGGER ledger_account_fixed BEFORE UPDATE ON ledger_account
WHEN NEW.fund_id <> OLD.fund_id OR NEW.code <> OLD.code OR NEW.id <> OLD.id
BEGIN
    SELECT RAISE(ABORT, 'ledger_account identity is fixed');
END;

-- 资金使用范围: the (debit account, credit account, source) combinations an
-- entry may contain; every debit line's account paired with every credit
-- line's account must be listed for the entry's source type.
CREATE TABLE ledger_rule (
    debit_code   TEXT NOT NULL REFERENCES ledger_chart(code),
    credit_code  TEXT NOT NULL REFERENCES ledger_chart(code),
    source_type  TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    PRIMARY KEY (debit_code, credit_code, source_type)
);
INSERT INTO ledger_rule (debit_code, credit_code, source_type, purpose) VALUES
    ('1002', '2203', 'receipt', 'contribution received, not yet earned'),
    ('1002', '2203', 'invoice', 'invoiced contribution paid'),
    ('1002', '4201', 'receipt', 'subsidy or donation received'),
    ('1002', '4201', 'manual', 'subsidy or donation received'),
    ('1002', '4301', 'receipt', 'bank interest'),
    ('1002', '4301', 'manual', 'bank interest'),
    ('1002', '3101', 'manual', 'opening fund balance'),
    ('2203', '4101', 'earning', 'contribution earned over its cover term'),
    ('5101', '2241', 'claim', 'approved benefit payable'),
    ('2241', '1002', 'payout_batch', 'benefit paid'),
    ('2241', '1002', 'manual', 'benefit paid by hand'),
    ('1002', '2241', 'payout_batch', 'failed payment returned'),
    ('2203', '1002', 'refund', 'unearned contribution refunded'),
    ('5201', '1002', 'manual', 'management expense paid');

INSERT INTO fund (code, name) VALUES ('POOL', '互助金统筹');
INSERT INTO ledger_account (fund_id, code)
    SELECT f.id, c.code FROM fund f, ledger_chart c WHERE f.code = 'POOL' ORDER BY c.code;

CREATE TABLE ledger_entry (
    id                INTEGER PRIMARY KEY,
    fund_id           INTEGER NOT NULL REFERENCES fund(id),
    entry_date        TEXT NOT NULL CHECK (length(entry_date) = 10),
    period            TEXT NOT NULL CHECK (period = substr(entry_date, 1, 7)),
    source_type       TEXT NOT NULL CHECK (source_type IN
                        ('invoice', 'receipt', 'claim', 'payout_batch', 'manual', 'earning',
                         'refund', 'reversal')),
    source_id         TEXT NOT NULL,
    memo              TEXT NOT NULL,
    created_by        INTEGER,                   -- app_user id; NULL: system / CLI
    approved_by       INTEGER,                   -- the checker, for approved payments
    created_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    idem_key          TEXT NOT NULL UNIQUE,
    digest            BLOB NOT NULL CHECK (length(digest) = 32), -- SHA-256 of the content
    reversal_of       INTEGER REFERENCES ledger_entry(id),
    line_count        INTEGER NOT NULL CHECK (line_count >= 2),
    total_debit_fen   INTEGER NOT NULL CHECK (total_debit_fen > 0),
    total_credit_fen  INTEGER NOT NULL,
    CHECK (total_debit_fen = total_credit_fen),
    CHECK ((source_type = 'reversal') = (reversal_of IS NOT NULL)),
    CHECK (approved_by IS NULL OR approved_by <> created_by),
    UNIQUE (id, line_count),                   -- what the lines' foreign key names
    FOREIGN KEY (id, line_count, line_count, total_debit_fen, total_credit_fen)
        REFERENCES ledger_line(entry_id, line_count, line_no, debit_through_fen,
                               credit_through_fen)
);
CREATE INDEX ledger_entry_source ON ledger_entry(source_type, source_id);
-- an entry is reversed at most once; most entries are never reversed
CREATE UNIQUE INDEX ledger_entry_reversal ON ledger_entry(reversal_of)
    WHERE reversal_of IS NOT NULL;

CREATE TABLE ledger_line (
    entry_id            INTEGER NOT NULL,
    line_count          INTEGER NOT NULL,     -- the entry's number of lines
    line_no             INTEGER NOT NULL CHECK (line_no BETWEEN 1 AND line_count),
    account_id          INTEGER NOT NULL REFERENCES ledger_account(id),
    side                TEXT NOT NULL CHECK (side IN ('D', 'C')),
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    debit_through_fen   INTEGER NOT NULL,     -- debits of lines 1..line_no
    credit_through_fen  INTEGER NOT NULL,     -- credits of lines 1..line_no
    prev_line_no        INTEGER,              -- NULL on line 1
    prev_debit_fen      INTEGER,
    prev_credit_fen     INTEGER,
    CHECK ((line_no = 1 AND prev_line_no IS NULL AND prev_debit_fen IS NULL
            AND prev_credit_fen IS NULL
            AND debit_through_fen = CASE WHEN side = 'D' THEN amount_fen ELSE 0 END
            AND credit_through_fen = CASE WHEN side = 'C' THEN amount_fen ELSE 0 END)
        OR (line_no > 1 AND prev_line_no = line_no - 1 AND prev_debit_fen IS NOT NULL
            AND prev_credit_fen IS NOT NULL
            AND debit_through_fen = prev_debit_fen
                                    + CASE WHEN side = 'D' THEN amount_fen ELSE 0 END
            AND credit_through_fen = prev_credit_fen
                                     + CASE WHEN side = 'C' THEN amount_fen ELSE 0 END)),
    PRIMARY KEY (entry_id, line_count, line_no),
    UNIQUE (entry_id, line_count, line_no, debit_through_fen, credit_through_fen),
    FOREIGN KEY (entry_id, line_count, prev_line_no, prev_debit_fen, prev_credit_fen)
        REFERENCES ledger_line(entry_id, line_count, line_no, debit_through_fen,
                               credit_through_fen),
    FOREIGN KEY (entry_id, line_count) REFERENCES ledger_entry(id, line_count)
        DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID;

CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger_entry is append-only');
END;
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger_entry is append-only');
END;
CREATE TRIGGER ledger_line_no_update BEFORE UPDATE ON ledger_line
BEGIN
    SELECT RAISE(ABORT, 'ledger_line is append-only');
END;
CREATE TRIGGER ledger_line_no_delete BEFORE DELETE ON ledger_line
BEGIN
    SELECT RAISE(ABORT, 'ledger_line is append-only');
END;

-- Movements per account per value date (an aggregate of ledger_line kept by
-- the domain once per batch): balances as of a date, end-of-day limits and
-- period reports read this instead of every line.
CREATE TABLE ledger_account_day (
    account_id  INTEGER NOT NULL REFERENCES ledger_account(id),
    day         TEXT NOT NULL,
    debit_fen   INTEGER NOT NULL CHECK (debit_fen >= 0),
    credit_fen  INTEGER NOT NULL CHECK (credit_fen >= 0),
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;
CREATE TRIGGER ledger_account_day_no_delete BEFORE DELETE ON ledger_account_day
BEGIN
    SELECT RAISE(ABORT, 'ledger_account_day cannot be deleted');
END;

-- 资金使用决策制度: payments above the fund's threshold wait here for a
-- second finance user; approval posts the entry (same idempotency key).
CREATE TABLE ledger_pending (
    id            INTEGER PRIMARY KEY,
    fund_id       INTEGER NOT NULL REFERENCES fund(id),
    entry_date    TEXT NOT NULL,
    source_type   TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    memo          TEXT NOT NULL,
    idem_key      TEXT NOT NULL UNIQUE,
    digest        BLOB NOT NULL CHECK (length(digest) = 32),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    created_by    INTEGER,
    created_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'approved', 'refused')),
    decided_by    INTEGER,
    decided_at    TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    entry_id      INTEGER REFERENCES ledger_entry(id),
    CHECK ((status = 'approved') = (entry_id IS NOT NULL))
);
CREATE INDEX ledger_pending_status ON ledger_pending(status, id);
CREATE TRIGGER ledger_pending_decide_once BEFORE UPDATE ON ledger_pending
WHEN OLD.status <> 'pending' OR NEW.digest <> OLD.digest OR NEW.amount_fen <> OLD.amount_fen
  OR NEW.idem_key <> OLD.idem_key OR NEW.fund_id <> OLD.fund_id
BEGIN
    SELECT RAISE(ABORT, 'a decided payment cannot change');
END;
CREATE TRIGGER ledger_pending_no_delete BEFORE DELETE ON ledger_pending
BEGIN
    SELECT RAISE(ABORT, 'ledger_pending is append-only');
END;

CREATE TABLE ledger_pending_line (
    pending_id  INTEGER NOT NULL REFERENCES ledger_pending(id),
    line_no     INTEGER NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES ledger_account(id),
    side        TEXT NOT NULL CHECK (side IN ('D', 'C')),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (pending_id, line_no)
) WITHOUT ROWID;
CREATE TRIGGER ledger_pending_line_no_update BEFORE UPDATE ON ledger_pending_line
BEGIN
    SELECT RAISE(ABORT, 'ledger_pending_line is append-only');
END;
CREATE TRIGGER ledger_pending_line_no_delete BEFORE DELETE ON ledger_pending_line
BEGIN
    SELECT RAISE(ABORT, 'ledger_pending_line is append-only');
END;

-- A received contribution and the term it covers; `ledger earn` moves it
-- from 预收互助金 to 互助金收入 month by month (ledger_earning).
CREATE TABLE contribution_schedule (
    id           INTEGER PRIMARY KEY,
    fund_id      INTEGER NOT NULL REFERENCES fund(id),
    entry_id     INTEGER NOT NULL UNIQUE REFERENCES ledger_entry(id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    cover_start  TEXT NOT NULL,
    cover_end    TEXT NOT NULL CHECK (cover_end >= cover_start),
    earned_fen   INTEGER NOT NULL DEFAULT 0,
    earned_through TEXT NOT NULL DEFAULT '',  -- last month earned ('YYYY-MM'), '' none
    cancelled    INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    CHECK (earned_fen BETWEEN 0 AND amount_fen)
);
CREATE INDEX contribution_schedule_open
    ON contribution_schedule(fund_id, cancelled, earned_through);
CREATE TRIGGER contribution_schedule_fixed BEFORE UPDATE ON contribution_schedule
WHEN NEW.amount_fen <> OLD.amount_fen OR NEW.cover_start <> OLD.cover_start
  OR NEW.cover_end <> OLD.cover_end OR NEW.entry_id <> OLD.entry_id
  OR NEW.earned_fen < OLD.earned_fen OR NEW.cancelled < OLD.cancelled
BEGIN
    SELECT RAISE(ABORT, 'contribution_schedule terms are fixed');
END;
CREATE TRIGGER contribution_schedule_no_delete BEFORE DELETE ON contribution_schedule
BEGIN
    SELECT RAISE(ABORT, 'contribution_schedule cannot be deleted');
END;

CREATE TABLE ledger_earning (
    schedule_id  INTEGER NOT NULL REFERENCES contribution_schedule(id),
    month        TEXT NOT NULL,                  -- cover month earned, 'YYYY-MM'
    entry_id     INTEGER NOT NULL REFERENCES ledger_entry(id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (schedule_id, month)
) WITHOUT ROWID;
CREATE INDEX ledger_earning_entry ON ledger_earning(entry_id);
CREATE TRIGGER ledger_earning_no_update BEFORE UPDATE ON ledger_earning
BEGIN
    SELECT RAISE(ABORT, 'ledger_earning is append-only');
END;
CREATE TRIGGER ledger_earning_no_delete BEFORE DELETE ON ledger_earning
BEGIN
    SELECT RAISE(ABORT, 'ledger_earning is append-only');
END;

-- A closed period's reports, stored so they reproduce exactly.
CREATE TABLE ledger_period (
    fund_id    INTEGER NOT NULL REFERENCES fund(id),
    period     TEXT NOT NULL,
    closed_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_by  INTEGER,
    report     TEXT NOT NULL,                    -- canonical JSON
    digest     BLOB NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (fund_id, period)
);
CREATE TRIGGER ledger_period_no_update BEFORE UPDATE ON ledger_period
BEGIN
    SELECT RAISE(ABORT, 'ledger_period is append-only');
END;
CREATE TRIGGER ledger_period_no_delete BEFORE DELETE ON ledger_period
BEGIN
    SELECT RAISE(ABORT, 'ledger_period is append-only');
END;
