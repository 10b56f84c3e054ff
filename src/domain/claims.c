/*
 * claims: the claim lifecycle, authority limits, appeal, adjudication from
 * the database and the bulk intake of the settlement feed (claims.h).
 *
 * The engine's inputs for one claim are built in a struct judge: the
 * member's covering enrolments of the claim's plan codes (with their term
 * accumulators), the lifetime critical-illness awards, the per-accident
 * accumulators and, per plan code, only those of the claim's invoice
 * numbers that approved claims already used (the engine asks about no
 * other). After adjudicate_claim the judge holds the accumulators as the
 * approval would leave them; judge_commit writes the differences.
 */
#include "domain/claims.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/limits.h"
#include "core/money.h"
#include "core/utf8.h"
#include "domain/assistance.h"
#include "domain/audit.h"
#include "domain/documents.h"
#include "domain/ledger.h"
#include "domain/risk.h"
#include "store/store_claims.h"
#include "store/store_enrol.h"

#define NUM_TEXT 24 /* an int64 in decimal with sign and NUL */

/* An encoded explanation (steps_encode). */
#define STEPS_BLOB_MAX ((2 + ADJ_STEPS_MAX * 6) * 8)

struct steps_blob {
    unsigned char b[STEPS_BLOB_MAX];
    size_t len;
};


static const char *const status_names[CLAIM_STATUS__COUNT] = {
    "draft",    "submitted", "documents_complete", "assessed", "approved",
    "rejected", "appealed",  "payable",            "paid",     "closed",
};

const char *claim_status_str(enum claim_status s)
{
    return (unsigned)s < CLAIM_STATUS__COUNT ? status_names[s] : "unknown";
}

bool claim_status_parse(const char *text, enum claim_status *out)
{
    for (unsigned i = 0; i < CLAIM_STATUS__COUNT; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            *out = (enum claim_status)i;
            return true;
        }
    }
    return false;
}

const char *claim_channel_str(enum claim_channel ch)
{
    switch (ch) {
    case CLAIM_CHANNEL_ONLINE:
        return "online";
    case CLAIM_CHANNEL_OFFLINE:
        return "offline";
    case CLAIM_CHANNEL_AUTO:
        return "auto";
    }
    return "unknown";
}

void claims_config_default(struct claims_config *cfg)
{
    cfg->officer_limit_fen = 500000;
    cfg->risk_waiting_window_days = 30;
    cfg->risk_max_claims_12m = 3;
    cfg->risk_median_factor = 5;
    cfg->risk_min_sample = 20;
    cfg->risk_sample_bp = 500;
    cfg->referral_threshold_fen = 3000000;
    cfg->referral_hardship_fen = 500000;
}

const struct auth_user claims_actor_cli = {
    .id = 0,
    .login = "cli",
    .display_name = "command line",
    .role = AUTH_ROLE_ADMIN,
    .org_id = 0,
    .org_path = "/",
    .member_id = 0,
};

static void fmt_i64(char *buf, int64_t v)
{
    snprintf(buf, NUM_TEXT, "%" PRId64, v);
}

static void set_field(char *err_field, size_t cap, const char *field)
{
    if (err_field != NULL && cap > 0) {
        snprintf(err_field, cap, "%s", field);
    }
}

/* ------------------------------------------------------------- input check */

static const char *const settlement_names[7] = {
    "total_fen",           "fund_paid_fen",  "serious_illness_paid_fen",
    "assistance_paid_fen", "other_paid_fen", "self_pay_in_scope_fen",
    "self_pay_out_scope_fen",
};

static void settlement_to_array(const struct adj_settlement *s, int64_t v[7])
{
    v[0] = s->total_fen;
    v[1] = s->fund_paid_fen;
    v[2] = s->serious_illness_paid_fen;
    v[3] = s->assistance_paid_fen;
    v[4] = s->other_paid_fen;
    v[5] = s->self_pay_in_scope_fen;
    v[6] = s->self_pay_out_scope_fen;
}

static void settlement_from_array(const int64_t v[7], struct adj_settlement *s)
{
    s->total_fen = v[0];
    s->fund_paid_fen = v[1];
    s->serious_illness_paid_fen = v[2];
    s->assistance_paid_fen = v[3];
    s->other_paid_fen = v[4];
    s->self_pay_in_scope_fen = v[5];
    s->self_pay_out_scope_fen = v[6];
}

static bool code_syntax_ok(const char *code)
{
    size_t len = strnlen(code, PLAN_CODE_MAX);
    if (len == 0 || len >= PLAN_CODE_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = code[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_')) {
            return false;
        }
    }
    return true;
}

static bool invoice_syntax_ok(const char *s)
{
    size_t len = strnlen(s, ADJ_INVOICE_MAX);
    if (len == 0 || len >= ADJ_INVOICE_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '|') {
            return false;
        }
    }
    return true;
}

static enum err check_dates(const struct adj_event *ev, struct date today, char *err_field,
                            size_t cap)
{
    const struct {
        unsigned bit;
        struct date d;
        const char *field;
    } dates[] = {
        {ADJ_HAS_ADMISSION, ev->admission_date, "event.admission_date"},
        {ADJ_HAS_DISCHARGE, ev->discharge_date, "event.discharge_date"},
        {ADJ_HAS_DIAGNOSIS, ev->diagnosis_date, "event.diagnosis_date"},
        {ADJ_HAS_ACCIDENT_DATE, ev->accident_date, "event.accident_date"},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        if ((ev->present & dates[i].bit) && dates[i].d.day > today.day) {
            set_field(err_field, cap, dates[i].field);
            return ERR_INVALID_DATE;
        }
    }
    if ((ev->present & ADJ_HAS_ADMISSION) && (ev->present & ADJ_HAS_DISCHARGE) &&
        ev->discharge_date.day < ev->admission_date.day) {
        set_field(err_field, cap, "event.discharge_date");
        return ERR_INVALID_DATE;
    }
    return ERR_OK;
}

static enum err check_settlement(const struct adj_settlement *s, char *err_field, size_t cap)
{
    int64_t v[7];
    settlement_to_array(s, v);
    int64_t sum = 0;
    for (int i = 0; i < 7; i++) {
        if (v[i] < 0 || v[i] > ADJ_FEN_MAX) {
            char field[CLAIM_FIELD_MAX];
            snprintf(field, sizeof(field), "event.settlement.%s", settlement_names[i]);
            set_field(err_field, cap, field);
            return ERR_INVALID_MONEY;
        }
        if (i > 0) {
            sum += v[i]; /* 6 x 10^14 cannot overflow */
        }
    }
    if (sum != v[0]) {
        set_field(err_field, cap, "event.settlement.total_fen");
        return ERR_SETTLEMENT_MISMATCH;
    }
    return ERR_OK;
}

enum err claim_input_check(const struct claim_input *in, struct date today, char *err_field,
                           size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (in->nplans == 0 || in->nplans > ADJ_CLAIM_PLANS_MAX) {
        set_field(err_field, err_cap, "plan_codes");
        return ERR_INVALID;
    }
    for (size_t i = 0; i < in->nplans; i++) {
        char field[CLAIM_FIELD_MAX];
        snprintf(field, sizeof(field), "plan_codes[%zu]", i);
        if (!code_syntax_ok(in->plan_codes[i])) {
            set_field(err_field, err_cap, field);
            return ERR_INVALID;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(in->plan_codes[i], in->plan_codes[j]) == 0) {
                set_field(err_field, err_cap, field);
                return ERR_INVALID;
            }
        }
    }
    return claim_event_check(in, today, err_field, err_cap);
}

enum err claim_event_check(const struct claim_input *in, struct date today, char *err_field,
                           size_t err_cap)
{
    set_field(err_field, err_cap, "");
    const struct adj_event *ev = &in->event;
    enum err e = check_dates(ev, today, err_field, err_cap);
    if (e != ERR_OK) {
        return e;
    }
    if ((ev->present & ADJ_HAS_SETTLEMENT) &&
        (e = check_settlement(&ev->settlement, err_field, err_cap)) != ERR_OK) {
        return e;
    }
    if ((ev->present & ADJ_HAS_GRADE) && (ev->grade < 1 || ev->grade > PLAN_DISABILITY_GRADES)) {
        set_field(err_field, err_cap, "event.grade");
        return ERR_RANGE;
    }
    size_t hlen = strnlen(in->hospital, CLAIM_HOSPITAL_MAX);
    if (hlen >= CLAIM_HOSPITAL_MAX || !utf8_is_valid(in->hospital, hlen) ||
        utf8_count(in->hospital, hlen) > 50) {
        set_field(err_field, err_cap, "hospital");
        return ERR_INVALID;
    }
    if (in->ninvoices > ADJ_CLAIM_INVOICES_MAX) {
        set_field(err_field, err_cap, "invoices");
        return ERR_TOO_LARGE;
    }
    for (size_t i = 0; i < in->ninvoices; i++) {
        char field[CLAIM_FIELD_MAX];
        snprintf(field, sizeof(field), "invoices[%zu]", i);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            dup = strcmp(in->invoices[i], in->invoices[j]) == 0;
        }
        if (!invoice_syntax_ok(in->invoices[i]) || dup) {
            set_field(err_field, err_cap, field);
            return ERR_INVALID;
        }
    }
    if (in->diagnosis != NULL &&
        (in->diagnosis_len > CLAIM_DIAGNOSIS_MAX || !utf8_is_valid(in->diagnosis, in->diagnosis_len))) {
        set_field(err_field, err_cap, "diagnosis");
        return ERR_INVALID;
    }
    return ERR_OK;
}

/* --------------------------------------------------------- input <-> row */

static const char *cause_str(const struct adj_event *ev)
{
    if (!(ev->present & ADJ_HAS_CAUSE)) {
        return "";
    }
    return ev->cause == ADJ_CAUSE_ILLNESS ? "illness" : "accident";
}

static const char *outcome_str(const struct adj_event *ev)
{
    if (!(ev->present & ADJ_HAS_OUTCOME)) {
        return "";
    }
    switch (ev->outcome) {
    case ADJ_OUTCOME_DEATH:
        return "death";
    case ADJ_OUTCOME_DISABILITY:
        return "disability";
    case ADJ_OUTCOME_MEDICAL:
        return "medical";
    case ADJ_OUTCOME_NONE:
        break;
    }
    return "";
}

