/*
 * store_enrol: rows of plans, enrolment batches, enrolments, invoices and
 * receipts (migration 0005). No rule is decided here: the domain
 * (domain/enrol.h, domain/invoice.h, domain/plans_admin.h) checks and
 * computes, the store reads and writes inside the caller's transaction.
 * Dates cross as struct date (stored 'YYYY-MM-DD'); money as int64 fen.
 * Text fields are NUL-terminated UTF-8 the domain already validated.
 */
#ifndef HUZHU_STORE_STORE_ENROL_H
#define HUZHU_STORE_STORE_ENROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

#define STORE_PLAN_CODE_BYTES 31   /* as PLAN_CODE_MAX - 1 */
#define STORE_PLAN_NAME_BYTES 400  /* as PLAN_NAME_MAX - 1 */
#define STORE_PATH_BYTES 511       /* organisation subtree path */
#define STORE_PAYER_NAME_BYTES 200 /* a name of 50 characters */
#define STORE_BANK_REF_BYTES 64    /* bank transaction references are <= 35 in practice */

/* ------------------------------------------------------------------ plans */

struct store_plan_row {
    int64_t id;
    char code[STORE_PLAN_CODE_BYTES + 1];
    int64_t version;
    char name[STORE_PLAN_NAME_BYTES + 1];
    char kind[24];
    char state[12]; /* draft | published | closed */
    char *document; /* malloc'd canonical JSON (store_plan_get only); caller frees */
};

/* Inserts a draft version. ERR_EXISTS when (code, version) is taken. */
enum err store_plan_insert(struct store_conn *c, const char *code, int64_t version,
                           const char *name, const char *kind, const char *document,
                           int64_t *out_id) WARN_UNUSED;

/* Moves (code, version) from state `from` to `to`, stamping published_at or
 * closed_at with `at`. ERR_NOT_FOUND when no such version, ERR_CONFLICT when
 * it is not in state `from`. */
enum err store_plan_set_state(struct store_conn *c, const char *code, int64_t version,
                              const char *from, const char *to, const char *at) WARN_UNUSED;

/* One version with its document: version 0 = the highest published one;
 * id > 0 selects by id instead (code ignored). ERR_NOT_FOUND. */
enum err store_plan_get(struct store_conn *c, int64_t id, const char *code, int64_t version,
                        struct store_plan_row *out) WARN_UNUSED;

/* Every version (document NULL), by code then version. */
enum err store_plan_each(struct store_conn *c,
                         enum err (*fn)(void *ctx, const struct store_plan_row *row),
                         void *ctx) WARN_UNUSED;

/* ----------------------------------------------------- registry (read only) */

/* What eligibility needs to know about a member. */
struct store_enrol_member {
    int64_t id;
    struct date birth_date;
    char gender;           /* 'M' or 'F' */
    char employment[16];   /* standard | courier | ... */
    bool hardship;
    int64_t employer_id;   /* 0 when none */
    int64_t org_id;
    char org_path[STORE_PATH_BYTES + 1];
};

/* ERR_NOT_FOUND when no such member. */
enum err store_enrol_member_get(struct store_conn *c, int64_t id,
                                struct store_enrol_member *out) WARN_UNUSED;

/* The members of an employer's roster in id order. */
enum err store_enrol_roster_each(struct store_conn *c, int64_t employer_id,
                                 enum err (*fn)(void *ctx, const struct store_enrol_member *m),
                                 void *ctx) WARN_UNUSED;

struct store_enrol_org {
    int64_t id;
    char path[STORE_PATH_BYTES + 1];
    char name[STORE_PAYER_NAME_BYTES + 1];
};

/* An employer's name and its union; ERR_NOT_FOUND. */
enum err store_enrol_employer_get(struct store_conn *c, int64_t employer_id,
                                  char name[STORE_PAYER_NAME_BYTES + 1],
                                  struct store_enrol_org *org) WARN_UNUSED;

/* An organisation; ERR_NOT_FOUND. */
enum err store_enrol_org_get(struct store_conn *c, int64_t org_id,
                             struct store_enrol_org *out) WARN_UNUSED;

/* --------------------------------------------------------------- enrolment */

/*
 * Does the member hold an enrolment in plan code overlapping [start, end]
 * that still gives (or may give) cover: pending or active, or cancelled
 * with cover left before its effective date. *shares gets its shares.
 */
enum err store_enrol_overlap(struct store_conn *c, int64_t member_id, const char *code,
                             struct date start, struct date end, bool *found,
                             int64_t *shares) WARN_UNUSED;

struct store_enrol_batch {
    int64_t id;           /* out of store_enrol_batch_insert; in for reads */
    const char *kind;     /* group | individual | gift */
    int64_t plan_id;
    int64_t employer_id;  /* 0 = none */
    int64_t org_id;
    struct date term_start, term_end, due_date;
    int64_t shares;
    int64_t price_fen;    /* one enrolment */
    int64_t part_fen[4];  /* employer, union, worker, gift of one enrolment */
    const char *funding;  /* JSON */
    const char *donor;    /* "" when none */
    int64_t member_count;
    int64_t renewal_of;   /* batch id, 0 = none */
    int64_t created_by;   /* 0 = CLI */
};

