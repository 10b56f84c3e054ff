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
 * runs at server start and in the unit tests. handle.c enforces the roles
 * (401 without a valid session, 403 with another role) and CSRF before any
 * handler runs; the handler checks each object it fetches against the
 * caller's subtree with http_require_org_scope / http_require_member.
 *
 * Adding a route (see routes.c): write the handler in route_<resource>.c,
 * declare it in routes.h, add one line to the table in routes.c.
 */
#ifndef HUZHU_HTTP_ROUTER_H
#define HUZHU_HTTP_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/auth.h"

struct store;
struct store_conn;
struct http_response;
struct fieldcrypt;
struct claims_config;

enum http_method {
    HTTP_METHOD_OTHER = 0, /* anything we do not serve (TRACE, CONNECT, ...) */
    HTTP_GET = 1u << 0,
    HTTP_HEAD = 1u << 1,
    HTTP_POST = 1u << 2,
    HTTP_PUT = 1u << 3,
    HTTP_PATCH = 1u << 4,
    HTTP_DELETE = 1u << 5,
};

/* Who may call a route: a bitmask of the roles of domain/auth.h; a signed-in
 * caller holding any listed role passes. Deny by default: a route lists the
 * roles it serves, and 0 is refused by http_routes_check(). HTTP_ROLE_PUBLIC
 * stands alone: anyone, no session needed (health, login). */
#define HTTP_ROLE_PUBLIC (1u << 31)
#define HTTP_ROLE_ADMIN AUTH_ROLE_BIT(AUTH_ROLE_ADMIN)
#define HTTP_ROLE_SUPERVISOR AUTH_ROLE_BIT(AUTH_ROLE_SUPERVISOR)
#define HTTP_ROLE_UNIT_STAFF AUTH_ROLE_BIT(AUTH_ROLE_UNIT_STAFF)
#define HTTP_ROLE_CLAIMS_OFFICER AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_OFFICER)
#define HTTP_ROLE_CLAIMS_APPROVER AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_APPROVER)
#define HTTP_ROLE_FINANCE AUTH_ROLE_BIT(AUTH_ROLE_FINANCE)
#define HTTP_ROLE_AUDITOR AUTH_ROLE_BIT(AUTH_ROLE_AUDITOR)
#define HTTP_ROLE_MEMBER AUTH_ROLE_BIT(AUTH_ROLE_MEMBER)
#define HTTP_ROLES_STAFF AUTH_ROLES_STAFF /* every role but member */
#define HTTP_ROLES_ANY AUTH_ROLES_ALL     /* any signed-in caller */

enum http_body {
    HTTP_BODY_NONE = 1, /* no body is read; one sent is ignored */
    HTTP_BODY_JSON,     /* a JSON body is required: Content-Type application/json,
                           UTF-8, <= LIMIT_HTTP_BODY_BYTES, depth <= LIMIT_JSON_DEPTH;
                           parsed into req->body before the handler runs */
    HTTP_BODY_UPLOAD,   /* raw bytes (a CSV roster, a document) of any Content-Type (the
                           handler checks it), <= LIMIT_UPLOAD_BYTES (the server reads up to
                           http_route_body_limit() for the route); in req->upload */
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
    unsigned roles;      /* HTTP_ROLE_* bitmask; 0 is a table bug; PUBLIC stands alone */
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
    const struct auth_user *user; /* the signed-in caller; NULL on a public route */
    const char *client_ip;        /* the client's address (the proxy's X-Forwarded-For
                                     when the peer is loopback), "" if unknown */
    bool secure;                  /* the client came over TLS (trusted proxy said so) */
    /* private to the http layer */
    const char *(*header_fn)(void *ctx, const char *name);
    void *header_ctx;
    struct store *store;                   /* pool; NULL when the server runs without a database */
    struct store_conn *conn;               /* taken on first use, given back after the handler */
    const struct auth_config *auth;        /* session timeouts and login limits */
    const struct auth_session *session;    /* the caller's session (non-public routes) */
    const char *upload;                    /* HTTP_BODY_UPLOAD routes: the body bytes (not
                                              NUL-terminated; NULL when empty) */
    size_t upload_len;                     /* bytes of upload */
    const struct fieldcrypt *fc;           /* field-encryption keys; NULL when the server
                                              runs without a key file */
    const struct claims_config *claims;    /* claims tunables (officer limit, risk rules);
                                              NULL: claims_config_default */
};

