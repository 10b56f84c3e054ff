/*
 * ledger: the fund ledger every fen passes through (互助金账簿).
 *
 * Debit/credit bookkeeping, append-only. An entry has 2..LEDGER_LINES_MAX
 * lines, each one account, one side and a positive amount in fen; debits
 * equal credits (checked here with overflow-checked sums and ASSERTed
 * before the write, and checked again by the database when the entry is
 * sealed). Every entry names its source (invoice, receipt, claim,
 * payout_batch, manual, earning, refund, reversal) and carries an
 * idempotency key: the same key with the same content answers the existing
 * entry (nothing new is written), the same key with other content is
 * ERR_IDEMPOTENCY_MISMATCH (HTTP 409). Content is compared through a
 * SHA-256 digest of a canonical serialisation stored with the entry.
 * Mistakes are corrected by ledger_reverse, never by an edit.
 *
 * Chart of accounts (the same for every fund; codes are stable):
 *   1002 银行存款       bank deposits             asset       debit   never < 0
 *   2203 预收互助金     unearned contributions    liability   credit  never < 0
 *   2241 应付互助金     benefits payable          liability   credit  never < 0
 *   3101 互助金结余     fund balance              net assets  credit
 *   4101 互助金收入     contribution income       income      credit
 *   4201 补助及捐赠收入 subsidy & donation income income      credit
 *   4301 利息收入       interest income           income      credit
 *   5101 互助金支出     benefit expense           expense     debit
 *   5201 管理费用       management expense        expense     debit
 * Funds: one per plan code, or the pooled fund 'POOL' (created by the
 * migration); each has its own accounts, management-expense cap, approval
 * threshold and closed periods.
 *
 * Fund-use rules (资金使用范围, table ledger_rule): every debit account of an
 * entry paired with every credit account must be an allowed (debit, credit,
 * source) combination, else ERR_FUND_USE_REFUSED. The seeded rules:
 *   receipt/invoice  1002 <- 2203   contribution received (unearned)
 *   receipt/manual   1002 <- 4201, 1002 <- 4301   subsidy, interest
 *   manual           1002 <- 3101   opening fund balance
 *   earning          2203 -> 4101   contribution earned
 *   claim            5101 <- 2241   benefit approved, now payable
 *   payout_batch     2241 -> 1002   benefit paid (manual: paid by hand)
 *   payout_batch     1002 <- 2241   failed payment back to payable
 *   refund           2203 -> 1002   unearned contribution refunded
 *   manual           5201 <- 1002   management expense paid
 * so benefit-fund money leaves the bank only as a benefit payment, a refund
 * or a (capped) management expense. A reversal mirrors its original.
 *
 * Limits: an account marked never-negative (1002, 2203, 2241) keeps a
 * normal-side balance >= 0 at the end of every day in value-date order,
 * including days after a back-dated entry; management expense of a fund in
 * a calendar year (by value date) stays <= mgmt_cap_bp of that year's
 * contribution income (4101): ERR_LIMIT_EXCEEDED otherwise. Both are
 * checked in the posting transaction and again by ledger_verify.
 *
 * Maker-checker (资金使用决策制度): an entry that takes money out of the
 * bank (credits 1002) or debits management expense, for more than the
 * fund's approval_threshold_fen, is not posted: it is stored as a pending
 * payment (outcome LEDGER_PENDING). ledger_approve by a user with role
 * "finance" who is not its maker posts it; ledger_refuse records a reason.
 * Both are audit events written in the same transaction.
 *
 * Periods: an entry's period is its value date's 'YYYY-MM'. Closing a
 * period closes it and every earlier one for the fund; nothing posts into a
 * closed period (ERR_PERIOD_CLOSED). Closing earns the period first, then
 * stores the period report (trial balance, income statement, balance sheet,
 * ratios) as canonical JSON so it reproduces exactly.
 *
 * Earning: a receipt crediting 2203 carries its cover term and creates a
 * contribution schedule. Its amount is split over the calendar months the
 * term touches by days: the part of month m is
 *     floor(A * days_through_m / D) - floor(A * days_through_(m-1) / D)
 * (D the days of the term, days_through_m the term's days up to the end of
 * month m), so every part is within one fen of its exact share, the parts
 * sum exactly to A, and the remainder is carried forward: the last month
 * takes whatever is left. ledger_earn(period) posts, per fund, one entry
 * 2203 -> 4101 dated the period's last day for every schedule's months up
 * to and including the period not yet earned (late receipts catch up);
 * idempotent per (schedule, month).
 *
 * Transactions: functions without _in_tx run one transaction of their own
 * (retried on serialization failures) and must be called outside any;
 * _in_tx functions run inside the caller's open transaction (a non-OK
 * database result means the caller must roll back).
 *
 * Text inputs are NUL-terminated and validated here (UTF-8, length,
 * charset); errors name the field (out->field) so routes map them to a
 * field-level 4xx. The actor (struct audit_actor) is who asks: user_id 0
 * is the system or the command line.
 */
