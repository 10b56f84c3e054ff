/*
 * route_audit: the audit trail for auditors (经审) and administrators.
 *
 *   GET /api/v1/audit/events   newest first; filters from, to (ISO 8601 UTC text such as
 *                              2026-11-29 or 2026-11-29T08:00:00.000Z; from inclusive, to
 *                              exclusive), actor (login), action, object_type, object_id;
 *                              keyset pages: before_seq, limit (1..LIMIT_PAGE_MAX, default
 *                              LIMIT_PAGE_DEFAULT). -> {events: [...], next_before_seq}
 *   GET /api/v1/audit/verify   the whole chain checked -> {intact, events, broken_seq, ...}
 *
 * Scope: events whose actor belongs to the caller's subtree; events without
 * an organisation (the command line, logins that named no account) are read
 * with `huzhu audit list` on the server.
 */
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "http/routes.h"

#define AUDIT_TIME_TEXT_MAX 24 /* 'YYYY-MM-DDTHH:MM:SS.mmmZ' */

static void hex_of(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* An ISO time bound: digits, '-', ':', 'T', '.', 'Z' only, starting with a
 * date, compared as text by the store. */
static bool time_bound_is_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 10 || n > AUDIT_TIME_TEXT_MAX || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == '.' || c == 'Z')) {
            return false;
        }
    }
    return true;
}

struct events_ctx {
    json_t *list;
    int64_t last_seq;
};

static json_t *detail_json(const char *detail)
{
    if (detail[0] == '\0') {
        return json_null();
    }
    json_t *d = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);
    return d != NULL ? d : json_string(detail);
}

static enum err add_event(const struct store_audit_row *r, void *arg)
{
    struct events_ctx *x = arg;
    char hash[2 * AUDIT_HASH_BYTES + 1], prev[2 * AUDIT_HASH_BYTES + 1];
    hex_of(r->hash, AUDIT_HASH_BYTES, hash);
    hex_of(r->prev_hash, AUDIT_HASH_BYTES, prev);
    json_t *actor = json_pack("{s:I,s:s,s:s,s:I}", "user_id", (json_int_t)r->actor_user_id,
                              "login", r->actor_login, "role", r->role, "org_id",
                              (json_int_t)r->org_id);
    json_t *ev = json_pack("{s:I,s:s,s:o,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "seq",
                           (json_int_t)r->seq, "at", r->at, "actor", actor, "action", r->action,
                           "object_type", r->object_type, "object_id", r->object_id,
                           "request_id", r->request_id, "detail", detail_json(r->detail),
                           "detail_digest", r->detail_digest, "prev_hash", prev, "hash", hash);
    if (ev == NULL || json_array_append_new(x->list, ev) != 0) {
        return ERR_NOMEM;
    }
    x->last_seq = r->seq;
    return ERR_OK;
}

enum err route_audit_events(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"from",      "to",        "actor",      "action",
                                       "object_type", "object_id", "before_seq", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t before = 0, limit = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "before_seq", 1, INT64_MAX / 2, 0, &before);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   &limit);
    }
    if (e) {
        return e;
    }
    struct store_audit_filter f = {
        .before_seq = before,
        .at_from = http_request_query(req, "from"),
        .at_to = http_request_query(req, "to"),
        .actor_login = http_request_query(req, "actor"),
        .action = http_request_query(req, "action"),
        .object_type = http_request_query(req, "object_type"),
        .object_id = http_request_query(req, "object_id"),
        .org_path = req->user->org_path,
        .newest_first = true,
        .limit = (size_t)limit,
    };
    if (f.at_from != NULL && !time_bound_is_valid(f.at_from)) {
        return http_response_fail(resp, ERR_INVALID, "from", "must be a UTC time like 2026-11-29");
    }
    if (f.at_to != NULL && !time_bound_is_valid(f.at_to)) {
        return http_response_fail(resp, ERR_INVALID, "to", "must be a UTC time like 2026-11-29");
    }
    if (req->user->org_path[0] != '/') {
        return ERR_FORBIDDEN; /* no subtree: nothing to show */
    }
    struct store_conn *c;
    e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct events_ctx x = {.list = json_array(), .last_seq = 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    e = audit_list(c, &f, add_event, &x, &n);
    if (e) {
        json_decref(x.list);
        return e;
    }
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x.last_seq) : json_null();
    json_t *doc = json_pack("{s:o,s:o}", "events", x.list, "next_before_seq", next);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}

enum err route_audit_verify(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    if (e) {
        return e;
    }
    struct store_conn *c;
    e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct audit_verify_result r;
    e = audit_verify(c, &r);
    if (e) {
        return e;
    }
    char head[2 * AUDIT_HASH_BYTES + 1];
    hex_of(r.head_hash, AUDIT_HASH_BYTES, head);
    json_t *doc = json_pack("{s:b,s:I,s:s,s:o,s:I,s:s}", "intact", r.why == AUDIT_INTACT,
                            "events", (json_int_t)r.events, "reason", audit_break_str(r.why),
                            "broken_seq",
                            r.why == AUDIT_INTACT ? json_null()
                                                  : json_integer((json_int_t)r.broken_seq),
                            "head_seq", (json_int_t)r.head_seq, "head_hash", head);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}