/* Fills a new row from an input (sealing the sensitive fields). */
static enum err row_from_input(const struct claims_ctx *ctx, const struct claim_input *in,
                               struct store_claim *r)
{
    const struct adj_event *ev = &in->event;
    size_t at = 0;
    for (size_t i = 0; i < in->nplans; i++) {
        at += (size_t)snprintf(r->plan_codes + at, sizeof(r->plan_codes) - at, "%s%s",
                               i > 0 ? "," : "", in->plan_codes[i]);
    }
    unsigned p = ev->present;
    r->dates_present = ((p & ADJ_HAS_ADMISSION) ? STORE_CLAIM_HAS_ADMISSION : 0u) |
                       ((p & ADJ_HAS_DISCHARGE) ? STORE_CLAIM_HAS_DISCHARGE : 0u) |
                       ((p & ADJ_HAS_DIAGNOSIS) ? STORE_CLAIM_HAS_DIAGNOSIS : 0u) |
                       ((p & ADJ_HAS_ACCIDENT_DATE) ? STORE_CLAIM_HAS_ACCIDENT : 0u);
    r->admission_date = ev->admission_date;
    r->discharge_date = ev->discharge_date;
    r->diagnosis_date = ev->diagnosis_date;
    r->accident_date = ev->accident_date;
    snprintf(r->cause, sizeof(r->cause), "%s", cause_str(ev));
    snprintf(r->outcome, sizeof(r->outcome), "%s", outcome_str(ev));
    if (p & ADJ_HAS_ACCIDENT_ID) {
        snprintf(r->accident_id, sizeof(r->accident_id), "%.*s",
                 (int)strnlen(ev->accident_id, ADJ_ACCIDENT_ID_MAX), ev->accident_id);
    }
    r->grade = (p & ADJ_HAS_GRADE) ? ev->grade : 0;
    snprintf(r->hospital, sizeof(r->hospital), "%s", in->hospital);
    r->has_settlement = (p & ADJ_HAS_SETTLEMENT) != 0;
    if (r->has_settlement) {
        settlement_to_array(&ev->settlement, r->settlement_fen);
    }
    at = 0;
    for (size_t i = 0; i < in->ninvoices; i++) {
        at += (size_t)snprintf(r->invoices + at, sizeof(r->invoices) - at, "%s%s",
                               i > 0 ? "|" : "", in->invoices[i]);
    }
    enum err e = ERR_OK;
    if (p & ADJ_HAS_DISEASE) {
        if (ctx->fc == NULL) {
            return ERR_INTERNAL;
        }
        e = fieldcrypt_seal(ctx->fc, ev->disease_code,
                            strnlen(ev->disease_code, PLAN_DISEASE_CODE_MAX), r->disease_enc,
                            sizeof(r->disease_enc), &r->disease_enc_len);
    }
    if (e == ERR_OK && in->diagnosis != NULL && in->diagnosis_len > 0) {
        if (ctx->fc == NULL) {
            return ERR_INTERNAL;
        }
        e = fieldcrypt_seal(ctx->fc, in->diagnosis, in->diagnosis_len, r->diagnosis_enc,
                            sizeof(r->diagnosis_enc), &r->diagnosis_enc_len);
    }
    return e;
}

/* The engine's event from a stored row (unsealing the disease code). */
static enum err event_from_row(const struct claims_ctx *ctx, const struct store_claim *r,
                               struct adj_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (r->cause[0] != '\0') {
        ev->present |= ADJ_HAS_CAUSE;
        ev->cause = strcmp(r->cause, "illness") == 0 ? ADJ_CAUSE_ILLNESS : ADJ_CAUSE_ACCIDENT;
    }
    const struct {
        unsigned row_bit, ev_bit;
        struct date d;
        struct date *out;
    } dates[] = {
        {STORE_CLAIM_HAS_ADMISSION, ADJ_HAS_ADMISSION, r->admission_date, &ev->admission_date},
        {STORE_CLAIM_HAS_DISCHARGE, ADJ_HAS_DISCHARGE, r->discharge_date, &ev->discharge_date},
        {STORE_CLAIM_HAS_DIAGNOSIS, ADJ_HAS_DIAGNOSIS, r->diagnosis_date, &ev->diagnosis_date},
        {STORE_CLAIM_HAS_ACCIDENT, ADJ_HAS_ACCIDENT_DATE, r->accident_date, &ev->accident_date},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        if (r->dates_present & dates[i].row_bit) {
            ev->present |= dates[i].ev_bit;
            *dates[i].out = dates[i].d;
        }
    }
    if (r->accident_id[0] != '\0') {
        ev->present |= ADJ_HAS_ACCIDENT_ID;
        size_t len = strnlen(r->accident_id, ADJ_ACCIDENT_ID_MAX);
        memcpy(ev->accident_id, r->accident_id, len); /* NUL-padded by the memset */
    }
    if (r->outcome[0] != '\0') {
        ev->present |= ADJ_HAS_OUTCOME;
        ev->outcome = strcmp(r->outcome, "death") == 0        ? ADJ_OUTCOME_DEATH
                      : strcmp(r->outcome, "disability") == 0 ? ADJ_OUTCOME_DISABILITY
                                                              : ADJ_OUTCOME_MEDICAL;
    }
    if (r->grade > 0) {
        ev->present |= ADJ_HAS_GRADE;
        ev->grade = r->grade;
    }
    if (r->has_settlement) {
        ev->present |= ADJ_HAS_SETTLEMENT;
        settlement_from_array(r->settlement_fen, &ev->settlement);
    }
    if (r->disease_enc_len > 0) {
        if (ctx->fc == NULL) {
            return ERR_INTERNAL;
        }
        char code[PLAN_DISEASE_CODE_MAX + 1];
        size_t len;
        enum err e = fieldcrypt_unseal(ctx->fc, r->disease_enc, r->disease_enc_len, code,
                                       sizeof(code), &len);
        if (e != ERR_OK) {
            return ERR_INTERNAL;
        }
        ev->present |= ADJ_HAS_DISEASE;
        memset(ev->disease_code, 0, sizeof(ev->disease_code));
        memcpy(ev->disease_code, code, len < PLAN_DISEASE_CODE_MAX ? len : PLAN_DISEASE_CODE_MAX);
    }
    return ERR_OK;
}

enum err claims_event_of(const struct claims_ctx *ctx, const struct store_claim *r,
                         struct adj_event *out)
{
    return event_from_row(ctx, r, out);
}

/* ------------------------------------------------------------------ cache */

struct cached_plan {
    int64_t id;             /* plan_version id */
    struct plan *plan;      /* parsed document (malloc) */
};

struct judge;

struct claims_cache {
    struct cached_plan *plans;
    size_t nplans, cap;
    struct risk_medians medians;
    struct judge *judge; /* reused by bulk intake */
    struct steps_blob blobs[ADJ_CLAIM_PLANS_MAX]; /* encoded explanations, bulk intake */
};

enum err claims_cache_new(struct claims_cache **out)
{
    *out = calloc(1, sizeof(**out));
    return *out != NULL ? ERR_OK : ERR_NOMEM;
}

void claims_cache_free(struct claims_cache *cache)
{
    if (cache == NULL) {
        return;
    }
    for (size_t i = 0; i < cache->nplans; i++) {
        free(cache->plans[i].plan);
    }
    free(cache->plans);
    free(cache->judge);
    free(cache);
}

/* The plan version id (> 0), or the latest published version of code. */
static enum err cache_plan(struct store_conn *c, struct claims_cache *cache, int64_t id,
                           const char *code, const struct plan **out, int64_t *out_id)
{
    for (size_t i = 0; id > 0 && i < cache->nplans; i++) {
        if (cache->plans[i].id == id) {
            *out = cache->plans[i].plan;
            *out_id = id;
            return ERR_OK;
        }
    }
    struct store_plan_row row;
    enum err e = store_plan_get(c, id, code, 0, &row);
    if (e != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < cache->nplans; i++) {
        if (cache->plans[i].id == row.id) {
            free(row.document);
            *out = cache->plans[i].plan;
            *out_id = row.id;
            return ERR_OK;
        }
    }
    json_error_t jerr;
    json_t *doc = json_loads(row.document, 0, &jerr);
    free(row.document);
    struct plan *p = malloc(sizeof(*p));
    char field[PLAN_FIELD_PATH_MAX];
    if (doc == NULL || p == NULL || plan_from_json(doc, p, field, sizeof(field)) != ERR_OK) {
        json_decref(doc);
        free(p);
        return doc == NULL || p == NULL ? ERR_NOMEM : ERR_DB; /* a stored plan must parse */
    }
    json_decref(doc);
    if (cache->nplans == cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 8;
        struct cached_plan *v = realloc(cache->plans, cap * sizeof(*v));
        if (v == NULL) {
            free(p);
            return ERR_NOMEM;
        }
        cache->plans = v;
        cache->cap = cap;
    }
    cache->plans[cache->nplans++] = (struct cached_plan){row.id, p};
    *out = p;
    *out_id = row.id;
    return ERR_OK;
}

/* ------------------------------------------------------------------ judge */

struct judge {
    /* the claim's plan codes, by code id */
    size_t ncodes;
    char codes[ADJ_CLAIM_PLANS_MAX][PLAN_CODE_MAX];
    const char *code_ptrs[ADJ_CLAIM_PLANS_MAX];
    int64_t code_plan_id[ADJ_CLAIM_PLANS_MAX];
    struct adj_code adj_codes[ADJ_CLAIM_PLANS_MAX];
    struct adj_state state;
    /* auto intake: choose the codes from the covering enrolments */
    bool auto_codes;
    struct date auto_date;
    /* the member's enrolments in those codes, as loaded */
    size_t n;
    struct store_claim_enrolment rows[CLAIMS_ENROLMENTS_MAX];
    char ids[CLAIMS_ENROLMENTS_MAX][NUM_TEXT];
    struct adj_enrolment enr[CLAIMS_ENROLMENTS_MAX];
    struct adj_member member;
    size_t awards_loaded;
    size_t accidents_loaded;
    struct adj_accident_acc accidents_before[ADJ_CLAIM_PLANS_MAX];
    /* the claim */
    struct adj_claim claim;
    char claim_id[NUM_TEXT];
    struct adj_invoice inv[ADJ_CLAIM_INVOICES_MAX];
    char inv_text[ADJ_CLAIM_INVOICES_MAX][ADJ_INVOICE_MAX];
    struct adj_result results[ADJ_CLAIM_PLANS_MAX];
    int64_t member_id;
};

static void judge_release(struct judge *j)
{
    for (size_t i = 0; i < j->ncodes; i++) {
        adj_invoice_set_release(&j->adj_codes[i].invoices);
    }
    adj_member_release(&j->member);
    j->ncodes = 0;
}

