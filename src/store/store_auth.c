/*
 * store_auth: SQL for app_user, session and login_failure.
 * Every read copies its columns into caller-owned fixed buffers before the
 * statement is reset, so no pointer into a statement escapes. A text column
 * longer than its buffer is cut (only a tampered row can be that long: the
 * domain refuses such values on the way in).
 */
#include "store/store_auth.h"

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

static void copy_hash(struct db_stmt *st, int col, unsigned char out[STORE_TOKEN_HASH_BYTES])
{
    size_t len;
    const unsigned char *p = db_col_blob(st, col, &len);
    memset(out, 0, STORE_TOKEN_HASH_BYTES);
    memcpy(out, p, len < STORE_TOKEN_HASH_BYTES ? len : STORE_TOKEN_HASH_BYTES);
}

/* Runs a bound statement that changes rows and returns "RETURNING id":
 * ERR_NOT_FOUND when no row was changed. */
static enum err step_expect_row(struct db_stmt *st, int64_t *out_id)
{
    bool row;
    enum err e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK && out_id != NULL) {
        *out_id = db_col_int64(st, 0);
    }
    db_reset(st);
    return e;
}

static const char sql_org_lookup[] = "SELECT id, path FROM org WHERE code = $1";

enum err store_auth_org_lookup(struct store_conn *c, const char *code, int64_t *out_id,
                               char out_path[STORE_ORG_PATH_MAX + 1])
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_org_lookup, &st);
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
        copy_text(st, 1, out_path, STORE_ORG_PATH_MAX + 1);
    }
    db_reset(st);
    return e;
}

static const char sql_user_insert[] =
    "INSERT INTO app_user (login, display_name, role, org_id, password_hash, member_id,"
    " created_at_s, password_changed_at_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";

enum err store_user_insert(struct store_conn *c, const struct store_user_new *u, int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_user_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, u->login);
    db_bind_str(st, 2, u->display_name);
    db_bind_str(st, 3, u->role);
    db_bind_int64(st, 4, u->org_id);
    db_bind_str(st, 5, u->password_hash);
    if (u->member_id == 0) {
        db_bind_null(st, 6);
    } else {
        db_bind_int64(st, 6, u->member_id);
    }
    db_bind_int64(st, 7, u->now_s);
    return step_expect_row(st, out_id);
}

/* Columns 0..9 of every user query, in this order. */
#define USER_COLS                                                                               \
    "u.id, u.login, u.display_name, u.role, u.org_id, o.code, o.path, u.member_id, u.disabled," \
    " u.password_changed_at_s"

static void read_user(struct db_stmt *st, int col0, struct store_user_row *u)
{
    u->id = db_col_int64(st, col0);
    copy_text(st, col0 + 1, u->login, sizeof(u->login));
    copy_text(st, col0 + 2, u->display_name, sizeof(u->display_name));
    copy_text(st, col0 + 3, u->role, sizeof(u->role));
    u->org_id = db_col_int64(st, col0 + 4);
    copy_text(st, col0 + 5, u->org_code, sizeof(u->org_code));
    copy_text(st, col0 + 6, u->org_path, sizeof(u->org_path));
    u->member_id = db_col_int64(st, col0 + 7);
    u->disabled = db_col_int64(st, col0 + 8) != 0;
    u->password_changed_at_s = db_col_int64(st, col0 + 9);
    u->password_hash[0] = '\0';
}

static const char sql_user_find[] = "SELECT " USER_COLS ", u.password_hash"
                                    " FROM app_user u JOIN org o ON o.id = u.org_id"
                                    " WHERE u.login = $1";

enum err store_user_find(struct store_conn *c, const char *login, struct store_user_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_user_find, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, login);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_user(st, 0, out);
        copy_text(st, 10, out->password_hash, sizeof(out->password_hash));
    }
    db_reset(st);
    return e;
}

static const char sql_user_set_password[] =
    "UPDATE app_user SET password_hash = $1, password_changed_at_s = $2 WHERE id = $3 RETURNING id";

