/*
 * huzhu: entry point. Dispatches to a subcommand; see `huzhu --help`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/log.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"version", cmd_version, "print the version"},
    {"init", cmd_init, "create or migrate a database"},
    {"serve", cmd_serve, "serve the API (and web console) over HTTP"},
    {"demo", cmd_demo, "create a demo database if missing, then serve it"},
    {"adjudicate", cmd_adjudicate, "judge the claims of a case file and print the decisions"},
    {"backup", cmd_backup, "write a consistent copy of the database to a file"},
    {"restore", cmd_restore, "replace the database's contents with a backup"},
    {"user", cmd_user, "add, change, disable and list accounts"},
    {"audit", cmd_audit, "verify the audit chain, list audit events"},
    {"rekey", cmd_rekey, "rotate the field-encryption key (re-encrypts every sealed field)"},
    {"import", cmd_import, "import a roster of employers or members from CSV"},
    {"routes", cmd_routes, "print the API's routes and the roles that may call each"},
    {"org", cmd_org, "add an organisation to the union tree"},
    {"plan", cmd_plan, "load, publish, close and list plan versions"},
    {"enrol", cmd_enrol, "enrol units and workers, invoices, receipts, renewal, cancellation"},
    {"ledger", cmd_ledger, "fund ledger: verify, earn, close periods, balances, reports"},
    {"claims", cmd_claims, "settlement feed (免申即享), show and list claims, referrals"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: huzhu <command> [options]\n\n"
                 "Workers' mutual aid protection platform (职工互助保障).\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\nRun `huzhu <command> --help` for a command's options.\n"
                 "--db takes a file path (SQLite) or postgresql://user@host:port/dbname.\n");
}

int main(int argc, char **argv)
{
    log_init_from_env();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        return cmd_version(argc - 1, argv + 1);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "huzhu: unknown command '%s' (see huzhu --help)\n", argv[1]);
    return 2;
}
