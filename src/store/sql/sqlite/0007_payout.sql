-- 0007: payout batches (支付批次): approved claims paid through the bank.
--
-- payout_batch  one batch of one fund, made by a finance user (maker) of an
--               organisation; it collects the payable claims of that
--               organisation's subtree. A batch whose total is above the
--               fund's approval threshold waits for a second finance user
--               (checker, never the maker) before its bank file can be
--               exported: status pending_approval -> approved | refused;
--               below the threshold it is approved at creation. Export
--               moves it to exported; when the bank's result file has
--               settled every item it is completed.
-- payout_item   one claim's payment in a batch: the payee (member) and a
--               sealed copy of the bank card taken when the batch was made
--               (what the checker approved is what the file carries), the
--               amount (the claim's unpaid approved results booked in the
--               batch's fund), the reference (the claim id, what the bank
--               echoes back). open -> paid (ledger entry 2241 -> 1002 posted
--               then: entry_id) | failed (nothing posted; the claim stays
--               payable and can join a later batch); paid -> failed when the
--               bank returns a payment it had reported paid (return_entry_id:
--               1002 <- 2241). Items of a refused batch are cancelled.
--               A claim is in at most one open or paid item per fund.
-- Money is INTEGER fen; times are Unix milliseconds; user ids NULL for the
-- command line.

CREATE TABLE payout_batch (
    id                INTEGER PRIMARY KEY,
    fund_id           INTEGER NOT NULL REFERENCES fund(id),
    org_id            INTEGER NOT NULL REFERENCES org(id),
    status            TEXT NOT NULL CHECK (status IN
                        ('pending_approval', 'approved', 'refused', 'exported', 'completed')),
    pay_date          TEXT NOT NULL CHECK (length(pay_date) = 10),
    item_count        INTEGER NOT NULL CHECK (item_count > 0),
    total_fen         INTEGER NOT NULL CHECK (total_fen > 0),
    needs_approval    INTEGER NOT NULL CHECK (needs_approval IN (0, 1)),
    created_by        INTEGER,
    created_ms        INTEGER NOT NULL,
    decided_by        INTEGER,
    decided_ms        INTEGER,
    refused_reason    TEXT NOT NULL DEFAULT '',
    exported_ms       INTEGER,
    export_count      INTEGER NOT NULL DEFAULT 0,
    CHECK (decided_by IS NULL OR created_by IS NULL OR decided_by <> created_by)
);
CREATE INDEX payout_batch_org ON payout_batch(org_id, id);
CREATE TRIGGER payout_batch_no_delete BEFORE DELETE ON payout_batch
BEGIN
    SELECT RAISE(ABORT, 'payout_batch cannot be deleted');
END;

CREATE TABLE payout_item (
    id                INTEGER PRIMARY KEY,
    batch_id          INTEGER NOT NULL REFERENCES payout_batch(id),
    claim_id          INTEGER NOT NULL REFERENCES claim(id),
    fund_id           INTEGER NOT NULL REFERENCES fund(id),
    member_id         INTEGER NOT NULL REFERENCES member(id),
    payee_name        TEXT NOT NULL,
    account_enc       BLOB NOT NULL,
    account_mask      TEXT NOT NULL,
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    reference         TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                        ('open', 'paid', 'failed', 'cancelled')),
    reason            TEXT NOT NULL DEFAULT '',
    entry_id          INTEGER REFERENCES ledger_entry(id),
    return_entry_id   INTEGER REFERENCES ledger_entry(id),
    updated_ms        INTEGER NOT NULL,
    UNIQUE (batch_id, claim_id),
    UNIQUE (batch_id, reference),
    CHECK ((status IN ('open', 'cancelled') AND entry_id IS NULL AND return_entry_id IS NULL)
           OR (status = 'paid' AND entry_id IS NOT NULL AND return_entry_id IS NULL)
           OR (status = 'failed' AND (entry_id IS NULL) = (return_entry_id IS NULL)))
);
CREATE UNIQUE INDEX payout_item_live ON payout_item(claim_id, fund_id)
    WHERE status IN ('open', 'paid');
CREATE INDEX payout_item_reference ON payout_item(reference);
CREATE TRIGGER payout_item_no_delete BEFORE DELETE ON payout_item
BEGIN
    SELECT RAISE(ABORT, 'payout_item cannot be deleted');
END;
