/*
 * handle: one HTTP request in, one response out, without sockets.
 *
 * The libmicrohttpd callback (server.c), the unit tests and the fuzzer all
 * go through http_handle(), so what is tested is what is served. Order of
 * checks, each answered as a JSON error:
 *   path and query are UTF-8 (400 BAD_ENCODING), at most LIMIT_QUERY_ARGS
 *   query arguments (400 INVALID_INPUT) -> route (404 NOT_FOUND, 405
 *   METHOD_NOT_ALLOWED with Allow) -> for every route but HTTP_ROLE_PUBLIC
 *   ones, the auth middleware: the huzhu_session cookie names a live
 *   session (401 UNAUTHENTICATED), the caller's role is one the route lists
 *   (403 FORBIDDEN), and a POST, PUT, PATCH or DELETE carries the session's
 *   X-CSRF-Token header (403 CSRF_TOKEN_INVALID) -> for HTTP_BODY_JSON
 *   routes: size (413 TOO_LARGE), Content-Type (415), UTF-8 (400
 *   BAD_ENCODING), JSON and depth (400 BAD_JSON) -> the handler, with
 *   req->user set.
 * Paths outside /api/ are static files when a static directory is set.
 * Every response carries X-Request-Id and X-Frame-Options: DENY; API
 * responses carry the security headers (no-store, nosniff, no-referrer, CSP
 * default-src 'none'); static files carry HTTP_CSP_WEB.
 *
 * Proxies: the peer's X-Forwarded-For (client address, for login limits)
 * and X-Forwarded-Proto: https (the Secure cookie flag) are believed only
 * when the peer is loopback, i.e. the nginx of deploy/ on the same host.
 */
#ifndef HUZHU_HTTP_HANDLE_H
#define HUZHU_HTTP_HANDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "http/response.h"
#include "http/router.h"

#define HTTP_REQUEST_ID_MAX 64 /* a client's X-Request-Id longer than this is replaced */

#define HTTP_SESSION_COOKIE "huzhu_session" /* the session token's cookie */
#define HTTP_CSRF_HEADER "X-CSRF-Token"     /* the header state-changing requests carry */

struct http_input {
    const char *method;          /* as sent: "GET" */
    const char *path;            /* decoded URL path without the query, NUL-terminated */
    const struct http_kv *query; /* decoded query arguments */
    size_t query_count;          /* may exceed LIMIT_QUERY_ARGS (then refused) */
    const char *(*header_fn)(void *ctx, const char *name); /* case-insensitive lookup */
    void *header_ctx;
    const char *body;       /* request body, or NULL */
    size_t body_len;        /* bytes of body */
    bool body_too_large;    /* the body passed the route's limit (http_route_body_limit)
                               and was dropped */
    bool headers_too_large; /* request line and headers passed LIMIT_HTTP_HEADER_BYTES */
    const char *peer_ip;    /* the TCP peer's numeric address, or NULL */
    bool peer_is_loopback;  /* the peer is 127.0.0.0/8 or ::1: trust its proxy headers */
};

struct http_env {
    struct arena *arena; /* the request arena; the caller resets it after sending */
    struct store *store; /* connection pool, or NULL (health then says degraded) */
    int static_dir_fd;   /* directory of web assets, or -1 */
    const struct auth_config *auth; /* session timeouts and login limits; NULL: defaults */
    const struct fieldcrypt *fc;    /* field-encryption keys, or NULL (req->fc) */
    const struct claims_config *claims; /* claims tunables, or NULL: defaults (req->claims) */
};

/* Fills out (pointing into env->arena or static memory) for the request.
 * The log's request id is set while it runs and cleared on return; the id
 * is in out's X-Request-Id header. Never fails: errors become responses. */
void http_handle(const struct http_input *in, const struct http_env *env,
                 struct http_response *out);

/* True when (s) is a request id we accept from a client: 1 to
 * HTTP_REQUEST_ID_MAX chars of [A-Za-z0-9._-]. */
bool http_request_id_is_safe(const char *s);

/* The value of cookie name in a Cookie header (name=value pairs separated
 * by ';'): *len gets its length. NULL when absent. */
const char *http_cookie_find(const char *header, const char *name, size_t *len);

/* Percent-decodes s in place and returns its new length. A "%00" becomes the
 * byte 0xFF, which is never UTF-8, so a NUL smuggled into a path or a query
 * argument is refused as BAD_ENCODING instead of cutting the string short.
 * Malformed escapes ("%G1", "%4") stay as they are; "+" stays "+". */
size_t http_url_unescape(char *s);

#endif
