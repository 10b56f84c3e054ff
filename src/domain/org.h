/*
 * org: the organisation tree as the caller may see it.
 *
 * Every function here takes the caller (struct auth_user) and answers only
 * within the caller's subtree: an organisation outside it reads as
 * ERR_NOT_FOUND, exactly like one that does not exist, so ids cannot be
 * probed across units. Members have no subtree: the list and the counts
 * refuse them (ERR_FORBIDDEN) and single reads find nothing. Pure reads:
 * pass a replica connection (store_acquire_read) where a moment of lag is
 * acceptable.
 */
#ifndef HUZHU_DOMAIN_ORG_H
#define HUZHU_DOMAIN_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"
#include "store/store_org.h"

#define ORG_CODE_MAX STORE_ORG_CODE_MAX
#define ORG_NAME_MAX STORE_ORG_NAME_MAX
#define ORG_LEVEL_MAX STORE_ORG_LEVEL_MAX
#define ORG_PATH_MAX STORE_ORG_PATH_MAX

struct org_info {
    int64_t id;
    char code[ORG_CODE_MAX + 1];
    char name[ORG_NAME_MAX + 1];
    char level[ORG_LEVEL_MAX + 1];           /* national, province, city, district, ... */
    char division_code[STORE_ORG_DIVISION_LEN + 1]; /* GB/T 2260 */
    int64_t parent_id;                        /* 0: a root */
    char path[ORG_PATH_MAX + 1];              /* '/1/3/' */
};

/* Organisation id if it is in u's subtree. ERR_NOT_FOUND when it does not
 * exist or is outside the subtree. */
enum err org_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                        struct org_info *out) WARN_UNUSED;

/* u's subtree (its own organisation first, as ids grow downwards), in id
 * order from after_id (exclusive), at most limit (1..LIMIT_PAGE_MAX) rows,
 * each passed to fn (valid during the call only). ERR_INVALID for a bad
 * limit, ERR_FORBIDDEN for a member. *out_n (may be NULL) gets the count. */
enum err org_list_scoped(struct store_conn *c, const struct auth_user *u, int64_t after_id,
                         size_t limit, enum err (*fn)(const struct org_info *org, void *ctx),
                         void *ctx, size_t *out_n) WARN_UNUSED;

struct org_counts {
    int64_t orgs;
    int64_t employers;
    int64_t members;
};

/* Counts of organisations, employers and members in u's subtree.
 * ERR_FORBIDDEN for a member. */
enum err org_counts_scoped(struct store_conn *c, const struct auth_user *u,
                           struct org_counts *out) WARN_UNUSED;

/* ERR_OK when u may see member member_id: a member account is that member;
 * staff see the members registered in their subtree. ERR_NOT_FOUND
 * otherwise, and when there is no such member. */
enum err org_member_in_scope(struct store_conn *c, const struct auth_user *u,
                             int64_t member_id) WARN_UNUSED;

#endif
