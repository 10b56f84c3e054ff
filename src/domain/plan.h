/*
 * plan: a mutual aid protection plan (互助保障计划) document, parsed strictly.
 *
 * A plan is a versioned document (spec/benefit-rules.md, "Plans"): `code` is
 * stable across versions, an enrolment holds one version, and a claim is
 * judged by the version its enrolment holds. struct plan is a plain value
 * with fixed-size arrays (no pointers), so it can be copied, kept in an array
 * and compared with plan_to_json without owning memory.
 *
 * Invariants of a struct plan filled by plan_from_json (the engine relies on
 * them and does not check them again):
 *   - every money field is 0..PLAN_FEN_MAX, every ratio 0..BP_ONE;
 *   - inpatient tiers: 1..PLAN_TIERS_MAX, upto_fen strictly increasing and
 *     positive; only the last may be PLAN_UPTO_UNBOUNDED (JSON null);
 *   - critical illness: 1..PLAN_DISEASES_MAX diseases with distinct codes;
 *   - term_months >= 1, max_shares >= 1, caps per share > 0.
 * New fields (refund rules, ...) are added as new members with their JSON
 * field in both directions; unknown JSON fields are refused, never dropped.
 * Enrolment fields (optional): "participation" {min_ratio_bp, all_if_staff_below,
 * equal_shares} and "refund" ("none" | "unexpired_months").
 */
#ifndef HUZHU_DOMAIN_PLAN_H
#define HUZHU_DOMAIN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

/* Plan codes are short identifiers ("ZY", "DB"); 31 bytes leave room for
 * province prefixes ("GD-2025-ZY") without wasting memory per enrolment. */
#define PLAN_CODE_MAX 32
/* Names are at most LIMIT_NAME_CHARS (50) characters of up to 4 UTF-8 bytes;
 * plan titles run longer than person names, so allow 100 characters. */
#define PLAN_NAME_MAX (100 * 4 + 1)
/* Inpatient tiers: real schemes use 2-4 bands; 8 bounds the explanation. */
#define PLAN_TIERS_MAX 8
/* Disease lists: the national 28 severe + 3 mild list, women's lists and
 * local additions stay well under 128. */
#define PLAN_DISEASES_MAX 128
/* Disease codes are short ("S01", "FM1"); fixed width so comparing two is two
 * word compares in the engine. */
#define PLAN_DISEASE_CODE_MAX 16
#define PLAN_DISEASE_NAME_MAX (50 * 4 + 1)
/* Employment forms: standard plus the five new forms and "other". */
#define PLAN_EMPLOYMENT_MAX 8
#define PLAN_EMPLOYMENT_TEXT_MAX 32
/* Disability grades 1..10 (GB/T 16180 style). */
#define PLAN_DISABILITY_GRADES 10
/* Largest money amount a plan may state: 10^12 fen (10 billion yuan). Keeps
 * amount * shares * ratio far inside int64. */
#define PLAN_FEN_MAX 1000000000000LL
/* Most shares a plan may allow one member in one term. */
#define PLAN_SHARES_MAX 100
/* Terms longer than 10 years are not a protection term but a mistake. */
#define PLAN_TERM_MONTHS_MAX 120
/* Day counts (waiting, grace, deadline, allowance days): at most 10 years. */
#define PLAN_DAYS_MAX 3660
/* Staff threshold of the "enrol everyone" rule: the largest units have ~10^6. */
#define PLAN_UNIT_STAFF_MAX 1000000
/* Longest JSON path an error names, e.g. "benefit.diseases[127].severity". */
#define PLAN_FIELD_PATH_MAX 96
/* upto_fen of an unbounded last tier (JSON null). */
#define PLAN_UPTO_UNBOUNDED INT64_MAX

enum plan_kind {
    PLAN_KIND_INPATIENT,        /* 住院医疗: reimburses out-of-pocket by tiers */
    PLAN_KIND_DAILY_ALLOWANCE,  /* 住院津贴: fixed sum per day in hospital */
    PLAN_KIND_CRITICAL_ILLNESS, /* 重大疾病 / 女职工特殊疾病: lifetime sums */
    PLAN_KIND_ACCIDENT,         /* 意外伤害: death, disability, medical */
};

/* Gender bits of plan_eligibility.genders_mask. */
#define PLAN_GENDER_M 1u
#define PLAN_GENDER_F 2u
#define PLAN_GENDER_ALL (PLAN_GENDER_M | PLAN_GENDER_F)

enum plan_severity {
    PLAN_SEVERITY_SEVERE, /* pays the full sum, once per lifetime */
    PLAN_SEVERITY_MILD,   /* pays mild_ratio_bp of the sum, once per code */
};

struct plan_eligibility {
    int32_t min_age;       /* whole years on the term's start date */
    int32_t max_age;       /* inclusive */
    unsigned genders_mask; /* PLAN_GENDER_*; PLAN_GENDER_ALL when absent */
    bool has_genders;      /* the document lists genders */
    size_t nemployment;    /* 0 and !has_employment = all forms */
    bool has_employment;   /* the document lists employment forms */
    char employment[PLAN_EMPLOYMENT_MAX][PLAN_EMPLOYMENT_TEXT_MAX]; /* forms, NUL-terminated */
};

