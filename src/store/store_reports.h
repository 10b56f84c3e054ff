/*
 * store_reports: every SQL statement of the supervision reports (监督报表).
 *
 * Pure reads, outside any transaction, meant for a read connection
 * (store_acquire_read: the replica when there is one). Each function runs
 * one statement, so its rows come from one snapshot; a report that needs
 * several statements may see the database move between them by what was
 * committed meanwhile (the replica lags anyway), never by half a
 * transaction.
 *
 * A subtree is named by its materialised path ('/1/3/'): a row is in it when
 * its organisation's path starts with that text. Dates are 'YYYY-MM-DD'
 * text (NUL-terminated, already validated), ranges are inclusive; times are
 * Unix milliseconds, ranges half-open [from_ms, to_ms). Money is int64 fen.
 *
 * Rows reach a callback by const pointer; text in a row is valid during the
 * call only, and the callback must not use the connection. A non-OK result
 * of the callback stops the walk and is returned. Aggregates come grouped
 * but in no particular order (backends collate text differently): the
 * domain orders what it shows.
 */
#ifndef HUZHU_STORE_STORE_REPORTS_H
#define HUZHU_STORE_STORE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_claims.h"

#define STORE_RPT_CODE_BYTES 64  /* org, plan and fund codes; uscc (18) */
#define STORE_RPT_NAME_BYTES 200 /* 50 characters of up to 4 bytes */
#define STORE_RPT_WORD_BYTES 24  /* enumerations: employment, payer, status, reason */

/* ------------------------------------------------------------ organisations */

struct store_rpt_org {
    int64_t id;
    int64_t parent_id; /* 0 for a root */
    const char *code;
    const char *name;
    const char *level;
    const char *division_code;
    const char *path;
};

/* Every organisation of the subtree, in id order. */
enum err store_rpt_orgs_each(struct store_conn *c, const char *path,
                             enum err (*fn)(void *ctx, const struct store_rpt_org *o),
                             void *ctx) WARN_UNUSED;

/* Organisations without a parent (the tree's roots). */
enum err store_rpt_root_count(struct store_conn *c, int64_t *out) WARN_UNUSED;

/* ----------------------------------------------------------------- coverage */

/* A group of members: organisation x employment form x employer (0: none). */
struct store_rpt_group {
    int64_t org_id;
    const char *employment;
    int64_t employer_id;
    int64_t members;
};

/* Members registered in the subtree, per group. */
enum err store_rpt_registered_each(struct store_conn *c, const char *path,
                                   enum err (*fn)(void *ctx, const struct store_rpt_group *g),
                                   void *ctx) WARN_UNUSED;

/* Distinct members of the subtree covered by some enrolment on at least one
 * day of [from, to], per group (from the report_cover rollup). */
enum err store_rpt_enrolled_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_group *g),
                                 void *ctx) WARN_UNUSED;

struct store_rpt_employer {
    int64_t id;
    int64_t org_id;
    const char *uscc;
    const char *name;
    const char *ownership;
    const char *size;
};

/* Employers registered with an organisation of the subtree, in id order,
 * without credit code and name ("": read the few shown by id). */
enum err store_rpt_employers_each(struct store_conn *c, const char *path,
                                  enum err (*fn)(void *ctx, const struct store_rpt_employer *e),
                                  void *ctx) WARN_UNUSED;

/* One employer by id (any organisation). ERR_NOT_FOUND. */
enum err store_rpt_employer_get(struct store_conn *c, int64_t id,
                                enum err (*fn)(void *ctx, const struct store_rpt_employer *e),
                                void *ctx) WARN_UNUSED;

/* ------------------------------------------------------------ contributions */

/* Money of one payer in one plan code. */
struct store_rpt_money {
    const char *plan_code;
    const char *payer;      /* employer | union | worker | gift */
    int64_t count;          /* invoices, or receipts */
    int64_t amount_fen;     /* billed, or received */
    int64_t open_fen;       /* billed: still owed on open invoices */
    int64_t lapsed_fen;     /* billed: left unpaid on lapsed invoices */
};

