/*
 * test_ledger: the fund ledger on SQLite and PostgreSQL (when
 * HUZHU_TEST_PG_URL is set; the test works in its own schema t_ledger so
 * other tests can share the database). Valid, invalid and boundary
 * postings, idempotency, fund-use rules, limits, maker-checker, reversals,
 * earning, periods, the database's own refusals, and a property test of
 * random valid and invalid entries checked against a model after each.
 * Every test ends with ledger_verify.
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

#include "core/limits.h"
#include "domain/ledger.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_ledger.h"

struct fixture {
    char url[1024];
    struct store *s;
    struct store_conn *c;
    bool pg;
};

static const struct audit_actor maker = {1, "maker", "finance", 0, ""};
static const struct audit_actor checker = {2, "checker", "finance", 0, ""};
static const struct audit_actor clerk = {3, "clerk", "unit_staff", 0, ""};
static const struct audit_actor cli = {0, "cli", "", 0, ""};

static char sqlite_path[] = "/tmp/huzhu-test-ledger-XXXXXX";

static int open_fixture(struct fixture *f)
{
    struct store_options opt = {.pool_size = 2, .create = true, .busy_timeout_ms = 5000};
    assert_int_equal(store_open(f->url, &opt, &f->s), ERR_OK);
    int v;
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    assert_int_equal(store_acquire(f->s, &f->c), ERR_OK);
    /* durability is not under test here, and thousands of fsyncs are slow */
    assert_int_equal(db_exec(f->c->db, db_backend(f->c->db) == STORE_PG
                                           ? "SET synchronous_commit = off"
                                           : "PRAGMA synchronous = OFF"),
                     ERR_OK);
    return 0;
}

static int setup_sqlite(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    int fd = mkstemp(sqlite_path);
    assert_true(fd >= 0);
    close(fd);
    unlink(sqlite_path);
    snprintf(f.url, sizeof(f.url), "%s", sqlite_path);
    *state = &f;
    return open_fixture(&f);
}

static int setup_pg(void **state)
{
    static struct fixture f;
    const char *url = getenv("HUZHU_TEST_PG_URL");
    *state = NULL;
    if (url == NULL || url[0] == '\0') {
        return 0;
    }
    memset(&f, 0, sizeof(f));
    f.pg = true;
    /* our own schema: the test command shares one database between tests */
    struct store *s;
    struct store_conn *c;
    struct store_options opt = {.pool_size = 1};
    assert_int_equal(store_open(url, &opt, &s), ERR_OK);
    assert_int_equal(store_acquire(s, &c), ERR_OK);
    assert_int_equal(db_exec(c->db, "DROP SCHEMA IF EXISTS t_ledger CASCADE;"
                                    "CREATE SCHEMA t_ledger;"
                                    /* migrate looks for schema_migrations by table name
                                       in any schema: make ours exist first */
                                    "CREATE TABLE t_ledger.schema_migrations ("
                                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                    " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"),
                     ERR_OK);
    store_release(c);
    store_close(s);
    snprintf(f.url, sizeof(f.url), "%s%soptions=-csearch_path%%3Dt_ledger", url,
             strchr(url, '?') ? "&" : "?");
    *state = &f;
    return open_fixture(&f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f != NULL) {
        store_release(f->c);
        store_close(f->s);
        if (!f->pg) {
            char wal[1100];
            unlink(f->url);
            snprintf(wal, sizeof(wal), "%s-wal", f->url);
            unlink(wal);
            snprintf(wal, sizeof(wal), "%s-shm", f->url);
            unlink(wal);
        }
    }
    return 0;
}

#define NEED_FIXTURE()                                                                           \
    struct fixture *f = *state;                                                                  \
    if (f == NULL) {                                                                             \
        skip();                                                                                  \
    }

static void verify_ok(struct fixture *f)
{
    struct ledger_verify_result v;
    assert_int_equal(ledger_verify(f->c, &v), ERR_OK);
    if (!v.ok) {
        fail_msg("ledger verify: %s", v.problem);
    }
}

/* A unique idempotency key per call. */
static const char *key(void)
{
    static char buf[64];
    static unsigned n;
    snprintf(buf, sizeof(buf), "k-%u-%u", (unsigned)getpid(), ++n);
    return buf;
}

struct bal_find {
    const char *fund, *code;
    int64_t v;
    bool found;
};

static enum err bal_cb(void *ctx, const struct ledger_balance *b)
{
    struct bal_find *q = ctx;
    if (strcmp(b->fund, q->fund) == 0 && strcmp(b->code, q->code) == 0) {
        q->v = b->balance_fen;
        q->found = true;
    }
    return ERR_OK;
}

static int64_t balance(struct fixture *f, const char *fund, const char *code, const char *as_of)
{
    struct bal_find q = {fund, code, 0, false};
    assert_int_equal(ledger_balances(f->c, as_of, bal_cb, &q), ERR_OK);
    assert_true(q.found);
    return q.v;
}

