/*
 * store_reports: SQL of the supervision reports. Every statement is a
 * static string (the prepared-statement cache keys on its address) with
 * parameters bound; the subtree is always $1 and is matched on the
 * organisation's path. Aggregates sum integers only (SQLite: integer;
 * PostgreSQL: numeric without a fraction, read back as int64). Parameters
 * appear in each text in numeric order ($1 before $2 ...): SQLite numbers
 * them by first appearance (store/db.h), so a condition on $3 written
 * before one on $2 would silently swap their values.
 */
#include "store/store_reports.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* Organisations of the subtree at $1. */
#define SUBTREE "(SELECT id FROM org WHERE path LIKE $1 || '%')"

static const char *col_str(struct db_stmt *st, int col)
{
    size_t len;
    return db_col_text(st, col, &len);
}

/* Steps st to the end, handing each row to row_fn. */
static enum err walk(struct db_stmt *st, enum err (*row_fn)(struct db_stmt *st, void *arg),
                     void *arg)
{
    bool row;
    enum err e;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        if ((e = row_fn(st, arg)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

/* A callback and its context, for the row readers below. */
struct cb {
    void *fn;
    void *ctx;
};

/* ------------------------------------------------------------ organisations */

static const char sql_orgs[] = "SELECT id, COALESCE(parent_id, 0), code, name, level,"
                               " division_code, path FROM org WHERE path LIKE $1 || '%'"
                               " ORDER BY id";

static enum err org_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_org o = {db_col_int64(st, 0), db_col_int64(st, 1), col_str(st, 2),
                              col_str(st, 3),      col_str(st, 4),      col_str(st, 5),
                              col_str(st, 6)};
    return ((enum err (*)(void *, const struct store_rpt_org *))x->fn)(x->ctx, &o);
}

enum err store_rpt_orgs_each(struct store_conn *c, const char *path,
                             enum err (*fn)(void *ctx, const struct store_rpt_org *o), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_orgs, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    struct cb x = {(void *)fn, ctx};
    return walk(st, org_row, &x);
}

static const char sql_roots[] = "SELECT count(*) FROM org WHERE parent_id IS NULL";

static enum err one_int(struct db_stmt *st, int64_t *out)
{
    bool row;
    enum err e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB; /* an aggregate always yields a row */
    }
    if (e == ERR_OK) {
        *out = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

enum err store_rpt_root_count(struct store_conn *c, int64_t *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_roots, &st);
    return e != ERR_OK ? e : one_int(st, out);
}

/* ----------------------------------------------------------------- coverage */

/* member_report_dims (org_id, employment, employer_id) answers it alone. */
static const char sql_registered[] =
    "SELECT org_id, employment, COALESCE(employer_id, 0), count(*) FROM member"
    " WHERE org_id IN " SUBTREE " GROUP BY org_id, employment, employer_id";

/* report_cover_dims leads with the group and then member_id, so the
 * distinct count streams within each group. */
static const char sql_enrolled[] =
    "SELECT org_id, employment, COALESCE(employer_id, 0), count(DISTINCT member_id)"
    " FROM report_cover WHERE org_id IN " SUBTREE
    " AND term_end >= $2 AND cover_stop > $2 AND cover_start <= $3"
    " GROUP BY org_id, employment, employer_id";

static enum err group_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_group g = {db_col_int64(st, 0), col_str(st, 1), db_col_int64(st, 2),
                                db_col_int64(st, 3)};
    return ((enum err (*)(void *, const struct store_rpt_group *))x->fn)(x->ctx, &g);
}

enum err store_rpt_registered_each(struct store_conn *c, const char *path,
                                   enum err (*fn)(void *ctx, const struct store_rpt_group *g),
                                   void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_registered, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    struct cb x = {(void *)fn, ctx};
    return walk(st, group_row, &x);
}

enum err store_rpt_enrolled_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_group *g),
                                 void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_enrolled, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_str(st, 2, from);
    db_bind_str(st, 3, to);
    struct cb x = {(void *)fn, ctx};
    return walk(st, group_row, &x);
}

