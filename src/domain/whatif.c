/*
 * whatif: the replay. One struct replay holds both passes (baseline and
 * draft): the interned plan codes with their engine state (a plan of the
 * code and the set of invoices approved in the pass), the current member's
 * enrolments twice (held versions / draft), and the running totals. Claims
 * arrive ordered by member, so a member's inputs are built once and its
 * accumulators live exactly as long as its claims.
 */
#include "domain/whatif.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/adjudicate.h"
#include "store/store_claims.h"
#include "store/store_enrol.h"
#include "store/store_reports.h"

/* qsort and bsearch with the C library's contract kept: their base pointer
 * must not be NULL even for zero items (UBSan checks it), and empty lists
 * here are NULL. */
static void sort_n(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

#define ID_TEXT 24 /* an int64 in decimal with its NUL */

struct cached {
    int64_t id;
    struct plan *plan;
};

struct change {
    int64_t claim_id, member_id, base_fen, draft_fen;
    const char *base_reason, *draft_reason; /* static */
};

struct month_tally {
    int64_t claims, actual_fen, base_fen, draft_fen;
};

struct replay {
    struct store_conn *c;
    const struct claims_ctx *ctx;
    const char *code;
    struct plan *draft;
    /* plan versions by id */
    size_t nplans;
    struct cached plans[WHATIF_VERSIONS_MAX];
    /* interned codes: names and each pass's engine state */
    size_t ncodes;
    char codes[WHATIF_CODES_MAX][PLAN_CODE_MAX];
    struct adj_code base_codes[WHATIF_CODES_MAX], draft_codes[WHATIF_CODES_MAX];
    struct adj_state base_state, draft_state;
    /* the current member */
    int64_t member_id;
    size_t n;
    struct store_claim_enrolment rows[CLAIMS_ENROLMENTS_MAX];
    char ids[CLAIMS_ENROLMENTS_MAX][ID_TEXT];
    struct adj_enrolment base_enr[CLAIMS_ENROLMENTS_MAX], draft_enr[CLAIMS_ENROLMENTS_MAX];
    struct adj_member base_m, draft_m;
    enum err member_err; /* the member's inputs could not be built: its claims are unjudged */
    /* the claim being judged */
    char claim_id[ID_TEXT];
    struct adj_invoice inv[ADJ_CLAIM_INVOICES_MAX];
    char inv_text[ADJ_CLAIM_INVOICES_MAX][ADJ_INVOICE_MAX];
    struct adj_result base_res[ADJ_CLAIM_PLANS_MAX], draft_res[ADJ_CLAIM_PLANS_MAX];
    /* totals */
    int m0, nmonths;
    struct month_tally *months;
    int64_t claims, excluded, unjudged, base_approved, draft_approved;
    int64_t actual_fen, base_fen, draft_fen;
    struct change *changes;
    size_t nchanges, changes_cap;
};

static void set_field(char *err_field, const char *name)
{
    if (err_field != NULL) {
        snprintf(err_field, REPORTS_FIELD_MAX, "%s", name);
    }
}

static enum err add_to(int64_t *a, int64_t b)
{
    return __builtin_add_overflow(*a, b, a) ? ERR_OVERFLOW : ERR_OK;
}

/* ------------------------------------------------------------ plans, codes */

/* Parses a stored plan row's document into a new plan. */
static enum err parse_plan(struct store_plan_row *row, struct plan **out)
{
    json_error_t jerr;
    json_t *doc = json_loads(row->document, 0, &jerr);
    free(row->document);
    row->document = NULL;
    struct plan *p = malloc(sizeof(*p));
    char field[PLAN_FIELD_PATH_MAX];
    enum err e = ERR_OK;
    if (doc == NULL || p == NULL) {
        e = ERR_NOMEM;
    } else if (plan_from_json(doc, p, field, sizeof(field)) != ERR_OK) {
        e = ERR_DB; /* a stored plan must parse */
    }
    json_decref(doc);
    if (e != ERR_OK) {
        free(p);
        return e;
    }
    *out = p;
    return ERR_OK;
}

/* Plan version id (> 0), or the latest published version of code. */
static enum err plan_get(struct replay *x, int64_t id, const char *code, const struct plan **out,
                         int64_t *out_id)
{
    for (size_t i = 0; id > 0 && i < x->nplans; i++) {
        if (x->plans[i].id == id) {
            *out = x->plans[i].plan;
            *out_id = id;
            return ERR_OK;
        }
    }
    struct store_plan_row row;
    enum err e = store_plan_get(x->c, id, code, 0, &row);
    if (e != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < x->nplans; i++) {
        if (x->plans[i].id == row.id) {
            free(row.document);
            *out = x->plans[i].plan;
            *out_id = row.id;
            return ERR_OK;
        }
    }
    if (x->nplans == WHATIF_VERSIONS_MAX) {
        free(row.document);
        return ERR_TOO_LARGE;
    }
    struct plan *p;
    if ((e = parse_plan(&row, &p)) != ERR_OK) {
        return e;
    }
    x->plans[x->nplans++] = (struct cached){row.id, p};
    *out = p;
    *out_id = row.id;
    return ERR_OK;
}

/* The code's id in both passes, interning it with a plan of the code (the
 * draft for the draft's code in the draft pass). ERR_TOO_LARGE past
 * WHATIF_CODES_MAX; the code's latest published version when plan is NULL. */
static enum err code_id(struct replay *x, const char *code, const struct plan *plan,
                        uint32_t *out)
{
    for (size_t i = 0; i < x->ncodes; i++) {
        if (strcmp(x->codes[i], code) == 0) {
            *out = (uint32_t)i;
            return ERR_OK;
        }
    }
    if (x->ncodes == WHATIF_CODES_MAX || strlen(code) >= PLAN_CODE_MAX) {
        return ERR_TOO_LARGE;
    }
    if (plan == NULL) {
        int64_t id;
        enum err e = plan_get(x, 0, code, &plan, &id);
        if (e != ERR_OK) {
            return e;
        }
    }
    size_t k = x->ncodes++;
    snprintf(x->codes[k], PLAN_CODE_MAX, "%s", code);
    x->base_codes[k].plan = plan;
    x->draft_codes[k].plan = strcmp(code, x->code) == 0 ? x->draft : plan;
    adj_invoice_set_init(&x->base_codes[k].invoices);
    adj_invoice_set_init(&x->draft_codes[k].invoices);
    x->base_state.ncodes = x->draft_state.ncodes = x->ncodes;
    *out = (uint32_t)k;
    return ERR_OK;
}

/* ------------------------------------------------------------- the member */

static enum err enrolment_fn(void *ctx, const struct store_claim_enrolment *e)
{
    struct replay *x = ctx;
    if (x->n == CLAIMS_ENROLMENTS_MAX) {
        return ERR_TOO_LARGE;
    }
    x->rows[x->n++] = *e;
    return ERR_OK;
}

static void member_release(struct replay *x)
{
    adj_member_release(&x->base_m);
    adj_member_release(&x->draft_m);
    memset(&x->base_m, 0, sizeof(x->base_m));
    memset(&x->draft_m, 0, sizeof(x->draft_m));
    x->n = 0;
}

/* Builds the member's enrolments for both passes, accumulators at zero. */
static enum err member_load(struct replay *x, int64_t member_id)
{
    member_release(x);
    x->member_id = member_id;
    enum err e = store_claim_enrolment_each(x->c, member_id, enrolment_fn, x);
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        const struct store_claim_enrolment *r = &x->rows[i];
        const struct plan *plan;
        int64_t pid;
        uint32_t k;
        if ((e = plan_get(x, r->plan_id, NULL, &plan, &pid)) != ERR_OK ||
            (e = code_id(x, r->plan_code, plan, &k)) != ERR_OK) {
            break;
        }
        snprintf(x->ids[i], ID_TEXT, "%" PRId64, r->id);
        const struct date *cancelled = r->has_cancelled_on ? &r->cancelled_on : NULL;
        adj_enrolment_init(&x->base_enr[i], x->ids[i], plan, k, r->term_start, r->shares,
                           cancelled);
        const struct plan *held = strcmp(r->plan_code, x->code) == 0 ? x->draft : plan;
        adj_enrolment_init(&x->draft_enr[i], x->ids[i], held, k, r->term_start, r->shares,
                           cancelled);
    }
    x->base_m.id = x->draft_m.id = "member";
    x->base_m.enrolments = x->base_enr;
    x->draft_m.enrolments = x->draft_enr;
    x->base_m.nenrolments = x->draft_m.nenrolments = e == ERR_OK ? x->n : 0;
    return e;
}

