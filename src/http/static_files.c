/*
 * static_files: path checks, then openat2 beneath the asset directory.
 * Invariant: no file outside dir_fd is ever opened, and a response that
 * holds an fd holds a regular file of the size it announces.
 */
#include "http/static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/utf8.h"

#define STATIC_PATH_MAX 1024 /* longer asset paths do not exist in web/dist */

static const struct {
    const char *ext;
    const char *mime;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

/* Extension of the last segment of path ("js" for "/assets/a.js"), or NULL. */
static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *last = slash != NULL ? slash + 1 : path;
    const char *dot = strrchr(last, '.');
    return dot != NULL && dot[1] != '\0' ? dot + 1 : NULL;
}

const char *http_static_mime(const char *name)
{
    const char *ext = extension(name);
    if (ext != NULL) {
        for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++) {
            if (strcasecmp(ext, mime_types[i].ext) == 0) {
                return mime_types[i].mime;
            }
        }
    }
    return "application/octet-stream";
}

static bool path_is_safe(const char *path)
{
    size_t len = strlen(path);
    if (path[0] != '/' || len > STATIC_PATH_MAX || !utf8_is_valid(path, len)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x20 || c == 0x7F || c == '\\') {
            return false;
        }
        if (c == '.' && path[i - 1] == '/') {
            return false; /* "..", "./", hidden files */
        }
    }
    return true;
}

/* Opens rel (no leading '/') beneath dir_fd, refusing symlinks and escapes. */
static int open_beneath(int dir_fd, const char *rel)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dir_fd, rel, &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS) { /* kernel < 5.6: the path checks above still hold */
        fd = openat(dir_fd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    return (int)fd;
}

/* Opens a regular file; -1 (errno set) for anything else. */
static int open_regular(int dir_fd, const char *rel, uint64_t *size)
{
    int fd = open_beneath(dir_fd, rel);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = ENOENT;
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

static enum err add_headers(struct http_response *resp, const char *served)
{
    bool immutable = strncmp(served, "/assets/", 8) == 0;
    enum err e = http_response_header(
        resp, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (!e) {
        e = http_response_header(resp, "X-Content-Type-Options", "nosniff");
    }
    if (!e) {
        e = http_response_header(resp, "Referrer-Policy", "no-referrer");
    }
    if (!e) {
        e = http_response_header(resp, "Content-Security-Policy", HTTP_CSP_WEB);
    }
    return e;
}

enum err http_static_serve(int dir_fd, enum http_method method, const char *path,
                           struct http_response *resp)
{
    if (method != HTTP_GET && method != HTTP_HEAD) {
        return ERR_METHOD;
    }
    if (!path_is_safe(path)) {
        return ERR_INVALID;
    }
    const char *served = path;
    size_t len = strlen(path);
    if (path[len - 1] == '/') {
        served = arena_printf(resp->arena, "%sindex.html", path);
        if (served == NULL) {
            return ERR_NOMEM;
        }
    }
    uint64_t size = 0;
    int fd = open_regular(dir_fd, served + 1, &size);
    if (fd < 0 && extension(served) == NULL) { /* a route of the app, not a file */
        served = "/index.html";
        fd = open_regular(dir_fd, served + 1, &size);
    }
    if (fd < 0) {
        return errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV ||
                       errno == EACCES
                   ? ERR_NOT_FOUND
                   : ERR_IO;
    }
    resp->status = 200;
    resp->content_type = http_static_mime(served);
    resp->fd = fd;
    resp->fd_bytes = size;
    enum err e = add_headers(resp, served);
    if (e) {
        close(fd);
        resp->fd = -1;
        return ERR_INTERNAL;
    }
    return ERR_OK;
}
