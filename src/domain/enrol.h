/*
 * enrol: enrolment (参保) in published plans: eligibility, group enrolment
 * by a unit (单位集体参保), individual enrolment (gig workers), gifted cover
 * (赠送保障), preview before commit, renewal with continuity, expiring
 * lists and cancellation with the plan's refund rule.
 *
 * Every operation takes an actor (who, in which organisation subtree) and
 * typed inputs, and answers an enum err with, on refusal, the field path of
 * the request that caused it (err_field), so an HTTP route is a thin
 * wrapper: JSON -> struct enrol_request -> enrol_commit -> JSON.
 *
 * Rules (spec/benefit-rules.md, "Plans", and issue 6):
 *   - Terms: a term starting S ends the day before add_months(S, term_months).
 *   - Eligibility of a member, first failure wins, each its own code:
 *       UNKNOWN_MEMBER, OUT_OF_SCOPE (member's union outside the actor's
 *       subtree), NOT_IN_UNIT (group: not on the unit's roster),
 *       DUPLICATE_MEMBER (named twice), AGE_OUT_OF_RANGE (whole years on the
 *       term's start outside [min_age, max_age]), GENDER_NOT_ELIGIBLE,
 *       EMPLOYMENT_NOT_ELIGIBLE, GIFT_NOT_ELIGIBLE (gift: neither hardship-
 *       flagged nor a gig worker), OVERLAPPING_TERM (a pending, active or
 *       not-yet-ended cancelled enrolment in the same plan code overlaps).
 *   - Request-level refusals (the whole request): NOT_FOUND / PLAN_NOT_PUBLISHED
 *     ("plan"), TOO_MANY_SHARES ("shares": outside 1..max_shares),
 *     UNKNOWN_EMPLOYER / OUT_OF_SCOPE ("employer_id"), FUNDING_INVALID
 *     ("funding..."; "funding.employer" for an individual batch, which has
 *     no unit to pay), INVALID_DATE ("due_date" after the term's end),
 *     INVALID ("donor" missing for a gift, present otherwise; "member_ids",
 *     "employer_id" not fitting the kind). A gift batch is paid in full by
 *     the donor whatever funding says.
 *   - Participation (group only, plan "participation"; checked on commit,
 *     shown by preview): the unit's eligible staff are its roster members
 *     the plan's age/gender/employment rules admit; participating = those
 *     enrolled by this batch + those already holding an overlapping
 *     enrolment in the plan code.
 *       MUST_ENROL_ALL         roster size < all_if_staff_below and some
 *                              eligible staff member is not participating;
 *       PARTICIPATION_TOO_LOW  participating * 10000 < min_ratio_bp * eligible staff;
 *       UNEQUAL_SHARES         equal_shares and a participating member holds
 *                              another number of shares than this batch.
 *   - A group batch given no member list enrols the unit's whole roster:
 *     refused members are skipped and reported, the rest are enrolled. With
 *     a member list, the same: commit enrols exactly the preview's eligible
 *     members, atomically, and reports the refused ones;
 *     NO_ELIGIBLE_MEMBERS when none is left. An individual or gift request
 *     for one member answers that member's refusal code directly.
 *   - Cost: the batch's funding spec splits each share's price (costshare.h);
 *     every enrolment in a batch has the same shares, hence the same parts.
 *     Commit writes one invoice per payer with a part > 0 (invoice.h).
 *     Cover starts only when the enrolment's whole price is paid.
 *   - Renewal: the next term starts the day after the previous term ends,
 *     so days(E, start) - 1 = 0 <= renewal_grace_days: a continuous renewal
 *     with no new waiting period. It enrols the batch's active, not yet
 *     renewed enrolments on the latest published version of the plan code,
 *     with the same kind, unit, shares, funding and donor, re-checking
 *     eligibility (a member may have aged out) and participation.
 *   - Cancellation from an effective date D (term_start <= D <= term_end):
 *     cover ends the day before D. Refund (plan "refund"): none, or for
 *     "unexpired_months" worker_part * m / term_months rounded down, where
 *     m is the number of whole months from D to the term's end (the largest
 *     m with add_months(D, m) <= term_end + 1); only a paid (active)
 *     enrolment is refunded; the refund is posted to the ledger
 *     (invoice_post_refund: a partial refund of the contribution schedules
 *     the batch's worker-invoice receipts created, so earning stays exact).
 *   - Audit: commit ("enrol.commit"), renewal ("enrol.renew") and
 *     cancellation ("enrolment.cancel") append an audit event in their own
 *     transaction.
 *   - Concurrency: a commit first locks the members it may enrol
 *     (store_enrol_lock_members), so two simultaneous enrolments of one
 *     member in one plan cannot both pass the overlap check on PostgreSQL.
 */
