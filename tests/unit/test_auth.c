/*
 * test_auth: roles, password policy and hashing, logins, rate limits,
 * sessions (idle and absolute expiry, logout, revocation), CSRF, and the
 * authorisation predicates. The database tests run on SQLite always and on
 * PostgreSQL when HUZHU_TEST_PG_URL is set; there they live in a schema of
 * their own (t_auth) because other tests share that database concurrently.
 * Time is passed in, so nothing sleeps. Hashing is real argon2id: the tests
 * count their logins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/common_passwords.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

#define T0_MS 1700000000000LL /* a fixed "now" */
#define PW "Correct-Horse-Battery-9"
#define PW_LEN (sizeof(PW) - 1)

struct fixture {
    struct store *s;
    struct store_conn *c;
    bool pg;
    int64_t root, city, unit, other; /* orgs: root > city > unit; other is a sibling city */
    int64_t member;
    struct auth_config cfg;
};

static char sqlite_dir[] = "/tmp/huzhu-test-auth-XXXXXX";

/* --- fixture ------------------------------------------------------------- */

static void make_orgs(struct fixture *f)
{
    struct store_org_new root = {"A-ROOT", "省总工会", 0, "province", "330000"};
    assert_int_equal(store_org_insert(f->c, &root, &f->root), ERR_OK);
    struct store_org_new city = {"A-CITY", "市总工会", f->root, "city", "330100"};
    assert_int_equal(store_org_insert(f->c, &city, &f->city), ERR_OK);
    struct store_org_new unit = {"A-UNIT", "基层工会", f->city, "grassroots", "330102"};
    assert_int_equal(store_org_insert(f->c, &unit, &f->unit), ERR_OK);
    struct store_org_new other = {"A-OTHER", "另一市", f->root, "city", "330200"};
    assert_int_equal(store_org_insert(f->c, &other, &f->other), ERR_OK);
    unsigned char hash[STORE_HASH_BYTES], enc[48];
    memset(hash, 7, sizeof(hash));
    memset(enc, 9, sizeof(enc));
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = "330102********0011", .name = "工人", .gender = "M",
                                 .birth_date = "1990-01-01", .employment = "delivery",
                                 .org_id = f->unit};
    assert_int_equal(store_member_insert(f->c, &m, &f->member), ERR_OK);
}

static int setup_common(struct fixture *f, const char *url)
{
    struct store_options opt = {.pool_size = 2, .create = true};
    int v;
    assert_int_equal(store_open(url, &opt, &f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(store_acquire(f->s, &f->c), ERR_OK);
    make_orgs(f);
    auth_config_default(&f->cfg);
    return 0;
}

static int setup_sqlite(void **state)
{
    static struct fixture f;
    char url[512];
    memset(&f, 0, sizeof(f));
    snprintf(url, sizeof(url), "%s/auth.db", sqlite_dir);
    unlink(url);
    *state = &f;
    return setup_common(&f, url);
}

/* A schema of our own on the shared test database, named in the URL so every
 * pooled connection uses it. */
static int setup_pg(void **state)
{
    static struct fixture f;
    const char *base = getenv("HUZHU_TEST_PG_URL");
    *state = NULL;
    if (base == NULL || base[0] == '\0') {
        return 0;
    }
    memset(&f, 0, sizeof(f));
    f.pg = true;
    struct store *s;
    struct store_conn *c;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open(base, &opt, &s), ERR_OK);
    assert_int_equal(store_acquire(s, &c), ERR_OK);
    assert_int_equal(db_exec(c->db, "DROP SCHEMA IF EXISTS t_auth CASCADE; CREATE SCHEMA t_auth"),
                     ERR_OK);
    store_release(c);
    store_close(s);
    char url[1024];
    snprintf(url, sizeof(url), "%s%soptions=-csearch_path%%3Dt_auth", base,
             strchr(base, '?') ? "&" : "?");
    *state = &f;
    return setup_common(&f, url);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f != NULL) {
        store_release(f->c);
        store_close(f->s);
    }
    return 0;
}

#define NEED_FIXTURE()                                                                           \
    struct fixture *f = *state;                                                                  \
    if (f == NULL) {                                                                             \
        skip();                                                                                  \
    }

