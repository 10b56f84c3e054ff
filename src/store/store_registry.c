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

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id == 0) {
        db_bind_null(st, idx);
    } else {
        db_bind_int64(st, idx, id);
    }
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
    db_bind_str(st, 1, o->code);
    db_bind_str(st, 2, o->name);
    bind_id(st, 3, o->parent_id);
    db_bind_str(st, 4, o->level);
    db_bind_str(st, 5, o->division_code);
    int64_t id;
    if ((e = db_step_id(st, &id)) != ERR_OK) {
        return e;
    }
    size_t used = strlen(path);
    snprintf(path + used, sizeof(path) - used, "%lld/", (long long)id);
    if ((e = db_prepare(c->db, sql_org_set_path, &st)) != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, path);
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
    db_bind_str(st, 1, emp->uscc);
    db_bind_str(st, 2, emp->name);
    db_bind_str(st, 3, emp->ownership);
    db_bind_str(st, 4, emp->size);
    db_bind_str(st, 5, emp->industry ? emp->industry : "");
    db_bind_int64(st, 6, emp->org_id);
    return db_step_id(st, out_id);
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
    db_bind_str(st, 3, m->id_mask);
    db_bind_str(st, 4, m->name);
    db_bind_str(st, 5, m->gender);
    db_bind_str(st, 6, m->birth_date);
    db_bind_str(st, 7, m->phone);
    db_bind_str(st, 8, m->employment);
    bind_id(st, 9, m->employer_id);
    db_bind_int64(st, 10, m->org_id);
    db_bind_int64(st, 11, m->hardship ? 1 : 0);
    if (m->bank_enc != NULL) {
        db_bind_blob(st, 12, m->bank_enc, m->bank_enc_len);
    } else {
        db_bind_null(st, 12);
    }
    db_bind_str(st, 13, m->bank_mask);
    return db_step_id(st, out_id);
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

/* ------------------------------------------------------------ registry import */

/* Copies text column col into buf (cap bytes with the NUL); ERR_TOO_LARGE if
 * it does not fit (a value the domain could not have written). */
static enum err copy_text(struct db_stmt *st, int col, char *buf, size_t cap)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    if (len >= cap) {
        return ERR_TOO_LARGE;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    return ERR_OK;
}

static const char sql_org_find[] = "SELECT id, path FROM org WHERE code = $1";

enum err store_org_find(struct store_conn *c, const char *code, int64_t *out_id,
                        char out_path[STORE_ORG_PATH_BYTES + 1])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_org_find, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, code);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        *out_id = db_col_int64(st, 0);
        e = copy_text(st, 1, out_path, STORE_ORG_PATH_BYTES + 1);
    }
    db_reset(st);
    return e;
}

enum err store_bulk_tune(struct store_conn *c)
{
    if (db_backend(c->db) != STORE_SQLITE) {
        return ERR_OK;
    }
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", STORE_BULK_CACHE_KIB);
    return db_exec(c->db, sql);
}

static const char sql_employer_find[] =
    "SELECT e.id, e.uscc, e.name, e.ownership, e.size, e.industry, e.org_id, o.path"
    " FROM employer e JOIN org o ON o.id = e.org_id WHERE e.uscc = $1";

enum err store_employer_find(struct store_conn *c, const char *uscc,
                             struct store_employer_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_employer_find, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, uscc);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        out->id = db_col_int64(st, 0);
        out->org_id = db_col_int64(st, 6);
        if ((e = copy_text(st, 1, out->uscc, sizeof(out->uscc))) == ERR_OK &&
            (e = copy_text(st, 2, out->name, sizeof(out->name))) == ERR_OK &&
            (e = copy_text(st, 3, out->ownership, sizeof(out->ownership))) == ERR_OK &&
            (e = copy_text(st, 4, out->size, sizeof(out->size))) == ERR_OK &&
            (e = copy_text(st, 5, out->industry, sizeof(out->industry))) == ERR_OK) {
            e = copy_text(st, 7, out->org_path, sizeof(out->org_path));
        }
    }
    db_reset(st);
    return e;
}

