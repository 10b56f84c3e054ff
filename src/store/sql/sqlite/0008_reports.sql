-- 0008: supervision reports (监督报表): the rollups the reports read (kept
-- exact by triggers in the transaction of each change) and their indexes.
--
-- report_cover  one row per enrolment that gives or gave cover (it has a
--               cover start, i.e. it was paid, and is active or was
--               cancelled after that), with the member's organisation,
--               employer and employment form copied in, so coverage counts
--               distinct members per (organisation, employment, employer)
--               from one covering index instead of probing 10^6 enrolments
--               per request. It is a pure function of enrolment and member
--               and is kept exact by the triggers below, in the same
--               transaction as the change: an enrolment's insert or any
--               update of its status, cover start, cancellation or term end
--               rewrites its row; a member's move to another organisation,
--               employer or employment form rewrites that member's rows.
--               Nothing else writes it. cover_stop is the cancellation's
--               effective date (cover ends the day before), '9999-12-31'
--               when not cancelled; an enrolment cancelled on or before its
--               cover start never covered a day and has no row.
--               Covered at some time in [from, to]:
--                 cover_start <= to AND term_end >= from AND cover_stop > from.

CREATE TABLE report_cover (
    enrolment_id  INTEGER PRIMARY KEY REFERENCES enrolment(id),
    member_id     INTEGER NOT NULL REFERENCES member(id),
    org_id        INTEGER NOT NULL,
    employer_id   INTEGER,
    employment    TEXT NOT NULL,
    plan_code     TEXT NOT NULL,
    cover_start   TEXT NOT NULL,
    term_end      TEXT NOT NULL,
    cover_stop    TEXT NOT NULL
);
CREATE INDEX report_cover_dims ON report_cover(org_id, employment, employer_id, member_id,
                                               cover_start, term_end, cover_stop);
CREATE INDEX report_cover_member ON report_cover(member_id);

CREATE TRIGGER report_cover_enrolment_insert AFTER INSERT ON enrolment
WHEN NEW.cover_start IS NOT NULL AND NEW.status IN ('active', 'cancelled')
  AND (NEW.cancelled_on IS NULL OR NEW.cancelled_on > NEW.cover_start)
BEGIN
    INSERT INTO report_cover (enrolment_id, member_id, org_id, employer_id, employment,
                              plan_code, cover_start, term_end, cover_stop)
    SELECT NEW.id, NEW.member_id, m.org_id, m.employer_id, m.employment, NEW.plan_code,
           NEW.cover_start, NEW.term_end, COALESCE(NEW.cancelled_on, '9999-12-31')
    FROM member m WHERE m.id = NEW.member_id;
END;

CREATE TRIGGER report_cover_enrolment_update
AFTER UPDATE OF status, cover_start, cancelled_on, term_end ON enrolment
BEGIN
    DELETE FROM report_cover WHERE enrolment_id = OLD.id;
    INSERT INTO report_cover (enrolment_id, member_id, org_id, employer_id, employment,
                              plan_code, cover_start, term_end, cover_stop)
    SELECT NEW.id, NEW.member_id, m.org_id, m.employer_id, m.employment, NEW.plan_code,
           NEW.cover_start, NEW.term_end, COALESCE(NEW.cancelled_on, '9999-12-31')
    FROM member m
    WHERE m.id = NEW.member_id AND NEW.cover_start IS NOT NULL
      AND NEW.status IN ('active', 'cancelled')
      AND (NEW.cancelled_on IS NULL OR NEW.cancelled_on > NEW.cover_start);
END;

CREATE TRIGGER report_cover_member_update
AFTER UPDATE OF org_id, employer_id, employment ON member
WHEN NEW.org_id IS NOT OLD.org_id OR NEW.employer_id IS NOT OLD.employer_id
  OR NEW.employment IS NOT OLD.employment
BEGIN
    UPDATE report_cover SET org_id = NEW.org_id, employer_id = NEW.employer_id,
                            employment = NEW.employment
    WHERE member_id = NEW.id;
END;

INSERT INTO report_cover (enrolment_id, member_id, org_id, employer_id, employment, plan_code,
                          cover_start, term_end, cover_stop)
SELECT e.id, e.member_id, m.org_id, m.employer_id, m.employment, e.plan_code, e.cover_start,
       e.term_end, COALESCE(e.cancelled_on, '9999-12-31')
