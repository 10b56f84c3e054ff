/*
 * store_payout: rows of payout batches and their items (0007_payout.sql),
 * and the reads the payout module needs from claims, members and receipts.
 *
 * Pure storage, inside the caller's transaction: domain/payout.h decides
 * and audits. Text is NUL-terminated UTF-8 the domain validated; bank card
 * numbers arrive and leave sealed (fieldcrypt), with their mask. User ids
 * are 0 for the command line (stored NULL). Times are Unix milliseconds.
 */
#ifndef HUZHU_STORE_STORE_PAYOUT_H
#define HUZHU_STORE_STORE_PAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_PAYOUT_SEALED_MAX 128   /* a sealed bank card (19 digits + 40 bytes) */
#define STORE_PAYOUT_MASK_MAX 32      /* '6222********1234' */
#define STORE_PAYOUT_NAME_MAX 255     /* a member's name: 50 characters of UTF-8 */
#define STORE_PAYOUT_REF_MAX 24       /* a reference: the claim id in decimal */
#define STORE_PAYOUT_REASON_MAX 512   /* a refusal or failure reason */
#define STORE_PAYOUT_STATUS_MAX 20    /* 'pending_approval' */
#define STORE_PAYOUT_PATH_MAX 511     /* an organisation path */

/* A fund by code: id and approval threshold. ERR_NOT_FOUND. */
enum err store_payout_fund(struct store_conn *c, const char *code, int64_t *fund_id,
                           int64_t *threshold_fen) WARN_UNUSED;

/* A payable claim with unpaid approved results booked in a fund: what a
 * batch can collect. Pointers are valid during the callback only. */
struct store_payout_candidate {
    int64_t claim_id;
    int64_t member_id;
    int64_t org_id;
    const char *payee_name;
    const unsigned char *account_enc; /* NULL when the member has no bank card */
    size_t account_enc_len;
    const char *account_mask;         /* "" when none */
    int64_t amount_fen;               /* sum of the unpaid approved results in the fund */
};

/*
 * Payable claims of organisations under path (a prefix such as '/1/4/')
 * whose approved results with a payout booked in fund fund_id (their plan
 * code's fund, else POOL) have no payout entry nor pending payment yet, and
 * that are in no open or paid item of that fund; by claim id, at most
 * limit. fn must not use c.
 */
enum err store_payout_candidates(struct store_conn *c, int64_t fund_id, const char *path,
                                 size_t limit,
                                 enum err (*fn)(void *ctx, const struct store_payout_candidate *p),
                                 void *ctx) WARN_UNUSED;

struct store_payout_batch {
    int64_t id;
    int64_t fund_id;
    char fund_code[33];                        /* read only */
    int64_t org_id;
    char org_path[STORE_PAYOUT_PATH_MAX + 1];  /* read only */
    char status[STORE_PAYOUT_STATUS_MAX + 1];
    char pay_date[11];                         /* 'YYYY-MM-DD' */
    int64_t item_count;
    int64_t total_fen;
    bool needs_approval;
    int64_t created_by;                        /* 0: command line */
    int64_t created_ms;
    int64_t decided_by;                        /* 0: none */
    int64_t decided_ms;                        /* 0: none */
    char refused_reason[STORE_PAYOUT_REASON_MAX + 1];
    int64_t exported_ms;                       /* 0: never */
    int64_t export_count;
    /* read only: items by status */
    int64_t open_count, paid_count, failed_count, cancelled_count;
    int64_t paid_fen;
};

/* Inserts b (every column but id, decisions and exports); *out_id. */
enum err store_payout_batch_insert(struct store_conn *c, const struct store_payout_batch *b,
                                   int64_t *out_id) WARN_UNUSED;

/* Reads a batch with its fund code, org path and item counts. ERR_NOT_FOUND. */
enum err store_payout_batch_get(struct store_conn *c, int64_t id,
                                struct store_payout_batch *out) WARN_UNUSED;

/* Sets status (and decided_by, decided_ms, refused_reason when status is
 * approved or refused; exported_ms and export_count + 1 when exported)
 * while the stored status is still expected. ERR_CONFLICT when it is not. */
enum err store_payout_batch_set_status(struct store_conn *c, int64_t id, const char *expected,
                                       const char *status, int64_t user_id, int64_t at_ms,
                                       const char *reason) WARN_UNUSED;

/* Batches of organisations under path, newest first (id < before_id when
 * before_id > 0), of one status when status is not NULL; at most limit.
 * The item counts are not read (0). fn must not use c. */
enum err store_payout_batch_each(struct store_conn *c, const char *path, const char *status,
                                 int64_t before_id, size_t limit,
                                 enum err (*fn)(void *ctx, const struct store_payout_batch *b),
                                 void *ctx) WARN_UNUSED;

struct store_payout_item {
    int64_t id;
    int64_t batch_id;
    int64_t claim_id;
    int64_t fund_id;
    int64_t member_id;
    char payee_name[STORE_PAYOUT_NAME_MAX + 1];
    unsigned char account_enc[STORE_PAYOUT_SEALED_MAX];
    size_t account_enc_len;
    char account_mask[STORE_PAYOUT_MASK_MAX + 1];
    int64_t amount_fen;
    char reference[STORE_PAYOUT_REF_MAX + 1];
    char status[12];                          /* open | paid | failed | cancelled */
    char reason[STORE_PAYOUT_REASON_MAX + 1];
    int64_t entry_id;                         /* 0: none */
    int64_t return_entry_id;                  /* 0: none */
    int64_t updated_ms;
};

/* Inserts an open item. ERR_EXISTS when the claim is already in an open or
 * paid item of the fund (a concurrent batch took it) or twice in a batch. */
enum err store_payout_item_insert(struct store_conn *c, const struct store_payout_item *it,
                                  int64_t *out_id) WARN_UNUSED;

/* The items of a batch in id order. fn must not use c. */
enum err store_payout_item_each(struct store_conn *c, int64_t batch_id,
                                enum err (*fn)(void *ctx, const struct store_payout_item *it),
                                void *ctx) WARN_UNUSED;

/* One item of a batch by its reference. ERR_NOT_FOUND. */
enum err store_payout_item_by_ref(struct store_conn *c, int64_t batch_id, const char *reference,
                                  struct store_payout_item *out) WARN_UNUSED;

/* Writes an item's status, reason, entry ids and time while its stored
 * status is still expected (ERR_CONFLICT when it is not). */
enum err store_payout_item_update(struct store_conn *c, const struct store_payout_item *it,
                                  const char *expected) WARN_UNUSED;

/* Cancels every open item of a batch (the batch was refused). */
enum err store_payout_items_cancel(struct store_conn *c, int64_t batch_id,
                                   int64_t at_ms) WARN_UNUSED;

/* The most recent paid item with this reference and amount in a batch of
 * an organisation under path: *found, its id and batch. */
enum err store_payout_item_match(struct store_conn *c, const char *reference, int64_t amount_fen,
                                 const char *path, bool *found, int64_t *item_id,
                                 int64_t *batch_id) WARN_UNUSED;

/* The receipt recorded under a bank reference: *found, its id and amount. */
enum err store_payout_receipt_by_ref(struct store_conn *c, const char *bank_ref, bool *found,
                                     int64_t *receipt_id, int64_t *amount_fen) WARN_UNUSED;

#endif
