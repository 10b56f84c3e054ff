/*
 * cmd_org: `huzhu org add` — an organisation of the union tree from the
 * command line (the API creates them under a parent in the caller's
 * subtree; roots are made here only). Audited as org.create by actor "cli".
 * Refusals print the stable code and the field; exit 1.
 */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "domain/registry_query.h"
#include "store/store.h"

static const char org_help[] =
    "usage: huzhu org add --db URL --code CODE --name NAME --division CODE6\n"
    "                     [--parent PARENT_CODE] [--level LEVEL]\n\n"
    "Adds an organisation to the union tree: under the organisation whose code is\n"
    "PARENT_CODE, or as a root without --parent. --division is the GB/T 2260\n"
    "administrative division code (6 digits); --level one of national, province,\n"
    "city, district, grassroots, industry (default: one below the parent's, or\n"
    "national for a root). Prints the new organisation's id.\n";

static struct registry_text text_of(const char *s)
{
    struct registry_text t = {.ptr = s, .len = s != NULL ? strlen(s) : 0};
    return t;
}

static int add(const char *db, const char *code, const char *name, const char *division,
               const char *parent, const char *level)
{
    struct store *s;
    if (cli_open_store("org", db, 1, false, &s) != 0) {
        return 1;
    }
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    struct registry_field_error ferr = {.field = NULL};
    int64_t id = 0;
    if (e == ERR_OK) {
        struct registry_org_input in = {.code = text_of(code),
                                        .name = text_of(name),
                                        .level = text_of(level),
                                        .division_code = text_of(division),
                                        .parent_id = 0};
        struct registry_org parent_org;
        if (parent != NULL) {
            e = registry_org_find(c, parent, &parent_org);
            if (e == ERR_NOT_FOUND) {
                ferr.field = "parent";
            }
            in.parent_id = parent_org.id;
        }
        if (e == ERR_OK) {
            e = registry_org_create(c, NULL, &auth_actor_cli, &in, &id, &ferr);
        }
        store_release(c);
    }
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu org add: %s%s%s\n", err_str(e), ferr.field != NULL ? " at " : "",
                ferr.field != NULL ? ferr.field : "");
        return 1;
    }
    printf("%lld\n", (long long)id);
    return 0;
}

int cmd_org(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(org_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "huzhu org: unknown subcommand '%s' (see huzhu org --help)\n", argv[1]);
        return 2;
    }
    const char *db = NULL, *code = NULL, *name = NULL, *division = NULL, *parent = NULL,
               *level = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"code", false, &code, NULL},
                                   {"name", false, &name, NULL},
                                   {"division", false, &division, NULL},
                                   {"parent", false, &parent, NULL},
                                   {"level", false, &level, NULL}};
    if (args_parse("org", argc - 1, argv + 1, opts, 6, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(org_help, stdout);
        return 0;
    }
    if (db == NULL || code == NULL || name == NULL || division == NULL) {
        fprintf(stderr, "huzhu org add: --db, --code, --name and --division are required\n");
        return 2;
    }
    return add(db, code, name, division, parent, level);
}
