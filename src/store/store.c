/*
 * store: the connection pool and schema management.
 *
 * Invariant: a connection is in use by at most one caller; store_acquire
 * blocks on a condition variable until one is free. The pool is sized by the
 * caller to the number of server threads, so waits are short.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/log.h"
#include "store/migrate.h"
#include "store/store_impl.h"

#define STORE_POOL_MAX 128 /* far above any thread count we run with */

struct store {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    enum store_backend backend;
    unsigned size;                            /* connections in conns[] */
    struct store_conn conns[STORE_POOL_MAX];
};

enum err store_open(const char *url, const struct store_options *opt, struct store **out)
{
    unsigned size = opt->pool_size == 0 ? 1 : opt->pool_size;
    if (size > STORE_POOL_MAX) {
        return ERR_RANGE;
    }
    struct store *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return ERR_NOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    enum err e = ERR_OK;
    for (unsigned i = 0; i < size && e == ERR_OK; i++) {
        e = db_open(url, opt, &s->conns[i].db);
        if (e == ERR_OK) {
            s->conns[i].owner = s;
            s->size = i + 1;
        }
    }
    if (e != ERR_OK) {
        store_close(s);
        return e;
    }
    s->backend = db_backend(s->conns[0].db);
    *out = s;
    return ERR_OK;
}

void store_close(struct store *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned i = 0; i < s->size; i++) {
        ASSERT(!s->conns[i].in_use);
        db_close(s->conns[i].db);
    }
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

enum store_backend store_backend(const struct store *s)
{
    return s->backend;
}

int store_schema_latest(void)
{
    return migrate_latest();
}

enum err store_migrate(struct store *s, int *out_version)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e != ERR_OK) {
        return e;
    }
    e = migrate_apply(c->db, out_version);
    store_release(c);
    return e;
}

enum err store_check_schema(struct store *s, int *out_version)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e != ERR_OK) {
        return e;
    }
    e = migrate_current(c->db, out_version);
    store_release(c);
    if (e == ERR_OK && *out_version != migrate_latest()) {
        return ERR_DB_SCHEMA;
    }
    return e;
}

enum err store_acquire(struct store *s, struct store_conn **out)
{
    pthread_mutex_lock(&s->lock);
    for (;;) {
        for (unsigned i = 0; i < s->size; i++) {
            if (!s->conns[i].in_use) {
                s->conns[i].in_use = true;
                pthread_mutex_unlock(&s->lock);
                *out = &s->conns[i];
                return ERR_OK;
            }
        }
        pthread_cond_wait(&s->freed, &s->lock);
    }
}

void store_release(struct store_conn *c)
{
    if (c == NULL) {
        return;
    }
    struct store *s = c->owner;
    db_rollback(c->db); /* a caller that bailed out mid-transaction leaves nothing open */
    pthread_mutex_lock(&s->lock);
    ASSERT(c->in_use);
    c->in_use = false;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

static const char sql_health[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

enum err store_health(struct store_conn *c, struct store_health *out)
{
    out->backend = db_backend(c->db) == STORE_PG ? "postgresql" : "sqlite";
    out->schema_version = 0;
    out->ok = false;
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_health, &st);
    if (e == ERR_OK) {
        e = db_step(st, &row);
        if (e == ERR_OK && row) {
            out->schema_version = (int)db_col_int64(st, 0);
            out->ok = true;
        }
        db_reset(st);
    }
    return e;
}
