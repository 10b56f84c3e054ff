/*
 * enrol_fixture: the database fixture of test_enrol and test_invoice, on
 * SQLite (a fresh file) and on PostgreSQL (HUZHU_TEST_PG_URL, in a schema of
 * the test's own so two tests can share the database; public is never
 * touched). Registry rows are written straight through the store with fake
 * sealed fields: these tests are about enrolment, not identity numbers.
 *
 * Included by one test file each (static functions only).
 */
#ifndef HUZHU_TESTS_ENROL_FIXTURE_H
#define HUZHU_TESTS_ENROL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "domain/enrol.h"
#include "domain/invoice.h"
#include "domain/plans_admin.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_enrol.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

struct fixture {
    char url[1024];
    struct store *s;
    struct store_conn *c;
    bool pg;
    int64_t root_org, city_org, other_org; /* /r/, /r/c/ and a sibling /r/o/ */
    char city_path[STORE_ORG_PATH_BYTES + 1], other_path[STORE_ORG_PATH_BYTES + 1];
    unsigned serial; /* members created so far (unique blind index) */
};

static struct date D(const char *text)
{
    struct date d;
    if (date_parse(text, strlen(text), &d) != ERR_OK) {
        fprintf(stderr, "bad test date %s\n", text);
        abort();
    }
    return d;
}

static int64_t fx_org(struct fixture *f, const char *code, int64_t parent, char *path_out,
                      size_t cap)
{
    struct store_org_new o = {code, code, parent, parent ? "grassroots" : "province", "330100"};
    int64_t id = 0;
    if (store_org_insert(f->c, &o, &id) != ERR_OK) {
        abort();
    }
    if (path_out != NULL) {
        char path[STORE_ORG_PATH_BYTES + 1];
        int64_t got;
        if (store_org_find(f->c, code, &got, path) != ERR_OK) {
            abort();
        }
        snprintf(path_out, cap, "%s", path);
    }
    return id;
}

static int64_t fx_employer(struct fixture *f, int64_t org_id, unsigned n)
{
    char uscc[19];
    snprintf(uscc, sizeof(uscc), "91330100MA%08u", n);
    char name[32];
    snprintf(name, sizeof(name), "Unit %u", n);
    struct store_employer_new e = {uscc, name, "private", "small", "", org_id};
    int64_t id = 0;
    if (store_employer_insert(f->c, &e, &id) != ERR_OK) {
        abort();
    }
    return id;
}

static int64_t fx_member(struct fixture *f, int64_t org_id, int64_t employer_id,
                         const char *gender, const char *birth, const char *employment,
                         int hardship)
{
    unsigned char hash[STORE_HASH_BYTES] = {0};
    unsigned n = ++f->serial;
    memcpy(hash, &n, sizeof(n));
    unsigned char enc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct store_member_new m = {
        .id_hash = hash,
        .id_enc = enc,
        .id_enc_len = sizeof(enc),
        .id_mask = "330100********0000",
        .name = "Worker",
        .gender = gender,
        .birth_date = birth,
        .employment = employment,
        .employer_id = employer_id,
        .org_id = org_id,
        .hardship = hardship,
    };
    int64_t id = 0;
    if (store_member_insert(f->c, &m, &id) != ERR_OK) {
        abort();
    }
    return id;
}

/* Loads a plan document (text) and publishes it. */
static void fx_plan(struct fixture *f, const char *json_text, bool publish)
{
    json_error_t jerr;
    json_t *doc = json_loads(json_text, 0, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "bad plan JSON: %s\n", jerr.text);
        abort();
    }
    char field[PLAN_FIELD_PATH_MAX];
    enum err e = plans_load(f->c, doc, NULL, field, sizeof(field));
    if (e != ERR_OK) {
        fprintf(stderr, "plans_load: %s at %s\n", err_str(e), field);
        abort();
    }
    const char *code = json_string_value(json_object_get(doc, "code"));
    int64_t version = (int64_t)json_integer_value(json_object_get(doc, "version"));
    if (publish && plans_publish(f->c, code, version) != ERR_OK) {
        abort();
    }
    json_decref(doc);
}

static int fx_open(struct fixture *f, const char *url, bool create)
{
    struct store_options opt = {.pool_size = 1, .busy_timeout_ms = 5000, .create = create};
    if (store_open(url, &opt, &f->s) != ERR_OK) {
        return -1;
    }
    int v;
    if (store_migrate(f->s, &v) != ERR_OK || store_acquire(f->s, &f->c) != ERR_OK) {
        return -1;
    }
    snprintf(f->url, sizeof(f->url), "%s", url);
    if (store_tx_begin(f->c) != ERR_OK) {
        return -1;
    }
    f->root_org = fx_org(f, "R", 0, NULL, 0);
    f->city_org = fx_org(f, "RC", f->root_org, f->city_path, sizeof(f->city_path));
    f->other_org = fx_org(f, "RO", f->root_org, f->other_path, sizeof(f->other_path));
    return store_tx_commit(f->c) == ERR_OK ? 0 : -1;
}

static int fx_setup_sqlite(void **state, const char *name)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    char url[256];
    snprintf(url, sizeof(url), "/tmp/huzhu-test-%s-%d.db", name, (int)getpid());
    unlink(url);
    char side[300];
    snprintf(side, sizeof(side), "%s-wal", url);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", url);
    unlink(side);
    if (fx_open(&f, url, true) != 0) {
        return -1;
    }
    *state = &f;
    return 0;
}

/* PostgreSQL: schema `schema` made fresh through a first connection, then
 * the store opened with search_path set to it. */
static int fx_setup_pg(void **state, const char *schema)
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
    if (store_open(base, &opt, &s) != ERR_OK || store_acquire(s, &c) != ERR_OK) {
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    enum err e = db_exec(c->db, sql);
    store_release(c);
    store_close(s);
    if (e != ERR_OK) {
        return -1;
    }
    char url[1024];
    snprintf(url, sizeof(url), "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", schema);
    if (fx_open(&f, url, false) != 0) {
        return -1;
    }
    f.pg = true;
    *state = &f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fixture *f = *state;
    if (f != NULL) {
        store_release(f->c);
        store_close(f->s);
        if (!f->pg) {
            unlink(f->url);
        }
    }
    return 0;
}

#define NEED_FIXTURE()                                                                             \
    struct fixture *f = *state;                                                                    \
    if (f == NULL) {                                                                               \
        skip();                                                                                    \
    }

/* A request with the common defaults: 1 share, funding all worker. */
static struct enrol_request fx_request(enum enrol_kind kind, const char *code, const char *start)
{
    struct enrol_request r;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    snprintf(r.plan_code, sizeof(r.plan_code), "%s", code);
    r.term_start = D(start);
    r.due_date = D(start);
    r.shares = 1;
    r.funding.remainder_payer = COSTSHARE_WORKER;
    return r;
}

static struct enrol_actor fx_actor(const char *path)
{
    struct enrol_actor a = {7, "unit_staff", path, NULL, 0, NULL};
    return a;
}

#endif
