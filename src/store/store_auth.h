/*
 * store_auth: rows of the security tables: user accounts (app_user),
 * sessions and login-failure counters.
 *
 * Pure storage: the domain (domain/auth) validates logins and roles, hashes
 * passwords and tokens, and decides what a row means. Tokens never reach the
 * store, only their STORE_TOKEN_HASH_BYTES hashes. Rows read come back in
 * fixed buffers owned by the caller, so nothing points into a statement.
 * Times are Unix seconds. Text arguments are NUL-terminated, already
 * validated UTF-8.
 */
#ifndef HUZHU_STORE_STORE_AUTH_H
#define HUZHU_STORE_STORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_TOKEN_HASH_BYTES 32  /* BLAKE2b-256 of a session or CSRF token */
#define STORE_LOGIN_MAX 64         /* bytes of a login */
#define STORE_DISPLAY_NAME_MAX 200 /* bytes: 50 characters of up to 4 bytes */
#define STORE_ROLE_MAX 23          /* longest role name is "claims_approver" */
#define STORE_ORG_PATH_MAX 511     /* as store_org_insert's path buffer */
#define STORE_ORG_CODE_MAX 63
#define STORE_PWHASH_MAX 127       /* crypto_pwhash_STRBYTES - 1 */
#define STORE_IP_MAX 64            /* an IPv6 address with zone fits */
#define STORE_USER_AGENT_MAX 200   /* enough to tell browsers apart */

/* Finds an organisation by code: its id and subtree path ('/1/4/17/').
 * ERR_NOT_FOUND if no such code. */
enum err store_auth_org_lookup(struct store_conn *c, const char *code, int64_t *out_id,
                               char out_path[STORE_ORG_PATH_MAX + 1]) WARN_UNUSED;

struct store_user_new {
    const char *login;         /* normalised by the domain */
    const char *display_name;  /* "" if none */
    const char *role;          /* a role name the schema accepts */
    int64_t org_id;
    const char *password_hash; /* crypto_pwhash_str output */
    int64_t member_id;         /* 0 unless role is "member" */
    int64_t now_s;             /* created_at_s and password_changed_at_s */
};

/* ERR_EXISTS if the login is taken; ERR_CONFLICT if org or member is unknown
 * or role and member_id disagree. */
enum err store_user_insert(struct store_conn *c, const struct store_user_new *u,
                           int64_t *out_id) WARN_UNUSED;

struct store_user_row {
    int64_t id;
    char login[STORE_LOGIN_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    char role[STORE_ROLE_MAX + 1];
    int64_t org_id;
    char org_code[STORE_ORG_CODE_MAX + 1];
    char org_path[STORE_ORG_PATH_MAX + 1];
    char password_hash[STORE_PWHASH_MAX + 1];
    int64_t member_id; /* 0: none */
    bool disabled;
    int64_t password_changed_at_s;
};

/* ERR_NOT_FOUND if no user has this login. */
enum err store_user_find(struct store_conn *c, const char *login,
                         struct store_user_row *out) WARN_UNUSED;

/* Replaces the hash; ERR_NOT_FOUND if no such user. */
enum err store_user_set_password(struct store_conn *c, int64_t user_id, const char *password_hash,
                                 int64_t now_s) WARN_UNUSED;

/* Sets or clears the disabled flag; ERR_NOT_FOUND if no such user. */
enum err store_user_set_disabled(struct store_conn *c, int64_t user_id,
                                 bool disabled) WARN_UNUSED;

/* Calls fn for every user in login order; the row is valid during the call
 * only, and fn must not use c. A non-OK result of fn stops the walk and is
 * returned. password_hash is left empty. */
enum err store_user_each(struct store_conn *c,
                         enum err (*fn)(const struct store_user_row *row, void *ctx),
                         void *ctx) WARN_UNUSED;

struct store_session_new {
    const unsigned char *token_hash; /* STORE_TOKEN_HASH_BYTES */
    const unsigned char *csrf_hash;  /* STORE_TOKEN_HASH_BYTES */
    int64_t user_id;
    int64_t created_at_s;            /* also last_seen_s */
    int64_t expires_at_s;
    const char *ip;                  /* at most STORE_IP_MAX bytes */
    const char *user_agent;          /* at most STORE_USER_AGENT_MAX bytes */
};

enum err store_session_insert(struct store_conn *c, const struct store_session_new *s,
                              int64_t *out_id) WARN_UNUSED;

struct store_session_row {
    int64_t id;
    unsigned char csrf_hash[STORE_TOKEN_HASH_BYTES];
    int64_t created_at_s;
    int64_t last_seen_s;
    int64_t expires_at_s;
    bool revoked;
    char ip[STORE_IP_MAX + 1];
    char user_agent[STORE_USER_AGENT_MAX + 1];
    struct store_user_row user; /* the owner, with its org (password_hash empty) */
};

/* The session whose token hashes to token_hash, revoked or not, with its
 * user. ERR_NOT_FOUND if none. */
enum err store_session_find(struct store_conn *c, const unsigned char *token_hash,
                            struct store_session_row *out) WARN_UNUSED;

/* Sets last_seen_s. */
enum err store_session_touch(struct store_conn *c, int64_t session_id, int64_t now_s) WARN_UNUSED;

/* Revokes session_id if it belongs to user_id and is not revoked yet;
 * ERR_NOT_FOUND otherwise (someone else's session looks like no session). */
enum err store_session_revoke(struct store_conn *c, int64_t session_id,
                              int64_t user_id) WARN_UNUSED;

/* Revokes every session of user_id; *out_count gets how many were live. */
enum err store_session_revoke_user(struct store_conn *c, int64_t user_id,
                                   int64_t *out_count) WARN_UNUSED;

/* The user's sessions that are not revoked and not past expires_at_s at
 * now_s, newest first, at most cap of them (user left empty). */
enum err store_session_list(struct store_conn *c, int64_t user_id, int64_t now_s,
                            struct store_session_row *rows, size_t cap,
                            size_t *out_n) WARN_UNUSED;

/* Deletes sessions that ended before before_s (revoked or expired), to keep
 * the table small; *out_count gets how many. */
enum err store_session_purge(struct store_conn *c, int64_t before_s,
                             int64_t *out_count) WARN_UNUSED;

/* Login-failure counters: fixed windows of window_s seconds per bucket
 * ('l:<login>', 'a:<address>'). A missing bucket reads as 0 failures. */
enum err store_failure_get(struct store_conn *c, const char *bucket, int64_t *out_window_start_s,
                           int64_t *out_failures) WARN_UNUSED;

/* Counts one failure: starts a new window at now_s when the bucket's window
 * has ended (window_start_s + window_s <= now_s), else adds one. */
enum err store_failure_bump(struct store_conn *c, const char *bucket, int64_t now_s,
                            int64_t window_s) WARN_UNUSED;

/* Takes one failure back (never below 0). */
enum err store_failure_unbump(struct store_conn *c, const char *bucket) WARN_UNUSED;

/* Forgets a bucket. */
enum err store_failure_clear(struct store_conn *c, const char *bucket) WARN_UNUSED;

/* Deletes buckets whose window started before before_s; *out_count gets how many. */
enum err store_failure_purge(struct store_conn *c, int64_t before_s,
                             int64_t *out_count) WARN_UNUSED;

#endif
