/*
 * fuzz_http: the request pipeline (http_handle, as the server calls it)
 * without sockets. The input is split on newlines into
 *   method \n path \n content-type \n query lines "k=v" ... \n \n body
 * and path and query go through the server's URL decoder first. The
 * content-type line doubles, depending on the input's size, as the request
 * id, the Cookie, the X-CSRF-Token and the proxy headers, and the peer is
 * loopback or not, so the auth middleware is fuzzed too (there is no
 * database: a route that needs one answers 500 DATABASE_ERROR, never a
 * pass).
 * Whatever comes in, the answer must have a status we use, a JSON body (an
 * error body with a code, message and field for 4xx) and the common
 * headers; a non-public route never answers 2xx.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/assert.h"
#include "core/limits.h"
#include "http/handle.h"
#include "http/routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_QUERY_MAX (LIMIT_QUERY_ARGS + 2)

struct fuzz_headers {
    const char *content_type;
    const char *request_id;
    const char *cookie;
    const char *csrf;
    const char *forwarded; /* X-Forwarded-For and X-Forwarded-Proto */
};

static const char *fuzz_header(void *ctx, const char *name)
{
    struct fuzz_headers *h = ctx;
    if (strcasecmp(name, "Content-Type") == 0) {
        return h->content_type;
    }
    if (strcasecmp(name, "X-Request-Id") == 0) {
        return h->request_id;
    }
    if (strcasecmp(name, "Cookie") == 0) {
        return h->cookie;
    }
    if (strcasecmp(name, "X-CSRF-Token") == 0) {
        return h->csrf;
    }
    if (strcasecmp(name, "X-Forwarded-For") == 0 || strcasecmp(name, "X-Forwarded-Proto") == 0) {
        return h->forwarded;
    }
    return NULL;
}

/* Next line of (data, size) from *pos as a malloc'd C string (NULs kept as
 * they are: the server never sees them, so cut there like C would). */
static char *next_line(const uint8_t *data, size_t size, size_t *pos)
{
    size_t start = *pos, end = start;
    while (end < size && data[end] != '\n') {
        end++;
    }
    *pos = end < size ? end + 1 : end;
    char *s = malloc(end - start + 1);
    ASSERT(s != NULL);
    memcpy(s, data + start, end - start);
    s[end - start] = '\0';
    return s;
}

static bool status_is_known(unsigned s)
{
    static const unsigned known[] = {200, 400, 401, 403, 404, 405, 413, 415, 429, 431, 503};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (s == known[i]) {
            return true;
        }
    }
    return false;
}

static const char *find_header(const struct http_response *r, const char *name)
{
    for (size_t i = 0; i < r->header_count; i++) {
        if (strcmp(r->headers[i].key, name) == 0) {
            return r->headers[i].value;
        }
    }
    return NULL;
}

static void check_response(const struct http_response *r)
{
    ASSERT(status_is_known(r->status) || r->status == 500);
    ASSERT(r->fd < 0);
    ASSERT(r->content_type != NULL && strcmp(r->content_type, HTTP_CONTENT_TYPE_JSON) == 0);
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->body_len, 0, &jerr);
    ASSERT(doc != NULL);
    if (r->status >= 400 && r->status != 503) {
        json_t *e = json_object_get(doc, "error");
        ASSERT(json_is_object(e) && json_object_size(e) == 3);
        ASSERT(json_is_string(json_object_get(e, "code")));
        /* the one 500 allowed: a route that needs the database we do not have */
        ASSERT(r->status != 500 ||
               strcmp(json_string_value(json_object_get(e, "code")), err_str(ERR_DB)) == 0);
        ASSERT(json_is_string(json_object_get(e, "message")));
        json_t *field = json_object_get(e, "field");
        ASSERT(json_is_string(field) || json_is_null(field));
    }
    json_decref(doc);
    const char *rid = find_header(r, "X-Request-Id");
    ASSERT(rid != NULL && http_request_id_is_safe(rid));
    ASSERT(find_header(r, "Cache-Control") != NULL);
    ASSERT(find_header(r, "Content-Security-Policy") != NULL);
    ASSERT(find_header(r, "X-Frame-Options") != NULL);
    if (r->status == 405) {
        ASSERT(find_header(r, "Allow") != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct arena arena;
    static bool ready;
    if (!ready) {
        arena_init(&arena, LIMIT_ARENA_BYTES);
        ready = true;
    }
    size_t pos = 0;
    char *method = next_line(data, size, &pos);
    char *path = next_line(data, size, &pos);
    char *ctype = next_line(data, size, &pos);
    http_url_unescape(path);
    char *lines[FUZZ_QUERY_MAX];
    struct http_kv query[FUZZ_QUERY_MAX];
    size_t nq = 0;
    while (pos < size && nq < FUZZ_QUERY_MAX) {
        char *line = next_line(data, size, &pos);
        if (line[0] == '\0') {
            free(line);
            break;
        }
        lines[nq] = line;
        char *eq = strchr(line, '=');
        if (eq != NULL) {
            *eq = '\0';
        }
        http_url_unescape(line);
        query[nq].key = line;
        query[nq].value = eq != NULL ? eq + 1 : "";
        if (eq != NULL) {
            http_url_unescape(eq + 1);
        }
        nq++;
    }
    struct fuzz_headers h = {.content_type = ctype[0] != '\0' ? ctype : NULL,
                             .request_id = (size % 3 == 0) ? ctype : NULL,
                             .cookie = (size % 5 == 0) ? ctype : NULL,
                             .csrf = (size % 7 == 0) ? ctype : NULL,
                             .forwarded = (size % 11 == 0) ? ctype : NULL};
    struct http_input in = {
        .method = method,
        .path = path,
        .query = query,
        .query_count = nq,
        .header_fn = fuzz_header,
        .header_ctx = &h,
        .body = (const char *)data + pos,
        .body_len = size - pos,
        .body_too_large = size % 17 == 0,
        .headers_too_large = size % 31 == 0,
        .peer_ip = size % 2 == 0 ? "127.0.0.1" : "192.0.2.1",
        .peer_is_loopback = size % 2 == 0,
    };
    struct http_env env = {.arena = &arena, .store = NULL, .static_dir_fd = -1};
    struct http_response resp;
    http_handle(&in, &env, &resp);
    check_response(&resp);
    /* no database: only public routes can succeed */
    struct http_match m;
    if (resp.status < 300 &&
        http_route_match(http_routes, http_route_count, http_method_parse(method), path, &arena,
                         &m) == ERR_OK &&
        m.route != NULL) {
        ASSERT(m.route->roles == HTTP_ROLE_PUBLIC);
    }
    arena_reset(&arena);
    for (size_t i = 0; i < nq; i++) {
        free(lines[i]);
    }
    free(method);
    free(path);
    free(ctype);
    return 0;
}
