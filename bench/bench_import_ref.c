/*
 * bench_import_ref: the reference the roster import is measured against: a
 * plain loop of one prepared INSERT per row into a table with a unique index
 * on the ID, in ONE transaction (as the import), on a SQLite database opened
 * as the store opens it (WAL, synchronous=FULL, foreign keys, temp_store in
 * memory) with the import's page cache. No validation, no encryption, no
 * lookups: what any importer must at least do.
 *
 *   bench_import_ref DB MEMBERS.csv                        raw cells
 *   bench_import_ref DB MEMBERS.csv IMPORTED.db [written]  stored rows
 *
 * Raw cells: each CSV row's seven raw cells (read with the import's reader)
 * go into a seven-column table, unique on the ID number: about 90 bytes a
 * row, and every row of the file, bad ones included.
 *
 * Stored rows: the SAME rows the import wrote. The member rows of
 * IMPORTED.db (the import's result) are first copied, untimed, to a flat
 * file DB.rows (length-prefixed fields); the timed loop then reads that file
 * and inserts each row's stored values (blind index, sealed ID and bank
 * numbers, masks, name, ...: about 270 bytes) into a table with the member
 * table's columns and defaults, unique on the blind index and with no other
 * index, no CHECK and no foreign key. Reading the flat file costs less than
 * parsing the CSV, which favours the reference.
 *
 * Order of the stored rows: a plain loop inserts rows as the file gives them.
 * The import writes each batch in blind-index order, so its member ids are
 * not file order; the rows are taken in the order of their sealed ID
 * (id_enc), which starts with the nonce: a per-thread random prefix and a
 * counter (fieldcrypt.c), so that order is the order of sealing, which is
 * file order. (Were nonces random, it would be a random order, which costs
 * the same: the blind index is a keyed hash, so file order is random with
 * respect to it as well.) With "written" the rows go in the import's write
 * order instead (member ids), so the reference gets the import's index
 * locality for free: a harder reference, printed for comparison.
 *
 * Prints "reference (raw cells|stored rows[, written order]): N rows in S s
 * (R rows/s)".
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "store/store_registry.h"

#define MEMBER_COLS 13 /* stored columns, created_at / updated_at by default */
#define FIELD_MAX 4096 /* longest stored value copied */

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

/* Opens path as the store opens a database, with the import's cache. */
static sqlite3 *open_like_store(const char *path)
{
    sqlite3 *db;
    char pragmas[256];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-%d;",
             STORE_BULK_CACHE_KIB);
    if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, pragmas, 0, 0, 0)) {
        die(db, "open");
    }
    return db;
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, 0, 0, 0) != SQLITE_OK) {
        die(db, sql);
    }
}

static void report(const char *kind, unsigned long long n, double secs)
{
    printf("reference (%s): %llu rows in %.2f s (%.0f rows/s)\n", kind, n, secs,
           (double)n / secs);
}

/* ------------------------------------------------------------- raw cells */

static void run_raw(const char *db_path, const char *csv_path)
{
    sqlite3 *db = open_like_store(db_path);
    exec_or_die(db, "CREATE TABLE ref (id_number TEXT NOT NULL, name TEXT, phone TEXT,"
                    " employment TEXT, employer_uscc TEXT, hardship TEXT, bank_account TEXT);"
                    "CREATE UNIQUE INDEX ref_id ON ref(id_number)");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO ref VALUES ($1, $2, $3, $4, $5, $6, $7)",
                           -1, &st, NULL) != SQLITE_OK) {
        die(db, "prepare");
    }
    int fd = open(csv_path, O_RDONLY);
    struct csv_reader *r;
    if (fd < 0 || csv_open_fd(fd, &r) != ERR_OK) {
        die(NULL, "cannot read the CSV");
    }
    double t0 = now_s();
    exec_or_die(db, "BEGIN IMMEDIATE");
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
    exec_or_die(db, "COMMIT");
    double secs = now_s() - t0;
    csv_close(r);
    close(fd);
    sqlite3_finalize(st);
    sqlite3_close(db);
    report("raw cells", n, secs);
}

/* ----------------------------------------------------------- stored rows */

static const char member_cols[] =
    "id_hash, id_enc, id_mask, name, gender, birth_date, phone, employment, employer_id,"
    " org_id, hardship, bank_enc, bank_mask";

/* Field in the flat file: type byte (SQLITE_INTEGER, _TEXT, _BLOB, _NULL),
 * then an int64 or a uint32 length and the bytes. */
