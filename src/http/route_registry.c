/*
 * route_registry: organisations (create, rename, move), employers, members
 * and roster imports over the API, all within the caller's subtree.
 *
 *   POST  /api/v1/orgs                      admin: {code, name, parent_id, division_code,
 *                                           level?} -> 201 organisation
 *   PATCH /api/v1/orgs/:id                  admin: {name?, parent_id?} (a move rewrites the
 *                                           subtree's paths atomically) -> 200 organisation
 *   GET   /api/v1/employers                 staff: q (credit code or name prefix), org_id,
 *                                           ownership, size; keyset pages: after, limit
 *                                           -> {employers: [...], next_after}
 *   GET   /api/v1/employers/:id             staff
 *   POST  /api/v1/employers                 admin, unit_staff -> 201
 *   PATCH /api/v1/employers/:id             admin, unit_staff
 *   GET   /api/v1/members                   staff: name (prefix), id_number (exact, blind
 *                                           index), phone, employer_id, employment, hardship;
 *                                           after, limit -> {members: [...], next_after}
 *   GET   /api/v1/members/:id               staff: the member, masked, with its history
 *   POST  /api/v1/members                   admin, unit_staff -> 201
 *   PATCH /api/v1/members/:id               admin, unit_staff: changes go to the history
 *   POST  /api/v1/members/:id/reveal        admin, claims roles (both fields), finance (bank
 *                                           card), unit_staff (ID number): {fields, reason}
 *                                           -> plain values; audited as member.reveal
 *   GET   /api/v1/me                        member: the caller's own record, masked
 *   POST  /api/v1/imports/members?org_id=N  admin, unit_staff: the CSV as the body
 *   POST  /api/v1/imports/employers?org_id=N  (text/csv, <= LIMIT_UPLOAD_BYTES) -> 202 {job_id};
 *                                           as_of=YYYY-MM-DD pins the import date (default today)
 *   GET   /api/v1/imports/:job_id           admin, unit_staff: status and progress
 *   GET   /api/v1/imports/:job_id/report.csv  the refused rows (UTF-8 with BOM)
 *
 * Members are always shown masked: ID number 110101********1234, phone
 * 138****5678, bank card 6222 **** **** 0123; only the reveal route returns
 * plain values. Import jobs live in the server's memory (import_jobs.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "core/ids.h"
#include "core/json_util.h"
#include "core/limits.h"
#include "domain/registry_query.h"
#include "http/import_jobs.h"
#include "http/routes.h"
#include "store/store.h"

/* ------------------------------------------------------------------ helpers */

/* A client-facing sentence for a refused field. */
static const char *message_for(enum err e)
{
    switch (e) {
    case ERR_EXISTS:
        return "already registered";
    case ERR_NOT_FOUND:
        return "no such object in your organisation's subtree";
    case ERR_FORBIDDEN:
        return "your role may not reveal this field";
    case ERR_INVALID_NAME:
        return "a name must be 1 to 50 characters without control characters";
    case ERR_INVALID_ID:
        return "not a valid resident ID number";
    case ERR_ID_EXCEL_MANGLED:
        return "the ID number was turned into a number by Excel (1.10101E+17)";
    case ERR_INVALID_USCC:
        return "not a valid unified social credit code (or missing where required)";
    case ERR_UNKNOWN_EMPLOYER:
        return "no employer is registered with this credit code";
    case ERR_INVALID_PHONE:
        return "not a mainland mobile number";
    case ERR_INVALID_EMPLOYMENT:
        return "not an employment form (standard, courier, delivery, ride_hailing, truck, "
               "other_gig or the Chinese label)";
    case ERR_INVALID_OWNERSHIP:
        return "not an ownership type (public_sector, state, private, foreign, collective, "
               "individual or the Chinese label)";
    case ERR_INVALID_SIZE:
        return "not a size class (large, medium, small, micro or the Chinese label)";
    case ERR_INVALID_HARDSHIP:
        return "hardship must be yes or no";
    case ERR_INVALID_BANK_ACCOUNT:
        return "not a valid bank card number";
    case ERR_UNDERAGE:
        return "under 16 on the registration date";
    default:
        return "invalid value";
    }
}

