/*
 * server: the HTTP JSON API on libmicrohttpd (epoll, thread pool).
 *
 * http_serve() runs until SIGINT or SIGTERM, then stops taking connections,
 * lets in-flight requests finish, and returns; the caller closes the store.
 * Meanwhile it purges ended sessions every HTTP_PURGE_INTERVAL_S.
 */
#ifndef HUZHU_HTTP_SERVER_H
#define HUZHU_HTTP_SERVER_H

#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"

struct store;
struct fieldcrypt;

struct http_config {
    const char *host;       /* address to bind, e.g. "127.0.0.1" */
    uint16_t port;          /* 0 = any free port (printed on start) */
    unsigned threads;       /* worker threads; store pool must be >= this */
    const char *static_dir; /* built web assets (web/dist) or NULL */
    const struct auth_config *auth; /* session timeouts, login limits; NULL: defaults */
    const struct fieldcrypt *fc;    /* field-encryption keys (members' ID and bank numbers);
                                       NULL: routes that need them answer 500 */
    const struct claims_config *claims; /* claims tunables (the officer's approval limit);
                                           NULL: claims_config_default */
};

/* How often the server deletes ended sessions and stale login counters
 * (auth_purge); also once at start. */
#define HTTP_PURGE_INTERVAL_S 3600

/* Serves until a signal asks to stop. ERR_IO if the address can't be bound.
 * Prints "listening on http://HOST:PORT" to stderr once ready. */
enum err http_serve(const struct http_config *cfg, struct store *store) WARN_UNUSED;

/* Parses "HOST:PORT" (port 0-65535). ERR_INVALID on anything else. */
enum err http_parse_listen(const char *text, char *host, unsigned host_cap,
                           uint16_t *port) WARN_UNUSED;

#endif