static int64_t add_user(struct fixture *f, const char *login, const char *role, const char *org,
                        int64_t member_id)
{
    struct auth_user_new u = {.login = login, .display_name = "测试", .role = role,
                              .org_code = org, .member_id = member_id, .password = PW,
                              .password_len = PW_LEN};
    int64_t id = 0;
    const char *why = NULL;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why), ERR_OK);
    assert_true(id > 0);
    return id;
}

static enum err try_login(struct fixture *f, const char *login, const char *pw, const char *ip,
                          int64_t now_ms, struct auth_login_result *out, int64_t *retry)
{
    struct auth_login_request r = {.login = login, .login_len = strlen(login), .password = pw,
                                   .password_len = strlen(pw), .ip = ip,
                                   .user_agent = "cmocka/1.0", .request_id = "req-1",
                                   .now_ms = now_ms};
    return auth_login(f->c, &f->cfg, &r, out, retry);
}

static void check(struct fixture *f, const struct auth_login_result *r, int64_t now_ms,
                  enum err want, struct auth_session *out)
{
    struct auth_session tmp;
    assert_int_equal(auth_session_check(f->c, &f->cfg, r->token, strlen(r->token), now_ms,
                                        out ? out : &tmp),
                     want);
}

/* Counts audit events with this action (and, if given, this object id). */
struct count_ctx {
    const char *detail_has;
    int n;
};

static enum err count_row(const struct store_audit_row *r, void *ctx)
{
    struct count_ctx *x = ctx;
    if (x->detail_has == NULL || strstr(r->detail, x->detail_has) != NULL) {
        x->n++;
    }
    return ERR_OK;
}

static int count_events(struct fixture *f, const char *action, const char *detail_has)
{
    struct store_audit_filter flt = {.action = action};
    struct count_ctx x = {detail_has, 0};
    assert_int_equal(audit_list(f->c, &flt, count_row, &x, NULL), ERR_OK);
    return x.n;
}

/* --- no database --------------------------------------------------------- */

static void test_roles(void **state)
{
    (void)state;
    enum auth_role r;
    for (int i = 0; i < AUTH_ROLE__COUNT; i++) {
        const char *name = auth_role_name((enum auth_role)i);
        assert_int_equal(auth_role_parse(name, strlen(name), &r), ERR_OK);
        assert_int_equal(r, i);
    }
    assert_int_equal(auth_role_parse("claims_approver", 15, &r), ERR_OK);
    assert_int_equal(r, AUTH_ROLE_CLAIMS_APPROVER);
    assert_int_equal(auth_role_parse("Admin", 5, &r), ERR_INVALID);
    assert_int_equal(auth_role_parse("root", 4, &r), ERR_INVALID);
    assert_int_equal(auth_role_parse("admin ", 6, &r), ERR_INVALID);
    assert_int_equal(auth_role_parse("", 0, &r), ERR_INVALID);
    assert_int_equal(auth_role_parse("adm", 3, &r), ERR_INVALID); /* prefix is not a role */
}

static void test_login_normalize(void **state)
{
    (void)state;
    char out[AUTH_LOGIN_MAX + 1];
    assert_int_equal(auth_login_normalize("Zhang.Wei@ZJ", 12, out), ERR_OK);
    assert_string_equal(out, "zhang.wei@zj");
    assert_int_equal(auth_login_normalize("ab", 2, out), ERR_OK);
    assert_int_equal(auth_login_normalize("a", 1, out), ERR_INVALID);
    assert_int_equal(auth_login_normalize("a b", 3, out), ERR_INVALID);
    assert_int_equal(auth_login_normalize("张伟", strlen("张伟"), out), ERR_INVALID);
    char long_login[AUTH_LOGIN_MAX + 2];
    memset(long_login, 'a', sizeof(long_login));
    assert_int_equal(auth_login_normalize(long_login, AUTH_LOGIN_MAX, out), ERR_OK);
    assert_int_equal(auth_login_normalize(long_login, AUTH_LOGIN_MAX + 1, out), ERR_INVALID);
}

