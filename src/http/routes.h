/*
 * routes: the API's route table and the handlers it names.
 *
 * To add a route:
 *   1. write the handler in src/http/route_<resource>.c:
 *        enum err route_claims_get(struct http_request *req, struct http_response *resp);
 *      read path parameters with http_request_param(req, "id"), query with
 *      http_request_query(), the JSON body (HTTP_BODY_JSON routes) from
 *      req->body through json_util_decode() with a field table, the database
 *      with http_request_store(); answer with http_response_json() or fail
 *      with `return http_response_fail(resp, ERR_..., "field", "message");`
 *   2. declare it below;
 *   3. add one line to http_routes[] in routes.c, naming its roles
 *      (HTTP_ROLE_PUBLIC alone, or HTTP_ROLE_* / HTTP_ROLES_STAFF masks; deny
 *      by default) and body rule; list it in docs/openapi.yaml; test it in
 *      tests/api/t_<resource>.sh;
 *   4. add the .c file to http_src in src/http/meson.build;
 *   5. add its rows to tests/api/authz_matrix.tsv (every role, and own and
 *      foreign scope when the path has ids): the API suite fails until you do.
 * In the handler, req->user is the signed-in caller; check every object you
 * fetch with http_require_org_scope(req, org_path) or
 * http_require_member(req, member_id), which answer 404 out of scope.
 */
#ifndef HUZHU_HTTP_ROUTES_H
#define HUZHU_HTTP_ROUTES_H

#include <stddef.h>

#include "http/response.h"
#include "http/router.h"

extern const struct http_route http_routes[];
extern const size_t http_route_count;

/* route_health.c: GET /api/v1/health */
http_handler_fn route_health_get;

/* route_tools.c: POST /api/v1/tools/check-ids */
http_handler_fn route_tools_check_ids;

/* route_session.c: /api/v1/session, /api/v1/sessions */
http_handler_fn route_session_create;
http_handler_fn route_session_get;
http_handler_fn route_session_delete;
http_handler_fn route_sessions_list;
http_handler_fn route_sessions_delete;

/* route_audit.c: /api/v1/audit/... */
http_handler_fn route_audit_events;
http_handler_fn route_audit_verify;

/* route_orgs.c: /api/v1/orgs, /api/v1/reports/registry-summary */
http_handler_fn route_orgs_list;
http_handler_fn route_orgs_get;
http_handler_fn route_reports_registry_summary;

/* route_registry.c: employers, members, roster imports */

/* route_enrol.c: plans, enrolment, invoices, receipts */

/* route_ledger.c: fund ledger, payout batches */

/* route_claims.c: claims, documents, referrals */

/* route_reports.c: supervision reports */

/* route_portal.c: articles, the worker's own cover and claims */

#endif
