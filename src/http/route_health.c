/*
 * route_health: GET /api/v1/health, for load balancers and `huzhu serve`
 * smoke tests. 200 {"status":"ok",...} when a round trip to the database
 * succeeds, 503 {"status":"degraded",...} when it does not. Public, so it
 * says nothing beyond the version and the schema version.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "http/routes.h"
#include "store/store.h"

enum err route_health_get(struct http_request *req, struct http_response *resp)
{
    struct store_health h = {.backend = NULL, .schema_version = 0, .ok = false};
    struct store_conn *conn;
    enum err e = http_request_store(req, &conn);
    if (!e) {
        e = store_health(conn, &h);
    }
    bool ok = !e && h.ok;
    if (!ok) {
        log_warn("health: database does not answer (%s)", err_str(e));
    }
    const char *backend = h.backend;
    if (backend == NULL) {
        backend = req->store == NULL                      ? "none"
                  : store_backend(req->store) == STORE_PG ? "postgresql"
                                                          : "sqlite";
    }
    char version[16] = "null";
    if (ok) {
        snprintf(version, sizeof(version), "%d", h.schema_version);
    }
    char *body = arena_printf(req->arena,
                              "{\"status\":\"%s\",\"version\":\"%s\",\"database\":"
                              "{\"backend\":\"%s\",\"schema_version\":%s,\"ok\":%s}}",
                              ok ? "ok" : "degraded", HUZHU_VERSION, backend, version,
                              ok ? "true" : "false");
    if (body == NULL) {
        return ERR_NOMEM;
    }
    http_response_json_text(resp, ok ? 200 : 503, body, strlen(body));
    return ERR_OK;
}