/* The claims tunables of this server into *out: the configured ones, or the
 * defaults. */
void http_request_claims_config(const struct http_request *req, struct claims_config *out);

/* Value of path parameter name (without the ':'), or NULL. */
const char *http_request_param(const struct http_request *req, const char *name);

/* Value of the first query argument name, or NULL. */
const char *http_request_query(const struct http_request *req, const char *name);

/* Path parameter name as a positive integer id (decimal, at most 18
 * digits). ERR_NOT_FOUND when it is anything else: no object has that id. */
enum err http_request_param_id(const struct http_request *req, const char *name,
                               int64_t *out) WARN_UNUSED;

/* ERR_OK when every query argument is named in allowed[0..n) and none is
 * given twice; otherwise fails resp with ERR_INVALID naming the argument
 * (an unknown filter silently ignored would return more than was asked). */
enum err http_request_query_only(const struct http_request *req, struct http_response *resp,
                                 const char *const *allowed, size_t n) WARN_UNUSED;

/* Query argument name as an integer in min..max; *out = fallback when
 * absent. Fails resp with ERR_INVALID (naming it) otherwise. */
enum err http_request_query_int(const struct http_request *req, struct http_response *resp,
                                const char *name, int64_t min, int64_t max, int64_t fallback,
                                int64_t *out) WARN_UNUSED;

/* Value of request header name (case-insensitive), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

/* The request's database connection, taken from the pool on first call and
 * given back when the request ends. ERR_DB when there is no database. */
enum err http_request_store(struct http_request *req, struct store_conn **out) WARN_UNUSED;

/* Gives the request's primary connection back early, before a handler takes
 * a read connection (store_acquire_read), so one request never holds two
 * primary connections and the pool cannot run dry. */
void http_request_store_release(struct http_request *req);

/* Scope checks for handlers, after fetching an object: ERR_OK when the
 * object of the organisation at org_path ('/1/4/17/') is in the caller's
 * subtree, ERR_NOT_FOUND when it is not (not 403: another unit's objects
 * are not confirmed to exist). Members have no subtree. */
enum err http_require_org_scope(const struct http_request *req, const char *org_path) WARN_UNUSED;

/* ERR_OK when the caller may see member member_id: a member account is that
 * member; staff see members of their subtree (looked up in the database).
 * ERR_NOT_FOUND otherwise, including for no such member. */
enum err http_require_member(struct http_request *req, int64_t member_id) WARN_UNUSED;

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

/* The most body bytes a request for method and path (as sent, decoded) may
 * carry: LIMIT_UPLOAD_BYTES when the route it reaches is HTTP_BODY_UPLOAD,
 * else LIMIT_HTTP_BODY_BYTES (also for unknown paths). Called by the server
 * when the headers are in, before any body byte is read. */
size_t http_route_body_limit(const struct http_route *routes, size_t count, const char *method,
                             const char *path);

/* Comma-separated role names of a mask ("public", "admin,auditor") into
 * buf (cap >= 160). */
void http_roles_format(unsigned roles, char *buf, size_t cap);

/* ERR_OK when every route has a handler, roles (HTTP_ROLE_PUBLIC alone, or
 * roles of domain/auth.h only), a body rule, exactly one
 * method, a pattern starting with '/' with at most HTTP_PARAMS_MAX named
 * parameters, and no two routes share method and pattern shape. Logs the
 * first problem; ERR_INVALID otherwise. */
enum err http_routes_check(const struct http_route *routes, size_t count) WARN_UNUSED;

#endif
