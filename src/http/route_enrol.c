/*
 * route_enrol: plans, enrolment, invoices and receipts (参保与缴费).
 *
 *   GET  /api/v1/plans                               every signed-in caller; members see
 *                                                    published versions only
 *   GET  /api/v1/plans/:code/versions/:version       one version with its document
 *   POST /api/v1/plans                               admin: load a draft (body: the plan
 *                                                    document; errors name its JSON path)
 *   POST /api/v1/plans/:code/versions/:version/publish | /close          admin
 *   POST /api/v1/enrolments/preview                  unit_staff, admin: who is eligible,
 *                                                    who is refused and why, cost per payer
 *   POST /api/v1/enrolments                          unit_staff, admin: commit a batch
 *   GET  /api/v1/enrolments                          staff: filters, keyset pages; items
 *                                                    name the member (masked ID) and unit
 *   GET  /api/v1/enrolments/:id                      staff
 *   POST /api/v1/enrolments/:id/cancel               unit_staff, admin {effective_date}
 *   POST /api/v1/batches/:id/renew                   unit_staff, admin {due_date?}
 *   GET  /api/v1/me/enrolments                       member: own cover
 *   GET  /api/v1/invoices                            staff: filters (employer_id: a unit
 *                                                    outside the subtree is 404), keyset pages
 *   GET  /api/v1/invoices/:id                        staff: with its receipts
 *   POST /api/v1/invoices/:id/receipts               finance, unit_staff (idempotent by
 *                                                    bank_reference: 201 new, 200 replay)
 *   POST /api/v1/invoices/lapse                      finance, admin {as_of}
 *
 * Handlers parse and validate, call one domain function (domain/enrol.h,
 * domain/invoice.h, domain/plans_admin.h) with the caller as actor, and
 * render. Objects named by a path id outside the caller's subtree answer
 * 404 like unknown ones; the id is looked up before the body is read, so
 * a foreign id is 404 whatever the body. Lists in answers are capped at
 * ROUTE_ENROL_LIST_MAX with the full count beside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_util.h"
#include "core/limits.h"
#include "domain/enrol.h"
#include "domain/invoice.h"
#include "domain/plans_admin.h"
#include "http/routes.h"

/* Ids listed in a preview or commit answer (eligible, refused,
 * enrolments): a unit of thousands is summarised, its full list is
 * GET /enrolments?... or the CLI. */
#define ROUTE_ENROL_LIST_MAX LIMIT_PAGE_MAX
/* Members named in one request: what fits the body limit. */
#define ROUTE_ENROL_MEMBERS_MAX 100000

/* ------------------------------------------------------------------ helpers */

static void actor_of(const struct http_request *req, struct enrol_actor *a)
{
    const struct auth_user *u = req->user;
    a->user_id = u->id;
    a->role = auth_role_name(u->role);
    a->org_path = u->org_path[0] == '/' ? u->org_path : "/-none-/"; /* no subtree: nothing */
    a->login = u->login;
    a->org_id = u->org_id;
    a->request_id = req->request_id;
}

static const char *message_for(enum err e)
{
    switch (e) {
    case ERR_PLAN_NOT_PUBLISHED:
        return "the plan version is not open for enrolment";
    case ERR_TOO_MANY_SHARES:
        return "shares must be between 1 and the plan's maximum";
    case ERR_UNKNOWN_EMPLOYER:
        return "no such employer";
    case ERR_OUT_OF_SCOPE:
        return "outside your organisation's subtree";
    case ERR_FUNDING_INVALID:
        return "the funding split does not fit the share price";
    case ERR_PARTICIPATION_TOO_LOW:
        return "too few of the unit's eligible staff would be enrolled";
    case ERR_MUST_ENROL_ALL:
        return "a unit this small must enrol all its eligible staff";
    case ERR_UNEQUAL_SHARES:
        return "everyone in the unit must hold the same number of shares";
    case ERR_NO_ELIGIBLE_MEMBERS:
        return "no member of the request can be enrolled";
    case ERR_NOT_RENEWABLE:
        return "the batch has no active enrolment left to renew";
    case ERR_ALREADY_CANCELLED:
        return "the enrolment is cancelled or lapsed already";
    case ERR_INVOICE_CLOSED:
        return "the invoice lapsed: it takes no more receipts";
    case ERR_ALREADY_PAID_INVOICE:
        return "the amount is more than the invoice still owes";
    case ERR_CONFLICT:
        return "the bank reference was recorded for another payment";
    case ERR_LIMIT_EXCEEDED:
        return "the refund is more than the contributions still unearned";
    case ERR_INVALID_DATE:
        return "the date is outside the allowed range";
    case ERR_EXISTS:
        return "this plan version exists already";
    default:
        return NULL; /* the default message of the code */
    }
}

