/*
 * test_http_router: route matching, the route table check, URL decoding,
 * and the whole request pipeline (http_handle) without sockets: status,
 * error bodies, headers, body rules and static files; and the auth
 * middleware on a real SQLite database: sessions by cookie, roles, CSRF,
 * scope (404 outside the subtree), proxy headers trusted from loopback only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "domain/auth.h"
#include "store/store.h"
#include "store/store_registry.h"
#include "http/errors.h"
#include "http/handle.h"
#include "http/router.h"
#include "http/routes.h"
#include "http/static_files.h"

static enum err handler_stub(struct http_request *req, struct http_response *resp)
{
    (void)req;
    (void)resp;
    return ERR_OK;
}

static const struct http_route table[] = {
    {HTTP_GET, "/api/v1/claims", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/claims/:id", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_DELETE, "/api/v1/claims/:id", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/stats", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/orgs/:org/members/:member", handler_stub, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
};
#define TABLE_COUNT (sizeof(table) / sizeof(table[0]))

static struct arena arena;

static int setup(void **state)
{
    (void)state;
    arena_init(&arena, LIMIT_ARENA_BYTES);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&arena);
    return 0;
}

static struct http_match match(enum http_method m, const char *path)
{
    struct http_match out;
    assert_int_equal(http_route_match(table, TABLE_COUNT, m, path, &arena, &out), ERR_OK);
    return out;
}

static void test_match_literal_and_params(void **state)
{
    (void)state;
    struct http_match m = match(HTTP_GET, "/api/v1/claims");
    assert_ptr_equal(m.route, &table[0]);
    assert_int_equal(m.param_count, 0);

    m = match(HTTP_GET, "/api/v1/claims/c-42");
    assert_ptr_equal(m.route, &table[2]);
    assert_int_equal(m.param_count, 1);
    assert_string_equal(m.params[0].key, "id");
    assert_string_equal(m.params[0].value, "c-42");

    m = match(HTTP_GET, "/api/v1/orgs/310000/members/7");
    assert_ptr_equal(m.route, &table[5]);
    assert_int_equal(m.param_count, 2);
    assert_string_equal(m.params[1].key, "member");
    assert_string_equal(m.params[1].value, "7");

    m = match(HTTP_HEAD, "/api/v1/claims/9"); /* GET routes answer HEAD */
    assert_ptr_equal(m.route, &table[2]);
}

static void test_match_specific_beats_param(void **state)
{
    (void)state;
    /* "/claims/stats" is literal: it wins over "/claims/:id" whatever the order */
    struct http_match m = match(HTTP_POST, "/api/v1/claims/stats");
    assert_ptr_equal(m.route, &table[4]);
    /* and GET on it is a 405 with only POST allowed, not GET /claims/:id */
    m = match(HTTP_GET, "/api/v1/claims/stats");
    assert_null(m.route);
    assert_int_equal(m.allowed, HTTP_POST);
}

static void test_match_404_405(void **state)
{
    (void)state;
    struct http_match m = match(HTTP_GET, "/api/v1/nothing");
    assert_null(m.route);
    assert_int_equal(m.allowed, 0);
    m = match(HTTP_GET, "/api/v1/claims/"); /* empty parameter: no match */
    assert_int_equal(m.allowed, 0);
    m = match(HTTP_GET, "/api/v1//claims");
    assert_int_equal(m.allowed, 0);
    m = match(HTTP_GET, "api/v1/claims"); /* not absolute */
    assert_int_equal(m.allowed, 0);
    m = match(HTTP_PUT, "/api/v1/claims/1");
    assert_null(m.route);
    assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_DELETE);
    char allow[64];
    http_methods_format(m.allowed, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, DELETE");
    m = match(HTTP_METHOD_OTHER, "/api/v1/claims");
    assert_null(m.route);
    assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
    /* a path of more than HTTP_PATH_SEGMENTS_MAX segments */
    char deep[4 * HTTP_PATH_SEGMENTS_MAX + 8] = "";
    for (int i = 0; i <= HTTP_PATH_SEGMENTS_MAX; i++) {
        strcat(deep, "/a");
    }
    m = match(HTTP_GET, deep);
    assert_int_equal(m.allowed, 0);
}

