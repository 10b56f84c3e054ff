/*
 * route_claims: claims (理赔) over HTTP: intake online and offline, the
 * claims workbench, assessment, decisions within authority limits, appeal,
 * documents, the no-application settlement feed (免申即享) and the
 * hardship-assistance referral list (帮扶衔接).
 *
 *   POST /api/v1/claims                      member (own, channel online); unit staff,
 *                                            officers, approvers, admin for a member of
 *                                            their subtree (channel offline) -> 201 claim
 *   GET  /api/v1/claims                      staff: the workbench queue of the subtree;
 *                                            status, flag (a risk flag or "any"), channel,
 *                                            member_id, plan, after (keyset), limit
 *   GET  /api/v1/claims/:id                  the claim with each plan's calculation step by
 *                                            step and the authority it needs
 *   POST /api/v1/claims/:id/submit|assess|approve|close, /reject {reason_code,
 *        reason_text}, /appeal {reason}      one transition each -> the claim
 *   POST /api/v1/claims/:id/documents?kind=K[&file_name=N]   the raw file as the body
 *   GET  /api/v1/claims/:id/documents        documents, waivers, required, missing
 *   GET  /api/v1/claims/:id/documents/:doc_id   the file, as a download
 *   POST /api/v1/claims/:id/documents/waive  {kind, reason}
 *   GET  /api/v1/me/claims                   member: own claims with explanations
 *   POST /api/v1/claims/feed                 the settlement feed, CSV as the body
 *   GET  /api/v1/assistance/referrals        the referral list with its figures
 *
 * Every rule lives in domain/claims.h and domain/documents.h: handlers
 * decode, call one domain function and render. A claim outside the
 * caller's subtree (or another member's) is 404, never 403. Settlement and
 * event errors (amounts not adding up, negative amounts, discharge before
 * admission, dates in the future) are input errors the issue wants as 422
 * with the field, whatever their code's usual status. Document types are
 * decided by content (domain/documents.h), never by a name or the request's
 * Content-Type; downloads go out as attachments with the sniffed type and
 * nosniff, under a name the server makes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/json_util.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/utf8.h"
#include "domain/assistance.h"
#include "domain/claim_feed.h"
#include "domain/claims.h"
#include "domain/documents.h"
#include "domain/risk.h"
#include "http/errors.h"
#include "http/routes.h"
#include "store/store_claims.h"

#define ME_CLAIMS_PAGE_DEFAULT 20 /* a member's own claims, each rendered in full */
#define ME_CLAIMS_PAGE_MAX 50
#define FEED_REJECTED_ROWS_MAX LIMIT_BATCH_ROWS /* refused rows listed in a feed answer */

/* ------------------------------------------------------------- helpers */

struct claims_env {
    struct claims_config cfg;
    struct claims_ctx ctx;
    struct store_conn *c;
};

/* The claims context of this request and its database connection. The
 * server must have the field-encryption key (diagnoses are sealed). */
static enum err env_open(struct http_request *req, struct claims_env *env)
{
    if (req->fc == NULL) {
        log_error("claims: the server runs without a field-encryption key");
        return ERR_INTERNAL;
    }
    http_request_claims_config(req, &env->cfg);
    env->ctx.fc = req->fc;
    env->ctx.cfg = &env->cfg;
    env->ctx.now_ms = auth_now_ms();
    env->ctx.today = date_today();
    env->ctx.request_id = req->request_id;
    return http_request_store(req, &env->c);
}

/* A claim the caller may not see is a claim that does not exist. */
static enum err claim_fail(struct http_response *resp, enum err e)
{
    if (e == ERR_NOT_FOUND || e == ERR_OUT_OF_SCOPE) {
        return http_response_fail(resp, ERR_NOT_FOUND, "id", "no such claim");
    }
    return e;
}

/* An input error answered 422 with its field, whatever the code's usual
 * status (see the file comment). The body is the house error shape. */
static enum err fail_422(struct http_response *resp, enum err e, const char *field,
                         const char *message)
{
    enum err r = http_response_fail(resp, e, field, message);
    http_response_error(resp, r);
    resp->status = 422;
    return ERR_OK;
}

static json_t *flags_json(int64_t flags)
{
    json_t *arr = json_array();
    for (unsigned b = 0; arr != NULL && b < RISK_FLAGS_COUNT; b++) {
        if ((flags & (1 << b)) != 0) {
            json_array_append_new(arr, json_string(risk_flag_str(1u << b)));
        }
    }
    return arr;
}

/* What approving needs, for the UI: the officer's limit and whether a
 * claims approver (not the assessor) must decide, with the reasons. */
static json_t *authority_json(const struct claims_config *cfg, const json_t *claim)
{
    json_int_t payout = json_integer_value(json_object_get(claim, "payout_fen"));
    bool appealed = json_is_true(json_object_get(claim, "appealed"));
    const json_t *flags = json_object_get(claim, "risk_flags");
    json_t *why = json_array();
    if (why == NULL) {
        return NULL;
    }
    if (payout > cfg->officer_limit_fen) {
        json_array_append_new(why, json_string("above_officer_limit"));
    }
    if (json_array_size(flags) > 0) {
        json_array_append_new(why, json_string("risk_flags"));
    }
    if (appealed) {
        json_array_append_new(why, json_string("appeal"));
    }
    bool needs = json_array_size(why) > 0;
    return json_pack("{s:I, s:b, s:s, s:o}", "officer_limit_fen",
                     (json_int_t)cfg->officer_limit_fen, "needs_approver", needs, "decided_by",
                     needs ? "claims_approver" : "claims_officer", "reasons", why);
}