#define EMPLOYER_COLS "id, org_id, uscc, name, ownership, size"
/* The scope's employers without credit code and name (read one by one for
 * the few shown: store_rpt_employer_get). */
static const char sql_employers[] = "SELECT id, org_id, '', '', ownership, size FROM employer"
                                    " WHERE org_id IN " SUBTREE " ORDER BY id";
static const char sql_employer_get[] = "SELECT " EMPLOYER_COLS " FROM employer WHERE id = $1";

static enum err employer_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_employer r = {db_col_int64(st, 0), db_col_int64(st, 1), col_str(st, 2),
                                   col_str(st, 3),      col_str(st, 4),      col_str(st, 5)};
    return ((enum err (*)(void *, const struct store_rpt_employer *))x->fn)(x->ctx, &r);
}

enum err store_rpt_employers_each(struct store_conn *c, const char *path,
                                  enum err (*fn)(void *ctx, const struct store_rpt_employer *e),
                                  void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_employers, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    struct cb x = {(void *)fn, ctx};
    return walk(st, employer_row, &x);
}

struct counted {
    struct cb cb;
    size_t n;
};

static enum err employer_counted(struct db_stmt *st, void *arg)
{
    struct counted *x = arg;
    x->n++;
    return employer_row(st, &x->cb);
}

enum err store_rpt_employer_get(struct store_conn *c, int64_t id,
                                enum err (*fn)(void *ctx, const struct store_rpt_employer *e),
                                void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_employer_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    struct counted x = {{(void *)fn, ctx}, 0};
    e = walk(st, employer_counted, &x);
    return e == ERR_OK && x.n == 0 ? ERR_NOT_FOUND : e;
}

/* ------------------------------------------------------------ contributions */

/* From the rollups report_billed and report_received. */
static const char sql_billed[] =
    "SELECT plan_code, payer, sum(invoices), sum(amount_fen),"
    " sum(CASE WHEN status = 'open' THEN amount_fen - paid_fen ELSE 0 END),"
    " sum(CASE WHEN status = 'lapsed' THEN amount_fen - paid_fen ELSE 0 END)"
    " FROM report_billed WHERE org_id IN " SUBTREE " AND due_date >= $2 AND due_date <= $3"
    " GROUP BY plan_code, payer HAVING sum(invoices) > 0";

static const char sql_received[] =
    "SELECT plan_code, payer, sum(receipts), sum(amount_fen), 0, 0"
    " FROM report_received WHERE org_id IN " SUBTREE " AND paid_on >= $2 AND paid_on <= $3"
    " GROUP BY plan_code, payer HAVING sum(receipts) > 0";

static enum err money_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_money m = {col_str(st, 0),      col_str(st, 1),      db_col_int64(st, 2),
                                db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5)};
    return ((enum err (*)(void *, const struct store_rpt_money *))x->fn)(x->ctx, &m);
}

static enum err range_walk(struct store_conn *c, const char *sql, const char *path,
                           const char *from, const char *to,
                           enum err (*row_fn)(struct db_stmt *, void *), void *fn, void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_str(st, 2, from);
    db_bind_str(st, 3, to);
    struct cb x = {fn, ctx};
    return walk(st, row_fn, &x);
}

enum err store_rpt_billed_each(struct store_conn *c, const char *path, const char *from,
                               const char *to,
                               enum err (*fn)(void *ctx, const struct store_rpt_money *m),
                               void *ctx)
{
    return range_walk(c, sql_billed, path, from, to, money_row, (void *)fn, ctx);
}

enum err store_rpt_received_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_money *m),
                                 void *ctx)
{
    return range_walk(c, sql_received, path, from, to, money_row, (void *)fn, ctx);
}

/* Schedules not refunded, grouped (report_earning); then the refunded ones,
 * one by one (few: the partial index contribution_schedule_cancelled). */