static void test_routes_check(void **state)
{
    (void)state;
    assert_int_equal(http_routes_check(table, TABLE_COUNT), ERR_OK);
    assert_int_equal(http_routes_check(http_routes, http_route_count), ERR_OK);
    struct http_route bad[2] = {table[0], table[1]};
    bad[1].roles = 0; /* every route must say who may call it */
    assert_int_equal(http_routes_check(bad, 2), ERR_INVALID);
    bad[1] = table[1];
    bad[1].body = 0;
    assert_int_equal(http_routes_check(bad, 2), ERR_INVALID);
    bad[1] = table[0]; /* same method and pattern twice */
    assert_int_equal(http_routes_check(bad, 2), ERR_INVALID);
    struct http_route shape[2] = {table[2], table[2]};
    shape[1].pattern = "/api/v1/claims/:other"; /* same shape, other name */
    assert_int_equal(http_routes_check(shape, 2), ERR_INVALID);
    shape[1] = table[2];
    shape[1].method = HTTP_GET | HTTP_POST; /* one method per route */
    assert_int_equal(http_routes_check(shape, 1 + 1), ERR_INVALID);
    shape[1] = table[2];
    shape[1].handler = NULL;
    assert_int_equal(http_routes_check(shape, 2), ERR_INVALID);
    /* deny by default: PUBLIC stands alone, and only roles that exist */
    bad[1] = table[1];
    bad[1].roles = HTTP_ROLE_PUBLIC | HTTP_ROLE_ADMIN;
    assert_int_equal(http_routes_check(bad, 2), ERR_INVALID);
    bad[1].roles = 1u << 20;
    assert_int_equal(http_routes_check(bad, 2), ERR_INVALID);
    bad[1].roles = HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN;
    assert_int_equal(http_routes_check(bad, 2), ERR_OK);
    bad[1].roles = HTTP_ROLES_ANY;
    assert_int_equal(http_routes_check(bad, 2), ERR_OK);
    /* the real table: every route is public or names roles */
    for (size_t i = 0; i < http_route_count; i++) {
        assert_true(http_routes[i].roles == HTTP_ROLE_PUBLIC ||
                    (http_routes[i].roles & ~(unsigned)AUTH_ROLES_ALL) == 0);
    }
}

static void test_roles_format(void **state)
{
    (void)state;
    char buf[160];
    http_roles_format(HTTP_ROLE_PUBLIC, buf, sizeof(buf));
    assert_string_equal(buf, "public");
    http_roles_format(HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, buf, sizeof(buf));
    assert_string_equal(buf, "admin,auditor");
    http_roles_format(HTTP_ROLES_ANY, buf, sizeof(buf));
    assert_string_equal(buf, "admin,supervisor,unit_staff,claims_officer,claims_approver,"
                             "finance,auditor,member");
    http_roles_format(HTTP_ROLES_STAFF, buf, sizeof(buf));
    assert_null(strstr(buf, "member"));
}

static void test_cookie_find(void **state)
{
    (void)state;
    size_t len = 0;
    const char *v = http_cookie_find("huzhu_session=abc", "huzhu_session", &len);
    assert_non_null(v);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "abc", 3);
    v = http_cookie_find("a=1; huzhu_session=xyz ; b=2", "huzhu_session", &len);
    assert_non_null(v);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "xyz", 3);
    assert_null(http_cookie_find("xhuzhu_session=1", "huzhu_session", &len));
    assert_null(http_cookie_find("huzhu_session", "huzhu_session", &len));
    assert_null(http_cookie_find("", "huzhu_session", &len));
    v = http_cookie_find("huzhu_session=", "huzhu_session", &len);
    assert_null(v); /* "name=" with nothing: no token */
}

static void test_method_parse(void **state)
{
    (void)state;
    assert_int_equal(http_method_parse("GET"), HTTP_GET);
    assert_int_equal(http_method_parse("PATCH"), HTTP_PATCH);
    assert_int_equal(http_method_parse("get"), HTTP_METHOD_OTHER);
    assert_int_equal(http_method_parse("TRACE"), HTTP_METHOD_OTHER);
    assert_int_equal(http_method_parse(""), HTTP_METHOD_OTHER);
}

static void test_url_unescape(void **state)
{
    (void)state;
    char a[] = "/a%20b/%E5%BC%A0";
    assert_int_equal(http_url_unescape(a), strlen("/a b/张"));
    assert_string_equal(a, "/a b/张");
    char b[] = "x%00y"; /* a NUL would cut the string: it becomes 0xFF, never UTF-8 */
    assert_int_equal(http_url_unescape(b), 3);
    assert_int_equal((unsigned char)b[1], 0xFF);
    char c[] = "%G1%4%"; /* malformed escapes stay */
    assert_int_equal(http_url_unescape(c), 6);
    assert_string_equal(c, "%G1%4%");
    char d[] = "a+b";
    http_url_unescape(d);
    assert_string_equal(d, "a+b");
}

