/*
 * test_users: account administration (domain/users): listing scoped to the
 * admin's subtree with filters and keyset pages, creation in and out of
 * scope, edits and the self-protection rules, disabling and resets ending
 * sessions, and the own-password change (wrong current password counted
 * like a failed login, other sessions revoked, this one kept). Runs on
 * SQLite, and on PostgreSQL when HUZHU_TEST_PG_URL is set (schema t_users).
 * Time is passed in; hashing is real argon2id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/users.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

#define T0_MS 1700000000000LL
#define PW "Correct-Horse-Battery-9"
#define PW2 "Another-Long-Passphrase-7"

struct fixture {
    struct store *s;
    struct store_conn *c;
    int64_t root, city, unit, other; /* root > city > unit; other is a sibling city */
    int64_t member, member_other;    /* under unit, under other */
    struct auth_user admin;          /* admin at city */
    struct auth_config cfg;
};

static char sqlite_dir[] = "/tmp/huzhu-test-users-XXXXXX";

static int64_t add_member(struct fixture *f, int64_t org, unsigned char tag)
{
    unsigned char hash[STORE_HASH_BYTES], enc[48];
    int64_t id = 0;
    memset(hash, tag, sizeof(hash));
    memset(enc, 9, sizeof(enc));
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = "330102********0011", .name = "工人", .gender = "M",
                                 .birth_date = "1990-01-01", .employment = "delivery",
                                 .org_id = org};
    assert_int_equal(store_member_insert(f->c, &m, &id), ERR_OK);
    return id;
}

static int64_t cli_user(struct fixture *f, const char *login, const char *role, const char *org)
{
    struct auth_user_new u = {.login = login, .role = role, .org_code = org, .password = PW,
                              .password_len = strlen(PW)};
    int64_t id = 0;
    assert_int_equal(auth_user_create(f->c, &auth_actor_cli, &u, T0_MS, &id, NULL), ERR_OK);
    return id;
}