static const char sql_schedules[] =
    "SELECT 0, plan_code, amount_fen, cover_start, cover_end, 0, plan_id, sum(schedules)"
    " FROM report_earning WHERE org_id IN " SUBTREE " AND cover_end >= $2 AND cover_start <= $3"
    " GROUP BY plan_id, plan_code, cover_start, cover_end, amount_fen HAVING sum(schedules) > 0";
static const char sql_schedules_cancelled[] =
    "SELECT s.id, p.code, s.amount_fen, s.cover_start, s.cover_end, 1, p.id, 1"
    " FROM contribution_schedule s JOIN receipt r ON r.journal_entry = s.entry_id"
    " JOIN invoice i ON i.id = r.invoice_id JOIN enrol_batch b ON b.id = i.batch_id"
    " JOIN plan_version p ON p.id = b.plan_id"
    " WHERE +b.org_id IN " SUBTREE " AND s.cover_end >= $2 AND s.cover_start <= $3"
    " AND s.cancelled = 1"; /* +: not by batch (SQLite), by the partial index */

static enum err schedule_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_schedule s = {db_col_int64(st, 0), db_col_int64(st, 6), col_str(st, 1),
                                   db_col_int64(st, 2), col_str(st, 3),      col_str(st, 4),
                                   db_col_int64(st, 5) != 0, db_col_int64(st, 7)};
    return ((enum err (*)(void *, const struct store_rpt_schedule *))x->fn)(x->ctx, &s);
}

enum err store_rpt_schedules_each(struct store_conn *c, const char *path, const char *from,
                                  const char *to,
                                  enum err (*fn)(void *ctx, const struct store_rpt_schedule *s),
                                  void *ctx)
{
    enum err e = range_walk(c, sql_schedules, path, from, to, schedule_row, (void *)fn, ctx);
    if (e == ERR_OK) {
        e = range_walk(c, sql_schedules_cancelled, path, from, to, schedule_row, (void *)fn, ctx);
    }
    return e;
}

static const char sql_earned[] = "SELECT month, amount_fen FROM ledger_earning"
                                 " WHERE schedule_id = $1 ORDER BY month";

static enum err earned_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    return ((enum err (*)(void *, const char *, int64_t))x->fn)(x->ctx, col_str(st, 0),
                                                                 db_col_int64(st, 1));
}

enum err store_rpt_earned_each(struct store_conn *c, int64_t schedule_id,
                               enum err (*fn)(void *ctx, const char *month, int64_t amount_fen),
                               void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_earned, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, schedule_id);
    struct cb x = {(void *)fn, ctx};
    return walk(st, earned_row, &x);
}

/* ------------------------------------------------------------------- claims */

/* Claims by submission month: report_claim_month and report_claim_pair. */
#define MONTHS " AND month >= substr($2, 1, 7) AND month <= substr($3, 1, 7)"

static const char sql_claim_totals[] =
    "SELECT COALESCE(sum(claims), 0), COALESCE(sum(claimed_fen), 0),"
    " COALESCE(sum(CASE WHEN status = 'rejected' THEN claims ELSE 0 END), 0),"
    " COALESCE(sum(CASE WHEN status IN ('approved', 'payable', 'paid', 'closed')"
    "   THEN claims ELSE 0 END), 0)"
    " FROM report_claim_month WHERE org_id IN " SUBTREE MONTHS;

enum err store_rpt_claim_totals(struct store_conn *c, const char *path, const char *from,
                                const char *to, struct store_rpt_claim_totals *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_claim_totals, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_str(st, 2, from);
    db_bind_str(st, 3, to);
    bool row;
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB;
    }
    if (e == ERR_OK) {
        out->claims = db_col_int64(st, 0);
        out->claimed_fen = db_col_int64(st, 1);
        out->rejected = db_col_int64(st, 2);
        out->approved = db_col_int64(st, 3);
        out->pending = out->claims - out->rejected - out->approved;
    }
    db_reset(st);
    return e;
}

