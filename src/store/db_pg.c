/*
 * db_pg: the PostgreSQL backend of the driver, on libpq.
 *
 * Statements are prepared on the server once per connection (named "sN").
 * Parameters are sent as text except blobs (binary); results come back as
 * text, and bytea is decoded on read. A statement executes on its first
 * db_step and the rows are then walked from the PGresult.
 * SQLSTATE is translated here: 23505 -> ERR_EXISTS, other 23xxx and
 * trigger exceptions -> ERR_CONFLICT, 40001/40P01 -> ERR_RETRY.
 */
#include <inttypes.h>
#include <spawn.h>
#include <sys/wait.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/db_impl.h"

#define DB_BLOB_COLS 64 /* columns whose bytea can be decoded per row (any of the first 64) */

struct pg_stmt {
    char name[16];                      /* server-side statement name */
    int nparams;                        /* highest parameter index bound */
    char *values[DB_PARAMS_MAX];        /* owned copies of bound values */
    int lengths[DB_PARAMS_MAX];         /* byte lengths (binary params) */
    int formats[DB_PARAMS_MAX];         /* 0 text, 1 binary */
    char int_buf[DB_PARAMS_MAX][24];    /* int64 text without malloc */
    bool owned[DB_PARAMS_MAX];          /* values[i] was malloc'ed */
    PGresult *res;                      /* rows of the current execution */
    int row;                            /* current row in res, -1 before first */
    unsigned char *blobs[DB_BLOB_COLS]; /* decoded bytea per column (PQfreemem) */
    size_t blob_lens[DB_BLOB_COLS];     /* their lengths */
};

static PGconn *conn(struct db *db)
{
    return db->native;
}

static enum err map_sqlstate(const char *state)
{
    if (state == NULL) {
        return ERR_DB;
    }
    if (strcmp(state, "23505") == 0) {
        return ERR_EXISTS;
    }
    if (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0) {
        return ERR_CONFLICT;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        return ERR_RETRY;
    }
    if (strncmp(state, "08", 2) == 0) {
        return ERR_IO;
    }
    if (strcmp(state, "54000") == 0 || strcmp(state, "22001") == 0) {
        return ERR_TOO_LARGE;
    }
    return ERR_DB;
}

static enum err check_result(struct db *db, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        return ERR_OK;
    }
    snprintf(db->errbuf, sizeof(db->errbuf), "%s",
             res ? PQresultErrorMessage(res) : PQerrorMessage(conn(db)));
    /* A lost connection (server stopped, network gone) reports no SQLSTATE:
     * say ERR_IO so read-replica callers fall back to the primary. */
    if (res == NULL || PQstatus(conn(db)) == CONNECTION_BAD) {
        return ERR_IO;
    }
    return map_sqlstate(PQresultErrorField(res, PG_DIAG_SQLSTATE));
}

static enum err pg_exec(struct db *db, const char *sql)
{
    PGresult *res = PQexec(conn(db), sql);
    enum err e = check_result(db, res);
    PQclear(res);
    return e;
}

static void clear_params(struct pg_stmt *p)
{
    for (int i = 0; i < DB_PARAMS_MAX; i++) {
        if (p->owned[i]) {
            free(p->values[i]);
        }
        p->values[i] = NULL;
        p->owned[i] = false;
        p->lengths[i] = 0;
        p->formats[i] = 0;
    }
    p->nparams = 0;
}

static void clear_blobs(struct pg_stmt *p)
{
    for (int i = 0; i < DB_BLOB_COLS; i++) {
        if (p->blobs[i] != NULL) {
            PQfreemem(p->blobs[i]);
            p->blobs[i] = NULL;
        }
    }
}

static void clear_result(struct pg_stmt *p)
{
    PQclear(p->res);
    p->res = NULL;
    p->row = -1;
    clear_blobs(p);
}

