/*
 * cmd: the subcommands of the huzhu binary. Each takes argc/argv after the
 * command name and returns the process exit code: 0 ok, 1 the work failed,
 * 2 bad arguments (with a one-line reason on stderr).
 */
#ifndef HUZHU_CLI_CMD_H
#define HUZHU_CLI_CMD_H

int cmd_version(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_adjudicate(int argc, char **argv);

#endif
