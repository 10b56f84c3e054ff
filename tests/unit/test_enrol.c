/*
 * test_enrol: plan versions and states, every eligibility refusal code,
 * every participation rule, previews, all-or-nothing commits, individual
 * and gifted cover — on SQLite and on PostgreSQL (HUZHU_TEST_PG_URL, schema
 * t_enrol).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "enrol_fixture.h"

/* A plan document: code, version, participation and refund as given. */
static void plan_text(char *buf, size_t cap, const char *code, int version, const char *extra,
                      const char *eligibility)
{
    snprintf(buf, cap,
             "{\"code\":\"%s\",\"version\":%d,\"name\":\"Test %s\",\"kind\":\"inpatient\","
             "\"share_price_fen\":6001,\"max_shares\":3,\"term_months\":12,"
             "\"eligibility\":%s,\"waiting_days\":90,\"renewal_grace_days\":30,"
             "\"claim_deadline_days\":730,\"benefit\":{\"deductible_fen\":50000,"
             "\"include_out_of_scope\":false,\"tiers\":[{\"upto_fen\":null,\"ratio_bp\":5000}],"
             "\"annual_cap_fen_per_share\":1000000}%s}",
             code, version, code, eligibility, extra);
}

#define ELIG_STD "{\"min_age\":18,\"max_age\":60,\"employment\":[\"standard\",\"courier\"]}"

static void load_plan(struct fixture *f, const char *code, int version, const char *extra,
                      const char *elig, bool publish)
{
    char text[2048];
    plan_text(text, sizeof(text), code, version, extra, elig);
    fx_plan(f, text, publish);
}

/* ------------------------------------------------------------------ plans */

struct count_ctx {
    int n;
    int published;
};

static enum err count_plan(void *arg, const struct plan_summary *p)
{
    struct count_ctx *x = arg;
    x->n++;
    x->published += p->state == PLAN_STATE_PUBLISHED;
    return ERR_OK;
}

static void test_plan_states(void **state)
{
    NEED_FIXTURE();
    load_plan(f, "PS", 1, "", ELIG_STD, false);
    /* loading the same version again */
    char text[2048];
    plan_text(text, sizeof(text), "PS", 1, "", ELIG_STD);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    char field[PLAN_FIELD_PATH_MAX];
    assert_int_equal(plans_load(f->c, doc, NULL, field, sizeof(field)), ERR_EXISTS);
    json_decref(doc);
    /* an invalid document names its field */
    plan_text(text, sizeof(text), "PX", 1, ",\"participation\":{\"min_ratio_bp\":10001}",
              ELIG_STD);
    doc = json_loads(text, 0, &jerr);
    assert_int_equal(plans_load(f->c, doc, NULL, field, sizeof(field)), ERR_RANGE);
    assert_string_equal(field, "participation.min_ratio_bp");
    json_decref(doc);
    plan_text(text, sizeof(text), "PX", 1, ",\"refund\":\"all\"", ELIG_STD);
    doc = json_loads(text, 0, &jerr);
    assert_int_equal(plans_load(f->c, doc, NULL, field, sizeof(field)), ERR_INVALID_PLAN);
    assert_string_equal(field, "refund");
    json_decref(doc);
    plan_text(text, sizeof(text), "PX", 1, ",\"participation\":{\"everyone\":true}", ELIG_STD);
    doc = json_loads(text, 0, &jerr);
    assert_int_equal(plans_load(f->c, doc, NULL, field, sizeof(field)), ERR_UNKNOWN_FIELD);
    assert_string_equal(field, "participation.everyone");
    json_decref(doc);

    /* draft: no enrolment */
    int64_t emp = fx_employer(f, f->city_org, ++f->serial);
    int64_t m = fx_member(f, f->city_org, emp, "M", "1980-01-01", "standard", 0);
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "PS", "2025-01-01");
    r.member_ids = &m;
    r.nmembers = 1;
    struct enrol_preview p;
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)),
                     ERR_PLAN_NOT_PUBLISHED);
    assert_string_equal(field, "plan_code");
    enrol_preview_release(&p);
    r.plan_version = 1;
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)),
                     ERR_PLAN_NOT_PUBLISHED);
    assert_string_equal(field, "plan_version");
    enrol_preview_release(&p);

    /* states only move forward */
    assert_int_equal(plans_close(f->c, "PS", 1), ERR_CONFLICT);
    assert_int_equal(plans_publish(f->c, "PS", 1), ERR_OK);
    assert_int_equal(plans_publish(f->c, "PS", 1), ERR_CONFLICT);
    assert_int_equal(plans_publish(f->c, "PS", 9), ERR_NOT_FOUND);
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t batch_v1 = p.batch_id;
    enrol_preview_release(&p);

    /* a new version does not change the earlier version's enrolment */
    load_plan(f, "PS", 2, ",\"refund\":\"unexpired_months\"",
              "{\"min_age\":18,\"max_age\":50}", true);
    struct plan_version *pv = malloc(sizeof(*pv));
    assert_int_equal(plans_get_in_tx(f->c, 0, "PS", 0, pv), ERR_OK);
    assert_int_equal(pv->plan.version, 2);
    assert_true(pv->plan.has_refund);
    int64_t v2_id = pv->id;
    free(pv);
    struct store_enrol_batch_row b;
    assert_int_equal(store_enrol_batch_get(f->c, batch_v1, &b), ERR_OK);
    assert_true(b.b.plan_id != v2_id);
    assert_int_equal(plans_close(f->c, "PS", 1), ERR_OK);
    assert_int_equal(plans_publish(f->c, "PS", 1), ERR_CONFLICT); /* closed stays closed */
    assert_int_equal(store_enrol_batch_get(f->c, batch_v1, &b), ERR_OK);
    pv = malloc(sizeof(*pv));
    assert_int_equal(plans_get_in_tx(f->c, b.b.plan_id, NULL, 0, pv), ERR_OK);
    assert_int_equal(pv->plan.version, 1);
    assert_int_equal(pv->state, PLAN_STATE_CLOSED);
    assert_false(pv->plan.has_refund);
    free(pv);

    struct count_ctx cc = {0, 0};
    assert_int_equal(plans_list(f->c, count_plan, &cc), ERR_OK);
    assert_true(cc.n >= 2);
    assert_true(cc.published >= 1);
}