FROM enrolment e JOIN member m ON m.id = e.member_id
WHERE e.cover_start IS NOT NULL AND e.status IN ('active', 'cancelled')
  AND (e.cancelled_on IS NULL OR e.cancelled_on > e.cover_start);

-- Registered members per (organisation, employment, employer): an index-only scan.
CREATE INDEX member_report_dims ON member(org_id, employment, employer_id);
-- Claims of a subtree by submission date (what-if, the ledger side of the
-- reconciliation); paid claims by payment time, covering what timeliness reads.
CREATE INDEX claim_report_submitted ON claim(org_id, submitted_on);
CREATE INDEX claim_report_paid ON claim(org_id, paid_ms, status, channel, submitted_ms, payout_fen);
-- Contributions of a subtree.
CREATE INDEX enrol_batch_org ON enrol_batch(org_id);

-- report_claim_month  claims per (organisation, submission month, status,
--                     reject code): count and settlement totals. A claim is
--                     counted once it has a submission date (drafts are not).
-- report_claim_pair   claim-plan results per (organisation, submission month,
--                     plan code, decision, engine reason, claim rejected
--                     0/1): count and the claims' settlement totals.
-- report_benefit_month benefits booked on approval per (organisation, month
--                     of the booking entry's value date, plan code): results
--                     that carry a payable entry (5101 <- 2241), count and
--                     payout. The claims report's paid figure; the ledger's
--                     own 5101 movements are read apart, to reconcile.
-- report_earning      contribution schedules not refunded per (organisation
--                     of the enrolment batch, plan version, cover term,
--                     amount): how many. The ledger splits each schedule by
--                     days (ledger_split_by_days), a function of (amount,
--                     term) alone, so one split per group times the count is
--                     exactly the sum of the schedules' splits. A schedule
--                     joins when its receipt names its entry (whichever row
--                     comes second) and leaves when it is cancelled
--                     (refunded; the report then reads what it earned).
-- All four are maintained by the triggers below in the transaction of the
-- change, never by hand; a row whose count falls to 0 stays (it sums to
-- nothing). Rows are keyed by the facts' text ('YYYY-MM' months, '' for a
-- missing reason).

CREATE TABLE report_claim_month (
    org_id       INTEGER NOT NULL,
    month        TEXT NOT NULL,
    status       TEXT NOT NULL,
    reject_code  TEXT NOT NULL,
    claims       INTEGER NOT NULL,
    claimed_fen  INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, status, reject_code)
) WITHOUT ROWID;

CREATE TRIGGER report_claim_month_insert AFTER INSERT ON claim
WHEN NEW.submitted_on IS NOT NULL
BEGIN
    INSERT INTO report_claim_month VALUES (NEW.org_id, substr(NEW.submitted_on, 1, 7),
        NEW.status, COALESCE(NEW.reject_code, ''), 1, NEW.total_fen)
    ON CONFLICT (org_id, month, status, reject_code) DO UPDATE
        SET claims = claims + 1, claimed_fen = claimed_fen + excluded.claimed_fen;
END;

CREATE TRIGGER report_claim_month_update
AFTER UPDATE OF status, submitted_on, reject_code, org_id, total_fen ON claim
WHEN OLD.status IS NOT NEW.status OR OLD.submitted_on IS NOT NEW.submitted_on
  OR OLD.reject_code IS NOT NEW.reject_code OR OLD.org_id IS NOT NEW.org_id
  OR OLD.total_fen IS NOT NEW.total_fen
BEGIN
    UPDATE report_claim_month SET claims = claims - 1, claimed_fen = claimed_fen - OLD.total_fen
    WHERE OLD.submitted_on IS NOT NULL AND org_id = OLD.org_id
      AND month = substr(OLD.submitted_on, 1, 7) AND status = OLD.status
      AND reject_code = COALESCE(OLD.reject_code, '');
    INSERT INTO report_claim_month
    SELECT NEW.org_id, substr(NEW.submitted_on, 1, 7), NEW.status, COALESCE(NEW.reject_code, ''),
           1, NEW.total_fen
    WHERE NEW.submitted_on IS NOT NULL
    ON CONFLICT (org_id, month, status, reject_code) DO UPDATE
        SET claims = claims + 1, claimed_fen = claimed_fen + excluded.claimed_fen;
END;

CREATE TABLE report_claim_pair (
    org_id       INTEGER NOT NULL,
    month        TEXT NOT NULL,
    plan_code    TEXT NOT NULL,
    decision     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    rejected     INTEGER NOT NULL,
    pairs        INTEGER NOT NULL,
    claimed_fen  INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, plan_code, decision, reason, rejected)
) WITHOUT ROWID;

