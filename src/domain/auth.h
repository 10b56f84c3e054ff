/*
 * auth: accounts, roles, passwords, sessions, and the authorisation checks
 * every route uses.
 *
 * Passwords: at least AUTH_PASSWORD_MIN_CHARS characters (NIST 800-63B
 * asks for 8; we ask 10 because every account here can reach personal
 * data), at most AUTH_PASSWORD_MAX_BYTES bytes of valid UTF-8, not one of
 * the most common passwords (case-insensitive), not the login. Stored as
 * argon2id (crypto_pwhash_str) with at least OWASP's parameters, rehashed at
 * login when the parameters grow. Password bytes are wiped after use.
 *
 * Sessions: a login yields a random 256-bit token (base64url, 43 chars,
 * the cookie value) and a CSRF token derived from it; the database keeps
 * only BLAKE2b hashes of both. A session ends at logout, revocation, after
 * idle_timeout_s without use, or absolute_timeout_s after login. Failed
 * logins are counted per login and per address in the database (so limits
 * survive restarts and hold across processes); every attempt is counted
 * before the password is checked, so parallel guesses cannot overshoot.
 * Every outcome of a login (and every logout and account change) appends an
 * audit event in the same transaction. Callers never learn why a login
 * failed: unknown login, wrong password and disabled account all answer
 * ERR_UNAUTHENTICATED after the same work (an unknown login is checked
 * against a dummy hash).
 *
 * Time is passed in (now_ms, Unix milliseconds) so tests need not sleep.
 * Functions taking a struct store_conn run their own transactions (with
 * store_with_tx retries); call them outside any transaction.
 */
#ifndef HUZHU_DOMAIN_AUTH_H
#define HUZHU_DOMAIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/audit.h"
#include "store/store.h"
#include "store/store_auth.h"

enum auth_role {
    AUTH_ROLE_ADMIN,
    AUTH_ROLE_SUPERVISOR,      /* 上级工会: read-only dashboards over its subtree */
    AUTH_ROLE_UNIT_STAFF,      /* 基层经办 */
    AUTH_ROLE_CLAIMS_OFFICER,
    AUTH_ROLE_CLAIMS_APPROVER,
    AUTH_ROLE_FINANCE,
    AUTH_ROLE_AUDITOR,         /* 经审: read-only everything in its subtree */
    AUTH_ROLE_MEMBER,          /* a worker: own records only */
    AUTH_ROLE__COUNT
};

/* Role sets for route rules: AUTH_ROLE_BIT(AUTH_ROLE_ADMIN) | ... */
#define AUTH_ROLE_BIT(r) (1u << (unsigned)(r))
#define AUTH_ROLES_ALL ((1u << AUTH_ROLE__COUNT) - 1u)
#define AUTH_ROLES_STAFF (AUTH_ROLES_ALL & ~AUTH_ROLE_BIT(AUTH_ROLE_MEMBER))

#define AUTH_PASSWORD_MIN_CHARS 10
#define AUTH_PASSWORD_MAX_BYTES 128
#define AUTH_LOGIN_MIN 2
#define AUTH_LOGIN_MAX STORE_LOGIN_MAX   /* bytes: [a-z0-9._@-], stored lower case */
#define AUTH_TOKEN_BYTES 32              /* 256-bit session token */
#define AUTH_TOKEN_TEXT 44               /* base64url without padding (43) + NUL */
#define AUTH_TOUCH_INTERVAL_S 60         /* last_seen is written at most this often (and at
                                            least every idle_timeout_s / 4, so short idle
                                            timeouts still see activity) */
#define AUTH_SESSIONS_LIST_MAX 50        /* sessions auth_session_list returns */

/* argon2id cost: OWASP's minimum (19 MiB, 2 passes, 1 lane). */
#define AUTH_PWHASH_OPSLIMIT 2ULL
#define AUTH_PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define AUTH_PWHASH_STR_BYTES 128        /* crypto_pwhash_STRBYTES */

/* "admin", "claims_officer", ... */
const char *auth_role_name(enum auth_role r);

/* ERR_INVALID for anything but an exact role name. */
enum err auth_role_parse(const char *s, size_t len, enum auth_role *out) WARN_UNUSED;

/* Lower-cases (s, len) into out when it is a valid login: AUTH_LOGIN_MIN..
 * AUTH_LOGIN_MAX bytes of [A-Za-z0-9._@-]. ERR_INVALID otherwise. */
enum err auth_login_normalize(const char *s, size_t len,
                              char out[AUTH_LOGIN_MAX + 1]) WARN_UNUSED;