enum err store_user_set_password(struct store_conn *c, int64_t user_id, const char *password_hash,
                                 int64_t now_s)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_user_set_password, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, password_hash);
    db_bind_int64(st, 2, now_s);
    db_bind_int64(st, 3, user_id);
    return step_expect_row(st, NULL);
}

static const char sql_user_set_disabled[] =
    "UPDATE app_user SET disabled = $1 WHERE id = $2 RETURNING id";

enum err store_user_set_disabled(struct store_conn *c, int64_t user_id, bool disabled)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_user_set_disabled, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, disabled ? 1 : 0);
    db_bind_int64(st, 2, user_id);
    return step_expect_row(st, NULL);
}

static const char sql_user_each[] = "SELECT " USER_COLS
                                    " FROM app_user u JOIN org o ON o.id = u.org_id"
                                    " ORDER BY u.login";

enum err store_user_each(struct store_conn *c,
                         enum err (*fn)(const struct store_user_row *row, void *ctx), void *ctx)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_user_each, &st);
    if (e != ERR_OK) {
        return e;
    }
    struct store_user_row u;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        read_user(st, 0, &u);
        if ((e = fn(&u, ctx)) != ERR_OK) {
            break;
        }
    }
    db_reset(st);
    return e;
}

static const char sql_session_insert[] =
    "INSERT INTO session (token_hash, csrf_hash, user_id, created_at_s, last_seen_s,"
    " expires_at_s, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id";

enum err store_session_insert(struct store_conn *c, const struct store_session_new *s,
                              int64_t *out_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_session_insert, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, s->token_hash, STORE_TOKEN_HASH_BYTES);
    db_bind_blob(st, 2, s->csrf_hash, STORE_TOKEN_HASH_BYTES);
    db_bind_int64(st, 3, s->user_id);
    db_bind_int64(st, 4, s->created_at_s);
    db_bind_int64(st, 5, s->expires_at_s);
    db_bind_str(st, 6, s->ip);
    db_bind_str(st, 7, s->user_agent);
    return step_expect_row(st, out_id);
}

/* Session columns 0..7, then the user's from 8. */
#define SESSION_COLS \
    "s.id, s.csrf_hash, s.created_at_s, s.last_seen_s, s.expires_at_s, s.revoked, s.ip, s.user_agent"

static void read_session(struct db_stmt *st, struct store_session_row *s)
{
    s->id = db_col_int64(st, 0);
    copy_hash(st, 1, s->csrf_hash);
    s->created_at_s = db_col_int64(st, 2);
    s->last_seen_s = db_col_int64(st, 3);
    s->expires_at_s = db_col_int64(st, 4);
    s->revoked = db_col_int64(st, 5) != 0;
    copy_text(st, 6, s->ip, sizeof(s->ip));
    copy_text(st, 7, s->user_agent, sizeof(s->user_agent));
}

static const char sql_session_find[] =
    "SELECT " SESSION_COLS ", " USER_COLS " FROM session s"
    " JOIN app_user u ON u.id = s.user_id JOIN org o ON o.id = u.org_id"
    " WHERE s.token_hash = $1";

enum err store_session_find(struct store_conn *c, const unsigned char *token_hash,
                            struct store_session_row *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_session_find, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_blob(st, 1, token_hash, STORE_TOKEN_HASH_BYTES);
    e = db_step(st, &row);
    if (e == ERR_OK && !row) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        read_session(st, out);
        read_user(st, 8, &out->user);
    }
    db_reset(st);
    return e;
}

static const char sql_session_touch[] = "UPDATE session SET last_seen_s = $1 WHERE id = $2";

enum err store_session_touch(struct store_conn *c, int64_t session_id, int64_t now_s)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_session_touch, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, now_s);
    db_bind_int64(st, 2, session_id);
    return db_step_done(st);
}

static const char sql_session_revoke[] =
    "UPDATE session SET revoked = 1 WHERE id = $1 AND user_id = $2 AND revoked = 0 RETURNING id";

enum err store_session_revoke(struct store_conn *c, int64_t session_id, int64_t user_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_session_revoke, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, session_id);
    db_bind_int64(st, 2, user_id);
    return step_expect_row(st, NULL);
}