/* The claim as JSON with its authority, answered with status. */
static enum err send_claim(struct claims_env *env, const struct http_request *req,
                           struct http_response *resp, int64_t id, unsigned status)
{
    json_t *doc = NULL;
    enum err e = claim_to_json(env->c, &env->ctx, req->user, id, &doc);
    if (e) {
        return claim_fail(resp, e);
    }
    json_t *auth = authority_json(&env->cfg, doc);
    if (auth == NULL || json_object_set_new(doc, "authority", auth) != 0) {
        json_decref(doc);
        return ERR_NOMEM;
    }
    return http_reply_json(resp, status, doc);
}

/* Copies a JSON string of 1..cap-1 bytes into out. */
static bool copy_text(const json_t *v, char *out, size_t cap)
{
    if (!json_is_string(v)) {
        return false;
    }
    size_t len = json_string_length(v);
    if (len == 0 || len >= cap) {
        return false;
    }
    memcpy(out, json_string_value(v), len);
    out[len] = '\0';
    return true;
}

/* Decodes obj against fields; a failure names prefix + the field. */
static enum err decode(const json_t *obj, const struct json_field *fields, size_t n,
                       struct json_value *v, const char *prefix, struct http_response *resp)
{
    struct json_util_error jerr;
    enum err e = json_util_decode(obj, fields, n, v, &jerr);
    if (e) {
        char field[CLAIM_FIELD_MAX + JSON_UTIL_FIELD_MAX];
        snprintf(field, sizeof(field), "%s%s", jerr.field[0] != '\0' ? prefix : "", jerr.field);
        return http_response_fail(resp, e, field[0] != '\0' ? field : prefix, jerr.message);
    }
    return ERR_OK;
}

/* ------------------------------------------------------------- intake */

enum { S_TOTAL, S_FUND, S_SERIOUS, S_ASSIST, S_OTHER, S_IN_SCOPE, S_OUT_SCOPE, S__COUNT };
static const struct json_field settlement_fields[S__COUNT] = {
    /* no range here: a negative amount is the domain's INVALID_MONEY, a 422 */
    [S_TOTAL] = {.name = "total_fen", .kind = JSON_KIND_MONEY_FEN, .required = true},
    [S_FUND] = {.name = "fund_paid_fen", .kind = JSON_KIND_MONEY_FEN, .required = true},
    [S_SERIOUS] = {.name = "serious_illness_paid_fen", .kind = JSON_KIND_MONEY_FEN,
                   .required = true},
    [S_ASSIST] = {.name = "assistance_paid_fen", .kind = JSON_KIND_MONEY_FEN, .required = true},
    [S_OTHER] = {.name = "other_paid_fen", .kind = JSON_KIND_MONEY_FEN, .required = true},
    [S_IN_SCOPE] = {.name = "self_pay_in_scope_fen", .kind = JSON_KIND_MONEY_FEN,
                    .required = true},
    [S_OUT_SCOPE] = {.name = "self_pay_out_scope_fen", .kind = JSON_KIND_MONEY_FEN,
                     .required = true},
};

enum {
    E_CAUSE,
    E_ADMISSION,
    E_DISCHARGE,
    E_DIAGNOSIS,
    E_DISEASE,
    E_ACCIDENT_DATE,
    E_ACCIDENT_ID,
    E_OUTCOME,
    E_GRADE,
    E_SETTLEMENT,
    E__COUNT
};
static const struct json_field event_fields[E__COUNT] = {
    [E_CAUSE] = {.name = "cause", .kind = JSON_KIND_STRING, .min = 1, .max = 16},
    [E_ADMISSION] = {.name = "admission_date", .kind = JSON_KIND_DATE},
    [E_DISCHARGE] = {.name = "discharge_date", .kind = JSON_KIND_DATE},
    [E_DIAGNOSIS] = {.name = "diagnosis_date", .kind = JSON_KIND_DATE},
    [E_DISEASE] = {.name = "disease_code", .kind = JSON_KIND_STRING, .min = 1,
                   .max = PLAN_DISEASE_CODE_MAX - 1},
    [E_ACCIDENT_DATE] = {.name = "accident_date", .kind = JSON_KIND_DATE},
    [E_ACCIDENT_ID] = {.name = "accident_id", .kind = JSON_KIND_STRING, .min = 1,
                       .max = ADJ_ACCIDENT_ID_MAX - 1},
    [E_OUTCOME] = {.name = "outcome", .kind = JSON_KIND_STRING, .min = 1, .max = 16},
    [E_GRADE] = {.name = "grade", .kind = JSON_KIND_INT64},
    [E_SETTLEMENT] = {.name = "settlement", .kind = JSON_KIND_OBJECT},
};

enum { C_MEMBER, C_PLANS, C_EVENT, C_HOSPITAL, C_INVOICES, C_DIAGNOSIS, C__COUNT };
static const struct json_field create_fields[C__COUNT] = {
    [C_MEMBER] = {.name = "member_id", .kind = JSON_KIND_INT64, .min_value = 1,
                  .max_value = INT64_MAX},
    [C_PLANS] = {.name = "plans", .kind = JSON_KIND_ARRAY, .required = true, .min = 1,
                 .max = ADJ_CLAIM_PLANS_MAX},
    [C_EVENT] = {.name = "event", .kind = JSON_KIND_OBJECT, .required = true},
    [C_HOSPITAL] = {.name = "hospital", .kind = JSON_KIND_STRING, .max = 50},
    [C_INVOICES] = {.name = "invoices", .kind = JSON_KIND_ARRAY, .max = ADJ_CLAIM_INVOICES_MAX},
    [C_DIAGNOSIS] = {.name = "diagnosis", .kind = JSON_KIND_STRING, .max = CLAIM_DIAGNOSIS_MAX},
};

