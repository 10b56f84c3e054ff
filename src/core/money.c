/*
 * money: parsing, formatting and checked arithmetic on int64_t fen.
 * Invariant: no floating point anywhere in this file.
 */
#include "core/money.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum err money_add(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? ERR_OVERFLOW : ERR_OK;
}

enum err money_sub(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_sub_overflow(a, b, out) ? ERR_OVERFLOW : ERR_OK;
}

enum err money_mul(int64_t a, int64_t n, int64_t *out)
{
    return __builtin_mul_overflow(a, n, out) ? ERR_OVERFLOW : ERR_OK;
}

enum err money_apply_bp(int64_t amount_fen, int64_t bp, int64_t *out_fen)
{
    int64_t p;
    if (amount_fen < 0 || bp < 0) {
        return ERR_RANGE;
    }
    if (__builtin_mul_overflow(amount_fen, bp, &p) || __builtin_add_overflow(p, 5000, &p)) {
        return ERR_OVERFLOW;
    }
    *out_fen = p / BP_ONE;
    return ERR_OK;
}

int64_t money_round_bp_sum(int64_t product_sum)
{
    return (product_sum + 5000) / BP_ONE;
}

/* Skips a currency sign: ASCII '$' is not ours; "¥" (U+00A5) and "￥" (U+FFE5). */
static size_t skip_currency(const char *s, size_t len)
{
    if (len >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA5) {
        return 2;
    }
    if (len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBF &&
        (unsigned char)s[2] == 0xA5) {
        return 3;
    }
    return 0;
}

enum err money_parse(const char *text, size_t len, int64_t *out_fen)
{
    size_t i = 0, end = len;
    while (i < end && text[i] == ' ') {
        i++;
    }
    while (end > i && text[end - 1] == ' ') {
        end--;
    }
    bool neg = false;
    if (i < end && text[i] == '-') {
        neg = true;
        i++;
    }
    i += skip_currency(text + i, end - i);
    if (!neg && i < end && text[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= end) {
        return ERR_INVALID_MONEY;
    }

    /* Integer part: digits, optionally grouped by commas in threes. */
    int64_t yuan = 0;
    size_t digits = 0, group = 0;
    bool grouped = false;
    for (; i < end && text[i] != '.'; i++) {
        char c = text[i];
        if (c == ',') {
            /* first group 1-3 digits, later groups exactly 3 */
            if (digits == 0 || (grouped ? group != 3 : group > 3)) {
                return ERR_INVALID_MONEY;
            }
            grouped = true;
            group = 0;
            continue;
        }
        if (c < '0' || c > '9') {
            return ERR_INVALID_MONEY;
        }
        if (__builtin_mul_overflow(yuan, 10, &yuan) ||
            __builtin_add_overflow(yuan, c - '0', &yuan)) {
            return ERR_OVERFLOW;
        }
        digits++;
        group++;
    }
    if (digits == 0 || (grouped && group != 3)) {
        return ERR_INVALID_MONEY;
    }

    int64_t fen_part = 0;
    if (i < end) { /* text[i] == '.' */
        i++;
        size_t decimals = end - i;
        if (decimals == 0 || decimals > 2) {
            return ERR_INVALID_MONEY;
        }
        for (size_t k = 0; k < decimals; k++) {
            char c = text[i + k];
            if (c < '0' || c > '9') {
                return ERR_INVALID_MONEY;
            }
            fen_part = fen_part * 10 + (c - '0');
        }
        if (decimals == 1) {
            fen_part *= 10;
        }
    }

    int64_t fen;
    if (__builtin_mul_overflow(yuan, 100, &fen) || __builtin_add_overflow(fen, fen_part, &fen)) {
        return ERR_OVERFLOW;
    }
    *out_fen = neg ? -fen : fen;
    return ERR_OK;
}

void money_format(int64_t fen, int grouped, char *buf, size_t cap)
{
    /* Work on the magnitude as unsigned so INT64_MIN formats correctly. */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t yuan = mag / 100, cents = mag % 100;
    char digits[32];
    int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)yuan);
    char out[MONEY_FORMAT_MAX];
    size_t o = 0;
    if (fen < 0) {
        out[o++] = '-';
    }
    for (int k = 0; k < nd; k++) {
        if (grouped && k > 0 && (nd - k) % 3 == 0) {
            out[o++] = ',';
        }
        out[o++] = digits[k];
    }
    snprintf(out + o, sizeof(out) - o, ".%02llu", (unsigned long long)cents);
    snprintf(buf, cap, "%s", out);
}
