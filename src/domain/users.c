/*
 * users: account administration and own-password changes (see users.h).
 *
 * Invariants: every check of scope and of self-protection runs inside the
 * transaction that writes, on rows read in it, so an account moved or
 * changed meanwhile is judged as it is at commit; password hashing (slow
 * argon2id) runs outside transactions; plaintext passwords are wiped by the
 * caller and never copied here except into libsodium; audit details carry
 * logins, roles, organisation codes and flags, never a name or a secret.
 */
#include "domain/users.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "store/store_org.h"
#include "store/store_users.h"

#define NUM_TEXT 24 /* an int64 in decimal with sign and NUL */

static void fmt_int(char out[NUM_TEXT], int64_t v)
{
    snprintf(out, NUM_TEXT, "%lld", (long long)v);
}

static void fault_set(struct users_fault *f, const char *field, const char *why)
{
    if (f != NULL) {
        f->field = field;
        f->why = why;
    }
}

static enum err require_admin(const struct auth_user *actor)
{
    return actor->role == AUTH_ROLE_ADMIN ? ERR_OK : ERR_FORBIDDEN;
}

static enum err info_from_row(const struct store_user_row *r, struct user_info *out)
{
    memset(out, 0, sizeof(*out));
    if (auth_role_parse(r->role, strlen(r->role), &out->role) != ERR_OK) {
        return ERR_INTERNAL; /* the schema's CHECK allows only our names */
    }
    out->id = r->id;
    memcpy(out->login, r->login, sizeof(out->login));
    memcpy(out->display_name, r->display_name, sizeof(out->display_name));
    out->org_id = r->org_id;
    memcpy(out->org_code, r->org_code, sizeof(out->org_code));
    out->member_id = r->member_id;
    out->disabled = r->disabled;
    out->password_changed_at_s = r->password_changed_at_s;
    return ERR_OK;
}

static bool display_name_ok(const char *name)
{
    size_t len = strlen(name);
    return len <= STORE_DISPLAY_NAME_MAX && utf8_is_valid(name, len) &&
           utf8_count(name, len) <= USERS_DISPLAY_NAME_MAX_CHARS;
}

