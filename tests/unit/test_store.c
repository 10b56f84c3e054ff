/*
 * test_store: the store on both backends: pool, migrations, constraints,
 * transactions. SQLite always; PostgreSQL when HUZHU_TEST_PG_URL names an
 * empty database the test may wipe (the test command creates one).
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

#include "store/db.h"
#include "store/migrate.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

struct fixture {
    char url[512];
    struct store *s;
    bool pg;
};

static char sqlite_dir[] = "/tmp/huzhu-test-store-XXXXXX";

static int setup_sqlite(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    snprintf(f.url, sizeof(f.url), "%s/t.db", sqlite_dir);
    unlink(f.url);
    struct store_options opt = {.pool_size = 2, .create = true};
    assert_int_equal(store_open(f.url, &opt, &f.s), ERR_OK);
    *state = &f;
    return 0;
}

static int setup_pg(void **state)
{
    static struct fixture f;
    const char *url = getenv("HUZHU_TEST_PG_URL");
    if (url == NULL || url[0] == '\0') {
        *state = NULL;
        return 0;
    }
    memset(&f, 0, sizeof(f));
    f.pg = true;
    snprintf(f.url, sizeof(f.url), "%s", url);
    struct store_options opt = {.pool_size = 2};
    assert_int_equal(store_open(f.url, &opt, &f.s), ERR_OK);
    struct store_conn *c;
    assert_int_equal(store_acquire(f.s, &c), ERR_OK);
    /* a clean slate: the test database is ours */
    assert_int_equal(db_exec(c->db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"), ERR_OK);
    store_release(c);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f != NULL) {
        store_close(f->s);
    }
    return 0;
}

#define NEED_FIXTURE()                                                                           \
    struct fixture *f = *state;                                                                  \
    if (f == NULL) {                                                                             \
        skip();                                                                                  \
    }

static void test_open_missing_file(void **state)
{
    (void)state;
    struct store *s;
    struct store_options opt = {.pool_size = 1, .create = false};
    assert_int_equal(store_open("/tmp/huzhu-no-such-dir/x.db", &opt, &s), ERR_NOT_FOUND);
}

static void test_open_bad_pg_url(void **state)
{
    (void)state;
    struct store *s;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", &opt, &s),
                     ERR_IO);
}

static void test_migrate(void **state)
{
    NEED_FIXTURE();
    int v = -1;
    /* unmigrated (or wiped) database: schema check says so */
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(v, store_schema_latest());
    /* idempotent */
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(v, store_schema_latest());
    assert_int_equal(store_check_schema(f->s, &v), ERR_OK);
    assert_int_equal(v, store_schema_latest());
}

static void test_health(void **state)
{
    NEED_FIXTURE();
    struct store_conn *c;
    struct store_health h;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_health(c, &h), ERR_OK);
    assert_true(h.ok);
    assert_int_equal(h.schema_version, store_schema_latest());
    assert_string_equal(h.backend, f->pg ? "postgresql" : "sqlite");
    store_release(c);
}

static void test_org_tree_and_constraints(void **state)
{
    NEED_FIXTURE();
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    int64_t root, child, grand, dup;
    struct store_org_new o = {"T-ROOT", "测试省总工会", 0, "province", "330000"};
    assert_int_equal(store_org_insert(c, &o, &root), ERR_OK);
    struct store_org_new o2 = {"T-CITY", "测试市总工会", root, "city", "330100"};
    assert_int_equal(store_org_insert(c, &o2, &child), ERR_OK);
    struct store_org_new o3 = {"T-UNIT", "测试基层工会", child, "grassroots", "330102"};
    assert_int_equal(store_org_insert(c, &o3, &grand), ERR_OK);
    /* unique code */
    assert_int_equal(store_org_insert(c, &o3, &dup), ERR_EXISTS);
    /* unknown parent */
    struct store_org_new o4 = {"T-ORPHAN", "孤儿", 999999, "grassroots", "330102"};
    assert_int_equal(store_org_insert(c, &o4, &dup), ERR_NOT_FOUND);
    /* check constraint: division must be 6 chars */
    struct store_org_new o5 = {"T-BADDIV", "坏", root, "city", "33"};
    assert_int_equal(store_org_insert(c, &o5, &dup), ERR_CONFLICT);
    /* employer must reference a real org */
    struct store_employer_new e = {"91330100MA0000000X", "测试公司", "private", "small", "", 999999};
    assert_int_equal(store_employer_insert(c, &e, &dup), ERR_CONFLICT);
    /* bad enum */
    struct store_employer_new e2 = {"91330100MA0000001X", "测试公司", "martian", "small", "", grand};
    assert_int_equal(store_employer_insert(c, &e2, &dup), ERR_CONFLICT);
    store_release(c);
}