#ifndef HUZHU_DOMAIN_ENROL_H
#define HUZHU_DOMAIN_ENROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/limits.h"
#include "domain/audit.h"
#include "domain/costshare.h"
#include "domain/plan.h"
#include "store/store.h"

/* Donor names are names: 50 characters of up to 4 bytes. */
#define ENROL_DONOR_MAX (50 * 4 + 1)
/* Longest field path an enrolment error names ("member_ids[999999]"). */
#define ENROL_FIELD_MAX 64
/* Members in one batch: the largest units have a few hundred thousand staff;
 * a million bounds the arrays a preview holds (16 MB). */
#define ENROL_BATCH_MEMBERS_MAX 1000000
/* Rows enrol_expiring returns at most. */
#define ENROL_EXPIRING_MAX 10000

/* Who acts. The HTTP layer fills it from the session, the CLI as "/" (all).
 * login, org_id and request_id go to the audit trail (NULL / 0 read as none). */
struct enrol_actor {
    int64_t user_id;      /* app_user id; 0 for the CLI or the system */
    const char *role;     /* role name, for the record; may be "" */
    const char *org_path; /* the subtree the actor may act in: "/1/4/"; "/" = all */
    const char *login;    /* for the audit trail; NULL = "cli" when user_id is 0 */
    int64_t org_id;       /* the actor's organisation; 0 = none */
    const char *request_id; /* the HTTP request id, or NULL */
};

/* The CLI's actor: every organisation. */
extern const struct enrol_actor enrol_actor_cli;

/* The audit actor of a (pointers into a). */
void enrol_audit_actor(const struct enrol_actor *a, struct audit_actor *out);

/* Appends one audit event by actor inside the caller's open transaction,
 * its detail the canonical JSON of pairs[0..2 * npairs) (audit_detail_pairs). */
enum err enrol_audit(struct store_conn *c, const struct enrol_actor *actor, const char *action,
                     const char *object_type, int64_t object_id, const char *const *pairs,
                     size_t npairs) WARN_UNUSED;

enum enrol_kind {
    ENROL_GROUP,      /* a unit enrols its roster or a selection */
    ENROL_INDIVIDUAL, /* one worker, self-service or at a union office */
    ENROL_GIFT,       /* cover paid by a union or donor, hardship or gig workers */
};

/* "group" / "individual" / "gift"; parse gives false for anything else. */
const char *enrol_kind_str(enum enrol_kind k);
bool enrol_kind_parse(const char *text, enum enrol_kind *out);

struct enrol_request {
    enum enrol_kind kind;
    char plan_code[PLAN_CODE_MAX];
    int64_t plan_version;      /* 0: the latest published version */
    int64_t employer_id;       /* group: the unit; else 0 */
    const int64_t *member_ids; /* not owned; group: NULL = the whole roster */
    size_t nmembers;           /* individual: exactly 1; gift: 1.. */
    struct date term_start;
    struct date due_date;      /* invoices due; unpaid after it lapses */
    int64_t shares;            /* 1..plan max_shares, every member of the batch */
    struct costshare_spec funding;
    char donor[ENROL_DONOR_MAX]; /* gift: the paying union or donor; else "" */
};