static int setup_common(struct fixture *f, const char *url)
{
    struct store_options opt = {.pool_size = 2, .create = true};
    int v;
    assert_int_equal(store_open(url, &opt, &f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(store_acquire(f->s, &f->c), ERR_OK);
    struct store_org_new root = {"U-ROOT", "省总工会", 0, "province", "330000"};
    assert_int_equal(store_org_insert(f->c, &root, &f->root), ERR_OK);
    struct store_org_new city = {"U-CITY", "市总工会", f->root, "city", "330100"};
    assert_int_equal(store_org_insert(f->c, &city, &f->city), ERR_OK);
    struct store_org_new unit = {"U-UNIT", "基层工会", f->city, "grassroots", "330102"};
    assert_int_equal(store_org_insert(f->c, &unit, &f->unit), ERR_OK);
    struct store_org_new other = {"U-OTHER", "另一市", f->root, "city", "330200"};
    assert_int_equal(store_org_insert(f->c, &other, &f->other), ERR_OK);
    f->member = add_member(f, f->unit, 7);
    f->member_other = add_member(f, f->other, 8);
    auth_config_default(&f->cfg);

    memset(&f->admin, 0, sizeof(f->admin));
    f->admin.id = cli_user(f, "city.admin", "admin", "U-CITY");
    snprintf(f->admin.login, sizeof(f->admin.login), "city.admin");
    f->admin.role = AUTH_ROLE_ADMIN;
    assert_int_equal(store_auth_org_lookup(f->c, "U-CITY", &f->admin.org_id, f->admin.org_path),
                     ERR_OK);
    snprintf(f->admin.org_code, sizeof(f->admin.org_code), "U-CITY");
    cli_user(f, "unit_staff.1", "unit_staff", "U-UNIT");
    cli_user(f, "unitxstaff", "finance", "U-UNIT"); /* '_' in a prefix must not match 'x' */
    cli_user(f, "other.admin", "admin", "U-OTHER");
    cli_user(f, "root.auditor", "auditor", "U-ROOT");
    return 0;
}

static int setup_sqlite(void **state)
{
    static struct fixture f;
    char url[512];
    memset(&f, 0, sizeof(f));
    snprintf(url, sizeof(url), "%s/users.db", sqlite_dir);
    unlink(url);
    *state = &f;
    return setup_common(&f, url);
}

static int setup_pg(void **state)
{
    static struct fixture f;
    const char *base = getenv("HUZHU_TEST_PG_URL");
    *state = NULL;
    if (base == NULL || base[0] == '\0') {
        return 0;
    }
    memset(&f, 0, sizeof(f));
    struct store *s;
    struct store_conn *c;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open(base, &opt, &s), ERR_OK);
    assert_int_equal(store_acquire(s, &c), ERR_OK);
    assert_int_equal(
        db_exec(c->db, "DROP SCHEMA IF EXISTS t_users CASCADE; CREATE SCHEMA t_users"), ERR_OK);
    store_release(c);
    store_close(s);
    char url[1024];
    snprintf(url, sizeof(url), "%s%soptions=-csearch_path%%3Dt_users", base,
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

#define NEED_FIXTURE()   \
    struct fixture *f = *state; \
    if (f == NULL) {     \
        skip();          \
    }

/* --- helpers ------------------------------------------------------------- */

struct seen {
    char logins[512];
    int n;
};

static enum err collect(const struct user_info *u, void *arg)
{
    struct seen *s = arg;
    size_t used = strlen(s->logins);
    snprintf(s->logins + used, sizeof(s->logins) - used, "%s%s", used ? "," : "", u->login);
    s->n++;
    return ERR_OK;
}

static enum err list(struct fixture *f, const struct auth_user *who, const char *role,
                     int disabled, const char *prefix, struct seen *out)
{
    struct users_filter flt = {.role = role, .disabled = disabled, .login_prefix = prefix,
                               .limit = 100};
    struct users_fault fault;
    memset(out, 0, sizeof(*out));
    return users_list(f->c, who, &flt, collect, out, NULL, &fault);
}

static enum err create(struct fixture *f, const char *login, const char *role, int64_t org,
                       int64_t member, const char *pw, int64_t *id, struct users_fault *fault)
{
    struct users_new in = {.login = login, .login_len = strlen(login), .display_name = "新人",
                           .role = role, .org_id = org, .member_id = member, .password = pw,
                           .password_len = strlen(pw)};
    return users_create(f->c, &f->admin, "req-u", &in, T0_MS, id, fault);
}

static enum err sign_in(struct fixture *f, const char *login, const char *pw, int64_t now_ms,
                        struct auth_login_result *r)
{
    struct auth_login_request q = {.login = login, .login_len = strlen(login), .password = pw,
                                   .password_len = strlen(pw), .ip = "10.9.0.1",
                                   .user_agent = "cmocka", .request_id = "req-l",
                                   .now_ms = now_ms};
    int64_t retry = 0;
    return auth_login(f->c, &f->cfg, &q, r, &retry);
}

static enum err live(struct fixture *f, const struct auth_login_result *r, int64_t now_ms,
                     struct auth_session *out)
{
    struct auth_session tmp;
    return auth_session_check(f->c, &f->cfg, r->token, strlen(r->token), now_ms,
                              out != NULL ? out : &tmp);
}

/* --- tests --------------------------------------------------------------- */

static void test_list_scope_and_filters(void **state)
{
    NEED_FIXTURE();
    struct seen s;
    assert_int_equal(list(f, &f->admin, NULL, -1, NULL, &s), ERR_OK);
    assert_string_equal(s.logins, "city.admin,unit_staff.1,unitxstaff"); /* not other, not root */
    assert_int_equal(list(f, &f->admin, "finance", -1, "", &s), ERR_OK);
    assert_string_equal(s.logins, "unitxstaff");
    assert_int_equal(list(f, &f->admin, "", -1, "UNIT_", &s), ERR_OK);
    assert_string_equal(s.logins, "unit_staff.1");
    assert_int_equal(list(f, &f->admin, "", 1, NULL, &s), ERR_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(list(f, &f->admin, "boss", -1, NULL, &s), ERR_INVALID);
    assert_int_equal(list(f, &f->admin, NULL, -1, "a b", &s), ERR_INVALID);

    /* keyset: limit 1 from after_id walks them one by one */
    struct users_filter flt = {.disabled = -1, .limit = 1};
    struct seen one;
    memset(&one, 0, sizeof(one));
    size_t n = 0;
    assert_int_equal(users_list(f->c, &f->admin, &flt, collect, &one, &n, NULL), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(one.logins, "city.admin");
    flt.after_id = f->admin.id;
    memset(&one, 0, sizeof(one));
    assert_int_equal(users_list(f->c, &f->admin, &flt, collect, &one, &n, NULL), ERR_OK);
    assert_string_equal(one.logins, "unit_staff.1");

    struct user_info u;
    assert_int_equal(users_get(f->c, &f->admin, f->admin.id, &u), ERR_OK);
    assert_string_equal(u.org_code, "U-CITY");
    int64_t other_id = 0;
    struct store_user_row row;
    assert_int_equal(store_user_find(f->c, "other.admin", &row), ERR_OK);
    other_id = row.id;
    assert_int_equal(users_get(f->c, &f->admin, other_id, &u), ERR_NOT_FOUND);
}

static void test_create(void **state)
{
    NEED_FIXTURE();
    struct users_fault ft;
    int64_t id = 0;
    assert_int_equal(create(f, "New.Clerk", "claims_officer", f->unit, 0, PW, &id, &ft), ERR_OK);
    struct user_info u;
    assert_int_equal(users_get(f->c, &f->admin, id, &u), ERR_OK);
    assert_string_equal(u.login, "new.clerk");
    assert_int_equal(u.role, AUTH_ROLE_CLAIMS_OFFICER);
    assert_int_equal(create(f, "NEW.CLERK", "finance", f->unit, 0, PW, &id, &ft), ERR_EXISTS);
    assert_string_equal(ft.field, "login");
    assert_int_equal(create(f, "weak.one", "finance", f->unit, 0, "password1", &id, &ft),
                     ERR_WEAK_PASSWORD);
    assert_string_equal(ft.field, "password");
    assert_non_null(ft.why);
    assert_int_equal(create(f, "same.as.login", "finance", f->unit, 0, "same.as.login", &id, &ft),
                     ERR_WEAK_PASSWORD);
    assert_int_equal(create(f, "bad.role", "root", f->unit, 0, PW, &id, &ft), ERR_INVALID);
    assert_string_equal(ft.field, "role");
    assert_int_equal(create(f, "far.away", "finance", f->other, 0, PW, &id, &ft), ERR_NOT_FOUND);
    assert_string_equal(ft.field, "org_id");
    assert_int_equal(create(f, "up.high", "finance", f->root, 0, PW, &id, &ft), ERR_NOT_FOUND);
    assert_int_equal(create(f, "x", "finance", f->unit, 0, PW, &id, &ft), ERR_INVALID);
    assert_string_equal(ft.field, "login");
    char l64[AUTH_LOGIN_MAX + 2];
    memset(l64, 'k', sizeof(l64));
    l64[AUTH_LOGIN_MAX] = '\0';
    assert_int_equal(create(f, l64, "finance", f->unit, 0, PW, &id, &ft), ERR_OK);
    l64[AUTH_LOGIN_MAX] = 'k';
    l64[AUTH_LOGIN_MAX + 1] = '\0';
    assert_int_equal(create(f, l64, "finance", f->unit, 0, PW, &id, &ft), ERR_INVALID);
    assert_int_equal(create(f, "ok", "finance", f->unit, 0, PW, &id, &ft), ERR_OK);
    /* member accounts: a member of the subtree, required for role member only */
    assert_int_equal(create(f, "mem.none", "member", f->unit, 0, PW, &id, &ft), ERR_INVALID);
    assert_string_equal(ft.field, "member_id");
    assert_int_equal(create(f, "mem.far", "member", f->unit, f->member_other, PW, &id, &ft),
                     ERR_NOT_FOUND);
    assert_string_equal(ft.field, "member_id");
    assert_int_equal(create(f, "mem.near", "member", f->unit, f->member, PW, &id, &ft), ERR_OK);
    /* only admins */
    struct auth_user clerk = f->admin;
    clerk.role = AUTH_ROLE_UNIT_STAFF;
    struct users_new in = {.login = "by.clerk", .login_len = 8, .role = "finance",
                           .org_id = f->unit, .password = PW, .password_len = strlen(PW)};
    assert_int_equal(users_create(f->c, &clerk, "r", &in, T0_MS, &id, &ft), ERR_FORBIDDEN);
    struct store_user_row row;
    assert_int_equal(store_user_find(f->c, "far.away", &row), ERR_NOT_FOUND);
    assert_int_equal(store_user_find(f->c, "mem.far", &row), ERR_NOT_FOUND);
}

static void test_update_and_self(void **state)
{
    NEED_FIXTURE();
    struct users_fault ft;
    int64_t id = 0;
    assert_int_equal(create(f, "edit.me", "finance", f->city, 0, PW, &id, &ft), ERR_OK);
    struct auth_login_result r;
    int64_t t = T0_MS + 1000;
    assert_int_equal(sign_in(f, "edit.me", PW, t, &r), ERR_OK);

    struct users_patch p = {.role = "auditor", .display_name = "审计", .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &p, t, &ft), ERR_OK);
    struct user_info u;
    assert_int_equal(users_get(f->c, &f->admin, id, &u), ERR_OK);
    assert_int_equal(u.role, AUTH_ROLE_AUDITOR);
    assert_string_equal(u.display_name, "审计");
    assert_int_equal(live(f, &r, t + 1000, NULL), ERR_OK); /* an edit keeps sessions */

    struct users_patch empty = {.disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &empty, t, &ft), ERR_INVALID);
    struct users_patch to_member = {.role = "member", .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &to_member, t, &ft), ERR_INVALID);
    assert_string_equal(ft.field, "role");
    struct users_patch away = {.org_id = f->other, .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &away, t, &ft), ERR_NOT_FOUND);
    assert_string_equal(ft.field, "org_id");
    struct users_patch down = {.org_id = f->unit, .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &down, t, &ft), ERR_OK);

    struct users_patch off = {.disabled = 1};
    assert_int_equal(users_update(f->c, &f->admin, "r", id, &off, t + 2000, &ft), ERR_OK);
    assert_int_equal(live(f, &r, t + 3000, NULL), ERR_UNAUTHENTICATED);
    assert_int_equal(sign_in(f, "edit.me", PW, t + 4000, &r), ERR_UNAUTHENTICATED);

    /* self-protection */
    struct users_patch self_off = {.disabled = 1};
    assert_int_equal(users_update(f->c, &f->admin, "r", f->admin.id, &self_off, t, &ft),
                     ERR_SELF_CHANGE);
    assert_string_equal(ft.field, "disabled");
    struct users_patch self_demote = {.role = "supervisor", .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", f->admin.id, &self_demote, t, &ft),
                     ERR_SELF_CHANGE);
    assert_string_equal(ft.field, "role");
    struct users_patch self_move = {.org_id = f->unit, .disabled = -1};
    assert_int_equal(users_update(f->c, &f->admin, "r", f->admin.id, &self_move, t, &ft),
                     ERR_SELF_CHANGE);
    struct users_patch self_same = {.role = "admin", .disabled = 0, .display_name = "管理员"};
    assert_int_equal(users_update(f->c, &f->admin, "r", f->admin.id, &self_same, t, &ft), ERR_OK);
    assert_int_equal(users_reset_password(f->c, &f->admin, "r", f->admin.id, PW2, strlen(PW2), t,
                                          &ft),
                     ERR_SELF_CHANGE);
    assert_int_equal(users_get(f->c, &f->admin, f->admin.id, &u), ERR_OK);
    assert_int_equal(u.role, AUTH_ROLE_ADMIN);
    assert_false(u.disabled);
}

