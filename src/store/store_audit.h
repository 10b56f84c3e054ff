/*
 * store_audit: rows of the audit trail (audit_event) and its chain head
 * (audit_head, one row: the last seq and its hash).
 *
 * Pure storage: domain/audit computes digests and hashes and decides
 * whether the chain holds. Appending is two calls inside the caller's
 * transaction: store_audit_head_advance (which locks the head row, so
 * appenders are serialised on PostgreSQL too; a concurrent appender gets
 * ERR_RETRY and store_with_tx runs it again) then store_audit_insert (which
 * writes the row and moves the head's hash). audit_event itself refuses
 * UPDATE and DELETE (triggers in 0002_security.sql).
 */
#ifndef HUZHU_STORE_STORE_AUDIT_H
#define HUZHU_STORE_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_AUDIT_HASH_BYTES 32   /* SHA-256 */
#define STORE_AUDIT_AT_MAX 24       /* 'YYYY-MM-DDTHH:MM:SS.mmmZ' */
#define STORE_AUDIT_TEXT_MAX 128    /* login, role, action, object, request id */
#define STORE_AUDIT_DETAIL_MAX 4096 /* a change summary, not a document */
#define STORE_AUDIT_DIGEST_HEX 64   /* hex SHA-256 */

/* One event as stored. Fields read from the database that do not fit are
 * cut (then the hash no longer matches, which verify reports). */
struct store_audit_row {
    int64_t seq;
    char at[STORE_AUDIT_AT_MAX + 1];
    int64_t actor_user_id; /* 0: none (NULL) */
    char actor_login[STORE_AUDIT_TEXT_MAX + 1];
    char role[STORE_AUDIT_TEXT_MAX + 1];
    int64_t org_id; /* 0: none (NULL) */
    char action[STORE_AUDIT_TEXT_MAX + 1];
    char object_type[STORE_AUDIT_TEXT_MAX + 1];
    char object_id[STORE_AUDIT_TEXT_MAX + 1];
    char request_id[STORE_AUDIT_TEXT_MAX + 1];
    char detail[STORE_AUDIT_DETAIL_MAX + 1];
    char detail_digest[STORE_AUDIT_DIGEST_HEX + 1];
    unsigned char prev_hash[STORE_AUDIT_HASH_BYTES];
    unsigned char hash[STORE_AUDIT_HASH_BYTES];
};

/* Takes the chain lock before anything else in a transaction. PostgreSQL:
 * LOCK TABLE audit_head, which, as the first statement, comes before the
 * REPEATABLE READ snapshot is taken, so the append later in the transaction
 * sees the latest head and cannot fail with a serialization error (audited
 * transactions then run one at a time). SQLite: nothing (BEGIN IMMEDIATE
 * already serialises writers). Later in a transaction it still locks, but a
 * concurrent append may then answer ERR_RETRY. */
enum err store_audit_lock_chain(struct store_conn *c) WARN_UNUSED;

/* Locks the chain head and moves its seq forward by one: *out_seq is the new
 * event's seq, prev_hash the hash of the event before it (zeros for the
 * first). Only inside a transaction. */
enum err store_audit_head_advance(struct store_conn *c, int64_t *out_seq,
                                  unsigned char prev_hash[STORE_AUDIT_HASH_BYTES]) WARN_UNUSED;

/* Inserts row (seq from store_audit_head_advance) and sets the head's hash
 * to row->hash. ERR_EXISTS if the seq is taken. */
enum err store_audit_insert(struct store_conn *c, const struct store_audit_row *row) WARN_UNUSED;

/* Reads the head: seq and hash of the last event (0 and zeros if none). */
enum err store_audit_head_get(struct store_conn *c, int64_t *out_seq,
                              unsigned char hash[STORE_AUDIT_HASH_BYTES]) WARN_UNUSED;

/* Which events store_audit_each returns. Zero / NULL / "" fields do not
 * filter. Order is by seq ascending, or descending with newest_first. */
struct store_audit_filter {
    int64_t after_seq;       /* keyset: ascending, only seq > after_seq */
    int64_t before_seq;      /* keyset: only seq < before_seq (0: no bound) */
    int64_t upto_seq;        /* only seq <= upto_seq (0: no bound) */
    const char *at_from;     /* at >= at_from (ISO text, compared as text) */
    const char *at_to;       /* at < at_to */
    const char *actor_login;
    const char *action;
    const char *object_type;
    const char *object_id;
    const char *org_path;    /* only events of this subtree ('/1/4/'); events
                                without an org are then left out */
    bool newest_first;
    size_t limit;            /* rows at most; 0 means no limit */
};

/* Calls fn for each event matching f; the row is valid during the call only
 * and fn must not use c. A non-OK result of fn stops the walk and is
 * returned. *out_n (may be NULL) gets the number of rows passed to fn. */
enum err store_audit_each(struct store_conn *c, const struct store_audit_filter *f,
                          enum err (*fn)(const struct store_audit_row *row, void *ctx), void *ctx,
                          size_t *out_n) WARN_UNUSED;

#endif
