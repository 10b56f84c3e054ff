/*
 * date: civil-date arithmetic on a day count (Howard Hinnant's
 * days_from_civil / civil_from_days algorithms), strict parsing.
 */
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && date_is_leap_year(year)) {
        return 29;
    }
    return dim[month - 1];
}

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_to_ymd(struct date dt, int *year, int *month, int *day)
{
    int32_t z = dt.day + 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int32_t doe = z - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    const int32_t d = doy - (153 * mp + 2) / 5 + 1;
    const int32_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

enum err date_from_ymd(int year, int month, int day, struct date *out)
{
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX || month < 1 || month > 12 || day < 1 ||
        day > date_days_in_month(year, month)) {
        return ERR_INVALID_DATE;
    }
    out->day = days_from_civil(year, month, day);
    return ERR_OK;
}

static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

enum err date_parse(const char *text, size_t len, struct date *out)
{
    if (len != DATE_TEXT_LEN || text[4] != '-' || text[7] != '-') {
        return ERR_INVALID_DATE;
    }
    int y = digits_value(text, 4), m = digits_value(text + 5, 2), d = digits_value(text + 8, 2);
    if (y < 0 || m < 0 || d < 0) {
        return ERR_INVALID_DATE;
    }
    return date_from_ymd(y, m, d, out);
}

void date_format(struct date d, char *buf)
{
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    /* Digits written by hand: valid dates have 4-digit years, and the
     * compiler cannot prove snprintf would fit. */
    unsigned uy = (unsigned)y % 10000u, um = (unsigned)m, ud = (unsigned)dd;
    buf[0] = (char)('0' + uy / 1000);
    buf[1] = (char)('0' + uy / 100 % 10);
    buf[2] = (char)('0' + uy / 10 % 10);
    buf[3] = (char)('0' + uy % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + um / 10 % 10);
    buf[6] = (char)('0' + um % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + ud / 10 % 10);
    buf[9] = (char)('0' + ud % 10);
    buf[10] = '\0';
}

struct date date_add_months(struct date d, int months)
{
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    int total = y * 12 + (m - 1) + months;
    int ny = total / 12, nm = total % 12 + 1;
    if (nm < 1) { /* C division truncates; months far enough back make total negative */
        ny -= 1;
        nm += 12;
    }
    int last = date_days_in_month(ny, nm);
    struct date r = {days_from_civil(ny, nm, dd < last ? dd : last)};
    return r;
}

int date_age_on(struct date birth, struct date on)
{
    int by, bm, bd, oy, om, od;
    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(on, &oy, &om, &od);
    int age = oy - by;
    if (om < bm || (om == bm && od < bd)) {
        age--;
    }
    return age;
}

struct date date_today(void)
{
    struct date d;
    const char *pin = getenv("HUZHU_TODAY");
    if (pin != NULL && date_parse(pin, strlen(pin), &d) == ERR_OK) {
        return d;
    }
    time_t now = time(NULL) + 8 * 3600; /* China Standard Time, no DST */
    d.day = (int32_t)(now / 86400);
    return d;
}
