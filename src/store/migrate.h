/*
 * migrate: the numbered schema migrations of each backend, embedded in the
 * binary from src/store/sql/<backend>/NNNN_name.sql. A landed migration is
 * never edited; a change is a new file with the next number.
 */
#ifndef HUZHU_STORE_MIGRATE_H
#define HUZHU_STORE_MIGRATE_H

#include <stddef.h>

#include "core/err.h"

struct db;

struct migration {
    int version;      /* NNNN of the file name; strictly increasing from 1 */
    const char *name; /* file name without .sql */
    const char *sql;  /* the whole file */
};

extern const struct migration migrations_sqlite[];
extern const size_t migrations_sqlite_count;
extern const struct migration migrations_pg[];
extern const size_t migrations_pg_count;

/* Applies every migration above the recorded version in one transaction. */
enum err migrate_apply(struct db *db, int *out_version) WARN_UNUSED;

/* Version recorded in the database (0 for an empty database). */
enum err migrate_current(struct db *db, int *out_version) WARN_UNUSED;

/* Latest version known to this binary (same for both backends). */
int migrate_latest(void);

#endif
