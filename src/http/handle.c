/*
 * handle: the request pipeline shared by the server, the tests and the
 * fuzzer. Invariant: on return the store connection is back in the pool,
 * the JSON body is freed, and out holds a complete response whose pointers
 * are static or in the arena.
 */
#include "http/handle.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/json_util.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/utf8.h"
#include "domain/org.h"
#include "http/errors.h"
#include "http/routes.h"
#include "http/static_files.h"
#include "store/store.h"

/* Per-thread generator for request ids: splitmix64 seeded from getrandom.
 * Ids only need to be unique and unguessable enough to not collide; a
 * syscall per request would cost more than the rest of a health check. */
static _Thread_local uint64_t rid_state;
static _Thread_local int rid_seeded;

static uint64_t rid_next(void)
{
    if (!rid_seeded) {
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)&rid_state;
        }
        rid_state = seed;
        rid_seeded = 1;
    }
    uint64_t z = (rid_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

bool http_request_id_is_safe(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n == HTTP_REQUEST_ID_MAX) {
            return false;
        }
    }
    return n > 0;
}

static const char *request_id_choose(const struct http_input *in, struct arena *arena)
{
    const char *given =
        in->header_fn != NULL ? in->header_fn(in->header_ctx, "X-Request-Id") : NULL;
    if (given != NULL && http_request_id_is_safe(given)) {
        return arena_strndup(arena, given, strlen(given));
    }
    return arena_printf(arena, "%016" PRIx64, rid_next());
}

/* "application/json", any case, optionally with parameters; a charset
 * parameter, if any, must be utf-8. */
static bool content_type_is_json(const char *ct)
{
    static const char media[] = "application/json";
    if (ct == NULL) {
        return false;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    if (strncasecmp(ct, media, sizeof(media) - 1) != 0) {
        return false;
    }
    const char *p = ct + sizeof(media) - 1;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p == '\0') {
        return true;
    }
    if (*p != ';') {
        return false; /* "application/jsonx" */
    }
    const char *cs = strcasestr(p, "charset=");
    if (cs == NULL) {
        return true;
    }
    cs += 8;
    if (*cs == '"') {
        cs++;
    }
    return strncasecmp(cs, "utf-8", 5) == 0 &&
           (cs[5] == '\0' || cs[5] == '"' || cs[5] == ';' || cs[5] == ' ');
}

static enum err check_query(const struct http_input *in, struct http_response *resp)
{
    if (in->query_count > LIMIT_QUERY_ARGS) {
        return http_response_fail(resp, ERR_INVALID, "query",
                                  "too many query arguments (at most 32)");
    }
    for (size_t i = 0; i < in->query_count; i++) {
        const char *k = in->query[i].key;
        const char *v = in->query[i].value != NULL ? in->query[i].value : "";
        if (!utf8_is_valid(k, strlen(k))) {
            return http_response_fail(resp, ERR_ENCODING, "query",
                                      "a query argument name is not valid UTF-8");
        }
        if (!utf8_is_valid(v, strlen(v))) {
            return http_response_fail(resp, ERR_ENCODING, k, "a query argument is not valid UTF-8");
        }
    }
    return ERR_OK;
}

static enum err read_body(const struct http_input *in, struct http_request *req,
                          struct http_response *resp)
{
    if (in->body_too_large) {
        return http_response_fail(resp, ERR_TOO_LARGE, NULL, "the body is larger than 1 MiB");
    }
    const char *ct = in->header_fn != NULL ? in->header_fn(in->header_ctx, "Content-Type") : NULL;
    if (!content_type_is_json(ct)) {
        return http_response_fail(resp, ERR_UNSUPPORTED_MEDIA, NULL,
                                  "the body must be sent as Content-Type: application/json");
    }
    struct json_util_error jerr;
    enum err e = json_util_parse(in->body, in->body != NULL ? in->body_len : 0, LIMIT_JSON_DEPTH,
                                 &req->body, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL, jerr.message);
    }
    return ERR_OK;
}

const char *http_cookie_find(const char *header, const char *name, size_t *len)
{
    size_t name_len = strlen(name);
    const char *p = header;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ';') {
            p++;
        }
        const char *end = strchr(p, ';');
        size_t pair_len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (pair_len > name_len && p[name_len] == '=' && memcmp(p, name, name_len) == 0) {
            const char *v = p + name_len + 1;
            size_t n = pair_len - name_len - 1;
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
                n--;
            }
            if (n > 0) { /* "name=" alone holds no value */
                *len = n;
                return v;
            }
        }
        p += pair_len;
    }
    return NULL;
}

static const char *input_header(const struct http_input *in, const char *name)
{
    return in->header_fn != NULL ? in->header_fn(in->header_ctx, name) : NULL;
}

/* True for text that can be an IPv4 or IPv6 address (what nginx puts in
 * X-Forwarded-For); anything else is ignored rather than logged or stored. */
