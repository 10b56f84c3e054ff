/*
 * store_claims: SQL for claims (migration 0006). Every statement is a static
 * string, prepared once per connection; dates are bound from buffers that
 * live until the step. Callbacks run while their statement is open and must
 * not run the same statement again.
 */
#include "store/store_claims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* "" binds NULL. */
static void bind_opt_str(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL || s[0] == '\0') {
        db_bind_null(st, idx);
    } else {
        db_bind_text(st, idx, s, strlen(s));
    }
}

/* -1 binds NULL. */
static void bind_opt_id(struct db_stmt *st, int idx, int64_t v)
{
    if (v < 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, v);
    }
}

/* 0 binds NULL. */
static void bind_nz(struct db_stmt *st, int idx, int64_t v)
{
    if (v == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, v);
    }
}

struct dtext {
    char s[DATE_TEXT_LEN + 1];
};

static void bind_opt_date(struct db_stmt *st, int idx, bool present, struct date d,
                          struct dtext *buf)
{
    if (!present) {
        db_bind_null(st, idx);
        return;
    }
    date_format(d, buf->s);
    db_bind_text(st, idx, buf->s, DATE_TEXT_LEN);
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

static void col_blob(struct db_stmt *st, int col, unsigned char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    const void *p = db_col_blob(st, col, &n);
    if (db_col_is_null(st, col) || n > cap) {
        n = 0;
    }
    if (n > 0) {
        memcpy(buf, p, n);
    }
    *len = n;
}

/* A nullable date column: *present false when NULL; ERR_DB when corrupt. */
static enum err col_opt_date(struct db_stmt *st, int col, bool *present, struct date *out)
{
    *present = !db_col_is_null(st, col);
    if (!*present) {
        return ERR_OK;
    }
    size_t len;
    const char *s = db_col_text(st, col, &len);
    return date_parse(s, len, out) == ERR_OK ? ERR_OK : ERR_DB;
}

static int64_t col_opt_id(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? -1 : db_col_int64(st, col);
}

/* ------------------------------------------------------------------ claims */

/* 32 parameters: DB_PARAMS_MAX. submitted_ms is created_ms unless a draft. */
static const char sql_claim_insert[] =
    "INSERT INTO claim (member_id, org_id, channel, status, plan_codes, submitted_on, cause,"
    " admission_date, discharge_date, diagnosis_date, accident_date, accident_id, outcome, grade,"
    " disease_enc, diagnosis_enc, hospital, has_settlement, total_fen, fund_paid_fen,"
    " serious_illness_paid_fen, assistance_paid_fen, other_paid_fen, self_pay_in_scope_fen,"
    " self_pay_out_scope_fen, invoices, settlement_id, payout_fen, risk_flags, assessed_by,"
    " created_by, created_ms, submitted_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
    " $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32,"
    " CASE WHEN $4 = 'draft' THEN NULL ELSE CAST($32 AS BIGINT) END) RETURNING id";

enum err store_claim_insert(struct store_conn *c, const struct store_claim *r, int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_claim_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct dtext d[5];
    db_bind_int64(st, 1, r->member_id);
    db_bind_int64(st, 2, r->org_id);
    db_bind_str(st, 3, r->channel);
    db_bind_str(st, 4, r->status);
    db_bind_str(st, 5, r->plan_codes);
    bind_opt_date(st, 6, r->dates_present & STORE_CLAIM_HAS_SUBMITTED, r->submitted_on, &d[0]);
    bind_opt_str(st, 7, r->cause);
    bind_opt_date(st, 8, r->dates_present & STORE_CLAIM_HAS_ADMISSION, r->admission_date, &d[1]);
    bind_opt_date(st, 9, r->dates_present & STORE_CLAIM_HAS_DISCHARGE, r->discharge_date, &d[2]);
    bind_opt_date(st, 10, r->dates_present & STORE_CLAIM_HAS_DIAGNOSIS, r->diagnosis_date, &d[3]);
    bind_opt_date(st, 11, r->dates_present & STORE_CLAIM_HAS_ACCIDENT, r->accident_date, &d[4]);
    bind_opt_str(st, 12, r->accident_id);
    bind_opt_str(st, 13, r->outcome);
    bind_nz(st, 14, r->grade);
    if (r->disease_enc_len > 0) {
        db_bind_blob(st, 15, r->disease_enc, r->disease_enc_len);
    } else {
        db_bind_null(st, 15);
    }
    if (r->diagnosis_enc_len > 0) {
        db_bind_blob(st, 16, r->diagnosis_enc, r->diagnosis_enc_len);
    } else {
        db_bind_null(st, 16);
    }
    db_bind_str(st, 17, r->hospital);
    db_bind_int64(st, 18, r->has_settlement ? 1 : 0);
    for (int i = 0; i < 7; i++) {
        db_bind_int64(st, 19 + i, r->settlement_fen[i]);
    }
    db_bind_str(st, 26, r->invoices);
    bind_opt_str(st, 27, r->settlement_id);
    db_bind_int64(st, 28, r->payout_fen);
    db_bind_int64(st, 29, r->risk_flags);
    bind_opt_id(st, 30, r->assessed_by);
    bind_opt_id(st, 31, r->created_by);
    db_bind_int64(st, 32, r->created_ms);
    return db_step_id(st, out_id);
}

#define CLAIM_COLS                                                                                 \
    "c.disease_enc, c.diagnosis_enc, c.id, c.member_id, c.org_id, o.path, c.channel, c.status, c.plan_codes, c.submitted_on,"     \
    " c.cause, c.admission_date, c.discharge_date, c.diagnosis_date, c.accident_date,"            \
    " c.accident_id, c.outcome, c.grade, c.hospital,"             \
    " c.has_settlement, c.total_fen, c.fund_paid_fen, c.serious_illness_paid_fen,"                \
    " c.assistance_paid_fen, c.other_paid_fen, c.self_pay_in_scope_fen,"                          \
    " c.self_pay_out_scope_fen, c.invoices, c.settlement_id, c.payout_fen, c.risk_flags,"         \
    " c.assessed_by, c.decided_by, c.rejected_by, c.reject_code, c.reject_text, c.appealed,"      \
    " c.appeal_reason, c.payout_attempts, c.created_by, c.created_ms, c.submitted_ms, c.paid_ms"
static const char sql_claim_get[] =
    "SELECT " CLAIM_COLS " FROM claim c JOIN org o ON o.id = c.org_id WHERE c.id = $1";

static enum err claim_read(struct db_stmt *st, struct store_claim *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 2);
    r->member_id = db_col_int64(st, 3);
    r->org_id = db_col_int64(st, 4);
    col_copy(st, 5, r->org_path, sizeof(r->org_path));
    col_copy(st, 6, r->channel, sizeof(r->channel));
    col_copy(st, 7, r->status, sizeof(r->status));
    col_copy(st, 8, r->plan_codes, sizeof(r->plan_codes));
    const struct {
        int col;
        unsigned bit;
        struct date *out;
    } dates[] = {
        {9, STORE_CLAIM_HAS_SUBMITTED, &r->submitted_on},
        {11, STORE_CLAIM_HAS_ADMISSION, &r->admission_date},
        {12, STORE_CLAIM_HAS_DISCHARGE, &r->discharge_date},
        {13, STORE_CLAIM_HAS_DIAGNOSIS, &r->diagnosis_date},
        {14, STORE_CLAIM_HAS_ACCIDENT, &r->accident_date},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        bool present;
        if (col_opt_date(st, dates[i].col, &present, dates[i].out) != ERR_OK) {
            return ERR_DB;
        }
        r->dates_present |= present ? dates[i].bit : 0u;
    }
    col_copy(st, 10, r->cause, sizeof(r->cause));
    col_copy(st, 15, r->accident_id, sizeof(r->accident_id));
    col_copy(st, 16, r->outcome, sizeof(r->outcome));
    r->grade = (int32_t)db_col_int64(st, 17);
    col_blob(st, 0, r->disease_enc, sizeof(r->disease_enc), &r->disease_enc_len);
    col_blob(st, 1, r->diagnosis_enc, sizeof(r->diagnosis_enc), &r->diagnosis_enc_len);
    col_copy(st, 18, r->hospital, sizeof(r->hospital));
    r->has_settlement = db_col_int64(st, 19) != 0;
    for (int i = 0; i < 7; i++) {
        r->settlement_fen[i] = db_col_int64(st, 20 + i);
    }
    col_copy(st, 27, r->invoices, sizeof(r->invoices));
    col_copy(st, 28, r->settlement_id, sizeof(r->settlement_id));
    r->payout_fen = db_col_int64(st, 29);
    r->risk_flags = db_col_int64(st, 30);
    r->assessed_by = col_opt_id(st, 31);
    r->decided_by = col_opt_id(st, 32);
    r->rejected_by = col_opt_id(st, 33);
    col_copy(st, 34, r->reject_code, sizeof(r->reject_code));
    col_copy(st, 35, r->reject_text, sizeof(r->reject_text));
    r->appealed = db_col_int64(st, 36) != 0;
    col_copy(st, 37, r->appeal_reason, sizeof(r->appeal_reason));
    r->payout_attempts = db_col_int64(st, 38);
    r->created_by = col_opt_id(st, 39);
    r->created_ms = db_col_int64(st, 40);
    r->submitted_ms = db_col_int64(st, 41);
    r->paid_ms = db_col_int64(st, 42);
    return ERR_OK;
}

