/*
 * store_org: subtree-scoped reads of the organisation tree and of what
 * hangs under it, for the API's org list and the registry summary.
 *
 * A subtree is named by its materialised path ('/1/3/'): an organisation is
 * in it when its path starts with that text (path LIKE prefix || '%'), and an
 * employer or member is in it when its org_id is. Paths hold only digits and
 * '/', so LIKE needs no escaping. Pure reads, outside any transaction; they
 * may run on a replica connection (store_acquire_read). Rows come back in
 * caller-owned fixed buffers.
 */
#ifndef HUZHU_STORE_STORE_ORG_H
#define HUZHU_STORE_STORE_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_auth.h"

#define STORE_ORG_NAME_MAX 200  /* bytes: 50 characters of up to 4 bytes */
#define STORE_ORG_LEVEL_MAX 15  /* "grassroots" is the longest level */
#define STORE_ORG_DIVISION_LEN 6 /* GB/T 2260 code */

struct store_org_row {
    int64_t id;
    char code[STORE_ORG_CODE_MAX + 1];
    char name[STORE_ORG_NAME_MAX + 1];
    char level[STORE_ORG_LEVEL_MAX + 1];
    char division_code[STORE_ORG_DIVISION_LEN + 1];
    int64_t parent_id; /* 0: a root */
    char path[STORE_ORG_PATH_MAX + 1];
};

/* The organisation id. ERR_NOT_FOUND if none. */
enum err store_org_get(struct store_conn *c, int64_t id, struct store_org_row *out) WARN_UNUSED;

/* Calls fn for the organisations whose path starts with path_prefix and
 * whose id is > after_id, in id order, at most limit (> 0) of them. The row
 * is valid during the call only and fn must not use c; a non-OK result of
 * fn stops the walk and is returned. *out_n (may be NULL) gets the count. */
enum err store_org_subtree_each(struct store_conn *c, const char *path_prefix, int64_t after_id,
                                size_t limit,
                                enum err (*fn)(const struct store_org_row *row, void *ctx),
                                void *ctx, size_t *out_n) WARN_UNUSED;

struct store_org_counts {
    int64_t orgs;      /* organisations in the subtree, its root included */
    int64_t employers; /* employers served by one of them */
    int64_t members;   /* members registered with one of them */
};

/* Counts of the subtree at path_prefix (one statement, one snapshot). */
enum err store_org_subtree_counts(struct store_conn *c, const char *path_prefix,
                                  struct store_org_counts *out) WARN_UNUSED;

/* The path of the organisation member member_id belongs to. ERR_NOT_FOUND
 * if no such member. */
enum err store_org_member_path(struct store_conn *c, int64_t member_id,
                               char out_path[STORE_ORG_PATH_MAX + 1]) WARN_UNUSED;

#endif
