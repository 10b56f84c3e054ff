/*
 * bench_ledger: the ledger's posting path on SQLite against a plain insert
 * of the same rows in the same run.
 *
 *   bench_ledger PATH [ENTRIES [ledger-only]]
 *
 * 1. single durable entries: ledger_post (one transaction, one fsync'd
 *    commit each), SINGLE_ENTRIES times: p50 / p99 latency.
 * 2. ledger: ENTRIES (default 1,000,000) two-line entries through
 *    ledger_post_batch in batches of LIMIT_BATCH_ROWS, each batch one
 *    durable commit; a mix of subsidy receipts, approved claims and benefit
 *    payouts, so fund-use rules, idempotency, limits and the database's
 *    balance triggers all run.
 * 3. reference: the same number of entry headers and twice as many lines
 *    into plain tables of the same columns (primary keys only, no triggers,
 *    no secondary indexes), with the raw sqlite3 API, prepared once, same
 *    batches, same durability.
 * Times are integer nanoseconds; rates are integers.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/limits.h"
#include "domain/ledger.h"
#include "store/store.h"

#define SINGLE_ENTRIES 500

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t ledger_cpu_ns, ref_cpu_ns;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const struct audit_actor bench_actor = {0, "bench", "", 0, ""};

struct slot {
    struct ledger_line_in lines[2];
    char key[40];
    char date[DATE_TEXT_LEN + 1];
};

/* Entry i: subsidy received, claim approved, claim paid; dates move
 * forward through 2024 as a real ledger's do. */
static void make_entry(uint64_t i, uint64_t n, const char *prefix, struct slot *s,
                       struct ledger_entry_in *in)
{
    static const enum ledger_kind kinds[3] = {LEDGER_KIND_SUBSIDY, LEDGER_KIND_CLAIM_PAYABLE,
                                              LEDGER_KIND_PAYOUT};
    static const int64_t amounts[3] = {5000, 3000, 3000};
    struct date d0;
    if (date_from_ymd(2024, 1, 1, &d0) != ERR_OK) {
        abort();
    }
    date_format(date_add_days(d0, (int32_t)(i * 365 / n)), s->date);
    snprintf(s->key, sizeof(s->key), "%s%" PRIu64, prefix, i);
    struct ledger_money_in m = {.fund = "POOL", .date = s->date, .amount_fen = amounts[i % 3],
                                .source_id = "bench", .idem_key = s->key};
    ledger_entry_of_kind(kinds[i % 3], &m, s->lines, in);
}

static void die(const char *what, enum err e)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, err_str(e));
    exit(1);
}

static void single_latency(struct store_conn *c)
{
    int64_t lat[SINGLE_ENTRIES];
    for (int i = 0; i < SINGLE_ENTRIES; i++) {
        struct slot s;
        struct ledger_entry_in in;
        struct ledger_result r;
        make_entry(0, 1, "single-", &s, &in); /* a subsidy received on 2024-01-01 */
        snprintf(s.key, sizeof(s.key), "single-%d", i);
        int64_t t0 = now_ns();
        enum err e = ledger_post(c, &bench_actor, &in, &r);
        lat[i] = now_ns() - t0;
        if (e != ERR_OK) {
            die("single entry", e);
        }
    }
    qsort(lat, SINGLE_ENTRIES, sizeof(lat[0]), cmp_i64);
    printf("single durable entry: p50 %" PRId64 " us, p99 %" PRId64 " us (%d entries)\n",
           lat[SINGLE_ENTRIES / 2] / 1000, lat[SINGLE_ENTRIES * 99 / 100] / 1000, SINGLE_ENTRIES);
}

static int64_t ledger_batches(struct store_conn *c, uint64_t n)
{
    size_t batch = LIMIT_BATCH_ROWS;
    struct slot *slots = malloc(batch * sizeof(*slots));
    struct ledger_entry_in *in = malloc(batch * sizeof(*in));
    struct ledger_result *out = malloc(batch * sizeof(*out));
    if (slots == NULL || in == NULL || out == NULL) {
        die("memory", ERR_NOMEM);
    }
    int64_t t0 = now_ns(), c0 = cpu_ns();
    for (uint64_t i = 0; i < n; i += batch) {
        size_t k = (size_t)(n - i < batch ? n - i : batch);
        for (size_t j = 0; j < k; j++) {
            make_entry(i + j, n, "b-", &slots[j], &in[j]);
        }
        enum err e = ledger_post_batch(c, &bench_actor, in, k, out);
        if (e != ERR_OK) {
            die("batch", e);
        }
        for (size_t j = 0; j < k; j++) {
            if (out[j].err != ERR_OK || out[j].outcome != LEDGER_POSTED) {
                die("entry refused", out[j].err);
            }
        }
    }
    int64_t dt = now_ns() - t0;
    ledger_cpu_ns = cpu_ns() - c0;
    free(slots);
    free(in);
    free(out);
    return dt;
}

static const char ref_schema[] =
    "CREATE TABLE ref_entry (id INTEGER PRIMARY KEY, fund_id INTEGER, entry_date TEXT,"
    " period TEXT, source_type TEXT, source_id TEXT, memo TEXT, idem_key TEXT, digest BLOB,"
    " line_count INTEGER, total_debit_fen INTEGER, total_credit_fen INTEGER);"
    "CREATE TABLE ref_line (entry_id INTEGER, line_no INTEGER, account_id INTEGER, side TEXT,"
    " amount_fen INTEGER, PRIMARY KEY (entry_id, line_no)) WITHOUT ROWID;";