static enum err decode_settlement(const json_t *obj, struct adj_event *ev,
                                  struct http_response *resp)
{
    struct json_value v[S__COUNT];
    enum err e = decode(obj, settlement_fields, S__COUNT, v, "event.settlement.", resp);
    if (e) {
        return e;
    }
    struct adj_settlement *s = &ev->settlement;
    s->total_fen = v[S_TOTAL].int64;
    s->fund_paid_fen = v[S_FUND].int64;
    s->serious_illness_paid_fen = v[S_SERIOUS].int64;
    s->assistance_paid_fen = v[S_ASSIST].int64;
    s->other_paid_fen = v[S_OTHER].int64;
    s->self_pay_in_scope_fen = v[S_IN_SCOPE].int64;
    s->self_pay_out_scope_fen = v[S_OUT_SCOPE].int64;
    ev->present |= ADJ_HAS_SETTLEMENT;
    return ERR_OK;
}

static enum err decode_event(const json_t *obj, struct adj_event *ev, struct http_response *resp)
{
    struct json_value v[E__COUNT];
    enum err e = decode(obj, event_fields, E__COUNT, v, "event.", resp);
    if (e) {
        return e;
    }
    if (v[E_CAUSE].present) {
        if (strcmp(v[E_CAUSE].text, "illness") == 0) {
            ev->cause = ADJ_CAUSE_ILLNESS;
        } else if (strcmp(v[E_CAUSE].text, "accident") == 0) {
            ev->cause = ADJ_CAUSE_ACCIDENT;
        } else {
            return http_response_fail(resp, ERR_INVALID, "event.cause",
                                      "must be illness or accident");
        }
        ev->present |= ADJ_HAS_CAUSE;
    }
    const struct {
        int idx;
        unsigned bit;
        struct date *d;
    } dates[] = {
        {E_ADMISSION, ADJ_HAS_ADMISSION, &ev->admission_date},
        {E_DISCHARGE, ADJ_HAS_DISCHARGE, &ev->discharge_date},
        {E_DIAGNOSIS, ADJ_HAS_DIAGNOSIS, &ev->diagnosis_date},
        {E_ACCIDENT_DATE, ADJ_HAS_ACCIDENT_DATE, &ev->accident_date},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        if (v[dates[i].idx].present) {
            *dates[i].d = v[dates[i].idx].date;
            ev->present |= dates[i].bit;
        }
    }
    if (v[E_DISEASE].present) {
        memcpy(ev->disease_code, v[E_DISEASE].text, v[E_DISEASE].len); /* NUL-padded */
        ev->present |= ADJ_HAS_DISEASE;
    }
    if (v[E_ACCIDENT_ID].present) {
        memcpy(ev->accident_id, v[E_ACCIDENT_ID].text, v[E_ACCIDENT_ID].len);
        ev->present |= ADJ_HAS_ACCIDENT_ID;
    }
    if (v[E_OUTCOME].present) {
        const char *o = v[E_OUTCOME].text;
        ev->outcome = strcmp(o, "death") == 0        ? ADJ_OUTCOME_DEATH
                      : strcmp(o, "disability") == 0 ? ADJ_OUTCOME_DISABILITY
                      : strcmp(o, "medical") == 0    ? ADJ_OUTCOME_MEDICAL
                                                     : ADJ_OUTCOME_NONE;
        if (ev->outcome == ADJ_OUTCOME_NONE) {
            return http_response_fail(resp, ERR_INVALID, "event.outcome",
                                      "must be death, disability or medical");
        }
        ev->present |= ADJ_HAS_OUTCOME;
    }
    if (v[E_GRADE].present) {
        int64_t g = v[E_GRADE].int64;
        ev->grade = g >= INT32_MIN && g <= INT32_MAX ? (int32_t)g : 0; /* 0: out of range */
        ev->present |= ADJ_HAS_GRADE;
    }
    if (v[E_SETTLEMENT].present) {
        return decode_settlement(v[E_SETTLEMENT].node, ev, resp);
    }
    return ERR_OK;
}

/* The JSON body of POST /claims into in (zeroed by the caller). */
static enum err decode_claim(const json_t *body, const struct auth_user *user,
                             struct claim_input *in, struct http_response *resp)
{
    struct json_value v[C__COUNT];
    enum err e = decode(body, create_fields, C__COUNT, v, "", resp);
    if (e) {
        return e;
    }
    if (v[C_MEMBER].present) {
        in->member_id = v[C_MEMBER].int64;
    } else if (user->role == AUTH_ROLE_MEMBER) {
        in->member_id = user->member_id; /* a worker claims for themself */
    } else {
        return http_response_fail(resp, ERR_MISSING_FIELD, "member_id",
                                  "name the member the claim is for");
    }
    in->nplans = json_array_size(v[C_PLANS].node);
    for (size_t i = 0; i < in->nplans; i++) {
        if (!copy_text(json_array_get(v[C_PLANS].node, i), in->plan_codes[i], PLAN_CODE_MAX)) {
            char field[32];
            snprintf(field, sizeof(field), "plans[%zu]", i);
            return http_response_fail(resp, ERR_INVALID, field, "must be a plan code");
        }
    }
    if (v[C_INVOICES].present) {
        in->ninvoices = json_array_size(v[C_INVOICES].node);
        for (size_t i = 0; i < in->ninvoices; i++) {
            if (!copy_text(json_array_get(v[C_INVOICES].node, i), in->invoices[i],
                           ADJ_INVOICE_MAX)) {
                char field[32];
                snprintf(field, sizeof(field), "invoices[%zu]", i);
                return http_response_fail(resp, ERR_INVALID, field,
                                          "must be an invoice number of 1 to 63 characters");
            }
        }
    }
    if (v[C_HOSPITAL].present) {
        memcpy(in->hospital, v[C_HOSPITAL].text, v[C_HOSPITAL].len); /* <= 50 chars: fits */
    }
    if (v[C_DIAGNOSIS].present && v[C_DIAGNOSIS].len > 0) {
        in->diagnosis = v[C_DIAGNOSIS].text;
        in->diagnosis_len = v[C_DIAGNOSIS].len;
    }
    return decode_event(v[C_EVENT].node, &in->event, resp);
}

