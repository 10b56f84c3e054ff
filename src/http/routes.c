/*
 * routes: the table. One line per route: method, pattern, handler, who may
 * call it (HTTP_ROLE_*; required), and whether it takes a JSON body.
 * http_routes_check() runs on it at server start and in the unit tests.
 */
#include "http/routes.h"

const struct http_route http_routes[] = {
    {HTTP_GET, "/api/v1/health", route_health_get, HTTP_ROLE_PUBLIC, HTTP_BODY_NONE},
    {HTTP_POST, "/api/v1/tools/check-ids", route_tools_check_ids, HTTP_ROLE_PUBLIC, HTTP_BODY_JSON},
};

const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);
