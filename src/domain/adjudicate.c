/*
 * adjudicate: the engine. Each claim runs in three phases:
 *   1. validate the claim (fields each named plan kind needs, settlement);
 *   2. judge every plan in order into a result and a pending update, reading
 *      the state but never writing it (plans of one claim have distinct codes,
 *      so their updates touch disjoint accumulators; only the reimbursement
 *      room flows from one plan to the next);
 *   3. reserve memory for the updates, then apply them with steps that
 *      cannot fail.
 * So an error leaves the state as it was, and a reject never changes it.
 */
#include "domain/adjudicate.h"

#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/money.h"

struct adj_invoice_slot {
    uint64_t hash;
    size_t off; /* into the pool */
    size_t len; /* 0 = empty slot */
};

/* Slots the invoice set starts with; grows by doubling at half full. */
#define INVOICE_SET_MIN_SLOTS 64

const char *adj_decision_str(enum adj_decision d)
{
    return d == ADJ_APPROVE ? "approve" : "reject";
}

const char *adj_reason_str(enum adj_reason r)
{
    static const char *const names[] = {
        [ADJ_REASON_NONE] = NULL,
        [ADJ_REASON_NOT_ENROLLED] = "NOT_ENROLLED",
        [ADJ_REASON_LATE_CLAIM] = "LATE_CLAIM",
        [ADJ_REASON_WAITING_PERIOD] = "WAITING_PERIOD",
        [ADJ_REASON_NOT_COVERED] = "NOT_COVERED",
        [ADJ_REASON_DUPLICATE_INVOICE] = "DUPLICATE_INVOICE",
        [ADJ_REASON_ALREADY_PAID] = "ALREADY_PAID",
        [ADJ_REASON_NOTHING_PAYABLE] = "NOTHING_PAYABLE",
    };
    if ((unsigned)r >= sizeof(names) / sizeof(names[0])) {
        return NULL;
    }
    return names[r];
}

/* ---------------------------------------------------------------- invoices */

uint64_t adj_invoice_hash(const char *number, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)number[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void adj_invoice_set_init(struct adj_invoice_set *s)
{
    memset(s, 0, sizeof(*s));
}

void adj_invoice_set_release(struct adj_invoice_set *s)
{
    free(s->slots);
    free(s->pool);
    memset(s, 0, sizeof(*s));
}

bool adj_invoice_set_contains(const struct adj_invoice_set *s, const char *number, size_t len,
                              uint64_t hash)
{
    if (s->count == 0) {
        return false;
    }
    size_t mask = s->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const struct adj_invoice_slot *sl = &s->slots[i];
        if (sl->len == 0) {
            return false;
        }
        if (sl->hash == hash && sl->len == len && memcmp(s->pool + sl->off, number, len) == 0) {
            return true;
        }
    }
}

/* Inserts into slots without growing; the caller reserved room. */
static void slot_put(struct adj_invoice_slot *slots, size_t cap, struct adj_invoice_slot v)
{
    size_t mask = cap - 1;
    size_t i = (size_t)v.hash & mask;
    while (slots[i].len != 0) {
        i = (i + 1) & mask;
    }
    slots[i] = v;
}

