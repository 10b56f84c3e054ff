/*
 * limits: every bound of the system in one place, each with its reason.
 * Anything a client can make large has a limit here, and crossing it is an
 * error with a stable code (TOO_LARGE / 413), never a crash or a slow path.
 */
#ifndef HUZHU_CORE_LIMITS_H
#define HUZHU_CORE_LIMITS_H

/* HTTP request body. Largest legitimate JSON body is a plan document or a
 * batch of a few hundred rows; uploads (rosters, documents) go through the
 * upload limit below. */
#define LIMIT_HTTP_BODY_BYTES (1024 * 1024)

/* Uploaded files (roster CSV, claim documents). 10 MB per document is the
 * claims issue's rule; rosters of 100k rows fit in 32 MB. */
#define LIMIT_UPLOAD_BYTES (32 * 1024 * 1024)
#define LIMIT_DOCUMENT_BYTES (10 * 1024 * 1024)

/* All request headers together; a browser sends < 4 KiB. */
#define LIMIT_HTTP_HEADER_BYTES (16 * 1024)

/* Seconds a connection may stay idle; slowloris protection. */
#define LIMIT_HTTP_TIMEOUT_S 30

/* Concurrent connections; beyond it libmicrohttpd refuses new ones. */
#define LIMIT_HTTP_CONNECTIONS 1024

/* Worker threads of the HTTP server (and the store pool size). */
#define LIMIT_HTTP_THREADS_DEFAULT 4
#define LIMIT_HTTP_THREADS_MAX 64

/* JSON nesting: plan documents are 4 deep; 32 stops stack abuse. */
#define LIMIT_JSON_DEPTH 32

/* Query string arguments per request. */
#define LIMIT_QUERY_ARGS 32

/* Per-request arena: JSON parsing, responses and temporaries. */
#define LIMIT_ARENA_BYTES (8 * 1024 * 1024)

/* CSV: a roster row is ~200 bytes; 64 KiB allows long quoted notes. */
#define LIMIT_CSV_ROW_BYTES (64 * 1024)
#define LIMIT_CSV_FIELDS 64

/* Page size for list endpoints. */
#define LIMIT_PAGE_DEFAULT 50
#define LIMIT_PAGE_MAX 500

/* Rows per transaction in bulk writes (import, enrol, ledger batches). */
#define LIMIT_BATCH_ROWS 1000

/* Sessions (huzhu serve --idle-timeout / --session-max): the defaults are
 * 30 min idle and 12 h absolute (domain/auth.h). An idle timeout over a day
 * or a session over a week no longer protects a forgotten browser; a
 * second is the least (tests use a few). */
#define LIMIT_SESSION_IDLE_MIN_S 1
#define LIMIT_SESSION_IDLE_MAX_S (24 * 60 * 60)
#define LIMIT_SESSION_MAX_S (7 * 24 * 60 * 60)

/* Names: the registry refuses names over 50 characters. */
#define LIMIT_NAME_CHARS 50

#endif