static const char sql_claim_months[] =
    "SELECT plan_code, month, sum(pairs), sum(claimed_fen),"
    " sum(CASE WHEN decision = 'reject' THEN pairs ELSE 0 END),"
    " sum(CASE WHEN rejected = 1 THEN pairs ELSE 0 END)"
    " FROM report_claim_pair WHERE org_id IN " SUBTREE MONTHS
    " GROUP BY plan_code, month HAVING sum(pairs) > 0";

static enum err claim_month_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_claim_month m = {col_str(st, 0),      col_str(st, 1),
                                      db_col_int64(st, 2), db_col_int64(st, 3),
                                      db_col_int64(st, 4), db_col_int64(st, 5)};
    return ((enum err (*)(void *, const struct store_rpt_claim_month *))x->fn)(x->ctx, &m);
}

enum err store_rpt_claim_months_each(struct store_conn *c, const char *path, const char *from,
                                     const char *to,
                                     enum err (*fn)(void *ctx,
                                                    const struct store_rpt_claim_month *m),
                                     void *ctx)
{
    return range_walk(c, sql_claim_months, path, from, to, claim_month_row, (void *)fn, ctx);
}

static const char sql_rejections[] =
    "SELECT reject_code, '', sum(claims) FROM report_claim_month"
    " WHERE org_id IN " SUBTREE MONTHS " AND status = 'rejected'"
    " GROUP BY reject_code HAVING sum(claims) > 0";

static const char sql_refusals[] =
    "SELECT reason, plan_code, sum(pairs) FROM report_claim_pair"
    " WHERE org_id IN " SUBTREE MONTHS " AND decision = 'reject'"
    " GROUP BY reason, plan_code HAVING sum(pairs) > 0";

static enum err count_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_count r = {col_str(st, 0), col_str(st, 1), db_col_int64(st, 2)};
    return ((enum err (*)(void *, const struct store_rpt_count *))x->fn)(x->ctx, &r);
}

enum err store_rpt_rejections_each(struct store_conn *c, const char *path, const char *from,
                                   const char *to,
                                   enum err (*fn)(void *ctx, const struct store_rpt_count *r),
                                   void *ctx)
{
    return range_walk(c, sql_rejections, path, from, to, count_row, (void *)fn, ctx);
}

enum err store_rpt_refusals_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_count *r),
                                 void *ctx)
{
    return range_walk(c, sql_refusals, path, from, to, count_row, (void *)fn, ctx);
}

/* report_benefit_month: by the month of the booking entry's value date. */
static const char sql_benefits[] =
    "SELECT plan_code, month, sum(pairs), sum(amount_fen) FROM report_benefit_month"
    " WHERE org_id IN " SUBTREE MONTHS " GROUP BY plan_code, month HAVING sum(pairs) <> 0";

static enum err benefit_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_benefit b = {col_str(st, 0), col_str(st, 1), db_col_int64(st, 2),
                                  db_col_int64(st, 3)};
    return ((enum err (*)(void *, const struct store_rpt_benefit *))x->fn)(x->ctx, &b);
}

enum err store_rpt_benefits_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_benefit *b),
                                 void *ctx)
{
    return range_walk(c, sql_benefits, path, from, to, benefit_row, (void *)fn, ctx);
}

/* Whole tree: the per-day movements of every fund's 5101 account. */
static const char sql_ledger_benefits_all[] =
    "SELECT COALESCE(sum(d.debit_fen - d.credit_fen), 0)"
    " FROM ledger_account a JOIN ledger_account_day d ON d.account_id = a.id"
    " WHERE a.code = '5101' AND d.day >= $1 AND d.day <= $2";

/* A subtree: 5101 lines of claim entries whose claim is in it, and of the
 * reversals of such entries (source id "claim:<id>", compared as text so no
 * cast can fail on another source's id). */