/* Makes room for n more numbers of nbytes in total, so that n inserts cannot fail. */
static enum err invoice_set_reserve(struct adj_invoice_set *s, size_t n, size_t nbytes)
{
    size_t need = s->count + n;
    if (need > SIZE_MAX / 4 || s->pool_len > SIZE_MAX / 2 - nbytes) {
        return ERR_NOMEM;
    }
    if (need * 2 > s->cap) {
        size_t cap = s->cap ? s->cap : INVOICE_SET_MIN_SLOTS;
        while (need * 2 > cap) {
            cap *= 2;
        }
        struct adj_invoice_slot *slots = calloc(cap, sizeof(*slots));
        if (slots == NULL) {
            return ERR_NOMEM;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (s->slots[i].len != 0) {
                slot_put(slots, cap, s->slots[i]);
            }
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    if (s->pool_len + nbytes > s->pool_cap) {
        size_t cap = s->pool_cap ? s->pool_cap : 1024;
        while (s->pool_len + nbytes > cap) {
            cap *= 2;
        }
        char *pool = realloc(s->pool, cap);
        if (pool == NULL) {
            return ERR_NOMEM;
        }
        s->pool = pool;
        s->pool_cap = cap;
    }
    return ERR_OK;
}

/* Adds a number after invoice_set_reserve made room; cannot fail. */
static void invoice_set_put(struct adj_invoice_set *s, const char *number, size_t len,
                            uint64_t hash)
{
    if (adj_invoice_set_contains(s, number, len, hash)) {
        return;
    }
    ASSERT(s->pool_len + len <= s->pool_cap && (s->count + 1) * 2 <= s->cap);
    memcpy(s->pool + s->pool_len, number, len);
    struct adj_invoice_slot v = {hash, s->pool_len, len};
    s->pool_len += len;
    slot_put(s->slots, s->cap, v);
    s->count++;
}

enum err adj_invoice_set_add(struct adj_invoice_set *s, const char *number, size_t len)
{
    if (len == 0 || len > ADJ_INVOICE_MAX) {
        return ERR_INVALID;
    }
    enum err e = invoice_set_reserve(s, 1, len);
    if (e) {
        return e;
    }
    invoice_set_put(s, number, len, adj_invoice_hash(number, len));
    return ERR_OK;
}

/* ------------------------------------------------------------ enrolments */

void adj_enrolment_init(struct adj_enrolment *e, const char *id, const struct plan *plan,
                        uint32_t code_id, struct date start, int64_t shares,
                        const struct date *cancelled)
{
    memset(e, 0, sizeof(*e));
    e->id = id;
    e->plan = plan;
    e->code_id = code_id;
    e->shares = shares;
    e->start = start;
    e->term_end = date_add_days(date_add_months(start, plan->term_months), -1);
    e->cover_end = e->term_end;
    if (cancelled != NULL && date_add_days(*cancelled, -1).day < e->term_end.day) {
        e->cover_end = date_add_days(*cancelled, -1);
        e->cancelled = true;
    }
}

void adj_member_release(struct adj_member *m)
{
    free(m->awards);
    free(m->accidents);
    m->awards = NULL;
    m->accidents = NULL;
    m->nawards = m->awards_cap = 0;
    m->naccidents = m->accidents_cap = 0;
}

/* --------------------------------------------------------------- validate */

static enum err check_fen(int64_t v, const char *field, const char **err_field)
{
    if (v < 0 || v > ADJ_FEN_MAX) {
        *err_field = field;
        return ERR_INVALID;
    }
    return ERR_OK;
}

static enum err validate_settlement(const struct adj_settlement *s, const char **err_field)
{
    enum err e;
    if ((e = check_fen(s->total_fen, "event.settlement.total_fen", err_field)) ||
        (e = check_fen(s->fund_paid_fen, "event.settlement.fund_paid_fen", err_field)) ||
        (e = check_fen(s->serious_illness_paid_fen, "event.settlement.serious_illness_paid_fen",
                       err_field)) ||
        (e = check_fen(s->assistance_paid_fen, "event.settlement.assistance_paid_fen",
                       err_field)) ||
        (e = check_fen(s->other_paid_fen, "event.settlement.other_paid_fen", err_field)) ||
        (e = check_fen(s->self_pay_in_scope_fen, "event.settlement.self_pay_in_scope_fen",
                       err_field)) ||
        (e = check_fen(s->self_pay_out_scope_fen, "event.settlement.self_pay_out_scope_fen",
                       err_field))) {
        return e;
    }
    /* Seven parts each <= 10^14 cannot overflow int64. */
    int64_t sum = s->fund_paid_fen + s->serious_illness_paid_fen + s->assistance_paid_fen +
                  s->other_paid_fen + s->self_pay_in_scope_fen + s->self_pay_out_scope_fen;
    if (sum != s->total_fen) {
        *err_field = "event.settlement.total_fen";
        return ERR_SETTLEMENT_MISMATCH;
    }
    return ERR_OK;
}

static enum err need(unsigned present, unsigned bit, const char *field, const char **err_field)
{
    if ((present & bit) == 0) {
        *err_field = field;
        return ERR_INVALID;
    }
    return ERR_OK;
}

/* The fields a plan of this kind reads must be there. */
static enum err validate_for_kind(const struct adj_event *ev, enum plan_kind kind,
                                  const char **err_field)
{
    unsigned p = ev->present;
    enum err e = ERR_OK;
    switch (kind) {
    case PLAN_KIND_INPATIENT:
        if ((e = need(p, ADJ_HAS_SETTLEMENT, "event.settlement", err_field))) {
            return e;
        }
        /* fallthrough */
    case PLAN_KIND_DAILY_ALLOWANCE:
        if ((e = need(p, ADJ_HAS_CAUSE, "event.cause", err_field)) ||
            (e = need(p, ADJ_HAS_ADMISSION, "event.admission_date", err_field)) ||
            (e = need(p, ADJ_HAS_DISCHARGE, "event.discharge_date", err_field))) {
            return e;
        }
        break;
    case PLAN_KIND_CRITICAL_ILLNESS:
        if ((e = need(p, ADJ_HAS_DIAGNOSIS, "event.diagnosis_date", err_field)) ||
            (e = need(p, ADJ_HAS_DISEASE, "event.disease_code", err_field))) {
            return e;
        }
        break;
    case PLAN_KIND_ACCIDENT:
        if ((e = need(p, ADJ_HAS_CAUSE, "event.cause", err_field)) ||
            (e = need(p, ADJ_HAS_ACCIDENT_DATE, "event.accident_date", err_field)) ||
            (e = need(p, ADJ_HAS_OUTCOME, "event.outcome", err_field))) {
            return e;
        }
        if (ev->outcome == ADJ_OUTCOME_MEDICAL) {
            if ((e = need(p, ADJ_HAS_DISCHARGE, "event.discharge_date", err_field)) ||
                (e = need(p, ADJ_HAS_SETTLEMENT, "event.settlement", err_field))) {
                return e;
            }
        } else if (ev->outcome == ADJ_OUTCOME_DEATH || ev->outcome == ADJ_OUTCOME_DISABILITY) {
            if ((e = need(p, ADJ_HAS_ACCIDENT_ID, "event.accident_id", err_field))) {
                return e;
            }
            if (ev->outcome == ADJ_OUTCOME_DISABILITY &&
                ((p & ADJ_HAS_GRADE) == 0 || ev->grade < 1 || ev->grade > PLAN_DISABILITY_GRADES)) {
                *err_field = "event.grade";
                return ERR_INVALID;
            }
        } else {
            *err_field = "event.outcome";
            return ERR_INVALID;
        }
        break;
    }
    return ERR_OK;
}

static enum err validate_claim(const struct adj_state *st, const struct adj_claim *c,
                               const char **err_field)
{
    const struct adj_event *ev = &c->event;
    enum err e;
    if (c->nplans == 0 || c->nplans > ADJ_CLAIM_PLANS_MAX) {
        *err_field = "plans";
        return ERR_INVALID;
    }
    for (size_t i = 0; i < c->nplans; i++) {
        if (c->code_ids[i] >= st->ncodes || st->codes[c->code_ids[i]].plan == NULL) {
            *err_field = "plans";
            return ERR_INVALID;
        }
        for (size_t k = 0; k < i; k++) {
            if (c->code_ids[k] == c->code_ids[i]) { /* a plan is claimed once per claim */
                *err_field = "plans";
                return ERR_INVALID;
            }
        }
    }
    if (c->ninvoices > ADJ_CLAIM_INVOICES_MAX) {
        *err_field = "invoices";
        return ERR_INVALID;
    }
    for (size_t i = 0; i < c->ninvoices; i++) {
        const struct adj_invoice *inv = &c->invoices[i];
        if (inv->len == 0 || inv->len > ADJ_INVOICE_MAX || inv->number == NULL) {
            *err_field = "invoices";
            return ERR_INVALID;
        }
        for (size_t k = 0; k < i; k++) {
            if (c->invoices[k].len == inv->len &&
                memcmp(c->invoices[k].number, inv->number, inv->len) == 0) {
                *err_field = "invoices";
                return ERR_INVALID;
            }
        }
    }
    if ((ev->present & ADJ_HAS_SETTLEMENT) &&
        (e = validate_settlement(&ev->settlement, err_field))) {
        return e;
    }
    if ((ev->present & ADJ_HAS_ADMISSION) && (ev->present & ADJ_HAS_DISCHARGE) &&
        ev->discharge_date.day < ev->admission_date.day) {
        *err_field = "event.discharge_date";
        return ERR_INVALID;
    }
    for (size_t i = 0; i < c->nplans; i++) {
        if ((e = validate_for_kind(ev, st->codes[c->code_ids[i]].plan->kind, err_field))) {
            return e;
        }
    }
    return ERR_OK;
}

/* ------------------------------------------------------------------ judge */

/* What an approval changes; applied in phase 3. */
struct pending {
    bool approved;
    struct adj_enrolment *enrolment;
    struct adj_term_acc acc; /* the enrolment's accumulators after the claim */
    bool add_award;
    struct adj_ci_award award;
    struct adj_accident_acc *accident; /* existing accumulator, or NULL to append */
    bool touch_accident;
    struct adj_accident_acc accident_new; /* its value after the claim */
};

static void step(struct adj_result *r, enum adj_step_kind kind, int64_t a, int64_t b, int64_t c,
                 int64_t d, int64_t e)
{
    ASSERT(r->nsteps < ADJ_STEPS_MAX);
    struct adj_step *s = &r->steps[r->nsteps++];
    s->kind = kind;
    s->v[0] = a;
    s->v[1] = b;
    s->v[2] = c;
    s->v[3] = d;
    s->v[4] = e;
}

static void reject(struct adj_result *r, enum adj_reason reason)
{
    r->decision = ADJ_REJECT;
    r->reason = reason;
    r->payout_fen = 0;
}

static struct date event_date_of(const struct adj_event *ev, enum plan_kind kind)
{
    switch (kind) {
    case PLAN_KIND_INPATIENT:
    case PLAN_KIND_DAILY_ALLOWANCE:
        return ev->admission_date;
    case PLAN_KIND_CRITICAL_ILLNESS:
        return ev->diagnosis_date;
    case PLAN_KIND_ACCIDENT:
        break;
    }
    return ev->accident_date;
}

/* The date the claim deadline counts from. */
static struct date end_date_of(const struct adj_event *ev, enum plan_kind kind, struct date event)
{
    if (kind == PLAN_KIND_INPATIENT || kind == PLAN_KIND_DAILY_ALLOWANCE ||
        (kind == PLAN_KIND_ACCIDENT && ev->outcome == ADJ_OUTCOME_MEDICAL)) {
        return ev->discharge_date;
    }
    return event;
}

/* True when another enrolment of the member in the same code has its cover
 * end E before e starts with days(E, start) - 1 <= renewal_grace_days. The
 * spec's rule taken literally: E is the cover end even for an enrolment
 * cancelled on or before its own start. */
static bool is_continuous_renewal(const struct adj_member *m, const struct adj_enrolment *e)
{
    for (size_t i = 0; i < m->nenrolments; i++) {
        const struct adj_enrolment *o = &m->enrolments[i];
        if (o == e || o->code_id != e->code_id) {
            continue;
        }
        if (o->cover_end.day < e->start.day &&
            date_days_between(o->cover_end, e->start) - 1 <= e->plan->renewal_grace_days) {
            return true;
        }
    }
    return false;
}

static int64_t oop_of(const struct adj_settlement *s)
{
    return s->self_pay_in_scope_fen + s->self_pay_out_scope_fen;
}

static enum err pay_inpatient(const struct plan_inpatient *b, const struct adj_event *ev,
                              int64_t room, int64_t shares, struct adj_term_acc *acc,
                              struct adj_result *r, int64_t *payout)
{
    const struct adj_settlement *s = &ev->settlement;
    int64_t out_scope = b->include_out_of_scope ? s->self_pay_out_scope_fen : 0;
    int64_t claimed = s->self_pay_in_scope_fen + out_scope;
    int64_t base = money_min(claimed, room);
    step(r, ADJ_STEP_BASE, claimed, room, base, 0, 0);

    int64_t left = money_max(0, b->deductible_fen - acc->deductible_used_fen);
    int64_t d = money_min(base, left);
    int64_t excess = base - d;
    step(r, ADJ_STEP_DEDUCTIBLE, b->deductible_fen, acc->deductible_used_fen, d, excess, 0);

    /* The claim's excess occupies [lo, hi) on the term's cumulative excess. */
    int64_t lo = acc->tier_used_fen, hi;
    if (lo < 0 || __builtin_add_overflow(lo, excess, &hi) ||
        __builtin_add_overflow(acc->deductible_used_fen, d, &acc->deductible_used_fen)) {
        return ERR_OVERFLOW;
    }
    int64_t sum = 0, band_lo = 0;
    for (size_t i = 0; i < b->ntiers && band_lo < hi; i++) {
        int64_t band_hi = b->tiers[i].upto_fen;
        int64_t from = money_max(lo, band_lo), to = money_min(hi, band_hi);
        if (to > from) {
            /* to - from <= excess <= 10^14 and ratio <= 10^4: no overflow. */
            int64_t product = (to - from) * b->tiers[i].ratio_bp;
            sum += product;
            step(r, ADJ_STEP_TIER, from, to, b->tiers[i].ratio_bp, product, 0);
        }
        band_lo = band_hi;
    }
    int64_t raw = money_round_bp_sum(sum);
    step(r, ADJ_STEP_ROUND, sum, raw, 0, 0, 0);
    acc->tier_used_fen = hi;

    int64_t cap;
    if (money_mul(b->annual_cap_fen_per_share, shares, &cap)) {
        return ERR_OVERFLOW;
    }
    int64_t remaining = money_max(0, cap - acc->paid_fen);
    *payout = money_min(raw, remaining);
    step(r, ADJ_STEP_CAP, cap, acc->paid_fen, remaining, *payout, 0);
    return ERR_OK;
}

static enum err pay_allowance(const struct plan_daily_allowance *b, const struct adj_event *ev,
                              int64_t shares, struct adj_term_acc *acc, struct adj_result *r,
                              int64_t *payout)
{
    int32_t days = date_days_between(ev->admission_date, ev->discharge_date);
    if (days < 1) {
        days = 1;
    }
    int32_t over = days - b->deductible_days;
    int32_t left = b->max_days_per_term - acc->days_paid;
    int32_t pay_days = over < 0 ? 0 : over;
    if (pay_days > left) {
        pay_days = left < 0 ? 0 : left;
    }
    step(r, ADJ_STEP_DAYS, days, b->deductible_days, b->max_days_per_term, acc->days_paid,
         pay_days);
    int64_t per_day;
    if (money_mul(b->per_day_fen_per_share, shares, &per_day) ||
        money_mul(per_day, pay_days, payout) ||
        __builtin_add_overflow(acc->days_paid, pay_days, &acc->days_paid)) {
        return ERR_OVERFLOW;
    }
    step(r, ADJ_STEP_PER_DAY, pay_days, b->per_day_fen_per_share, shares, *payout, 0);
    return ERR_OK;
}

/* Lifetime critical-illness state of member m in one code. */
struct ci_history {
    bool severe_paid;
    bool code_paid; /* this mild code already paid */
    int64_t mild_paid_fen;
};

static struct ci_history ci_history_of(const struct adj_member *m, uint32_t code_id,
                                       const char code[PLAN_DISEASE_CODE_MAX])
{
    struct ci_history h = {false, false, 0};
    for (size_t i = 0; i < m->nawards; i++) {
        const struct adj_ci_award *a = &m->awards[i];
        if (a->code_id != code_id) {
            continue;
        }
        if (a->severity == PLAN_SEVERITY_SEVERE) {
            h.severe_paid = true;
        } else {
            h.mild_paid_fen += a->payout_fen;
            if (memcmp(a->disease_code, code, PLAN_DISEASE_CODE_MAX) == 0) {
                h.code_paid = true;
            }
        }
    }
    return h;
}

static struct adj_accident_acc *accident_of(struct adj_member *m, uint32_t code_id,
                                            const char id[ADJ_ACCIDENT_ID_MAX])
{
    for (size_t i = 0; i < m->naccidents; i++) {
        struct adj_accident_acc *a = &m->accidents[i];
        if (a->code_id == code_id && memcmp(a->accident_id, id, ADJ_ACCIDENT_ID_MAX) == 0) {
            return a;
        }
    }
    return NULL;
}

/* Judges claim c under code for member m. *room is the reimbursement room
 * left on the claim and is reduced by a reimbursement payout. */
static enum err judge(const struct adj_state *st, struct adj_member *m, const struct adj_claim *c,
                      uint32_t code, int64_t *room, struct adj_result *r, struct pending *pd,
                      const char **err_field)
{
    const struct adj_event *ev = &c->event;
    const struct plan *kplan = st->codes[code].plan;
    enum plan_kind kind = kplan->kind;
    struct date event = event_date_of(ev, kind);

    memset(pd, 0, sizeof(*pd));
    r->claim = c;
    r->code_id = code;
    r->plan = kplan;
    r->enrolment = NULL;
    r->decision = ADJ_APPROVE;
    r->reason = ADJ_REASON_NONE;
    r->payout_fen = 0;
    r->event_date = event;
    r->nsteps = 0;

    /* 1. cover */
    struct adj_enrolment *enr = NULL;
    int64_t in_code = 0;
    for (size_t i = 0; i < m->nenrolments; i++) {
        struct adj_enrolment *e = &m->enrolments[i];
        if (e->code_id == code) {
            in_code++;
            if (e->start.day <= event.day && event.day <= e->cover_end.day) {
                enr = e;
            }
        }
    }
    step(r, ADJ_STEP_COVER, event.day, in_code, enr != NULL, 0, 0);
    if (enr == NULL) {
        reject(r, ADJ_REASON_NOT_ENROLLED);
        return ERR_OK;
    }
    if (enr->shares < 1 || enr->shares > PLAN_SHARES_MAX || enr->plan == NULL ||
        enr->plan->kind != kind) {
        *err_field = "enrolment";
        return ERR_INVALID;
    }
    const struct plan *plan = enr->plan;
    r->plan = plan;
    r->enrolment = enr;

    /* 2. deadline */
    struct date end = end_date_of(ev, kind, event);
    int32_t late_days = date_days_between(end, c->submitted);
    step(r, ADJ_STEP_DEADLINE, end.day, c->submitted.day, late_days, plan->claim_deadline_days, 0);
    if (late_days > plan->claim_deadline_days) {
        reject(r, ADJ_REASON_LATE_CLAIM);
        return ERR_OK;
    }

    /* 3. waiting period (illness only; renewals carry continuity) */
    bool illness = kind == PLAN_KIND_CRITICAL_ILLNESS ||
                   (kind != PLAN_KIND_ACCIDENT && ev->cause == ADJ_CAUSE_ILLNESS);
    bool renewal = false;
    int32_t into = date_days_between(enr->start, event);
    if (illness) {
        renewal = is_continuous_renewal(m, enr);
        step(r, ADJ_STEP_WAITING, enr->start.day, event.day, into, plan->waiting_days, renewal);
        if (!renewal && into < plan->waiting_days) {
            reject(r, ADJ_REASON_WAITING_PERIOD);
            return ERR_OK;
        }
    }

    /* 4. cover of the event itself */
    const struct plan_disease *disease = NULL;
    if (kind == PLAN_KIND_CRITICAL_ILLNESS) {
        disease = plan_disease_find(plan, ev->disease_code);
        if (disease == NULL) {
            step(r, ADJ_STEP_NOT_COVERED, 0, 0, 0, 0, 0);
            reject(r, ADJ_REASON_NOT_COVERED);
            return ERR_OK;
        }
    } else if (kind == PLAN_KIND_ACCIDENT && ev->cause != ADJ_CAUSE_ACCIDENT) {
        step(r, ADJ_STEP_NOT_COVERED, 0, 0, 0, 0, 0);
        reject(r, ADJ_REASON_NOT_COVERED);
        return ERR_OK;
    }

    /* 5. invoices already paid under this code */
    const struct adj_invoice_set *used = &st->codes[code].invoices;
    for (size_t i = 0; i < c->ninvoices; i++) {
        const struct adj_invoice *inv = &c->invoices[i];
        if (adj_invoice_set_contains(used, inv->number, inv->len, inv->hash)) {
            step(r, ADJ_STEP_DUPLICATE, (int64_t)i, 0, 0, 0, 0);
            reject(r, ADJ_REASON_DUPLICATE_INVOICE);
            return ERR_OK;
        }
    }

    /* 6. once-only benefits, then 7. the payout */
    struct adj_term_acc acc = enr->acc;
    int64_t payout = 0, sum;
    bool reimbursement = false;
    enum err e = ERR_OK;
    switch (kind) {
    case PLAN_KIND_INPATIENT: {
        int64_t oop = oop_of(&ev->settlement);
        step(r, ADJ_STEP_OOP, ev->settlement.self_pay_in_scope_fen,
             ev->settlement.self_pay_out_scope_fen, oop, 0, 0);
        step(r, ADJ_STEP_ROOM, oop, oop - *room, *room, 0, 0);
        e = pay_inpatient(&plan->benefit.inpatient, ev, *room, enr->shares, &acc, r, &payout);
        reimbursement = true;
        break;
    }
    case PLAN_KIND_DAILY_ALLOWANCE:
        e = pay_allowance(&plan->benefit.allowance, ev, enr->shares, &acc, r, &payout);
        break;
    case PLAN_KIND_CRITICAL_ILLNESS: {
        const struct plan_critical_illness *b = &plan->benefit.critical;
        struct ci_history h = ci_history_of(m, code, disease->code);
        bool severe = disease->severity == PLAN_SEVERITY_SEVERE;
        if (h.severe_paid || (!severe && h.code_paid)) {
            step(r, ADJ_STEP_ALREADY_PAID, h.severe_paid, h.code_paid, 0, 0, 0);
            reject(r, ADJ_REASON_ALREADY_PAID);
            return ERR_OK;
        }
        if (money_mul(b->sum_fen_per_share, enr->shares, &sum)) {
            return ERR_OVERFLOW;
        }
        step(r, ADJ_STEP_SUM, b->sum_fen_per_share, enr->shares, sum, 0, 0);
        if (severe) {
            payout = sum;
            if (b->mild_deducted_from_severe) {
                payout = money_max(0, sum - h.mild_paid_fen);
                step(r, ADJ_STEP_MILD_DEDUCTED, sum, h.mild_paid_fen, payout, 0, 0);
            }
        } else {
            if ((e = money_apply_bp(sum, b->mild_ratio_bp, &payout))) {
                return e;
            }
            step(r, ADJ_STEP_MILD, sum, b->mild_ratio_bp, payout, 0, 0);
        }
        pd->add_award = true;
        pd->award.code_id = code;
        memcpy(pd->award.disease_code, disease->code, PLAN_DISEASE_CODE_MAX);
        pd->award.severity = disease->severity;
        break;
    }
    case PLAN_KIND_ACCIDENT: {
        const struct plan_accident *b = &plan->benefit.accident;
        if (ev->outcome == ADJ_OUTCOME_MEDICAL) {
            int64_t oop = oop_of(&ev->settlement);
            step(r, ADJ_STEP_OOP, ev->settlement.self_pay_in_scope_fen,
                 ev->settlement.self_pay_out_scope_fen, oop, 0, 0);
            step(r, ADJ_STEP_ROOM, oop, oop - *room, *room, 0, 0);
            int64_t base = money_min(oop, *room);
            int64_t over = money_max(0, base - b->medical.deductible_fen);
            int64_t raw, cap;
            if ((e = money_apply_bp(over, b->medical.ratio_bp, &raw)) ||
                (e = money_mul(b->medical.cap_fen_per_share, enr->shares, &cap))) {
                return e;
            }
            step(r, ADJ_STEP_MEDICAL, base, b->medical.deductible_fen, b->medical.ratio_bp, raw, 0);
            int64_t remaining = money_max(0, cap - acc.medical_paid_fen);
            payout = money_min(raw, remaining);
            step(r, ADJ_STEP_CAP, cap, acc.medical_paid_fen, remaining, payout, 0);
            if (__builtin_add_overflow(acc.medical_paid_fen, payout, &acc.medical_paid_fen)) {
                return ERR_OVERFLOW;
            }
            reimbursement = true;
            break;
        }
        struct adj_accident_acc *a = accident_of(m, code, ev->accident_id);
        int64_t dis_paid = a != NULL ? a->disability_paid_fen : 0;
        if (a != NULL && a->death_paid) {
            step(r, ADJ_STEP_ALREADY_PAID, 0, 0, 1, 0, 0);
            reject(r, ADJ_REASON_ALREADY_PAID);
            return ERR_OK;
        }
        if (money_mul(b->death_fen_per_share, enr->shares, &sum)) {
            return ERR_OVERFLOW;
        }
        pd->touch_accident = true;
        pd->accident = a;
        if (a != NULL) {
            pd->accident_new = *a;
        } else {
            pd->accident_new.code_id = code;
            memcpy(pd->accident_new.accident_id, ev->accident_id, ADJ_ACCIDENT_ID_MAX);
        }
        if (ev->outcome == ADJ_OUTCOME_DEATH) {
            payout = money_max(0, sum - dis_paid);
            step(r, ADJ_STEP_DEATH, b->death_fen_per_share, enr->shares, sum, dis_paid, payout);
            pd->accident_new.death_paid = true;
        } else {
            int64_t bp = b->disability_bp[ev->grade - 1], target;
            if ((e = money_apply_bp(sum, bp, &target))) {
                return e;
            }
            payout = money_max(0, target - dis_paid);
            step(r, ADJ_STEP_DISABILITY, ev->grade, bp, target, dis_paid, payout);
            pd->accident_new.disability_paid_fen = dis_paid + payout;
        }
        break;
    }
    }
    if (e) {
        return e;
    }

    /* Reduced-payout period: illness, not a renewal, early in the term. The
     * counters above advanced in full; what is paid is the reduced amount. */
    if (illness && !renewal && plan->reduced_days > 0 && into < plan->reduced_days) {
        int64_t reduced;
        if ((e = money_apply_bp(payout, plan->reduced_bp, &reduced))) {
            return e;
        }
        step(r, ADJ_STEP_REDUCED, into, plan->reduced_days, plan->reduced_bp, payout, reduced);
        payout = reduced;
    }
    if (kind == PLAN_KIND_INPATIENT &&
        __builtin_add_overflow(acc.paid_fen, payout, &acc.paid_fen)) {
        return ERR_OVERFLOW;
    }
    pd->award.payout_fen = payout;
    if (reimbursement) {
        *room -= payout;
    }
    r->payout_fen = payout;
    if (payout == 0) {
        r->reason = ADJ_REASON_NOTHING_PAYABLE;
    }
    pd->approved = true;
    pd->enrolment = enr;
    pd->acc = acc;
    return ERR_OK;
}

/* ------------------------------------------------------------------ apply */

static enum err grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return ERR_OK;
    }
    size_t n = *cap ? *cap : 4;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size) {
            return ERR_NOMEM;
        }
        n *= 2;
    }
    void *p = realloc(*arr, n * size);
    if (p == NULL) {
        return ERR_NOMEM;
    }
    *arr = p;
    *cap = n;
    return ERR_OK;
}