static int code_index(const struct judge *j, const char *code)
{
    for (size_t i = 0; i < j->ncodes; i++) {
        if (strcmp(j->codes[i], code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static enum err parse_codes(struct judge *j, const char *list)
{
    j->ncodes = 0;
    const char *p = list;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= PLAN_CODE_MAX || j->ncodes == ADJ_CLAIM_PLANS_MAX) {
            return ERR_DB;
        }
        memcpy(j->codes[j->ncodes], p, len);
        j->codes[j->ncodes][len] = '\0';
        j->ncodes++;
        p += len + (comma != NULL ? 1 : 0);
    }
    return j->ncodes > 0 ? ERR_OK : ERR_DB;
}

static bool kind_is_auto(const char *kind)
{
    return strcmp(kind, "inpatient") == 0 || strcmp(kind, "daily_allowance") == 0;
}

struct enrol_collect {
    struct judge *j;
    struct store_conn *c;
    struct claims_cache *cache;
};

static enum err enrol_collect_fn(void *ctx, const struct store_claim_enrolment *e)
{
    struct enrol_collect *x = ctx;
    struct judge *j = x->j;
    if (!j->auto_codes && code_index(j, e->plan_code) < 0) {
        return ERR_OK;
    }
    const struct plan *plan;
    int64_t pid;
    enum err err = cache_plan(x->c, x->cache, e->plan_id, NULL, &plan, &pid);
    if (err != ERR_OK) {
        return err;
    }
    const char *kind = plan_kind_str(plan->kind);
    if (j->auto_codes && !kind_is_auto(kind)) {
        return ERR_OK;
    }
    if (j->n == CLAIMS_ENROLMENTS_MAX) {
        return ERR_TOO_LARGE;
    }
    j->rows[j->n] = *e;
    snprintf(j->rows[j->n].kind, sizeof(j->rows[j->n].kind), "%s", kind);
    j->n++;
    return ERR_OK;
}

/* Auto intake: the codes of enrolments covering the stay, inpatient first. */
static void choose_auto_codes(struct judge *j)
{
    j->ncodes = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *want = pass == 0 ? "inpatient" : "daily_allowance";
        for (size_t i = 0; i < j->n; i++) {
            const struct adj_enrolment *e = &j->enr[i];
            if (strcmp(j->rows[i].kind, want) != 0 || j->auto_date.day < e->start.day ||
                j->auto_date.day > e->cover_end.day || code_index(j, j->rows[i].plan_code) >= 0 ||
                j->ncodes == ADJ_CLAIM_PLANS_MAX) {
                continue;
            }
            snprintf(j->codes[j->ncodes], PLAN_CODE_MAX, "%s", j->rows[i].plan_code);
            j->ncodes++;
        }
    }
}

/* Loads CI awards of a critical-illness code into the member. */
struct ci_collect {
    struct judge *j;
    const struct claims_ctx *ctx;
    uint32_t code_id;
    const struct plan *plan;
};

static enum err ci_collect_fn(void *p, const struct store_claim_ci_award *a)
{
    struct ci_collect *x = p;
    struct adj_member *m = &x->j->member;
    if (m->nawards == m->awards_cap) {
        size_t cap = m->awards_cap ? m->awards_cap * 2 : 4;
        struct adj_ci_award *v = realloc(m->awards, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        m->awards = v;
        m->awards_cap = cap;
    }
    struct adj_ci_award *w = &m->awards[m->nawards];
    memset(w, 0, sizeof(*w));
    w->code_id = x->code_id;
    w->severity = strcmp(a->severity, "severe") == 0 ? PLAN_SEVERITY_SEVERE : PLAN_SEVERITY_MILD;
    w->payout_fen = a->payout_fen;
    /* The disease code is stored as a keyed hash: find it in the plan's
     * list. A code no longer listed cannot match the claim's code anyway;
     * it keeps a placeholder that matches nothing. */
    snprintf(w->disease_code, sizeof(w->disease_code), "?%zu", m->nawards);
    const struct plan_critical_illness *ci = &x->plan->benefit.critical;
    for (size_t i = 0; i < ci->ndiseases; i++) {
        unsigned char h[FIELDCRYPT_HASH_BYTES];
        const char *code = ci->diseases[i].code;
        fieldcrypt_index(x->ctx->fc, code, strnlen(code, PLAN_DISEASE_CODE_MAX), h);
        if (memcmp(h, a->disease_hash, sizeof(h)) == 0) {
            memcpy(w->disease_code, code, PLAN_DISEASE_CODE_MAX);
            break;
        }
    }
    m->nawards++;
    return ERR_OK;
}

static enum err load_accident(struct store_conn *c, struct judge *j, uint32_t code_id)
{
    struct adj_member *m = &j->member;
    bool found;
    int64_t disability;
    bool death;
    enum err e = store_claim_accident_get(c, j->member_id, j->codes[code_id],
                                          j->claim.event.accident_id, &found, &disability, &death);
    if (e != ERR_OK || !found) {
        return e;
    }
    if (m->naccidents == m->accidents_cap) {
        size_t cap = m->accidents_cap ? m->accidents_cap * 2 : 4;
        struct adj_accident_acc *v = realloc(m->accidents, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        m->accidents = v;
        m->accidents_cap = cap;
    }
    struct adj_accident_acc *a = &m->accidents[m->naccidents++];
    memset(a, 0, sizeof(*a));
    a->code_id = code_id;
    memcpy(a->accident_id, j->claim.event.accident_id, ADJ_ACCIDENT_ID_MAX);
    a->disability_paid_fen = disability;
    a->death_paid = death;
    j->accidents_before[j->accidents_loaded++] = *a;
    return ERR_OK;
}

/* The invoices of the row, into the claim. */
static enum err load_invoices(struct judge *j, const char *list)
{
    j->claim.ninvoices = 0;
    const char *p = list;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (len == 0 || len >= ADJ_INVOICE_MAX || j->claim.ninvoices == ADJ_CLAIM_INVOICES_MAX) {
            return ERR_DB;
        }
        size_t k = j->claim.ninvoices++;
        memcpy(j->inv_text[k], p, len);
        j->inv_text[k][len] = '\0';
        j->inv[k] = (struct adj_invoice){j->inv_text[k], len, adj_invoice_hash(p, len)};
        p += len + (bar != NULL ? 1 : 0);
    }
    j->claim.invoices = j->inv;
    return ERR_OK;
}

/*
 * Builds the engine's inputs for the claim in row r (its id may be 0) from
 * the database. With j->auto_codes set, the codes are chosen from the
 * member's covering inpatient and allowance enrolments (j->ncodes 0 when
 * none). The judge must be released with judge_release.
 */
static enum err judge_load(struct store_conn *c, const struct claims_ctx *ctx,
                           struct claims_cache *cache, struct judge *j,
                           const struct store_claim *r)
{
    j->n = 0;
    j->ncodes = 0;
    j->awards_loaded = j->accidents_loaded = 0;
    memset(&j->member, 0, sizeof(j->member));
    memset(&j->claim, 0, sizeof(j->claim));
    j->member_id = r->member_id;
    enum err e = ERR_OK;
    if (!j->auto_codes && (e = parse_codes(j, r->plan_codes)) != ERR_OK) {
        return e;
    }
    struct enrol_collect x = {j, c, cache};
    if ((e = store_claim_enrolment_each(c, r->member_id, enrol_collect_fn, &x)) != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < j->n; i++) {
        const struct store_claim_enrolment *row = &j->rows[i];
        const struct plan *plan;
        int64_t pid;
        if ((e = cache_plan(c, cache, row->plan_id, NULL, &plan, &pid)) != ERR_OK) {
            return e;
        }
        fmt_i64(j->ids[i], row->id);
        adj_enrolment_init(&j->enr[i], j->ids[i], plan, 0, row->term_start, row->shares,
                           row->has_cancelled_on ? &row->cancelled_on : NULL);
        j->enr[i].acc = (struct adj_term_acc){row->deductible_used_fen, row->tier_used_fen,
                                              row->paid_fen, (int32_t)row->days_paid,
                                              row->medical_paid_fen};
    }
    if (j->auto_codes) {
        choose_auto_codes(j);
        if (j->ncodes == 0) {
            return ERR_OK;
        }
    }
    /* code ids of the enrolments; drop the others (auto: other codes) */
    size_t kept = 0;
    for (size_t i = 0; i < j->n; i++) {
        int k = code_index(j, j->rows[i].plan_code);
        if (k < 0) {
            continue;
        }
        if (kept != i) {
            j->rows[kept] = j->rows[i];
            j->enr[kept] = j->enr[i];
            memcpy(j->ids[kept], j->ids[i], NUM_TEXT);
            j->enr[kept].id = j->ids[kept];
        }
        j->enr[kept].code_id = (uint32_t)k;
        kept++;
    }
    j->n = kept;
    for (size_t k = 0; k < j->ncodes; k++) {
        j->code_ptrs[k] = j->codes[k];
        adj_invoice_set_init(&j->adj_codes[k].invoices);
        j->adj_codes[k].plan = NULL;
        j->code_plan_id[k] = 0;
        for (size_t i = 0; i < j->n && j->adj_codes[k].plan == NULL; i++) {
            if (j->enr[i].code_id == k) {
                j->adj_codes[k].plan = j->enr[i].plan;
                j->code_plan_id[k] = j->rows[i].plan_id;
            }
        }
    }
    for (size_t k = 0; k < j->ncodes; k++) {
        if (j->adj_codes[k].plan == NULL) {
            e = cache_plan(c, cache, 0, j->codes[k], &j->adj_codes[k].plan, &j->code_plan_id[k]);
            if (e == ERR_NOT_FOUND) {
                e = ERR_INVALID_PLAN;
            }
            if (e != ERR_OK) {
                return e;
            }
        }
    }
    j->state.codes = j->adj_codes;
    j->state.ncodes = j->ncodes;
    j->member.id = j->claim_id;
    j->member.enrolments = j->enr;
    j->member.nenrolments = j->n;
    /* the claim */
    fmt_i64(j->claim_id, r->id);
    j->claim.id = j->claim_id;
    j->claim.submitted = r->submitted_on;
    j->claim.nplans = j->ncodes;
    for (size_t k = 0; k < j->ncodes; k++) {
        j->claim.code_ids[k] = (uint32_t)k;
    }
    if ((e = event_from_row(ctx, r, &j->claim.event)) != ERR_OK ||
        (e = load_invoices(j, r->invoices)) != ERR_OK) {
        return e;
    }
    /* lifetime and per-accident accumulators, used invoices */
    for (size_t k = 0; k < j->ncodes; k++) {
        const struct plan *plan = j->adj_codes[k].plan;
        if (plan->kind == PLAN_KIND_CRITICAL_ILLNESS) {
            if (ctx->fc == NULL) {
                return ERR_INTERNAL;
            }
            struct ci_collect cx = {j, ctx, (uint32_t)k, plan};
            if ((e = store_claim_ci_each(c, r->member_id, j->codes[k], ci_collect_fn, &cx)) !=
                ERR_OK) {
                return e;
            }
        }
        if (plan->kind == PLAN_KIND_ACCIDENT && (j->claim.event.present & ADJ_HAS_ACCIDENT_ID) &&
            (e = load_accident(c, j, (uint32_t)k)) != ERR_OK) {
            return e;
        }
        for (size_t i = 0; i < j->claim.ninvoices; i++) {
            bool used;
            if ((e = store_claim_invoice_used(c, j->codes[k], j->inv_text[i], &used)) != ERR_OK) {
                return e;
            }
            if (used && (e = adj_invoice_set_add(&j->adj_codes[k].invoices, j->inv[i].number,
                                                 j->inv[i].len)) != ERR_OK) {
                return e;
            }
        }
    }
    j->awards_loaded = j->member.nawards;
    return ERR_OK;
}

static enum err judge_run(struct judge *j, char *err_field, size_t cap)
{
    const char *field = "";
    enum err e = adjudicate_claim(&j->state, &j->member, &j->claim, j->results, &field);
    if (e != ERR_OK) {
        set_field(err_field, cap, field);
    }
    return e;
}

/* Writes what the approval changed in the accumulators and the used
 * invoices. */
static enum err judge_commit(struct store_conn *c, const struct claims_ctx *ctx, struct judge *j,
                             int64_t claim_id)
{
    enum err e = store_claim_member_lock(c, j->member_id);
    for (size_t i = 0; e == ERR_OK && i < j->n; i++) {
        struct store_claim_enrolment *row = &j->rows[i];
        const struct adj_term_acc *a = &j->enr[i].acc;
        if (a->deductible_used_fen == row->deductible_used_fen &&
            a->tier_used_fen == row->tier_used_fen && a->paid_fen == row->paid_fen &&
            a->days_paid == row->days_paid && a->medical_paid_fen == row->medical_paid_fen) {
            continue;
        }
        row->deductible_used_fen = a->deductible_used_fen;
        row->tier_used_fen = a->tier_used_fen;
        row->paid_fen = a->paid_fen;
        row->days_paid = a->days_paid;
        row->medical_paid_fen = a->medical_paid_fen;
        e = store_claim_acc_term_put(c, row);
    }
    for (size_t i = j->awards_loaded; e == ERR_OK && i < j->member.nawards; i++) {
        const struct adj_ci_award *w = &j->member.awards[i];
        struct store_claim_ci_award a = {
            .plan_code = j->codes[w->code_id],
            .severity = w->severity == PLAN_SEVERITY_SEVERE ? "severe" : "mild",
            .payout_fen = w->payout_fen,
            .claim_id = claim_id,
        };
        fieldcrypt_index(ctx->fc, w->disease_code, strnlen(w->disease_code, PLAN_DISEASE_CODE_MAX),
                         a.disease_hash);
        e = store_claim_ci_insert(c, j->member_id, &a);
    }
    for (size_t i = 0; e == ERR_OK && i < j->member.naccidents; i++) {
        const struct adj_accident_acc *a = &j->member.accidents[i];
        if (i < j->accidents_loaded &&
            a->disability_paid_fen == j->accidents_before[i].disability_paid_fen &&
            a->death_paid == j->accidents_before[i].death_paid) {
            continue;
        }
        char id[ADJ_ACCIDENT_ID_MAX + 1];
        memcpy(id, a->accident_id, ADJ_ACCIDENT_ID_MAX);
        id[ADJ_ACCIDENT_ID_MAX] = '\0';
        e = store_claim_accident_put(c, j->member_id, j->codes[a->code_id], id,
                                     a->disability_paid_fen, a->death_paid);
    }
    for (size_t k = 0; e == ERR_OK && k < j->claim.nplans; k++) {
        if (j->results[k].decision != ADJ_APPROVE) {
            continue;
        }
        for (size_t i = 0; e == ERR_OK && i < j->claim.ninvoices; i++) {
            e = store_claim_invoice_use(c, j->codes[j->results[k].code_id], j->inv_text[i],
                                        claim_id);
            if (e == ERR_EXISTS) {
                e = ERR_RETRY; /* used concurrently: judge again, it is a duplicate now */
            }
        }
    }
    return e;
}

/* The explanation of a result as stored: the event date, the step count and
 * each step's kind and five values, as big-endian int64. Rendering it to
 * JSON (adj_explanation_to_json) needs the plan, the enrolment and the
 * claim's facts, all of which the database keeps; see render_result. */
static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xFF);
        u >>= 8;
    }
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) {
        u = (u << 8) | p[i];
    }
    return (int64_t)u;
}

