/*
 * test_audit: the audit hash chain on both backends: append and verify,
 * the append-only triggers, and tampering behind the triggers' back
 * (altered, deleted, forged, reordered rows; a deleted tail; a row appended
 * without the head) which verify must name; concurrent appenders never
 * fork the chain; auditors' filters. Also: no plaintext ID number or bank
 * card in the SQLite file after sealed fields were written.
 * PostgreSQL runs in its own schema (t_audit) of HUZHU_TEST_PG_URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/audit.h"
#include "domain/fieldcrypt.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

#define T0_MS 1700000000123LL

struct fixture {
    struct store *s;
    struct store_conn *c;
    bool pg;
    char url[1024];
    int64_t root, unit, other;
};

static char sqlite_dir[] = "/tmp/huzhu-test-audit-XXXXXX";

static int setup_common(struct fixture *f)
{
    struct store_options opt = {.pool_size = 4, .busy_timeout_ms = 5000, .create = true};
    int v;
    assert_int_equal(store_open(f->url, &opt, &f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(store_acquire(f->s, &f->c), ERR_OK);
    struct store_org_new root = {"U-ROOT", "省总工会", 0, "province", "330000"};
    assert_int_equal(store_org_insert(f->c, &root, &f->root), ERR_OK);
    struct store_org_new unit = {"U-UNIT", "基层", f->root, "grassroots", "330102"};
    assert_int_equal(store_org_insert(f->c, &unit, &f->unit), ERR_OK);
    struct store_org_new other = {"U-OTHER", "另一省", 0, "province", "320000"};
    assert_int_equal(store_org_insert(f->c, &other, &f->other), ERR_OK);
    return 0;
}

static int setup_sqlite(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    snprintf(f.url, sizeof(f.url), "%s/audit.db", sqlite_dir);
    unlink(f.url);
    *state = &f;
    return setup_common(&f);
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
    f.pg = true;
    struct store *s;
    struct store_conn *c;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open(base, &opt, &s), ERR_OK);
    assert_int_equal(store_acquire(s, &c), ERR_OK);
    assert_int_equal(db_exec(c->db, "DROP SCHEMA IF EXISTS t_audit CASCADE; CREATE SCHEMA t_audit"),
                     ERR_OK);
    store_release(c);
    store_close(s);
    snprintf(f.url, sizeof(f.url), "%s%soptions=-csearch_path%%3Dt_audit", base,
             strchr(base, '?') ? "&" : "?");
    *state = &f;
    return setup_common(&f);
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

/* --- raw SQL that goes around the triggers, as an attacker with file or
 * superuser access would ------------------------------------------------- */

static const char sqlite_untrigger[] =
    "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;"
    " DROP TRIGGER audit_head_forward";
static const char sqlite_retrigger[] =
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;"
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;"
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head"
    " WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id"
    " BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END";
static const char pg_untrigger[] =
    "ALTER TABLE audit_event DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER";
static const char pg_retrigger[] =
    "ALTER TABLE audit_event ENABLE TRIGGER USER; ALTER TABLE audit_head ENABLE TRIGGER USER";

/* Runs sql with the triggers out of the way. */
static void tamper(struct fixture *f, const char *sql)
{
    assert_int_equal(db_exec(f->c->db, f->pg ? pg_untrigger : sqlite_untrigger), ERR_OK);
    enum err e = db_exec(f->c->db, sql);
    if (e != ERR_OK) {
        fprintf(stderr, "tamper: %s\n", db_errmsg(f->c->db));
    }
    assert_int_equal(db_exec(f->c->db, f->pg ? pg_retrigger : sqlite_retrigger), ERR_OK);
    assert_int_equal(e, ERR_OK);
}

static void reset_chain(struct fixture *f)
{
    tamper(f, f->pg ? "DELETE FROM audit_event;"
                      " UPDATE audit_head SET seq = 0, hash = decode(repeat('00', 32), 'hex')"
                    : "DELETE FROM audit_event; UPDATE audit_head SET seq = 0, hash = zeroblob(32)");
}

