/*
 * audit: hash-chain append and verify over store_audit.
 * The serialisation hashed is fixed forever for "huzhu-audit-v1": a domain
 * tag, then every field as an 8-byte big-endian length and its bytes
 * (integers as 8 big-endian bytes), so no two different events share an
 * input. A new layout would take a new tag, never an edit of this one.
 */
#include "domain/audit.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "store/store_registry.h"

#define AUDIT_TAG "huzhu-audit-v1"
#define AUDIT_VERIFY_PAGE 500 /* rows per query while verifying */

static void put_bytes(crypto_hash_sha256_state *h, const void *p, size_t len)
{
    unsigned char be[8];
    uint64_t n = len;
    for (int i = 7; i >= 0; i--) {
        be[i] = (unsigned char)(n & 0xFF);
        n >>= 8;
    }
    crypto_hash_sha256_update(h, be, sizeof(be));
    crypto_hash_sha256_update(h, p, len);
}

static void put_str(crypto_hash_sha256_state *h, const char *s)
{
    put_bytes(h, s, strlen(s));
}

static void put_int(crypto_hash_sha256_state *h, int64_t v)
{
    unsigned char be[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        be[i] = (unsigned char)(u & 0xFF);
        u >>= 8;
    }
    put_bytes(h, be, sizeof(be));
}

void audit_row_hash(const struct store_audit_row *r, unsigned char out[AUDIT_HASH_BYTES])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    put_str(&h, AUDIT_TAG);
    put_int(&h, r->seq);
    put_str(&h, r->at);
    put_int(&h, r->actor_user_id);
    put_str(&h, r->actor_login);
    put_str(&h, r->role);
    put_int(&h, r->org_id);
    put_str(&h, r->action);
    put_str(&h, r->object_type);
    put_str(&h, r->object_id);
    put_str(&h, r->request_id);
    put_str(&h, r->detail_digest);
    put_bytes(&h, r->prev_hash, AUDIT_HASH_BYTES);
    crypto_hash_sha256_final(&h, out);
}

static void detail_digest(const char *detail, char out[STORE_AUDIT_DIGEST_HEX + 1])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)detail, strlen(detail));
    sodium_bin2hex(out, STORE_AUDIT_DIGEST_HEX + 1, d, sizeof(d));
}

void audit_format_time(int64_t at_ms, char out[STORE_AUDIT_AT_MAX + 1])
{
    time_t s = (time_t)(at_ms / 1000);
    int ms = (int)(at_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        s -= 1;
    }
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[96]; /* room for any int the compiler imagines; real output is 24 bytes */
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, ms);
    memcpy(out, buf, STORE_AUDIT_AT_MAX);
    out[STORE_AUDIT_AT_MAX] = '\0';
}

/* True when s has more than AUDIT_DIGIT_RUN_MAX consecutive ASCII digits. */
static bool has_long_digit_run(const char *s)
{
    size_t run = 0;
    for (; *s != '\0'; s++) {
        run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
        if (run > AUDIT_DIGIT_RUN_MAX) {
            return true;
        }
    }
    return false;
}

/* Validates and copies one short text field. */
static enum err copy_field(const char *s, char *out, size_t cap)
{
    if (s == NULL) {
        s = "";
    }
    size_t len = strlen(s);
    if (len >= cap) {
        return ERR_TOO_LARGE;
    }
    if (!utf8_is_valid(s, len)) {
        return ERR_INVALID;
    }
    memcpy(out, s, len + 1);
    return ERR_OK;
}

static enum err fill_row(const struct audit_event *ev, struct store_audit_row *r)
{
    if (ev->action == NULL || ev->action[0] == '\0') {
        return ERR_INVALID;
    }
    enum err e;
    if ((e = copy_field(ev->actor.login, r->actor_login, sizeof(r->actor_login))) != ERR_OK ||
        (e = copy_field(ev->actor.role, r->role, sizeof(r->role))) != ERR_OK ||
        (e = copy_field(ev->actor.request_id, r->request_id, sizeof(r->request_id))) != ERR_OK ||
        (e = copy_field(ev->action, r->action, sizeof(r->action))) != ERR_OK ||
        (e = copy_field(ev->object_type, r->object_type, sizeof(r->object_type))) != ERR_OK ||
        (e = copy_field(ev->object_id, r->object_id, sizeof(r->object_id))) != ERR_OK ||
        (e = copy_field(ev->detail, r->detail, sizeof(r->detail))) != ERR_OK) {
        return e;
    }
    if (has_long_digit_run(r->detail)) {
        return ERR_INVALID; /* looks like an ID number or a bank card: never in the trail */
    }
    r->actor_user_id = ev->actor.user_id;
    r->org_id = ev->actor.org_id;
    audit_format_time(ev->at_ms, r->at);
    detail_digest(r->detail, r->detail_digest);
    return ERR_OK;
}

enum err audit_append(struct store_conn *c, const struct audit_event *ev, int64_t *out_seq)
{
    struct store_audit_row r;
    memset(&r, 0, sizeof(r));
    enum err e = fill_row(ev, &r);
    if (e != ERR_OK) {
        return e;
    }
    if ((e = store_audit_head_advance(c, &r.seq, r.prev_hash)) != ERR_OK) {
        return e;
    }
    audit_row_hash(&r, r.hash);
    if ((e = store_audit_insert(c, &r)) != ERR_OK) {
        return e;
    }
    if (out_seq != NULL) {
        *out_seq = r.seq;
    }
    return ERR_OK;
}

enum err audit_lock_chain(struct store_conn *c)
{
    return store_audit_lock_chain(c);
}

