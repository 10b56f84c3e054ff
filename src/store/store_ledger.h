/*
 * store_ledger: rows of the fund ledger (0004_ledger.sql): funds, accounts,
 * fund-use rules, journal entries and lines, per-day account movements,
 * payments awaiting approval, contribution schedules and closed periods.
 *
 * Pure storage: domain/ledger validates, decides and computes digests; these
 * functions bind and run SQL, inside the caller's transaction. Text is
 * NUL-terminated UTF-8 already validated by the domain. The entry write
 * order is fixed by the schema: reserve an id, insert every line (naming
 * the entry's line count), then the header (which seals the entry and
 * makes the database check its balance).
 * Sides are the characters 'D' and 'C'; nets are debit minus credit.
 */
#ifndef HUZHU_STORE_STORE_LEDGER_H
#define HUZHU_STORE_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_LEDGER_DIGEST_BYTES 32   /* SHA-256 */
#define STORE_LEDGER_FUND_CODE_MAX 32  /* bytes of a fund code (plan codes are short) */
#define STORE_LEDGER_NAME_MAX 128      /* bytes of a fund or account name */
#define STORE_LEDGER_ACCOUNT_CODE_MAX 8 /* '1002' */
#define STORE_LEDGER_TYPE_MAX 16       /* 'net_assets' */
#define STORE_LEDGER_SOURCE_MAX 16     /* 'payout_batch' */
#define STORE_LEDGER_SOURCE_ID_MAX 64  /* a claim or batch reference */
#define STORE_LEDGER_MEMO_MAX 512      /* bytes: a line of explanation, not a document */
#define STORE_LEDGER_KEY_MAX 128       /* idempotency key bytes */
#define STORE_LEDGER_REASON_MAX 512    /* refusal reason bytes */
#define STORE_LEDGER_STAMP_MAX 20      /* 'YYYY-MM-DD HH:MM:SS' */

struct store_ledger_fund {
    int64_t id;
    char code[STORE_LEDGER_FUND_CODE_MAX + 1];
    char name[STORE_LEDGER_NAME_MAX + 1];
    int64_t mgmt_cap_bp;            /* management expense / contribution income, per year */
    int64_t approval_threshold_fen; /* payments above it wait for a second person */
    char closed_through[8];         /* last closed period 'YYYY-MM', "" none */
};

struct store_ledger_account {
    int64_t id;
    int64_t fund_id;
    char code[STORE_LEDGER_ACCOUNT_CODE_MAX + 1];
    char name[STORE_LEDGER_NAME_MAX + 1];
    char type[STORE_LEDGER_TYPE_MAX + 1]; /* asset|liability|net_assets|income|expense */
    char normal_side;                     /* 'D' or 'C' */
    bool no_negative;                     /* its normal balance may never go below 0 */
    int64_t balance_fen;                  /* debits minus credits, all dates */
};

struct store_ledger_rule {
    char debit_code[STORE_LEDGER_ACCOUNT_CODE_MAX + 1];
    char credit_code[STORE_LEDGER_ACCOUNT_CODE_MAX + 1];
    char source_type[STORE_LEDGER_SOURCE_MAX + 1];
};

/* Every fund by id; every account by fund id then code; every rule.
 * ERR_TOO_LARGE when more than cap exist. */
enum err store_ledger_funds(struct store_conn *c, struct store_ledger_fund *out, size_t cap,
                            size_t *out_n) WARN_UNUSED;
enum err store_ledger_accounts(struct store_conn *c, struct store_ledger_account *out, size_t cap,
                               size_t *out_n) WARN_UNUSED;
enum err store_ledger_rules(struct store_conn *c, struct store_ledger_rule *out, size_t cap,
                            size_t *out_n) WARN_UNUSED;

/* Inserts a fund and copies the chart into its accounts. ERR_EXISTS when
 * the code is taken. */
enum err store_ledger_fund_insert(struct store_conn *c, const char *code, const char *name,
                                  int64_t mgmt_cap_bp, int64_t approval_threshold_fen,
                                  int64_t *out_id) WARN_UNUSED;

/* Moves a fund's closed_through forward to period. */
enum err store_ledger_fund_close(struct store_conn *c, int64_t fund_id,
                                 const char *period) WARN_UNUSED;

/* --- entries ------------------------------------------------------------ */

/* Reserves n entry ids (n >= 1) for lines and headers written in this
 * transaction: ids[0..n-1], ascending. */
