/*
 * static_files: the built web console (web/dist) for paths outside /api/.
 *
 * GET and HEAD only. A path whose last segment has no extension and names
 * no file gets index.html (history-mode routing of the Vue app). Files under
 * /assets/ have content-hashed names and are cached for a year; everything
 * else is no-cache. Refused with 400 before touching the disk: a segment
 * starting with '.' (so "..", ".git"), a backslash, a control character,
 * text that is not UTF-8. Files are opened beneath the directory without
 * following symlinks (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).
 */
#ifndef HUZHU_HTTP_STATIC_FILES_H
#define HUZHU_HTTP_STATIC_FILES_H

#include "core/err.h"
#include "http/response.h"
#include "http/router.h"

/* Content-Security-Policy for the web console (Element Plus sets inline styles). */
#define HTTP_CSP_WEB                                                                               \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                    \
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "   \
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

/* Serves path from dir_fd into resp (an open file in resp->fd, and headers).
 * Errors: ERR_METHOD (not GET/HEAD), ERR_INVALID (a refused path),
 * ERR_NOT_FOUND, ERR_IO. */
enum err http_static_serve(int dir_fd, enum http_method method, const char *path,
                           struct http_response *resp) WARN_UNUSED;

/* MIME type for a file name by its extension; application/octet-stream if unknown. */
const char *http_static_mime(const char *name);

#endif