#ifndef HUZHU_DOMAIN_LEDGER_H
#define HUZHU_DOMAIN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/audit.h"
#include "store/store.h"
#include "store/store_ledger.h"

#define LEDGER_LINES_MAX 64          /* lines per entry: a payout of many claims is one line pair */
#define LEDGER_FUNDS_MAX 256         /* funds loaded per transaction (one per plan code) */
#define LEDGER_RULES_MAX 128         /* fund-use rules */
#define LEDGER_ACCOUNTS_PER_FUND 9   /* the chart */
#define LEDGER_KEY_MAX STORE_LEDGER_KEY_MAX
#define LEDGER_SOURCE_ID_MAX STORE_LEDGER_SOURCE_ID_MAX
#define LEDGER_MEMO_MAX STORE_LEDGER_MEMO_MAX
#define LEDGER_REASON_MAX STORE_LEDGER_REASON_MAX
#define LEDGER_FIELD_MAX 48          /* bytes of a field name in an error */
#define LEDGER_BATCH_MAX 10000       /* entries per ledger_post_batch call */
#define LEDGER_DIGEST_BYTES STORE_LEDGER_DIGEST_BYTES

/* Account codes of the chart. */
#define LEDGER_BANK "1002"
#define LEDGER_UNEARNED "2203"
#define LEDGER_PAYABLE "2241"
#define LEDGER_FUND_BALANCE "3101"
#define LEDGER_CONTRIBUTIONS "4101"
#define LEDGER_SUBSIDIES "4201"
#define LEDGER_INTEREST "4301"
#define LEDGER_BENEFITS "5101"
#define LEDGER_MGMT "5201"

enum ledger_side { LEDGER_DEBIT, LEDGER_CREDIT };

enum ledger_source {
    LEDGER_SRC_INVOICE,
    LEDGER_SRC_RECEIPT,
    LEDGER_SRC_CLAIM,
    LEDGER_SRC_PAYOUT_BATCH,
    LEDGER_SRC_MANUAL,
    LEDGER_SRC_EARNING,
    LEDGER_SRC_REFUND,
    LEDGER_SRC_REVERSAL,
    LEDGER_SRC__COUNT
};

/* "invoice", "receipt", ... ; ledger_source_parse: ERR_INVALID otherwise. */
const char *ledger_source_name(enum ledger_source s);
enum err ledger_source_parse(const char *s, size_t len, enum ledger_source *out) WARN_UNUSED;

struct ledger_line_in {
    const char *account; /* chart code, '1002' */
    enum ledger_side side;
    int64_t amount_fen; /* > 0 */
};

struct ledger_entry_in {
    const char *fund;      /* fund code: 'POOL' or a plan code */
    const char *date;      /* value date 'YYYY-MM-DD' */
    enum ledger_source source; /* not LEDGER_SRC_REVERSAL (use ledger_reverse) */
    const char *source_id; /* the invoice/receipt/claim/batch reference; may be "" */
    const char *memo;      /* may be NULL or "" */
    const char *idem_key;  /* 1..LEDGER_KEY_MAX bytes of printable ASCII */
    const struct ledger_line_in *lines;
    size_t nlines;
    /* Receipts crediting 2203 name the term they pay for (both required
     * then, NULL otherwise): a contribution schedule is created. */
    const char *cover_start; /* 'YYYY-MM-DD' */
    const char *cover_end;   /* 'YYYY-MM-DD', >= cover_start */
};

enum ledger_outcome {
    LEDGER_POSTED,  /* entry_id is the posted entry */
    LEDGER_PENDING, /* pending_id awaits a second finance user (nothing posted) */
    LEDGER_REFUSED, /* replay of a payment a checker refused (pending_id) */
};