/* Answers a domain refusal: with its field when it names one. */
static enum err answer(struct http_response *resp, enum err e,
                       const struct registry_field_error *ferr)
{
    if (e == ERR_OK) {
        return ERR_OK;
    }
    if (ferr->field != NULL) {
        const char *msg = message_for(e);
        if (e == ERR_INVALID && strcmp(ferr->field, "parent_id") == 0) {
            msg = "an organisation cannot move under itself or its own descendant, and roots "
                  "are made on the command line";
        } else if (e == ERR_INVALID && strcmp(ferr->field, "reason") == 0) {
            msg = "give a reason of 1 to 200 characters, without long digit runs";
        } else if (e == ERR_INVALID &&
                   (strcmp(ferr->field, "uscc") == 0 || strcmp(ferr->field, "id_number") == 0)) {
            msg = "this field identifies the record and cannot be changed";
        }
        return http_response_fail(resp, e, ferr->field, msg);
    }
    return e;
}

static struct registry_text text_of_value(const struct json_value *v)
{
    struct registry_text t = {.ptr = v->present ? v->text : NULL, .len = v->present ? v->len : 0};
    return t;
}

static struct registry_text text_of_query(const struct http_request *req, const char *name)
{
    const char *v = http_request_query(req, name);
    struct registry_text t = {.ptr = v, .len = v != NULL ? strlen(v) : 0};
    return t;
}

static enum err decode(struct http_request *req, struct http_response *resp,
                       const struct json_field *fields, size_t n, struct json_value *v)
{
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, fields, n, v, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL,
                                  jerr.message);
    }
    return ERR_OK;
}

static enum err conn_and_id(struct http_request *req, const char *param, struct store_conn **c,
                            int64_t *id)
{
    enum err e = ERR_OK;
    if (param != NULL) {
        e = http_request_param_id(req, param, id);
    }
    if (e == ERR_OK) {
        e = http_request_store(req, c);
    }
    return e;
}

/* after and limit of a keyset page. */
static enum err page_args(struct http_request *req, struct http_response *resp, int64_t *after,
                          int64_t *limit)
{
    enum err e = http_request_query_int(req, resp, "after", 0, INT64_MAX / 2, 0, after);
    if (e == ERR_OK) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   limit);
    }
    return e;
}

/* ------------------------------------------------------------- organisations */

static json_t *org_json(const struct org_info *o)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)o->id, "code", o->code, "name",
                     o->name, "level", o->level, "division_code", o->division_code, "parent_id",
                     o->parent_id > 0 ? json_integer((json_int_t)o->parent_id) : json_null());
}

static enum err send_org(struct http_request *req, struct http_response *resp,
                         struct store_conn *c, int64_t id, unsigned status)
{
    struct org_info o;
    enum err e = org_get_scoped(c, req->user, id, &o);
    if (e) {
        return e;
    }
    return http_reply_json(resp, status, org_json(&o));
}

enum err route_orgs_create(struct http_request *req, struct http_response *resp)
{
    enum { F_CODE, F_NAME, F_PARENT, F_LEVEL, F_DIVISION, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_CODE] = {.name = "code", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = REGISTRY_ORG_CODE_MAX},
        [F_NAME] = {.name = "name", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = 200},
        [F_PARENT] = {.name = "parent_id", .kind = JSON_KIND_INT64, .required = true,
                      .min_value = 1, .max_value = INT64_MAX},
        [F_LEVEL] = {.name = "level", .kind = JSON_KIND_STRING, .min = 1, .max = 16},
        [F_DIVISION] = {.name = "division_code", .kind = JSON_KIND_STRING, .required = true,
                        .min = 1, .max = 16},
    };
    struct json_value v[F__COUNT];
    struct store_conn *c;
    enum err e = decode(req, resp, fields, F__COUNT, v);
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    struct registry_org_input in = {
        .code = text_of_value(&v[F_CODE]),
        .name = text_of_value(&v[F_NAME]),
        .level = text_of_value(&v[F_LEVEL]),
        .division_code = text_of_value(&v[F_DIVISION]),
        .parent_id = v[F_PARENT].int64,
    };
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    int64_t id;
    e = registry_org_create(c, req->user, &actor, &in, &id, &ferr);
    if (e) {
        return answer(resp, e, &ferr);
    }
    return send_org(req, resp, c, id, 201);
}

