/*
 * store_payout: SQL for payout batches (migration 0007). Every statement is
 * a static string prepared once per connection; parameters are numbered in
 * order of first appearance. Subtree filters compare a prefix of org.path
 * (substr: no LIKE wildcards to escape). Callbacks run while their
 * statement is open and must not run it again.
 */
#include "store/store_payout.h"

#include <string.h>

#include "store/store_impl.h"

/* 0 binds NULL (a user id of the command line, an absent entry). */
static void bind_nz(struct db_stmt *st, int idx, int64_t v)
{
    if (v == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, v);
    }
}

static void col_copy(struct db_stmt *st, int col, char *buf, size_t cap)
{
    size_t len;
    const char *s = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* ------------------------------------------------------------ candidates */

static const char sql_fund[] = "SELECT id, approval_threshold_fen FROM fund WHERE code = $1";

enum err store_payout_fund(struct store_conn *c, const char *code, int64_t *fund_id,
                           int64_t *threshold_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_fund, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, code);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        *fund_id = db_col_int64(st, 0);
        *threshold_fen = db_col_int64(st, 1);
    }
    db_reset(st);
    return e;
}

static const char sql_candidates[] =
    "SELECT c.id, c.member_id, c.org_id, m.name, m.bank_enc, COALESCE(m.bank_mask, ''),"
    " CAST(SUM(r.payout_fen) AS BIGINT)"
    " FROM claim c JOIN org o ON o.id = c.org_id JOIN member m ON m.id = c.member_id"
    " JOIN claim_result r ON r.claim_id = c.id"
    " WHERE c.status = 'payable'"
    " AND substr(o.path, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT)"
    " AND r.decision = 'approve' AND r.payout_fen > 0"
    " AND r.payout_entry IS NULL AND r.payout_pending IS NULL"
    " AND COALESCE((SELECT f.id FROM fund f WHERE f.code = r.plan_code),"
    "              (SELECT f.id FROM fund f WHERE f.code = 'POOL')) = $2"
    " AND NOT EXISTS (SELECT 1 FROM payout_item i WHERE i.claim_id = c.id AND i.fund_id = $2"
    "                 AND i.status IN ('open', 'paid'))"
    " GROUP BY c.id, c.member_id, c.org_id, m.name, m.bank_enc, m.bank_mask"
    " ORDER BY c.id LIMIT $3";