enum err store_claim_get(struct store_conn *c, int64_t id, struct store_claim *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_claim_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK) {
        e = row ? claim_read(st, out) : ERR_NOT_FOUND;
    }
    db_reset(st);
    return e;
}

static const char sql_claim_update[] =
    "UPDATE claim SET status = $1, submitted_on = $2, submitted_ms = $3, paid_ms = $4,"
    " payout_fen = $5, risk_flags = $6, assessed_by = $7, decided_by = $8, rejected_by = $9,"
    " reject_code = $10, reject_text = $11, appealed = $12, appeal_reason = $13,"
    " payout_attempts = $14 WHERE id = $15 AND status = $16 RETURNING id";

enum err store_claim_update(struct store_conn *c, const struct store_claim *r,
                            const char *expected_status)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_claim_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct dtext d;
    db_bind_str(st, 1, r->status);
    bind_opt_date(st, 2, r->dates_present & STORE_CLAIM_HAS_SUBMITTED, r->submitted_on, &d);
    bind_nz(st, 3, r->submitted_ms);
    bind_nz(st, 4, r->paid_ms);
    db_bind_int64(st, 5, r->payout_fen);
    db_bind_int64(st, 6, r->risk_flags);
    bind_opt_id(st, 7, r->assessed_by);
    bind_opt_id(st, 8, r->decided_by);
    bind_opt_id(st, 9, r->rejected_by);
    bind_opt_str(st, 10, r->reject_code);
    bind_opt_str(st, 11, r->reject_text);
    db_bind_int64(st, 12, r->appealed ? 1 : 0);
    bind_opt_str(st, 13, r->appeal_reason);
    db_bind_int64(st, 14, r->payout_attempts);
    db_bind_int64(st, 15, r->id);
    db_bind_str(st, 16, expected_status);
    int64_t id;
    e = db_step_id(st, &id);
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