/* Appends one event as actor; pairs of detail strings, n pairs. */
static enum err audit_as(struct store_conn *c, const struct auth_user *actor,
                         const char *request_id, int64_t now_ms, const char *action,
                         int64_t user_id, const char *const *pairs, size_t n)
{
    char detail[AUDIT_DETAIL_MAX + 1];
    char id[NUM_TEXT];
    enum err e = audit_detail_pairs(pairs, n, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    fmt_int(id, user_id);
    struct audit_event ev = {.at_ms = now_ms, .action = action, .object_type = "user",
                             .object_id = id, .detail = detail};
    auth_actor_of(actor, request_id, &ev.actor);
    return audit_append(c, &ev, NULL);
}

/* The row of account id when it is in actor's subtree; ERR_NOT_FOUND otherwise. */
static enum err get_scoped_row(struct store_conn *c, const struct auth_user *actor, int64_t id,
                               struct store_user_row *out)
{
    enum err e = store_user_get(c, id, out);
    if (e == ERR_OK && !auth_org_in_scope(actor, out->org_path)) {
        e = ERR_NOT_FOUND;
    }
    return e;
}

/* The organisation org_id when it is in actor's subtree; ERR_NOT_FOUND otherwise. */
static enum err org_scoped(struct store_conn *c, const struct auth_user *actor, int64_t org_id,
                           struct store_org_row *out)
{
    enum err e = store_org_get(c, org_id, out);
    if (e == ERR_OK && !auth_org_in_scope(actor, out->path)) {
        e = ERR_NOT_FOUND;
    }
    return e;
}

/* --- listing ------------------------------------------------------------- */

/* Lower-cases a login prefix (0..AUTH_LOGIN_MAX bytes of login characters)
 * into out; false when no login could start with it. */
static bool prefix_normalize(const char *s, size_t len, char out[AUTH_LOGIN_MAX + 1])
{
    if (len > AUTH_LOGIN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '@' || ch == '-';
        if (!ok) {
            return false;
        }
        out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[len] = '\0';
    return true;
}

struct list_ctx {
    enum err (*fn)(const struct user_info *u, void *ctx);
    void *ctx;
};

static enum err list_one(const struct store_user_row *row, void *arg)
{
    struct list_ctx *x = arg;
    struct user_info u;
    enum err e = info_from_row(row, &u);
    return e == ERR_OK ? x->fn(&u, x->ctx) : e;
}

enum err users_list(struct store_conn *c, const struct auth_user *actor,
                    const struct users_filter *f,
                    enum err (*fn)(const struct user_info *u, void *ctx), void *ctx,
                    size_t *out_n, struct users_fault *fault)
{
    char prefix[AUTH_LOGIN_MAX + 1] = "";
    enum auth_role role;
    const char *role_name = f->role != NULL ? f->role : "";
    const char *login = f->login_prefix != NULL ? f->login_prefix : "";
    size_t login_len = strlen(login);
    fault_set(fault, NULL, NULL);
    if (out_n != NULL) {
        *out_n = 0;
    }
    if (require_admin(actor) != ERR_OK) {
        return ERR_FORBIDDEN;
    }
    if (role_name[0] != '\0' && auth_role_parse(role_name, strlen(role_name), &role) != ERR_OK) {
        fault_set(fault, "role", "unknown role");
        return ERR_INVALID;
    }
    if (!prefix_normalize(login, login_len, prefix)) {
        fault_set(fault, "login", "a login prefix holds only a-z 0-9 . _ @ -");
        return ERR_INVALID;
    }
    if (f->limit == 0 || f->limit > LIMIT_PAGE_MAX || f->disabled < -1 || f->disabled > 1) {
        return ERR_INVALID;
    }
    struct store_user_filter sf = {.path_prefix = actor->org_path, .role = role_name,
                                   .disabled = f->disabled, .login_prefix = prefix,
                                   .after_id = f->after_id, .limit = f->limit};
    struct list_ctx x = {fn, ctx};
    return store_user_list(c, &sf, list_one, &x, out_n);
}

enum err users_get(struct store_conn *c, const struct auth_user *actor, int64_t id,
                   struct user_info *out)
{
    struct store_user_row r;
    enum err e = require_admin(actor);
    if (e == ERR_OK) {
        e = get_scoped_row(c, actor, id, &r);
    }
    return e == ERR_OK ? info_from_row(&r, out) : e;
}

/* --- create -------------------------------------------------------------- */

struct create_ctx {
    const struct auth_user *actor;
    const char *request_id;
    const struct users_new *in;
    const char *login; /* normalised */
    const char *hash;
    int64_t now_ms;
    int64_t id;        /* out */
    const char *field; /* out: at fault */
};

static enum err create_tx(struct store_conn *c, void *arg)
{
    struct create_ctx *x = arg;
    struct store_org_row org;
    char member_path[STORE_ORG_PATH_MAX + 1];
    x->field = "org_id";
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = org_scoped(c, x->actor, x->in->org_id, &org);
    }
    if (e == ERR_OK && x->in->member_id > 0) {
        x->field = "member_id";
        e = store_org_member_path(c, x->in->member_id, member_path);
        if (e == ERR_OK && !auth_org_in_scope(x->actor, member_path)) {
            e = ERR_NOT_FOUND;
        }
    }
    if (e != ERR_OK) {
        return e;
    }
    x->field = "login";
    struct store_user_new u = {.login = x->login,
                               .display_name = x->in->display_name ? x->in->display_name : "",
                               .role = x->in->role, .org_id = org.id, .password_hash = x->hash,
                               .member_id = x->in->member_id, .now_s = x->now_ms / 1000};
    if ((e = store_user_insert(c, &u, &x->id)) != ERR_OK) {
        return e;
    }
    x->field = NULL;
    const char *pairs[] = {"login", x->login, "org", org.code, "role", x->in->role};
    return audit_as(c, x->actor, x->request_id, x->now_ms, "user.create", x->id, pairs, 3);
}

/* Checks the fields that need no database; normalises the login. */
static enum err validate_new(const struct users_new *in, char login[AUTH_LOGIN_MAX + 1],
                             struct users_fault *fault)
{
    enum auth_role role;
    if (in->login == NULL || auth_login_normalize(in->login, in->login_len, login) != ERR_OK) {
        fault_set(fault, "login", "2 to 64 characters of a-z 0-9 . _ @ -");
        return ERR_INVALID;
    }
    if (in->display_name != NULL && !display_name_ok(in->display_name)) {
        fault_set(fault, "display_name", "at most 50 characters");
        return ERR_INVALID;
    }
    if (in->role == NULL || auth_role_parse(in->role, strlen(in->role), &role) != ERR_OK) {
        fault_set(fault, "role", "unknown role");
        return ERR_INVALID;
    }
    if ((role == AUTH_ROLE_MEMBER) != (in->member_id > 0) || in->member_id < 0) {
        fault_set(fault, "member_id", "a member account needs member_id; other roles none");
        return ERR_INVALID;
    }
    return ERR_OK;
}

enum err users_create(struct store_conn *c, const struct auth_user *actor,
                      const char *request_id, const struct users_new *in, int64_t now_ms,
                      int64_t *out_id, struct users_fault *fault)
{
    char login[AUTH_LOGIN_MAX + 1];
    char hash[AUTH_PWHASH_STR_BYTES];
    const char *why = NULL;
    fault_set(fault, NULL, NULL);
    enum err e = require_admin(actor);
    if (e == ERR_OK) {
        e = validate_new(in, login, fault);
    }
    if (e != ERR_OK) {
        return e;
    }
    e = auth_password_check(login, in->password, in->password_len, &why);
    if (e != ERR_OK) {
        fault_set(fault, "password", why);
        return e;
    }
    if ((e = auth_password_hash(in->password, in->password_len, hash)) != ERR_OK) {
        return e;
    }
    struct create_ctx x = {.actor = actor, .request_id = request_id, .in = in, .login = login,
                           .hash = hash, .now_ms = now_ms};
    e = store_with_tx(c, create_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    if (e == ERR_OK) {
        *out_id = x.id;
    } else {
        fault_set(fault, x.field, NULL);
    }
    return e;
}

/* --- update -------------------------------------------------------------- */

struct update_ctx {
    const struct auth_user *actor;
    const char *request_id;
    int64_t id;
    const struct users_patch *p;
    int64_t now_ms;
    const char *field; /* out: at fault */
};

/* Refuses what the patch may not do to row; sets x->field. */
static enum err update_check(struct update_ctx *x, const struct store_user_row *row,
                             enum auth_role *new_role)
{
    const struct users_patch *p = x->p;
    enum auth_role old;
    if (auth_role_parse(row->role, strlen(row->role), &old) != ERR_OK) {
        return ERR_INTERNAL;
    }
    *new_role = old;
    if (p->role != NULL) {
        x->field = "role";
        if (auth_role_parse(p->role, strlen(p->role), new_role) != ERR_OK ||
            (*new_role == AUTH_ROLE_MEMBER) != (old == AUTH_ROLE_MEMBER)) {
            return ERR_INVALID; /* a member account stays bound to its member */
        }
    }
    if (row->id == x->actor->id) {
        if (p->disabled == 1) {
            x->field = "disabled";
            return ERR_SELF_CHANGE;
        }
        if (*new_role != AUTH_ROLE_ADMIN) {
            x->field = "role";
            return ERR_SELF_CHANGE;
        }
        if (p->org_id > 0 && p->org_id != row->org_id) {
            x->field = "org_id"; /* moving down the tree would shrink one's own scope */
            return ERR_SELF_CHANGE;
        }
    }
    return ERR_OK;
}

static enum err update_tx(struct store_conn *c, void *arg)
{
    struct update_ctx *x = arg;
    const struct users_patch *p = x->p;
    struct store_user_row row;
    struct store_org_row org;
    enum auth_role role;
    int64_t revoked = 0;
    x->field = "id";
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = get_scoped_row(c, x->actor, x->id, &row);
    }
    if (e == ERR_OK && p->display_name == NULL && p->role == NULL && p->org_id <= 0 &&
        p->disabled < 0) {
        x->field = NULL; /* after the scope check: another unit's ids stay 404 */
        e = ERR_INVALID;
    }
    if (e == ERR_OK) {
        e = update_check(x, &row, &role);
    }
    if (e == ERR_OK) {
        x->field = "org_id";
        e = org_scoped(c, x->actor, p->org_id > 0 ? p->org_id : row.org_id, &org);
    }
    if (e != ERR_OK) {
        return e;
    }
    x->field = NULL;
    bool disable = p->disabled < 0 ? row.disabled : p->disabled == 1;
    struct store_user_edit ed = {.id = row.id,
                                 .display_name = p->display_name ? p->display_name
                                                                 : row.display_name,
                                 .role = auth_role_name(role), .org_id = org.id,
                                 .disabled = disable};
    e = store_user_update(c, &ed);
    if (e == ERR_OK && disable && !row.disabled) {
        e = store_session_revoke_user(c, row.id, &revoked);
    }
    if (e != ERR_OK) {
        return e;
    }
    char n[NUM_TEXT];
    fmt_int(n, revoked);
    const char *pairs[] = {"disabled", disable ? "true" : "false",
                           "display_name", p->display_name ? "changed" : "unchanged",
                           "login", row.login, "org", org.code, "role", ed.role,
                           "sessions_revoked", n};
    return audit_as(c, x->actor, x->request_id, x->now_ms, "user.update", row.id, pairs, 6);
}

enum err users_update(struct store_conn *c, const struct auth_user *actor,
                      const char *request_id, int64_t id, const struct users_patch *p,
                      int64_t now_ms, struct users_fault *fault)
{
    fault_set(fault, NULL, NULL);
    enum err e = require_admin(actor);
    if (e != ERR_OK) {
        return e;
    }
    if (p->display_name != NULL && !display_name_ok(p->display_name)) {
        fault_set(fault, "display_name", "at most 50 characters");
        return ERR_INVALID;
    }
    if (p->disabled < -1 || p->disabled > 1) {
        fault_set(fault, "disabled", NULL);
        return ERR_INVALID;
    }
    struct update_ctx x = {.actor = actor, .request_id = request_id, .id = id, .p = p,
                           .now_ms = now_ms};
    e = store_with_tx(c, update_tx, &x);
    if (e != ERR_OK) {
        fault_set(fault, x.field, NULL);
    }
    return e;
}

/* --- passwords ----------------------------------------------------------- */

struct reset_ctx {
    const struct auth_user *actor;
    const char *request_id;
    int64_t id;
    const char *login; /* the login the new password was checked against */
    const char *hash;
    int64_t now_ms;
};

static enum err reset_tx(struct store_conn *c, void *arg)
{
    struct reset_ctx *x = arg;
    struct store_user_row row;
    int64_t revoked = 0;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = get_scoped_row(c, x->actor, x->id, &row);
    }
    if (e == ERR_OK && strcmp(row.login, x->login) != 0) {
        e = ERR_NOT_FOUND; /* logins never change; a different row is another account */
    }
    if (e == ERR_OK) {
        e = store_user_set_password(c, row.id, x->hash, x->now_ms / 1000);
    }
    if (e == ERR_OK) {
        e = store_session_revoke_user(c, row.id, &revoked);
    }
    if (e != ERR_OK) {
        return e;
    }
    char n[NUM_TEXT];
    fmt_int(n, revoked);
    const char *pairs[] = {"by", "admin", "login", row.login, "sessions_revoked", n};
    return audit_as(c, x->actor, x->request_id, x->now_ms, "user.passwd", row.id, pairs, 3);
}

