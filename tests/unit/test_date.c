/*
 * test_date: strict parsing, day arithmetic across leap years, month
 * arithmetic with clamping, ages, and the HUZHU_TODAY pin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/date.h"

static struct date d(const char *s)
{
    struct date r;
    assert_int_equal(date_parse(s, strlen(s), &r), ERR_OK);
    return r;
}

static void assert_date(struct date got, const char *want)
{
    char buf[DATE_TEXT_LEN + 1];
    date_format(got, buf);
    assert_string_equal(buf, want);
}

static void test_parse_strict(void **state)
{
    (void)state;
    struct date r;
    assert_date(d("2024-02-29"), "2024-02-29");
    assert_date(d("1970-01-01"), "1970-01-01");
    assert_int_equal(d("1970-01-01").day, 0);
    assert_int_equal(d("1969-12-31").day, -1);
    assert_date(d("1900-01-01"), "1900-01-01");
    assert_date(d("9999-12-31"), "9999-12-31");
    assert_date(d("2000-02-29"), "2000-02-29");

    const char *bad[] = {"2023-02-29", "1900-02-29", "2024-2-29",   " 2024-02-29", "2024-02-29 ",
                         "2024/02/29", "2024-02-30", "2024-04-31",  "2024-13-01",  "2024-00-10",
                         "2024-01-00", "1899-12-31", "0000-01-01",  "+024-01-01",  "2024-0a-01",
                         "20240229",   "",           "2024-02-291", "-024-01-01",  "2024-1-001"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (date_parse(bad[i], strlen(bad[i]), &r) != ERR_INVALID_DATE) {
            print_error("accepted \"%s\"\n", bad[i]);
            fail();
        }
    }
    /* len is honoured; no NUL needed */
    assert_int_equal(date_parse("2024-02-29xyz", 10, &r), ERR_OK);
    assert_int_equal(date_parse("2024-02-2", 9, &r), ERR_INVALID_DATE);
    assert_int_equal(date_parse("2024-02\0-29", 10, &r), ERR_INVALID_DATE);
}

static void test_from_ymd(void **state)
{
    (void)state;
    struct date r;
    assert_int_equal(date_from_ymd(2024, 2, 29, &r), ERR_OK);
    assert_int_equal(date_from_ymd(2023, 2, 29, &r), ERR_INVALID_DATE);
    assert_int_equal(date_from_ymd(DATE_YEAR_MIN - 1, 12, 31, &r), ERR_INVALID_DATE);
    assert_int_equal(date_from_ymd(DATE_YEAR_MAX + 1, 1, 1, &r), ERR_INVALID_DATE);
    assert_int_equal(date_from_ymd(2024, 0, 1, &r), ERR_INVALID_DATE);
    assert_int_equal(date_from_ymd(2024, 13, 1, &r), ERR_INVALID_DATE);
    assert_int_equal(date_from_ymd(2024, 1, 32, &r), ERR_INVALID_DATE);
    int y, m, dd;
    date_to_ymd(d("1900-03-01"), &y, &m, &dd);
    assert_int_equal(y, 1900);
    assert_int_equal(m, 3);
    assert_int_equal(dd, 1);
    assert_true(date_is_leap_year(2000));
    assert_false(date_is_leap_year(1900));
    assert_true(date_is_leap_year(2024));
    assert_false(date_is_leap_year(2023));
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2023, 12), 31);
    assert_int_equal(date_days_in_month(2023, 11), 30);
}

static void test_days_between(void **state)
{
    (void)state;
    assert_int_equal(date_days_between(d("2024-02-28"), d("2024-03-01")), 2);
    assert_int_equal(date_days_between(d("2023-02-28"), d("2023-03-01")), 1);
    assert_int_equal(date_days_between(d("2024-01-01"), d("2025-01-01")), 366);
    assert_int_equal(date_days_between(d("2023-01-01"), d("2024-01-01")), 365);
    assert_int_equal(date_days_between(d("1900-01-01"), d("2000-01-01")), 36524);
    assert_int_equal(date_days_between(d("2000-01-01"), d("2100-01-01")), 36525);
    assert_int_equal(date_days_between(d("2024-03-01"), d("2024-02-28")), -2);
    assert_int_equal(date_days_between(d("2024-03-01"), d("2024-03-01")), 0);
    assert_date(date_add_days(d("2024-02-28"), 1), "2024-02-29");
    assert_date(date_add_days(d("2024-02-29"), 1), "2024-03-01");
    assert_date(date_add_days(d("2024-01-01"), -1), "2023-12-31");
    assert_date(date_add_days(d("1969-12-31"), 1), "1970-01-01");
}