/* A domain field path as the API names it ("plan_codes[1]" -> "plans[1]"). */
static void api_field(const char *domain_field, char *out, size_t cap)
{
    static const char prefix[] = "plan_codes";
    if (strncmp(domain_field, prefix, sizeof(prefix) - 1) == 0) {
        snprintf(out, cap, "plans%s", domain_field + sizeof(prefix) - 1);
    } else {
        snprintf(out, cap, "%s", domain_field);
    }
}

static enum err create_fail(struct http_response *resp, enum err e, const char *domain_field)
{
    char field[CLAIM_FIELD_MAX];
    api_field(domain_field, field, sizeof(field));
    switch (e) {
    case ERR_UNKNOWN_MEMBER:
    case ERR_OUT_OF_SCOPE:
    case ERR_NOT_FOUND:
        return http_response_fail(resp, ERR_UNKNOWN_MEMBER, "member_id", "no such member");
    case ERR_SETTLEMENT_MISMATCH:
        return fail_422(resp, e, field, "the settlement's parts do not add up to total_fen");
    case ERR_INVALID_MONEY:
        return fail_422(resp, e, field, "an amount is negative or too large");
    case ERR_INVALID_DATE:
        return fail_422(resp, e, field,
                        "the date is in the future, or discharge is before admission");
    case ERR_INVALID_PLAN:
        return http_response_fail(resp, e, field, "no published plan has this code");
    case ERR_RANGE:
    case ERR_INVALID:
    case ERR_TOO_LARGE:
        if (strncmp(field, "event.", 6) == 0) {
            return fail_422(resp, e, field, "this event field is out of range");
        }
        return http_response_fail(resp, e, field[0] != '\0' ? field : NULL,
                                  "this field is invalid");
    default:
        return e;
    }
}

enum err route_claims_create(struct http_request *req, struct http_response *resp)
{
    struct claim_input *in = calloc(1, sizeof(*in));
    if (in == NULL) {
        return ERR_NOMEM;
    }
    struct claims_env env;
    enum err e = decode_claim(req->body, req->user, in, resp);
    if (!e) {
        e = env_open(req, &env);
    }
    int64_t id = 0;
    char field[CLAIM_FIELD_MAX] = "";
    if (!e) {
        e = claim_create(env.c, &env.ctx, req->user, in, &id, field, sizeof(field));
        if (e) {
            e = create_fail(resp, e, field);
        }
    }
    free(in);
    if (e || resp->status == 422) {
        return e;
    }
    char *location = arena_printf(req->arena, "/api/v1/claims/%" PRId64, id);
    if (location == NULL || http_response_header(resp, "Location", location) != ERR_OK) {
        return ERR_NOMEM;
    }
    return send_claim(&env, req, resp, id, 201);
}

/* ---------------------------------------------------------- the workbench */

/* flag=NAME (a risk flag) or flag=any into RISK_* bits. */
static bool flag_parse(const char *text, unsigned *out)
{
    if (strcmp(text, "any") == 0) {
        *out = (1u << RISK_FLAGS_COUNT) - 1;
        return true;
    }
    for (unsigned b = 0; b < RISK_FLAGS_COUNT; b++) {
        if (strcmp(text, risk_flag_str(1u << b)) == 0) {
            *out = 1u << b;
            return true;
        }
    }
    return false;
}

struct list_ctx {
    json_t *list;
    int64_t last_id;
    size_t n;
};

static enum err brief_fn(void *p, const struct store_claim_brief *b)
{
    struct list_ctx *x = p;
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:o, s:I}", "id", (json_int_t)b->id,
                          "member_id", (json_int_t)b->member_id, "channel", b->channel, "status",
                          b->status, "plans", b->plan_codes, "payout_fen",
                          (json_int_t)b->payout_fen, "risk_flags", flags_json(b->risk_flags),
                          "created_ms", (json_int_t)b->created_ms);
    if (o == NULL || json_array_append_new(x->list, o) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = b->id;
    x->n++;
    return ERR_OK;
}

/* The filters of GET /claims (and status, after, limit of /me/claims). */
static enum err list_filter(struct http_request *req, struct http_response *resp,
                            struct claims_filter *f, int64_t limit_default, int64_t limit_max)
{
    memset(f, 0, sizeof(*f));
    int64_t member = 0, after = 0, limit = 0;
    enum err e = http_request_query_int(req, resp, "member_id", 1, INT64_MAX / 2, 0, &member);
    if (!e) {
        e = http_request_query_int(req, resp, "after", 1, INT64_MAX / 2, 0, &after);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, limit_max, limit_default, &limit);
    }
    if (e) {
        return e;
    }
    f->status = http_request_query(req, "status");
    f->channel = http_request_query(req, "channel");
    f->plan_code = http_request_query(req, "plan");
    const char *flag = http_request_query(req, "flag");
    if (flag != NULL && !flag_parse(flag, &f->flags_any)) {
        return http_response_fail(resp, ERR_INVALID, "flag",
                                  "must be waiting_edge, frequent, outlier, same_stay, sample "
                                  "or any");
    }
    f->member_id = member;
    f->before_id = after;
    f->limit = (size_t)limit;
    return ERR_OK;
}