static enum err append_one(struct store_conn *c, int64_t i, int64_t org_id)
{
    char object_id[24], detail[64];
    snprintf(object_id, sizeof(object_id), "%lld", (long long)(100 + i));
    snprintf(detail, sizeof(detail), "{\"n\":\"%lld\",\"field\":\"id_number\"}", (long long)i);
    struct audit_event ev = {
        .at_ms = T0_MS + i * 1000,
        .actor = {.user_id = 1 + i % 2, .login = i % 2 ? "officer.b" : "officer.a",
                  .role = "claims_officer", .org_id = org_id, .request_id = "req"},
        .action = i % 3 == 0 ? "member.reveal_id" : "claim.update",
        .object_type = "member",
        .object_id = object_id,
        .detail = detail};
    return audit_append(c, &ev, NULL);
}

/* Fresh chain of n events, each in its own transaction, verified intact. */
static void fresh_chain(struct fixture *f, int n)
{
    reset_chain(f);
    for (int i = 1; i <= n; i++) {
        assert_int_equal(store_tx_begin(f->c), ERR_OK);
        assert_int_equal(audit_lock_chain(f->c), ERR_OK);
        assert_int_equal(append_one(f->c, i, i % 2 ? f->unit : f->other), ERR_OK);
        assert_int_equal(store_tx_commit(f->c), ERR_OK);
    }
    struct audit_verify_result r;
    assert_int_equal(audit_verify(f->c, &r), ERR_OK);
    assert_int_equal(r.why, AUDIT_INTACT);
    assert_int_equal(r.events, n);
}

static void expect_broken(struct fixture *f, enum audit_break why, int64_t seq)
{
    struct audit_verify_result r;
    assert_int_equal(audit_verify(f->c, &r), ERR_OK);
    if (r.why != why || r.broken_seq != seq) {
        fprintf(stderr, "verify said %s at %lld\n", audit_break_str(r.why), (long long)r.broken_seq);
    }
    assert_int_equal(r.why, why);
    assert_int_equal(r.broken_seq, seq);
}

/* --- no database --------------------------------------------------------- */

static void test_format_time(void **state)
{
    (void)state;
    char at[STORE_AUDIT_AT_MAX + 1];
    audit_format_time(0, at);
    assert_string_equal(at, "1970-01-01T00:00:00.000Z");
    audit_format_time(T0_MS, at);
    assert_string_equal(at, "2023-11-14T22:13:20.123Z");
    audit_format_time(951782400999LL, at); /* a leap day */
    assert_string_equal(at, "2000-02-29T00:00:00.999Z");
}

static void test_detail_canonical(void **state)
{
    (void)state;
    char out[128];
    const char *pairs[] = {"role", "admin", "login", "张伟", "org", "ZJ"};
    assert_int_equal(audit_detail_pairs(pairs, 3, out, sizeof(out)), ERR_OK);
    assert_string_equal(out, "{\"login\":\"张伟\",\"org\":\"ZJ\",\"role\":\"admin\"}");
    assert_int_equal(audit_detail_pairs(NULL, 0, out, sizeof(out)), ERR_OK);
    assert_string_equal(out, "{}");
    assert_int_equal(audit_detail_pairs(pairs, 3, out, 20), ERR_TOO_LARGE);
    const char *bad[] = {"k", "\xff\xfe"};
    assert_int_equal(audit_detail_pairs(bad, 1, out, sizeof(out)), ERR_INVALID);
}