enum err store_ledger_reserve_ids(struct store_conn *c, size_t n, int64_t *ids) WARN_UNUSED;

struct store_ledger_line {
    int64_t account_id;
    char side; /* 'D' or 'C' */
    int64_t amount_fen;
};

struct store_ledger_entry_row {
    int64_t id;
    int64_t fund_id;
    const char *entry_date; /* 'YYYY-MM-DD' */
    const char *period;     /* 'YYYY-MM' */
    const char *source_type;
    const char *source_id;
    const char *memo;
    int64_t created_by;  /* 0: NULL */
    int64_t approved_by; /* 0: NULL */
    const char *idem_key;
    const unsigned char *digest; /* STORE_LEDGER_DIGEST_BYTES */
    int64_t reversal_of; /* 0: NULL */
    int64_t line_count;
    int64_t total_fen; /* debits = credits */
};

/* One line of an entry of line_count lines (1 <= line_no <= line_count),
 * after lines whose debits and credits sum to prev_debit_fen and
 * prev_credit_fen (0 for line 1). For tests of the schema; the domain uses
 * store_ledger_lines_insert. */
enum err store_ledger_line_insert(struct store_conn *c, int64_t entry_id, int64_t line_count,
                                  int64_t line_no, const struct store_ledger_line *l,
                                  int64_t prev_debit_fen, int64_t prev_credit_fen) WARN_UNUSED;

/* Lines 1..n of an entry, in order, with their running totals. */
enum err store_ledger_lines_insert(struct store_conn *c, int64_t entry_id,
                                   const struct store_ledger_line *lines, size_t n) WARN_UNUSED;

/* Seals the entry: the database checks its lines against the totals.
 * ERR_EXISTS when the idempotency key (or the reversal) is taken,
 * ERR_CONFLICT when the database finds it unbalanced. */
enum err store_ledger_entry_insert(struct store_conn *c,
                                   const struct store_ledger_entry_row *e) WARN_UNUSED;

/* The entry holding idem_key: *found, its id and digest. */
enum err store_ledger_entry_by_key(struct store_conn *c, const char *idem_key, bool *found,
                                   int64_t *out_id,
                                   unsigned char digest[STORE_LEDGER_DIGEST_BYTES]) WARN_UNUSED;

/* An entry as stored, for reads, reversals and verification. */
struct store_ledger_entry {
    int64_t id;
    int64_t fund_id;
    char entry_date[11];
    char period[8];
    char source_type[STORE_LEDGER_SOURCE_MAX + 1];
    char source_id[STORE_LEDGER_SOURCE_ID_MAX + 1];
    char memo[STORE_LEDGER_MEMO_MAX + 1];
    int64_t created_by;  /* 0: none */
    int64_t approved_by; /* 0: none */
    char created_at[STORE_LEDGER_STAMP_MAX + 1];
    char idem_key[STORE_LEDGER_KEY_MAX + 1];
    unsigned char digest[STORE_LEDGER_DIGEST_BYTES];
    int64_t reversal_of; /* 0: none */
    int64_t line_count;
    int64_t total_debit_fen;
    int64_t total_credit_fen;
};

/* One entry and up to cap of its lines in line order (*out_n the count
 * stored). ERR_NOT_FOUND when there is no such entry. */
enum err store_ledger_entry_get(struct store_conn *c, int64_t id, struct store_ledger_entry *out,
                                struct store_ledger_line *lines, size_t cap,
                                size_t *out_n) WARN_UNUSED;

/* The entry reversing id, if any (*out_id 0 when none). */
enum err store_ledger_reversal_for(struct store_conn *c, int64_t id, int64_t *out_id) WARN_UNUSED;

/* Entries with id > after_id in id order, at most limit, each with its
 * lines (at most lines_cap are passed; line_count says how many exist).
 * fund_id / source_type / from_date / to_date filter when non-zero/non-NULL.
 * fn must not use c. */
struct store_ledger_entry_filter {
    int64_t after_id;
    int64_t fund_id;
    const char *source_type;
    const char *source_id;
    const char *from_date; /* entry_date >= */
    const char *to_date;   /* entry_date <= */
    size_t limit;          /* 0: no limit */
    const char *account_code; /* entries with a line on an account of this chart code */
};
enum err store_ledger_entry_each(struct store_conn *c, const struct store_ledger_entry_filter *f,
                                 enum err (*fn)(void *ctx, const struct store_ledger_entry *e,
                                                const struct store_ledger_line *lines,
                                                size_t nlines),
                                 void *ctx, size_t *out_n) WARN_UNUSED;

