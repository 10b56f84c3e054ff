/*
 * date: civil dates (China Standard Time, no times) as a day number.
 *
 * A struct date is days since 1970-01-01 (proleptic Gregorian), so days
 * between two dates is a subtraction. Valid years are 1900..9999; parsing is
 * strict: exactly "YYYY-MM-DD", a real calendar date.
 */
#ifndef HUZHU_CORE_DATE_H
#define HUZHU_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define DATE_TEXT_LEN 10 /* "YYYY-MM-DD" without the NUL */
#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 9999

struct date {
    int32_t day; /* days since 1970-01-01; negative before */
};

/* Parses exactly "YYYY-MM-DD" (len must be 10). ERR_INVALID_DATE otherwise. */
enum err date_parse(const char *text, size_t len, struct date *out) WARN_UNUSED;

/* Builds a date from parts; ERR_INVALID_DATE if not a real date in range. */
enum err date_from_ymd(int year, int month, int day, struct date *out) WARN_UNUSED;

/* Splits a date into year, month (1-12) and day (1-31). */
void date_to_ymd(struct date d, int *year, int *month, int *day);

/* Writes "YYYY-MM-DD" and a NUL; buf needs DATE_TEXT_LEN + 1 bytes. */
void date_format(struct date d, char *buf);

/* days(a, b) = b - a, as the spec defines it. */
static inline int32_t date_days_between(struct date a, struct date b)
{
    return b.day - a.day;
}

static inline struct date date_add_days(struct date d, int32_t n)
{
    struct date r = {d.day + n};
    return r;
}

/* Adds months keeping the day of month, clamped to the month's last day
 * (2024-01-31 + 1 month = 2024-02-29). */
struct date date_add_months(struct date d, int months);

/* Whole years of age on date `on` for someone born on `birth`
 * (a 29 February birthday counts on 1 March in common years). */
int date_age_on(struct date birth, struct date on);

/* True when year is a Gregorian leap year. */
bool date_is_leap_year(int year);

/* Days in a month of a year (1-12). */
int date_days_in_month(int year, int month);

/* Today in China Standard Time (UTC+8), or HUZHU_TODAY=YYYY-MM-DD if set,
 * so that tests can pin the date. */
struct date date_today(void);

#endif
