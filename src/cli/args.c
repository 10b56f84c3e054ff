/* args: `--name value` option parsing for subcommands. */
#include "cli/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int args_parse(const char *cmd, int argc, char **argv, const struct arg_opt *opts, int nopts,
               const char **positional, int max_positional, int *npositional, bool *help)
{
    *help = false;
    if (npositional != NULL) {
        *npositional = 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = true;
            return 0;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (npositional == NULL || *npositional >= max_positional) {
                fprintf(stderr, "huzhu %s: unexpected argument '%s'\n", cmd, a);
                return 2;
            }
            positional[(*npositional)++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct arg_opt *o = NULL;
        for (int k = 0; k < nopts; k++) {
            if (strlen(opts[k].name) == name_len && strncmp(opts[k].name, name, name_len) == 0) {
                o = &opts[k];
                break;
            }
        }
        if (o == NULL) {
            fprintf(stderr, "huzhu %s: unknown option '--%.*s' (see huzhu %s --help)\n", cmd,
                    (int)name_len, name, cmd);
            return 2;
        }
        if (o->is_flag) {
            if (eq != NULL) {
                fprintf(stderr, "huzhu %s: option '--%s' takes no value\n", cmd, o->name);
                return 2;
            }
            *o->flag = true;
            continue;
        }
        if (eq != NULL) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            fprintf(stderr, "huzhu %s: option '--%s' needs a value\n", cmd, o->name);
            return 2;
        }
        if ((*o->value)[0] == '\0') {
            fprintf(stderr, "huzhu %s: option '--%s' needs a non-empty value\n", cmd, o->name);
            return 2;
        }
    }
    return 0;
}

bool args_uint(const char *cmd, const char *opt, const char *text, unsigned long min,
               unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "huzhu %s: --%s must be a whole number from %lu to %lu\n", cmd, opt, min,
                max);
        return false;
    }
    *out = v;
    return true;
}
