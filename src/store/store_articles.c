/*
 * store_articles: SQL for articles. Every read copies its columns into the
 * caller's struct before the statement is reset; a text longer than its
 * buffer is cut (only a row written behind the domain's back can be). The
 * filters use '' and 0 for "any" rather than NULL, so both backends infer
 * every parameter's type from the comparison it appears in.
 */
#include "store/store_articles.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

static size_t copy_text(struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return len;
}

/* The body column is the last: the whole body or its head. */
#define ARTICLE_COLS                                                                               \
    "a.id, a.org_id, o.code, o.name, o.path, CASE WHEN o.parent_id IS NULL THEN 1 ELSE 0 END,"     \
    " a.category, a.title, a.status, a.publish_date, a.created_by, a.updated_by,"                  \
    " a.created_at_ms, a.updated_at_ms"
#define ARTICLE_FROM " FROM articles a JOIN org o ON o.id = a.org_id"

static void read_article(struct db_stmt *st, struct store_article *a)
{
    a->id = db_col_int64(st, 0);
    a->org_id = db_col_int64(st, 1);
    copy_text(st, 2, a->org_code, sizeof(a->org_code));
    copy_text(st, 3, a->org_name, sizeof(a->org_name));
    copy_text(st, 4, a->org_path, sizeof(a->org_path));
    a->org_is_root = db_col_int64(st, 5) != 0;
    copy_text(st, 6, a->category, sizeof(a->category));
    copy_text(st, 7, a->title, sizeof(a->title));
    copy_text(st, 8, a->status, sizeof(a->status));
    copy_text(st, 9, a->publish_date, sizeof(a->publish_date)); /* NULL reads as "" */
    a->created_by = db_col_int64(st, 10);
    a->updated_by = db_col_int64(st, 11);
    a->created_at_ms = db_col_int64(st, 12);
    a->updated_at_ms = db_col_int64(st, 13);
    a->body_len = copy_text(st, 14, a->body_md, sizeof(a->body_md));
}

static void bind_user(struct db_stmt *st, int idx, int64_t user_id)
{
    if (user_id > 0) {
        db_bind_int64(st, idx, user_id);
    } else {
        db_bind_null(st, idx);
    }
}

static const char sql_insert[] =
    "INSERT INTO articles (org_id, category, title, body_md, status, created_by, updated_by,"
    " created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, 'draft', $5, $5, $6, $6)"
    " RETURNING id";

enum err store_article_insert(struct store_conn *c, const struct store_article *a,
                              int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, a->org_id);
    db_bind_str(st, 2, a->category);
    db_bind_str(st, 3, a->title);
    db_bind_text(st, 4, a->body_md, a->body_len);
    bind_user(st, 5, a->created_by);
    db_bind_int64(st, 6, a->created_at_ms);
    return db_step_id(st, out_id);
}

static const char sql_update[] =
    "UPDATE articles SET org_id = $2, category = $3, title = $4, body_md = $5, status = $6,"
    " publish_date = $7, updated_by = $8, updated_at_ms = $9 WHERE id = $1 RETURNING id";

enum err store_article_update(struct store_conn *c, const struct store_article *a)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, a->id);
    db_bind_int64(st, 2, a->org_id);
    db_bind_str(st, 3, a->category);
    db_bind_str(st, 4, a->title);
    db_bind_text(st, 5, a->body_md, a->body_len);
    db_bind_str(st, 6, a->status);
    db_bind_str(st, 7, a->publish_date[0] != '\0' ? a->publish_date : NULL);
    bind_user(st, 8, a->updated_by);
    db_bind_int64(st, 9, a->updated_at_ms);
    int64_t id;
    return db_step_id(st, &id);
}

static const char sql_get[] =
    "SELECT " ARTICLE_COLS ", a.body_md" ARTICLE_FROM " WHERE a.id = $1";

enum err store_article_get(struct store_conn *c, int64_t id, struct store_article *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_article(st, out);
    }
    db_reset(st);
    return e;
}

/* Steps st to its end, reading each row into a heap row (a body is 20 KB)
 * and passing it to fn. */
static enum err walk(struct db_stmt *st, enum err (*fn)(const struct store_article *a, void *ctx),
                     void *ctx, size_t *out_n)
{
    size_t n = 0;
    bool row;
    enum err e;
    struct store_article *a = malloc(sizeof(*a));
    if (a == NULL) {
        db_reset(st);
        return ERR_NOMEM;
    }
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_article(st, a);
        n++;
        e = fn(a, ctx);
        if (e != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    free(a);
    if (out_n != NULL) {
        *out_n = n;
    }
    return e;
}

#define HEAD_COL ", substr(a.body_md, 1, 400)"
_Static_assert(STORE_ARTICLE_HEAD_CHARS == 400, "HEAD_COL reads STORE_ARTICLE_HEAD_CHARS");

static const char sql_manage[] =
    "SELECT " ARTICLE_COLS HEAD_COL ARTICLE_FROM
    " WHERE o.path LIKE $1 || '%' AND ($2 = '' OR a.status = $2)"
    " AND ($3 = '' OR a.category = $3) AND ($4 = 0 OR a.id < $4)"
    " ORDER BY a.id DESC LIMIT $5";

enum err store_article_manage_each(struct store_conn *c, const struct store_article_filter *f,
                                   enum err (*fn)(const struct store_article *a, void *ctx),
                                   void *ctx, size_t *out_n)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_manage, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, f->path_prefix);
    db_bind_str(st, 2, f->status != NULL ? f->status : "");
    db_bind_str(st, 3, f->category != NULL ? f->category : "");
    db_bind_int64(st, 4, f->before_id);
    db_bind_int64(st, 5, (int64_t)f->limit);
    return walk(st, fn, ctx, out_n);
}

/* An organisation is an ancestor of (or is) the reader's when its path is
 * a prefix of the reader's path; under it when the reader's path is a
 * prefix of its own. */
static const char sql_public[] =
    "SELECT " ARTICLE_COLS HEAD_COL ARTICLE_FROM
    " WHERE a.status = 'published' AND a.publish_date <= $3"
    " AND (($1 = '' AND o.parent_id IS NULL)"
    "      OR ($1 <> '' AND ($1 LIKE o.path || '%' OR ($2 = 1 AND o.path LIKE $1 || '%'))))"
    " AND ($4 = '' OR a.category = $4)"
    " AND ($5 = 0 OR (a.publish_date, a.id) <"
    "      (SELECT p.publish_date, p.id FROM articles p WHERE p.id = $5))"
    " ORDER BY a.publish_date DESC, a.id DESC LIMIT $6";

enum err store_article_public_each(struct store_conn *c, const struct store_article_public *q,
                                   enum err (*fn)(const struct store_article *a, void *ctx),
                                   void *ctx, size_t *out_n)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_public, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, q->viewer_path);
    db_bind_int64(st, 2, q->subtree ? 1 : 0);
    db_bind_str(st, 3, q->today);
    db_bind_str(st, 4, q->category != NULL ? q->category : "");
    db_bind_int64(st, 5, q->after_id);
    db_bind_int64(st, 6, (int64_t)q->limit);
    return walk(st, fn, ctx, out_n);
}
