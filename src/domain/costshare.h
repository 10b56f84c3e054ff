/*
 * costshare: splitting the price of a share between the payers of an
 * enrolment batch (行政拿一点、工会补一点、职工交一点、赠送).
 *
 * A batch's funding spec gives each payer a part of ONE share's price, as a
 * fixed amount in fen or as basis points, or nothing; one payer is named to
 * take the remainder. The rounding rule, stated once:
 *
 *   fixed parts are taken as given; a bp part is floor(price * bp / 10000)
 *   (rounded DOWN); whatever is left of the price after every fixed and bp
 *   part goes to the remainder payer, on top of its own part.
 *
 * So the parts of a share always add up to the share's price exactly, and
 * the parts of an enrolment of n shares are n times the parts of one share
 * (they add up to n times the price). Example: price 1000 fen, employer
 * 3333 bp, union 3333 bp, worker remainder: employer 333, union 333, worker
 * 334. A spec whose fixed and bp parts together exceed the price is refused.
 * No floats: integer fen and basis points only.
 */
#ifndef HUZHU_DOMAIN_COSTSHARE_H
#define HUZHU_DOMAIN_COSTSHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

enum costshare_payer {
    COSTSHARE_EMPLOYER, /* 行政: the unit */
    COSTSHARE_UNION,    /* 工会: the member's union */
    COSTSHARE_WORKER,   /* 个人: the worker (payroll deduction in a group batch) */
    COSTSHARE_GIFT,     /* 赠送: a union or donor paying for hardship / gig workers */
    COSTSHARE__COUNT
};

enum costshare_mode {
    COSTSHARE_NONE,  /* no part (the remainder payer may still get the rest) */
    COSTSHARE_FIXED, /* value = fen per share */
    COSTSHARE_BP,    /* value = basis points of the share price, rounded down */
};

struct costshare_part {
    enum costshare_mode mode;
    int64_t value; /* fen (FIXED) or bp (BP); 0 for NONE */
};

struct costshare_spec {
    struct costshare_part parts[COSTSHARE__COUNT]; /* indexed by enum costshare_payer */
    enum costshare_payer remainder_payer;          /* takes what is left of the price */
};

/* One share's (or one enrolment's) parts; they add up to the price. */
struct costshare_split {
    int64_t fen[COSTSHARE__COUNT];
};

/* "employer", "union", "worker", "gift". */
const char *costshare_payer_str(enum costshare_payer p);
/* Parses a payer name; false if none of the four. */
bool costshare_payer_parse(const char *text, enum costshare_payer *out);

/*
 * Splits one share's price_fen (>= 0) by spec into *out. ERR_FUNDING_INVALID
 * when a value is out of range (negative, bp over 10000, fixed over the
 * price) or the fixed and bp parts together exceed the price; *field then
 * names the spec field ("funding.union.bp", "funding") — a static string.
 */
enum err costshare_split_share(const struct costshare_spec *spec, int64_t price_fen,
                               struct costshare_split *out, const char **field) WARN_UNUSED;

/* out = share * shares for every payer (ERR_OVERFLOW if it does not fit). */
enum err costshare_scale(const struct costshare_split *share, int64_t shares,
                         struct costshare_split *out) WARN_UNUSED;

/* Sum of the parts (no overflow for parts produced by costshare_split_share). */
int64_t costshare_total(const struct costshare_split *s);

/*
 * Reads a funding spec from JSON:
 *   {"employer": {"bp": 5000}, "union": {"fen": 1000}, "worker": {}, "remainder": "worker"}
 * Absent payers have no part; "remainder" is required. Unknown keys are
 * refused (ERR_UNKNOWN_FIELD), wrong types ERR_BAD_TYPE, bad values
 * ERR_FUNDING_INVALID; err_field (PLAN_FIELD_PATH_MAX bytes suffice) gets
 * the path, prefixed "funding.".
 */
enum err costshare_spec_from_json(const json_t *obj, struct costshare_spec *out, char *err_field,
                                  size_t err_cap) WARN_UNUSED;

/* The spec in the format costshare_spec_from_json reads; NULL when out of memory. */
json_t *costshare_spec_to_json(const struct costshare_spec *spec);

/* A spec where one payer pays everything (e.g. gifted cover: COSTSHARE_GIFT). */
void costshare_spec_single(struct costshare_spec *spec, enum costshare_payer payer);

#endif
