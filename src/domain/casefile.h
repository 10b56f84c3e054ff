/*
 * casefile: reads an adjudication case file (spec/benefit-rules.md, "Case
 * files") into the engine's structs, ready for adjudicate_claim().
 *
 * Each case gets its own adj_state and members: plan codes are interned to
 * code ids, member ids to indexes, enrolments are grouped per member, and
 * invoice hashes are computed once, so judging a claim does no string
 * lookups beyond the engine's own. Everything but the engine-grown state
 * lives in one arena, freed by casefile_release().
 *
 * Parsing is strict: unknown fields, wrong types, bad dates, unknown member
 * or plan references, duplicate ids and overlapping enrolments of one member
 * in one plan code are errors naming the case and the JSON path.
 */
#ifndef HUZHU_DOMAIN_CASEFILE_H
#define HUZHU_DOMAIN_CASEFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/adjudicate.h"
#include "domain/plan.h"

/* A case file is test and demo data; 1 GiB bounds a runaway file. */
#define CASEFILE_ARENA_BYTES ((size_t)1 << 30)
/* Ids of members, enrolments and claims in a case file. */
#define CASEFILE_ID_MAX 64
/* Error messages: case name + JSON path + code. */
#define CASEFILE_ERROR_MAX 256

/* One row of a case's "expect". */
struct case_expect {
    const char *claim; /* claim id */
    const char *plan;  /* plan code */
    enum adj_decision decision;
    enum adj_reason reason; /* ADJ_REASON_NONE for null */
    int64_t payout_fen;
};

struct case_claim {
    size_t member; /* index into case_def.members */
    struct adj_claim claim;
};

struct case_def {
    const char *name;
    struct plan *plans; /* every version listed */
    size_t nplans;
    struct adj_code *codes; /* one per distinct plan code */
    struct adj_state state; /* over codes */
    struct adj_member *members;
    size_t nmembers;
    struct adj_enrolment *enrolments; /* grouped by member; members point in */
    size_t nenrolments;
    struct case_claim *claims; /* in file order */
    size_t nclaims;
    struct case_expect *expect;
    size_t nexpect;
};

struct casefile {
    struct arena arena;
    struct case_def *cases;
    size_t ncases;
};

/*
 * Reads the case file at path. On error returns the code and writes a one-
 * line message to msg (msg_cap bytes, CASEFILE_ERROR_MAX suffices), e.g.
 * `case 3 "random-0": claims[2].event.admission_date: INVALID_DATE`;
 * *out is then empty and needs no release. ERR_IO when the file cannot be
 * read, ERR_BAD_JSON when it is not JSON.
 */
enum err casefile_load(const char *path, struct casefile *out, char *msg,
                       size_t msg_cap) WARN_UNUSED;

/* As casefile_load, from a parsed document. */
enum err casefile_from_json(const json_t *root, struct casefile *out, char *msg,
                            size_t msg_cap) WARN_UNUSED;

/* Frees everything, including what the engine grew while judging. */
void casefile_release(struct casefile *cf);

/* Index of the code named `code` in the case, or -1. */
int casefile_code_find(const struct case_def *c, const char *code);

#endif
