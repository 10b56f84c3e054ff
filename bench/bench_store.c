/*
 * bench_store: the store's write path on one backend, against a plain
 * insert loop on the same database measured in the same run.
 *
 *   bench_store URL [ROWS]
 *
 * 1. single-row durable commits: BEGIN; INSERT member; COMMIT, 500 times;
 *    prints p50/p99 latency and commits/s.
 * 2. batched inserts: ROWS members (default 200000) in transactions of
 *    LIMIT_BATCH_ROWS, through store_member_insert.
 * 3. reference: the same rows into a table of the same shape with the raw
 *    client library (sqlite3 / libpq), prepared once, same batches.
 * The database must be new (a fresh file or an empty PostgreSQL database).
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "store/store.h"
#include "store/store_registry.h"

#define SINGLE_COMMITS 500

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills the row-varying fields of member i. */
static void member_row(uint64_t i, unsigned char hash[32], unsigned char enc[58], char *mask)
{
    memset(hash, 0, 32);
    memcpy(hash, &i, sizeof(i));
    hash[31] = 0x5A;
    memset(enc, (int)(i & 0xFF), 58);
    snprintf(mask, 19, "330106********%04" PRIu64, i % 10000);
}

static int insert_member(struct store_conn *c, int64_t org, uint64_t i)
{
    unsigned char hash[32], enc[58];
    char mask[19];
    member_row(i, hash, enc, mask);
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = mask, .name = "张伟", .gender = "M",
                                 .birth_date = "1990-01-01", .phone = "13800000000",
                                 .employment = "courier", .employer_id = 0, .org_id = org};
    int64_t id;
    return store_member_insert(c, &m, &id) == ERR_OK ? 0 : -1;
}

/* The reference writes the same rows into the same table (same indexes,
 * constraints and foreign keys), so the ratio is the store's own overhead. */
static const char ref_insert[] =
    "INSERT INTO member (id_hash, id_enc, id_mask, name, gender, birth_date, phone,"
    " employment, org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

static double reference_sqlite(const char *path, uint64_t rows, uint64_t base, int64_t org)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "PRAGMA foreign_keys=ON", 0, 0, 0) ||
        sqlite3_prepare_v2(db, ref_insert, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "reference: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    double t0 = now_s();
    for (uint64_t i = 0; i < rows; i++) {
        if (i % LIMIT_BATCH_ROWS == 0) {
            sqlite3_exec(db, "BEGIN", 0, 0, 0);
        }
        unsigned char hash[32], enc[58];
        char mask[19];
        member_row(base + i, hash, enc, mask);
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, enc, 58, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, mask, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "张伟", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, "M", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, "1990-01-01", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, "13800000000", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, "courier", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, org);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "reference insert: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(st);
        if (i % LIMIT_BATCH_ROWS == LIMIT_BATCH_ROWS - 1 || i + 1 == rows) {
            sqlite3_exec(db, "COMMIT", 0, 0, 0);
        }
    }
    double dt = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return (double)rows / dt;
}

static double reference_pg(const char *url, uint64_t rows, uint64_t base, int64_t org)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "reference: %s\n", PQerrorMessage(c));
        exit(1);
    }
    PQclear(PQprepare(c, "ref", ref_insert, 0, NULL));
    double t0 = now_s();
    for (uint64_t i = 0; i < rows; i++) {
        if (i % LIMIT_BATCH_ROWS == 0) {
            PQclear(PQexec(c, "BEGIN"));
        }
        unsigned char hash[32], enc[58];
        char mask[19];
        member_row(base + i, hash, enc, mask);
        char org_text[24];
        snprintf(org_text, sizeof(org_text), "%" PRId64, org);
        const char *v[9] = {(char *)hash, (char *)enc, mask, "张伟", "M", "1990-01-01",
                            "13800000000", "courier", org_text};
        int len[9] = {32, 58, 0, 0, 0, 0, 0, 0, 0}, fmt[9] = {1, 1, 0, 0, 0, 0, 0, 0, 0};
        r = PQexecPrepared(c, "ref", 9, v, len, fmt, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "reference insert: %s\n", PQerrorMessage(c));
            exit(1);
        }
        PQclear(r);
        if (i % LIMIT_BATCH_ROWS == LIMIT_BATCH_ROWS - 1 || i + 1 == rows) {
            PQclear(PQexec(c, "COMMIT"));
        }
    }
    double dt = now_s() - t0;
    PQfinish(c);
    return (double)rows / dt;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_store URL [ROWS]\n");
        return 2;
    }
    const char *url = argv[1];
    uint64_t rows = argc > 2 ? strtoull(argv[2], NULL, 10) : 200000;
    struct store_options opt = {.pool_size = 1, .create = true};
    struct store *s;
    int v;
    if (store_open(url, &opt, &s) != ERR_OK || store_migrate(s, &v) != ERR_OK) {
        fprintf(stderr, "bench_store: cannot open and migrate %s\n", url);
        return 1;
    }
    const char *name = store_backend(s) == STORE_PG ? "postgresql" : "sqlite";
    struct store_conn *c;
    if (store_acquire(s, &c) != ERR_OK) {
        return 1;
    }
    struct store_org_new o = {"BENCH", "基准工会", 0, "province", "330000"};
    int64_t org;
    if (store_org_insert(c, &o, &org) != ERR_OK) {
        fprintf(stderr, "bench_store: database not empty?\n");
        return 1;
    }

    static double lat[SINGLE_COMMITS];
    double t_all = now_s();
    for (int i = 0; i < SINGLE_COMMITS; i++) {
        double t0 = now_s();
        if (store_tx_begin(c) != ERR_OK || insert_member(c, org, (uint64_t)i) != 0 ||
            store_tx_commit(c) != ERR_OK) {
            fprintf(stderr, "bench_store: single commit failed\n");
            return 1;
        }
        lat[i] = now_s() - t0;
    }
    double single_rate = SINGLE_COMMITS / (now_s() - t_all);
    qsort(lat, SINGLE_COMMITS, sizeof(lat[0]), cmp_double);
    printf("store %s: single-row durable commit p50 %.0f us, p99 %.0f us (%.0f commits/s)\n",
           name, lat[SINGLE_COMMITS / 2] * 1e6, lat[SINGLE_COMMITS * 99 / 100] * 1e6,
           single_rate);

    uint64_t base = 1000000;
    double t0 = now_s();
    for (uint64_t i = 0; i < rows; i++) {
        if (i % LIMIT_BATCH_ROWS == 0 && store_tx_begin(c) != ERR_OK) {
            return 1;
        }
        if (insert_member(c, org, base + i) != 0) {
            fprintf(stderr, "bench_store: batched insert failed at %" PRIu64 "\n", i);
            return 1;
        }
        if ((i % LIMIT_BATCH_ROWS == LIMIT_BATCH_ROWS - 1 || i + 1 == rows) &&
            store_tx_commit(c) != ERR_OK) {
            return 1;
        }
    }
    double store_rate = (double)rows / (now_s() - t0);
    store_release(c);
    store_close(s);

    double ref_rate = strncmp(url, "postgres", 8) == 0 ? reference_pg(url, rows, 5000000, org)
                                                : reference_sqlite(url, rows, 5000000, org);
    printf("store %s: batched insert %.0f rows/s (batches of %d); reference plain insert "
           "%.0f rows/s; ratio %.2f\n",
           name, store_rate, LIMIT_BATCH_ROWS, ref_rate, store_rate / ref_rate);
    return 0;
}
