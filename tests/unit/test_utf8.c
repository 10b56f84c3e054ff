/*
 * test_utf8: RFC 3629 validation at every boundary (shortest and longest of
 * each length, overlongs, surrogates, past U+10FFFF, truncation, NUL) and
 * code point counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/utf8.h"

static bool valid(const char *s)
{
    return utf8_is_valid(s, strlen(s));
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(utf8_is_valid("", 0));
    assert_true(valid("plain ASCII ~\x7F"));
    assert_true(valid("\x01"));
    assert_true(valid("\xC2\x80"));         /* U+0080, shortest 2-byte */
    assert_true(valid("\xDF\xBF"));         /* U+07FF */
    assert_true(valid("\xE0\xA0\x80"));     /* U+0800, shortest 3-byte */
    assert_true(valid("\xED\x9F\xBF"));     /* U+D7FF, just below surrogates */
    assert_true(valid("\xEE\x80\x80"));     /* U+E000, just above */
    assert_true(valid("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(valid("\xF0\x90\x80\x80")); /* U+10000 */
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last */
    assert_true(valid("互助保障 ¥12 ￥12 👷"));
    assert_true(valid("\xEF\xBB\xBF" "BOM first"));
}

static void test_invalid(void **state)
{
    (void)state;
    const char *bad[] = {
        "\x80",                 /* lone continuation */
        "\xBF",
        "a\x80z",
        "\xC0\x80",             /* overlong NUL */
        "\xC1\xBF",             /* overlong U+007F */
        "\xE0\x80\x80",         /* overlong 3-byte */
        "\xE0\x9F\xBF",         /* overlong U+07FF */
        "\xF0\x80\x80\x80",     /* overlong 4-byte */
        "\xF0\x8F\xBF\xBF",     /* overlong U+FFFF */
        "\xED\xA0\x80",         /* U+D800 */
        "\xED\xBF\xBF",         /* U+DFFF */
        "\xF4\x90\x80\x80",     /* U+110000 */
        "\xF7\xBF\xBF\xBF",     /* U+1FFFFF */
        "\xF8\x88\x80\x80\x80", /* 5-byte form */
        "\xFC\x84\x80\x80\x80\x80",
        "\xFE",
        "\xFF",
        "\xC2",                 /* truncated */
        "\xE4\xBA",
        "\xF0\x9F\x91",
        "\xE4\xBA" "a",         /* continuation replaced by ASCII */
        "\xC2\xC2\x80",
        "\xE4\xBA\x92\x80",     /* one continuation too many */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (valid(bad[i])) {
            print_error("accepted case %zu\n", i);
            fail();
        }
    }
    /* Truncation by len, not by NUL: the bytes after len are never used. */
    assert_false(utf8_is_valid("\xE4\xBA\x92", 2));
    assert_true(utf8_is_valid("\xE4\xBA\x92", 3));
    assert_true(utf8_is_valid("a\xE4\xBA\x92", 1));
    assert_false(utf8_is_valid("\xF0\x9F\x91\xB7", 3));
}

static void test_embedded_nul(void **state)
{
    (void)state;
    assert_false(utf8_is_valid("ab\0cd", 5));
    assert_false(utf8_is_valid("\0", 1));
    assert_true(utf8_is_valid("ab\0cd", 2));
}

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count("", 0), 0);
    assert_int_equal(utf8_count("abc", 3), 3);
    assert_int_equal(utf8_count("互助", strlen("互助")), 2);
    assert_int_equal(utf8_count("a¥互👷", strlen("a¥互👷")), 4);
    assert_int_equal(strlen("a¥互👷"), 1 + 2 + 3 + 4);
    const char *name = "欧阳娜娜";
    assert_int_equal(utf8_count(name, strlen(name)), 4);
    assert_int_equal(utf8_count(name, 3), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
