/*
 * server: libmicrohttpd in epoll thread-pool mode around http_handle().
 *
 * The access handler is called at least twice per request: once when the
 * headers are in, then with each piece of body, then once more with no data.
 * We answer on that last call. Answering on the first call makes MHD close
 * the connection after the response (it cannot know the body was empty),
 * which kills keep-alive and cuts throughput five-fold; so the first call
 * only marks the request as seen. The exception is a body announced larger
 * than the route's limit (LIMIT_HTTP_BODY_BYTES; LIMIT_UPLOAD_BYTES for
 * HTTP_BODY_UPLOAD routes, see http_route_body_limit): it is answered at once (413, or 404/405 if the
 * route says so) and the connection closed, rather than read for nothing.
 *
 * Per request: no allocation for requests without a body (the first-call
 * mark is a static byte); a body is gathered in one malloc'd buffer of at
 * most that limit; the arena is per worker thread, reset after
 * each response (MHD has copied the response by then).
 *
 * Shutdown: SIGINT/SIGTERM are blocked before MHD starts its threads, so
 * only sigwait() in the calling thread sees them. Then MHD stops accepting
 * (MHD_quiesce_daemon), requests in flight get up to HTTP_DRAIN_MS to
 * finish (responses in that time say Connection: close), and the daemon
 * stops.
 */
#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/log.h"
#include "http/handle.h"
#include "http/import_jobs.h"
#include "http/routes.h"
#include "store/store.h"

/* How long requests in flight may take to finish after a stop signal; well
 * under systemd's default 90 s stop timeout. */
#define HTTP_DRAIN_MS 10000

/* MHD's per-connection memory: the request headers up to LIMIT_HTTP_HEADER_BYTES
 * (checked exactly in respond(), answered 431 in JSON), the response headers
 * and read buffering. Headers far past the limit hit this pool: MHD answers
 * 431/414 itself, or closes the connection. */
#define HTTP_CONNECTION_MEMORY_BYTES (2 * LIMIT_HTTP_HEADER_BYTES)

/* A client that keeps sending past the body limit is cut off after this. */
#define HTTP_DISCARD_MAX_BYTES (4 * LIMIT_HTTP_BODY_BYTES)

#define HTTP_BODY_INITIAL_BYTES 4096

struct server {
    struct store *store;  /* the pool handlers draw connections from */
    const struct auth_config *auth; /* never NULL */
    const struct fieldcrypt *fc;    /* field keys, or NULL */
    const struct claims_config *claims; /* claims tunables, or NULL: defaults */
    int static_fd;        /* web assets directory, or -1 */
    atomic_uint inflight; /* requests seen and not yet completed */
    atomic_bool stopping; /* a stop signal came: answer with Connection: close */
};

/* State of a request that carries a body. */
struct upload {
    char *buf;      /* malloc'd, cap bytes */
    size_t len;     /* bytes gathered */
    size_t cap;     /* bytes allocated, <= limit */
    size_t limit;   /* the route's body limit (http_route_body_limit) */
    size_t dropped; /* bytes read past the limit and thrown away */
    bool too_large; /* the body passed limit */
    bool answered;  /* a response was queued on the first call */
};

/* *con_cls of a request without a body: marks it as seen, allocates nothing. */
static char request_seen;

static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_destroy(void *p)
{
    arena_release(p);
    free(p);
}

static void arena_key_create(void)
{
    if (pthread_key_create(&arena_key, arena_destroy) != 0) {
        log_error("pthread_key_create failed");
        abort(); /* at startup, before any request: nothing to save */
    }
}

/* The calling worker thread's arena, created on first use. */
static struct arena *thread_arena(void)
{
    struct arena *a = pthread_getspecific(arena_key);
    if (a == NULL) {
        a = malloc(sizeof(*a));
        if (a == NULL) {
            return NULL;
        }
        arena_init(a, LIMIT_ARENA_BYTES);
        if (pthread_setspecific(arena_key, a) != 0) {
            free(a);
            return NULL;
        }
    }
    return a;
}

static const char *mhd_header(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* Adds the bytes of one header line ("Name: value\r\n") to a running total. */
static enum MHD_Result on_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
    return MHD_YES;
}

struct query_args {
    struct http_kv kv[LIMIT_QUERY_ARGS + 1]; /* one more than allowed: detects too many */
    size_t count;
};