static void steps_encode(const struct adj_result *r, struct steps_blob *out)
{
    unsigned char *p = out->b;
    put_be64(p, r->event_date.day);
    put_be64(p + 8, (int64_t)r->nsteps);
    p += 16;
    for (size_t i = 0; i < r->nsteps; i++) {
        put_be64(p, (int64_t)r->steps[i].kind);
        for (int k = 0; k < 5; k++) {
            put_be64(p + 8 + 8 * k, r->steps[i].v[k]);
        }
        p += 48;
    }
    out->len = (size_t)(p - out->b);
}

/* ERR_DB when the blob is not what steps_encode writes. */
static enum err steps_decode(const unsigned char *b, size_t len, struct adj_result *r)
{
    if (len < 16) {
        return ERR_DB;
    }
    int64_t n = get_be64(b + 8);
    if (n < 0 || n > ADJ_STEPS_MAX || len != 16 + (size_t)n * 48) {
        return ERR_DB;
    }
    r->event_date.day = (int32_t)get_be64(b);
    r->nsteps = (size_t)n;
    for (size_t i = 0; i < r->nsteps; i++) {
        const unsigned char *p = b + 16 + i * 48;
        int64_t kind = get_be64(p);
        if (kind < 0 || kind >= ADJ_STEP__COUNT) {
            return ERR_DB;
        }
        r->steps[i].kind = (enum adj_step_kind)kind;
        for (int k = 0; k < 5; k++) {
            r->steps[i].v[k] = get_be64(p + 8 + 8 * k);
        }
    }
    return ERR_OK;
}

/* The stored form of the results; blobs[] holds the encoded steps. */
static void judge_results(const struct judge *j, int64_t claim_id, struct store_claim_result *out,
                          struct steps_blob *blobs)
{
    for (size_t k = 0; k < j->claim.nplans; k++) {
        const struct adj_result *r = &j->results[k];
        struct store_claim_result *s = &out[k];
        memset(s, 0, sizeof(*s));
        s->claim_id = claim_id;
        s->seq = (int64_t)k;
        snprintf(s->plan_code, sizeof(s->plan_code), "%s", j->codes[r->code_id]);
        if (r->enrolment != NULL) {
            size_t idx = (size_t)(r->enrolment - j->enr);
            s->enrolment_id = j->rows[idx].id;
            s->plan_id = j->rows[idx].plan_id;
        } else {
            s->plan_id = j->code_plan_id[r->code_id];
        }
        snprintf(s->decision, sizeof(s->decision), "%s", adj_decision_str(r->decision));
        const char *reason = adj_reason_str(r->reason);
        snprintf(s->reason, sizeof(s->reason), "%s", reason != NULL ? reason : "");
        s->payout_fen = r->payout_fen;
        steps_encode(r, &blobs[k]);
        s->steps = blobs[k].b;
        s->steps_len = blobs[k].len;
    }
}

static void assessment_from_judge(const struct judge *j, struct claim_assessment *out)
{
    memset(out, 0, sizeof(*out));
    out->npairs = j->claim.nplans;
    for (size_t k = 0; k < j->claim.nplans; k++) {
        const struct adj_result *r = &j->results[k];
        struct claim_pair *p = &out->pairs[k];
        snprintf(p->plan_code, sizeof(p->plan_code), "%s", j->codes[r->code_id]);
        p->decision = r->decision;
        p->reason = r->reason;
        p->payout_fen = r->payout_fen;
        out->payout_fen += r->payout_fen; /* each <= 10^14: no overflow for 8 */
    }
}

static bool needs_approver(const struct claims_config *cfg, int64_t payout_fen, unsigned flags,
                           bool appealed)
{
    return payout_fen > cfg->officer_limit_fen || flags != 0 || appealed;
}

static enum err judge_risk(struct store_conn *c, const struct claims_ctx *ctx,
                           struct risk_medians *medians, const struct judge *j,
                           const struct store_claim *r, int64_t claim_id, unsigned *flags)
{
    struct risk_input in = {
        .claim_id = claim_id,
        .member_id = r->member_id,
        .submitted = r->submitted_on,
        .hospital = r->hospital,
        .has_stay = (r->dates_present & STORE_CLAIM_HAS_ADMISSION) &&
                    (r->dates_present & STORE_CLAIM_HAS_DISCHARGE),
        .admission = r->admission_date,
        .discharge = r->discharge_date,
        .results = j->results,
        .nresults = j->claim.nplans,
        .codes = j->code_ptrs,
    };
    return risk_assess(c, ctx->cfg, medians, &in, flags);
}

static enum err judge_new(struct claims_cache *cache, struct judge **out, bool *owned)
{
    if (cache != NULL && cache->judge != NULL) {
        *out = cache->judge;
        *owned = false;
        return ERR_OK;
    }
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return ERR_NOMEM;
    }
    if (cache != NULL) {
        cache->judge = *out;
        *owned = false;
    } else {
        *owned = true;
    }
    return ERR_OK;
}

/* ------------------------------------------------------------ recording */

enum err claims_record(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t claim_id, const char *action,
                       const char *from, const char *to, const char *reason,
                       const char *const *extra_pairs, size_t nextra)
{
    if (strcmp(from, to) != 0) {
        struct store_claim_event ev = {claim_id, from, to, ctx->now_ms, actor->id,
                                       auth_role_name(actor->role), reason};
        enum err e = store_claim_event_insert(c, &ev);
        if (e != ERR_OK) {
            return e;
        }
    }
    const char *pairs[2 * 8];
    size_t n = 0;
    pairs[2 * n] = "from";
    pairs[2 * n + 1] = from;
    n++;
    pairs[2 * n] = "to";
    pairs[2 * n + 1] = to;
    n++;
    for (size_t i = 0; i < nextra && n < 8; i++, n++) {
        pairs[2 * n] = extra_pairs[2 * i];
        pairs[2 * n + 1] = extra_pairs[2 * i + 1];
    }
    char detail[512];
    enum err e = audit_detail_pairs(pairs, n, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    char full[64], id[NUM_TEXT];
    snprintf(full, sizeof(full), "claim.%s", action);
    fmt_i64(id, claim_id);
    struct audit_event ev = {.at_ms = ctx->now_ms, .action = full, .object_type = "claim",
                             .object_id = id, .detail = detail};
    auth_actor_of(actor, ctx->request_id, &ev.actor);
    return audit_append(c, &ev, NULL);
}

/* ------------------------------------------------------------ authority */

static bool role_is(const struct auth_user *a, unsigned mask)
{
    return auth_role_in(a, mask);
}

#define ROLES_OFFICERS                                                                             \
    (AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_OFFICER) | AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_APPROVER) |          \
     AUTH_ROLE_BIT(AUTH_ROLE_ADMIN))
#define ROLES_APPROVERS (AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_APPROVER) | AUTH_ROLE_BIT(AUTH_ROLE_ADMIN))
#define ROLES_INTAKE (ROLES_OFFICERS | AUTH_ROLE_BIT(AUTH_ROLE_UNIT_STAFF) | AUTH_ROLE_BIT(AUTH_ROLE_MEMBER))
#define ROLES_FINANCE (AUTH_ROLE_BIT(AUTH_ROLE_FINANCE) | AUTH_ROLE_BIT(AUTH_ROLE_ADMIN))

/* The CLI's actor ("/") sees every organisation. */
static bool org_in_scope(const struct auth_user *a, const char *path)
{
    if (a->id == 0 && a->role == AUTH_ROLE_ADMIN && strcmp(a->org_path, "/") == 0) {
        return true;
    }
    return auth_org_in_scope(a, path);
}

static enum err scope_check(const struct auth_user *a, int64_t member_id, const char *org_path)
{
    if (a->role == AUTH_ROLE_MEMBER) {
        return auth_member_in_scope(a, member_id) ? ERR_OK : ERR_NOT_FOUND;
    }
    return org_in_scope(a, org_path) ? ERR_OK : ERR_OUT_OF_SCOPE;
}

enum err claims_load_for(struct store_conn *c, const struct auth_user *actor, int64_t id,
                         struct store_claim *out)
{
    enum err e = store_claim_get(c, id, out);
    if (e != ERR_OK) {
        return e;
    }
    return scope_check(actor, out->member_id, out->org_path);
}

static bool status_is(const struct store_claim *r, enum claim_status s)
{
    return strcmp(r->status, claim_status_str(s)) == 0;
}

/* Moves r to `to`, recording the event and the audit. */
static enum err transition(struct store_conn *c, const struct claims_ctx *ctx,
                           const struct auth_user *actor, struct store_claim *r,
                           enum claim_status to, const char *action, const char *reason,
                           const char *const *extra, size_t nextra)
{
    char from[sizeof(r->status)];
    snprintf(from, sizeof(from), "%s", r->status);
    snprintf(r->status, sizeof(r->status), "%s", claim_status_str(to));
    enum err e = store_claim_update(c, r, from);
    if (e != ERR_OK) {
        return e;
    }
    return claims_record(c, ctx, actor, r->id, action, from, r->status, reason, extra, nextra);
}

/* submitted -> documents_complete when nothing is missing. */
static enum err advance_if_complete(struct store_conn *c, const struct claims_ctx *ctx,
                                    const struct auth_user *actor, struct store_claim *r)
{
    if (!status_is(r, CLAIM_SUBMITTED)) {
        return ERR_OK;
    }
    unsigned missing;
    enum err e = documents_missing_in_tx(c, r, &missing);
    if (e != ERR_OK || missing != 0) {
        return e;
    }
    return transition(c, ctx, actor, r, CLAIM_DOCUMENTS_COMPLETE, "documents_complete", "", NULL,
                      0);
}

enum err claims_documents_changed_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                        const struct auth_user *actor, struct store_claim *r)
{
    return advance_if_complete(c, ctx, actor, r);
}

/* ------------------------------------------------------------ create */

struct op {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t id;
    const struct claim_input *in;
    struct claim_assessment *assessment;
    const char *code, *text;
    struct date on;
    bool flag;  /* reassessed (approve) / pending (pay) */
    char *err_field;
    size_t err_cap;
    struct store_claim row;
};

