/*
 * test_adjudicate: the engine rule by rule at its boundaries, plan document
 * validation with field paths, the case-file reader, and the whole public
 * case file (HUZHU_SHARED/cases/claims-public.json) run in-process.
 *
 * The unit tests fill the engine's plain structs by hand, as a caller that
 * loads one member from the database would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "domain/adjudicate.h"
#include "domain/casefile.h"
#include "domain/plan.h"

/* ------------------------------------------------------------- fixtures */

static const char *const plan_zy =
    "{\"code\":\"ZY\",\"version\":1,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},\"waiting_days\":90,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"benefit\":{\"deductible_fen\":50000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":5000},{\"upto_fen\":3000000,\"ratio_bp\":6000},"
    "{\"upto_fen\":null,\"ratio_bp\":7000}],\"annual_cap_fen_per_share\":1000000}}";

static const char *const plan_jt =
    "{\"code\":\"JT\",\"version\":1,\"name\":\"津贴\",\"kind\":\"daily_allowance\","
    "\"share_price_fen\":6000,\"max_shares\":2,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},\"waiting_days\":30,"
    "\"reduced_days\":90,\"reduced_bp\":5000,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"benefit\":{\"per_day_fen_per_share\":4000,\"deductible_days\":3,\"max_days_per_term\":10}}";

static const char *const plan_db =
    "{\"code\":\"DB\",\"version\":1,\"name\":\"重疾\",\"kind\":\"critical_illness\","
    "\"share_price_fen\":5500,\"max_shares\":3,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},\"waiting_days\":30,"
    "\"reduced_days\":90,\"reduced_bp\":5000,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"benefit\":{\"sum_fen_per_share\":1000000,\"mild_ratio_bp\":3000,"
    "\"mild_deducted_from_severe\":true,\"diseases\":["
    "{\"code\":\"S01\",\"name\":\"恶性肿瘤—重度\",\"severity\":\"severe\"},"
    "{\"code\":\"M01\",\"name\":\"恶性肿瘤—轻度\",\"severity\":\"mild\"},"
    "{\"code\":\"M02\",\"name\":\"较轻急性心肌梗死\",\"severity\":\"mild\"}]}}";

static const char *const plan_yw =
    "{\"code\":\"YW\",\"version\":1,\"name\":\"意外\",\"kind\":\"accident\","
    "\"share_price_fen\":2600,\"max_shares\":4,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},\"waiting_days\":0,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"benefit\":{\"death_fen_per_share\":1000000,"
    "\"disability_bp\":[10000,9000,8000,7000,6000,5000,4000,3000,2000,1000],"
    "\"medical\":{\"deductible_fen\":10000,\"ratio_bp\":8000,\"cap_fen_per_share\":500000}}}";

/* Tiers where rounding each segment (2 + 2) differs from rounding once (3). */
static const char *const plan_round =
    "{\"code\":\"RD\",\"version\":1,\"name\":\"舍入\",\"kind\":\"inpatient\","
    "\"share_price_fen\":100,\"max_shares\":1,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},\"waiting_days\":0,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"benefit\":{\"deductible_fen\":0,\"include_out_of_scope\":true,"
    "\"tiers\":[{\"upto_fen\":3,\"ratio_bp\":5000},{\"upto_fen\":null,\"ratio_bp\":5001}],"
    "\"annual_cap_fen_per_share\":1000000}}";

enum { ZY, JT, DB, YW, RD, NCODES };

#define MAX_ENROLMENTS 8
#define MAX_MEMBERS 2

struct world {
    struct plan plans[NCODES];
    struct adj_code codes[NCODES];
    struct adj_state state;
    struct adj_enrolment enr[MAX_MEMBERS][MAX_ENROLMENTS];
    struct adj_member members[MAX_MEMBERS];
    struct adj_invoice invoices[4];
};

static struct date day(const char *text)
{
    struct date d;
    assert_int_equal(date_parse(text, strlen(text), &d), ERR_OK);
    return d;
}

static void load_plan(const char *text, struct plan *out)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    char field[PLAN_FIELD_PATH_MAX];
    enum err e = plan_from_json(doc, out, field, sizeof(field));
    if (e) {
        print_error("plan: %s at %s\n", err_str(e), field);
    }
    assert_int_equal(e, ERR_OK);
    json_decref(doc);
}

static struct world *world_new(void)
{
    struct world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    const char *const docs[NCODES] = {plan_zy, plan_jt, plan_db, plan_yw, plan_round};
    for (size_t i = 0; i < NCODES; i++) {
        load_plan(docs[i], &w->plans[i]);
        w->codes[i].plan = &w->plans[i];
        adj_invoice_set_init(&w->codes[i].invoices);
    }
    w->state.codes = w->codes;
    w->state.ncodes = NCODES;
    for (size_t m = 0; m < MAX_MEMBERS; m++) {
        w->members[m].id = m == 0 ? "W1" : "W2";
        w->members[m].enrolments = w->enr[m];
    }
    return w;
}

static void world_free(struct world *w)
{
    for (size_t i = 0; i < NCODES; i++) {
        adj_invoice_set_release(&w->codes[i].invoices);
    }
    for (size_t m = 0; m < MAX_MEMBERS; m++) {
        adj_member_release(&w->members[m]);
    }
    free(w);
}

