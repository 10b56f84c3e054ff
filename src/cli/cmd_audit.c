/*
 * cmd_audit: `huzhu audit verify` proves the audit chain (exit 0), or names
 * the first broken event (exit 1); `huzhu audit list` prints events for
 * operators. verify prints the head hash: recording it somewhere else
 * (a ticket, a printed report) anchors the chain against a full rewrite.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/limits.h"
#include "domain/audit.h"
#include "store/store.h"

static const char audit_help[] =
    "usage: huzhu audit verify --db URL\n"
    "       huzhu audit list --db URL [--limit N] [--action ACTION] [--actor LOGIN]\n\n"
    "verify walks the whole audit chain, recomputing every event's digest and\n"
    "hash and every link; it prints \"audit chain ok: N events\" and exits 0, or\n"
    "names the first broken event and exits 1. list prints the newest events\n"
    "first (default 50, at most 500).\n";

static int open_conn(const char *cmd, const char *url, struct store **s, struct store_conn **c)
{
    if (cli_open_store(cmd, url, 1, false, s) != 0) {
        return 1;
    }
    int version = 0;
    enum err e = store_check_schema(*s, &version);
    if (e == ERR_OK) {
        e = store_acquire(*s, c);
    }
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu %s: database not ready (%s): run huzhu init --db %s\n", cmd,
                err_str(e), url);
        store_close(*s);
        return 1;
    }
    return 0;
}

/* 0 to go on, else the exit code (help printed, or --db missing). */
static int help_or_missing_db(const char *cmd, bool help, const char *db)
{
    if (help) {
        fputs(audit_help, stdout);
        return -1;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu %s: --db is required\n", cmd);
        return 2;
    }
    return 0;
}

static int audit_verify_cmd(int argc, char **argv)
{
    const char *db = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}};
    if (args_parse("audit verify", argc, argv, opts, 1, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    int rc = help_or_missing_db("audit verify", help, db);
    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    struct store *s;
    struct store_conn *c;
    if (open_conn("audit verify", db, &s, &c) != 0) {
        return 1;
    }
    struct audit_verify_result r;
    enum err e = audit_verify(c, &r);
    store_release(c);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu audit verify: could not read the chain: %s\n", err_str(e));
        return 1;
    }
    if (r.why != AUDIT_INTACT) {
        printf("audit chain BROKEN at event %lld: %s\n", (long long)r.broken_seq,
               audit_break_str(r.why));
        return 1;
    }
    char hex[AUDIT_HASH_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), r.head_hash, sizeof(r.head_hash));
    printf("audit chain ok: %lld events\nhead: seq %lld hash %s\n", (long long)r.events,
           (long long)r.head_seq, hex);
    return 0;
}

static enum err print_event(const struct store_audit_row *r, void *ctx)
{
    (void)ctx;
    printf("%lld\t%s\t%s\t%s\t%s\t%s:%s\t%s\n", (long long)r->seq, r->at,
           r->actor_login[0] ? r->actor_login : "-", r->role[0] ? r->role : "-", r->action,
           r->object_type, r->object_id, r->detail);
    return ERR_OK;
}

static int audit_list_cmd(int argc, char **argv)
{
    const char *db = NULL, *limit_s = NULL, *action = NULL, *actor = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"limit", false, &limit_s, NULL},
                                   {"action", false, &action, NULL},
                                   {"actor", false, &actor, NULL}};
    if (args_parse("audit list", argc, argv, opts, 4, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    int rc = help_or_missing_db("audit list", help, db);
    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    unsigned long limit = LIMIT_PAGE_DEFAULT;
    if (limit_s != NULL && !args_uint("audit list", "limit", limit_s, 1, LIMIT_PAGE_MAX, &limit)) {
        return 2;
    }
    struct store *s;
    struct store_conn *c;
    if (open_conn("audit list", db, &s, &c) != 0) {
        return 1;
    }
    struct store_audit_filter f = {.action = action, .actor_login = actor, .newest_first = true,
                                   .limit = limit};
    printf("seq\tat\tactor\trole\taction\tobject\tdetail\n");
    enum err e = audit_list(c, &f, print_event, NULL, NULL);
    store_release(c);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu audit list: failed: %s\n", err_str(e));
        return 1;
    }
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "huzhu audit: say verify or list (see huzhu audit --help)\n");
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(audit_help, stdout);
        return 0;
    }
    if (strcmp(sub, "verify") == 0) {
        return audit_verify_cmd(argc - 1, argv + 1);
    }
    if (strcmp(sub, "list") == 0) {
        return audit_list_cmd(argc - 1, argv + 1);
    }
    fprintf(stderr, "huzhu audit: unknown subcommand '%s' (verify, list)\n", sub);
    return 2;
}
