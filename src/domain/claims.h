/*
 * claims: the claim lifecycle (理赔流程) below the HTTP layer.
 *
 *   draft -> submitted -> documents_complete -> assessed -> approved -> payable
 *         -> paid -> closed
 *   assessed | submitted | documents_complete | appealed -> rejected
 *   rejected -> appealed (once) -> assessed -> approved | rejected
 *   paid -> payable (payout failed; paid again later)
 *   approved with nothing to pay -> closed
 *
 * Every transition writes a claim_event row (from, to, Unix ms, actor,
 * reason) and an audit event ("claim.submit", "claim.approve", ...) in the
 * same transaction as the change; audit details carry codes and amounts
 * only, never a diagnosis, an ID number or free text.
 *
 * Operations take the actor as struct auth_user (the HTTP layer has it from
 * the session; the CLI uses claims_actor_cli), typed inputs, and answer an
 * enum err with, for input errors, the field path (err_field) so a route is
 * a thin wrapper: JSON -> struct claim_input -> claim_create -> JSON.
 *
 * Who may do what (ERR_FORBIDDEN otherwise; a staff actor acting outside
 * its organisation subtree gets ERR_OUT_OF_SCOPE, a member on another's
 * claim ERR_NOT_FOUND):
 *   create, submit, appeal   the member (channel online) or unit staff,
 *                            claims officers and approvers, admin (offline)
 *   assess, reject           claims officer, claims approver, admin
 *   approve                  claims officer when the payout is at most
 *                            cfg.officer_limit_fen and the claim carries no
 *                            risk flag; otherwise (ERR_AUTHORITY_LIMIT for
 *                            an officer) a claims approver or admin who is
 *                            not the assessor (ERR_SAME_USER)
 *   decide an appeal         a claims approver or admin who is not the one
 *                            who rejected it (ERR_SAME_USER)
 *   pay, payout failed       finance, admin
 *   close                    finance, claims officer, admin
 * A transition not allowed from the claim's status is ERR_CLAIM_STATE.
 *
 * Accumulators and concurrency. Assessment judges the claim against the
 * accumulators of the member's APPROVED claims and stores the results; it
 * changes no accumulator, so a claim assessed and then rejected leaves no
 * trace on caps. Approval judges the claim again, in its own transaction,
 * against the accumulators as they are then, and writes the accumulator
 * changes (claim_acc_* rows) with the approval. When the new result differs
 * from the assessed one (another claim of the member was approved in
 * between and used the cap) the new result is stored and the approval
 * answers ERR_CLAIM_REASSESSED: the approver sees the new figure and
 * approves again. Every approval also updates the member's lock row, so on
 * PostgreSQL two concurrent approvals for one member serialise (the second
 * is retried by store_with_tx and judges against the first's accumulators);
 * on SQLite writers are serialised anyway. Invoice numbers are unique per
 * plan code in claim_invoice_used, which turns a concurrent second use
 * into a retry that then sees DUPLICATE_INVOICE.
 *
 * Ledger: approval posts, per plan with a payout, the entry benefit expense
 * (5101) against benefits payable (2241) in the plan code's fund (or POOL)
 * and moves the claim to payable in the same transaction. Payment goes
 * through claim_pay (see its comment: a stand-in until the payout-batch
 * module lands).
 */
#ifndef HUZHU_DOMAIN_CLAIMS_H
#define HUZHU_DOMAIN_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/adjudicate.h"
#include "domain/auth.h"
#include "domain/fieldcrypt.h"
#include "domain/plan.h"
#include "store/store.h"

#define CLAIM_FIELD_MAX 64           /* bytes of a field path in an error */
#define CLAIM_HOSPITAL_MAX (50 * 4 + 1) /* 50 characters of UTF-8 */
#define CLAIM_REASON_CODE_MAX 32     /* reject codes: [A-Z_], e.g. "LATE_CLAIM" */
#define CLAIM_TEXT_MAX 500           /* bytes of a reason or appeal text */
#define CLAIM_DIAGNOSIS_MAX 4000     /* bytes of a free-text diagnosis (sealed) */
#define CLAIMS_ENROLMENTS_MAX 256    /* enrolments of one member judged at once */

enum claim_status {
    CLAIM_DRAFT,
    CLAIM_SUBMITTED,
    CLAIM_DOCUMENTS_COMPLETE,
    CLAIM_ASSESSED,
    CLAIM_APPROVED,
    CLAIM_REJECTED,
    CLAIM_APPEALED,
    CLAIM_PAYABLE,
    CLAIM_PAID,
    CLAIM_CLOSED,
    CLAIM_STATUS__COUNT
};