static void test_reset(void **state)
{
    NEED_FIXTURE();
    struct users_fault ft;
    int64_t id = 0;
    assert_int_equal(create(f, "reset.me", "finance", f->unit, 0, PW, &id, &ft), ERR_OK);
    struct auth_login_result r;
    int64_t t = T0_MS + 100000;
    assert_int_equal(sign_in(f, "reset.me", PW, t, &r), ERR_OK);
    assert_int_equal(users_reset_password(f->c, &f->admin, "r", id, "reset.me", 8, t, &ft),
                     ERR_WEAK_PASSWORD);
    assert_int_equal(live(f, &r, t + 500, NULL), ERR_OK); /* a refused reset changes nothing */
    assert_int_equal(users_reset_password(f->c, &f->admin, "r", id, PW2, strlen(PW2), t + 1000,
                                          &ft),
                     ERR_OK);
    assert_int_equal(live(f, &r, t + 2000, NULL), ERR_UNAUTHENTICATED);
    assert_int_equal(sign_in(f, "reset.me", PW, t + 3000, &r), ERR_UNAUTHENTICATED);
    assert_int_equal(sign_in(f, "reset.me", PW2, t + 4000, &r), ERR_OK);
    struct store_user_row row;
    assert_int_equal(store_user_find(f->c, "other.admin", &row), ERR_OK);
    assert_int_equal(users_reset_password(f->c, &f->admin, "r", row.id, PW2, strlen(PW2), t, &ft),
                     ERR_NOT_FOUND);
}

