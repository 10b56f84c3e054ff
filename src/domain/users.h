/*
 * users: account administration for admins over HTTP, and a signed-in
 * user's change of their own password.
 *
 * Scope: an admin sees and changes only accounts whose organisation is in
 * the admin's subtree (auth_org_in_scope); anything else answers
 * ERR_NOT_FOUND, as if it did not exist. New or moved accounts must land in
 * that subtree too, and a member account's member must be registered there.
 *
 * Self-protection: an admin may not disable their own account, demote it
 * (any role but admin), move it (which would shrink their own subtree), or
 * reset its password through the admin route
 * (ERR_SELF_CHANGE): the last admin of a subtree cannot lock everyone out
 * by a slip, and changing one's own password always asks for the current
 * one (users_change_own_password).
 *
 * Every change appends an audit event ("user.create", "user.update",
 * "user.passwd", "user.passwd_own") in the transaction that makes it, with
 * the HTTP caller as actor. Password rules are auth_password_check's (the
 * CLI's): at least 10 characters, not common, not the login. A password or
 * hash never reaches the audit trail or a listing. Functions taking a
 * struct store_conn run their own transactions; call them outside any.
 */
#ifndef HUZHU_DOMAIN_USERS_H
#define HUZHU_DOMAIN_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"
#include "store/store.h"

#define USERS_DISPLAY_NAME_MAX_CHARS 50 /* as the CLI's --name */

/* Why a request was refused: which input is at fault and, for
 * ERR_WEAK_PASSWORD, the policy's reason (static English text). */
struct users_fault {
    const char *field; /* "login", "role", "org_id", ... or NULL */
    const char *why;   /* NULL or static text */
};

/* An account as admins see it: never a hash. */
struct user_info {
    int64_t id;
    char login[AUTH_LOGIN_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    enum auth_role role;
    int64_t org_id;
    char org_code[STORE_ORG_CODE_MAX + 1];
    int64_t member_id;           /* 0 unless role member */
    bool disabled;
    int64_t password_changed_at_s;
};

struct users_filter {
    const char *role;         /* NULL or "" for any, else a role name */
    int disabled;             /* -1 any, 0 enabled only, 1 disabled only */
    const char *login_prefix; /* NULL or "" for any; lower-cased here */
    int64_t after_id;         /* keyset: ids greater than this */
    size_t limit;             /* 1..LIMIT_PAGE_MAX */
};

/* The accounts in actor's subtree that f selects, in id order; fn sees each
 * (valid during the call only). ERR_INVALID with fault->field "role" or
 * "login" for a filter that no account can match the syntax of;
 * ERR_FORBIDDEN unless actor is an admin (as for every function here but
 * users_change_own_password). */
enum err users_list(struct store_conn *c, const struct auth_user *actor,
                    const struct users_filter *f,
                    enum err (*fn)(const struct user_info *u, void *ctx), void *ctx,
                    size_t *out_n, struct users_fault *fault) WARN_UNUSED;

/* One account of actor's subtree. ERR_NOT_FOUND otherwise; ERR_FORBIDDEN
 * unless actor is an admin. */
enum err users_get(struct store_conn *c, const struct auth_user *actor, int64_t id,
                   struct user_info *out) WARN_UNUSED;

struct users_new {
    const char *login;        /* (login, login_len) untrusted; normalised here */
    size_t login_len;
    const char *display_name; /* NUL-terminated UTF-8 or NULL; up to 50 characters */
    const char *role;         /* role name (NUL-terminated) */
    int64_t org_id;           /* must be in actor's subtree */
    int64_t member_id;        /* required for role member (in actor's subtree), else 0 */
    const char *password;     /* (password, password_len); the caller wipes it */
    size_t password_len;
};

/* Creates an account. ERR_INVALID (fault->field login, display_name, role
 * or member_id), ERR_WEAK_PASSWORD (field password, why set), ERR_NOT_FOUND
 * (field org_id or member_id: unknown or outside the subtree), ERR_EXISTS
 * (field login: taken). */
enum err users_create(struct store_conn *c, const struct auth_user *actor,
                      const char *request_id, const struct users_new *in, int64_t now_ms,
                      int64_t *out_id, struct users_fault *fault) WARN_UNUSED;

struct users_patch {
    const char *display_name; /* NULL: unchanged */
    const char *role;         /* NULL: unchanged; member accounts stay member */
    int64_t org_id;           /* 0: unchanged */
    int disabled;             /* -1 unchanged, 0 enable, 1 disable (ends the sessions) */
};

/* Changes an account of actor's subtree; an empty patch is ERR_INVALID.
 * ERR_NOT_FOUND (field id, or org_id for a target outside the subtree),
 * ERR_INVALID (display_name, role: unknown, or to or from member),
 * ERR_SELF_CHANGE (disabled, role or org_id: actor's own account may not be
 * disabled, demoted or moved). */
enum err users_update(struct store_conn *c, const struct auth_user *actor,
                      const char *request_id, int64_t id, const struct users_patch *p,
                      int64_t now_ms, struct users_fault *fault) WARN_UNUSED;

/* Sets a new password for an account of actor's subtree and ends all its
 * sessions. ERR_NOT_FOUND, ERR_SELF_CHANGE (actor's own: use
 * users_change_own_password), ERR_WEAK_PASSWORD (why set). */
enum err users_reset_password(struct store_conn *c, const struct auth_user *actor,
                              const char *request_id, int64_t id, const char *pw, size_t len,
                              int64_t now_ms, struct users_fault *fault) WARN_UNUSED;

/* The caller of session s changes their own password: current must be
 * right (ERR_UNAUTHENTICATED, field current_password, as a failed login;
 * the attempt counts against the login's failure window, so
 * ERR_RATE_LIMITED with *retry_after_s once too many failed), the new one
 * must pass the policy (ERR_WEAK_PASSWORD, field new_password). Then every
 * other session of the user is revoked; s stays signed in. */
enum err users_change_own_password(struct store_conn *c, const struct auth_config *cfg,
                                   const struct auth_session *s, const char *request_id,
                                   const char *current, size_t current_len, const char *pw,
                                   size_t len, int64_t now_ms, int64_t *retry_after_s,
                                   struct users_fault *fault) WARN_UNUSED;

#endif