#define LINE_VALUE "CASE WHEN l.side = 'D' THEN l.amount_fen ELSE -l.amount_fen END"
static const char sql_ledger_benefits_subtree[] =
    "SELECT COALESCE(sum(v), 0) FROM ("
    " SELECT " LINE_VALUE " AS v FROM claim c"
    " JOIN ledger_entry le ON le.source_type = 'claim' AND le.source_id = 'claim:' || c.id"
    " JOIN ledger_line l ON l.entry_id = le.id JOIN ledger_account a ON a.id = l.account_id"
    " WHERE c.org_id IN " SUBTREE " AND a.code = '5101'"
    " AND le.entry_date >= $2 AND le.entry_date <= $3"
    " UNION ALL"
    " SELECT " LINE_VALUE " AS v FROM claim c"
    " JOIN ledger_entry o ON o.source_type = 'claim' AND o.source_id = 'claim:' || c.id"
    " JOIN ledger_entry le ON le.reversal_of = o.id"
    " JOIN ledger_line l ON l.entry_id = le.id JOIN ledger_account a ON a.id = l.account_id"
    " WHERE c.org_id IN " SUBTREE " AND a.code = '5101'"
    " AND le.entry_date >= $2 AND le.entry_date <= $3) t";

enum err store_rpt_ledger_benefits(struct store_conn *c, const char *path, const char *from,
                                   const char *to, bool whole_tree, int64_t *out_fen)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(c->db, whole_tree ? sql_ledger_benefits_all : sql_ledger_benefits_subtree, &st);
    if (e != ERR_OK) {
        return e;
    }
    if (whole_tree) {
        db_bind_str(st, 1, from);
        db_bind_str(st, 2, to);
    } else {
        db_bind_str(st, 1, path);
        db_bind_str(st, 2, from);
        db_bind_str(st, 3, to);
    }
    return one_int(st, out_fen);
}

/* --------------------------------------------------------------- timeliness */

static const char sql_paid[] =
    "SELECT id, org_id, channel, submitted_ms, paid_ms, payout_fen FROM claim"
    " WHERE org_id IN " SUBTREE " AND paid_ms >= $2 AND paid_ms < $3"
    " AND submitted_ms IS NOT NULL AND status IN ('paid', 'closed')";

static enum err paid_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_paid p = {db_col_int64(st, 0), db_col_int64(st, 1), col_str(st, 2),
                               db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5)};
    return ((enum err (*)(void *, const struct store_rpt_paid *))x->fn)(x->ctx, &p);
}

enum err store_rpt_paid_each(struct store_conn *c, const char *path, int64_t from_ms,
                             int64_t to_ms,
                             enum err (*fn)(void *ctx, const struct store_rpt_paid *p), void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_paid, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_int64(st, 2, from_ms);
    db_bind_int64(st, 3, to_ms);
    struct cb x = {(void *)fn, ctx};
    return walk(st, paid_row, &x);
}

/* --------------------------------------------------------------------- fund */

static const char sql_periods[] =
    "SELECT f.code, f.name, p.period, p.closed_at, p.report"
    " FROM ledger_period p JOIN fund f ON f.id = p.fund_id"
    " WHERE p.period >= $1 AND p.period <= $2 ORDER BY f.code, p.period";

static enum err period_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    size_t len;
    const char *report = db_col_text(st, 4, &len);
    struct store_rpt_period p = {col_str(st, 0), col_str(st, 1), col_str(st, 2),
                                 col_str(st, 3), report,         len};
    return ((enum err (*)(void *, const struct store_rpt_period *))x->fn)(x->ctx, &p);
}

enum err store_rpt_periods_each(struct store_conn *c, const char *from_period,
                                const char *to_period,
                                enum err (*fn)(void *ctx, const struct store_rpt_period *p),
                                void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_periods, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, from_period);
    db_bind_str(st, 2, to_period);
    struct cb x = {(void *)fn, ctx};
    return walk(st, period_row, &x);
}