static void test_password_policy(void **state)
{
    (void)state;
    const char *why = NULL;
    /* boundary: 9 characters refused, 10 accepted */
    assert_int_equal(auth_password_check("bob", "Xk3#pQ9!z", 9, &why), ERR_WEAK_PASSWORD);
    assert_non_null(why);
    assert_int_equal(auth_password_check("bob", "Xk3#pQ9!zT", 10, &why), ERR_OK);
    assert_null(why);
    /* characters, not bytes: 10 Chinese characters pass, 9 do not */
    const char *zh10 = "我们的互助保障很好啊", *zh9 = "我们的互助保障很好";
    assert_int_equal(auth_password_check("bob", zh10, strlen(zh10), NULL), ERR_OK);
    assert_int_equal(auth_password_check("bob", zh9, strlen(zh9), NULL), ERR_WEAK_PASSWORD);
    /* common, case-insensitively */
    assert_int_equal(auth_password_check("bob", "password123", 11, &why), ERR_WEAK_PASSWORD);
    assert_string_equal(why, "password is one of the most common passwords");
    assert_int_equal(auth_password_check("bob", "PassWord123", 11, NULL), ERR_WEAK_PASSWORD);
    assert_int_equal(auth_password_check("bob", "woaini1314", 10, NULL), ERR_WEAK_PASSWORD);
    assert_int_equal(auth_password_check("bob", "1234567890", 10, NULL), ERR_WEAK_PASSWORD);
    assert_int_equal(auth_password_check("bob", "qwertyuiop", 10, NULL), ERR_WEAK_PASSWORD);
    /* equal to the login, any case */
    assert_int_equal(auth_password_check("zhangwei.hz", "ZhangWei.HZ", 11, &why),
                     ERR_WEAK_PASSWORD);
    assert_string_equal(why, "password is the same as the login");
    /* one character repeated */
    assert_int_equal(auth_password_check("bob", "zzzzzzzzzzzz", 12, NULL), ERR_WEAK_PASSWORD);
    /* too long: 128 bytes ok, 129 not */
    char big[AUTH_PASSWORD_MAX_BYTES + 1];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 26);
    }
    assert_int_equal(auth_password_check("bob", big, AUTH_PASSWORD_MAX_BYTES, NULL), ERR_OK);
    assert_int_equal(auth_password_check("bob", big, AUTH_PASSWORD_MAX_BYTES + 1, NULL),
                     ERR_WEAK_PASSWORD);
    /* not UTF-8 */
    assert_int_equal(auth_password_check("bob", "abcdefghij\xff", 11, &why), ERR_WEAK_PASSWORD);
    assert_string_equal(why, "password is not valid UTF-8 text");
}

static void test_common_list_sorted(void **state)
{
    (void)state;
    assert_true(COMMON_PASSWORDS_COUNT >= 500);
    for (size_t i = 0; i < COMMON_PASSWORDS_COUNT; i++) {
        for (const char *p = common_passwords[i]; *p; p++) {
            assert_false(*p >= 'A' && *p <= 'Z');
        }
        if (i > 0) {
            assert_true(strcmp(common_passwords[i - 1], common_passwords[i]) < 0);
        }
    }
    assert_true(auth_password_is_common("123456", 6));
    assert_true(auth_password_is_common("ILOVEYOU", 8));
    assert_false(auth_password_is_common("Correct-Horse-Battery-9", 23));
}