CREATE TRIGGER report_claim_pair_insert AFTER INSERT ON claim_result
BEGIN
    INSERT INTO report_claim_pair
    SELECT c.org_id, substr(c.submitted_on, 1, 7), NEW.plan_code, NEW.decision,
           COALESCE(NEW.reason, ''), c.status = 'rejected', 1, c.total_fen
    FROM claim c WHERE c.id = NEW.claim_id AND c.submitted_on IS NOT NULL
    ON CONFLICT (org_id, month, plan_code, decision, reason, rejected) DO UPDATE
        SET pairs = pairs + 1, claimed_fen = claimed_fen + excluded.claimed_fen;
END;

CREATE TRIGGER report_claim_pair_delete AFTER DELETE ON claim_result
BEGIN
    UPDATE report_claim_pair
    SET pairs = pairs - 1, claimed_fen = claimed_fen - (SELECT total_fen FROM claim
                                                         WHERE id = OLD.claim_id)
    WHERE (org_id, month, plan_code, decision, reason, rejected) =
          (SELECT c.org_id, substr(c.submitted_on, 1, 7), OLD.plan_code, OLD.decision,
                  COALESCE(OLD.reason, ''), c.status = 'rejected'
           FROM claim c WHERE c.id = OLD.claim_id AND c.submitted_on IS NOT NULL);
END;

CREATE TRIGGER report_claim_pair_update AFTER UPDATE OF plan_code, decision, reason ON claim_result
WHEN OLD.plan_code IS NOT NEW.plan_code OR OLD.decision IS NOT NEW.decision
  OR OLD.reason IS NOT NEW.reason
BEGIN
    UPDATE report_claim_pair
    SET pairs = pairs - 1, claimed_fen = claimed_fen - (SELECT total_fen FROM claim
                                                         WHERE id = OLD.claim_id)
    WHERE (org_id, month, plan_code, decision, reason, rejected) =
          (SELECT c.org_id, substr(c.submitted_on, 1, 7), OLD.plan_code, OLD.decision,
                  COALESCE(OLD.reason, ''), c.status = 'rejected'
           FROM claim c WHERE c.id = OLD.claim_id AND c.submitted_on IS NOT NULL);
    INSERT INTO report_claim_pair
    SELECT c.org_id, substr(c.submitted_on, 1, 7), NEW.plan_code, NEW.decision,
           COALESCE(NEW.reason, ''), c.status = 'rejected', 1, c.total_fen
    FROM claim c WHERE c.id = NEW.claim_id AND c.submitted_on IS NOT NULL
    ON CONFLICT (org_id, month, plan_code, decision, reason, rejected) DO UPDATE
        SET pairs = pairs + 1, claimed_fen = claimed_fen + excluded.claimed_fen;
END;

-- A claim's results move when what keys them changes on the claim.
CREATE TRIGGER report_claim_pair_move AFTER UPDATE OF status, submitted_on, org_id, total_fen
ON claim
WHEN (OLD.status = 'rejected') IS NOT (NEW.status = 'rejected')
  OR OLD.submitted_on IS NOT NEW.submitted_on OR OLD.org_id IS NOT NEW.org_id
  OR OLD.total_fen IS NOT NEW.total_fen
BEGIN
    UPDATE report_claim_pair SET pairs = pairs - 1, claimed_fen = claimed_fen - OLD.total_fen
    WHERE OLD.submitted_on IS NOT NULL
      AND (org_id, month, plan_code, decision, reason, rejected) IN
          (SELECT OLD.org_id, substr(OLD.submitted_on, 1, 7), r.plan_code, r.decision,
                  COALESCE(r.reason, ''), OLD.status = 'rejected'
           FROM claim_result r WHERE r.claim_id = OLD.id);
    INSERT INTO report_claim_pair
    SELECT NEW.org_id, substr(NEW.submitted_on, 1, 7), r.plan_code, r.decision,
           COALESCE(r.reason, ''), NEW.status = 'rejected', 1, NEW.total_fen
    FROM claim_result r WHERE r.claim_id = NEW.id AND NEW.submitted_on IS NOT NULL
    ON CONFLICT (org_id, month, plan_code, decision, reason, rejected) DO UPDATE
        SET pairs = pairs + 1, claimed_fen = claimed_fen + excluded.claimed_fen;
