/*
 * db: backend-neutral half of the driver: connection lifecycle, the
 * prepared-statement cache and transactions; the rest is dispatched to
 * db_sqlite.c or db_pg.c through struct db_ops.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/log.h"
#include "store/db_impl.h"

static bool url_is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

enum err db_open(const char *url, const struct store_options *opt, struct db **out)
{
    struct db *db = calloc(1, sizeof(*db));
    if (db == NULL) {
        return ERR_NOMEM;
    }
    if (strlen(url) >= sizeof(db->url)) {
        free(db);
        return ERR_TOO_LARGE;
    }
    memcpy(db->url, url, strlen(url) + 1);
    enum err e = url_is_pg(url) ? db_pg_open(url, db) : db_sqlite_open(url, opt, db);
    if (e != ERR_OK) {
        if (db->errbuf[0] != '\0') {
            log_error("database open failed: %s", db->errbuf);
        }
        free(db);
        return e;
    }
    *out = db;
    return ERR_OK;
}

void db_close(struct db *db)
{
    if (db == NULL) {
        return;
    }
    db_rollback(db);
    for (size_t i = 0; i < db->nstmts; i++) {
        db->ops->finalize(&db->stmts[i]);
    }
    db->ops->close(db);
    free(db);
}

enum store_backend db_backend(const struct db *db)
{
    return db->backend;
}

enum err db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

enum err db_begin(struct db *db)
{
    ASSERT(!db->in_tx);
    enum err e = db->ops->exec(db, db->backend == STORE_SQLITE
                                       ? "BEGIN IMMEDIATE"
                                       : "BEGIN ISOLATION LEVEL REPEATABLE READ");
    if (e == ERR_OK) {
        db->in_tx = true;
    }
    return e;
}

enum err db_commit(struct db *db)
{
    ASSERT(db->in_tx);
    enum err e = db->ops->exec(db, "COMMIT");
    if (e != ERR_OK) {
        db_rollback(db);
        return e;
    }
    db->in_tx = false;
    return ERR_OK;
}

void db_rollback(struct db *db)
{
    if (!db->in_tx) {
        return;
    }
    /* Release statement locks first: SQLite refuses ROLLBACK with pending reads. */
    for (size_t i = 0; i < db->nstmts; i++) {
        db->ops->reset(&db->stmts[i]);
    }
    if (db->ops->exec(db, "ROLLBACK") != ERR_OK) {
        log_error("rollback failed: %s", db->ops->errmsg(db));
    }
    db->in_tx = false;
}

enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    for (size_t i = 0; i < db->nstmts; i++) {
        if (db->stmts[i].sql == sql) {
            db->ops->reset(&db->stmts[i]);
            *out = &db->stmts[i];
            return ERR_OK;
        }
    }
    if (db->nstmts == DB_STMT_CACHE_MAX) {
        log_error("statement cache full (%d); raise DB_STMT_CACHE_MAX", DB_STMT_CACHE_MAX);
        return ERR_INTERNAL;
    }
    struct db_stmt *st = &db->stmts[db->nstmts];
    st->db = db;
    st->sql = sql;
    st->native = NULL;
    enum err e = db->ops->prepare(db, sql, st);
    if (e != ERR_OK) {
        log_error("prepare failed: %s", db->ops->errmsg(db));
        return e;
    }
    db->nstmts++;
    *out = st;
    return ERR_OK;
}

void db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    st->db->ops->bind_int64(st, idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, const char *ptr, size_t len)
{
    st->db->ops->bind_text(st, idx, ptr, len);
}

void db_bind_blob(struct db_stmt *st, int idx, const void *ptr, size_t len)
{
    st->db->ops->bind_blob(st, idx, ptr, len);
}

void db_bind_str(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL) {
        st->db->ops->bind_null(st, idx);
    } else {
        st->db->ops->bind_text(st, idx, s, strlen(s));
    }
}

void db_bind_null(struct db_stmt *st, int idx)
{
    st->db->ops->bind_null(st, idx);
}

enum err db_step(struct db_stmt *st, bool *has_row)
{
    enum err e = st->db->ops->step(st, has_row);
    if (e != ERR_OK && e != ERR_EXISTS && e != ERR_CONFLICT) {
        log_error("statement failed: %s", st->db->ops->errmsg(st->db));
    }
    return e;
}

enum err db_step_done(struct db_stmt *st)
{
    bool row;
    enum err e;
    do {
        e = db_step(st, &row);
    } while (e == ERR_OK && row);
    db_reset(st);
    return e;
}

enum err db_step_id(struct db_stmt *st, int64_t *out_id)
{
    bool row;
    enum err e = db_step(st, &row);
    if (e == ERR_OK) {
        if (row) {
            *out_id = db_col_int64(st, 0);
        } else {
            e = ERR_NOT_FOUND;
        }
    }
    db_reset(st);
    return e;
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
    return st->db->ops->col_int64(st, col);
}

const char *db_col_text(struct db_stmt *st, int col, size_t *len)
{
    return st->db->ops->col_text(st, col, len);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
    return st->db->ops->col_blob(st, col, len);
}

bool db_col_is_null(struct db_stmt *st, int col)
{
    return st->db->ops->col_is_null(st, col);
}

void db_reset(struct db_stmt *st)
{
    st->db->ops->reset(st);
}

int64_t db_last_insert_id(struct db *db)
{
    return db->ops->last_insert_id(db);
}

enum err db_backup_to(struct db *db, const char *path)
{
    return db->ops->backup_to(db, path);
}

enum err db_restore_from(struct db *db, const char *path)
{
    ASSERT(!db->in_tx);
    /* Cached statements may refer to tables the restore replaces. */
    for (size_t i = 0; i < db->nstmts; i++) {
        db->ops->finalize(&db->stmts[i]);
    }
    db->nstmts = 0;
    return db->ops->restore_from(db, path);
}

bool db_is_alive(struct db *db)
{
    return db->ops->is_alive(db);
}

const char *db_errmsg(struct db *db)
{
    return db->ops->errmsg(db);
}