enum err route_orgs_update(struct http_request *req, struct http_response *resp)
{
    enum { F_NAME, F_PARENT, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_NAME] = {.name = "name", .kind = JSON_KIND_STRING, .min = 1, .max = 200},
        [F_PARENT] = {.name = "parent_id", .kind = JSON_KIND_INT64, .min_value = 1,
                      .max_value = INT64_MAX},
    };
    struct json_value v[F__COUNT];
    struct store_conn *c;
    int64_t id;
    struct org_info o;
    enum err e = conn_and_id(req, "id", &c, &id);
    if (e == ERR_OK) {
        e = org_get_scoped(c, req->user, id, &o); /* out of scope: 404 before the body */
    }
    if (e == ERR_OK) {
        e = decode(req, resp, fields, F__COUNT, v);
    }
    if (e) {
        return e;
    }
    if (!v[F_NAME].present && !v[F_PARENT].present) {
        return http_response_fail(resp, ERR_MISSING_FIELD, NULL, "give name and/or parent_id");
    }
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    e = registry_org_update(c, req->user, &actor, id, text_of_value(&v[F_NAME]),
                            v[F_PARENT].present ? v[F_PARENT].int64 : 0, &ferr);
    if (e) {
        return answer(resp, e, &ferr);
    }
    return send_org(req, resp, c, id, 200);
}

/* ------------------------------------------------------------------ employers */

static json_t *employer_json(const struct store_employer_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)r->id, "uscc", r->uscc,
                     "name", r->name, "ownership", r->ownership, "size", r->size, "industry",
                     r->industry, "org_id", (json_int_t)r->org_id);
}

struct list_ctx {
    json_t *list;
    int64_t last_id;
};

static enum err add_employer(const struct store_employer_row *r, void *arg)
{
    struct list_ctx *x = arg;
    json_t *one = employer_json(r);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = r->id;
    return ERR_OK;
}

static enum err send_page(struct http_response *resp, const char *key, struct list_ctx *x,
                          size_t n, int64_t limit)
{
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x->last_id) : json_null();
    return http_reply_json(resp, 200, json_pack("{s:o,s:o}", key, x->list, "next_after", next));
}

enum err route_employers_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"q", "org_id", "ownership", "size", "after", "limit"};
    int64_t after = 0, limit = 0, org_id = 0;
    enum err e = http_request_query_only(req, resp, args, 6);
    if (e == ERR_OK) {
        e = page_args(req, resp, &after, &limit);
    }
    if (e == ERR_OK) {
        e = http_request_query_int(req, resp, "org_id", 1, INT64_MAX / 2, 0, &org_id);
    }
    struct store_conn *c;
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    struct registry_employer_query q = {.q = text_of_query(req, "q"),
                                        .org_id = org_id,
                                        .ownership = text_of_query(req, "ownership"),
                                        .size = text_of_query(req, "size")};
    struct list_ctx x = {.list = json_array(), .last_id = 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    struct registry_field_error ferr;
    e = registry_employer_search_scoped(c, req->user, &q, after, (size_t)limit, add_employer, &x,
                                        &n, &ferr);
    if (e) {
        json_decref(x.list);
        return answer(resp, e, &ferr);
    }
    return send_page(resp, "employers", &x, n, limit);
}

enum err route_employers_get(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    int64_t id;
    enum err e = conn_and_id(req, "id", &c, &id);
    struct store_employer_row r;
    if (e == ERR_OK) {
        e = registry_employer_get_scoped(c, req->user, id, &r);
    }
    if (e) {
        return e;
    }
    return http_reply_json(resp, 200, employer_json(&r));
}

enum { EF_USCC, EF_NAME, EF_OWNERSHIP, EF_SIZE, EF_INDUSTRY, EF_ORG, EF__COUNT };

static void employer_fields(struct json_field f[EF__COUNT], bool create)
{
    memset(f, 0, sizeof(struct json_field) * EF__COUNT);
    f[EF_USCC] = (struct json_field){.name = "uscc", .kind = JSON_KIND_STRING,
                                     .required = create, .min = 1, .max = 40};
    f[EF_NAME] = (struct json_field){.name = "name", .kind = JSON_KIND_STRING,
                                     .required = create, .min = 0, .max = 200};
    f[EF_OWNERSHIP] = (struct json_field){.name = "ownership", .kind = JSON_KIND_STRING,
                                          .required = create, .min = 0, .max = 32};
    f[EF_SIZE] = (struct json_field){.name = "size", .kind = JSON_KIND_STRING,
                                     .required = create, .min = 0, .max = 32};
    f[EF_INDUSTRY] = (struct json_field){.name = "industry", .kind = JSON_KIND_STRING,
                                         .min = 0, .max = 200};
    f[EF_ORG] = (struct json_field){.name = "org_id", .kind = JSON_KIND_INT64, .min_value = 1,
                                    .max_value = INT64_MAX};
}

