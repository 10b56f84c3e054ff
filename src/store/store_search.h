/*
 * store_search: the registry as the API reads it — one employer or member
 * by id, keyset-paged searches within a subtree — and the organisation
 * writes of the API (rename, move).
 *
 * Scope: every search takes the caller's subtree path ('/1/4/') and returns
 * only rows whose organisation's path starts with it; single reads return
 * the row's organisation path and the domain checks it. Pages are keyset
 * pages: rows with id > after_id, in id order, at most limit, so a page
 * costs the same at the millionth row as at the first. Name prefixes are
 * matched with LIKE on escaped text ('%', '_' and '\' in the input are
 * literal); an ID number is never matched with LIKE: only its blind index
 * (exact). Rows come back in caller-owned fixed buffers; a callback's row
 * is valid during the call only, and the callback must not use c.
 */
#ifndef HUZHU_STORE_STORE_SEARCH_H
#define HUZHU_STORE_STORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_registry.h"

#define STORE_SEARCH_PREFIX_MAX 200 /* bytes of a name or code prefix (50 characters) */
#define STORE_TIME_BYTES 32         /* a created_at / updated_at text */

/* ------------------------------------------------------------- organisations */

/* Renames organisation id. ERR_NOT_FOUND if none. */
enum err store_org_rename(struct store_conn *c, int64_t id, const char *name) WARN_UNUSED;

/* Moves organisation id (path old_path) under new_parent_id (path
 * new_parent_path): sets its parent and rewrites the path of it and of
 * every descendant (old_path prefix -> new_parent_path || id || '/'). Run
 * it inside the caller's transaction, so the subtree moves at once. The
 * caller has refused a move under the organisation's own subtree. */
enum err store_org_move(struct store_conn *c, int64_t id, const char *old_path,
                        int64_t new_parent_id, const char *new_parent_path) WARN_UNUSED;

/* ------------------------------------------------------------------ employers */

/* Employer id with its organisation's path. ERR_NOT_FOUND if none. */
enum err store_employer_get(struct store_conn *c, int64_t id,
                            struct store_employer_row *out) WARN_UNUSED;

struct store_employer_filter {
    const char *path_prefix; /* the caller's subtree; required */
    const char *q;           /* "" or a prefix of the credit code (upper-cased here) or name */
    int64_t org_id;          /* 0 or the serving organisation */
    const char *ownership;   /* "" or a stored code */
    const char *size;        /* "" or a stored code */
};

/* Calls fn for the employers matching f with id > after_id, in id order, at
 * most limit. *out_n (may be NULL) gets the count. */
enum err store_employer_search(struct store_conn *c, const struct store_employer_filter *f,
                               int64_t after_id, size_t limit,
                               enum err (*fn)(const struct store_employer_row *row, void *ctx),
                               void *ctx, size_t *out_n) WARN_UNUSED;

/* -------------------------------------------------------------------- members */

/* A member as the API shows it, with its sealed fields for a reveal. */
struct store_member_detail {
    int64_t id;
    char id_mask[STORE_MASK_BYTES + 1];
    char name[STORE_NAME_BYTES + 1];
    char gender[2];                       /* "M" or "F" */
    char birth_date[11];                  /* YYYY-MM-DD */
    char phone[16];                       /* "" when none */
    char employment[16];
    int64_t employer_id;                  /* 0 when none */
    char employer_uscc[19];               /* "" when none */
    char employer_name[STORE_NAME_BYTES + 1];
    int64_t org_id;
    char org_code[STORE_ORG_CODE_BYTES + 1];
    char org_path[STORE_ORG_PATH_BYTES + 1];
    int hardship;                         /* 0 or 1 */
    char bank_mask[STORE_MASK_BYTES + 1]; /* "" when no bank card */
    char created_at[STORE_TIME_BYTES];
    char updated_at[STORE_TIME_BYTES];
    unsigned char id_enc[STORE_SEALED_BYTES];
    size_t id_enc_len;
    unsigned char bank_enc[STORE_SEALED_BYTES];
    size_t bank_enc_len;                  /* 0 when no bank card */
};

/* Member id. ERR_NOT_FOUND if none. */
enum err store_member_get(struct store_conn *c, int64_t id,
                          struct store_member_detail *out) WARN_UNUSED;

struct store_member_filter {
    const char *path_prefix;      /* the caller's subtree; required */
    const char *name_prefix;      /* "" or a prefix of the name */
    const unsigned char *id_hash; /* NULL or the blind index of an ID number (exact) */
    const char *phone;            /* "" or an exact normalised mobile number */
    int64_t employer_id;          /* 0 or an employer */
    const char *employment;       /* "" or a stored code */
    int hardship;                 /* -1 any, 0 or 1 */
};

/* Calls fn for the members matching f with id > after_id, in id order, at
 * most limit. *out_n (may be NULL) gets the count. */
enum err store_member_search(struct store_conn *c, const struct store_member_filter *f,
                             int64_t after_id, size_t limit,
                             enum err (*fn)(const struct store_member_detail *row, void *ctx),
                             void *ctx, size_t *out_n) WARN_UNUSED;

#endif