static struct adj_enrolment *enrol(struct world *w, size_t member, uint32_t code, const char *start,
                                   int64_t shares, const char *cancelled)
{
    struct adj_member *m = &w->members[member];
    assert_true(m->nenrolments < MAX_ENROLMENTS);
    struct adj_enrolment *e = &w->enr[member][m->nenrolments++];
    struct date c = cancelled ? day(cancelled) : day("2000-01-01");
    adj_enrolment_init(e, "E", &w->plans[code], code, day(start), shares, cancelled ? &c : NULL);
    return e;
}

static void set_settlement(struct adj_claim *c, int64_t in_scope, int64_t out_scope)
{
    struct adj_settlement *s = &c->event.settlement;
    s->self_pay_in_scope_fen = in_scope;
    s->self_pay_out_scope_fen = out_scope;
    s->fund_paid_fen = in_scope; /* any split that sums */
    s->total_fen = 2 * in_scope + out_scope;
    c->event.present |= ADJ_HAS_SETTLEMENT;
}

/* A hospital stay claimed under one plan, for illness. */
static struct adj_claim stay(uint32_t code, const char *admission, const char *discharge,
                             const char *submitted, int64_t in_scope, int64_t out_scope)
{
    struct adj_claim c;
    memset(&c, 0, sizeof(c));
    c.id = "C";
    c.submitted = day(submitted);
    c.nplans = 1;
    c.code_ids[0] = code;
    c.event.present = ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE;
    c.event.cause = ADJ_CAUSE_ILLNESS;
    c.event.admission_date = day(admission);
    c.event.discharge_date = day(discharge);
    set_settlement(&c, in_scope, out_scope);
    return c;
}

static struct adj_claim diagnosis(const char *date, const char *disease, const char *submitted)
{
    struct adj_claim c;
    memset(&c, 0, sizeof(c));
    c.id = "C";
    c.submitted = day(submitted);
    c.nplans = 1;
    c.code_ids[0] = DB;
    c.event.present = ADJ_HAS_DIAGNOSIS | ADJ_HAS_DISEASE | ADJ_HAS_CAUSE;
    c.event.cause = ADJ_CAUSE_ILLNESS;
    c.event.diagnosis_date = day(date);
    strncpy(c.event.disease_code, disease, sizeof(c.event.disease_code) - 1);
    return c;
}

static struct adj_claim accident(const char *date, const char *id, enum adj_outcome outcome,
                                 int32_t grade)
{
    struct adj_claim c;
    memset(&c, 0, sizeof(c));
    c.id = "C";
    c.submitted = day(date);
    c.nplans = 1;
    c.code_ids[0] = YW;
    c.event.present = ADJ_HAS_CAUSE | ADJ_HAS_ACCIDENT_DATE | ADJ_HAS_ACCIDENT_ID |
                      ADJ_HAS_OUTCOME | (grade ? ADJ_HAS_GRADE : 0);
    c.event.cause = ADJ_CAUSE_ACCIDENT;
    c.event.accident_date = day(date);
    strncpy(c.event.accident_id, id, sizeof(c.event.accident_id) - 1);
    c.event.outcome = outcome;
    c.event.grade = grade;
    return c;
}

static void with_invoice(struct world *w, struct adj_claim *c, const char *number)
{
    struct adj_invoice *inv = &w->invoices[0];
    inv->number = number;
    inv->len = strlen(number);
    inv->hash = adj_invoice_hash(number, inv->len);
    c->invoices = inv;
    c->ninvoices = 1;
}

/* Judges a one-plan claim and checks decision, reason and payout. */
static void judge1(struct world *w, size_t member, const struct adj_claim *c,
                   enum adj_decision decision, enum adj_reason reason, int64_t payout)
{
    struct adj_result r[ADJ_CLAIM_PLANS_MAX];
    const char *field = NULL;
    enum err e = adjudicate_claim(&w->state, &w->members[member], c, r, &field);
    if (e) {
        print_error("adjudicate: %s at %s\n", err_str(e), field);
    }
    assert_int_equal(e, ERR_OK);
    if (r[0].decision != decision || r[0].reason != reason || r[0].payout_fen != payout) {
        print_error("got %s %s %lld\n", adj_decision_str(r[0].decision),
                    adj_reason_str(r[0].reason) ? adj_reason_str(r[0].reason) : "null",
                    (long long)r[0].payout_fen);
    }
    assert_int_equal(r[0].decision, decision);
    assert_int_equal(r[0].reason, reason);
    assert_int_equal(r[0].payout_fen, payout);
    json_t *x = adj_explanation_to_json(&r[0]);
    assert_non_null(x);
    assert_true(json_array_size(json_object_get(x, "steps")) >= 1);
    json_decref(x);
}

/* ---------------------------------------------------------- engine rules */

static void test_waiting_period_boundary(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    /* 2025-03-31 is day 89 of the term: inside the 90-day wait. */
    struct adj_claim c = stay(ZY, "2025-03-31", "2025-04-02", "2025-04-10", 100000, 0);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_WAITING_PERIOD, 0);
    /* Day 90 is out of it: (100000 - 50000 deductible) * 50 %. */
    c = stay(ZY, "2025-04-01", "2025-04-02", "2025-04-10", 100000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 25000);
    /* Accidents never wait. */
    c = stay(ZY, "2025-01-02", "2025-01-03", "2025-01-10", 10000, 0);
    c.event.cause = ADJ_CAUSE_ACCIDENT;
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 5000);
    world_free(w);
}