enum err users_reset_password(struct store_conn *c, const struct auth_user *actor,
                              const char *request_id, int64_t id, const char *pw, size_t len,
                              int64_t now_ms, struct users_fault *fault)
{
    struct store_user_row row;
    char hash[AUTH_PWHASH_STR_BYTES];
    const char *why = NULL;
    fault_set(fault, NULL, NULL);
    enum err e = require_admin(actor);
    if (e == ERR_OK) {
        e = get_scoped_row(c, actor, id, &row);
        fault_set(fault, "id", NULL);
    }
    if (e == ERR_OK && row.id == actor->id) {
        e = ERR_SELF_CHANGE;
    }
    if (e != ERR_OK) {
        return e;
    }
    e = auth_password_check(row.login, pw, len, &why);
    if (e != ERR_OK) {
        fault_set(fault, "password", why);
        return e;
    }
    if ((e = auth_password_hash(pw, len, hash)) != ERR_OK) {
        return e;
    }
    struct reset_ctx x = {.actor = actor, .request_id = request_id, .id = id,
                          .login = row.login, .hash = hash, .now_ms = now_ms};
    e = store_with_tx(c, reset_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    fault_set(fault, e == ERR_OK ? NULL : "id", NULL);
    return e;
}

struct own_ctx {
    const struct auth_config *cfg;
    const struct auth_session *s;
    const char *request_id;
    int64_t now_ms;
    char bucket[AUTH_LOGIN_MAX + 3]; /* 'l:<login>', the login limit's bucket */
    int64_t retry_after_s;           /* > 0: refused by the limit */
    struct store_user_row user;      /* with its hash, read in the gate */
    bool current_ok;                 /* the current password was right */
    const char *hash;                /* the new hash */
};

/* Refuses when the login's failure window is full, else counts the attempt
 * as a failure up front (taken back when the password is right), like a
 * login, and reads the account with its hash. */
static enum err own_gate_tx(struct store_conn *c, void *arg)
{
    struct own_ctx *x = arg;
    int64_t start = 0, failures = 0, now_s = x->now_ms / 1000;
    x->retry_after_s = 0;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_failure_get(c, x->bucket, &start, &failures);
    }
    if (e != ERR_OK) {
        return e;
    }
    if (failures >= x->cfg->login_max_failures && start + x->cfg->failure_window_s > now_s) {
        x->retry_after_s = start + x->cfg->failure_window_s - now_s;
        const char *pairs[] = {"login", x->s->user.login};
        return audit_as(c, &x->s->user, x->request_id, x->now_ms, "user.passwd_own_limited",
                        x->s->user.id, pairs, 1);
    }
    e = store_failure_bump(c, x->bucket, now_s, x->cfg->failure_window_s);
    if (e == ERR_OK) {
        e = store_user_find(c, x->s->user.login, &x->user);
    }
    if (e == ERR_OK && x->user.id != x->s->user.id) {
        e = ERR_UNAUTHENTICATED; /* cannot happen: logins are unique and never change */
    }
    return e;
}

