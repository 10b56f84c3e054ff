/* test_json_util: parse limits and field-table decoding, valid/invalid/boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_util.h"
#include "core/limits.h"

static json_t *parse_ok(const char *text)
{
    json_t *doc = NULL;
    struct json_util_error jerr;
    assert_int_equal(json_util_parse(text, strlen(text), LIMIT_JSON_DEPTH, &doc, &jerr), ERR_OK);
    assert_non_null(doc);
    return doc;
}

static enum err parse_err(const char *text, size_t len)
{
    json_t *doc = NULL;
    struct json_util_error jerr;
    enum err e = json_util_parse(text, len, LIMIT_JSON_DEPTH, &doc, &jerr);
    assert_null(doc);
    assert_int_equal(jerr.code, e);
    assert_true(jerr.message[0] != '\0');
    return e;
}

static void test_parse_valid(void **state)
{
    (void)state;
    json_decref(parse_ok("{}"));
    json_decref(parse_ok("[1,2,3]"));
    json_decref(parse_ok("{\"名字\":\"张三\"}"));
}

static void test_parse_invalid(void **state)
{
    (void)state;
    assert_int_equal(parse_err("", 0), ERR_BAD_JSON);
    assert_int_equal(parse_err("{", 1), ERR_BAD_JSON);
    assert_int_equal(parse_err("{\"a\":1,}", 8), ERR_BAD_JSON);
    assert_int_equal(parse_err("{} x", 4), ERR_BAD_JSON);
    assert_int_equal(parse_err("42", 2), ERR_BAD_JSON); /* top level must be object/array */
    assert_int_equal(parse_err("{\"a\":1,\"a\":2}", 13), ERR_BAD_JSON); /* duplicate key */
    assert_int_equal(parse_err("{\"a\":\"\\u0000\"}", 14), ERR_BAD_JSON);
    assert_int_equal(parse_err("{\"a\":99999999999999999999}", 26), ERR_BAD_JSON);
    assert_int_equal(parse_err("{\"a\":\"\xff\"}", 8), ERR_ENCODING);
    assert_int_equal(parse_err("{\"a\":\"\xc0\xaf\"}", 9), ERR_ENCODING); /* overlong '/' */
    assert_int_equal(parse_err("{\"a\":1}\0", 8), ERR_ENCODING);          /* NUL byte */
}

static void test_parse_depth_boundary(void **state)
{
    (void)state;
    char buf[2 * (LIMIT_JSON_DEPTH + 1) + 1];
    /* exactly LIMIT_JSON_DEPTH levels: accepted */
    memset(buf, '[', LIMIT_JSON_DEPTH);
    memset(buf + LIMIT_JSON_DEPTH, ']', LIMIT_JSON_DEPTH);
    json_t *doc = NULL;
    assert_int_equal(json_util_parse(buf, 2 * LIMIT_JSON_DEPTH, LIMIT_JSON_DEPTH, &doc, NULL),
                     ERR_OK);
    json_decref(doc);
    /* one more: refused before jansson recurses */
    memset(buf, '[', LIMIT_JSON_DEPTH + 1);
    memset(buf + LIMIT_JSON_DEPTH + 1, ']', LIMIT_JSON_DEPTH + 1);
    assert_int_equal(parse_err(buf, 2 * (LIMIT_JSON_DEPTH + 1)), ERR_BAD_JSON);
    /* brackets inside strings do not count */
    assert_int_equal(json_util_depth("{\"a\":\"[[[[\\\"[[\"}", 16, 10), 1);
    assert_int_equal(json_util_depth("[[[[", 4, 2), 3);
}

enum { F_NAME, F_AMOUNT, F_COUNT, F_ACTIVE, F_DAY, F_META, F_TAGS, F__COUNT };

static const struct json_field fields[F__COUNT] = {
    [F_NAME] = {.name = "name", .kind = JSON_KIND_STRING, .required = true, .min = 1, .max = 4},
    [F_AMOUNT] = {.name = "amount_fen",
                  .kind = JSON_KIND_MONEY_FEN,
                  .min_value = 0,
                  .max_value = 100000},
    [F_COUNT] = {.name = "count", .kind = JSON_KIND_INT64},
    [F_ACTIVE] = {.name = "active", .kind = JSON_KIND_BOOL},
    [F_DAY] = {.name = "day", .kind = JSON_KIND_DATE},
    [F_META] = {.name = "meta", .kind = JSON_KIND_OBJECT},
    [F_TAGS] = {.name = "tags", .kind = JSON_KIND_ARRAY, .max = 2},
};

/* Decodes text against fields; returns the error and leaves the field name in field_out. */
static enum err decode(const char *text, struct json_value *v, char *field_out)
{
    json_t *doc = parse_ok(text);
    struct json_util_error jerr;
    enum err e = json_util_decode(doc, fields, F__COUNT, v, &jerr);
    assert_int_equal(jerr.code, e);
    strcpy(field_out, jerr.field);
    if (e == ERR_OK) {
        /* the values point into doc: check what we need before freeing it */
        if (v[F_NAME].present) {
            assert_int_equal(v[F_NAME].len, strlen(v[F_NAME].text));
        }
    }
    json_decref(doc);
    return e;
}