static const char sql_session_revoke_user[] =
    "UPDATE session SET revoked = 1 WHERE user_id = $1 AND revoked = 0 RETURNING id";

enum err store_session_revoke_user(struct store_conn *c, int64_t user_id, int64_t *out_count)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_session_revoke_user, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, user_id);
    int64_t n = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        n++;
    }
    db_reset(st);
    *out_count = n;
    return e;
}

static const char sql_session_list[] =
    "SELECT " SESSION_COLS " FROM session s"
    " WHERE s.user_id = $1 AND s.revoked = 0 AND s.expires_at_s > $2"
    " ORDER BY s.created_at_s DESC, s.id DESC";

enum err store_session_list(struct store_conn *c, int64_t user_id, int64_t now_s,
                            struct store_session_row *rows, size_t cap, size_t *out_n)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_session_list, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, now_s);
    size_t n = 0;
    while (n < cap && (e = db_step(st, &row)) == ERR_OK && row) {
        memset(&rows[n], 0, sizeof(rows[n]));
        read_session(st, &rows[n]);
        n++;
    }
    db_reset(st);
    *out_n = n;
    return e;
}

static const char sql_session_purge[] =
    "DELETE FROM session WHERE expires_at_s < $1 OR (revoked = 1 AND last_seen_s < $1)"
    " RETURNING id";

enum err store_session_purge(struct store_conn *c, int64_t before_s, int64_t *out_count)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_session_purge, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, before_s);
    int64_t n = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        n++;
    }
    db_reset(st);
    *out_count = n;
    return e;
}

static const char sql_failure_get[] =
    "SELECT window_start_s, failures FROM login_failure WHERE bucket = $1";

enum err store_failure_get(struct store_conn *c, const char *bucket, int64_t *out_window_start_s,
                           int64_t *out_failures)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_failure_get, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bucket);
    e = db_step(st, &row);
    *out_window_start_s = (e == ERR_OK && row) ? db_col_int64(st, 0) : 0;
    *out_failures = (e == ERR_OK && row) ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return e;
}

/* Both SET expressions read the row as it was (standard SQL on both). */
static const char sql_failure_bump[] =
    "INSERT INTO login_failure (bucket, window_start_s, failures) VALUES ($1, $2, 1)"
    " ON CONFLICT (bucket) DO UPDATE SET"
    " failures = CASE WHEN login_failure.window_start_s + $3 <= excluded.window_start_s"
    "   THEN 1 ELSE login_failure.failures + 1 END,"
    " window_start_s = CASE WHEN login_failure.window_start_s + $3 <= excluded.window_start_s"
    "   THEN excluded.window_start_s ELSE login_failure.window_start_s END";

enum err store_failure_bump(struct store_conn *c, const char *bucket, int64_t now_s,
                            int64_t window_s)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_failure_bump, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bucket);
    db_bind_int64(st, 2, now_s);
    db_bind_int64(st, 3, window_s);
    return db_step_done(st);
}

static const char sql_failure_unbump[] =
    "UPDATE login_failure SET failures = failures - 1 WHERE bucket = $1 AND failures > 0";

enum err store_failure_unbump(struct store_conn *c, const char *bucket)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_failure_unbump, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bucket);
    return db_step_done(st);
}

static const char sql_failure_clear[] = "DELETE FROM login_failure WHERE bucket = $1";

enum err store_failure_clear(struct store_conn *c, const char *bucket)
{
    struct db_stmt *st;
    enum err e = db_prepare(c->db, sql_failure_clear, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_str(st, 1, bucket);
    return db_step_done(st);
}

static const char sql_failure_purge[] =
    "DELETE FROM login_failure WHERE window_start_s < $1 RETURNING bucket";

enum err store_failure_purge(struct store_conn *c, int64_t before_s, int64_t *out_count)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(c->db, sql_failure_purge, &st);
    if (e != ERR_OK) {
        return e;
    }
    db_bind_int64(st, 1, before_s);
    int64_t n = 0;
    while ((e = db_step(st, &row)) == ERR_OK && row) {
        n++;
    }
    db_reset(st);
    *out_count = n;
    return e;
}