static void employer_input(const struct json_value *v, struct registry_employer_input *in)
{
    in->uscc = text_of_value(&v[EF_USCC]);
    in->name = text_of_value(&v[EF_NAME]);
    in->ownership = text_of_value(&v[EF_OWNERSHIP]);
    in->size = text_of_value(&v[EF_SIZE]);
    in->industry = text_of_value(&v[EF_INDUSTRY]);
}

enum err route_employers_create(struct http_request *req, struct http_response *resp)
{
    struct json_field fields[EF__COUNT];
    struct json_value v[EF__COUNT];
    employer_fields(fields, true);
    struct store_conn *c;
    enum err e = decode(req, resp, fields, EF__COUNT, v);
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    struct registry_employer_input in;
    employer_input(v, &in);
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    int64_t id;
    e = registry_employer_create_scoped(c, req->user, &actor,
                                        v[EF_ORG].present ? v[EF_ORG].int64 : 0, &in, &id,
                                        &ferr);
    struct store_employer_row r;
    if (e == ERR_OK) {
        e = registry_employer_get_scoped(c, req->user, id, &r);
    }
    if (e) {
        return answer(resp, e, &ferr);
    }
    return http_reply_json(resp, 201, employer_json(&r));
}

enum err route_employers_update(struct http_request *req, struct http_response *resp)
{
    struct json_field fields[EF__COUNT];
    struct json_value v[EF__COUNT];
    employer_fields(fields, false);
    struct store_conn *c;
    int64_t id;
    struct store_employer_row r;
    enum err e = conn_and_id(req, "id", &c, &id);
    if (e == ERR_OK) {
        e = registry_employer_get_scoped(c, req->user, id, &r); /* 404 before the body */
    }
    if (e == ERR_OK) {
        e = decode(req, resp, fields, EF__COUNT, v);
    }
    if (e) {
        return e;
    }
    bool any = false;
    for (size_t i = 0; i < EF__COUNT; i++) {
        any = any || v[i].present;
    }
    if (!any) {
        return http_response_fail(resp, ERR_MISSING_FIELD, NULL, "give the fields to change");
    }
    struct registry_employer_input in;
    employer_input(v, &in);
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    bool changed;
    e = registry_employer_update_scoped(c, req->user, &actor, id, &in,
                                        v[EF_ORG].present ? v[EF_ORG].int64 : 0, &changed, &ferr);
    if (e == ERR_OK) {
        e = registry_employer_get_scoped(c, req->user, id, &r);
    }
    if (e) {
        return answer(resp, e, &ferr);
    }
    json_t *doc = employer_json(&r);
    if (doc != NULL) {
        json_object_set_new(doc, "changed", json_boolean(changed));
    }
    return http_reply_json(resp, 200, doc);
}

/* -------------------------------------------------------------------- members */

static json_t *member_json(const struct store_member_detail *m)
{
    char phone[PHONE_LEN + 1] = "";
    if (strlen(m->phone) == PHONE_LEN) {
        phone_mask(m->phone, phone);
    }
    enum registry_employment em;
    const char *label = "";
    if (registry_employment_parse(m->employment, strlen(m->employment), &em) == ERR_OK) {
        label = registry_employment_label(em);
    }
    json_t *employer = m->employer_id > 0
                           ? json_pack("{s:I,s:s,s:s}", "id", (json_int_t)m->employer_id, "uscc",
                                       m->employer_uscc, "name", m->employer_name)
                           : json_null();
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:{s:I,s:s},s:b,s:o,s:s,s:s}", "id",
                     (json_int_t)m->id, "name", m->name, "id_number_masked", m->id_mask,
                     "gender", m->gender, "birth_date", m->birth_date, "phone_masked",
                     phone[0] != '\0' ? json_string(phone) : json_null(), "employment",
                     m->employment, "employment_label", label, "employer", employer, "org",
                     "id", (json_int_t)m->org_id, "code", m->org_code, "hardship",
                     m->hardship != 0, "bank_account_masked",
                     m->bank_mask[0] != '\0' ? json_string(m->bank_mask) : json_null(),
                     "created_at", m->created_at, "updated_at", m->updated_at);
}