static enum err create_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    const struct auth_user *a = o->actor;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim_member m;
    if ((e = store_claim_member_get(c, o->in->member_id, &m)) != ERR_OK) {
        set_field(o->err_field, o->err_cap, "member_id");
        return e == ERR_NOT_FOUND ? ERR_UNKNOWN_MEMBER : e;
    }
    if ((e = scope_check(a, m.id, m.org_path)) != ERR_OK) {
        set_field(o->err_field, o->err_cap, "member_id");
        return e == ERR_NOT_FOUND ? ERR_UNKNOWN_MEMBER : e;
    }
    for (size_t i = 0; i < o->in->nplans; i++) {
        char kind[20];
        if ((e = store_claim_plan_kind(c, o->in->plan_codes[i], kind)) != ERR_OK) {
            char field[CLAIM_FIELD_MAX];
            snprintf(field, sizeof(field), "plan_codes[%zu]", i);
            set_field(o->err_field, o->err_cap, field);
            return e == ERR_NOT_FOUND ? ERR_INVALID_PLAN : e;
        }
    }
    struct store_claim *r = &o->row;
    memset(r, 0, sizeof(*r));
    if ((e = row_from_input(o->ctx, o->in, r)) != ERR_OK) {
        return e;
    }
    r->member_id = m.id;
    r->org_id = m.org_id;
    snprintf(r->channel, sizeof(r->channel), "%s",
             claim_channel_str(a->role == AUTH_ROLE_MEMBER ? CLAIM_CHANNEL_ONLINE
                                                           : CLAIM_CHANNEL_OFFLINE));
    snprintf(r->status, sizeof(r->status), "%s", claim_status_str(CLAIM_DRAFT));
    r->assessed_by = -1;
    r->created_by = a->id;
    r->created_ms = o->ctx->now_ms;
    if ((e = store_claim_insert(c, r, &o->id)) != ERR_OK) {
        return e;
    }
    const char *extra[] = {"channel", r->channel, "plans", r->plan_codes};
    return claims_record(c, o->ctx, a, o->id, "create", "", r->status, "", extra, 2);
}

enum err claim_create(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, const struct claim_input *in,
                      int64_t *out_id, char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (!role_is(actor, ROLES_INTAKE)) {
        return ERR_FORBIDDEN;
    }
    enum err e = claim_input_check(in, ctx->today, err_field, err_cap);
    if (e != ERR_OK) {
        return e;
    }
    struct op *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->ctx = ctx;
    o->actor = actor;
    o->in = in;
    o->err_field = err_field;
    o->err_cap = err_cap;
    e = store_with_tx(c, create_tx, o);
    *out_id = e == ERR_OK ? o->id : 0;
    free(o);
    return e;
}

/* Runs fn on a fresh op in one transaction. */
static enum err run_op(struct store_conn *c, struct op *o, enum err (*fn)(struct store_conn *,
                                                                          void *))
{
    return store_with_tx(c, fn, o);
}

static struct op *op_new(const struct claims_ctx *ctx, const struct auth_user *actor, int64_t id)
{
    struct op *o = calloc(1, sizeof(*o));
    if (o != NULL) {
        o->ctx = ctx;
        o->actor = actor;
        o->id = id;
    }
    return o;
}

/* Locks the chain and loads the claim the actor may see. */
static enum err op_begin(struct store_conn *c, struct op *o)
{
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    return claims_load_for(c, o->actor, o->id, &o->row);
}

static enum err submit_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_DRAFT)) {
        return ERR_CLAIM_STATE;
    }
    r->dates_present |= STORE_CLAIM_HAS_SUBMITTED;
    r->submitted_on = o->ctx->today;
    r->submitted_ms = o->ctx->now_ms;
    if ((e = transition(c, o->ctx, o->actor, r, CLAIM_SUBMITTED, "submit", "", NULL, 0)) !=
        ERR_OK) {
        return e;
    }
    return advance_if_complete(c, o->ctx, o->actor, r);
}

enum err claim_submit(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id)
{
    if (!role_is(actor, ROLES_INTAKE)) {
        return ERR_FORBIDDEN;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    enum err e = run_op(c, o, submit_tx);
    free(o);
    return e;
}

/* ------------------------------------------------------------ assess */

/* Judges the loaded claim and stores the results and flags (no status
 * change). */
static enum err assess_row(struct store_conn *c, const struct claims_ctx *ctx,
                           struct store_claim *r, struct judge *j, struct claim_assessment *out,
                           bool *changed)
{
    struct claims_cache *cache = NULL;
    enum err e = claims_cache_new(&cache);
    if (e != ERR_OK) {
        return e;
    }
    j->auto_codes = false;
    e = judge_load(c, ctx, cache, j, r);
    if (e == ERR_OK) {
        e = judge_run(j, NULL, 0);
    }
    unsigned flags = 0;
    if (e == ERR_OK) {
        e = judge_risk(c, ctx, &cache->medians, j, r, r->id, &flags);
    }
    struct store_claim_result res[ADJ_CLAIM_PLANS_MAX];
    struct steps_blob *blobs = malloc(ADJ_CLAIM_PLANS_MAX * sizeof(*blobs));
    if (e == ERR_OK && blobs == NULL) {
        e = ERR_NOMEM;
    }
    if (e == ERR_OK) {
        judge_results(j, r->id, res, blobs);
        assessment_from_judge(j, out);
        out->risk_flags = flags;
        out->needs_approver = needs_approver(ctx->cfg, out->payout_fen, flags, r->appealed);
        *changed = out->payout_fen != r->payout_fen || (int64_t)flags != r->risk_flags;
        r->payout_fen = out->payout_fen;
        r->risk_flags = flags;
        e = store_claim_results_replace(c, r->id, res, j->claim.nplans);
    }
    free(blobs);
    claims_cache_free(cache);
    return e;
}

static enum err assess_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (status_is(r, CLAIM_SUBMITTED)) {
        return ERR_DOCUMENTS_MISSING;
    }
    if (!status_is(r, CLAIM_DOCUMENTS_COMPLETE) && !status_is(r, CLAIM_ASSESSED) &&
        !status_is(r, CLAIM_APPEALED)) {
        return ERR_CLAIM_STATE;
    }
    struct judge *j;
    bool owned;
    if ((e = judge_new(NULL, &j, &owned)) != ERR_OK) {
        return e;
    }
    bool changed;
    e = assess_row(c, o->ctx, r, j, o->assessment, &changed);
    judge_release(j);
    free(j);
    if (e != ERR_OK) {
        return e;
    }
    r->assessed_by = o->actor->id;
    char payout[NUM_TEXT], flags[NUM_TEXT];
    fmt_i64(payout, r->payout_fen);
    fmt_i64(flags, r->risk_flags);
    const char *extra[] = {"payout_fen", payout, "risk_flags", flags};
    e = transition(c, o->ctx, o->actor, r, CLAIM_ASSESSED, "assess", "", extra, 2);
    o->assessment->status = CLAIM_ASSESSED;
    return e;
}

enum err claim_assess(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id, struct claim_assessment *out)
{
    if (!role_is(actor, ROLES_OFFICERS)) {
        return ERR_FORBIDDEN;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->assessment = out;
    enum err e = run_op(c, o, assess_tx);
    free(o);
    return e;
}

/* ------------------------------------------------------------ approve */

struct stored_pairs {
    size_t n;
    struct claim_pair pairs[ADJ_CLAIM_PLANS_MAX];
};

static enum err stored_pair_fn(void *ctx, const struct store_claim_result *r)
{
    struct stored_pairs *s = ctx;
    if (s->n == ADJ_CLAIM_PLANS_MAX) {
        return ERR_DB;
    }
    struct claim_pair *p = &s->pairs[s->n++];
    snprintf(p->plan_code, sizeof(p->plan_code), "%s", r->plan_code);
    p->decision = strcmp(r->decision, "approve") == 0 ? ADJ_APPROVE : ADJ_REJECT;
    p->payout_fen = r->payout_fen;
    p->reason = ADJ_REASON_NONE;
    for (int k = ADJ_REASON_NONE; k <= ADJ_REASON_NOTHING_PAYABLE; k++) {
        const char *name = adj_reason_str((enum adj_reason)k);
        if (name != NULL && strcmp(name, r->reason) == 0) {
            p->reason = (enum adj_reason)k;
        }
    }
    return ERR_OK;
}

static bool same_pairs(const struct stored_pairs *s, const struct claim_assessment *a)
{
    if (s->n != a->npairs) {
        return false;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct claim_pair *x = &s->pairs[i], *y = &a->pairs[i];
        if (strcmp(x->plan_code, y->plan_code) != 0 || x->decision != y->decision ||
            x->reason != y->reason || x->payout_fen != y->payout_fen) {
            return false;
        }
    }
    return true;
}

/* Authority for approving r with the given payout and flags. */
static enum err approve_authority(const struct claims_ctx *ctx, const struct auth_user *a,
                                  const struct store_claim *r, int64_t payout_fen, unsigned flags)
{
    if (!role_is(a, ROLES_OFFICERS)) {
        return ERR_FORBIDDEN;
    }
    if (!needs_approver(ctx->cfg, payout_fen, flags, r->appealed)) {
        return ERR_OK;
    }
    if (!role_is(a, ROLES_APPROVERS)) {
        return ERR_AUTHORITY_LIMIT;
    }
    enum err e = auth_require_second_user(a, r->assessed_by);
    if (e == ERR_OK && r->appealed) {
        e = auth_require_second_user(a, r->rejected_by);
    }
    return e;
}

/* Posts benefit expense against benefits payable for each pair paying. */
static enum err post_payable(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, const struct store_claim *r,
                             const struct claim_assessment *a)
{
    struct audit_actor aa;
    auth_actor_of(actor, ctx->request_id, &aa);
    char date[DATE_TEXT_LEN + 1];
    date_format(ctx->today, date);
    for (size_t k = 0; k < a->npairs; k++) {
        if (a->pairs[k].payout_fen <= 0) {
            continue;
        }
        char fund[33], source[48], key[64];
        enum err e = store_claim_fund_for(c, a->pairs[k].plan_code, fund);
        if (e != ERR_OK) {
            return e;
        }
        snprintf(source, sizeof(source), "claim:%" PRId64, r->id);
        snprintf(key, sizeof(key), "claim:%" PRId64 ":%zu:payable", r->id, k);
        struct ledger_money_in m = {fund, date, a->pairs[k].payout_fen, source,
                                    a->pairs[k].plan_code, key, NULL, NULL};
        struct ledger_line_in lines[2];
        struct ledger_entry_in in;
        ledger_entry_of_kind(LEDGER_KIND_CLAIM_PAYABLE, &m, lines, &in);
        struct ledger_result lr;
        if ((e = ledger_post_in_tx(c, &aa, &in, &lr)) != ERR_OK) {
            return e;
        }
        if (lr.outcome != LEDGER_POSTED) {
            return ERR_INTERNAL; /* 5101 <- 2241 never needs a checker */
        }
        if ((e = store_claim_result_set_entries(c, r->id, (int64_t)k, lr.entry_id, 0, 0)) !=
            ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

static enum err approve_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    o->flag = false;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_ASSESSED)) {
        return ERR_CLAIM_STATE;
    }
    struct stored_pairs before = {0};
    if ((e = store_claim_result_each(c, r->id, stored_pair_fn, &before)) != ERR_OK) {
        return e;
    }
    struct judge *j;
    bool owned;
    if ((e = judge_new(NULL, &j, &owned)) != ERR_OK) {
        return e;
    }
    struct claim_assessment *a = o->assessment;
    unsigned old_flags = (unsigned)r->risk_flags;
    bool changed;
    e = assess_row(c, o->ctx, r, j, a, &changed);
    /* Flags found at assessment stay: the sample and the history do not
     * vanish because another claim was decided meanwhile. */
    a->risk_flags |= old_flags;
    r->risk_flags = a->risk_flags;
    a->needs_approver = needs_approver(o->ctx->cfg, a->payout_fen, a->risk_flags, r->appealed);
    a->status = CLAIM_ASSESSED;
    if (e == ERR_OK && !same_pairs(&before, a)) {
        /* another approval used the cap: store the new figures, refuse */
        e = store_claim_update(c, r, r->status);
        if (e == ERR_OK) {
            char payout[NUM_TEXT];
            fmt_i64(payout, r->payout_fen);
            const char *extra[] = {"payout_fen", payout};
            e = claims_record(c, o->ctx, o->actor, r->id, "reassess", r->status, r->status, "",
                              extra, 1);
        }
        o->flag = true;
        judge_release(j);
        free(j);
        return e;
    }
    bool any = false;
    for (size_t k = 0; k < a->npairs; k++) {
        any = any || a->pairs[k].decision == ADJ_APPROVE;
    }
    if (e == ERR_OK && !any) {
        e = ERR_CONFLICT; /* every plan refused it: reject instead */
    }
    if (e == ERR_OK) {
        e = approve_authority(o->ctx, o->actor, r, a->payout_fen, a->risk_flags);
    }
    if (e == ERR_OK) {
        e = judge_commit(c, o->ctx, j, r->id);
    }
    judge_release(j);
    free(j);
    if (e != ERR_OK) {
        return e;
    }
    r->decided_by = o->actor->id;
    char payout[NUM_TEXT];
    fmt_i64(payout, r->payout_fen);
    const char *extra[] = {"payout_fen", payout};
    if ((e = transition(c, o->ctx, o->actor, r, CLAIM_APPROVED, "approve", "", extra, 1)) !=
        ERR_OK) {
        return e;
    }
    if (r->payout_fen == 0) {
        a->status = CLAIM_CLOSED;
        return transition(c, o->ctx, o->actor, r, CLAIM_CLOSED, "close", "nothing payable", NULL,
                          0);
    }
    if ((e = post_payable(c, o->ctx, o->actor, r, a)) != ERR_OK) {
        return e;
    }
    a->status = CLAIM_PAYABLE;
    return transition(c, o->ctx, o->actor, r, CLAIM_PAYABLE, "payable", "", extra, 1);
}

enum err claim_approve(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t id, struct claim_assessment *out)
{
    if (!role_is(actor, ROLES_OFFICERS)) {
        return ERR_FORBIDDEN;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->assessment = out;
    enum err e = run_op(c, o, approve_tx);
    if (e == ERR_OK && o->flag) {
        e = ERR_CLAIM_REASSESSED;
    }
    free(o);
    return e;
}

/* ------------------------------------------------------------ reject, appeal */

static bool reason_code_ok(const char *s)
{
    size_t len = s != NULL ? strnlen(s, CLAIM_REASON_CODE_MAX + 1) : 0;
    if (len < 2 || len > CLAIM_REASON_CODE_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_')) {
            return false;
        }
    }
    return true;
}

static bool text_ok(const char *s)
{
    size_t len = s != NULL ? strnlen(s, CLAIM_TEXT_MAX + 1) : 0;
    return len >= 1 && len <= CLAIM_TEXT_MAX && utf8_is_valid(s, len);
}

static enum err reject_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_SUBMITTED) && !status_is(r, CLAIM_DOCUMENTS_COMPLETE) &&
        !status_is(r, CLAIM_ASSESSED) && !status_is(r, CLAIM_APPEALED)) {
        return ERR_CLAIM_STATE;
    }
    if (r->appealed) {
        if (!role_is(o->actor, ROLES_APPROVERS)) {
            return ERR_AUTHORITY_LIMIT;
        }
        if ((e = auth_require_second_user(o->actor, r->rejected_by)) != ERR_OK) {
            return e;
        }
    }
    snprintf(r->reject_code, sizeof(r->reject_code), "%s", o->code);
    snprintf(r->reject_text, sizeof(r->reject_text), "%s", o->text);
    r->rejected_by = o->actor->id;
    r->decided_by = o->actor->id;
    const char *extra[] = {"reason_code", o->code};
    return transition(c, o->ctx, o->actor, r, CLAIM_REJECTED, "reject", o->code, extra, 1);
}