static void test_row_hash_covers_every_field(void **state)
{
    (void)state;
    struct store_audit_row a;
    memset(&a, 0, sizeof(a));
    a.seq = 5;
    strcpy(a.at, "2024-01-01T00:00:00.000Z");
    strcpy(a.actor_login, "ab");
    strcpy(a.action, "x");
    unsigned char h0[AUDIT_HASH_BYTES], h1[AUDIT_HASH_BYTES];
    audit_row_hash(&a, h0);
    struct store_audit_row b = a;
    /* moving a byte between adjacent fields must change the hash */
    strcpy(b.actor_login, "a");
    strcpy(b.role, "b");
    audit_row_hash(&b, h1);
    assert_memory_not_equal(h0, h1, AUDIT_HASH_BYTES);
    b = a;
    b.org_id = 1;
    audit_row_hash(&b, h1);
    assert_memory_not_equal(h0, h1, AUDIT_HASH_BYTES);
    b = a;
    b.prev_hash[31] = 1;
    audit_row_hash(&b, h1);
    assert_memory_not_equal(h0, h1, AUDIT_HASH_BYTES);
    b = a;
    strcpy(b.detail, "changed"); /* the detail counts through its digest only */
    audit_row_hash(&b, h1);
    assert_memory_equal(h0, h1, AUDIT_HASH_BYTES);
    b = a;
    audit_row_hash(&b, h1);
    assert_memory_equal(h0, h1, AUDIT_HASH_BYTES);
}

/* --- chain --------------------------------------------------------------- */

static void test_append_and_verify(void **state)
{
    NEED_FIXTURE();
    struct audit_verify_result r;
    reset_chain(f);
    assert_int_equal(audit_verify(f->c, &r), ERR_OK); /* empty chain is intact */
    assert_int_equal(r.why, AUDIT_INTACT);
    assert_int_equal(r.events, 0);
    fresh_chain(f, 7);
    /* more than one verify page */
    for (int i = 8; i <= 1203; i++) {
        if (i % 200 == 8) {
            assert_int_equal(store_tx_begin(f->c), ERR_OK);
        }
        assert_int_equal(append_one(f->c, i, f->unit), ERR_OK);
        if (i % 200 == 7 || i == 1203) {
            assert_int_equal(store_tx_commit(f->c), ERR_OK);
        }
    }
    assert_int_equal(audit_verify(f->c, &r), ERR_OK);
    assert_int_equal(r.why, AUDIT_INTACT);
    assert_int_equal(r.events, 1203);
    assert_int_equal(r.head_seq, 1203);
}

static void test_append_refuses_bad_events(void **state)
{
    NEED_FIXTURE();
    reset_chain(f);
    assert_int_equal(store_tx_begin(f->c), ERR_OK);
    struct audit_event ev = {.at_ms = T0_MS, .actor = {.login = "cli"}, .action = "member.update",
                             .object_type = "member", .object_id = "1",
                             .detail = "{\"id_number\":\"110101199003074258\"}"};
    assert_int_equal(audit_append(f->c, &ev, NULL), ERR_INVALID); /* an ID number */
    ev.detail = "{\"bank\":\"6222021234567890123\"}";
    assert_int_equal(audit_append(f->c, &ev, NULL), ERR_INVALID); /* a bank card */
    ev.detail = "{\"phone\":\"13812345678\",\"amount_fen\":\"12345678901234\"}";
    int64_t seq = 0;
    assert_int_equal(audit_append(f->c, &ev, &seq), ERR_OK); /* 14 digits are fine */
    assert_int_equal(seq, 1);
    ev.action = "";
    assert_int_equal(audit_append(f->c, &ev, NULL), ERR_INVALID);
    char big[AUDIT_TEXT_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ev.action = big;
    assert_int_equal(audit_append(f->c, &ev, NULL), ERR_TOO_LARGE);
    assert_int_equal(store_tx_commit(f->c), ERR_OK);
}

static void test_triggers_refuse_update_delete(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 3);
    assert_int_equal(db_exec(f->c->db, "UPDATE audit_event SET detail = '{}' WHERE seq = 2"),
                     ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "DELETE FROM audit_event WHERE seq = 3"), ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "DELETE FROM audit_head"), ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "UPDATE audit_head SET seq = 1"), ERR_CONFLICT);
    if (f->pg) {
        assert_int_equal(db_exec(f->c->db, "TRUNCATE audit_event"), ERR_CONFLICT);
    }
    expect_broken(f, AUDIT_INTACT, 0);
}