static enum err list_fail(struct http_response *resp, enum err e, const char *field)
{
    if (e == ERR_INVALID) {
        return http_response_fail(resp, e, field, "not a known value");
    }
    return e;
}

enum err route_claims_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"status", "flag",  "channel", "member_id",
                                       "plan",   "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    struct claims_filter f;
    if (!e) {
        e = list_filter(req, resp, &f, LIMIT_PAGE_DEFAULT, LIMIT_PAGE_MAX);
    }
    struct claims_env env;
    if (!e) {
        e = env_open(req, &env);
    }
    if (e) {
        return e;
    }
    struct list_ctx x = {json_array(), 0, 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    char field[CLAIM_FIELD_MAX];
    e = claims_list(env.c, req->user, &f, brief_fn, &x, field, sizeof(field));
    if (e) {
        json_decref(x.list);
        return list_fail(resp, e, field);
    }
    json_t *next = x.n == f.limit ? json_integer((json_int_t)x.last_id) : json_null();
    return http_reply_json(resp, 200,
                     json_pack("{s:o, s:o, s:I}", "claims", x.list, "next_after", next,
                               "officer_limit_fen", (json_int_t)env.cfg.officer_limit_fen));
}

/* ------------------------------------------------------------ one claim */

/* The :id of the path and the request's claims environment. */
static enum err claim_begin(struct http_request *req, struct http_response *resp,
                            struct claims_env *env, int64_t *id)
{
    enum err e = http_request_param_id(req, "id", id);
    if (e) {
        return claim_fail(resp, e);
    }
    return env_open(req, env);
}

enum err route_claims_get(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    struct claims_env env;
    int64_t id;
    enum err e = http_request_query_only(req, resp, none, 0);
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    if (e) {
        return e;
    }
    return send_claim(&env, req, resp, id, 200);
}

enum op_kind { OP_SUBMIT, OP_ASSESS, OP_APPROVE, OP_CLOSE };

static enum err transition(struct http_request *req, struct http_response *resp,
                           enum op_kind op)
{
    struct claims_env env;
    int64_t id;
    enum err e = claim_begin(req, resp, &env, &id);
    if (e) {
        return e;
    }
    struct claim_assessment a;
    memset(&a, 0, sizeof(a));
    switch (op) {
    case OP_SUBMIT:
        e = claim_submit(env.c, &env.ctx, req->user, id);
        break;
    case OP_ASSESS:
        e = claim_assess(env.c, &env.ctx, req->user, id, &a);
        break;
    case OP_APPROVE:
        e = claim_approve(env.c, &env.ctx, req->user, id, &a);
        break;
    case OP_CLOSE:
        e = claim_close(env.c, &env.ctx, req->user, id);
        break;
    }
    switch (e) {
    case ERR_OK:
        return send_claim(&env, req, resp, id, 200);
    case ERR_CLAIM_STATE:
        return http_response_fail(resp, e, "status", "not allowed from the claim's status");
    case ERR_DOCUMENTS_MISSING:
        return http_response_fail(resp, e, "documents",
                                  "a required document is neither attached nor waived");
    case ERR_AUTHORITY_LIMIT:
        return http_response_fail(resp, e, NULL,
                                  "above a claims officer's authority: a claims approver "
                                  "must decide");
    case ERR_SAME_USER:
        return http_response_fail(resp, e, NULL,
                                  "the one who assessed (or rejected) the claim may not also "
                                  "approve it");
    case ERR_CLAIM_REASSESSED:
        return http_response_fail(resp, e, "payout_fen",
                                  "the payout changed since assessment; review it and approve "
                                  "again");
    case ERR_CONFLICT:
        return http_response_fail(resp, e, NULL,
                                  op == OP_APPROVE ? "every plan refused the claim: reject it"
                                                   : "the claim changed meanwhile; reload it");
    default:
        return claim_fail(resp, e);
    }
}

enum err route_claims_submit(struct http_request *req, struct http_response *resp)
{
    return transition(req, resp, OP_SUBMIT);
}

enum err route_claims_assess(struct http_request *req, struct http_response *resp)
{
    return transition(req, resp, OP_ASSESS);
}

enum err route_claims_approve(struct http_request *req, struct http_response *resp)
{
    return transition(req, resp, OP_APPROVE);
}

enum err route_claims_close(struct http_request *req, struct http_response *resp)
{
    return transition(req, resp, OP_CLOSE);
}

enum err route_claims_reject(struct http_request *req, struct http_response *resp)
{
    enum { R_CODE, R_TEXT, R__COUNT };
    static const struct json_field fields[R__COUNT] = {
        [R_CODE] = {.name = "reason_code", .kind = JSON_KIND_STRING, .required = true, .min = 2,
                    .max = CLAIM_REASON_CODE_MAX},
        [R_TEXT] = {.name = "reason_text", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = CLAIM_TEXT_MAX},
    };
    struct json_value v[R__COUNT];
    enum err e = decode(req->body, fields, R__COUNT, v, "", resp);
    struct claims_env env;
    int64_t id;
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    if (e) {
        return e;
    }
    char field[CLAIM_FIELD_MAX] = "";
    e = claim_reject(env.c, &env.ctx, req->user, id, v[R_CODE].text, v[R_TEXT].text, field,
                     sizeof(field));
    switch (e) {
    case ERR_OK:
        return send_claim(&env, req, resp, id, 200);
    case ERR_INVALID:
        return http_response_fail(resp, e, field,
                                  strcmp(field, "reason_code") == 0
                                      ? "2 to 32 of A-Z and _, such as DOCUMENTS_INSUFFICIENT"
                                      : "1 to 500 bytes of text");
    case ERR_CLAIM_STATE:
        return http_response_fail(resp, e, "status", "not allowed from the claim's status");
    case ERR_AUTHORITY_LIMIT:
        return http_response_fail(resp, e, NULL, "an appeal is decided by a claims approver");
    case ERR_SAME_USER:
        return http_response_fail(resp, e, NULL,
                                  "the one who rejected the claim may not decide its appeal");
    default:
        return claim_fail(resp, e);
    }
}