enum err claim_reject(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id, const char *reason_code,
                      const char *reason_text, char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (!role_is(actor, ROLES_OFFICERS)) {
        return ERR_FORBIDDEN;
    }
    if (!reason_code_ok(reason_code)) {
        set_field(err_field, err_cap, "reason_code");
        return ERR_INVALID;
    }
    if (!text_ok(reason_text)) {
        set_field(err_field, err_cap, "reason_text");
        return ERR_INVALID;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->code = reason_code;
    o->text = reason_text;
    enum err e = run_op(c, o, reject_tx);
    free(o);
    return e;
}

static enum err appeal_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_REJECTED)) {
        return ERR_CLAIM_STATE;
    }
    if (r->appealed) {
        return ERR_ALREADY_APPEALED;
    }
    r->appealed = true;
    snprintf(r->appeal_reason, sizeof(r->appeal_reason), "%s", o->text);
    return transition(c, o->ctx, o->actor, r, CLAIM_APPEALED, "appeal", "", NULL, 0);
}

enum err claim_appeal(struct store_conn *c, const struct claims_ctx *ctx,
                      const struct auth_user *actor, int64_t id, const char *reason,
                      char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (!role_is(actor, ROLES_INTAKE)) {
        return ERR_FORBIDDEN;
    }
    if (!text_ok(reason)) {
        set_field(err_field, err_cap, "reason");
        return ERR_INVALID;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->text = reason;
    enum err e = run_op(c, o, appeal_tx);
    free(o);
    return e;
}

/* ------------------------------------------------------------ payment */

struct pay_pairs {
    size_t n;
    struct store_claim_result r[ADJ_CLAIM_PLANS_MAX];
};

static enum err pay_pair_fn(void *ctx, const struct store_claim_result *r)
{
    struct pay_pairs *s = ctx;
    if (s->n == ADJ_CLAIM_PLANS_MAX) {
        return ERR_DB;
    }
    s->r[s->n] = *r;
    s->r[s->n].steps = NULL; /* not needed, and not valid after the callback */
    s->n++;
    return ERR_OK;
}

/* Posts one payout-batch entry of kind for pair k. */
static enum err post_payout(struct store_conn *c, const struct op *o, const struct store_claim *r,
                            const struct store_claim_result *pr, enum ledger_kind kind,
                            const char *what, struct ledger_result *lr)
{
    struct audit_actor aa;
    auth_actor_of(o->actor, o->ctx->request_id, &aa);
    char date[DATE_TEXT_LEN + 1], fund[33], key[80], source[64];
    date_format(o->on, date);
    enum err e = store_claim_fund_for(c, pr->plan_code, fund);
    if (e != ERR_OK) {
        return e;
    }
    snprintf(key, sizeof(key), "claim:%" PRId64 ":%" PRId64 ":%s:%" PRId64, r->id, pr->seq, what,
             r->payout_attempts);
    if (o->code != NULL && o->code[0] != '\0') {
        snprintf(source, sizeof(source), "%s", o->code);
    } else {
        snprintf(source, sizeof(source), "claim:%" PRId64, r->id);
    }
    struct ledger_money_in m = {fund, date, pr->payout_fen, source, pr->plan_code, key, NULL,
                                NULL};
    struct ledger_line_in lines[2];
    struct ledger_entry_in in;
    ledger_entry_of_kind(kind, &m, lines, &in);
    return ledger_post_in_tx(c, &aa, &in, lr);
}

static enum err pay_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    o->flag = false;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_PAYABLE)) {
        return ERR_CLAIM_STATE;
    }
    struct pay_pairs pp = {0};
    if ((e = store_claim_result_each(c, r->id, pay_pair_fn, &pp)) != ERR_OK) {
        return e;
    }
    for (size_t k = 0; k < pp.n; k++) {
        struct store_claim_result *pr = &pp.r[k];
        if (pr->payout_fen <= 0 || strcmp(pr->decision, "approve") != 0) {
            continue;
        }
        struct ledger_result lr;
        if ((e = post_payout(c, o, r, pr, LEDGER_KIND_PAYOUT, "payout", &lr)) != ERR_OK) {
            return e;
        }
        if (lr.outcome == LEDGER_REFUSED) {
            return ERR_CONFLICT; /* a finance checker refused this payment */
        }
        if (lr.outcome == LEDGER_PENDING) {
            o->flag = true;
            pr->payout_pending = lr.pending_id;
            pr->payout_entry = 0;
        } else {
            pr->payout_entry = lr.entry_id;
            pr->payout_pending = 0;
        }
        if ((e = store_claim_result_set_entries(c, r->id, pr->seq, pr->payable_entry,
                                                pr->payout_entry, pr->payout_pending)) !=
            ERR_OK) {
            return e;
        }
    }
    if (o->flag) {
        return ERR_OK; /* waits for a second finance user */
    }
    r->paid_ms = o->ctx->now_ms;
    char payout[NUM_TEXT];
    fmt_i64(payout, r->payout_fen);
    const char *extra[] = {"payout_fen", payout};
    if ((e = transition(c, o->ctx, o->actor, r, CLAIM_PAID, "pay", "", extra, 1)) != ERR_OK) {
        return e;
    }
    struct date end = (r->dates_present & STORE_CLAIM_HAS_DISCHARGE)   ? r->discharge_date
                      : (r->dates_present & STORE_CLAIM_HAS_ADMISSION) ? r->admission_date
                                                                       : o->on;
    int y, m, d;
    date_to_ymd(end, &y, &m, &d);
    bool listed;
    return assistance_check_in_tx(c, o->ctx, r->member_id, y, &listed);
}

enum err claim_pay(struct store_conn *c, const struct claims_ctx *ctx,
                   const struct auth_user *actor, int64_t id, struct date paid_on,
                   const char *batch_ref, bool *pending)
{
    *pending = false;
    if (!role_is(actor, ROLES_FINANCE)) {
        return ERR_FORBIDDEN;
    }
    if (batch_ref != NULL && strlen(batch_ref) > 60) {
        return ERR_INVALID;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->on = paid_on;
    o->code = batch_ref;
    enum err e = run_op(c, o, pay_tx);
    *pending = e == ERR_OK && o->flag;
    free(o);
    return e;
}

static enum err payout_failed_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o->row;
    if (!status_is(r, CLAIM_PAID)) {
        return ERR_CLAIM_STATE;
    }
    struct pay_pairs pp = {0};
    if ((e = store_claim_result_each(c, r->id, pay_pair_fn, &pp)) != ERR_OK) {
        return e;
    }
    for (size_t k = 0; k < pp.n; k++) {
        struct store_claim_result *pr = &pp.r[k];
        if (pr->payout_entry == 0) {
            continue;
        }
        struct ledger_result lr;
        if ((e = post_payout(c, o, r, pr, LEDGER_KIND_PAYOUT_FAILED, "returned", &lr)) !=
            ERR_OK) {
            return e;
        }
        if ((e = store_claim_result_set_entries(c, r->id, pr->seq, pr->payable_entry, 0, 0)) !=
            ERR_OK) {
            return e;
        }
    }
    r->payout_attempts++;
    r->paid_ms = 0;
    return transition(c, o->ctx, o->actor, r, CLAIM_PAYABLE, "payout_failed", o->text, NULL, 0);
}