static enum err add_member(const struct store_member_detail *m, void *arg)
{
    struct list_ctx *x = arg;
    json_t *one = member_json(m);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = m->id;
    return ERR_OK;
}

enum err route_members_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"name",       "id_number", "phone", "employer_id",
                                       "employment", "hardship",  "after", "limit"};
    int64_t after = 0, limit = 0, employer_id = 0;
    enum err e = http_request_query_only(req, resp, args, 8);
    if (e == ERR_OK) {
        e = page_args(req, resp, &after, &limit);
    }
    if (e == ERR_OK) {
        e = http_request_query_int(req, resp, "employer_id", 1, INT64_MAX / 2, 0, &employer_id);
    }
    struct store_conn *c;
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    struct registry_member_query q = {.name = text_of_query(req, "name"),
                                      .id_number = text_of_query(req, "id_number"),
                                      .phone = text_of_query(req, "phone"),
                                      .employer_id = employer_id,
                                      .employment = text_of_query(req, "employment"),
                                      .hardship = text_of_query(req, "hardship")};
    struct list_ctx x = {.list = json_array(), .last_id = 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    struct registry_field_error ferr;
    e = registry_member_search_scoped(c, req->user, req->fc, &q, after, (size_t)limit, add_member,
                                      &x, &n, &ferr);
    if (e) {
        json_decref(x.list);
        return answer(resp, e, &ferr);
    }
    return send_page(resp, "members", &x, n, limit);
}

static enum err add_change(void *arg, const struct store_member_change *ch)
{
    json_t *list = arg;
    json_t *one = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "at", ch->at, "source", ch->source,
                            "source_ref", ch->source_ref, "actor", ch->actor, "field", ch->field,
                            "old_value", ch->old_value, "new_value", ch->new_value);
    if (one == NULL || json_array_append_new(list, one) != 0) {
        return ERR_NOMEM;
    }
    return ERR_OK;
}

/* The member with its history, masked. */
static enum err send_member(struct http_request *req, struct http_response *resp,
                            struct store_conn *c, int64_t id, unsigned status)
{
    struct store_member_detail m;
    enum err e = registry_member_get_scoped(c, req->user, id, &m);
    if (e) {
        return e;
    }
    json_t *doc = member_json(&m);
    sodium_memzero(&m, sizeof(m));
    json_t *history = json_array();
    if (doc == NULL || history == NULL) {
        json_decref(doc);
        json_decref(history);
        return ERR_NOMEM;
    }
    json_object_set_new(doc, "history", history);
    e = registry_member_history(c, id, add_change, history);
    if (e) {
        json_decref(doc);
        return e;
    }
    return http_reply_json(resp, status, doc);
}

/* ERR_OK when member id is in the caller's scope, else ERR_NOT_FOUND (checked
 * before a body is looked at, so out-of-scope ids answer 404 whatever is sent). */
static enum err member_scoped(struct http_request *req, struct store_conn *c, int64_t id)
{
    struct store_member_detail m;
    enum err e = registry_member_get_scoped(c, req->user, id, &m);
    sodium_memzero(&m, sizeof(m));
    return e;
}

enum err route_members_get(struct http_request *req, struct http_response *resp)
{
    struct store_conn *c;
    int64_t id;
    enum err e = conn_and_id(req, "id", &c, &id);
    if (e) {
        return e;
    }
    return send_member(req, resp, c, id, 200);
}

enum err route_me_get(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    struct store_conn *c;
    enum err e = http_request_query_only(req, resp, none, 0);
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    return send_member(req, resp, c, req->user->member_id, 200);
}

enum {
    MF_NAME,
    MF_ID,
    MF_PHONE,
    MF_EMPLOYMENT,
    MF_EMPLOYER,
    MF_HARDSHIP,
    MF_BANK,
    MF_ORG,
    MF__COUNT
};