static const char sql_settlement_seen[] = "SELECT 1 FROM claim WHERE settlement_id = $1";

enum err store_claim_settlement_seen(struct store_conn *c, const char *settlement_id, bool *found)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_settlement_seen, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, settlement_id);
    e = db_step(st, found);
    db_reset(st);
    return e;
}

static const char sql_event_insert[] =
    "INSERT INTO claim_event (claim_id, from_status, to_status, at_ms, actor_user_id,"
    " actor_role, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)";

enum err store_claim_event_insert(struct store_conn *c, const struct store_claim_event *ev)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_event_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, ev->claim_id);
    db_bind_str(st, 2, ev->from_status);
    db_bind_str(st, 3, ev->to_status);
    db_bind_int64(st, 4, ev->at_ms);
    bind_nz(st, 5, ev->actor_user_id);
    db_bind_str(st, 6, ev->actor_role != NULL ? ev->actor_role : "");
    db_bind_str(st, 7, ev->reason != NULL ? ev->reason : "");
    return db_step_done(st);
}

static const char sql_event_each[] =
    "SELECT from_status, to_status, at_ms, COALESCE(actor_user_id, 0), actor_role, reason"
    " FROM claim_event WHERE claim_id = $1 ORDER BY id";

enum err store_claim_event_each(struct store_conn *c, int64_t claim_id,
                                enum err (*fn)(void *ctx, const struct store_claim_event *ev),
                                void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_event_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_claim_event ev = {
            .claim_id = claim_id,
            .from_status = db_col_text(st, 0, &len),
            .to_status = db_col_text(st, 1, &len),
            .at_ms = db_col_int64(st, 2),
            .actor_user_id = db_col_int64(st, 3),
            .actor_role = db_col_text(st, 4, &len),
            .reason = db_col_text(st, 5, &len),
        };
        if ((e = fn(ctx, &ev)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_claim_each[] =
    "SELECT c.id, c.member_id, c.channel, c.status, c.plan_codes, c.payout_fen, c.risk_flags,"
    " c.created_ms FROM claim c JOIN org o ON o.id = c.org_id"
    " WHERE ($1 = '' OR c.status = $1) AND ($2 = 0 OR c.member_id = $2)"
    " AND substr(o.path, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT)"
    " AND (CAST($4 AS TEXT) = '' OR c.channel = $4)"
    " AND (CAST($5 AS BIGINT) = 0 OR (c.risk_flags & CAST($5 AS BIGINT)) <> 0)"
    " AND (CAST($6 AS TEXT) = '' OR (',' || c.plan_codes || ',') LIKE CAST($6 AS TEXT) ESCAPE '\\')"
    " AND (CAST($7 AS BIGINT) = 0 OR c.id < CAST($7 AS BIGINT))"
    " ORDER BY c.id DESC LIMIT $8";

/* "%,CODE,%" for LIKE, with the wildcards '_' and '%' and the escape '\'
 * escaped; "" for no code. Plan codes are short: cap bounds the copy. */
static void plan_like_pattern(const char *code, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (code == NULL || code[0] == '\0' || cap < 8) {
        return;
    }
    out[n++] = '%';
    out[n++] = ',';
    for (const char *p = code; *p != '\0' && n + 4 < cap; p++) {
        if (*p == '_' || *p == '%' || *p == '\\') {
            out[n++] = '\\';
        }
        out[n++] = *p;
    }
    out[n++] = ',';
    out[n++] = '%';
    out[n] = '\0';
}

enum err store_claim_each(struct store_conn *c, const struct store_claim_filter *f,
                          enum err (*fn)(void *ctx, const struct store_claim_brief *b), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_claim_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    char like[2 * STORE_CLAIM_CODES_BYTES + 8];
    plan_like_pattern(f->plan_code, like, sizeof(like));
    db_bind_str(st, 1, f->status != NULL ? f->status : "");
    db_bind_int64(st, 2, f->member_id);
    db_bind_str(st, 3, f->path != NULL ? f->path : "/");
    db_bind_str(st, 4, f->channel != NULL ? f->channel : "");
    db_bind_int64(st, 5, f->flags_any);
    db_bind_str(st, 6, like);
    db_bind_int64(st, 7, f->before_id);
    db_bind_int64(st, 8, (int64_t)f->limit);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_claim_brief b = {
            .id = db_col_int64(st, 0),
            .member_id = db_col_int64(st, 1),
            .channel = db_col_text(st, 2, &len),
            .status = db_col_text(st, 3, &len),
            .plan_codes = db_col_text(st, 4, &len),
            .payout_fen = db_col_int64(st, 5),
            .risk_flags = db_col_int64(st, 6),
            .created_ms = db_col_int64(st, 7),
        };
        if ((e = fn(ctx, &b)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ---------------------------------------------------------------- results */

static const char sql_result_delete[] = "DELETE FROM claim_result WHERE claim_id = $1";
static const char sql_result_insert[] =
    "INSERT INTO claim_result (claim_id, seq, plan_code, plan_id, enrolment_id, decision, reason,"
    " payout_fen, steps) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

enum err store_claim_results_insert(struct store_conn *c, const struct store_claim_result *results,
                                    size_t n)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_result_insert, &st);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        const struct store_claim_result *r = &results[i];
        db_bind_int64(st, 1, r->claim_id);
        db_bind_int64(st, 2, r->seq);
        db_bind_str(st, 3, r->plan_code);
        bind_nz(st, 4, r->plan_id);
        bind_nz(st, 5, r->enrolment_id);
        db_bind_str(st, 6, r->decision);
        bind_opt_str(st, 7, r->reason);
        db_bind_int64(st, 8, r->payout_fen);
        db_bind_blob(st, 9, r->steps, r->steps_len);
        e = db_step_done(st);
    }
    return e;
}

enum err store_claim_results_replace(struct store_conn *c, int64_t claim_id,
                                     const struct store_claim_result *results, size_t n)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_result_delete, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    if ((e = db_step_done(st)) != ERR_OK) {
        return e;
    }
    return store_claim_results_insert(c, results, n);
}

static const char sql_result_each[] =
    "SELECT seq, plan_code, COALESCE(plan_id, 0), COALESCE(enrolment_id, 0), decision,"
    " COALESCE(reason, ''), payout_fen, steps, COALESCE(payable_entry, 0),"
    " COALESCE(payout_entry, 0), COALESCE(payout_pending, 0)"
    " FROM claim_result WHERE claim_id = $1 ORDER BY seq";

enum err store_claim_result_each(struct store_conn *c, int64_t claim_id,
                                 enum err (*fn)(void *ctx, const struct store_claim_result *r),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_result_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_claim_result r;
        memset(&r, 0, sizeof(r));
        r.claim_id = claim_id;
        r.seq = db_col_int64(st, 0);
        col_copy(st, 1, r.plan_code, sizeof(r.plan_code));
        r.plan_id = db_col_int64(st, 2);
        r.enrolment_id = db_col_int64(st, 3);
        col_copy(st, 4, r.decision, sizeof(r.decision));
        col_copy(st, 5, r.reason, sizeof(r.reason));
        r.payout_fen = db_col_int64(st, 6);
        r.steps = db_col_blob(st, 7, &r.steps_len);
        r.payable_entry = db_col_int64(st, 8);
        r.payout_entry = db_col_int64(st, 9);
        r.payout_pending = db_col_int64(st, 10);
        if ((e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_result_entries[] =
    "UPDATE claim_result SET payable_entry = $1, payout_entry = $2, payout_pending = $3"
    " WHERE claim_id = $4 AND seq = $5";

enum err store_claim_result_set_entries(struct store_conn *c, int64_t claim_id, int64_t seq,
                                        int64_t payable_entry, int64_t payout_entry,
                                        int64_t payout_pending)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_result_entries, &st);
    if (e != ERR_OK) {
        return e;
    }
    bind_nz(st, 1, payable_entry);
    bind_nz(st, 2, payout_entry);
    bind_nz(st, 3, payout_pending);
    db_bind_int64(st, 4, claim_id);
    db_bind_int64(st, 5, seq);
    return db_step_done(st);
}

/* --------------------------------------------------------- engine inputs */

static const char sql_member_get[] =
    "SELECT m.id, m.org_id, o.path, m.hardship FROM member m JOIN org o ON o.id = m.org_id"
    " WHERE m.id = $1";

enum err store_claim_member_get(struct store_conn *c, int64_t id, struct store_claim_member *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_get, &st);
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
        out->id = db_col_int64(st, 0);
        out->org_id = db_col_int64(st, 1);
        col_copy(st, 2, out->org_path, sizeof(out->org_path));
        out->hardship = db_col_int64(st, 3) != 0;
    }
    db_reset(st);
    return e;
}

static const char sql_member_by_hash[] = "SELECT id, org_id FROM member WHERE id_hash = $1";

enum err store_claim_member_by_hash(struct store_conn *c, const unsigned char *id_hash,
                                    bool *found, int64_t *member_id, int64_t *org_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_by_hash, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, id_hash, STORE_CLAIM_KEY_HASH_BYTES);
    e = db_step(st, found);
    if (e == ERR_OK && *found) {
        *member_id = db_col_int64(st, 0);
        *org_id = db_col_int64(st, 1);
    }
    db_reset(st);
    return e;
}