enum err store_payout_candidates(struct store_conn *c, int64_t fund_id, const char *path,
                                 size_t limit,
                                 enum err (*fn)(void *ctx, const struct store_payout_candidate *p),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_candidates, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_int64(st, 2, fund_id);
    db_bind_int64(st, 3, (int64_t)limit);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_payout_candidate p = {
            .claim_id = db_col_int64(st, 0),
            .member_id = db_col_int64(st, 1),
            .org_id = db_col_int64(st, 2),
            .amount_fen = db_col_int64(st, 6),
        };
        size_t len;
        p.payee_name = db_col_text(st, 3, &len);
        if (!db_col_is_null(st, 4)) {
            p.account_enc = db_col_blob(st, 4, &p.account_enc_len);
        }
        p.account_mask = db_col_text(st, 5, &len);
        if ((e = fn(ctx, &p)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ------------------------------------------------------------ batches */

static const char sql_batch_insert[] =
    "INSERT INTO payout_batch (fund_id, org_id, status, pay_date, item_count, total_fen,"
    " needs_approval, created_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " RETURNING id";

enum err store_payout_batch_insert(struct store_conn *c, const struct store_payout_batch *b,
                                   int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_batch_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, b->fund_id);
    db_bind_int64(st, 2, b->org_id);
    db_bind_str(st, 3, b->status);
    db_bind_str(st, 4, b->pay_date);
    db_bind_int64(st, 5, b->item_count);
    db_bind_int64(st, 6, b->total_fen);
    db_bind_int64(st, 7, b->needs_approval ? 1 : 0);
    bind_nz(st, 8, b->created_by);
    db_bind_int64(st, 9, b->created_ms);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB;
    }
    if (e == ERR_OK) {
        *out_id = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

#define BATCH_COLUMNS                                                                              \
    "b.id, b.fund_id, f.code, b.org_id, o.path, b.status, b.pay_date, b.item_count,"               \
    " b.total_fen, b.needs_approval, COALESCE(b.created_by, 0), b.created_ms,"                     \
    " COALESCE(b.decided_by, 0), COALESCE(b.decided_ms, 0), b.refused_reason,"                     \
    " COALESCE(b.exported_ms, 0), b.export_count"

static void batch_row(struct db_stmt *st, struct store_payout_batch *b)
{
    memset(b, 0, sizeof(*b));
    b->id = db_col_int64(st, 0);
    b->fund_id = db_col_int64(st, 1);
    col_copy(st, 2, b->fund_code, sizeof(b->fund_code));
    b->org_id = db_col_int64(st, 3);
    col_copy(st, 4, b->org_path, sizeof(b->org_path));
    col_copy(st, 5, b->status, sizeof(b->status));
    col_copy(st, 6, b->pay_date, sizeof(b->pay_date));
    b->item_count = db_col_int64(st, 7);
    b->total_fen = db_col_int64(st, 8);
    b->needs_approval = db_col_int64(st, 9) != 0;
    b->created_by = db_col_int64(st, 10);
    b->created_ms = db_col_int64(st, 11);
    b->decided_by = db_col_int64(st, 12);
    b->decided_ms = db_col_int64(st, 13);
    col_copy(st, 14, b->refused_reason, sizeof(b->refused_reason));
    b->exported_ms = db_col_int64(st, 15);
    b->export_count = db_col_int64(st, 16);
}

static const char sql_batch_get[] =
    "SELECT " BATCH_COLUMNS
    " FROM payout_batch b JOIN fund f ON f.id = b.fund_id JOIN org o ON o.id = b.org_id"
    " WHERE b.id = $1";

static const char sql_batch_counts[] =
    "SELECT status, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payout_item"
    " WHERE batch_id = $1 GROUP BY status";

enum err store_payout_batch_get(struct store_conn *c, int64_t id, struct store_payout_batch *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_batch_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        batch_row(st, out);
    }
    db_reset(st);
    if (e != ERR_OK || (e = db_prepare(c->db, sql_batch_counts, &st)) != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        const char *s = db_col_text(st, 0, &len);
        int64_t n = db_col_int64(st, 1);
        if (strcmp(s, "open") == 0) {
            out->open_count = n;
        } else if (strcmp(s, "paid") == 0) {
            out->paid_count = n;
            out->paid_fen = db_col_int64(st, 2);
        } else if (strcmp(s, "failed") == 0) {
            out->failed_count = n;
        } else {
            out->cancelled_count = n;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_batch_decide[] =
    "UPDATE payout_batch SET status = $1, decided_by = $2, decided_ms = $3, refused_reason = $4"
    " WHERE id = $5 AND status = $6 RETURNING id";
static const char sql_batch_export[] =
    "UPDATE payout_batch SET status = $1, exported_ms = $2, export_count = export_count + 1"
    " WHERE id = $3 AND status = $4 RETURNING id";
static const char sql_batch_status[] =
    "UPDATE payout_batch SET status = $1 WHERE id = $2 AND status = $3 RETURNING id";

enum err store_payout_batch_set_status(struct store_conn *c, int64_t id, const char *expected,
                                       const char *status, int64_t user_id, int64_t at_ms,
                                       const char *reason)
{
    bool decide = strcmp(status, "approved") == 0 || strcmp(status, "refused") == 0;
    bool export = strcmp(status, "exported") == 0;
    struct db_stmt *st;
    enum err e = db_prepare(c->db, decide ? sql_batch_decide
                                   : export ? sql_batch_export
                                            : sql_batch_status,
                            &st);
    if (e != ERR_OK) {
        return e;
    }
    int i = 1;
    db_bind_str(st, i++, status);
    if (decide) {
        bind_nz(st, i++, user_id);
        db_bind_int64(st, i++, at_ms);
        db_bind_str(st, i++, reason != NULL ? reason : "");
    } else if (export) {
        db_bind_int64(st, i++, at_ms);
    }
    db_bind_int64(st, i++, id);
    db_bind_str(st, i, expected);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_CONFLICT;
    }
    db_reset(st);
    return e;
}

static const char sql_batch_each[] =
    "SELECT " BATCH_COLUMNS
    " FROM payout_batch b JOIN fund f ON f.id = b.fund_id JOIN org o ON o.id = b.org_id"
    " WHERE substr(o.path, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT)"
    " AND (CAST($2 AS TEXT) = '' OR b.status = CAST($2 AS TEXT))"
    " AND ($3 = 0 OR b.id < $3)"
    " ORDER BY b.id DESC LIMIT $4";

enum err store_payout_batch_each(struct store_conn *c, const char *path, const char *status,
                                 int64_t before_id, size_t limit,
                                 enum err (*fn)(void *ctx, const struct store_payout_batch *b),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_batch_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_str(st, 2, status != NULL ? status : "");
    db_bind_int64(st, 3, before_id);
    db_bind_int64(st, 4, (int64_t)limit);
    bool row;
    struct store_payout_batch b;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        batch_row(st, &b);
        if ((e = fn(ctx, &b)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ------------------------------------------------------------ items */

static const char sql_item_insert[] =
    "INSERT INTO payout_item (batch_id, claim_id, fund_id, member_id, payee_name, account_enc,"
    " account_mask, amount_fen, reference, updated_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

enum err store_payout_item_insert(struct store_conn *c, const struct store_payout_item *it,
                                  int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_item_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, it->batch_id);
    db_bind_int64(st, 2, it->claim_id);
    db_bind_int64(st, 3, it->fund_id);
    db_bind_int64(st, 4, it->member_id);
    db_bind_str(st, 5, it->payee_name);
    db_bind_blob(st, 6, it->account_enc, it->account_enc_len);
    db_bind_str(st, 7, it->account_mask);
    db_bind_int64(st, 8, it->amount_fen);
    db_bind_str(st, 9, it->reference);
    db_bind_int64(st, 10, it->updated_ms);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB;
    }
    if (e == ERR_OK) {
        *out_id = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

#define ITEM_COLUMNS                                                                               \
    "id, batch_id, claim_id, fund_id, member_id, payee_name, account_enc, account_mask,"           \
    " amount_fen, reference, status, reason, COALESCE(entry_id, 0),"                               \
    " COALESCE(return_entry_id, 0), updated_ms"

static void item_row(struct db_stmt *st, struct store_payout_item *it)
{
    memset(it, 0, sizeof(*it));
    it->id = db_col_int64(st, 0);
    it->batch_id = db_col_int64(st, 1);
    it->claim_id = db_col_int64(st, 2);
    it->fund_id = db_col_int64(st, 3);
    it->member_id = db_col_int64(st, 4);
    col_copy(st, 5, it->payee_name, sizeof(it->payee_name));
    size_t n = 0;
    const void *p = db_col_blob(st, 6, &n);
    if (n <= sizeof(it->account_enc)) {
        memcpy(it->account_enc, p, n);
        it->account_enc_len = n;
    }
    col_copy(st, 7, it->account_mask, sizeof(it->account_mask));
    it->amount_fen = db_col_int64(st, 8);
    col_copy(st, 9, it->reference, sizeof(it->reference));
    col_copy(st, 10, it->status, sizeof(it->status));
    col_copy(st, 11, it->reason, sizeof(it->reason));
    it->entry_id = db_col_int64(st, 12);
    it->return_entry_id = db_col_int64(st, 13);
    it->updated_ms = db_col_int64(st, 14);
}

static const char sql_item_each[] =
    "SELECT " ITEM_COLUMNS " FROM payout_item WHERE batch_id = $1 ORDER BY id";

enum err store_payout_item_each(struct store_conn *c, int64_t batch_id,
                                enum err (*fn)(void *ctx, const struct store_payout_item *it),
                                void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_item_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, batch_id);
    bool row;
    struct store_payout_item it;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        item_row(st, &it);
        if ((e = fn(ctx, &it)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_item_by_ref[] =
    "SELECT " ITEM_COLUMNS " FROM payout_item WHERE batch_id = $1 AND reference = $2";

enum err store_payout_item_by_ref(struct store_conn *c, int64_t batch_id, const char *reference,
                                  struct store_payout_item *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_item_by_ref, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, batch_id);
    db_bind_str(st, 2, reference);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        item_row(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_item_update[] =
    "UPDATE payout_item SET status = $1, reason = $2, entry_id = $3, return_entry_id = $4,"
    " updated_ms = $5 WHERE id = $6 AND status = $7 RETURNING id";

enum err store_payout_item_update(struct store_conn *c, const struct store_payout_item *it,
                                  const char *expected)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_item_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, it->status);
    db_bind_str(st, 2, it->reason);
    bind_nz(st, 3, it->entry_id);
    bind_nz(st, 4, it->return_entry_id);
    db_bind_int64(st, 5, it->updated_ms);
    db_bind_int64(st, 6, it->id);
    db_bind_str(st, 7, expected);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_CONFLICT;
    }
    db_reset(st);
    return e;
}

static const char sql_items_cancel[] =
    "UPDATE payout_item SET status = 'cancelled', updated_ms = $1"
    " WHERE batch_id = $2 AND status = 'open'";

enum err store_payout_items_cancel(struct store_conn *c, int64_t batch_id, int64_t at_ms)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_items_cancel, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, at_ms);
    db_bind_int64(st, 2, batch_id);
    e = db_step_done(st);
    db_reset(st);
    return e;
}

/* ------------------------------------------------------------ reconciliation */

static const char sql_item_match[] =
    "SELECT i.id, i.batch_id FROM payout_item i JOIN payout_batch b ON b.id = i.batch_id"
    " JOIN org o ON o.id = b.org_id"
    " WHERE i.reference = $1 AND i.amount_fen = $2 AND i.status = 'paid'"
    " AND substr(o.path, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT)"
    " ORDER BY i.id DESC LIMIT 1";

enum err store_payout_item_match(struct store_conn *c, const char *reference, int64_t amount_fen,
                                 const char *path, bool *found, int64_t *item_id,
                                 int64_t *batch_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_item_match, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, reference);
    db_bind_int64(st, 2, amount_fen);
    db_bind_str(st, 3, path);
    bool row = false;
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    *item_id = *found ? db_col_int64(st, 0) : 0;
    *batch_id = *found ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}

static const char sql_receipt_by_ref[] =
    "SELECT id, amount_fen FROM receipt WHERE bank_ref = $1";

enum err store_payout_receipt_by_ref(struct store_conn *c, const char *bank_ref, bool *found,
                                     int64_t *receipt_id, int64_t *amount_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_receipt_by_ref, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bank_ref);
    bool row = false;
    e = db_step(st, &row);
    *found = e == ERR_OK && row;
    *receipt_id = *found ? db_col_int64(st, 0) : 0;
    *amount_fen = *found ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}