static const char sql_employer_id[] = "SELECT id FROM employer WHERE uscc = $1";

enum err store_employer_id(struct store_conn *c, const char *uscc, int64_t *out_id)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_employer_id, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, uscc);
    e = db_step(st, &row);
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

static const char sql_employer_update[] =
    "UPDATE employer SET name = $1, ownership = $2, size = $3, industry = $4, org_id = $5"
    " WHERE id = $6 RETURNING id";

enum err store_employer_update(struct store_conn *c, int64_t id,
                               const struct store_employer_new *emp)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_employer_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, emp->name);
    db_bind_str(st, 2, emp->ownership);
    db_bind_str(st, 3, emp->size);
    db_bind_str(st, 4, emp->industry ? emp->industry : "");
    db_bind_int64(st, 5, emp->org_id);
    db_bind_int64(st, 6, id);
    int64_t got;
    return db_step_id(st, &got);
}

static const char sql_member_insert_bulk[] =
    "INSERT INTO member (id_hash, id_enc, id_mask, name, gender, birth_date, phone,"
    " employment, employer_id, org_id, hardship, bank_enc, bank_mask)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

enum err store_member_insert_bulk(struct store_conn *c, const struct store_member_new *m)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_insert_bulk, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, m->id_hash, STORE_HASH_BYTES);
    db_bind_blob(st, 2, m->id_enc, m->id_enc_len);
    db_bind_str(st, 3, m->id_mask);
    db_bind_str(st, 4, m->name);
    db_bind_str(st, 5, m->gender);
    db_bind_str(st, 6, m->birth_date);
    db_bind_str(st, 7, m->phone);
    db_bind_str(st, 8, m->employment);
    bind_id(st, 9, m->employer_id);
    db_bind_int64(st, 10, m->org_id);
    db_bind_int64(st, 11, m->hardship ? 1 : 0);
    if (m->bank_enc != NULL) {
        db_bind_blob(st, 12, m->bank_enc, m->bank_enc_len);
    } else {
        db_bind_null(st, 12);
    }
    db_bind_str(st, 13, m->bank_mask);
    return db_step_done(st);
}

static const char sql_member_any[] = "SELECT COUNT(*) FROM (SELECT 1 FROM member LIMIT 1) AS t";

enum err store_member_any(struct store_conn *c, bool *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_member_any, &st);
    if (e != ERR_OK) {
        return e;
    }
    e = db_step(st, &row);
    if (e == ERR_OK) {
        *out = row && db_col_int64(st, 0) != 0;
    }
    db_reset(st);
    return e;
}

static const char sql_member_find_by_hash[] =
    "SELECT m.id, m.name, m.phone, m.employment, m.employer_id, e.uscc, m.org_id, o.code,"
    " o.path, m.hardship, m.bank_enc, m.bank_mask"
    " FROM member m JOIN org o ON o.id = m.org_id LEFT JOIN employer e ON e.id = m.employer_id"
    " WHERE m.id_hash = $1";

static enum err member_row_read(struct db_stmt *st, struct store_member_row *out)
{
    enum err e;
    out->id = db_col_int64(st, 0);
    out->employer_id = db_col_int64(st, 4);
    out->org_id = db_col_int64(st, 6);
    out->hardship = db_col_int64(st, 9) != 0 ? 1 : 0;
    if ((e = copy_text(st, 1, out->name, sizeof(out->name))) != ERR_OK ||
        (e = copy_text(st, 2, out->phone, sizeof(out->phone))) != ERR_OK ||
        (e = copy_text(st, 3, out->employment, sizeof(out->employment))) != ERR_OK ||
        (e = copy_text(st, 5, out->employer_uscc, sizeof(out->employer_uscc))) != ERR_OK ||
        (e = copy_text(st, 7, out->org_code, sizeof(out->org_code))) != ERR_OK ||
        (e = copy_text(st, 8, out->org_path, sizeof(out->org_path))) != ERR_OK ||
        (e = copy_text(st, 11, out->bank_mask, sizeof(out->bank_mask))) != ERR_OK) {
        return e;
    }
    out->bank_enc_len = 0;
    if (!db_col_is_null(st, 10)) {
        size_t len;
        const void *p = db_col_blob(st, 10, &len);
        if (len > sizeof(out->bank_enc)) {
            return ERR_TOO_LARGE;
        }
        memcpy(out->bank_enc, p, len);
        out->bank_enc_len = len;
    }
    return ERR_OK;
}