enum err route_claims_appeal(struct http_request *req, struct http_response *resp)
{
    static const struct json_field fields[1] = {
        {.name = "reason", .kind = JSON_KIND_STRING, .required = true, .min = 1,
         .max = CLAIM_TEXT_MAX},
    };
    struct json_value v[1];
    enum err e = decode(req->body, fields, 1, v, "", resp);
    struct claims_env env;
    int64_t id;
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    if (e) {
        return e;
    }
    char field[CLAIM_FIELD_MAX] = "";
    e = claim_appeal(env.c, &env.ctx, req->user, id, v[0].text, field, sizeof(field));
    switch (e) {
    case ERR_OK:
        return send_claim(&env, req, resp, id, 200);
    case ERR_INVALID:
        return http_response_fail(resp, e, "reason", "1 to 500 bytes of text");
    case ERR_ALREADY_APPEALED:
        return http_response_fail(resp, e, NULL, "a claim may be appealed once");
    case ERR_CLAIM_STATE:
        return http_response_fail(resp, e, "status", "only a rejected claim may be appealed");
    default:
        return claim_fail(resp, e);
    }
}

/* ------------------------------------------------------------ documents */

/* kind=... as documents.h names it, or as the claim forms say it
 * ("settlement" for the settlement statement, "diagnosis" for the report). */
static bool kind_parse(const char *text, enum doc_kind *out)
{
    if (strcmp(text, "settlement") == 0) {
        *out = DOC_SETTLEMENT_STATEMENT;
        return true;
    }
    if (strcmp(text, "diagnosis") == 0) {
        *out = DOC_DIAGNOSIS_REPORT;
        return true;
    }
    return doc_kind_parse(text, out);
}

enum err route_claims_documents_add(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"kind", "file_name"};
    enum err e = http_request_query_only(req, resp, args, 2);
    if (e) {
        return e;
    }
    const char *kind_text = http_request_query(req, "kind");
    enum doc_kind kind;
    if (kind_text == NULL) {
        return http_response_fail(resp, ERR_MISSING_FIELD, "kind", "say which document this is");
    }
    if (!kind_parse(kind_text, &kind)) {
        return http_response_fail(resp, ERR_INVALID, "kind", "not a known document kind");
    }
    /* The type comes from the bytes alone: the request's Content-Type and
     * file name are never consulted. */
    const char *type = NULL;
    e = doc_sniff(req->upload, req->upload_len, &type);
    if (e == ERR_INVALID) {
        return http_response_fail(resp, e, "body", "send the file as the request body");
    }
    if (e == ERR_TOO_LARGE) {
        return http_response_fail(resp, e, "body", "a document may be at most 10 MB");
    }
    if (e == ERR_UNSUPPORTED_MEDIA) {
        return http_response_fail(resp, e, "body",
                                  "only PDF, JPEG or PNG files are accepted (by their content)");
    }
    struct claims_env env;
    int64_t id, doc_id = 0;
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    if (e) {
        return e;
    }
    const char *name = http_request_query(req, "file_name");
    e = claim_document_add(env.c, &env.ctx, req->user, id, kind, req->upload, req->upload_len,
                           name != NULL ? name : "", &doc_id);
    if (e == ERR_CLAIM_STATE) {
        return http_response_fail(resp, e, "status",
                                  "documents are no longer taken in the claim's status");
    }
    if (e == ERR_EXISTS) {
        return http_response_fail(resp, e, "body", "this file is attached under this kind");
    }
    if (e) {
        return claim_fail(resp, e);
    }
    char sha[65];
    doc_sha256_hex(req->upload, req->upload_len, sha);
    return http_reply_json(resp, 201,
                     json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)doc_id,
                               "claim_id", (json_int_t)id, "kind", doc_kind_str(kind),
                               "content_type", type, "sha256", sha, "size_bytes",
                               (json_int_t)req->upload_len));
}

enum err route_claims_documents_list(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    struct claims_env env;
    int64_t id;
    enum err e = http_request_query_only(req, resp, none, 0);
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    json_t *doc = NULL;
    if (!e) {
        e = claim_documents_json(env.c, req->user, id, &doc);
    }
    if (e) {
        return claim_fail(resp, e);
    }
    return http_reply_json(resp, 200, doc);
}

static const char *extension_of(const char *type)
{
    return strcmp(type, "application/pdf") == 0 ? "pdf"
           : strcmp(type, "image/png") == 0     ? "png"
                                                : "jpg";
}

/* The bytes as the response body: a memory file (a document can be
 * larger than the request arena), which the server sends and closes. */
static enum err body_from_bytes(struct http_response *resp, const void *data, size_t len)
{
    int fd = memfd_create("huzhu-document", MFD_CLOEXEC);
    if (fd < 0) {
        return ERR_IO;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0) {
            close(fd);
            return ERR_IO;
        }
        p += n;
        left -= (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return ERR_IO;
    }
    resp->fd = fd;
    resp->fd_bytes = len;
    return ERR_OK;
}