struct ledger_result {
    enum err err;                /* ERR_OK, or why this entry was refused */
    enum ledger_outcome outcome;
    bool replayed;               /* same key, same content: nothing new was written */
    int64_t entry_id;            /* posted entry (0 when pending or refused) */
    int64_t pending_id;          /* pending payment (0 when posted directly) */
    int64_t schedule_id;         /* contribution schedule created (receipts) */
    char field[LEDGER_FIELD_MAX]; /* the input field at fault ("lines[1].amount_fen"), or "" */
};

/*
 * Posts one entry in a transaction of its own. Returns out->err:
 *   ERR_OK (outcome POSTED or PENDING; replayed when the key was seen),
 *   ERR_INVALID / ERR_INVALID_DATE / ERR_TOO_LARGE / ERR_NOT_FOUND (unknown
 *     fund or account) with out->field, ERR_UNBALANCED, ERR_OVERFLOW,
 *   ERR_FUND_USE_REFUSED, ERR_LIMIT_EXCEEDED, ERR_PERIOD_CLOSED,
 *   ERR_IDEMPOTENCY_MISMATCH, or a database error.
 */
enum err ledger_post(struct store_conn *c, const struct audit_actor *actor,
                     const struct ledger_entry_in *in, struct ledger_result *out) WARN_UNUSED;

/* The same inside the caller's transaction (e.g. a receipt row and its
 * entry commit together). A refused entry writes nothing. */
enum err ledger_post_in_tx(struct store_conn *c, const struct audit_actor *actor,
                           const struct ledger_entry_in *in, struct ledger_result *out) WARN_UNUSED;

/*
 * Posts up to LEDGER_BATCH_MAX entries in one transaction (one durable
 * commit). Each entry succeeds or is refused on its own (out[i].err), in
 * order, each seeing the effect of those before it. Returns ERR_OK when
 * the transaction committed (whatever the entries' results), else the
 * database error (then nothing was written; out[] is meaningless).
 */
enum err ledger_post_batch(struct store_conn *c, const struct audit_actor *actor,
                           const struct ledger_entry_in *in, size_t n,
                           struct ledger_result *out) WARN_UNUSED;
enum err ledger_post_batch_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                 const struct ledger_entry_in *in, size_t n,
                                 struct ledger_result *out) WARN_UNUSED;

/* --- typed postings (what the other modules call) ------------------------ */

enum ledger_kind {
    LEDGER_KIND_CONTRIBUTION,   /* receipt: 1002 <- 2203, with cover term (issue 6) */
    LEDGER_KIND_SUBSIDY,        /* receipt: 1002 <- 4201 (补助/捐赠) */
    LEDGER_KIND_INTEREST,       /* manual:  1002 <- 4301 */
    LEDGER_KIND_OPENING,        /* manual:  1002 <- 3101 (opening fund balance) */
    LEDGER_KIND_CLAIM_PAYABLE,  /* claim:   5101 <- 2241 (an approved claim) */
    LEDGER_KIND_PAYOUT,         /* payout_batch: 2241 -> 1002 (maker-checker) */
    LEDGER_KIND_PAYOUT_FAILED,  /* payout_batch: 1002 <- 2241 (bank returned it) */
    LEDGER_KIND_MANUAL_PAYMENT, /* manual:  2241 -> 1002 (maker-checker) */
    LEDGER_KIND_EXPENSE,        /* manual:  5201 <- 1002 (capped, maker-checker) */
};

struct ledger_money_in {
    const char *fund;        /* fund code */
    const char *date;        /* value date */
    int64_t amount_fen;      /* > 0 */
    const char *source_id;   /* invoice/receipt/claim/batch id, or "" */
    const char *memo;        /* or NULL */
    const char *idem_key;
    const char *cover_start; /* contributions only */
    const char *cover_end;
};

/* Builds the two-line entry of a kind into *e (lines in lines[2]); pass it
 * to ledger_post or ledger_post_in_tx. */
void ledger_entry_of_kind(enum ledger_kind kind, const struct ledger_money_in *m,
                          struct ledger_line_in lines[2], struct ledger_entry_in *e);

