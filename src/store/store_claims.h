/*
 * store_claims: rows of claims, their events, results, accumulators,
 * documents, feeds and assistance referrals (migration 0006). No rule is
 * decided here: domain/claims.h and its siblings check and compute; these
 * functions read and write inside the caller's transaction.
 *
 * Dates cross as struct date (stored 'YYYY-MM-DD'), money as int64 fen,
 * times as Unix milliseconds. Text is NUL-terminated UTF-8 the domain
 * already validated; sealed fields arrive sealed.
 */
#ifndef HUZHU_STORE_STORE_CLAIMS_H
#define HUZHU_STORE_STORE_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

#define STORE_CLAIM_CODES_BYTES 271     /* 8 plan codes of 31 bytes and separators */
#define STORE_CLAIM_TEXT_BYTES 200      /* hospital, accident id: 50 characters */
#define STORE_CLAIM_INVOICES_BYTES 2111 /* 32 invoice numbers of 64 bytes, '|' separated */
#define STORE_CLAIM_SEALED_BYTES 4200   /* a sealed diagnosis (4096 + overhead) */
#define STORE_CLAIM_REASON_BYTES 512    /* reasons, appeal text */
#define STORE_CLAIM_PATH_BYTES 511      /* organisation path */
#define STORE_CLAIM_SETTLEMENT_ID_BYTES 64
#define STORE_CLAIM_KEY_HASH_BYTES 32   /* keyed hash of a disease code */
#define STORE_SHA256_HEX 64

/* ------------------------------------------------------------------ claims */

/* Bits of store_claim.dates_present. */
#define STORE_CLAIM_HAS_ADMISSION (1u << 0)
#define STORE_CLAIM_HAS_DISCHARGE (1u << 1)
#define STORE_CLAIM_HAS_DIAGNOSIS (1u << 2)
#define STORE_CLAIM_HAS_ACCIDENT (1u << 3)
#define STORE_CLAIM_HAS_SUBMITTED (1u << 4)

/* One claim row. Enumerations are their stored text ("" = NULL). */
struct store_claim {
    int64_t id;
    int64_t member_id;
    int64_t org_id;
    char org_path[STORE_CLAIM_PATH_BYTES + 1]; /* read only: the org's path */
    char channel[8];                            /* online | offline | auto */
    char status[20];
    char plan_codes[STORE_CLAIM_CODES_BYTES + 1]; /* 'ZY,JT' */
    unsigned dates_present;                       /* STORE_CLAIM_HAS_* */
    struct date submitted_on, admission_date, discharge_date, diagnosis_date, accident_date;
    char cause[10];    /* illness | accident | "" */
    char accident_id[STORE_CLAIM_TEXT_BYTES + 1];
    char outcome[12];  /* death | disability | medical | "" */
    int32_t grade;     /* 0 = none */
    unsigned char disease_enc[128];
    size_t disease_enc_len; /* 0 = none */
    unsigned char diagnosis_enc[STORE_CLAIM_SEALED_BYTES];
    size_t diagnosis_enc_len; /* 0 = none */
    char hospital[STORE_CLAIM_TEXT_BYTES + 1];
    bool has_settlement;
    int64_t settlement_fen[7]; /* total, fund, serious, assistance, other, in scope, out scope */
    char invoices[STORE_CLAIM_INVOICES_BYTES + 1];
    char settlement_id[STORE_CLAIM_SETTLEMENT_ID_BYTES + 1]; /* "" = none */
    int64_t payout_fen;
    int64_t risk_flags;
    int64_t assessed_by, decided_by, rejected_by; /* -1 = NULL; 0 = system / CLI */
    char reject_code[40];
    char reject_text[STORE_CLAIM_REASON_BYTES + 1];
    bool appealed;
    char appeal_reason[STORE_CLAIM_REASON_BYTES + 1];
    int64_t payout_attempts;
    int64_t created_by; /* -1 = NULL */
    int64_t created_ms, submitted_ms, paid_ms; /* 0 = NULL for the last two */
};

/* Inserts a claim (every column from *r but id and org_path); *out_id.
 * ERR_EXISTS when its settlement_id is taken. */
enum err store_claim_insert(struct store_conn *c, const struct store_claim *r,
                            int64_t *out_id) WARN_UNUSED;

/* Reads a claim with its org path. ERR_NOT_FOUND. */
enum err store_claim_get(struct store_conn *c, int64_t id, struct store_claim *out) WARN_UNUSED;