static void test_add_months(void **state)
{
    (void)state;
    assert_date(date_add_months(d("2024-01-31"), 1), "2024-02-29");
    assert_date(date_add_months(d("2023-01-31"), 1), "2023-02-28");
    assert_date(date_add_months(d("2024-01-30"), 1), "2024-02-29");
    assert_date(date_add_months(d("2024-01-15"), 1), "2024-02-15");
    assert_date(date_add_months(d("2024-12-15"), 1), "2025-01-15");
    assert_date(date_add_months(d("2024-03-31"), 1), "2024-04-30");
    assert_date(date_add_months(d("2024-02-29"), 12), "2025-02-28");
    assert_date(date_add_months(d("2024-02-29"), 48), "2028-02-29");
    assert_date(date_add_months(d("2024-05-31"), 0), "2024-05-31");
    assert_date(date_add_months(d("2024-03-31"), -1), "2024-02-29");
    assert_date(date_add_months(d("2024-01-15"), -1), "2023-12-15");
    assert_date(date_add_months(d("2024-01-31"), -13), "2022-12-31");
    assert_date(date_add_months(d("2024-01-31"), -24), "2022-01-31");
    /* Far enough back the month total goes negative: still a real month. */
    struct date far = date_add_months(d("2024-01-15"), -(2024 * 12 + 1));
    int y, m, dd;
    date_to_ymd(far, &y, &m, &dd);
    assert_int_equal(y, -1);
    assert_int_equal(m, 12);
    assert_int_equal(dd, 15);
}

static void test_age_on(void **state)
{
    (void)state;
    struct date birth = d("2010-11-28");
    assert_int_equal(date_age_on(birth, d("2026-11-27")), 15);
    assert_int_equal(date_age_on(birth, d("2026-11-28")), 16);
    assert_int_equal(date_age_on(birth, d("2026-11-29")), 16);
    assert_int_equal(date_age_on(birth, d("2010-11-28")), 0);
    assert_int_equal(date_age_on(d("1990-12-31"), d("2026-01-01")), 35);
    /* 29 February birthdays: 1 March in common years, the day in leap years */
    struct date leap = d("2008-02-29");
    assert_int_equal(date_age_on(leap, d("2026-02-28")), 17);
    assert_int_equal(date_age_on(leap, d("2026-03-01")), 18);
    assert_int_equal(date_age_on(leap, d("2028-02-28")), 19);
    assert_int_equal(date_age_on(leap, d("2028-02-29")), 20);
}

static void test_today_pin(void **state)
{
    (void)state;
    assert_int_equal(setenv("HUZHU_TODAY", "2026-11-28", 1), 0);
    assert_date(date_today(), "2026-11-28");
    assert_int_equal(setenv("HUZHU_TODAY", "2024-02-29", 1), 0);
    assert_date(date_today(), "2024-02-29");

    /* A bad pin is ignored: the clock is used (some day after 2024). */
    const char *bad[] = {"2023-02-29", "2024", "", "2024-02-29 extra", "soon"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(setenv("HUZHU_TODAY", bad[i], 1), 0);
        assert_true(date_today().day > d("2024-06-01").day);
    }
    assert_int_equal(unsetenv("HUZHU_TODAY"), 0);
    struct date now = date_today();
    assert_true(now.day > d("2024-06-01").day);
    assert_true(now.day < d("2200-01-01").day);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_from_ymd),
        cmocka_unit_test(test_days_between),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_age_on),
        cmocka_unit_test(test_today_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