static enum err own_finish_tx(struct store_conn *c, void *arg)
{
    struct own_ctx *x = arg;
    const struct auth_user *u = &x->s->user;
    int64_t revoked = 0;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    if (!x->current_ok) {
        const char *pairs[] = {"login", u->login, "reason", "bad_password"};
        return audit_as(c, u, x->request_id, x->now_ms, "user.passwd_own_failed", u->id, pairs,
                        2);
    }
    e = store_failure_clear(c, x->bucket);
    if (e == ERR_OK) {
        e = store_user_set_password(c, u->id, x->hash, x->now_ms / 1000);
    }
    if (e == ERR_OK) {
        e = store_session_revoke_others(c, u->id, x->s->id, &revoked);
    }
    if (e != ERR_OK) {
        return e;
    }
    char n[NUM_TEXT];
    fmt_int(n, revoked);
    const char *pairs[] = {"by", "self", "login", u->login, "sessions_revoked", n};
    return audit_as(c, u, x->request_id, x->now_ms, "user.passwd", u->id, pairs, 3);
}

enum err users_change_own_password(struct store_conn *c, const struct auth_config *cfg,
                                   const struct auth_session *s, const char *request_id,
                                   const char *current, size_t current_len, const char *pw,
                                   size_t len, int64_t now_ms, int64_t *retry_after_s,
                                   struct users_fault *fault)
{
    char hash[AUTH_PWHASH_STR_BYTES];
    const char *why = NULL;
    fault_set(fault, NULL, NULL);
    /* the policy first: a weak new password is no failed attempt */
    enum err e = auth_password_check(s->user.login, pw, len, &why);
    if (e != ERR_OK) {
        fault_set(fault, "new_password", why);
        return e;
    }
    struct own_ctx *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return ERR_NOMEM;
    }
    x->cfg = cfg;
    x->s = s;
    x->request_id = request_id;
    x->now_ms = now_ms;
    snprintf(x->bucket, sizeof(x->bucket), "l:%s", s->user.login);
    e = store_with_tx(c, own_gate_tx, x);
    if (e == ERR_OK && x->retry_after_s > 0) {
        if (retry_after_s != NULL) {
            *retry_after_s = x->retry_after_s;
        }
        e = ERR_RATE_LIMITED;
    }
    if (e == ERR_OK) {
        bool too_long = current_len > AUTH_PASSWORD_MAX_BYTES;
        x->current_ok = auth_password_verify(x->user.password_hash, current,
                                             too_long ? AUTH_PASSWORD_MAX_BYTES : current_len) &&
                        !too_long;
        if (x->current_ok) {
            e = auth_password_hash(pw, len, hash);
            x->hash = hash;
        }
    }
    if (e == ERR_OK) {
        e = store_with_tx(c, own_finish_tx, x);
    }
    if (e == ERR_OK && !x->current_ok) {
        e = ERR_UNAUTHENTICATED;
        fault_set(fault, "current_password", NULL);
    }
    sodium_memzero(hash, sizeof(hash));
    sodium_memzero(x, sizeof(*x));
    free(x);
    return e;
}