/* ------------------------------------------------------------- one claim */

/* Whether the stored reject code is one the engine gives (the claim was
 * refused by the rules, so the draft may decide otherwise). */
static bool engine_reason(const char *code)
{
    for (int r = ADJ_REASON_NOT_ENROLLED; r <= ADJ_REASON_NOTHING_PAYABLE; r++) {
        const char *name = adj_reason_str((enum adj_reason)r);
        if (name != NULL && strcmp(name, code) == 0) {
            return true;
        }
    }
    return false;
}

static bool status_in(const char *status, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(status, set[i]) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const approved_states[] = {"approved", "payable", "paid", "closed"};
static const char *const rejected_states[] = {"rejected", "appealed"};

/* The claim's codes up to and including the draft's, interned, into claim. */
static enum err claim_codes(struct replay *x, const char *list, struct adj_claim *claim,
                            bool *found)
{
    *found = false;
    claim->nplans = 0;
    const char *p = list;
    while (*p != '\0' && !*found) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char code[PLAN_CODE_MAX];
        if (len == 0 || len >= PLAN_CODE_MAX || claim->nplans == ADJ_CLAIM_PLANS_MAX) {
            return ERR_DB;
        }
        memcpy(code, p, len);
        code[len] = '\0';
        uint32_t k;
        enum err e = code_id(x, code, NULL, &k);
        if (e != ERR_OK) {
            return e;
        }
        claim->code_ids[claim->nplans++] = k;
        *found = strcmp(code, x->code) == 0;
        p += len + (comma != NULL ? 1 : 0);
    }
    return ERR_OK;
}

