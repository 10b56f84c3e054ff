/* log: line-buffered, thread-safe logging to stderr; also ASSERT's failure path. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/assert.h"

static enum log_level log_level_min = LOG_INFO;
static _Thread_local const char *log_request_id;

void log_set_level(enum log_level level)
{
    log_level_min = level;
}

void log_init_from_env(void)
{
    const char *v = getenv("HUZHU_LOG");
    if (v == NULL) {
        return;
    }
    if (strcmp(v, "debug") == 0) {
        log_level_min = LOG_DEBUG;
    } else if (strcmp(v, "warn") == 0) {
        log_level_min = LOG_WARN;
    } else if (strcmp(v, "error") == 0) {
        log_level_min = LOG_ERROR;
    } else {
        log_level_min = LOG_INFO;
    }
}

void log_set_request_id(const char *id)
{
    log_request_id = id;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < log_level_min) {
        return;
    }
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, names[level]);
    if (log_request_id != NULL && n > 0 && (size_t)n < sizeof(line)) {
        n += snprintf(line + n, sizeof(line) - (size_t)n, "[%s] ", log_request_id);
    }
    if (n > 0 && (size_t)n < sizeof(line)) {
        va_list ap;
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w; /* nothing sensible to do if stderr is gone */
}

void assert_fail(const char *expr, const char *file, int line)
{
    log_msg(LOG_ERROR, "assertion failed: %s at %s:%d", expr, file, line);
    abort();
}
