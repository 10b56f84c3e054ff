/*
 * route_users: user accounts for admins, and changing one's own password.
 *
 *   GET   /api/v1/users                  admin: accounts of the caller's subtree in id
 *                                        order; filters role, disabled (true|false),
 *                                        login (prefix); keyset pages after_id, limit
 *                                        -> {users: [...], next_after_id}
 *   POST  /api/v1/users                  admin: {login, display_name?, role, org_id,
 *                                        member_id? (role member), password} -> 201 user
 *   PATCH /api/v1/users/:id              admin: {display_name?, role?, org_id?, disabled?}
 *                                        -> 200 user; disabling ends the user's sessions;
 *                                        one's own account: 422 SELF_CHANGE_REFUSED
 *   POST  /api/v1/users/:id/password     admin: {password} -> 200; ends the user's sessions
 *   POST  /api/v1/session/password       anyone signed in: {current_password,
 *                                        new_password} -> 200; a wrong current password is
 *                                        401 (as a failed login, and counted like one: 429
 *                                        + Retry-After past the limit); the caller's other
 *                                        sessions end, this one stays
 *
 * Accounts outside the caller's subtree are 404. Responses never carry a
 * password hash; password bytes in the parsed body are wiped after use.
 */
#include <sodium.h>
#include <string.h>

#include "core/json_util.h"
#include "core/limits.h"
#include "domain/users.h"
#include "http/routes.h"

/* Longer is refused as input; the policy caps passwords at 128 bytes. */
#define USERS_PASSWORD_CHARS_MAX 1024
/* Longer is refused as input; the domain says why a login of 65..200 fails. */
#define USERS_LOGIN_CHARS_MAX 200
#define USERS_NAME_CHARS_MAX 200

static json_t *time_json(int64_t at_s)
{
    char text[STORE_AUDIT_AT_MAX + 1];
    audit_format_time(at_s * 1000, text);
    return json_string(text);
}

static json_t *user_json(const struct user_info *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:{s:I,s:s},s:o,s:b,s:o}", "id", (json_int_t)u->id,
                     "login", u->login, "display_name", u->display_name, "role",
                     auth_role_name(u->role), "org", "id", (json_int_t)u->org_id, "code",
                     u->org_code, "member_id",
                     u->member_id > 0 ? json_integer((json_int_t)u->member_id) : json_null(),
                     "disabled", u->disabled, "password_changed_at",
                     time_json(u->password_changed_at_s));
}

/* The answer for a refusal of the domain: its field, and a sentence. */
static enum err fail_users(struct http_response *resp, enum err e, const struct users_fault *f)
{
    const char *field = f->field;
    const char *msg = f->why;
    switch (e) {
    case ERR_WEAK_PASSWORD:
        msg = msg != NULL ? msg : "password too weak";
        break;
    case ERR_EXISTS:
        msg = "this login is taken";
        field = "login";
        break;
    case ERR_NOT_FOUND:
        msg = field != NULL && strcmp(field, "org_id") == 0
                  ? "no such organisation in your subtree"
              : field != NULL && strcmp(field, "member_id") == 0 ? "no such member in your subtree"
                                                                  : "no such user";
        break;
    case ERR_SELF_CHANGE:
        msg = "you may not disable, demote, move or reset your own account";
        break;
    case ERR_INVALID:
        msg = msg != NULL ? msg : field != NULL ? "invalid value" : "nothing to change";
        break;
    default:
        if (msg == NULL) {
            return e; /* the generic answer for its status */
        }
        break;
    }
    return http_response_fail(resp, e, field, msg);
}

static enum err decode(struct http_request *req, struct http_response *resp,
                       const struct json_field *fields, size_t n, struct json_value *v)
{
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, fields, n, v, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL,
                                  jerr.message);
    }
    return ERR_OK;
}

static void wipe(const struct json_value *v)
{
    if (v->present && v->text != NULL) {
        sodium_memzero((void *)v->text, v->len); /* the parsed body is ours until the end */
    }
}

/* --- GET /users ------------------------------------------------------------ */

struct list_ctx {
    json_t *list;
    int64_t last_id;
};

static enum err add_user(const struct user_info *u, void *arg)
{
    struct list_ctx *x = arg;
    json_t *one = user_json(u);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = u->id;
    return ERR_OK;
}