/* Answers a domain refusal naming its field (the API's names). */
static enum err fail_domain(struct http_response *resp, enum err e, const char *field)
{
    if (field != NULL && strcmp(field, "bank_ref") == 0) {
        field = "bank_reference";
    } else if (field != NULL && strcmp(field, "effective") == 0) {
        field = "effective_date";
    }
    return http_response_fail(resp, e, field != NULL && field[0] != '\0' ? field : NULL,
                              message_for(e));
}

/* Not found or out of scope: one answer. */
static enum err fail_missing(struct http_response *resp, enum err e, const char *what)
{
    if (e == ERR_NOT_FOUND || e == ERR_OUT_OF_SCOPE) {
        return http_response_fail(resp, ERR_NOT_FOUND, "id", what);
    }
    return e;
}

static enum err fail_json(struct http_response *resp, enum err e, const struct json_util_error *j)
{
    return http_response_fail(resp, e, j->field[0] != '\0' ? j->field : NULL, j->message);
}

static json_t *date_json(struct date d)
{
    char buf[DATE_TEXT_LEN + 1];
    date_format(d, buf);
    return json_string(buf);
}

static json_t *opt_date_json(bool has, struct date d)
{
    return has ? date_json(d) : json_null();
}

static json_t *opt_id_json(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

static json_t *split_json(const struct costshare_split *s)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "employer", (json_int_t)s->fen[COSTSHARE_EMPLOYER],
                     "union", (json_int_t)s->fen[COSTSHARE_UNION], "worker",
                     (json_int_t)s->fen[COSTSHARE_WORKER], "gift",
                     (json_int_t)s->fen[COSTSHARE_GIFT]);
}

static json_t *enrolment_json(const struct enrol_view *v)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:s,s:o,s:o,s:I,s:s,s:o,s:o,s:I,s:o}", "id",
                     (json_int_t)v->id, "batch_id", (json_int_t)v->batch_id, "member_id",
                     (json_int_t)v->member_id, "plan_id", (json_int_t)v->plan_id, "plan_code",
                     v->plan_code, "term_start", date_json(v->term_start), "term_end",
                     date_json(v->term_end), "shares", (json_int_t)v->shares, "status", v->status,
                     "cover_start", opt_date_json(v->has_cover_start, v->cover_start),
                     "cancelled_on", opt_date_json(v->has_cancelled_on, v->cancelled_on),
                     "refund_fen", (json_int_t)v->refund_fen, "renewal_of",
                     opt_id_json(v->renewal_of));
}

static json_t *invoice_json(const struct invoice_view *v)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:I,s:I,s:o,s:s}", "id", (json_int_t)v->id, "batch_id",
                     (json_int_t)v->batch_id, "payer", costshare_payer_str(v->payer),
                     "payer_name", v->payer_name, "amount_fen", (json_int_t)v->amount_fen,
                     "paid_fen", (json_int_t)v->paid_fen, "due_date", date_json(v->due_date),
                     "status", v->status);
}

/* Appends to a JSON array, counting; stops adding past the cap. */
struct list_ctx {
    json_t *list;
    size_t n;
    size_t cap;
    int64_t last_id;
};

static enum err list_add(struct list_ctx *x, json_t *item, int64_t id)
{
    x->n++;
    x->last_id = id;
    if (item == NULL) {
        return ERR_NOMEM;
    }
    if (x->n > x->cap) {
        json_decref(item);
        return ERR_OK;
    }
    return json_array_append_new(x->list, item) == 0 ? ERR_OK : ERR_NOMEM;
}

/* A listed enrolment: the enrolment, plus member {name, id_number_masked}
 * and employer {id, name} (null when the batch has no unit). */
static json_t *enrolment_item_json(const struct enrol_list_view *v)
{
    json_t *o = enrolment_json(&v->en);
    json_t *member = json_pack("{s:s,s:s}", "name", v->member_name, "id_number_masked",
                               v->member_id_mask);
    json_t *employer = v->employer_id > 0
                           ? json_pack("{s:I,s:s}", "id", (json_int_t)v->employer_id, "name",
                                       v->employer_name)
                           : json_null();
    if (o == NULL) {
        json_decref(member);
        json_decref(employer);
        return NULL;
    }
    /* set_new takes the value's reference even when it fails */
    int bad = json_object_set_new(o, "member", member);
    bad |= json_object_set_new(o, "employer", employer);
    if (bad != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static enum err add_enrolment(void *arg, const struct enrol_view *v)
{
    return list_add(arg, enrolment_json(v), v->id);
}

static enum err add_enrolment_item(void *arg, const struct enrol_list_view *v)
{
    return list_add(arg, enrolment_item_json(v), v->en.id);
}

static enum err add_invoice(void *arg, const struct invoice_view *v)
{
    return list_add(arg, invoice_json(v), v->id);
}

/* Keyset paging arguments: after (id), limit. */
static enum err page_args(struct http_request *req, struct http_response *resp, int64_t *after,
                          int64_t *limit)
{
    enum err e = http_request_query_int(req, resp, "after", 0, INT64_MAX / 2, 0, after);
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   limit);
    }
    return e;
}