static void member_fields(struct json_field f[MF__COUNT], bool create)
{
    memset(f, 0, sizeof(struct json_field) * MF__COUNT);
    f[MF_NAME] = (struct json_field){.name = "name", .kind = JSON_KIND_STRING,
                                     .required = create, .min = 0, .max = 200};
    f[MF_ID] = (struct json_field){.name = "id_number", .kind = JSON_KIND_STRING,
                                   .required = create, .min = 0, .max = 40};
    f[MF_PHONE] = (struct json_field){.name = "phone", .kind = JSON_KIND_STRING, .min = 0,
                                      .max = 32};
    f[MF_EMPLOYMENT] = (struct json_field){.name = "employment", .kind = JSON_KIND_STRING,
                                           .required = create, .min = 0, .max = 32};
    f[MF_EMPLOYER] = (struct json_field){.name = "employer_uscc", .kind = JSON_KIND_STRING,
                                         .min = 0, .max = 40};
    f[MF_HARDSHIP] = (struct json_field){.name = "hardship", .kind = JSON_KIND_BOOL};
    f[MF_BANK] = (struct json_field){.name = "bank_account", .kind = JSON_KIND_STRING, .min = 0,
                                     .max = 40};
    f[MF_ORG] = (struct json_field){.name = "org_id", .kind = JSON_KIND_INT64, .min_value = 1,
                                    .max_value = INT64_MAX};
}

static void member_input(const struct json_value *v, struct registry_member_input *in)
{
    in->name = text_of_value(&v[MF_NAME]);
    in->id_number = text_of_value(&v[MF_ID]);
    in->phone = text_of_value(&v[MF_PHONE]);
    in->employment = text_of_value(&v[MF_EMPLOYMENT]);
    in->employer_uscc = text_of_value(&v[MF_EMPLOYER]);
    struct registry_text h = {.ptr = NULL, .len = 0};
    if (v[MF_HARDSHIP].present) {
        h.ptr = v[MF_HARDSHIP].boolean ? "1" : "0";
        h.len = 1;
    }
    in->hardship = h;
    in->bank_account = text_of_value(&v[MF_BANK]);
}

enum err route_members_create(struct http_request *req, struct http_response *resp)
{
    struct json_field fields[MF__COUNT];
    struct json_value v[MF__COUNT];
    member_fields(fields, true);
    struct store_conn *c;
    enum err e = decode(req, resp, fields, MF__COUNT, v);
    if (e == ERR_OK) {
        e = conn_and_id(req, NULL, &c, NULL);
    }
    if (e) {
        return e;
    }
    struct registry_member_input in;
    member_input(v, &in);
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    int64_t id;
    e = registry_member_create_scoped(c, req->user, &actor, req->fc,
                                      v[MF_ORG].present ? v[MF_ORG].int64 : 0, &in, date_today(),
                                      &id, &ferr);
    if (e) {
        return answer(resp, e, &ferr);
    }
    return send_member(req, resp, c, id, 201);
}

enum err route_members_update(struct http_request *req, struct http_response *resp)
{
    struct json_field fields[MF__COUNT];
    struct json_value v[MF__COUNT];
    member_fields(fields, false);
    struct store_conn *c;
    int64_t id;
    enum err e = conn_and_id(req, "id", &c, &id);
    if (e == ERR_OK) {
        e = member_scoped(req, c, id);
    }
    if (e == ERR_OK) {
        e = decode(req, resp, fields, MF__COUNT, v);
    }
    if (e) {
        return e;
    }
    bool any = false;
    for (size_t i = 0; i < MF__COUNT; i++) {
        any = any || v[i].present;
    }
    if (!any) {
        return http_response_fail(resp, ERR_MISSING_FIELD, NULL, "give the fields to change");
    }
    struct registry_member_input in;
    member_input(v, &in);
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    bool changed;
    e = registry_member_update_scoped(c, req->user, &actor, req->fc, id, &in,
                                      v[MF_ORG].present ? v[MF_ORG].int64 : 0, date_today(),
                                      &changed, &ferr);
    if (e) {
        return answer(resp, e, &ferr);
    }
    return send_member(req, resp, c, id, 200);
}

