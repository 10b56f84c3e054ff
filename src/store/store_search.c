/*
 * store_search: SQL for the API's registry reads and organisation writes.
 * Every read copies its columns into caller-owned buffers before the
 * statement is reset (a text longer than its buffer is cut: only a tampered
 * row can be that long). Optional filters are written once, as
 * "(param is empty OR column = param)", so each search is one cached
 * statement on both backends.
 */
#include "store/store_search.h"

#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"

static void copy_text(struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len = 0;
    const char *p = db_col_is_null(st, col) ? NULL : db_col_text(st, col, &len);
    if (p == NULL) {
        len = 0;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    if (len > 0) {
        memcpy(out, p, len);
    }
    out[len] = '\0';
}

static size_t copy_blob(struct db_stmt *st, int col, unsigned char *out, size_t cap)
{
    size_t len = 0;
    const void *p = db_col_is_null(st, col) ? NULL : db_col_blob(st, col, &len);
    if (p == NULL || len > cap) {
        return 0; /* a sealed value that does not fit is not ours: unreadable */
    }
    memcpy(out, p, len);
    return len;
}

/* prefix with LIKE's metacharacters escaped by '\', then '%', into out;
 * "" stays "" (no filter). ERR_TOO_LARGE past STORE_SEARCH_PREFIX_MAX. */
static enum err like_prefix(const char *prefix, char out[2 * STORE_SEARCH_PREFIX_MAX + 2])
{
    size_t n = strlen(prefix), w = 0;
    if (n > STORE_SEARCH_PREFIX_MAX) {
        return ERR_TOO_LARGE;
    }
    for (size_t i = 0; i < n; i++) {
        if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '\\') {
            out[w++] = '\\';
        }
        out[w++] = prefix[i];
    }
    if (n > 0) {
        out[w++] = '%';
    }
    out[w] = '\0';
    return ERR_OK;
}

/* ------------------------------------------------------------- organisations */

static const char sql_org_rename[] = "UPDATE org SET name = $1 WHERE id = $2";

enum err store_org_rename(struct store_conn *c, int64_t id, const char *name)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_org_rename, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, name);
    db_bind_int64(st, 2, id);
    return db_step_done(st);
}

static const char sql_org_set_parent[] = "UPDATE org SET parent_id = $1 WHERE id = $2";
/* substr is 1-based: substr(path, length(old) + 1) is what follows the old prefix */
static const char sql_org_move_paths[] =
    "UPDATE org SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3 || '%'";

enum err store_org_move(struct store_conn *c, int64_t id, const char *old_path,
                        int64_t new_parent_id, const char *new_parent_path)
{
    char new_path[STORE_ORG_PATH_BYTES + 1];
    int n = snprintf(new_path, sizeof(new_path), "%s%lld/", new_parent_path, (long long)id);
    if (n < 0 || (size_t)n >= sizeof(new_path)) {
        return ERR_TOO_LARGE;
    }
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_org_set_parent, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, new_parent_id);
    db_bind_int64(st, 2, id);
    if ((e = db_step_done(st)) != ERR_OK) {
        return e;
    }
    if ((e = db_prepare(c->db, sql_org_move_paths, &st)) != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, new_path);
    db_bind_int64(st, 2, (int64_t)strlen(old_path) + 1);
    db_bind_str(st, 3, old_path);
    return db_step_done(st);
}

/* ------------------------------------------------------------------ employers */

#define EMP_COLS "e.id, e.uscc, e.name, e.ownership, e.size, e.industry, e.org_id, o.path"
#define EMP_FROM " FROM employer e JOIN org o ON o.id = e.org_id"

static void read_employer(struct db_stmt *st, struct store_employer_row *r)
{
    r->id = db_col_int64(st, 0);
    copy_text(st, 1, r->uscc, sizeof(r->uscc));
    copy_text(st, 2, r->name, sizeof(r->name));
    copy_text(st, 3, r->ownership, sizeof(r->ownership));
    copy_text(st, 4, r->size, sizeof(r->size));
    copy_text(st, 5, r->industry, sizeof(r->industry));
    r->org_id = db_col_int64(st, 6);
    copy_text(st, 7, r->org_path, sizeof(r->org_path));
}

