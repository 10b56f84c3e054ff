/*
 * cmd_db: `huzhu version`, `huzhu init` and `huzhu serve`, and the store
 * opening every database command shares.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/money.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "domain/fieldcrypt.h"
#include "http/server.h"
#include "store/store.h"

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("huzhu %s (schema %d)\n", HUZHU_VERSION, store_schema_latest());
    return 0;
}

int cli_open_store(const char *cmd, const char *url, unsigned pool, bool create,
                   struct store **out)
{
    struct store_options opt = {.pool_size = pool, .busy_timeout_ms = 5000, .create = create};
    enum err e = store_open(url, &opt, out);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu %s: cannot open database '%s': %s\n", cmd, url,
                e == ERR_NOT_FOUND ? "no such database (run huzhu init first)" : err_str(e));
        return 1;
    }
    return 0;
}

int cli_init_db(const char *cmd, const char *url, const char *key_path)
{
    struct store *s;
    if (cli_open_store(cmd, url, 1, true, &s) != 0) {
        return 1;
    }
    int version = 0;
    enum err e = store_migrate(s, &version);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu %s: migration failed: %s\n", cmd, err_str(e));
        return 1;
    }
    char path[4096];
    if (key_path == NULL) {
        fieldcrypt_default_path(url, path, sizeof(path));
        key_path = path;
    }
    e = fieldcrypt_keygen(key_path);
    if (e != ERR_OK && e != ERR_EXISTS) {
        fprintf(stderr, "huzhu %s: cannot create key file '%s': %s\n", cmd, key_path,
                err_str(e));
        return 1;
    }
    fprintf(stderr, "database %s at schema %d; field key %s%s\n", url, version, key_path,
            e == ERR_EXISTS ? " (kept)" : " (created, mode 0600: back it up apart from the data)");
    return 0;
}

static const char init_help[] =
    "usage: huzhu init --db URL [--key PATH]\n\n"
    "Creates the database if it does not exist and applies every pending\n"
    "migration in one transaction; creates the field-encryption key file\n"
    "(mode 0600) if it does not exist.\n\n"
    "  --db URL     SQLite file path or postgresql://user@host:port/dbname\n"
    "  --key PATH   key file (default: <db>.key for SQLite, ./huzhu.key for\n"
    "               PostgreSQL; or $HUZHU_KEY_FILE)\n";

int cmd_init(int argc, char **argv)
{
    const char *db = NULL, *key = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}, {"key", false, &key, NULL}};
    if (args_parse("init", argc, argv, opts, 2, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(init_help, stdout);
        return 0;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu init: --db is required\n");
        return 2;
    }
    return cli_init_db("init", db, key);
}

/* Session timeouts for cli_serve, set by `serve --idle-timeout / --session-max`
 * (`demo` keeps the defaults). */
static struct auth_config serve_auth;
static bool serve_auth_set;
/* Claims tunables for cli_serve, set by `serve --officer-limit`. */
static struct claims_config serve_claims;
static bool serve_claims_set;

int cli_serve(const char *cmd, const char *db, const char *db_read, const char *listen,
              unsigned threads, const char *static_dir)
{
    struct http_config cfg = {.threads = threads, .static_dir = static_dir,
                              .auth = serve_auth_set ? &serve_auth : NULL,
                              .claims = serve_claims_set ? &serve_claims : NULL};
    char host[256];
    if (http_parse_listen(listen, host, sizeof(host), &cfg.port) != ERR_OK) {
        fprintf(stderr, "huzhu %s: --listen must be HOST:PORT, got '%s'\n", cmd, listen);
        return 2;
    }
    cfg.host = host;
    struct store *s;
    /* one connection more than workers: a roster import job holds one */
    if (cli_open_store(cmd, db, threads + 1, false, &s) != 0) {
        return 1;
    }
    int version = 0;
    enum err e = store_check_schema(s, &version);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu %s: database schema is %d, this binary needs %d: %s\n", cmd,
                version, store_schema_latest(),
                version < store_schema_latest() ? "run huzhu init --db to migrate"
                                                 : "upgrade huzhu");
        store_close(s);
        return 1;
    }
    if (db_read != NULL) {
        e = store_open_replica(s, db_read);
        if (e != ERR_OK) {
            /* Not fatal: reads fall back to the primary until it answers. */
            log_warn("read replica %s not reachable (%s); reading from the primary for now",
                     db_read, err_str(e));
        }
    }
    /* The field key (HUZHU_KEY_FILE or next to the database): without it the
     * server still runs, and routes that read or write members' ID and bank
     * numbers answer 500. */
    char key_path[4096];
    fieldcrypt_default_path(db, key_path, sizeof(key_path));
    struct fieldcrypt *fc = NULL;
    e = fieldcrypt_open(key_path, &fc);
    if (e != ERR_OK) {
        log_warn("field key %s not loaded (%s): member routes will fail", key_path, err_str(e));
        fc = NULL;
    }
    cfg.fc = fc;
    e = http_serve(&cfg, s);
    fieldcrypt_close(fc);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu %s: cannot serve on %s: %s\n", cmd, listen, err_str(e));
        return 1;
    }
    log_info("stopped cleanly");
    return 0;
}