/* "draft", "submitted", ...; parse: false for anything else. */
const char *claim_status_str(enum claim_status s);
bool claim_status_parse(const char *text, enum claim_status *out);

enum claim_channel {
    CLAIM_CHANNEL_ONLINE,  /* the worker, self-service */
    CLAIM_CHANNEL_OFFLINE, /* unit staff or an officer for a paper claim */
    CLAIM_CHANNEL_AUTO,    /* no application: from the settlement feed (免申即享) */
};
const char *claim_channel_str(enum claim_channel ch);

/* Tunables; claims_config_default gives the values in brackets. */
struct claims_config {
    int64_t officer_limit_fen;       /* an officer approves up to this [500000: 5,000 yuan] */
    int32_t risk_waiting_window_days; /* event within this after the waiting period [30] */
    int32_t risk_max_claims_12m;     /* more claims than this in 12 months [3] */
    int64_t risk_median_factor;      /* payout > factor x median of the plan [5] */
    int32_t risk_min_sample;         /* ... when at least this many payouts exist [20] */
    int64_t risk_sample_bp;          /* quality-review sample [500: 5 %] */
    int64_t referral_threshold_fen;  /* remaining out-of-pocket in a year [3000000] */
    int64_t referral_hardship_fen;   /* ... for a hardship-flagged member [500000] */
};
void claims_config_default(struct claims_config *cfg);
/* The highest officer limit a server accepts: 1,000,000 yuan. */
#define CLAIMS_OFFICER_LIMIT_MAX_FEN INT64_C(100000000)

/* The environment of an operation. */
struct claims_ctx {
    const struct fieldcrypt *fc;      /* seals diagnoses, indexes ID numbers; required */
    const struct claims_config *cfg;
    int64_t now_ms;                   /* Unix ms: event and audit times */
    struct date today;                /* the date: submission, "in the future" checks */
    const char *request_id;           /* for the audit trail; may be NULL */
};

/* The command line's actor: admin over every organisation, user id 0. */
extern const struct auth_user claims_actor_cli;

/* What a claim says (intake). Strings are NUL-terminated within their
 * arrays; event.present says which event fields are given. */
struct claim_input {
    int64_t member_id;
    size_t nplans;                                  /* 1..ADJ_CLAIM_PLANS_MAX */
    char plan_codes[ADJ_CLAIM_PLANS_MAX][PLAN_CODE_MAX];
    struct adj_event event;                         /* as the engine reads it */
    char hospital[CLAIM_HOSPITAL_MAX];              /* "" = none */
    size_t ninvoices;                               /* 0..ADJ_CLAIM_INVOICES_MAX */
    char invoices[ADJ_CLAIM_INVOICES_MAX][ADJ_INVOICE_MAX];
    const char *diagnosis;                          /* free text (ptr, len), sealed; may be NULL */
    size_t diagnosis_len;
};

/*
 * Checks an input without the database: plan codes (1..8, distinct,
 * known syntax), dates (none after today: INVALID_DATE; discharge before
 * admission: INVALID_DATE "event.discharge_date"), settlement (every amount
 * 0..ADJ_FEN_MAX: INVALID_MONEY "event.settlement.<name>"; the parts not
 * summing to total_fen: SETTLEMENT_MISMATCH "event.settlement.total_fen"),
 * grade 1..10, hospital (UTF-8, at most 50 characters), invoices (1..63
 * bytes of printable ASCII, distinct), diagnosis (UTF-8, at most
 * CLAIM_DIAGNOSIS_MAX bytes). These are input errors (HTTP 422 with the
 * field), never decisions.
 */
enum err claim_input_check(const struct claim_input *in, struct date today, char *err_field,
                           size_t err_cap) WARN_UNUSED;

/* The same checks without the plan codes (the feed names none). */
enum err claim_event_check(const struct claim_input *in, struct date today, char *err_field,
                           size_t err_cap) WARN_UNUSED;

/* Creates a draft claim; *out_id. The member must exist (UNKNOWN_MEMBER)
 * and every plan code must have a published version (INVALID_PLAN
 * "plan_codes[i]"). */
enum err claim_create(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, const struct claim_input *in,
                      int64_t *out_id, char *err_field, size_t err_cap) WARN_UNUSED;

/* draft -> submitted, the submission date being ctx->today; then to
 * documents_complete when nothing required is missing. */
enum err claim_submit(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id) WARN_UNUSED;

