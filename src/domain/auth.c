/*
 * auth: passwords (argon2id), session tokens (random 256-bit, stored as
 * BLAKE2b hashes), login rate limits kept in the database, account changes,
 * and the authorisation predicates.
 *
 * Invariants: a token or password never reaches the store or the audit
 * trail; plaintext copies made here are wiped with sodium_memzero; every
 * login outcome, logout and account change is audited in the transaction
 * that makes it; a login costs one argon2id verification whether or not
 * the account exists (an unknown login is checked against a dummy hash made
 * with the same parameters).
 */
#include "domain/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "domain/common_passwords.h"

#define CSRF_CONTEXT "huzhu-csrf-v1" /* derivation input: csrf = BLAKE2b(key=token, this) */
#define DISPLAY_NAME_MAX_CHARS 50
#define NUM_TEXT 24 /* an int64 in decimal with sign and NUL */

/* argon2id of a random password nobody knows, made once per process with
 * today's AUTH_PWHASH_* parameters so it always costs what a real one does. */
static char dummy_hash[AUTH_PWHASH_STR_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static const char *const role_names[AUTH_ROLE__COUNT] = {
    [AUTH_ROLE_ADMIN] = "admin",
    [AUTH_ROLE_SUPERVISOR] = "supervisor",
    [AUTH_ROLE_UNIT_STAFF] = "unit_staff",
    [AUTH_ROLE_CLAIMS_OFFICER] = "claims_officer",
    [AUTH_ROLE_CLAIMS_APPROVER] = "claims_approver",
    [AUTH_ROLE_FINANCE] = "finance",
    [AUTH_ROLE_AUDITOR] = "auditor",
    [AUTH_ROLE_MEMBER] = "member",
};

const struct audit_actor auth_actor_cli = {0, "cli", "", 0, ""};

static enum err sodium_ready(void)
{
    return sodium_init() < 0 ? ERR_INTERNAL : ERR_OK;
}

int64_t auth_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fmt_int(char out[NUM_TEXT], int64_t v)
{
    snprintf(out, NUM_TEXT, "%lld", (long long)v);
}

/* Copies NUL-terminated s (NULL reads as "") into out, cut to fit and to
 * valid UTF-8 ("" when not UTF-8 at all). */
static void copy_cut(const char *s, char *out, size_t cap)
{
    size_t len = s == NULL ? 0 : strnlen(s, cap - 1);
    while (len > 0 && !utf8_is_valid(s, len)) {
        len--; /* a code point was cut: step back to its start */
    }
    if (len > 0) {
        memcpy(out, s, len);
    }
    out[len] = '\0';
}

/* --- roles and logins ---------------------------------------------------- */

const char *auth_role_name(enum auth_role r)
{
    return (unsigned)r < AUTH_ROLE__COUNT ? role_names[r] : "";
}

enum err auth_role_parse(const char *s, size_t len, enum auth_role *out)
{
    for (int r = 0; r < AUTH_ROLE__COUNT; r++) {
        if (strlen(role_names[r]) == len && memcmp(role_names[r], s, len) == 0) {
            *out = (enum auth_role)r;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

static bool login_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '@' || ch == '-';
}

enum err auth_login_normalize(const char *s, size_t len, char out[AUTH_LOGIN_MAX + 1])
{
    if (len < AUTH_LOGIN_MIN || len > AUTH_LOGIN_MAX) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < len; i++) {
        if (!login_char_ok(s[i])) {
            return ERR_INVALID;
        }
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    }
    out[len] = '\0';
    return ERR_OK;
}

/* --- passwords ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool auth_password_is_common(const char *pw, size_t len)
{
    char lower[AUTH_PASSWORD_MAX_BYTES + 1];
    if (len > AUTH_PASSWORD_MAX_BYTES) {
        return false; /* the list holds nothing that long */
    }
    for (size_t i = 0; i < len; i++) {
        lower[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] - 'A' + 'a') : pw[i];
    }
    lower[len] = '\0';
    const char *key = lower;
    bool found = bsearch(&key, common_passwords, COMMON_PASSWORDS_COUNT, sizeof(common_passwords[0]),
                         cmp_str) != NULL;
    sodium_memzero(lower, sizeof(lower));
    return found;
}