static void test_tamper_altered(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 5);
    tamper(f, "UPDATE audit_event SET detail = '{\"n\":\"3\",\"field\":\"bank\"}' WHERE seq = 3");
    expect_broken(f, AUDIT_ALTERED, 3);
    /* an actor rewritten, digest untouched: still seen */
    fresh_chain(f, 5);
    tamper(f, "UPDATE audit_event SET actor_login = 'someone.else' WHERE seq = 4");
    expect_broken(f, AUDIT_ALTERED, 4);
    /* the digest recomputed to match a new detail: the hash still breaks */
    fresh_chain(f, 5);
    tamper(f, f->pg ? "UPDATE audit_event SET detail = '{}', detail_digest ="
                      " encode(sha256('{}'::bytea), 'hex') WHERE seq = 2"
                    : "UPDATE audit_event SET detail = '{}', detail_digest ="
                      " '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'"
                      " WHERE seq = 2");
    expect_broken(f, AUDIT_ALTERED, 2);
}

static void test_tamper_deleted(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 5);
    tamper(f, "DELETE FROM audit_event WHERE seq = 3");
    expect_broken(f, AUDIT_MISSING, 3);
    /* the tail deleted, head left: the head still remembers it */
    fresh_chain(f, 5);
    tamper(f, "DELETE FROM audit_event WHERE seq >= 4");
    expect_broken(f, AUDIT_MISSING, 4);
    /* the last row deleted and the head moved back to seq 4 with a wrong hash */
    fresh_chain(f, 5);
    tamper(f, "DELETE FROM audit_event WHERE seq = 5; UPDATE audit_head SET seq = 4");
    expect_broken(f, AUDIT_HEAD_MISMATCH, 4);
}

/* Inserts a well-formed event 6 whose prev_hash is not event 5's hash. */
static void forge_sixth(struct fixture *f, bool move_head)
{
    struct store_audit_row r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tx_begin(f->c), ERR_OK);
    if (move_head) {
        assert_int_equal(store_audit_head_advance(f->c, &r.seq, r.prev_hash), ERR_OK);
        assert_int_equal(r.seq, 6);
        r.prev_hash[0] ^= 1; /* the forger's idea of the previous hash */
    } else {
        r.seq = 6;
    }
    strcpy(r.at, "2023-11-14T22:14:00.000Z");
    strcpy(r.actor_login, "forger");
    strcpy(r.action, "claim.approve");
    strcpy(r.detail, "{}");
    strcpy(r.detail_digest, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    audit_row_hash(&r, r.hash);
    assert_int_equal(store_audit_insert(f->c, &r), ERR_OK);
    assert_int_equal(store_tx_commit(f->c), ERR_OK);
}

static void test_tamper_forged_insert(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 5);
    forge_sixth(f, true);
    expect_broken(f, AUDIT_BAD_LINK, 6);
    /* appended behind the head's back: the head says 5, a row 6 exists */
    fresh_chain(f, 5);
    forge_sixth(f, false);
    expect_broken(f, AUDIT_HEAD_MISMATCH, 6);
}

static void test_tamper_reordered(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 5);
    tamper(f, "UPDATE audit_event SET seq = -2 WHERE seq = 2;"
              " UPDATE audit_event SET seq = 2 WHERE seq = 3;"
              " UPDATE audit_event SET seq = 3 WHERE seq = -2");
    expect_broken(f, AUDIT_ALTERED, 2);
    /* a row moved to the end with the seqs closed up: links break */
    fresh_chain(f, 5);
    tamper(f, "UPDATE audit_event SET seq = 99 WHERE seq = 1;"
              " UPDATE audit_event SET seq = seq - 1 WHERE seq BETWEEN 2 AND 5;"
              " UPDATE audit_event SET seq = 5 WHERE seq = 99");
    expect_broken(f, AUDIT_ALTERED, 1);
}

