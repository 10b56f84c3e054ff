/*
 * plans_admin: plan versions in the store. Documents are stored in the
 * canonical form plan_to_json writes, so what is read back parses to the
 * same struct plan that was validated.
 */
#include "domain/plans_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/audit.h"
#include "domain/ledger.h"
#include "store/store_enrol.h"

static const char *const state_names[] = {
    [PLAN_STATE_DRAFT] = "draft",
    [PLAN_STATE_PUBLISHED] = "published",
    [PLAN_STATE_CLOSED] = "closed",
};

const char *plan_state_str(enum plan_state s)
{
    return (unsigned)s <= PLAN_STATE_CLOSED ? state_names[s] : "unknown";
}

static enum plan_state state_parse(const char *s)
{
    if (strcmp(s, "published") == 0) {
        return PLAN_STATE_PUBLISHED;
    }
    return strcmp(s, "closed") == 0 ? PLAN_STATE_CLOSED : PLAN_STATE_DRAFT;
}

/* UTC 'YYYY-MM-DDTHH:MM:SSZ' for the state stamps. */
static void now_text(char buf[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Appends the audit event of a plan action (caller's transaction). */
static enum err plan_audit(struct store_conn *c, const struct audit_actor *actor,
                           const char *action, const char *code, int64_t version, int64_t id)
{
    char detail[256], ver[24], idt[24];
    snprintf(ver, sizeof(ver), "%lld", (long long)version);
    snprintf(idt, sizeof(idt), "%lld", (long long)id);
    const char *pairs[] = {"code", code, "version", ver};
    enum err e = audit_detail_pairs(pairs, 2, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct audit_event ev = {
        .at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
        .actor = *actor,
        .action = action,
        .object_type = "plan_version",
        .object_id = idt,
        .detail = detail,
    };
    return audit_append(c, &ev, NULL);
}

/* The command line's actor for the plain (un-suffixed) functions. */
static const struct audit_actor plans_actor_cli = {0, "cli", "", 0, ""};

struct load_ctx {
    const struct audit_actor *actor;
    const struct plan *plan;
    const char *document;
    int64_t id;
};

static enum err load_tx(struct store_conn *c, void *arg)
{
    struct load_ctx *x = arg;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_plan_insert(c, x->plan->code, x->plan->version, x->plan->name,
                              plan_kind_str(x->plan->kind), x->document, &x->id);
    }
    if (e == ERR_OK) {
        e = plan_audit(c, x->actor, "plan.load", x->plan->code, x->plan->version, x->id);
    }
    return e;
}

enum err plans_load(struct store_conn *c, const json_t *doc, int64_t *out_id, char *err_field,
                    size_t err_cap)
{
    return plans_load_as(c, &plans_actor_cli, doc, out_id, err_field, err_cap);
}

enum err plans_load_as(struct store_conn *c, const struct audit_actor *actor, const json_t *doc,
                       int64_t *out_id, char *err_field, size_t err_cap)
{
    struct plan *p = malloc(sizeof(*p));
    if (p == NULL) {
        return ERR_NOMEM;
    }
    enum err e = plan_from_json(doc, p, err_field, err_cap);
    char *text = NULL;
    if (e == ERR_OK) {
        json_t *canon = plan_to_json(p);
        text = canon ? json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(canon);
        e = text ? ERR_OK : ERR_NOMEM;
    }
    if (e == ERR_OK) {
        struct load_ctx x = {actor, p, text, 0};
        e = store_with_tx(c, load_tx, &x);
        if (e == ERR_OK && out_id != NULL) {
            *out_id = x.id;
        }
        if (e == ERR_EXISTS && err_cap > 0) {
            snprintf(err_field, err_cap, "version");
        }
    }
    free(text);
    free(p);
    return e;
}

struct state_ctx {
    const struct audit_actor *actor;
    const char *code;
    int64_t version;
    const char *from, *to;
};

static enum err state_tx(struct store_conn *c, void *arg)
{
    struct state_ctx *x = arg;
    char at[24], action[24];
    now_text(at);
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_plan_set_state(c, x->code, x->version, x->from, x->to, at);
    }
    struct store_plan_row row;
    if (e == ERR_OK && (e = store_plan_get(c, 0, x->code, x->version, &row)) == ERR_OK) {
        free(row.document);
        snprintf(action, sizeof(action), "plan.%s", strcmp(x->to, "closed") == 0 ? "close"
                                                                                 : "publish");
        e = plan_audit(c, x->actor, action, x->code, x->version, row.id);
    }
    return e;
}

/* Defaults of a plan's fund, as the ledger migration's. */
#define PLANS_FUND_MGMT_CAP_BP 1000
#define PLANS_FUND_APPROVAL_FEN 1000000

enum err plans_publish(struct store_conn *c, const char *code, int64_t version)
{
    return plans_publish_as(c, &plans_actor_cli, code, version);
}

enum err plans_publish_as(struct store_conn *c, const struct audit_actor *actor, const char *code,
                          int64_t version)
{
    struct state_ctx x = {actor, code, version, "draft", "published"};
    enum err e = store_with_tx(c, state_tx, &x);
    if (e != ERR_OK) {
        return e;
    }
    /* contributions to the plan post to its own fund (ledger.h): create it
     * with the first published version */
    int64_t fund_id;
    e = ledger_fund_create(c, actor, code, code, PLANS_FUND_MGMT_CAP_BP, PLANS_FUND_APPROVAL_FEN,
                           &fund_id);
    return e == ERR_EXISTS ? ERR_OK : e;
}

enum err plans_close(struct store_conn *c, const char *code, int64_t version)
{
    return plans_close_as(c, &plans_actor_cli, code, version);
}

enum err plans_close_as(struct store_conn *c, const struct audit_actor *actor, const char *code,
                        int64_t version)
{
    struct state_ctx x = {actor, code, version, "published", "closed"};
    return store_with_tx(c, state_tx, &x);
}

enum err plans_get_in_tx(struct store_conn *c, int64_t id, const char *code, int64_t version,
                         struct plan_version *out)
{
    struct store_plan_row row;
    enum err e = store_plan_get(c, id, code, version, &row);
    if (e != ERR_OK) {
        return e;
    }
    json_error_t jerr;
    json_t *doc = json_loads(row.document, 0, &jerr);
    free(row.document);
    if (doc == NULL) {
        return ERR_INVALID_PLAN;
    }
    e = plan_from_json(doc, &out->plan, NULL, 0);
    json_decref(doc);
    if (e != ERR_OK) {
        return ERR_INVALID_PLAN;
    }
    out->id = row.id;
    out->state = state_parse(row.state);
    return ERR_OK;
}

struct list_ctx {
    enum err (*fn)(void *ctx, const struct plan_summary *p);
    void *ctx;
};

static enum err list_row(void *arg, const struct store_plan_row *r)
{
    struct list_ctx *x = arg;
    struct plan_summary s = {r->id, r->code, r->version, r->name, r->kind, state_parse(r->state)};
    return x->fn(x->ctx, &s);
}

enum err plans_list(struct store_conn *c, enum err (*fn)(void *ctx, const struct plan_summary *p),
                    void *ctx)
{
    struct list_ctx x = {fn, ctx};
    return store_plan_each(c, list_row, &x);
}

enum err plans_load_samples(struct store_conn *c, const char *dir, size_t *loaded)
{
    static const char *const codes[] = {"ZY", "JT", "DB", "NZ", "YW"};
    int64_t versions[sizeof(codes) / sizeof(codes[0])];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.json", dir, codes[i]);
        json_error_t jerr;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (doc == NULL) {
            return jerr.line < 1 ? ERR_IO : ERR_BAD_JSON;
        }
        char field[PLAN_FIELD_PATH_MAX];
        json_t *ver = json_object_get(doc, "version");
        versions[i] = json_is_integer(ver) ? (int64_t)json_integer_value(ver) : 0;
        enum err e = plans_load(c, doc, NULL, field, sizeof(field));
        json_decref(doc);
        if (e == ERR_EXISTS) {
            continue; /* already there: leave it in whatever state it is */
        }
        if (e != ERR_OK) {
            return e;
        }
        n++;
    }
    /* publish after loading all: a draft left by an earlier failed run is
     * published now as well */
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        enum err e = plans_publish(c, codes[i], versions[i]);
        if (e != ERR_OK && e != ERR_CONFLICT) {
            return e;
        }
    }
    if (loaded != NULL) {
        *loaded = n;
    }
    return ERR_OK;
}