/* One refused member. */
struct enrol_refusal {
    int64_t member_id;
    enum err code;
};

/* What a commit would do (and, after a commit, did). */
struct enrol_preview {
    int64_t plan_id;
    int64_t plan_version;
    struct date term_start, term_end;
    int64_t shares;
    int64_t roster_size;      /* group: members on the unit's roster */
    int64_t eligible_staff;   /* group: roster members the plan admits */
    int64_t already_enrolled; /* group: eligible staff already covered in the term */
    enum err participation;   /* ERR_OK or the participation rule refused */
    int64_t *eligible;        /* member ids to enrol, in batch order (malloc) */
    size_t neligible;
    struct enrol_refusal *refused; /* malloc */
    size_t nrefused;
    struct costshare_split share;     /* parts of one share */
    struct costshare_split enrolment; /* parts of one enrolment (share x shares) */
    struct costshare_split total;     /* per payer for the batch (invoice amounts) */
    int64_t batch_id;                 /* after a commit; 0 for a preview */
};

/* Frees what a preview holds; safe on a zeroed or released preview. */
void enrol_preview_release(struct enrol_preview *p);

/*
 * Checks a request and fills *out without writing anything. Request-level
 * refusals return their code with err_field set (ENROL_FIELD_MAX bytes);
 * member refusals are listed in out->refused; participation in
 * out->participation. enrol_preview_release(out) in every case.
 */
enum err enrol_preview(struct store_conn *c, const struct enrol_actor *actor,
                       const struct enrol_request *req, struct enrol_preview *out,
                       char *err_field, size_t err_cap) WARN_UNUSED;

/*
 * Previews and, when the request, the participation rules and at least one
 * member pass, writes the batch, its enrolments (pending) and its invoices
 * in one transaction: all or nothing. out->batch_id gets the batch.
 * A batch whose price is 0 is active at once.
 */
enum err enrol_commit(struct store_conn *c, const struct enrol_actor *actor,
                      const struct enrol_request *req, struct enrol_preview *out,
                      char *err_field, size_t err_cap) WARN_UNUSED;

/* As enrol_commit inside the caller's open transaction (bulk callers:
 * bench, demo); on error the caller rolls back. */
enum err enrol_commit_in_tx(struct store_conn *c, const struct enrol_actor *actor,
                            const struct enrol_request *req, struct enrol_preview *out,
                            char *err_field, size_t err_cap) WARN_UNUSED;

/*
 * Renews batch_id into the next term (see the rules above). due_date: the
 * new invoices' due date, NULL = the new term's start. out is as for
 * enrol_commit. NOT_RENEWABLE when no
 * enrolment of the batch is active and unrenewed; NOT_FOUND / OUT_OF_SCOPE
 * ("batch_id").
 */
enum err enrol_renew(struct store_conn *c, const struct enrol_actor *actor, int64_t batch_id,
                     const struct date *due_date, struct enrol_preview *out, char *err_field,
                     size_t err_cap) WARN_UNUSED;

/* One enrolment as the API shows it. */
struct enrol_view {
    int64_t id;
    int64_t batch_id;
    int64_t member_id;
    int64_t plan_id;
    char plan_code[PLAN_CODE_MAX];
    struct date term_start, term_end;
    int64_t shares;
    char status[12]; /* pending | active | lapsed | cancelled */
    bool has_cover_start;
    struct date cover_start;
    bool has_cancelled_on;
    struct date cancelled_on;
    int64_t refund_fen;
    int64_t renewal_of; /* enrolment id, 0 = none */
};

/* One enrolment; NOT_FOUND, OUT_OF_SCOPE. */
enum err enrol_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                   struct enrol_view *out) WARN_UNUSED;

