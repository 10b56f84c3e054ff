/* cmd_adjudicate: placeholder until the adjudication engine lands. */
#include <stdio.h>

#include "cli/cmd.h"

int cmd_adjudicate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "huzhu adjudicate: not built yet\n");
    return 1;
}
