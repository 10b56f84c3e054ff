/*
 * router: segment-by-segment matching of a decoded path against the table.
 * Invariant: a match never reads past a segment's length, and parameters
 * are copied into the request arena (the path may be a buffer of the
 * server's). The table is small (tens of routes): a linear scan costs less
 * than one database round trip and is simple to reason about.
 */
#include "http/router.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "domain/claims.h"
#include "http/response.h"
#include "store/store.h"

struct segment {
    const char *s; /* start, inside the path or the pattern */
    size_t len;    /* bytes, no '/' inside */
};

/* Splits "/a/b" into {"a", "b"}; false when it is not absolute or has more
 * than HTTP_PATH_SEGMENTS_MAX segments. "/" is one empty segment. */
static bool split_path(const char *path, struct segment *segs, size_t *count)
{
    if (path[0] != '/') {
        return false;
    }
    size_t n = 0;
    const char *p = path + 1;
    for (;;) {
        if (n == HTTP_PATH_SEGMENTS_MAX) {
            return false;
        }
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        segs[n].s = p;
        segs[n].len = len;
        n++;
        if (slash == NULL) {
            break;
        }
        p = slash + 1;
    }
    *count = n;
    return true;
}

/* Specificity of pattern against the path's segments, or 0 for no match:
 * bit 63 - i is set when segment i is literal, and bit 0 always (so a
 * match of all parameters is still > 0). A larger value is more specific
 * at the first segment where two patterns differ. */
static uint64_t pattern_match(const char *pattern, const struct segment *segs, size_t count)
{
    struct segment pat[HTTP_PATH_SEGMENTS_MAX];
    size_t pat_count;
    if (!split_path(pattern, pat, &pat_count) || pat_count != count) {
        return 0;
    }
    uint64_t spec = 1;
    for (size_t i = 0; i < count; i++) {
        if (pat[i].len > 0 && pat[i].s[0] == ':') {
            if (segs[i].len == 0) {
                return 0; /* a parameter is never empty */
            }
            continue;
        }
        if (pat[i].len != segs[i].len || memcmp(pat[i].s, segs[i].s, segs[i].len) != 0) {
            return 0;
        }
        spec |= (uint64_t)1 << (63 - i);
    }
    return spec;
}

static bool route_has_method(const struct http_route *r, enum http_method m)
{
    return r->method == m || (m == HTTP_HEAD && r->method == HTTP_GET);
}

static enum err copy_params(const struct http_route *r, const struct segment *segs, size_t count,
                            struct arena *arena, struct http_match *out)
{
    struct segment pat[HTTP_PATH_SEGMENTS_MAX];
    size_t pat_count;
    if (!split_path(r->pattern, pat, &pat_count)) {
        return ERR_INTERNAL; /* http_routes_check refuses such a table */
    }
    for (size_t i = 0; i < count && i < pat_count; i++) {
        if (pat[i].len == 0 || pat[i].s[0] != ':') {
            continue;
        }
        if (out->param_count == HTTP_PARAMS_MAX) {
            return ERR_INTERNAL;
        }
        struct http_kv *kv = &out->params[out->param_count];
        kv->key = arena_strndup(arena, pat[i].s + 1, pat[i].len - 1);
        kv->value = arena_strndup(arena, segs[i].s, segs[i].len);
        if (kv->key == NULL || kv->value == NULL) {
            return ERR_NOMEM;
        }
        out->param_count++;
    }
    return ERR_OK;
}

enum err http_route_match(const struct http_route *routes, size_t count, enum http_method method,
                          const char *path, struct arena *arena, struct http_match *out)
{
    memset(out, 0, sizeof(*out));
    struct segment segs[HTTP_PATH_SEGMENTS_MAX];
    size_t seg_count;
    if (!split_path(path, segs, &seg_count)) {
        return ERR_OK; /* not a path we could serve: 404 */
    }
    uint64_t best = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t spec = pattern_match(routes[i].pattern, segs, seg_count);
        if (spec == 0 || spec < best) {
            continue;
        }
        if (spec > best) { /* a more specific pattern: forget the others */
            best = spec;
            out->allowed = 0;
            out->route = NULL;
        }
        out->allowed |= (unsigned)routes[i].method;
        if (routes[i].method == HTTP_GET) {
            out->allowed |= HTTP_HEAD;
        }
        if (out->route == NULL && route_has_method(&routes[i], method)) {
            out->route = &routes[i];
        }
    }
    if (out->route == NULL) {
        return ERR_OK;
    }
    return copy_params(out->route, segs, seg_count, arena, out);
}