static enum MHD_Result on_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct query_args *q = cls;
    if (q->count == LIMIT_QUERY_ARGS + 1) {
        return MHD_NO;
    }
    q->kv[q->count].key = key;
    q->kv[q->count].value = value != NULL ? value : "";
    q->count++;
    return MHD_YES;
}

static struct MHD_Response *mhd_response(const struct http_response *resp)
{
    struct MHD_Response *r;
    if (resp->fd >= 0) {
        r = MHD_create_response_from_fd64(resp->fd_bytes, resp->fd);
        if (r == NULL) {
            close(resp->fd);
        }
    } else {
        r = MHD_create_response_from_buffer(resp->body_len, (void *)resp->body,
                                            MHD_RESPMEM_MUST_COPY);
    }
    if (r == NULL) {
        return NULL;
    }
    bool ok = true;
    if (resp->content_type != NULL) {
        ok =
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type) == MHD_YES;
    }
    for (size_t i = 0; ok && i < resp->header_count; i++) {
        ok = MHD_add_response_header(r, resp->headers[i].key, resp->headers[i].value) == MHD_YES;
    }
    if (!ok) {
        MHD_destroy_response(r);
        return NULL;
    }
    return r;
}

/* The peer's numeric address into buf; *loopback when it is 127.0.0.0/8,
 * ::1 or ::ffff:127.x (our own nginx). */
static const char *peer_of(struct MHD_Connection *conn, char *buf, size_t cap, bool *loopback)
{
    *loopback = false;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL) {
        return NULL;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;
        *loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
        return inet_ntop(AF_INET, &in4->sin_addr, buf, (socklen_t)cap);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        const uint8_t *b = in6->sin6_addr.s6_addr;
        *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
                    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127);
        return inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)cap);
    }
    return NULL;
}

static enum MHD_Result respond(struct server *srv, struct MHD_Connection *conn, const char *url,
                               const char *method, const struct upload *up)
{
    struct arena *arena = thread_arena();
    if (arena == NULL) {
        return MHD_NO; /* out of memory: drop the connection */
    }
    struct query_args q;
    q.count = 0;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query_arg, &q);
    size_t header_bytes = strlen(method) + strlen(url) + 12; /* the request line */
    MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header_size, &header_bytes);
    char peer[INET6_ADDRSTRLEN];
    bool loopback = false;
    const char *peer_ip = peer_of(conn, peer, sizeof(peer), &loopback);
    struct http_input in = {
        .method = method,
        .path = url,
        .query = q.kv,
        .query_count = q.count,
        .header_fn = mhd_header,
        .header_ctx = conn,
        .body = up != NULL ? up->buf : NULL,
        .body_len = up != NULL ? up->len : 0,
        .body_too_large = up != NULL && up->too_large,
        .headers_too_large = header_bytes > LIMIT_HTTP_HEADER_BYTES,
        .peer_ip = peer_ip,
        .peer_is_loopback = loopback,
    };
    struct http_env env = {
        .arena = arena, .store = srv->store, .static_dir_fd = srv->static_fd, .auth = srv->auth,
        .fc = srv->fc, .claims = srv->claims};
    struct http_response resp;
    http_handle(&in, &env, &resp);
    struct MHD_Response *r = mhd_response(&resp);
    enum MHD_Result ret = MHD_NO;
    if (r != NULL) {
        if (atomic_load_explicit(&srv->stopping, memory_order_relaxed)) {
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        }
        ret = MHD_queue_response(conn, resp.status, r);
        MHD_destroy_response(r);
    }
    arena_reset(arena);
    return ret;
}

/* Content-Length as a number; UINT64_MAX when absent or not a number. */
static uint64_t content_length(struct MHD_Connection *conn)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (v == NULL || *v < '0' || *v > '9') {
        return UINT64_MAX;
    }
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0 || *end != '\0') {
        return UINT64_MAX;
    }
    return n;
}

/* First call: the headers are in. */
static enum MHD_Result on_headers(struct server *srv, struct MHD_Connection *conn, const char *url,
                                  const char *method, void **con_cls)
{
    atomic_fetch_add_explicit(&srv->inflight, 1, memory_order_relaxed);
    uint64_t declared = content_length(conn);
    bool chunked = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    if (!chunked && (declared == 0 || declared == UINT64_MAX)) {
        *con_cls = &request_seen; /* no body (MHD refuses a bad Content-Length) */
        return MHD_YES;
    }
    struct upload *up = calloc(1, sizeof(*up));
    if (up == NULL) {
        *con_cls = &request_seen;
        return MHD_NO;
    }
    *con_cls = up;
    up->limit = http_route_body_limit(http_routes, http_route_count, method, url);
    if (!chunked && declared > up->limit) {
        up->too_large = true;
        /* Answer now if the client waits for "100 Continue" (it has sent no
         * body) or the body is too big to read and drop; otherwise read and
         * drop it, so the answer is not lost to a reset of unread data. */
        const char *expect =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        if (declared > HTTP_DISCARD_MAX_BYTES ||
            (expect != NULL && strcasecmp(expect, "100-continue") == 0)) {
            up->answered = true;
            return respond(srv, conn, url, method, up);
        }
    }
    return MHD_YES;
}