static void test_own_password(void **state)
{
    NEED_FIXTURE();
    struct users_fault ft;
    int64_t id = 0, retry = 0;
    assert_int_equal(create(f, "own.pw", "unit_staff", f->unit, 0, PW, &id, &ft), ERR_OK);
    int64_t t = T0_MS + 200000;
    struct auth_login_result a, b;
    struct auth_session sa;
    assert_int_equal(sign_in(f, "own.pw", PW, t, &a), ERR_OK);
    assert_int_equal(sign_in(f, "own.pw", PW, t, &b), ERR_OK);
    assert_int_equal(live(f, &a, t + 100, &sa), ERR_OK);

    assert_int_equal(users_change_own_password(f->c, &f->cfg, &sa, "r", "wrong-password", 14, PW2,
                                               strlen(PW2), t + 200, &retry, &ft),
                     ERR_UNAUTHENTICATED);
    assert_string_equal(ft.field, "current_password");
    assert_int_equal(users_change_own_password(f->c, &f->cfg, &sa, "r", PW, strlen(PW), "own.pw",
                                               6, t + 300, &retry, &ft),
                     ERR_WEAK_PASSWORD);
    assert_string_equal(ft.field, "new_password");
    assert_int_equal(users_change_own_password(f->c, &f->cfg, &sa, "r", PW, strlen(PW), PW2,
                                               strlen(PW2), t + 400, &retry, &ft),
                     ERR_OK);
    assert_int_equal(live(f, &a, t + 500, NULL), ERR_OK);              /* this one stays */
    assert_int_equal(live(f, &b, t + 500, NULL), ERR_UNAUTHENTICATED); /* the other ends */
    assert_int_equal(sign_in(f, "own.pw", PW, t + 600, &b), ERR_UNAUTHENTICATED);
    assert_int_equal(sign_in(f, "own.pw", PW2, t + 700, &b), ERR_OK);

    /* wrong current passwords fill the login's failure window */
    for (int i = 0; i < f->cfg.login_max_failures; i++) {
        assert_int_equal(users_change_own_password(f->c, &f->cfg, &sa, "r", "guess-guess", 11, PW,
                                                   strlen(PW), t + 800, &retry, &ft),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(users_change_own_password(f->c, &f->cfg, &sa, "r", PW2, strlen(PW2), PW,
                                               strlen(PW), t + 900, &retry, &ft),
                     ERR_RATE_LIMITED);
    assert_true(retry > 0);
}

int main(void)
{
    if (mkdtemp(sqlite_dir) == NULL) {
        return 1;
    }
    const struct CMUnitTest backend[] = {
        cmocka_unit_test(test_list_scope_and_filters),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_update_and_self),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_own_password),
    };
    int fails = cmocka_run_group_tests_name("users/sqlite", backend, setup_sqlite, teardown);
    fails += cmocka_run_group_tests_name("users/postgresql", backend, setup_pg, teardown);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sqlite_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", sqlite_dir);
    }
    return fails;
}
