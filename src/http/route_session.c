/*
 * route_session: signing in and out, and the caller's own sessions.
 *
 *   POST   /api/v1/session        public: {login, password} -> 200 {user, csrf_token,
 *                                 expires_at} and the huzhu_session cookie; 401 for any
 *                                 bad credential (one message for all); 429 + Retry-After
 *   GET    /api/v1/session        who am I, with the CSRF token again (from the cookie)
 *   DELETE /api/v1/session        sign out (CSRF); clears the cookie
 *   GET    /api/v1/sessions       the caller's live sessions
 *   DELETE /api/v1/sessions/:id   revoke one of them (CSRF); someone else's is a 404
 *
 * The cookie is HttpOnly; SameSite=Strict; Path=/, plus Secure when the
 * request came over TLS (req->secure). It has no Max-Age: it dies with the
 * browser, and the server ends the session anyway at its idle or absolute
 * timeout. The token is never logged; the password is wiped after use.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/json_util.h"
#include "http/handle.h"
#include "http/routes.h"

/* Longer is refused as input; the policy caps passwords at 128 bytes, and a
 * longer one still gets the generic 401 from the domain. */
#define SESSION_PASSWORD_CHARS_MAX 1024

static const char cookie_attrs[] = "; HttpOnly; SameSite=Strict; Path=/";

static enum err set_cookie(struct http_request *req, struct http_response *resp, const char *token)
{
    const char *v = arena_printf(req->arena, HTTP_SESSION_COOKIE "=%s%s%s%s", token, cookie_attrs,
                                 token[0] == '\0' ? "; Max-Age=0" : "",
                                 req->secure ? "; Secure" : "");
    if (v == NULL) {
        return ERR_NOMEM;
    }
    return http_response_header(resp, "Set-Cookie", v) == ERR_OK ? ERR_OK : ERR_INTERNAL;
}

static json_t *time_json(int64_t at_s)
{
    char text[STORE_AUDIT_AT_MAX + 1];
    audit_format_time(at_s * 1000, text);
    return json_string(text);
}

static json_t *user_json(const struct auth_user *u)
{
    json_t *org = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->org_id, "code", u->org_code,
                            "path", u->org_path);
    json_t *user = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)u->id, "login", u->login,
                             "display_name", u->display_name, "role", auth_role_name(u->role),
                             "org", org);
    if (user != NULL && u->member_id > 0 &&
        json_object_set_new(user, "member_id", json_integer((json_int_t)u->member_id)) != 0) {
        json_decref(user);
        return NULL;
    }
    return user;
}

/* {user, csrf_token, expires_at} */
static enum err session_body(struct http_response *resp, unsigned status,
                             const struct auth_user *u, const char *csrf, int64_t expires_at_s)
{
    json_t *doc = json_pack("{s:o,s:s,s:o}", "user", user_json(u), "csrf_token", csrf,
                            "expires_at", time_json(expires_at_s));
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    enum err e = http_response_json(resp, status, doc);
    json_decref(doc);
    return e;
}