/* ---------------------------------------------------------------- referrals */

static const char sql_referrals[] =
    "SELECT a.member_id, m.name, a.year, a.org_id, a.oop_fen, a.aid_paid_fen, a.remaining_fen,"
    " a.hardship, a.reason, a.status FROM assistance_referral a"
    " JOIN member m ON m.id = a.member_id"
    " WHERE a.org_id IN " SUBTREE " AND a.year >= $2 AND a.year <= $3"
    " ORDER BY a.remaining_fen DESC, a.member_id, a.year";

static enum err referral_row(struct db_stmt *st, void *arg)
{
    struct cb *x = arg;
    struct store_rpt_referral r = {
        db_col_int64(st, 0), col_str(st, 1),      db_col_int64(st, 2),     db_col_int64(st, 3),
        db_col_int64(st, 4), db_col_int64(st, 5), db_col_int64(st, 6),     db_col_int64(st, 7) != 0,
        col_str(st, 8),      col_str(st, 9)};
    return ((enum err (*)(void *, const struct store_rpt_referral *))x->fn)(x->ctx, &r);
}

enum err store_rpt_referrals_each(struct store_conn *c, const char *path, int64_t from_year,
                                  int64_t to_year,
                                  enum err (*fn)(void *ctx, const struct store_rpt_referral *r),
                                  void *ctx)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_referrals, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
    db_bind_int64(st, 2, from_year);
    db_bind_int64(st, 3, to_year);
    struct cb x = {(void *)fn, ctx};
    return walk(st, referral_row, &x);
}

/* ------------------------------------------------------------------ what-if */

static const char sql_replay[] =
    "SELECT c.id, c.member_id, c.org_id, c.status, c.plan_codes, c.submitted_on, c.cause,"
    " c.admission_date, c.discharge_date, c.diagnosis_date, c.accident_date, c.accident_id,"
    " c.outcome, c.grade, c.disease_enc, c.has_settlement, c.total_fen, c.fund_paid_fen,"
    " c.serious_illness_paid_fen, c.assistance_paid_fen, c.other_paid_fen,"
    " c.self_pay_in_scope_fen, c.self_pay_out_scope_fen, c.invoices, c.reject_code,"
    " c.channel, r.decision, COALESCE(r.reason, ''), r.payout_fen"
    " FROM claim c JOIN claim_result r ON r.claim_id = c.id"
    " WHERE c.org_id IN " SUBTREE " AND r.plan_code = $2"
    " AND c.submitted_on >= $3 AND c.submitted_on <= $4"
    " ORDER BY c.member_id, c.submitted_on, c.id";