/* ledger_entry_of_kind + ledger_post. */
enum err ledger_post_kind(struct store_conn *c, const struct audit_actor *actor,
                          enum ledger_kind kind, const struct ledger_money_in *m,
                          struct ledger_result *out) WARN_UNUSED;

/* Refunds what is still unearned of a contribution schedule (2203 -> 1002,
 * source refund, source_id the schedule id; maker-checker applies) and
 * cancels the schedule so nothing more is earned. A refund posted through
 * ledger_post must have the same shape (source_id an open schedule of the
 * fund, amount its whole unearned remainder) or is ERR_CONFLICT. A partial refund
 * posted by hand has source_id "<schedule_id>/part" and at most the remainder.
 * ERR_NOT_FOUND, ERR_CONFLICT (cancelled or fully earned). */
enum err ledger_refund_schedule(struct store_conn *c, const struct audit_actor *actor,
                                int64_t schedule_id, const char *date, const char *idem_key,
                                struct ledger_result *out) WARN_UNUSED;

/*
 * Refunds amount_fen (> 0) of what is still unearned of a contribution
 * schedule, e.g. part of one worker's share cancelled before the term ends:
 * one entry 2203 -> 1002, source refund, source_id "<schedule_id>/part"
 * (maker-checker applies: above the fund's threshold it waits as a pending
 * payment, and the remainder is checked again when it posts). The schedule
 * then earns amount_fen less: earning month m moves
 *     max(0, floor(A' * days_through_m / D) - earned so far),
 * A' = amount - partial refunds, so what it earns in all is exactly A', no
 * month goes negative, and a schedule without refunds earns as before. A
 * refund of the whole remainder also cancels the schedule. Runs inside the
 * caller's transaction; returns out->err or a database error:
 * ERR_INVALID_MONEY ("amount_fen"), ERR_NOT_FOUND ("schedule_id"),
 * ERR_CONFLICT (cancelled), ERR_LIMIT_EXCEEDED ("amount_fen": more than the
 * unearned remainder), ERR_PERIOD_CLOSED, ERR_IDEMPOTENCY_MISMATCH. A
 * refused refund writes nothing.
 */
enum err ledger_refund_partial_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                     int64_t schedule_id, int64_t amount_fen, const char *date,
                                     const char *idem_key, struct ledger_result *out) WARN_UNUSED;

/* The same in a transaction of its own. */
enum err ledger_refund_partial(struct store_conn *c, const struct audit_actor *actor,
                               int64_t schedule_id, int64_t amount_fen, const char *date,
                               const char *idem_key, struct ledger_result *out) WARN_UNUSED;

/* Posts the mirror of entry_id dated `date` (source reversal, reversal_of
 * set); an entry can be reversed once (ERR_CONFLICT after). Reversals,
 * refunds and earning entries cannot be reversed (ERR_CONFLICT); a receipt can be only
 * while nothing of its schedule is earned (its schedule is cancelled).
 * Limits, periods and maker-checker apply as to any entry. */
enum err ledger_reverse(struct store_conn *c, const struct audit_actor *actor, int64_t entry_id,
                        const char *date, const char *memo, const char *idem_key,
                        struct ledger_result *out) WARN_UNUSED;

/* --- maker-checker -------------------------------------------------------- */

/* Approves a pending payment and posts it (the maker stays created_by, the
 * checker is approved_by); audits "ledger.payment_approve". ERR_FORBIDDEN
 * unless actor->role is "finance" and actor->user_id != 0; ERR_SAME_USER
 * when the checker is the maker; ERR_NOT_FOUND; ERR_CONFLICT when already
 * decided; and every posting error (the payment then stays pending). */
enum err ledger_approve(struct store_conn *c, const struct audit_actor *actor, int64_t pending_id,
                        struct ledger_result *out) WARN_UNUSED;

/* Refuses a pending payment with a reason (1..LEDGER_REASON_MAX bytes of
 * UTF-8); audits "ledger.payment_refuse". Same role rules as approval. */
enum err ledger_refuse(struct store_conn *c, const struct audit_actor *actor, int64_t pending_id,
                       const char *reason) WARN_UNUSED;

/* Posts a payment a second finance user approved outside the pending
 * table (a payout batch, domain/payout.h), inside the caller's
 * transaction: maker is created_by, checker approved_by (0: none, when the
 * payment was below the threshold at its decision), and the entry is
 * posted without becoming a pending payment again. Idempotency, fund-use
 * rules, periods and limits apply as to any entry. ERR_SAME_USER when a
 * non-zero checker is the maker. Returns out->err like ledger_post_in_tx. */
