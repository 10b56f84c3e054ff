-- 0008: supervision reports (PostgreSQL twin of sql/sqlite/0008_reports.sql;
-- the comments there explain the tables): the rollups the reports read,
-- kept exact by triggers in the same transaction as each change, and the
-- indexes they read through.

CREATE TABLE report_cover (
    enrolment_id  BIGINT PRIMARY KEY REFERENCES enrolment(id),
    member_id     BIGINT NOT NULL REFERENCES member(id),
    org_id        BIGINT NOT NULL,
    employer_id   BIGINT,
    employment    TEXT NOT NULL,
    plan_code     TEXT NOT NULL,
    cover_start   TEXT NOT NULL,
    term_end      TEXT NOT NULL,
    cover_stop    TEXT NOT NULL
);
CREATE INDEX report_cover_dims ON report_cover(org_id, employment, employer_id, member_id,
                                               cover_start, term_end, cover_stop);
CREATE INDEX report_cover_member ON report_cover(member_id);

-- The row of enrolment e: none unless it has covered (paid, active or
-- cancelled after its cover start).
CREATE FUNCTION report_cover_enrolment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM report_cover WHERE enrolment_id = OLD.id;
    END IF;
    IF NEW.cover_start IS NOT NULL AND NEW.status IN ('active', 'cancelled')
       AND (NEW.cancelled_on IS NULL OR NEW.cancelled_on > NEW.cover_start) THEN
        INSERT INTO report_cover (enrolment_id, member_id, org_id, employer_id, employment,
                                  plan_code, cover_start, term_end, cover_stop)
        SELECT NEW.id, NEW.member_id, m.org_id, m.employer_id, m.employment, NEW.plan_code,
               NEW.cover_start, NEW.term_end, COALESCE(NEW.cancelled_on, '9999-12-31')
        FROM member m WHERE m.id = NEW.member_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_cover_enrolment_insert AFTER INSERT ON enrolment
    FOR EACH ROW EXECUTE FUNCTION report_cover_enrolment();
CREATE TRIGGER report_cover_enrolment_update
    AFTER UPDATE OF status, cover_start, cancelled_on, term_end ON enrolment
    FOR EACH ROW EXECUTE FUNCTION report_cover_enrolment();

CREATE FUNCTION report_cover_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id IS DISTINCT FROM OLD.org_id OR NEW.employer_id IS DISTINCT FROM OLD.employer_id
       OR NEW.employment IS DISTINCT FROM OLD.employment THEN
        UPDATE report_cover SET org_id = NEW.org_id, employer_id = NEW.employer_id,
                                employment = NEW.employment
        WHERE member_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_cover_member_update AFTER UPDATE OF org_id, employer_id, employment
    ON member FOR EACH ROW EXECUTE FUNCTION report_cover_member();

INSERT INTO report_cover (enrolment_id, member_id, org_id, employer_id, employment, plan_code,
                          cover_start, term_end, cover_stop)
SELECT e.id, e.member_id, m.org_id, m.employer_id, m.employment, e.plan_code, e.cover_start,
       e.term_end, COALESCE(e.cancelled_on, '9999-12-31')
FROM enrolment e JOIN member m ON m.id = e.member_id
WHERE e.cover_start IS NOT NULL AND e.status IN ('active', 'cancelled')
  AND (e.cancelled_on IS NULL OR e.cancelled_on > e.cover_start);

CREATE INDEX member_report_dims ON member(org_id, employment, employer_id);
CREATE INDEX claim_report_submitted ON claim(org_id, submitted_on);
CREATE INDEX claim_report_paid ON claim(org_id, paid_ms, status, channel, submitted_ms, payout_fen);
CREATE INDEX enrol_batch_org ON enrol_batch(org_id);

-- The claim, benefit and earning rollups (see the SQLite twin for what each
-- row counts). Maintained only by these triggers.

CREATE TABLE report_claim_month (
    org_id       BIGINT NOT NULL,
    month        TEXT NOT NULL,
    status       TEXT NOT NULL,
    reject_code  TEXT NOT NULL,
    claims       BIGINT NOT NULL,
    claimed_fen  BIGINT NOT NULL,
    PRIMARY KEY (org_id, month, status, reject_code)
);