static void test_sample_plans(void **state)
{
    NEED_FIXTURE();
    if (access("../../../data/plans/ZY.json", R_OK) != 0) { /* run outside BUILD/tests/unit */
        skip();
    }
    size_t loaded = 0;
    assert_int_equal(plans_load_samples(f->c, "../../../data/plans", &loaded), ERR_OK);
    assert_int_equal(loaded, 5);
    assert_int_equal(plans_load_samples(f->c, "../../../data/plans", &loaded), ERR_OK);
    assert_int_equal(loaded, 0); /* idempotent */
    struct plan_version *pv = malloc(sizeof(*pv));
    assert_int_equal(plans_get_in_tx(f->c, 0, "NZ", 0, pv), ERR_OK);
    assert_int_equal(pv->state, PLAN_STATE_PUBLISHED);
    assert_int_equal(pv->plan.eligibility.genders_mask, PLAN_GENDER_F);
    free(pv);
    assert_int_equal(plans_load_samples(f->c, "/nonexistent", &loaded), ERR_IO);
}

/* ------------------------------------------------------------- eligibility */

static enum err try_individual(struct fixture *f, const struct enrol_actor *a, const char *code,
                               int64_t member, const char *start, int64_t shares, char *field)
{
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, code, start);
    r.member_ids = &member;
    r.nmembers = 1;
    r.shares = shares;
    struct enrol_preview p;
    enum err e = enrol_commit(f->c, a, &r, &p, field, ENROL_FIELD_MAX);
    enrol_preview_release(&p);
    return e;
}