static enum err page_reply(struct http_response *resp, const char *key, struct list_ctx *x,
                           int64_t limit)
{
    json_t *next = x->n == (size_t)limit ? json_integer((json_int_t)x->last_id) : json_null();
    return http_reply_json(resp, 200, json_pack("{s:o,s:o}", key, x->list, "next_after", next));
}

/* ------------------------------------------------------------------- plans */

struct plans_ctx {
    json_t *list;
    bool published_only;
};

static enum err add_plan(void *arg, const struct plan_summary *p)
{
    struct plans_ctx *x = arg;
    if (x->published_only && p->state != PLAN_STATE_PUBLISHED) {
        return ERR_OK;
    }
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s,s:s}", "id", (json_int_t)p->id, "code", p->code,
                          "version", (json_int_t)p->version, "name", p->name, "kind", p->kind,
                          "state", plan_state_str(p->state));
    return o != NULL && json_array_append_new(x->list, o) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_plans_list(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct plans_ctx x = {json_array(), req->user->role == AUTH_ROLE_MEMBER};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    if ((e = plans_list(c, add_plan, &x)) != ERR_OK) {
        json_decref(x.list);
        return e;
    }
    return http_reply_json(resp, 200, json_pack("{s:o}", "plans", x.list));
}

/* :code and :version of the path; ERR_NOT_FOUND when malformed. */
static enum err plan_params(struct http_request *req, const char **code, int64_t *version)
{
    *code = http_request_param(req, "code");
    size_t n = *code ? strlen(*code) : 0;
    if (n == 0 || n >= PLAN_CODE_MAX) {
        return ERR_NOT_FOUND;
    }
    return http_request_param_id(req, "version", version);
}

enum err route_plans_get(struct http_request *req, struct http_response *resp)
{
    const char *code;
    int64_t version;
    enum err e = plan_params(req, &code, &version);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return fail_missing(resp, e, "no such plan version");
    }
    struct plan_version *pv = malloc(sizeof(*pv));
    if (pv == NULL) {
        return ERR_NOMEM;
    }
    e = plans_get_in_tx(c, 0, code, version, pv);
    if (e == ERR_OK && req->user->role == AUTH_ROLE_MEMBER && pv->state != PLAN_STATE_PUBLISHED) {
        e = ERR_NOT_FOUND; /* members see published versions only */
    }
    json_t *doc = NULL;
    if (e == ERR_OK) {
        doc = json_pack("{s:I,s:s,s:I,s:s,s:o}", "id", (json_int_t)pv->id, "code", pv->plan.code,
                        "version", (json_int_t)pv->plan.version, "state",
                        plan_state_str(pv->state), "document", plan_to_json(&pv->plan));
    }
    free(pv);
    if (e) {
        return fail_missing(resp, e, "no such plan version");
    }
    return http_reply_json(resp, 200, doc);
}

enum err route_plans_create(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct audit_actor aa;
    auth_actor_of(req->user, req->request_id, &aa);
    char field[PLAN_FIELD_PATH_MAX];
    field[0] = '\0';
    int64_t id;
    e = plans_load_as(c, &aa, req->body, &id, field, sizeof(field));
    if (e) {
        return http_response_fail(resp, e, field[0] ? field : NULL,
                                  e == ERR_EXISTS ? message_for(e)
                                                  : "the plan document is not valid here");
    }
    json_t *code = json_object_get(req->body, "code");
    json_t *ver = json_object_get(req->body, "version");
    return http_reply_json(resp, 201,
                           json_pack("{s:I,s:O,s:O,s:s}", "id", (json_int_t)id, "code", code,
                                     "version", ver, "state", "draft"));
}

static enum err plan_state_change(struct http_request *req, struct http_response *resp,
                                  bool publish)
{
    const char *code;
    int64_t version;
    enum err e = plan_params(req, &code, &version);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return fail_missing(resp, e, "no such plan version");
    }
    struct audit_actor aa;
    auth_actor_of(req->user, req->request_id, &aa);
    e = publish ? plans_publish_as(c, &aa, code, version) : plans_close_as(c, &aa, code, version);
    if (e == ERR_NOT_FOUND) {
        return fail_missing(resp, e, "no such plan version");
    }
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, "state",
                                  publish ? "only a draft can be published"
                                          : "only a published version can be closed");
    }
    if (e) {
        return e;
    }
    return http_reply_json(resp, 200, json_pack("{s:s,s:I,s:s}", "code", code, "version",
                                      (json_int_t)version, "state",
                                      publish ? "published" : "closed"));
}