/* disabled=true|false -> 1|0; absent -> -1. */
static enum err query_disabled(struct http_request *req, struct http_response *resp, int *out)
{
    const char *v = http_request_query(req, "disabled");
    *out = -1;
    if (v == NULL) {
        return ERR_OK;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = v[0] == 't';
        return ERR_OK;
    }
    return http_response_fail(resp, ERR_INVALID, "disabled", "disabled is true or false");
}

enum err route_users_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"role", "disabled", "login", "after_id", "limit"};
    enum err e = http_request_query_only(req, resp, args, 5);
    int64_t after = 0, limit = 0;
    int disabled = -1;
    if (!e) {
        e = http_request_query_int(req, resp, "after_id", 0, INT64_MAX / 2, 0, &after);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   &limit);
    }
    if (!e) {
        e = query_disabled(req, resp, &disabled);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct list_ctx x = {.list = json_array(), .last_id = 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    struct users_filter f = {.role = http_request_query(req, "role"), .disabled = disabled,
                             .login_prefix = http_request_query(req, "login"),
                             .after_id = after, .limit = (size_t)limit};
    struct users_fault fault;
    size_t n = 0;
    e = users_list(c, req->user, &f, add_user, &x, &n, &fault);
    if (e) {
        json_decref(x.list);
        return fail_users(resp, e, &fault);
    }
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x.last_id) : json_null();
    return http_reply_json(
        resp, 200, json_pack("{s:o,s:o}", "users", x.list, "next_after_id", next));
}

/* The account id as the caller may see it, as the response body. */
static enum err send_user(struct http_response *resp, struct store_conn *c,
                          const struct auth_user *u, int64_t id, unsigned status)
{
    struct user_info info;
    enum err e = users_get(c, u, id, &info);
    if (e) {
        return e;
    }
    return http_reply_json(resp, status, user_json(&info));
}

/* --- POST /users ----------------------------------------------------------- */

enum { C_LOGIN, C_NAME, C_ROLE, C_ORG, C_MEMBER, C_PASSWORD, C__COUNT };

static const struct json_field create_fields[C__COUNT] = {
    [C_LOGIN] = {.name = "login", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                 .max = USERS_LOGIN_CHARS_MAX},
    [C_NAME] = {.name = "display_name", .kind = JSON_KIND_STRING, .max = USERS_NAME_CHARS_MAX},
    [C_ROLE] = {.name = "role", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                .max = STORE_ROLE_MAX},
    [C_ORG] = {.name = "org_id", .kind = JSON_KIND_INT64, .required = true, .min_value = 1,
               .max_value = INT64_MAX / 2},
    [C_MEMBER] = {.name = "member_id", .kind = JSON_KIND_INT64, .min_value = 1,
                  .max_value = INT64_MAX / 2},
    [C_PASSWORD] = {.name = "password", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = USERS_PASSWORD_CHARS_MAX},
};

enum err route_users_create(struct http_request *req, struct http_response *resp)
{
    struct json_value v[C__COUNT];
    memset(v, 0, sizeof(v));
    enum err e = decode(req, resp, create_fields, C__COUNT, v);
    if (e) {
        wipe(&v[C_PASSWORD]);
        return e;
    }
    struct store_conn *c;
    e = http_request_store(req, &c);
    if (e) {
        wipe(&v[C_PASSWORD]);
        return e;
    }
    struct users_new in = {.login = v[C_LOGIN].text, .login_len = v[C_LOGIN].len,
                           .display_name = v[C_NAME].present ? v[C_NAME].text : NULL,
                           .role = v[C_ROLE].text, .org_id = v[C_ORG].int64,
                           .member_id = v[C_MEMBER].present ? v[C_MEMBER].int64 : 0,
                           .password = v[C_PASSWORD].text, .password_len = v[C_PASSWORD].len};
    struct users_fault fault;
    int64_t id = 0;
    e = users_create(c, req->user, req->request_id, &in, auth_now_ms(), &id, &fault);
    wipe(&v[C_PASSWORD]);
    if (e) {
        return fail_users(resp, e, &fault);
    }
    return send_user(resp, c, req->user, id, 201);
}

/* --- PATCH /users/:id ------------------------------------------------------ */

enum { P_NAME, P_ROLE, P_ORG, P_DISABLED, P__COUNT };