static void test_eligibility_codes(void **state)
{
    NEED_FIXTURE();
    load_plan(f, "EL", 1, "", ELIG_STD, true);
    load_plan(f, "EF", 1, "", "{\"min_age\":18,\"max_age\":55,\"genders\":[\"F\"]}", true);
    char field[ENROL_FIELD_MAX];
    int64_t emp = fx_employer(f, f->city_org, ++f->serial);
    const struct enrol_actor *cli = &enrol_actor_cli;

    /* age: whole years on the term's start, both bounds inclusive */
    int64_t m17 = fx_member(f, f->city_org, emp, "M", "2007-01-02", "standard", 0);
    int64_t m18 = fx_member(f, f->city_org, emp, "M", "2007-01-01", "standard", 0);
    int64_t m60 = fx_member(f, f->city_org, emp, "M", "1964-01-02", "standard", 0);
    int64_t m61 = fx_member(f, f->city_org, emp, "M", "1964-01-01", "standard", 0);
    assert_int_equal(try_individual(f, cli, "EL", m17, "2025-01-01", 1, field),
                     ERR_AGE_OUT_OF_RANGE);
    assert_string_equal(field, "member_ids[0]");
    assert_int_equal(try_individual(f, cli, "EL", m18, "2025-01-01", 1, field), ERR_OK);
    assert_int_equal(try_individual(f, cli, "EL", m60, "2025-01-01", 1, field), ERR_OK);
    assert_int_equal(try_individual(f, cli, "EL", m61, "2025-01-01", 1, field),
                     ERR_AGE_OUT_OF_RANGE);

    /* gender */
    int64_t man = fx_member(f, f->city_org, emp, "M", "1990-05-05", "standard", 0);
    int64_t woman = fx_member(f, f->city_org, emp, "F", "1990-05-05", "standard", 0);
    assert_int_equal(try_individual(f, cli, "EF", man, "2025-01-01", 1, field),
                     ERR_GENDER_NOT_ELIGIBLE);
    assert_int_equal(try_individual(f, cli, "EF", woman, "2025-01-01", 1, field), ERR_OK);

    /* employment form */
    int64_t truck = fx_member(f, f->city_org, 0, "M", "1990-05-05", "truck", 0);
    int64_t courier = fx_member(f, f->city_org, 0, "M", "1990-05-05", "courier", 0);
    assert_int_equal(try_individual(f, cli, "EL", truck, "2025-01-01", 1, field),
                     ERR_EMPLOYMENT_NOT_ELIGIBLE);
    assert_int_equal(try_individual(f, cli, "EL", courier, "2025-01-01", 1, field), ERR_OK);

    /* shares: 1..max_shares */
    assert_int_equal(try_individual(f, cli, "EL", man, "2025-01-01", 4, field),
                     ERR_TOO_MANY_SHARES);
    assert_string_equal(field, "shares");
    assert_int_equal(try_individual(f, cli, "EL", man, "2025-01-01", 0, field),
                     ERR_TOO_MANY_SHARES);
    assert_int_equal(try_individual(f, cli, "EL", man, "2025-01-01", 3, field), ERR_OK);

    /* overlapping term in the same plan code; the day after the end is fine */
    assert_int_equal(try_individual(f, cli, "EL", man, "2025-12-31", 1, field),
                     ERR_OVERLAPPING_TERM);
    assert_int_equal(try_individual(f, cli, "EL", man, "2024-01-02", 1, field),
                     ERR_OVERLAPPING_TERM);
    assert_int_equal(try_individual(f, cli, "EL", man, "2026-01-01", 1, field), ERR_OK);
    /* another plan code does not overlap */
    assert_int_equal(try_individual(f, cli, "EF", woman, "2026-01-01", 1, field), ERR_OK);

    /* unknown member; member outside the caller's subtree */
    assert_int_equal(try_individual(f, cli, "EL", 999999, "2025-01-01", 1, field),
                     ERR_UNKNOWN_MEMBER);
    int64_t outsider = fx_member(f, f->other_org, 0, "M", "1990-05-05", "courier", 0);
    struct enrol_actor city = fx_actor(f->city_path);
    assert_int_equal(try_individual(f, &city, "EL", outsider, "2025-01-01", 1, field),
                     ERR_OUT_OF_SCOPE);
    struct enrol_actor other = fx_actor(f->other_path);
    assert_int_equal(try_individual(f, &other, "EL", outsider, "2025-01-01", 1, field), ERR_OK);

    /* unknown employer; employer outside the subtree */
    struct enrol_request r = fx_request(ENROL_GROUP, "EL", "2025-01-01");
    r.employer_id = 999999;
    struct enrol_preview p;
    assert_int_equal(enrol_preview(f->c, cli, &r, &p, field, sizeof(field)),
                     ERR_UNKNOWN_EMPLOYER);
    assert_string_equal(field, "employer_id");
    enrol_preview_release(&p);
    r.employer_id = emp;
    assert_int_equal(enrol_preview(f->c, &other, &r, &p, field, sizeof(field)), ERR_OUT_OF_SCOPE);
    assert_string_equal(field, "employer_id");
    enrol_preview_release(&p);

    /* group selection: not on the unit's roster, named twice */
    int64_t emp2 = fx_employer(f, f->city_org, ++f->serial);
    int64_t a = fx_member(f, f->city_org, emp2, "F", "1985-03-03", "standard", 0);
    int64_t sel[] = {a, courier, a, 999998, outsider};
    r.employer_id = emp2;
    r.member_ids = sel;
    r.nmembers = 5;
    assert_int_equal(enrol_preview(f->c, &city, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.neligible, 1);
    assert_int_equal(p.eligible[0], a);
    assert_int_equal(p.nrefused, 4);
    assert_int_equal(p.refused[0].code, ERR_NOT_IN_UNIT);
    assert_int_equal(p.refused[1].code, ERR_DUPLICATE_MEMBER);
    assert_int_equal(p.refused[2].code, ERR_UNKNOWN_MEMBER);
    assert_int_equal(p.refused[3].code, ERR_OUT_OF_SCOPE);
    enrol_preview_release(&p);

    /* gift: hardship or gig workers only, donor required, paid in full by the gift */
    int64_t poor = fx_member(f, f->city_org, emp, "M", "1980-02-02", "standard", 1);
    int64_t plain = fx_member(f, f->city_org, emp, "M", "1980-02-02", "standard", 0);
    int64_t rider = fx_member(f, f->city_org, 0, "F", "1995-02-02", "courier", 0);
    r = fx_request(ENROL_GIFT, "EL", "2025-01-01");
    int64_t gift1[] = {plain};
    r.member_ids = gift1;
    r.nmembers = 1;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_INVALID);
    assert_string_equal(field, "donor");
    enrol_preview_release(&p);
    snprintf(r.donor, sizeof(r.donor), "%s", "市总工会帮扶中心");
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)),
                     ERR_GIFT_NOT_ELIGIBLE);
    enrol_preview_release(&p);
    int64_t gift2[] = {poor, rider, plain};
    r.member_ids = gift2;
    r.nmembers = 3;
    r.shares = 2;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.neligible, 2);
    assert_int_equal(p.nrefused, 1);
    assert_int_equal(p.refused[0].member_id, plain);
    assert_int_equal(p.total.fen[COSTSHARE_GIFT], 2 * 2 * 6001);
    assert_int_equal(p.total.fen[COSTSHARE_WORKER], 0);
    struct invoice_view inv[4];
    size_t n;
    assert_int_equal(invoice_list_batch(f->c, cli, p.batch_id, inv, 4, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(inv[0].payer, COSTSHARE_GIFT);
    assert_string_equal(inv[0].payer_name, "市总工会帮扶中心");
    struct store_enrol_batch_row b;
    assert_int_equal(store_enrol_batch_get(f->c, p.batch_id, &b), ERR_OK);
    assert_string_equal(b.donor, "市总工会帮扶中心");
    enrol_preview_release(&p);

    /* individual: no unit, so no employer part */
    r = fx_request(ENROL_INDIVIDUAL, "EL", "2027-01-01");
    r.member_ids = &rider;
    r.nmembers = 1;
    r.funding.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, 1000};
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_FUNDING_INVALID);
    assert_string_equal(field, "funding.employer");
    enrol_preview_release(&p);
}

