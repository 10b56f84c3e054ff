/*
 * route_reports: the supervision reports (domain/reports.h) and the plan
 * what-if (domain/whatif.h). Thin: parse the query, ask the domain on a read
 * connection, render JSON or an attachment.
 *
 *   GET  /api/v1/reports/coverage        supervisor, auditor, admin
 *   GET  /api/v1/reports/contributions   supervisor, auditor, admin, finance
 *   GET  /api/v1/reports/claims          supervisor, auditor, admin
 *   GET  /api/v1/reports/timeliness      supervisor, auditor, admin
 *   GET  /api/v1/reports/fund            supervisor, auditor, admin, finance
 *   GET  /api/v1/reports/referrals       supervisor, auditor, admin
 *   GET  /api/v1/reports/outreach        supervisor, auditor, admin
 *   POST /api/v1/reports/whatif          supervisor, auditor, admin
 *
 * Every GET takes org_id (an organisation in the caller's subtree; default
 * the caller's own), from and to (YYYY-MM-DD; default 1 January of to's
 * year .. today) and format (json, csv, xlsx: csv and xlsx answer an
 * attachment); timeliness also after_id and limit (its claim list), referrals
 * and outreach limit, outreach threshold_bp. Unknown query arguments are a
 * 400. Reads go to the replica when there is one (X-Huzhu-Read-Source:
 * replica|primary); a replica failing mid-query is marked broken and the
 * primary asked once more. Reports change nothing, so nothing is audited.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/json_util.h"
#include "core/limits.h"
#include "core/log.h"
#include "domain/claims.h"
#include "domain/export.h"
#include "domain/reports.h"
#include "domain/whatif.h"
#include "http/routes.h"
#include "store/store.h"

#define ROLES_READ (HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN)

typedef enum err report_fn(struct store_conn *c, const struct reports_query *q,
                           struct rpt_doc **out, char *err_field);

/* What the query said besides the range and scope. */
struct report_args {
    struct reports_query q;
    bool export;               /* format csv or xlsx */
    enum export_format format;
};

/* A date argument, or fallback when absent. */
static enum err query_date(struct http_request *req, struct http_response *resp,
                           const char *name, struct date fallback, struct date *out)
{
    const char *v = http_request_query(req, name);
    if (v == NULL) {
        *out = fallback;
        return ERR_OK;
    }
    if (date_parse(v, strlen(v), out) != ERR_OK) {
        return http_response_fail(resp, ERR_INVALID_DATE, name, "expected YYYY-MM-DD");
    }
    return ERR_OK;
}

static enum err query_format(struct http_request *req, struct http_response *resp,
                             struct report_args *a)
{
    const char *v = http_request_query(req, "format");
    a->export = false;
    if (v == NULL || strcmp(v, "json") == 0) {
        return ERR_OK;
    }
    if (!export_format_parse(v, &a->format)) {
        return http_response_fail(resp, ERR_INVALID, "format", "expected json, csv or xlsx");
    }
    a->export = true;
    return ERR_OK;
}

/* Range, scope and format, common to every report; from defaults to the
 * first day of to's year, to to today. */
static enum err common_args(struct http_request *req, struct http_response *resp,
                            struct report_args *a)
{
    memset(a, 0, sizeof(*a));
    a->q.user = req->user;
    a->q.limit = LIMIT_PAGE_DEFAULT;
    a->q.threshold_bp = 5000;
    enum err e = http_request_query_int(req, resp, "org_id", 1, INT64_MAX / 2, 0, &a->q.org_id);
    if (!e) {
        e = query_date(req, resp, "to", date_today(), &a->q.to);
    }
    int y, m, d;
    date_to_ymd(a->q.to, &y, &m, &d);
    struct date jan1 = a->q.to;
    if (!e && date_from_ymd(y, 1, 1, &jan1) != ERR_OK) {
        e = ERR_INTERNAL;
    }
    if (!e) {
        e = query_date(req, resp, "from", jan1, &a->q.from);
    }
    if (!e) {
        e = query_format(req, resp, a);
    }
    if (!e && a->export) {
        a->q.export_all = true;
    }
    return e;
}

/* The domain's verdict as a response: a field-level 4xx names the input. */
static enum err fail_report(struct http_response *resp, enum err e, const char *field)
{
    switch (e) {
    case ERR_NOT_FOUND:
        return http_response_fail(resp, e, "org_id", "no such organisation");
    case ERR_INVALID_DATE:
        return http_response_fail(resp, e, field, "to must not be before from");
    case ERR_RANGE:
        return http_response_fail(resp, e, field, "the range spans more than ten years");
    case ERR_INVALID:
    case ERR_INVALID_PLAN:
    case ERR_CONFLICT:
        return http_response_fail(resp, e, field[0] != '\0' ? field : NULL,
                                  e == ERR_INVALID_PLAN ? "no such plan version"
                                  : e == ERR_CONFLICT   ? "that version is not a draft"
                                                        : "invalid value");
    default:
        return e;
    }
}