enum err claim_payout_failed(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, int64_t id, struct date on,
                             const char *reason)
{
    if (!role_is(actor, ROLES_FINANCE)) {
        return ERR_FORBIDDEN;
    }
    if (!text_ok(reason)) {
        return ERR_INVALID;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->on = on;
    o->text = reason;
    enum err e = run_op(c, o, payout_failed_tx);
    free(o);
    return e;
}

/* --------------------------------------------- payout batches (payout.c) */

/* The approved results of r with a payout booked in fund, and their sum;
 * paid selects those with a payout entry, else those without one. */
static enum err pairs_in_fund(struct store_conn *c, const struct store_claim *r, const char *fund,
                              bool paid, struct pay_pairs *pp, bool *in_fund, int64_t *sum_fen)
{
    *sum_fen = 0;
    memset(pp, 0, sizeof(*pp));
    enum err e = store_claim_result_each(c, r->id, pay_pair_fn, pp);
    for (size_t k = 0; k < pp->n && e == ERR_OK; k++) {
        struct store_claim_result *pr = &pp->r[k];
        in_fund[k] = false;
        if (pr->payout_fen <= 0 || strcmp(pr->decision, "approve") != 0 ||
            (pr->payout_entry != 0) != paid || pr->payout_pending != 0) {
            continue;
        }
        char f[33];
        if ((e = store_claim_fund_for(c, pr->plan_code, f)) != ERR_OK) {
            break;
        }
        if (strcmp(f, fund) == 0) {
            in_fund[k] = true;
            *sum_fen += pr->payout_fen; /* each <= 10^14: no overflow for 8 */
        }
    }
    return e;
}

enum err claims_payout_paid_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                  const struct auth_user *actor, int64_t id, const char *fund,
                                  int64_t entry_id, int64_t amount_fen, struct date paid_on)
{
    struct op o = {.ctx = ctx, .actor = actor, .id = id};
    enum err e = op_begin(c, &o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o.row;
    if (!status_is(r, CLAIM_PAYABLE)) {
        return ERR_CLAIM_STATE;
    }
    struct pay_pairs pp;
    bool in_fund[ADJ_CLAIM_PLANS_MAX];
    int64_t sum = 0;
    if ((e = pairs_in_fund(c, r, fund, false, &pp, in_fund, &sum)) != ERR_OK) {
        return e;
    }
    if (sum != amount_fen) {
        return ERR_CONFLICT; /* the claim changed since the batch was made */
    }
    bool unpaid = false;
    for (size_t k = 0; k < pp.n; k++) {
        struct store_claim_result *pr = &pp.r[k];
        if (in_fund[k]) {
            e = store_claim_result_set_entries(c, r->id, pr->seq, pr->payable_entry, entry_id, 0);
            if (e != ERR_OK) {
                return e;
            }
        } else if (pr->payout_fen > 0 && strcmp(pr->decision, "approve") == 0 &&
                   pr->payout_entry == 0) {
            unpaid = true; /* booked in another fund: its batch pays it */
        }
    }
    if (unpaid) {
        return ERR_OK;
    }
    r->paid_ms = ctx->now_ms;
    char payout[NUM_TEXT];
    fmt_i64(payout, r->payout_fen);
    const char *extra[] = {"payout_fen", payout};
    if ((e = transition(c, ctx, actor, r, CLAIM_PAID, "pay", "", extra, 1)) != ERR_OK) {
        return e;
    }
    struct date end = (r->dates_present & STORE_CLAIM_HAS_DISCHARGE)   ? r->discharge_date
                      : (r->dates_present & STORE_CLAIM_HAS_ADMISSION) ? r->admission_date
                                                                       : paid_on;
    int y, m, d;
    date_to_ymd(end, &y, &m, &d);
    bool listed;
    return assistance_check_in_tx(c, ctx, r->member_id, y, &listed);
}

enum err claims_payout_failed_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                    const struct auth_user *actor, int64_t id, const char *fund,
                                    bool returned, int64_t amount_fen, const char *reason)
{
    if (!text_ok(reason)) {
        return ERR_INVALID;
    }
    struct op o = {.ctx = ctx, .actor = actor, .id = id};
    enum err e = op_begin(c, &o);
    if (e != ERR_OK) {
        return e;
    }
    struct store_claim *r = &o.row;
    if (!status_is(r, CLAIM_PAYABLE) && !(returned && status_is(r, CLAIM_PAID))) {
        return ERR_CLAIM_STATE;
    }
    if (returned) {
        struct pay_pairs pp;
        bool in_fund[ADJ_CLAIM_PLANS_MAX];
        int64_t sum = 0;
        if ((e = pairs_in_fund(c, r, fund, true, &pp, in_fund, &sum)) != ERR_OK) {
            return e;
        }
        if (sum != amount_fen) {
            return ERR_CONFLICT;
        }
        for (size_t k = 0; k < pp.n; k++) {
            if (in_fund[k] && (e = store_claim_result_set_entries(c, r->id, pp.r[k].seq,
                                                                  pp.r[k].payable_entry, 0, 0)) !=
                                  ERR_OK) {
                return e;
            }
        }
    }
    r->payout_attempts++;
    r->paid_ms = 0;
    if (status_is(r, CLAIM_PAID)) {
        return transition(c, ctx, actor, r, CLAIM_PAYABLE, "payout_failed", reason, NULL, 0);
    }
    /* still payable (nothing was paid, or another fund's part was not yet):
     * the attempt is counted and the failure recorded with its reason */
    if ((e = store_claim_update(c, r, r->status)) != ERR_OK) {
        return e;
    }
    return claims_record(c, ctx, actor, r->id, "payout_failed", r->status, r->status, reason,
                         NULL, 0);
}

static enum err close_tx(struct store_conn *c, void *p)
{
    struct op *o = p;
    enum err e = op_begin(c, o);
    if (e != ERR_OK) {
        return e;
    }
    if (!status_is(&o->row, CLAIM_PAID)) {
        return ERR_CLAIM_STATE;
    }
    return transition(c, o->ctx, o->actor, &o->row, CLAIM_CLOSED, "close", "", NULL, 0);
}

enum err claim_close(struct store_conn *c, const struct claims_ctx *ctx,
                     const struct auth_user *actor, int64_t id)
{
    if (!role_is(actor, ROLES_FINANCE | AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_OFFICER))) {
        return ERR_FORBIDDEN;
    }
    struct op *o = op_new(ctx, actor, id);
    if (o == NULL) {
        return ERR_NOMEM;
    }
    enum err e = run_op(c, o, close_tx);
    free(o);
    return e;
}

/* ------------------------------------------------------------ bulk intake */

enum err claims_auto_intake_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                  struct claims_cache *cache, const struct auth_user *actor,
                                  const struct claim_input *in, int64_t org_id,
                                  const char *settlement_id, struct claims_auto_result *out,
                                  char *err_field, size_t err_cap)
{
    memset(out, 0, sizeof(*out));
    set_field(err_field, err_cap, "");
    if (in->nplans != 0 || !(in->event.present & ADJ_HAS_ADMISSION)) {
        return ERR_INVALID;
    }
    bool seen;
    enum err e = store_claim_settlement_seen(c, settlement_id, &seen);
    if (e != ERR_OK) {
        return e;
    }
    if (seen) {
        return ERR_EXISTS;
    }
    struct judge *j;
    bool owned;
    if ((e = judge_new(cache, &j, &owned)) != ERR_OK) {
        return e;
    }
    struct store_claim *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    struct claim_input tmp = *in;
    tmp.nplans = 0;
    if ((e = row_from_input(ctx, &tmp, r)) != ERR_OK) {
        goto out;
    }
    r->member_id = in->member_id;
    r->org_id = org_id;
    r->dates_present |= STORE_CLAIM_HAS_SUBMITTED;
    r->submitted_on = ctx->today;
    j->auto_codes = true;
    j->auto_date = in->event.admission_date;
    e = judge_load(c, ctx, cache, j, r);
    j->auto_codes = false;
    if (e != ERR_OK || j->ncodes == 0) {
        goto out_judge;
    }
    size_t at = 0;
    for (size_t k = 0; k < j->ncodes; k++) {
        at += (size_t)snprintf(r->plan_codes + at, sizeof(r->plan_codes) - at, "%s%s",
                               k > 0 ? "," : "", j->codes[k]);
    }
    if ((e = judge_run(j, err_field, err_cap)) != ERR_OK) {
        goto out_judge;
    }
    unsigned flags = 0;
    if ((e = judge_risk(c, ctx, &cache->medians, j, r, 0, &flags)) != ERR_OK) {
        goto out_judge;
    }
    assessment_from_judge(j, &out->assessment);
    snprintf(r->channel, sizeof(r->channel), "%s", claim_channel_str(CLAIM_CHANNEL_AUTO));
    snprintf(r->status, sizeof(r->status), "%s", claim_status_str(CLAIM_ASSESSED));
    snprintf(r->settlement_id, sizeof(r->settlement_id), "%s", settlement_id);
    r->payout_fen = out->assessment.payout_fen;
    r->risk_flags = flags;
    r->assessed_by = actor->id;
    r->created_by = actor->id;
    r->created_ms = ctx->now_ms;
    if ((e = store_claim_insert(c, r, &out->claim_id)) != ERR_OK) {
        goto out_judge;
    }
    r->id = out->claim_id;
    if (risk_sampled(r->id, ctx->cfg->risk_sample_bp)) {
        flags |= RISK_SAMPLE;
        if ((e = store_claim_set_risk(c, r->id, flags)) != ERR_OK) {
            goto out_judge;
        }
    }
    struct store_claim_result res[ADJ_CLAIM_PLANS_MAX];
    judge_results(j, r->id, res, cache->blobs);
    if ((e = store_claim_results_insert(c, res, j->claim.nplans)) != ERR_OK) {
        goto out_judge;
    }
    static const char *const path[4] = {"", "submitted", "documents_complete", "assessed"};
    for (int i = 0; i < 3 && e == ERR_OK; i++) {
        struct store_claim_event ev = {r->id,     path[i],   path[i + 1],
                                       ctx->now_ms, actor->id, auth_role_name(actor->role),
                                       i == 0 ? "settlement feed" : ""};
        e = store_claim_event_insert(c, &ev);
    }
    /* No audit event per claim: the feed appends one for the whole import
     * (claim_feed.c, "claims.feed_import"), in this same transaction; the
     * claim_event rows above carry each claim's path and time. */
    out->created = e == ERR_OK;
    out->assessment.risk_flags = flags;
    out->assessment.needs_approver = needs_approver(ctx->cfg, r->payout_fen, flags, false);
    out->assessment.status = CLAIM_ASSESSED;
out_judge:
    judge_release(j);
    if (owned) {
        free(j);
    }
out:
    free(r);
    return e;
}

/* ------------------------------------------------------------ views */

struct json_build {
    json_t *arr;
};

static enum err event_json_fn(void *ctx, const struct store_claim_event *ev)
{
    struct json_build *b = ctx;
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "from", ev->from_status, "to",
                          ev->to_status, "at_ms", (json_int_t)ev->at_ms, "actor_user_id",
                          (json_int_t)ev->actor_user_id, "actor_role", ev->actor_role, "reason",
                          ev->reason);
    return o != NULL && json_array_append_new(b->arr, o) == 0 ? ERR_OK : ERR_NOMEM;
}

struct result_copy {
    size_t n;
    struct store_claim_result r[ADJ_CLAIM_PLANS_MAX];
    struct steps_blob blobs[ADJ_CLAIM_PLANS_MAX];
};

