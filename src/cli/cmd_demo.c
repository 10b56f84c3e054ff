/*
 * cmd_demo: `huzhu demo` creates a demo database with a synthetic scheme if
 * the file does not exist yet, then serves it like `huzhu serve`.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "cli/demo_data.h"
#include "core/limits.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"

#define DEMO_MEMBERS_DEFAULT 20000
#define DEMO_MEMBERS_MAX 5000000 /* the import benchmark's scale, with room */

static const char demo_help[] =
    "usage: huzhu demo [--db PATH] [--listen HOST:PORT] [--members N] [--threads N]\n"
    "                  [--no-serve]\n\n"
    "Creates PATH (default demo.db) with a synthetic provincial scheme if it\n"
    "does not exist -- a province, cities, districts, grassroots unions, an\n"
    "industry union for gig workers, ~300 employers and N members (default\n"
    "20000) -- then serves it on HOST:PORT (default 127.0.0.1:8080).\n"
    "An existing PATH is served as it is. --no-serve stops after creating it.\n";

/* A PostgreSQL database without our schema yet counts as "does not exist". */
static bool pg_is_empty(const char *url)
{
    struct store *s;
    int version = -1;
    if (cli_open_store("demo", url, 1, false, &s) != 0) {
        return false; /* cli_serve reports the connection problem */
    }
    enum err e = store_check_schema(s, &version);
    store_close(s);
    return e != ERR_OK && version == 0;
}

static int create_demo(const char *db, unsigned members)
{
    if (cli_init_db("demo", db, NULL) != 0) {
        return 1;
    }
    char key_path[4096];
    fieldcrypt_default_path(db, key_path, sizeof(key_path));
    struct fieldcrypt *fc;
    enum err e = fieldcrypt_open(key_path, &fc);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu demo: cannot read key file %s: %s\n", key_path, err_str(e));
        return 1;
    }
    struct store *s;
    if (cli_open_store("demo", db, 1, false, &s) != 0) {
        fieldcrypt_close(fc);
        return 1;
    }
    struct demo_summary sum;
    e = demo_generate(s, fc, members, 20261128, &sum);
    store_close(s);
    fieldcrypt_close(fc);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu demo: generating demo data failed: %s\n", err_str(e));
        return 1;
    }
    fprintf(stderr, "demo data: %lld organisations, %lld employers, %lld members\n",
            (long long)sum.orgs, (long long)sum.employers, (long long)sum.members);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    const char *db = "demo.db", *listen = "127.0.0.1:8080", *members_s = NULL,
               *threads_s = NULL;
    bool help, no_serve = false;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"listen", false, &listen, NULL},
                                   {"members", false, &members_s, NULL},
                                   {"threads", false, &threads_s, NULL},
                                   {"no-serve", true, NULL, &no_serve}};
    if (args_parse("demo", argc, argv, opts, 5, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(demo_help, stdout);
        return 0;
    }
    unsigned long members = DEMO_MEMBERS_DEFAULT, threads = LIMIT_HTTP_THREADS_DEFAULT;
    if (members_s != NULL && !args_uint("demo", "members", members_s, 0, DEMO_MEMBERS_MAX,
                                        &members)) {
        return 2;
    }
    if (threads_s != NULL &&
        !args_uint("demo", "threads", threads_s, 1, LIMIT_HTTP_THREADS_MAX, &threads)) {
        return 2;
    }
    bool is_file = strncmp(db, "postgres", 8) != 0;
    if (is_file ? access(db, F_OK) != 0 : pg_is_empty(db)) {
        fprintf(stderr, "creating demo database %s ...\n", db);
        if (create_demo(db, (unsigned)members) != 0) {
            if (is_file) {
                unlink(db); /* no half-made demo left behind */
            }
            return 1;
        }
    } else {
        fprintf(stderr, "serving existing demo database %s (delete it for a fresh one)\n", db);
    }
    if (no_serve) {
        return 0;
    }
    fprintf(stderr, "console and API: http://%s/  (health: /api/v1/health)\n", listen);
    return cli_serve("demo", db, NULL, listen, (unsigned)threads, cli_default_static_dir());
}