/* The outcome of judging a claim. */
struct claim_pair {
    char plan_code[PLAN_CODE_MAX];
    enum adj_decision decision;
    enum adj_reason reason;
    int64_t payout_fen;
};
struct claim_assessment {
    size_t npairs;
    struct claim_pair pairs[ADJ_CLAIM_PLANS_MAX];
    int64_t payout_fen;     /* sum of the pairs' payouts */
    unsigned risk_flags;    /* RISK_* bits (domain/risk.h) */
    bool needs_approver;    /* above the officer's limit or flagged */
    enum claim_status status; /* the claim's status afterwards */
};

/* documents_complete | assessed | appealed -> assessed: judges the claim
 * from the database (plans by version, the member's enrolments and
 * accumulators, the used invoices), stores the results with their
 * explanations and the risk flags. DOCUMENTS_MISSING from submitted. */
enum err claim_assess(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id,
                      struct claim_assessment *out) WARN_UNUSED;

/* assessed -> approved -> payable (or closed when nothing is payable); see
 * the header comment for authority, maker-checker, re-judging and the
 * ledger. CONFLICT when every plan rejected the claim (reject it instead);
 * CLAIM_REASSESSED when the figures changed (stored; approve again);
 * ledger refusals (PERIOD_CLOSED, ...) as the ledger answers them. */
enum err claim_approve(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t id,
                       struct claim_assessment *out) WARN_UNUSED;

/* -> rejected with a reason code ([A-Z_], 2..32, e.g. the engine's
 * "WAITING_PERIOD", or "DOCUMENTS_INSUFFICIENT") and a text (1..500 bytes).
 * INVALID "reason_code" / "reason_text". */
enum err claim_reject(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id, const char *reason_code,
                      const char *reason_text, char *err_field, size_t err_cap) WARN_UNUSED;

/* rejected -> appealed with a reason (1..500 bytes); ALREADY_APPEALED the
 * second time. */
enum err claim_appeal(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id, const char *reason,
                      char *err_field, size_t err_cap) WARN_UNUSED;

/*
 * payable -> paid: posts, per plan with a payout, benefits payable (2241)
 * against the bank (1002) with source payout_batch and batch_ref as source
 * id, value date paid_on; then runs the assistance referral check.
 *
 * Payment by hand, one claim at a time (tests, corrections): the API pays
 * through payout batches (domain/payout.h, claims_payout_paid_in_tx). When
 * a payment needs a second finance user (ledger maker-checker), the claim
 * stays payable, the pending payment is recorded and *pending is true;
 * calling claim_pay again after ledger_approve finds the posted entry
 * (same idempotency key) and completes. A claim with a pending payment
 * here is not collected by a payout batch.
 */
enum err claim_pay(struct store_conn *c, const struct claims_ctx *ctx,
                   const struct auth_user *actor, int64_t id, struct date paid_on,
                   const char *batch_ref, bool *pending) WARN_UNUSED;

/* paid -> payable: the bank returned the payment; posts 1002 <- 2241 per
 * plan (source payout_batch) and counts the attempt, so claim_pay can pay
 * again (a new idempotency key per attempt). reason: 1..500 bytes. */
enum err claim_payout_failed(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, int64_t id, struct date on,
                             const char *reason) WARN_UNUSED;

/*
 * Payout batches (domain/payout.h) pay claims through these, inside the
 * payout module's transaction; the caller checks roles and posts the
 * ledger entries. Both check the actor's scope and lock the audit chain.
 *
 * claims_payout_paid_in_tx: the bank paid the claim's unpaid approved
 * results booked in fund (plan code's fund, else POOL) with the ledger
 * entry entry_id (2241 -> 1002) for amount_fen, which must be their sum
 * (ERR_CONFLICT otherwise: the claim changed). The results record the
 * entry; once no approved result is unpaid the claim moves payable -> paid
 * ("claim.pay") and the assistance referral check runs. ERR_CLAIM_STATE
 * unless payable.
 *
 * claims_payout_failed_in_tx: the bank did not pay (returned false: nothing
 * was posted, the claim is payable) or returned a payment it had paid
 * (returned true: the caller posted 1002 <- 2241 for amount_fen, the sum of
 * the fund's paid results, whose entries are cleared). The attempt is
 * counted and the claim is payable again with the reason (1..500 bytes),
 * recorded as "claim.payout_failed".
 */
enum err claims_payout_paid_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                  const struct auth_user *actor, int64_t id, const char *fund,
                                  int64_t entry_id, int64_t amount_fen,
                                  struct date paid_on) WARN_UNUSED;
enum err claims_payout_failed_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                    const struct auth_user *actor, int64_t id, const char *fund,
                                    bool returned, int64_t amount_fen,
                                    const char *reason) WARN_UNUSED;