/* --- aggregates ----------------------------------------------------------- */

/* balance_fen += delta_fen. */
enum err store_ledger_account_add(struct store_conn *c, int64_t account_id,
                                  int64_t delta_fen) WARN_UNUSED;

/* Adds movements to (account, day), creating the row. */
enum err store_ledger_day_add(struct store_conn *c, int64_t account_id, const char *day,
                              int64_t debit_fen, int64_t credit_fen) WARN_UNUSED;

/* Calls fn(ctx, day, net_fen) for the account's days after `after_day`
 * ('YYYY-MM-DD'), ascending. fn must not use c. */
enum err store_ledger_day_after(struct store_conn *c, int64_t account_id, const char *after_day,
                                enum err (*fn)(void *ctx, const char *day, int64_t net_fen),
                                void *ctx) WARN_UNUSED;

/* Sum of debits and of credits of an account over days [from, to]
 * (either bound may be NULL: open). */
enum err store_ledger_day_sum(struct store_conn *c, int64_t account_id, const char *from_day,
                              const char *to_day, int64_t *out_debit_fen,
                              int64_t *out_credit_fen) WARN_UNUSED;

/* Every (account, day) row in account then day order. fn must not use c. */
enum err store_ledger_day_each(struct store_conn *c,
                               enum err (*fn)(void *ctx, int64_t account_id, const char *day,
                                              int64_t debit_fen, int64_t credit_fen),
                               void *ctx) WARN_UNUSED;

/* --- pending payments (maker-checker) ----------------------------------- */

struct store_ledger_pending {
    int64_t id;
    int64_t fund_id;
    char entry_date[11];
    char source_type[STORE_LEDGER_SOURCE_MAX + 1];
    char source_id[STORE_LEDGER_SOURCE_ID_MAX + 1];
    char memo[STORE_LEDGER_MEMO_MAX + 1];
    char idem_key[STORE_LEDGER_KEY_MAX + 1];
    unsigned char digest[STORE_LEDGER_DIGEST_BYTES];
    int64_t amount_fen;
    int64_t created_by; /* 0: none */
    char status[12];    /* pending|approved|refused */
    int64_t decided_by; /* 0: none */
    char reason[STORE_LEDGER_REASON_MAX + 1];
    int64_t entry_id; /* 0 until approved */
};

/* Inserts the header (id, status, decisions ignored); *out_id its id. */
enum err store_ledger_pending_insert(struct store_conn *c, const struct store_ledger_pending *p,
                                     int64_t *out_id) WARN_UNUSED;
enum err store_ledger_pending_line_insert(struct store_conn *c, int64_t pending_id,
                                          int64_t line_no,
                                          const struct store_ledger_line *l) WARN_UNUSED;
/* By id (lines up to cap) or by key (no lines: pass cap 0). ERR_NOT_FOUND. */
enum err store_ledger_pending_get(struct store_conn *c, int64_t id,
                                  struct store_ledger_pending *out,
                                  struct store_ledger_line *lines, size_t cap,
                                  size_t *out_n) WARN_UNUSED;
enum err store_ledger_pending_by_key(struct store_conn *c, const char *idem_key, bool *found,
                                     struct store_ledger_pending *out) WARN_UNUSED;
/* Records the decision of a pending payment (status 'approved' with
 * entry_id, or 'refused' with a reason). ERR_CONFLICT if already decided. */
enum err store_ledger_pending_decide(struct store_conn *c, int64_t id, const char *status,
                                     int64_t decided_by, const char *reason,
                                     int64_t entry_id) WARN_UNUSED;
/* True when any pending payment (of any status) exists. */
enum err store_ledger_pending_any(struct store_conn *c, bool *out) WARN_UNUSED;
/* Pending payments (status 'pending') in id order. fn must not use c. */
enum err store_ledger_pending_each(struct store_conn *c,
                                   enum err (*fn)(void *ctx, const struct store_ledger_pending *p),
                                   void *ctx) WARN_UNUSED;

/* --- contribution schedules and earning ---------------------------------- */

/* A partial refund of schedule N (ledger_refund_partial_in_tx) is an entry of source
 * refund whose source_id is "N" STORE_LEDGER_PARTIAL_SUFFIX; a schedule's refunded_fen
 * is the sum of those entries. */
