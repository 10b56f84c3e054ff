/*
 * store: the only part of Huzhu that speaks SQL.
 *
 * A struct store is a pool of connections to one database, chosen by URL:
 * a file path (SQLite, WAL mode) or postgresql://... (libpq). Callers take a
 * connection for the length of one request or one command with
 * store_acquire() and give it back with store_release(); a connection is
 * used by one thread at a time. Domain operations (store_*.h) take a
 * struct store_conn and run in one short transaction each.
 */
#ifndef HUZHU_STORE_STORE_H
#define HUZHU_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct store;
struct store_conn;

enum store_backend { STORE_SQLITE, STORE_PG };

struct store_options {
    unsigned pool_size;       /* connections; >= server worker threads */
    unsigned busy_timeout_ms; /* SQLite: wait on a locked database this long */
    bool create;              /* SQLite: create the file if missing */
};

/* Opens a pool on url. Does not migrate: a database whose schema is older
 * than this binary's answers ERR_DB_SCHEMA from store_check_schema(). */
enum err store_open(const char *url, const struct store_options *opt, struct store **out) WARN_UNUSED;

/* Closes every connection. All connections must have been released. */
void store_close(struct store *s);

enum store_backend store_backend(const struct store *s);

/* Applies every migration newer than the database's, all in one transaction,
 * and records each. *out_version gets the resulting schema version. */
enum err store_migrate(struct store *s, int *out_version) WARN_UNUSED;

/* Schema version this binary needs. */
int store_schema_latest(void);

/* ERR_OK when the database schema is exactly the binary's; ERR_DB_SCHEMA
 * when it is older (run `huzhu init`) or newer (upgrade the binary). */
enum err store_check_schema(struct store *s, int *out_version) WARN_UNUSED;

/* Takes a connection from the pool, waiting if all are busy. */
enum err store_acquire(struct store *s, struct store_conn **out) WARN_UNUSED;
void store_release(struct store_conn *c);

/* Health: the database answers a trivial query. */
struct store_health {
    const char *backend; /* "sqlite" or "postgresql" (static string) */
    int schema_version;  /* version recorded in the database */
    bool ok;             /* a round trip to the database succeeded */
};
enum err store_health(struct store_conn *c, struct store_health *out) WARN_UNUSED;

/*
 * Runs fn(c, ctx) in one transaction and commits it. When the backend reports
 * a serialization failure or deadlock (ERR_RETRY, PostgreSQL 40001/40P01) or
 * SQLite stayed busy, the transaction is rolled back and run again, at most
 * STORE_TX_ATTEMPTS times with a short growing pause; fn must therefore have
 * no effect outside the database (or be idempotent). Any other error rolls
 * back and is returned as is.
 */
#define STORE_TX_ATTEMPTS 5
enum err store_with_tx(struct store_conn *c, enum err (*fn)(struct store_conn *c, void *ctx),
                       void *ctx) WARN_UNUSED;

/* Read-only connections: with a replica configured (store_open_replica), a
 * connection to it; else, or while the replica is down, one to the primary.
 * *from_replica says which. Use for reports and dashboards only: a replica
 * may lag the primary by a moment. */
enum err store_open_replica(struct store *s, const char *url) WARN_UNUSED;
enum err store_acquire_read(struct store *s, struct store_conn **out, bool *from_replica) WARN_UNUSED;

/* Marks a read connection whose query failed with ERR_IO as broken so the
 * next store_acquire_read reconnects or falls back to the primary. */
void store_conn_mark_broken(struct store_conn *c);

/* Copies the whole database to path (SQLite online backup API; pg_dump -Fc
 * for PostgreSQL). The copy is consistent even while the server runs. */
enum err store_backup(struct store *s, const char *path) WARN_UNUSED;

/* Replaces the database's contents with a backup made by store_backup.
 * SQLite: the target file must not be in use by a server. */
enum err store_restore(struct store *s, const char *path) WARN_UNUSED;

#endif