/* No ORDER BY and no join on plan_version: the engine takes enrolments in
 * any order and the domain knows each plan's kind from its plan cache. */
#define ENROLMENT_COLS                                                                             \
    "SELECT e.id, e.plan_id, e.plan_code, e.term_start, e.shares, e.cancelled_on,"                \
    " COALESCE(a.deductible_used_fen, 0), COALESCE(a.tier_used_fen, 0), COALESCE(a.paid_fen, 0),"  \
    " COALESCE(a.days_paid, 0), COALESCE(a.medical_paid_fen, 0)"                                   \
    " FROM enrolment e LEFT JOIN claim_acc_term a ON a.enrolment_id = e.id"
static const char sql_enrolment_each[] =
    ENROLMENT_COLS " WHERE e.member_id = $1 AND e.cover_start IS NOT NULL"
                   " AND e.status IN ('active', 'cancelled')";
static const char sql_enrolment_get[] = ENROLMENT_COLS " WHERE e.id = $1";

static enum err enrolment_read(struct db_stmt *st, struct store_claim_enrolment *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->plan_id = db_col_int64(st, 1);
    col_copy(st, 2, r->plan_code, sizeof(r->plan_code));
    bool present;
    if (col_opt_date(st, 3, &present, &r->term_start) != ERR_OK || !present ||
        col_opt_date(st, 5, &r->has_cancelled_on, &r->cancelled_on) != ERR_OK) {
        return ERR_DB;
    }
    r->shares = db_col_int64(st, 4);
    r->deductible_used_fen = db_col_int64(st, 6);
    r->tier_used_fen = db_col_int64(st, 7);
    r->paid_fen = db_col_int64(st, 8);
    r->days_paid = db_col_int64(st, 9);
    r->medical_paid_fen = db_col_int64(st, 10);
    return ERR_OK;
}