/* The User-Agent as stored: printable ASCII, the rest as '?', cut short. */
static const char *user_agent_of(struct http_request *req)
{
    const char *ua = http_request_header(req, "User-Agent");
    if (ua == NULL) {
        return "";
    }
    size_t n = strnlen(ua, STORE_USER_AGENT_MAX);
    char *out = arena_alloc(req->arena, n + 1);
    if (out == NULL) {
        return "";
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ua[i];
        out[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

enum { F_LOGIN, F_PASSWORD, F__COUNT };

static const struct json_field login_fields[F__COUNT] = {
    [F_LOGIN] = {.name = "login", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                 .max = AUTH_LOGIN_MAX},
    [F_PASSWORD] = {.name = "password", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = SESSION_PASSWORD_CHARS_MAX},
};

enum err route_session_create(struct http_request *req, struct http_response *resp)
{
    struct json_value v[F__COUNT];
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, login_fields, F__COUNT, v, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL, jerr.message);
    }
    struct store_conn *c;
    e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct auth_login_request lr = {
        .login = v[F_LOGIN].text,
        .login_len = v[F_LOGIN].len,
        .password = v[F_PASSWORD].text,
        .password_len = v[F_PASSWORD].len,
        .ip = req->client_ip,
        .user_agent = user_agent_of(req),
        .request_id = req->request_id,
        .now_ms = auth_now_ms(),
    };
    struct auth_login_result r;
    int64_t retry_after_s = 0;
    e = auth_login(c, req->auth, &lr, &r, &retry_after_s);
    /* the parsed body is ours until the request ends: wipe the password now */
    sodium_memzero((void *)v[F_PASSWORD].text, v[F_PASSWORD].len);
    if (e == ERR_RATE_LIMITED) {
        const char *after = arena_printf(req->arena, "%lld", (long long)retry_after_s);
        if (after == NULL || http_response_header(resp, "Retry-After", after) != ERR_OK) {
            return ERR_INTERNAL;
        }
        return http_response_fail(resp, e, NULL,
                                  "too many failed sign-ins; wait before trying again");
    }
    if (e == ERR_UNAUTHENTICATED) {
        return http_response_fail(resp, e, NULL, "wrong login or password");
    }
    if (e) {
        return e;
    }
    e = set_cookie(req, resp, r.token);
    if (!e) {
        e = session_body(resp, 200, &r.user, r.csrf, r.expires_at_s);
    }
    auth_login_result_wipe(&r);
    return e;
}

enum err route_session_get(struct http_request *req, struct http_response *resp)
{
    const char *cookie = http_request_header(req, "Cookie");
    size_t len = 0;
    const char *token =
        cookie != NULL ? http_cookie_find(cookie, HTTP_SESSION_COOKIE, &len) : NULL;
    char csrf[AUTH_TOKEN_TEXT];
    if (token == NULL || auth_csrf_for_token(token, len, csrf) != ERR_OK) {
        return ERR_UNAUTHENTICATED; /* the middleware checked it: cannot happen */
    }
    enum err e = session_body(resp, 200, req->user, csrf, req->session->expires_at_s);
    sodium_memzero(csrf, sizeof(csrf));
    return e;
}

enum err route_session_delete(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (!e) {
        e = auth_logout(c, req->session, req->request_id, auth_now_ms());
    }
    if (!e) {
        e = set_cookie(req, resp, "");
    }
    if (!e) {
        static const char body[] = "{\"signed_out\":true}";
        http_response_json_text(resp, 200, body, sizeof(body) - 1);
    }
    return e;
}

enum err route_sessions_list(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct auth_session_info *rows =
        arena_alloc(req->arena, sizeof(*rows) * AUTH_SESSIONS_LIST_MAX);
    if (rows == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    e = auth_session_list(c, req->auth, req->session, auth_now_ms(), rows, AUTH_SESSIONS_LIST_MAX,
                          &n);
    if (e) {
        return e;
    }
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++) {
        json_t *one = json_pack("{s:I,s:o,s:o,s:o,s:s,s:s,s:b}", "id", (json_int_t)rows[i].id,
                                "created_at", time_json(rows[i].created_at_s), "last_seen_at",
                                time_json(rows[i].last_seen_s), "expires_at",
                                time_json(rows[i].expires_at_s), "ip", rows[i].ip, "user_agent",
                                rows[i].user_agent, "current", rows[i].current);
        if (one == NULL || json_array_append_new(list, one) != 0) {
            json_decref(list);
            return ERR_NOMEM;
        }
    }
    json_t *doc = json_pack("{s:o}", "sessions", list);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}

enum err route_sessions_delete(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return e;
    }
    struct store_conn *c;
    e = http_request_store(req, &c);
    if (!e) {
        e = auth_session_revoke(c, req->session, id, req->request_id, auth_now_ms());
    }
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "id", "no such session of yours");
    }
    if (!e && id == req->session->id) {
        e = set_cookie(req, resp, ""); /* revoking the one in use signs out */
    }
    if (!e) {
        static const char body[] = "{\"revoked\":true}";
        http_response_json_text(resp, 200, body, sizeof(body) - 1);
    }
    return e;
}
