/*
 * router: the route table's types, path matching, and the request a handler
 * receives.
 *
 * A route is {method, pattern, handler, roles, body}. Patterns are literal
 * segments and ":name" parameters ("/api/v1/claims/:id"). When several
 * patterns match a path, the most specific wins: the one with a literal
 * where the others have a parameter at the first segment they differ. Then
 * the method picks the route; a path that some route matches with another
 * method is a 405 whose Allow header lists the methods that exist. GET routes
 * also answer HEAD.
 *
 * Every route declares who may call it (roles, never 0) and whether it takes
 * a JSON body; http_routes_check() refuses a table that forgets either, and
 * runs at server start and in the unit tests.
 *
 * Adding a route (see routes.c): write the handler in route_<resource>.c,
 * declare it in routes.h, add one line to the table in routes.c.
 */
#ifndef HUZHU_HTTP_ROUTER_H
#define HUZHU_HTTP_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct store;
struct store_conn;
struct http_response;

enum http_method {
    HTTP_METHOD_OTHER = 0, /* anything we do not serve (TRACE, CONNECT, ...) */
    HTTP_GET = 1u << 0,
    HTTP_HEAD = 1u << 1,
    HTTP_POST = 1u << 2,
    HTTP_PUT = 1u << 3,
    HTTP_PATCH = 1u << 4,
    HTTP_DELETE = 1u << 5,
};

/* Who may call a route: a bitmask; a caller holding any listed role passes.
 * Only PUBLIC exists until the security issue adds sessions and the staff
 * and member roles; until then a route without HTTP_ROLE_PUBLIC answers 401. */
enum http_role {
    HTTP_ROLE_PUBLIC = 1u << 0, /* anyone, no session needed */
};

enum http_body {
    HTTP_BODY_NONE = 1, /* no body is read; one sent is ignored */
    HTTP_BODY_JSON,     /* a JSON body is required: Content-Type application/json,
                           UTF-8, <= LIMIT_HTTP_BODY_BYTES, depth <= LIMIT_JSON_DEPTH;
                           parsed into req->body before the handler runs */
};

#define HTTP_PARAMS_MAX 8         /* ":name" parameters in one pattern */
#define HTTP_PATH_SEGMENTS_MAX 32 /* longer paths are 404 without matching */

struct http_kv {
    const char *key;   /* NUL-terminated */
    const char *value; /* NUL-terminated; "" for a query argument without '=' */
};

struct http_request;

/* A handler. Returns ERR_OK after filling resp (status and body), or an
 * error: the server answers it as {"error": ...} with the status of
 * http_status_for_err(); call http_response_fail() first to name the field
 * and say what is wrong. Handlers never write SQL, paths or internals into
 * a response; log them (the log line carries the request id). */
typedef enum err http_handler_fn(struct http_request *req, struct http_response *resp);

struct http_route {
    enum http_method method; /* exactly one method */
    const char *pattern;     /* "/api/v1/claims/:id" */
    http_handler_fn *handler;
    unsigned roles;      /* HTTP_ROLE_* bitmask; 0 is a table bug */
    enum http_body body; /* HTTP_BODY_NONE or HTTP_BODY_JSON; 0 is a table bug */
};

/* What a handler receives. Everything in it lives until the response is
 * sent; memory for the request comes from req->arena. */
struct http_request {
    enum http_method method;
    const char *path;                       /* decoded URL path, "/api/v1/health" */
    const struct http_route *route;         /* the route being served */
    const char *request_id;                 /* also on every log line of this request */
    struct arena *arena;                    /* per-request memory, freed after the response */
    json_t *body;                           /* HTTP_BODY_JSON routes: the parsed document */
    struct http_kv params[HTTP_PARAMS_MAX]; /* ":name" values, decoded */
    size_t param_count;
    const struct http_kv *query; /* decoded query arguments, in order */
    size_t query_count;          /* <= LIMIT_QUERY_ARGS */
    /* private to the http layer */
    const char *(*header_fn)(void *ctx, const char *name);
    void *header_ctx;
    struct store *store;     /* pool; NULL when the server runs without a database */
    struct store_conn *conn; /* taken on first use, given back after the handler */
};

/* Value of path parameter name (without the ':'), or NULL. */
const char *http_request_param(const struct http_request *req, const char *name);

/* Value of the first query argument name, or NULL. */
const char *http_request_query(const struct http_request *req, const char *name);

/* Value of request header name (case-insensitive), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

/* The request's database connection, taken from the pool on first call and
 * given back when the request ends. ERR_DB when there is no database. */
enum err http_request_store(struct http_request *req, struct store_conn **out) WARN_UNUSED;

/* "GET" -> HTTP_GET; HTTP_METHOD_OTHER for anything else. */
enum http_method http_method_parse(const char *text);

/* Writes "GET, HEAD, POST" for a method mask into buf (cap >= 64). */
void http_methods_format(unsigned methods, char *buf, size_t cap);

struct http_match {
    const struct http_route *route;         /* NULL: none for this method */
    unsigned allowed;                       /* methods the path has (0: unknown path) */
    struct http_kv params[HTTP_PARAMS_MAX]; /* of route, copied into the arena */
    size_t param_count;
};

/*
 * Matches method and path (NUL-terminated, decoded) against routes[0..count).
 * out->allowed == 0: 404. out->route == NULL with allowed != 0: 405.
 * Errors: ERR_NOMEM when the arena cannot hold the parameters.
 */
enum err http_route_match(const struct http_route *routes, size_t count, enum http_method method,
                          const char *path, struct arena *arena,
                          struct http_match *out) WARN_UNUSED;

/* ERR_OK when every route has a handler, roles, a body rule, exactly one
 * method, a pattern starting with '/' with at most HTTP_PARAMS_MAX named
 * parameters, and no two routes share method and pattern shape. Logs the
 * first problem; ERR_INVALID otherwise. */
enum err http_routes_check(const struct http_route *routes, size_t count) WARN_UNUSED;

#endif