CREATE TABLE report_claim_pair (
    org_id       BIGINT NOT NULL,
    month        TEXT NOT NULL,
    plan_code    TEXT NOT NULL,
    decision     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    rejected     BIGINT NOT NULL,
    pairs        BIGINT NOT NULL,
    claimed_fen  BIGINT NOT NULL,
    PRIMARY KEY (org_id, month, plan_code, decision, reason, rejected)
);

CREATE TABLE report_benefit_month (
    org_id      BIGINT NOT NULL,
    month       TEXT NOT NULL,
    plan_code   TEXT NOT NULL,
    pairs       BIGINT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    PRIMARY KEY (org_id, month, plan_code)
);

CREATE TABLE report_earning (
    org_id       BIGINT NOT NULL,
    plan_id      BIGINT NOT NULL,
    plan_code    TEXT NOT NULL,
    cover_start  TEXT NOT NULL,
    cover_end    TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    schedules    BIGINT NOT NULL,
    PRIMARY KEY (org_id, plan_id, cover_start, cover_end, amount_fen)
);
CREATE INDEX receipt_journal ON receipt(journal_entry) WHERE journal_entry IS NOT NULL;
CREATE INDEX contribution_schedule_cancelled ON contribution_schedule(entry_id)
    WHERE cancelled = 1;