static enum err result_copy_fn(void *ctx, const struct store_claim_result *r)
{
    struct result_copy *x = ctx;
    if (x->n == ADJ_CLAIM_PLANS_MAX || r->steps_len > STEPS_BLOB_MAX) {
        return ERR_DB;
    }
    x->r[x->n] = *r;
    memcpy(x->blobs[x->n].b, r->steps, r->steps_len);
    x->blobs[x->n].len = r->steps_len;
    x->r[x->n].steps = x->blobs[x->n].b;
    x->n++;
    return ERR_OK;
}

/* A stored result with its explanation rendered from the stored steps,
 * the plan version, the enrolment and the claim's facts. */
static enum err render_result(struct store_conn *c, const struct claims_ctx *ctx,
                              struct claims_cache *cache, const struct store_claim *row,
                              const struct store_claim_result *res, json_t **out)
{
    struct adj_result *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    struct adj_claim claim;
    memset(&claim, 0, sizeof(claim));
    struct adj_enrolment enr;
    char claim_id[NUM_TEXT], enr_id[NUM_TEXT];
    int64_t pid;
    enum err e = steps_decode(res->steps, res->steps_len, r);
    if (e == ERR_OK) {
        e = cache_plan(c, cache, res->plan_id, NULL, &r->plan, &pid);
    }
    if (e == ERR_OK) {
        e = event_from_row(ctx, row, &claim.event);
    }
    if (e == ERR_OK && res->enrolment_id > 0) {
        struct store_claim_enrolment er;
        e = store_claim_enrolment_get(c, res->enrolment_id, &er);
        if (e == ERR_OK) {
            fmt_i64(enr_id, er.id);
            adj_enrolment_init(&enr, enr_id, r->plan, 0, er.term_start, er.shares,
                               er.has_cancelled_on ? &er.cancelled_on : NULL);
            r->enrolment = &enr;
        }
    }
    json_t *expl = NULL;
    if (e == ERR_OK) {
        fmt_i64(claim_id, row->id);
        claim.id = claim_id;
        claim.submitted = row->submitted_on;
        r->claim = &claim;
        r->decision = strcmp(res->decision, "approve") == 0 ? ADJ_APPROVE : ADJ_REJECT;
        r->payout_fen = res->payout_fen;
        expl = adj_explanation_to_json(r);
        if (expl == NULL) {
            e = ERR_NOMEM;
        } else {
            json_object_del(expl, "disease_code"); /* a diagnosis: never shown in a list view */
        }
    }
    free(r);
    if (e != ERR_OK) {
        return e;
    }
    *out = json_pack("{s:s, s:s, s:s?, s:I, s:I, s:o}", "plan", res->plan_code, "decision",
                     res->decision, "reason", res->reason[0] != '\0' ? res->reason : NULL,
                     "payout_fen", (json_int_t)res->payout_fen, "enrolment_id",
                     (json_int_t)res->enrolment_id, "explanation", expl);
    return *out != NULL ? ERR_OK : ERR_NOMEM;
}

static enum err doc_json_fn(void *ctx, const struct store_claim_document *d)
{
    struct json_build *b = ctx;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)d->id, "kind",
                          d->kind, "sha256", d->sha256, "content_type", d->content_type,
                          "size_bytes", (json_int_t)d->size_bytes, "file_name", d->file_name);
    return o != NULL && json_array_append_new(b->arr, o) == 0 ? ERR_OK : ERR_NOMEM;
}

static enum err waiver_json_fn(void *ctx, const struct store_claim_waiver *w)
{
    struct json_build *b = ctx;
    json_t *o = json_pack("{s:s, s:s, s:I}", "kind", w->kind, "reason", w->reason, "waived_by",
                          (json_int_t)w->waived_by);
    return o != NULL && json_array_append_new(b->arr, o) == 0 ? ERR_OK : ERR_NOMEM;
}

static json_t *date_or_null(bool present, struct date d)
{
    if (!present) {
        return json_null();
    }
    char buf[DATE_TEXT_LEN + 1];
    date_format(d, buf);
    return json_string(buf);
}

struct view_ctx {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t id;
    json_t *out;
};

static enum err view_tx(struct store_conn *c, void *p)
{
    struct view_ctx *v = p;
    struct store_claim *r = malloc(sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    enum err e = claims_load_for(c, v->actor, v->id, r);
    if (e != ERR_OK) {
        free(r);
        return e;
    }
    json_t *flags = json_array();
    for (unsigned b = 0; b < RISK_FLAGS_COUNT; b++) {
        if (r->risk_flags & (1 << b)) {
            json_array_append_new(flags, json_string(risk_flag_str(1u << b)));
        }
    }
    json_t *settlement = json_null();
    if (r->has_settlement) {
        settlement = json_object();
        for (int i = 0; i < 7; i++) {
            json_object_set_new(settlement, settlement_names[i],
                                json_integer(r->settlement_fen[i]));
        }
    }
    unsigned dp = r->dates_present;
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:o, s:s?, s:o, s:o, s:o, s:o, s:s?, s:s?, s:o, s:s, s:o,"
        " s:s, s:s?, s:I, s:o, s:s?, s:s?, s:b, s:s?, s:I, s:b}",
        "id", (json_int_t)r->id, "member_id", (json_int_t)r->member_id, "channel", r->channel,
        "status", r->status, "plans", r->plan_codes, "submitted_on",
        date_or_null(dp & STORE_CLAIM_HAS_SUBMITTED, r->submitted_on), "cause",
        r->cause[0] ? r->cause : NULL, "admission_date",
        date_or_null(dp & STORE_CLAIM_HAS_ADMISSION, r->admission_date), "discharge_date",
        date_or_null(dp & STORE_CLAIM_HAS_DISCHARGE, r->discharge_date), "diagnosis_date",
        date_or_null(dp & STORE_CLAIM_HAS_DIAGNOSIS, r->diagnosis_date), "accident_date",
        date_or_null(dp & STORE_CLAIM_HAS_ACCIDENT, r->accident_date), "accident_id",
        r->accident_id[0] ? r->accident_id : NULL, "outcome", r->outcome[0] ? r->outcome : NULL,
        "grade", r->grade > 0 ? json_integer(r->grade) : json_null(), "hospital", r->hospital,
        "settlement", settlement, "invoices", r->invoices, "settlement_id",
        r->settlement_id[0] ? r->settlement_id : NULL, "payout_fen", (json_int_t)r->payout_fen,
        "risk_flags", flags, "reject_code", r->reject_code[0] ? r->reject_code : NULL,
        "reject_text", r->reject_text[0] ? r->reject_text : NULL, "appealed", r->appealed,
        "appeal_reason", r->appeal_reason[0] ? r->appeal_reason : NULL, "payout_attempts",
        (json_int_t)r->payout_attempts, "has_diagnosis", r->diagnosis_enc_len > 0);
    int64_t id = r->id;
    if (o == NULL) {
        free(r);
        return ERR_NOMEM;
    }
    struct json_build b = {json_array()};
    json_object_set_new(o, "results", b.arr);
    struct result_copy *rc = malloc(sizeof(*rc));
    struct claims_cache *cache = NULL;
    e = rc == NULL ? ERR_NOMEM : claims_cache_new(&cache);
    if (e == ERR_OK) {
        rc->n = 0;
        e = store_claim_result_each(c, id, result_copy_fn, rc);
    }
    for (size_t i = 0; e == ERR_OK && i < rc->n; i++) {
        json_t *one;
        e = render_result(c, v->ctx, cache, r, &rc->r[i], &one);
        if (e == ERR_OK && json_array_append_new(b.arr, one) != 0) {
            e = ERR_NOMEM;
        }
    }
    claims_cache_free(cache);
    free(rc);
    free(r);
    if (e == ERR_OK) {
        b.arr = json_array();
        json_object_set_new(o, "events", b.arr);
        e = store_claim_event_each(c, id, event_json_fn, &b);
    }
    if (e == ERR_OK) {
        b.arr = json_array();
        json_object_set_new(o, "documents", b.arr);
        e = store_claim_document_each(c, id, doc_json_fn, &b);
    }
    if (e == ERR_OK) {
        b.arr = json_array();
        json_object_set_new(o, "waivers", b.arr);
        e = store_claim_waiver_each(c, id, waiver_json_fn, &b);
    }
    if (e != ERR_OK) {
        json_decref(o);
        return e;
    }
    json_decref(v->out);
    v->out = o;
    return ERR_OK;
}

enum err claim_to_json(struct store_conn *c, const struct claims_ctx *ctx,
                       const struct auth_user *actor, int64_t id, json_t **out)
{
    struct view_ctx v = {ctx, actor, id, NULL};
    enum err e = store_with_tx(c, view_tx, &v);
    *out = e == ERR_OK ? v.out : NULL;
    if (e != ERR_OK) {
        json_decref(v.out);
    }
    return e;
}

struct times {
    int64_t *v;
    size_t n, cap;
};

static enum err times_fn(void *ctx, int64_t ms)
{
    struct times *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        int64_t *v = realloc(t->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = ms;
    return ERR_OK;
}

enum err claims_payout_time(struct store_conn *c, int64_t from_ms, int64_t to_ms,
                            struct claims_payout_time *out)
{
    memset(out, 0, sizeof(*out));
    struct times t = {0};
    enum err e = store_claim_payout_times(c, from_ms, to_ms, times_fn, &t);
    if (e == ERR_OK && t.n > 0) {
        int64_t sum = 0;
        for (size_t i = 0; i < t.n; i++) {
            sum += t.v[i];
            out->max_ms = t.v[i] > out->max_ms ? t.v[i] : out->max_ms;
        }
        out->claims = (int64_t)t.n;
        out->mean_ms = sum / (int64_t)t.n;
        out->median_ms = risk_median(t.v, t.n);
    }
    free(t.v);
    return e;
}

/* ------------------------------------------------------------ the list */

enum err claims_list(struct store_conn *c, const struct auth_user *actor,
                     const struct claims_filter *f,
                     enum err (*fn)(void *ctx, const struct store_claim_brief *b), void *fn_ctx,
                     char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    enum claim_status st;
    if (f->status != NULL && !claim_status_parse(f->status, &st)) {
        set_field(err_field, err_cap, "status");
        return ERR_INVALID;
    }
    if (f->channel != NULL && strcmp(f->channel, "online") != 0 &&
        strcmp(f->channel, "offline") != 0 && strcmp(f->channel, "auto") != 0) {
        set_field(err_field, err_cap, "channel");
        return ERR_INVALID;
    }
    if (f->plan_code != NULL && !code_syntax_ok(f->plan_code)) {
        set_field(err_field, err_cap, "plan");
        return ERR_INVALID;
    }
    if (f->limit == 0 || f->limit > LIMIT_PAGE_MAX) {
        set_field(err_field, err_cap, "limit");
        return ERR_INVALID;
    }
    struct store_claim_filter sf = {
        .status = f->status,
        .member_id = f->member_id,
        .path = actor->org_path,
        .limit = f->limit,
        .channel = f->channel,
        .flags_any = (int64_t)f->flags_any,
        .plan_code = f->plan_code,
        .before_id = f->before_id,
    };
    if (actor->role == AUTH_ROLE_MEMBER) {
        if (actor->member_id <= 0 || (f->member_id != 0 && f->member_id != actor->member_id)) {
            return ERR_OK; /* nothing of anyone else's */
        }
        sf.member_id = actor->member_id;
        sf.path = "/";
    } else if (!role_is(actor, AUTH_ROLES_STAFF)) {
        return ERR_FORBIDDEN;
    } else if (actor->org_path[0] != '/') {
        return ERR_OK; /* no subtree: nothing to show */
    }
    return store_claim_each(c, &sf, fn, fn_ctx);
}