static const struct json_field patch_fields[P__COUNT] = {
    [P_NAME] = {.name = "display_name", .kind = JSON_KIND_STRING, .max = USERS_NAME_CHARS_MAX},
    [P_ROLE] = {.name = "role", .kind = JSON_KIND_STRING, .min = 1, .max = STORE_ROLE_MAX},
    [P_ORG] = {.name = "org_id", .kind = JSON_KIND_INT64, .min_value = 1,
               .max_value = INT64_MAX / 2},
    [P_DISABLED] = {.name = "disabled", .kind = JSON_KIND_BOOL},
};

enum err route_users_update(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return http_response_fail(resp, e, "id", "no such user");
    }
    struct json_value v[P__COUNT];
    if ((e = decode(req, resp, patch_fields, P__COUNT, v)) != ERR_OK) {
        return e;
    }
    struct store_conn *c;
    if ((e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    struct users_patch p = {.display_name = v[P_NAME].present ? v[P_NAME].text : NULL,
                            .role = v[P_ROLE].present ? v[P_ROLE].text : NULL,
                            .org_id = v[P_ORG].present ? v[P_ORG].int64 : 0,
                            .disabled = v[P_DISABLED].present ? (int)v[P_DISABLED].boolean : -1};
    struct users_fault fault;
    e = users_update(c, req->user, req->request_id, id, &p, auth_now_ms(), &fault);
    if (e) {
        return fail_users(resp, e, &fault);
    }
    return send_user(resp, c, req->user, id, 200);
}

/* --- POST /users/:id/password ---------------------------------------------- */

enum { R_PASSWORD, R__COUNT };

static const struct json_field reset_fields[R__COUNT] = {
    [R_PASSWORD] = {.name = "password", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = USERS_PASSWORD_CHARS_MAX},
};

static enum err send_changed(struct http_response *resp)
{
    static const char body[] = "{\"password_changed\":true}";
    http_response_json_text(resp, 200, body, sizeof(body) - 1);
    return ERR_OK;
}

enum err route_users_password(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return http_response_fail(resp, e, "id", "no such user");
    }
    struct json_value v[R__COUNT];
    memset(v, 0, sizeof(v));
    e = decode(req, resp, reset_fields, R__COUNT, v);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct users_fault fault = {0};
    if (!e) {
        e = users_reset_password(c, req->user, req->request_id, id, v[R_PASSWORD].text,
                                 v[R_PASSWORD].len, auth_now_ms(), &fault);
        if (e) {
            e = fail_users(resp, e, &fault);
        }
    }
    wipe(&v[R_PASSWORD]);
    return e ? e : send_changed(resp);
}

/* --- POST /session/password ------------------------------------------------ */

enum { O_CURRENT, O_NEW, O__COUNT };

static const struct json_field own_fields[O__COUNT] = {
    [O_CURRENT] = {.name = "current_password", .kind = JSON_KIND_STRING, .required = true,
                   .min = 1, .max = USERS_PASSWORD_CHARS_MAX},
    [O_NEW] = {.name = "new_password", .kind = JSON_KIND_STRING, .required = true, .min = 1,
               .max = USERS_PASSWORD_CHARS_MAX},
};

enum err route_session_password(struct http_request *req, struct http_response *resp)
{
    struct json_value v[O__COUNT];
    memset(v, 0, sizeof(v));
    enum err e = decode(req, resp, own_fields, O__COUNT, v);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct users_fault fault = {0};
    int64_t retry_after_s = 0;
    if (!e) {
        e = users_change_own_password(c, req->auth, req->session, req->request_id,
                                      v[O_CURRENT].text, v[O_CURRENT].len, v[O_NEW].text,
                                      v[O_NEW].len, auth_now_ms(), &retry_after_s, &fault);
    }
    wipe(&v[O_CURRENT]);
    wipe(&v[O_NEW]);
    if (e == ERR_RATE_LIMITED) {
        const char *after = arena_printf(req->arena, "%lld", (long long)retry_after_s);
        if (after == NULL || http_response_header(resp, "Retry-After", after) != ERR_OK) {
            return ERR_INTERNAL;
        }
        return http_response_fail(resp, e, NULL,
                                  "too many wrong passwords; wait before trying again");
    }
    if (e == ERR_UNAUTHENTICATED) {
        return http_response_fail(resp, e, "current_password", "wrong password");
    }
    if (e && fault.field != NULL) {
        return fail_users(resp, e, &fault);
    }
    return e ? e : send_changed(resp);
}