/* Invoices of the subtree's batches due in [from, to]. */
enum err store_rpt_billed_each(struct store_conn *c, const char *path, const char *from,
                               const char *to,
                               enum err (*fn)(void *ctx, const struct store_rpt_money *m),
                               void *ctx) WARN_UNUSED;

/* Receipts against the subtree's invoices paid in [from, to]. */
enum err store_rpt_received_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_money *m),
                                 void *ctx) WARN_UNUSED;

/* Contribution schedules (one receipt's cover term each) of the subtree:
 * count alike ones (same plan version, amount and term; id 0), or one
 * refunded schedule (cancelled, count 1, its id). */
struct store_rpt_schedule {
    int64_t id;
    int64_t plan_id; /* the plan version enrolled */
    const char *plan_code;
    int64_t amount_fen;
    const char *cover_start;
    const char *cover_end;
    bool cancelled; /* refunded: only what it earned counts (store_rpt_earned_each) */
    int64_t count;  /* schedules alike */
};

/* Schedules of receipts against the subtree's invoices whose cover term
 * meets [from, to]: the groups of those not refunded (report_earning), then
 * the refunded ones. */
enum err store_rpt_schedules_each(struct store_conn *c, const char *path, const char *from,
                                  const char *to,
                                  enum err (*fn)(void *ctx, const struct store_rpt_schedule *s),
                                  void *ctx) WARN_UNUSED;

/* The months a schedule actually earned ('YYYY-MM', amount), in month order. */
enum err store_rpt_earned_each(struct store_conn *c, int64_t schedule_id,
                               enum err (*fn)(void *ctx, const char *month, int64_t amount_fen),
                               void *ctx) WARN_UNUSED;

/* ------------------------------------------------------------------- claims */

/* Claims of the subtree submitted in the months of from .. to (whole
 * months: the rollups report_claim_month and report_claim_pair), all plans
 * together. */
struct store_rpt_claim_totals {
    int64_t claims;       /* submitted (any status but draft) */
    int64_t claimed_fen;  /* settlement totals */
    int64_t rejected;     /* in status rejected */
    int64_t approved;     /* in status approved, payable, paid or closed */
    int64_t pending;      /* submitted .. assessed, appealed */
};
enum err store_rpt_claim_totals(struct store_conn *c, const char *path, const char *from,
                                const char *to, struct store_rpt_claim_totals *out) WARN_UNUSED;

/* Per plan code and submission month ('YYYY-MM') of claims submitted in
 * the months of from .. to: the claim-plan pairs judged, their claims' settlement totals,
 * the pairs the engine refused and the claims rejected. */
struct store_rpt_claim_month {
    const char *plan_code;
    const char *month;
    int64_t claims;
    int64_t claimed_fen;
    int64_t refused;
    int64_t rejected;
};
enum err store_rpt_claim_months_each(struct store_conn *c, const char *path, const char *from,
                                     const char *to,
                                     enum err (*fn)(void *ctx,
                                                    const struct store_rpt_claim_month *m),
                                     void *ctx) WARN_UNUSED;

/* Claims rejected (status rejected), per reason code, submitted in range. */
struct store_rpt_count {
    const char *key;   /* the reason code ("" when none was recorded) */
    const char *key2;  /* plan code for refusals, else "" */
    int64_t count;
};
enum err store_rpt_rejections_each(struct store_conn *c, const char *path, const char *from,
                                   const char *to,
                                   enum err (*fn)(void *ctx, const struct store_rpt_count *r),
                                   void *ctx) WARN_UNUSED;
/* Claim-plan pairs the engine refused, per plan code and reason. */
enum err store_rpt_refusals_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_count *r),
                                 void *ctx) WARN_UNUSED;

/* Benefits booked on approval (5101 <- 2241; claim_result.payable_entry)
 * with a value date in the months of from .. to, per plan code and month of
 * the value date, for claims of the subtree (report_benefit_month). */
