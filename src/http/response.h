/*
 * response: what a handler fills in, before the server turns it into bytes.
 *
 * A response is a status, a body (JSON text in the request arena, a static
 * string, or an open file for static assets) and extra headers. Every
 * string it points to lives at least as long as the request arena: static
 * text or arena memory. The server adds the common headers (content type,
 * security headers, X-Request-Id) in one place, http_handle().
 */
#ifndef HUZHU_HTTP_RESPONSE_H
#define HUZHU_HTTP_RESPONSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/router.h"

#define HTTP_RESPONSE_HEADERS_MAX 16 /* extra headers; we set at most twelve */

#define HTTP_CONTENT_TYPE_JSON "application/json; charset=utf-8"

struct http_response {
    unsigned status;          /* HTTP status code */
    const char *content_type; /* static string; NULL when there is no body */
    const char *body;         /* body bytes (arena or static); unused when fd >= 0 */
    size_t body_len;          /* bytes of body */
    int fd;                   /* a file to send instead of body, or -1; the server closes it */
    uint64_t fd_bytes;        /* size of that file */
    struct http_kv headers[HTTP_RESPONSE_HEADERS_MAX]; /* extra headers, in order */
    size_t header_count;
    struct arena *arena;       /* the request's arena */
    const char *error_field;   /* set by http_response_fail(): the field at fault */
    const char *error_message; /* set by http_response_fail(): what is wrong */
};

/* An empty 500 response (a handler that forgets to set one fails loudly). */
void http_response_init(struct http_response *resp, struct arena *arena);

/* Sets status and a JSON body given as text that lives as long as the request. */
void http_response_json_text(struct http_response *resp, unsigned status, const char *json,
                             size_t len);

/* Sets status and the compact serialisation of doc, written into the arena.
 * ERR_TOO_LARGE when the arena cannot hold it, ERR_INTERNAL when jansson
 * cannot serialise it (a string that is not UTF-8). */
enum err http_response_json(struct http_response *resp, unsigned status,
                            const json_t *doc) WARN_UNUSED;

/* http_response_json for a document built for this answer: takes the
 * reference (doc is freed either way). A NULL doc, a build that ran out of
 * memory, is ERR_NOMEM. */
enum err http_reply_json(struct http_response *resp, unsigned status, json_t *doc) WARN_UNUSED;

/* Adds a header. name and value must outlive the request (static or arena).
 * ERR_INVALID when name or value holds a control character (CR, LF: header
 * injection); ERR_TOO_LARGE past HTTP_RESPONSE_HEADERS_MAX. */
enum err http_response_header(struct http_response *resp, const char *name,
                              const char *value) WARN_UNUSED;

/*
 * Says why a request fails and returns e, for `return http_response_fail(...)`
 * in a handler. field (may be NULL) names the input at fault, message is one
 * sentence for the client (both are copied into the arena). For errors
 * answered with a 5xx status the client sees a generic message instead and
 * the message goes to the log only.
 */
enum err http_response_fail(struct http_response *resp, enum err e, const char *field,
                            const char *message) WARN_UNUSED;

#endif