END;

CREATE TABLE report_benefit_month (
    org_id      INTEGER NOT NULL,
    month       TEXT NOT NULL,
    plan_code   TEXT NOT NULL,
    pairs       INTEGER NOT NULL,
    amount_fen  INTEGER NOT NULL,
    PRIMARY KEY (org_id, month, plan_code)
) WITHOUT ROWID;

CREATE TRIGGER report_benefit_insert AFTER INSERT ON claim_result
WHEN NEW.payable_entry IS NOT NULL
BEGIN
    INSERT INTO report_benefit_month
    SELECT c.org_id, le.period, NEW.plan_code, 1, NEW.payout_fen
    FROM claim c, ledger_entry le WHERE c.id = NEW.claim_id AND le.id = NEW.payable_entry
    ON CONFLICT (org_id, month, plan_code) DO UPDATE
        SET pairs = pairs + 1, amount_fen = amount_fen + excluded.amount_fen;
END;

CREATE TRIGGER report_benefit_delete AFTER DELETE ON claim_result
WHEN OLD.payable_entry IS NOT NULL
BEGIN
    UPDATE report_benefit_month SET pairs = pairs - 1, amount_fen = amount_fen - OLD.payout_fen
    WHERE (org_id, month, plan_code) =
          (SELECT c.org_id, le.period, OLD.plan_code FROM claim c, ledger_entry le
           WHERE c.id = OLD.claim_id AND le.id = OLD.payable_entry);
END;

CREATE TRIGGER report_benefit_update AFTER UPDATE OF payable_entry, payout_fen, plan_code
ON claim_result
WHEN OLD.payable_entry IS NOT NEW.payable_entry
  OR (NEW.payable_entry IS NOT NULL AND (OLD.payout_fen IS NOT NEW.payout_fen
                                         OR OLD.plan_code IS NOT NEW.plan_code))
BEGIN
    UPDATE report_benefit_month SET pairs = pairs - 1, amount_fen = amount_fen - OLD.payout_fen
    WHERE OLD.payable_entry IS NOT NULL AND (org_id, month, plan_code) =
          (SELECT c.org_id, le.period, OLD.plan_code FROM claim c, ledger_entry le
           WHERE c.id = OLD.claim_id AND le.id = OLD.payable_entry);
    INSERT INTO report_benefit_month
    SELECT c.org_id, le.period, NEW.plan_code, 1, NEW.payout_fen
    FROM claim c, ledger_entry le WHERE c.id = NEW.claim_id AND le.id = NEW.payable_entry
    ON CONFLICT (org_id, month, plan_code) DO UPDATE
        SET pairs = pairs + 1, amount_fen = amount_fen + excluded.amount_fen;
END;

CREATE TRIGGER report_benefit_move AFTER UPDATE OF org_id ON claim
WHEN OLD.org_id IS NOT NEW.org_id
BEGIN
    UPDATE report_benefit_month SET pairs = pairs - 1,
        amount_fen = amount_fen - (SELECT r.payout_fen FROM claim_result r
                                   WHERE r.claim_id = OLD.id
                                     AND r.plan_code = report_benefit_month.plan_code
                                     AND r.payable_entry IS NOT NULL)
    WHERE org_id = OLD.org_id AND (month, plan_code) IN
          (SELECT le.period, r.plan_code FROM claim_result r
           JOIN ledger_entry le ON le.id = r.payable_entry WHERE r.claim_id = OLD.id);
    INSERT INTO report_benefit_month
    SELECT NEW.org_id, le.period, r.plan_code, 1, r.payout_fen
    FROM claim_result r JOIN ledger_entry le ON le.id = r.payable_entry WHERE r.claim_id = NEW.id
    ON CONFLICT (org_id, month, plan_code) DO UPDATE
        SET pairs = pairs + 1, amount_fen = amount_fen + excluded.amount_fen;
END;

CREATE TABLE report_earning (
    org_id       INTEGER NOT NULL,
    plan_id      INTEGER NOT NULL,
    plan_code    TEXT NOT NULL,
    cover_start  TEXT NOT NULL,
    cover_end    TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL,
    schedules    INTEGER NOT NULL,
    PRIMARY KEY (org_id, plan_id, cover_start, cover_end, amount_fen)
) WITHOUT ROWID;
CREATE INDEX receipt_journal ON receipt(journal_entry) WHERE journal_entry IS NOT NULL;
CREATE INDEX contribution_schedule_cancelled ON contribution_schedule(entry_id)
    WHERE cancelled = 1;

