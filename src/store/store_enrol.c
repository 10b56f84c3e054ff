/*
 * store_enrol: SQL for plans, enrolment batches, enrolments, invoices and
 * receipts. Every statement is a static string (prepared once per
 * connection); dates are bound from stack buffers that live until the step.
 * Subtree filters compare a prefix of org.path (substr, portable and safe
 * against LIKE wildcards).
 */
#include "store/store_enrol.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, id);
    }
}

/* A date as bound text; the buffer must outlive the step. */
struct dtext {
    char s[DATE_TEXT_LEN + 1];
};

static void bind_date(struct db_stmt *st, int idx, struct date d, struct dtext *buf)
{
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

/* A stored date column; ERR_DB when the text is not a date (corrupt row). */
static enum err col_date(struct db_stmt *st, int col, struct date *out)
{
    size_t len;
    const char *s = db_col_text(st, col, &len);
    return date_parse(s, len, out) == ERR_OK ? ERR_OK : ERR_DB;
}

/* ------------------------------------------------------------------ plans */

static const char sql_plan_insert[] =
    "INSERT INTO plan_version (code, version, name, kind, document)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

enum err store_plan_insert(struct store_conn *c, const char *code, int64_t version,
                           const char *name, const char *kind, const char *document,
                           int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_plan_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, code);
    db_bind_int64(st, 2, version);
    db_bind_str(st, 3, name);
    db_bind_str(st, 4, kind);
    db_bind_str(st, 5, document);
    return db_step_id(st, out_id);
}

static const char sql_plan_state[] =
    "SELECT state FROM plan_version WHERE code = $1 AND version = $2";
static const char sql_plan_publish[] =
    "UPDATE plan_version SET state = $1, published_at = $2"
    " WHERE code = $3 AND version = $4 AND state = $5";
static const char sql_plan_close[] =
    "UPDATE plan_version SET state = $1, closed_at = $2"
    " WHERE code = $3 AND version = $4 AND state = $5";

enum err store_plan_set_state(struct store_conn *c, const char *code, int64_t version,
                              const char *from, const char *to, const char *at)
{
    struct db_stmt *st;
    bool row;
    char state[12] = "";
    enum err e = db_prepare(c->db, sql_plan_state, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, code);
    db_bind_int64(st, 2, version);
    e = db_step(st, &row);
    if (e == ERR_OK && row) {
        col_copy(st, 0, state, sizeof(state));
    }
    db_reset(st);
    if (e != ERR_OK) {
        return e;
    }
    if (!row) {
        return ERR_NOT_FOUND;
    }
    if (strcmp(state, from) != 0) {
        return ERR_CONFLICT;
    }
    e = db_prepare(c->db, strcmp(to, "closed") == 0 ? sql_plan_close : sql_plan_publish, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, to);
    db_bind_str(st, 2, at);
    db_bind_str(st, 3, code);
    db_bind_int64(st, 4, version);
    db_bind_str(st, 5, from);
    return db_step_done(st);
}

#define PLAN_COLS "id, code, version, name, kind, state, document"
static const char sql_plan_by_id[] = "SELECT " PLAN_COLS " FROM plan_version WHERE id = $1";
static const char sql_plan_by_version[] =
    "SELECT " PLAN_COLS " FROM plan_version WHERE code = $1 AND version = $2";
static const char sql_plan_latest[] =
    "SELECT " PLAN_COLS " FROM plan_version WHERE code = $1 AND state = 'published'"
    " ORDER BY version DESC LIMIT 1";
static const char sql_plan_all[] =
    "SELECT " PLAN_COLS " FROM plan_version ORDER BY code, version";

static void plan_row_read(struct db_stmt *st, struct store_plan_row *out)
{
    out->id = db_col_int64(st, 0);
    col_copy(st, 1, out->code, sizeof(out->code));
    out->version = db_col_int64(st, 2);
    col_copy(st, 3, out->name, sizeof(out->name));
    col_copy(st, 4, out->kind, sizeof(out->kind));
    col_copy(st, 5, out->state, sizeof(out->state));
}