static enum err claim_invoices(struct replay *x, const char *list, struct adj_claim *claim)
{
    claim->ninvoices = 0;
    const char *p = list;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (len == 0 || len >= ADJ_INVOICE_MAX || claim->ninvoices == ADJ_CLAIM_INVOICES_MAX) {
            return ERR_DB;
        }
        size_t k = claim->ninvoices++;
        memcpy(x->inv_text[k], p, len);
        x->inv_text[k][len] = '\0';
        x->inv[k] = (struct adj_invoice){x->inv_text[k], len, adj_invoice_hash(p, len)};
        p += len + (bar != NULL ? 1 : 0);
    }
    claim->invoices = x->inv;
    return ERR_OK;
}

static enum err change_add(struct replay *x, const struct store_claim *r,
                           const struct adj_result *b, const struct adj_result *d)
{
    if (x->nchanges == x->changes_cap) {
        size_t cap = x->changes_cap ? x->changes_cap * 2 : 64;
        struct change *v = realloc(x->changes, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->changes = v;
        x->changes_cap = cap;
    }
    const char *br = adj_reason_str(b->reason), *dr = adj_reason_str(d->reason);
    x->changes[x->nchanges++] = (struct change){r->id, r->member_id, b->payout_fen, d->payout_fen,
                                                br != NULL ? br : "", dr != NULL ? dr : ""};
    return ERR_OK;
}

/* Judges one claim in both passes. Input the engine refuses (a field the
 * draft's kind needs is missing) leaves the claim unjudged, nothing more. */
static enum err replay_fn(void *ctx, const struct store_rpt_replay *p)
{
    struct replay *x = ctx;
    const struct store_claim *r = p->claim;
    if (status_in(r->status, rejected_states, 2) && !engine_reason(r->reject_code)) {
        x->excluded++; /* a person's rejection stands */
        return ERR_OK;
    }
    enum err e = ERR_OK;
    if (r->member_id != x->member_id) {
        x->member_err = member_load(x, r->member_id);
        if (x->member_err != ERR_OK && x->member_err != ERR_TOO_LARGE &&
            x->member_err != ERR_NOT_FOUND) {
            return x->member_err;
        }
    }
    int m = reports_month_index(r->submitted_on) - x->m0;
    if (x->member_err != ERR_OK || !(r->dates_present & STORE_CLAIM_HAS_SUBMITTED) || m < 0 ||
        m >= x->nmonths) {
        x->unjudged++;
        return ERR_OK;
    }
    struct adj_claim claim;
    memset(&claim, 0, sizeof(claim));
    snprintf(x->claim_id, sizeof(x->claim_id), "%" PRId64, r->id);
    claim.id = x->claim_id;
    claim.submitted = r->submitted_on;
    bool found;
    e = claim_codes(x, r->plan_codes, &claim, &found);
    if (e == ERR_NOT_FOUND || e == ERR_TOO_LARGE || (e == ERR_OK && !found)) {
        x->unjudged++; /* a code without any version left, or a claim not naming the code */
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (claims_event_of(x->ctx, r, &claim.event) != ERR_OK) {
        x->unjudged++; /* a sealed disease code this process cannot open */
        return ERR_OK;
    }
    if ((e = claim_invoices(x, r->invoices, &claim)) != ERR_OK) {
        return e;
    }
    x->base_state.codes = x->base_codes;
    x->draft_state.codes = x->draft_codes;
    const char *field;
    enum err eb = adjudicate_claim(&x->base_state, &x->base_m, &claim, x->base_res, &field);
    enum err ed = adjudicate_claim(&x->draft_state, &x->draft_m, &claim, x->draft_res, &field);
    if (eb == ERR_NOMEM || eb == ERR_OVERFLOW || ed == ERR_NOMEM || ed == ERR_OVERFLOW) {
        return eb != ERR_OK ? eb : ed;
    }
    if (eb != ERR_OK || ed != ERR_OK) {
        x->unjudged++; /* the engine refused the input in a pass: not compared */
        return ERR_OK;
    }
    x->claims++;
    struct month_tally *t = &x->months[m];
    t->claims++;
    if (strcmp(p->decision, "approve") == 0 && status_in(r->status, approved_states, 4)) {
        (void)((e = add_to(&x->actual_fen, p->payout_fen)) ||
               (e = add_to(&t->actual_fen, p->payout_fen)));
    }
    const struct adj_result *b = &x->base_res[claim.nplans - 1];
    const struct adj_result *d = &x->draft_res[claim.nplans - 1];
    x->base_approved += b->decision == ADJ_APPROVE;
    x->draft_approved += d->decision == ADJ_APPROVE;
    if (e == ERR_OK) {
        (void)((e = add_to(&x->base_fen, b->payout_fen)) ||
               (e = add_to(&x->draft_fen, d->payout_fen)) ||
               (e = add_to(&t->base_fen, b->payout_fen)) ||
               (e = add_to(&t->draft_fen, d->payout_fen)));
    }
    if (e == ERR_OK && b->payout_fen != d->payout_fen) {
        e = change_add(x, r, b, d);
    }
    return e;
}

/* --------------------------------------------------------- earned, price */

struct version_earned {
    int64_t plan_id;
    int64_t version, price_fen, earned_fen;
};

struct earned_x {
    struct replay *x;
    size_t n;
    struct version_earned v[WHATIF_VERSIONS_MAX];
    int64_t total_fen;
};

static enum err earned_fn(void *ctx, int64_t plan_id, const char *plan_code, int month,
                          int64_t amount_fen)
{
    (void)month;
    struct earned_x *y = ctx;
    if (strcmp(plan_code, y->x->code) != 0) {
        return ERR_OK;
    }
    size_t i = 0;
    while (i < y->n && y->v[i].plan_id != plan_id) {
        i++;
    }
    if (i == y->n) {
        if (y->n == WHATIF_VERSIONS_MAX) {
            return ERR_TOO_LARGE;
        }
        y->v[y->n++] = (struct version_earned){plan_id, 0, 0, 0};
    }
    enum err e = add_to(&y->v[i].earned_fen, amount_fen);
    return e != ERR_OK ? e : add_to(&y->total_fen, amount_fen);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ceil(w * 10000 / (target * sum_v earned_v / price_v)); false when there
 * is no exposure. */
static enum err break_even(const struct earned_x *y, int64_t w, int64_t target_bp,
                           bool *has, int64_t *out)
{
    *has = false;
    int64_t l = 1;
    for (size_t i = 0; i < y->n; i++) {
        if (y->v[i].price_fen <= 0 || y->v[i].earned_fen <= 0) {
            continue;
        }
        int64_t g = gcd64(l, y->v[i].price_fen);
        if (__builtin_mul_overflow(l / g, y->v[i].price_fen, &l)) {
            return ERR_OVERFLOW;
        }
    }
    __int128 n = 0; /* sum earned_v * (l / price_v): exposure times l */
    for (size_t i = 0; i < y->n; i++) {
        if (y->v[i].price_fen > 0 && y->v[i].earned_fen > 0) {
            n += (__int128)y->v[i].earned_fen * (l / y->v[i].price_fen);
        }
    }
    if (n <= 0) {
        return ERR_OK;
    }
    __int128 num = (__int128)w * 10000 * l, den = (__int128)target_bp * n;
    __int128 p = (num + den - 1) / den;
    if (p > INT64_MAX) {
        return ERR_OVERFLOW;
    }
    *out = (int64_t)p;
    *has = true;
    return ERR_OK;
}

/* ------------------------------------------------------------ the report */

static int change_cmp(const void *a, const void *b)
{
    const struct change *x = a, *y = b;
    int64_t dx = x->draft_fen - x->base_fen, dy = y->draft_fen - y->base_fen;
    dx = dx < 0 ? -dx : dx;
    dy = dy < 0 ? -dy : dy;
    if (dx != dy) {
        return dx > dy ? -1 : 1;
    }
    return x->claim_id < y->claim_id ? -1 : x->claim_id > y->claim_id;
}

static const struct rpt_col params_cols[] = {
    {"plan_code", RPT_TEXT},          {"draft_version", RPT_INT},
    {"draft_share_price_fen", RPT_INT}, {"target_loss_ratio_bp", RPT_INT},
    {"accumulators", RPT_TEXT}};
static const struct rpt_col total_cols[] = {
    {"claims", RPT_INT},               {"excluded", RPT_INT},
    {"unjudged", RPT_INT},             {"actual_paid_fen", RPT_INT},
    {"baseline_fen", RPT_INT},         {"whatif_fen", RPT_INT},
    {"baseline_approved", RPT_INT},    {"whatif_approved", RPT_INT},
    {"earned_fen", RPT_INT},           {"actual_loss_ratio_bp", RPT_INT},
    {"baseline_loss_ratio_bp", RPT_INT}, {"whatif_loss_ratio_bp", RPT_INT},
    {"break_even_price_fen", RPT_INT}};
static const struct rpt_col month_cols[] = {{"month", RPT_TEXT},
                                            {"claims", RPT_INT},
                                            {"actual_paid_fen", RPT_INT},
                                            {"baseline_fen", RPT_INT},
                                            {"whatif_fen", RPT_INT}};
static const struct rpt_col version_cols[] = {
    {"plan_version", RPT_INT}, {"share_price_fen", RPT_INT}, {"earned_fen", RPT_INT}};
static const struct rpt_col change_cols[] = {
    {"claim_id", RPT_INT},      {"member_id", RPT_INT},      {"baseline_fen", RPT_INT},
    {"whatif_fen", RPT_INT},    {"difference_fen", RPT_INT}, {"baseline_reason", RPT_TEXT},
    {"whatif_reason", RPT_TEXT}};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* One row: cells set in order from ints (INT64_MIN = NULL) or texts. */
static enum err put_row(struct rpt_doc *d, struct rpt_table *t, const int64_t *ints,
                        const char *const *texts)
{
    if (t == NULL) {
        return ERR_NOMEM;
    }
    struct rpt_cell *row;
    enum err e = rpt_row_add(t, &row);
    for (size_t i = 0; e == ERR_OK && i < t->ncols; i++) {
        if (t->cols[i].kind == RPT_TEXT) {
            e = rpt_set_text(d, &row[i], texts[i] != NULL ? texts[i] : "");
        } else if (ints[i] != INT64_MIN) {
            rpt_set_int(&row[i], ints[i]);
        }
    }
    return e;
}

static int64_t bp_or_null(int64_t num, int64_t den)
{
    int64_t bp;
    return reports_ratio_bp(num, den, &bp) ? bp : INT64_MIN;
}

static enum err tables(struct rpt_doc *d, const struct reports_query *q,
                       const struct whatif_input *in, struct replay *x, struct earned_x *y)
{
    int64_t price = INT64_MIN;
    bool has;
    enum err e = break_even(y, x->draft_fen, in->target_loss_ratio_bp, &has, &price);
    if (e != ERR_OK) {
        return e;
    }
    if (!has) {
        price = INT64_MIN;
    }
    struct rpt_table *t = rpt_table_add(d, "params", params_cols, NCOLS(params_cols), true);
    e = put_row(d, t,
                (const int64_t[]){0, in->draft_version, x->draft->share_price_fen,
                                  in->target_loss_ratio_bp, 0},
                (const char *const[]){in->plan_code, NULL, NULL, NULL, "from_zero_at_from"});
    t = rpt_table_add(d, "total", total_cols, NCOLS(total_cols), true);
    if (e == ERR_OK) {
        e = put_row(d, t,
                    (const int64_t[]){x->claims, x->excluded, x->unjudged, x->actual_fen,
                                      x->base_fen, x->draft_fen, x->base_approved,
                                      x->draft_approved, y->total_fen,
                                      bp_or_null(x->actual_fen, y->total_fen),
                                      bp_or_null(x->base_fen, y->total_fen),
                                      bp_or_null(x->draft_fen, y->total_fen), price},
                    (const char *const[13]){NULL});
    }
    t = rpt_table_add(d, "by_month", month_cols, NCOLS(month_cols), false);
    for (int m = 0; e == ERR_OK && m < x->nmonths; m++) {
        unsigned u = (unsigned)(x->m0 + m);
        char month[8];
        snprintf(month, sizeof(month), "%04u-%02u", u / 12 % 10000, u % 12 + 1);
        const struct month_tally *k = &x->months[m];
        e = put_row(d, t,
                    (const int64_t[]){0, k->claims, k->actual_fen, k->base_fen, k->draft_fen},
                    (const char *const[]){month, NULL, NULL, NULL, NULL});
    }
    t = rpt_table_add(d, "by_version", version_cols, NCOLS(version_cols), false);
    for (size_t i = 0; e == ERR_OK && i < y->n; i++) {
        e = put_row(d, t,
                    (const int64_t[]){y->v[i].version, y->v[i].price_fen, y->v[i].earned_fen},
                    (const char *const[3]){NULL});
    }
    if (x->nchanges > 0) {
        sort_n(x->changes, x->nchanges, sizeof(*x->changes), change_cmp);
    }
    size_t cap = q->export_all ? REPORTS_EXPORT_ROWS_MAX : q->limit;
    t = rpt_table_add(d, "changes", change_cols, NCOLS(change_cols), false);
    for (size_t i = 0; e == ERR_OK && i < x->nchanges && i < cap; i++) {
        const struct change *k = &x->changes[i];
        e = put_row(d, t,
                    (const int64_t[]){k->claim_id, k->member_id, k->base_fen, k->draft_fen,
                                      k->draft_fen - k->base_fen, 0, 0},
                    (const char *const[]){NULL, NULL, NULL, NULL, NULL, k->base_reason,
                                          k->draft_reason});
    }
    if (t != NULL) {
        t->truncated = x->nchanges > cap;
    }
    return e;
}

/* Loads and checks the draft: the code's version draft_version, in draft. */
static enum err load_draft(struct replay *x, const struct whatif_input *in, char *err_field)
{
    struct store_plan_row row;
    enum err e = store_plan_get(x->c, 0, in->plan_code, in->draft_version, &row);
    if (e == ERR_NOT_FOUND) {
        set_field(err_field, "draft_version");
        return ERR_INVALID_PLAN;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (strcmp(row.state, "draft") != 0) {
        free(row.document);
        set_field(err_field, "draft_version");
        return ERR_CONFLICT;
    }
    return parse_plan(&row, &x->draft);
}

static void replay_free(struct replay *x)
{
    member_release(x);
    for (size_t i = 0; i < x->ncodes; i++) {
        adj_invoice_set_release(&x->base_codes[i].invoices);
        adj_invoice_set_release(&x->draft_codes[i].invoices);
    }
    for (size_t i = 0; i < x->nplans; i++) {
        free(x->plans[i].plan);
    }
    free(x->draft);
    free(x->months);
    free(x->changes);
    free(x);
}

static bool code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n >= PLAN_CODE_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = code[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
            return false;
        }
    }
    return true;
}

enum err whatif_run(struct store_conn *c, const struct claims_ctx *ctx,
                    const struct reports_query *q, const struct whatif_input *in,
                    struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    enum err e = reports_scope_of(c, q, &s, err_field);
    if (e != ERR_OK) {
        return e;
    }
    if (in->target_loss_ratio_bp < 1 || in->target_loss_ratio_bp > WHATIF_TARGET_BP_MAX) {
        set_field(err_field, "target_loss_ratio_bp");
        return ERR_INVALID;
    }
    if (!code_ok(in->plan_code)) {
        set_field(err_field, "plan_code");
        return ERR_INVALID;
    }
    struct replay *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return ERR_NOMEM;
    }
    x->c = c;
    x->ctx = ctx;
    x->code = in->plan_code;
    x->member_id = -1;
    /* whole months, like the claims report */
    x->m0 = reports_month_index(q->from);
    x->nmonths = reports_month_index(q->to) - x->m0 + 1;
    x->months = calloc((size_t)x->nmonths, sizeof(*x->months));
    struct rpt_doc *d = rpt_doc_new("whatif");
    struct earned_x *y = calloc(1, sizeof(*y));
    e = x->months == NULL || d == NULL || y == NULL ? ERR_NOMEM : ERR_OK;
    if (e == ERR_OK) {
        e = load_draft(x, in, err_field);
    }
    int year0 = x->m0 / 12, month0 = x->m0 % 12 + 1;
    int m1 = x->m0 + x->nmonths - 1, year1 = m1 / 12, month1 = m1 % 12 + 1;
    struct date from, to;
    if (e == ERR_OK && ((e = date_from_ymd(year0, month0, 1, &from)) != ERR_OK ||
                        (e = date_from_ymd(year1, month1, date_days_in_month(year1, month1),
                                           &to)) != ERR_OK)) {
        e = ERR_INTERNAL;
    }
    if (e == ERR_OK) {
        d->org_id = s.org_id;
        snprintf(d->org_code, sizeof(d->org_code), "%s", s.code);
        snprintf(d->org_name, sizeof(d->org_name), "%s", s.name);
        date_format(from, d->from);
        date_format(to, d->to);
        e = store_rpt_replay_each(c, s.path, in->plan_code, d->from, d->to, replay_fn, x);
    }
    if (e == ERR_OK) {
        y->x = x;
        e = reports_earned_each(c, s.path, x->m0, m1, earned_fn, y);
    }
    for (size_t i = 0; e == ERR_OK && i < y->n; i++) {
        const struct plan *p;
        int64_t pid;
        if ((e = plan_get(x, y->v[i].plan_id, NULL, &p, &pid)) == ERR_OK) {
            y->v[i].version = p->version;
            y->v[i].price_fen = p->share_price_fen;
        }
    }
    if (e == ERR_OK) {
        e = tables(d, q, in, x, y);
    }
    replay_free(x);
    free(y);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}