CREATE TRIGGER report_earning_receipt AFTER UPDATE OF journal_entry ON receipt
WHEN OLD.journal_entry IS NULL AND NEW.journal_entry IS NOT NULL
BEGIN
    INSERT INTO report_earning
    SELECT b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen, 1
    FROM contribution_schedule s, invoice i, enrol_batch b, plan_version p
    WHERE s.entry_id = NEW.journal_entry AND s.cancelled = 0 AND i.id = NEW.invoice_id
      AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_id, cover_start, cover_end, amount_fen) DO UPDATE
        SET schedules = schedules + 1;
END;

CREATE TRIGGER report_earning_receipt_insert AFTER INSERT ON receipt
WHEN NEW.journal_entry IS NOT NULL
BEGIN
    INSERT INTO report_earning
    SELECT b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen, 1
    FROM contribution_schedule s, invoice i, enrol_batch b, plan_version p
    WHERE s.entry_id = NEW.journal_entry AND s.cancelled = 0 AND i.id = NEW.invoice_id
      AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_id, cover_start, cover_end, amount_fen) DO UPDATE
        SET schedules = schedules + 1;
END;

CREATE TRIGGER report_earning_schedule AFTER INSERT ON contribution_schedule
WHEN NEW.cancelled = 0
BEGIN
    INSERT INTO report_earning
    SELECT b.org_id, b.plan_id, p.code, NEW.cover_start, NEW.cover_end, NEW.amount_fen, 1
    FROM receipt r, invoice i, enrol_batch b, plan_version p
    WHERE r.journal_entry = NEW.entry_id AND i.id = r.invoice_id AND b.id = i.batch_id
      AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_id, cover_start, cover_end, amount_fen) DO UPDATE
        SET schedules = schedules + 1;
END;

CREATE TRIGGER report_earning_cancel AFTER UPDATE OF cancelled ON contribution_schedule
WHEN OLD.cancelled = 0 AND NEW.cancelled = 1
BEGIN
    UPDATE report_earning SET schedules = schedules - 1
    WHERE (org_id, plan_id, cover_start, cover_end, amount_fen) =
          (SELECT b.org_id, b.plan_id, OLD.cover_start, OLD.cover_end, OLD.amount_fen
           FROM receipt r, invoice i, enrol_batch b
           WHERE r.journal_entry = OLD.entry_id AND i.id = r.invoice_id AND b.id = i.batch_id);
END;

INSERT INTO report_claim_month
SELECT org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, ''), count(*),
       sum(total_fen)
FROM claim WHERE submitted_on IS NOT NULL
GROUP BY org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, '');
INSERT INTO report_claim_pair
SELECT c.org_id, substr(c.submitted_on, 1, 7), r.plan_code, r.decision, COALESCE(r.reason, ''),
       c.status = 'rejected', count(*), sum(c.total_fen)
FROM claim_result r JOIN claim c ON c.id = r.claim_id WHERE c.submitted_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO report_benefit_month
SELECT c.org_id, le.period, r.plan_code, count(*), sum(r.payout_fen)
FROM claim_result r JOIN claim c ON c.id = r.claim_id
JOIN ledger_entry le ON le.id = r.payable_entry
GROUP BY 1, 2, 3;
INSERT INTO report_earning
SELECT b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen, count(*)
FROM contribution_schedule s JOIN receipt r ON r.journal_entry = s.entry_id
JOIN invoice i ON i.id = r.invoice_id JOIN enrol_batch b ON b.id = i.batch_id
JOIN plan_version p ON p.id = b.plan_id
WHERE s.cancelled = 0
GROUP BY 1, 2, 3, 4, 5, 6;

-- report_billed       invoices per (organisation of the batch, plan code,
--                     payer, due date, status): count, amount, paid.
-- report_received     receipts per (organisation of the batch, plan code,
--                     payer, payment date): count and amount.
-- The contributions report reads these instead of 10^5 invoices and receipts.

CREATE TABLE report_billed (
    org_id      INTEGER NOT NULL,
    plan_code   TEXT NOT NULL,
    payer       TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    status      TEXT NOT NULL,
    invoices    INTEGER NOT NULL,
    amount_fen  INTEGER NOT NULL,
    paid_fen    INTEGER NOT NULL,
    PRIMARY KEY (org_id, plan_code, payer, due_date, status)
) WITHOUT ROWID;