struct store_rpt_benefit {
    const char *plan_code;
    const char *month;
    int64_t pairs;
    int64_t amount_fen;
};
enum err store_rpt_benefits_each(struct store_conn *c, const char *path, const char *from,
                                 const char *to,
                                 enum err (*fn)(void *ctx, const struct store_rpt_benefit *b),
                                 void *ctx) WARN_UNUSED;

/* The ledger's side of the same figure: the net movement (debits minus
 * credits) of benefit expense (5101) with a value date in [from, to]. With
 * whole_tree, every 5101 account of every fund (from the per-day
 * movements); otherwise the lines of entries booked for claims of the
 * subtree (source claim:<id>) and of reversals of those entries. */
enum err store_rpt_ledger_benefits(struct store_conn *c, const char *path, const char *from,
                                   const char *to, bool whole_tree,
                                   int64_t *out_fen) WARN_UNUSED;

/* --------------------------------------------------------------- timeliness */

/* A claim of the subtree paid (status paid or closed) within [from_ms, to_ms). */
struct store_rpt_paid {
    int64_t id;
    int64_t org_id;
    const char *channel;
    int64_t submitted_ms;
    int64_t paid_ms;
    int64_t payout_fen;
};
enum err store_rpt_paid_each(struct store_conn *c, const char *path, int64_t from_ms,
                             int64_t to_ms,
                             enum err (*fn)(void *ctx, const struct store_rpt_paid *p),
                             void *ctx) WARN_UNUSED;

/* --------------------------------------------------------------------- fund */

/* A closed period of a fund and its stored report (canonical JSON). */
struct store_rpt_period {
    const char *fund;
    const char *fund_name;
    const char *period;
    const char *closed_at;
    const char *report;
    size_t report_len;
};
/* Closed periods from_period..to_period ('YYYY-MM'), by fund code then period. */
enum err store_rpt_periods_each(struct store_conn *c, const char *from_period,
                                const char *to_period,
                                enum err (*fn)(void *ctx, const struct store_rpt_period *p),
                                void *ctx) WARN_UNUSED;

/* ---------------------------------------------------------------- referrals */

struct store_rpt_referral {
    int64_t member_id;
    const char *member_name;
    int64_t year;
    int64_t org_id;
    int64_t oop_fen, aid_paid_fen, remaining_fen;
    bool hardship;
    const char *reason; /* threshold | hardship */
    const char *status; /* open | handled */
};
/* Referrals of the subtree for years from_year..to_year, by remaining cost
 * descending then member id. */
enum err store_rpt_referrals_each(struct store_conn *c, const char *path, int64_t from_year,
                                  int64_t to_year,
                                  enum err (*fn)(void *ctx, const struct store_rpt_referral *r),
                                  void *ctx) WARN_UNUSED;

/* ------------------------------------------------------------------ what-if */

/* One claim to replay with its current result under plan_code. r is filled
 * with what the engine reads (ids, status, plan codes, dates, event,
 * settlement, invoices, sealed disease code, reject code); the rest of r is
 * zero. */
struct store_rpt_replay {
    const struct store_claim *claim;
    const char *decision;  /* the stored result under the code: approve | reject */
    const char *reason;    /* its reason code, "" for none */
    int64_t payout_fen;    /* its payout */
};
/* Claims of the subtree submitted in [from, to] with a result under
 * plan_code, ordered by member, submission date and id. */
enum err store_rpt_replay_each(struct store_conn *c, const char *path, const char *plan_code,
                               const char *from, const char *to,
                               enum err (*fn)(void *ctx, const struct store_rpt_replay *r),
                               void *ctx) WARN_UNUSED;

/* --------------------------------------------------------- rollups check */

/* Rows by which each rollup differs from a recomputation from its facts
 * (every one 0 when they are exact). Full scans: for tests, benches and
 * audits, not for requests. */
struct store_rpt_rollups_diff {
    int64_t cover, claim_month, claim_pair, benefit_month, earning, billed, received;
};
enum err store_rpt_rollups_check(struct store_conn *c,
                                 struct store_rpt_rollups_diff *out) WARN_UNUSED;

#endif
