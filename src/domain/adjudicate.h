/*
 * adjudicate: the claim adjudication engine (理赔核算), spec/benefit-rules.md.
 *
 * A pure function of (plan, enrolment history, accumulators, claim): no I/O,
 * no clock, no database. All it reads and writes is in plain structs that a
 * caller fills, either from a case file (domain/casefile.h) or from the
 * database for one member, then hands to adjudicate_claim():
 *
 *   struct adj_state    what is shared between members: one entry per plan
 *                       code (interned to 0..ncodes-1) with the plan that
 *                       names the code's kind, and the set of invoice numbers
 *                       on approved claims under that code (of any member).
 *   struct adj_member   one member: the enrolments (with the per-term
 *                       accumulators inside), the lifetime critical-illness
 *                       awards, and the per-accident accumulators.
 *   struct adj_claim    one claim: plan codes in order, dates, event, invoices.
 *
 * Invariants:
 *   - A rejected claim-plan pair changes nothing. An error (invalid input,
 *     overflow, out of memory) changes nothing either: every decision of a
 *     claim is computed first, memory is reserved, and only then is the
 *     state updated, with steps that cannot fail.
 *   - No allocation per claim: state arrays grow geometrically, results and
 *     explanations are fixed-size arrays, rendered to JSON only on request.
 *   - No floats. Money is int64 fen; sums are checked for overflow.
 */
#ifndef HUZHU_DOMAIN_ADJUDICATE_H
#define HUZHU_DOMAIN_ADJUDICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/plan.h"

/* Plans one claim may name: one per kind plus a local top-up or two; the
 * public cases name at most 4. Bounds the result array of a claim. */
#define ADJ_CLAIM_PLANS_MAX 8
/* Invoices (医疗票据) per claim: a stay has a handful; 32 covers long stays
 * billed monthly. */
#define ADJ_CLAIM_INVOICES_MAX 32
/* Invoice numbers: national e-invoice numbers are 20-30 characters. */
#define ADJ_INVOICE_MAX 64
/* Accident ids are caller references ("A-2025-0001"); fixed width keeps the
 * per-accident accumulator a plain value. */
#define ADJ_ACCIDENT_ID_MAX 48
/* Largest settlement amount accepted: 10^14 fen (one trillion yuan). Keeps
 * amount * ratio_bp below 2^63 with room to spare. */
#define ADJ_FEN_MAX 100000000000000LL
/* Explanation steps of one claim-plan pair: at most 10 fixed steps
 * (deadline, waiting, oop, room, base, deductible, round, cap, reduced, ...)
 * plus one per inpatient tier. */
#define ADJ_STEPS_MAX (PLAN_TIERS_MAX + 10)

enum adj_decision {
    ADJ_APPROVE,
    ADJ_REJECT,
};

/* Reasons, in the order the checks run. ADJ_REASON_NONE is a normal approval. */
enum adj_reason {
    ADJ_REASON_NONE,
    ADJ_REASON_NOT_ENROLLED,
    ADJ_REASON_LATE_CLAIM,
    ADJ_REASON_WAITING_PERIOD,
    ADJ_REASON_NOT_COVERED,
    ADJ_REASON_DUPLICATE_INVOICE,
    ADJ_REASON_ALREADY_PAID,
    ADJ_REASON_NOTHING_PAYABLE, /* approve with a payout of 0 */
};

enum adj_cause {
    ADJ_CAUSE_ILLNESS,
    ADJ_CAUSE_ACCIDENT,
};

enum adj_outcome {
    ADJ_OUTCOME_NONE,
    ADJ_OUTCOME_DEATH,
    ADJ_OUTCOME_DISABILITY,
    ADJ_OUTCOME_MEDICAL,
};

/* Bits of adj_event.present: which optional event fields the claim carries. */
#define ADJ_HAS_CAUSE (1u << 0)
#define ADJ_HAS_ADMISSION (1u << 1)
#define ADJ_HAS_DISCHARGE (1u << 2)
#define ADJ_HAS_DIAGNOSIS (1u << 3)
#define ADJ_HAS_DISEASE (1u << 4)
#define ADJ_HAS_ACCIDENT_DATE (1u << 5)
#define ADJ_HAS_ACCIDENT_ID (1u << 6)
#define ADJ_HAS_OUTCOME (1u << 7)
#define ADJ_HAS_GRADE (1u << 8)
#define ADJ_HAS_SETTLEMENT (1u << 9)

/* Basic medical insurance settlement (医保结算). All >= 0 and summing to
 * total_fen, or the claim is invalid input (checked by adjudicate_claim). */
struct adj_settlement {
    int64_t total_fen;
    int64_t fund_paid_fen;            /* basic insurance pool */
    int64_t serious_illness_paid_fen; /* 大病保险 */
    int64_t assistance_paid_fen;      /* 医疗救助 */
    int64_t other_paid_fen;           /* other insurers */
    int64_t self_pay_in_scope_fen;    /* 政策范围内个人自付 */
    int64_t self_pay_out_scope_fen;   /* 全自费 */
};

