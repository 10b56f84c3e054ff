/*
 * store_org: SQL for subtree reads. Every read copies its columns into
 * caller-owned buffers before the statement is reset; a text longer than
 * its buffer is cut (only a tampered row can be that long).
 */
#include "store/store_org.h"

#include <string.h>

#include "store/store_impl.h"

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

#define ORG_COLS "id, code, name, level, division_code, parent_id, path"

static void read_org(struct db_stmt *st, struct store_org_row *o)
{
    o->id = db_col_int64(st, 0);
    copy_text(st, 1, o->code, sizeof(o->code));
    copy_text(st, 2, o->name, sizeof(o->name));
    copy_text(st, 3, o->level, sizeof(o->level));
    copy_text(st, 4, o->division_code, sizeof(o->division_code));
    o->parent_id = db_col_int64(st, 5); /* NULL reads as 0: a root */
    copy_text(st, 6, o->path, sizeof(o->path));
}

static const char sql_org_get[] = "SELECT " ORG_COLS " FROM org WHERE id = $1";

enum err store_org_get(struct store_conn *c, int64_t id, struct store_org_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_org_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_org(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_org_subtree[] = "SELECT " ORG_COLS " FROM org"
                                      " WHERE path LIKE $1 || '%' AND id > $2"
                                      " ORDER BY id LIMIT $3";

enum err store_org_subtree_each(struct store_conn *c, const char *path_prefix, int64_t after_id,
                                size_t limit,
                                enum err (*fn)(const struct store_org_row *row, void *ctx),
                                void *ctx, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql_org_subtree, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_text(st, 1, path_prefix, strlen(path_prefix));
    db_bind_int64(st, 2, after_id);
    db_bind_int64(st, 3, (int64_t)limit);
    struct store_org_row r;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_org(st, &r);
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

/* One statement, so the three counts come from one snapshot. */
static const char sql_org_counts[] =
    "SELECT (SELECT count(*) FROM org WHERE path LIKE $1 || '%'),"
    " (SELECT count(*) FROM employer WHERE org_id IN"
    "   (SELECT id FROM org WHERE path LIKE $1 || '%')),"
    " (SELECT count(*) FROM member WHERE org_id IN"
    "   (SELECT id FROM org WHERE path LIKE $1 || '%'))";

enum err store_org_subtree_counts(struct store_conn *c, const char *path_prefix,
                                  struct store_org_counts *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_org_counts, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_text(st, 1, path_prefix, strlen(path_prefix));
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_DB; /* an aggregate always yields a row */
    }
    if (e == ERR_OK) {
        out->orgs = db_col_int64(st, 0);
        out->employers = db_col_int64(st, 1);
        out->members = db_col_int64(st, 2);
    }
    db_reset(st);
    return e;
}

static const char sql_member_path[] =
    "SELECT o.path FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = $1";

enum err store_org_member_path(struct store_conn *c, int64_t member_id,
                               char out_path[STORE_ORG_PATH_MAX + 1])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_member_path, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, member_id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        copy_text(st, 0, out_path, STORE_ORG_PATH_MAX + 1);
    }
    db_reset(st);
    return e;
}
