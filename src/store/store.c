/*
 * store: connection pools and schema management.
 *
 * A store has a primary pool and, optionally, a read pool on a streaming
 * replica. Invariant: a connection is in use by at most one caller;
 * acquiring blocks on a condition variable until one is free. Pools are
 * sized by the caller to the number of server threads, so waits are short.
 * The replica is best effort: when it fails, reads go to the primary for
 * STORE_REPLICA_RETRY_S seconds, then the replica is tried again.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/assert.h"
#include "core/log.h"
#include "store/migrate.h"
#include "store/store_impl.h"

#define STORE_POOL_MAX 128      /* far above any thread count we run with */
#define STORE_REPLICA_RETRY_S 5 /* how long a failed replica is left alone */

struct pool {
    unsigned size;                           /* connections in conns[] */
    struct store_conn conns[STORE_POOL_MAX]; /* db == NULL: not connected (replica) */
};

struct store {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    enum store_backend backend;
    struct store_options opt;
    struct pool primary;
    struct pool replica;        /* size 0 without a replica */
    char replica_url[1024];
    time_t replica_down_until;  /* reads skip the replica until then */
};

static enum err pool_fill(struct store *s, struct pool *p, const char *url, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        enum err e = db_open(url, &s->opt, &p->conns[i].db);
        if (e != ERR_OK) {
            return e;
        }
        p->conns[i].owner = s;
        p->size = i + 1;
    }
    return ERR_OK;
}

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
    s->opt = *opt;
    s->opt.pool_size = size;
    enum err e = pool_fill(s, &s->primary, url, size);
    if (e != ERR_OK) {
        store_close(s);
        return e;
    }
    s->backend = db_backend(s->primary.conns[0].db);
    *out = s;
    return ERR_OK;
}

enum err store_open_replica(struct store *s, const char *url)
{
    if (strlen(url) >= sizeof(s->replica_url)) {
        return ERR_TOO_LARGE;
    }
    memcpy(s->replica_url, url, strlen(url) + 1);
    struct store_options ro = s->opt;
    ro.create = false;
    s->replica.size = s->opt.pool_size;
    for (unsigned i = 0; i < s->replica.size; i++) {
        s->replica.conns[i].owner = s;
    }
    /* Connect now so a wrong URL is reported at start; a replica that is
     * merely down is retried later. */
    enum err e = db_open(url, &ro, &s->replica.conns[0].db);
    if (e != ERR_OK) {
        s->replica.size = 0;
    }
    return e;
}

static void pool_close(struct pool *p)
{
    for (unsigned i = 0; i < p->size; i++) {
        ASSERT(!p->conns[i].in_use);
        db_close(p->conns[i].db);
        p->conns[i].db = NULL;
    }
    p->size = 0;
}

void store_close(struct store *s)
{
    if (s == NULL) {
        return;
    }
    pool_close(&s->primary);
    pool_close(&s->replica);
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

/* Takes a free connection of p, or NULL. Caller holds s->lock. */
static struct store_conn *pool_take(struct pool *p)
{
    for (unsigned i = 0; i < p->size; i++) {
        if (!p->conns[i].in_use) {
            p->conns[i].in_use = true;
            return &p->conns[i];
        }
    }
    return NULL;
}

enum err store_acquire(struct store *s, struct store_conn **out)
{
    pthread_mutex_lock(&s->lock);
    struct store_conn *c;
    while ((c = pool_take(&s->primary)) == NULL) {
        pthread_cond_wait(&s->freed, &s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    *out = c;
    return ERR_OK;
}

enum err store_acquire_read(struct store *s, struct store_conn **out, bool *from_replica)
{
    *from_replica = false;
    pthread_mutex_lock(&s->lock);
    bool try_replica = s->replica.size > 0 && time(NULL) >= s->replica_down_until;
    struct store_conn *c = try_replica ? pool_take(&s->replica) : NULL;
    pthread_mutex_unlock(&s->lock);
    if (c != NULL) {
        enum err e = ERR_OK;
        if (c->db == NULL) {
            struct store_options ro = s->opt;
            ro.create = false;
            e = db_open(s->replica_url, &ro, &c->db);
        } else if (!db_is_alive(c->db)) {
            e = ERR_IO;
        }
        if (e == ERR_OK) {
            *from_replica = true;
            *out = c;
            return ERR_OK;
        }
        log_warn("read replica unavailable; reading from the primary for %d s",
                 STORE_REPLICA_RETRY_S);
        store_conn_mark_broken(c);
        store_release(c);
    }
    return store_acquire(s, out);
}

void store_conn_mark_broken(struct store_conn *c)
{
    struct store *s = c->owner;
    if (c < s->replica.conns || c >= s->replica.conns + STORE_POOL_MAX) {
        return; /* primary connections are never dropped: errors surface */
    }
    db_close(c->db);
    c->db = NULL;
    pthread_mutex_lock(&s->lock);
    s->replica_down_until = time(NULL) + STORE_REPLICA_RETRY_S;
    pthread_mutex_unlock(&s->lock);
}

void store_release(struct store_conn *c)
{
    if (c == NULL) {
        return;
    }
    struct store *s = c->owner;
    if (c->db != NULL) {
        db_rollback(c->db); /* a caller that bailed out mid-transaction leaves nothing open */
    }
    pthread_mutex_lock(&s->lock);
    ASSERT(c->in_use);
    c->in_use = false;
    pthread_cond_broadcast(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

enum err store_with_tx(struct store_conn *c, enum err (*fn)(struct store_conn *c, void *ctx),
                       void *ctx)
{
    enum err e = ERR_RETRY;
    for (int attempt = 1; attempt <= STORE_TX_ATTEMPTS; attempt++) {
        e = db_begin(c->db);
        if (e == ERR_OK) {
            e = fn(c, ctx);
            if (e == ERR_OK) {
                e = db_commit(c->db);
            } else {
                db_rollback(c->db);
            }
        }
        if (e != ERR_RETRY && e != ERR_DB_BUSY) {
            return e;
        }
        log_warn("transaction attempt %d of %d: %s, retrying", attempt, STORE_TX_ATTEMPTS,
                 err_str(e));
        usleep((useconds_t)(attempt * attempt * 2000)); /* 2, 8, 18, 32 ms */
    }
    return e;
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

enum err store_backup(struct store *s, const char *path)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e == ERR_OK) {
        e = db_backup_to(c->db, path);
        store_release(c);
    }
    return e;
}

enum err store_restore(struct store *s, const char *path)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e == ERR_OK) {
        e = db_restore_from(c->db, path);
        store_release(c);
    }
    return e;
}