enum err route_members_reveal(struct http_request *req, struct http_response *resp)
{
    enum { F_FIELDS, F_REASON, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_FIELDS] = {.name = "fields", .kind = JSON_KIND_ARRAY, .required = true, .min = 1,
                      .max = 2},
        [F_REASON] = {.name = "reason", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                      .max = REGISTRY_REVEAL_REASON_MAX},
    };
    struct json_value v[F__COUNT];
    struct store_conn *c;
    int64_t id;
    enum err e = conn_and_id(req, "id", &c, &id);
    if (e == ERR_OK) {
        e = member_scoped(req, c, id);
    }
    if (e == ERR_OK) {
        e = decode(req, resp, fields, F__COUNT, v);
    }
    if (e) {
        return e;
    }
    bool want_id = false, want_bank = false;
    size_t i;
    json_t *item;
    json_array_foreach(v[F_FIELDS].node, i, item) {
        const char *s = json_string_value(item);
        if (s != NULL && strcmp(s, "id_number") == 0 && !want_id) {
            want_id = true;
        } else if (s != NULL && strcmp(s, "bank_account") == 0 && !want_bank) {
            want_bank = true;
        } else {
            return http_response_fail(resp, ERR_INVALID, "fields",
                                      "fields lists \"id_number\" and/or \"bank_account\", once");
        }
    }
    struct audit_actor actor;
    auth_actor_of(req->user, req->request_id, &actor);
    struct registry_field_error ferr;
    struct registry_revealed out;
    e = registry_member_reveal(c, req->user, &actor, req->fc, id, want_id, want_bank,
                               text_of_value(&v[F_REASON]), &out, &ferr);
    if (e) {
        return answer(resp, e, &ferr);
    }
    json_t *doc = json_pack("{s:I}", "id", (json_int_t)id);
    if (doc != NULL && want_id) {
        json_object_set_new(doc, "id_number", json_string(out.id_number));
    }
    if (doc != NULL && want_bank) {
        json_object_set_new(doc, "bank_account", out.has_bank_account
                                                     ? json_string(out.bank_account)
                                                     : json_null());
    }
    sodium_memzero(&out, sizeof(out));
    return http_reply_json(resp, 200, doc);
}

/* -------------------------------------------------------------------- imports */

/* "text/csv" (any case, parameters allowed). Excel-made files are sent as
 * such by the web console; anything else is refused (415). */
static bool content_type_is_csv(const char *ct)
{
    if (ct == NULL) {
        return false;
    }
    while (*ct == ' ') {
        ct++;
    }
    return strncasecmp(ct, "text/csv", 8) == 0 && (ct[8] == '\0' || ct[8] == ';' || ct[8] == ' ');
}

static enum err import_submit(struct http_request *req, struct http_response *resp,
                              enum import_kind kind)
{
    static const char *const args[] = {"org_id", "as_of"};
    int64_t org_id = 0;
    enum err e = http_request_query_only(req, resp, args, 2);
    if (e == ERR_OK) {
        e = http_request_query_int(req, resp, "org_id", 1, INT64_MAX / 2, req->user->org_id,
                                   &org_id);
    }
    if (e) {
        return e;
    }
    struct date as_of = date_today();
    const char *as_of_text = http_request_query(req, "as_of");
    if (as_of_text != NULL && date_parse(as_of_text, strlen(as_of_text), &as_of) != ERR_OK) {
        return http_response_fail(resp, ERR_INVALID_DATE, "as_of", "as_of is YYYY-MM-DD");
    }
    if (!content_type_is_csv(http_request_header(req, "Content-Type"))) {
        return http_response_fail(resp, ERR_UNSUPPORTED_MEDIA, NULL,
                                  "send the roster as Content-Type: text/csv");
    }
    if (req->upload_len == 0) {
        return http_response_fail(resp, ERR_INVALID, "body", "the body is empty: send the CSV");
    }
    if (kind == IMPORT_MEMBERS && req->fc == NULL) {
        return http_response_fail(resp, ERR_INTERNAL, NULL, "the server has no field key");
    }
    struct store_conn *c;
    struct org_info org;
    e = http_request_store(req, &c);
    if (e == ERR_OK) {
        e = org_get_scoped(c, req->user, org_id, &org);
    }
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "org_id", "no such organisation in your subtree");
    }
    if (e) {
        return e;
    }
    http_request_store_release(req); /* the job takes its own connection */
    struct import_job_new job = {
        .kind = kind,
        .org_id = org.id,
        .org_code = org.code,
        .org_path = org.path,
        .file_name = "api-upload",
        .data = req->upload,
        .len = req->upload_len,
        .as_of = as_of,
    };
    auth_actor_of(req->user, req->request_id, &job.actor);
    int64_t id;
    e = import_jobs_submit(req->store, req->fc, &job, &id);
    if (e == ERR_RATE_LIMITED) {
        return http_response_fail(resp, e, NULL, "too many imports are waiting; try again later");
    }
    if (e) {
        return e;
    }
    char *location = arena_printf(req->arena, "/api/v1/imports/%lld", (long long)id);
    if (location == NULL || http_response_header(resp, "Location", location) != ERR_OK) {
        return ERR_NOMEM;
    }
    return http_reply_json(resp, 202,
                     json_pack("{s:I,s:s,s:s,s:s}", "job_id", (json_int_t)id, "kind",
                               import_kind_name(kind), "status", "queued", "status_url",
                               location));
}

