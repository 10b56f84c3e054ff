/*
 * bench_import_ref: the reference the roster import is measured against: the
 * same CSV read with the same reader, each row's raw cells inserted with one
 * prepared statement into a table with a unique index on the ID number, in
 * one transaction, on a SQLite database opened as the store opens it (WAL,
 * synchronous=FULL, foreign keys) with the import's page cache. No
 * validation, no encryption, no lookups: what any importer must at least do.
 *
 *   bench_import_ref DB MEMBERS.csv
 *
 * Prints "reference: N rows in S s (R rows/s)".
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "store/store_registry.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_import_ref: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_import_ref DB MEMBERS.csv\n");
        return 2;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    char pragmas[512];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
             "PRAGMA cache_size=-%d;"
             "CREATE TABLE ref (id_number TEXT NOT NULL, name TEXT, phone TEXT,"
             " employment TEXT, employer_uscc TEXT, hardship TEXT, bank_account TEXT);"
             "CREATE UNIQUE INDEX ref_id ON ref(id_number)",
             STORE_BULK_CACHE_KIB);
    if (sqlite3_open(argv[1], &db) != SQLITE_OK || sqlite3_exec(db, pragmas, 0, 0, 0)) {
        die(db, "open");
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO ref VALUES ($1, $2, $3, $4, $5, $6, $7)", -1,
                           &st, NULL) != SQLITE_OK) {
        die(db, "prepare");
    }
    int fd = open(argv[2], O_RDONLY);
    struct csv_reader *r;
    if (fd < 0 || csv_open_fd(fd, &r) != ERR_OK) {
        die(NULL, "cannot read the CSV");
    }
    double t0 = now_s();
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0)) {
        die(db, "begin");
    }
    struct csv_row row;
    enum err e;
    unsigned long long n = 0;
    bool header = true;
    /* columns as gen_roster writes them: name, id, phone, form, employer, hardship, bank */
    static const int order[7] = {1, 0, 2, 3, 4, 5, 6};
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        if (e != ERR_OK || row.count < 7) {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        for (int i = 0; i < 7; i++) {
            sqlite3_bind_text(st, i + 1, row.fields[order[i]].ptr,
                              (int)row.fields[order[i]].len, SQLITE_STATIC);
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            die(db, "insert");
        }
        sqlite3_reset(st);
        n++;
    }
    if (sqlite3_exec(db, "COMMIT", 0, 0, 0)) {
        die(db, "commit");
    }
    double secs = now_s() - t0;
    csv_close(r);
    close(fd);
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("reference: %llu rows in %.2f s (%.0f rows/s)\n", n, secs, (double)n / secs);
    return 0;
}
