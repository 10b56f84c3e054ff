/*
 * demo_data: a realistic synthetic scheme for `huzhu demo`: a provincial
 * union federation with cities, districts, grassroots unions and an
 * industry union for gig workers; a few hundred employers of every
 * ownership and size; and N members (standard and new forms of employment,
 * some hardship-flagged), all with valid, check-digit-correct identifiers.
 * Deterministic for a given seed. Everything is written in one transaction.
 */
#ifndef HUZHU_CLI_DEMO_DATA_H
#define HUZHU_CLI_DEMO_DATA_H

#include <stdint.h>

#include "core/err.h"

struct store;
struct fieldcrypt;

struct demo_summary {
    int64_t orgs;
    int64_t employers;
    int64_t members;
};

enum err demo_generate(struct store *s, const struct fieldcrypt *fc, unsigned members,
                       uint64_t seed, struct demo_summary *out) WARN_UNUSED;

#endif