enum err audit_detail_pairs(const char *const *pairs, size_t n, char *out, size_t cap)
{
    json_t *obj = json_object();
    if (obj == NULL) {
        return ERR_NOMEM;
    }
    enum err e = ERR_OK;
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        json_t *v = json_string(pairs[2 * i + 1]);
        if (v == NULL || json_object_set_new(obj, pairs[2 * i], v) != 0) {
            e = ERR_INVALID; /* not UTF-8 */
        }
    }
    if (e == ERR_OK) {
        size_t len = json_dumpb(obj, out, cap, JSON_COMPACT | JSON_SORT_KEYS);
        if (len == 0 || len >= cap) {
            e = ERR_TOO_LARGE;
        } else {
            out[len] = '\0';
        }
    }
    json_decref(obj);
    return e;
}

const char *audit_break_str(enum audit_break b)
{
    switch (b) {
    case AUDIT_INTACT:
        return "intact";
    case AUDIT_ALTERED:
        return "altered: its contents no longer match its hash";
    case AUDIT_MISSING:
        return "missing: deleted from the chain";
    case AUDIT_BAD_LINK:
        return "bad link: inserted or reordered (prev_hash is not the previous event's hash)";
    case AUDIT_HEAD_MISMATCH:
        return "head mismatch: the chain head does not match the last event";
    }
    return "unknown";
}

/* State of a chain walk across pages. */
struct walk {
    int64_t expected_seq;                     /* next seq the chain must have */
    unsigned char prev[AUDIT_HASH_BYTES];     /* hash of the last good event */
    struct audit_verify_result *out;
};

static enum err walk_row(const struct store_audit_row *r, void *ctx)
{
    struct walk *w = ctx;
    char digest[STORE_AUDIT_DIGEST_HEX + 1];
    unsigned char h[AUDIT_HASH_BYTES];
    enum audit_break why = AUDIT_INTACT;
    int64_t at = r->seq;
    detail_digest(r->detail, digest);
    audit_row_hash(r, h);
    if (r->seq != w->expected_seq) {
        why = AUDIT_MISSING;
        at = w->expected_seq;
    } else if (strcmp(digest, r->detail_digest) != 0 || sodium_memcmp(h, r->hash, sizeof(h)) != 0) {
        why = AUDIT_ALTERED;
    } else if (sodium_memcmp(r->prev_hash, w->prev, AUDIT_HASH_BYTES) != 0) {
        why = AUDIT_BAD_LINK;
    }
    if (why != AUDIT_INTACT) {
        w->out->why = why;
        w->out->broken_seq = at;
        return ERR_EOF; /* stop the walk */
    }
    memcpy(w->prev, r->hash, AUDIT_HASH_BYTES);
    w->expected_seq++;
    w->out->events++;
    return ERR_OK;
}

/* Walks seq 1..upto in pages. ERR_OK with out->why set on a break. */
static enum err walk_chain(struct store_conn *c, int64_t upto, struct walk *w)
{
    for (;;) {
        struct store_audit_filter f = {.after_seq = w->expected_seq - 1, .upto_seq = upto,
                                       .limit = AUDIT_VERIFY_PAGE};
        size_t n = 0;
        enum err e = store_audit_each(c, &f, walk_row, w, &n);
        if (e == ERR_EOF) {
            return ERR_OK;
        }
        if (e != ERR_OK || n < AUDIT_VERIFY_PAGE) {
            return e;
        }
    }
}

static enum err find_one(const struct store_audit_row *r, void *ctx)
{
    *(int64_t *)ctx = r->seq;
    return ERR_OK;
}

/* After the walk, in one short transaction (a consistent view of head and
 * rows): an event beyond the head was added behind the chain's back. */
static enum err check_beyond_head(struct store_conn *c, struct audit_verify_result *out)
{
    enum err e = store_tx_begin(c);
    if (e != ERR_OK) {
        return e;
    }
    int64_t head_seq = 0, beyond = 0;
    unsigned char head_hash[AUDIT_HASH_BYTES];
    e = store_audit_head_get(c, &head_seq, head_hash);
    if (e == ERR_OK) {
        struct store_audit_filter f = {.after_seq = head_seq, .limit = 1};
        e = store_audit_each(c, &f, find_one, &beyond, NULL);
    }
    store_tx_rollback(c);
    if (e == ERR_OK && beyond != 0) {
        out->why = AUDIT_HEAD_MISMATCH;
        out->broken_seq = beyond;
    }
    return e;
}

enum err audit_verify(struct store_conn *c, struct audit_verify_result *out)
{
    memset(out, 0, sizeof(*out));
    enum err e = store_audit_head_get(c, &out->head_seq, out->head_hash);
    if (e != ERR_OK) {
        return e;
    }
    struct walk w = {.expected_seq = 1, .out = out};
    memset(w.prev, 0, sizeof(w.prev));
    if ((e = walk_chain(c, out->head_seq, &w)) != ERR_OK || out->why != AUDIT_INTACT) {
        return e;
    }
    if (w.expected_seq <= out->head_seq) {
        out->why = AUDIT_MISSING; /* the tail up to the head is gone */
        out->broken_seq = w.expected_seq;
        return ERR_OK;
    }
    if (sodium_memcmp(w.prev, out->head_hash, AUDIT_HASH_BYTES) != 0) {
        out->why = AUDIT_HEAD_MISMATCH;
        out->broken_seq = out->head_seq;
        return ERR_OK;
    }
    return check_beyond_head(c, out);
}

enum err audit_list(struct store_conn *c, const struct store_audit_filter *f,
                    enum err (*fn)(const struct store_audit_row *row, void *ctx), void *ctx,
                    size_t *out_n)
{
    return store_audit_each(c, f, fn, ctx, out_n);
}