static void test_hash_verify(void **state)
{
    (void)state;
    char h[AUTH_PWHASH_STR_BYTES];
    assert_int_equal(auth_password_hash(PW, PW_LEN, h), ERR_OK);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_non_null(strstr(h, "m=19456,t=2,p=1"));
    assert_true(auth_password_verify(h, PW, PW_LEN));
    assert_false(auth_password_verify(h, PW, PW_LEN - 1));
    assert_false(auth_password_verify(h, "correct-horse-battery-9", PW_LEN));
    assert_false(auth_password_verify("not a hash", PW, PW_LEN));
    assert_false(auth_password_needs_rehash(h));
    /* a weaker hash (1 pass) asks to be redone */
    char weak[AUTH_PWHASH_STR_BYTES];
    assert_int_equal(crypto_pwhash_str_alg(weak, PW, PW_LEN, 1, AUTH_PWHASH_MEMLIMIT,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_true(auth_password_needs_rehash(weak));
}

static void test_csrf_tokens(void **state)
{
    (void)state;
    char csrf[AUTH_TOKEN_TEXT];
    assert_int_equal(auth_csrf_for_token("short", 5, csrf), ERR_UNAUTHENTICATED);
    const char *tok = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; /* 43 chars, 32 zero bytes */
    assert_int_equal(auth_csrf_for_token(tok, 43, csrf), ERR_OK);
    assert_int_equal(strlen(csrf), 43);
    struct auth_session s;
    memset(&s, 0, sizeof(s));
    /* the hash of csrf goes into the session as login stores it */
    unsigned char raw[32];
    size_t n;
    assert_int_equal(sodium_base642bin(raw, 32, csrf, 43, NULL, &n, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    crypto_generichash(s.csrf_hash, 32, raw, 32, NULL, 0);
    assert_int_equal(auth_csrf_check(&s, csrf, 43), ERR_OK);
    char bad[AUTH_TOKEN_TEXT];
    memcpy(bad, csrf, sizeof(bad));
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_csrf_check(&s, bad, 43), ERR_CSRF);
    assert_int_equal(auth_csrf_check(&s, NULL, 0), ERR_CSRF);
    assert_int_equal(auth_csrf_check(&s, csrf, 42), ERR_CSRF);
    assert_int_equal(auth_csrf_check(&s, "", 0), ERR_CSRF);
}

static void test_scope_and_roles(void **state)
{
    (void)state;
    struct auth_user u;
    memset(&u, 0, sizeof(u));
    u.id = 7;
    u.role = AUTH_ROLE_UNIT_STAFF;
    strcpy(u.org_path, "/1/4/");
    assert_true(auth_org_in_scope(&u, "/1/4/"));
    assert_true(auth_org_in_scope(&u, "/1/4/17/"));
    assert_false(auth_org_in_scope(&u, "/1/45/")); /* a sibling sharing digits */
    assert_false(auth_org_in_scope(&u, "/1/"));    /* the parent */
    assert_false(auth_org_in_scope(&u, "/2/4/"));
    assert_false(auth_org_in_scope(&u, ""));
    assert_false(auth_org_in_scope(&u, NULL));
    strcpy(u.org_path, "");
    assert_false(auth_org_in_scope(&u, "/1/4/")); /* no path: nothing in scope */
    strcpy(u.org_path, "/1/");
    u.role = AUTH_ROLE_MEMBER;
    u.member_id = 99;
    assert_false(auth_org_in_scope(&u, "/1/4/")); /* members have no subtree */
    assert_true(auth_member_in_scope(&u, 99));
    assert_false(auth_member_in_scope(&u, 98));
    u.role = AUTH_ROLE_AUDITOR;
    assert_false(auth_member_in_scope(&u, 99));
    assert_true(auth_role_in(&u, AUTH_ROLE_BIT(AUTH_ROLE_AUDITOR) | AUTH_ROLE_BIT(AUTH_ROLE_ADMIN)));
    assert_false(auth_role_in(&u, AUTH_ROLE_BIT(AUTH_ROLE_ADMIN)));
    assert_int_equal(auth_require_role(&u, AUTH_ROLES_STAFF), ERR_OK);
    assert_int_equal(auth_require_role(&u, AUTH_ROLE_BIT(AUTH_ROLE_FINANCE)), ERR_FORBIDDEN);
    assert_int_equal(auth_require_role(&u, 0), ERR_FORBIDDEN); /* deny by default */
    u.role = AUTH_ROLE_MEMBER;
    assert_int_equal(auth_require_role(&u, AUTH_ROLES_STAFF), ERR_FORBIDDEN);
    /* maker-checker */
    assert_int_equal(auth_require_second_user(&u, 7), ERR_SAME_USER);
    assert_int_equal(auth_require_second_user(&u, 8), ERR_OK);
}

/* --- accounts ------------------------------------------------------------ */

static void test_user_create(void **state)
{
    NEED_FIXTURE();
    add_user(f, "Staff.One", "unit_staff", "A-UNIT", 0);
    int64_t id;
    const char *why;
    struct auth_user_new u = {.login = "staff.one", .role = "unit_staff", .org_code = "A-UNIT",
                              .password = PW, .password_len = PW_LEN};
    /* the login was stored lower case, so this is a duplicate */
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why), ERR_EXISTS);
    u.login = "staff.two";
    u.org_code = "NO-SUCH-ORG";
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why),
                     ERR_NOT_FOUND);
    u.org_code = "A-UNIT";
    u.role = "superuser";
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why), ERR_INVALID);
    u.role = "unit_staff";
    u.password = "password123";
    u.password_len = 11;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why),
                     ERR_WEAK_PASSWORD);
    assert_non_null(why);
    u.password = "staff.two";
    u.password_len = 9;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why),
                     ERR_WEAK_PASSWORD);
    /* a member account needs its member, and only it has one */
    u.password = PW;
    u.password_len = PW_LEN;
    u.role = "member";
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why), ERR_INVALID);
    u.member_id = 999999;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why),
                     ERR_CONFLICT);
    u.role = "unit_staff";
    u.member_id = f->member;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, &why), ERR_INVALID);
    add_user(f, "worker.one", "member", "A-UNIT", f->member);
    assert_int_equal(count_events(f, "user.create", "\"login\":\"staff.one\""), 1);
    assert_int_equal(count_events(f, "user.create", "\"login\":\"staff.two\""), 0);
}