/*
 * Active enrolments in the actor's subtree whose term ends within
 * [as_of, as_of + days] and that are not renewed yet, by end date; fn is
 * called per row (at most ENROL_EXPIRING_MAX). days 0..3660.
 */
enum err enrol_expiring(struct store_conn *c, const struct enrol_actor *actor, struct date as_of,
                        int32_t days, enum err (*fn)(void *ctx, const struct enrol_view *v),
                        void *ctx) WARN_UNUSED;

struct enrol_cancel_result {
    int64_t refund_fen;
    int32_t unexpired_months;
    int64_t journal_entry_id; /* ledger entry of the refund; 0 when none (or pending) */
    int64_t pending_id;       /* a refund above the fund's threshold awaiting a second
                                 finance user (ledger maker-checker); 0 when none */
};

/*
 * Cancels enrolment id from `effective` (cover ends the day before) with the
 * plan's refund rule. NOT_FOUND / OUT_OF_SCOPE ("enrolment_id"),
 * ALREADY_CANCELLED (cancelled or lapsed), INVALID_DATE ("effective":
 * outside the term).
 */
enum err enrol_cancel(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                      struct date effective, struct enrol_cancel_result *out, char *err_field,
                      size_t err_cap) WARN_UNUSED;

/* ------------------------------------------------------------- listings */

/* Which enrolments enrol_list passes; 0 / NULL fields do not filter. */
struct enrol_filter {
    int64_t member_id;
    int64_t employer_id;
    const char *plan_code;
    const char *status;        /* pending | active | lapsed | cancelled */
    bool expiring;             /* active, not renewed, ending in [as_of, as_of + days] */
    struct date as_of;
    int32_t days;              /* 0..PLAN_DAYS_MAX */
    int64_t after_id;          /* keyset: ids above it, ascending */
    size_t limit;              /* 1..ENROL_LIST_MAX */
};

/* Most rows one enrol_list call passes. */
#define ENROL_LIST_MAX 500

/* Bytes of a listed name (a member's, an employer's): 50 characters of UTF-8. */
#define ENROL_NAME_BYTES (LIMIT_NAME_CHARS * 4)

/* One listed enrolment: the enrolment, who it covers (name and masked ID
 * number only: the sealed number never leaves the registry) and the unit
 * whose batch enrolled them. */
struct enrol_list_view {
    struct enrol_view en;
    char member_name[ENROL_NAME_BYTES + 1];
    char member_id_mask[24];  /* "110101********1234" */
    int64_t employer_id;      /* the batch's unit; 0 for individual and gift batches */
    char employer_name[ENROL_NAME_BYTES + 1]; /* "" when employer_id is 0 */
};

/* Enrolments in the actor's subtree matching f, by id. ERR_RANGE for days
 * or limit out of range, ERR_INVALID for an unknown status. */
enum err enrol_list(struct store_conn *c, const struct enrol_actor *actor,
                    const struct enrol_filter *f,
                    enum err (*fn)(void *ctx, const struct enrol_list_view *v),
                    void *ctx) WARN_UNUSED;


/* A batch as the API shows it. */
struct enrol_batch_view {
    int64_t id;
    enum enrol_kind kind;
    char plan_code[PLAN_CODE_MAX];
    int64_t employer_id; /* 0 = none */
    struct date term_start, term_end, due_date;
    int64_t shares;
    int64_t member_count;
    int64_t renewal_of; /* batch id, 0 = none */
};

/* One batch; NOT_FOUND, OUT_OF_SCOPE. */
enum err enrol_batch_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                         struct enrol_batch_view *out) WARN_UNUSED;

/* The enrolments of a batch in seq order (at most limit); NOT_FOUND /
 * OUT_OF_SCOPE for the batch. */
enum err enrol_each_batch(struct store_conn *c, const struct enrol_actor *actor,
                          int64_t batch_id, size_t limit,
                          enum err (*fn)(void *ctx, const struct enrol_view *v),
                          void *ctx) WARN_UNUSED;