static void test_deadline_boundary(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, ZY, "2024-01-01", 1, NULL);
    /* The deadline counts from discharge: 730 days is in time, 731 late. */
    struct adj_claim c = stay(ZY, "2024-06-01", "2024-06-10", "2026-06-11", 60000, 0);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_LATE_CLAIM, 0);
    c = stay(ZY, "2024-06-01", "2024-06-10", "2026-06-10", 60000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 5000);
    world_free(w);
}

static void test_renewal_grace_boundary(void **s)
{
    (void)s;
    /* Previous term ends 2024-12-31; the new one starts 30 gap days later. */
    struct world *w = world_new();
    enrol(w, 0, ZY, "2024-01-01", 1, NULL);
    enrol(w, 0, ZY, "2025-01-31", 1, NULL);
    struct adj_claim c = stay(ZY, "2025-02-05", "2025-02-06", "2025-02-10", 60000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 5000);
    world_free(w);

    /* One day more is a new start with a new waiting period. */
    w = world_new();
    enrol(w, 0, ZY, "2024-01-01", 1, NULL);
    enrol(w, 0, ZY, "2025-02-01", 1, NULL);
    c = stay(ZY, "2025-02-05", "2025-02-06", "2025-02-10", 60000, 0);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_WAITING_PERIOD, 0);
    world_free(w);

    /* A cancelled term's cover ends the day before `cancelled`: cancelled
     * 2024-12-02 ends cover on 2024-12-01, so 2025-01-01 is 30 days later. */
    w = world_new();
    enrol(w, 0, ZY, "2024-01-01", 1, "2024-12-02");
    enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    c = stay(ZY, "2025-02-05", "2025-02-06", "2025-02-10", 60000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 5000);
    world_free(w);

    w = world_new();
    enrol(w, 0, ZY, "2024-01-01", 1, "2024-12-01");
    enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_WAITING_PERIOD, 0);
    world_free(w);
}

static void test_cover_and_cancellation(void **s)
{
    (void)s;
    struct world *w = world_new();
    struct adj_enrolment *e = enrol(w, 0, YW, "2025-01-01", 1, "2025-03-01");
    assert_int_equal(e->cover_end.day, day("2025-02-28").day);
    assert_int_equal(e->term_end.day, day("2025-12-31").day);
    struct adj_claim c = accident("2025-03-01", "A1", ADJ_OUTCOME_DISABILITY, 10);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_NOT_ENROLLED, 0);
    c = accident("2024-12-31", "A0", ADJ_OUTCOME_DISABILITY, 10);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_NOT_ENROLLED, 0);
    c = accident("2025-02-28", "A2", ADJ_OUTCOME_DISABILITY, 10);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 100000);
    /* add_months clamps to the month's end: 2024-02-29 + 12 months = 2025-02-28. */
    e = enrol(w, 1, ZY, "2024-02-29", 1, NULL);
    assert_int_equal(e->term_end.day, day("2025-02-27").day);
    world_free(w);
}

static void test_tiers_one_rounding(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, RD, "2025-01-01", 1, NULL);
    /* 3 fen at 50 % + 3 fen at 50.01 %: 1.5 + 1.5003 rounds once to 3, not 2 + 2. */
    struct adj_claim c = stay(RD, "2025-02-01", "2025-02-02", "2025-02-03", 2, 4);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 3);
    world_free(w);
}

static void test_tiers_cap_nothing_payable(void **s)
{
    (void)s;
    struct world *w = world_new();
    struct adj_enrolment *e = enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    /* The spec's worked case: 475000, then a tier-crossing 1890000 capped to 525000. */
    struct adj_claim c = stay(ZY, "2025-05-01", "2025-05-08", "2025-05-10", 1000000, 200000);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 475000);
    c = stay(ZY, "2025-09-01", "2025-09-05", "2025-09-10", 3000000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 525000);
    assert_int_equal(e->acc.tier_used_fen, 3950000);
    assert_int_equal(e->acc.paid_fen, 1000000);
    /* Cap spent: still an approval, with NOTHING_PAYABLE; tiers advance. */
    c = stay(ZY, "2025-10-01", "2025-10-05", "2025-10-10", 300000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    assert_int_equal(e->acc.tier_used_fen, 4250000);
    assert_int_equal(e->acc.deductible_used_fen, 50000);
    world_free(w);

    /* Deductible not met: 0 payable. */
    w = world_new();
    e = enrol(w, 0, ZY, "2025-01-01", 2, NULL);
    c = stay(ZY, "2025-05-01", "2025-05-08", "2025-05-10", 50000, 900000);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    assert_int_equal(e->acc.deductible_used_fen, 50000);
    assert_int_equal(e->acc.tier_used_fen, 0);
    world_free(w);
}