static int64_t count_sql(struct fixture *f, const char *sql)
{
    struct db_stmt *st;
    bool row;
    assert_int_equal(db_prepare(f->c->db, sql, &st), ERR_OK);
    assert_int_equal(db_step(st, &row), ERR_OK);
    assert_true(row);
    int64_t n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

static enum err post_kind(struct fixture *f, const struct audit_actor *a, enum ledger_kind kind,
                          const char *fund, const char *date, int64_t amount,
                          struct ledger_result *r)
{
    struct ledger_money_in m = {.fund = fund, .date = date, .amount_fen = amount,
                                .source_id = "t", .idem_key = key()};
    if (kind == LEDGER_KIND_CONTRIBUTION) {
        m.cover_start = "2024-01-01";
        m.cover_end = "2024-12-31";
    }
    return ledger_post_kind(f->c, a, kind, &m, r);
}

/* A fund of its own per test keeps tests independent on one database. */
static const char *new_fund(struct fixture *f, int64_t cap_bp, int64_t threshold)
{
    static char code[32];
    static unsigned n;
    int64_t id;
    snprintf(code, sizeof(code), "F%u", ++n);
    assert_int_equal(ledger_fund_create(f->c, &cli, code, "测试互助金", cap_bp, threshold, &id),
                     ERR_OK);
    return code;
}

/* --- pure functions ------------------------------------------------------- */

static void test_split_by_days(void **state)
{
    (void)state;
    int64_t p[LEDGER_LINES_MAX * 2];
    size_t n;
    /* a leap year by days: parts sum exactly, each within a fen of its share */
    assert_int_equal(ledger_split_by_days(1200, "2024-01-01", "2024-12-31", p, 121, &n), ERR_OK);
    assert_int_equal(n, 12);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += p[i];
        assert_true(p[i] >= 91 && p[i] <= 102);
    }
    assert_int_equal(sum, 1200);
    assert_int_equal(p[0], 101); /* floor(1200 * 31 / 366) */
    /* one fen over a year: nothing until the last month takes it */
    assert_int_equal(ledger_split_by_days(1, "2024-01-01", "2024-12-31", p, 121, &n), ERR_OK);
    for (size_t i = 0; i < 11; i++) {
        assert_int_equal(p[i], 0);
    }
    assert_int_equal(p[11], 1);
    /* mid-month start touches two months */
    assert_int_equal(ledger_split_by_days(3000, "2024-01-15", "2024-02-14", p, 121, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(p[0] + p[1], 3000);
    assert_int_equal(p[0], 3000 * 17 / 31);
    /* one day */
    assert_int_equal(ledger_split_by_days(7, "2024-03-03", "2024-03-03", p, 121, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 7);
    /* invalid and boundary */
    assert_int_equal(ledger_split_by_days(7, "2024-03-03", "2024-03-02", p, 121, &n), ERR_INVALID);
    assert_int_equal(ledger_split_by_days(7, "2024-02-30", "2024-03-02", p, 121, &n),
                     ERR_INVALID_DATE);
    assert_int_equal(ledger_split_by_days(0, "2024-01-01", "2024-01-02", p, 121, &n),
                     ERR_INVALID_MONEY);
    assert_int_equal(ledger_split_by_days(7, "2024-01-01", "2034-01-31", p, 121, &n), ERR_OK);
    assert_int_equal(n, 121);
    assert_int_equal(ledger_split_by_days(7, "2024-01-01", "2034-02-01", p, 121, &n),
                     ERR_TOO_LARGE);
    assert_int_equal(ledger_split_by_days(INT64_MAX / 2, "2024-01-01", "2024-12-31", p, 121, &n),
                     ERR_OVERFLOW);
}

static void test_digest_canonical(void **state)
{
    (void)state;
    const char *codes[] = {"1002", "2203"};
    const char sides[] = {'D', 'C'};
    int64_t amounts[] = {100, 100};
    unsigned char a[32], b[32];
    ledger_entry_digest("POOL", "2024-01-01", "receipt", "r1", "", 0, codes, sides, amounts, 2, a);
    ledger_entry_digest("POOL", "2024-01-01", "receipt", "r1", "", 0, codes, sides, amounts, 2, b);
    assert_memory_equal(a, b, 32);
    /* field boundaries are length-prefixed: moving a byte between fields changes it */
    ledger_entry_digest("POOL", "2024-01-01", "receipt", "r", "1", 0, codes, sides, amounts, 2, b);
    assert_memory_not_equal(a, b, 32);
    amounts[1] = 101;
    ledger_entry_digest("POOL", "2024-01-01", "receipt", "r1", "", 0, codes, sides, amounts, 2, b);
    assert_memory_not_equal(a, b, 32);
}

/* --- posting ---------------------------------------------------------------- */

static void test_chart_seeded(void **state)
{
    NEED_FIXTURE();
    static const char *codes[] = {"1002", "2203", "2241", "3101", "4101",
                                  "4201", "4301", "5101", "5201"};
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(balance(f, "POOL", codes[i], NULL), 0);
    }
    int64_t id;
    assert_int_equal(ledger_fund_create(f->c, &cli, "POOL", "dup", 1000, 0, &id), ERR_EXISTS);
    assert_int_equal(ledger_fund_create(f->c, &cli, "bad code", "x", 1000, 0, &id), ERR_INVALID);
    assert_int_equal(ledger_fund_create(f->c, &cli, "X1", "x", 10001, 0, &id), ERR_INVALID);
    verify_ok(f);
}

static void test_post_and_idempotency(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 1000000);
    struct ledger_line_in lines[2] = {{"1002", LEDGER_DEBIT, 120000},
                                      {"2203", LEDGER_CREDIT, 120000}};
    char k[64];
    snprintf(k, sizeof(k), "%s", key());
    struct ledger_entry_in in = {.fund = fund, .date = "2024-01-05", .source = LEDGER_SRC_RECEIPT,
                                 .source_id = "R-1", .memo = "会费", .idem_key = k,
                                 .lines = lines, .nlines = 2, .cover_start = "2024-01-01",
                                 .cover_end = "2024-12-31"};
    struct ledger_result r, r2;
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r), ERR_OK);
    assert_int_equal(r.outcome, LEDGER_POSTED);
    assert_false(r.replayed);
    assert_true(r.entry_id > 0);
    assert_true(r.schedule_id > 0);
    assert_int_equal(balance(f, fund, "1002", NULL), 120000);
    assert_int_equal(balance(f, fund, "2203", NULL), 120000);
    /* same key, same content: the same entry, nothing new */
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_OK);
    assert_true(r2.replayed);
    assert_int_equal(r2.entry_id, r.entry_id);
    assert_int_equal(balance(f, fund, "1002", NULL), 120000);
    /* same key, other content */
    lines[0].amount_fen = lines[1].amount_fen = 120001;
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_IDEMPOTENCY_MISMATCH);
    assert_string_equal(r2.field, "idem_key");
    lines[0].amount_fen = lines[1].amount_fen = 120000;
    in.memo = "other memo";
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_IDEMPOTENCY_MISMATCH);
    verify_ok(f);
}

static void test_invalid_entries(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 1000000);
    struct ledger_line_in lines[3] = {{"1002", LEDGER_DEBIT, 100},
                                      {"4201", LEDGER_CREDIT, 100},
                                      {"4201", LEDGER_CREDIT, 1}};
    struct ledger_entry_in in = {.fund = fund, .date = "2024-01-05", .source = LEDGER_SRC_RECEIPT,
                                 .source_id = "", .idem_key = key(), .lines = lines, .nlines = 2};
    struct ledger_result r;
    struct ledger_entry_in bad;