static void test_decode_valid(void **state)
{
    (void)state;
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    assert_int_equal(decode("{\"name\":\"张三丰\",\"amount_fen\":12345,\"count\":-7,"
                            "\"active\":false,\"day\":\"2024-02-29\",\"meta\":{},"
                            "\"tags\":[1,2]}",
                            v, field),
                     ERR_OK);
    assert_true(v[F_NAME].present);
    assert_int_equal(v[F_AMOUNT].int64, 12345);
    assert_int_equal(v[F_COUNT].int64, -7);
    assert_true(v[F_ACTIVE].present);
    assert_false(v[F_ACTIVE].boolean);
    assert_true(v[F_DAY].present);
    struct date d;
    assert_int_equal(date_from_ymd(2024, 2, 29, &d), ERR_OK);
    assert_int_equal(v[F_DAY].date.day, d.day);
    /* optional fields absent or null are not present */
    assert_int_equal(decode("{\"name\":\"a\",\"day\":null}", v, field), ERR_OK);
    assert_false(v[F_DAY].present);
    assert_false(v[F_AMOUNT].present);
}

static void test_decode_unknown_and_missing(void **state)
{
    (void)state;
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    assert_int_equal(decode("{\"name\":\"a\",\"amount\":1}", v, field), ERR_UNKNOWN_FIELD);
    assert_string_equal(field, "amount");
    assert_int_equal(decode("{\"amount_fen\":1}", v, field), ERR_MISSING_FIELD);
    assert_string_equal(field, "name");
    assert_int_equal(decode("{\"name\":null}", v, field), ERR_MISSING_FIELD);
    assert_int_equal(decode("[]", v, field), ERR_BAD_TYPE);
    assert_string_equal(field, "");
}

static void test_decode_money_refuses_reals(void **state)
{
    (void)state;
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":12.5}", v, field), ERR_BAD_TYPE);
    assert_string_equal(field, "amount_fen");
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":1e3}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":100.0}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":\"100\"}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"count\":1.0}", v, field), ERR_BAD_TYPE);
    assert_string_equal(field, "count");
}

static void test_decode_bounds(void **state)
{
    (void)state;
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    /* max 4 characters, counted as code points: 4 CJK chars (12 bytes) fit */
    assert_int_equal(decode("{\"name\":\"一二三四\"}", v, field), ERR_OK);
    assert_int_equal(decode("{\"name\":\"一二三四五\"}", v, field), ERR_INVALID);
    assert_string_equal(field, "name");
    assert_int_equal(decode("{\"name\":\"\"}", v, field), ERR_INVALID); /* min 1 */
    /* money range 0..100000 inclusive */
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":0}", v, field), ERR_OK);
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":100000}", v, field), ERR_OK);
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":100001}", v, field), ERR_RANGE);
    assert_int_equal(decode("{\"name\":\"a\",\"amount_fen\":-1}", v, field), ERR_RANGE);
    /* no range on count: int64 extremes pass */
    assert_int_equal(decode("{\"name\":\"a\",\"count\":9223372036854775807}", v, field), ERR_OK);
    assert_int_equal(v[F_COUNT].int64, INT64_MAX);
    assert_int_equal(decode("{\"name\":\"a\",\"tags\":[1,2,3]}", v, field), ERR_INVALID);
    assert_string_equal(field, "tags");
}

static void test_decode_types(void **state)
{
    (void)state;
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    assert_int_equal(decode("{\"name\":1}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"active\":1}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"meta\":[]}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"tags\":{}}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"day\":20240101}", v, field), ERR_BAD_TYPE);
    assert_int_equal(decode("{\"name\":\"a\",\"day\":\"2023-02-29\"}", v, field), ERR_INVALID_DATE);
    assert_string_equal(field, "day");
    assert_int_equal(decode("{\"name\":\"a\",\"day\":\"2024-1-01\"}", v, field), ERR_INVALID_DATE);
}

static void test_error_field_truncated_utf8(void **state)
{
    (void)state;
    /* an unknown key longer than the error's field buffer is cut on a character boundary */
    char text[512] = "{\"";
    for (int i = 0; i < 40; i++) {
        strcat(text, "字"); /* 3 bytes each: 120 bytes */
    }
    strcat(text, "\":1}");
    struct json_value v[F__COUNT];
    char field[JSON_UTIL_FIELD_MAX + 1];
    assert_int_equal(decode(text, v, field), ERR_UNKNOWN_FIELD);
    assert_int_equal(strlen(field), 63); /* 21 whole characters of 3 bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_depth_boundary),
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_unknown_and_missing),
        cmocka_unit_test(test_decode_money_refuses_reals),
        cmocka_unit_test(test_decode_bounds),
        cmocka_unit_test(test_decode_types),
        cmocka_unit_test(test_error_field_truncated_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
