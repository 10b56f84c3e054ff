/*
 * cmd_plan: `huzhu plan` — the plan registry from the command line:
 *   load FILE.json (as a draft), publish, close, list, samples (load and
 *   publish the five sample plans of data/plans).
 * Refusals print the stable code and the field path; exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "domain/plans_admin.h"
#include "store/store.h"

static const char plan_help[] =
    "usage: huzhu plan load --db URL FILE.json\n"
    "       huzhu plan publish --db URL --code CODE --version N\n"
    "       huzhu plan close --db URL --code CODE --version N\n"
    "       huzhu plan list --db URL\n"
    "       huzhu plan samples --db URL [--dir DIR]\n\n"
    "Plan documents (spec/benefit-rules.md) are loaded as drafts, published to\n"
    "open them for enrolment and closed to stop new enrolments; a published\n"
    "version never changes. `samples` loads and publishes ZY JT DB NZ YW from\n"
    "DIR (default data/plans); versions already stored are kept.\n";

static enum err print_plan(void *ctx, const struct plan_summary *p)
{
    (void)ctx;
    printf("%-8s v%-4lld %-17s %-10s %s\n", p->code, (long long)p->version, p->kind,
           plan_state_str(p->state), p->name);
    return ERR_OK;
}

static int run(const char *sub, const char *db, const char *file, const char *code,
               const char *version_text, const char *dir)
{
    unsigned long version = 0;
    bool needs_version = strcmp(sub, "publish") == 0 || strcmp(sub, "close") == 0;
    if (needs_version && (code == NULL || version_text == NULL ||
                          !args_uint("plan", "--version", version_text, 1, 2147483647UL,
                                     &version))) {
        if (code == NULL || version_text == NULL) {
            fprintf(stderr, "huzhu plan %s: --code and --version are required\n", sub);
        }
        return 2;
    }
    if (strcmp(sub, "load") == 0 && file == NULL) {
        fprintf(stderr, "huzhu plan load: FILE.json is required\n");
        return 2;
    }
    struct store *s;
    if (cli_open_store("plan", db, 1, false, &s) != 0) {
        return 1;
    }
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    char field[PLAN_FIELD_PATH_MAX] = "";
    if (e == ERR_OK) {
        if (strcmp(sub, "load") == 0) {
            json_error_t jerr;
            json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
            if (doc == NULL) {
                fprintf(stderr, "huzhu plan load: %s:%d: %s\n", file, jerr.line, jerr.text);
                e = ERR_BAD_JSON;
            } else {
                int64_t id;
                e = plans_load(c, doc, &id, field, sizeof(field));
                if (e == ERR_OK) {
                    printf("loaded %s v%lld as draft (id %lld)\n",
                           json_string_value(json_object_get(doc, "code")),
                           (long long)json_integer_value(json_object_get(doc, "version")),
                           (long long)id);
                }
                json_decref(doc);
            }
        } else if (strcmp(sub, "publish") == 0) {
            e = plans_publish(c, code, (int64_t)version);
        } else if (strcmp(sub, "close") == 0) {
            e = plans_close(c, code, (int64_t)version);
        } else if (strcmp(sub, "list") == 0) {
            e = plans_list(c, print_plan, NULL);
        } else {
            size_t loaded = 0;
            e = plans_load_samples(c, dir ? dir : "data/plans", &loaded);
            if (e == ERR_OK) {
                printf("sample plans: %zu loaded, all published\n", loaded);
            }
        }
        store_release(c);
    }
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu plan %s: %s%s%s\n", sub, err_str(e), field[0] ? " at " : "",
                field);
        return 1;
    }
    return 0;
}

int cmd_plan(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(plan_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    static const char *const subs[] = {"load", "publish", "close", "list", "samples"};
    bool known = false;
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        known = known || strcmp(sub, subs[i]) == 0;
    }
    if (!known) {
        fprintf(stderr, "huzhu plan: unknown subcommand '%s' (see huzhu plan --help)\n", sub);
        return 2;
    }
    const char *db = NULL, *code = NULL, *version = NULL, *dir = NULL, *file = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"code", false, &code, NULL},
                                   {"version", false, &version, NULL},
                                   {"dir", false, &dir, NULL}};
    int npos = 0;
    if (args_parse("plan", argc - 1, argv + 1, opts, 4, &file, 1, &npos, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(plan_help, stdout);
        return 0;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu plan %s: --db is required\n", sub);
        return 2;
    }
    return run(sub, db, npos ? file : NULL, code, version, dir);
}
