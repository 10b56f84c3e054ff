/*
 * payout: payout batches (支付批次) — approved claims paid through the bank —
 * and the reconciliation of bank statements against the books.
 *
 * Life of a batch (one fund; one organisation's subtree):
 *   create    a finance user (maker) collects the payable claims of the
 *             subtree of his organisation whose unpaid approved results
 *             are booked in the fund (their plan code's fund, else POOL),
 *             up to PAYOUT_ITEMS_MAX, oldest first; claims whose member has
 *             no bank card are skipped and counted. Each becomes an item:
 *             payee = the member, account = a sealed copy of the member's
 *             bank card (shown masked), amount = the unpaid results' sum,
 *             reference = the claim id. A total above the fund's approval
 *             threshold makes the batch pending_approval (资金使用决策制度);
 *             otherwise it is approved at once.
 *   approve   a second finance user, not the maker, in whose subtree the
 *   refuse    batch's organisation is: pending_approval -> approved, or
 *             -> refused with a reason (its items are cancelled, the claims
 *             free for a later batch). Both audited.
 *   export    the bank payment file (CSV, UTF-8 with BOM: account, name,
 *             amount in yuan with two decimals, reference; or the same as
 *             XLSX). It carries the FULL account numbers: every export is
 *             audited as a reveal ("payout.bank_file_export"). Allowed once
 *             approved, and again later (the same file); approved ->
 *             exported.
 *   results   the bank's result file (CSV: reference, status paid|failed,
 *             reason). paid: the ledger entry 2241 -> 1002 (source
 *             payout_batch) is posted for the item, approved by the batch's
 *             checker, and the claim's results record it (claim -> paid when
 *             nothing of it is left unpaid). failed: nothing was posted,
 *             the claim stays payable with the reason and may join a later
 *             batch (retry). A paid item reported failed later (the bank
 *             returned the money) posts 1002 <- 2241 and makes the claim
 *             payable again. The same file again changes nothing; a failed
 *             item reported paid is refused (pay it in a new batch). One
 *             transaction: a file with any bad row imports nothing.
 *             Once no item is open the batch is completed.
 * So the ledger holds exactly what the bank paid: benefits payable (2241)
 * falls only for items the bank confirmed.
 *
 * Reconciliation: a bank statement (CSV: date, amount, reference,
 * direction in|out) is matched line by line — money in against receipts
 * by bank reference and amount, money out against paid batch items by
 * reference (the claim id) and amount — and both lists come back, matched
 * and unmatched with the reason. Nothing is posted.
 *
 * Who: create, approve, refuse, export and results need role finance
 * (ERR_FORBIDDEN otherwise; the command line's admin actor may create,
 * export and import but never approve). A batch outside the actor's
 * subtree is ERR_NOT_FOUND. Actions return enum err and, for input errors,
 * the field (err_field).
 */
#ifndef HUZHU_DOMAIN_PAYOUT_H
#define HUZHU_DOMAIN_PAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "store/store.h"
#include "store/store_payout.h"

#define PAYOUT_ITEMS_MAX 1000        /* claims per batch: one bank file the bank takes at once */
#define PAYOUT_FIELD_MAX 48          /* bytes of a field name in an error */
#define PAYOUT_ROW_ERRORS_MAX 100    /* row errors reported per file (the rest are counted) */
#define PAYOUT_STATEMENT_ROWS_MAX 10000 /* lines of one bank statement */
#define PAYOUT_REASON_MAX 500        /* bytes of a refusal or failure reason */
#define PAYOUT_BANK_REF_MAX 64       /* bytes of a bank reference in a statement */

struct payout_create_in {
    const char *fund;     /* fund code ('POOL' or a plan code) */
    const char *pay_date; /* 'YYYY-MM-DD', or NULL: today */
    size_t max_items;     /* 1..PAYOUT_ITEMS_MAX; 0: PAYOUT_ITEMS_MAX */
};

struct payout_create_result {
    int64_t batch_id;
    int64_t items;
    int64_t total_fen;
    bool needs_approval;     /* above the fund's threshold: waits for a checker */
    int64_t skipped_no_account; /* payable claims left out: the member has no bank card */
};

/* Creates a batch (see the header comment); audits "payout.batch_create".
 * ERR_NOT_FOUND ("fund") for an unknown fund, ERR_INVALID_DATE
 * ("pay_date"), ERR_INVALID ("max_items"), ERR_CONFLICT when nothing is
 * payable. */
enum err payout_batch_create(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, const struct payout_create_in *in,
                             struct payout_create_result *out, char *err_field,
                             size_t err_cap) WARN_UNUSED;

/* pending_approval -> approved by a checker; audits "payout.batch_approve".
 * ERR_SAME_USER for the maker, ERR_CONFLICT when not pending. */
enum err payout_batch_approve(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t id) WARN_UNUSED;

/* pending_approval -> refused with reason (1..PAYOUT_REASON_MAX bytes of
 * UTF-8; ERR_INVALID "reason"); items cancelled; audits
 * "payout.batch_refuse". ERR_SAME_USER, ERR_CONFLICT as approval. */