static enum err reserve(struct adj_state *st, struct adj_member *m, const struct adj_claim *c,
                        const struct pending *pd)
{
    size_t awards = 0, accidents = 0, bytes = 0;
    for (size_t i = 0; i < c->ninvoices; i++) {
        bytes += c->invoices[i].len;
    }
    enum err e;
    for (size_t i = 0; i < c->nplans; i++) {
        if (!pd[i].approved) {
            continue;
        }
        awards += pd[i].add_award;
        accidents += pd[i].touch_accident && pd[i].accident == NULL;
        if (c->ninvoices > 0 &&
            (e = invoice_set_reserve(&st->codes[c->code_ids[i]].invoices, c->ninvoices, bytes))) {
            return e;
        }
    }
    /* Growing the accident array moves it: pending pointers into it are
     * turned into indexes first. */
    if ((e = grow((void **)&m->awards, &m->awards_cap, m->nawards + awards, sizeof(*m->awards)))) {
        return e;
    }
    return grow((void **)&m->accidents, &m->accidents_cap, m->naccidents + accidents,
                sizeof(*m->accidents));
}

static void apply(struct adj_state *st, struct adj_member *m, const struct adj_claim *c,
                  const struct pending *pd, const size_t *accident_index)
{
    for (size_t i = 0; i < c->nplans; i++) {
        const struct pending *p = &pd[i];
        if (!p->approved) {
            continue;
        }
        p->enrolment->acc = p->acc;
        if (p->add_award) {
            ASSERT(m->nawards < m->awards_cap);
            m->awards[m->nawards++] = p->award;
        }
        if (p->touch_accident) {
            if (p->accident != NULL) {
                m->accidents[accident_index[i]] = p->accident_new;
            } else {
                ASSERT(m->naccidents < m->accidents_cap);
                m->accidents[m->naccidents++] = p->accident_new;
            }
        }
        struct adj_invoice_set *set = &st->codes[c->code_ids[i]].invoices;
        for (size_t k = 0; k < c->ninvoices; k++) {
            invoice_set_put(set, c->invoices[k].number, c->invoices[k].len, c->invoices[k].hash);
        }
    }
}