enum err route_plans_publish(struct http_request *req, struct http_response *resp)
{
    return plan_state_change(req, resp, true);
}

enum err route_plans_close(struct http_request *req, struct http_response *resp)
{
    return plan_state_change(req, resp, false);
}

/* --------------------------------------------------------------- enrolment */

enum {
    B_KIND,
    B_PLAN_CODE,
    B_PLAN_VERSION,
    B_EMPLOYER,
    B_MEMBER,
    B_MEMBERS,
    B_ALL,
    B_START,
    B_DUE,
    B_SHARES,
    B_FUNDING,
    B_DONOR,
    B__COUNT
};

static const struct json_field batch_fields[B__COUNT] = {
    [B_KIND] = {.name = "kind", .kind = JSON_KIND_STRING, .required = true, .min = 1, .max = 16},
    [B_PLAN_CODE] = {.name = "plan_code", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                     .max = PLAN_CODE_MAX - 1},
    [B_PLAN_VERSION] = {.name = "plan_version", .kind = JSON_KIND_INT64, .min_value = 1,
                        .max_value = INT32_MAX},
    [B_EMPLOYER] = {.name = "employer_id", .kind = JSON_KIND_INT64, .min_value = 1,
                    .max_value = INT64_MAX / 2},
    [B_MEMBER] = {.name = "member_id", .kind = JSON_KIND_INT64, .min_value = 1,
                  .max_value = INT64_MAX / 2},
    [B_MEMBERS] = {.name = "member_ids", .kind = JSON_KIND_ARRAY, .min = 1,
                   .max = ROUTE_ENROL_MEMBERS_MAX},
    [B_ALL] = {.name = "all", .kind = JSON_KIND_BOOL},
    [B_START] = {.name = "term_start", .kind = JSON_KIND_DATE, .required = true},
    [B_DUE] = {.name = "due_date", .kind = JSON_KIND_DATE},
    [B_SHARES] = {.name = "shares", .kind = JSON_KIND_INT64, .min_value = 1,
                  .max_value = PLAN_SHARES_MAX},
    [B_FUNDING] = {.name = "funding", .kind = JSON_KIND_OBJECT},
    [B_DONOR] = {.name = "donor", .kind = JSON_KIND_STRING, .min = 1, .max = LIMIT_NAME_CHARS},
};

/* The request body as an enrol_request; *ids (malloc'd) holds the members. */
static enum err batch_request(struct http_request *req, struct http_response *resp,
                              struct enrol_request *r, int64_t **ids)
{
    struct json_value v[B__COUNT];
    struct json_util_error jerr;
    *ids = NULL;
    memset(r, 0, sizeof(*r));
    enum err e = json_util_decode(req->body, batch_fields, B__COUNT, v, &jerr);
    if (e) {
        return fail_json(resp, e, &jerr);
    }
    if (!enrol_kind_parse(v[B_KIND].text, &r->kind)) {
        return http_response_fail(resp, ERR_INVALID, "kind",
                                  "kind must be group, individual or gift");
    }
    snprintf(r->plan_code, sizeof(r->plan_code), "%s", v[B_PLAN_CODE].text);
    r->plan_version = v[B_PLAN_VERSION].present ? v[B_PLAN_VERSION].int64 : 0;
    r->employer_id = v[B_EMPLOYER].present ? v[B_EMPLOYER].int64 : 0;
    r->term_start = v[B_START].date;
    r->due_date = v[B_DUE].present ? v[B_DUE].date : r->term_start;
    r->shares = v[B_SHARES].present ? v[B_SHARES].int64 : 1;
    if (v[B_DONOR].present) {
        snprintf(r->donor, sizeof(r->donor), "%s", v[B_DONOR].text);
    }
    if (v[B_MEMBER].present && v[B_MEMBERS].present) {
        return http_response_fail(resp, ERR_INVALID, "member_id",
                                  "give member_id or member_ids, not both");
    }
    if (v[B_ALL].present && v[B_ALL].boolean &&
        (v[B_MEMBERS].present || v[B_MEMBER].present || r->kind != ENROL_GROUP)) {
        return http_response_fail(resp, ERR_INVALID, "all",
                                  "all is for a group enrolling its whole roster");
    }
    if (v[B_MEMBER].present) {
        *ids = malloc(sizeof(**ids));
        if (*ids == NULL) {
            return ERR_NOMEM;
        }
        (*ids)[0] = v[B_MEMBER].int64;
        r->nmembers = 1;
    } else if (v[B_MEMBERS].present) {
        size_t n = json_array_size(v[B_MEMBERS].node);
        *ids = malloc(n * sizeof(**ids));
        if (*ids == NULL) {
            return ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *item = json_array_get(v[B_MEMBERS].node, i);
            if (!json_is_integer(item) || json_integer_value(item) < 1) {
                char *f = arena_printf(req->arena, "member_ids[%zu]", i);
                return http_response_fail(resp, ERR_BAD_TYPE, f, "member ids are integers >= 1");
            }
            (*ids)[i] = (int64_t)json_integer_value(item);
        }
        r->nmembers = n;
    } else if (r->kind == ENROL_GROUP && v[B_ALL].present && !v[B_ALL].boolean) {
        return http_response_fail(resp, ERR_MISSING_FIELD, "member_ids",
                                  "name the members, or set all to true");
    }
    r->member_ids = *ids;
    r->funding.remainder_payer = COSTSHARE_WORKER; /* default: the worker pays it all */
    if (v[B_FUNDING].present) {
        char field[PLAN_FIELD_PATH_MAX];
        e = costshare_spec_from_json(v[B_FUNDING].node, &r->funding, field, sizeof(field));
        if (e) {
            return http_response_fail(resp, e, field[0] ? field : "funding",
                                      message_for(ERR_FUNDING_INVALID));
        }
    }
    return ERR_OK;
}

