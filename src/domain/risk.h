/*
 * risk: flags that route a claim to review (风险提示). A flag never decides
 * a claim: it makes approval need a claims approver who is not the
 * assessor (claims.h), whatever the amount.
 *
 *   RISK_WAITING_EDGE  an illness event within cfg.risk_waiting_window_days
 *                      after the waiting period ended, on a term that is not
 *                      a continuous renewal (read from the engine's
 *                      "waiting" step of an approved pair)
 *   RISK_FREQUENT      the member filed more than cfg.risk_max_claims_12m
 *                      other claims submitted in the 365 days before this one
 *   RISK_OUTLIER       a pair's payout above cfg.risk_median_factor times the
 *                      median of the plan code's latest approved payouts (up
 *                      to RISK_SAMPLE_PAYOUTS of them), when at least
 *                      cfg.risk_min_sample exist: integer arithmetic only,
 *                      robust against a few huge payouts
 *   RISK_SAME_STAY     another member's claim names the same hospital,
 *                      admission and discharge dates
 *   RISK_SAMPLE        the quality-review sample: splitmix64(claim id) mod
 *                      10000 < cfg.risk_sample_bp, so the same claim is
 *                      always in or out (reproducible, not guessable from
 *                      the neighbouring ids)
 */
#ifndef HUZHU_DOMAIN_RISK_H
#define HUZHU_DOMAIN_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/adjudicate.h"
#include "domain/claims.h"
#include "store/store.h"

#define RISK_WAITING_EDGE (1u << 0)
#define RISK_FREQUENT (1u << 1)
#define RISK_OUTLIER (1u << 2)
#define RISK_SAME_STAY (1u << 3)
#define RISK_SAMPLE (1u << 4)
#define RISK_FLAGS_COUNT 5

#define RISK_SAMPLE_PAYOUTS 1000 /* latest payouts a plan's median is taken over */
#define RISK_MEDIANS_MAX 32      /* plan codes whose median a cache keeps */

/* "waiting_edge", "frequent", "outlier", "same_stay", "sample" for one bit. */
const char *risk_flag_str(unsigned bit);

/* True when claim_id falls in the sample of sample_bp basis points. */
bool risk_sampled(int64_t claim_id, int64_t sample_bp);

/* The lower median of v[0..n) (n > 0); sorts v. */
int64_t risk_median(int64_t *v, size_t n);

/* Medians per plan code, kept for one command (a feed takes each once). */
struct risk_medians {
    size_t n;
    struct {
        char code[PLAN_CODE_MAX];
        bool enough;     /* at least cfg.risk_min_sample payouts */
        int64_t median_fen;
    } e[RISK_MEDIANS_MAX];
};

/* What the checks read of a claim. */
struct risk_input {
    int64_t claim_id;    /* 0 before insertion: no sample bit */
    int64_t member_id;
    struct date submitted;
    const char *hospital; /* "" = none: no same-stay check */
    bool has_stay;
    struct date admission, discharge;
    const struct adj_result *results;
    size_t nresults;
    const char *const *codes; /* plan code text per result */
};

/* The flags of a claim (RISK_* bits) into *flags. medians may be NULL. */
enum err risk_assess(struct store_conn *c, const struct claims_config *cfg,
                     struct risk_medians *medians, const struct risk_input *in,
                     unsigned *flags) WARN_UNUSED;

#endif