#define EXPECT(mut, code, fld)                                                                   \
    do {                                                                                         \
        bad = in;                                                                                \
        mut;                                                                                     \
        assert_int_equal(ledger_post(f->c, &clerk, &bad, &r), code);                             \
        assert_string_equal(r.field, fld);                                                       \
    } while (0)
    EXPECT(bad.nlines = 3, ERR_UNBALANCED, "lines");
    EXPECT(bad.nlines = 1, ERR_INVALID, "lines");
    EXPECT(bad.nlines = LEDGER_LINES_MAX + 1, ERR_TOO_LARGE, "lines");
    EXPECT(bad.fund = "NOPE", ERR_NOT_FOUND, "fund");
    EXPECT(bad.fund = NULL, ERR_MISSING_FIELD, "fund");
    EXPECT(bad.date = "2024-02-30", ERR_INVALID_DATE, "date");
    EXPECT(bad.date = "2024-1-05", ERR_INVALID_DATE, "date");
    EXPECT(bad.idem_key = "", ERR_INVALID, "idem_key");
    EXPECT(bad.idem_key = "has space", ERR_INVALID, "idem_key");
    EXPECT(bad.idem_key = NULL, ERR_MISSING_FIELD, "idem_key");
    EXPECT(bad.memo = "bad\ncontrol", ERR_INVALID, "memo");
    EXPECT(bad.memo = "\xff\xfe", ERR_INVALID, "memo");
    EXPECT(bad.source = LEDGER_SRC_REVERSAL, ERR_INVALID, "source");
    EXPECT(bad.cover_start = "2024-01-01", ERR_INVALID, "cover_start");
    char longid[LEDGER_SOURCE_ID_MAX + 2];
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    EXPECT(bad.source_id = longid, ERR_INVALID, "source_id");
    longid[LEDGER_SOURCE_ID_MAX] = '\0'; /* exactly the limit is fine */
    bad = in;
    bad.source_id = longid;
    bad.idem_key = key();
    assert_int_equal(ledger_post(f->c, &clerk, &bad, &r), ERR_OK);
    lines[1].account = "9999";
    EXPECT((void)0, ERR_NOT_FOUND, "lines[1].account");
    lines[1].account = "4201";
    lines[1].amount_fen = 0;
    EXPECT((void)0, ERR_INVALID_MONEY, "lines[1].amount_fen");
    lines[1].amount_fen = -100;
    EXPECT((void)0, ERR_INVALID_MONEY, "lines[1].amount_fen");
    lines[1].amount_fen = 100;
    lines[1].side = (enum ledger_side)7;
    EXPECT((void)0, ERR_INVALID, "lines[1].side");
    lines[1].side = LEDGER_CREDIT;
    /* sums that overflow int64 */
    lines[0].amount_fen = INT64_MAX;
    lines[1].amount_fen = INT64_MAX;
    lines[2] = (struct ledger_line_in){"1002", LEDGER_DEBIT, 1};
    EXPECT(bad.nlines = 3, ERR_OVERFLOW, "lines[2].amount_fen");
    lines[0].amount_fen = lines[1].amount_fen = 100;
    /* contributions need their cover term */
    struct ledger_line_in cl[2] = {{"1002", LEDGER_DEBIT, 100}, {"2203", LEDGER_CREDIT, 100}};
    EXPECT((bad.lines = cl, bad.nlines = 2), ERR_MISSING_FIELD, "cover_start");
    EXPECT((bad.lines = cl, bad.cover_start = "2024-01-01", bad.cover_end = "2023-12-31"),
           ERR_INVALID, "cover_end");
#undef EXPECT
    /* nothing of the refused entries was written */
    assert_int_equal(balance(f, fund, "1002", NULL), 100);
    verify_ok(f);
}

static void test_fund_use_rules(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r;
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-01-02", 500000, &r),
                     ERR_OK);
    struct {
        const char *debit, *credit;
        enum ledger_source src;
    } refused[] = {
        {"5101", "1002", LEDGER_SRC_MANUAL},       /* benefits straight out of the bank */
        {"2241", "1002", LEDGER_SRC_CLAIM},        /* a payment dressed as a claim */
        {"5201", "2203", LEDGER_SRC_MANUAL},       /* management paid from contributions */
        {"5201", "1002", LEDGER_SRC_PAYOUT_BATCH}, /* management in a benefit payout */
        {"3101", "1002", LEDGER_SRC_MANUAL},       /* taking the fund balance out */
        {"1002", "1002", LEDGER_SRC_MANUAL},       /* one account on both sides */
        {"2203", "4101", LEDGER_SRC_MANUAL},       /* earning by hand */
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct ledger_line_in l[2] = {{refused[i].debit, LEDGER_DEBIT, 100},
                                      {refused[i].credit, LEDGER_CREDIT, 100}};
        struct ledger_entry_in in = {.fund = fund, .date = "2024-01-03", .source = refused[i].src,
                                     .idem_key = key(), .lines = l, .nlines = 2};
        assert_int_equal(ledger_post(f->c, &clerk, &in, &r), ERR_FUND_USE_REFUSED);
    }
    /* the allowed path for a benefit: payable, then paid */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_CLAIM_PAYABLE, fund, "2024-01-03", 300, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-01-04", 300, &r), ERR_OK);
    assert_int_equal(balance(f, fund, "1002", NULL), 499700);
    assert_int_equal(balance(f, fund, "5101", NULL), 300);
    verify_ok(f);
}

static void test_limits(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r;
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-03-10", 1000, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_CLAIM_PAYABLE, fund, "2024-03-01", 5000, &r),
                     ERR_OK);
    /* more than the bank holds */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-03-11", 1001, &r),
                     ERR_LIMIT_EXCEEDED);
    /* exactly what it holds */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-03-11", 600, &r), ERR_OK);
    /* back-dated before the money arrived: the end of 03-05 would be negative */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-03-05", 100, &r),
                     ERR_LIMIT_EXCEEDED);
    /* after the money, within what is left at every later day-end */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-03-10", 400, &r), ERR_OK);
    assert_int_equal(balance(f, fund, "1002", NULL), 0);
    assert_int_equal(balance(f, fund, "1002", "2024-03-10"), 600);
    /* payable cannot be paid beyond what is owed */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-03-12", 100000, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_PAYOUT, fund, "2024-03-12", 4001, &r),
                     ERR_LIMIT_EXCEEDED);
    /* a batch sees its own earlier entries */
    struct ledger_line_in l1[2], l2[2];
    struct ledger_entry_in in[2];
    struct ledger_money_in m = {.fund = fund, .date = "2024-03-13", .amount_fen = 3000,
                                .idem_key = "batch-a"};
    ledger_entry_of_kind(LEDGER_KIND_PAYOUT, &m, l1, &in[0]);
    m.idem_key = "batch-b";
    ledger_entry_of_kind(LEDGER_KIND_PAYOUT, &m, l2, &in[1]);
    struct ledger_result out[2];
    assert_int_equal(ledger_post_batch(f->c, &clerk, in, 2, out), ERR_OK);
    assert_int_equal(out[0].err, ERR_OK);
    assert_int_equal(out[1].err, ERR_LIMIT_EXCEEDED); /* 4000 owed, 3000 already paid */
    assert_int_equal(balance(f, fund, "2241", NULL), 1000);
    verify_ok(f);
}

static void test_mgmt_cap(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000); /* 10 % */
    struct ledger_result r;
    struct ledger_money_in m = {.fund = fund, .date = "2024-01-01", .amount_fen = 366000,
                                .idem_key = key(), .cover_start = "2024-01-01",
                                .cover_end = "2024-12-31"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    /* nothing earned yet: no management expense at all */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_EXPENSE, fund, "2024-01-20", 1, &r),
                     ERR_LIMIT_EXCEEDED);
    struct ledger_earn_result er;
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-01", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 31000); /* 366000 * 31 / 366 */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_EXPENSE, fund, "2024-01-31", 3100, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_EXPENSE, fund, "2024-01-31", 1, &r),
                     ERR_LIMIT_EXCEEDED);
    /* another year has its own cap (and no income) */
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_EXPENSE, fund, "2025-01-02", 1, &r),
                     ERR_LIMIT_EXCEEDED);
    verify_ok(f);
}