static void test_request_id_is_safe(void **state)
{
    (void)state;
    assert_true(http_request_id_is_safe("abc-123_x.y"));
    char id[HTTP_REQUEST_ID_MAX + 2];
    memset(id, 'a', HTTP_REQUEST_ID_MAX);
    id[HTTP_REQUEST_ID_MAX] = '\0';
    assert_true(http_request_id_is_safe(id));
    id[HTTP_REQUEST_ID_MAX] = 'a';
    id[HTTP_REQUEST_ID_MAX + 1] = '\0';
    assert_false(http_request_id_is_safe(id));
    assert_false(http_request_id_is_safe(""));
    assert_false(http_request_id_is_safe("a b"));
    assert_false(http_request_id_is_safe("a\r\nSet-Cookie: x"));
    assert_false(http_request_id_is_safe("<script>"));
}

static void test_status_map(void **state)
{
    (void)state;
    assert_int_equal(http_status_for_err(ERR_BAD_JSON), 400);
    assert_int_equal(http_status_for_err(ERR_UNKNOWN_FIELD), 400);
    assert_int_equal(http_status_for_err(ERR_UNAUTHENTICATED), 401);
    assert_int_equal(http_status_for_err(ERR_FORBIDDEN), 403);
    assert_int_equal(http_status_for_err(ERR_NOT_FOUND), 404);
    assert_int_equal(http_status_for_err(ERR_METHOD), 405);
    assert_int_equal(http_status_for_err(ERR_CONFLICT), 409);
    assert_int_equal(http_status_for_err(ERR_TOO_LARGE), 413);
    assert_int_equal(http_status_for_err(ERR_UNSUPPORTED_MEDIA), 415);
    assert_int_equal(http_status_for_err(ERR_SETTLEMENT_MISMATCH), 422);
    assert_int_equal(http_status_for_err(ERR_RATE_LIMITED), 429);
    assert_int_equal(http_status_for_err(ERR_DB), 500);
    assert_int_equal(http_status_for_err(ERR_DB_BUSY), 503);
    assert_int_equal(http_status_for_err(ERR_OK), 500);
    assert_int_equal(http_status_for_err((enum err)9999), 500);
}

/* --- the whole pipeline ------------------------------------------------- */

struct fake {
    const char *names[8];
    const char *values[8];
    size_t count;
};

static const char *fake_header(void *ctx, const char *name)
{
    struct fake *f = ctx;
    for (size_t i = 0; i < f->count; i++) {
        if (strcasecmp(f->names[i], name) == 0) {
            return f->values[i];
        }
    }
    return NULL;
}

struct result {
    unsigned status;
    json_t *body;       /* parsed JSON body, or NULL */
    char code[64];      /* .error.code, or "" */
    char field[64];     /* .error.field, or "" */
    char headers[2048]; /* "Name: value\n" lines */
};

static const char *hdr(const struct result *r, const char *name)
{
    static char value[512];
    char needle[128];
    snprintf(needle, sizeof(needle), "%s: ", name);
    const char *p = strstr(r->headers, needle);
    if (p == NULL) {
        return NULL;
    }
    p += strlen(needle);
    size_t n = strcspn(p, "\n");
    memcpy(value, p, n);
    value[n] = '\0';
    return value;
}

static struct result run_full(const char *method, const char *path, const char *ctype,
                              const char *body, size_t body_len, bool too_large,
                              const struct http_kv *query, size_t query_count, int static_fd,
                              struct fake *extra)
{
    struct fake f = {.count = 0};
    if (extra != NULL) {
        f = *extra;
    }
    if (ctype != NULL) {
        f.names[f.count] = "Content-Type";
        f.values[f.count++] = ctype;
    }
    struct http_input in = {
        .method = method,
        .path = path,
        .query = query,
        .query_count = query_count,
        .header_fn = fake_header,
        .header_ctx = &f,
        .body = body,
        .body_len = body_len,
        .body_too_large = too_large,
    };
    struct http_env env = {.arena = &arena, .store = NULL, .static_dir_fd = static_fd};
    struct http_response resp;
    http_handle(&in, &env, &resp);

    struct result r;
    memset(&r, 0, sizeof(r));
    r.status = resp.status;
    for (size_t i = 0; i < resp.header_count; i++) {
        size_t used = strlen(r.headers);
        snprintf(r.headers + used, sizeof(r.headers) - used, "%s: %s\n", resp.headers[i].key,
                 resp.headers[i].value);
    }
    if (resp.content_type != NULL) {
        size_t used = strlen(r.headers);
        snprintf(r.headers + used, sizeof(r.headers) - used, "Content-Type: %s\n",
                 resp.content_type);
    }
    if (resp.fd >= 0) {
        close(resp.fd);
    } else {
        r.body = json_loadb(resp.body, resp.body_len, 0, NULL);
        assert_non_null(r.body); /* every non-file response is JSON */
        json_t *err = json_object_get(r.body, "error");
        if (err != NULL) {
            snprintf(r.code, sizeof(r.code), "%s", json_string_value(json_object_get(err, "code")));
            const char *field = json_string_value(json_object_get(err, "field"));
            snprintf(r.field, sizeof(r.field), "%s", field != NULL ? field : "");
            assert_non_null(json_string_value(json_object_get(err, "message")));
        }
    }
    arena_reset(&arena);
    return r;
}

