/*
 * cmd_routes: `huzhu routes` prints the API's route table, one route a
 * line: METHOD<TAB>PATTERN<TAB>ROLES<TAB>BODY, ROLES being "public" or the
 * comma-separated role names that may call it. Operators read it to see
 * who may do what; the API suite compares it with the authorisation matrix
 * (tests/api/authz_matrix.tsv) so that no route goes untested.
 */
#include <stdio.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "http/routes.h"

static const char routes_help[] =
    "usage: huzhu routes\n\n"
    "Prints every route of the JSON API, one a line, tab-separated:\n"
    "METHOD PATTERN ROLES BODY, where ROLES is 'public' (no sign-in) or the\n"
    "roles that may call it, and BODY is 'json', 'upload' (raw bytes) or\n"
    "'none'. Exits 1 if the table is incomplete (a route without roles or\n"
    "body rule).\n";

int cmd_routes(int argc, char **argv)
{
    bool help;
    if (args_parse("routes", argc, argv, NULL, 0, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(routes_help, stdout);
        return 0;
    }
    if (http_routes_check(http_routes, http_route_count) != ERR_OK) {
        fprintf(stderr, "huzhu routes: the route table is incomplete (see the log line above)\n");
        return 1;
    }
    for (size_t i = 0; i < http_route_count; i++) {
        const struct http_route *r = &http_routes[i];
        char method[64], roles[256];
        http_methods_format((unsigned)r->method, method, sizeof(method));
        http_roles_format(r->roles, roles, sizeof(roles));
        printf("%s\t%s\t%s\t%s\n", method, r->pattern, roles,
               r->body == HTTP_BODY_JSON     ? "json"
               : r->body == HTTP_BODY_UPLOAD ? "upload"
                                             : "none");
    }
    return 0;
}