/* ----------------------------------------------------------- participation */

static int64_t count_batches(struct fixture *f)
{
    struct db_stmt *st;
    bool row;
    assert_int_equal(db_prepare(f->c->db, "SELECT COUNT(*) FROM enrol_batch", &st), ERR_OK);
    assert_int_equal(db_step(st, &row), ERR_OK);
    int64_t n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

static void test_participation(void **state)
{
    NEED_FIXTURE();
    load_plan(f, "PA", 1,
              ",\"participation\":{\"min_ratio_bp\":5000,\"all_if_staff_below\":5,"
              "\"equal_shares\":true}",
              ELIG_STD, true);
    char field[ENROL_FIELD_MAX];
    struct enrol_preview p;
    const struct enrol_actor *cli = &enrol_actor_cli;

    /* unit A: 10 eligible staff + 2 too old (not counted as eligible staff) */
    int64_t ua = fx_employer(f, f->city_org, ++f->serial);
    int64_t staff[10];
    for (int i = 0; i < 10; i++) {
        staff[i] = fx_member(f, f->city_org, ua, i % 2 ? "F" : "M", "1985-06-01", "standard", 0);
    }
    fx_member(f, f->city_org, ua, "M", "1950-01-01", "standard", 0);
    fx_member(f, f->city_org, ua, "M", "1951-01-01", "standard", 0);
    struct enrol_request r = fx_request(ENROL_GROUP, "PA", "2025-01-01");
    r.employer_id = ua;
    r.member_ids = staff;
    r.nmembers = 4; /* 4 of 10 = 40 % < 50 % */
    int64_t before = count_batches(f);
    assert_int_equal(enrol_preview(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.roster_size, 12);
    assert_int_equal(p.eligible_staff, 10);
    assert_int_equal(p.participation, ERR_PARTICIPATION_TOO_LOW);
    enrol_preview_release(&p);
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)),
                     ERR_PARTICIPATION_TOO_LOW);
    assert_string_equal(field, "member_ids");
    enrol_preview_release(&p);
    assert_int_equal(count_batches(f), before); /* nothing written */
    r.nmembers = 5; /* exactly 50 % */
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.neligible, 5);
    enrol_preview_release(&p);

    /* the rest of unit A with other shares: unequal; with the same: fine and
     * the already enrolled count towards participation */
    r.member_ids = staff + 5;
    r.nmembers = 1;
    r.shares = 2;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_UNEQUAL_SHARES);
    enrol_preview_release(&p);
    r.shares = 1;
    assert_int_equal(enrol_preview(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.already_enrolled, 5);
    assert_int_equal(p.participation, ERR_OK);
    enrol_preview_release(&p);
    /* the whole roster: the 5 enrolled are refused as overlapping, the 2
     * too old skipped, the other 5 enrolled */
    r.member_ids = NULL;
    r.nmembers = 0;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.neligible, 5);
    assert_int_equal(p.nrefused, 7);
    int overlapping = 0, age = 0;
    for (size_t i = 0; i < p.nrefused; i++) {
        overlapping += p.refused[i].code == ERR_OVERLAPPING_TERM;
        age += p.refused[i].code == ERR_AGE_OUT_OF_RANGE;
    }
    assert_int_equal(overlapping, 5);
    assert_int_equal(age, 2);
    enrol_preview_release(&p);
    /* nothing left */
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)),
                     ERR_NO_ELIGIBLE_MEMBERS);
    enrol_preview_release(&p);

    /* unit B: 3 staff, under 5: everyone or no one */
    int64_t ub = fx_employer(f, f->city_org, ++f->serial);
    int64_t small[3];
    for (int i = 0; i < 3; i++) {
        small[i] = fx_member(f, f->city_org, ub, "M", "1990-01-01", "standard", 0);
    }
    r = fx_request(ENROL_GROUP, "PA", "2025-01-01");
    r.employer_id = ub;
    r.member_ids = small;
    r.nmembers = 2;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_MUST_ENROL_ALL);
    enrol_preview_release(&p);
    r.nmembers = 3;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    enrol_preview_release(&p);

    /* a plan without participation rules takes any selection */
    load_plan(f, "PN", 1, "", ELIG_STD, true);
    r = fx_request(ENROL_GROUP, "PN", "2025-01-01");
    r.employer_id = ua;
    r.member_ids = staff;
    r.nmembers = 1;
    assert_int_equal(enrol_commit(f->c, cli, &r, &p, field, sizeof(field)), ERR_OK);
    enrol_preview_release(&p);
}