static int64_t audits(struct fixture *f, const char *action)
{
    static const char q_approve[] =
        "SELECT COUNT(*) FROM audit_event WHERE action = 'ledger.payment_approve'";
    static const char q_refuse[] =
        "SELECT COUNT(*) FROM audit_event WHERE action = 'ledger.payment_refuse'";
    static const char q_submit[] =
        "SELECT COUNT(*) FROM audit_event WHERE action = 'ledger.payment_submit'";
    return count_sql(f, strcmp(action, "approve") == 0  ? q_approve
                        : strcmp(action, "refuse") == 0 ? q_refuse
                                                        : q_submit);
}

static void test_maker_checker(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 10000); /* payments above 100 yuan need a checker */
    struct ledger_result r, r2;
    int64_t approvals = audits(f, "approve"), refusals = audits(f, "refuse");
    assert_int_equal(post_kind(f, &maker, LEDGER_KIND_SUBSIDY, fund, "2024-02-01", 100000, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &maker, LEDGER_KIND_CLAIM_PAYABLE, fund, "2024-02-01", 50000, &r),
                     ERR_OK);
    /* at the threshold: posted at once */
    assert_int_equal(post_kind(f, &maker, LEDGER_KIND_PAYOUT, fund, "2024-02-02", 10000, &r),
                     ERR_OK);
    assert_int_equal(r.outcome, LEDGER_POSTED);
    /* above: pending, nothing posted */
    struct ledger_money_in m = {.fund = fund, .date = "2024-02-02", .amount_fen = 10001,
                                .idem_key = "mc-1", .source_id = "B-7"};
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r), ERR_OK);
    assert_int_equal(r.outcome, LEDGER_PENDING);
    assert_true(r.pending_id > 0);
    assert_int_equal(r.entry_id, 0);
    assert_int_equal(balance(f, fund, "1002", NULL), 90000);
    /* replay: the same pending payment */
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r2), ERR_OK);
    assert_true(r2.replayed);
    assert_int_equal(r2.pending_id, r.pending_id);
    m.amount_fen = 10002;
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r2),
                     ERR_IDEMPOTENCY_MISMATCH);
    /* the maker cannot approve; nor can a non-finance user or the command line */
    assert_int_equal(ledger_approve(f->c, &maker, r.pending_id, &r2), ERR_SAME_USER);
    assert_int_equal(ledger_approve(f->c, &clerk, r.pending_id, &r2), ERR_FORBIDDEN);
    assert_int_equal(ledger_approve(f->c, &cli, r.pending_id, &r2), ERR_FORBIDDEN);
    assert_int_equal(ledger_approve(f->c, &checker, 999999, &r2), ERR_NOT_FOUND);
    assert_int_equal(audits(f, "approve"), approvals);
    /* a second finance user posts it */
    assert_int_equal(ledger_approve(f->c, &checker, r.pending_id, &r2), ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_POSTED);
    assert_true(r2.entry_id > 0);
    assert_int_equal(balance(f, fund, "1002", NULL), 79999);
    assert_int_equal(audits(f, "approve"), approvals + 1);
    int64_t approved_entry = r2.entry_id;
    assert_int_equal(ledger_approve(f->c, &checker, r.pending_id, &r2), ERR_CONFLICT);
    /* replaying the original request now answers the posted entry */
    m.amount_fen = 10001;
    struct ledger_result r3;
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r3), ERR_OK);
    assert_int_equal(r3.outcome, LEDGER_POSTED);
    assert_int_equal(r3.entry_id, approved_entry);
    /* management expense above the threshold, refused with a reason */
    assert_int_equal(post_kind(f, &maker, LEDGER_KIND_EXPENSE, fund, "2024-02-03", 20000, &r),
                     ERR_OK);
    assert_int_equal(r.outcome, LEDGER_PENDING);
    assert_int_equal(ledger_refuse(f->c, &checker, r.pending_id, ""), ERR_INVALID);
    assert_int_equal(ledger_refuse(f->c, &maker, r.pending_id, "no"), ERR_SAME_USER);
    assert_int_equal(ledger_refuse(f->c, &checker, r.pending_id, "没有预算"), ERR_OK);
    assert_int_equal(audits(f, "refuse"), refusals + 1);
    assert_int_equal(ledger_refuse(f->c, &checker, r.pending_id, "again"), ERR_CONFLICT);
    assert_int_equal(ledger_approve(f->c, &checker, r.pending_id, &r2), ERR_CONFLICT);
    assert_int_equal(balance(f, fund, "5201", NULL), 0);
    /* approval re-checks limits: a payment beyond what is payable stays pending */
    m = (struct ledger_money_in){.fund = fund, .date = "2024-02-04", .amount_fen = 30000,
                                 .idem_key = "mc-2"};
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r), ERR_OK);
    assert_int_equal(r.outcome, LEDGER_PENDING);
    m.amount_fen = 29999;
    m.idem_key = "mc-3";
    assert_int_equal(ledger_post_kind(f->c, &maker, LEDGER_KIND_PAYOUT, &m, &r2), ERR_OK);
    assert_int_equal(ledger_approve(f->c, &checker, r2.pending_id, &r3), ERR_OK);
    assert_int_equal(ledger_approve(f->c, &checker, r.pending_id, &r3), ERR_LIMIT_EXCEEDED);
    assert_int_equal(balance(f, fund, "2241", NULL), 0);
    verify_ok(f);
}

struct entry_seen {
    struct ledger_entry_view last;
    char first_account[8];
    char first_side;
};

static enum err entry_cb(void *ctx, const struct ledger_entry_view *e)
{
    struct entry_seen *s = ctx;
    s->last = *e;
    snprintf(s->first_account, sizeof(s->first_account), "%s", e->lines[0].account);
    s->first_side = e->lines[0].side;
    return ERR_OK;
}

