/*
 * test_money: parsing, formatting, checked arithmetic and basis-point
 * rounding of int64_t fen (spec/benefit-rules.md: apply = (a*bp + 5000)/10000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/money.h"

static enum err parse(const char *s, int64_t *out)
{
    return money_parse(s, strlen(s), out);
}

static void assert_parses(const char *s, int64_t want)
{
    int64_t got = -12345;
    assert_int_equal(parse(s, &got), ERR_OK);
    assert_int_equal(got, want);
}

static void test_parse_valid(void **state)
{
    (void)state;
    assert_parses("1234.56", 123456);
    assert_parses("1,234.56", 123456);
    assert_parses("1,234,567", 123456700);
    assert_parses("123,456.7", 12345670);
    assert_parses("¥12", 1200);
    assert_parses("￥12.5", 1250);
    assert_parses("-3", -300);
    assert_parses("-¥3.01", -301);
    assert_parses("¥-3.01", -301);
    assert_parses(" 7 ", 700);
    assert_parses("0", 0);
    assert_parses("0.01", 1);
    assert_parses("0.1", 10);
    assert_parses("007", 700);
    assert_parses("-0", 0);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    int64_t v;
    const char *bad[] = {"",      "-",       " ",      "¥",     "1,23.45", "12.345", "1,2345",
                         ",123",  "1234,567", "1,,234", "12,",   "12.",     ".5",     "+5",
                         "--5",   "1 234",   "1.2.3",  "1e3",   "$12",     "12¥",    "¥¥12",
                         "1,234.", "１２",   "12.3a",  "0x10",  "\t7",     "-¥-3",   "1.-5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &v) != ERR_INVALID_MONEY) {
            print_error("accepted \"%s\"\n", bad[i]);
            fail();
        }
    }
    /* len is honoured, and an embedded NUL is just a bad byte */
    assert_int_equal(money_parse("12.345", 5, &v), ERR_OK);
    assert_int_equal(v, 1234);
    assert_int_equal(money_parse("12\0003", 4, &v), ERR_INVALID_MONEY);
    assert_int_equal(money_parse("¥12", 1, &v), ERR_INVALID_MONEY); /* half a ¥ */
}

static void test_parse_overflow(void **state)
{
    (void)state;
    int64_t v;
    assert_parses("92233720368547758.07", INT64_MAX);
    assert_parses("92,233,720,368,547,758.07", INT64_MAX);
    assert_parses("-92233720368547758.07", -INT64_MAX);
    assert_int_equal(parse("92233720368547758.08", &v), ERR_OVERFLOW);
    assert_int_equal(parse("92233720368547759", &v), ERR_OVERFLOW);
    assert_int_equal(parse("9223372036854775808", &v), ERR_OVERFLOW);
    assert_int_equal(parse("99999999999999999999999", &v), ERR_OVERFLOW);
    /* The range is symmetric: INT64_MIN is not a parseable amount. */
    assert_int_equal(parse("-92233720368547758.08", &v), ERR_OVERFLOW);
}

static void assert_formats(int64_t fen, int grouped, const char *want)
{
    char buf[MONEY_FORMAT_MAX];
    money_format(fen, grouped, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    (void)state;
    assert_formats(0, 0, "0.00");
    assert_formats(1, 0, "0.01");
    assert_formats(-1, 0, "-0.01");
    assert_formats(-100, 1, "-1.00");
    assert_formats(123456, 0, "1234.56");
    assert_formats(123456, 1, "1,234.56");
    assert_formats(99999, 1, "999.99");
    assert_formats(100000, 1, "1,000.00");
    assert_formats(12345678901, 1, "123,456,789.01");
    assert_formats(INT64_MAX, 0, "92233720368547758.07");
    assert_formats(INT64_MAX, 1, "92,233,720,368,547,758.07");
    assert_formats(INT64_MIN, 0, "-92233720368547758.08");
    assert_formats(INT64_MIN, 1, "-92,233,720,368,547,758.08");
    assert_int_equal(strlen("-92,233,720,368,547,758.08") + 1 <= MONEY_FORMAT_MAX, 1);

    char small[5];
    money_format(123456, 0, small, sizeof(small)); /* truncated, still terminated */
    assert_string_equal(small, "1234");
}

static void test_format_parse_round_trip(void **state)
{
    (void)state;
    const int64_t values[] = {0, 1, -1, 99, 100, 101, 123456, -123456789, INT64_MAX, -INT64_MAX};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        for (int grouped = 0; grouped <= 1; grouped++) {
            char buf[MONEY_FORMAT_MAX];
            int64_t back;
            money_format(values[i], grouped, buf, sizeof(buf));
            assert_int_equal(parse(buf, &back), ERR_OK);
            assert_int_equal(back, values[i]);
        }
    }
}