enum err route_claims_documents_get(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    struct claims_env env;
    int64_t id, doc_id;
    enum err e = http_request_query_only(req, resp, none, 0);
    if (!e) {
        e = claim_begin(req, resp, &env, &id);
    }
    if (!e && http_request_param_id(req, "doc_id", &doc_id) != ERR_OK) {
        return http_response_fail(resp, ERR_NOT_FOUND, "doc_id", "no such document");
    }
    char type[24];
    void *data = NULL;
    size_t len = 0;
    if (!e) {
        e = claim_document_fetch(env.c, &env.ctx, req->user, id, doc_id, type, &data, &len);
    }
    if (e) {
        return claim_fail(resp, e);
    }
    e = body_from_bytes(resp, data, len);
    free(data);
    if (e) {
        return e;
    }
    /* A download with a safe type under a name we make: never rendered in
     * the console's origin, never sniffed, never cached. The server adds
     * no API headers to file bodies, so they are set here. */
    static const char *const types[] = {"application/pdf", "image/png", "image/jpeg"};
    resp->content_type = types[2];
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(type, types[i]) == 0) {
            resp->content_type = types[i];
        }
    }
    const char *disposition = arena_printf(
        req->arena, "attachment; filename=\"claim-%" PRId64 "-document-%" PRId64 ".%s\"", id,
        doc_id, extension_of(resp->content_type));
    if (disposition == NULL) {
        return ERR_NOMEM;
    }
    resp->status = 200;
    if (http_response_header(resp, "Content-Disposition", disposition) != ERR_OK ||
        http_response_header(resp, "X-Content-Type-Options", "nosniff") != ERR_OK ||
        http_response_header(resp, "Cache-Control", "no-store") != ERR_OK ||
        http_response_header(resp, "Referrer-Policy", "no-referrer") != ERR_OK ||
        http_response_header(resp, "Content-Security-Policy",
                             "default-src 'none'; frame-ancestors 'none'; sandbox") != ERR_OK) {
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

enum err route_claims_documents_waive(struct http_request *req, struct http_response *resp)
{
    enum { W_KIND, W_REASON, W__COUNT };
    static const struct json_field fields[W__COUNT] = {
        [W_KIND] = {.name = "kind", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = 32},
        [W_REASON] = {.name = "reason", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                      .max = CLAIM_TEXT_MAX},
    };
    struct json_value v[W__COUNT];
    enum err e = decode(req->body, fields, W__COUNT, v, "", resp);
    if (e) {
        return e;
    }
    enum doc_kind kind;
    if (!kind_parse(v[W_KIND].text, &kind)) {
        return http_response_fail(resp, ERR_INVALID, "kind", "not a known document kind");
    }
    if (v[W_REASON].len > CLAIM_TEXT_MAX) {
        return http_response_fail(resp, ERR_INVALID, "reason", "at most 500 bytes");
    }
    struct claims_env env;
    int64_t id;
    e = claim_begin(req, resp, &env, &id);
    if (e) {
        return e;
    }
    e = claim_document_waive(env.c, &env.ctx, req->user, id, kind, v[W_REASON].text);
    switch (e) {
    case ERR_OK:
        break;
    case ERR_INVALID:
        return http_response_fail(resp, e, "kind", "the claim does not require this document");
    case ERR_EXISTS:
        return http_response_fail(resp, e, "kind", "this document is waived already");
    case ERR_CLAIM_STATE:
        return http_response_fail(resp, e, "status", "not allowed from the claim's status");
    default:
        return claim_fail(resp, e);
    }
    json_t *doc = NULL;
    e = claim_documents_json(env.c, req->user, id, &doc);
    if (e) {
        return claim_fail(resp, e);
    }
    return http_reply_json(resp, 200, doc);
}

/* ------------------------------------------------------ the worker's own */

struct me_ctx {
    json_t *list;
    int64_t last_id;
    size_t n;
};

static enum err me_fn(void *p, const struct store_claim_brief *b)
{
    struct me_ctx *x = p;
    x->last_id = b->id;
    x->n++;
    if (json_array_append_new(x->list, json_integer((json_int_t)b->id)) != 0) {
        return ERR_NOMEM;
    }
    return ERR_OK;
}

enum err route_me_claims(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"status", "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, 3);
    struct claims_filter f;
    if (!e) {
        e = list_filter(req, resp, &f, ME_CLAIMS_PAGE_DEFAULT, ME_CLAIMS_PAGE_MAX);
    }
    struct claims_env env;
    if (!e) {
        e = env_open(req, &env);
    }
    if (e) {
        return e;
    }
    /* ids first (the list's statement is done before each claim is read) */
    struct me_ctx x = {json_array(), 0, 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    char field[CLAIM_FIELD_MAX];
    e = claims_list(env.c, req->user, &f, me_fn, &x, field, sizeof(field));
    json_t *claims = json_array();
    for (size_t i = 0; !e && claims != NULL && i < json_array_size(x.list); i++) {
        json_t *one = NULL;
        int64_t id = (int64_t)json_integer_value(json_array_get(x.list, i));
        e = claim_to_json(env.c, &env.ctx, req->user, id, &one);
        if (!e && json_array_append_new(claims, one) != 0) {
            e = ERR_NOMEM;
        }
    }
    json_decref(x.list);
    if (e || claims == NULL) {
        json_decref(claims);
        return e ? list_fail(resp, e, field) : ERR_NOMEM;
    }
    json_t *next = x.n == f.limit ? json_integer((json_int_t)x.last_id) : json_null();
    return http_reply_json(
        resp, 200, json_pack("{s:o, s:o}", "claims", claims, "next_after", next));
}

/* ------------------------------------------------------------ the feed */

/* The feed's report (CSV: row,field,code,message after a header) as
 * JSON rows, at most FEED_REJECTED_ROWS_MAX. */
static enum err report_rows(const char *csv, size_t len, json_t *rows)
{
    struct csv_reader *r = NULL;
    enum err e = csv_open_mem(csv, len, &r);
    if (e) {
        return e;
    }
    struct csv_row row;
    bool header = true;
    while ((e = csv_next(r, &row)) == ERR_OK) {
        if (header) {
            header = false;
            continue;
        }
        if (row.count < 4 || json_array_size(rows) == FEED_REJECTED_ROWS_MAX) {
            continue;
        }
        const struct csv_field *c = row.fields;
        char num[24];
        snprintf(num, sizeof(num), "%.*s", (int)(c[0].len < 20 ? c[0].len : 20), c[0].ptr);
        json_t *o = json_pack("{s:I, s:s%, s:s%, s:s%}", "row", (json_int_t)strtoll(num, NULL, 10),
                              "field", c[1].ptr, c[1].len, "code", c[2].ptr, c[2].len, "message",
                              c[3].ptr, c[3].len);
        if (o == NULL || json_array_append_new(rows, o) != 0) {
            e = ERR_NOMEM;
            break;
        }
    }
    csv_close(r);
    return e == ERR_EOF ? ERR_OK : e;
}

enum err route_claims_feed(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"name"};
    enum err e = http_request_query_only(req, resp, args, 1);
    struct claims_env env;
    if (!e) {
        e = env_open(req, &env);
    }
    if (e) {
        return e;
    }
    const char *name = http_request_query(req, "name");
    if (name == NULL || name[0] == '\0' || strlen(name) > 200) {
        name = "api";
    }
    char sha[65] = "";
    if (req->upload_len > 0) {
        doc_sha256_hex(req->upload, req->upload_len, sha);
    }
    struct csv_reader *r = NULL;
    e = csv_open_mem(req->upload != NULL ? req->upload : "", req->upload_len, &r);
    if (e) {
        return http_response_fail(resp, e, "body", "the body is not a readable CSV file");
    }
    char *report_buf = NULL;
    size_t report_len = 0;
    FILE *report = open_memstream(&report_buf, &report_len);
    if (report == NULL) {
        csv_close(r);
        return ERR_NOMEM;
    }
    struct claim_feed_options opt = {name, sha, report, NULL, NULL};
    struct claim_feed_summary sum;
    const char *bad = NULL;
    e = claim_feed_import(env.c, &env.ctx, req->user, r, &opt, &sum, &bad);
    csv_close(r);
    bool report_ok = fclose(report) == 0;
    json_t *rows = json_array();
    if (!e && rows != NULL && report_ok) {
        e = report_rows(report_buf, report_len, rows);
    }
    free(report_buf);
    if (e == ERR_MISSING_COLUMN || (e == ERR_INVALID && bad != NULL)) {
        json_decref(rows);
        return http_response_fail(resp, e, bad,
                                  e == ERR_MISSING_COLUMN ? "a required column is missing"
                                                          : "two header cells name this column");
    }
    if (e || rows == NULL || !report_ok) {
        json_decref(rows);
        return e ? e : ERR_NOMEM;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "feed_id",
                               (json_int_t)sum.feed_id, "rows", (json_int_t)sum.rows, "created",
                               (json_int_t)sum.created, "duplicates", (json_int_t)sum.duplicates,
                               "not_enrolled", (json_int_t)sum.not_enrolled, "rejected",
                               (json_int_t)sum.rejected, "pairs_approved",
                               (json_int_t)sum.pairs_approved, "flagged", (json_int_t)sum.flagged,
                               "payout_fen", (json_int_t)sum.payout_fen, "rejected_rows", rows));
}