/* Writes the mutable columns of r (status, submitted_on, submitted_ms,
 * paid_ms, payout_fen, risk_flags, assessed_by, decided_by, rejected_by,
 * reject_code, reject_text, appealed, appeal_reason, payout_attempts) when the
 * stored status is still expected_status; ERR_CONFLICT when it is not. */
enum err store_claim_update(struct store_conn *c, const struct store_claim *r,
                            const char *expected_status) WARN_UNUSED;

/* True when a claim carries this settlement id. */
enum err store_claim_settlement_seen(struct store_conn *c, const char *settlement_id,
                                     bool *found) WARN_UNUSED;

struct store_claim_event {
    int64_t claim_id;
    const char *from_status; /* "" for a new claim */
    const char *to_status;
    int64_t at_ms;
    int64_t actor_user_id; /* 0 = system / CLI (stored NULL) */
    const char *actor_role;
    const char *reason;
};

enum err store_claim_event_insert(struct store_conn *c,
                                  const struct store_claim_event *ev) WARN_UNUSED;

/* The events of a claim, oldest first. */
enum err store_claim_event_each(struct store_conn *c, int64_t claim_id,
                                enum err (*fn)(void *ctx, const struct store_claim_event *ev),
                                void *ctx) WARN_UNUSED;

/* The claims of a filter, newest first, at most limit. */
struct store_claim_filter {
    const char *status;    /* NULL = any */
    int64_t member_id;     /* 0 = any */
    const char *path;      /* subtree prefix; NULL = all */
    size_t limit;
    const char *channel;   /* NULL = any */
    int64_t flags_any;     /* 0 = any; else claims carrying one of these risk bits */
    const char *plan_code; /* NULL = any; else claims naming this plan code */
    int64_t before_id;     /* 0 = from the newest; else ids below it (keyset pages) */
};

struct store_claim_brief {
    int64_t id, member_id;
    const char *channel, *status, *plan_codes;
    int64_t payout_fen, risk_flags, created_ms;
};

enum err store_claim_each(struct store_conn *c, const struct store_claim_filter *f,
                          enum err (*fn)(void *ctx, const struct store_claim_brief *b),
                          void *ctx) WARN_UNUSED;

/* ---------------------------------------------------------------- results */

struct store_claim_result {
    int64_t claim_id;
    int64_t seq;                      /* position of the plan in the claim */
    char plan_code[32];
    int64_t plan_id;                  /* 0 = none */
    int64_t enrolment_id;             /* 0 = none */
    char decision[8];                 /* approve | reject */
    char reason[24];                  /* "" = none */
    int64_t payout_fen;
    const unsigned char *steps;       /* encoded explanation (domain/claims.c); in: the
                                         caller's; out: valid in the callback */
    size_t steps_len;
    int64_t payable_entry, payout_entry, payout_pending; /* 0 = none */
};

/* Replaces the results of a claim with results[0..n). */
enum err store_claim_results_replace(struct store_conn *c, int64_t claim_id,
                                     const struct store_claim_result *results,
                                     size_t n) WARN_UNUSED;

/* Inserts results of a new claim (the bulk path; nothing to delete). */
enum err store_claim_results_insert(struct store_conn *c, const struct store_claim_result *results,
                                    size_t n) WARN_UNUSED;

/* The results of a claim in seq order. */
enum err store_claim_result_each(struct store_conn *c, int64_t claim_id,
                                 enum err (*fn)(void *ctx, const struct store_claim_result *r),
                                 void *ctx) WARN_UNUSED;

/* Records the ledger references of one result. */
enum err store_claim_result_set_entries(struct store_conn *c, int64_t claim_id, int64_t seq,
                                        int64_t payable_entry, int64_t payout_entry,
                                        int64_t payout_pending) WARN_UNUSED;

/* --------------------------------------------------------- engine inputs */

/* A member as claims need it. ERR_NOT_FOUND. */
struct store_claim_member {
    int64_t id;
    int64_t org_id;
    char org_path[STORE_CLAIM_PATH_BYTES + 1];
    bool hardship;
};
enum err store_claim_member_get(struct store_conn *c, int64_t id,
                                struct store_claim_member *out) WARN_UNUSED;

/* The member whose blind index is id_hash (32 bytes): *found, id, org. */
enum err store_claim_member_by_hash(struct store_conn *c, const unsigned char *id_hash,
                                    bool *found, int64_t *member_id,
                                    int64_t *org_id) WARN_UNUSED;