static void test_reduced_period_boundary(void **s)
{
    (void)s;
    struct world *w = world_new();
    struct adj_enrolment *e = enrol(w, 0, JT, "2025-01-01", 1, NULL);
    /* Day 89 (2025-03-31): 10 days - 3 = 7 days * 4000, halved. */
    struct adj_claim c = stay(JT, "2025-03-31", "2025-04-10", "2025-04-12", 0, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 14000);
    assert_int_equal(e->acc.days_paid, 7); /* day counter advances in full */
    /* Day 90 (2025-04-01) pays in full; only 3 days are left of 10 per term. */
    c = stay(JT, "2025-04-01", "2025-04-11", "2025-04-22", 0, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 12000);
    c = stay(JT, "2025-05-01", "2025-05-11", "2025-05-12", 0, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    world_free(w);

    /* A continuous renewal has no reduced period. */
    w = world_new();
    enrol(w, 0, JT, "2024-01-01", 1, NULL);
    enrol(w, 0, JT, "2025-01-01", 1, NULL);
    c = stay(JT, "2025-01-05", "2025-01-15", "2025-01-16", 0, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 28000);
    /* A same-day stay counts as one day (below the 3 deductible days). */
    c = stay(JT, "2025-02-05", "2025-02-05", "2025-02-16", 0, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    world_free(w);

    /* Reduced inpatient payout counts as paid against the cap. */
    w = world_new();
    load_plan(plan_zy, &w->plans[ZY]);
    w->plans[ZY].waiting_days = 0;
    w->plans[ZY].reduced_days = 10;
    w->plans[ZY].reduced_bp = 5000;
    e = enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    c = stay(ZY, "2025-01-10", "2025-01-11", "2025-01-12", 150000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 25000);
    assert_int_equal(e->acc.paid_fen, 25000);
    assert_int_equal(e->acc.tier_used_fen, 100000);
    c = stay(ZY, "2025-01-11", "2025-01-12", "2025-01-12", 100000, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 50000);
    world_free(w);
}

static void test_critical_illness_lifetime(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, DB, "2024-01-01", 1, NULL);
    enrol(w, 0, DB, "2025-01-01", 1, NULL);
    struct adj_claim c = diagnosis("2024-01-30", "M01", "2024-02-01");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_WAITING_PERIOD, 0);
    c = diagnosis("2024-06-01", "X99", "2024-06-02");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_NOT_COVERED, 0);
    c = diagnosis("2024-06-01", "M01", "2024-06-02");
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 300000);
    /* Same mild code again, in the next term: once per lifetime. */
    c = diagnosis("2025-03-01", "M01", "2025-03-02");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_ALREADY_PAID, 0);
    /* Severe less the mild already paid. */
    c = diagnosis("2025-04-01", "S01", "2025-04-02");
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 700000);
    c = diagnosis("2025-05-01", "M02", "2025-05-02");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_ALREADY_PAID, 0);
    c = diagnosis("2025-05-01", "S01", "2025-05-02");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_ALREADY_PAID, 0);
    assert_int_equal(w->members[0].nawards, 2);
    /* Another member is untouched by these. */
    enrol(w, 1, DB, "2025-01-01", 2, NULL);
    c = diagnosis("2025-02-15", "S01", "2025-05-02"); /* day 45: reduced period */
    judge1(w, 1, &c, ADJ_APPROVE, ADJ_REASON_NONE, 1000000);
    world_free(w);
}

static void test_accident_per_accident_id(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, YW, "2025-01-01", 2, NULL);
    struct adj_claim c = accident("2025-01-01", "A1", ADJ_OUTCOME_DISABILITY, 5);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 1200000); /* 60 % of 2 000 000 */
    c = accident("2025-01-05", "A1", ADJ_OUTCOME_DISABILITY, 3);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 400000); /* 80 % less 60 % */
    c = accident("2025-01-06", "A1", ADJ_OUTCOME_DISABILITY, 7);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    c = accident("2025-01-07", "A1", ADJ_OUTCOME_DEATH, 0);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 400000);
    c = accident("2025-01-08", "A1", ADJ_OUTCOME_DISABILITY, 1);
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_ALREADY_PAID, 0);
    c = accident("2025-01-08", "A2", ADJ_OUTCOME_DISABILITY, 10);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 200000);
    c = accident("2025-01-09", "A3", ADJ_OUTCOME_DISABILITY, 10);
    c.event.cause = ADJ_CAUSE_ILLNESS;
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_NOT_COVERED, 0);
    world_free(w);
}