static void test_rollback_leaves_nothing(void **state)
{
    NEED_FIXTURE();
    struct store_conn *c;
    struct store_registry_counts before, after;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_registry_count(c, &before), ERR_OK);
    assert_int_equal(store_tx_begin(c), ERR_OK);
    int64_t id;
    struct store_org_new o = {"T-TX", "事务", 0, "province", "110000"};
    assert_int_equal(store_org_insert(c, &o, &id), ERR_OK);
    store_tx_rollback(c);
    assert_int_equal(store_registry_count(c, &after), ERR_OK);
    assert_int_equal(before.orgs, after.orgs);
    /* release with an open transaction rolls it back too */
    assert_int_equal(store_tx_begin(c), ERR_OK);
    assert_int_equal(store_org_insert(c, &o, &id), ERR_OK);
    store_release(c);
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_registry_count(c, &after), ERR_OK);
    assert_int_equal(before.orgs, after.orgs);
    /* committed: visible */
    assert_int_equal(store_tx_begin(c), ERR_OK);
    assert_int_equal(store_org_insert(c, &o, &id), ERR_OK);
    assert_int_equal(store_tx_commit(c), ERR_OK);
    assert_int_equal(store_registry_count(c, &after), ERR_OK);
    assert_int_equal(before.orgs + 1, after.orgs);
    store_release(c);
}

static void test_member_blob_roundtrip(void **state)
{
    NEED_FIXTURE();
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    int64_t org, mid;
    struct store_org_new o = {"T-MEM", "会员工会", 0, "province", "440000"};
    assert_int_equal(store_org_insert(c, &o, &org), ERR_OK);
    unsigned char hash[STORE_HASH_BYTES], enc[48];
    for (size_t i = 0; i < sizeof(hash); i++) {
        hash[i] = (unsigned char)i; /* includes a 0 byte: blobs are not strings */
    }
    memset(enc, 0xAB, sizeof(enc));
    struct store_member_new m = {
        .id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc), .id_mask = "440101********0011",
        .name = "测试", .gender = "F", .birth_date = "1990-01-01", .phone = NULL,
        .employment = "delivery", .employer_id = 0, .org_id = org};
    assert_int_equal(store_member_insert(c, &m, &mid), ERR_OK);
    assert_true(mid > 0);
    /* same blind index twice: unique */
    assert_int_equal(store_member_insert(c, &m, &mid), ERR_EXISTS);
    /* standard employment needs an employer */
    hash[0] = 0xFF;
    m.employment = "standard";
    assert_int_equal(store_member_insert(c, &m, &mid), ERR_CONFLICT);
    store_release(c);
}

static void test_pool_exhaustion_waits(void **state)
{
    NEED_FIXTURE();
    struct store_conn *a, *b;
    assert_int_equal(store_acquire(f->s, &a), ERR_OK);
    assert_int_equal(store_acquire(f->s, &b), ERR_OK);
    assert_ptr_not_equal(a, b);
    store_release(a);
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_ptr_equal(a, c); /* the freed one comes back */
    store_release(b);
    store_release(c);
}

/* $N may appear in any order and more than once: SQLite numbers named
 * parameters by first appearance, which the driver must hide. */
static const char sql_param_order[] =
    "SELECT CAST($2 AS TEXT) || '-' || CAST($1 AS TEXT) || '-' || CAST($2 AS TEXT)";

static void test_parameters_out_of_order(void **state)
{
    NEED_FIXTURE();
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    struct db_stmt *st;
    bool row;
    assert_int_equal(db_prepare(c->db, sql_param_order, &st), ERR_OK);
    db_bind_text(st, 1, "a", 1);
    db_bind_text(st, 2, "b", 1);
    assert_int_equal(db_step(st, &row), ERR_OK);
    assert_true(row);
    size_t len;
    const char *t = db_col_text(st, 0, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(t, "b-a-b", 5);
    db_reset(st);
    store_release(c);
}

static void test_embedded_migrations_consistent(void **state)
{
    (void)state;
    assert_int_equal(migrations_sqlite_count, migrations_pg_count);
    for (size_t i = 0; i < migrations_sqlite_count; i++) {
        assert_int_equal(migrations_sqlite[i].version, (int)i + 1);
        assert_string_equal(migrations_sqlite[i].name, migrations_pg[i].name);
    }
}

int main(void)
{
    if (mkdtemp(sqlite_dir) == NULL) {
        return 1;
    }
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_open_missing_file),
        cmocka_unit_test(test_open_bad_pg_url),
        cmocka_unit_test(test_embedded_migrations_consistent),
    };
    const struct CMUnitTest backend[] = {
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_org_tree_and_constraints),
        cmocka_unit_test(test_rollback_leaves_nothing),
        cmocka_unit_test(test_member_blob_roundtrip),
        cmocka_unit_test(test_pool_exhaustion_waits),
        cmocka_unit_test(test_parameters_out_of_order),
    };
    int fails = cmocka_run_group_tests_name("store", plain, NULL, NULL);
    fails += cmocka_run_group_tests_name("store/sqlite", backend, setup_sqlite, teardown);
    fails += cmocka_run_group_tests_name("store/postgresql", backend, setup_pg, teardown);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sqlite_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", sqlite_dir);
    }
    return fails;
}