static enum err pg_prepare(struct db *db, const char *sql, struct db_stmt *st)
{
    struct pg_stmt *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return ERR_NOMEM;
    }
    snprintf(p->name, sizeof(p->name), "s%zu", db->nstmts);
    p->row = -1;
    PGresult *res = PQprepare(conn(db), p->name, sql, 0, NULL);
    enum err e = check_result(db, res);
    PQclear(res);
    if (e != ERR_OK) {
        free(p);
        return e;
    }
    st->native = p;
    return ERR_OK;
}

static void pg_finalize(struct db_stmt *st)
{
    struct pg_stmt *p = st->native;
    if (p == NULL) {
        return;
    }
    clear_result(p);
    clear_params(p);
    free(p);
    st->native = NULL;
}

static struct pg_stmt *param_slot(struct db_stmt *st, int idx)
{
    struct pg_stmt *p = st->native;
    if (idx < 1 || idx > DB_PARAMS_MAX) {
        log_error("parameter index %d out of range", idx);
        abort(); /* a programming error in store SQL, found by any test */
    }
    if (p->owned[idx - 1]) {
        free(p->values[idx - 1]);
        p->owned[idx - 1] = false;
    }
    if (idx > p->nparams) {
        p->nparams = idx;
    }
    return p;
}

static void pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    struct pg_stmt *p = param_slot(st, idx);
    snprintf(p->int_buf[idx - 1], sizeof(p->int_buf[0]), "%" PRId64, v);
    p->values[idx - 1] = p->int_buf[idx - 1];
    p->formats[idx - 1] = 0;
}

static void pg_bind_copy(struct db_stmt *st, int idx, const void *ptr, size_t len, int format)
{
    struct pg_stmt *p = param_slot(st, idx);
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        log_error("out of memory binding a parameter");
        abort();
    }
    if (len > 0) {
        memcpy(copy, ptr, len);
    }
    copy[len] = '\0';
    p->values[idx - 1] = copy;
    p->owned[idx - 1] = true;
    p->lengths[idx - 1] = (int)len;
    p->formats[idx - 1] = format;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *ptr, size_t len)
{
    pg_bind_copy(st, idx, ptr, len, 0);
}

static void pg_bind_blob(struct db_stmt *st, int idx, const void *ptr, size_t len)
{
    pg_bind_copy(st, idx, ptr, len, 1);
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
    struct pg_stmt *p = param_slot(st, idx);
    p->values[idx - 1] = NULL;
}

static enum err pg_step(struct db_stmt *st, bool *has_row)
{
    struct pg_stmt *p = st->native;
    *has_row = false;
    if (p->res == NULL) {
        p->res = PQexecPrepared(conn(st->db), p->name, p->nparams,
                                (const char *const *)p->values, p->lengths, p->formats, 0);
        enum err e = check_result(st->db, p->res);
        if (e != ERR_OK) {
            clear_result(p);
            return e;
        }
        p->row = -1;
    }
    clear_blobs(p); /* blobs of the previous row */
    if (p->row + 1 < PQntuples(p->res)) {
        p->row++;
        *has_row = true;
    }
    return ERR_OK;
}

static int64_t pg_col_int64(struct db_stmt *st, int col)
{
    struct pg_stmt *p = st->native;
    if (p->res == NULL || p->row < 0 || PQgetisnull(p->res, p->row, col)) {
        return 0;
    }
    return strtoll(PQgetvalue(p->res, p->row, col), NULL, 10);
}

static const char *pg_col_text(struct db_stmt *st, int col, size_t *len)
{
    struct pg_stmt *p = st->native;
    if (p->res == NULL || p->row < 0 || PQgetisnull(p->res, p->row, col)) {
        *len = 0;
        return "";
    }
    *len = (size_t)PQgetlength(p->res, p->row, col);
    return PQgetvalue(p->res, p->row, col);
}