static int64_t reference(const char *path, uint64_t n)
{
    sqlite3 *db;
    sqlite3_stmt *he, *li;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0) ||
        sqlite3_exec(db, ref_schema, 0, 0, 0) ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO ref_entry VALUES ($1, 1, $2, $3, 'receipt', 'bench', '',"
                           " $4, $5, 2, $6, $6)",
                           -1, &he, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO ref_line VALUES ($1, $2, $3, $4, $5)", -1, &li,
                           NULL) != SQLITE_OK) {
        fprintf(stderr, "reference: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    unsigned char digest[32];
    memset(digest, 0xA5, sizeof(digest));
    int64_t t0 = now_ns(), c0 = cpu_ns();
    for (uint64_t i = 0; i < n; i++) {
        if (i % LIMIT_BATCH_ROWS == 0) {
            sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        }
        struct slot s;
        struct ledger_entry_in in;
        make_entry(i, n, "r-", &s, &in);
        sqlite3_bind_int64(he, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_text(he, 2, s.date, 10, SQLITE_STATIC);
        sqlite3_bind_text(he, 3, s.date, 7, SQLITE_STATIC);
        sqlite3_bind_text(he, 4, s.key, -1, SQLITE_STATIC);
        sqlite3_bind_blob(he, 5, digest, 32, SQLITE_STATIC);
        sqlite3_bind_int64(he, 6, s.lines[0].amount_fen);
        if (sqlite3_step(he) != SQLITE_DONE) {
            fprintf(stderr, "reference: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(he);
        for (int l = 0; l < 2; l++) {
            sqlite3_bind_int64(li, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_int64(li, 2, l + 1);
            sqlite3_bind_int64(li, 3, l + 1);
            sqlite3_bind_text(li, 4, l == 0 ? "D" : "C", 1, SQLITE_STATIC);
            sqlite3_bind_int64(li, 5, s.lines[l].amount_fen);
            if (sqlite3_step(li) != SQLITE_DONE) {
                fprintf(stderr, "reference: %s\n", sqlite3_errmsg(db));
                exit(1);
            }
            sqlite3_reset(li);
        }
        if (i % LIMIT_BATCH_ROWS == LIMIT_BATCH_ROWS - 1 || i + 1 == n) {
            sqlite3_exec(db, "COMMIT", 0, 0, 0);
        }
    }
    int64_t dt = now_ns() - t0;
    ref_cpu_ns = cpu_ns() - c0;
    sqlite3_finalize(he);
    sqlite3_finalize(li);
    sqlite3_close(db);
    return dt;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger PATH [ENTRIES]\n");
        return 2;
    }
    const char *path = argv[1];
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    if (n == 0) {
        return 2;
    }
    struct store *s;
    struct store_conn *c;
    struct store_options opt = {.pool_size = 1, .create = true, .busy_timeout_ms = 5000};
    int version;
    enum err e = store_open(path, &opt, &s);
    if (e == ERR_OK) {
        e = store_migrate(s, &version);
    }
    if (e == ERR_OK) {
        e = store_acquire(s, &c);
    }
    if (e != ERR_OK) {
        die("open", e);
    }
    bool only_ledger = argc > 3 && strcmp(argv[3], "ledger-only") == 0; /* for perf */
    if (!only_ledger) {
        single_latency(c);
    }
    int64_t ledger_ns = ledger_batches(c, n);
    if (only_ledger) {
        printf("ledger: %" PRId64 " ms\n", ledger_ns / 1000000);
        return 0;
    }
    struct ledger_verify_result v;
    int64_t t0 = now_ns();
    if ((e = ledger_verify(c, &v)) != ERR_OK || !v.ok) {
        fprintf(stderr, "bench_ledger: verify failed: %s\n", e ? err_str(e) : v.problem);
        return 1;
    }
    int64_t verify_ns = now_ns() - t0;
    store_release(c);
    store_close(s);
    int64_t ref_ns = reference(path, n);
    int64_t ledger_rate = (int64_t)n * 1000000000 / ledger_ns;
    int64_t ref_rate = (int64_t)n * 1000000000 / ref_ns;
    printf("ledger: %" PRIu64 " two-line entries in batches of %d: %" PRId64 " ms, %" PRId64
           " entries/s (cpu %" PRId64 " ms: %" PRId64 " entries per cpu-second)\n",
           n, LIMIT_BATCH_ROWS, ledger_ns / 1000000, ledger_rate, ledger_cpu_ns / 1000000,
           (int64_t)n * 1000000000 / (ledger_cpu_ns ? ledger_cpu_ns : 1));
    printf("reference (plain sqlite3 insert, %" PRIu64 " headers + %" PRIu64 " lines): %" PRId64
           " ms, %" PRId64 " entries/s (cpu %" PRId64 " ms: %" PRId64 " entries per cpu-second)\n",
           n, 2 * n, ref_ns / 1000000, ref_rate, ref_cpu_ns / 1000000,
           (int64_t)n * 1000000000 / (ref_cpu_ns ? ref_cpu_ns : 1));
    printf("ratio ledger/reference: %" PRId64 ".%" PRId64 " %%\n",
           ledger_rate * 100 / ref_rate, ledger_rate * 1000 / ref_rate % 10);
    printf("verify: %" PRId64 " entries in %" PRId64 " ms\n", v.entries, verify_ns / 1000000);
    printf("target 100000 entries/s: %s\n", ledger_rate >= 100000 ? "met" : "MISSED");
    return 0;
}