static const char sql_employer_get[] = "SELECT " EMP_COLS EMP_FROM " WHERE e.id = $1";

enum err store_employer_get(struct store_conn *c, int64_t id, struct store_employer_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_employer_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_employer(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_employer_search[] =
    "SELECT " EMP_COLS EMP_FROM " WHERE o.path LIKE $1 || '%' AND e.id > $2"
    " AND ($3 = '' OR e.uscc LIKE $4 ESCAPE '\\' OR e.name LIKE $3 ESCAPE '\\')"
    " AND (CAST($5 AS BIGINT) = 0 OR e.org_id = $5)"
    " AND ($6 = '' OR e.ownership = $6)"
    " AND ($7 = '' OR e.size = $7)"
    " ORDER BY e.id LIMIT $8";

enum err store_employer_search(struct store_conn *c, const struct store_employer_filter *f,
                               int64_t after_id, size_t limit,
                               enum err (*fn)(const struct store_employer_row *row, void *ctx),
                               void *ctx, size_t *out_n)
{
    char q[2 * STORE_SEARCH_PREFIX_MAX + 2], upper[STORE_SEARCH_PREFIX_MAX + 1];
    char q_upper[2 * STORE_SEARCH_PREFIX_MAX + 2];
    size_t n = 0;
    enum err e = like_prefix(f->q, q);
    if (e != ERR_OK) {
        return e;
    }
    size_t qlen = strlen(f->q);
    for (size_t i = 0; i <= qlen; i++) { /* credit codes are stored upper-case */
        char ch = f->q[i];
        upper[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
    }
    if ((e = like_prefix(upper, q_upper)) != ERR_OK) {
        return e;
    }
    struct db_stmt *st;
    bool row;
    if ((e = db_prepare(c->db, sql_employer_search, &st)) != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, f->path_prefix);
    db_bind_int64(st, 2, after_id);
    db_bind_str(st, 3, q);
    db_bind_str(st, 4, q_upper);
    db_bind_int64(st, 5, f->org_id);
    db_bind_str(st, 6, f->ownership);
    db_bind_str(st, 7, f->size);
    db_bind_int64(st, 8, (int64_t)limit);
    struct store_employer_row r;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_employer(st, &r);
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

/* -------------------------------------------------------------------- members */

/* The sealed columns come first: the PostgreSQL driver decodes bytea only in
 * the first columns of a row (db_pg.c, DB_BLOB_COLS). */
#define MEM_COLS                                                                                   \
    "m.id, m.id_enc, m.bank_enc, m.id_mask, m.name, m.gender, m.birth_date, m.phone,"             \
    " m.employment, m.employer_id, e.uscc, e.name, m.org_id, o.code, o.path, m.hardship,"         \
    " m.bank_mask, m.created_at, m.updated_at"
#define MEM_FROM                                                                                   \
    " FROM member m JOIN org o ON o.id = m.org_id LEFT JOIN employer e ON e.id = m.employer_id"

static void read_member(struct db_stmt *st, struct store_member_detail *m)
{
    m->id = db_col_int64(st, 0);
    m->id_enc_len = copy_blob(st, 1, m->id_enc, sizeof(m->id_enc));
    m->bank_enc_len = copy_blob(st, 2, m->bank_enc, sizeof(m->bank_enc));
    copy_text(st, 3, m->id_mask, sizeof(m->id_mask));
    copy_text(st, 4, m->name, sizeof(m->name));
    copy_text(st, 5, m->gender, sizeof(m->gender));
    copy_text(st, 6, m->birth_date, sizeof(m->birth_date));
    copy_text(st, 7, m->phone, sizeof(m->phone));
    copy_text(st, 8, m->employment, sizeof(m->employment));
    m->employer_id = db_col_is_null(st, 9) ? 0 : db_col_int64(st, 9);
    copy_text(st, 10, m->employer_uscc, sizeof(m->employer_uscc));
    copy_text(st, 11, m->employer_name, sizeof(m->employer_name));
    m->org_id = db_col_int64(st, 12);
    copy_text(st, 13, m->org_code, sizeof(m->org_code));
    copy_text(st, 14, m->org_path, sizeof(m->org_path));
    m->hardship = db_col_int64(st, 15) != 0 ? 1 : 0;
    copy_text(st, 16, m->bank_mask, sizeof(m->bank_mask));
    copy_text(st, 17, m->created_at, sizeof(m->created_at));
    copy_text(st, 18, m->updated_at, sizeof(m->updated_at));
}

static const char sql_member_get[] = "SELECT " MEM_COLS MEM_FROM " WHERE m.id = $1";

enum err store_member_get(struct store_conn *c, int64_t id, struct store_member_detail *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_member_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_member(st, out);
    }
    db_reset(st);
    return e;
}

/* By blind index: at most one member, so the other filters are checked on
 * the row (member_matches) rather than in SQL. */
static const char sql_member_by_hash[] = "SELECT " MEM_COLS MEM_FROM
                                         " WHERE m.id_hash = $1 AND o.path LIKE $2 || '%'"
                                         " AND m.id > $3";

static const char sql_member_search[] =
    "SELECT " MEM_COLS MEM_FROM " WHERE o.path LIKE $1 || '%' AND m.id > $2"
    " AND ($3 = '' OR m.name LIKE $3 ESCAPE '\\')"
    " AND ($4 = '' OR m.phone = $4)"
    " AND (CAST($5 AS BIGINT) = 0 OR m.employer_id = $5)"
    " AND ($6 = '' OR m.employment = $6)"
    " AND (CAST($7 AS BIGINT) < 0 OR m.hardship = $7)"
    " ORDER BY m.id LIMIT $8";

static bool member_matches(const struct store_member_filter *f, const struct store_member_detail *m)
{
    size_t np = strlen(f->name_prefix);
    return (np == 0 || strncmp(m->name, f->name_prefix, np) == 0) &&
           (f->phone[0] == '\0' || strcmp(m->phone, f->phone) == 0) &&
           (f->employer_id == 0 || m->employer_id == f->employer_id) &&
           (f->employment[0] == '\0' || strcmp(m->employment, f->employment) == 0) &&
           (f->hardship < 0 || m->hardship == f->hardship);
}

enum err store_member_search(struct store_conn *c, const struct store_member_filter *f,
                             int64_t after_id, size_t limit,
                             enum err (*fn)(const struct store_member_detail *row, void *ctx),
                             void *ctx, size_t *out_n)
{
    char name[2 * STORE_SEARCH_PREFIX_MAX + 2];
    size_t n = 0;
    enum err e = like_prefix(f->name_prefix, name);
    if (e != ERR_OK) {
        return e;
    }
    struct db_stmt *st;
    bool row;
    bool by_hash = f->id_hash != NULL;
    if ((e = db_prepare(c->db, by_hash ? sql_member_by_hash : sql_member_search, &st)) != ERR_OK) {
        return e;
    }
    if (by_hash) {
        db_bind_blob(st, 1, f->id_hash, STORE_HASH_BYTES);
        db_bind_str(st, 2, f->path_prefix);
        db_bind_int64(st, 3, after_id);
    } else {
        db_bind_str(st, 1, f->path_prefix);
        db_bind_int64(st, 2, after_id);
        db_bind_str(st, 3, name);
        db_bind_str(st, 4, f->phone);
        db_bind_int64(st, 5, f->employer_id);
        db_bind_str(st, 6, f->employment);
        db_bind_int64(st, 7, f->hardship);
        db_bind_int64(st, 8, (int64_t)limit);
    }
    struct store_member_detail buf;
    struct store_member_detail *m = &buf;
    while (n < limit && (e = db_step(st, &row)) == ERR_OK && row) {
        read_member(st, m);
        if (by_hash && !member_matches(f, m)) {
            continue;
        }
        n++;
        if ((e = fn(m, ctx)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    memset(m, 0, sizeof(*m)); /* sealed fields: nothing left behind on the stack */
    if (out_n != NULL) {
        *out_n = n;
    }
    return e;
}