struct plan_tier {
    int64_t upto_fen; /* band end (exclusive) on the term's cumulative excess */
    int64_t ratio_bp; /* share of the band paid */
};

struct plan_inpatient {
    int64_t deductible_fen; /* per term */
    size_t ntiers;          /* 1..PLAN_TIERS_MAX */
    struct plan_tier tiers[PLAN_TIERS_MAX];
    int64_t annual_cap_fen_per_share; /* per term, times shares */
    bool include_out_of_scope;        /* base includes 全自费 */
};

struct plan_daily_allowance {
    int64_t per_day_fen_per_share;
    int32_t deductible_days; /* per stay */
    int32_t max_days_per_term;
};

struct plan_disease {
    char code[PLAN_DISEASE_CODE_MAX]; /* NUL-padded to the full width */
    char name[PLAN_DISEASE_NAME_MAX];
    enum plan_severity severity;
};

struct plan_critical_illness {
    int64_t sum_fen_per_share;
    int64_t mild_ratio_bp;
    bool mild_deducted_from_severe; /* severe payout less mild payouts already made */
    size_t ndiseases;               /* 1..PLAN_DISEASES_MAX, distinct codes */
    struct plan_disease diseases[PLAN_DISEASES_MAX];
};

struct plan_accident_medical {
    int64_t deductible_fen; /* per claim */
    int64_t ratio_bp;
    int64_t cap_fen_per_share; /* per term, times shares */
};

struct plan_accident {
    int64_t death_fen_per_share;
    int64_t disability_bp[PLAN_DISABILITY_GRADES]; /* grade 1 first */
    struct plan_accident_medical medical;
};

/* Group enrolment rules (单位集体参保), JSON "participation"; absent = none.
 * Each field is optional inside the object; 0 / false switch a rule off. */
struct plan_participation {
    int64_t min_ratio_bp;       /* least share of the unit's eligible staff enrolled */
    int32_t all_if_staff_below; /* units with fewer staff must enrol every eligible one */
    bool equal_shares;          /* everyone in the unit holds the same number of shares */
};

/* Refund on cancellation, JSON "refund"; absent = none. */
enum plan_refund {
    PLAN_REFUND_NONE,             /* "none": nothing is paid back */
    PLAN_REFUND_UNEXPIRED_MONTHS, /* "unexpired_months": whole unexpired months of the
                                     worker's own part, pro rata, rounded down */
};

struct plan {
    char code[PLAN_CODE_MAX]; /* stable across versions */
    int64_t version;          /* >= 1 */
    char name[PLAN_NAME_MAX]; /* UTF-8 */
    enum plan_kind kind;
    int64_t share_price_fen; /* one share, one term */
    int64_t max_shares;      /* per member per term */
    int32_t term_months;     /* a term starting S ends the day before S + term_months */
    struct plan_eligibility eligibility;
    int32_t waiting_days;        /* illness waiting period */
    int32_t reduced_days;        /* reduced-payout period end; 0 = none */
    int64_t reduced_bp;          /* payout ratio inside the reduced period */
    bool has_reduced;            /* the document states reduced_days/reduced_bp */
    int32_t renewal_grace_days;  /* largest gap still counted as continuous */
    int32_t claim_deadline_days; /* from the event's end date */
    union {                      /* selected by kind */
        struct plan_inpatient inpatient;
        struct plan_daily_allowance allowance;
        struct plan_critical_illness critical;
        struct plan_accident accident;
    } benefit;
    bool has_participation; /* the document states "participation" */
    struct plan_participation participation;
    bool has_refund; /* the document states "refund" */
    enum plan_refund refund;
};

/* "none" / "unexpired_months". */
const char *plan_refund_str(enum plan_refund r);

/* "inpatient", "daily_allowance", "critical_illness", "accident". */
const char *plan_kind_str(enum plan_kind kind);

/* Parses a kind name; false if it is none of the four. */
bool plan_kind_parse(const char *text, enum plan_kind *out);

/*
 * Fills *out from a plan document. Refuses unknown fields (ERR_UNKNOWN_FIELD),
 * missing required ones (ERR_MISSING_FIELD), wrong JSON types (ERR_BAD_TYPE;
 * integers must be JSON integers, never reals), numbers outside their range
 * (ERR_RANGE), and rule violations (ERR_INVALID_PLAN: tiers not increasing,
 * duplicate disease codes, reduced_days without reduced_bp, ...). On error,
 * err_field (err_cap bytes, PLAN_FIELD_PATH_MAX suffices) receives the JSON
 * path of the offending field, e.g. "benefit.tiers[1].upto_fen"; on success
 * it is set to "". *out is unspecified on error.
 */
enum err plan_from_json(const json_t *doc, struct plan *out, char *err_field,
                        size_t err_cap) WARN_UNUSED;

/*
 * The plan as a new JSON document in the format plan_from_json reads
 * (optional fields only when the document had them), or NULL when out of
 * memory. plan_from_json(plan_to_json(p)) gives p back.
 */
json_t *plan_to_json(const struct plan *plan);

/* The disease with this code (NUL-padded to PLAN_DISEASE_CODE_MAX), or NULL. */
const struct plan_disease *plan_disease_find(const struct plan *plan,
                                             const char code[PLAN_DISEASE_CODE_MAX]);

#endif