CREATE TRIGGER report_billed_insert AFTER INSERT ON invoice
BEGIN
    INSERT INTO report_billed
    SELECT b.org_id, p.code, NEW.payer, NEW.due_date, NEW.status, 1, NEW.amount_fen, NEW.paid_fen
    FROM enrol_batch b, plan_version p WHERE b.id = NEW.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, due_date, status) DO UPDATE
        SET invoices = invoices + 1, amount_fen = amount_fen + excluded.amount_fen,
            paid_fen = paid_fen + excluded.paid_fen;
END;

CREATE TRIGGER report_billed_update
AFTER UPDATE OF status, paid_fen, amount_fen, due_date, payer, batch_id ON invoice
WHEN OLD.status IS NOT NEW.status OR OLD.paid_fen IS NOT NEW.paid_fen
  OR OLD.amount_fen IS NOT NEW.amount_fen OR OLD.due_date IS NOT NEW.due_date
  OR OLD.payer IS NOT NEW.payer OR OLD.batch_id IS NOT NEW.batch_id
BEGIN
    UPDATE report_billed SET invoices = invoices - 1, amount_fen = amount_fen - OLD.amount_fen,
                             paid_fen = paid_fen - OLD.paid_fen
    WHERE (org_id, plan_code, payer, due_date, status) =
          (SELECT b.org_id, p.code, OLD.payer, OLD.due_date, OLD.status
           FROM enrol_batch b, plan_version p WHERE b.id = OLD.batch_id AND p.id = b.plan_id);
    INSERT INTO report_billed
    SELECT b.org_id, p.code, NEW.payer, NEW.due_date, NEW.status, 1, NEW.amount_fen, NEW.paid_fen
    FROM enrol_batch b, plan_version p WHERE b.id = NEW.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, due_date, status) DO UPDATE
        SET invoices = invoices + 1, amount_fen = amount_fen + excluded.amount_fen,
            paid_fen = paid_fen + excluded.paid_fen;
END;

CREATE TABLE report_received (
    org_id      INTEGER NOT NULL,
    plan_code   TEXT NOT NULL,
    payer       TEXT NOT NULL,
    paid_on     TEXT NOT NULL,
    receipts    INTEGER NOT NULL,
    amount_fen  INTEGER NOT NULL,
    PRIMARY KEY (org_id, plan_code, payer, paid_on)
) WITHOUT ROWID;

CREATE TRIGGER report_received_insert AFTER INSERT ON receipt
BEGIN
    INSERT INTO report_received
    SELECT b.org_id, p.code, i.payer, NEW.paid_on, 1, NEW.amount_fen
    FROM invoice i, enrol_batch b, plan_version p
    WHERE i.id = NEW.invoice_id AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, paid_on) DO UPDATE
        SET receipts = receipts + 1, amount_fen = amount_fen + excluded.amount_fen;
END;

-- amount and invoice never change (receipt_no_update); the date might
CREATE TRIGGER report_received_update AFTER UPDATE OF paid_on ON receipt
WHEN OLD.paid_on IS NOT NEW.paid_on
BEGIN
    UPDATE report_received SET receipts = receipts - 1, amount_fen = amount_fen - OLD.amount_fen
    WHERE (org_id, plan_code, payer, paid_on) =
          (SELECT b.org_id, p.code, i.payer, OLD.paid_on FROM invoice i, enrol_batch b,
                  plan_version p
           WHERE i.id = OLD.invoice_id AND b.id = i.batch_id AND p.id = b.plan_id);
    INSERT INTO report_received
    SELECT b.org_id, p.code, i.payer, NEW.paid_on, 1, NEW.amount_fen
    FROM invoice i, enrol_batch b, plan_version p
    WHERE i.id = NEW.invoice_id AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, paid_on) DO UPDATE
        SET receipts = receipts + 1, amount_fen = amount_fen + excluded.amount_fen;
END;

INSERT INTO report_billed
SELECT b.org_id, p.code, i.payer, i.due_date, i.status, count(*), sum(i.amount_fen),
       sum(i.paid_fen)
FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id JOIN plan_version p ON p.id = b.plan_id
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO report_received
SELECT b.org_id, p.code, i.payer, r.paid_on, count(*), sum(r.amount_fen)
FROM receipt r JOIN invoice i ON i.id = r.invoice_id JOIN enrol_batch b ON b.id = i.batch_id
JOIN plan_version p ON p.id = b.plan_id
GROUP BY 1, 2, 3, 4;
