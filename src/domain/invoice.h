/*
 * invoice: contributions (缴费): invoices per payer per batch, receipts,
 * cover activation and the lapse sweep.
 *
 * Rules:
 *   - A batch has one invoice per payer whose part is > 0, for
 *     part x member_count (enrol_commit writes them).
 *   - A receipt records a full or partial payment of one invoice: amount,
 *     method, payer name, the bank reference and the date paid. The bank
 *     reference is the idempotency key: the same reference again with the
 *     same invoice and amount records nothing new and answers the first
 *     receipt (duplicate = true); with another invoice or amount it is
 *     ERR_CONFLICT ("bank_ref"). A receipt beyond what is still owed is
 *     ALREADY_PAID_INVOICE ("amount_fen"); a lapsed invoice takes no more
 *     receipts (INVOICE_CLOSED).
 *   - Payments fill a batch's enrolments in batch order (seq): enrolment k
 *     is fully paid when every payer's invoice has received at least k
 *     times that payer's part. A fully paid enrolment becomes active; its
 *     cover starts on the later of the term's start and the day the payment
 *     completing it was made.
 *   - Every receipt posts one balanced journal entry in the plan code's
 *     fund: debit bank (1002), credit unearned contributions (2203), with
 *     the receipt's bank reference as the idempotency key (see
 *     invoice_post_receipt below).
 *   - Lapse: on a sweep as of D, every enrolment still pending in a batch
 *     due before D lapses with reason "unpaid_past_due", and the batch's
 *     invoices not fully paid become "lapsed".
 *   - Audit: a new receipt ("invoice.receipt", without the bank reference)
 *     and a sweep ("invoice.lapse") append an audit event in their own
 *     transaction; a replayed receipt records nothing.
 */
#ifndef HUZHU_DOMAIN_INVOICE_H
#define HUZHU_DOMAIN_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/costshare.h"
#include "domain/enrol.h"
#include "store/store.h"

/* Bank references: national transfer references run to 35 characters; 64
 * leaves room for prefixes such as "ICBC-". */
#define INVOICE_BANK_REF_MAX 64
#define INVOICE_PAYER_NAME_MAX (50 * 4 + 1)
/* The lapse reason recorded on enrolments. */
#define INVOICE_LAPSE_REASON "unpaid_past_due"

enum receipt_method {
    RECEIPT_BANK_TRANSFER,
    RECEIPT_CASH,
    RECEIPT_WECHAT,
    RECEIPT_ALIPAY,
    RECEIPT_PAYROLL, /* the worker part deducted from pay by the unit */
};

/* "bank_transfer", "cash", "wechat", "alipay", "payroll". */
const char *receipt_method_str(enum receipt_method m);
bool receipt_method_parse(const char *text, enum receipt_method *out);

struct invoice_view {
    int64_t id;
    int64_t batch_id;
    enum costshare_payer payer;
    char payer_name[INVOICE_PAYER_NAME_MAX];
    int64_t amount_fen;
    int64_t paid_fen;
    struct date due_date;
    char status[8]; /* open | paid | lapsed */
};

/* The invoices of a batch in payer order, into out[0..cap); *n how many.
 * NOT_FOUND / OUT_OF_SCOPE for the batch. */
enum err invoice_list_batch(struct store_conn *c, const struct enrol_actor *actor,
                            int64_t batch_id, struct invoice_view *out, size_t cap,
                            size_t *n) WARN_UNUSED;

struct receipt_request {
    int64_t invoice_id;
    int64_t amount_fen; /* > 0 */
    enum receipt_method method;
    const char *bank_ref; /* (ptr, len): 1..INVOICE_BANK_REF_MAX printable ASCII */
    size_t bank_ref_len;
    const char *payer_name; /* NUL-terminated UTF-8; NULL or "" = the invoice's payer */
    struct date paid_on;
};

struct receipt_result {
    int64_t receipt_id;
    bool duplicate;           /* the bank reference was recorded before: nothing new */
    int64_t invoice_paid_fen; /* the invoice's paid amount after the receipt */
    bool invoice_paid;        /* the invoice is fully paid */
    int64_t activated;        /* enrolments that became active with this receipt */
    int64_t journal_entry_id; /* the ledger entry posted; 0 when the ledger is absent */
};

