/*
 * store_users: SQL for account administration (app_user by id, filtered
 * pages, edits) and for revoking a user's other sessions.
 *
 * Invariants: no statement here selects password_hash, so a listing can
 * never leak one; every read copies its columns into caller-owned buffers
 * before the statement is reset. The login prefix is compared with substr,
 * not LIKE, so '_' and '%' in a login are plain characters.
 */
#include "store/store_users.h"

#include <string.h>

#include "store/store_impl.h"

static void copy_text(struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len;
    const char *p = db_col_text(st, col, &len);
    if (len >= cap) {
        len = cap - 1; /* only a tampered row is that long */
    }
    memcpy(out, p, len);
    out[len] = '\0';
}

/* Columns 0..9 of every query here, in this order (as store_auth's USER_COLS). */
#define USERS_COLS                                                                              \
    "u.id, u.login, u.display_name, u.role, u.org_id, o.code, o.path, u.member_id, u.disabled," \
    " u.password_changed_at_s"

static void read_user(struct db_stmt *st, struct store_user_row *u)
{
    u->id = db_col_int64(st, 0);
    copy_text(st, 1, u->login, sizeof(u->login));
    copy_text(st, 2, u->display_name, sizeof(u->display_name));
    copy_text(st, 3, u->role, sizeof(u->role));
    u->org_id = db_col_int64(st, 4);
    copy_text(st, 5, u->org_code, sizeof(u->org_code));
    copy_text(st, 6, u->org_path, sizeof(u->org_path));
    u->member_id = db_col_int64(st, 7);
    u->disabled = db_col_int64(st, 8) != 0;
    u->password_changed_at_s = db_col_int64(st, 9);
    u->password_hash[0] = '\0';
}

static const char sql_user_get[] = "SELECT " USERS_COLS
                                   " FROM app_user u JOIN org o ON o.id = u.org_id"
                                   " WHERE u.id = $1";

enum err store_user_get(struct store_conn *c, int64_t id, struct store_user_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_user_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_user(st, out);
    }
    db_reset(st);
    return e;
}

static const char sql_user_list[] =
    "SELECT " USERS_COLS " FROM app_user u JOIN org o ON o.id = u.org_id"
    " WHERE o.path LIKE $1 || '%' AND u.id > $2"
    " AND (CAST($3 AS TEXT) = '' OR u.role = $3)"
    " AND (CAST($4 AS BIGINT) < 0 OR u.disabled = $4)"
    " AND (CAST($5 AS TEXT) = '' OR substr(u.login, 1, length(CAST($5 AS TEXT))) = $5)"
    " ORDER BY u.id LIMIT $6";

enum err store_user_list(struct store_conn *c, const struct store_user_filter *f,
                         enum err (*fn)(const struct store_user_row *row, void *ctx), void *ctx,
                         size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    size_t n = 0;
    enum err e = db_prepare(c->db, sql_user_list, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, f->path_prefix);
    db_bind_int64(st, 2, f->after_id);
    db_bind_str(st, 3, f->role);
    db_bind_int64(st, 4, f->disabled);
    db_bind_str(st, 5, f->login_prefix);
    db_bind_int64(st, 6, (int64_t)f->limit);
    struct store_user_row u;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_user(st, &u);
        n++;
        if ((e = fn(&u, ctx)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    if (out_n != NULL) {
        *out_n = n;
    }
    return e;
}

static const char sql_user_update[] =
    "UPDATE app_user SET display_name = $1, role = $2, org_id = $3, disabled = $4"
    " WHERE id = $5 RETURNING id";

enum err store_user_update(struct store_conn *c, const struct store_user_edit *u)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_user_update, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, u->display_name);
    db_bind_str(st, 2, u->role);
    db_bind_int64(st, 3, u->org_id);
    db_bind_int64(st, 4, u->disabled ? 1 : 0);
    db_bind_int64(st, 5, u->id);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    db_reset(st);
    return e;
}

static const char sql_session_revoke_others[] =
    "UPDATE session SET revoked = 1 WHERE user_id = $1 AND revoked = 0 AND id <> $2"
    " RETURNING id";

enum err store_session_revoke_others(struct store_conn *c, int64_t user_id,
                                     int64_t keep_session_id, int64_t *out_count)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_session_revoke_others, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, keep_session_id);
    int64_t n = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        n++;
    }
    db_reset(st);
    *out_count = n;
    return e;
}
