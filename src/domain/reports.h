/*
 * reports: the supervision reports (监督报表) unions and auditors read, and
 * the outreach list (参保一家，带动一片).
 *
 * Every report is filtered by an organisation subtree (the caller's, or an
 * organisation inside it) and a date range [from, to] (inclusive), and comes
 * back as a struct rpt_doc: named tables of typed cells that render to JSON
 * (rpt_doc_to_json), CSV and XLSX (domain/export.h) from the same numbers.
 * No floats: money is int64 fen, ratios are int64 basis points ROUNDED DOWN
 * (floor(num * 10000 / den)), NULL when the denominator is 0.
 *
 * Definitions (what each figure counts):
 *   coverage      registered = members on the register of the subtree (the
 *                 register keeps no leaving date, so it is today's roster);
 *                 enrolled = those of them covered by some enrolment on at
 *                 least one day of [from, to] (paid: a cover start; active
 *                 or cancelled after it); participation_bp = enrolled /
 *                 registered. By region (each child organisation of the
 *                 scope with its subtree, plus the scope's own members),
 *                 employer ownership, employer size ("none": no employer)
 *                 and employment form. Called out: gig workers (every form
 *                 but standard) and SME staff (employers sized medium, small
 *                 or micro: 中小微).
 *   contributions billed = invoices of the subtree's enrolment batches due in
 *                 [from, to], with what is still owed on open ones and left
 *                 unpaid on lapsed ones; received = receipts paid in
 *                 [from, to]; by payer (employer, union, worker, gift) and
 *                 plan code.
 *   claims        whole months: from's month through to's month. claims,
 *                 claimed_fen (settlement totals), rejected (status
 *                 rejected) and refused pairs by the SUBMISSION month;
 *                 paid_fen = benefits booked when the claim was approved
 *                 (benefit expense 5101 <- 2241) by the ledger VALUE DATE's
 *                 month; earned_fen = contributions earned in the month by
 *                 the ledger's own rule (ledger_split_by_days over each
 *                 receipt's cover term; for a refunded schedule only what it
 *                 earned); loss_ratio_bp = paid / earned. By plan code and
 *                 month. total.ledger_benefits_fen is the same period's net
 *                 5101 movement in the ledger for the subtree and
 *                 total.reconciled says whether it equals paid_fen.
 *   timeliness    claims paid (status paid or closed) with the payment time
 *                 in [from, to] (China Standard Time days): elapsed =
 *                 paid_ms - submitted_ms; days = floor(elapsed / 86400000).
 *                 Percentiles by the NEAREST-RANK method: sort the n values
 *                 ascending, the p-th percentile is the value at rank
 *                 ceil(p * n / 100) (1-based); the median is p = 50 (the
 *                 lower middle value when n is even). By region and channel
 *                 (online, offline, auto = no application).
 *   fund          per fund and closed period in from's month .. to's month,
 *                 the figures the ledger stored when it closed the period
 *                 (balances, reserve ratio, management-expense ratio). Funds
 *                 are the scheme's: the same for every subtree.
 *   referrals     the assistance referral list (帮扶衔接) of the subtree for
 *                 the years from's year .. to's year, by remaining cost.
 *   outreach      employers of the subtree's members (and employers
 *                 registered in the subtree without members) whose
 *                 participation in [from, to] is below threshold_bp (or who
 *                 have no enrolment at all), ranked by staff count; the
 *                 gig-worker groups (employment form x organisation) below
 *                 the threshold, ranked by members not covered.
 *
 * Functions here read only; pass a read connection (store_acquire_read).
 * A member caller is ERR_FORBIDDEN; an org_id that does not exist or lies
 * outside the caller's subtree is ERR_NOT_FOUND.
 */
#ifndef HUZHU_DOMAIN_REPORTS_H
#define HUZHU_DOMAIN_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/auth.h"
#include "store/store.h"

#define RPT_TABLES_MAX 12          /* tables of one report */
#define REPORTS_MONTHS_MAX 120     /* a range spans at most ten years of months */
#define REPORTS_PLANS_MAX 64       /* plan codes one report breaks down */
#define REPORTS_PAGE_MAX 500       /* rows of a list in one JSON answer (LIMIT_PAGE_MAX) */
#define REPORTS_EXPORT_ROWS_MAX 100000 /* rows of a list in one export; more is truncated */
#define REPORTS_FIELD_MAX 32       /* bytes of an input field name in an error */

/* ---------------------------------------------------------- the document */

enum rpt_kind {
    RPT_TEXT, /* UTF-8 text */
    RPT_INT,  /* int64: counts, fen, basis points, milliseconds (the name says which) */
    RPT_BOOL, /* i is 0 or 1 */
};

struct rpt_col {
    const char *name;   /* JSON key and CSV/XLSX header: English, units last */
    enum rpt_kind kind;
};

struct rpt_cell {
    bool null;      /* no value (a ratio over 0, an absent name) */
    int64_t i;      /* RPT_INT; RPT_BOOL 0 or 1 */
    const char *s;  /* RPT_TEXT: NUL-terminated, owned by the document */
};

struct rpt_table {
    const char *name;           /* "by_region": JSON key, CSV section, XLSX sheet */
    const struct rpt_col *cols; /* static */
    size_t ncols;
    bool single;                /* exactly one row: rendered as a JSON object */
    bool truncated;             /* rows were left out (a page, or the export cap) */
    struct rpt_cell *cells;     /* nrows * ncols, row-major */
    size_t nrows, cap;
};

struct rpt_chunk;