/* web/dist next to the working directory, when it has been built. */
const char *cli_default_static_dir(void)
{
    return access("web/dist/index.html", R_OK) == 0 ? "web/dist" : NULL;
}

/* A duration: N in unit_s seconds, or N followed by s, m or h. */
static bool parse_duration(const char *opt, const char *text, int64_t unit_s, int64_t min_s,
                           int64_t max_s, int64_t *out)
{
    size_t n = strlen(text);
    int64_t scale = unit_s;
    if (n > 1 && (text[n - 1] == 's' || text[n - 1] == 'm' || text[n - 1] == 'h')) {
        scale = text[n - 1] == 's' ? 1 : text[n - 1] == 'm' ? 60 : 3600;
        n--;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9' || i >= 9) {
            v = -1;
            break;
        }
        v = v * 10 + (text[i] - '0');
    }
    if (n == 0 || v < 0 || v * scale < min_s || v * scale > max_s) {
        fprintf(stderr, "huzhu serve: --%s must be a duration from %llds to %lldh, got '%s'\n",
                opt, (long long)min_s, (long long)(max_s / 3600), text);
        return false;
    }
    *out = v * scale;
    return true;
}

static const char serve_help[] =
    "usage: huzhu serve --db URL [--db-read URL] [--listen HOST:PORT] [--threads N]\n"
    "                   [--static DIR] [--idle-timeout MIN] [--session-max HOURS]\n"
    "                   [--officer-limit YUAN]\n\n"
    "Serves the JSON API under /api/v1 (and the web console from DIR) until\n"
    "SIGINT or SIGTERM; in-flight requests finish before it exits.\n\n"
    "  --db URL            SQLite file path or postgresql://user@host:port/dbname\n"
    "  --db-read URL       a streaming replica for reports and dashboards; reads\n"
    "                      fall back to the primary while it is down\n"
    "  --listen HOST:PORT  address to bind (default 127.0.0.1:8080; port 0 = any)\n"
    "  --threads N         worker threads, 1-64 (default 4)\n"
    "  --static DIR        built web assets (default web/dist if present)\n"
    "  --idle-timeout MIN  end a session unused this long (default 30; a suffix\n"
    "                      s, m or h gives other units: 90s, 2h)\n"
    "  --session-max HOURS end every session this long after sign-in, used or\n"
    "                      not (default 12; suffixes s, m, h as above)\n"
    "  --officer-limit YUAN\n"
    "                      the largest payout a claims officer approves alone;\n"
    "                      above it a claims approver must (default 5000; 0 sends\n"
    "                      every approval to an approver)\n";

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *db_read = NULL, *listen = "127.0.0.1:8080", *threads_s = NULL,
               *static_dir = NULL, *idle_s = NULL, *max_s = NULL, *officer_s = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL},
                                   {"db-read", false, &db_read, NULL},
                                   {"listen", false, &listen, NULL},
                                   {"threads", false, &threads_s, NULL},
                                   {"static", false, &static_dir, NULL},
                                   {"idle-timeout", false, &idle_s, NULL},
                                   {"session-max", false, &max_s, NULL},
                                   {"officer-limit", false, &officer_s, NULL}};
    if (args_parse("serve", argc, argv, opts, 8, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(serve_help, stdout);
        return 0;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu serve: --db is required\n");
        return 2;
    }
    unsigned long threads = LIMIT_HTTP_THREADS_DEFAULT;
    if (threads_s != NULL && !args_uint("serve", "threads", threads_s, 1,
                                        LIMIT_HTTP_THREADS_MAX, &threads)) {
        return 2;
    }
    auth_config_default(&serve_auth);
    if (idle_s != NULL &&
        !parse_duration("idle-timeout", idle_s, 60, LIMIT_SESSION_IDLE_MIN_S,
                        LIMIT_SESSION_IDLE_MAX_S, &serve_auth.idle_timeout_s)) {
        return 2;
    }
    if (max_s != NULL &&
        !parse_duration("session-max", max_s, 3600, LIMIT_SESSION_IDLE_MIN_S, LIMIT_SESSION_MAX_S,
                        &serve_auth.absolute_timeout_s)) {
        return 2;
    }
    serve_auth_set = true;
    claims_config_default(&serve_claims);
    if (officer_s != NULL) {
        int64_t fen;
        if (money_parse(officer_s, strlen(officer_s), &fen) != ERR_OK || fen < 0 ||
            fen > CLAIMS_OFFICER_LIMIT_MAX_FEN) {
            fprintf(stderr, "huzhu serve: --officer-limit must be yuan from 0 to %lld, got '%s'\n",
                    (long long)(CLAIMS_OFFICER_LIMIT_MAX_FEN / 100), officer_s);
            return 2;
        }
        serve_claims.officer_limit_fen = fen;
    }
    serve_claims_set = true;
    if (static_dir == NULL) {
        static_dir = cli_default_static_dir();
    }
    return cli_serve("serve", db, db_read, listen, (unsigned)threads, static_dir);
}