/* paid -> closed. */
enum err claim_close(struct store_conn *c, const struct claims_ctx *ctx,
                     const struct auth_user *actor, int64_t id) WARN_UNUSED;

/* The claim as the API shows it: facts, status, settlement, results with
 * explanations, risk flags, events, documents and waivers; the diagnosis
 * never (it is sealed; revealing it is a separate, audited act).
 * *out is a new JSON object. */
enum err claim_to_json(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t id, json_t **out) WARN_UNUSED;

/* Payout time (submitted -> paid) over claims paid in [from_ms, to_ms). */
struct claims_payout_time {
    int64_t claims;
    int64_t mean_ms;
    int64_t median_ms;
    int64_t max_ms;
};
enum err claims_payout_time(struct store_conn *c, int64_t from_ms, int64_t to_ms,
                            struct claims_payout_time *out) WARN_UNUSED;

/* ------------------------------------------------------ the workbench list */

/* Which claims to list; NULL / 0 fields do not filter. */
struct claims_filter {
    const char *status;    /* a claim_status name */
    const char *channel;   /* "online", "offline" or "auto" */
    unsigned flags_any;    /* claims carrying any of these RISK_* bits */
    const char *plan_code; /* claims naming this plan code */
    int64_t member_id;     /* one member's claims */
    int64_t before_id;     /* keyset page: ids below this one */
    size_t limit;          /* 1..LIMIT_PAGE_MAX */
};

/*
 * The claims the actor may see, newest first, passed one by one to fn:
 * staff see the claims of their subtree's members, a member only their own
 * (member_id, if given, must be theirs; another lists nothing). ERR_INVALID
 * with err_field naming the filter ("status", "channel", "plan", "limit")
 * when a value is not a known one; ERR_FORBIDDEN for no role at all.
 */
struct store_claim_brief;
enum err claims_list(struct store_conn *c, const struct auth_user *actor,
                     const struct claims_filter *f,
                     enum err (*fn)(void *ctx, const struct store_claim_brief *b), void *fn_ctx,
                     char *err_field, size_t err_cap) WARN_UNUSED;

/* ------------------------------------------------- bulk intake (the feed) */

/* Parsed plan versions and per-plan payout statistics, kept for one
 * command or request so a feed parses each plan document once. */
struct claims_cache;
enum err claims_cache_new(struct claims_cache **out) WARN_UNUSED;
void claims_cache_free(struct claims_cache *cache);

struct claims_auto_result {
    bool created;        /* false: the member holds no covering enrolment */
    int64_t claim_id;
    struct claim_assessment assessment;
};

/*
 * Inside the caller's transaction (the audit chain locked): creates a
 * no-application claim (channel auto) for member_id from a settlement,
 * naming every inpatient and daily-allowance plan code in which the member
 * holds an enrolment covering the admission date (inpatient codes first),
 * and assesses it (submitted -> documents_complete -> assessed; the
 * settlement data itself is the evidence, so no document is required).
 * in->nplans must be 0; settlement_id is the feed's key (a claim already
 * carrying it is ERR_EXISTS). out->created false when no enrolment covers.
 * It writes claim_event rows but no audit event: the caller audits the
 * bulk act once (the feed: "claims.feed_import" with its counts).
 */
enum err claims_auto_intake_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                  struct claims_cache *cache, const struct auth_user *actor,
                                  const struct claim_input *in, int64_t org_id,
                                  const char *settlement_id, struct claims_auto_result *out,
                                  char *err_field, size_t err_cap) WARN_UNUSED;

/* Loads the claim and checks the actor may see it (used by documents.c). */
struct store_claim;
enum err claims_load_for(struct store_conn *c, const struct auth_user *actor, int64_t id,
                         struct store_claim *out) WARN_UNUSED;

/* The engine's event of a stored claim, as assessment builds it (the
 * disease code unsealed with ctx->fc; ERR_INTERNAL without it). For the
 * what-if replay of domain/whatif.c. */
enum err claims_event_of(const struct claims_ctx *ctx, const struct store_claim *r,
                         struct adj_event *out) WARN_UNUSED;

/* Records a status change: claim_event row + audit event "claim.<action>"
 * with detail {"from", "to", extra pairs...}. For sibling modules. */
enum err claims_record(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t claim_id, const char *action,
                       const char *from, const char *to, const char *reason,
                       const char *const *extra_pairs, size_t nextra) WARN_UNUSED;

/* After a document was attached or waived: moves a submitted claim to
 * documents_complete when nothing required is missing (documents.c). */
enum err claims_documents_changed_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                        const struct auth_user *actor,
                                        struct store_claim *r) WARN_UNUSED;

#endif
