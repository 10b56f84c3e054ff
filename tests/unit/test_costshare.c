/*
 * test_costshare: splitting a share's price between payers. The rounding
 * rule (bp parts rounded down, remainder to the named payer) is checked on
 * splits that do not divide evenly, and the parts always add up exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/costshare.h"

static struct costshare_spec spec3(int64_t e_bp, int64_t u_bp, enum costshare_payer rest)
{
    struct costshare_spec s;
    memset(&s, 0, sizeof(s));
    s.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, e_bp};
    s.parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_BP, u_bp};
    s.remainder_payer = rest;
    return s;
}

static void test_thirds(void **state)
{
    (void)state;
    struct costshare_spec s = spec3(3333, 3333, COSTSHARE_WORKER);
    struct costshare_split out;
    const char *field;
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_OK);
    assert_int_equal(out.fen[COSTSHARE_EMPLOYER], 333); /* 333.3 rounded down */
    assert_int_equal(out.fen[COSTSHARE_UNION], 333);
    assert_int_equal(out.fen[COSTSHARE_WORKER], 334); /* takes the remainder */
    assert_int_equal(out.fen[COSTSHARE_GIFT], 0);
    assert_int_equal(costshare_total(&out), 1000);
}

static void test_all_bp_remainder_is_rounding(void **state)
{
    (void)state;
    /* 3333 + 3333 + 3334 = 10000 bp of 6001 fen: 2000.1333, 2000.1333, 2000.7334 */
    struct costshare_spec s = spec3(3333, 3333, COSTSHARE_UNION);
    s.parts[COSTSHARE_WORKER] = (struct costshare_part){COSTSHARE_BP, 3334};
    struct costshare_split out;
    const char *field;
    assert_int_equal(costshare_split_share(&s, 6001, &out, &field), ERR_OK);
    assert_int_equal(out.fen[COSTSHARE_EMPLOYER], 2000);
    assert_int_equal(out.fen[COSTSHARE_WORKER], 2000);
    assert_int_equal(out.fen[COSTSHARE_UNION], 2001); /* 2000 + the 1 fen left over */
    assert_int_equal(costshare_total(&out), 6001);
}

static void test_fixed_and_bp(void **state)
{
    (void)state;
    struct costshare_spec s;
    memset(&s, 0, sizeof(s));
    s.parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_FIXED, 1000};
    s.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, 5000};
    s.remainder_payer = COSTSHARE_WORKER;
    struct costshare_split out;
    const char *field;
    assert_int_equal(costshare_split_share(&s, 2501, &out, &field), ERR_OK);
    assert_int_equal(out.fen[COSTSHARE_EMPLOYER], 1250); /* 1250.5 down */
    assert_int_equal(out.fen[COSTSHARE_UNION], 1000);
    assert_int_equal(out.fen[COSTSHARE_WORKER], 251);
    struct costshare_split three;
    assert_int_equal(costshare_scale(&out, 3, &three), ERR_OK);
    assert_int_equal(costshare_total(&three), 3 * 2501);
    assert_int_equal(three.fen[COSTSHARE_WORKER], 753);
}

/* every price 0..2000 and several specs: parts >= 0, sum exact, bp parts floor */
static void test_exhaustive_sums(void **state)
{
    (void)state;
    const int64_t bps[][2] = {{0, 0}, {1, 1}, {3333, 3333}, {5000, 5000}, {9999, 1}, {7, 13}};
    for (size_t k = 0; k < sizeof(bps) / sizeof(bps[0]); k++) {
        for (int rest = 0; rest < COSTSHARE__COUNT; rest++) {
            struct costshare_spec s = spec3(bps[k][0], bps[k][1], (enum costshare_payer)rest);
            for (int64_t price = 0; price <= 2000; price++) {
                struct costshare_split out;
                const char *field;
                assert_int_equal(costshare_split_share(&s, price, &out, &field), ERR_OK);
                assert_int_equal(costshare_total(&out), price);
                for (int i = 0; i < COSTSHARE__COUNT; i++) {
                    assert_true(out.fen[i] >= 0);
                }
                if (rest != COSTSHARE_EMPLOYER) {
                    assert_int_equal(out.fen[COSTSHARE_EMPLOYER], price * bps[k][0] / 10000);
                }
            }
        }
    }
}