enum err store_claim_enrolment_each(struct store_conn *c, int64_t member_id,
                                    enum err (*fn)(void *ctx,
                                                   const struct store_claim_enrolment *e),
                                    void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_enrolment_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_claim_enrolment r;
        if ((e = enrolment_read(st, &r)) != ERR_OK || (e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

enum err store_claim_enrolment_get(struct store_conn *c, int64_t id,
                                   struct store_claim_enrolment *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_enrolment_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK) {
        e = row ? enrolment_read(st, out) : ERR_NOT_FOUND;
    }
    db_reset(st);
    return e;
}

static const char sql_acc_term_put[] =
    "INSERT INTO claim_acc_term (enrolment_id, deductible_used_fen, tier_used_fen, paid_fen,"
    " days_paid, medical_paid_fen) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (enrolment_id) DO UPDATE SET deductible_used_fen = excluded.deductible_used_fen,"
    " tier_used_fen = excluded.tier_used_fen, paid_fen = excluded.paid_fen,"
    " days_paid = excluded.days_paid, medical_paid_fen = excluded.medical_paid_fen";

enum err store_claim_acc_term_put(struct store_conn *c, const struct store_claim_enrolment *r)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_acc_term_put, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, r->deductible_used_fen);
    db_bind_int64(st, 3, r->tier_used_fen);
    db_bind_int64(st, 4, r->paid_fen);
    db_bind_int64(st, 5, r->days_paid);
    db_bind_int64(st, 6, r->medical_paid_fen);
    return db_step_done(st);
}

static const char sql_ci_each[] =
    "SELECT disease_hash, severity, payout_fen, claim_id FROM claim_acc_ci"
    " WHERE member_id = $1 AND plan_code = $2 ORDER BY id";

enum err store_claim_ci_each(struct store_conn *c, int64_t member_id, const char *plan_code,
                             enum err (*fn)(void *ctx, const struct store_claim_ci_award *a),
                             void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_ci_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, plan_code);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_claim_ci_award a;
        memset(&a, 0, sizeof(a));
        size_t len;
        a.plan_code = plan_code;
        col_blob(st, 0, a.disease_hash, sizeof(a.disease_hash), &len);
        if (len != STORE_CLAIM_KEY_HASH_BYTES) {
            e = ERR_DB;
            break;
        }
        a.severity = db_col_text(st, 1, &len);
        a.payout_fen = db_col_int64(st, 2);
        a.claim_id = db_col_int64(st, 3);
        if ((e = fn(ctx, &a)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_ci_insert[] =
    "INSERT INTO claim_acc_ci (member_id, plan_code, disease_hash, severity, payout_fen, claim_id)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

enum err store_claim_ci_insert(struct store_conn *c, int64_t member_id,
                               const struct store_claim_ci_award *a)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_ci_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, a->plan_code);
    db_bind_blob(st, 3, a->disease_hash, STORE_CLAIM_KEY_HASH_BYTES);
    db_bind_str(st, 4, a->severity);
    db_bind_int64(st, 5, a->payout_fen);
    db_bind_int64(st, 6, a->claim_id);
    return db_step_done(st);
}

static const char sql_accident_get[] =
    "SELECT disability_paid_fen, death_paid FROM claim_acc_accident"
    " WHERE member_id = $1 AND plan_code = $2 AND accident_id = $3";