static void test_accident_medical_and_room(void **s)
{
    (void)s;
    struct world *w = world_new();
    struct adj_enrolment *yw = enrol(w, 0, YW, "2025-01-01", 1, NULL);
    enrol(w, 0, ZY, "2024-01-01", 1, NULL);
    enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    /* ZY first: base 200000 - 50000 deductible, 50 % = 75000. YW sees a room
     * of 200000 - 75000 = 125000: (125000 - 10000) * 80 % = 92000. */
    struct adj_claim c = stay(ZY, "2025-02-01", "2025-02-05", "2025-02-10", 200000, 0);
    c.nplans = 2;
    c.code_ids[1] = YW;
    c.event.cause = ADJ_CAUSE_ACCIDENT;
    c.event.present |= ADJ_HAS_ACCIDENT_DATE | ADJ_HAS_OUTCOME;
    c.event.accident_date = day("2025-02-01");
    c.event.outcome = ADJ_OUTCOME_MEDICAL;
    struct adj_result r[ADJ_CLAIM_PLANS_MAX];
    const char *field;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_OK);
    assert_int_equal(r[0].payout_fen, 75000);
    assert_int_equal(r[1].payout_fen, 92000);
    assert_int_equal(yw->acc.medical_paid_fen, 92000);
    /* Per-term cap 500000: a large bill pays what is left. */
    set_settlement(&c, 900000, 0);
    c.nplans = 1;
    c.code_ids[0] = YW;
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NONE, 408000);
    judge1(w, 0, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    /* The deductible (10000) is per claim, not per term. */
    enrol(w, 1, YW, "2025-01-01", 1, NULL);
    set_settlement(&c, 10000, 0);
    judge1(w, 1, &c, ADJ_APPROVE, ADJ_REASON_NOTHING_PAYABLE, 0);
    set_settlement(&c, 10001, 0);
    judge1(w, 1, &c, ADJ_APPROVE, ADJ_REASON_NONE, 1); /* apply(1, 8000) rounds up */
    world_free(w);
}

static void test_duplicate_invoice_after_approval(void **s)
{
    (void)s;
    struct world *w = world_new();
    enrol(w, 0, ZY, "2025-01-01", 1, NULL);
    enrol(w, 1, ZY, "2024-01-01", 1, NULL);
    enrol(w, 1, ZY, "2025-01-01", 1, NULL);
    enrol(w, 1, JT, "2025-01-01", 1, NULL);
    /* Rejected (waiting): the invoice is not used up. */
    struct adj_claim c = stay(ZY, "2025-01-10", "2025-01-12", "2025-01-20", 60000, 0);
    with_invoice(w, &c, "H-1");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_WAITING_PERIOD, 0);
    /* Member 2 (a renewal) gets it approved. */
    judge1(w, 1, &c, ADJ_APPROVE, ADJ_REASON_NONE, 5000);
    /* Now anyone presenting H-1 under ZY is refused... */
    c = stay(ZY, "2025-06-10", "2025-06-14", "2025-06-20", 60000, 0);
    with_invoice(w, &c, "H-1");
    judge1(w, 0, &c, ADJ_REJECT, ADJ_REASON_DUPLICATE_INVOICE, 0);
    /* ...but not under another plan code. */
    c.code_ids[0] = JT;
    judge1(w, 1, &c, ADJ_APPROVE, ADJ_REASON_NONE, 4000);
    /* Loading used numbers from storage works the same way. */
    assert_int_equal(adj_invoice_set_add(&w->codes[ZY].invoices, "H-9", 3), ERR_OK);
    assert_true(
        adj_invoice_set_contains(&w->codes[ZY].invoices, "H-9", 3, adj_invoice_hash("H-9", 3)));
    assert_false(
        adj_invoice_set_contains(&w->codes[ZY].invoices, "H-8", 3, adj_invoice_hash("H-8", 3)));
    assert_int_equal(adj_invoice_set_add(&w->codes[ZY].invoices, "", 0), ERR_INVALID);
    world_free(w);
}

static void test_invoice_set_grows(void **s)
{
    (void)s;
    struct adj_invoice_set set;
    adj_invoice_set_init(&set);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof(buf), "INV-%d", i);
        assert_int_equal(adj_invoice_set_add(&set, buf, (size_t)n), ERR_OK);
    }
    assert_int_equal(set.count, 5000);
    for (int i = 0; i < 5000; i += 7) {
        int n = snprintf(buf, sizeof(buf), "INV-%d", i);
        assert_true(
            adj_invoice_set_contains(&set, buf, (size_t)n, adj_invoice_hash(buf, (size_t)n)));
    }
    assert_int_equal(adj_invoice_set_add(&set, "INV-1", 5), ERR_OK); /* idempotent */
    assert_int_equal(set.count, 5000);
    adj_invoice_set_release(&set);
}

static void test_invalid_input_is_an_error(void **s)
{
    (void)s;
    struct world *w = world_new();
    struct adj_enrolment *e = enrol(w, 0, ZY, "2024-01-01", 1, NULL);
    struct adj_result r[ADJ_CLAIM_PLANS_MAX];
    const char *field;
    struct adj_claim c = stay(ZY, "2024-06-01", "2024-06-02", "2024-06-03", 100000, 0);
    c.event.settlement.total_fen += 1;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field),
                     ERR_SETTLEMENT_MISMATCH);
    assert_string_equal(field, "event.settlement.total_fen");
    c = stay(ZY, "2024-06-01", "2024-06-02", "2024-06-03", 100000, 0);
    c.event.settlement.other_paid_fen = -1;
    c.event.settlement.fund_paid_fen += 1;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_INVALID);
    assert_string_equal(field, "event.settlement.other_paid_fen");
    c = stay(ZY, "2024-06-01", "2024-06-02", "2024-06-03", 100000, 0);
    c.event.present &= ~ADJ_HAS_SETTLEMENT;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_INVALID);
    assert_string_equal(field, "event.settlement");
    c = stay(ZY, "2024-06-05", "2024-06-02", "2024-06-03", 100000, 0);
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_INVALID);
    assert_string_equal(field, "event.discharge_date");
    c = stay(ZY, "2024-06-01", "2024-06-02", "2024-06-03", 100000, 0);
    c.code_ids[0] = NCODES;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_INVALID);
    assert_string_equal(field, "plans");
    /* An error in the second plan leaves the first plan's approval unapplied. */
    c = stay(ZY, "2024-06-01", "2024-06-02", "2024-06-03", 100000, 0);
    c.nplans = 2;
    c.code_ids[1] = DB;
    assert_int_equal(adjudicate_claim(&w->state, &w->members[0], &c, r, &field), ERR_INVALID);
    assert_string_equal(field, "event.diagnosis_date");
    assert_int_equal(e->acc.deductible_used_fen, 0);
    assert_int_equal(e->acc.paid_fen, 0);
    world_free(w);
}