enum err adjudicate_claim(struct adj_state *state, struct adj_member *m,
                          const struct adj_claim *claim, struct adj_result *results,
                          const char **err_field)
{
    static const char *no_field = "";
    const char *ignored;
    if (err_field == NULL) {
        err_field = &ignored;
    }
    *err_field = no_field;
    enum err e = validate_claim(state, claim, err_field);
    if (e) {
        return e;
    }
    struct pending pd[ADJ_CLAIM_PLANS_MAX];
    size_t accident_index[ADJ_CLAIM_PLANS_MAX];
    bool any = false;
    int64_t room =
        (claim->event.present & ADJ_HAS_SETTLEMENT) ? oop_of(&claim->event.settlement) : 0;
    for (size_t i = 0; i < claim->nplans; i++) {
        if ((e = judge(state, m, claim, claim->code_ids[i], &room, &results[i], &pd[i],
                       err_field))) {
            return e;
        }
        any |= pd[i].approved;
        accident_index[i] = pd[i].accident != NULL ? (size_t)(pd[i].accident - m->accidents) : 0;
    }
    if (!any) {
        return ERR_OK;
    }
    if ((e = reserve(state, m, claim, pd))) {
        return e;
    }
    apply(state, m, claim, pd, accident_index);
    return ERR_OK;
}