enum err store_claim_accident_get(struct store_conn *c, int64_t member_id, const char *plan_code,
                                  const char *accident_id, bool *found,
                                  int64_t *disability_paid_fen, bool *death_paid)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_accident_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, plan_code);
    db_bind_str(st, 3, accident_id);
    *disability_paid_fen = 0;
    *death_paid = false;
    e = db_step(st, found);
    if (e == ERR_OK && *found) {
        *disability_paid_fen = db_col_int64(st, 0);
        *death_paid = db_col_int64(st, 1) != 0;
    }
    db_reset(st);
    return e;
}

static const char sql_accident_put[] =
    "INSERT INTO claim_acc_accident (member_id, plan_code, accident_id, disability_paid_fen,"
    " death_paid) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id, plan_code, accident_id)"
    " DO UPDATE SET disability_paid_fen = excluded.disability_paid_fen,"
    " death_paid = excluded.death_paid";

enum err store_claim_accident_put(struct store_conn *c, int64_t member_id, const char *plan_code,
                                  const char *accident_id, int64_t disability_paid_fen,
                                  bool death_paid)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_accident_put, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, plan_code);
    db_bind_str(st, 3, accident_id);
    db_bind_int64(st, 4, disability_paid_fen);
    db_bind_int64(st, 5, death_paid ? 1 : 0);
    return db_step_done(st);
}

static const char sql_invoice_used[] =
    "SELECT 1 FROM claim_invoice_used WHERE plan_code = $1 AND invoice_no = $2";

enum err store_claim_invoice_used(struct store_conn *c, const char *plan_code,
                                  const char *invoice_no, bool *found)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_invoice_used, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, plan_code);
    db_bind_str(st, 2, invoice_no);
    e = db_step(st, found);
    db_reset(st);
    return e;
}

static const char sql_invoice_use[] =
    "INSERT INTO claim_invoice_used (plan_code, invoice_no, claim_id) VALUES ($1, $2, $3)";

enum err store_claim_invoice_use(struct store_conn *c, const char *plan_code,
                                 const char *invoice_no, int64_t claim_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_invoice_use, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, plan_code);
    db_bind_str(st, 2, invoice_no);
    db_bind_int64(st, 3, claim_id);
    return db_step_done(st);
}

static const char sql_member_lock[] =
    "INSERT INTO claim_member_lock (member_id, approvals) VALUES ($1, 1)"
    " ON CONFLICT (member_id) DO UPDATE SET approvals = claim_member_lock.approvals + 1";

enum err store_claim_member_lock(struct store_conn *c, int64_t member_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_lock, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    return db_step_done(st);
}

/* --------------------------------------------------------------- risk */

static const char sql_count_since[] =
    "SELECT COUNT(*) FROM claim WHERE member_id = $1 AND id <> $2 AND status <> 'draft'"
    " AND submitted_on >= $3";

enum err store_claim_count_since(struct store_conn *c, int64_t member_id, struct date from,
                                 int64_t exclude_id, int64_t *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_count_since, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct dtext d;
    db_bind_int64(st, 1, member_id);
    db_bind_int64(st, 2, exclude_id);
    bind_opt_date(st, 3, true, from, &d);
    bool row;
    e = db_step(st, &row);
    *out = e == ERR_OK && row ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return e;
}

static const char sql_same_stay[] =
    "SELECT 1 FROM claim WHERE hospital = $1 AND admission_date = $2 AND discharge_date = $3"
    " AND member_id <> $4 LIMIT 1";

enum err store_claim_same_stay(struct store_conn *c, const char *hospital, struct date admission,
                               struct date discharge, int64_t member_id, bool *found)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_same_stay, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct dtext a, b;
    db_bind_str(st, 1, hospital);
    bind_opt_date(st, 2, true, admission, &a);
    bind_opt_date(st, 3, true, discharge, &b);
    db_bind_int64(st, 4, member_id);
    e = db_step(st, found);
    db_reset(st);
    return e;
}

static const char sql_recent_payouts[] =
    "SELECT r.payout_fen FROM claim_result r JOIN claim c ON c.id = r.claim_id"
    " WHERE r.plan_code = $1 AND r.decision = 'approve' AND r.payout_fen > 0"
    " AND c.status IN ('approved', 'payable', 'paid', 'closed')"
    " ORDER BY r.claim_id DESC LIMIT $2";

enum err store_claim_recent_payouts(struct store_conn *c, const char *plan_code, int64_t *out,
                                    size_t cap, size_t *n)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_recent_payouts, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, plan_code);
    db_bind_int64(st, 2, (int64_t)cap);
    *n = 0;
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row && *n < cap) {
        out[(*n)++] = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

/* ---------------------------------------------------------- documents */

static const char sql_blob_put[] =
    "INSERT INTO document_blob (sha256, content_type, size_bytes, data, created_ms)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING";

enum err store_document_blob_put(struct store_conn *c, const char *sha256_hex,
                                 const char *content_type, const void *data, size_t len,
                                 int64_t at_ms)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_blob_put, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, sha256_hex);
    db_bind_str(st, 2, content_type);
    db_bind_int64(st, 3, (int64_t)len);
    db_bind_blob(st, 4, data, len);
    db_bind_int64(st, 5, at_ms);
    return db_step_done(st);
}