static const char backup_help[] =
    "usage: huzhu backup --db URL --out FILE\n\n"
    "Writes a consistent copy of the whole database to FILE while it may be\n"
    "in use: SQLite's online backup API (FILE is a SQLite database), or\n"
    "pg_dump's custom format for PostgreSQL. Back up the key file too (it is\n"
    "not in the database): without it, encrypted fields cannot be read.\n";

int cmd_backup(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}, {"out", false, &out, NULL}};
    if (args_parse("backup", argc, argv, opts, 2, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(backup_help, stdout);
        return 0;
    }
    if (db == NULL || out == NULL) {
        fprintf(stderr, "huzhu backup: --db and --out are required\n");
        return 2;
    }
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "huzhu backup: %s exists; refusing to overwrite it\n", out);
        return 1;
    }
    struct store *s;
    if (cli_open_store("backup", db, 1, false, &s) != 0) {
        return 1;
    }
    enum err e = store_backup(s, out);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu backup: failed: %s\n", err_str(e));
        unlink(out);
        return 1;
    }
    fprintf(stderr, "backup of %s written to %s\n", db, out);
    return 0;
}

static const char restore_help[] =
    "usage: huzhu restore --db URL --in FILE\n\n"
    "Replaces the database's contents with a backup made by huzhu backup, in\n"
    "one step: on failure the database is left as it was. Stop the server\n"
    "first. The SQLite file is created if missing.\n";

int cmd_restore(int argc, char **argv)
{
    const char *db = NULL, *in = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}, {"in", false, &in, NULL}};
    if (args_parse("restore", argc, argv, opts, 2, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(restore_help, stdout);
        return 0;
    }
    if (db == NULL || in == NULL) {
        fprintf(stderr, "huzhu restore: --db and --in are required\n");
        return 2;
    }
    if (access(in, R_OK) != 0) {
        fprintf(stderr, "huzhu restore: cannot read %s\n", in);
        return 1;
    }
    bool is_file = strncmp(db, "postgres", 8) != 0;
    bool existed = is_file && access(db, F_OK) == 0;
    struct store *s;
    if (cli_open_store("restore", db, 1, true, &s) != 0) {
        return 1;
    }
    enum err e = store_restore(s, in);
    int version = 0;
    if (e == ERR_OK) {
        e = store_check_schema(s, &version);
    }
    store_close(s);
    if (e == ERR_DB_SCHEMA) {
        fprintf(stderr, "restored %s; its schema %d differs from this binary's %d: run huzhu init\n",
                in, version, store_schema_latest());
        return 0;
    }
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu restore: failed: %s (the database is unchanged)\n", err_str(e));
        if (is_file && !existed) {
            unlink(db); /* don't leave an empty file we created */
        }
        return 1;
    }
    fprintf(stderr, "restored %s into %s (schema %d)\n", in, db, version);
    return 0;
}
