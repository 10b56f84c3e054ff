/*
 * db: the driver layer under store/, one connection to SQLite or PostgreSQL
 * behind one small API, so every store operation is written once.
 *
 * SQL is written portably with $1, $2, ... parameters, in any order and
 * repeated if need be (SQLite reads "$N" as a named parameter; the driver
 * maps each name to its slot; PostgreSQL reads it natively). Statements are prepared
 * once per connection and cached by the address of their SQL text, so SQL
 * must be a string literal (static storage).
 *
 * Values cross as int64, text (ptr, len) or blob; booleans are stored as
 * integers 0/1 on both backends, dates as 'YYYY-MM-DD' text, money as int64.
 *
 * Usage:
 *     struct db_stmt *st;
 *     e = db_prepare(db, "SELECT name FROM org WHERE code = $1", &st);
 *     db_bind_text(st, 1, code, code_len);
 *     while ((e = db_step(st, &row)) == ERR_OK && row) { ... db_col_text(st, 0, &len) ... }
 *     db_reset(st);
 */
#ifndef HUZHU_STORE_DB_H
#define HUZHU_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

struct db;
struct db_stmt;

#define DB_PARAMS_MAX 32     /* parameters per statement; our widest insert has < 20 */
#define DB_STMT_CACHE_MAX 256 /* distinct statements per connection */

/* Opens one connection. SQLite: path, WAL, foreign keys, busy timeout,
 * synchronous=FULL (money must survive power loss). PG: a libpq URL. */
enum err db_open(const char *url, const struct store_options *opt, struct db **out) WARN_UNUSED;
void db_close(struct db *db);
enum store_backend db_backend(const struct db *db);

/* Runs SQL text without parameters; may hold several statements (migrations). */
enum err db_exec(struct db *db, const char *sql) WARN_UNUSED;

/* Transactions. db_begin takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE) so two writers never deadlock on upgrade; on PostgreSQL it is
 * REPEATABLE READ and a serialization failure answers ERR_RETRY. */
enum err db_begin(struct db *db) WARN_UNUSED;
enum err db_commit(struct db *db) WARN_UNUSED;
/* Always safe to call; a no-op when no transaction is open. */
void db_rollback(struct db *db);

/* Cached prepared statement for a static SQL string. The statement is reset
 * and its bindings cleared. */
enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out) WARN_UNUSED;

void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
/* Text is copied at bind time only on PostgreSQL; (ptr, len) must stay valid
 * until db_step on SQLite. */
void db_bind_text(struct db_stmt *st, int idx, const char *ptr, size_t len);
void db_bind_blob(struct db_stmt *st, int idx, const void *ptr, size_t len);
void db_bind_null(struct db_stmt *st, int idx);

/* Binds a NUL-terminated string, or SQL NULL when s is NULL. */
void db_bind_str(struct db_stmt *st, int idx, const char *s);

/* Advances to the next row: *has_row true with a row, false when done.
 * ERR_EXISTS on a unique violation, ERR_CONFLICT on another constraint
 * (foreign key, check, trigger refusal), ERR_RETRY on a serialization
 * failure or deadlock, ERR_DB_BUSY when SQLite stayed locked, ERR_DB else. */
enum err db_step(struct db_stmt *st, bool *has_row) WARN_UNUSED;

/* Executes a statement that returns no rows (or ignores them). */
enum err db_step_done(struct db_stmt *st) WARN_UNUSED;

/* Runs a statement that yields one row whose column 0 is an id (INSERT ...
 * RETURNING id, or a lookup) and resets it; ERR_NOT_FOUND without a row. */
enum err db_step_id(struct db_stmt *st, int64_t *out_id) WARN_UNUSED;

/* Columns of the current row, 0-based. Text is valid until the next step or
 * reset; NULL columns read as 0 / "" (len 0) and db_col_is_null says so. */
int64_t db_col_int64(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col, size_t *len);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
bool db_col_is_null(struct db_stmt *st, int col);

/* Ends use of a statement so locks are released; bindings are cleared. */
void db_reset(struct db_stmt *st);

/* Row id of the last insert (SQLite) — on PostgreSQL use RETURNING id. */
int64_t db_last_insert_id(struct db *db);

/* Whole-database copy to / from a file: SQLite's online backup API, or
 * pg_dump -Fc / pg_restore for PostgreSQL (found on PATH). */
enum err db_backup_to(struct db *db, const char *path) WARN_UNUSED;
enum err db_restore_from(struct db *db, const char *path) WARN_UNUSED;

/* True while the connection is usable (PostgreSQL may lose it). */
bool db_is_alive(struct db *db);

/* Backend's detail of the last error, for the log only (never clients). */
const char *db_errmsg(struct db *db);

#endif
