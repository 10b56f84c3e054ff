/*
 * cmd_demo: `huzhu demo` creates a demo database with a synthetic, living
 * scheme if the file does not exist yet (demo_data.h), prints the demo
 * logins, then serves it like `huzhu serve`.
 *
 * A failed creation leaves nothing behind: the database file (with its WAL
 * and shared-memory files) and a key file this run created are removed.
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "cli/demo_data.h"
#include "core/date.h"
#include "core/limits.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"
#include "store/store_auth.h"

#define DEMO_MEMBERS_DEFAULT 20000
#define DEMO_MEMBERS_MAX 5000000 /* the import benchmark's scale, with room */
#define DEMO_SEED 20261128
#define DEMO_PATH_MAX 4096

static const char demo_help[] =
    "usage: huzhu demo [--db PATH] [--listen HOST:PORT] [--members N] [--threads N]\n"
    "                  [--no-serve] [--registry-only]\n\n"
    "Creates PATH (default demo.db) with a synthetic provincial scheme if it\n"
    "does not exist -- a province, cities, districts, grassroots unions, an\n"
    "industry union for gig workers, ~300 employers and N members (default\n"
    "20000); the five sample plans (data/plans) with units enrolled under\n"
    "mixed funding, gig workers and gifted cover, invoices paid, partly paid\n"
    "and unpaid; ten months of claims in every state and channel, paid\n"
    "through the ledger; demo accounts for every role -- then serves it on\n"
    "HOST:PORT (default 127.0.0.1:8080). The demo logins are printed on start.\n"
    "An existing PATH is served as it is. --no-serve stops after creating it;\n"
    "--registry-only creates just the union tree, employers and members (the\n"
    "API test suite's baseline).\n";

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