static struct result run(const char *method, const char *path, const char *ctype, const char *body)
{
    return run_full(method, path, ctype, body, body != NULL ? strlen(body) : 0, false, NULL, 0, -1,
                    NULL);
}

static void done(struct result *r)
{
    json_decref(r->body);
}

static void test_handle_health_without_database(void **state)
{
    (void)state;
    struct result r = run("GET", "/api/v1/health", NULL, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(json_string_value(json_object_get(r.body, "status")), "degraded");
    assert_string_equal(json_string_value(json_object_get(r.body, "version")), HUZHU_VERSION);
    assert_true(json_is_false(json_object_get(json_object_get(r.body, "database"), "ok")));
    assert_string_equal(hdr(&r, "Content-Type"), "application/json; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control"), "no-store");
    assert_string_equal(hdr(&r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(hdr(&r, "Referrer-Policy"), "no-referrer");
    assert_string_equal(hdr(&r, "Content-Security-Policy"),
                        "default-src 'none'; frame-ancestors 'none'");
    assert_int_equal(strlen(hdr(&r, "X-Request-Id")), 16);
    done(&r);
}

static void test_handle_request_id(void **state)
{
    (void)state;
    struct fake f = {.names = {"X-Request-Id"}, .values = {"client-id-1"}, .count = 1};
    struct result r = run_full("GET", "/api/v1/nope", NULL, NULL, 0, false, NULL, 0, -1, &f);
    assert_string_equal(hdr(&r, "X-Request-Id"), "client-id-1");
    done(&r);
    f.values[0] = "bad id with spaces";
    r = run_full("GET", "/api/v1/nope", NULL, NULL, 0, false, NULL, 0, -1, &f);
    assert_string_not_equal(hdr(&r, "X-Request-Id"), "bad id with spaces");
    assert_int_equal(strlen(hdr(&r, "X-Request-Id")), 16);
    done(&r);
    char first[32];
    r = run("GET", "/api/v1/nope", NULL, NULL);
    snprintf(first, sizeof(first), "%s", hdr(&r, "X-Request-Id"));
    done(&r);
    r = run("GET", "/api/v1/nope", NULL, NULL);
    assert_string_not_equal(first, hdr(&r, "X-Request-Id"));
    done(&r);
}

static void test_handle_404_405(void **state)
{
    (void)state;
    struct result r = run("GET", "/api/v1/nope", NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.code, "NOT_FOUND");
    done(&r);
    r = run("GET", "/", NULL, NULL); /* no static dir: everything is API */
    assert_int_equal(r.status, 404);
    done(&r);
    r = run("POST", "/api/v1/health", "application/json", "{}");
    assert_int_equal(r.status, 405);
    assert_string_equal(r.code, "METHOD_NOT_ALLOWED");
    assert_string_equal(hdr(&r, "Allow"), "GET, HEAD");
    done(&r);
    r = run("BREW", "/api/v1/tools/check-ids", NULL, NULL);
    assert_int_equal(r.status, 405);
    assert_string_equal(hdr(&r, "Allow"), "POST");
    done(&r);
}

static void test_handle_body_rules(void **state)
{
    (void)state;
    const char *path = "/api/v1/tools/check-ids";
    struct result r = run("POST", path, "text/plain", "{\"phone\":\"13812345678\"}");
    assert_int_equal(r.status, 415);
    assert_string_equal(r.code, "UNSUPPORTED_MEDIA_TYPE");
    done(&r);
    r = run("POST", path, NULL, "{\"phone\":\"13812345678\"}");
    assert_int_equal(r.status, 415);
    done(&r);
    r = run("POST", path, "application/jsonx", "{}");
    assert_int_equal(r.status, 415);
    done(&r);
    r = run("POST", path, "application/json; charset=latin1", "{}");
    assert_int_equal(r.status, 415);
    done(&r);
    r = run("POST", path, "Application/JSON; charset=UTF-8", "{\"phone\":\"13812345678\"}");
    assert_int_equal(r.status, 200);
    done(&r);
    r = run("POST", path, "application/json", "{\"phone\":");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.code, "BAD_JSON");
    done(&r);
    r = run("POST", path, "application/json", "");
    assert_string_equal(r.code, "BAD_JSON");
    done(&r);
    r = run("POST", path, "application/json", "{\"phone\":\"\xff\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.code, "BAD_ENCODING");
    done(&r);
    r = run_full("POST", path, "application/json", NULL, 0, true, NULL, 0, -1, NULL);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.code, "TOO_LARGE");
    done(&r);
    char deep[2 * LIMIT_JSON_DEPTH + 3];
    memset(deep, '[', LIMIT_JSON_DEPTH + 1);
    memset(deep + LIMIT_JSON_DEPTH + 1, ']', LIMIT_JSON_DEPTH + 1);
    deep[2 * LIMIT_JSON_DEPTH + 2] = '\0';
    r = run("POST", path, "application/json", deep);
    assert_string_equal(r.code, "BAD_JSON");
    done(&r);
}

static void test_handle_check_ids(void **state)
{
    (void)state;
    const char *path = "/api/v1/tools/check-ids";
    struct result r = run("POST", path, "application/json", "{\"phone\":1}");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.code, "BAD_TYPE");
    assert_string_equal(r.field, "phone");
    done(&r);
    r = run("POST", path, "application/json", "{\"mobile\":\"1\"}");
    assert_string_equal(r.code, "UNKNOWN_FIELD");
    assert_string_equal(r.field, "mobile");
    done(&r);
    r = run("POST", path, "application/json", "{}");
    assert_string_equal(r.code, "MISSING_FIELD");
    done(&r);
    r = run("POST", path, "application/json",
            "{\"id_number\":\"11010519491231002x\",\"phone\":\"12345\"}");
    assert_int_equal(r.status, 200);
    json_t *id = json_object_get(r.body, "id_number");
    assert_true(json_is_true(json_object_get(id, "valid")));
    assert_string_equal(json_string_value(json_object_get(id, "normalized")), "11010519491231002X");
    assert_string_equal(json_string_value(json_object_get(id, "birth_date")), "1949-12-31");
    json_t *phone = json_object_get(r.body, "phone");
    assert_true(json_is_false(json_object_get(phone, "valid")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(phone, "error"), "code")),
                        "INVALID_PHONE");
    assert_null(json_object_get(r.body, "uscc"));
    done(&r);
}