static bool equals_login(const char *login, const char *pw, size_t len)
{
    return login != NULL && strlen(login) == len && strncasecmp(login, pw, len) == 0;
}

static bool one_repeated_char(const char *pw, size_t len)
{
    for (size_t i = 1; i < len; i++) {
        if (pw[i] != pw[0]) {
            return false;
        }
    }
    return true;
}

enum err auth_password_check(const char *login, const char *pw, size_t len, const char **why)
{
    const char *reason = NULL;
    if (len > AUTH_PASSWORD_MAX_BYTES) {
        reason = "password is longer than 128 bytes";
    } else if (!utf8_is_valid(pw, len)) {
        reason = "password is not valid UTF-8 text";
    } else if (utf8_count(pw, len) < AUTH_PASSWORD_MIN_CHARS) {
        reason = "password is shorter than 10 characters";
    } else if (one_repeated_char(pw, len)) {
        reason = "password is one character repeated";
    } else if (equals_login(login, pw, len)) {
        reason = "password is the same as the login";
    } else if (auth_password_is_common(pw, len)) {
        reason = "password is one of the most common passwords";
    }
    if (why != NULL) {
        *why = reason;
    }
    return reason == NULL ? ERR_OK : ERR_WEAK_PASSWORD;
}

enum err auth_password_hash(const char *pw, size_t len, char out[AUTH_PWHASH_STR_BYTES])
{
    if (sodium_ready() != ERR_OK) {
        return ERR_INTERNAL;
    }
    if (crypto_pwhash_str_alg(out, pw, len, AUTH_PWHASH_OPSLIMIT, AUTH_PWHASH_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return ERR_NOMEM;
    }
    return ERR_OK;
}

bool auth_password_verify(const char *hash, const char *pw, size_t len)
{
    if (sodium_ready() != ERR_OK) {
        return false;
    }
    return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool auth_password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, AUTH_PWHASH_OPSLIMIT, AUTH_PWHASH_MEMLIMIT) != 0;
}

static void dummy_make(void)
{
    unsigned char pw[32];
    randombytes_buf(pw, sizeof(pw));
    if (auth_password_hash((const char *)pw, sizeof(pw), dummy_hash) != ERR_OK) {
        dummy_hash[0] = '\0'; /* verify then fails fast; logins fail closed anyway */
    }
    sodium_memzero(pw, sizeof(pw));
}

static const char *dummy(void)
{
    pthread_once(&dummy_once, dummy_make);
    return dummy_hash;
}

/* --- tokens -------------------------------------------------------------- */

static void hash32(unsigned char out[32], const unsigned char *in, size_t len)
{
    crypto_generichash(out, 32, in, len, NULL, 0);
}