static bool plans_dir_ok(const char *dir)
{
    char path[DEMO_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/ZY.json", dir);
    return access(path, R_OK) == 0;
}

/* data/plans: from the working directory (the README runs from the repo
 * root), else next to the executable's source tree (build/src/cli/huzhu ->
 * ../../../data/plans). NULL when neither has it. */
static const char *find_plans_dir(char *buf, size_t cap)
{
    if (plans_dir_ok("data/plans")) {
        return "data/plans";
    }
    char exe[DEMO_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        return NULL;
    }
    exe[n] = '\0';
    snprintf(buf, cap, "%s/../../../data/plans", dirname(exe));
    return plans_dir_ok(buf) ? buf : NULL;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_summary(const struct demo_summary *s, int64_t ms)
{
    fprintf(stderr, "demo data in %lld ms: %lld organisations, %lld employers, %lld members\n",
            (long long)ms, (long long)s->orgs, (long long)s->employers, (long long)s->members);
    if (s->plans == 0) {
        return;
    }
    fprintf(stderr,
            "  plans %lld; %lld employers enrolled; %lld enrolments in %lld batches "
            "(%lld active, %lld pending, %lld lapsed, %lld cancelled; %lld gifted)\n",
            (long long)s->plans, (long long)s->employers_enrolled, (long long)s->enrolments,
            (long long)s->batches, (long long)s->enrol_active, (long long)s->enrol_pending,
            (long long)s->enrol_lapsed, (long long)s->enrol_cancelled,
            (long long)s->enrol_gifted);
    fprintf(stderr,
            "  invoices: %lld paid, %lld partly paid, %lld unpaid, %lld lapsed; %lld receipts\n",
            (long long)s->invoices_paid, (long long)s->invoices_partial,
            (long long)s->invoices_unpaid, (long long)s->invoices_lapsed,
            (long long)s->receipts);
    fprintf(stderr,
            "  claims: %lld (%lld online, %lld offline, %lld no-application); %lld paid "
            "(%lld.%02lld yuan), %lld rejected, %lld in progress, %lld flagged\n",
            (long long)s->claims, (long long)s->claims_online, (long long)s->claims_offline,
            (long long)s->claims_auto, (long long)s->claims_paid, (long long)(s->paid_fen / 100),
            (long long)(s->paid_fen % 100), (long long)s->claims_rejected,
            (long long)s->claims_open, (long long)s->claims_flagged);
    fprintf(stderr, "  accounts %lld; ledger periods closed %lld\n", (long long)s->accounts,
            (long long)s->periods_closed);
}

static int create_demo(const char *db, unsigned members, bool registry_only)
{
    if (cli_init_db("demo", db, NULL) != 0) {
        return 1;
    }
    char key_path[DEMO_PATH_MAX], plans_buf[DEMO_PATH_MAX];
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
    struct demo_options opt = {members, DEMO_SEED,
                               registry_only ? NULL : find_plans_dir(plans_buf, sizeof(plans_buf)),
                               date_today()};
    if (opt.plans_dir == NULL && !registry_only) {
        fprintf(stderr, "huzhu demo: warning: no data/plans here or next to the program: "
                        "creating the registry only (no plans, enrolments, claims or logins)\n");
    }
    struct demo_summary sum;
    int64_t t0 = mono_ms();
    e = demo_generate(s, fc, &opt, &sum);
    store_close(s);
    fieldcrypt_close(fc);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu demo: generating demo data failed: %s\n", err_str(e));
        return 1;
    }
    print_summary(&sum, mono_ms() - t0);
    return 0;
}

/* True when db holds the demo accounts (made by this command). */
static bool has_demo_logins(const char *db)
{
    struct store *s;
    if (cli_open_store("demo", db, 1, false, &s) != 0) {
        return false;
    }
    struct store_conn *c;
    bool found = false;
    if (store_acquire(s, &c) == ERR_OK) {
        struct store_user_row row;
        found = store_user_find(c, DEMO_ADMIN_LOGIN, &row) == ERR_OK;
        store_release(c);
    }
    store_close(s);
    return found;
}

/* Removes a half-made demo: the database, its WAL and shared-memory files,
 * and the key file when this run created it. */
static void remove_demo(const char *db, bool key_existed)
{
    char path[DEMO_PATH_MAX];
    unlink(db);
    snprintf(path, sizeof(path), "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof(path), "%s-shm", db);
    unlink(path);
    if (!key_existed) {
        fieldcrypt_default_path(db, path, sizeof(path));
        unlink(path);
    }
}

int cmd_demo(int argc, char **argv)
{
    const char *db = "demo.db", *listen = "127.0.0.1:8080", *members_s = NULL,
               *threads_s = NULL;
    bool help, no_serve = false, registry_only = false;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"listen", false, &listen, NULL},
                                   {"members", false, &members_s, NULL},
                                   {"threads", false, &threads_s, NULL},
                                   {"no-serve", true, NULL, &no_serve},
                                   {"registry-only", true, NULL, &registry_only}};
    if (args_parse("demo", argc, argv, opts, 6, NULL, 0, NULL, &help) != 0) {
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
        char key_path[DEMO_PATH_MAX];
        fieldcrypt_default_path(db, key_path, sizeof(key_path));
        bool key_existed = access(key_path, F_OK) == 0;
        fprintf(stderr, "creating demo database %s ...\n", db);
        if (create_demo(db, (unsigned)members, registry_only) != 0) {
            if (is_file) {
                remove_demo(db, key_existed); /* no half-made demo left behind */
            }
            return 1;
        }
    } else {
        fprintf(stderr, "serving existing demo database %s (delete it for a fresh one)\n", db);
    }
    if (has_demo_logins(db)) {
        demo_print_logins(stderr);
    }
    if (no_serve) {
        return 0;
    }
    fprintf(stderr, "console and API: http://%s/  (health: /api/v1/health)\n", listen);
    return cli_serve("demo", db, NULL, listen, (unsigned)threads, cli_default_static_dir());
}