size_t http_route_body_limit(const struct http_route *routes, size_t count, const char *method,
                             const char *path)
{
    struct segment segs[HTTP_PATH_SEGMENTS_MAX];
    size_t seg_count;
    enum http_method m = http_method_parse(method);
    if (m == HTTP_METHOD_OTHER || !split_path(path, segs, &seg_count)) {
        return LIMIT_HTTP_BODY_BYTES;
    }
    uint64_t best = 0;
    const struct http_route *chosen = NULL;
    for (size_t i = 0; i < count; i++) {
        uint64_t spec = pattern_match(routes[i].pattern, segs, seg_count);
        if (spec == 0 || spec < best) {
            continue;
        }
        if (spec > best) {
            best = spec;
            chosen = NULL;
        }
        if (chosen == NULL && route_has_method(&routes[i], m)) {
            chosen = &routes[i];
        }
    }
    return chosen != NULL && chosen->body == HTTP_BODY_UPLOAD ? LIMIT_UPLOAD_BYTES
                                                               : LIMIT_HTTP_BODY_BYTES;
}

enum http_method http_method_parse(const char *text)
{
    static const struct {
        const char *name;
        enum http_method method;
    } names[] = {
        {"GET", HTTP_GET}, {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},
        {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i].name) == 0) { /* methods are case-sensitive */
            return names[i].method;
        }
    }
    return HTTP_METHOD_OTHER;
}

void http_methods_format(unsigned methods, char *buf, size_t cap)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((methods & (1u << i)) == 0) {
            continue;
        }
        int n = snprintf(buf + used, cap - used, "%s%s", used > 0 ? ", " : "", names[i]);
        if (n < 0 || (size_t)n >= cap - used) {
            return; /* cap >= 64 holds all six */
        }
        used += (size_t)n;
    }
}

void http_request_claims_config(const struct http_request *req, struct claims_config *out)
{
    if (req->claims != NULL) {
        *out = *req->claims;
    } else {
        claims_config_default(out);
    }
}

const char *http_request_param(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->param_count; i++) {
        if (strcmp(req->params[i].key, name) == 0) {
            return req->params[i].value;
        }
    }
    return NULL;
}

const char *http_request_query(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->query_count; i++) {
        if (strcmp(req->query[i].key, name) == 0) {
            return req->query[i].value;
        }
    }
    return NULL;
}

/* Decimal digits only, 1..18 of them (so no overflow), value > 0. */
static bool parse_positive(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        if (s[n] < '0' || s[n] > '9' || n == 18) {
            return false;
        }
        v = v * 10 + (s[n] - '0');
    }
    *out = v;
    return n > 0 && v > 0;
}

enum err http_request_param_id(const struct http_request *req, const char *name, int64_t *out)
{
    const char *v = http_request_param(req, name);
    return v != NULL && parse_positive(v, out) ? ERR_OK : ERR_NOT_FOUND;
}

enum err http_request_query_only(const struct http_request *req, struct http_response *resp,
                                 const char *const *allowed, size_t n)
{
    for (size_t i = 0; i < req->query_count; i++) {
        const char *k = req->query[i].key;
        bool known = false;
        for (size_t j = 0; j < n && !known; j++) {
            known = strcmp(k, allowed[j]) == 0;
        }
        if (!known) {
            return http_response_fail(resp, ERR_INVALID, k, "unknown query argument");
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(k, req->query[j].key) == 0) {
                return http_response_fail(resp, ERR_INVALID, k, "query argument given twice");
            }
        }
    }
    return ERR_OK;
}