/* One enrolment that gives or gave cover (active, or cancelled after being
 * paid), with its term accumulators. kind is left "" (the caller knows the
 * plan). */
struct store_claim_enrolment {
    int64_t id;
    int64_t plan_id;
    char plan_code[32];
    char kind[20];
    struct date term_start;
    int64_t shares;
    bool has_cancelled_on;
    struct date cancelled_on;
    int64_t deductible_used_fen, tier_used_fen, paid_fen, days_paid, medical_paid_fen;
};

/* The member's enrolments (active or cancelled-after-paid), in no order. */
enum err store_claim_enrolment_each(struct store_conn *c, int64_t member_id,
                                    enum err (*fn)(void *ctx,
                                                   const struct store_claim_enrolment *e),
                                    void *ctx) WARN_UNUSED;

/* One enrolment by id, whatever its status. ERR_NOT_FOUND. */
enum err store_claim_enrolment_get(struct store_conn *c, int64_t id,
                                   struct store_claim_enrolment *out) WARN_UNUSED;

/* Writes the term accumulators of an enrolment (insert or replace). */
enum err store_claim_acc_term_put(struct store_conn *c,
                                  const struct store_claim_enrolment *e) WARN_UNUSED;

struct store_claim_ci_award {
    const char *plan_code;
    unsigned char disease_hash[STORE_CLAIM_KEY_HASH_BYTES];
    const char *severity; /* severe | mild */
    int64_t payout_fen;
    int64_t claim_id;
};

/* The member's critical-illness awards under plan_code. */
enum err store_claim_ci_each(struct store_conn *c, int64_t member_id, const char *plan_code,
                             enum err (*fn)(void *ctx, const struct store_claim_ci_award *a),
                             void *ctx) WARN_UNUSED;
enum err store_claim_ci_insert(struct store_conn *c, int64_t member_id,
                               const struct store_claim_ci_award *a) WARN_UNUSED;

/* Per-accident accumulators: *found false and zeros when none. */
enum err store_claim_accident_get(struct store_conn *c, int64_t member_id, const char *plan_code,
                                  const char *accident_id, bool *found,
                                  int64_t *disability_paid_fen, bool *death_paid) WARN_UNUSED;
enum err store_claim_accident_put(struct store_conn *c, int64_t member_id, const char *plan_code,
                                  const char *accident_id, int64_t disability_paid_fen,
                                  bool death_paid) WARN_UNUSED;

/* Invoice numbers on approved claims under a plan code. */
enum err store_claim_invoice_used(struct store_conn *c, const char *plan_code,
                                  const char *invoice_no, bool *found) WARN_UNUSED;
/* ERR_EXISTS when the number is taken under the code. */
enum err store_claim_invoice_use(struct store_conn *c, const char *plan_code,
                                 const char *invoice_no, int64_t claim_id) WARN_UNUSED;

/* Updates the member's lock row (creating it), so concurrent approvals of
 * one member's claims serialise. */
enum err store_claim_member_lock(struct store_conn *c, int64_t member_id) WARN_UNUSED;

/* --------------------------------------------------------------- risk */

/* Claims of the member (not drafts, not this one) submitted on or after
 * from. */
enum err store_claim_count_since(struct store_conn *c, int64_t member_id, struct date from,
                                 int64_t exclude_id, int64_t *out) WARN_UNUSED;

/* True when another member's claim names the same hospital and stay. */
enum err store_claim_same_stay(struct store_conn *c, const char *hospital, struct date admission,
                               struct date discharge, int64_t member_id,
                               bool *found) WARN_UNUSED;

/* Up to cap payouts (> 0) of the latest approved results under plan_code
 * (claims approved, payable, paid or closed), newest first. */
enum err store_claim_recent_payouts(struct store_conn *c, const char *plan_code, int64_t *out,
                                    size_t cap, size_t *n) WARN_UNUSED;

/* ---------------------------------------------------------- documents */

/* Stores a blob once (nothing happens when its hash is already stored). */
enum err store_document_blob_put(struct store_conn *c, const char *sha256_hex,
                                 const char *content_type, const void *data, size_t len,
                                 int64_t at_ms) WARN_UNUSED;

/* A blob: content type and a malloc'd copy of the bytes (caller frees).
 * ERR_NOT_FOUND. */