/* Runs fn on a read connection (the replica when it answers). */
struct run {
    report_fn *fn;                   /* a report, or NULL for the what-if */
    const struct whatif_input *whatif;
    const struct claims_ctx *ctx;
};

static enum err run_on(struct store_conn *c, const struct run *r, const struct reports_query *q,
                       struct rpt_doc **doc, char *field)
{
    if (r->fn != NULL) {
        return r->fn(c, q, doc, field);
    }
    return whatif_run(c, r->ctx, q, r->whatif, doc, field);
}

static enum err run_read(struct http_request *req, const struct run *r,
                         const struct reports_query *q, struct rpt_doc **doc, char *field,
                         bool *from_replica)
{
    if (req->store == NULL) {
        return ERR_DB;
    }
    http_request_store_release(req); /* never hold two primary connections */
    struct store_conn *c;
    enum err e = store_acquire_read(req->store, &c, from_replica);
    if (e) {
        return e;
    }
    e = run_on(c, r, q, doc, field);
    if (e == ERR_IO && *from_replica) {
        log_warn("report: replica failed; asking the primary");
        store_conn_mark_broken(c);
        store_release(c);
        *from_replica = false;
        if ((e = store_acquire(req->store, &c)) != ERR_OK) {
            return e;
        }
        e = run_on(c, r, q, doc, field);
    }
    store_release(c);
    return e;
}

/* The document as JSON, or as an attachment in the asked format. */
static enum err send_doc(struct http_request *req, struct http_response *resp,
                         const struct report_args *a, const struct rpt_doc *d)
{
    if (!a->export) {
        json_t *doc = rpt_doc_to_json(d);
        if (doc == NULL) {
            return ERR_NOMEM;
        }
        enum err e = http_response_json(resp, 200, doc);
        json_decref(doc);
        return e;
    }
    char name[EXPORT_NAME_MAX];
    export_file_name(d, a->format, name);
    char *disposition = arena_printf(req->arena, "attachment; filename=\"%s\"", name);
    if (disposition == NULL || http_response_header(resp, "Content-Disposition", disposition) ||
        http_response_header(resp, "Cache-Control", "no-store") ||
        http_response_header(resp, "X-Content-Type-Options", "nosniff")) {
        return ERR_NOMEM;
    }
    int fd;
    uint64_t bytes;
    enum err e = export_write(d, a->format, &fd, &bytes);
    if (e) {
        return e;
    }
    resp->status = 200;
    resp->content_type = export_content_type(a->format);
    resp->fd = fd; /* the server sends it and closes it */
    resp->fd_bytes = bytes;
    return ERR_OK;
}

static enum err answer(struct http_request *req, struct http_response *resp,
                       const struct report_args *a, const struct run *r)
{
    char field[REPORTS_FIELD_MAX] = "";
    struct rpt_doc *d = NULL;
    bool replica = false;
    enum err e = run_read(req, r, &a->q, &d, field, &replica);
    if (e) {
        return fail_report(resp, e, field);
    }
    e = http_response_header(resp, "X-Huzhu-Read-Source", replica ? "replica" : "primary");
    if (!e) {
        e = send_doc(req, resp, a, d);
    }
    rpt_doc_free(d);
    return e;
}

/* A GET report taking the common arguments and extra[0..nextra). */
static enum err get_report(struct http_request *req, struct http_response *resp, report_fn *fn,
                           const char *const *extra, size_t nextra)
{
    const char *allowed[8] = {"org_id", "from", "to", "format"};
    size_t n = 4;
    for (size_t i = 0; i < nextra && n < 8; i++) {
        allowed[n++] = extra[i];
    }
    struct report_args a;
    enum err e = http_request_query_only(req, resp, allowed, n);
    if (!e) {
        e = common_args(req, resp, &a);
    }
    int64_t v = 0;
    for (size_t i = 0; !e && i < nextra; i++) {
        if (strcmp(extra[i], "limit") == 0) {
            e = http_request_query_int(req, resp, "limit", 1, REPORTS_PAGE_MAX,
                                       LIMIT_PAGE_DEFAULT, &v);
            a.q.limit = (size_t)v;
        } else if (strcmp(extra[i], "after_id") == 0) {
            e = http_request_query_int(req, resp, "after_id", 0, INT64_MAX / 2, 0,
                                       &a.q.after_id);
        } else if (strcmp(extra[i], "threshold_bp") == 0) {
            e = http_request_query_int(req, resp, "threshold_bp", 0, 10000, 5000,
                                       &a.q.threshold_bp);
        }
    }
    if (e) {
        return e;
    }
    struct run r = {fn, NULL, NULL};
    return answer(req, resp, &a, &r);
}