/* pure participation rule boundaries */
static void test_participation_rules(void **state)
{
    (void)state;
    struct plan *plan = calloc(1, sizeof(*plan));
    struct enrol_participation pa = {10, 10, 10, false};
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_OK);
    pa.participating = 0;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_OK); /* no rules */
    plan->has_participation = true;
    plan->participation.min_ratio_bp = 3333;
    pa = (struct enrol_participation){3, 3, 1, false};
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_OK); /* 33.33 % of 3 = 1 */
    plan->participation.min_ratio_bp = 3334;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_PARTICIPATION_TOO_LOW);
    plan->participation.min_ratio_bp = 0;
    plan->participation.all_if_staff_below = 3;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_OK); /* 3 staff: not under 3 */
    pa.roster_size = 2;
    pa.eligible_staff = 2;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_MUST_ENROL_ALL);
    pa.participating = 2;
    pa.unequal_shares = true;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_OK);
    plan->participation.equal_shares = true;
    assert_int_equal(enrol_check_participation(plan, &pa), ERR_UNEQUAL_SHARES);
    free(plan);
}

/* ----------------------------------------------------------------- preview */

static void test_preview_costs(void **state)
{
    NEED_FIXTURE();
    load_plan(f, "PC", 1, "", ELIG_STD, true);
    char field[ENROL_FIELD_MAX];
    struct enrol_preview p;
    int64_t u = fx_employer(f, f->city_org, ++f->serial);
    for (int i = 0; i < 7; i++) {
        fx_member(f, f->city_org, u, "M", "1980-01-01", "standard", 0);
    }
    /* 行政拿一点、工会补一点、职工交一点: 1/3 each of 6001 fen, 2 shares */
    struct enrol_request r = fx_request(ENROL_GROUP, "PC", "2025-03-31");
    r.employer_id = u;
    r.shares = 2;
    r.funding.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, 3333};
    r.funding.parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_BP, 3333};
    r.funding.remainder_payer = COSTSHARE_WORKER;
    assert_int_equal(enrol_preview(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    assert_int_equal(p.neligible, 7);
    assert_int_equal(p.share.fen[COSTSHARE_EMPLOYER], 2000); /* 2000.13 down */
    assert_int_equal(p.share.fen[COSTSHARE_UNION], 2000);
    assert_int_equal(p.share.fen[COSTSHARE_WORKER], 2001);
    assert_int_equal(p.enrolment.fen[COSTSHARE_WORKER], 4002);
    assert_int_equal(p.total.fen[COSTSHARE_EMPLOYER], 28000);
    assert_int_equal(p.total.fen[COSTSHARE_UNION], 28000);
    assert_int_equal(p.total.fen[COSTSHARE_WORKER], 28014);
    assert_int_equal(costshare_total(&p.total), 7 * 2 * 6001);
    /* term: 2025-03-31 + 12 months - 1 day */
    char end[11];
    date_format(p.term_end, end);
    assert_string_equal(end, "2026-03-30");
    assert_int_equal(p.batch_id, 0);
    enrol_preview_release(&p);
    /* a split over 100 % is refused with its field */
    r.funding.parts[COSTSHARE_UNION].value = 7000;
    assert_int_equal(enrol_preview(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)),
                     ERR_FUNDING_INVALID);
    assert_string_equal(field, "funding.union.bp");
    enrol_preview_release(&p);
    /* due date after the term's end */
    r.funding.parts[COSTSHARE_UNION].value = 0;
    r.due_date = D("2026-03-31");
    assert_int_equal(enrol_preview(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)),
                     ERR_INVALID_DATE);
    assert_string_equal(field, "due_date");
    enrol_preview_release(&p);
}