struct rpt_doc {
    const char *report;      /* "coverage", ... (static) */
    int64_t org_id;          /* the scope */
    char org_code[64];
    char org_name[201];
    char from[11], to[11];   /* the range as applied ('YYYY-MM-DD') */
    size_t ntables;
    struct rpt_table tables[RPT_TABLES_MAX];
    struct rpt_chunk *chunks; /* text of the cells */
};

/* A new empty document for report (static name). NULL when out of memory. */
struct rpt_doc *rpt_doc_new(const char *report);
void rpt_doc_free(struct rpt_doc *d);

/* Adds a table (name and cols static); NULL when RPT_TABLES_MAX is reached. */
struct rpt_table *rpt_table_add(struct rpt_doc *d, const char *name, const struct rpt_col *cols,
                                size_t ncols, bool single);

/* Appends a row of ncols NULL cells; *out points at its first cell (valid
 * until the next row is added). ERR_NOMEM. */
enum err rpt_row_add(struct rpt_table *t, struct rpt_cell **out) WARN_UNUSED;

/* Sets a cell. rpt_set_text copies s into the document (ERR_NOMEM). */
void rpt_set_int(struct rpt_cell *cell, int64_t v);
enum err rpt_set_text(struct rpt_doc *d, struct rpt_cell *cell, const char *s) WARN_UNUSED;
/* floor(num * 10000 / den), or NULL when den is 0 (num, den >= 0). */
void rpt_set_bp(struct rpt_cell *cell, int64_t num, int64_t den);

/* The table named name, or NULL. */
const struct rpt_table *rpt_doc_find(const struct rpt_doc *d, const char *name);

/* {"report", "org": {id, code, name}, "from", "to", <table>: [rows] or
 * {row}, "<table>_truncated": true when truncated}. NULL when out of memory. */
json_t *rpt_doc_to_json(const struct rpt_doc *d);

/* floor(num * 10000 / den) in basis points; false when den <= 0 or num < 0. */
bool reports_ratio_bp(int64_t num, int64_t den, int64_t *out_bp);

/* Nearest-rank percentile (see the header comment) of v[0..n), which must
 * be sorted ascending; n > 0 and 1 <= p <= 100. */
int64_t reports_percentile(const int64_t *v, size_t n, int p);

/* ------------------------------------------------------------- the query */

struct reports_query {
    const struct auth_user *user; /* the caller; its subtree bounds everything */
    int64_t org_id;               /* 0: the caller's organisation; else one in its subtree */
    struct date from, to;         /* inclusive, from <= to, at most REPORTS_MONTHS_MAX months */
    bool export_all;              /* lists: every row up to REPORTS_EXPORT_ROWS_MAX */
    int64_t after_id;             /* timeliness claim list: ids after this one */
    size_t limit;                 /* list rows per JSON answer, 1..REPORTS_PAGE_MAX */
    int64_t threshold_bp;         /* outreach: participation below this, 0..10000 */
};

/* Every report: ERR_FORBIDDEN for a member, ERR_NOT_FOUND for an org_id out
 * of scope, ERR_INVALID_DATE when to < from (field "to"), ERR_RANGE when the
 * range spans more than REPORTS_MONTHS_MAX months (field "from"), ERR_INVALID
 * for a bad limit or threshold (field "limit" / "threshold_bp"); err_field
 * (may be NULL, REPORTS_FIELD_MAX bytes) names the input at fault.
 * *out is a new document (rpt_doc_free). */
enum err reports_coverage(struct store_conn *c, const struct reports_query *q,
                          struct rpt_doc **out, char *err_field) WARN_UNUSED;
enum err reports_contributions(struct store_conn *c, const struct reports_query *q,
                               struct rpt_doc **out, char *err_field) WARN_UNUSED;
enum err reports_claims(struct store_conn *c, const struct reports_query *q, struct rpt_doc **out,
                        char *err_field) WARN_UNUSED;
enum err reports_timeliness(struct store_conn *c, const struct reports_query *q,
                            struct rpt_doc **out, char *err_field) WARN_UNUSED;
enum err reports_fund(struct store_conn *c, const struct reports_query *q, struct rpt_doc **out,
                      char *err_field) WARN_UNUSED;
enum err reports_referrals(struct store_conn *c, const struct reports_query *q,
                           struct rpt_doc **out, char *err_field) WARN_UNUSED;
enum err reports_outreach(struct store_conn *c, const struct reports_query *q,
                          struct rpt_doc **out, char *err_field) WARN_UNUSED;

/* The scope of q: the organisation's id, code, name and path, after the
 * checks every report makes (role, org_id in the caller's subtree, range).
 * For sibling modules (whatif). */
struct reports_scope {
    int64_t org_id;
    int64_t parent_id; /* 0: a root of the tree */
    char code[64];
    char name[201];
    char path[512];
};
enum err reports_scope_of(struct store_conn *c, const struct reports_query *q,
                          struct reports_scope *out, char *err_field) WARN_UNUSED;

/* year * 12 + month - 1 of d: the month indexes below. */
int reports_month_index(struct date d);

/* Contributions of the subtree earned in months m0..m1 (month indexes), by
 * the ledger's rule (see reports_claims), one call per (schedule, month)
 * with the plan version enrolled and its code. For sibling modules (whatif). */
typedef enum err reports_earned_fn(void *ctx, int64_t plan_id, const char *plan_code, int month,
                                   int64_t amount_fen);
enum err reports_earned_each(struct store_conn *c, const char *path, int m0, int m1,
                             reports_earned_fn *fn, void *ctx) WARN_UNUSED;

/* Rows by which the reports' rollups (migration 0008) differ from a
 * recomputation from the facts they sum: 0 when they are exact. A full scan
 * of claims, enrolments and schedules: for tests, benches and audits. */
enum err reports_rollups_verify(struct store_conn *c, int64_t *out_rows) WARN_UNUSED;

#endif
