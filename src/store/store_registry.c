/*
 * store_registry: SQL for organisations, employers and members.
 * Organisation subtrees use a materialised path ('/1/4/17/') so "this node
 * and everything under it" is one indexed prefix match on both backends.
 */
#include "store/store_registry.h"

#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"

enum err store_tx_begin(struct store_conn *c)
{
    return db_begin(c->db);
}

enum err store_tx_commit(struct store_conn *c)
{
    return db_commit(c->db);
}

void store_tx_rollback(struct store_conn *c)
{
    db_rollback(c->db);
}

static void bind_str(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL) {
        db_bind_null(st, idx);
    } else {
        db_bind_text(st, idx, s, strlen(s));
    }
}

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, id);
    }
}

/* Runs st (already bound) expecting one row whose column 0 is an id. */
static enum err step_returning_id(struct db_stmt *st, int64_t *out_id)
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

static const char sql_org_parent_path[] = "SELECT path FROM org WHERE id = $1";
static const char sql_org_insert[] =
    "INSERT INTO org (code, name, parent_id, level, division_code, path)"
    " VALUES ($1, $2, $3, $4, $5, '') RETURNING id";
static const char sql_org_set_path[] = "UPDATE org SET path = $1 WHERE id = $2";

enum err store_org_insert(struct store_conn *c, const struct store_org_new *o, int64_t *out_id)
{
    char path[512] = "/";
    struct db_stmt *st;
    bool row;
    enum err e;
    if (o->parent_id != 0) {
        if ((e = db_prepare(c->db, sql_org_parent_path, &st)) != ERR_OK) {
            return e;
        }
        db_bind_int64(st, 1, o->parent_id);
        e = db_step(st, &row);
        if (e == ERR_OK && !row) {
            e = ERR_NOT_FOUND;
        }
        if (e == ERR_OK) {
            size_t len;
            const char *p = db_col_text(st, 0, &len);
            if (len + 24 > sizeof(path)) {
                e = ERR_TOO_LARGE; /* a tree this deep is a data error */
            } else {
                memcpy(path, p, len);
                path[len] = '\0';
            }
        }
        db_reset(st);
        if (e != ERR_OK) {
            return e;
        }
    }
    if ((e = db_prepare(c->db, sql_org_insert, &st)) != ERR_OK) {
        return e;
    }
    bind_str(st, 1, o->code);
    bind_str(st, 2, o->name);
    bind_id(st, 3, o->parent_id);
    bind_str(st, 4, o->level);
    bind_str(st, 5, o->division_code);
    int64_t id;
    if ((e = step_returning_id(st, &id)) != ERR_OK) {
        return e;
    }
    size_t used = strlen(path);
    snprintf(path + used, sizeof(path) - used, "%lld/", (long long)id);
    if ((e = db_prepare(c->db, sql_org_set_path, &st)) != ERR_OK) {
        return e;
    }
    bind_str(st, 1, path);
    db_bind_int64(st, 2, id);
    if ((e = db_step_done(st)) != ERR_OK) {
        return e;
    }
    *out_id = id;
    return ERR_OK;
}

static const char sql_employer_insert[] =
    "INSERT INTO employer (uscc, name, ownership, size, industry, org_id)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

enum err store_employer_insert(struct store_conn *c, const struct store_employer_new *emp,
                               int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_employer_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    bind_str(st, 1, emp->uscc);
    bind_str(st, 2, emp->name);
    bind_str(st, 3, emp->ownership);
    bind_str(st, 4, emp->size);
    bind_str(st, 5, emp->industry ? emp->industry : "");
    db_bind_int64(st, 6, emp->org_id);
    return step_returning_id(st, out_id);
}

static const char sql_member_insert[] =
    "INSERT INTO member (id_hash, id_enc, id_mask, name, gender, birth_date, phone,"
    " employment, employer_id, org_id, hardship, bank_enc, bank_mask)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";

enum err store_member_insert(struct store_conn *c, const struct store_member_new *m,
                             int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, m->id_hash, STORE_HASH_BYTES);
    db_bind_blob(st, 2, m->id_enc, m->id_enc_len);
    bind_str(st, 3, m->id_mask);
    bind_str(st, 4, m->name);
    bind_str(st, 5, m->gender);
    bind_str(st, 6, m->birth_date);
    bind_str(st, 7, m->phone);
    bind_str(st, 8, m->employment);
    bind_id(st, 9, m->employer_id);
    db_bind_int64(st, 10, m->org_id);
    db_bind_int64(st, 11, m->hardship ? 1 : 0);
    if (m->bank_enc != NULL) {
        db_bind_blob(st, 12, m->bank_enc, m->bank_enc_len);
    } else {
        db_bind_null(st, 12);
    }
    bind_str(st, 13, m->bank_mask);
    return step_returning_id(st, out_id);
}

static const char sql_counts[] = "SELECT (SELECT COUNT(*) FROM org), (SELECT COUNT(*) FROM employer),"
                                 " (SELECT COUNT(*) FROM member)";

enum err store_registry_count(struct store_conn *c, struct store_registry_counts *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_counts, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    if (e == ERR_OK && row) {
        out->orgs = db_col_int64(st, 0);
        out->employers = db_col_int64(st, 1);
        out->members = db_col_int64(st, 2);
    }
    db_reset(st);
    return e;
}

static const char sql_member_sealed_page[] =
    "SELECT id, id_enc, bank_enc FROM member WHERE id > $1 ORDER BY id LIMIT $2";

enum err store_member_sealed_page(struct store_conn *c, int64_t after_id, size_t limit,
                                  enum err (*fn)(void *ctx, const struct store_sealed_member *m),
                                  void *ctx, int64_t *last_id, size_t *count)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_sealed_page, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, after_id);
    db_bind_int64(st, 2, (int64_t)limit);
    *count = 0;
    *last_id = after_id;
    bool row;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        struct store_sealed_member m = {.id = db_col_int64(st, 0)};
        m.id_enc = db_col_blob(st, 1, &m.id_enc_len);
        if (!db_col_is_null(st, 2)) {
            m.bank_enc = db_col_blob(st, 2, &m.bank_enc_len);
        }
        if ((e = fn(ctx, &m)) != ERR_OK) {
            break;
        }
        *last_id = m.id;
        (*count)++;
    }
    db_reset(st);
    return e;
}

static const char sql_member_set_sealed[] =
    "UPDATE member SET id_hash = $1, id_enc = $2, bank_enc = $3 WHERE id = $4";

enum err store_member_set_sealed(struct store_conn *c, int64_t id, const unsigned char *id_hash,
                                 const unsigned char *id_enc, size_t id_enc_len,
                                 const unsigned char *bank_enc, size_t bank_enc_len)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_set_sealed, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, id_hash, STORE_HASH_BYTES);
    db_bind_blob(st, 2, id_enc, id_enc_len);
    if (bank_enc != NULL) {
        db_bind_blob(st, 3, bank_enc, bank_enc_len);
    } else {
        db_bind_null(st, 3);
    }
    db_bind_int64(st, 4, id);
    return db_step_done(st);
}
