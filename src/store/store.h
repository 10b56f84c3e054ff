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

#endif