struct worker {
    struct fixture *f;
    int n;
    int64_t org;
    enum err result;
};

static enum err append_tx(struct store_conn *c, void *ctx)
{
    struct worker *w = ctx;
    enum err e = audit_lock_chain(c);
    return e == ERR_OK ? append_one(c, 1, w->org) : e;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct store_conn *c = NULL;
    w->result = store_acquire(w->f->s, &c);
    if (w->result != ERR_OK) {
        return NULL;
    }
    for (int i = 0; w->result == ERR_OK && i < w->n; i++) {
        w->result = store_with_tx(c, append_tx, w);
    }
    store_release(c);
    return NULL;
}

static void test_concurrent_appenders(void **state)
{
    NEED_FIXTURE();
    reset_chain(f);
    pthread_t t[3];
    struct worker w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (struct worker){f, 40, f->unit, ERR_INTERNAL};
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].result, ERR_OK);
    }
    struct audit_verify_result r;
    assert_int_equal(audit_verify(f->c, &r), ERR_OK);
    assert_int_equal(r.why, AUDIT_INTACT);
    assert_int_equal(r.events, 120);
}

/* --- auditors' list ------------------------------------------------------ */

struct collect {
    int64_t seqs[64];
    size_t n;
};

static enum err collect_row(const struct store_audit_row *r, void *ctx)
{
    struct collect *x = ctx;
    if (x->n < 64) {
        x->seqs[x->n++] = r->seq;
    }
    return ERR_OK;
}

static size_t list(struct fixture *f, const struct store_audit_filter *flt, struct collect *x)
{
    memset(x, 0, sizeof(*x));
    size_t n = 0;
    assert_int_equal(audit_list(f->c, flt, collect_row, x, &n), ERR_OK);
    assert_int_equal(n, x->n);
    return n;
}

static void test_list_filters(void **state)
{
    NEED_FIXTURE();
    fresh_chain(f, 12); /* odd seq: org unit, actor officer.b; even: other, officer.a */
    struct collect x;
    struct store_audit_filter flt = {.action = "member.reveal_id"};
    assert_int_equal(list(f, &flt, &x), 4); /* 3, 6, 9, 12 */
    assert_int_equal(x.seqs[0], 3);
    flt = (struct store_audit_filter){.actor_login = "officer.b", .newest_first = true,
                                      .limit = 2};
    assert_int_equal(list(f, &flt, &x), 2);
    assert_int_equal(x.seqs[0], 11);
    assert_int_equal(x.seqs[1], 9);
    /* next page, keyset */
    flt.before_seq = 9;
    assert_int_equal(list(f, &flt, &x), 2);
    assert_int_equal(x.seqs[0], 7);
    flt = (struct store_audit_filter){.object_type = "member", .object_id = "105"};
    assert_int_equal(list(f, &flt, &x), 1);
    assert_int_equal(x.seqs[0], 5);
    /* time range: [T0+4s, T0+6s) is seq 4 and 5 */
    char from[32], to[32];
    audit_format_time(T0_MS + 4000, from);
    audit_format_time(T0_MS + 6000, to);
    flt = (struct store_audit_filter){.at_from = from, .at_to = to};
    assert_int_equal(list(f, &flt, &x), 2);
    assert_int_equal(x.seqs[0], 4);
    /* subtree: the root's path covers the unit's events, not the other province's */
    char path[64];
    snprintf(path, sizeof(path), "/%lld/", (long long)f->root);
    flt = (struct store_audit_filter){.org_path = path};
    assert_int_equal(list(f, &flt, &x), 6);
    for (size_t i = 0; i < x.n; i++) {
        assert_int_equal(x.seqs[i] % 2, 1);
    }
    flt = (struct store_audit_filter){.after_seq = 10};
    assert_int_equal(list(f, &flt, &x), 2);
    flt = (struct store_audit_filter){.action = "no.such.action"};
    assert_int_equal(list(f, &flt, &x), 0);
}