static void test_reversal(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r, rv, r2;
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-04-01", 9000, &r),
                     ERR_OK);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_CLAIM_PAYABLE, fund, "2024-04-02", 700, &r),
                     ERR_OK);
    assert_int_equal(ledger_reverse(f->c, &clerk, r.entry_id, "2024-04-03", NULL, "rev-1", &rv),
                     ERR_OK);
    assert_int_equal(rv.outcome, LEDGER_POSTED);
    assert_int_equal(balance(f, fund, "2241", NULL), 0);
    assert_int_equal(balance(f, fund, "5101", NULL), 0);
    /* replay; another key; a reversal of the reversal; unknown entry */
    assert_int_equal(ledger_reverse(f->c, &clerk, r.entry_id, "2024-04-03", NULL, "rev-1", &r2),
                     ERR_OK);
    assert_true(r2.replayed);
    assert_int_equal(r2.entry_id, rv.entry_id);
    assert_int_equal(ledger_reverse(f->c, &clerk, r.entry_id, "2024-04-03", NULL, "rev-2", &r2),
                     ERR_CONFLICT);
    assert_int_equal(ledger_reverse(f->c, &clerk, rv.entry_id, "2024-04-03", NULL, "rev-3", &r2),
                     ERR_CONFLICT);
    assert_int_equal(ledger_reverse(f->c, &clerk, 99999999, "2024-04-03", NULL, "rev-4", &r2),
                     ERR_NOT_FOUND);
    /* reads: the reversal names its original and mirrors its lines */
    struct entry_seen seen = {0};
    struct ledger_entry_filter lf = {.fund = fund, .source = "reversal"};
    size_t n;
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(seen.last.reversal_of, r.entry_id);
    assert_string_equal(seen.first_account, "5101"); /* line 1 of the claim, other side */
    assert_int_equal(seen.first_side, 'C');
    lf.source = "bogus";
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_INVALID);
    lf.source = NULL;
    lf.fund = "NOPE";
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_NOT_FOUND);
    lf = (struct ledger_entry_filter){.fund = fund, .limit = LIMIT_PAGE_MAX + 1};
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_TOO_LARGE);
    lf.limit = 2;
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_OK);
    assert_int_equal(n, 2);
    lf.after_id = seen.last.id;
    assert_int_equal(ledger_entries(f->c, &lf, entry_cb, &seen, &n), ERR_OK);
    assert_int_equal(n, 1); /* three entries in this fund */
    /* a receipt with nothing earned can be reversed, and its schedule stops */
    struct ledger_money_in m = {.fund = fund, .date = "2024-04-01", .amount_fen = 1200,
                                .idem_key = key(), .cover_start = "2024-04-01",
                                .cover_end = "2025-03-31"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    assert_int_equal(ledger_reverse(f->c, &clerk, r.entry_id, "2024-04-05", "wrong payer", key(),
                                    &r2),
                     ERR_OK);
    struct ledger_earn_result er;
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-06", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 0);
    assert_int_equal(balance(f, fund, "2203", NULL), 0);
    verify_ok(f);
}

static void test_earning_refund_and_periods(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r, r2;
    struct ledger_money_in m = {.fund = fund, .date = "2024-01-10", .amount_fen = 1200,
                                .idem_key = key(), .cover_start = "2024-01-01",
                                .cover_end = "2024-12-31"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    int64_t sched = r.schedule_id;
    struct ledger_earn_result er;
    /* March catches up January to March: floor(1200 * 91 / 366) */
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-03", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 298);
    assert_int_equal(er.entries, 1);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-03", &er), ERR_OK); /* idempotent */
    assert_int_equal(er.amount_fen, 0);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-02", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 0);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-13", &er), ERR_INVALID_DATE);
    assert_int_equal(balance(f, fund, "4101", NULL), 298);
    /* a reversal of a partly earned receipt is refused: refund instead */
    assert_int_equal(ledger_reverse(f->c, &clerk, r.entry_id, "2024-04-01", NULL, key(), &r2),
                     ERR_CONFLICT);
    /* close March: earning entries are dated the period's end */
    assert_int_equal(ledger_close(f->c, &cli, fund, "2024-03"), ERR_OK);
    assert_int_equal(ledger_close(f->c, &cli, fund, "2024-03"), ERR_PERIOD_CLOSED);
    assert_int_equal(ledger_close(f->c, &cli, fund, "2024-02"), ERR_PERIOD_CLOSED);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-03-31", 5, &r2),
                     ERR_PERIOD_CLOSED);
    assert_string_equal(r2.field, "date");
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-01-01", 5, &r2),
                     ERR_PERIOD_CLOSED);
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-04-01", 5, &r2), ERR_OK);
    /* the stored report is the report, byte for byte, and still computes the same */
    bool found;
    char *stored = NULL, *live = NULL;
    assert_int_equal(ledger_report_stored(f->c, fund, "2024-03", &found, &stored), ERR_OK);
    assert_true(found);
    struct ledger_report rep;
    assert_int_equal(ledger_report(f->c, fund, "2024-03", &rep), ERR_OK);
    assert_true(rep.closed);
    assert_int_equal(ledger_report_json(&rep, &live), ERR_OK);
    assert_string_equal(stored, live);
    free(stored);
    free(live);
    assert_int_equal(rep.contributions_earned_fen, 298); /* the catch-up is posted in March */
    assert_int_equal(rep.trial_debit_fen, rep.trial_credit_fen);
    assert_int_equal(rep.bank_fen, 1200);
    assert_int_equal(rep.unearned_fen, 1200 - 298);
    assert_int_equal(rep.assets_fen, rep.liabilities_fen + rep.net_assets_fen);
    assert_int_equal(rep.reserve_ratio_bp, -1); /* no benefits yet */
    assert_int_equal(rep.mgmt_ratio_bp, 0);
    assert_int_equal(ledger_report_stored(f->c, fund, "2024-04", &found, &stored), ERR_OK);
    assert_false(found);
    /* refund what is unearned; the schedule then earns nothing more */
    assert_int_equal(ledger_refund_schedule(f->c, &clerk, sched, "2024-04-02", "rf-1", &r2),
                     ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_POSTED);
    assert_int_equal(balance(f, fund, "2203", NULL), 0);
    assert_int_equal(ledger_refund_schedule(f->c, &clerk, sched, "2024-04-02", "rf-1", &r2),
                     ERR_OK);
    assert_true(r2.replayed);
    assert_int_equal(ledger_refund_schedule(f->c, &clerk, sched, "2024-04-02", "rf-2", &r2),
                     ERR_CONFLICT);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-12", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 0);
    /* a refund made by hand must match the schedule */
    struct ledger_line_in l[2] = {{"2203", LEDGER_DEBIT, 5}, {"1002", LEDGER_CREDIT, 5}};
    struct ledger_entry_in in = {.fund = fund, .date = "2024-04-03", .source = LEDGER_SRC_REFUND,
                                 .source_id = "nonsense", .idem_key = key(), .lines = l,
                                 .nlines = 2};
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_CONFLICT);
    verify_ok(f);
}

/* Partial refunds: part of a schedule's unearned remainder goes back to the
 * bank, and the schedule earns that much less, never a negative month. */