static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
    struct pg_stmt *p = st->native;
    *len = 0;
    if (col < 0 || col >= DB_BLOB_COLS) {
        log_error("bytea column %d is past DB_BLOB_COLS (%d): move it earlier", col, DB_BLOB_COLS);
        abort(); /* a programming error in store SQL, found by any test that reads it */
    }
    if (p->res == NULL || p->row < 0 || PQgetisnull(p->res, p->row, col)) {
        return "";
    }
    if (p->blobs[col] == NULL) {
        size_t n = 0;
        p->blobs[col] =
            PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col), &n);
        if (p->blobs[col] == NULL) {
            return "";
        }
        p->blob_lens[col] = n;
    }
    *len = p->blob_lens[col];
    return p->blobs[col];
}

static bool pg_col_is_null(struct db_stmt *st, int col)
{
    struct pg_stmt *p = st->native;
    return p->res == NULL || p->row < 0 || PQgetisnull(p->res, p->row, col);
}

static void pg_reset(struct db_stmt *st)
{
    struct pg_stmt *p = st->native;
    if (p != NULL) {
        clear_result(p);
        clear_params(p);
    }
}

static int64_t pg_last_insert_id(struct db *db)
{
    (void)db;
    return -1; /* PostgreSQL: use INSERT ... RETURNING id */
}

static const char *pg_errmsg(struct db *db)
{
    return db->errbuf[0] ? db->errbuf : PQerrorMessage(conn(db));
}

static void pg_close(struct db *db)
{
    PQfinish(conn(db));
    db->native = NULL;
}

extern char **environ;

/* Runs a PostgreSQL client tool (argv[0] on PATH) and waits for it. */
static enum err run_tool(struct db *db, char *const argv[])
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s: cannot run (is it installed?)", argv[0]);
        return ERR_IO;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(db->errbuf, sizeof(db->errbuf), "%s failed (status %d)", argv[0], status);
        return ERR_IO;
    }
    return ERR_OK;
}

static enum err pg_backup_to(struct db *db, const char *path)
{
    char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--file", (char *)path,
                    "--dbname", db->url, NULL};
    return run_tool(db, argv);
}

static enum err pg_restore_from(struct db *db, const char *path)
{
    /* --clean in one transaction: either the database is the backup's, or it
     * is untouched. */
    char *argv[] = {"pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error",
                    "--single-transaction", "--dbname", db->url, (char *)path, NULL};
    return run_tool(db, argv);
}

static bool pg_is_alive(struct db *db)
{
    if (PQstatus(conn(db)) == CONNECTION_OK) {
        return true;
    }
    PQreset(conn(db));
    return PQstatus(conn(db)) == CONNECTION_OK;
}

static const struct db_ops pg_ops = {
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_is_null = pg_col_is_null,
    .reset = pg_reset,
    .last_insert_id = pg_last_insert_id,
    .errmsg = pg_errmsg,
    .close = pg_close,
    .backup_to = pg_backup_to,
    .restore_from = pg_restore_from,
    .is_alive = pg_is_alive,
};

static void pg_notice_quiet(void *arg, const char *message)
{
    (void)arg;
    log_debug("postgresql: %s", message);
}

enum err db_pg_open(const char *url, struct db *db)
{
    PGconn *c = PQconnectdb(url);
    if (c == NULL) {
        return ERR_NOMEM;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        /* libpq's message may name host and user; it goes to the log only. */
        snprintf(db->errbuf, sizeof(db->errbuf), "%s", PQerrorMessage(c));
        PQfinish(c);
        return ERR_IO;
    }
    PQsetNoticeProcessor(c, pg_notice_quiet, NULL);
    db->backend = STORE_PG;
    db->ops = &pg_ops;
    db->native = c;
    enum err e = pg_exec(db, "SET client_encoding = 'UTF8'; SET TIME ZONE 'Asia/Shanghai'");
    if (e != ERR_OK) {
        PQfinish(c);
        db->native = NULL;
    }
    return e;
}
