/* cmd_db: being written */
#include "cli/cmd.h"
int cmd_version(int argc, char **argv) { (void)argc; (void)argv; return 0; }
int cmd_init(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_serve(int argc, char **argv) { (void)argc; (void)argv; return 1; }