struct adj_event {
    unsigned present; /* ADJ_HAS_* bits */
    enum adj_cause cause;
    struct date admission_date;
    struct date discharge_date;
    struct date diagnosis_date;
    struct date accident_date;
    char disease_code[PLAN_DISEASE_CODE_MAX]; /* NUL-padded, as in plan_disease */
    char accident_id[ADJ_ACCIDENT_ID_MAX];    /* NUL-padded */
    enum adj_outcome outcome;
    int32_t grade; /* disability grade 1..10 */
    struct adj_settlement settlement;
};

struct adj_invoice {
    const char *number; /* not owned; need not be NUL-terminated */
    size_t len;         /* 1..ADJ_INVOICE_MAX */
    uint64_t hash;      /* adj_invoice_hash(number, len), computed once by the caller */
};

struct adj_claim {
    const char *id; /* for explanations; not owned */
    struct date submitted;
    size_t nplans;                          /* 1..ADJ_CLAIM_PLANS_MAX, distinct codes */
    uint32_t code_ids[ADJ_CLAIM_PLANS_MAX]; /* plan codes in the claim's order */
    struct adj_event event;
    size_t ninvoices;                   /* 0..ADJ_CLAIM_INVOICES_MAX */
    const struct adj_invoice *invoices; /* [ninvoices]; not owned */
};

/* Accumulators of one term (one enrolment); all start at 0. */
struct adj_term_acc {
    int64_t deductible_used_fen; /* inpatient deductible met so far */
    int64_t tier_used_fen;       /* inpatient cumulative excess (tier position) */
    int64_t paid_fen;            /* inpatient paid (after reduction) */
    int32_t days_paid;           /* daily allowance days paid */
    int64_t medical_paid_fen;    /* accident medical paid */
};

struct adj_enrolment {
    const char *id;          /* for explanations; not owned */
    const struct plan *plan; /* the version held; not owned */
    uint32_t code_id;        /* interned plan code, index into adj_state */
    int64_t shares;          /* 1..PLAN_SHARES_MAX */
    struct date start;       /* term start */
    struct date term_end;    /* last day of the term */
    struct date cover_end;   /* last covered day: term_end, or the day before
                                `cancelled` if earlier (may be < start) */
    bool cancelled;          /* cover_end was cut by a cancellation */
    struct adj_term_acc acc;
};

/* One approved critical-illness payout (lifetime, per member and plan code). */
struct adj_ci_award {
    uint32_t code_id;
    char disease_code[PLAN_DISEASE_CODE_MAX];
    enum plan_severity severity;
    int64_t payout_fen; /* as paid, after any reduction */
};

/* Accumulators of one accident (per member, plan code and accident_id). */
struct adj_accident_acc {
    uint32_t code_id;
    char accident_id[ADJ_ACCIDENT_ID_MAX];
    int64_t disability_paid_fen;
    bool death_paid;
};

struct adj_member {
    const char *id;                   /* for messages; not owned */
    struct adj_enrolment *enrolments; /* not owned; any order; never overlapping
                                         within one code */
    size_t nenrolments;
    struct adj_ci_award *awards; /* owned (malloc); grown by the engine */
    size_t nawards, awards_cap;
    struct adj_accident_acc *accidents; /* owned (malloc); grown by the engine */
    size_t naccidents, accidents_cap;
};

/* Open-addressing set of invoice numbers; strings are copied into a pool. */
struct adj_invoice_set {
    struct adj_invoice_slot *slots; /* cap slots, cap a power of two or 0 */
    size_t cap, count;
    char *pool; /* copies of the numbers, back to back */
    size_t pool_len, pool_cap;
};

struct adj_code {
    const struct plan *plan;         /* a version of the code: gives its kind (stable
                                        across versions) for NOT_ENROLLED rows */
    struct adj_invoice_set invoices; /* numbers on approved claims under the code */
};

struct adj_state {
    struct adj_code *codes; /* [ncodes], indexed by code id; not owned */
    size_t ncodes;
};

