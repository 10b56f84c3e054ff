/*
 * args: the option parser every subcommand shares.
 *
 * Options are `--name value` or `--name=value`; flags are `--name`. A command
 * declares its options in a table; args_parse fills the table's out fields
 * and refuses unknown options, missing values and stray words with a
 * one-line reason on stderr (the caller then exits 2). `--help` sets
 * *help and stops parsing.
 */
#ifndef HUZHU_CLI_ARGS_H
#define HUZHU_CLI_ARGS_H

#include <stdbool.h>

struct arg_opt {
    const char *name;   /* without the leading "--" */
    bool is_flag;       /* takes no value */
    const char **value; /* out: the value, untouched if absent */
    bool *flag;         /* out: set when a flag is present */
};

/* Parses argv[1..argc-1] (argv[0] is the command name). Positional words are
 * collected into positional[] up to max_positional; more is an error.
 * Returns 0 on success, 2 on a usage error (already reported). */
int args_parse(const char *cmd, int argc, char **argv, const struct arg_opt *opts, int nopts,
               const char **positional, int max_positional, int *npositional, bool *help);

/* Parses a decimal unsigned in [min, max]; false (with a message) otherwise. */
bool args_uint(const char *cmd, const char *opt, const char *text, unsigned long min,
               unsigned long max, unsigned long *out);

#endif