enum err payout_batch_refuse(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, int64_t id, const char *reason,
                             char *err_field, size_t err_cap) WARN_UNUSED;

/* Reads a batch the actor may see (finance, auditor, admin of its
 * subtree), with its item counts. ERR_NOT_FOUND otherwise. */
enum err payout_batch_get(struct store_conn *c, const struct auth_user *actor, int64_t id,
                          struct store_payout_batch *out) WARN_UNUSED;

/* The items of a batch the actor may see, in id order: accounts masked
 * (account_enc is zeroed before fn sees it). */
enum err payout_batch_items(struct store_conn *c, const struct auth_user *actor, int64_t id,
                            enum err (*fn)(void *ctx, const struct store_payout_item *it),
                            void *ctx) WARN_UNUSED;

/* Batches of the actor's subtree, newest first; status NULL for any
 * (ERR_INVALID "status" for an unknown one); keyset: before_id (0: from
 * the newest); limit 1..LIMIT_PAGE_MAX. */
enum err payout_batch_list(struct store_conn *c, const struct auth_user *actor,
                           const char *status, int64_t before_id, size_t limit,
                           enum err (*fn)(void *ctx, const struct store_payout_batch *b),
                           void *ctx, char *err_field, size_t err_cap) WARN_UNUSED;

enum payout_format { PAYOUT_CSV, PAYOUT_XLSX };

/*
 * The bank payment file of a batch, malloc'd into *out (*out_len bytes);
 * the caller wipes (sodium_memzero) and frees it: it holds full account
 * numbers. Needs ctx->fc. ERR_CONFLICT while pending approval or when
 * refused; ERR_IO when the XLSX writer fails.
 */
enum err payout_bank_file(struct store_conn *c, const struct claims_ctx *ctx,
                          const struct auth_user *actor, int64_t id, enum payout_format fmt,
                          unsigned char **out, size_t *out_len) WARN_UNUSED;

/* One refused row of an imported file. */
struct payout_row_error {
    uint64_t row;                 /* spreadsheet row (header = 1); 0: the file */
    char field[PAYOUT_FIELD_MAX]; /* column name, or "" */
    enum err code;
    char message[128];
};

struct payout_row_errors {
    struct payout_row_error *v; /* caller's array of cap */
    size_t cap;
    size_t n;                   /* reported (<= cap) */
    size_t total;               /* found (n + the ones not kept) */
};

struct payout_results {
    int64_t rows;      /* data rows read */
    int64_t paid;      /* items newly paid */
    int64_t failed;    /* items newly failed (nothing had been posted) */
    int64_t returned;  /* paid items the bank returned */
    int64_t unchanged; /* rows that repeat what is recorded */
    int64_t paid_fen;  /* posted 2241 -> 1002 by this import */
    int64_t returned_fen; /* posted 1002 <- 2241 by this import */
    bool completed;    /* no item is open any more */
};

/*
 * Imports the bank's result file (CSV bytes, UTF-8 or GB18030; header
 * reference/参考号, status/状态 (paid|failed|成功|失败), reason/原因; value
 * date of the postings: value_date, or today when NULL). All or nothing:
 * on ERR_INVALID the rows are in errs and nothing was written. Other
 * errors: ERR_CONFLICT (the batch was not exported), ERR_PERIOD_CLOSED and
 * the ledger's refusals (errs names the row), ERR_MISSING_COLUMN.
 */
enum err payout_results_import(struct store_conn *c, const struct claims_ctx *ctx,
                               const struct auth_user *actor, int64_t id, const char *csv,
                               size_t len, const char *value_date, struct payout_results *out,
                               struct payout_row_errors *errs) WARN_UNUSED;

/* One statement line and what it matched. */
struct payout_statement_line {
    uint64_t row;
    char date[11];
    int64_t amount_fen;
    const char *reference;
    bool in;                /* direction: money in (receipt) or out (payout) */
    bool matched;
    const char *kind;       /* "receipt" | "payout_item" when matched */
    int64_t object_id;      /* receipt id or payout item id */
    int64_t batch_id;       /* payout items */
    const char *reason;     /* unmatched: NO_SUCH_REFERENCE | AMOUNT_DIFFERS */
};

/*
 * Matches a bank statement (CSV: date/日期, amount/金额 in yuan,
 * reference/参考号, direction/方向 in|out|收|付) line by line, calling fn
 * for each; nothing is written. Payouts are matched within the actor's
 * subtree; receipts scheme-wide (the fund's bank account). Bad rows: as
 * payout_results_import (ERR_INVALID with errs, fn not called at all).
 * Roles: finance, auditor, admin.
 */
enum err payout_reconcile(struct store_conn *c, const struct auth_user *actor, const char *csv,
                          size_t len,
                          enum err (*fn)(void *ctx, const struct payout_statement_line *l),
                          void *fn_ctx, struct payout_row_errors *errs) WARN_UNUSED;

#endif