/* One step of an explanation; v[] is read through adj_step_kind's field names. */
enum adj_step_kind {
    ADJ_STEP_COVER,         /* event_date, enrolments_in_plan, covering (0/1) */
    ADJ_STEP_DEADLINE,      /* end_date, submitted, days, limit_days */
    ADJ_STEP_WAITING,       /* term_start, event_date, days_into_term, waiting_days,
                               continuous_renewal */
    ADJ_STEP_NOT_COVERED,   /* (disease code / cause in the explanation header) */
    ADJ_STEP_DUPLICATE,     /* invoice index */
    ADJ_STEP_ALREADY_PAID,  /* severe_paid, mild_code_paid, death_paid */
    ADJ_STEP_OOP,           /* in_scope, out_scope, oop */
    ADJ_STEP_ROOM,          /* oop, reimbursed_before, room */
    ADJ_STEP_BASE,          /* claimed, room, base */
    ADJ_STEP_DEDUCTIBLE,    /* deductible, used_before, applied, excess */
    ADJ_STEP_TIER,          /* from, to, ratio_bp, product (fen * bp) */
    ADJ_STEP_ROUND,         /* product_sum, raw */
    ADJ_STEP_CAP,           /* cap, paid_before, remaining, payout */
    ADJ_STEP_REDUCED,       /* days_into_term, reduced_days, reduced_bp, before, payout */
    ADJ_STEP_DAYS,          /* stay_days, deductible_days, max_days, days_paid_before, pay_days */
    ADJ_STEP_PER_DAY,       /* pay_days, per_day_per_share, shares, payout */
    ADJ_STEP_SUM,           /* sum_per_share, shares, sum */
    ADJ_STEP_MILD,          /* sum, mild_ratio_bp, payout */
    ADJ_STEP_MILD_DEDUCTED, /* sum, mild_paid, payout */
    ADJ_STEP_DEATH,         /* death_per_share, shares, death_sum, disability_paid, payout */
    ADJ_STEP_DISABILITY,    /* grade, ratio_bp, target, disability_paid, payout */
    ADJ_STEP_MEDICAL,       /* base, deductible, ratio_bp, raw */
    ADJ_STEP__COUNT
};

struct adj_step {
    enum adj_step_kind kind;
    int64_t v[5];
};

struct adj_result {
    const struct adj_claim *claim; /* the claim judged; for explanations, not owned */
    uint32_t code_id;
    const struct plan *plan;               /* version judged (the code's plan if not enrolled) */
    const struct adj_enrolment *enrolment; /* NULL when NOT_ENROLLED */
    enum adj_decision decision;
    enum adj_reason reason;
    int64_t payout_fen;
    struct date event_date;
    size_t nsteps;
    struct adj_step steps[ADJ_STEPS_MAX];
};

/* "approve" / "reject". */
const char *adj_decision_str(enum adj_decision d);
/* The stable reason code ("LATE_CLAIM"), or NULL for ADJ_REASON_NONE. */
const char *adj_reason_str(enum adj_reason r);

/* FNV-1a 64 of an invoice number; what adj_invoice.hash must hold. */
uint64_t adj_invoice_hash(const char *number, size_t len);

void adj_invoice_set_init(struct adj_invoice_set *s);
void adj_invoice_set_release(struct adj_invoice_set *s);
/* Adds a number (idempotent). ERR_NOMEM, or ERR_INVALID for an empty or too
 * long number. For callers that load approved invoices from storage. */
enum err adj_invoice_set_add(struct adj_invoice_set *s, const char *number, size_t len) WARN_UNUSED;
bool adj_invoice_set_contains(const struct adj_invoice_set *s, const char *number, size_t len,
                              uint64_t hash);

/*
 * Fills an enrolment's dates: term_end = add_months(start, term_months) - 1,
 * cover_end = min(term_end, cancelled - 1) when cancelled is not NULL. The
 * accumulators are zeroed. id and plan are kept as pointers.
 */
void adj_enrolment_init(struct adj_enrolment *e, const char *id, const struct plan *plan,
                        uint32_t code_id, struct date start, int64_t shares,
                        const struct date *cancelled);

/* Frees what the engine grew in m (awards, accidents); leaves the rest. */
void adj_member_release(struct adj_member *m);

/*
 * Judges claim under each plan it names, in order, for member m, and writes
 * one result per plan into results[0 .. claim->nplans). Reimbursement room
 * is shared across the claim's plans. The state (m's accumulators, the
 * codes' invoice sets) is updated for approvals only.
 *
 * Errors, with *err_field naming the claim field (a static string):
 *   ERR_INVALID            a field the judging needs is missing or out of
 *                          range (e.g. "event.admission_date" for an
 *                          inpatient plan, "event.settlement.fund_paid_fen" < 0,
 *                          "plans" naming a code id >= ncodes);
 *   ERR_SETTLEMENT_MISMATCH the settlement parts do not sum to total_fen
 *                          ("event.settlement.total_fen");
 *   ERR_OVERFLOW, ERR_NOMEM.
 * On error nothing in the state changes and results are unspecified.
 */
enum err adjudicate_claim(struct adj_state *state, struct adj_member *m,
                          const struct adj_claim *claim, struct adj_result *results,
                          const char **err_field) WARN_UNUSED;

/*
 * The explanation of one result as a JSON object, e.g.
 *   {"kind": "inpatient", "plan_version": 1, "enrolment": "E1", "event_date": ...,
 *    "cause": "illness", "shares": 1, "term_start": ..., "cover_end": ...,
 *    "steps": [{"step": "deadline", ...}, {"step": "tier", "from_fen": ...,
 *    "to_fen": ..., "ratio_bp": ..., "product_fen_bp": ...}, ...]}
 * with the event facts the plan kind reads (disease_code and severity,
 * outcome, accident_id, grade). r->claim must still be alive. NULL when out
 * of memory.
 */
json_t *adj_explanation_to_json(const struct adj_result *r);

#endif