/* ------------------------------------------------------------ referrals */

static enum err referral_fn(void *p, const struct store_assist_row *r)
{
    json_t *list = p;
    json_t *o = json_pack("{s:I, s:i, s:I, s:I, s:I, s:I, s:b, s:s, s:s, s:I}", "member_id",
                          (json_int_t)r->member_id, "year", r->year, "org_id",
                          (json_int_t)r->org_id, "oop_fen", (json_int_t)r->oop_fen,
                          "aid_paid_fen", (json_int_t)r->aid_paid_fen, "remaining_fen",
                          (json_int_t)r->remaining_fen, "hardship", r->hardship, "reason",
                          r->reason, "status", r->status, "updated_ms",
                          (json_int_t)r->updated_ms);
    return o != NULL && json_array_append_new(list, o) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_assistance_referrals(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"year"};
    enum err e = http_request_query_only(req, resp, args, 1);
    int64_t year = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "year", DATE_YEAR_MIN, 9999, 0, &year);
    }
    struct claims_env env;
    if (!e) {
        e = env_open(req, &env);
    }
    if (e) {
        return e;
    }
    json_t *list = json_array();
    if (list == NULL) {
        return ERR_NOMEM;
    }
    e = assistance_list(env.c, req->user, (int)year, referral_fn, list);
    if (e) {
        json_decref(list);
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:o, s:I, s:I}", "referrals", list, "threshold_fen",
                               (json_int_t)env.cfg.referral_threshold_fen, "hardship_fen",
                               (json_int_t)env.cfg.referral_hardship_fen));
}