/* The preview (or what a commit did) as JSON. */
static json_t *preview_json(struct store_conn *c, const struct enrol_actor *a,
                            const struct enrol_request *r, const struct enrol_preview *p)
{
    json_t *eligible = json_array(), *refused = json_array();
    for (size_t i = 0; i < p->neligible && i < ROUTE_ENROL_LIST_MAX && eligible; i++) {
        json_array_append_new(eligible, json_integer((json_int_t)p->eligible[i]));
    }
    for (size_t i = 0; i < p->nrefused && i < ROUTE_ENROL_LIST_MAX && refused; i++) {
        char name[ENROL_MASKED_NAME_MAX];
        enum err e = enrol_member_masked_name(c, a, p->refused[i].member_id, name);
        json_array_append_new(refused,
                              json_pack("{s:I,s:o,s:s}", "member_id",
                                        (json_int_t)p->refused[i].member_id, "name",
                                        e == ERR_OK ? json_string(name) : json_null(), "code",
                                        err_str(p->refused[i].code)));
    }
    json_t *cost = json_pack("{s:o,s:o,s:o}", "per_share_fen", split_json(&p->share),
                             "per_enrolment_fen", split_json(&p->enrolment), "total_fen",
                             split_json(&p->total));
    return json_pack("{s:s,s:s,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:s,s:I,s:o,s:I,s:o,s:o}", "kind",
                     enrol_kind_str(r->kind), "plan_code", r->plan_code, "plan_id",
                     (json_int_t)p->plan_id, "plan_version", (json_int_t)p->plan_version,
                     "term_start", date_json(p->term_start), "term_end", date_json(p->term_end),
                     "shares", (json_int_t)p->shares, "roster_size", (json_int_t)p->roster_size,
                     "eligible_staff", (json_int_t)p->eligible_staff, "already_enrolled",
                     (json_int_t)p->already_enrolled, "participation", err_str(p->participation),
                     "eligible_count", (json_int_t)p->neligible, "eligible", eligible,
                     "refused_count", (json_int_t)p->nrefused, "refused", refused, "cost", cost);
}

/* A committed (or renewed) batch: the preview plus its enrolments and invoices. */
static enum err batch_reply(struct http_response *resp, struct store_conn *c,
                            const struct enrol_actor *a, const struct enrol_request *r,
                            const struct enrol_preview *p)
{
    json_t *doc = preview_json(c, a, r, p);
    struct list_ctx en = {json_array(), 0, ROUTE_ENROL_LIST_MAX, 0};
    struct invoice_view inv[COSTSHARE__COUNT];
    size_t ninv = 0;
    enum err e = doc && en.list ? ERR_OK : ERR_NOMEM;
    if (e == ERR_OK) {
        e = enrol_each_batch(c, a, p->batch_id, ROUTE_ENROL_LIST_MAX, add_enrolment, &en);
    }
    if (e == ERR_OK) {
        e = invoice_list_batch(c, a, p->batch_id, inv, COSTSHARE__COUNT, &ninv);
    }
    json_t *invoices = json_array();
    for (size_t i = 0; i < ninv && invoices; i++) {
        json_array_append_new(invoices, invoice_json(&inv[i]));
    }
    if (e != ERR_OK || invoices == NULL ||
        json_object_set_new(doc, "batch_id", json_integer((json_int_t)p->batch_id)) ||
        json_object_set_new(doc, "enrolments", en.list) ||
        json_object_set_new(doc, "invoices", invoices)) {
        json_decref(doc);
        return e != ERR_OK ? e : ERR_NOMEM;
    }
    return http_reply_json(resp, 201, doc);
}