/* Middle calls: a piece of body. */
static enum MHD_Result on_body(struct upload *up, const char *data, size_t size)
{
    if (up->too_large || up->len + size > up->limit) {
        if (!up->too_large) {
            up->too_large = true;
            free(up->buf);
            up->buf = NULL;
            up->dropped = up->len;
            up->len = 0;
        }
        up->dropped += size;
        return up->dropped > HTTP_DISCARD_MAX_BYTES ? MHD_NO : MHD_YES;
    }
    if (up->len + size > up->cap) {
        size_t cap = up->cap > 0 ? up->cap : HTTP_BODY_INITIAL_BYTES;
        while (cap < up->len + size) {
            cap *= 2;
        }
        if (cap > up->limit) {
            cap = up->limit;
        }
        char *buf = realloc(up->buf, cap);
        if (buf == NULL) {
            return MHD_NO;
        }
        up->buf = buf;
        up->cap = cap;
    }
    memcpy(up->buf + up->len, data, size);
    up->len += size;
    return MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    if (*con_cls == NULL) {
        return on_headers(srv, conn, url, method, con_cls);
    }
    struct upload *up = *con_cls == &request_seen ? NULL : *con_cls;
    if (*upload_data_size > 0) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (up == NULL) {
            return MHD_NO; /* MHD said there was no body */
        }
        if (up->answered) {
            return MHD_YES;
        }
        return on_body(up, upload_data, size);
    }
    if (up != NULL && up->answered) {
        return MHD_YES;
    }
    return respond(srv, conn, url, method, up);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct server *srv = cls;
    if (*con_cls == NULL) {
        return; /* the access handler never saw this request */
    }
    if (*con_cls != &request_seen) {
        struct upload *up = *con_cls;
        if (up->buf != NULL) {
            sodium_memzero(up->buf, up->len); /* a body may hold a password */
        }
        free(up->buf);
        free(up);
    }
    *con_cls = NULL;
    atomic_fetch_sub_explicit(&srv->inflight, 1, memory_order_relaxed);
}

static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return http_url_unescape(s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        line[--n] = '\0';
    }
    log_warn("http: %s", line);
}

enum err http_parse_listen(const char *text, char *host, unsigned host_cap, uint16_t *port)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text || colon[1] == '\0') {
        return ERR_INVALID;
    }
    const char *h = text;
    size_t hlen = (size_t)(colon - text);
    if (h[0] == '[') { /* "[::1]:8080" */
        if (hlen < 3 || h[hlen - 1] != ']') {
            return ERR_INVALID;
        }
        h++;
        hlen -= 2;
    } else if (memchr(h, ':', hlen) != NULL) {
        return ERR_INVALID; /* an IPv6 address needs brackets */
    }
    unsigned long p = 0;
    for (const char *d = colon + 1; *d != '\0'; d++) {
        if (*d < '0' || *d > '9' || d - colon > 5) {
            return ERR_INVALID;
        }
        p = p * 10 + (unsigned long)(*d - '0');
    }
    if (p > 65535 || hlen + 1 > host_cap) {
        return ERR_INVALID;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return ERR_OK;
}

/* Resolves host (numeric or a name) for binding; *family gets AF_INET/AF_INET6. */
static enum err resolve(const char *host, uint16_t port, struct sockaddr_storage *addr, int *family)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char service[8];
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || res == NULL) {
        log_error("cannot resolve listen address %s: %s", host, gai_strerror(rc));
        return ERR_INVALID;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *family = res->ai_family;
    freeaddrinfo(res);
    return ERR_OK;
}

static void drain(struct server *srv)
{
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    for (int waited_ms = 0; waited_ms < HTTP_DRAIN_MS; waited_ms += 10) {
        if (atomic_load(&srv->inflight) == 0) {
            return;
        }
        nanosleep(&tick, NULL);
    }
    log_warn("%u requests still running after %d ms; stopping anyway", atomic_load(&srv->inflight),
             HTTP_DRAIN_MS);
}