/* --- personal data at rest ----------------------------------------------- */

static void *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    void *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void test_no_plaintext_in_file(void **state)
{
    NEED_FIXTURE();
    if (f->pg) {
        skip(); /* the file test is SQLite's; PostgreSQL stores the same sealed bytes */
    }
    const char *id = "330102199003074258", *bank = "6222021234567890123";
    char key[600];
    snprintf(key, sizeof(key), "%s/audit.key", sqlite_dir);
    assert_int_equal(fieldcrypt_keygen(key), ERR_OK);
    struct fieldcrypt *fc;
    assert_int_equal(fieldcrypt_open(key, &fc), ERR_OK);
    unsigned char id_enc[64], bank_enc[64], id_hash[FIELDCRYPT_HASH_BYTES];
    size_t id_len, bank_len;
    assert_int_equal(fieldcrypt_seal(fc, id, strlen(id), id_enc, sizeof(id_enc), &id_len), ERR_OK);
    assert_int_equal(fieldcrypt_seal(fc, bank, strlen(bank), bank_enc, sizeof(bank_enc), &bank_len),
                     ERR_OK);
    fieldcrypt_index(fc, id, strlen(id), id_hash);
    fieldcrypt_close(fc);
    struct store_member_new m = {.id_hash = id_hash, .id_enc = id_enc, .id_enc_len = id_len,
                                 .id_mask = "330102********4258", .name = "明文测试",
                                 .gender = "M", .birth_date = "1990-03-07",
                                 .employment = "courier", .org_id = f->unit,
                                 .bank_enc = bank_enc, .bank_enc_len = bank_len,
                                 .bank_mask = "6222 **** **** 0123"};
    int64_t mid;
    assert_int_equal(store_member_insert(f->c, &m, &mid), ERR_OK);
    assert_int_equal(db_exec(f->c->db, "PRAGMA wal_checkpoint(TRUNCATE)"), ERR_OK);
    size_t len;
    char *data = read_file(f->url, &len);
    /* the search works: the mask and the name are in the file in the clear */
    assert_non_null(memmem(data, len, "330102********4258", 18));
    assert_non_null(memmem(data, len, "明文测试", strlen("明文测试")));
    assert_null(memmem(data, len, id, strlen(id)));
    assert_null(memmem(data, len, bank, strlen(bank)));
    assert_null(memmem(data, len, "199003074258", 12)); /* not even the tail */
    free(data);
}

int main(void)
{
    if (mkdtemp(sqlite_dir) == NULL || sodium_init() < 0) {
        return 1;
    }
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_detail_canonical),
        cmocka_unit_test(test_row_hash_covers_every_field),
    };
    const struct CMUnitTest backend[] = {
        cmocka_unit_test(test_append_and_verify),
        cmocka_unit_test(test_append_refuses_bad_events),
        cmocka_unit_test(test_triggers_refuse_update_delete),
        cmocka_unit_test(test_tamper_altered),
        cmocka_unit_test(test_tamper_deleted),
        cmocka_unit_test(test_tamper_forged_insert),
        cmocka_unit_test(test_tamper_reordered),
        cmocka_unit_test(test_concurrent_appenders),
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_no_plaintext_in_file),
    };
    int fails = cmocka_run_group_tests_name("audit", plain, NULL, NULL);
    fails += cmocka_run_group_tests_name("audit/sqlite", backend, setup_sqlite, teardown);
    fails += cmocka_run_group_tests_name("audit/postgresql", backend, setup_pg, teardown);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sqlite_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", sqlite_dir);
    }
    return fails;
}
