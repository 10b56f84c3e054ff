/*
 * log: one line per event on stderr, "time level [req] message".
 *
 * Thread-safe (one write(2) per line). A request id, when set for the calling
 * thread with log_set_request_id(), is put on every line the thread writes,
 * so a client's X-Request-Id finds every log line of its request.
 */
#ifndef HUZHU_CORE_LOG_H
#define HUZHU_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below level are dropped. Default LOG_INFO; HUZHU_LOG=debug|info|warn|error. */
void log_set_level(enum log_level level);
void log_init_from_env(void);

/* Request id for lines written by this thread; NULL clears it. Not copied. */
void log_set_request_id(const char *id);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