static const char sql_blob_get[] =
    "SELECT content_type, data FROM document_blob WHERE sha256 = $1";

enum err store_document_blob_get(struct store_conn *c, const char *sha256_hex,
                                 char content_type[24], void **data, size_t *len)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_blob_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, sha256_hex);
    bool row;
    *data = NULL;
    *len = 0;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        col_copy(st, 0, content_type, 24);
        size_t n;
        const void *p = db_col_blob(st, 1, &n);
        *data = malloc(n > 0 ? n : 1);
        if (*data == NULL) {
            e = ERR_NOMEM;
        } else {
            memcpy(*data, p, n);
            *len = n;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_doc_insert[] =
    "INSERT INTO claim_document (claim_id, kind, sha256, file_name, uploaded_by, uploaded_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

enum err store_claim_document_insert(struct store_conn *c, const struct store_claim_document *d,
                                     int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_doc_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, d->claim_id);
    db_bind_str(st, 2, d->kind);
    db_bind_str(st, 3, d->sha256);
    db_bind_str(st, 4, d->file_name != NULL ? d->file_name : "");
    bind_nz(st, 5, d->uploaded_by);
    db_bind_int64(st, 6, d->uploaded_ms);
    return db_step_id(st, out_id);
}

static const char sql_doc_each[] =
    "SELECT d.id, d.kind, d.sha256, b.content_type, b.size_bytes, d.file_name,"
    " COALESCE(d.uploaded_by, 0), d.uploaded_ms FROM claim_document d"
    " JOIN document_blob b ON b.sha256 = d.sha256 WHERE d.claim_id = $1 ORDER BY d.id";

enum err store_claim_document_each(struct store_conn *c, int64_t claim_id,
                                   enum err (*fn)(void *ctx,
                                                  const struct store_claim_document *d),
                                   void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_doc_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_claim_document d = {
            .id = db_col_int64(st, 0),
            .claim_id = claim_id,
            .kind = db_col_text(st, 1, &len),
            .sha256 = db_col_text(st, 2, &len),
            .content_type = db_col_text(st, 3, &len),
            .size_bytes = db_col_int64(st, 4),
            .file_name = db_col_text(st, 5, &len),
            .uploaded_by = db_col_int64(st, 6),
            .uploaded_ms = db_col_int64(st, 7),
        };
        if ((e = fn(ctx, &d)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_doc_get[] =
    "SELECT sha256, kind FROM claim_document WHERE claim_id = $1 AND id = $2";

enum err store_claim_document_get(struct store_conn *c, int64_t claim_id, int64_t doc_id,
                                  char sha256_hex[STORE_SHA256_HEX + 1], char kind[24])
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_doc_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    db_bind_int64(st, 2, doc_id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        col_copy(st, 0, sha256_hex, STORE_SHA256_HEX + 1);
        col_copy(st, 1, kind, 24);
    }
    db_reset(st);
    return e;
}

static const char sql_waiver_insert[] =
    "INSERT INTO claim_waiver (claim_id, kind, reason, waived_by, waived_ms)"
    " VALUES ($1, $2, $3, $4, $5)";

enum err store_claim_waiver_insert(struct store_conn *c, const struct store_claim_waiver *w)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_waiver_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, w->claim_id);
    db_bind_str(st, 2, w->kind);
    db_bind_str(st, 3, w->reason);
    bind_nz(st, 4, w->waived_by);
    db_bind_int64(st, 5, w->waived_ms);
    return db_step_done(st);
}

static const char sql_waiver_each[] =
    "SELECT kind, reason, COALESCE(waived_by, 0), waived_ms FROM claim_waiver"
    " WHERE claim_id = $1 ORDER BY kind";