static void test_term_and_refund_rules(void **state)
{
    (void)state;
    struct plan *plan = calloc(1, sizeof(*plan));
    plan->term_months = 12;
    char buf[11];
    date_format(enrol_term_end(plan, D("2024-02-29")), buf);
    assert_string_equal(buf, "2025-02-27"); /* add_months clamps to 2025-02-28 */
    date_format(enrol_term_end(plan, D("2025-01-01")), buf);
    assert_string_equal(buf, "2025-12-31");
    int32_t m;
    int64_t refund;
    /* rule none */
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2025-04-01"), 1200,
                                  &m, &refund),
                     ERR_OK);
    assert_int_equal(m, 9);
    assert_int_equal(refund, 0);
    plan->refund = PLAN_REFUND_UNEXPIRED_MONTHS;
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2025-04-01"), 1201,
                                  &m, &refund),
                     ERR_OK);
    assert_int_equal(m, 9);
    assert_int_equal(refund, 900); /* 1201 * 9 / 12 = 900.75 down */
    /* mid-month: only whole months count */
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2025-04-02"), 1200,
                                  &m, &refund),
                     ERR_OK);
    assert_int_equal(m, 8);
    assert_int_equal(refund, 800);
    /* boundaries: the first day gives everything back, the last day nothing */
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2025-01-01"), 1200,
                                  &m, &refund),
                     ERR_OK);
    assert_int_equal(m, 12);
    assert_int_equal(refund, 1200);
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2025-12-31"), 1200,
                                  &m, &refund),
                     ERR_OK);
    assert_int_equal(m, 0);
    assert_int_equal(refund, 0);
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2026-01-01"), 1200,
                                  &m, &refund),
                     ERR_INVALID_DATE);
    assert_int_equal(enrol_refund(plan, D("2025-01-01"), D("2025-12-31"), D("2024-12-31"), 1200,
                                  &m, &refund),
                     ERR_INVALID_DATE);
    free(plan);
}

