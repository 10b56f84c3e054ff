/*
 * risk: the review flags of a claim (risk.h). Integer arithmetic only; the
 * queries are bounded (one count, one existence check, one median per plan
 * code per cache).
 */
#include "domain/risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_claims.h"

const char *risk_flag_str(unsigned bit)
{
    switch (bit) {
    case RISK_WAITING_EDGE:
        return "waiting_edge";
    case RISK_FREQUENT:
        return "frequent";
    case RISK_OUTLIER:
        return "outlier";
    case RISK_SAME_STAY:
        return "same_stay";
    case RISK_SAMPLE:
        return "sample";
    default:
        return "unknown";
    }
}

/* splitmix64: a good mix of consecutive ids. */
static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

bool risk_sampled(int64_t claim_id, int64_t sample_bp)
{
    if (claim_id <= 0 || sample_bp <= 0) {
        return false;
    }
    return (int64_t)(mix((uint64_t)claim_id) % 10000u) < sample_bp;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t risk_median(int64_t *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_i64);
    return v[(n - 1) / 2];
}

/* The median entry of code, computed on first use. */
static enum err median_of(struct store_conn *c, const struct claims_config *cfg,
                          struct risk_medians *m, const char *code, bool *enough,
                          int64_t *median_fen)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].code, code) == 0) {
            *enough = m->e[i].enough;
            *median_fen = m->e[i].median_fen;
            return ERR_OK;
        }
    }
    int64_t *v = malloc(RISK_SAMPLE_PAYOUTS * sizeof(*v));
    if (v == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    enum err e = store_claim_recent_payouts(c, code, v, RISK_SAMPLE_PAYOUTS, &n);
    *enough = e == ERR_OK && n > 0 && n >= (size_t)cfg->risk_min_sample;
    *median_fen = *enough ? risk_median(v, n) : 0;
    free(v);
    if (e == ERR_OK && m->n < RISK_MEDIANS_MAX) {
        snprintf(m->e[m->n].code, sizeof(m->e[m->n].code), "%s", code);
        m->e[m->n].enough = *enough;
        m->e[m->n].median_fen = *median_fen;
        m->n++;
    }
    return e;
}

/* An illness pair whose event fell just after the waiting period. */
static bool waiting_edge(const struct claims_config *cfg, const struct adj_result *r)
{
    if (r->decision != ADJ_APPROVE) {
        return false;
    }
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct adj_step *s = &r->steps[i];
        if (s->kind != ADJ_STEP_WAITING) {
            continue;
        }
        /* term_start, event_date, days_into_term, waiting_days, continuous */
        int64_t into = s->v[2], waiting = s->v[3];
        return s->v[4] == 0 && waiting > 0 && into >= waiting &&
               into < waiting + cfg->risk_waiting_window_days;
    }
    return false;
}

enum err risk_assess(struct store_conn *c, const struct claims_config *cfg,
                     struct risk_medians *medians, const struct risk_input *in, unsigned *flags)
{
    struct risk_medians local;
    if (medians == NULL) {
        local.n = 0;
        medians = &local;
    }
    *flags = 0;
    enum err e = ERR_OK;
    for (size_t k = 0; k < in->nresults && e == ERR_OK; k++) {
        const struct adj_result *r = &in->results[k];
        if (waiting_edge(cfg, r)) {
            *flags |= RISK_WAITING_EDGE;
        }
        if (r->decision == ADJ_APPROVE && r->payout_fen > 0) {
            bool enough;
            int64_t median;
            e = median_of(c, cfg, medians, in->codes[r->code_id], &enough, &median);
            int64_t limit;
            if (e == ERR_OK && enough && median > 0 &&
                !__builtin_mul_overflow(median, cfg->risk_median_factor, &limit) &&
                r->payout_fen > limit) {
                *flags |= RISK_OUTLIER;
            }
        }
    }
    if (e != ERR_OK) {
        return e;
    }
    int64_t recent = 0;
    e = store_claim_count_since(c, in->member_id, date_add_days(in->submitted, -365), in->claim_id,
                                &recent);
    if (e != ERR_OK) {
        return e;
    }
    if (recent > cfg->risk_max_claims_12m) {
        *flags |= RISK_FREQUENT;
    }
    if (in->has_stay && in->hospital != NULL && in->hospital[0] != '\0') {
        bool same;
        e = store_claim_same_stay(c, in->hospital, in->admission, in->discharge, in->member_id,
                                  &same);
        if (e == ERR_OK && same) {
            *flags |= RISK_SAME_STAY;
        }
    }
    if (risk_sampled(in->claim_id, cfg->risk_sample_bp)) {
        *flags |= RISK_SAMPLE;
    }
    return e;
}
