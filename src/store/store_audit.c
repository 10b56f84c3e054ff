/*
 * store_audit: SQL for audit_event and audit_head.
 * The head row is moved with "UPDATE ... RETURNING", which takes its row
 * lock on PostgreSQL (a second appender waits, then fails with a
 * serialization error that store_with_tx retries) and needs no
 * backend-specific "FOR UPDATE"; on SQLite BEGIN IMMEDIATE already
 * serialises writers. Listing is keyset-paginated by seq.
 */
#include "store/store_audit.h"

#include <stdint.h>
#include <string.h>

#include "store/store_impl.h"

static void bind_opt_text(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL) {
        s = "";
    }
    db_bind_text(st, idx, s, strlen(s));
}

static void bind_opt_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, id);
    }
}

static void copy_text(struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(out, p, len);
    out[len] = '\0';
}

/* Copies a hash column; a blob of the wrong size reads as zeros plus what
 * fits, which never matches a computed hash. */
static void copy_hash(struct db_stmt *st, int col, unsigned char out[STORE_AUDIT_HASH_BYTES])
{
    size_t len;
    const unsigned char *p = db_col_blob(st, col, &len);
    memset(out, 0, STORE_AUDIT_HASH_BYTES);
    if (len == STORE_AUDIT_HASH_BYTES) {
        memcpy(out, p, len);
    }
}

enum err store_audit_lock_chain(struct store_conn *c)
{
    if (db_backend(c->db) != STORE_PG) {
        return ERR_OK;
    }
    return db_exec(c->db, "LOCK TABLE audit_head IN EXCLUSIVE MODE");
}

static const char sql_head_advance[] =
    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";

enum err store_audit_head_advance(struct store_conn *c, int64_t *out_seq,
                                  unsigned char prev_hash[STORE_AUDIT_HASH_BYTES])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_head_advance, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB_SCHEMA; /* the migration inserts the one head row */
    }
    if (e == ERR_OK) {
        *out_seq = db_col_int64(st, 0);
        copy_hash(st, 1, prev_hash);
    }
    db_reset(st);
    return e;
}

static const char sql_insert[] =
    "INSERT INTO audit_event (seq, at, actor_user_id, actor_login, role, org_id, action,"
    " object_type, object_id, request_id, detail, detail_digest, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
static const char sql_head_set[] = "UPDATE audit_head SET hash = $1 WHERE id = 1 AND seq = $2";

enum err store_audit_insert(struct store_conn *c, const struct store_audit_row *r)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, r->seq);
    bind_opt_text(st, 2, r->at);
    bind_opt_id(st, 3, r->actor_user_id);
    bind_opt_text(st, 4, r->actor_login);
    bind_opt_text(st, 5, r->role);
    bind_opt_id(st, 6, r->org_id);
    bind_opt_text(st, 7, r->action);
    bind_opt_text(st, 8, r->object_type);
    bind_opt_text(st, 9, r->object_id);
    bind_opt_text(st, 10, r->request_id);
    bind_opt_text(st, 11, r->detail);
    bind_opt_text(st, 12, r->detail_digest);
    db_bind_blob(st, 13, r->prev_hash, STORE_AUDIT_HASH_BYTES);
    db_bind_blob(st, 14, r->hash, STORE_AUDIT_HASH_BYTES);
    if ((e = db_step_done(st)) != ERR_OK) {
        return e;
    }
    if ((e = db_prepare(c->db, sql_head_set, &st)) != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, r->hash, STORE_AUDIT_HASH_BYTES);
    db_bind_int64(st, 2, r->seq);
    return db_step_done(st);
}

static const char sql_head_get[] = "SELECT seq, hash FROM audit_head WHERE id = 1";

enum err store_audit_head_get(struct store_conn *c, int64_t *out_seq,
                              unsigned char hash[STORE_AUDIT_HASH_BYTES])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_head_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB_SCHEMA;
    }
    if (e == ERR_OK) {
        *out_seq = db_col_int64(st, 0);
        copy_hash(st, 1, hash);
    }
    db_reset(st);
    return e;
}

#define EVENT_COLS                                                                             \
    "a.seq, a.at, a.actor_user_id, a.actor_login, a.role, a.org_id, a.action, a.object_type," \
    " a.object_id, a.request_id, a.detail, a.detail_digest, a.prev_hash, a.hash"

