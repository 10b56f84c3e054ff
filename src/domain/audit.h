/*
 * audit: the audit trail as a hash chain (PIPL, 经审).
 *
 * Every state change, login, logout, failure and read of a sensitive field
 * appends one event with audit_append, INSIDE the transaction of the change
 * it records, so both commit or neither. Event n holds
 *     hash_n = SHA-256("huzhu-audit-v1" || field || field || ... || hash_{n-1})
 * over length-prefixed fields (8-byte big-endian length, then bytes), with
 * seq 1, 2, 3, ... and no gaps; the detail is covered through its digest.
 * audit_verify recomputes everything and names the first broken event.
 *
 * Invariants: details never carry a sensitive value (a run of 15 or more
 * digits, the shape of an ID number or bank card, is refused); the chain
 * head row always equals the last event. Limits: a plain hash chain shows
 * any edit, deletion or insertion in the middle; someone able to rewrite
 * every later row and the head could rebuild it, so operators record the
 * head hash that `huzhu audit verify` prints (an external anchor).
 */
#ifndef HUZHU_DOMAIN_AUDIT_H
#define HUZHU_DOMAIN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_audit.h"

#define AUDIT_HASH_BYTES STORE_AUDIT_HASH_BYTES
#define AUDIT_TEXT_MAX STORE_AUDIT_TEXT_MAX     /* bytes of each short field */
#define AUDIT_DETAIL_MAX STORE_AUDIT_DETAIL_MAX /* bytes of detail */
#define AUDIT_DIGIT_RUN_MAX 14 /* longer digit runs look like ID/bank numbers */

/* Who acted. The CLI is {0, "cli", "", 0, ""}. */
struct audit_actor {
    int64_t user_id;        /* 0: the CLI, the system, or an unknown login */
    const char *login;      /* NULL reads as "" */
    const char *role;       /* role name, or "" */
    int64_t org_id;         /* 0: none */
    const char *request_id; /* the HTTP request id, or "" */
};

struct audit_event {
    int64_t at_ms;            /* Unix milliseconds, UTC */
    struct audit_actor actor;
    const char *action;       /* "session.login", "member.reveal_id", "user.create" */
    const char *object_type;  /* "user", "member", "session", or "" */
    const char *object_id;    /* or "" */
    const char *detail;       /* canonical JSON of the change, or "" */
};

/* Appends ev inside the caller's open transaction; *out_seq (may be NULL)
 * gets its seq. ERR_INVALID when action is empty, a field is not UTF-8 or
 * detail holds a digit run longer than AUDIT_DIGIT_RUN_MAX; ERR_TOO_LARGE
 * when a field passes its limit; ERR_RETRY when another transaction
 * appended concurrently (PostgreSQL; store_with_tx runs again). */
enum err audit_append(struct store_conn *c, const struct audit_event *ev,
                      int64_t *out_seq) WARN_UNUSED;

/* Call first in a transaction that will append (see store_audit_lock_chain):
 * on PostgreSQL it spares the transaction serialization retries caused by a
 * concurrent append. A no-op on SQLite. */
enum err audit_lock_chain(struct store_conn *c) WARN_UNUSED;

/* Canonical JSON for a detail: keys sorted, compact, UTF-8. Builds from
 * pairs of (key, value) strings, n pairs; writes into out (NUL-terminated).
 * ERR_TOO_LARGE when it does not fit. */
enum err audit_detail_pairs(const char *const *pairs, size_t n, char *out,
                            size_t cap) WARN_UNUSED;

/* Formats Unix milliseconds as 'YYYY-MM-DDTHH:MM:SS.mmmZ' (25 bytes with NUL). */
void audit_format_time(int64_t at_ms, char out[STORE_AUDIT_AT_MAX + 1]);

/* Hash of one stored row, as audit_append computes it. */
void audit_row_hash(const struct store_audit_row *r, unsigned char out[AUDIT_HASH_BYTES]);

enum audit_break {
    AUDIT_INTACT,        /* nothing wrong */
    AUDIT_ALTERED,       /* the row's contents no longer match its hash or digest */
    AUDIT_MISSING,       /* seq jumps: the events before broken_seq were deleted */
    AUDIT_BAD_LINK,      /* prev_hash is not the previous event's hash: inserted or reordered */
    AUDIT_HEAD_MISMATCH, /* the chain head does not match the last event: tail deleted or
                            events appended behind the chain's back */
};

/* Short English reason, for the CLI and logs. */
const char *audit_break_str(enum audit_break b);

struct audit_verify_result {
    int64_t events;                        /* events checked */
    enum audit_break why;                  /* AUDIT_INTACT when the chain holds */
    int64_t broken_seq;                    /* first broken event (0 if intact) */
    int64_t head_seq;                      /* seq recorded in the head */
    unsigned char head_hash[AUDIT_HASH_BYTES]; /* hash recorded in the head */
};

/* Walks the whole chain in seq order (in pages, so memory stays flat) and
 * recomputes every digest, hash and link. Returns ERR_OK whether or not the
 * chain holds (out->why says); other codes are database errors. Events
 * appended while it runs are not looked at. */
enum err audit_verify(struct store_conn *c, struct audit_verify_result *out) WARN_UNUSED;

/* Auditors' list: events matching f (see store_audit.h), passed to fn. */
enum err audit_list(struct store_conn *c, const struct store_audit_filter *f,
                    enum err (*fn)(const struct store_audit_row *row, void *ctx), void *ctx,
                    size_t *out_n) WARN_UNUSED;

#endif