enum err route_imports_members(struct http_request *req, struct http_response *resp)
{
    return import_submit(req, resp, IMPORT_MEMBERS);
}

enum err route_imports_employers(struct http_request *req, struct http_response *resp)
{
    return import_submit(req, resp, IMPORT_EMPLOYERS);
}

/* The job of path parameter job_id, when in the caller's subtree. */
static enum err job_scoped(struct http_request *req, struct import_job_view *out)
{
    int64_t id;
    enum err e = http_request_param_id(req, "job_id", &id);
    if (e == ERR_OK) {
        e = import_jobs_get(id, out);
    }
    if (e == ERR_OK) {
        e = http_require_org_scope(req, out->org_path);
    }
    return e;
}

enum err route_imports_get(struct http_request *req, struct http_response *resp)
{
    struct import_job_view j;
    enum err e = job_scoped(req, &j);
    if (e) {
        return e;
    }
    json_t *summary = json_null(), *error = json_null(), *report = json_null();
    if (j.status == IMPORT_DONE) {
        summary = json_pack("{s:I,s:I,s:I,s:I,s:I}", "rows", (json_int_t)j.summary.rows,
                            "inserted", (json_int_t)j.summary.inserted, "updated",
                            (json_int_t)j.summary.updated, "unchanged",
                            (json_int_t)j.summary.unchanged, "rejected",
                            (json_int_t)j.summary.rejected);
    }
    if (j.status == IMPORT_FAILED) {
        error = json_pack("{s:s,s:o}", "code", err_str(j.error), "column",
                          j.error_column[0] != '\0' ? json_string(j.error_column) : json_null());
    }
    if (j.has_report) {
        report = json_string(
            arena_printf(req->arena, "/api/v1/imports/%lld/report.csv", (long long)j.id));
    }
    return http_reply_json(
        resp, 200,
        json_pack("{s:I,s:s,s:s,s:{s:I,s:s},s:s,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "job_id",
                  (json_int_t)j.id, "kind", import_kind_name(j.kind), "status",
                  import_status_name(j.status), "org", "id", (json_int_t)j.org_id, "code",
                  j.org_code, "created_at", j.created_at, "finished_at",
                  j.finished_at[0] != '\0' ? json_string(j.finished_at) : json_null(),
                  "bytes_total", (json_int_t)j.bytes_total, "bytes_read",
                  (json_int_t)j.bytes_read, "rows", (json_int_t)j.rows, "summary", summary,
                  "error", error, "report_url", report));
}

enum err route_imports_report(struct http_request *req, struct http_response *resp)
{
    struct import_job_view j;
    enum err e = job_scoped(req, &j);
    if (e) {
        return e;
    }
    int fd;
    uint64_t bytes;
    e = import_jobs_report_fd(j.id, &fd, &bytes);
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, NULL,
                                  j.status == IMPORT_FAILED
                                      ? "the import failed as a whole: it has no row report"
                                      : "the import has not finished yet");
    }
    if (e) {
        return e;
    }
    char *disposition = arena_printf(req->arena, "attachment; filename=\"import-%lld-report.csv\"",
                                     (long long)j.id);
    if (disposition == NULL ||
        http_response_header(resp, "Content-Disposition", disposition) != ERR_OK ||
        http_response_header(resp, "Cache-Control", "no-store") != ERR_OK ||
        http_response_header(resp, "X-Content-Type-Options", "nosniff") != ERR_OK) {
        close(fd);
        return ERR_NOMEM;
    }
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    resp->fd = fd; /* the server sends it and closes it */
    resp->fd_bytes = bytes;
    return ERR_OK;
}