enum err store_document_blob_get(struct store_conn *c, const char *sha256_hex,
                                 char content_type[24], void **data, size_t *len) WARN_UNUSED;

struct store_claim_document {
    int64_t id;
    int64_t claim_id;
    const char *kind;
    const char *sha256;       /* hex */
    const char *content_type; /* read only */
    int64_t size_bytes;       /* read only */
    const char *file_name;
    int64_t uploaded_by;      /* 0 = CLI */
    int64_t uploaded_ms;
};

/* Attaches a stored blob to a claim; ERR_EXISTS when that very document is
 * already attached under that kind. */
enum err store_claim_document_insert(struct store_conn *c, const struct store_claim_document *d,
                                     int64_t *out_id) WARN_UNUSED;
enum err store_claim_document_each(struct store_conn *c, int64_t claim_id,
                                   enum err (*fn)(void *ctx,
                                                  const struct store_claim_document *d),
                                   void *ctx) WARN_UNUSED;
/* One attached document's blob hash, by document id within a claim. */
enum err store_claim_document_get(struct store_conn *c, int64_t claim_id, int64_t doc_id,
                                  char sha256_hex[STORE_SHA256_HEX + 1],
                                  char kind[24]) WARN_UNUSED;

struct store_claim_waiver {
    int64_t claim_id;
    const char *kind;
    const char *reason;
    int64_t waived_by;
    int64_t waived_ms;
};
/* ERR_EXISTS when the kind is already waived. */
enum err store_claim_waiver_insert(struct store_conn *c,
                                   const struct store_claim_waiver *w) WARN_UNUSED;
enum err store_claim_waiver_each(struct store_conn *c, int64_t claim_id,
                                 enum err (*fn)(void *ctx, const struct store_claim_waiver *w),
                                 void *ctx) WARN_UNUSED;

/* ---------------------------------------------------------- feed */

struct store_claim_feed {
    const char *file_sha256;
    const char *source_ref;
    struct date as_of;
    int64_t rows, created, duplicates, not_enrolled, rejected;
    int64_t imported_by; /* 0 = CLI */
    int64_t at_ms;
};
enum err store_claim_feed_insert(struct store_conn *c, const struct store_claim_feed *f,
                                 int64_t *out_id) WARN_UNUSED;

/* ------------------------------------------------------ assistance */

/* Over the member's paid or closed claims with a settlement whose end date
 * (discharge, else admission) falls in year: out-of-pocket and mutual aid
 * paid. */
enum err store_assist_year_sums(struct store_conn *c, int64_t member_id, int year,
                                int64_t *oop_fen, int64_t *aid_fen) WARN_UNUSED;

struct store_assist_row {
    int64_t member_id;
    int year;
    int64_t org_id;
    int64_t oop_fen, aid_paid_fen, remaining_fen;
    bool hardship;
    const char *reason; /* threshold | hardship */
    const char *status; /* open | handled (read only) */
    int64_t updated_ms;
};
/* Inserts or refreshes the (member, year) referral's figures. */
enum err store_assist_put(struct store_conn *c, const struct store_assist_row *r) WARN_UNUSED;
/* Referrals of a year (0 = all) in the subtree prefix path, by remaining
 * cost descending. */
enum err store_assist_each(struct store_conn *c, int year, const char *path,
                           enum err (*fn)(void *ctx, const struct store_assist_row *r),
                           void *ctx) WARN_UNUSED;

/* ------------------------------------------------------ reports */

/* Payout times (paid_ms - submitted_ms) of claims paid within
 * [from_ms, to_ms), passed one by one. */
enum err store_claim_payout_times(struct store_conn *c, int64_t from_ms, int64_t to_ms,
                                  enum err (*fn)(void *ctx, int64_t ms), void *ctx) WARN_UNUSED;

/* Which fund a plan code's claims book into: the plan code's own fund if
 * the ledger has one, else 'POOL'. out gets 33 bytes at most. */
enum err store_claim_fund_for(struct store_conn *c, const char *plan_code, char out[33]) WARN_UNUSED;

/* The kind of a plan code (its latest published version). ERR_NOT_FOUND. */
enum err store_claim_plan_kind(struct store_conn *c, const char *plan_code, char kind[20]) WARN_UNUSED;

/* Sets a claim's risk flags (the sample bit is known only once the id is). */
enum err store_claim_set_risk(struct store_conn *c, int64_t id, int64_t flags) WARN_UNUSED;

#endif
