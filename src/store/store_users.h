/*
 * store_users: account administration rows beyond store_auth: one account
 * by id, a filtered keyset page of accounts under an organisation subtree,
 * the editable columns of an account, and revoking a user's sessions but
 * one.
 *
 * Pure storage, like store_auth: the domain (domain/users) decides who may
 * see or change what. Rows come back in struct store_user_row (store_auth.h)
 * with password_hash left empty: no query here reads a hash. Text arguments
 * are NUL-terminated, already validated UTF-8.
 */
#ifndef HUZHU_STORE_STORE_USERS_H
#define HUZHU_STORE_STORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_auth.h"

/* The account id with its organisation (password_hash empty).
 * ERR_NOT_FOUND if none. */
enum err store_user_get(struct store_conn *c, int64_t id, struct store_user_row *out) WARN_UNUSED;

struct store_user_filter {
    const char *path_prefix;  /* accounts whose organisation path starts with this ('/1/4/') */
    const char *role;         /* "" for any, else a role name */
    int disabled;             /* -1 any, 0 enabled only, 1 disabled only */
    const char *login_prefix; /* "" for any; compared byte for byte (no wildcards) */
    int64_t after_id;         /* keyset: ids greater than this */
    size_t limit;             /* > 0: at most this many rows */
};

/* Calls fn for the accounts f selects, in id order; the row is valid during
 * the call only and fn must not use c. A non-OK result of fn stops the walk
 * and is returned. *out_n (may be NULL) gets how many rows fn saw. */
enum err store_user_list(struct store_conn *c, const struct store_user_filter *f,
                         enum err (*fn)(const struct store_user_row *row, void *ctx), void *ctx,
                         size_t *out_n) WARN_UNUSED;

struct store_user_edit {
    int64_t id;
    const char *display_name; /* the new values of every editable column */
    const char *role;         /* a role name; "member" only for a member-bound account */
    int64_t org_id;
    bool disabled;
};

/* Writes the editable columns. ERR_NOT_FOUND if no such account; ERR_CONFLICT
 * when the schema refuses the values (unknown org, role and member disagree). */
enum err store_user_update(struct store_conn *c, const struct store_user_edit *u) WARN_UNUSED;

/* Revokes every live session of user_id except keep_session_id (0 keeps
 * none); *out_count gets how many were revoked. */
enum err store_session_revoke_others(struct store_conn *c, int64_t user_id,
                                     int64_t keep_session_id, int64_t *out_count) WARN_UNUSED;

#endif