enum err store_plan_get(struct store_conn *c, int64_t id, const char *code, int64_t version,
                        struct store_plan_row *out)
{
    struct db_stmt *st;
    const char *sql = id > 0 ? sql_plan_by_id : version > 0 ? sql_plan_by_version : sql_plan_latest;
    enum err e = db_prepare(c->db, sql, &st);
    if (e != ERR_OK) {
        return e;
    }
    if (id > 0) {
        db_bind_int64(st, 1, id);
    } else {
        db_bind_str(st, 1, code);
        if (version > 0) {
            db_bind_int64(st, 2, version);
        }
    }
    bool row;
    memset(out, 0, sizeof(*out));
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        plan_row_read(st, out);
        size_t len;
        const char *doc = db_col_text(st, 6, &len);
        out->document = malloc(len + 1);
        if (out->document == NULL) {
            e = ERR_NOMEM;
        } else {
            memcpy(out->document, doc, len);
            out->document[len] = '\0';
        }
    }
    db_reset(st);
    return e;
}

enum err store_plan_each(struct store_conn *c,
                         enum err (*fn)(void *ctx, const struct store_plan_row *row), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_plan_all, &st);
    if (e != ERR_OK) {
        return e;
    }
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_plan_row r;
        memset(&r, 0, sizeof(r));
        plan_row_read(st, &r);
        if ((e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* ----------------------------------------------------- registry (read only) */

#define MEMBER_COLS                                                                                \
    "m.id, m.birth_date, m.gender, m.employment, m.hardship, COALESCE(m.employer_id, 0),"         \
    " m.org_id, o.path"
static const char sql_member_get[] =
    "SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = $1";
static const char sql_roster[] =
    "SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id"
    " WHERE m.employer_id = $1 ORDER BY m.id";

static enum err member_read(struct db_stmt *st, struct store_enrol_member *m)
{
    m->id = db_col_int64(st, 0);
    if (col_date(st, 1, &m->birth_date) != ERR_OK) {
        return ERR_DB;
    }
    size_t len;
    const char *g = db_col_text(st, 2, &len);
    m->gender = len == 1 ? g[0] : '?';
    col_copy(st, 3, m->employment, sizeof(m->employment));
    m->hardship = db_col_int64(st, 4) != 0;
    m->employer_id = db_col_int64(st, 5);
    m->org_id = db_col_int64(st, 6);
    col_copy(st, 7, m->org_path, sizeof(m->org_path));
    return ERR_OK;
}

enum err store_enrol_member_get(struct store_conn *c, int64_t id, struct store_enrol_member *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK) {
        e = row ? member_read(st, out) : ERR_NOT_FOUND;
    }
    db_reset(st);
    return e;
}

enum err store_enrol_roster_each(struct store_conn *c, int64_t employer_id,
                                 enum err (*fn)(void *ctx, const struct store_enrol_member *m),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_roster, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, employer_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_enrol_member m;
        if ((e = member_read(st, &m)) != ERR_OK || (e = fn(ctx, &m)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_employer_get[] =
    "SELECT e.name, o.id, o.path, o.name FROM employer e JOIN org o ON o.id = e.org_id"
    " WHERE e.id = $1";
static const char sql_org_get[] = "SELECT id, path, name FROM org WHERE id = $1";

enum err store_enrol_employer_get(struct store_conn *c, int64_t employer_id,
                                  char name[STORE_PAYER_NAME_BYTES + 1],
                                  struct store_enrol_org *org)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_employer_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, employer_id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        col_copy(st, 0, name, STORE_PAYER_NAME_BYTES + 1);
        org->id = db_col_int64(st, 1);
        col_copy(st, 2, org->path, sizeof(org->path));
        col_copy(st, 3, org->name, sizeof(org->name));
    }
    db_reset(st);
    return e;
}

enum err store_enrol_org_get(struct store_conn *c, int64_t org_id, struct store_enrol_org *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_org_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, org_id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        out->id = db_col_int64(st, 0);
        col_copy(st, 1, out->path, sizeof(out->path));
        col_copy(st, 2, out->name, sizeof(out->name));
    }
    db_reset(st);
    return e;
}

/* --------------------------------------------------------------- enrolment */

/* Cover still given or to come: pending or active; cancelled only while
 * its effective date leaves cover after the overlap's start. */
static const char sql_overlap[] =
    "SELECT shares FROM enrolment WHERE member_id = $1 AND plan_code = $2"
    " AND term_end >= $3 AND term_start <= $4"
    " AND (status IN ('pending', 'active')"
    "      OR (status = 'cancelled' AND cancelled_on > term_start AND cancelled_on > $3))"
    " LIMIT 1";

enum err store_enrol_overlap(struct store_conn *c, int64_t member_id, const char *code,
                             struct date start, struct date end, bool *found, int64_t *shares)
{
    struct db_stmt *st;
    struct dtext ds, de;
    enum err e = db_prepare(c->db, sql_overlap, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    db_bind_str(st, 2, code);
    bind_date(st, 3, start, &ds);
    bind_date(st, 4, end, &de);
    e = db_step(st, found);
    *shares = (e == ERR_OK && *found) ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return e;
}

static const char sql_batch_insert[] =
    "INSERT INTO enrol_batch (kind, plan_id, employer_id, org_id, term_start, term_end, shares,"
    " price_fen, employer_fen, union_fen, worker_fen, gift_fen, funding, donor, due_date,"
    " member_count, renewal_of, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    " RETURNING id";

enum err store_enrol_batch_insert(struct store_conn *c, struct store_enrol_batch *b)
{
    struct db_stmt *st;
    struct dtext d1, d2, d3;
    enum err e = db_prepare(c->db, sql_batch_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, b->kind);
    db_bind_int64(st, 2, b->plan_id);
    bind_id(st, 3, b->employer_id);
    db_bind_int64(st, 4, b->org_id);
    bind_date(st, 5, b->term_start, &d1);
    bind_date(st, 6, b->term_end, &d2);
    db_bind_int64(st, 7, b->shares);
    db_bind_int64(st, 8, b->price_fen);
    for (int i = 0; i < 4; i++) {
        db_bind_int64(st, 9 + i, b->part_fen[i]);
    }
    db_bind_str(st, 13, b->funding);
    db_bind_str(st, 14, b->donor);
    bind_date(st, 15, b->due_date, &d3);
    db_bind_int64(st, 16, b->member_count);
    bind_id(st, 17, b->renewal_of);
    bind_id(st, 18, b->created_by);
    return db_step_id(st, &b->id);
}

static const char sql_batch_get[] =
    "SELECT b.id, b.kind, b.plan_id, COALESCE(b.employer_id, 0), b.org_id, b.term_start,"
    " b.term_end, b.due_date, b.shares, b.price_fen, b.employer_fen, b.union_fen, b.worker_fen,"
    " b.gift_fen, b.funding, b.donor, b.member_count, COALESCE(b.renewal_of, 0),"
    " COALESCE(b.created_by, 0), o.path, p.code"
    " FROM enrol_batch b JOIN org o ON o.id = b.org_id JOIN plan_version p ON p.id = b.plan_id"
    " WHERE b.id = $1";

enum err store_enrol_batch_get(struct store_conn *c, int64_t id, struct store_enrol_batch_row *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_batch_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    memset(out, 0, sizeof(*out));
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        struct store_enrol_batch *b = &out->b;
        b->id = db_col_int64(st, 0);
        col_copy(st, 1, out->kind, sizeof(out->kind));
        b->plan_id = db_col_int64(st, 2);
        b->employer_id = db_col_int64(st, 3);
        b->org_id = db_col_int64(st, 4);
        if (col_date(st, 5, &b->term_start) || col_date(st, 6, &b->term_end) ||
            col_date(st, 7, &b->due_date)) {
            e = ERR_DB;
        }
        b->shares = db_col_int64(st, 8);
        b->price_fen = db_col_int64(st, 9);
        for (int i = 0; i < 4; i++) {
            b->part_fen[i] = db_col_int64(st, 10 + i);
        }
        col_copy(st, 14, out->funding, sizeof(out->funding));
        col_copy(st, 15, out->donor, sizeof(out->donor));
        b->member_count = db_col_int64(st, 16);
        b->renewal_of = db_col_int64(st, 17);
        b->created_by = db_col_int64(st, 18);
        col_copy(st, 19, out->org_path, sizeof(out->org_path));
        col_copy(st, 20, out->plan_code, sizeof(out->plan_code));
        b->kind = out->kind;
        b->funding = out->funding;
        b->donor = out->donor;
    }
    db_reset(st);
    return e;
}

static const char sql_enrolment_insert[] =
    "INSERT INTO enrolment (batch_id, seq, member_id, plan_id, plan_code, term_start, term_end,"
    " shares, renewal_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

enum err store_enrolment_insert(struct store_conn *c, const struct store_enrolment_new *n)
{
    struct db_stmt *st;
    struct dtext d1, d2;
    enum err e = db_prepare(c->db, sql_enrolment_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, n->batch_id);
    db_bind_int64(st, 2, n->seq);
    db_bind_int64(st, 3, n->member_id);
    db_bind_int64(st, 4, n->plan_id);
    db_bind_str(st, 5, n->plan_code);
    bind_date(st, 6, n->term_start, &d1);
    bind_date(st, 7, n->term_end, &d2);
    db_bind_int64(st, 8, n->shares);
    bind_id(st, 9, n->renewal_of);
    return db_step_done(st);
}

#define ENROLMENT_COLS                                                                             \
    "e.id, e.batch_id, e.seq, e.member_id, e.plan_id, e.plan_code, e.term_start, e.term_end,"     \
    " e.shares, e.status, e.cover_start, e.cancelled_on, e.refund_fen, COALESCE(e.renewal_of, 0)," \
    " b.worker_fen, b.org_id, o.path"
#define ENROLMENT_FROM                                                                             \
    " FROM enrolment e JOIN enrol_batch b ON b.id = e.batch_id JOIN org o ON o.id = b.org_id"

static const char sql_enrolment_get[] = "SELECT " ENROLMENT_COLS ENROLMENT_FROM " WHERE e.id = $1";
static const char sql_enrolment_member[] = "SELECT " ENROLMENT_COLS ENROLMENT_FROM
                                           " WHERE e.member_id = $1 ORDER BY e.plan_code,"
                                           " e.term_start, e.id";
static const char sql_enrolment_batch[] =
    "SELECT " ENROLMENT_COLS ENROLMENT_FROM " WHERE e.batch_id = $1 ORDER BY e.seq";
static const char sql_enrolment_batch_active[] =
    "SELECT " ENROLMENT_COLS ENROLMENT_FROM " WHERE e.batch_id = $1 AND e.status = 'active'"
    " AND NOT EXISTS (SELECT 1 FROM enrolment r WHERE r.renewal_of = e.id) ORDER BY e.seq";
static const char sql_expiring[] =
    "SELECT " ENROLMENT_COLS ENROLMENT_FROM
    " WHERE e.term_end >= $1 AND e.term_end <= $2 AND e.status = 'active'"
    " AND substr(o.path, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT)"
    " AND NOT EXISTS (SELECT 1 FROM enrolment r WHERE r.renewal_of = e.id)"
    " ORDER BY e.term_end, e.id LIMIT $4";

static enum err enrolment_read(struct db_stmt *st, struct store_enrolment_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->batch_id = db_col_int64(st, 1);
    r->seq = db_col_int64(st, 2);
    r->member_id = db_col_int64(st, 3);
    r->plan_id = db_col_int64(st, 4);
    col_copy(st, 5, r->plan_code, sizeof(r->plan_code));
    if (col_date(st, 6, &r->term_start) || col_date(st, 7, &r->term_end)) {
        return ERR_DB;
    }
    r->shares = db_col_int64(st, 8);
    col_copy(st, 9, r->status, sizeof(r->status));
    r->has_cover_start = !db_col_is_null(st, 10);
    if (r->has_cover_start && col_date(st, 10, &r->cover_start)) {
        return ERR_DB;
    }
    r->has_cancelled_on = !db_col_is_null(st, 11);
    if (r->has_cancelled_on && col_date(st, 11, &r->cancelled_on)) {
        return ERR_DB;
    }
    r->refund_fen = db_col_int64(st, 12);
    r->renewal_of = db_col_int64(st, 13);
    r->worker_fen = db_col_int64(st, 14);
    r->org_id = db_col_int64(st, 15);
    col_copy(st, 16, r->org_path, sizeof(r->org_path));
    return ERR_OK;
}

enum err store_enrolment_get(struct store_conn *c, int64_t id, struct store_enrolment_row *out)
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

/* Runs a bound enrolment query, calling fn per row. */
static enum err enrolment_rows(struct db_stmt *st,
                               enum err (*fn)(void *ctx, const struct store_enrolment_row *r),
                               void *ctx)
{
    bool row;
    enum err e;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_enrolment_row r;
        if ((e = enrolment_read(st, &r)) != ERR_OK || (e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

enum err store_enrolment_each_member(struct store_conn *c, int64_t member_id,
                                     enum err (*fn)(void *ctx,
                                                    const struct store_enrolment_row *r),
                                     void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_enrolment_member, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    return enrolment_rows(st, fn, ctx);
}

enum err store_enrolment_each_batch(struct store_conn *c, int64_t batch_id, bool active_unrenewed,
                                    enum err (*fn)(void *ctx,
                                                   const struct store_enrolment_row *r),
                                    void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, active_unrenewed ? sql_enrolment_batch_active
                                                    : sql_enrolment_batch,
                            &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, batch_id);
    return enrolment_rows(st, fn, ctx);
}

static const char sql_activate[] =
    "UPDATE enrolment SET status = 'active',"
    " cover_start = CASE WHEN term_start > $1 THEN term_start ELSE $1 END"
    " WHERE batch_id = $2 AND seq <= $3 AND status = 'pending'";
static const char sql_activate_count_sqlite[] = "SELECT changes()";
static const char sql_activate_count[] =
    "SELECT COUNT(*) FROM enrolment WHERE batch_id = $1 AND seq <= $2 AND status = 'active'"
    " AND cover_start = CASE WHEN term_start > $3 THEN term_start ELSE $3 END";

enum err store_enrolment_activate(struct store_conn *c, int64_t batch_id, int64_t upto_seq,
                                  struct date paid_on, int64_t *count)
{
    struct db_stmt *st;
    struct dtext d;
    *count = 0;
    enum err e = db_prepare(c->db, sql_activate, &st);
    if (e != ERR_OK) {
        return e;
    }
    bind_date(st, 1, paid_on, &d);
    db_bind_int64(st, 2, batch_id);
    db_bind_int64(st, 3, upto_seq);
    if ((e = db_step_done(st)) != ERR_OK) {
        return e;
    }
    /* How many changed: SQLite says so directly; on PostgreSQL count the
     * rows this statement stamped (an approximation only when an earlier
     * receipt of the same day activated some: callers use it for reports). */
    bool sqlite = db_backend(c->db) == STORE_SQLITE;
    e = db_prepare(c->db, sqlite ? sql_activate_count_sqlite : sql_activate_count, &st);
    if (e != ERR_OK) {
        return e;
    }
    if (!sqlite) {
        db_bind_int64(st, 1, batch_id);
        db_bind_int64(st, 2, upto_seq);
        bind_date(st, 3, paid_on, &d);
    }
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && row) {
        *count = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

static const char sql_cancel[] =
    "UPDATE enrolment SET status = 'cancelled', cancelled_on = $1, refund_fen = $2"
    " WHERE id = $3 AND status IN ('pending', 'active') RETURNING id";

enum err store_enrolment_cancel(struct store_conn *c, int64_t id, struct date effective,
                                int64_t refund_fen)
{
    struct db_stmt *st;
    struct dtext d;
    enum err e = db_prepare(c->db, sql_cancel, &st);
    if (e != ERR_OK) {
        return e;
    }
    bind_date(st, 1, effective, &d);
    db_bind_int64(st, 2, refund_fen);
    db_bind_int64(st, 3, id);
    int64_t got;
    e = db_step_id(st, &got);
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

static const char sql_lapse_enrolments[] =
    "UPDATE enrolment SET status = 'lapsed', lapse_reason = $1"
    " WHERE status = 'pending' AND batch_id IN (SELECT b.id FROM enrol_batch b"
    "  JOIN org o ON o.id = b.org_id WHERE b.due_date < $2"
    "  AND substr(o.path, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT)) RETURNING id";
static const char sql_lapse_invoices[] =
    "UPDATE invoice SET status = 'lapsed' WHERE status = 'open' AND due_date < $1"
    " AND batch_id IN (SELECT b.id FROM enrol_batch b JOIN org o ON o.id = b.org_id"
    "  WHERE substr(o.path, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)) RETURNING id";

static enum err count_returning(struct db_stmt *st, int64_t *n)
{
    bool row;
    enum err e;
    *n = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        (*n)++;
    }
    db_reset(st);
    return e;
}

enum err store_enrol_lapse(struct store_conn *c, struct date as_of, const char *path_prefix,
                           const char *reason, int64_t *enrolments, int64_t *invoices)
{
    struct db_stmt *st;
    struct dtext d;
    enum err e = db_prepare(c->db, sql_lapse_enrolments, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, reason);
    bind_date(st, 2, as_of, &d);
    db_bind_str(st, 3, path_prefix);
    if ((e = count_returning(st, enrolments)) != ERR_OK) {
        return e;
    }
    if ((e = db_prepare(c->db, sql_lapse_invoices, &st)) != ERR_OK) {
        return e;
    }
    bind_date(st, 1, as_of, &d);
    db_bind_str(st, 2, path_prefix);
    return count_returning(st, invoices);
}

enum err store_enrol_expiring_each(struct store_conn *c, struct date from, struct date to,
                                   const char *path_prefix, size_t limit,
                                   enum err (*fn)(void *ctx, const struct store_enrolment_row *r),
                                   void *ctx)
{
    struct db_stmt *st;
    struct dtext d1, d2;
    enum err e = db_prepare(c->db, sql_expiring, &st);
    if (e != ERR_OK) {
        return e;
    }
    bind_date(st, 1, from, &d1);
    bind_date(st, 2, to, &d2);
    db_bind_str(st, 3, path_prefix);
    db_bind_int64(st, 4, (int64_t)limit);
    return enrolment_rows(st, fn, ctx);
}

/* ---------------------------------------------------------------- invoices */

static const char sql_invoice_insert[] =
    "INSERT INTO invoice (batch_id, payer, payer_name, amount_fen, due_date)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

enum err store_invoice_insert(struct store_conn *c, int64_t batch_id, const char *payer,
                              const char *payer_name, int64_t amount_fen, struct date due_date,
                              int64_t *out_id)
{
    struct db_stmt *st;
    struct dtext d;
    enum err e = db_prepare(c->db, sql_invoice_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, batch_id);
    db_bind_str(st, 2, payer);
    db_bind_str(st, 3, payer_name);
    db_bind_int64(st, 4, amount_fen);
    bind_date(st, 5, due_date, &d);
    return db_step_id(st, out_id);
}

#define INVOICE_COLS                                                                               \
    "i.id, i.batch_id, i.payer, i.payer_name, i.amount_fen, i.paid_fen, i.due_date, i.status,"    \
    " o.path FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id JOIN org o ON o.id = b.org_id"
static const char sql_invoice_get[] = "SELECT " INVOICE_COLS " WHERE i.id = $1";
static const char sql_invoice_batch[] =
    "SELECT " INVOICE_COLS " WHERE i.batch_id = $1 ORDER BY CASE i.payer WHEN 'employer' THEN 0"
    " WHEN 'union' THEN 1 WHEN 'worker' THEN 2 ELSE 3 END";

static enum err invoice_read(struct db_stmt *st, struct store_invoice_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->batch_id = db_col_int64(st, 1);
    col_copy(st, 2, r->payer, sizeof(r->payer));
    col_copy(st, 3, r->payer_name, sizeof(r->payer_name));
    r->amount_fen = db_col_int64(st, 4);
    r->paid_fen = db_col_int64(st, 5);
    if (col_date(st, 6, &r->due_date)) {
        return ERR_DB;
    }
    col_copy(st, 7, r->status, sizeof(r->status));
    col_copy(st, 8, r->org_path, sizeof(r->org_path));
    return ERR_OK;
}

enum err store_invoice_get(struct store_conn *c, int64_t id, struct store_invoice_row *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_invoice_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK) {
        e = row ? invoice_read(st, out) : ERR_NOT_FOUND;
    }
    db_reset(st);
    return e;
}

enum err store_invoice_each_batch(struct store_conn *c, int64_t batch_id,
                                  enum err (*fn)(void *ctx, const struct store_invoice_row *r),
                                  void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_invoice_batch, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, batch_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_invoice_row r;
        if ((e = invoice_read(st, &r)) != ERR_OK || (e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_invoice_add_paid[] =
    "UPDATE invoice SET paid_fen = paid_fen + $1,"
    " status = CASE WHEN paid_fen + $1 = amount_fen THEN 'paid' ELSE 'open' END"
    " WHERE id = $2 AND status = 'open' AND paid_fen + $1 <= amount_fen RETURNING id";

enum err store_invoice_add_paid(struct store_conn *c, int64_t id, int64_t amount_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_invoice_add_paid, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, amount_fen);
    db_bind_int64(st, 2, id);
    int64_t got;
    e = db_step_id(st, &got);
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

static const char sql_receipt_find[] =
    "SELECT id, invoice_id, amount_fen FROM receipt WHERE bank_ref = $1";

enum err store_receipt_find(struct store_conn *c, const char *bank_ref, bool *found, int64_t *id,
                            int64_t *invoice_id, int64_t *amount_fen)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_receipt_find, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bank_ref);
    e = db_step(st, found);
    if (e == ERR_OK && *found) {
        *id = db_col_int64(st, 0);
        *invoice_id = db_col_int64(st, 1);
        *amount_fen = db_col_int64(st, 2);
    }
    db_reset(st);
    return e;
}

static const char sql_receipt_insert[] =
    "INSERT INTO receipt (invoice_id, amount_fen, method, bank_ref, payer_name, paid_on,"
    " recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

enum err store_receipt_insert(struct store_conn *c, struct store_receipt *r)
{
    struct db_stmt *st;
    struct dtext d;
    enum err e = db_prepare(c->db, sql_receipt_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, r->invoice_id);
    db_bind_int64(st, 2, r->amount_fen);
    db_bind_str(st, 3, r->method);
    db_bind_str(st, 4, r->bank_ref);
    db_bind_str(st, 5, r->payer_name);
    bind_date(st, 6, r->paid_on, &d);
    bind_id(st, 7, r->recorded_by);
    return db_step_id(st, &r->id);
}

static const char sql_receipt_journal[] =
    "UPDATE receipt SET journal_entry = $1 WHERE id = $2 AND journal_entry IS NULL";

enum err store_receipt_set_journal(struct store_conn *c, int64_t id, int64_t entry_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_receipt_journal, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, entry_id);
    db_bind_int64(st, 2, id);
    return db_step_done(st);
}

/* ------------------------------------------------------ locks and listings */

/* "SET id = id" changes nothing but makes the row this transaction's update:
 * a concurrent updater waits, then gets a serialization failure (see the
 * header for why a lock alone is not enough under REPEATABLE READ). */
static const char sql_lock_roster[] = "UPDATE member SET id = id WHERE employer_id = $1";
static const char sql_lock_member[] = "UPDATE member SET id = id WHERE id = $1";

enum err store_enrol_lock_members(struct store_conn *c, int64_t employer_id, const int64_t *ids,
                                  size_t n)
{
    if (db_backend(c->db) != STORE_PG) {
        return ERR_OK;
    }
    struct db_stmt *st;
    enum err e = ERR_OK;
    if (employer_id > 0 && (e = db_prepare(c->db, sql_lock_roster, &st)) == ERR_OK) {
        db_bind_int64(st, 1, employer_id);
        e = db_step_done(st);
    }
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        if ((e = db_prepare(c->db, sql_lock_member, &st)) == ERR_OK) {
            db_bind_int64(st, 1, ids[i]);
            e = db_step_done(st);
        }
    }
    return e;
}

static const char sql_member_name[] = "SELECT name FROM member WHERE id = $1";

enum err store_enrol_member_name(struct store_conn *c, int64_t id, char *out, size_t cap)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_name, &st);
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
        col_copy(st, 0, out, cap);
    }
    db_reset(st);
    return e;
}

