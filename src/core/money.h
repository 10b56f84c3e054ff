/*
 * money: amounts are int64_t fen (1 yuan = 100 fen). No floats, ever.
 *
 * Ratios are int64_t basis points (10000 = 100 %). Arithmetic that can
 * overflow is checked and returns ERR_OVERFLOW instead of wrapping.
 */
#ifndef HUZHU_CORE_MONEY_H
#define HUZHU_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define BP_ONE 10000 /* 100 % in basis points */

/* Longest text money_format writes, with the NUL: "-92,233,720,368,547,758.08". */
#define MONEY_FORMAT_MAX 32

/*
 * Parses a yuan amount: "1234.56", "1,234.56", "¥12", "￥12.5", "-3", " 7 ".
 * At most two decimals; thousands separators must group by three; a leading
 * "-" is allowed. Surrounding ASCII spaces are ignored. (text, len) need not
 * be NUL-terminated. Errors: ERR_INVALID_MONEY (syntax), ERR_OVERFLOW.
 */
enum err money_parse(const char *text, size_t len, int64_t *out_fen) WARN_UNUSED;

/*
 * Writes fen as yuan with two decimals, e.g. 123456 -> "1234.56", or with
 * thousands separators when grouped ("1,234.56"). buf needs MONEY_FORMAT_MAX.
 */
void money_format(int64_t fen, int grouped, char *buf, size_t cap);

/* *out = a + b, or ERR_OVERFLOW. */
enum err money_add(int64_t a, int64_t b, int64_t *out) WARN_UNUSED;
/* *out = a - b, or ERR_OVERFLOW. */
enum err money_sub(int64_t a, int64_t b, int64_t *out) WARN_UNUSED;
/* *out = a * n, or ERR_OVERFLOW. */
enum err money_mul(int64_t a, int64_t n, int64_t *out) WARN_UNUSED;

/*
 * apply(amount, bp) = (amount * bp + 5000) / 10000, round half up, as in
 * spec/benefit-rules.md. amount >= 0 and 0 <= bp; ERR_OVERFLOW if the
 * product does not fit (amounts here are below 2^63 / 10^4 in practice).
 */
enum err money_apply_bp(int64_t amount_fen, int64_t bp, int64_t *out_fen) WARN_UNUSED;

/* Rounds a sum of amount*bp products once: (sum + 5000) / 10000. sum >= 0. */
int64_t money_round_bp_sum(int64_t product_sum);

static inline int64_t money_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}
static inline int64_t money_max(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

#endif