static enum err enrol_batch(struct http_request *req, struct http_response *resp, bool commit)
{
    struct enrol_request r;
    int64_t *ids;
    enum err e = batch_request(req, resp, &r, &ids);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        free(ids);
        return e;
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    e = commit ? enrol_commit(c, &a, &r, &p, field, sizeof(field))
               : enrol_preview(c, &a, &r, &p, field, sizeof(field));
    if (e) {
        e = fail_domain(resp, e, field);
    } else if (commit) {
        e = batch_reply(resp, c, &a, &r, &p);
    } else {
        e = http_reply_json(resp, 200, preview_json(c, &a, &r, &p));
    }
    enrol_preview_release(&p);
    free(ids);
    return e;
}

enum err route_enrolments_preview(struct http_request *req, struct http_response *resp)
{
    return enrol_batch(req, resp, false);
}

enum err route_enrolments_create(struct http_request *req, struct http_response *resp)
{
    return enrol_batch(req, resp, true);
}

enum err route_enrolments_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"member_id", "employer_id", "plan", "status",
                                       "expiring_within_days", "as_of", "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t member = 0, employer = 0, days = -1, after = 0, limit = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "member_id", 1, INT64_MAX / 2, 0, &member);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "employer_id", 1, INT64_MAX / 2, 0, &employer);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "expiring_within_days", 0, PLAN_DAYS_MAX, -1,
                                   &days);
    }
    if (!e) {
        e = page_args(req, resp, &after, &limit);
    }
    if (e) {
        return e;
    }
    struct enrol_filter f = {
        .member_id = member,
        .employer_id = employer,
        .plan_code = http_request_query(req, "plan"),
        .status = http_request_query(req, "status"),
        .expiring = days >= 0,
        .as_of = date_today(),
        .days = (int32_t)(days >= 0 ? days : 0),
        .after_id = after,
        .limit = (size_t)limit,
    };
    const char *as_of = http_request_query(req, "as_of");
    if (as_of != NULL && date_parse(as_of, strlen(as_of), &f.as_of) != ERR_OK) {
        return http_response_fail(resp, ERR_INVALID_DATE, "as_of", "as_of must be YYYY-MM-DD");
    }
    if (f.plan_code != NULL && strlen(f.plan_code) >= PLAN_CODE_MAX) {
        return http_response_fail(resp, ERR_INVALID, "plan", "no plan code is that long");
    }
    struct store_conn *c;
    if ((e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct list_ctx x = {json_array(), 0, (size_t)limit, 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    e = enrol_list(c, &a, &f, add_enrolment_item, &x);
    if (e) {
        json_decref(x.list);
        return e == ERR_INVALID ? http_response_fail(resp, e, "status",
                                                     "status must be pending, active, lapsed"
                                                     " or cancelled")
                                : e;
    }
    return page_reply(resp, "enrolments", &x, limit);
}

/* The enrolment of the path, in the caller's subtree. */
static enum err path_enrolment(struct http_request *req, struct http_response *resp,
                               struct store_conn **c, struct enrol_actor *a,
                               struct enrol_view *v)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (!e) {
        e = http_request_store(req, c);
    }
    actor_of(req, a);
    if (!e) {
        e = enrol_get(*c, a, id, v);
    }
    return e ? fail_missing(resp, e, "no such enrolment") : ERR_OK;
}

enum err route_enrolments_get(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    struct enrol_actor a;
    struct enrol_view v;
    enum err e = path_enrolment(req, resp, &c, &a, &v);
    return e ? e : http_reply_json(resp, 200, enrolment_json(&v));
}

enum { C_EFFECTIVE, C__COUNT };
static const struct json_field cancel_fields[C__COUNT] = {
    [C_EFFECTIVE] = {.name = "effective_date", .kind = JSON_KIND_DATE, .required = true},
};

enum err route_enrolments_cancel(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    struct enrol_actor a;
    struct enrol_view v;
    enum err e = path_enrolment(req, resp, &c, &a, &v);
    if (e) {
        return e;
    }
    struct json_value jv[C__COUNT];
    struct json_util_error jerr;
    if ((e = json_util_decode(req->body, cancel_fields, C__COUNT, jv, &jerr)) != ERR_OK) {
        return fail_json(resp, e, &jerr);
    }
    struct enrol_cancel_result r;
    char field[ENROL_FIELD_MAX];
    e = enrol_cancel(c, &a, v.id, jv[C_EFFECTIVE].date, &r, field, sizeof(field));
    if (e) {
        return fail_domain(resp, e, field);
    }
    if ((e = enrol_get(c, &a, v.id, &v)) != ERR_OK) {
        return e;
    }
    return http_reply_json(resp, 200,
                 json_pack("{s:o,s:I,s:i,s:o,s:o}", "enrolment", enrolment_json(&v),
                           "refund_fen", (json_int_t)r.refund_fen, "unexpired_months",
                           (int)r.unexpired_months, "journal_entry_id",
                           opt_id_json(r.journal_entry_id), "pending_id",
                           opt_id_json(r.pending_id)));
}

enum { R_DUE, R__COUNT };
static const struct json_field renew_fields[R__COUNT] = {
    [R_DUE] = {.name = "due_date", .kind = JSON_KIND_DATE},
};

enum err route_batches_renew(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = http_request_param_id(req, "id", &id);
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct enrol_batch_view b;
    if (!e) {
        e = enrol_batch_get(c, &a, id, &b);
    }
    if (e) {
        return fail_missing(resp, e, "no such batch");
    }
    struct json_value jv[R__COUNT];
    struct json_util_error jerr;
    if ((e = json_util_decode(req->body, renew_fields, R__COUNT, jv, &jerr)) != ERR_OK) {
        return fail_json(resp, e, &jerr);
    }
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    e = enrol_renew(c, &a, id, jv[R_DUE].present ? &jv[R_DUE].date : NULL, &p, field,
                    sizeof(field));
    if (e == ERR_OK) {
        struct enrol_request r;
        memset(&r, 0, sizeof(r));
        r.kind = b.kind;
        memcpy(r.plan_code, b.plan_code, sizeof(r.plan_code));
        e = batch_reply(resp, c, &a, &r, &p);
    } else {
        e = fail_domain(resp, e, field);
    }
    enrol_preview_release(&p);
    return e;
}

/* --------------------------------------------------------------- own cover */

static enum err add_cover(void *arg, const struct enrol_cover *cv)
{
    json_t *o = enrolment_json(&cv->v);
    if (o == NULL ||
        json_object_set_new(o, "plan_name", json_string(cv->plan_name)) ||
        json_object_set_new(o, "plan_kind", json_string(plan_kind_str(cv->kind))) ||
        json_object_set_new(o, "continuous_renewal", json_boolean(cv->continuous)) ||
        json_object_set_new(o, "waiting_period_ends",
                            cv->has_waiting ? date_json(cv->waiting_ends) : json_null())) {
        json_decref(o);
        return ERR_NOMEM;
    }
    return json_array_append_new(arg, o) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_me_enrolments(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    json_t *list = json_array();
    if (list == NULL) {
        return ERR_NOMEM;
    }
    if (req->user->member_id > 0 &&
        (e = enrol_member_cover(c, req->user->member_id, add_cover, list)) != ERR_OK) {
        json_decref(list);
        return e;
    }
    return http_reply_json(resp, 200, json_pack("{s:o}", "enrolments", list));
}

/* ---------------------------------------------------------------- invoices */

enum err route_invoices_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"batch_id", "employer_id", "status", "payer", "after",
                                       "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t batch = 0, employer = 0, after = 0, limit = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "batch_id", 1, INT64_MAX / 2, 0, &batch);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "employer_id", 1, INT64_MAX / 2, 0, &employer);
    }
    if (!e) {
        e = page_args(req, resp, &after, &limit);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct invoice_filter f = {
        .batch_id = batch,
        .employer_id = employer,
        .status = http_request_query(req, "status"),
        .payer = http_request_query(req, "payer"),
        .after_id = after,
        .limit = (size_t)limit,
    };
    struct list_ctx x = {json_array(), 0, (size_t)limit, 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    char field[ENROL_FIELD_MAX];
    if ((e = invoice_list(c, &a, &f, add_invoice, &x, field, sizeof(field))) != ERR_OK) {
        json_decref(x.list);
        if (e == ERR_NOT_FOUND || e == ERR_OUT_OF_SCOPE) { /* a foreign unit: as an unknown one */
            return http_response_fail(resp, ERR_NOT_FOUND, "employer_id", "no such employer");
        }
        return http_response_fail(resp, e, field[0] ? field : NULL,
                                  "status must be open, paid or lapsed; payer employer,"
                                  " union, worker or gift");
    }
    return page_reply(resp, "invoices", &x, limit);
}

static enum err add_receipt(void *arg, const struct receipt_view *r)
{
    json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)r->id,
                          "amount_fen", (json_int_t)r->amount_fen, "method", r->method,
                          "bank_reference", r->bank_ref, "payer_name", r->payer_name, "paid_on",
                          date_json(r->paid_on), "journal_entry_id",
                          opt_id_json(r->journal_entry_id));
    return o != NULL && json_array_append_new(arg, o) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_invoices_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = http_request_param_id(req, "id", &id);
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct invoice_view v;
    json_t *receipts = json_array();
    if (receipts == NULL) {
        return ERR_NOMEM;
    }
    if (!e) {
        e = invoice_get(c, &a, id, &v, add_receipt, receipts);
    }
    json_t *doc = e ? NULL : invoice_json(&v);
    if (doc == NULL || json_object_set_new(doc, "receipts", receipts)) {
        json_decref(doc);
        if (doc == NULL) {
            json_decref(receipts);
        }
        return e ? fail_missing(resp, e, "no such invoice") : ERR_NOMEM;
    }
    return http_reply_json(resp, 200, doc);
}