static void test_partial_refund(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r, r2;
    struct ledger_money_in m = {.fund = fund, .date = "2024-01-10", .amount_fen = 1200,
                                .idem_key = key(), .cover_start = "2024-01-01",
                                .cover_end = "2024-12-31"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    int64_t sched = r.schedule_id, receipt = r.entry_id;
    struct ledger_earn_result er;
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-03", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 298); /* 902 unearned */
    /* invalid and boundary: nothing, an unknown schedule, one fen too many */
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 0, "2024-04-02", key(), &r2),
                     ERR_INVALID_MONEY);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, 999999, 5, "2024-04-02", key(), &r2),
                     ERR_NOT_FOUND);
    assert_string_equal(r2.field, "schedule_id");
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 903, "2024-04-02", key(), &r2),
                     ERR_LIMIT_EXCEEDED);
    assert_string_equal(r2.field, "amount_fen");
    assert_int_equal(balance(f, fund, "2203", NULL), 902); /* refused: nothing written */
    /* valid: 300 back to the bank */
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 300, "2024-04-02", "pr-1", &r2),
                     ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_POSTED);
    assert_true(r2.entry_id > 0);
    assert_int_equal(balance(f, fund, "2203", NULL), 602);
    assert_int_equal(balance(f, fund, "1002", NULL), 900);
    /* replay answers the entry; the key with another amount is a mismatch */
    int64_t first = r2.entry_id;
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 300, "2024-04-02", "pr-1", &r2),
                     ERR_OK);
    assert_true(r2.replayed);
    assert_int_equal(r2.entry_id, first);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 301, "2024-04-02", "pr-1", &r2),
                     ERR_IDEMPOTENCY_MISMATCH);
    assert_int_equal(balance(f, fund, "2203", NULL), 602);
    /* a refunded receipt cannot be reversed; the remainder is 602 now */
    assert_int_equal(ledger_reverse(f->c, &clerk, receipt, "2024-04-03", NULL, key(), &r2),
                     ERR_CONFLICT);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 603, "2024-04-03", key(), &r2),
                     ERR_LIMIT_EXCEEDED);
    /* the whole-schedule refund must match the new remainder */
    struct ledger_line_in l[2] = {{"2203", LEDGER_DEBIT, 902}, {"1002", LEDGER_CREDIT, 902}};
    char sid[32];
    snprintf(sid, sizeof(sid), "%lld", (long long)sched);
    struct ledger_entry_in in = {.fund = fund, .date = "2024-04-03", .source = LEDGER_SRC_REFUND,
                                 .source_id = sid, .idem_key = key(), .lines = l, .nlines = 2};
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_CONFLICT);
    /* a partial refund by hand names "<id>/part"; another suffix is refused */
    l[0].amount_fen = l[1].amount_fen = 2;
    snprintf(sid, sizeof(sid), "%lld/part", (long long)sched);
    in.idem_key = key();
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_OK);
    snprintf(sid, sizeof(sid), "%lld/half", (long long)sched);
    in.idem_key = key();
    assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_CONFLICT);
    /* earning: April's cumulative share of 898 (floor(898*121/366) = 296) is below
     * the 298 earned: 0, never negative; the year ends at exactly 1200 - 302 */
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-04", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 0);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-05", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 898 * 152 / 366 - 298);
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-12", &er), ERR_OK);
    assert_int_equal(balance(f, fund, "4101", NULL), 898);
    assert_int_equal(balance(f, fund, "2203", NULL), 0);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM ledger_earning WHERE amount_fen < 0"), 0);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, sched, 1, "2025-01-02", key(), &r2),
                     ERR_LIMIT_EXCEEDED); /* all earned or refunded */
    /* refunding the whole remainder cancels the schedule */
    m.idem_key = key();
    m.amount_fen = 500;
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, r.schedule_id, 500, "2024-02-01", key(),
                                           &r2),
                     ERR_OK);
    assert_int_equal(ledger_refund_schedule(f->c, &clerk, r.schedule_id, "2024-02-02", key(), &r2),
                     ERR_CONFLICT);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, r.schedule_id, 1, "2024-02-02", key(),
                                           &r2),
                     ERR_CONFLICT);
    verify_ok(f);
}

/* A partial refund above the fund's threshold waits for a second finance
 * user; the schedule earns less only once it is posted. */
static void test_partial_refund_maker_checker(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100);
    struct ledger_result r, r2;
    struct ledger_money_in m = {.fund = fund, .date = "2024-01-10", .amount_fen = 1000,
                                .idem_key = key(), .cover_start = "2024-01-01",
                                .cover_end = "2024-12-31"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    assert_int_equal(ledger_refund_partial(f->c, &clerk, r.schedule_id, 100, "2024-03-01", key(),
                                           &r2),
                     ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_POSTED); /* at the threshold: no approval */
    assert_int_equal(ledger_refund_partial(f->c, &clerk, r.schedule_id, 400, "2024-03-01", key(),
                                           &r2),
                     ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_PENDING);
    assert_int_equal(balance(f, fund, "2203", NULL), 900);
    assert_int_equal(ledger_approve(f->c, &checker, r2.pending_id, &r2), ERR_OK);
    assert_int_equal(r2.outcome, LEDGER_POSTED);
    assert_int_equal(balance(f, fund, "2203", NULL), 500);
    struct ledger_earn_result er;
    assert_int_equal(ledger_earn(f->c, &cli, fund, "2024-12", &er), ERR_OK);
    assert_int_equal(er.amount_fen, 500);
    assert_int_equal(balance(f, fund, "2203", NULL), 0);
    verify_ok(f);
}

static void test_full_year_earning(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r;
    struct ledger_money_in m = {.fund = fund, .date = "2024-02-10", .amount_fen = 99999,
                                .idem_key = key(), .cover_start = "2024-02-15",
                                .cover_end = "2025-02-14"};
    assert_int_equal(ledger_post_kind(f->c, &clerk, LEDGER_KIND_CONTRIBUTION, &m, &r), ERR_OK);
    struct ledger_earn_result er;
    int64_t total = 0;
    const char *months[] = {"2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
                            "2024-07", "2024-08", "2024-09", "2024-10", "2024-11",
                            "2024-12", "2025-01", "2025-02", "2025-03"};
    for (size_t i = 0; i < 14; i++) {
        assert_int_equal(ledger_earn(f->c, &cli, i % 2 ? NULL : fund, months[i], &er), ERR_OK);
        assert_int_equal(ledger_earn(f->c, &cli, fund, months[i], &er), ERR_OK);
        total += er.amount_fen;
    }
    assert_int_equal(total, 0); /* all earned already by the first call of each month */
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM ledger_earning WHERE schedule_id ="
                                  " (SELECT MAX(id) FROM contribution_schedule)"),
                     13);
    assert_int_equal(balance(f, fund, "2203", NULL), 0);
    assert_int_equal(balance(f, fund, "4101", NULL), 99999);
    verify_ok(f);
}

