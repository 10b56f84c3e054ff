/*
 * db_impl: what db.c shares with its two backends (db_sqlite.c, db_pg.c).
 * Private to src/store/; nothing outside includes it.
 */
#ifndef HUZHU_STORE_DB_IMPL_H
#define HUZHU_STORE_DB_IMPL_H

#include "store/db.h"

struct db_ops {
    enum err (*exec)(struct db *db, const char *sql);
    enum err (*prepare)(struct db *db, const char *sql, struct db_stmt *st);
    void (*finalize)(struct db_stmt *st);
    void (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
    void (*bind_text)(struct db_stmt *st, int idx, const char *p, size_t len);
    void (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t len);
    void (*bind_null)(struct db_stmt *st, int idx);
    enum err (*step)(struct db_stmt *st, bool *has_row);
    int64_t (*col_int64)(struct db_stmt *st, int col);
    const char *(*col_text)(struct db_stmt *st, int col, size_t *len);
    const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
    bool (*col_is_null)(struct db_stmt *st, int col);
    void (*reset)(struct db_stmt *st);
    int64_t (*last_insert_id)(struct db *db);
    const char *(*errmsg)(struct db *db);
    void (*close)(struct db *db);
    enum err (*backup_to)(struct db *db, const char *path);
    enum err (*restore_from)(struct db *db, const char *path);
    bool (*is_alive)(struct db *db);
};

struct db_stmt {
    struct db *db;   /* owning connection */
    const char *sql; /* cache key: address of the static SQL text */
    void *native;    /* sqlite3_stmt*, or the PG statement state */
    /* SQLite numbers "$N" parameters by order of first appearance, not by N:
     * param_index[N] is the slot of "$N" (0 if absent). Unused on PG. */
    unsigned char param_index[DB_PARAMS_MAX + 1];
};

struct db {
    enum store_backend backend;
    const struct db_ops *ops;
    void *native;                           /* sqlite3* or PGconn* */
    bool in_tx;                             /* a transaction is open */
    size_t nstmts;                          /* used entries of stmts */
    struct db_stmt stmts[DB_STMT_CACHE_MAX]; /* prepared statement cache */
    char errbuf[256];                       /* last error detail for the log */
    char url[1024];                         /* as opened (pg_dump needs it) */
};

enum err db_sqlite_open(const char *path, const struct store_options *opt, struct db *db);
enum err db_pg_open(const char *url, struct db *db);

#endif