/* Optional filters are "0 / '' or equal"; the member filter, the selective
 * one, has its own statement so its index is used. */
#define ENROLMENT_LIST_TAIL                                                                        \
    " AND e.id > $1 AND substr(o.path, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)"           \
    " AND (CAST($4 AS BIGINT) = 0 OR b.employer_id = $4)"                                          \
    " AND (CAST($5 AS TEXT) = '' OR e.plan_code = $5)"                                             \
    " AND (CAST($6 AS TEXT) = '' OR e.status = $6)"                                                \
    " AND (CAST($7 AS TEXT) = '' OR (e.status = 'active' AND e.term_end >= $7"                    \
    "  AND e.term_end <= $8 AND NOT EXISTS (SELECT 1 FROM enrolment r WHERE r.renewal_of = e.id)))" \
    " ORDER BY e.id LIMIT $9"
/* Who is covered and the unit that enrolled them: the member by primary
 * key, the batch's employer when it has one (group batches). */
#define ENROLMENT_LIST_COLS                                                                        \
    ENROLMENT_COLS ", m.name, m.id_mask, COALESCE(b.employer_id, 0), COALESCE(em.name, '')"
#define ENROLMENT_LIST_FROM                                                                        \
    ENROLMENT_FROM " JOIN member m ON m.id = e.member_id"                                          \
                   " LEFT JOIN employer em ON em.id = b.employer_id"
