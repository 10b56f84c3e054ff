/*
 * json_util: parse with bounded depth, then decode against a field table.
 * Invariant: a successful decode leaves every values[i] either absent or of
 * the kind fields[i] declares, within its bounds; a failed one fills err
 * with the first problem found and the code it returns.
 */
#include "core/json_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "core/utf8.h"

/* Copies (s, len) into dst (cap bytes with the NUL), cut at a UTF-8
 * character boundary so the copy stays valid UTF-8 if the source was. */
static void copy_utf8_prefix(char *dst, size_t cap, const char *s, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    if (n < len) {
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--; /* s[n] continues a character: cut before that character */
        }
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static enum err fail(struct json_util_error *err, enum err code, const char *field, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

static enum err fail(struct json_util_error *err, enum err code, const char *field, const char *fmt,
                     ...)
{
    if (err == NULL) {
        return code;
    }
    err->code = code;
    copy_utf8_prefix(err->field, sizeof(err->field), field, strlen(field));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

size_t json_util_depth(const char *buf, size_t len, size_t limit)
{
    size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\') {
                i++; /* the escaped char cannot end the string */
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
            if (depth > deepest) {
                deepest = depth;
                if (deepest > limit) {
                    return limit + 1;
                }
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

enum err json_util_parse(const char *buf, size_t len, size_t max_depth, json_t **out,
                         struct json_util_error *err)
{
    *out = NULL;
    if (len == 0) {
        return fail(err, ERR_BAD_JSON, "", "the body is empty; a JSON document is expected");
    }
    if (!utf8_is_valid(buf, len)) {
        return fail(err, ERR_ENCODING, "", "the body is not valid UTF-8");
    }
    if (json_util_depth(buf, len, max_depth) > max_depth) {
        return fail(err, ERR_BAD_JSON, "", "JSON nested deeper than %zu levels", max_depth);
    }
    json_error_t jerr;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        /* jansson's text may quote the input near the error; the input is
         * valid UTF-8 but the quote may be cut mid-character. */
        char text[96];
        copy_utf8_prefix(text, sizeof(text), jerr.text, strnlen(jerr.text, sizeof(jerr.text)));
        if (!utf8_is_valid(text, strlen(text))) {
            text[0] = '\0';
        }
        return fail(err, ERR_BAD_JSON, "", "invalid JSON at line %d column %d: %s", jerr.line,
                    jerr.column, text);
    }
    *out = doc;
    return ERR_OK;
}

static enum err decode_integer(const json_t *v, const struct json_field *f, struct json_value *out,
                               struct json_util_error *err)
{
    if (!json_is_integer(v)) {
        return fail(err, ERR_BAD_TYPE, f->name,
                    f->kind == JSON_KIND_MONEY_FEN
                        ? "expected an integer amount in fen (no fraction, no exponent)"
                        : "expected an integer (no fraction, no exponent)");
    }
    int64_t n = (int64_t)json_integer_value(v);
    if (f->min_value < f->max_value && (n < f->min_value || n > f->max_value)) {
        return fail(err, ERR_RANGE, f->name, "must be between %lld and %lld",
                    (long long)f->min_value, (long long)f->max_value);
    }
    out->int64 = n;
    return ERR_OK;
}

static enum err decode_string(const json_t *v, const struct json_field *f, struct json_value *out,
                              struct json_util_error *err)
{
    if (!json_is_string(v)) {
        return fail(err, ERR_BAD_TYPE, f->name,
                    f->kind == JSON_KIND_DATE ? "expected a date string YYYY-MM-DD"
                                              : "expected a string");
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    /* jansson checks UTF-8 and refuses \u0000 on parse, but a document built
     * in memory may hold anything. */
    if (!utf8_is_valid(s, len)) {
        return fail(err, ERR_INVALID, f->name, "not valid UTF-8 text");
    }
    if (f->kind == JSON_KIND_DATE) {
        if (date_parse(s, len, &out->date) != ERR_OK) {
            return fail(err, ERR_INVALID_DATE, f->name, "expected a real date YYYY-MM-DD");
        }
    } else {
        ASSERT(f->max > 0); /* a string field without a bound is a table bug */
        size_t chars = utf8_count(s, len);
        if (chars < f->min || chars > f->max) {
            return fail(err, ERR_INVALID, f->name, "must be %zu to %zu characters long", f->min,
                        f->max);
        }
    }
    out->text = s;
    out->len = len;
    return ERR_OK;
}

static enum err decode_value(const json_t *v, const struct json_field *f, struct json_value *out,
                             struct json_util_error *err)
{
    switch (f->kind) {
    case JSON_KIND_STRING:
    case JSON_KIND_DATE:
        return decode_string(v, f, out, err);
    case JSON_KIND_INT64:
    case JSON_KIND_MONEY_FEN:
        return decode_integer(v, f, out, err);
    case JSON_KIND_BOOL:
        if (!json_is_boolean(v)) {
            return fail(err, ERR_BAD_TYPE, f->name, "expected true or false");
        }
        out->boolean = json_is_true(v);
        return ERR_OK;
    case JSON_KIND_OBJECT:
        if (!json_is_object(v)) {
            return fail(err, ERR_BAD_TYPE, f->name, "expected an object");
        }
        return ERR_OK;
    case JSON_KIND_ARRAY: {
        if (!json_is_array(v)) {
            return fail(err, ERR_BAD_TYPE, f->name, "expected an array");
        }
        ASSERT(f->max > 0);
        size_t n = json_array_size(v);
        if (n < f->min || n > f->max) {
            return fail(err, ERR_INVALID, f->name, "must have %zu to %zu items", f->min, f->max);
        }
        return ERR_OK;
    }
    }
    ASSERT(f->kind <= JSON_KIND_ARRAY); /* a table with a kind we do not know */
    return ERR_INTERNAL;
}

static bool field_known(const char *key, const struct json_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(key, fields[i].name) == 0) {
            return true;
        }
    }
    return false;
}

enum err json_util_decode(const json_t *obj, const struct json_field *fields, size_t count,
                          struct json_value *values, struct json_util_error *err)
{
    memset(values, 0, count * sizeof(*values));
    if (!json_is_object(obj)) {
        return fail(err, ERR_BAD_TYPE, "", "expected a JSON object");
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!field_known(key, fields, count)) {
            return fail(err, ERR_UNKNOWN_FIELD, key, "unknown field");
        }
    }
    for (size_t i = 0; i < count; i++) {
        const struct json_field *f = &fields[i];
        v = json_object_get(obj, f->name);
        if (v == NULL || json_is_null(v)) {
            if (f->required) {
                return fail(err, ERR_MISSING_FIELD, f->name, "this field is required");
            }
            continue;
        }
        enum err e = decode_value(v, f, &values[i], err);
        if (e) {
            return e;
        }
        values[i].present = true;
        values[i].node = v;
    }
    if (err != NULL) {
        err->code = ERR_OK;
        err->field[0] = '\0';
        err->message[0] = '\0';
    }
    return ERR_OK;
}
