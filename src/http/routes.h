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
 *   3. add one line to http_routes[] in routes.c, naming its roles and body
 *      rule; list it in docs/openapi.yaml; test it in tests/api/t_<resource>.sh.
 *   4. add the .c file to http_src in src/http/meson.build.
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

#endif