static void test_handle_query_and_path(void **state)
{
    (void)state;
    struct http_kv q[LIMIT_QUERY_ARGS + 1];
    for (size_t i = 0; i < LIMIT_QUERY_ARGS + 1; i++) {
        q[i].key = "a";
        q[i].value = "1";
    }
    struct result r =
        run_full("GET", "/api/v1/health", NULL, NULL, 0, false, q, LIMIT_QUERY_ARGS, -1, NULL);
    assert_int_equal(r.status, 503); /* 32 arguments: fine (no database here) */
    done(&r);
    r = run_full("GET", "/api/v1/health", NULL, NULL, 0, false, q, LIMIT_QUERY_ARGS + 1, -1, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.field, "query");
    done(&r);
    q[0].value = "\xff";
    r = run_full("GET", "/api/v1/health", NULL, NULL, 0, false, q, 1, -1, NULL);
    assert_string_equal(r.code, "BAD_ENCODING");
    done(&r);
    r = run("GET", "/api/v1/\xc3", NULL, NULL);
    assert_string_equal(r.code, "BAD_ENCODING");
    done(&r);
}

/* --- static files ------------------------------------------------------- */

static void write_file(int dir, const char *name, const char *text)
{
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_static_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/huzhu-static-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(mkdirat(fd, "assets", 0755), 0);
    write_file(fd, "index.html", "<!doctype html>");
    write_file(fd, "assets/app-1a2b.js", "console.log(1)");
    write_file(fd, "favicon.ico", "x");
    assert_int_equal(symlinkat("/etc/passwd", fd, "link.txt"), 0);

    struct result r = run_full("GET", "/", NULL, NULL, 0, false, NULL, 0, fd, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type"), "text/html; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control"), "no-cache");
    assert_string_equal(hdr(&r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(hdr(&r, "Content-Security-Policy"), HTTP_CSP_WEB);
    assert_non_null(hdr(&r, "X-Request-Id"));
    r = run_full("GET", "/assets/app-1a2b.js", NULL, NULL, 0, false, NULL, 0, fd, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type"), "text/javascript; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control"), "public, max-age=31536000, immutable");
    r = run_full("HEAD", "/claims/42", NULL, NULL, 0, false, NULL, 0, fd, NULL); /* history */
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type"), "text/html; charset=utf-8");
    r = run_full("GET", "/assets/missing.js", NULL, NULL, 0, false, NULL, 0, fd, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.code, "NOT_FOUND");
    done(&r);
    r = run_full("GET", "/link.txt", NULL, NULL, 0, false, NULL, 0, fd, NULL); /* symlink */
    assert_int_equal(r.status, 404);
    done(&r);
    const char *refused[] = {"/../etc/passwd", "/assets/../index.html",
                             "/.git/config",   "/a\\b.js",
                             "/a\x01.js",      "/\xff.js"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        r = run_full("GET", refused[i], NULL, NULL, 0, false, NULL, 0, fd, NULL);
        assert_int_equal(r.status, 400);
        done(&r);
    }
    r = run_full("POST", "/index.html", NULL, NULL, 0, false, NULL, 0, fd, NULL);
    assert_int_equal(r.status, 405);
    assert_string_equal(hdr(&r, "Allow"), "GET, HEAD");
    done(&r);
    /* /api/ paths are never files */
    r = run_full("GET", "/api/v1/nope", NULL, NULL, 0, false, NULL, 0, fd, NULL);
    assert_int_equal(r.status, 404);
    done(&r);
    assert_string_equal(http_static_mime("a.woff2"), "font/woff2");
    assert_string_equal(http_static_mime("a.SVG"), "image/svg+xml");
    assert_string_equal(http_static_mime("noext"), "application/octet-stream");

    unlinkat(fd, "link.txt", 0);
    unlinkat(fd, "favicon.ico", 0);
    unlinkat(fd, "assets/app-1a2b.js", 0);
    unlinkat(fd, "index.html", 0);
    unlinkat(fd, "assets", AT_REMOVEDIR);
    close(fd);
    rmdir(dir);
}

/* --- the auth middleware ------------------------------------------------ */

static void test_handle_auth_without_database(void **state)
{
    (void)state;
    /* no cookie: 401 before any database is needed */
    struct result r = run("GET", "/api/v1/session", NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.code, "UNAUTHENTICATED");
    assert_string_equal(hdr(&r, "X-Frame-Options"), "DENY");
    done(&r);
    r = run("DELETE", "/api/v1/session", NULL, NULL);
    assert_int_equal(r.status, 401); /* 401 comes before CSRF */
    done(&r);
    r = run("GET", "/api/v1/audit/events", NULL, NULL);
    assert_int_equal(r.status, 401);
    done(&r);
    /* a cookie but no database: an internal error, never a pass */
    struct fake f = {.names = {"Cookie"}, .values = {"huzhu_session=abc"}, .count = 1};
    r = run_full("GET", "/api/v1/orgs", NULL, NULL, 0, false, NULL, 0, -1, &f);
    assert_int_equal(r.status, 500);
    done(&r);
}

#define PW "Correct-Horse-Battery-9"

struct db_fixture {
    char dir[64];
    char path[128];
    struct store *s;
    struct auth_config cfg;
    int64_t city, unit, other, member;
};

/* One request against the fixture's database. */
static struct result call(struct db_fixture *db, const char *method, const char *path,
                          const char *body, struct fake *headers, const char *peer, bool loopback)
{
    struct fake f = {.count = 0};
    if (headers != NULL) {
        f = *headers;
    }
    if (body != NULL) {
        f.names[f.count] = "Content-Type";
        f.values[f.count++] = "application/json";
    }
    struct http_input in = {
        .method = method,
        .path = path,
        .header_fn = fake_header,
        .header_ctx = &f,
        .body = body,
        .body_len = body != NULL ? strlen(body) : 0,
        .peer_ip = peer,
        .peer_is_loopback = loopback,
    };
    struct http_env env = {.arena = &arena, .store = db->s, .static_dir_fd = -1, .auth = &db->cfg};
    struct http_response resp;
    http_handle(&in, &env, &resp);
    struct result r;
    memset(&r, 0, sizeof(r));
    r.status = resp.status;
    for (size_t i = 0; i < resp.header_count; i++) {
        size_t used = strlen(r.headers);
        snprintf(r.headers + used, sizeof(r.headers) - used, "%s: %s\n", resp.headers[i].key,
                 resp.headers[i].value);
    }
    r.body = json_loadb(resp.body, resp.body_len, 0, NULL);
    assert_non_null(r.body);
    json_t *err = json_object_get(r.body, "error");
    if (err != NULL) {
        snprintf(r.code, sizeof(r.code), "%s", json_string_value(json_object_get(err, "code")));
    }
    arena_reset(&arena);
    return r;
}

static void db_setup(struct db_fixture *db)
{
    snprintf(db->dir, sizeof(db->dir), "/tmp/huzhu-test-mw-XXXXXX");
    assert_non_null(mkdtemp(db->dir));
    snprintf(db->path, sizeof(db->path), "%s/t.db", db->dir);
    struct store_options opt = {.pool_size = 2, .busy_timeout_ms = 5000, .create = true};
    int v;
    assert_int_equal(store_open(db->path, &opt, &db->s), ERR_OK);
    assert_int_equal(store_migrate(db->s, &v), ERR_OK);
    auth_config_default(&db->cfg);
    struct store_conn *c;
    assert_int_equal(store_acquire(db->s, &c), ERR_OK);
    int64_t root;
    struct store_org_new o_root = {"M-ROOT", "省总工会", 0, "province", "330000"};
    assert_int_equal(store_org_insert(c, &o_root, &root), ERR_OK);
    struct store_org_new o_city = {"M-CITY", "市总工会", root, "city", "330100"};
    assert_int_equal(store_org_insert(c, &o_city, &db->city), ERR_OK);
    struct store_org_new o_unit = {"M-UNIT", "基层工会", db->city, "grassroots", "330102"};
    assert_int_equal(store_org_insert(c, &o_unit, &db->unit), ERR_OK);
    struct store_org_new o_other = {"M-OTHER", "另一市", root, "city", "330200"};
    assert_int_equal(store_org_insert(c, &o_other, &db->other), ERR_OK);
    unsigned char hash[STORE_HASH_BYTES], enc[48];
    memset(hash, 7, sizeof(hash));
    memset(enc, 9, sizeof(enc));
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = "330102********0011", .name = "工人", .gender = "M",
                                 .birth_date = "1990-01-01", .employment = "delivery",
                                 .org_id = db->unit};
    assert_int_equal(store_member_insert(c, &m, &db->member), ERR_OK);
    const struct {
        const char *login, *role, *org;
    } users[] = {{"staff.a", "unit_staff", "M-CITY"},
                 {"audit.a", "auditor", "M-CITY"},
                 {"staff.o", "unit_staff", "M-OTHER"}};
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        struct auth_user_new u = {.login = users[i].login, .role = users[i].role,
                                  .org_code = users[i].org, .password = PW,
                                  .password_len = strlen(PW)};
        int64_t id;
        const char *why = NULL;
        assert_int_equal(auth_user_create(c, &auth_actor_cli, &u, auth_now_ms(), &id, &why),
                         ERR_OK);
    }
    store_release(c);
}

static void db_teardown(struct db_fixture *db)
{
    store_close(db->s);
    char p[200];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", db->path, suffixes[i]);
        unlink(p);
    }
    rmdir(db->dir);
}

struct signed_in {
    char cookie[128]; /* "huzhu_session=..." */
    char csrf[64];
};

/* Signs login in; returns the Set-Cookie header line. */
static struct result sign_in(struct db_fixture *db, const char *login, struct fake *headers,
                             const char *peer, bool loopback, struct signed_in *out)
{
    char body[128];
    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", login, PW);
    struct result r = call(db, "POST", "/api/v1/session", body, headers, peer, loopback);
    if (r.status == 200 && out != NULL) {
        const char *set = hdr(&r, "Set-Cookie");
        assert_non_null(set);
        size_t n = strcspn(set, ";");
        assert_true(n < sizeof(out->cookie));
        memcpy(out->cookie, set, n);
        out->cookie[n] = '\0';
        snprintf(out->csrf, sizeof(out->csrf), "%s",
                 json_string_value(json_object_get(r.body, "csrf_token")));
    }
    return r;
}

static void test_auth_middleware(void **state)
{
    (void)state;
    struct db_fixture db;
    db_setup(&db);
    struct signed_in staff, audit, other;

    /* proxy headers from a non-loopback peer are not believed */
    struct fake xf = {.names = {"X-Forwarded-Proto", "X-Forwarded-For"},
                      .values = {"https", "198.51.100.1"},
                      .count = 2};
    struct result r = sign_in(&db, "staff.a", &xf, "192.0.2.9", false, &staff);
    assert_int_equal(r.status, 200);
    const char *set = hdr(&r, "Set-Cookie");
    assert_non_null(strstr(set, "; HttpOnly"));
    assert_non_null(strstr(set, "; SameSite=Strict"));
    assert_non_null(strstr(set, "; Path=/"));
    assert_null(strstr(set, "Secure"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.body, "user"), "role")),
                        "unit_staff");
    done(&r);
    /* from loopback (our nginx) they are */
    r = sign_in(&db, "audit.a", &xf, "127.0.0.1", true, &audit);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(hdr(&r, "Set-Cookie"), "; Secure"));
    done(&r);
    r = sign_in(&db, "staff.o", NULL, "127.0.0.1", true, &other);
    assert_int_equal(r.status, 200);
    done(&r);

    /* the session by cookie, among other cookies */
    char cookies[200];
    snprintf(cookies, sizeof(cookies), "theme=dark; %s; lang=zh", staff.cookie);
    struct fake h = {.names = {"Cookie"}, .values = {cookies}, .count = 1};
    r = call(&db, "GET", "/api/v1/session", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.body, "csrf_token")), staff.csrf);
    done(&r);
    /* the address recorded is the peer's, not the untrusted X-Forwarded-For */
    r = call(&db, "GET", "/api/v1/sessions", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 200);
    json_t *first = json_array_get(json_object_get(r.body, "sessions"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "ip")), "192.0.2.9");
    done(&r);

    /* role: 403 */
    r = call(&db, "GET", "/api/v1/audit/events", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.code, "FORBIDDEN");
    done(&r);

    /* CSRF on state-changing methods: missing, wrong (another session's), right */
    r = call(&db, "DELETE", "/api/v1/sessions/99999", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.code, "CSRF_TOKEN_INVALID");
    done(&r);
    h.names[1] = HTTP_CSRF_HEADER;
    h.values[1] = audit.csrf;
    h.count = 2;
    r = call(&db, "DELETE", "/api/v1/sessions/99999", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.code, "CSRF_TOKEN_INVALID");
    done(&r);
    h.values[1] = staff.csrf;
    r = call(&db, "DELETE", "/api/v1/sessions/99999", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 404);
    done(&r);

    /* scope: own subtree 200, sibling 404 like a missing id */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/orgs/%lld", (long long)db.unit);
    r = call(&db, "GET", path, NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.body, "code")), "M-UNIT");
    done(&r);
    snprintf(path, sizeof(path), "/api/v1/orgs/%lld", (long long)db.other);
    r = call(&db, "GET", path, NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 404);
    done(&r);

    /* the scope helpers handlers use */
    struct store_conn *c;
    assert_int_equal(store_acquire(db.s, &c), ERR_OK);
    struct auth_session s_staff, s_other;
    size_t len = strlen(staff.cookie) - strlen(HTTP_SESSION_COOKIE "=");
    assert_int_equal(auth_session_check(c, &db.cfg, staff.cookie + strlen(HTTP_SESSION_COOKIE "="),
                                        len, auth_now_ms(), &s_staff),
                     ERR_OK);
    len = strlen(other.cookie) - strlen(HTTP_SESSION_COOKIE "=");
    assert_int_equal(auth_session_check(c, &db.cfg, other.cookie + strlen(HTTP_SESSION_COOKIE "="),
                                        len, auth_now_ms(), &s_other),
                     ERR_OK);
    store_release(c);
    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.store = db.s;
    req.user = &s_staff.user;
    assert_int_equal(http_require_member(&req, db.member), ERR_OK);
    assert_int_equal(http_require_member(&req, db.member + 1000), ERR_NOT_FOUND);
    assert_int_equal(http_require_org_scope(&req, s_staff.user.org_path), ERR_OK);
    req.user = &s_other.user;
    assert_int_equal(http_require_member(&req, db.member), ERR_NOT_FOUND);
    assert_int_equal(http_require_org_scope(&req, s_staff.user.org_path), ERR_NOT_FOUND);
    http_request_store_release(&req);
    req.user = NULL;
    assert_int_equal(http_require_org_scope(&req, "/1/"), ERR_NOT_FOUND);

    /* logout; the cookie then opens nothing and is cleared */
    r = call(&db, "DELETE", "/api/v1/session", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(hdr(&r, "Set-Cookie"), "Max-Age=0"));
    done(&r);
    r = call(&db, "GET", "/api/v1/session", NULL, &h, "192.0.2.9", false);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(hdr(&r, "Set-Cookie"), "Max-Age=0"));
    done(&r);

    /* unknown login and wrong password answer alike */
    r = call(&db, "POST", "/api/v1/session", "{\"login\":\"nobody\",\"password\":\"" PW "\"}",
             NULL, "192.0.2.10", false);
    assert_int_equal(r.status, 401);
    char unknown[256];
    snprintf(unknown, sizeof(unknown), "%s",
             json_string_value(json_object_get(json_object_get(r.body, "error"), "message")));
    done(&r);
    r = call(&db, "POST", "/api/v1/session",
             "{\"login\":\"staff.a\",\"password\":\"Wrong-Horse-Battery-9\"}", NULL,
             "192.0.2.10", false);
    assert_int_equal(r.status, 401);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.body, "error"), "message")), unknown);
    done(&r);
    db_teardown(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_literal_and_params),
        cmocka_unit_test(test_match_specific_beats_param),
        cmocka_unit_test(test_match_404_405),
        cmocka_unit_test(test_routes_check),
        cmocka_unit_test(test_roles_format),
        cmocka_unit_test(test_cookie_find),
        cmocka_unit_test(test_handle_auth_without_database),
        cmocka_unit_test(test_auth_middleware),
        cmocka_unit_test(test_method_parse),
        cmocka_unit_test(test_url_unescape),
        cmocka_unit_test(test_request_id_is_safe),
        cmocka_unit_test(test_status_map),
        cmocka_unit_test(test_handle_health_without_database),
        cmocka_unit_test(test_handle_request_id),
        cmocka_unit_test(test_handle_404_405),
        cmocka_unit_test(test_handle_body_rules),
        cmocka_unit_test(test_handle_check_ids),
        cmocka_unit_test(test_handle_query_and_path),
        cmocka_unit_test(test_static_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