enum err route_reports_coverage(struct http_request *req, struct http_response *resp)
{
    return get_report(req, resp, reports_coverage, NULL, 0);
}

enum err route_reports_contributions(struct http_request *req, struct http_response *resp)
{
    return get_report(req, resp, reports_contributions, NULL, 0);
}

enum err route_reports_claims(struct http_request *req, struct http_response *resp)
{
    return get_report(req, resp, reports_claims, NULL, 0);
}

enum err route_reports_timeliness(struct http_request *req, struct http_response *resp)
{
    static const char *const extra[] = {"after_id", "limit"};
    return get_report(req, resp, reports_timeliness, extra, 2);
}

enum err route_reports_fund(struct http_request *req, struct http_response *resp)
{
    return get_report(req, resp, reports_fund, NULL, 0);
}

enum err route_reports_referrals(struct http_request *req, struct http_response *resp)
{
    static const char *const extra[] = {"limit"};
    return get_report(req, resp, reports_referrals, extra, 1);
}

enum err route_reports_outreach(struct http_request *req, struct http_response *resp)
{
    static const char *const extra[] = {"threshold_bp", "limit"};
    return get_report(req, resp, reports_outreach, extra, 2);
}

/* POST /api/v1/reports/whatif {plan_code, draft_version, from, to,
 * target_loss_ratio_bp, org_id?, limit?}; ?format=csv|xlsx for a file. */
enum {
    W_CODE,
    W_VERSION,
    W_FROM,
    W_TO,
    W_TARGET,
    W_ORG,
    W_LIMIT,
    W__COUNT
};

static const struct json_field whatif_fields[W__COUNT] = {
    [W_CODE] = {.name = "plan_code", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                .max = PLAN_CODE_MAX - 1},
    [W_VERSION] = {.name = "draft_version", .kind = JSON_KIND_INT64, .required = true,
                   .min_value = 1, .max_value = INT32_MAX},
    [W_FROM] = {.name = "from", .kind = JSON_KIND_DATE, .required = true},
    [W_TO] = {.name = "to", .kind = JSON_KIND_DATE, .required = true},
    [W_TARGET] = {.name = "target_loss_ratio_bp", .kind = JSON_KIND_INT64, .required = true,
                  .min_value = 1, .max_value = WHATIF_TARGET_BP_MAX},
    [W_ORG] = {.name = "org_id", .kind = JSON_KIND_INT64, .min_value = 1,
               .max_value = INT64_MAX / 2},
    [W_LIMIT] = {.name = "limit", .kind = JSON_KIND_INT64, .min_value = 1,
                 .max_value = REPORTS_PAGE_MAX},
};

enum err route_reports_whatif(struct http_request *req, struct http_response *resp)
{
    static const char *const allowed[] = {"format"};
    struct report_args a;
    memset(&a, 0, sizeof(a));
    enum err e = http_request_query_only(req, resp, allowed, 1);
    if (!e) {
        e = query_format(req, resp, &a);
    }
    if (e) {
        return e;
    }
    struct json_value v[W__COUNT];
    struct json_util_error jerr;
    if ((e = json_util_decode(req->body, whatif_fields, W__COUNT, v, &jerr)) != ERR_OK) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL,
                                  jerr.message);
    }
    struct whatif_input in;
    memset(&in, 0, sizeof(in));
    if (v[W_CODE].len >= PLAN_CODE_MAX) {
        return http_response_fail(resp, ERR_INVALID, "plan_code",
                                  "a plan code is at most 31 bytes");
    }
    memcpy(in.plan_code, v[W_CODE].text, v[W_CODE].len);
    in.draft_version = v[W_VERSION].int64;
    in.target_loss_ratio_bp = v[W_TARGET].int64;
    a.q.user = req->user;
    a.q.from = v[W_FROM].date;
    a.q.to = v[W_TO].date;
    a.q.org_id = v[W_ORG].present ? v[W_ORG].int64 : 0;
    a.q.limit = v[W_LIMIT].present ? (size_t)v[W_LIMIT].int64 : LIMIT_PAGE_DEFAULT;
    a.q.threshold_bp = 0;
    a.q.export_all = a.export;
    struct claims_config cfg;
    http_request_claims_config(req, &cfg);
    struct claims_ctx ctx = {req->fc, &cfg, 0, date_today(), req->request_id};
    struct run r = {NULL, &in, &ctx};
    return answer(req, resp, &a, &r);
}