/* ------------------------------------------------------ plan validation */

static void expect_plan_error(const char *base, const char *path, const char *value, enum err want,
                              const char *want_field)
{
    json_error_t jerr;
    json_t *doc = json_loads(base, 0, &jerr);
    assert_non_null(doc);
    json_t *patch = value ? json_loads(value, JSON_DECODE_ANY, &jerr) : NULL;
    assert_true(value == NULL || patch != NULL);
    /* path: "a.b.c" with objects, or "a.b[1].c" with one array index */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *node = doc;
    char *tok = strtok(buf, ".");
    while (tok != NULL) {
        char *next = strtok(NULL, ".");
        char *br = strchr(tok, '[');
        size_t idx = 0;
        if (br != NULL) {
            *br = '\0';
            idx = (size_t)atoi(br + 1);
        }
        if (next == NULL && br == NULL) {
            if (patch != NULL) {
                json_object_set_new(node, tok, patch);
            } else {
                json_object_del(node, tok);
            }
        } else {
            node = json_object_get(node, tok);
            if (br != NULL) {
                if (next == NULL) {
                    json_array_set_new(node, idx, patch);
                }
                node = json_array_get(node, idx);
            }
        }
        tok = next;
    }
    struct plan *p = malloc(sizeof(*p));
    char field[PLAN_FIELD_PATH_MAX];
    enum err e = plan_from_json(doc, p, field, sizeof(field));
    if (e != want || strcmp(field, want_field) != 0) {
        print_error("%s=%s: got %s at \"%s\"\n", path, value ? value : "(deleted)", err_str(e),
                    field);
    }
    assert_int_equal(e, want);
    assert_string_equal(field, want_field);
    free(p);
    json_decref(doc);
}

static void test_plan_validation(void **s)
{
    (void)s;
    expect_plan_error(plan_zy, "foo", "1", ERR_UNKNOWN_FIELD, "foo");
    expect_plan_error(plan_zy, "benefit.bar", "1", ERR_UNKNOWN_FIELD, "benefit.bar");
    expect_plan_error(plan_zy, "code", NULL, ERR_MISSING_FIELD, "code");
    expect_plan_error(plan_zy, "version", "\"1\"", ERR_BAD_TYPE, "version");
    expect_plan_error(plan_zy, "version", "1.0", ERR_BAD_TYPE, "version");
    expect_plan_error(plan_zy, "version", "0", ERR_RANGE, "version");
    expect_plan_error(plan_zy, "kind", "\"dental\"", ERR_INVALID_PLAN, "kind");
    expect_plan_error(plan_zy, "benefit.tiers[1].upto_fen", "1000000", ERR_INVALID_PLAN,
                      "benefit.tiers[1].upto_fen");
    expect_plan_error(plan_zy, "benefit.tiers[0].upto_fen", "null", ERR_INVALID_PLAN,
                      "benefit.tiers[0].upto_fen");
    expect_plan_error(plan_zy, "benefit.tiers[2].ratio_bp", "10001", ERR_RANGE,
                      "benefit.tiers[2].ratio_bp");
    expect_plan_error(plan_zy, "benefit.tiers[2].ratio_bp", "-1", ERR_RANGE,
                      "benefit.tiers[2].ratio_bp");
    expect_plan_error(plan_zy, "benefit.tiers[1]", "{\"upto_fen\":2000000}", ERR_MISSING_FIELD,
                      "benefit.tiers[1].ratio_bp");
    expect_plan_error(plan_zy, "benefit.tiers", "[]", ERR_RANGE, "benefit.tiers");
    expect_plan_error(plan_zy, "benefit.annual_cap_fen_per_share", "0", ERR_RANGE,
                      "benefit.annual_cap_fen_per_share");
    expect_plan_error(plan_zy, "benefit.include_out_of_scope", "1", ERR_BAD_TYPE,
                      "benefit.include_out_of_scope");
    expect_plan_error(plan_zy, "eligibility.genders", "[\"M\",\"X\"]", ERR_INVALID_PLAN,
                      "eligibility.genders[1]");
    expect_plan_error(plan_zy, "eligibility.max_age", "10", ERR_INVALID_PLAN,
                      "eligibility.max_age");
    expect_plan_error(plan_zy, "reduced_days", "60", ERR_MISSING_FIELD, "reduced_bp");
    expect_plan_error(plan_jt, "reduced_bp", "20000", ERR_RANGE, "reduced_bp");
    expect_plan_error(plan_jt, "benefit.deductible_fen", "1", ERR_UNKNOWN_FIELD,
                      "benefit.deductible_fen");
    expect_plan_error(plan_db, "benefit.diseases[1].code", "\"S01\"", ERR_INVALID_PLAN,
                      "benefit.diseases[1].code");
    expect_plan_error(plan_db, "benefit.diseases[2].severity", "\"medium\"", ERR_INVALID_PLAN,
                      "benefit.diseases[2].severity");
    expect_plan_error(plan_yw, "benefit.disability_bp", "[1,2,3]", ERR_RANGE,
                      "benefit.disability_bp");
    expect_plan_error(plan_yw, "benefit.medical.ratio_bp", "\"80%\"", ERR_BAD_TYPE,
                      "benefit.medical.ratio_bp");
    expect_plan_error(plan_yw, "benefit.medical", NULL, ERR_MISSING_FIELD, "benefit.medical");
}

