/*
 * fuzz_money_date: money and date parsers on the same bytes.
 * money: format(parse(x)), plain and grouped, parses back to the same fen.
 * date: format(parse(x)) is x itself (the syntax is strict, so there is one
 * spelling per date), and month arithmetic on it stays a real date.
 */
#include <stdint.h>
#include <string.h>

#include "core/assert.h"
#include "core/date.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_money(const char *text, size_t len)
{
    int64_t fen;
    enum err e = money_parse(text, len, &fen);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_MONEY || e == ERR_OVERFLOW);
        return;
    }
    for (int grouped = 0; grouped <= 1; grouped++) {
        char buf[MONEY_FORMAT_MAX];
        money_format(fen, grouped, buf, sizeof(buf));
        int64_t back;
        ASSERT(money_parse(buf, strlen(buf), &back) == ERR_OK);
        ASSERT(back == fen);
    }
}

static void check_date(const char *text, size_t len)
{
    struct date d;
    enum err e = date_parse(text, len, &d);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_DATE);
        return;
    }
    char buf[DATE_TEXT_LEN + 1];
    date_format(d, buf);
    ASSERT(len == DATE_TEXT_LEN && memcmp(buf, text, DATE_TEXT_LEN) == 0);
    struct date again;
    ASSERT(date_parse(buf, DATE_TEXT_LEN, &again) == ERR_OK && again.day == d.day);

    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    /* months from the date itself: about -1200..+1200, both directions */
    int months = (y % 100) * 24 + m * 2 + dd % 2 - 1200;
    struct date shifted = date_add_months(d, months);
    int sy, sm, sd;
    date_to_ymd(shifted, &sy, &sm, &sd);
    ASSERT(sy * 12 + sm - 1 == y * 12 + m - 1 + months);
    ASSERT(sd <= dd && sd >= 1 && sd <= date_days_in_month(sy, sm));
    ASSERT(date_age_on(d, d) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    check_money(text, size);
    check_date(text, size);
    return 0;
}