static void read_row(struct db_stmt *st, struct store_audit_row *r)
{
    r->seq = db_col_int64(st, 0);
    copy_text(st, 1, r->at, sizeof(r->at));
    r->actor_user_id = db_col_int64(st, 2);
    copy_text(st, 3, r->actor_login, sizeof(r->actor_login));
    copy_text(st, 4, r->role, sizeof(r->role));
    r->org_id = db_col_int64(st, 5);
    copy_text(st, 6, r->action, sizeof(r->action));
    copy_text(st, 7, r->object_type, sizeof(r->object_type));
    copy_text(st, 8, r->object_id, sizeof(r->object_id));
    copy_text(st, 9, r->request_id, sizeof(r->request_id));
    copy_text(st, 10, r->detail, sizeof(r->detail));
    copy_text(st, 11, r->detail_digest, sizeof(r->detail_digest));
    copy_hash(st, 12, r->prev_hash);
    copy_hash(st, 13, r->hash);
}

/* The chain walk (verify): seq bounds only, so the primary key serves it. */
static const char sql_scan[] = "SELECT " EVENT_COLS " FROM audit_event a"
                               " WHERE a.seq > $1 AND a.seq <= $2 ORDER BY a.seq LIMIT $3";

/* Auditors' filtered lists. An empty text or 0 bound does not filter. */
#define FILTER_WHERE                                                                          \
    " FROM audit_event a LEFT JOIN org o ON o.id = a.org_id"                                  \
    " WHERE a.seq > $1 AND a.seq <= $2 AND (CAST($3 AS BIGINT) = 0 OR a.seq < $3)"            \
    " AND (CAST($4 AS TEXT) = '' OR a.at >= $4) AND (CAST($5 AS TEXT) = '' OR a.at < $5)"     \
    " AND (CAST($6 AS TEXT) = '' OR a.actor_login = $6)"                                      \
    " AND (CAST($7 AS TEXT) = '' OR a.action = $7)"                                           \
    " AND (CAST($8 AS TEXT) = '' OR a.object_type = $8)"                                      \
    " AND (CAST($9 AS TEXT) = '' OR a.object_id = $9)"                                        \
    " AND (CAST($10 AS TEXT) = '' OR o.path LIKE $10 || '%')"
static const char sql_filter_asc[] =
    "SELECT " EVENT_COLS FILTER_WHERE " ORDER BY a.seq ASC LIMIT $11";
static const char sql_filter_desc[] =
    "SELECT " EVENT_COLS FILTER_WHERE " ORDER BY a.seq DESC LIMIT $11";

static bool has_text(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static bool filter_is_plain(const struct store_audit_filter *f)
{
    return !f->newest_first && f->before_seq == 0 && !has_text(f->at_from) &&
           !has_text(f->at_to) && !has_text(f->actor_login) && !has_text(f->action) &&
           !has_text(f->object_type) && !has_text(f->object_id) && !has_text(f->org_path);
}

static enum err prepare_filter(struct store_conn *c, const struct store_audit_filter *f,
                               struct db_stmt **out)
{
    int64_t upto = f->upto_seq > 0 ? f->upto_seq : INT64_MAX;
    int64_t limit = f->limit > 0 && f->limit < INT64_MAX ? (int64_t)f->limit : INT64_MAX;
    struct db_stmt *st;
    enum err e;
    if (filter_is_plain(f)) {
        if ((e = db_prepare(c->db, sql_scan, &st)) == ERR_OK) {
            db_bind_int64(st, 1, f->after_seq);
            db_bind_int64(st, 2, upto);
            db_bind_int64(st, 3, limit);
            *out = st;
        }
        return e;
    }
    if ((e = db_prepare(c->db, f->newest_first ? sql_filter_desc : sql_filter_asc, &st)) != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, f->after_seq);
    db_bind_int64(st, 2, upto);
    db_bind_int64(st, 3, f->before_seq);
    bind_opt_text(st, 4, f->at_from);
    bind_opt_text(st, 5, f->at_to);
    bind_opt_text(st, 6, f->actor_login);
    bind_opt_text(st, 7, f->action);
    bind_opt_text(st, 8, f->object_type);
    bind_opt_text(st, 9, f->object_id);
    bind_opt_text(st, 10, f->org_path);
    db_bind_int64(st, 11, limit);
    *out = st;
    return ERR_OK;
}

enum err store_audit_each(struct store_conn *c, const struct store_audit_filter *f,
                          enum err (*fn)(const struct store_audit_row *row, void *ctx), void *ctx,
                          size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    size_t n = 0;
    enum err e = prepare_filter(c, f, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct store_audit_row r; /* ~5 KiB */
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_row(st, &r);
        n++;
        if ((e = fn(&r, ctx)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    if (out_n != NULL) {
        *out_n = n;
    }
    return e;
}