static void assert_round_trip(const json_t *doc)
{
    struct plan *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char field[PLAN_FIELD_PATH_MAX];
    assert_int_equal(plan_from_json(doc, p, field, sizeof(field)), ERR_OK);
    json_t *out = plan_to_json(p);
    assert_non_null(out);
    assert_true(json_equal((json_t *)doc, out));
    assert_int_equal(plan_from_json(out, q, field, sizeof(field)), ERR_OK);
    assert_memory_equal(p, q, sizeof(*p));
    json_decref(out);
    free(p);
    free(q);
}

static void test_plan_round_trip(void **s)
{
    (void)s;
    const char *const docs[] = {plan_zy, plan_jt, plan_db, plan_yw, plan_round};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_error_t jerr;
        json_t *doc = json_loads(docs[i], 0, &jerr);
        assert_round_trip(doc);
        json_decref(doc);
    }
}

/* The sample plans in data/plans, found from the meson test workdir (BUILD/tests/unit). */
static void test_sample_plans(void **s)
{
    (void)s;
    const char *const codes[] = {"ZY", "JT", "DB", "NZ", "YW"};
    const enum plan_kind kinds[] = {PLAN_KIND_INPATIENT, PLAN_KIND_DAILY_ALLOWANCE,
                                    PLAN_KIND_CRITICAL_ILLNESS, PLAN_KIND_CRITICAL_ILLNESS,
                                    PLAN_KIND_ACCIDENT};
    char path[256];
    snprintf(path, sizeof(path), "../../../data/plans/ZY.json");
    FILE *probe = fopen(path, "r");
    if (probe == NULL) {
        skip();
    }
    fclose(probe);
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "../../../data/plans/%s.json", codes[i]);
        json_error_t jerr;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        assert_non_null(doc);
        assert_round_trip(doc);
        struct plan *p = malloc(sizeof(*p));
        char field[PLAN_FIELD_PATH_MAX];
        assert_int_equal(plan_from_json(doc, p, field, sizeof(field)), ERR_OK);
        assert_string_equal(p->code, codes[i]);
        assert_int_equal(p->kind, kinds[i]);
        free(p);
        json_decref(doc);
    }
}

/* ------------------------------------------------------------ case files */

static void expect_casefile_error(const char *text, enum err want, const char *want_msg)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    struct casefile cf;
    char msg[CASEFILE_ERROR_MAX];
    enum err e = casefile_from_json(doc, &cf, msg, sizeof(msg));
    if (e != want || strcmp(msg, want_msg) != 0) {
        print_error("got %s: %s\n", err_str(e), msg);
    }
    assert_int_equal(e, want);
    assert_string_equal(msg, want_msg);
    json_decref(doc);
}

