/*
 * db_sqlite: the SQLite backend of the driver.
 *
 * Each connection is opened NOMUTEX (one thread at a time, guaranteed by the
 * pool), in WAL mode with foreign keys on and synchronous=FULL: a committed
 * money movement must survive a power cut, not just a process crash.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/db_impl.h"

/* Page cache per connection, in KiB: the ledger's and registry's indexes
 * take inserts all over, and the default 2 MB rereads pages every batch. */
#define SQLITE_CACHE_KIB "32768"

static sqlite3 *conn(struct db *db)
{
    return db->native;
}

static enum err map_rc(struct db *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return ERR_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ERR_DB_BUSY;
    case SQLITE_NOMEM:
        return ERR_NOMEM;
    case SQLITE_TOOBIG:
        return ERR_TOO_LARGE;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            return ERR_EXISTS;
        }
        return ERR_CONFLICT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
        return ERR_IO;
    default:
        (void)db;
        return ERR_DB;
    }
}

static enum err sq_exec(struct db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn(db), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return map_rc(db, rc == SQLITE_OK ? rc : sqlite3_extended_errcode(conn(db)));
}

static enum err sq_prepare(struct db *db, const char *sql, struct db_stmt *st)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(conn(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s", sqlite3_errmsg(conn(db)));
        return map_rc(db, rc);
    }
    st->native = s;
    /* Map "$N" to SQLite's slot so SQL may name $3 before $1. */
    memset(st->param_index, 0, sizeof(st->param_index));
    int count = sqlite3_bind_parameter_count(s);
    for (int i = 1; i <= count; i++) {
        const char *name = sqlite3_bind_parameter_name(s, i);
        long n = (name != NULL && name[0] == '$') ? strtol(name + 1, NULL, 10) : 0;
        if (n < 1 || n > DB_PARAMS_MAX) {
            snprintf(db->errbuf, sizeof(db->errbuf), "parameter %s: use $1..$%d", name ? name : "?",
                     DB_PARAMS_MAX);
            sqlite3_finalize(s);
            st->native = NULL;
            return ERR_INTERNAL;
        }
        st->param_index[n] = (unsigned char)i;
    }
    return ERR_OK;
}

static void sq_finalize(struct db_stmt *st)
{
    sqlite3_finalize(st->native);
    st->native = NULL;
}

/* SQLite's slot for "$idx" (0 = no such parameter: the bind is ignored,
 * which the statement's own tests catch as a missing value). */
static int slot(const struct db_stmt *st, int idx)
{
    return (idx >= 1 && idx <= DB_PARAMS_MAX) ? st->param_index[idx] : 0;
}

static void sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(st->native, slot(st, idx), v);
}

static void sq_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
    sqlite3_bind_text64(st->native, slot(st, idx), p ? p : "", len, SQLITE_STATIC, SQLITE_UTF8);
}

static void sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    sqlite3_bind_blob64(st->native, slot(st, idx), p ? p : "", len, SQLITE_STATIC);
}

static void sq_bind_null(struct db_stmt *st, int idx)
{
    sqlite3_bind_null(st->native, slot(st, idx));
}

static enum err sq_step(struct db_stmt *st, bool *has_row)
{
    int rc = sqlite3_step(st->native);
    if (rc == SQLITE_ROW) {
        *has_row = true;
        return ERR_OK;
    }
    *has_row = false;
    if (rc == SQLITE_DONE) {
        return ERR_OK;
    }
    int ext = sqlite3_extended_errcode(conn(st->db));
    snprintf(st->db->errbuf, sizeof(st->db->errbuf), "%s", sqlite3_errmsg(conn(st->db)));
    sqlite3_reset(st->native);
    return map_rc(st->db, ext);
}

static int64_t sq_col_int64(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(st->native, col);
}

static const char *sq_col_text(struct db_stmt *st, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(st->native, col);
    *len = (size_t)sqlite3_column_bytes(st->native, col);
    return t ? (const char *)t : "";
}