/* The database refuses what the domain would never write. */
static void test_database_enforces(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 1000, 100000000);
    struct ledger_result r;
    assert_int_equal(post_kind(f, &clerk, LEDGER_KIND_SUBSIDY, fund, "2024-05-01", 100, &r),
                     ERR_OK);
    assert_int_equal(db_exec(f->c->db, "UPDATE ledger_entry SET memo = 'x'"), ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "DELETE FROM ledger_entry"), ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "UPDATE ledger_line SET amount_fen = amount_fen + 1"),
                     ERR_CONFLICT);
    assert_int_equal(db_exec(f->c->db, "DELETE FROM ledger_line"), ERR_CONFLICT);
    /* an unbalanced entry written straight through the store */
    int64_t bank = 0, sub = 0;
    struct store_ledger_account accts[LEDGER_FUNDS_MAX];
    size_t n;
    assert_int_equal(store_ledger_accounts(f->c, accts, LEDGER_FUNDS_MAX, &n), ERR_OK);
    for (size_t i = 0; i < n; i++) {
        if (accts[i].fund_id == 1 && strcmp(accts[i].code, "1002") == 0) {
            bank = accts[i].id;
        }
        if (accts[i].fund_id == 1 && strcmp(accts[i].code, "4201") == 0) {
            sub = accts[i].id;
        }
    }
    unsigned char digest[32] = {0};
    for (int attempt = 0; attempt < 5; attempt++) {
        int64_t id;
        assert_int_equal(db_begin(f->c->db), ERR_OK);
        assert_int_equal(store_ledger_reserve_ids(f->c, 1, &id), ERR_OK);
        struct store_ledger_line d = {bank, 'D', 100}, c = {sub, 'C', attempt == 0 ? 99 : 100};
        assert_int_equal(store_ledger_line_insert(f->c, id, 2, 1, &d, 0, 0), ERR_OK);
        if (attempt != 1) {
            assert_int_equal(store_ledger_line_insert(f->c, id, 2, 2, &c, 100, 0), ERR_OK);
        }
        struct store_ledger_entry_row row = {
            .id = id, .fund_id = 1, .entry_date = "2024-05-01", .period = "2024-05",
            .source_type = "receipt", .source_id = "", .memo = "", .idem_key = key(),
            .digest = digest, .line_count = 2, .total_fen = 100};
        if (attempt == 2) {
            row.period = "2024-06"; /* period not the date's */
        }
        if (attempt == 4) {
            row.source_type = "bogus"; /* balanced, but no such source */
        }
        if (attempt == 3) {
            /* a line of an entry that is never sealed: refused at commit */
            assert_int_equal(db_commit(f->c->db), ERR_CONFLICT);
            continue;
        }
        assert_int_equal(store_ledger_entry_insert(f->c, &row), ERR_CONFLICT);
        db_rollback(f->c->db);
    }
    /* a line whose running totals do not follow its predecessor's */
    assert_int_equal(db_begin(f->c->db), ERR_OK);
    int64_t id2;
    assert_int_equal(store_ledger_reserve_ids(f->c, 1, &id2), ERR_OK);
    struct store_ledger_line d1 = {bank, 'D', 100}, c1 = {sub, 'C', 100};
    assert_int_equal(store_ledger_line_insert(f->c, id2, 2, 1, &d1, 0, 0), ERR_OK);
    assert_int_equal(store_ledger_line_insert(f->c, id2, 2, 2, &c1, 50, 0), ERR_CONFLICT);
    db_rollback(f->c->db);
    /* a line added to a posted entry: its slots are taken, and another line
     * count does not match the header (refused at once or at commit) */
    struct store_ledger_line extra = {bank, 'D', 1};
    assert_int_equal(db_begin(f->c->db), ERR_OK);
    enum err e = store_ledger_line_insert(f->c, r.entry_id, 2, 2, &extra, 0, 0);
    assert_true(e == ERR_EXISTS || e == ERR_CONFLICT);
    db_rollback(f->c->db);
    assert_int_equal(db_begin(f->c->db), ERR_OK);
    e = store_ledger_line_insert(f->c, r.entry_id, 3, 1, &extra, 0, 0);
    if (e == ERR_OK) {
        e = db_commit(f->c->db);
    }
    assert_int_equal(e, ERR_CONFLICT);
    db_rollback(f->c->db);
    assert_int_equal(db_begin(f->c->db), ERR_OK);
    assert_int_equal(store_ledger_line_insert(f->c, r.entry_id, 2, 3, &extra, 100, 100),
                     ERR_CONFLICT);
    db_rollback(f->c->db);
    verify_ok(f);
}

/* --- property test ------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t rnd_in(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

#define CODES 9
static const char *const chart[CODES] = {"1002", "2203", "2241", "3101", "4101",
                                         "4201", "4301", "5101", "5201"};
static const char normal_side[CODES] = {'D', 'C', 'C', 'C', 'C', 'C', 'C', 'D', 'D'};

static int code_index(const char *code)
{
    for (int i = 0; i < CODES; i++) {
        if (strcmp(chart[i], code) == 0) {
            return i;
        }
    }
    return -1;
}

static void model_apply(int64_t model[CODES], const struct ledger_entry_in *in)
{
    for (size_t i = 0; i < in->nlines; i++) {
        int k = code_index(in->lines[i].account);
        bool normal = (in->lines[i].side == LEDGER_DEBIT) == (normal_side[k] == 'D');
        model[k] += normal ? in->lines[i].amount_fen : -in->lines[i].amount_fen;
    }
}

struct model_check {
    const char *fund;
    const int64_t *model;
    int64_t sum_signed;
    int mismatches;
};

static enum err model_cb(void *ctx, const struct ledger_balance *b)
{
    struct model_check *q = ctx;
    if (strcmp(b->fund, q->fund) != 0) {
        return ERR_OK;
    }
    int k = code_index(b->code);
    if (b->balance_fen != q->model[k]) {
        q->mismatches++;
    }
    q->sum_signed += normal_side[k] == 'D' ? b->balance_fen : -b->balance_fen;
    /* never-negative accounts */
    if ((k == 0 || k == 1 || k == 2) && b->balance_fen < 0) {
        q->mismatches++;
    }
    return ERR_OK;
}

static void check_model(struct fixture *f, const char *fund, const int64_t model[CODES])
{
    struct model_check q = {fund, model, 0, 0};
    assert_int_equal(ledger_balances(f->c, NULL, model_cb, &q), ERR_OK);
    assert_int_equal(q.mismatches, 0);
    assert_int_equal(q.sum_signed, 0); /* trial balance */
}