static void test_arithmetic(void **state)
{
    (void)state;
    int64_t r;
    assert_int_equal(money_add(1, 2, &r), ERR_OK);
    assert_int_equal(r, 3);
    assert_int_equal(money_add(INT64_MAX - 1, 1, &r), ERR_OK);
    assert_int_equal(r, INT64_MAX);
    assert_int_equal(money_add(INT64_MAX, 1, &r), ERR_OVERFLOW);
    assert_int_equal(money_add(INT64_MIN, -1, &r), ERR_OVERFLOW);
    assert_int_equal(money_sub(5, 7, &r), ERR_OK);
    assert_int_equal(r, -2);
    assert_int_equal(money_sub(INT64_MIN, 1, &r), ERR_OVERFLOW);
    assert_int_equal(money_sub(0, INT64_MIN, &r), ERR_OVERFLOW);
    assert_int_equal(money_sub(-1, INT64_MAX, &r), ERR_OK);
    assert_int_equal(r, INT64_MIN);
    assert_int_equal(money_mul(1500, 3, &r), ERR_OK);
    assert_int_equal(r, 4500);
    assert_int_equal(money_mul(INT64_MAX / 2, 2, &r), ERR_OK);
    assert_int_equal(money_mul(INT64_MAX / 2 + 1, 2, &r), ERR_OVERFLOW);
    assert_int_equal(money_mul(INT64_MIN, -1, &r), ERR_OVERFLOW);
    assert_int_equal(money_min(3, -4), -4);
    assert_int_equal(money_max(3, -4), 3);
}

static int64_t apply(int64_t amount, int64_t bp)
{
    int64_t r = -1;
    assert_int_equal(money_apply_bp(amount, bp, &r), ERR_OK);
    return r;
}

static void test_apply_bp(void **state)
{
    (void)state;
    assert_int_equal(apply(1, 5000), 1);  /* exactly half: up */
    assert_int_equal(apply(1, 4999), 0);  /* just under half */
    assert_int_equal(apply(3, 1666), 0);  /* 0.4998 fen */
    assert_int_equal(apply(3, 1667), 1);  /* 0.5001 fen */
    assert_int_equal(apply(15, 3333), 5); /* 4.9995 */
    assert_int_equal(apply(10000, 8000), 8000);
    assert_int_equal(apply(123456, BP_ONE), 123456);
    assert_int_equal(apply(123456, 0), 0);
    assert_int_equal(apply(0, 7000), 0);
    int64_t r;
    assert_int_equal(money_apply_bp(INT64_MAX / BP_ONE, BP_ONE, &r), ERR_OK);
    assert_int_equal(money_apply_bp(INT64_MAX / 2, 3, &r), ERR_OVERFLOW);
    /* amount*bp fits but + 5000 does not */
    assert_int_equal(money_apply_bp(INT64_MAX, 1, &r), ERR_OVERFLOW);
    assert_int_equal(money_apply_bp(-1, 5000, &r), ERR_RANGE);
    assert_int_equal(money_apply_bp(1, -1, &r), ERR_RANGE);
}

static void test_round_bp_sum(void **state)
{
    (void)state;
    /* 15 fen at 33.33 % and 15 fen at 33.34 %: rounded once is 10, each
     * rounded alone would be 5 + 5 = 10; 1 at 30 % + 1 at 30 % = 0.6 -> 1,
     * where rounding each alone gives 0. */
    assert_int_equal(money_round_bp_sum(15 * 3333 + 15 * 3334), 10);
    assert_int_equal(money_round_bp_sum(1 * 3000 + 1 * 3000), 1);
    assert_int_equal(apply(1, 3000) + apply(1, 3000), 0);
    assert_int_equal(money_round_bp_sum(0), 0);
    assert_int_equal(money_round_bp_sum(4999), 0);
    assert_int_equal(money_round_bp_sum(5000), 1);
    assert_int_equal(money_round_bp_sum(15000), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_overflow),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_apply_bp),
        cmocka_unit_test(test_round_bp_sum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