static void test_refusals(void **state)
{
    (void)state;
    struct costshare_split out;
    const char *field;
    struct costshare_spec s = spec3(6000, 5000, COSTSHARE_WORKER); /* 110 % */
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_FUNDING_INVALID);
    assert_string_equal(field, "funding.union.bp");
    s = spec3(10001, 0, COSTSHARE_WORKER);
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_FUNDING_INVALID);
    assert_string_equal(field, "funding.employer.bp");
    memset(&s, 0, sizeof(s));
    s.parts[COSTSHARE_GIFT] = (struct costshare_part){COSTSHARE_FIXED, 1001};
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_FUNDING_INVALID);
    assert_string_equal(field, "funding.gift.fen");
    /* boundary: exactly the price is fine */
    s.parts[COSTSHARE_GIFT].value = 1000;
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_OK);
    assert_int_equal(out.fen[COSTSHARE_GIFT], 1000);
    assert_int_equal(out.fen[COSTSHARE_EMPLOYER], 0);
    s = spec3(5000, 5000, COSTSHARE_WORKER);
    s.parts[COSTSHARE_WORKER] = (struct costshare_part){COSTSHARE_FIXED, 1};
    assert_int_equal(costshare_split_share(&s, 1000, &out, &field), ERR_FUNDING_INVALID);
}

static void test_json(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_loads("{\"employer\":{\"bp\":5000},\"union\":{\"fen\":1000},"
                             "\"worker\":{},\"remainder\":\"worker\"}",
                             0, &jerr);
    struct costshare_spec s;
    char field[64];
    assert_int_equal(costshare_spec_from_json(doc, &s, field, sizeof(field)), ERR_OK);
    assert_int_equal(s.parts[COSTSHARE_EMPLOYER].mode, COSTSHARE_BP);
    assert_int_equal(s.parts[COSTSHARE_UNION].value, 1000);
    assert_int_equal(s.remainder_payer, COSTSHARE_WORKER);
    json_t *back = costshare_spec_to_json(&s);
    assert_true(json_equal(doc, back));
    json_decref(back);
    json_decref(doc);

    const struct {
        const char *text;
        enum err e;
        const char *field;
    } bad[] = {
        {"{\"employer\":{\"bp\":5000}}", ERR_MISSING_FIELD, "funding.remainder"},
        {"{\"boss\":{},\"remainder\":\"worker\"}", ERR_UNKNOWN_FIELD, "funding.boss"},
        {"{\"union\":{\"pct\":5},\"remainder\":\"worker\"}", ERR_UNKNOWN_FIELD,
         "funding.union.pct"},
        {"{\"union\":{\"bp\":\"50\"},\"remainder\":\"worker\"}", ERR_BAD_TYPE, "funding.union.bp"},
        {"{\"union\":{\"bp\":10001},\"remainder\":\"worker\"}", ERR_FUNDING_INVALID,
         "funding.union.bp"},
        {"{\"union\":{\"bp\":1,\"fen\":1},\"remainder\":\"worker\"}", ERR_FUNDING_INVALID,
         "funding.union.fen"},
        {"{\"remainder\":\"boss\"}", ERR_FUNDING_INVALID, "funding.remainder"},
        {"{\"worker\":{\"fen\":-1},\"remainder\":\"worker\"}", ERR_FUNDING_INVALID,
         "funding.worker.fen"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        doc = json_loads(bad[i].text, JSON_PRESERVE_ORDER, &jerr);
        assert_non_null(doc);
        assert_int_equal(costshare_spec_from_json(doc, &s, field, sizeof(field)), bad[i].e);
        assert_string_equal(field, bad[i].field);
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thirds),
        cmocka_unit_test(test_all_bp_remainder_is_rounding),
        cmocka_unit_test(test_fixed_and_bp),
        cmocka_unit_test(test_exhaustive_sums),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