/* Housekeeping: ended sessions and stale login counters. A failure is
 * logged and tried again next time; it never stops the server. */
static void purge(struct server *srv)
{
    if (srv->store == NULL) {
        return;
    }
    struct store_conn *c;
    if (store_acquire(srv->store, &c) != ERR_OK) {
        return;
    }
    int64_t sessions = 0, counters = 0;
    enum err e = auth_purge(c, srv->auth, auth_now_ms(), &sessions, &counters);
    store_release(c);
    if (e != ERR_OK) {
        log_warn("session purge failed: %s", err_str(e));
    } else if (sessions > 0 || counters > 0) {
        log_info("purged %lld ended sessions, %lld login counters", (long long)sessions,
                 (long long)counters);
    }
}

/* Waits for a stop signal, purging every HTTP_PURGE_INTERVAL_S meanwhile. */
static int wait_for_stop(struct server *srv, const sigset_t *stop_signals)
{
    purge(srv);
    time_t next = time(NULL) + HTTP_PURGE_INTERVAL_S;
    for (;;) {
        time_t now = time(NULL);
        if (now >= next) {
            purge(srv);
            next = now + HTTP_PURGE_INTERVAL_S;
            continue;
        }
        struct timespec wait = {.tv_sec = next - now, .tv_nsec = 0};
        int sig = sigtimedwait(stop_signals, NULL, &wait);
        if (sig > 0) {
            return sig;
        }
        /* EAGAIN: time to purge; EINTR: wait again */
    }
}

static struct MHD_Daemon *start_daemon(const struct http_config *cfg, struct server *srv,
                                       const struct sockaddr_storage *addr, int family)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    return MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
        NULL, /* first, so it catches every message */
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)LIMIT_HTTP_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)LIMIT_HTTP_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTP_CONNECTION_MEMORY_BYTES, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL, MHD_OPTION_END);
}

enum err http_serve(const struct http_config *cfg, struct store *store)
{
    if (cfg->threads == 0 || cfg->threads > LIMIT_HTTP_THREADS_MAX) {
        log_error("threads must be 1 to %d", LIMIT_HTTP_THREADS_MAX);
        return ERR_INVALID;
    }
    if (http_routes_check(http_routes, http_route_count) != ERR_OK) {
        return ERR_INTERNAL;
    }
    if (pthread_once(&arena_once, arena_key_create) != 0) {
        return ERR_INTERNAL;
    }
    struct auth_config auth_default;
    auth_config_default(&auth_default);
    struct server srv = {
        .store = store, .auth = cfg->auth != NULL ? cfg->auth : &auth_default, .static_fd = -1,
        .fc = cfg->fc, .claims = cfg->claims};
    atomic_init(&srv.inflight, 0);
    atomic_init(&srv.stopping, false);
    if (cfg->static_dir != NULL) {
        srv.static_fd = open(cfg->static_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (srv.static_fd < 0) {
            log_error("cannot open static directory %s: %s", cfg->static_dir, strerror(errno));
            return ERR_IO;
        }
    }
    struct sockaddr_storage addr;
    int family = AF_INET;
    enum err e = resolve(cfg->host, cfg->port, &addr, &family);
    if (e) {
        goto close_static;
    }

    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask); /* MHD's threads inherit it */

    struct MHD_Daemon *d = start_daemon(cfg, &srv, &addr, family);
    if (d == NULL) {
        log_error("cannot listen on %s:%u", cfg->host, (unsigned)cfg->port);
        e = ERR_IO;
        goto restore_signals;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info != NULL ? info->port : cfg->port;
    fprintf(stderr,
            family == AF_INET6 ? "listening on http://[%s]:%u\n" : "listening on http://%s:%u\n",
            cfg->host, port);
    fflush(stderr);

    int sig = wait_for_stop(&srv, &stop_signals);
    log_info("signal %d: stopping (waiting for requests in flight)", sig);
    atomic_store(&srv.stopping, true);
    MHD_socket listen_fd = MHD_quiesce_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET) {
        close(listen_fd);
    }
    drain(&srv);
    MHD_stop_daemon(d);
    import_jobs_shutdown(); /* a running roster import finishes; queued ones are dropped */
    log_info("stopped");
    e = ERR_OK;

restore_signals:
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
close_static:
    if (srv.static_fd >= 0) {
        close(srv.static_fd);
    }
    return e;
}