/* ------------------------------------------------------------ explanation */

/* Field names of each step's v[]; a leading '@' marks a date, '?' a bool. */
static const char *const step_fields[ADJ_STEP__COUNT][6] = {
    [ADJ_STEP_COVER] = {"cover", "@event_date", "enrolments_in_plan", "?covered"},
    [ADJ_STEP_DEADLINE] = {"deadline", "@end_date", "@submitted", "days", "limit_days"},
    [ADJ_STEP_WAITING] = {"waiting", "@term_start", "@event_date", "days_into_term", "waiting_days",
                          "?continuous_renewal"},
    [ADJ_STEP_NOT_COVERED] = {"not_covered"},
    [ADJ_STEP_DUPLICATE] = {"duplicate_invoice", "invoice_index"},
    [ADJ_STEP_ALREADY_PAID] = {"already_paid", "?severe_paid", "?mild_code_paid", "?death_paid"},
    [ADJ_STEP_OOP] = {"oop", "self_pay_in_scope_fen", "self_pay_out_scope_fen", "oop_fen"},
    [ADJ_STEP_ROOM] = {"room", "oop_fen", "reimbursed_before_fen", "room_fen"},
    [ADJ_STEP_BASE] = {"base", "claimed_fen", "room_fen", "base_fen"},
    [ADJ_STEP_DEDUCTIBLE] = {"deductible", "deductible_fen", "used_before_fen", "applied_fen",
                             "excess_fen"},
    [ADJ_STEP_TIER] = {"tier", "from_fen", "to_fen", "ratio_bp", "product_fen_bp"},
    [ADJ_STEP_ROUND] = {"round", "product_sum_fen_bp", "raw_fen"},
    [ADJ_STEP_CAP] = {"cap", "cap_fen", "paid_before_fen", "remaining_fen", "payout_fen"},
    [ADJ_STEP_REDUCED] = {"reduced", "days_into_term", "reduced_days", "reduced_bp", "before_fen",
                          "payout_fen"},
    [ADJ_STEP_DAYS] = {"days", "stay_days", "deductible_days", "max_days_per_term",
                       "days_paid_before", "pay_days"},
    [ADJ_STEP_PER_DAY] = {"per_day", "pay_days", "per_day_fen_per_share", "shares", "payout_fen"},
    [ADJ_STEP_SUM] = {"sum", "sum_fen_per_share", "shares", "sum_fen"},
    [ADJ_STEP_MILD] = {"mild", "sum_fen", "mild_ratio_bp", "payout_fen"},
    [ADJ_STEP_MILD_DEDUCTED] = {"mild_deducted", "sum_fen", "mild_paid_fen", "payout_fen"},
    [ADJ_STEP_DEATH] = {"death", "death_fen_per_share", "shares", "death_fen",
                        "disability_paid_fen", "payout_fen"},
    [ADJ_STEP_DISABILITY] = {"disability", "grade", "ratio_bp", "target_fen", "disability_paid_fen",
                             "payout_fen"},
    [ADJ_STEP_MEDICAL] = {"medical", "base_fen", "deductible_fen", "ratio_bp", "raw_fen"},
};