enum err store_enrol_batch_insert(struct store_conn *c, struct store_enrol_batch *b) WARN_UNUSED;

/* A batch as stored; text is copied into the buffers. */
struct store_enrol_batch_row {
    struct store_enrol_batch b; /* kind, funding, donor point into the buffers below */
    char kind[12];
    char funding[512];
    char donor[STORE_PAYER_NAME_BYTES + 1];
    char org_path[STORE_PATH_BYTES + 1];
    char plan_code[STORE_PLAN_CODE_BYTES + 1];
};

enum err store_enrol_batch_get(struct store_conn *c, int64_t id,
                               struct store_enrol_batch_row *out) WARN_UNUSED;

struct store_enrolment_new {
    int64_t batch_id;
    int64_t seq;
    int64_t member_id;
    int64_t plan_id;
    const char *plan_code;
    struct date term_start, term_end;
    int64_t shares;
    int64_t renewal_of; /* enrolment id, 0 = none */
};

/* Inserts one enrolment (pending). ERR_EXISTS when renewal_of was renewed. */
enum err store_enrolment_insert(struct store_conn *c,
                                const struct store_enrolment_new *e) WARN_UNUSED;

struct store_enrolment_row {
    int64_t id;
    int64_t batch_id;
    int64_t seq;
    int64_t member_id;
    int64_t plan_id;
    char plan_code[STORE_PLAN_CODE_BYTES + 1];
    struct date term_start, term_end;
    int64_t shares;
    char status[12];           /* pending | active | lapsed | cancelled */
    bool has_cover_start;
    struct date cover_start;   /* when has_cover_start */
    bool has_cancelled_on;
    struct date cancelled_on;  /* when has_cancelled_on */
    int64_t refund_fen;
    int64_t renewal_of;        /* 0 = none */
    int64_t worker_fen;        /* the batch's worker part of one enrolment */
    int64_t org_id;            /* the batch's */
    char org_path[STORE_PATH_BYTES + 1];
};

enum err store_enrolment_get(struct store_conn *c, int64_t id,
                             struct store_enrolment_row *out) WARN_UNUSED;

/* The enrolments of a member (any plan), by plan code then term start. */
enum err store_enrolment_each_member(struct store_conn *c, int64_t member_id,
                                     enum err (*fn)(void *ctx,
                                                    const struct store_enrolment_row *r),
                                     void *ctx) WARN_UNUSED;

/* The enrolments of a batch in seq order; active_unrenewed limits them to
 * active ones that no enrolment renews yet. */
enum err store_enrolment_each_batch(struct store_conn *c, int64_t batch_id, bool active_unrenewed,
                                    enum err (*fn)(void *ctx,
                                                   const struct store_enrolment_row *r),
                                    void *ctx) WARN_UNUSED;

/* Pending enrolments of the batch with seq <= upto_seq become active, cover
 * starting on the later of term start and paid_on. *count gets how many. */
enum err store_enrolment_activate(struct store_conn *c, int64_t batch_id, int64_t upto_seq,
                                  struct date paid_on, int64_t *count) WARN_UNUSED;

/* Marks an active or pending enrolment cancelled from `effective` with a
 * refund. ERR_CONFLICT when it is no longer active or pending. */
enum err store_enrolment_cancel(struct store_conn *c, int64_t id, struct date effective,
                                int64_t refund_fen) WARN_UNUSED;

/* Lapses pending enrolments of batches due before as_of in the subtree
 * path_prefix, with reason, and their batches' unpaid invoices. */
enum err store_enrol_lapse(struct store_conn *c, struct date as_of, const char *path_prefix,
                           const char *reason, int64_t *enrolments,
                           int64_t *invoices) WARN_UNUSED;

/* Active enrolments ending in [from, to] not renewed yet, in the subtree,
 * by term end then id; at most limit rows. */
enum err store_enrol_expiring_each(struct store_conn *c, struct date from, struct date to,
                                   const char *path_prefix, size_t limit,
                                   enum err (*fn)(void *ctx, const struct store_enrolment_row *r),
                                   void *ctx) WARN_UNUSED;

/* ---------------------------------------------------------------- invoices */

struct store_invoice_row {
    int64_t id;
    int64_t batch_id;
    char payer[12]; /* employer | union | worker | gift */
    char payer_name[STORE_PAYER_NAME_BYTES + 1];
    int64_t amount_fen;
    int64_t paid_fen;
    struct date due_date;
    char status[8]; /* open | paid | lapsed */
    char org_path[STORE_PATH_BYTES + 1]; /* the batch's organisation */
};

enum err store_invoice_insert(struct store_conn *c, int64_t batch_id, const char *payer,
                              const char *payer_name, int64_t amount_fen, struct date due_date,
                              int64_t *out_id) WARN_UNUSED;

enum err store_invoice_get(struct store_conn *c, int64_t id,
                           struct store_invoice_row *out) WARN_UNUSED;