/* One random entry, valid or not; stores (lines, key) in the caller's buffers. */
static void random_entry(const char *fund, int i, struct ledger_line_in lines[4], char *keybuf,
                         char *cover_s, char *cover_e, struct ledger_entry_in *in)
{
    static const enum ledger_kind kinds[] = {
        LEDGER_KIND_CONTRIBUTION, LEDGER_KIND_SUBSIDY, LEDGER_KIND_INTEREST,
        LEDGER_KIND_CLAIM_PAYABLE, LEDGER_KIND_PAYOUT, LEDGER_KIND_PAYOUT_FAILED,
        LEDGER_KIND_MANUAL_PAYMENT, LEDGER_KIND_EXPENSE, LEDGER_KIND_OPENING,
    };
    char date[11];
    snprintf(date, sizeof(date), "2024-%02d-%02d", (int)rnd_in(1, 12), (int)rnd_in(1, 28));
    static char dates[4][11];
    memcpy(dates[i & 3], date, sizeof(date));
    snprintf(keybuf, 48, "p-%d", i);
    int month = (int)rnd_in(1, 12);
    snprintf(cover_s, 11, "2024-%02d-01", month);
    snprintf(cover_e, 11, "2025-%02d-%02d", month, 28);
    struct ledger_money_in m = {.fund = fund, .date = dates[i & 3],
                                .amount_fen = rnd_in(1, 200000), .source_id = "prop",
                                .idem_key = keybuf, .cover_start = cover_s, .cover_end = cover_e};
    enum ledger_kind kind = kinds[rnd() % (sizeof(kinds) / sizeof(kinds[0]))];
    if (kind != LEDGER_KIND_CONTRIBUTION) {
        m.cover_start = m.cover_end = NULL;
    }
    ledger_entry_of_kind(kind, &m, lines, in);
    switch (rnd() % 10) {
    case 0: /* unbalanced */
        lines[1].amount_fen += 1;
        break;
    case 1: /* a forbidden pair */
        lines[0].account = chart[rnd() % CODES];
        break;
    case 2: /* a zero or negative amount */
        lines[0].amount_fen = lines[1].amount_fen = -(int64_t)(rnd() % 3);
        break;
    case 3: /* three lines, balanced */
        lines[2] = lines[1];
        lines[1].amount_fen = lines[0].amount_fen / 2 + 1;
        lines[2].amount_fen = lines[0].amount_fen - lines[1].amount_fen;
        if (lines[2].amount_fen > 0) {
            in->nlines = 3;
        }
        break;
    default:
        break;
    }
}

static void test_property_random_entries(void **state)
{
    NEED_FIXTURE();
    const char *fund = new_fund(f, 2000, 150000);
    int64_t model[CODES] = {0};
    rng_state = 0x9E3779B97F4A7C15ull;
    int posted = 0, refused = 0, pending = 0, replays = 0;
    int steps = f->pg ? 2500 : 4000;
    int64_t pending_ids[64];
    struct ledger_entry_in pending_in[64];
    struct ledger_line_in pending_lines[64][4];
    int npending = 0;
    for (int i = 0; i < steps; i++) {
        struct ledger_line_in lines[4];
        char k[48], cs[11], ce[11];
        struct ledger_entry_in in;
        random_entry(fund, i, lines, k, cs, ce, &in);
        struct ledger_result r;
        enum err e = ledger_post(f->c, i % 2 ? &maker : &clerk, &in, &r);
        if (e == ERR_OK && r.outcome == LEDGER_POSTED) {
            model_apply(model, &in);
            posted++;
        } else if (e == ERR_OK && r.outcome == LEDGER_PENDING) {
            pending++;
            if (npending < 64) {
                pending_ids[npending] = r.pending_id;
                memcpy(pending_lines[npending], lines, sizeof(lines));
                pending_in[npending] = in;
                pending_in[npending].lines = pending_lines[npending];
                npending++;
            }
        } else {
            assert_true(e == ERR_UNBALANCED || e == ERR_FUND_USE_REFUSED ||
                        e == ERR_LIMIT_EXCEEDED || e == ERR_INVALID_MONEY ||
                        e == ERR_CONFLICT);
            refused++;
        }
        /* replay the same key: never a second effect */
        if (e == ERR_OK && rnd() % 8 == 0) {
            struct ledger_result r2;
            assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_OK);
            assert_true(r2.replayed);
            assert_int_equal(r2.entry_id, r.entry_id);
            lines[0].amount_fen += 1;
            lines[in.nlines - 1].amount_fen += 1;
            assert_int_equal(ledger_post(f->c, &clerk, &in, &r2), ERR_IDEMPOTENCY_MISMATCH);
            replays++;
        }
        /* now and then a checker decides a pending payment */
        if (npending > 0 && rnd() % 5 == 0) {
            int p = npending - 1;
            struct ledger_result r2;
            e = ledger_approve(f->c, &checker, pending_ids[p], &r2);
            if (e == ERR_OK) {
                model_apply(model, &pending_in[p]);
            } else {
                assert_int_equal(e, ERR_LIMIT_EXCEEDED);
                assert_int_equal(ledger_refuse(f->c, &checker, pending_ids[p], "资金不足"),
                                 ERR_OK);
            }
            npending--;
        }
        /* and earns a month, which moves unearned to income */
        if (i % 300 == 299) {
            char period[8];
            snprintf(period, sizeof(period), "2024-%02d", (int)rnd_in(1, 12));
            struct ledger_earn_result er;
            assert_int_equal(ledger_earn(f->c, &cli, fund, period, &er), ERR_OK);
            model[1] -= er.amount_fen;
            model[4] += er.amount_fen;
        }
        check_model(f, fund, model);
        if (i % 500 == 499) {
            verify_ok(f);
        }
    }
    /* the same random stream through batches of 50 */
    for (int b = 0; b < (f->pg ? 6 : 20); b++) {
        struct ledger_line_in lines[50][4];
        struct ledger_entry_in in[50];
        char keys[50][48], cs[50][11], ce[50][11];
        struct ledger_result out[50];
        for (int i = 0; i < 50; i++) {
            random_entry(fund, 100000 + b * 50 + i, lines[i], keys[i], cs[i], ce[i], &in[i]);
        }
        assert_int_equal(ledger_post_batch(f->c, &clerk, in, 50, out), ERR_OK);
        for (int i = 0; i < 50; i++) {
            if (out[i].err == ERR_OK && out[i].outcome == LEDGER_POSTED && !out[i].replayed) {
                model_apply(model, &in[i]);
            }
        }
        check_model(f, fund, model);
    }
    assert_true(posted > steps / 4);
    assert_true(refused > steps / 10);
    assert_true(pending > 0);
    assert_true(replays > 0);
    verify_ok(f);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_split_by_days),
        cmocka_unit_test(test_digest_canonical),
    };
    const struct CMUnitTest backend[] = {
        cmocka_unit_test(test_chart_seeded),
        cmocka_unit_test(test_post_and_idempotency),
        cmocka_unit_test(test_invalid_entries),
        cmocka_unit_test(test_fund_use_rules),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_mgmt_cap),
        cmocka_unit_test(test_maker_checker),
        cmocka_unit_test(test_reversal),
        cmocka_unit_test(test_earning_refund_and_periods),
        cmocka_unit_test(test_partial_refund),
        cmocka_unit_test(test_partial_refund_maker_checker),
        cmocka_unit_test(test_full_year_earning),
        cmocka_unit_test(test_database_enforces),
        cmocka_unit_test(test_property_random_entries),
    };
    int fails = cmocka_run_group_tests_name("ledger", pure, NULL, NULL);
    fails += cmocka_run_group_tests_name("ledger/sqlite", backend, setup_sqlite, teardown);
    fails += cmocka_run_group_tests_name("ledger/postgresql", backend, setup_pg, teardown);
    return fails;
}