enum err http_request_query_int(const struct http_request *req, struct http_response *resp,
                                const char *name, int64_t min, int64_t max, int64_t fallback,
                                int64_t *out)
{
    const char *v = http_request_query(req, name);
    if (v == NULL) {
        *out = fallback;
        return ERR_OK;
    }
    int64_t x = 0;
    bool ok = strcmp(v, "0") == 0 || parse_positive(v, &x);
    if (!ok || x < min || x > max) {
        char msg[96];
        snprintf(msg, sizeof(msg), "must be an integer from %lld to %lld", (long long)min,
                 (long long)max);
        return http_response_fail(resp, ERR_INVALID, name, msg);
    }
    *out = x;
    return ERR_OK;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    if (req->header_fn == NULL) {
        return NULL;
    }
    return req->header_fn(req->header_ctx, name);
}

void http_request_store_release(struct http_request *req)
{
    if (req->conn != NULL) {
        store_release(req->conn);
        req->conn = NULL;
    }
}

void http_roles_format(unsigned roles, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (roles == HTTP_ROLE_PUBLIC) {
        snprintf(buf, cap, "public");
        return;
    }
    for (unsigned r = 0; r < AUTH_ROLE__COUNT; r++) {
        if ((roles & AUTH_ROLE_BIT(r)) == 0) {
            continue;
        }
        int n = snprintf(buf + used, cap - used, "%s%s", used > 0 ? "," : "",
                         auth_role_name((enum auth_role)r));
        if (n < 0 || (size_t)n >= cap - used) {
            return; /* cap >= 160 holds all eight */
        }
        used += (size_t)n;
    }
}

enum err http_request_store(struct http_request *req, struct store_conn **out)
{
    if (req->conn == NULL) {
        if (req->store == NULL) {
            return ERR_DB;
        }
        enum err e = store_acquire(req->store, &req->conn);
        if (e) {
            req->conn = NULL;
            return e;
        }
    }
    *out = req->conn;
    return ERR_OK;
}

/* Pattern shape for duplicate detection: parameter names do not matter. */
static bool same_shape(const char *a, const char *b)
{
    struct segment sa[HTTP_PATH_SEGMENTS_MAX], sb[HTTP_PATH_SEGMENTS_MAX];
    size_t na, nb;
    if (!split_path(a, sa, &na) || !split_path(b, sb, &nb) || na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        bool pa = sa[i].len > 0 && sa[i].s[0] == ':';
        bool pb = sb[i].len > 0 && sb[i].s[0] == ':';
        if (pa != pb) {
            return false;
        }
        if (!pa && (sa[i].len != sb[i].len || memcmp(sa[i].s, sb[i].s, sa[i].len) != 0)) {
            return false;
        }
    }
    return true;
}

static bool route_is_valid(const struct http_route *r)
{
    unsigned m = (unsigned)r->method;
    if (r->handler == NULL || r->pattern == NULL || m == 0 || (m & (m - 1)) != 0 ||
        m == HTTP_HEAD) {
        return false;
    }
    /* deny by default: some roles, or PUBLIC alone (PUBLIC | admin would read
     * as "admin only" to a reviewer and as "anyone" to the middleware) */
    if (r->roles == 0 || (r->roles != HTTP_ROLE_PUBLIC && (r->roles & ~AUTH_ROLES_ALL) != 0)) {
        return false;
    }
    if (r->body != HTTP_BODY_NONE && r->body != HTTP_BODY_JSON && r->body != HTTP_BODY_UPLOAD) {
        return false;
    }
    struct segment segs[HTTP_PATH_SEGMENTS_MAX];
    size_t count, params = 0;
    if (!split_path(r->pattern, segs, &count)) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (segs[i].len > 0 && segs[i].s[0] == ':') {
            if (segs[i].len == 1) {
                return false; /* ":" without a name */
            }
            params++;
        }
    }
    return params <= HTTP_PARAMS_MAX;
}

enum err http_routes_check(const struct http_route *routes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!route_is_valid(&routes[i])) {
            log_error("route %zu (%s) is incomplete: it needs a handler, roles (PUBLIC alone "
                      "or roles of domain/auth.h), a body rule, one method and a pattern",
                      i, routes[i].pattern != NULL ? routes[i].pattern : "(null)");
            return ERR_INVALID;
        }
        for (size_t j = 0; j < i; j++) {
            if (routes[j].method == routes[i].method &&
                same_shape(routes[j].pattern, routes[i].pattern)) {
                log_error("routes %zu and %zu both serve %s", j, i, routes[i].pattern);
                return ERR_INVALID;
            }
        }
    }
    return ERR_OK;
}