static int setup_sqlite(void **state)
{
    return fx_setup_sqlite(state, "enrol");
}

static int setup_pg(void **state)
{
    return fx_setup_pg(state, "t_enrol");
}

/* PostgreSQL, REPEATABLE READ: a second transaction whose snapshot predates
 * a first one's enrolment of the same member must not pass the overlap
 * check. Its commit locks the member row the first one updated: a
 * serialization failure (ERR_RETRY), and the run store_with_tx makes next
 * sees the overlap. Deterministic: the snapshot is taken before the first
 * commit. */
static void test_concurrent_enrolment(void **state)
{
    NEED_FIXTURE();
    if (!f->pg) {
        skip(); /* SQLite: BEGIN IMMEDIATE serialises writers */
    }
    load_plan(f, "CC", 1, "", ELIG_STD, true);
    int64_t m = fx_member(f, f->city_org, 0, "M", "1990-05-05", "courier", 0);
    char field[ENROL_FIELD_MAX];
    struct store *s2;
    struct store_conn *c2;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open(f->url, &opt, &s2), ERR_OK);
    assert_int_equal(store_acquire(s2, &c2), ERR_OK);
    assert_int_equal(db_begin(c2->db), ERR_OK);
    assert_int_equal(db_exec(c2->db, "SELECT COUNT(*) FROM enrolment"), ERR_OK); /* snapshot */
    assert_int_equal(try_individual(f, &enrol_actor_cli, "CC", m, "2025-01-01", 1, field), ERR_OK);
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "CC", "2025-06-01");
    r.member_ids = &m;
    r.nmembers = 1;
    struct enrol_preview p;
    enum err e = enrol_commit_in_tx(c2, &enrol_actor_cli, &r, &p, field, sizeof(field));
    enrol_preview_release(&p);
    db_rollback(c2->db);
    assert_int_equal(e, ERR_RETRY);
    assert_int_equal(enrol_commit(c2, &enrol_actor_cli, &r, &p, field, sizeof(field)),
                     ERR_OVERLAPPING_TERM);
    enrol_preview_release(&p);
    store_release(c2);
    store_close(s2);
    struct db_stmt *st;
    bool row;
    static const char sql[] = "SELECT COUNT(*) FROM enrolment WHERE member_id = $1";
    assert_int_equal(db_prepare(f->c->db, sql, &st), ERR_OK);
    db_bind_int64(st, 1, m);
    assert_int_equal(db_step(st, &row), ERR_OK);
    assert_int_equal(db_col_int64(st, 0), 1);
    db_reset(st);
}

int main(void)
{
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_plan_states),
        cmocka_unit_test(test_sample_plans),
        cmocka_unit_test(test_eligibility_codes),
        cmocka_unit_test(test_participation),
        cmocka_unit_test(test_preview_costs),
        cmocka_unit_test(test_concurrent_enrolment),
    };
    const struct CMUnitTest pure_tests[] = {
        cmocka_unit_test(test_participation_rules),
        cmocka_unit_test(test_term_and_refund_rules),
    };
    int failed = cmocka_run_group_tests_name("pure", pure_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite", db_tests, setup_sqlite, fx_teardown);
    failed += cmocka_run_group_tests_name("postgresql", db_tests, setup_pg, fx_teardown);
    return failed;
}
