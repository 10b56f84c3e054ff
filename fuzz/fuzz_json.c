/*
 * fuzz_json: json_util on arbitrary bytes. Parsing must come back with a
 * document or one of its documented errors; decoding any document against
 * a table of every kind must either fail with a documented code (naming a
 * field that is UTF-8) or give values that keep the table's promises.
 */
#include <stdint.h>
#include <string.h>

#include "core/assert.h"
#include "core/json_util.h"
#include "core/limits.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { F_NAME, F_AMOUNT, F_COUNT, F_FLAG, F_DAY, F_OBJ, F_LIST, F__COUNT };

static const struct json_field fields[F__COUNT] = {
    [F_NAME] = {.name = "name", .kind = JSON_KIND_STRING, .required = true, .min = 1, .max = 8},
    [F_AMOUNT] = {.name = "amount_fen",
                  .kind = JSON_KIND_MONEY_FEN,
                  .min_value = 0,
                  .max_value = 1000000},
    [F_COUNT] = {.name = "count", .kind = JSON_KIND_INT64},
    [F_FLAG] = {.name = "flag", .kind = JSON_KIND_BOOL},
    [F_DAY] = {.name = "day", .kind = JSON_KIND_DATE},
    [F_OBJ] = {.name = "obj", .kind = JSON_KIND_OBJECT},
    [F_LIST] = {.name = "list", .kind = JSON_KIND_ARRAY, .max = 4},
};

static void check_error(const struct json_util_error *jerr, enum err e)
{
    ASSERT(jerr->code == e);
    ASSERT(utf8_is_valid(jerr->field, strlen(jerr->field)) || jerr->field[0] == '\0');
    ASSERT(jerr->message[0] != '\0');
}

static void check_decode(const json_t *obj)
{
    struct json_value v[F__COUNT];
    struct json_util_error jerr;
    enum err e = json_util_decode(obj, fields, F__COUNT, v, &jerr);
    if (e != ERR_OK) {
        ASSERT(e == ERR_BAD_TYPE || e == ERR_UNKNOWN_FIELD || e == ERR_MISSING_FIELD ||
               e == ERR_INVALID || e == ERR_RANGE || e == ERR_INVALID_DATE);
        check_error(&jerr, e);
        return;
    }
    ASSERT(v[F_NAME].present);
    size_t chars = utf8_count(v[F_NAME].text, v[F_NAME].len);
    ASSERT(chars >= 1 && chars <= 8);
    ASSERT(strlen(v[F_NAME].text) == v[F_NAME].len);
    if (v[F_AMOUNT].present) {
        ASSERT(v[F_AMOUNT].int64 >= 0 && v[F_AMOUNT].int64 <= 1000000);
        ASSERT(json_is_integer(v[F_AMOUNT].node));
    }
    if (v[F_COUNT].present) {
        ASSERT(json_is_integer(v[F_COUNT].node));
    }
    if (v[F_DAY].present) {
        char buf[DATE_TEXT_LEN + 1];
        date_format(v[F_DAY].date, buf);
        ASSERT(v[F_DAY].len == DATE_TEXT_LEN && memcmp(buf, v[F_DAY].text, DATE_TEXT_LEN) == 0);
    }
    if (v[F_OBJ].present) {
        ASSERT(json_is_object(v[F_OBJ].node));
        check_decode(v[F_OBJ].node); /* nested objects use their own table */
    }
    if (v[F_LIST].present) {
        ASSERT(json_array_size(v[F_LIST].node) <= 4);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    struct json_util_error jerr;
    enum err e = json_util_parse((const char *)data, size, LIMIT_JSON_DEPTH, &doc, &jerr);
    if (e != ERR_OK) {
        ASSERT(doc == NULL);
        ASSERT(e == ERR_BAD_JSON || e == ERR_ENCODING);
        check_error(&jerr, e);
        return 0;
    }
    ASSERT(doc != NULL && (json_is_object(doc) || json_is_array(doc)));
    ASSERT(json_util_depth((const char *)data, size, LIMIT_JSON_DEPTH) <= LIMIT_JSON_DEPTH);
    if (json_is_array(doc)) {
        for (size_t i = 0; i < json_array_size(doc); i++) {
            check_decode(json_array_get(doc, i));
        }
    } else {
        check_decode(doc);
    }
    json_decref(doc);
    return 0;
}