#define STORE_LEDGER_PARTIAL_SUFFIX "/part"

struct store_ledger_schedule {
    int64_t id;
    int64_t fund_id;
    int64_t entry_id;
    int64_t amount_fen;
    char cover_start[11];
    char cover_end[11];
    int64_t earned_fen;
    char earned_through[8]; /* 'YYYY-MM' or "" */
    bool cancelled;
    int64_t refunded_fen;   /* partial refunds posted against it (source_id "<id>/part") */
};

enum err store_ledger_schedule_insert(struct store_conn *c, int64_t fund_id, int64_t entry_id,
                                      int64_t amount_fen, const char *cover_start,
                                      const char *cover_end, int64_t *out_id) WARN_UNUSED;
enum err store_ledger_schedule_get(struct store_conn *c, int64_t id,
                                   struct store_ledger_schedule *out) WARN_UNUSED;
/* The schedule created by a receipt entry; *found false when none. */
enum err store_ledger_schedule_by_entry(struct store_conn *c, int64_t entry_id, bool *found,
                                        struct store_ledger_schedule *out) WARN_UNUSED;
/* Open schedules of a fund (not cancelled, not fully earned) whose cover
 * starts on or before last_day, in id order. fn must not use c. */
enum err store_ledger_schedule_open_each(struct store_conn *c, int64_t fund_id,
                                         const char *last_day,
                                         enum err (*fn)(void *ctx,
                                                        const struct store_ledger_schedule *s),
                                         void *ctx) WARN_UNUSED;
enum err store_ledger_schedule_set_earned(struct store_conn *c, int64_t id, int64_t earned_fen,
                                          const char *earned_through) WARN_UNUSED;
enum err store_ledger_schedule_cancel(struct store_conn *c, int64_t id) WARN_UNUSED;
enum err store_ledger_earning_insert(struct store_conn *c, int64_t schedule_id,
                                     const char *month, int64_t entry_id,
                                     int64_t amount_fen) WARN_UNUSED;

/* --- periods ------------------------------------------------------------- */

enum err store_ledger_period_insert(struct store_conn *c, int64_t fund_id, const char *period,
                                    int64_t closed_by, const char *report,
                                    const unsigned char digest[STORE_LEDGER_DIGEST_BYTES])
    WARN_UNUSED;
/* The stored report of a closed period, malloc'd (caller frees); *found
 * false (and *out NULL) when the period was not closed. */
enum err store_ledger_period_get(struct store_conn *c, int64_t fund_id, const char *period,
                                 bool *found, char **out_report,
                                 unsigned char digest[STORE_LEDGER_DIGEST_BYTES]) WARN_UNUSED;

/* --- verification --------------------------------------------------------- */

/* First entry (lowest id) whose header totals differ, whose lines do not
 * sum to them or number fewer than line_count, or with a line of another
 * fund's account; 0 when none. */
enum err store_ledger_check_entries(struct store_conn *c, int64_t *out_bad_id) WARN_UNUSED;
/* First entry id referenced by lines without a header; 0 when none. */
enum err store_ledger_check_orphans(struct store_conn *c, int64_t *out_bad_id) WARN_UNUSED;
/* First account whose stored balance differs from the sum of its lines. */
enum err store_ledger_check_balances(struct store_conn *c, int64_t *out_bad_account) WARN_UNUSED;
/* First (account, day) whose stored movements differ from its lines, in
 * either direction (a day row without lines, or lines without a row). */
enum err store_ledger_check_days(struct store_conn *c, int64_t *out_bad_account,
                                 char out_day[11]) WARN_UNUSED;
/* First reversal whose lines do not mirror the entry it reverses, or that
 * reverses a reversal or an entry of another fund. */
enum err store_ledger_check_reversals(struct store_conn *c, int64_t *out_bad_id) WARN_UNUSED;
/* First schedule whose earned_fen differs from its earning rows, or whose earned
 * amount and partial refunds together pass its amount. */
enum err store_ledger_check_schedules(struct store_conn *c, int64_t *out_bad_id) WARN_UNUSED;
/* Sum of all debit lines and of all credit lines. */
enum err store_ledger_line_totals(struct store_conn *c, int64_t *out_debit_fen,
                                  int64_t *out_credit_fen) WARN_UNUSED;

#endif
