/*
 * errors: the one place that maps enum err to an HTTP status and the JSON
 * error body {"error": {"code": err_str(e), "message": "...", "field": ...}}.
 *
 * 400 the request is malformed or a field fails validation; 401 no valid
 * session; 403 not allowed; 404 no such resource; 405 wrong method; 409 state
 * changed or key taken; 413 too large; 415 not JSON; 422 well-formed but
 * against a business rule; 429 slow down; 503 try again; 500 our fault.
 * (One exception, in http_handle: headers past LIMIT_HTTP_HEADER_BYTES are
 * TOO_LARGE with status 431, as 413 means the body.)
 * For 5xx the client gets a generic message (no SQL, paths or internals);
 * the detail goes to the log with the request id.
 */
#ifndef HUZHU_HTTP_ERRORS_H
#define HUZHU_HTTP_ERRORS_H

#include "core/err.h"
#include "http/response.h"

/* HTTP status for e; 500 for ERR_OK and codes that are never a client's. */
unsigned http_status_for_err(enum err e);

/* Makes resp the error response for e, using the field and message given
 * to http_response_fail() if any (dropped for 5xx). Keeps resp's headers.
 * Cannot fail: without arena memory it falls back to a static 500 body. */
void http_response_error(struct http_response *resp, enum err e);

#endif
