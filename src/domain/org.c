/*
 * org: scope checks around store_org. Invariant: nothing leaves this file
 * about an organisation outside the caller's subtree, not even whether it
 * exists.
 */
#include "domain/org.h"

#include <string.h>

#include "core/limits.h"

static void info_from_row(const struct store_org_row *r, struct org_info *o)
{
    o->id = r->id;
    memcpy(o->code, r->code, sizeof(o->code));
    memcpy(o->name, r->name, sizeof(o->name));
    memcpy(o->level, r->level, sizeof(o->level));
    memcpy(o->division_code, r->division_code, sizeof(o->division_code));
    o->parent_id = r->parent_id;
    memcpy(o->path, r->path, sizeof(o->path));
}

/* True when u is staff with a well-formed subtree path of its own. */
static bool has_subtree(const struct auth_user *u)
{
    return auth_org_in_scope(u, u->org_path);
}

enum err org_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                        struct org_info *out)
{
    if (id <= 0 || !has_subtree(u)) {
        return ERR_NOT_FOUND;
    }
    struct store_org_row r;
    enum err e = store_org_get(c, id, &r);
    if (e != ERR_OK) {
        return e;
    }
    if (!auth_org_in_scope(u, r.path)) {
        return ERR_NOT_FOUND;
    }
    info_from_row(&r, out);
    return ERR_OK;
}

struct list_ctx {
    enum err (*fn)(const struct org_info *org, void *ctx);
    void *ctx;
    const struct auth_user *u;
};

static enum err list_one(const struct store_org_row *r, void *arg)
{
    struct list_ctx *x = arg;
    if (!auth_org_in_scope(x->u, r->path)) {
        return ERR_INTERNAL; /* the query's prefix makes this impossible */
    }
    struct org_info o;
    info_from_row(r, &o);
    return x->fn(&o, x->ctx);
}

enum err org_list_scoped(struct store_conn *c, const struct auth_user *u, int64_t after_id,
                         size_t limit, enum err (*fn)(const struct org_info *org, void *ctx),
                         void *ctx, size_t *out_n)
{
    if (out_n != NULL) {
        *out_n = 0;
    }
    if (!has_subtree(u)) {
        return ERR_FORBIDDEN;
    }
    if (limit == 0 || limit > LIMIT_PAGE_MAX || after_id < 0) {
        return ERR_INVALID;
    }
    struct list_ctx x = {.fn = fn, .ctx = ctx, .u = u};
    return store_org_subtree_each(c, u->org_path, after_id, limit, list_one, &x, out_n);
}

enum err org_counts_scoped(struct store_conn *c, const struct auth_user *u, struct org_counts *out)
{
    if (!has_subtree(u)) {
        return ERR_FORBIDDEN;
    }
    struct store_org_counts n;
    enum err e = store_org_subtree_counts(c, u->org_path, &n);
    if (e == ERR_OK) {
        out->orgs = n.orgs;
        out->employers = n.employers;
        out->members = n.members;
    }
    return e;
}

enum err org_member_in_scope(struct store_conn *c, const struct auth_user *u, int64_t member_id)
{
    if (member_id <= 0) {
        return ERR_NOT_FOUND;
    }
    if (u->role == AUTH_ROLE_MEMBER) {
        return auth_member_in_scope(u, member_id) ? ERR_OK : ERR_NOT_FOUND;
    }
    char path[ORG_PATH_MAX + 1];
    enum err e = store_org_member_path(c, member_id, path);
    if (e != ERR_OK) {
        return e;
    }
    return auth_org_in_scope(u, path) ? ERR_OK : ERR_NOT_FOUND;
}