/* --- login and sessions -------------------------------------------------- */

static void test_login_success_and_session(void **state)
{
    NEED_FIXTURE();
    add_user(f, "auditor.a", "auditor", "A-CITY", 0);
    struct auth_login_result r;
    int64_t retry = -1;
    assert_int_equal(try_login(f, "Auditor.A", PW, "10.0.0.1", T0_MS, &r, &retry), ERR_OK);
    assert_int_equal(strlen(r.token), 43);
    assert_int_equal(strlen(r.csrf), 43);
    assert_string_not_equal(r.token, r.csrf);
    assert_string_equal(r.user.login, "auditor.a");
    assert_int_equal(r.user.role, AUTH_ROLE_AUDITOR);
    assert_int_equal(r.expires_at_s, T0_MS / 1000 + 12 * 3600);
    struct auth_session s;
    check(f, &r, T0_MS + 1000, ERR_OK, &s);
    assert_int_equal(s.id, r.session_id);
    assert_int_equal(s.user.org_id, f->city);
    char want_path[64];
    snprintf(want_path, sizeof(want_path), "/%lld/%lld/", (long long)f->root, (long long)f->city);
    assert_string_equal(s.user.org_path, want_path);
    assert_int_equal(auth_csrf_check(&s, r.csrf, strlen(r.csrf)), ERR_OK);
    assert_int_equal(auth_csrf_check(&s, r.token, strlen(r.token)), ERR_CSRF);
    char again[AUTH_TOKEN_TEXT];
    assert_int_equal(auth_csrf_for_token(r.token, strlen(r.token), again), ERR_OK);
    assert_string_equal(again, r.csrf);
    /* the token itself is nowhere in the database, only its hash */
    struct auth_session other;
    char wrong[AUTH_TOKEN_TEXT];
    memcpy(wrong, r.token, sizeof(wrong));
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_session_check(f->c, &f->cfg, wrong, 43, T0_MS, &other),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(auth_session_check(f->c, &f->cfg, "garbage", 7, T0_MS, &other),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(count_events(f, "session.login", NULL) >= 1, 1);
    /* two logins give two different tokens */
    struct auth_login_result r2;
    assert_int_equal(try_login(f, "auditor.a", PW, "10.0.0.1", T0_MS, &r2, &retry), ERR_OK);
    assert_string_not_equal(r.token, r2.token);
    assert_int_not_equal(r.session_id, r2.session_id);
}

static int64_t elapsed_ns(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (int64_t)(b.tv_sec - a->tv_sec) * 1000000000 + (b.tv_nsec - a->tv_nsec);
}

static void test_login_failures_look_alike(void **state)
{
    NEED_FIXTURE();
    add_user(f, "finance.a", "finance", "A-UNIT", 0);
    add_user(f, "finance.off", "finance", "A-UNIT", 0);
    assert_int_equal(auth_user_disable(f->c, &auth_actor_cli, "finance.off", T0_MS), ERR_OK);
    struct auth_login_result r;
    int64_t retry;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    assert_int_equal(try_login(f, "finance.a", "Wrong-password-1", "10.0.1.1", T0_MS, &r, &retry),
                     ERR_UNAUTHENTICATED);
    int64_t bad_pw_ns = elapsed_ns(&t);
    clock_gettime(CLOCK_MONOTONIC, &t);
    assert_int_equal(try_login(f, "nobody.here", PW, "10.0.1.1", T0_MS, &r, &retry),
                     ERR_UNAUTHENTICATED);
    int64_t unknown_ns = elapsed_ns(&t);
    /* an unknown login still pays for one argon2id verification */
    assert_true(unknown_ns * 3 > bad_pw_ns);
    assert_int_equal(try_login(f, "finance.off", PW, "10.0.1.1", T0_MS, &r, &retry),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(try_login(f, "bad login!", PW, "10.0.1.1", T0_MS, &r, &retry),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(r.token[0], '\0'); /* nothing handed out */
    /* auditors see why; callers did not */
    assert_int_equal(count_events(f, "session.login_failed", "\"reason\":\"bad_password\""), 1);
    assert_int_equal(count_events(f, "session.login_failed", "\"reason\":\"unknown_login\""), 1);
    assert_int_equal(count_events(f, "session.login_failed", "\"reason\":\"disabled\""), 1);
    assert_int_equal(count_events(f, "session.login_failed", "\"reason\":\"invalid_login\""), 1);
}

static void test_lockout_per_login(void **state)
{
    NEED_FIXTURE();
    add_user(f, "claims.o", "claims_officer", "A-UNIT", 0);
    struct auth_login_result r;
    int64_t retry = 0;
    int64_t t = T0_MS + 3600 * 1000; /* an hour on: earlier tests' windows are over */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(try_login(f, "claims.o", "Wrong-password-1", "10.0.2.1", t, &r, &retry),
                         ERR_UNAUTHENTICATED);
    }
    /* sixth try, right password, other address: the login is locked */
    assert_int_equal(try_login(f, "claims.o", PW, "10.0.2.2", t + 60000, &r, &retry),
                     ERR_RATE_LIMITED);
    assert_int_equal(retry, 15 * 60 - 60);
    /* one second before the window ends: still locked */
    assert_int_equal(try_login(f, "claims.o", PW, "10.0.2.2", t + 899000, &r, &retry),
                     ERR_RATE_LIMITED);
    assert_int_equal(retry, 1);
    /* when it ends, the right password works */
    assert_int_equal(try_login(f, "claims.o", PW, "10.0.2.2", t + 900000, &r, &retry), ERR_OK);
    assert_true(count_events(f, "session.login_limited", NULL) >= 2);
    /* an unknown login locks the same way: no hint that it does not exist */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(try_login(f, "ghost.user", PW, "10.0.2.3", t, &r, &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(try_login(f, "ghost.user", PW, "10.0.2.3", t, &r, &retry), ERR_RATE_LIMITED);
}

static void test_success_resets_login_count(void **state)
{
    NEED_FIXTURE();
    add_user(f, "approver.a", "claims_approver", "A-UNIT", 0);
    struct auth_login_result r;
    int64_t retry;
    int64_t t = T0_MS + 7200 * 1000;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(try_login(f, "approver.a", "Wrong-password-1", "10.0.3.1", t, &r, &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(try_login(f, "approver.a", PW, "10.0.3.1", t, &r, &retry), ERR_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(try_login(f, "approver.a", "Wrong-password-1", "10.0.3.1", t, &r, &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(try_login(f, "approver.a", PW, "10.0.3.1", t, &r, &retry), ERR_OK);
}

static void test_lockout_per_address(void **state)
{
    NEED_FIXTURE();
    f->cfg.addr_max_failures = 4; /* configurable; small so the test hashes less */
    struct auth_login_result r;
    int64_t retry;
    int64_t t = T0_MS + 10800 * 1000;
    const char *logins[] = {"spray.a", "spray.b", "spray.c", "spray.d"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(try_login(f, logins[i], PW, "10.9.9.9", t, &r, &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(try_login(f, "spray.e", PW, "10.9.9.9", t + 1000, &r, &retry),
                     ERR_RATE_LIMITED);
    assert_int_equal(retry, 899);
    /* another address is not affected */
    assert_int_equal(try_login(f, "spray.e", PW, "10.9.9.8", t + 1000, &r, &retry),
                     ERR_UNAUTHENTICATED);
    auth_config_default(&f->cfg);
}

static void test_idle_and_absolute_expiry(void **state)
{
    NEED_FIXTURE();
    add_user(f, "super.a", "supervisor", "A-ROOT", 0);
    struct auth_login_result r;
    int64_t retry;
    struct auth_session s;
    int64_t t = T0_MS + 20000 * 1000LL;
    assert_int_equal(try_login(f, "super.a", PW, "10.0.4.1", t, &r, &retry), ERR_OK);
    /* within a minute the last-seen time is not rewritten */
    check(f, &r, t + 30 * 1000, ERR_OK, &s);
    assert_int_equal(s.last_seen_s, t / 1000);
    /* 29 min idle: fine, and it counts as use */
    check(f, &r, t + 29 * 60000, ERR_OK, &s);
    assert_int_equal(s.last_seen_s, t / 1000 + 29 * 60);
    check(f, &r, t + 58 * 60000, ERR_OK, NULL);
    /* exactly 30 min after last use: idle */
    check(f, &r, t + 88 * 60000, ERR_UNAUTHENTICATED, NULL);
    /* absolute: used every 20 min, still over at 12 h */
    assert_int_equal(try_login(f, "super.a", PW, "10.0.4.1", t, &r, &retry), ERR_OK);
    int64_t m = 0;
    for (m = 20; m < 12 * 60; m += 20) {
        check(f, &r, t + m * 60000, ERR_OK, NULL);
    }
    check(f, &r, t + 12 * 3600 * 1000 - 1000, ERR_OK, NULL);
    check(f, &r, t + 12 * 3600 * 1000, ERR_UNAUTHENTICATED, NULL);
    /* configurable: a 60 s idle limit */
    f->cfg.idle_timeout_s = 60;
    assert_int_equal(try_login(f, "super.a", PW, "10.0.4.1", t, &r, &retry), ERR_OK);
    check(f, &r, t + 59000, ERR_OK, NULL);
    check(f, &r, t + 59000 + 60000, ERR_UNAUTHENTICATED, NULL);
    auth_config_default(&f->cfg);
}

static void test_logout_list_revoke(void **state)
{
    NEED_FIXTURE();
    add_user(f, "admin.a", "admin", "A-ROOT", 0);
    add_user(f, "admin.b", "admin", "A-ROOT", 0);
    struct auth_login_result r1, r2, rb;
    int64_t retry;
    int64_t t = T0_MS + 30000 * 1000LL;
    assert_int_equal(try_login(f, "admin.a", PW, "10.0.5.1", t, &r1, &retry), ERR_OK);
    assert_int_equal(try_login(f, "admin.a", PW, "10.0.5.2", t + 1000, &r2, &retry), ERR_OK);
    assert_int_equal(try_login(f, "admin.b", PW, "10.0.5.3", t, &rb, &retry), ERR_OK);
    struct auth_session s1, sb;
    check(f, &r1, t + 2000, ERR_OK, &s1);
    check(f, &rb, t + 2000, ERR_OK, &sb);
    struct auth_session_info list[4];
    size_t n = 0;
    assert_int_equal(auth_session_list(f->c, &f->cfg, &s1, t + 2000, list, 4, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, r2.session_id); /* newest first */
    assert_false(list[0].current);
    assert_true(list[1].current);
    assert_string_equal(list[0].ip, "10.0.5.2");
    assert_string_equal(list[0].user_agent, "cmocka/1.0");
    /* someone else's session cannot be revoked, nor seen to exist */
    assert_int_equal(auth_session_revoke(f->c, &s1, rb.session_id, "req-2", t + 3000),
                     ERR_NOT_FOUND);
    check(f, &rb, t + 3000, ERR_OK, NULL);
    assert_int_equal(auth_session_revoke(f->c, &s1, r2.session_id, "req-2", t + 3000), ERR_OK);
    check(f, &r2, t + 4000, ERR_UNAUTHENTICATED, NULL);
    assert_int_equal(auth_session_revoke(f->c, &s1, r2.session_id, "req-2", t + 3000),
                     ERR_NOT_FOUND);
    assert_int_equal(auth_session_list(f->c, &f->cfg, &s1, t + 4000, list, 4, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(auth_logout(f->c, &s1, "req-3", t + 5000), ERR_OK);
    check(f, &r1, t + 6000, ERR_UNAUTHENTICATED, NULL);
    assert_true(count_events(f, "session.logout", NULL) >= 1);
    assert_true(count_events(f, "session.revoke", NULL) >= 1);
    /* disabling a user ends their sessions */
    assert_int_equal(auth_user_disable(f->c, &auth_actor_cli, "admin.b", t + 7000), ERR_OK);
    check(f, &rb, t + 8000, ERR_UNAUTHENTICATED, NULL);
    assert_int_equal(auth_user_disable(f->c, &auth_actor_cli, "no.such.user", t), ERR_NOT_FOUND);
}

static void test_passwd(void **state)
{
    NEED_FIXTURE();
    add_user(f, "staff.pw", "unit_staff", "A-UNIT", 0);
    struct auth_login_result r;
    int64_t retry;
    int64_t t = T0_MS + 40000 * 1000LL;
    assert_int_equal(try_login(f, "staff.pw", PW, "10.0.6.1", t, &r, &retry), ERR_OK);
    const char *why;
    const char *np = "Another-Long-Passphrase";
    assert_int_equal(auth_user_set_password(f->c, &auth_actor_cli, "staff.pw", "qwerty123", 9,
                                            t, &why),
                     ERR_WEAK_PASSWORD);
    assert_int_equal(auth_user_set_password(f->c, &auth_actor_cli, "staff.pw", np, strlen(np), t,
                                            &why),
                     ERR_OK);
    check(f, &r, t + 1000, ERR_UNAUTHENTICATED, NULL); /* old sessions ended */
    assert_int_equal(try_login(f, "staff.pw", PW, "10.0.6.1", t + 2000, &r, &retry),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(try_login(f, "staff.pw", np, "10.0.6.1", t + 3000, &r, &retry), ERR_OK);
    assert_int_equal(auth_user_set_password(f->c, &auth_actor_cli, "nobody.x", np, strlen(np), t,
                                            &why),
                     ERR_NOT_FOUND);
    assert_int_equal(count_events(f, "user.passwd", NULL), 1);
}

static void test_purge(void **state)
{
    NEED_FIXTURE();
    add_user(f, "purge.me", "finance", "A-UNIT", 0);
    struct auth_login_result r;
    int64_t retry, sessions = -1, counters = -1;
    int64_t t = T0_MS + 50000 * 1000LL;
    assert_int_equal(try_login(f, "purge.me", PW, "10.0.7.1", t, &r, &retry), ERR_OK);
    assert_int_equal(try_login(f, "purge.me", "Wrong-password-1", "10.0.7.1", t, &r, &retry),
                     ERR_UNAUTHENTICATED);
    /* a day and a bit after the session's absolute end: it and the counters go */
    int64_t later = t + (12 * 3600 + AUTH_PURGE_AFTER_S + 1) * 1000LL;
    assert_int_equal(auth_purge(f->c, &f->cfg, later, &sessions, &counters), ERR_OK);
    assert_true(sessions >= 1);
    assert_true(counters >= 2); /* at least this test's login and address buckets */
    assert_int_equal(auth_purge(f->c, &f->cfg, later, &sessions, &counters), ERR_OK);
    assert_int_equal(sessions, 0);
    assert_int_equal(counters, 0);
    /* the failure count is gone: five more tries before a lock */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(try_login(f, "purge.me", "Wrong-password-1", "10.0.7.1", later, &r,
                                   &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(try_login(f, "purge.me", PW, "10.0.7.1", later, &r, &retry),
                     ERR_RATE_LIMITED);
}

static void test_login_audited_chain_intact(void **state)
{
    NEED_FIXTURE();
    struct audit_verify_result v;
    assert_int_equal(audit_verify(f->c, &v), ERR_OK);
    assert_int_equal(v.why, AUDIT_INTACT);
    assert_true(v.events > 20);
    assert_int_equal(v.events, v.head_seq);
}

int main(void)
{
    if (mkdtemp(sqlite_dir) == NULL) {
        return 1;
    }
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_login_normalize),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_common_list_sorted),
        cmocka_unit_test(test_hash_verify),
        cmocka_unit_test(test_csrf_tokens),
        cmocka_unit_test(test_scope_and_roles),
    };
    const struct CMUnitTest backend[] = {
        cmocka_unit_test(test_user_create),
        cmocka_unit_test(test_login_success_and_session),
        cmocka_unit_test(test_login_failures_look_alike),
        cmocka_unit_test(test_lockout_per_login),
        cmocka_unit_test(test_success_resets_login_count),
        cmocka_unit_test(test_lockout_per_address),
        cmocka_unit_test(test_idle_and_absolute_expiry),
        cmocka_unit_test(test_logout_list_revoke),
        cmocka_unit_test(test_passwd),
        cmocka_unit_test(test_purge),
        cmocka_unit_test(test_login_audited_chain_intact),
    };
    int fails = cmocka_run_group_tests_name("auth", plain, NULL, NULL);
    fails += cmocka_run_group_tests_name("auth/sqlite", backend, setup_sqlite, teardown);
    fails += cmocka_run_group_tests_name("auth/postgresql", backend, setup_pg, teardown);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sqlite_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", sqlite_dir);
    }
    return fails;
}
