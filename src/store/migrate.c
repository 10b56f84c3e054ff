/*
 * migrate: applies the embedded migrations in one transaction, so a failed
 * upgrade leaves the database exactly as it was. On PostgreSQL an advisory
 * lock keeps two servers from migrating at once; SQLite's BEGIN IMMEDIATE
 * does the same.
 */
#include "store/migrate.h"

#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "core/log.h"
#include "store/db.h"

static const char sql_bootstrap[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";

static const char sql_current[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char sql_record[] = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
static const char sql_has_table[] =
    "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    " AND table_schema = current_schema()";
static const char sql_has_table_sqlite[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

static const struct migration *table_for(struct db *db, size_t *count)
{
    if (db_backend(db) == STORE_PG) {
        *count = migrations_pg_count;
        return migrations_pg;
    }
    *count = migrations_sqlite_count;
    return migrations_sqlite;
}

int migrate_latest(void)
{
    ASSERT(migrations_sqlite_count == migrations_pg_count);
    return migrations_sqlite[migrations_sqlite_count - 1].version;
}

static enum err query_int(struct db *db, const char *sql, int *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(db, sql, &st);
    if (e == ERR_OK) {
        e = db_step(st, &row);
        *out = (e == ERR_OK && row) ? (int)db_col_int64(st, 0) : 0;
        db_reset(st);
    }
    return e;
}

enum err migrate_current(struct db *db, int *out_version)
{
    int has = 0;
    enum err e = query_int(
        db, db_backend(db) == STORE_PG ? sql_has_table : sql_has_table_sqlite, &has);
    if (e != ERR_OK) {
        return e;
    }
    if (has == 0) {
        *out_version = 0;
        return ERR_OK;
    }
    return query_int(db, sql_current, out_version);
}

enum err migrate_apply(struct db *db, int *out_version)
{
    size_t count;
    const struct migration *m = table_for(db, &count);
    enum err e = db_begin(db);
    if (e != ERR_OK) {
        return e;
    }
    if (db_backend(db) == STORE_PG) {
        e = db_exec(db, "SELECT pg_advisory_xact_lock(724873)"); /* 'huzhu' migrations */
    }
    if (e == ERR_OK) {
        e = db_exec(db, sql_bootstrap);
    }
    int version = 0;
    if (e == ERR_OK) {
        e = query_int(db, sql_current, &version);
    }
    if (e == ERR_OK && version > m[count - 1].version) {
        log_error("database schema %d is newer than this binary's %d", version,
                  m[count - 1].version);
        e = ERR_DB_SCHEMA;
    }
    for (size_t i = 0; e == ERR_OK && i < count; i++) {
        if (m[i].version <= version) {
            continue;
        }
        ASSERT(i == 0 || m[i].version == m[i - 1].version + 1);
        e = db_exec(db, m[i].sql);
        if (e != ERR_OK) {
            log_error("migration %s failed: %s", m[i].name, db_errmsg(db));
            break;
        }
        struct db_stmt *st;
        e = db_prepare(db, sql_record, &st);
        if (e == ERR_OK) {
            db_bind_int64(st, 1, m[i].version);
            db_bind_text(st, 2, m[i].name, strlen(m[i].name));
            e = db_step_done(st);
        }
        if (e == ERR_OK) {
            log_info("applied migration %s", m[i].name);
            version = m[i].version;
        }
    }
    if (e != ERR_OK) {
        db_rollback(db);
        return e;
    }
    e = db_commit(db);
    if (e == ERR_OK) {
        *out_version = version;
    }
    return e;
}