enum { P_AMOUNT, P_METHOD, P_REF, P_PAID_ON, P_PAYER, P__COUNT };
static const struct json_field receipt_fields[P__COUNT] = {
    [P_AMOUNT] = {.name = "amount_fen", .kind = JSON_KIND_MONEY_FEN, .required = true,
                  .min_value = 1, .max_value = PLAN_FEN_MAX},
    [P_METHOD] = {.name = "method", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                  .max = 16},
    [P_REF] = {.name = "bank_reference", .kind = JSON_KIND_STRING, .required = true, .min = 1,
               .max = INVOICE_BANK_REF_MAX},
    [P_PAID_ON] = {.name = "paid_on", .kind = JSON_KIND_DATE, .required = true},
    [P_PAYER] = {.name = "payer_name", .kind = JSON_KIND_STRING, .min = 1,
                 .max = LIMIT_NAME_CHARS},
};

enum err route_invoices_receipt(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = http_request_param_id(req, "id", &id);
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct enrol_actor a;
    actor_of(req, &a);
    struct invoice_view v;
    if (!e) {
        e = invoice_get(c, &a, id, &v, NULL, NULL);
    }
    if (e) {
        return fail_missing(resp, e, "no such invoice");
    }
    struct json_value jv[P__COUNT];
    struct json_util_error jerr;
    if ((e = json_util_decode(req->body, receipt_fields, P__COUNT, jv, &jerr)) != ERR_OK) {
        return fail_json(resp, e, &jerr);
    }
    struct receipt_request q = {
        .invoice_id = id,
        .amount_fen = jv[P_AMOUNT].int64,
        .bank_ref = jv[P_REF].text,
        .bank_ref_len = jv[P_REF].len,
        .payer_name = jv[P_PAYER].present ? jv[P_PAYER].text : NULL,
        .paid_on = jv[P_PAID_ON].date,
    };
    if (!receipt_method_parse(jv[P_METHOD].text, &q.method)) {
        return http_response_fail(resp, ERR_INVALID, "method",
                                  "method must be bank_transfer, cash, wechat, alipay or"
                                  " payroll");
    }
    struct receipt_result r;
    char field[ENROL_FIELD_MAX];
    e = invoice_record_receipt(c, &a, &q, &r, field, sizeof(field));
    if (e == ERR_INVALID && strcmp(field, "bank_ref") == 0) {
        return http_response_fail(resp, e, "bank_reference",
                                  "a bank reference is printable ASCII without spaces at its"
                                  " ends");
    }
    if (e) {
        return fail_domain(resp, e, field);
    }
    if ((e = invoice_get(c, &a, id, &v, NULL, NULL)) != ERR_OK) {
        return e;
    }
    return http_reply_json(resp, r.duplicate ? 200 : 201,
                 json_pack("{s:I,s:b,s:I,s:o,s:o}", "receipt_id", (json_int_t)r.receipt_id,
                           "duplicate", r.duplicate, "activated", (json_int_t)r.activated,
                           "journal_entry_id", opt_id_json(r.journal_entry_id), "invoice",
                           invoice_json(&v)));
}

enum { L_AS_OF, L__COUNT };
static const struct json_field lapse_fields[L__COUNT] = {
    [L_AS_OF] = {.name = "as_of", .kind = JSON_KIND_DATE, .required = true},
};

enum err route_invoices_lapse(struct http_request *req, struct http_response *resp)
{
    struct json_value jv[L__COUNT];
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, lapse_fields, L__COUNT, jv, &jerr);
    if (e) {
        return fail_json(resp, e, &jerr);
    }
    struct store_conn *c;
    if ((e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    struct enrol_actor a;
    actor_of(req, &a);
    int64_t le = 0, li = 0;
    if ((e = invoice_lapse_sweep(c, &a, jv[L_AS_OF].date, &le, &li)) != ERR_OK) {
        return e;
    }
    return http_reply_json(resp, 200,
                           json_pack("{s:o,s:I,s:I}", "as_of", date_json(jv[L_AS_OF].date),
                                     "lapsed_enrolments", (json_int_t)le, "lapsed_invoices",
                                     (json_int_t)li));
}