/*
 * Records a receipt in one transaction (see the rules above). Errors with
 * err_field (ENROL_FIELD_MAX bytes): INVALID ("amount_fen", "bank_ref",
 * "payer_name"), NOT_FOUND / OUT_OF_SCOPE ("invoice_id"), CONFLICT
 * ("bank_ref"), ALREADY_PAID_INVOICE ("amount_fen"), INVOICE_CLOSED
 * ("invoice_id").
 */
enum err invoice_record_receipt(struct store_conn *c, const struct enrol_actor *actor,
                                const struct receipt_request *req, struct receipt_result *out,
                                char *err_field, size_t err_cap) WARN_UNUSED;

/* As invoice_record_receipt inside the caller's open transaction (bulk). */
enum err invoice_record_receipt_in_tx(struct store_conn *c, const struct enrol_actor *actor,
                                      const struct receipt_request *req,
                                      struct receipt_result *out, char *err_field,
                                      size_t err_cap) WARN_UNUSED;

/* Lapses unpaid enrolments and invoices due before as_of in the actor's
 * subtree, in one transaction. */
enum err invoice_lapse_sweep(struct store_conn *c, const struct enrol_actor *actor,
                             struct date as_of, int64_t *lapsed_enrolments,
                             int64_t *lapsed_invoices) WARN_UNUSED;

/* ------------------------------------------------------- ledger postings
 * The one place contributions meet the fund ledger. Both run inside the
 * caller's transaction; *entry_id gets the journal entry (0 when no ledger
 * posting was made). idem_key makes a posting happen once. */

/* A receipt: debit bank 1002, credit unearned contributions 2203, in the
 * fund of plan_code; cover_start..cover_end is the term it pays for. */
enum err invoice_post_receipt(struct store_conn *c, const struct enrol_actor *actor,
                              const char *plan_code, int64_t amount_fen, struct date paid_on,
                              struct date cover_start, struct date cover_end,
                              int64_t receipt_id, const char *idem_key,
                              int64_t *entry_id) WARN_UNUSED;

/* A refund on cancellation (amount_fen > 0) of enrolment_id: partial
 * refunds 2203 -> 1002 (ledger_refund_partial_in_tx) from the contribution
 * schedules created by the receipts of its batch's worker invoice, newest
 * first, each lowering what its schedule still earns. *entry_id gets the
 * first entry posted; *pending_id a refund above the fund's threshold that
 * waits for a second finance user (0 when none). ERR_LIMIT_EXCEEDED when
 * those schedules have less unearned left than amount_fen (the months were
 * earned already); the ledger's refusals otherwise. plan_code is unused:
 * the schedules name their fund. */
enum err invoice_post_refund(struct store_conn *c, const struct enrol_actor *actor,
                             const char *plan_code, int64_t amount_fen, struct date on,
                             int64_t enrolment_id, int64_t *entry_id,
                             int64_t *pending_id) WARN_UNUSED;

/* ------------------------------------------------------------- listings */

/* Which invoices invoice_list passes; 0 / NULL do not filter. */
struct invoice_filter {
    int64_t batch_id;
    int64_t employer_id; /* invoices of the batches this unit enrolled */
    const char *status;  /* open | paid | lapsed */
    const char *payer;   /* employer | union | worker | gift */
    int64_t after_id;    /* keyset: ids above it, ascending */
    size_t limit;        /* 1..ENROL_LIST_MAX */
};

/* Invoices in the actor's subtree matching f, by id. ERR_RANGE (limit),
 * ERR_INVALID ("status" or "payer" unknown; err_field names it),
 * ERR_NOT_FOUND / ERR_OUT_OF_SCOPE ("employer_id": no such employer, or
 * one outside the actor's subtree). */
enum err invoice_list(struct store_conn *c, const struct enrol_actor *actor,
                      const struct invoice_filter *f,
                      enum err (*fn)(void *ctx, const struct invoice_view *v), void *ctx,
                      char *err_field, size_t err_cap) WARN_UNUSED;

struct receipt_view {
    int64_t id;
    int64_t amount_fen;
    const char *method;
    const char *bank_ref;
    const char *payer_name;
    struct date paid_on;
    int64_t journal_entry_id; /* 0 = not posted */
};

/* One invoice and (fn may be NULL) its receipts in id order, at most
 * ENROL_LIST_MAX. NOT_FOUND / OUT_OF_SCOPE. */
enum err invoice_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                     struct invoice_view *out,
                     enum err (*fn)(void *ctx, const struct receipt_view *r),
                     void *ctx) WARN_UNUSED;

#endif