enum err ledger_post_checked_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                   const struct ledger_entry_in *in, int64_t maker_id,
                                   int64_t checker_id, struct ledger_result *out) WARN_UNUSED;

/* --- funds ----------------------------------------------------------------- */

/* Creates a fund with the chart; audits "ledger.fund_create". code: 1..32
 * of [A-Za-z0-9_-]; cap 0..10000 bp; threshold >= 0. ERR_EXISTS. */
enum err ledger_fund_create(struct store_conn *c, const struct audit_actor *actor,
                            const char *code, const char *name, int64_t mgmt_cap_bp,
                            int64_t approval_threshold_fen, int64_t *out_id) WARN_UNUSED;

/* --- earning, periods, reports -------------------------------------------- */

struct ledger_earn_result {
    int64_t entries;     /* earning entries posted */
    int64_t schedules;   /* schedules that earned something */
    int64_t amount_fen;  /* total moved to income */
};

/* Earns period ('YYYY-MM') for fund (NULL: every fund). ERR_PERIOD_CLOSED
 * when the period is closed for a fund that still has something to earn. */
enum err ledger_earn(struct store_conn *c, const struct audit_actor *actor, const char *fund,
                     const char *period, struct ledger_earn_result *out) WARN_UNUSED;

/* Earns, then closes period for fund (NULL: every fund) and stores its
 * report; audits "ledger.period_close". ERR_PERIOD_CLOSED when already
 * closed (through this period or later). */
enum err ledger_close(struct store_conn *c, const struct audit_actor *actor, const char *fund,
                      const char *period) WARN_UNUSED;

/* One account in a trial balance. */
struct ledger_account_total {
    char code[STORE_LEDGER_ACCOUNT_CODE_MAX + 1];
    char name[STORE_LEDGER_NAME_MAX + 1];
    char type[STORE_LEDGER_TYPE_MAX + 1];
    int64_t debit_fen;   /* sum of debits, from the start through the date */
    int64_t credit_fen;  /* sum of credits */
    int64_t balance_fen; /* on the account's normal side (debit - credit for debit-normal) */
};

struct ledger_report {
    char fund[STORE_LEDGER_FUND_CODE_MAX + 1];
    char period[8];
    char period_end[11];
    bool closed; /* read from the stored snapshot */
    struct ledger_account_total accounts[LEDGER_ACCOUNTS_PER_FUND]; /* trial balance */
    int64_t trial_debit_fen, trial_credit_fen; /* equal */
    /* income statement, movements within the period */
    int64_t contributions_earned_fen, subsidies_fen, interest_fen, income_fen;
    int64_t benefits_fen, mgmt_expense_fen, expense_fen, surplus_fen;
    /* balance sheet at the period's end */
    int64_t bank_fen, assets_fen, unearned_fen, payable_fen, liabilities_fen;
    int64_t fund_balance_fen, net_assets_fen; /* net assets = fund balance + all surpluses */
    /* ratios (basis points; -1 when the denominator is 0) */
    int64_t reserve_ratio_bp;   /* net assets / benefits of the 12 months to period end */
    int64_t mgmt_ratio_bp;      /* management expense / contribution income, year to date */
};

/* Computes the report of fund for period from the ledger (out->closed says
 * whether the period is closed). ERR_NOT_FOUND for an unknown fund,
 * ERR_INVALID_DATE for a bad period. */
enum err ledger_report(struct store_conn *c, const char *fund, const char *period,
                       struct ledger_report *out) WARN_UNUSED;

/* Canonical JSON of a report (keys sorted, compact; amounts integers in
 * fen), malloc'd. The stored snapshot of a closed period is exactly this. */
enum err ledger_report_json(const struct ledger_report *r, char **out_json) WARN_UNUSED;

/* The JSON stored when the period was closed, malloc'd; *found false (and
 * *out_json NULL) when it is not closed. What `ledger report` prints for a
 * closed period, byte for byte. */
enum err ledger_report_stored(struct store_conn *c, const char *fund, const char *period,
                              bool *found, char **out_json) WARN_UNUSED;