-- adds d (+1 or -1) of claim c's row of report_claim_month
CREATE FUNCTION report_claim_month_add(c claim, d BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF c.submitted_on IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO report_claim_month VALUES (c.org_id, substr(c.submitted_on, 1, 7), c.status,
        COALESCE(c.reject_code, ''), d, d * c.total_fen)
    ON CONFLICT (org_id, month, status, reject_code) DO UPDATE
        SET claims = report_claim_month.claims + excluded.claims,
            claimed_fen = report_claim_month.claimed_fen + excluded.claimed_fen;
END
$$;

-- adds d of result r's row of report_claim_pair, keyed by claim c
CREATE FUNCTION report_claim_pair_add(c claim, r claim_result, d BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF c.submitted_on IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO report_claim_pair VALUES (c.org_id, substr(c.submitted_on, 1, 7), r.plan_code,
        r.decision, COALESCE(r.reason, ''), CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END,
        d, d * c.total_fen)
    ON CONFLICT (org_id, month, plan_code, decision, reason, rejected) DO UPDATE
        SET pairs = report_claim_pair.pairs + excluded.pairs,
            claimed_fen = report_claim_pair.claimed_fen + excluded.claimed_fen;
END
$$;

-- adds d of result r's booked benefit, keyed by claim c's organisation
CREATE FUNCTION report_benefit_add(org BIGINT, r claim_result, d BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF r.payable_entry IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO report_benefit_month
    SELECT org, le.period, r.plan_code, d, d * r.payout_fen FROM ledger_entry le
    WHERE le.id = r.payable_entry
    ON CONFLICT (org_id, month, plan_code) DO UPDATE
        SET pairs = report_benefit_month.pairs + excluded.pairs,
            amount_fen = report_benefit_month.amount_fen + excluded.amount_fen;
END
$$;

CREATE FUNCTION report_claim_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r claim_result;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM report_claim_month_add(NEW, 1);
        RETURN NULL;
    END IF;
    IF OLD.status IS DISTINCT FROM NEW.status OR OLD.submitted_on IS DISTINCT FROM NEW.submitted_on
       OR OLD.reject_code IS DISTINCT FROM NEW.reject_code OR OLD.org_id IS DISTINCT FROM NEW.org_id
       OR OLD.total_fen IS DISTINCT FROM NEW.total_fen THEN
        PERFORM report_claim_month_add(OLD, -1);
        PERFORM report_claim_month_add(NEW, 1);
    END IF;
    IF (OLD.status = 'rejected') IS DISTINCT FROM (NEW.status = 'rejected')
       OR OLD.submitted_on IS DISTINCT FROM NEW.submitted_on
       OR OLD.org_id IS DISTINCT FROM NEW.org_id
       OR OLD.total_fen IS DISTINCT FROM NEW.total_fen THEN
        FOR r IN SELECT * FROM claim_result WHERE claim_id = NEW.id LOOP
            PERFORM report_claim_pair_add(OLD, r, -1);
            PERFORM report_claim_pair_add(NEW, r, 1);
            IF OLD.org_id IS DISTINCT FROM NEW.org_id THEN
                PERFORM report_benefit_add(OLD.org_id, r, -1);
                PERFORM report_benefit_add(NEW.org_id, r, 1);
            END IF;
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_claim_insert AFTER INSERT ON claim
    FOR EACH ROW EXECUTE FUNCTION report_claim_changed();
CREATE TRIGGER report_claim_update
    AFTER UPDATE OF status, submitted_on, reject_code, org_id, total_fen ON claim
    FOR EACH ROW EXECUTE FUNCTION report_claim_changed();

CREATE FUNCTION report_claim_result_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c claim;
BEGIN
    SELECT * INTO c FROM claim WHERE id = COALESCE(NEW.claim_id, OLD.claim_id);
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF TG_OP = 'DELETE' OR OLD.plan_code IS DISTINCT FROM NEW.plan_code
           OR OLD.decision IS DISTINCT FROM NEW.decision OR OLD.reason IS DISTINCT FROM NEW.reason
        THEN
            PERFORM report_claim_pair_add(c, OLD, -1);
            IF TG_OP = 'UPDATE' THEN
                PERFORM report_claim_pair_add(c, NEW, 1);
            END IF;
        END IF;
        IF TG_OP = 'DELETE' OR OLD.payable_entry IS DISTINCT FROM NEW.payable_entry
           OR OLD.payout_fen IS DISTINCT FROM NEW.payout_fen
           OR OLD.plan_code IS DISTINCT FROM NEW.plan_code THEN
            PERFORM report_benefit_add(c.org_id, OLD, -1);
            IF TG_OP = 'UPDATE' THEN
                PERFORM report_benefit_add(c.org_id, NEW, 1);
            END IF;
        END IF;
        RETURN NULL;
    END IF;
    PERFORM report_claim_pair_add(c, NEW, 1);
    PERFORM report_benefit_add(c.org_id, NEW, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER report_claim_result_insert AFTER INSERT OR DELETE ON claim_result
    FOR EACH ROW EXECUTE FUNCTION report_claim_result_changed();
CREATE TRIGGER report_claim_result_update
    AFTER UPDATE OF plan_code, decision, reason, payable_entry, payout_fen ON claim_result
    FOR EACH ROW EXECUTE FUNCTION report_claim_result_changed();

-- adds d of the schedule of entry (not refunded) paid by receipt of invoice inv
CREATE FUNCTION report_earning_add(entry BIGINT, inv BIGINT, d BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_earning
    SELECT b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen, d
    FROM contribution_schedule s, invoice i, enrol_batch b, plan_version p
    WHERE s.entry_id = entry AND i.id = inv AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_id, cover_start, cover_end, amount_fen) DO UPDATE
        SET schedules = report_earning.schedules + excluded.schedules;
END
$$;

CREATE FUNCTION report_earning_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.journal_entry IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.journal_entry IS NULL)
       AND EXISTS (SELECT 1 FROM contribution_schedule
                   WHERE entry_id = NEW.journal_entry AND cancelled = 0) THEN
        PERFORM report_earning_add(NEW.journal_entry, NEW.invoice_id, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_earning_receipt AFTER INSERT OR UPDATE OF journal_entry ON receipt
    FOR EACH ROW EXECUTE FUNCTION report_earning_receipt();

CREATE FUNCTION report_earning_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    inv BIGINT;
BEGIN
    SELECT invoice_id INTO inv FROM receipt WHERE journal_entry = NEW.entry_id;
    IF inv IS NULL THEN
        RETURN NULL; /* the receipt names its entry later: its trigger counts it */
    END IF;
    IF TG_OP = 'INSERT' AND NEW.cancelled = 0 THEN
        PERFORM report_earning_add(NEW.entry_id, inv, 1);
    ELSIF TG_OP = 'UPDATE' AND OLD.cancelled = 0 AND NEW.cancelled = 1 THEN
        PERFORM report_earning_add(NEW.entry_id, inv, -1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_earning_schedule AFTER INSERT OR UPDATE OF cancelled
    ON contribution_schedule FOR EACH ROW EXECUTE FUNCTION report_earning_schedule();

INSERT INTO report_claim_month
SELECT org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, ''), count(*),
       sum(total_fen)
FROM claim WHERE submitted_on IS NOT NULL
GROUP BY org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, '');
INSERT INTO report_claim_pair
SELECT c.org_id, substr(c.submitted_on, 1, 7), r.plan_code, r.decision, COALESCE(r.reason, ''),
       CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END, count(*), sum(c.total_fen)
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

-- report_billed, report_received: invoices and receipts per organisation,
-- plan code, payer and date (the SQLite twin explains them).

CREATE TABLE report_billed (
    org_id      BIGINT NOT NULL,
    plan_code   TEXT NOT NULL,
    payer       TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    status      TEXT NOT NULL,
    invoices    BIGINT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    paid_fen    BIGINT NOT NULL,
    PRIMARY KEY (org_id, plan_code, payer, due_date, status)
);

CREATE FUNCTION report_billed_add(i invoice, d BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_billed
    SELECT b.org_id, p.code, i.payer, i.due_date, i.status, d, d * i.amount_fen, d * i.paid_fen
    FROM enrol_batch b, plan_version p WHERE b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, due_date, status) DO UPDATE
        SET invoices = report_billed.invoices + excluded.invoices,
            amount_fen = report_billed.amount_fen + excluded.amount_fen,
            paid_fen = report_billed.paid_fen + excluded.paid_fen;
END
$$;

CREATE FUNCTION report_billed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.paid_fen = NEW.paid_fen
           AND OLD.amount_fen = NEW.amount_fen AND OLD.due_date = NEW.due_date
           AND OLD.payer = NEW.payer AND OLD.batch_id = NEW.batch_id THEN
            RETURN NULL;
        END IF;
        PERFORM report_billed_add(OLD, -1);
    END IF;
    PERFORM report_billed_add(NEW, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER report_billed_insert AFTER INSERT ON invoice
    FOR EACH ROW EXECUTE FUNCTION report_billed_changed();
CREATE TRIGGER report_billed_update
    AFTER UPDATE OF status, paid_fen, amount_fen, due_date, payer, batch_id ON invoice
    FOR EACH ROW EXECUTE FUNCTION report_billed_changed();

CREATE TABLE report_received (
    org_id      BIGINT NOT NULL,
    plan_code   TEXT NOT NULL,
    payer       TEXT NOT NULL,
    paid_on     TEXT NOT NULL,
    receipts    BIGINT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    PRIMARY KEY (org_id, plan_code, payer, paid_on)
);

CREATE FUNCTION report_received_add(r receipt, d BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_received
    SELECT b.org_id, p.code, i.payer, r.paid_on, d, d * r.amount_fen
    FROM invoice i, enrol_batch b, plan_version p
    WHERE i.id = r.invoice_id AND b.id = i.batch_id AND p.id = b.plan_id
    ON CONFLICT (org_id, plan_code, payer, paid_on) DO UPDATE
        SET receipts = report_received.receipts + excluded.receipts,
            amount_fen = report_received.amount_fen + excluded.amount_fen;
END
$$;

CREATE FUNCTION report_received_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.paid_on = NEW.paid_on THEN
            RETURN NULL;
        END IF;
        PERFORM report_received_add(OLD, -1);
    END IF;
    PERFORM report_received_add(NEW, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER report_received_insert AFTER INSERT ON receipt
    FOR EACH ROW EXECUTE FUNCTION report_received_changed();
CREATE TRIGGER report_received_update AFTER UPDATE OF paid_on ON receipt
    FOR EACH ROW EXECUTE FUNCTION report_received_changed();

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
