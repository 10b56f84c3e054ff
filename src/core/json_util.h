/*
 * json_util: strict decoding of untrusted JSON (request bodies) on jansson.
 *
 * Kore's rule: every field is validated before a handler sees it. Two steps:
 *
 *   json_util_parse()   bytes -> json_t. The bytes must be UTF-8; nesting is
 *                       bounded (checked by a scan before jansson recurses);
 *                       duplicate keys are refused (a money API must not
 *                       guess which "amount_fen" the client meant).
 *   json_util_decode()  a json_t object against a table of field specs: no
 *                       unknown field, required fields present, each value of
 *                       its declared kind and size. The typed values come out
 *                       in an array parallel to the table.
 *
 * Example (a handler's input; index the values with an enum):
 *
 *   enum { F_NAME, F_AMOUNT, F_DAY, F__COUNT };
 *   static const struct json_field fields[F__COUNT] = {
 *       [F_NAME] = {.name = "name", .kind = JSON_KIND_STRING, .required = true, .min = 1, .max =
 * 50}, [F_AMOUNT] = {.name = "amount_fen", .kind = JSON_KIND_MONEY_FEN, .required = true,
 *                     .min_value = 0, .max_value = INT64_MAX},
 *       [F_DAY] = {.name = "day", .kind = JSON_KIND_DATE},
 *   };
 *   struct json_value v[F__COUNT];
 *   struct json_util_error jerr;
 *   enum err e = json_util_decode(body, fields, F__COUNT, v, &jerr);
 *   if (e) ... jerr.code, jerr.field, jerr.message ...
 *   if (v[F_DAY].present) ... v[F_DAY].date ...
 *
 * Money is integer fen: a JSON number with a fraction or an exponent (12.5,
 * 1e3, 100.0) is ERR_BAD_TYPE, never rounded. Pointers in a json_value point
 * into the decoded document and live as long as it does.
 */
#ifndef HUZHU_CORE_JSON_UTIL_H
#define HUZHU_CORE_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"

#define JSON_UTIL_FIELD_MAX 64    /* bytes of a field name kept in an error */
#define JSON_UTIL_MESSAGE_MAX 160 /* bytes of an error message, with the NUL */

enum json_kind {
    JSON_KIND_STRING,    /* UTF-8 text of min..max characters (code points) */
    JSON_KIND_INT64,     /* JSON integer: no fraction, no exponent */
    JSON_KIND_MONEY_FEN, /* JSON integer, an amount in fen */
    JSON_KIND_BOOL,      /* true or false */
    JSON_KIND_DATE,      /* string "YYYY-MM-DD", a real calendar date */
    JSON_KIND_OBJECT,    /* an object; decode it with its own table */
    JSON_KIND_ARRAY,     /* an array of min..max items; the handler checks items */
};

struct json_field {
    const char *name;    /* key in the object */
    enum json_kind kind; /* what the value must be */
    bool required;       /* absent or null -> ERR_MISSING_FIELD */
    size_t min;          /* STRING: fewest characters; ARRAY: fewest items */
    size_t max;          /* STRING: most characters; ARRAY: most items; must be > 0 */
    int64_t min_value;   /* INT64, MONEY_FEN: smallest allowed, when min_value < max_value */
    int64_t max_value;   /* INT64, MONEY_FEN: largest allowed; equal bounds = no range */
};

/* One decoded field. Absent and null both give present = false. */
struct json_value {
    bool present;       /* in the object and not null */
    const json_t *node; /* the JSON value (OBJECT, ARRAY: walk it from here) */
    const char *text;   /* STRING, DATE: the text, NUL-terminated, inside the document */
    size_t len;         /* STRING, DATE: bytes of text */
    int64_t int64;      /* INT64, MONEY_FEN */
    bool boolean;       /* BOOL */
    struct date date;   /* DATE */
};

/* Why decoding failed, safe to show a client (it names their own field). */
struct json_util_error {
    enum err code;                       /* same as the returned err */
    char field[JSON_UTIL_FIELD_MAX + 1]; /* offending field, "" for the document */
    char message[JSON_UTIL_MESSAGE_MAX]; /* one English sentence, no internals */
};

/*
 * Parses (buf, len) into *out (the caller json_decref()s it). The top level
 * must be an object or an array; nesting deeper than max_depth is refused.
 * Errors: ERR_ENCODING (not UTF-8, or a NUL byte), ERR_BAD_JSON (syntax,
 * empty input, too deep, a duplicate key, an integer beyond int64).
 * err may be NULL.
 */
enum err json_util_parse(const char *buf, size_t len, size_t max_depth, json_t **out,
                         struct json_util_error *err) WARN_UNUSED;

/*
 * Checks obj against fields[0..count) and fills values[0..count).
 * Errors, in this order of detection: ERR_BAD_TYPE (obj is not an object),
 * ERR_UNKNOWN_FIELD (a key not in the table), ERR_MISSING_FIELD,
 * ERR_BAD_TYPE (wrong kind; a real where an integer is due),
 * ERR_INVALID (string or array outside min..max, or a string that is not
 * UTF-8), ERR_RANGE (integer outside min_value..max_value),
 * ERR_INVALID_DATE (DATE text not a real YYYY-MM-DD). err may be NULL.
 */
enum err json_util_decode(const json_t *obj, const struct json_field *fields, size_t count,
                          struct json_value *values, struct json_util_error *err) WARN_UNUSED;

/* Deepest nesting of arrays and objects in (buf, len), scanning at most until
 * it passes limit (then returns limit + 1). Strings are skipped, escapes
 * honoured; the text need not be valid JSON. */
size_t json_util_depth(const char *buf, size_t len, size_t limit);

#endif