enum err store_claim_waiver_each(struct store_conn *c, int64_t claim_id,
                                 enum err (*fn)(void *ctx, const struct store_claim_waiver *w),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_waiver_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, claim_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_claim_waiver w = {
            .claim_id = claim_id,
            .kind = db_col_text(st, 0, &len),
            .reason = db_col_text(st, 1, &len),
            .waived_by = db_col_int64(st, 2),
            .waived_ms = db_col_int64(st, 3),
        };
        if ((e = fn(ctx, &w)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ---------------------------------------------------------- feed */

static const char sql_feed_insert[] =
    "INSERT INTO claim_feed (file_sha256, source_ref, as_of, rows, created, duplicates,"
    " not_enrolled, rejected, imported_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
    " $10) RETURNING id";

enum err store_claim_feed_insert(struct store_conn *c, const struct store_claim_feed *f,
                                 int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_feed_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct dtext d;
    db_bind_str(st, 1, f->file_sha256);
    db_bind_str(st, 2, f->source_ref != NULL ? f->source_ref : "");
    bind_opt_date(st, 3, true, f->as_of, &d);
    db_bind_int64(st, 4, f->rows);
    db_bind_int64(st, 5, f->created);
    db_bind_int64(st, 6, f->duplicates);
    db_bind_int64(st, 7, f->not_enrolled);
    db_bind_int64(st, 8, f->rejected);
    bind_nz(st, 9, f->imported_by);
    db_bind_int64(st, 10, f->at_ms);
    return db_step_id(st, out_id);
}

/* ------------------------------------------------------ assistance */

static const char sql_assist_sums[] =
    "SELECT COALESCE(SUM(self_pay_in_scope_fen + self_pay_out_scope_fen), 0),"
    " COALESCE(SUM(payout_fen), 0) FROM claim WHERE member_id = $1 AND has_settlement = 1"
    " AND status IN ('paid', 'closed')"
    " AND substr(COALESCE(discharge_date, admission_date), 1, 4) = $2";

enum err store_assist_year_sums(struct store_conn *c, int64_t member_id, int year,
                                int64_t *oop_fen, int64_t *aid_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_assist_sums, &st);
    if (e != ERR_OK) {
        return e;
    }
    char y[8];
    snprintf(y, sizeof(y), "%04d", year);
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, y);
    bool row;
    e = db_step(st, &row);
    *oop_fen = e == ERR_OK && row ? db_col_int64(st, 0) : 0;
    *aid_fen = e == ERR_OK && row ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}

static const char sql_assist_put[] =
    "INSERT INTO assistance_referral (member_id, year, org_id, oop_fen, aid_paid_fen,"
    " remaining_fen, hardship, reason, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (member_id, year) DO UPDATE SET org_id = excluded.org_id,"
    " oop_fen = excluded.oop_fen, aid_paid_fen = excluded.aid_paid_fen,"
    " remaining_fen = excluded.remaining_fen, hardship = excluded.hardship,"
    " reason = excluded.reason, updated_ms = excluded.updated_ms";

enum err store_assist_put(struct store_conn *c, const struct store_assist_row *r)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_assist_put, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, r->member_id);
    db_bind_int64(st, 2, r->year);
    db_bind_int64(st, 3, r->org_id);
    db_bind_int64(st, 4, r->oop_fen);
    db_bind_int64(st, 5, r->aid_paid_fen);
    db_bind_int64(st, 6, r->remaining_fen);
    db_bind_int64(st, 7, r->hardship ? 1 : 0);
    db_bind_str(st, 8, r->reason);
    db_bind_int64(st, 9, r->updated_ms);
    return db_step_done(st);
}

static const char sql_assist_each[] =
    "SELECT a.member_id, a.year, a.org_id, a.oop_fen, a.aid_paid_fen, a.remaining_fen,"
    " a.hardship, a.reason, a.status, a.updated_ms FROM assistance_referral a"
    " JOIN org o ON o.id = a.org_id WHERE ($1 = 0 OR a.year = $1)"
    " AND substr(o.path, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)"
    " ORDER BY a.remaining_fen DESC, a.member_id";

enum err store_assist_each(struct store_conn *c, int year, const char *path,
                           enum err (*fn)(void *ctx, const struct store_assist_row *r), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_assist_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, year);
    db_bind_str(st, 2, path != NULL ? path : "/");
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_assist_row r = {
            .member_id = db_col_int64(st, 0),
            .year = (int)db_col_int64(st, 1),
            .org_id = db_col_int64(st, 2),
            .oop_fen = db_col_int64(st, 3),
            .aid_paid_fen = db_col_int64(st, 4),
            .remaining_fen = db_col_int64(st, 5),
            .hardship = db_col_int64(st, 6) != 0,
            .reason = db_col_text(st, 7, &len),
            .status = db_col_text(st, 8, &len),
            .updated_ms = db_col_int64(st, 9),
        };
        if ((e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ------------------------------------------------------ reports */

static const char sql_payout_times[] =
    "SELECT paid_ms - submitted_ms FROM claim WHERE paid_ms IS NOT NULL"
    " AND submitted_ms IS NOT NULL AND paid_ms >= $1 AND paid_ms < $2";

enum err store_claim_payout_times(struct store_conn *c, int64_t from_ms, int64_t to_ms,
                                  enum err (*fn)(void *ctx, int64_t ms), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_payout_times, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, from_ms);
    db_bind_int64(st, 2, to_ms);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        if ((e = fn(ctx, db_col_int64(st, 0))) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_fund_for[] =
    "SELECT code FROM fund WHERE code = $1 OR code = 'POOL'"
    " ORDER BY CASE WHEN code = 'POOL' THEN 1 ELSE 0 END LIMIT 1";

enum err store_claim_fund_for(struct store_conn *c, const char *plan_code, char out[33])
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_fund_for, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, plan_code);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        col_copy(st, 0, out, 33);
    }
    db_reset(st);
    return e;
}

static const char sql_plan_kind[] =
    "SELECT kind FROM plan_version WHERE code = $1 AND state = 'published'"
    " ORDER BY version DESC LIMIT 1";

enum err store_claim_plan_kind(struct store_conn *c, const char *plan_code, char kind[20])
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_plan_kind, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, plan_code);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        col_copy(st, 0, kind, 20);
    }
    db_reset(st);
    return e;
}

static const char sql_set_risk[] = "UPDATE claim SET risk_flags = $1 WHERE id = $2";

enum err store_claim_set_risk(struct store_conn *c, int64_t id, int64_t flags)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_set_risk, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, flags);
    db_bind_int64(st, 2, id);
    return db_step_done(st);
}