/* Every account's balance as of date (NULL: all dates), normal side. */
struct ledger_balance {
    const char *fund;
    const char *code;
    const char *name;
    int64_t balance_fen;
};
enum err ledger_balances(struct store_conn *c, const char *as_of,
                         enum err (*fn)(void *ctx, const struct ledger_balance *b),
                         void *ctx) WARN_UNUSED;

/* --- reads (for the API: auditors and finance read everything in scope) ----- */

struct ledger_line_view {
    const char *account; /* chart code */
    char side;           /* 'D' or 'C' */
    int64_t amount_fen;
};

struct ledger_entry_view {
    int64_t id;
    const char *fund;
    const char *date;
    const char *period;
    const char *source;
    const char *source_id;
    const char *memo;
    const char *created_at; /* 'YYYY-MM-DD HH:MM:SS' UTC */
    int64_t created_by;     /* 0: system */
    int64_t approved_by;    /* 0: none */
    int64_t reversal_of;    /* 0: none */
    int64_t total_fen;
    size_t nlines;
    struct ledger_line_view lines[LEDGER_LINES_MAX];
};

/* Which entries ledger_entries passes; NULL / 0 fields do not filter.
 * Keyset paging: after_id, ascending id. */
struct ledger_entry_filter {
    const char *fund;
    const char *source;    /* source type name */
    const char *source_id;
    const char *from_date; /* value date >= */
    const char *to_date;   /* value date <= */
    int64_t after_id;
    size_t limit;          /* 1..LIMIT_PAGE_MAX; 0 means LIMIT_PAGE_DEFAULT */
    const char *account;   /* chart code ('2241'): entries with a line on it */
};

/* Calls fn for each matching entry (the view is valid during the call).
 * ERR_NOT_FOUND for an unknown fund, ERR_INVALID for an unknown source,
 * ERR_INVALID_DATE for a bad date, ERR_TOO_LARGE for a limit over the page
 * size. *out_n (may be NULL) gets how many were passed. */
enum err ledger_entries(struct store_conn *c, const struct ledger_entry_filter *f,
                        enum err (*fn)(void *ctx, const struct ledger_entry_view *e), void *ctx,
                        size_t *out_n) WARN_UNUSED;

/* Pending payments awaiting a checker, oldest first. */
enum err ledger_pending_list(struct store_conn *c,
                             enum err (*fn)(void *ctx, const struct store_ledger_pending *p),
                             void *ctx) WARN_UNUSED;

/* --- verification ------------------------------------------------------------- */

struct ledger_verify_result {
    bool ok;
    int64_t entries;      /* entries whose digest was recomputed */
    char problem[256];    /* the first problem found, English, or "" */
};

/*
 * Checks, in this order, stopping at the first problem: every entry
 * balanced and matching its lines (count, totals, fund); no line without
 * an entry; every entry's digest matches its content; the sum of all
 * debits equals the sum of all credits (trial balance zero); each stored
 * account balance and each per-day movement equals the sum of its lines;
 * never-negative accounts at the end of every day in date order; the
 * management-expense cap per fund and year; reversals mirror their
 * originals; schedules' earned amounts equal their earning rows.
 * ERR_OK whether or not a problem was found (out->ok says); other codes
 * are database errors.
 */
enum err ledger_verify(struct store_conn *c, struct ledger_verify_result *out) WARN_UNUSED;

/* The canonical digest of an entry's content (what idempotency compares):
 * SHA-256 over length-prefixed fund code, date, source, source id, memo,
 * reversal_of and each line's account code, side and amount. */
void ledger_entry_digest(const char *fund, const char *date, const char *source,
                         const char *source_id, const char *memo, int64_t reversal_of,
                         const char *const *account_codes, const char *sides,
                         const int64_t *amounts_fen, size_t nlines,
                         unsigned char out[LEDGER_DIGEST_BYTES]);

/* Splits amount_fen over the calendar months [cover_start, cover_end]
 * touches, by days (see the header comment): parts[i] is month i (i = 0 is
 * cover_start's month); *out_n months. ERR_TOO_LARGE when more than cap
 * months, ERR_INVALID when end < start, ERR_OVERFLOW. */
enum err ledger_split_by_days(int64_t amount_fen, const char *cover_start, const char *cover_end,
                              int64_t *parts, size_t cap, size_t *out_n) WARN_UNUSED;

#endif