/* Decodes a 43-character base64url token; false if malformed. */
static bool token_decode(const char *text, size_t len, unsigned char raw[AUTH_TOKEN_BYTES])
{
    size_t n = 0;
    if (len != AUTH_TOKEN_TEXT - 1) {
        return false;
    }
    return sodium_base642bin(raw, AUTH_TOKEN_BYTES, text, len, NULL, &n, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
           n == AUTH_TOKEN_BYTES;
}

static void token_encode(const unsigned char raw[AUTH_TOKEN_BYTES], char out[AUTH_TOKEN_TEXT])
{
    sodium_bin2base64(out, AUTH_TOKEN_TEXT, raw, AUTH_TOKEN_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void csrf_derive(const unsigned char token[AUTH_TOKEN_BYTES],
                        unsigned char csrf[AUTH_TOKEN_BYTES])
{
    crypto_generichash(csrf, AUTH_TOKEN_BYTES, (const unsigned char *)CSRF_CONTEXT,
                       strlen(CSRF_CONTEXT), token, AUTH_TOKEN_BYTES);
}

enum err auth_csrf_for_token(const char *token, size_t len, char out[AUTH_TOKEN_TEXT])
{
    unsigned char raw[AUTH_TOKEN_BYTES], csrf[AUTH_TOKEN_BYTES];
    if (sodium_ready() != ERR_OK || !token_decode(token, len, raw)) {
        return ERR_UNAUTHENTICATED;
    }
    csrf_derive(raw, csrf);
    token_encode(csrf, out);
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(csrf, sizeof(csrf));
    return ERR_OK;
}

enum err auth_csrf_check(const struct auth_session *s, const char *header, size_t len)
{
    unsigned char raw[AUTH_TOKEN_BYTES], h[STORE_TOKEN_HASH_BYTES];
    if (header == NULL || !token_decode(header, len, raw)) {
        return ERR_CSRF;
    }
    hash32(h, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return sodium_memcmp(h, s->csrf_hash, sizeof(h)) == 0 ? ERR_OK : ERR_CSRF;
}

/* --- users as route handlers see them ------------------------------------ */

void auth_actor_of(const struct auth_user *u, const char *request_id, struct audit_actor *out)
{
    out->user_id = u->id;
    out->login = u->login;
    out->role = auth_role_name(u->role);
    out->org_id = u->org_id;
    out->request_id = request_id != NULL ? request_id : "";
}

static enum err user_from_row(const struct store_user_row *r, struct auth_user *u)
{
    memset(u, 0, sizeof(*u));
    if (auth_role_parse(r->role, strlen(r->role), &u->role) != ERR_OK) {
        return ERR_UNAUTHENTICATED;
    }
    u->id = r->id;
    memcpy(u->login, r->login, sizeof(u->login));
    memcpy(u->display_name, r->display_name, sizeof(u->display_name));
    u->org_id = r->org_id;
    memcpy(u->org_code, r->org_code, sizeof(u->org_code));
    memcpy(u->org_path, r->org_path, sizeof(u->org_path));
    u->member_id = r->member_id;
    return ERR_OK;
}

/* Appends one event; pairs of detail strings (NULL-free), n pairs. */
static enum err audit_now(struct store_conn *c, const struct audit_actor *actor, int64_t now_ms,
                          const char *action, const char *object_type, const char *object_id,
                          const char *const *pairs, size_t n)
{
    char detail[AUDIT_DETAIL_MAX + 1];
    enum err e = audit_detail_pairs(pairs, n, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    struct audit_event ev = {.at_ms = now_ms, .actor = *actor, .action = action,
                             .object_type = object_type, .object_id = object_id, .detail = detail};
    return audit_append(c, &ev, NULL);
}

void auth_config_default(struct auth_config *cfg)
{
    cfg->idle_timeout_s = 30 * 60;
    cfg->absolute_timeout_s = 12 * 60 * 60;
    cfg->login_max_failures = 5;
    cfg->addr_max_failures = 20;
    cfg->failure_window_s = 15 * 60;
}

/* --- accounts ------------------------------------------------------------ */

struct create_ctx {
    const struct audit_actor *actor;
    const struct auth_user_new *in;
    const char *login;  /* normalised */
    const char *hash;   /* argon2id string */
    int64_t now_ms;
    int64_t id;         /* out */
};

static enum err create_tx(struct store_conn *c, void *arg)
{
    struct create_ctx *x = arg;
    int64_t org_id;
    char path[STORE_ORG_PATH_MAX + 1];
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_auth_org_lookup(c, x->in->org_code, &org_id, path);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct store_user_new u = {.login = x->login,
                               .display_name = x->in->display_name ? x->in->display_name : "",
                               .role = x->in->role, .org_id = org_id, .password_hash = x->hash,
                               .member_id = x->in->member_id, .now_s = x->now_ms / 1000};
    if ((e = store_user_insert(c, &u, &x->id)) != ERR_OK) {
        return e;
    }
    char id[NUM_TEXT];
    fmt_int(id, x->id);
    const char *pairs[] = {"login", x->login, "role", x->in->role, "org", x->in->org_code};
    return audit_now(c, x->actor, x->now_ms, "user.create", "user", id, pairs, 3);
}

static enum err validate_new_user(const struct auth_user_new *u, char login[AUTH_LOGIN_MAX + 1])
{
    enum auth_role role;
    const char *name = u->display_name ? u->display_name : "";
    size_t name_len = strlen(name);
    if (u->login == NULL || u->role == NULL || u->org_code == NULL ||
        auth_login_normalize(u->login, strlen(u->login), login) != ERR_OK ||
        auth_role_parse(u->role, strlen(u->role), &role) != ERR_OK ||
        !utf8_is_valid(name, name_len) || name_len > STORE_DISPLAY_NAME_MAX ||
        utf8_count(name, name_len) > DISPLAY_NAME_MAX_CHARS) {
        return ERR_INVALID;
    }
    if ((role == AUTH_ROLE_MEMBER) != (u->member_id > 0) || u->member_id < 0) {
        return ERR_INVALID; /* a member account is bound to exactly one member */
    }
    return ERR_OK;
}

enum err auth_user_create(struct store_conn *c, const struct audit_actor *actor,
                          const struct auth_user_new *u, int64_t now_ms, int64_t *out_id,
                          const char **why)
{
    char login[AUTH_LOGIN_MAX + 1];
    char hash[AUTH_PWHASH_STR_BYTES];
    if (why != NULL) {
        *why = NULL;
    }
    enum err e = validate_new_user(u, login);
    if (e == ERR_OK) {
        e = auth_password_check(login, u->password, u->password_len, why);
    }
    if (e == ERR_OK) {
        e = auth_password_hash(u->password, u->password_len, hash);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct create_ctx x = {.actor = actor, .in = u, .login = login, .hash = hash,
                           .now_ms = now_ms};
    e = store_with_tx(c, create_tx, &x);
    if (e == ERR_OK) {
        *out_id = x.id;
    }
    return e;
}

struct change_ctx {
    const struct audit_actor *actor;
    const char *login; /* normalised */
    const char *hash;  /* new password hash, or NULL to disable */
    int64_t now_ms;
};

static enum err change_tx(struct store_conn *c, void *arg)
{
    struct change_ctx *x = arg;
    struct store_user_row u;
    int64_t revoked = 0;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_user_find(c, x->login, &u);
    }
    if (e == ERR_OK) {
        e = x->hash != NULL ? store_user_set_password(c, u.id, x->hash, x->now_ms / 1000)
                            : store_user_set_disabled(c, u.id, true);
    }
    if (e == ERR_OK) {
        e = store_session_revoke_user(c, u.id, &revoked);
    }
    if (e != ERR_OK) {
        return e;
    }
    char id[NUM_TEXT], n[NUM_TEXT];
    fmt_int(id, u.id);
    fmt_int(n, revoked);
    const char *pairs[] = {"login", u.login, "sessions_revoked", n};
    return audit_now(c, x->actor, x->now_ms, x->hash != NULL ? "user.passwd" : "user.disable",
                     "user", id, pairs, 2);
}

enum err auth_user_set_password(struct store_conn *c, const struct audit_actor *actor,
                                const char *login, const char *pw, size_t len, int64_t now_ms,
                                const char **why)
{
    char norm[AUTH_LOGIN_MAX + 1];
    char hash[AUTH_PWHASH_STR_BYTES];
    if (why != NULL) {
        *why = NULL;
    }
    if (login == NULL || auth_login_normalize(login, strlen(login), norm) != ERR_OK) {
        return ERR_NOT_FOUND; /* no account can have this login */
    }
    enum err e = auth_password_check(norm, pw, len, why);
    if (e == ERR_OK) {
        e = auth_password_hash(pw, len, hash);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct change_ctx x = {.actor = actor, .login = norm, .hash = hash, .now_ms = now_ms};
    return store_with_tx(c, change_tx, &x);
}

enum err auth_user_disable(struct store_conn *c, const struct audit_actor *actor,
                           const char *login, int64_t now_ms)
{
    char norm[AUTH_LOGIN_MAX + 1];
    if (login == NULL || auth_login_normalize(login, strlen(login), norm) != ERR_OK) {
        return ERR_NOT_FOUND;
    }
    struct change_ctx x = {.actor = actor, .login = norm, .hash = NULL, .now_ms = now_ms};
    return store_with_tx(c, change_tx, &x);
}

/* --- login --------------------------------------------------------------- */

struct login_ctx {
    const struct auth_config *cfg;
    const struct auth_login_request *req;
    int64_t now_s;
    bool login_ok;                          /* the login is well-formed */
    char login[AUTH_LOGIN_MAX + 1];         /* normalised, when login_ok */
    char ip[STORE_IP_MAX + 1];
    char user_agent[STORE_USER_AGENT_MAX + 1];
    char bucket_login[AUTH_LOGIN_MAX + 3];  /* 'l:<login>' */
    char bucket_addr[STORE_IP_MAX + 3];     /* 'a:<address>' */
    int64_t retry_after_s;                  /* > 0: refused by the rate limit */
    bool found;                             /* the account exists */
    struct store_user_row user;             /* when found */
    const char *reason;                     /* why the login failed; NULL: it did not */
    char rehash[AUTH_PWHASH_STR_BYTES];     /* new hash with today's parameters, or "" */
    struct auth_login_result *out;
};

/* Seconds until bucket may try again; 0 when it may now. */
static enum err bucket_wait(struct store_conn *c, const struct login_ctx *x, const char *bucket,
                            int64_t max_failures, int64_t *wait_s)
{
    int64_t start, failures;
    enum err e = store_failure_get(c, bucket, &start, &failures);
    *wait_s = 0;
    if (e == ERR_OK && failures >= max_failures && start + x->cfg->failure_window_s > x->now_s) {
        *wait_s = start + x->cfg->failure_window_s - x->now_s;
    }
    return e;
}

/* The actor an attempt is recorded under: the account when it exists. */
static void attempt_actor(const struct login_ctx *x, struct audit_actor *a)
{
    a->user_id = x->found ? x->user.id : 0;
    a->login = x->login_ok ? x->login : "";
    a->role = x->found ? x->user.role : "";
    a->org_id = x->found ? x->user.org_id : 0;
    a->request_id = x->req->request_id != NULL ? x->req->request_id : "";
}

static enum err audit_attempt(struct store_conn *c, const struct login_ctx *x, const char *action,
                              const char *key, const char *value)
{
    struct audit_actor a;
    attempt_actor(x, &a);
    const char *pairs[] = {"ip", x->ip, key, value};
    return audit_now(c, &a, x->req->now_ms, action, "user", a.login, pairs, 2);
}

/* Phase 1: refuse when rate limited, else count the attempt as a failure
 * up front (taken back on success) and read the account. */
static enum err login_gate_tx(struct store_conn *c, void *arg)
{
    struct login_ctx *x = arg;
    int64_t wait_addr = 0, wait_login = 0;
    x->retry_after_s = 0;
    x->found = false;
    /* first: the chain lock also serialises the counters' updates on PostgreSQL */
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = bucket_wait(c, x, x->bucket_addr, x->cfg->addr_max_failures, &wait_addr);
    }
    if (e == ERR_OK && x->login_ok) {
        e = bucket_wait(c, x, x->bucket_login, x->cfg->login_max_failures, &wait_login);
    }
    if (e != ERR_OK) {
        return e;
    }
    if (wait_addr > 0 || wait_login > 0) {
        x->retry_after_s = wait_addr > wait_login ? wait_addr : wait_login;
        char n[NUM_TEXT];
        fmt_int(n, x->retry_after_s);
        return audit_attempt(c, x, "session.login_limited", "retry_after_s", n);
    }
    e = store_failure_bump(c, x->bucket_addr, x->now_s, x->cfg->failure_window_s);
    if (e == ERR_OK && x->login_ok) {
        e = store_failure_bump(c, x->bucket_login, x->now_s, x->cfg->failure_window_s);
    }
    if (e == ERR_OK && x->login_ok) {
        e = store_user_find(c, x->login, &x->user);
        x->found = e == ERR_OK;
        e = e == ERR_NOT_FOUND ? ERR_OK : e;
    }
    return e;
}

/* Between the phases, outside any transaction: one argon2id verification
 * whatever the case, so timing does not tell whether the login exists. */
static void login_judge(struct login_ctx *x)
{
    const char *pw = x->req->password;
    size_t len = x->req->password_len;
    bool too_long = len > AUTH_PASSWORD_MAX_BYTES;
    bool ok = auth_password_verify(x->found ? x->user.password_hash : dummy(), pw,
                                   too_long ? AUTH_PASSWORD_MAX_BYTES : len);
    x->rehash[0] = '\0';
    if (!x->found) {
        x->reason = x->login_ok ? "unknown_login" : "invalid_login";
    } else if (x->user.disabled) {
        x->reason = "disabled";
    } else if (!ok || too_long) {
        x->reason = "bad_password";
    } else {
        x->reason = NULL;
        if (auth_password_needs_rehash(x->user.password_hash) &&
            auth_password_hash(pw, len, x->rehash) != ERR_OK) {
            x->rehash[0] = '\0'; /* keep the old hash; try again next login */
        }
    }
}

/* Phase 2 on success: new session, counters taken back, audit. */
static enum err login_open_session(struct store_conn *c, struct login_ctx *x)
{
    unsigned char token[AUTH_TOKEN_BYTES], csrf[AUTH_TOKEN_BYTES];
    unsigned char token_hash[STORE_TOKEN_HASH_BYTES], csrf_hash[STORE_TOKEN_HASH_BYTES];
    randombytes_buf(token, sizeof(token));
    csrf_derive(token, csrf);
    hash32(token_hash, token, sizeof(token));
    hash32(csrf_hash, csrf, sizeof(csrf));
    struct auth_login_result *out = x->out;
    token_encode(token, out->token);
    token_encode(csrf, out->csrf);
    sodium_memzero(token, sizeof(token));
    sodium_memzero(csrf, sizeof(csrf));
    out->expires_at_s = x->now_s + x->cfg->absolute_timeout_s;
    struct store_session_new s = {.token_hash = token_hash, .csrf_hash = csrf_hash,
                                  .user_id = x->user.id, .created_at_s = x->now_s,
                                  .expires_at_s = out->expires_at_s, .ip = x->ip,
                                  .user_agent = x->user_agent};
    enum err e = store_session_insert(c, &s, &out->session_id);
    if (e == ERR_OK) {
        e = store_failure_clear(c, x->bucket_login);
    }
    if (e == ERR_OK) {
        e = store_failure_unbump(c, x->bucket_addr);
    }
    if (e == ERR_OK && x->rehash[0] != '\0') {
        e = store_user_set_password(c, x->user.id, x->rehash, x->user.password_changed_at_s);
    }
    if (e != ERR_OK) {
        return e;
    }
    char id[NUM_TEXT];
    fmt_int(id, out->session_id);
    struct audit_actor a;
    attempt_actor(x, &a);
    const char *pairs[] = {"ip", x->ip};
    return audit_now(c, &a, x->req->now_ms, "session.login", "session", id, pairs, 1);
}

static enum err login_finish_tx(struct store_conn *c, void *arg)
{
    struct login_ctx *x = arg;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    if (x->reason != NULL) {
        return audit_attempt(c, x, "session.login_failed", "reason", x->reason);
    }
    return login_open_session(c, x);
}

static void login_prepare(struct login_ctx *x)
{
    const struct auth_login_request *r = x->req;
    x->now_s = r->now_ms / 1000;
    x->login_ok = r->login != NULL &&
                  auth_login_normalize(r->login, r->login_len, x->login) == ERR_OK;
    if (!x->login_ok) {
        x->login[0] = '\0';
    }
    copy_cut(r->ip, x->ip, sizeof(x->ip));
    copy_cut(r->user_agent, x->user_agent, sizeof(x->user_agent));
    snprintf(x->bucket_login, sizeof(x->bucket_login), "l:%s", x->login);
    snprintf(x->bucket_addr, sizeof(x->bucket_addr), "a:%s", x->ip);
}

enum err auth_login(struct store_conn *c, const struct auth_config *cfg,
                    const struct auth_login_request *req, struct auth_login_result *out,
                    int64_t *retry_after_s)
{
    if (sodium_ready() != ERR_OK) {
        return ERR_INTERNAL;
    }
    struct login_ctx *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return ERR_NOMEM;
    }
    memset(out, 0, sizeof(*out));
    x->cfg = cfg;
    x->req = req;
    x->out = out;
    login_prepare(x);
    enum err e = store_with_tx(c, login_gate_tx, x);
    if (e == ERR_OK && x->retry_after_s > 0) {
        if (retry_after_s != NULL) {
            *retry_after_s = x->retry_after_s;
        }
        e = ERR_RATE_LIMITED;
    } else if (e == ERR_OK) {
        login_judge(x);
        e = store_with_tx(c, login_finish_tx, x);
    }
    if (e == ERR_OK && x->reason != NULL) {
        e = ERR_UNAUTHENTICATED;
    }
    if (e == ERR_OK) {
        e = user_from_row(&x->user, &out->user);
    }
    if (e != ERR_OK) {
        auth_login_result_wipe(out);
    }
    sodium_memzero(x, sizeof(*x));
    free(x);
    return e;
}

void auth_login_result_wipe(struct auth_login_result *r)
{
    sodium_memzero(r->token, sizeof(r->token));
    sodium_memzero(r->csrf, sizeof(r->csrf));
}

/* --- sessions ------------------------------------------------------------ */

static bool session_is_live(const struct auth_config *cfg, const struct store_session_row *s,
                            int64_t now_s)
{
    return !s->revoked && now_s < s->expires_at_s && now_s < s->last_seen_s + cfg->idle_timeout_s;
}

enum err auth_session_check(struct store_conn *c, const struct auth_config *cfg,
                            const char *token, size_t len, int64_t now_ms,
                            struct auth_session *out)
{
    unsigned char raw[AUTH_TOKEN_BYTES], h[STORE_TOKEN_HASH_BYTES];
    if (sodium_ready() != ERR_OK || token == NULL || !token_decode(token, len, raw)) {
        return ERR_UNAUTHENTICATED;
    }
    hash32(h, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    struct store_session_row *s = malloc(sizeof(*s));
    if (s == NULL) {
        return ERR_NOMEM;
    }
    int64_t now_s = now_ms / 1000;
    enum err e = store_session_find(c, h, s);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (!session_is_live(cfg, s, now_s) || s->user.disabled))) {
        e = ERR_UNAUTHENTICATED;
    }
    if (e == ERR_OK) {
        memset(out, 0, sizeof(*out));
        e = user_from_row(&s->user, &out->user);
        out->id = s->id;
        out->created_at_s = s->created_at_s;
        out->last_seen_s = s->last_seen_s;
        out->expires_at_s = s->expires_at_s;
        memcpy(out->csrf_hash, s->csrf_hash, sizeof(out->csrf_hash));
    }
    /* Touching at most every AUTH_TOUCH_INTERVAL_S spares a write per
     * request; a quarter of the idle timeout keeps short timeouts honest. */
    int64_t touch_s = cfg->idle_timeout_s / 4;
    touch_s = touch_s < 1 ? 1 : touch_s > AUTH_TOUCH_INTERVAL_S ? AUTH_TOUCH_INTERVAL_S : touch_s;
    if (e == ERR_OK && now_s - s->last_seen_s >= touch_s) {
        e = store_session_touch(c, s->id, now_s);
        out->last_seen_s = now_s;
    }
    free(s);
    return e;
}

struct session_op_ctx {
    const struct auth_session *s;
    int64_t session_id;
    const char *action;
    const char *request_id;
    int64_t now_ms;
};

static enum err session_op_tx(struct store_conn *c, void *arg)
{
    struct session_op_ctx *x = arg;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_session_revoke(c, x->session_id, x->s->user.id);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct audit_actor a;
    auth_actor_of(&x->s->user, x->request_id, &a);
    char id[NUM_TEXT];
    fmt_int(id, x->session_id);
    return audit_now(c, &a, x->now_ms, x->action, "session", id, NULL, 0);
}

enum err auth_logout(struct store_conn *c, const struct auth_session *s, const char *request_id,
                     int64_t now_ms)
{
    struct session_op_ctx x = {s, s->id, "session.logout", request_id, now_ms};
    return store_with_tx(c, session_op_tx, &x);
}

enum err auth_session_revoke(struct store_conn *c, const struct auth_session *s,
                             int64_t session_id, const char *request_id, int64_t now_ms)
{
    struct session_op_ctx x = {s, session_id, "session.revoke", request_id, now_ms};
    return store_with_tx(c, session_op_tx, &x);
}

enum err auth_session_list(struct store_conn *c, const struct auth_config *cfg,
                           const struct auth_session *s, int64_t now_ms,
                           struct auth_session_info *out, size_t cap, size_t *out_n)
{
    if (cap > AUTH_SESSIONS_LIST_MAX) {
        cap = AUTH_SESSIONS_LIST_MAX;
    }
    struct store_session_row *rows = calloc(AUTH_SESSIONS_LIST_MAX, sizeof(*rows));
    if (rows == NULL) {
        return ERR_NOMEM;
    }
    int64_t now_s = now_ms / 1000;
    size_t n = 0, kept = 0;
    enum err e = store_session_list(c, s->user.id, now_s, rows, AUTH_SESSIONS_LIST_MAX, &n);
    for (size_t i = 0; e == ERR_OK && i < n && kept < cap; i++) {
        if (!session_is_live(cfg, &rows[i], now_s)) {
            continue;
        }
        struct auth_session_info *o = &out[kept++];
        o->id = rows[i].id;
        o->created_at_s = rows[i].created_at_s;
        o->last_seen_s = rows[i].last_seen_s;
        o->expires_at_s = rows[i].expires_at_s;
        memcpy(o->ip, rows[i].ip, sizeof(o->ip));
        memcpy(o->user_agent, rows[i].user_agent, sizeof(o->user_agent));
        o->current = rows[i].id == s->id;
    }
    free(rows);
    *out_n = kept;
    return e;
}

enum err auth_purge(struct store_conn *c, const struct auth_config *cfg, int64_t now_ms,
                    int64_t *out_sessions, int64_t *out_counters)
{
    int64_t now_s = now_ms / 1000, sessions = 0, counters = 0;
    enum err e = store_session_purge(c, now_s - AUTH_PURGE_AFTER_S, &sessions);
    if (e == ERR_OK) {
        e = store_failure_purge(c, now_s - cfg->failure_window_s, &counters);
    }
    if (out_sessions != NULL) {
        *out_sessions = sessions;
    }
    if (out_counters != NULL) {
        *out_counters = counters;
    }
    return e;
}

/* --- authorisation ------------------------------------------------------- */

bool auth_role_in(const struct auth_user *u, unsigned mask)
{
    return (unsigned)u->role < AUTH_ROLE__COUNT && (mask & AUTH_ROLE_BIT(u->role)) != 0;
}

enum err auth_require_role(const struct auth_user *u, unsigned mask)
{
    return auth_role_in(u, mask) ? ERR_OK : ERR_FORBIDDEN;
}

bool auth_org_in_scope(const struct auth_user *u, const char *org_path)
{
    size_t mine = strlen(u->org_path);
    if (u->role == AUTH_ROLE_MEMBER || org_path == NULL || mine < 3 || u->org_path[0] != '/' ||
        u->org_path[mine - 1] != '/') {
        return false; /* no subtree, or a path that is not '/n/.../' */
    }
    return strncmp(org_path, u->org_path, mine) == 0;
}

bool auth_member_in_scope(const struct auth_user *u, int64_t member_id)
{
    return u->role == AUTH_ROLE_MEMBER && u->member_id > 0 && u->member_id == member_id;
}

enum err auth_require_second_user(const struct auth_user *checker, int64_t maker_user_id)
{
    return checker->id == maker_user_id ? ERR_SAME_USER : ERR_OK;
}