static void copy_col(struct db_stmt *st, int col, char *buf, size_t cap)
{
    size_t len;
    const char *s = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* A date column, or absent; ERR_DB for a stored date that does not parse. */
static enum err opt_date(struct db_stmt *st, int col, unsigned bit, struct store_claim *r,
                         struct date *out)
{
    if (db_col_is_null(st, col)) {
        return ERR_OK;
    }
    size_t len;
    const char *s = db_col_text(st, col, &len);
    if (date_parse(s, len, out) != ERR_OK) {
        return ERR_DB;
    }
    r->dates_present |= bit;
    return ERR_OK;
}

struct replay_walk {
    struct cb cb;
    struct store_claim *r;
};

static enum err replay_row(struct db_stmt *st, void *arg)
{
    struct replay_walk *x = arg;
    struct store_claim *r = x->r;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->member_id = db_col_int64(st, 1);
    r->org_id = db_col_int64(st, 2);
    copy_col(st, 3, r->status, sizeof(r->status));
    copy_col(st, 4, r->plan_codes, sizeof(r->plan_codes));
    enum err e = opt_date(st, 5, STORE_CLAIM_HAS_SUBMITTED, r, &r->submitted_on);
    copy_col(st, 6, r->cause, sizeof(r->cause));
    if (e == ERR_OK) {
        e = opt_date(st, 7, STORE_CLAIM_HAS_ADMISSION, r, &r->admission_date);
    }
    if (e == ERR_OK) {
        e = opt_date(st, 8, STORE_CLAIM_HAS_DISCHARGE, r, &r->discharge_date);
    }
    if (e == ERR_OK) {
        e = opt_date(st, 9, STORE_CLAIM_HAS_DIAGNOSIS, r, &r->diagnosis_date);
    }
    if (e == ERR_OK) {
        e = opt_date(st, 10, STORE_CLAIM_HAS_ACCIDENT, r, &r->accident_date);
    }
    if (e != ERR_OK) {
        return e;
    }
    copy_col(st, 11, r->accident_id, sizeof(r->accident_id));
    copy_col(st, 12, r->outcome, sizeof(r->outcome));
    r->grade = (int32_t)db_col_int64(st, 13);
    size_t len;
    const void *blob = db_col_blob(st, 14, &len);
    if (len > sizeof(r->disease_enc)) {
        return ERR_DB;
    }
    memcpy(r->disease_enc, blob, len);
    r->disease_enc_len = len;
    r->has_settlement = db_col_int64(st, 15) != 0;
    for (int i = 0; i < 7; i++) {
        r->settlement_fen[i] = db_col_int64(st, 16 + i);
    }
    copy_col(st, 23, r->invoices, sizeof(r->invoices));
    copy_col(st, 24, r->reject_code, sizeof(r->reject_code));
    copy_col(st, 25, r->channel, sizeof(r->channel));
    struct store_rpt_replay p = {r, col_str(st, 26), col_str(st, 27), db_col_int64(st, 28)};
    return ((enum err (*)(void *, const struct store_rpt_replay *))x->cb.fn)(x->cb.ctx, &p);
}

enum err store_rpt_replay_each(struct store_conn *c, const char *path, const char *plan_code,
                               const char *from, const char *to,
                               enum err (*fn)(void *ctx, const struct store_rpt_replay *r),
                               void *ctx)
{
    struct store_claim *r = malloc(sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_replay, &st);
    if (e == ERR_OK) {
        db_bind_str(st, 1, path);
        db_bind_str(st, 2, plan_code);
        db_bind_str(st, 3, from);
        db_bind_str(st, 4, to);
        struct replay_walk x = {{(void *)fn, ctx}, r};
        e = walk(st, replay_row, &x);
    }
    free(r);
    return e;
}

/* ------------------------------------------------------------ rollups check */

/* Each rollup against the facts it sums: rows in one and not the other,
 * both ways (zero-count rows of the rollups left aside). */
#define DIFF(rollup, facts)                                                                        \
    "SELECT (SELECT count(*) FROM (" rollup " EXCEPT " facts ") a)"                               \
    " + (SELECT count(*) FROM (" facts " EXCEPT " rollup ") b)"

static const char sql_check_cover[] = DIFF(
    "SELECT enrolment_id, member_id, org_id, employer_id, employment, plan_code, cover_start,"
    " term_end, cover_stop FROM report_cover",
    "SELECT e.id, e.member_id, m.org_id, m.employer_id, m.employment, e.plan_code, e.cover_start,"
    " e.term_end, COALESCE(e.cancelled_on, '9999-12-31') FROM enrolment e"
    " JOIN member m ON m.id = e.member_id WHERE e.cover_start IS NOT NULL"
    " AND e.status IN ('active', 'cancelled')"
    " AND (e.cancelled_on IS NULL OR e.cancelled_on > e.cover_start)");

static const char sql_check_claim_month[] = DIFF(
    "SELECT org_id, month, status, reject_code, claims, claimed_fen FROM report_claim_month"
    " WHERE claims <> 0 OR claimed_fen <> 0",
    "SELECT org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, ''), count(*),"
    " sum(total_fen) FROM claim WHERE submitted_on IS NOT NULL"
    " GROUP BY org_id, substr(submitted_on, 1, 7), status, COALESCE(reject_code, '')");

static const char sql_check_claim_pair[] = DIFF(
    "SELECT org_id, month, plan_code, decision, reason, rejected, pairs, claimed_fen"
    " FROM report_claim_pair WHERE pairs <> 0 OR claimed_fen <> 0",
    "SELECT c.org_id, substr(c.submitted_on, 1, 7), r.plan_code, r.decision,"
    " COALESCE(r.reason, ''), CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END, count(*),"
    " sum(c.total_fen) FROM claim_result r JOIN claim c ON c.id = r.claim_id"
    " WHERE c.submitted_on IS NOT NULL"
    " GROUP BY c.org_id, substr(c.submitted_on, 1, 7), r.plan_code, r.decision,"
    " COALESCE(r.reason, ''), CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END");

static const char sql_check_benefit[] = DIFF(
    "SELECT org_id, month, plan_code, pairs, amount_fen FROM report_benefit_month"
    " WHERE pairs <> 0 OR amount_fen <> 0",
    "SELECT c.org_id, le.period, r.plan_code, count(*), sum(r.payout_fen) FROM claim_result r"
    " JOIN claim c ON c.id = r.claim_id JOIN ledger_entry le ON le.id = r.payable_entry"
    " GROUP BY c.org_id, le.period, r.plan_code");

static const char sql_check_earning[] = DIFF(
    "SELECT org_id, plan_id, plan_code, cover_start, cover_end, amount_fen, schedules"
    " FROM report_earning WHERE schedules <> 0",
    "SELECT b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen, count(*)"
    " FROM contribution_schedule s JOIN receipt r ON r.journal_entry = s.entry_id"
    " JOIN invoice i ON i.id = r.invoice_id JOIN enrol_batch b ON b.id = i.batch_id"
    " JOIN plan_version p ON p.id = b.plan_id WHERE s.cancelled = 0"
    " GROUP BY b.org_id, b.plan_id, p.code, s.cover_start, s.cover_end, s.amount_fen");

static const char sql_check_billed[] = DIFF(
    "SELECT org_id, plan_code, payer, due_date, status, invoices, amount_fen, paid_fen"
    " FROM report_billed WHERE invoices <> 0",
    "SELECT b.org_id, p.code, i.payer, i.due_date, i.status, count(*), sum(i.amount_fen),"
    " sum(i.paid_fen) FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id"
    " JOIN plan_version p ON p.id = b.plan_id"
    " GROUP BY b.org_id, p.code, i.payer, i.due_date, i.status");

static const char sql_check_received[] = DIFF(
    "SELECT org_id, plan_code, payer, paid_on, receipts, amount_fen FROM report_received"
    " WHERE receipts <> 0",
    "SELECT b.org_id, p.code, i.payer, r.paid_on, count(*), sum(r.amount_fen) FROM receipt r"
    " JOIN invoice i ON i.id = r.invoice_id JOIN enrol_batch b ON b.id = i.batch_id"
    " JOIN plan_version p ON p.id = b.plan_id GROUP BY b.org_id, p.code, i.payer, r.paid_on");

enum err store_rpt_rollups_check(struct store_conn *c, struct store_rpt_rollups_diff *out)
{
    const char *const sql[] = {sql_check_cover,   sql_check_claim_month, sql_check_claim_pair,
                               sql_check_benefit, sql_check_earning,     sql_check_billed,
                               sql_check_received};
    int64_t *dst[] = {&out->cover,   &out->claim_month, &out->claim_pair, &out->benefit_month,
                      &out->earning, &out->billed,      &out->received};
    enum err e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < sizeof(sql) / sizeof(sql[0]); i++) {
        struct db_stmt *st;
        if ((e = db_prepare(c->db, sql[i], &st)) == ERR_OK) {
            e = one_int(st, dst[i]);
        }
    }
    return e;
}