enum err store_member_find_by_hash(struct store_conn *c, const unsigned char *id_hash,
                                   struct store_member_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_member_find_by_hash, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, id_hash, STORE_HASH_BYTES);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        e = member_row_read(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_member_update[] =
    "UPDATE member SET name = $1, phone = $2, employment = $3, employer_id = $4, org_id = $5,"
    " hardship = $6, bank_enc = $7, bank_mask = $8, updated_at = $9 WHERE id = $10 RETURNING id";

enum err store_member_update(struct store_conn *c, int64_t id, const struct store_member_new *m,
                             const char *at)
{
    /* updated_at keeps the 'YYYY-MM-DD HH:MM:SS' shape of CURRENT_TIMESTAMP
     * (created_at's default), from at's 'YYYY-MM-DDTHH:MM:SSZ'. */
    char stamp[20];
    snprintf(stamp, sizeof(stamp), "%.19s", at);
    if (strlen(stamp) > 10) {
        stamp[10] = ' ';
    }
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, m->name);
    db_bind_str(st, 2, m->phone);
    db_bind_str(st, 3, m->employment);
    bind_id(st, 4, m->employer_id);
    db_bind_int64(st, 5, m->org_id);
    db_bind_int64(st, 6, m->hardship ? 1 : 0);
    if (m->bank_enc != NULL) {
        db_bind_blob(st, 7, m->bank_enc, m->bank_enc_len);
    } else {
        db_bind_null(st, 7);
    }
    db_bind_str(st, 8, m->bank_mask);
    db_bind_str(st, 9, stamp);
    db_bind_int64(st, 10, id);
    int64_t got;
    return db_step_id(st, &got);
}

static const char sql_member_history_add[] =
    "INSERT INTO member_history (member_id, at, source, source_ref, actor, field, old_value,"
    " new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

enum err store_member_history_add(struct store_conn *c, const struct store_member_change *ch)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_member_history_add, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, ch->member_id);
    db_bind_str(st, 2, ch->at);
    db_bind_str(st, 3, ch->source);
    db_bind_str(st, 4, ch->source_ref ? ch->source_ref : "");
    db_bind_str(st, 5, ch->actor ? ch->actor : "");
    db_bind_str(st, 6, ch->field);
    db_bind_str(st, 7, ch->old_value ? ch->old_value : "");
    db_bind_str(st, 8, ch->new_value ? ch->new_value : "");
    return db_step_done(st);
}

static const char sql_member_history_each[] =
    "SELECT member_id, at, source, source_ref, actor, field, old_value, new_value"
    " FROM member_history WHERE member_id = $1 ORDER BY id";

enum err store_member_history_each(struct store_conn *c, int64_t member_id,
                                   enum err (*fn)(void *ctx, const struct store_member_change *ch),
                                   void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_member_history_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        size_t len;
        struct store_member_change ch = {.member_id = db_col_int64(st, 0)};
        ch.at = db_col_text(st, 1, &len);
        ch.source = db_col_text(st, 2, &len);
        ch.source_ref = db_col_text(st, 3, &len);
        ch.actor = db_col_text(st, 4, &len);
        ch.field = db_col_text(st, 5, &len);
        ch.old_value = db_col_text(st, 6, &len);
        ch.new_value = db_col_text(st, 7, &len);
        if ((e = fn(ctx, &ch)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}