static const char sql_enrolment_list[] = "SELECT " ENROLMENT_LIST_COLS ENROLMENT_LIST_FROM
                                         " WHERE CAST($3 AS BIGINT) = 0" ENROLMENT_LIST_TAIL;
static const char sql_enrolment_list_member[] = "SELECT " ENROLMENT_LIST_COLS ENROLMENT_LIST_FROM
                                                " WHERE e.member_id = $3" ENROLMENT_LIST_TAIL;

enum err store_enrolment_list(struct store_conn *c, const struct store_enrolment_filter *f,
                              enum err (*fn)(void *ctx,
                                             const struct store_enrolment_list_row *r),
                              void *ctx)
{
    struct db_stmt *st;
    struct dtext d1, d2;
    enum err e = db_prepare(c->db, f->member_id > 0 ? sql_enrolment_list_member
                                                    : sql_enrolment_list,
                            &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, f->after_id);
    db_bind_str(st, 2, f->path_prefix);
    db_bind_int64(st, 3, f->member_id);
    db_bind_int64(st, 4, f->employer_id);
    db_bind_str(st, 5, f->plan_code ? f->plan_code : "");
    db_bind_str(st, 6, f->status ? f->status : "");
    if (f->expiring) {
        bind_date(st, 7, f->from, &d1);
        bind_date(st, 8, f->to, &d2);
    } else {
        db_bind_str(st, 7, "");
        db_bind_str(st, 8, "");
    }
    db_bind_int64(st, 9, (int64_t)f->limit);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_enrolment_list_row r;
        if ((e = enrolment_read(st, &r.r)) != ERR_OK) {
            break;
        }
        col_copy(st, 17, r.member_name, sizeof(r.member_name));
        col_copy(st, 18, r.member_id_mask, sizeof(r.member_id_mask));
        r.employer_id = db_col_int64(st, 19);
        col_copy(st, 20, r.employer_name, sizeof(r.employer_name));
        if ((e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

#define INVOICE_LIST_TAIL                                                                          \
    " AND i.id > $1"                                                                               \
    " AND substr(o.path, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR i.batch_id = $3)"                                             \
    " AND (CAST($5 AS TEXT) = '' OR i.status = $5)"                                                \
    " AND (CAST($6 AS TEXT) = '' OR i.payer = $6) ORDER BY i.id LIMIT $7"
static const char sql_invoice_list[] =
    "SELECT " INVOICE_COLS " WHERE CAST($4 AS BIGINT) = 0" INVOICE_LIST_TAIL;
/* One unit's invoices: its own statement, so the planner starts from the
 * unit's batches (enrol_batch_employer) instead of walking every invoice in
 * id order looking for them. */
static const char sql_invoice_list_employer[] =
    "SELECT " INVOICE_COLS " WHERE b.employer_id = $4" INVOICE_LIST_TAIL;

enum err store_invoice_list(struct store_conn *c, const struct store_invoice_filter *f,
                            enum err (*fn)(void *ctx, const struct store_invoice_row *r),
                            void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        c->db, f->employer_id != 0 ? sql_invoice_list_employer : sql_invoice_list, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, f->after_id);
    db_bind_str(st, 2, f->path_prefix);
    db_bind_int64(st, 3, f->batch_id);
    db_bind_int64(st, 4, f->employer_id);
    db_bind_str(st, 5, f->status ? f->status : "");
    db_bind_str(st, 6, f->payer ? f->payer : "");
    db_bind_int64(st, 7, (int64_t)f->limit);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_invoice_row r;
        if ((e = invoice_read(st, &r)) != ERR_OK || (e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_receipt_invoice[] =
    "SELECT id, invoice_id, amount_fen, method, bank_ref, payer_name, paid_on,"
    " COALESCE(journal_entry, 0), COALESCE(recorded_by, 0) FROM receipt WHERE invoice_id = $1"
    " ORDER BY id";

enum err store_receipt_each_invoice(struct store_conn *c, int64_t invoice_id,
                                    enum err (*fn)(void *ctx, const struct store_receipt_row *r),
                                    void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_receipt_invoice, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, invoice_id);
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_receipt_row r;
        memset(&r, 0, sizeof(r));
        r.id = db_col_int64(st, 0);
        r.invoice_id = db_col_int64(st, 1);
        r.amount_fen = db_col_int64(st, 2);
        col_copy(st, 3, r.method, sizeof(r.method));
        col_copy(st, 4, r.bank_ref, sizeof(r.bank_ref));
        col_copy(st, 5, r.payer_name, sizeof(r.payer_name));
        if (col_date(st, 6, &r.paid_on) != ERR_OK) {
            e = ERR_DB;
            break;
        }
        r.journal_entry = db_col_int64(st, 7);
        r.recorded_by = db_col_int64(st, 8);
        if ((e = fn(ctx, &r)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}