/* Password policy. ERR_OK, or ERR_WEAK_PASSWORD with *why (static English
 * text, may be NULL) saying what to change. login may be NULL. */
enum err auth_password_check(const char *login, const char *pw, size_t len,
                             const char **why) WARN_UNUSED;

/* True when lower-cased (pw, len) is in the common-passwords list. */
bool auth_password_is_common(const char *pw, size_t len);

/* argon2id hash of (pw, len) in crypto_pwhash_str format. ERR_NOMEM if the
 * memory for it could not be had. Does not check the policy. */
enum err auth_password_hash(const char *pw, size_t len,
                            char out[AUTH_PWHASH_STR_BYTES]) WARN_UNUSED;

/* Constant-work verification; false for a malformed hash. */
bool auth_password_verify(const char *hash, const char *pw, size_t len);

/* True when hash was made with other parameters than ours. */
bool auth_password_needs_rehash(const char *hash);

struct auth_config {
    int64_t idle_timeout_s;     /* default 30 min */
    int64_t absolute_timeout_s; /* default 12 h */
    int64_t login_max_failures; /* per login per window, default 5 */
    int64_t addr_max_failures;  /* per address per window, default 20 */
    int64_t failure_window_s;   /* default 15 min */
};

void auth_config_default(struct auth_config *cfg);

/* Who is acting, as route handlers see it. */
struct auth_user {
    int64_t id;
    char login[AUTH_LOGIN_MAX + 1];
    char display_name[STORE_DISPLAY_NAME_MAX + 1];
    enum auth_role role;
    int64_t org_id;
    char org_code[STORE_ORG_CODE_MAX + 1];  /* 'ZJ-01' */
    char org_path[STORE_ORG_PATH_MAX + 1]; /* '/1/4/17/' */
    int64_t member_id;                      /* 0 unless role member */
};

/* The audit actor for u (pointers into u; valid while u is). */
void auth_actor_of(const struct auth_user *u, const char *request_id, struct audit_actor *out);

/* The actor of command-line administration: login "cli". */
extern const struct audit_actor auth_actor_cli;

/* --- accounts ------------------------------------------------------------ */

struct auth_user_new {
    const char *login;        /* normalised here */
    const char *display_name; /* NULL or up to 50 characters */
    const char *role;         /* role name */
    const char *org_code;
    int64_t member_id;        /* required for role member, else 0 */
    const char *password;     /* (password, password_len): checked against the policy */
    size_t password_len;
};

/* Creates an account and audits "user.create". ERR_INVALID (login, role,
 * name or member_id), ERR_WEAK_PASSWORD (*why set), ERR_NOT_FOUND (no such
 * org), ERR_EXISTS (login taken), ERR_CONFLICT (no such member). */
enum err auth_user_create(struct store_conn *c, const struct audit_actor *actor,
                          const struct auth_user_new *u, int64_t now_ms, int64_t *out_id,
                          const char **why) WARN_UNUSED;

/* Sets a new password (policy checked), revokes the user's sessions, audits
 * "user.passwd". ERR_NOT_FOUND, ERR_WEAK_PASSWORD (*why set). */
enum err auth_user_set_password(struct store_conn *c, const struct audit_actor *actor,
                                const char *login, const char *pw, size_t len, int64_t now_ms,
                                const char **why) WARN_UNUSED;

/* Disables the account, revokes its sessions, audits "user.disable".
 * ERR_NOT_FOUND if no such login. Disabling twice is ERR_OK. */
enum err auth_user_disable(struct store_conn *c, const struct audit_actor *actor,
                           const char *login, int64_t now_ms) WARN_UNUSED;

/* --- sessions ------------------------------------------------------------ */

struct auth_login_request {
    const char *login; /* untrusted (ptr, len) */
    size_t login_len;
    const char *password; /* untrusted (ptr, len); the caller wipes it */
    size_t password_len;
    const char *ip;         /* client address, NUL-terminated; cut at STORE_IP_MAX */
    const char *user_agent; /* NUL-terminated or NULL; cut at STORE_USER_AGENT_MAX */
    const char *request_id; /* or NULL */
    int64_t now_ms;
};

struct auth_login_result {
    char token[AUTH_TOKEN_TEXT]; /* the cookie value; shown once, never stored */
    char csrf[AUTH_TOKEN_TEXT];  /* the header token state-changing requests carry */
    int64_t session_id;
    int64_t expires_at_s;        /* absolute end */
    struct auth_user user;
};