static const void *sq_col_blob(struct db_stmt *st, int col, size_t *len)
{
    const void *b = sqlite3_column_blob(st->native, col);
    *len = (size_t)sqlite3_column_bytes(st->native, col);
    return b ? b : "";
}

static bool sq_col_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(st->native, col) == SQLITE_NULL;
}

static void sq_reset(struct db_stmt *st)
{
    if (st->native != NULL) {
        sqlite3_reset(st->native);
        sqlite3_clear_bindings(st->native);
    }
}

static int64_t sq_last_insert_id(struct db *db)
{
    return sqlite3_last_insert_rowid(conn(db));
}

static const char *sq_errmsg(struct db *db)
{
    return db->errbuf[0] ? db->errbuf : sqlite3_errmsg(conn(db));
}

static void sq_close(struct db *db)
{
    if (sqlite3_close(conn(db)) != SQLITE_OK) {
        log_error("sqlite close: %s", sqlite3_errmsg(conn(db)));
    }
    db->native = NULL;
}

/* Copies every page from src to dst in one step; both stay usable. */
static enum err copy_database(struct db *db, sqlite3 *dst, sqlite3 *src)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s", sqlite3_errmsg(dst));
        return ERR_DB;
    }
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(db->errbuf, sizeof(db->errbuf), "backup: %s", sqlite3_errstr(rc));
        return map_rc(db, rc);
    }
    return ERR_OK;
}

static enum err sq_backup_to(struct db *db, const char *path)
{
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(path, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    enum err e = rc == SQLITE_OK ? copy_database(db, out, conn(db)) : ERR_IO;
    sqlite3_close(out);
    return e;
}

static enum err sq_restore_from(struct db *db, const char *path)
{
    sqlite3 *in = NULL;
    int rc = sqlite3_open_v2(path, &in, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(in);
        return ERR_NOT_FOUND;
    }
    /* Refuse anything that is not a Huzhu backup before overwriting. */
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(in, "SELECT MAX(version) FROM schema_migrations", -1, &st, NULL);
    bool ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    enum err e = ok ? copy_database(db, conn(db), in) : ERR_INVALID;
    sqlite3_close(in);
    return e;
}

static bool sq_is_alive(struct db *db)
{
    (void)db;
    return true;
}

static const struct db_ops sqlite_ops = {
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_is_null = sq_col_is_null,
    .reset = sq_reset,
    .last_insert_id = sq_last_insert_id,
    .errmsg = sq_errmsg,
    .close = sq_close,
    .backup_to = sq_backup_to,
    .restore_from = sq_restore_from,
    .is_alive = sq_is_alive,
};

/*
 * Process-wide settings, once, before SQLite initialises itself. Memory
 * statistics put a global mutex around every allocation; nothing here reads
 * them.
 */
static void sqlite_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_initialize();
}

enum err db_sqlite_open(const char *path, const struct store_options *opt, struct db *db)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    (void)pthread_once(&configured, sqlite_configure);
    sqlite3 *s = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (opt->create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s: %s", path,
                 s ? sqlite3_errmsg(s) : sqlite3_errstr(rc));
        sqlite3_close(s);
        return rc == SQLITE_CANTOPEN ? ERR_NOT_FOUND : ERR_IO;
    }
    db->backend = STORE_SQLITE;
    db->ops = &sqlite_ops;
    db->native = s;
    sqlite3_extended_result_codes(s, 1);
    sqlite3_busy_timeout(s, (int)(opt->busy_timeout_ms ? opt->busy_timeout_ms : 5000));
    enum err e = sq_exec(db, "PRAGMA journal_mode=WAL;"
                             "PRAGMA synchronous=FULL;"
                             "PRAGMA foreign_keys=ON;"
                             "PRAGMA temp_store=MEMORY;"
                             "PRAGMA cache_size=-" SQLITE_CACHE_KIB ";");
    if (e != ERR_OK) {
        sqlite3_close(s);
        db->native = NULL;
        return e;
    }
    return ERR_OK;
}