static json_t *date_json(int64_t day)
{
    char buf[DATE_TEXT_LEN + 1];
    struct date d = {(int32_t)day};
    date_format(d, buf);
    return json_string(buf);
}

static bool put(json_t *obj, const char *key, json_t *val)
{
    return val != NULL && json_object_set_new(obj, key, val) == 0;
}

static json_t *step_json(const struct adj_step *s)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    const char *const *f = step_fields[s->kind];
    bool ok = put(o, "step", json_string(f[0]));
    for (size_t i = 0; ok && i < 5 && f[i + 1] != NULL; i++) {
        const char *name = f[i + 1];
        if (name[0] == '@') {
            ok = put(o, name + 1, date_json(s->v[i]));
        } else if (name[0] == '?') {
            ok = put(o, name + 1, json_boolean(s->v[i] != 0));
        } else {
            ok = put(o, name, json_integer(s->v[i]));
        }
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The facts of the event that the plan's kind reads. */
static bool event_facts(json_t *o, const struct adj_result *r)
{
    static const char *const outcomes[] = {"none", "death", "disability", "medical"};
    const struct adj_event *ev = &r->claim->event;
    bool ok = true;
    if (ev->present & ADJ_HAS_CAUSE) {
        ok = put(o, "cause", json_string(ev->cause == ADJ_CAUSE_ILLNESS ? "illness" : "accident"));
    }
    if (ok && r->plan->kind == PLAN_KIND_CRITICAL_ILLNESS) {
        const struct plan_disease *d = plan_disease_find(r->plan, ev->disease_code);
        ok =
            put(o, "disease_code",
                json_stringn(ev->disease_code, strnlen(ev->disease_code, PLAN_DISEASE_CODE_MAX))) &&
            put(o, "severity",
                d == NULL ? json_null()
                          : json_string(d->severity == PLAN_SEVERITY_SEVERE ? "severe" : "mild"));
    }
    if (ok && r->plan->kind == PLAN_KIND_ACCIDENT) {
        ok = put(o, "outcome", json_string(outcomes[ev->outcome]));
        if (ok && (ev->present & ADJ_HAS_ACCIDENT_ID)) {
            ok = put(o, "accident_id",
                     json_stringn(ev->accident_id, strnlen(ev->accident_id, ADJ_ACCIDENT_ID_MAX)));
        }
        if (ok && ev->outcome == ADJ_OUTCOME_DISABILITY) {
            ok = put(o, "grade", json_integer(ev->grade));
        }
    }
    return ok;
}

json_t *adj_explanation_to_json(const struct adj_result *r)
{
    json_t *o = json_object(), *steps = json_array();
    bool ok = o != NULL && steps != NULL;
    if (ok) {
        const struct adj_enrolment *e = r->enrolment;
        ok = put(o, "kind", json_string(plan_kind_str(r->plan->kind))) &&
             put(o, "plan_version", json_integer(r->plan->version)) &&
             put(o, "enrolment", e != NULL && e->id != NULL ? json_string(e->id) : json_null()) &&
             put(o, "event_date", date_json(r->event_date.day));
        if (ok) {
            ok = event_facts(o, r);
        }
        if (ok && e != NULL) {
            ok = put(o, "shares", json_integer(e->shares)) &&
                 put(o, "term_start", date_json(e->start.day)) &&
                 put(o, "cover_end", date_json(e->cover_end.day));
        }
    }
    for (size_t i = 0; ok && i < r->nsteps; i++) {
        json_t *s = step_json(&r->steps[i]);
        ok = s != NULL && json_array_append_new(steps, s) == 0;
    }
    if (ok) {
        ok = json_object_set(o, "steps", steps) == 0;
    }
    json_decref(steps);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