/* Logs in. ERR_OK with a new session; ERR_UNAUTHENTICATED for any bad
 * credential or disabled account; ERR_RATE_LIMITED with *retry_after_s when
 * the login or the address has too many recent failures; ERR_DB... on
 * database trouble. */
enum err auth_login(struct store_conn *c, const struct auth_config *cfg,
                    const struct auth_login_request *req, struct auth_login_result *out,
                    int64_t *retry_after_s) WARN_UNUSED;

/* Wipes the tokens of a login result once they have been sent. */
void auth_login_result_wipe(struct auth_login_result *r);

struct auth_session {
    int64_t id;
    struct auth_user user;
    int64_t created_at_s;
    int64_t last_seen_s;
    int64_t expires_at_s;
    unsigned char csrf_hash[STORE_TOKEN_HASH_BYTES];
};

/* The live session for a cookie token (untrusted ptr, len). ERR_UNAUTHENTICATED
 * when malformed, unknown, revoked, idle or past its end, or its user is
 * disabled. Writes last_seen at most every AUTH_TOUCH_INTERVAL_S. */
enum err auth_session_check(struct store_conn *c, const struct auth_config *cfg,
                            const char *token, size_t len, int64_t now_ms,
                            struct auth_session *out) WARN_UNUSED;

/* The CSRF token of a session token (to hand it out again, e.g. on GET
 * /session). ERR_UNAUTHENTICATED if the token is malformed. */
enum err auth_csrf_for_token(const char *token, size_t len,
                             char out[AUTH_TOKEN_TEXT]) WARN_UNUSED;

/* Constant-time check of a CSRF header value (untrusted ptr, len) against
 * the session. ERR_CSRF when missing or wrong. */
enum err auth_csrf_check(const struct auth_session *s, const char *header,
                         size_t len) WARN_UNUSED;

/* Ends the caller's session and audits "session.logout". */
enum err auth_logout(struct store_conn *c, const struct auth_session *s, const char *request_id,
                     int64_t now_ms) WARN_UNUSED;

struct auth_session_info {
    int64_t id;
    int64_t created_at_s;
    int64_t last_seen_s;
    int64_t expires_at_s;
    char ip[STORE_IP_MAX + 1];
    char user_agent[STORE_USER_AGENT_MAX + 1];
    bool current; /* the session asking */
};

/* The caller's live sessions, newest first, at most cap (and at most
 * AUTH_SESSIONS_LIST_MAX); idle ones are left out. */
enum err auth_session_list(struct store_conn *c, const struct auth_config *cfg,
                           const struct auth_session *s, int64_t now_ms,
                           struct auth_session_info *out, size_t cap,
                           size_t *out_n) WARN_UNUSED;

/* Revokes one of the caller's own sessions and audits "session.revoke".
 * ERR_NOT_FOUND when it is not theirs or already ended. */
enum err auth_session_revoke(struct store_conn *c, const struct auth_session *s,
                             int64_t session_id, const char *request_id,
                             int64_t now_ms) WARN_UNUSED;

/* Housekeeping for the server to run now and then (say hourly): deletes
 * sessions that ended more than AUTH_PURGE_AFTER_S ago and failure counters
 * whose window is over. Counts go to the out-parameters (may be NULL). */
#define AUTH_PURGE_AFTER_S (24 * 60 * 60)
enum err auth_purge(struct store_conn *c, const struct auth_config *cfg, int64_t now_ms,
                    int64_t *out_sessions, int64_t *out_counters) WARN_UNUSED;

/* --- authorisation ------------------------------------------------------- */

/* True when u's role is in mask (AUTH_ROLE_BIT(...) | ...). */
bool auth_role_in(const struct auth_user *u, unsigned mask);

/* ERR_OK when u's role is in mask, else ERR_FORBIDDEN. */
enum err auth_require_role(const struct auth_user *u, unsigned mask) WARN_UNUSED;

/* True when an object of the organisation at org_path ('/1/4/17/') is in
 * u's subtree: u's path is a prefix of it. Members have no subtree (use
 * auth_member_in_scope); an empty or malformed path is never in scope. */
bool auth_org_in_scope(const struct auth_user *u, const char *org_path);

/* True when u is the member member_id (role member). */
bool auth_member_in_scope(const struct auth_user *u, int64_t member_id);

/* Maker-checker: ERR_SAME_USER when checker is the maker, ERR_OK otherwise. */
enum err auth_require_second_user(const struct auth_user *checker,
                                  int64_t maker_user_id) WARN_UNUSED;

/* Current time, Unix milliseconds. */
int64_t auth_now_ms(void);

#endif