static void dump_rows(const char *imported, bool written, const char *flat,
                      unsigned long long *rows)
{
    sqlite3 *src;
    sqlite3_stmt *q;
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT %s FROM member ORDER BY %s", member_cols,
             written ? "id" : "id_enc");
    if (sqlite3_open_v2(imported, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(src, sql, -1, &q, NULL) != SQLITE_OK) {
        die(src, "read the imported database");
    }
    FILE *f = fopen(flat, "wb");
    if (f == NULL) {
        die(NULL, "cannot write the flat file");
    }
    *rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (int i = 0; i < MEMBER_COLS; i++) {
            unsigned char type = (unsigned char)sqlite3_column_type(q, i);
            fwrite(&type, 1, 1, f);
            if (type == SQLITE_INTEGER) {
                int64_t v = sqlite3_column_int64(q, i);
                fwrite(&v, sizeof(v), 1, f);
            } else if (type != SQLITE_NULL) {
                const void *p = sqlite3_column_blob(q, i);
                uint32_t len = (uint32_t)sqlite3_column_bytes(q, i);
                fwrite(&len, sizeof(len), 1, f);
                fwrite(p, 1, len, f);
            }
        }
        (*rows)++;
    }
    if (fclose(f) != 0) {
        die(NULL, "cannot write the flat file");
    }
    sqlite3_finalize(q);
    sqlite3_close(src);
}

static void run_stored(const char *db_path, const char *imported, bool written)
{
    char flat[4096];
    snprintf(flat, sizeof(flat), "%s.rows", db_path);
    unsigned long long want;
    dump_rows(imported, written, flat, &want);

    sqlite3 *db = open_like_store(db_path);
    exec_or_die(db, "CREATE TABLE ref (id INTEGER PRIMARY KEY, id_hash BLOB NOT NULL UNIQUE,"
                    " id_enc BLOB NOT NULL, id_mask TEXT NOT NULL, name TEXT NOT NULL,"
                    " gender TEXT NOT NULL, birth_date TEXT NOT NULL, phone TEXT,"
                    " employment TEXT NOT NULL, employer_id INTEGER, org_id INTEGER NOT NULL,"
                    " hardship INTEGER NOT NULL DEFAULT 0, bank_enc BLOB, bank_mask TEXT,"
                    " created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
                    " updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO ref (%s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
             " $13)",
             member_cols);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        die(db, "prepare");
    }
    static unsigned char buf[MEMBER_COLS][FIELD_MAX];
    sync(); /* the dump's dirty pages are not the reference's to write */
    double t0 = now_s();
    FILE *f = fopen(flat, "rb");
    if (f == NULL) {
        die(NULL, "cannot read the flat file");
    }
    exec_or_die(db, "BEGIN IMMEDIATE");
    unsigned long long n = 0;
    unsigned char type;
    while (fread(&type, 1, 1, f) == 1) {
        for (int i = 0; i < MEMBER_COLS; i++) {
            if (i > 0 && fread(&type, 1, 1, f) != 1) {
                die(NULL, "short flat file");
            }
            if (type == SQLITE_INTEGER) {
                int64_t v;
                if (fread(&v, sizeof(v), 1, f) != 1) {
                    die(NULL, "short flat file");
                }
                sqlite3_bind_int64(st, i + 1, v);
            } else if (type == SQLITE_NULL) {
                sqlite3_bind_null(st, i + 1);
            } else {
                uint32_t len;
                if (fread(&len, sizeof(len), 1, f) != 1 || len > FIELD_MAX ||
                    fread(buf[i], 1, len, f) != len) {
                    die(NULL, "bad flat file");
                }
                if (type == SQLITE_BLOB) {
                    sqlite3_bind_blob(st, i + 1, buf[i], (int)len, SQLITE_STATIC);
                } else {
                    sqlite3_bind_text(st, i + 1, (const char *)buf[i], (int)len,
                                      SQLITE_STATIC);
                }
            }
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            die(db, "insert");
        }
        sqlite3_reset(st);
        n++;
    }
    exec_or_die(db, "COMMIT");
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(db); /* as the import command, which closes its store */
    double secs = now_s() - t0;
    unlink(flat);
    if (n != want) {
        die(NULL, "flat file row count");
    }
    report(written ? "stored rows, written order" : "stored rows", n, secs);
}

int main(int argc, char **argv)
{
    bool written = argc == 5 && strcmp(argv[4], "written") == 0;
    if (argc < 3 || argc > 5 || (argc == 5 && !written)) {
        fprintf(stderr, "usage: bench_import_ref DB MEMBERS.csv [IMPORTED.db [written]]\n");
        return 2;
    }
    if (argc == 3) {
        run_raw(argv[1], argv[2]);
    } else {
        run_stored(argv[1], argv[3], written);
    }
    return 0;
}
