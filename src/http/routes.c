/*
 * routes: the table. One line per route: method, pattern, handler, who may
 * call it (HTTP_ROLE_*; required, deny by default), and whether it takes a
 * JSON body. http_routes_check() runs on it at server start and in the unit
 * tests; tests/api/authz_matrix.tsv must hold rows for every line (the API
 * suite compares it with `huzhu routes`).
 */
#include "http/routes.h"

const struct http_route http_routes[] = {
    {HTTP_GET, "/api/v1/health", route_health_get, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/tools/check-ids", route_tools_check_ids, HTTP_ROLE_PUBLIC, HTTP_BODY_JSON},

    {HTTP_POST, "/api/v1/session", route_session_create, HTTP_ROLE_PUBLIC, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/session", route_session_get, HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_DELETE, "/api/v1/session", route_session_delete, HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/sessions", route_sessions_list, HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_DELETE, "/api/v1/sessions/:id", route_sessions_delete, HTTP_ROLES_ANY, HTTP_BODY_NONE},

    {HTTP_GET, "/api/v1/audit/events", route_audit_events, HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/audit/verify", route_audit_verify, HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN,
     HTTP_BODY_NONE},

    {HTTP_GET, "/api/v1/orgs", route_orgs_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/orgs/:id", route_orgs_get, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/registry-summary", route_reports_registry_summary,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},

    /* registry: employers, members, roster imports (route_registry.c) */

    /* plans, enrolment, invoices and receipts (route_enrol.c) */

    /* fund ledger and payout batches (route_ledger.c) */

    /* claims (route_claims.c) */

    /* supervision reports (route_reports.c) */

    /* articles and the worker's own records (route_portal.c) */
};

const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);