/* The invoices of a batch, by payer order employer, union, worker, gift. */
enum err store_invoice_each_batch(struct store_conn *c, int64_t batch_id,
                                  enum err (*fn)(void *ctx, const struct store_invoice_row *r),
                                  void *ctx) WARN_UNUSED;

/* Adds amount_fen to an open invoice's paid amount (status paid when it
 * reaches the amount). ERR_CONFLICT when it would pass the amount or the
 * invoice is not open. */
enum err store_invoice_add_paid(struct store_conn *c, int64_t id, int64_t amount_fen) WARN_UNUSED;

struct store_receipt {
    int64_t id;
    int64_t invoice_id;
    int64_t amount_fen;
    const char *method;
    const char *bank_ref;
    const char *payer_name;
    struct date paid_on;
    int64_t recorded_by; /* 0 = CLI */
};

/* The receipt with this bank reference: *found; its id, invoice, amount. */
enum err store_receipt_find(struct store_conn *c, const char *bank_ref, bool *found,
                            int64_t *id, int64_t *invoice_id, int64_t *amount_fen) WARN_UNUSED;

enum err store_receipt_insert(struct store_conn *c, struct store_receipt *r) WARN_UNUSED;

/* Records the ledger entry that posted the receipt (once). */
enum err store_receipt_set_journal(struct store_conn *c, int64_t id, int64_t entry_id) WARN_UNUSED;

/* ------------------------------------------------------ locks and listings */

/*
 * PostgreSQL: takes the row locks of the members a commit is about to
 * enrol (the roster of employer_id when it is > 0, then ids[0..n)) by
 * updating them in place, so two transactions enrolling the same member
 * cannot both pass the overlap check: the second waits for the first and,
 * under REPEATABLE READ, then fails with a serialization error (ERR_RETRY;
 * store_with_tx runs it again and the overlap is seen). A plain SELECT ...
 * FOR UPDATE or an advisory lock would only wait: the second transaction's
 * snapshot would still miss the first one's enrolment. SQLite: nothing
 * (BEGIN IMMEDIATE already serialises writers).
 */
enum err store_enrol_lock_members(struct store_conn *c, int64_t employer_id, const int64_t *ids,
                                  size_t n) WARN_UNUSED;

/* A member's name (NUL-terminated, truncated to cap); ERR_NOT_FOUND. */
enum err store_enrol_member_name(struct store_conn *c, int64_t id, char *out,
                                 size_t cap) WARN_UNUSED;

/* Which enrolments store_enrolment_list passes; 0 / "" do not filter. */
struct store_enrolment_filter {
    const char *path_prefix; /* the batch's organisation lies in this subtree */
    int64_t member_id;
    int64_t employer_id;
    const char *plan_code;
    const char *status;
    bool expiring;           /* active, not renewed, term ending in [from, to] */
    struct date from, to;
    int64_t after_id;        /* keyset: ids above it, ascending */
    size_t limit;
};

/* A listed enrolment with who it covers and the unit that enrolled them:
 * the member's name and masked ID number (never the sealed one) and the
 * batch's employer (0 and "" for individual and gift batches). */
struct store_enrolment_list_row {
    struct store_enrolment_row r;
    char member_name[STORE_PAYER_NAME_BYTES + 1];
    char member_id_mask[24];   /* "110101********1234" */
    int64_t employer_id;       /* the batch's; 0 = none */
    char employer_name[STORE_PAYER_NAME_BYTES + 1];
};

/* Enrolments matching f by id (keyset: after_id, at most limit rows). */
enum err store_enrolment_list(struct store_conn *c, const struct store_enrolment_filter *f,
                              enum err (*fn)(void *ctx,
                                             const struct store_enrolment_list_row *r),
                              void *ctx) WARN_UNUSED;

/* Which invoices store_invoice_list passes; 0 / "" do not filter. */
struct store_invoice_filter {
    const char *path_prefix;
    int64_t batch_id;
    int64_t employer_id;     /* invoices of the batches this employer enrolled */
    const char *status;
    const char *payer;
    int64_t after_id;
    size_t limit;
};

enum err store_invoice_list(struct store_conn *c, const struct store_invoice_filter *f,
                            enum err (*fn)(void *ctx, const struct store_invoice_row *r),
                            void *ctx) WARN_UNUSED;

struct store_receipt_row {
    int64_t id;
    int64_t invoice_id;
    int64_t amount_fen;
    char method[16];
    char bank_ref[STORE_BANK_REF_BYTES + 1];
    char payer_name[STORE_PAYER_NAME_BYTES + 1];
    struct date paid_on;
    int64_t journal_entry; /* 0 = not posted */
    int64_t recorded_by;   /* 0 = CLI */
};

/* The receipts of an invoice in id order. */
enum err store_receipt_each_invoice(struct store_conn *c, int64_t invoice_id,
                                    enum err (*fn)(void *ctx, const struct store_receipt_row *r),
                                    void *ctx) WARN_UNUSED;

#endif
