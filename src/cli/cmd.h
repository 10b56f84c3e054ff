/*
 * cmd: the subcommands of the huzhu binary. Each takes argc/argv after the
 * command name and returns the process exit code: 0 ok, 1 the work failed,
 * 2 bad arguments (with a one-line reason on stderr).
 */
#ifndef HUZHU_CLI_CMD_H
#define HUZHU_CLI_CMD_H

#include <stdbool.h>

struct store;

int cmd_version(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_adjudicate(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_rekey(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_enrol(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_org(int argc, char **argv);

/* Shared by the commands (cmd_db.c). Each prints its own error and returns
 * an exit code (0 ok). */
int cli_open_store(const char *cmd, const char *url, unsigned pool, bool create,
                   struct store **out);
int cli_init_db(const char *cmd, const char *url, const char *key_path);
int cli_serve(const char *cmd, const char *db, const char *db_read, const char *listen,
              unsigned threads, const char *static_dir);
const char *cli_default_static_dir(void);

#endif
