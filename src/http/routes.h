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
http_handler_fn route_orgs_create;
http_handler_fn route_orgs_update;
http_handler_fn route_employers_list;
http_handler_fn route_employers_get;
http_handler_fn route_employers_create;
http_handler_fn route_employers_update;
http_handler_fn route_members_list;
http_handler_fn route_members_get;
http_handler_fn route_members_create;
http_handler_fn route_members_update;
http_handler_fn route_members_reveal;
http_handler_fn route_me_get;
http_handler_fn route_imports_members;
http_handler_fn route_imports_employers;
http_handler_fn route_imports_get;
http_handler_fn route_imports_report;

/* route_enrol.c: plans, enrolment, invoices, receipts */
http_handler_fn route_plans_list;
http_handler_fn route_plans_get;
http_handler_fn route_plans_create;
http_handler_fn route_plans_publish;
http_handler_fn route_plans_close;
http_handler_fn route_enrolments_preview;
http_handler_fn route_enrolments_create;
http_handler_fn route_enrolments_list;
http_handler_fn route_enrolments_get;
http_handler_fn route_enrolments_cancel;
http_handler_fn route_batches_renew;
http_handler_fn route_me_enrolments;
http_handler_fn route_invoices_list;
http_handler_fn route_invoices_get;
http_handler_fn route_invoices_receipt;
http_handler_fn route_invoices_lapse;

/* route_ledger.c: fund ledger, payout batches */
http_handler_fn route_ledger_accounts;
http_handler_fn route_ledger_balances;
http_handler_fn route_ledger_entries;
http_handler_fn route_ledger_entry_get;
http_handler_fn route_ledger_entry_post;
http_handler_fn route_ledger_entry_reverse;
http_handler_fn route_ledger_pending;
http_handler_fn route_ledger_pending_approve;
http_handler_fn route_ledger_pending_refuse;
http_handler_fn route_ledger_earn;
http_handler_fn route_ledger_close;
http_handler_fn route_ledger_report;
http_handler_fn route_ledger_verify;
http_handler_fn route_ledger_bank_statements;
http_handler_fn route_payout_batches_list;
http_handler_fn route_payout_batches_create;
http_handler_fn route_payout_batch_get;
http_handler_fn route_payout_batch_approve;
http_handler_fn route_payout_batch_refuse;
http_handler_fn route_payout_bank_file_csv;
http_handler_fn route_payout_bank_file_xlsx;
http_handler_fn route_payout_batch_results;

/* route_claims.c: claims, documents, referrals */
http_handler_fn route_claims_create;
http_handler_fn route_claims_list;
http_handler_fn route_claims_get;
http_handler_fn route_claims_submit;
http_handler_fn route_claims_assess;
http_handler_fn route_claims_approve;
http_handler_fn route_claims_reject;
http_handler_fn route_claims_appeal;
http_handler_fn route_claims_close;
http_handler_fn route_claims_documents_add;
http_handler_fn route_claims_documents_list;
http_handler_fn route_claims_documents_get;
http_handler_fn route_claims_documents_waive;
http_handler_fn route_claims_feed;
http_handler_fn route_me_claims;
http_handler_fn route_assistance_referrals;

/* route_reports.c: supervision reports */
http_handler_fn route_reports_coverage;
http_handler_fn route_reports_contributions;
http_handler_fn route_reports_claims;
http_handler_fn route_reports_timeliness;
http_handler_fn route_reports_fund;
http_handler_fn route_reports_referrals;
http_handler_fn route_reports_outreach;
http_handler_fn route_reports_whatif;

/* route_users.c: user accounts (admins) and changing one.s own password */
http_handler_fn route_users_list;
http_handler_fn route_users_create;
http_handler_fn route_users_update;
http_handler_fn route_users_password;
http_handler_fn route_session_password;

/* route_portal.c: articles, the worker's own cover and claims */
http_handler_fn route_articles_list;
http_handler_fn route_articles_get;
http_handler_fn route_articles_manage;
http_handler_fn route_articles_manage_get;
http_handler_fn route_articles_create;
http_handler_fn route_articles_update;
http_handler_fn route_articles_publish;
http_handler_fn route_articles_withdraw;

#endif
