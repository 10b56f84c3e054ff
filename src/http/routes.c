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
    {HTTP_POST, "/api/v1/orgs", route_orgs_create, HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_PATCH, "/api/v1/orgs/:id", route_orgs_update, HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/employers", route_employers_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/employers/:id", route_employers_get, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/employers", route_employers_create,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_JSON},
    {HTTP_PATCH, "/api/v1/employers/:id", route_employers_update,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/members", route_members_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/members/:id", route_members_get, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/members", route_members_create, HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF,
     HTTP_BODY_JSON},
    {HTTP_PATCH, "/api/v1/members/:id", route_members_update,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/members/:id/reveal", route_members_reveal,
     HTTP_ROLE_ADMIN | HTTP_ROLE_CLAIMS_OFFICER | HTTP_ROLE_CLAIMS_APPROVER | HTTP_ROLE_FINANCE |
         HTTP_ROLE_UNIT_STAFF,
     HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/me", route_me_get, HTTP_ROLE_MEMBER, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/imports/members", route_imports_members,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_UPLOAD},
    {HTTP_POST, "/api/v1/imports/employers", route_imports_employers,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_UPLOAD},
    {HTTP_GET, "/api/v1/imports/:job_id", route_imports_get, HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/imports/:job_id/report.csv", route_imports_report,
     HTTP_ROLE_ADMIN | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_NONE},

    /* plans, enrolment, invoices and receipts (route_enrol.c) */
    {HTTP_GET, "/api/v1/plans", route_plans_list, HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/plans", route_plans_create, HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/plans/:code/versions/:version", route_plans_get, HTTP_ROLES_ANY,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/plans/:code/versions/:version/publish", route_plans_publish,
     HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/plans/:code/versions/:version/close", route_plans_close,
     HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/enrolments/preview", route_enrolments_preview,
     HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/enrolments", route_enrolments_create,
     HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/enrolments", route_enrolments_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/enrolments/:id", route_enrolments_get, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/enrolments/:id/cancel", route_enrolments_cancel,
     HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/batches/:id/renew", route_batches_renew,
     HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/me/enrolments", route_me_enrolments, HTTP_ROLE_MEMBER, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/invoices", route_invoices_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/invoices/:id", route_invoices_get, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/invoices/:id/receipts", route_invoices_receipt,
     HTTP_ROLE_FINANCE | HTTP_ROLE_UNIT_STAFF, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/invoices/lapse", route_invoices_lapse,
     HTTP_ROLE_FINANCE | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},

    /* fund ledger and payout batches (route_ledger.c) */
#define LEDGER_READERS (HTTP_ROLE_FINANCE | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN)
    {HTTP_GET, "/api/v1/ledger/accounts", route_ledger_accounts, LEDGER_READERS, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/ledger/balances", route_ledger_balances, LEDGER_READERS, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/ledger/entries", route_ledger_entries, LEDGER_READERS, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/ledger/entries/:id", route_ledger_entry_get, LEDGER_READERS,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/ledger/entries", route_ledger_entry_post, HTTP_ROLE_FINANCE,
     HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/ledger/entries/:id/reverse", route_ledger_entry_reverse,
     HTTP_ROLE_FINANCE, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/ledger/pending", route_ledger_pending, LEDGER_READERS, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/ledger/pending/:id/approve", route_ledger_pending_approve,
     HTTP_ROLE_FINANCE, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/ledger/pending/:id/refuse", route_ledger_pending_refuse,
     HTTP_ROLE_FINANCE, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/ledger/earn", route_ledger_earn, HTTP_ROLE_FINANCE, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/ledger/periods/:period/close", route_ledger_close, HTTP_ROLE_FINANCE,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/ledger/reports/:period", route_ledger_report,
     LEDGER_READERS | HTTP_ROLE_SUPERVISOR, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/ledger/verify", route_ledger_verify, LEDGER_READERS, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/ledger/bank-statements", route_ledger_bank_statements,
     HTTP_ROLE_FINANCE, HTTP_BODY_UPLOAD},
    {HTTP_GET, "/api/v1/payout-batches", route_payout_batches_list, LEDGER_READERS,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/payout-batches", route_payout_batches_create, HTTP_ROLE_FINANCE,
     HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/payout-batches/:id", route_payout_batch_get, LEDGER_READERS,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/payout-batches/:id/approve", route_payout_batch_approve,
     HTTP_ROLE_FINANCE, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/payout-batches/:id/refuse", route_payout_batch_refuse,
     HTTP_ROLE_FINANCE, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/payout-batches/:id/bank-file.csv", route_payout_bank_file_csv,
     HTTP_ROLE_FINANCE, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/payout-batches/:id/bank-file.xlsx", route_payout_bank_file_xlsx,
     HTTP_ROLE_FINANCE, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/payout-batches/:id/results", route_payout_batch_results,
     HTTP_ROLE_FINANCE, HTTP_BODY_UPLOAD},
#undef LEDGER_READERS

    /* claims (route_claims.c) */
#define CLAIMS_INTAKE                                                                              \
    (HTTP_ROLE_MEMBER | HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_CLAIMS_OFFICER |                          \
     HTTP_ROLE_CLAIMS_APPROVER | HTTP_ROLE_ADMIN)
#define CLAIMS_OFFICERS (HTTP_ROLE_CLAIMS_OFFICER | HTTP_ROLE_CLAIMS_APPROVER | HTTP_ROLE_ADMIN)
    {HTTP_POST, "/api/v1/claims", route_claims_create, CLAIMS_INTAKE, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/claims", route_claims_list, HTTP_ROLES_STAFF, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/feed", route_claims_feed,
     HTTP_ROLE_CLAIMS_OFFICER | HTTP_ROLE_ADMIN, HTTP_BODY_UPLOAD},
    {HTTP_GET, "/api/v1/claims/:id", route_claims_get, HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/submit", route_claims_submit, CLAIMS_INTAKE, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/assess", route_claims_assess, CLAIMS_OFFICERS,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/approve", route_claims_approve, CLAIMS_OFFICERS,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/reject", route_claims_reject, CLAIMS_OFFICERS,
     HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/claims/:id/appeal", route_claims_appeal, CLAIMS_INTAKE, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/claims/:id/close", route_claims_close,
     HTTP_ROLE_FINANCE | HTTP_ROLE_CLAIMS_OFFICER | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/documents", route_claims_documents_add, CLAIMS_INTAKE,
     HTTP_BODY_UPLOAD},
    {HTTP_GET, "/api/v1/claims/:id/documents", route_claims_documents_list, HTTP_ROLES_ANY,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/claims/:id/documents/:doc_id", route_claims_documents_get,
     HTTP_ROLES_ANY, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/claims/:id/documents/waive", route_claims_documents_waive,
     CLAIMS_OFFICERS, HTTP_BODY_JSON},
    {HTTP_GET, "/api/v1/me/claims", route_me_claims, HTTP_ROLE_MEMBER, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/assistance/referrals", route_assistance_referrals,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_UNIT_STAFF | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
#undef CLAIMS_INTAKE
#undef CLAIMS_OFFICERS

    /* supervision reports (route_reports.c) */
    {HTTP_GET, "/api/v1/reports/coverage", route_reports_coverage,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/contributions", route_reports_contributions,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN | HTTP_ROLE_FINANCE,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/claims", route_reports_claims,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/timeliness", route_reports_timeliness,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/fund", route_reports_fund,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN | HTTP_ROLE_FINANCE,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/referrals", route_reports_referrals,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/reports/outreach", route_reports_outreach,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/reports/whatif", route_reports_whatif,
     HTTP_ROLE_SUPERVISOR | HTTP_ROLE_AUDITOR | HTTP_ROLE_ADMIN, HTTP_BODY_JSON},

    /* articles and the worker's own records (route_portal.c) */
#define ARTICLE_WRITERS_HTTP (HTTP_ROLE_ADMIN | HTTP_ROLE_SUPERVISOR | HTTP_ROLE_UNIT_STAFF)
    {HTTP_GET, "/api/v1/articles", route_articles_list, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/articles/:id", route_articles_get, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/articles/manage", route_articles_manage, ARTICLE_WRITERS_HTTP,
     HTTP_BODY_NONE},
    {HTTP_GET, "/api/v1/articles/manage/:id", route_articles_manage_get, ARTICLE_WRITERS_HTTP,
     HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/articles", route_articles_create, ARTICLE_WRITERS_HTTP, HTTP_BODY_JSON},
    {HTTP_PATCH, "/api/v1/articles/:id", route_articles_update, ARTICLE_WRITERS_HTTP,
     HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/articles/:id/publish", route_articles_publish, ARTICLE_WRITERS_HTTP,
     HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/articles/:id/withdraw", route_articles_withdraw, ARTICLE_WRITERS_HTTP,
     HTTP_BODY_NONE},
#undef ARTICLE_WRITERS_HTTP

    /* user accounts and own password (route_users.c) */
    {HTTP_GET, "/api/v1/users", route_users_list, HTTP_ROLE_ADMIN, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/users", route_users_create, HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_PATCH, "/api/v1/users/:id", route_users_update, HTTP_ROLE_ADMIN, HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/users/:id/password", route_users_password, HTTP_ROLE_ADMIN,
     HTTP_BODY_JSON},
    {HTTP_POST, "/api/v1/session/password", route_session_password, HTTP_ROLES_ANY,
     HTTP_BODY_JSON},
};

const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);