static bool ip_text_is_plausible(const char *s, size_t len)
{
    if (len == 0 || len > STORE_IP_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                  c == '.' || c == ':';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* The client's address and whether it came over TLS. A loopback peer is
 * our nginx: its X-Forwarded-For (last entry: the one nginx saw) and
 * X-Forwarded-Proto are believed; anyone else's are not. */
static void client_of(const struct http_input *in, struct http_request *req)
{
    req->client_ip = in->peer_ip != NULL ? in->peer_ip : "";
    req->secure = false;
    if (!in->peer_is_loopback) {
        return;
    }
    const char *proto = input_header(in, "X-Forwarded-Proto");
    req->secure = proto != NULL && strcasecmp(proto, "https") == 0;
    const char *xff = input_header(in, "X-Forwarded-For");
    if (xff == NULL) {
        return;
    }
    const char *last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    while (*last == ' ' || *last == '\t') {
        last++;
    }
    size_t n = strlen(last);
    while (n > 0 && (last[n - 1] == ' ' || last[n - 1] == '\t')) {
        n--;
    }
    if (ip_text_is_plausible(last, n)) {
        const char *ip = arena_strndup(req->arena, last, n);
        if (ip != NULL) {
            req->client_ip = ip;
        }
    }
}

static bool method_changes_state(enum http_method m)
{
    return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

/* The auth middleware: session (401), role (403), CSRF (403). On success
 * req->session and req->user are set. */
static enum err authenticate(const struct http_input *in, struct http_request *req,
                             struct http_response *resp)
{
    const char *cookie = input_header(in, "Cookie");
    size_t len = 0;
    const char *token =
        cookie != NULL ? http_cookie_find(cookie, HTTP_SESSION_COOKIE, &len) : NULL;
    if (token == NULL) {
        return http_response_fail(resp, ERR_UNAUTHENTICATED, NULL, "sign in first");
    }
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct auth_session *s = arena_alloc(req->arena, sizeof(*s));
    if (s == NULL) {
        return ERR_NOMEM;
    }
    e = auth_session_check(c, req->auth, token, len, auth_now_ms(), s);
    if (e == ERR_UNAUTHENTICATED) {
        /* the browser may forget a cookie that no longer opens anything */
        if (http_response_header(resp, "Set-Cookie", HTTP_SESSION_COOKIE
                                 "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0") != ERR_OK) {
            return ERR_INTERNAL;
        }
        return http_response_fail(resp, e, NULL, "your session has ended; sign in again");
    }
    if (e) {
        return e;
    }
    req->session = s;
    req->user = &s->user;
    if (!auth_role_in(req->user, req->route->roles)) {
        return http_response_fail(resp, ERR_FORBIDDEN, NULL, "your role may not do this");
    }
    if (method_changes_state(req->method)) {
        const char *csrf = input_header(in, HTTP_CSRF_HEADER);
        e = auth_csrf_check(s, csrf, csrf != NULL ? strlen(csrf) : 0);
        if (e) {
            return http_response_fail(resp, ERR_CSRF, HTTP_CSRF_HEADER,
                                      "this request needs the session's X-CSRF-Token header");
        }
    }
    return ERR_OK;
}

enum err http_require_org_scope(const struct http_request *req, const char *org_path)
{
    if (req->user == NULL || !auth_org_in_scope(req->user, org_path)) {
        return ERR_NOT_FOUND;
    }
    return ERR_OK;
}

enum err http_require_member(struct http_request *req, int64_t member_id)
{
    if (req->user == NULL) {
        return ERR_NOT_FOUND;
    }
    if (req->user->role == AUTH_ROLE_MEMBER) {
        return auth_member_in_scope(req->user, member_id) ? ERR_OK : ERR_NOT_FOUND;
    }
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    return org_member_in_scope(c, req->user, member_id);
}

static enum err serve_api(const struct http_input *in, struct http_request *req,
                          struct http_response *resp)
{
    if (!utf8_is_valid(in->path, strlen(in->path))) {
        return http_response_fail(resp, ERR_ENCODING, NULL, "the path is not valid UTF-8");
    }
    enum err e = check_query(in, resp);
    if (e) {
        return e;
    }
    struct http_match m;
    e = http_route_match(http_routes, http_route_count, req->method, in->path, req->arena, &m);
    if (e) {
        return e;
    }
    if (m.allowed == 0) {
        return ERR_NOT_FOUND;
    }
    if (m.route == NULL) {
        char *allow = arena_alloc(req->arena, 64);
        if (allow == NULL) {
            return ERR_NOMEM;
        }
        http_methods_format(m.allowed, allow, 64);
        if (http_response_header(resp, "Allow", allow) != ERR_OK) {
            return ERR_INTERNAL;
        }
        return ERR_METHOD;
    }
    req->route = m.route;
    memcpy(req->params, m.params, sizeof(req->params));
    req->param_count = m.param_count;
    if ((m.route->roles & HTTP_ROLE_PUBLIC) == 0) {
        e = authenticate(in, req, resp);
        if (e) {
            return e;
        }
    }
    if (m.route->body == HTTP_BODY_JSON) {
        e = read_body(in, req, resp);
        if (e) {
            return e;
        }
    } else if (m.route->body == HTTP_BODY_UPLOAD) {
        if (in->body_too_large) {
            return http_response_fail(resp, ERR_TOO_LARGE, NULL, "the upload is larger than 32 MiB");
        }
        req->upload = in->body_len > 0 ? in->body : NULL;
        req->upload_len = in->body != NULL ? in->body_len : 0;
    }
    return m.route->handler(req, resp);
}

static void add_api_headers(struct http_response *resp)
{
    static const struct http_kv headers[] = {
        {"Cache-Control", "no-store"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    };
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        enum err e = http_response_header(resp, headers[i].key, headers[i].value);
        (void)e; /* at most six headers precede these; the table holds sixteen */
    }
}

/* Anti-framing for everything, files and API alike (old browsers ignore
 * CSP frame-ancestors). */
static void add_common_headers(struct http_response *resp)
{
    enum err e = http_response_header(resp, "X-Frame-Options", "DENY");
    (void)e; /* room is kept for it: see HTTP_RESPONSE_HEADERS_MAX */
}

/* Copy of path fit for a log line: control bytes, and every non-ASCII byte
 * when the text is not UTF-8, become '?'; at most cap - 1 bytes. */
static const char *log_path(const char *path, char *buf, size_t cap)
{
    bool ascii_only = !utf8_is_valid(path, strlen(path));
    size_t i = 0;
    for (; path[i] != '\0' && i < cap - 1; i++) {
        unsigned char c = (unsigned char)path[i];
        buf[i] = c < 0x20 || c == 0x7F || (ascii_only && c >= 0x80) ? '?' : (char)c;
    }
    buf[i] = '\0';
    return buf;
}

static bool path_is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

void http_handle(const struct http_input *in, const struct http_env *env, struct http_response *out)
{
    http_response_init(out, env->arena);
    const char *rid = request_id_choose(in, env->arena);
    log_set_request_id(rid);

    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.method = http_method_parse(in->method);
    req.path = in->path;
    req.request_id = rid;
    req.arena = env->arena;
    req.query = in->query;
    req.query_count = in->query_count;
    req.header_fn = in->header_fn;
    req.header_ctx = in->header_ctx;
    req.store = env->store;
    req.fc = env->fc;
    req.claims = env->claims;
    struct auth_config auth_default;
    if (env->auth == NULL) {
        auth_config_default(&auth_default);
    }
    req.auth = env->auth != NULL ? env->auth : &auth_default;
    client_of(in, &req);

    enum err e;
    bool api = env->static_dir_fd < 0 || path_is_api(in->path);
    if (rid == NULL) {
        e = ERR_NOMEM;
    } else if (in->headers_too_large) {
        e = http_response_fail(out, ERR_TOO_LARGE, "headers",
                               "the request headers are larger than 16 KiB");
    } else if (api) {
        e = serve_api(in, &req, out);
    } else {
        e = http_static_serve(env->static_dir_fd, req.method, in->path, out);
        if (e == ERR_METHOD && http_response_header(out, "Allow", "GET, HEAD") != ERR_OK) {
            e = ERR_INTERNAL;
        }
    }
    char logbuf[201];
    if (e) {
        if (http_status_for_err(e) >= 500) {
            log_error("%s %s: %s%s%s", log_path(in->method, logbuf, 16),
                      log_path(in->path, logbuf + 16, sizeof(logbuf) - 16), err_str(e),
                      out->error_message != NULL ? ": " : "",
                      out->error_message != NULL ? out->error_message : "");
        }
        http_response_error(out, e);
        if (in->headers_too_large) {
            out->status = 431; /* Request Header Fields Too Large, not 413 (body) */
        }
    }
    if (req.conn != NULL) {
        store_release(req.conn);
        req.conn = NULL;
    }
    json_decref(req.body);
    if (out->fd < 0) {
        add_api_headers(out);
    }
    add_common_headers(out);
    if (rid != NULL && http_response_header(out, "X-Request-Id", rid) != ERR_OK) {
        log_error("no room for X-Request-Id");
    }
    log_debug("%s %s %u", log_path(in->method, logbuf, 16),
              log_path(in->path, logbuf + 16, sizeof(logbuf) - 16), out->status);
    log_set_request_id(NULL);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t http_url_unescape(char *s)
{
    size_t r = 0, w = 0;
    while (s[r] != '\0') {
        int hi, lo;
        if (s[r] == '%' && (hi = hex_value(s[r + 1])) >= 0 && (lo = hex_value(s[r + 2])) >= 0) {
            int byte = hi * 16 + lo;
            s[w++] = (char)(byte == 0 ? 0xFF : byte);
            r += 3;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return w;
}