static void test_casefile_errors(void **s)
{
    (void)s;
    char text[4096];
    const char *member = "{\"id\":\"W1\",\"gender\":\"F\",\"birth_date\":\"1985-06-15\","
                         "\"employment\":\"standard\"}";
    snprintf(text, sizeof(text),
             "{\"cases\":[{\"name\":\"c0\",\"plans\":[%s],\"members\":[%s],"
             "\"enrollments\":[{\"id\":\"E1\",\"member\":\"W9\",\"plan\":\"ZY\",\"version\":1,"
             "\"start\":\"2025-01-01\",\"shares\":1}],\"claims\":[],\"expect\":[]}]}",
             plan_zy, member);
    expect_casefile_error(text, ERR_NOT_FOUND, "case 0 \"c0\": enrollments[0].member: NOT_FOUND");
    snprintf(text, sizeof(text),
             "{\"cases\":[{\"name\":\"c0\",\"plans\":[%s],\"members\":[%s],"
             "\"enrollments\":[],\"claims\":[{\"id\":\"C1\",\"member\":\"W1\",\"plans\":[\"ZY\"],"
             "\"submitted\":\"2025-02-30\",\"event\":{}}]}]}",
             plan_zy, member);
    expect_casefile_error(text, ERR_INVALID_DATE,
                          "case 0 \"c0\": claims[0].submitted: INVALID_DATE");
    snprintf(text, sizeof(text),
             "{\"cases\":[{\"name\":\"c0\",\"plans\":[%s],\"members\":[%s],"
             "\"enrollments\":[],\"claims\":[{\"id\":\"C1\",\"member\":\"W1\",\"plans\":[\"ZY\"],"
             "\"submitted\":\"2025-02-03\",\"event\":{\"settlement\":{\"total_fen\":1}}}]}]}",
             plan_zy, member);
    expect_casefile_error(text, ERR_MISSING_FIELD,
                          "case 0 \"c0\": claims[0].event.settlement.fund_paid_fen: MISSING_FIELD");
    snprintf(text, sizeof(text),
             "{\"cases\":[{\"name\":\"c0\",\"plans\":[%s],\"members\":[%s],"
             "\"enrollments\":[],\"claims\":[{\"id\":\"C1\",\"member\":\"W1\",\"plans\":[\"XX\"],"
             "\"submitted\":\"2025-02-03\",\"event\":{}}]}]}",
             plan_zy, member);
    expect_casefile_error(text, ERR_NOT_FOUND, "case 0 \"c0\": claims[0].plans[0]: NOT_FOUND");
    snprintf(text, sizeof(text),
             "{\"cases\":[{\"name\":\"c0\",\"plans\":[%s],\"members\":[%s],"
             "\"enrollments\":[{\"id\":\"E1\",\"member\":\"W1\",\"plan\":\"ZY\",\"version\":1,"
             "\"start\":\"2025-01-01\",\"shares\":1},{\"id\":\"E2\",\"member\":\"W1\","
             "\"plan\":\"ZY\",\"version\":1,\"start\":\"2025-12-31\",\"shares\":1}],"
             "\"claims\":[]}]}",
             plan_zy, member);
    expect_casefile_error(text, ERR_CONFLICT, "case 0 \"c0\": enrollments[1].start: CONFLICT");
    expect_casefile_error("{\"cases\":[{\"name\":\"c0\",\"plans\":[{\"code\":\"ZY\"}],"
                          "\"members\":[],\"enrollments\":[],\"claims\":[]}]}",
                          ERR_MISSING_FIELD, "case 0 \"c0\": plans[0].version: MISSING_FIELD");
    expect_casefile_error("{\"cases\":[],\"extra\":1}", ERR_UNKNOWN_FIELD, "extra: UNKNOWN_FIELD");
}

/* Runs every claim of the public case file and checks every expected row. */
static void test_public_cases(void **s)
{
    (void)s;
    const char *shared = getenv("HUZHU_SHARED");
    if (shared == NULL) {
        skip();
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/cases/claims-public.json", shared);
    struct casefile cf;
    char msg[CASEFILE_ERROR_MAX];
    enum err e = casefile_load(path, &cf, msg, sizeof(msg));
    if (e) {
        print_error("%s\n", msg);
    }
    assert_int_equal(e, ERR_OK);
    size_t rows = 0, failed = 0;
    for (size_t i = 0; i < cf.ncases; i++) {
        struct case_def *c = &cf.cases[i];
        size_t x = 0;
        for (size_t k = 0; k < c->nclaims; k++) {
            struct case_claim *cc = &c->claims[k];
            struct adj_result r[ADJ_CLAIM_PLANS_MAX];
            const char *field;
            assert_int_equal(
                adjudicate_claim(&c->state, &c->members[cc->member], &cc->claim, r, &field),
                ERR_OK);
            for (size_t p = 0; p < cc->claim.nplans; p++, x++) {
                assert_true(x < c->nexpect);
                const struct case_expect *want = &c->expect[x];
                rows++;
                if (strcmp(want->claim, cc->claim.id) != 0 ||
                    strcmp(want->plan, r[p].plan->code) != 0 || want->decision != r[p].decision ||
                    want->reason != r[p].reason || want->payout_fen != r[p].payout_fen) {
                    print_error("%s %s %s: want %s %lld got %s %lld\n", c->name, want->claim,
                                want->plan, adj_decision_str(want->decision),
                                (long long)want->payout_fen, adj_decision_str(r[p].decision),
                                (long long)r[p].payout_fen);
                    failed++;
                }
            }
        }
        assert_int_equal(x, c->nexpect);
    }
    assert_int_equal(failed, 0);
    assert_int_equal(rows, 544);
    casefile_release(&cf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waiting_period_boundary),
        cmocka_unit_test(test_deadline_boundary),
        cmocka_unit_test(test_renewal_grace_boundary),
        cmocka_unit_test(test_cover_and_cancellation),
        cmocka_unit_test(test_tiers_one_rounding),
        cmocka_unit_test(test_tiers_cap_nothing_payable),
        cmocka_unit_test(test_reduced_period_boundary),
        cmocka_unit_test(test_critical_illness_lifetime),
        cmocka_unit_test(test_accident_per_accident_id),
        cmocka_unit_test(test_accident_medical_and_room),
        cmocka_unit_test(test_duplicate_invoice_after_approval),
        cmocka_unit_test(test_invoice_set_grows),
        cmocka_unit_test(test_invalid_input_is_an_error),
        cmocka_unit_test(test_plan_validation),
        cmocka_unit_test(test_plan_round_trip),
        cmocka_unit_test(test_sample_plans),
        cmocka_unit_test(test_casefile_errors),
        cmocka_unit_test(test_public_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
