/*
 * route_orgs: the organisation tree within the caller's subtree, and the
 * registry summary dashboards read.
 *
 *   GET /api/v1/orgs                        staff: the caller's subtree in id order;
 *                                           keyset pages: after_id, limit
 *                                           -> {orgs: [...], next_after_id}
 *   GET /api/v1/orgs/:id                    staff: one organisation; 404 outside the subtree
 *   GET /api/v1/reports/registry-summary    supervisor, auditor, admin: counts of
 *                                           organisations, employers and members in the
 *                                           subtree, read from the replica when there is
 *                                           one (X-Huzhu-Read-Source: replica|primary)
 */
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "domain/org.h"
#include "http/routes.h"
#include "store/store.h"

static json_t *org_json(const struct org_info *o)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)o->id, "code", o->code, "name",
                     o->name, "level", o->level, "division_code", o->division_code, "parent_id",
                     o->parent_id > 0 ? json_integer((json_int_t)o->parent_id) : json_null());
}

struct list_ctx {
    json_t *list;
    int64_t last_id;
};

static enum err add_org(const struct org_info *o, void *arg)
{
    struct list_ctx *x = arg;
    json_t *one = org_json(o);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = o->id;
    return ERR_OK;
}

enum err route_orgs_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"after_id", "limit"};
    enum err e = http_request_query_only(req, resp, args, 2);
    int64_t after = 0, limit = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "after_id", 0, INT64_MAX / 2, 0, &after);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   &limit);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct list_ctx x = {.list = json_array(), .last_id = 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    e = org_list_scoped(c, req->user, after, (size_t)limit, add_org, &x, &n);
    if (e) {
        json_decref(x.list);
        return e;
    }
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x.last_id) : json_null();
    json_t *doc = json_pack("{s:o,s:o}", "orgs", x.list, "next_after_id", next);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}

enum err route_orgs_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct org_info o;
    if (!e) {
        e = org_get_scoped(c, req->user, id, &o);
    }
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "id", "no such organisation");
    }
    if (e) {
        return e;
    }
    json_t *doc = org_json(&o);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}

/* Counts on a read connection: the replica when it answers, else the
 * primary; a replica query failing with ERR_IO marks it broken and the
 * primary is asked once more. */
static enum err counts_read(struct http_request *req, struct org_counts *out, bool *from_replica)
{
    http_request_store_release(req); /* never hold two primary connections */
    struct store_conn *c;
    enum err e = store_acquire_read(req->store, &c, from_replica);
    if (e) {
        return e;
    }
    e = org_counts_scoped(c, req->user, out);
    if (e == ERR_IO && *from_replica) {
        log_warn("registry summary: replica failed; asking the primary");
        store_conn_mark_broken(c);
        store_release(c);
        *from_replica = false;
        e = store_acquire(req->store, &c);
        if (e) {
            return e;
        }
        e = org_counts_scoped(c, req->user, out);
    }
    store_release(c);
    return e;
}

enum err route_reports_registry_summary(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    if (e) {
        return e;
    }
    if (req->store == NULL) {
        return ERR_DB;
    }
    struct org_counts n;
    bool replica = false;
    e = counts_read(req, &n, &replica);
    if (e) {
        return e;
    }
    if (http_response_header(resp, "X-Huzhu-Read-Source", replica ? "replica" : "primary") !=
        ERR_OK) {
        return ERR_INTERNAL;
    }
    json_t *doc = json_pack("{s:{s:I,s:s,s:s},s:I,s:I,s:I}", "org", "id",
                            (json_int_t)req->user->org_id, "code", req->user->org_code, "path",
                            req->user->org_path, "orgs", (json_int_t)n.orgs, "employers",
                            (json_int_t)n.employers, "members", (json_int_t)n.members);
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    e = http_response_json(resp, 200, doc);
    json_decref(doc);
    return e;
}