/* One enrolment as its member sees it (the worker portal). */
struct enrol_cover {
    struct enrol_view v;
    char plan_name[PLAN_NAME_MAX];
    enum plan_kind kind;
    bool continuous;          /* a continuous renewal (spec: renewal_grace_days):
                                 no new waiting period */
    bool has_waiting;         /* an illness waiting period applies */
    struct date waiting_ends; /* first day without it: term start + waiting_days */
};

/* Every enrolment of member_id, by plan code then term start (at most
 * ENROL_LIST_MAX). Continuity: the member holds another enrolment of the
 * same code that gave cover (active, or cancelled after its start) ending
 * on E < start with days(E, start) - 1 <= renewal_grace_days. Accident
 * plans never wait. */
enum err enrol_member_cover(struct store_conn *c, int64_t member_id,
                            enum err (*fn)(void *ctx, const struct enrol_cover *cv),
                            void *ctx) WARN_UNUSED;

/* Most bytes of a masked name: one character of up to 4 bytes and stars. */
#define ENROL_MASKED_NAME_MAX (4 + LIMIT_NAME_CHARS + 1)

/* "张**": the first character of name (len bytes, UTF-8), a '*' for each
 * other one. Pure. */
void enrol_mask_name(const char *name, size_t len, char out[ENROL_MASKED_NAME_MAX]);

/* The masked name of a member in the actor's subtree; ERR_NOT_FOUND for an
 * unknown member or one outside the subtree (never revealed). */
enum err enrol_member_masked_name(struct store_conn *c, const struct enrol_actor *actor,
                                  int64_t member_id,
                                  char out[ENROL_MASKED_NAME_MAX]) WARN_UNUSED;

/* ---------------------------------------------------- pure rules (no I/O) */

/* The last day of a term starting on start. */
struct date enrol_term_end(const struct plan *plan, struct date start);

/* True when org_path lies in the subtree actor_path (a prefix of it). */
bool enrol_in_scope(const char *actor_path, const char *org_path);

/* What eligibility reads of a member. */
struct enrol_member_facts {
    struct date birth_date;
    char gender;            /* 'M' / 'F' */
    const char *employment; /* standard | courier | delivery | ... */
    bool hardship;
};

/* AGE_OUT_OF_RANGE, GENDER_NOT_ELIGIBLE, EMPLOYMENT_NOT_ELIGIBLE, or (for
 * ENROL_GIFT) GIFT_NOT_ELIGIBLE; ERR_OK when the plan admits the member for
 * a term starting on term_start. */
enum err enrol_check_member(const struct plan *plan, enum enrol_kind kind,
                            const struct enrol_member_facts *m, struct date term_start) WARN_UNUSED;

/* Counts the participation rules read (group batches). */
struct enrol_participation {
    int64_t roster_size;    /* the unit's members */
    int64_t eligible_staff; /* roster members the plan admits */
    int64_t participating;  /* eligible staff enrolled by the batch or already covered */
    bool unequal_shares;    /* a participating member holds other shares */
};

/* ERR_OK, MUST_ENROL_ALL, PARTICIPATION_TOO_LOW or UNEQUAL_SHARES (in that
 * order of checking). A plan without "participation" always passes. */
enum err enrol_check_participation(const struct plan *plan,
                                   const struct enrol_participation *p) WARN_UNUSED;

/*
 * The refund of cancelling from `effective` an enrolment with term
 * [term_start, term_end] whose worker part is worker_fen, under the plan's
 * refund rule: *months = whole unexpired months, *refund_fen =
 * worker_fen * months / term_months rounded down (0 for "none").
 * ERR_INVALID_DATE when effective is outside the term; ERR_OVERFLOW.
 */
enum err enrol_refund(const struct plan *plan, struct date term_start, struct date term_end,
                      struct date effective, int64_t worker_fen, int32_t *months,
                      int64_t *refund_fen) WARN_UNUSED;

#endif
