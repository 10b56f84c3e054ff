/*
 * cmd_user: `huzhu user add|passwd|disable|list`, account administration
 * from the command line (the first admin is made this way).
 *
 * Passwords come from the first line of stdin, never from arguments (which
 * other users can read in the process list); echo is off when stdin is a
 * terminal, and the buffer is wiped. Every change is audited with the actor
 * "cli". Exit codes: 0 done, 1 refused or failed (weak password, unknown
 * org or login, login taken), 2 bad arguments.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "domain/auth.h"
#include "store/store.h"

#define PASSWORD_LINE_MAX (AUTH_PASSWORD_MAX_BYTES + 2) /* the password, "\r\n" */

static const char user_help[] =
    "usage: huzhu user add --db URL --login NAME --role ROLE --org CODE\n"
    "                      [--name DISPLAY] [--member-id N]\n"
    "       huzhu user passwd --db URL --login NAME\n"
    "       huzhu user disable --db URL --login NAME\n"
    "       huzhu user list --db URL\n\n"
    "Manages accounts. add and passwd read the password from the first line\n"
    "of stdin: at least 10 characters, at most 128 bytes, not a common\n"
    "password, not the login. disable also ends the user's sessions.\n\n"
    "  --login NAME     2-64 characters of a-z 0-9 . _ @ - (stored lower case)\n"
    "  --role ROLE      admin, supervisor, unit_staff, claims_officer,\n"
    "                   claims_approver, finance, auditor or member\n"
    "  --org CODE       the organisation the account belongs to\n"
    "  --name DISPLAY   display name, up to 50 characters\n"
    "  --member-id N    the member a 'member' account is (required for it)\n";

/* Opens the store, checks its schema and takes a connection. */
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

static void close_conn(struct store *s, struct store_conn *c)
{
    store_release(c);
    store_close(s);
}

/* Reads the first line of stdin into buf (wiped by the caller). Echo is off
 * on a terminal. Returns 0, or 1 with a message. */
static int read_password(const char *cmd, char *buf, size_t cap, size_t *len)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fputs("password: ", stderr);
    }
    char *got = fgets(buf, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    size_t n = got != NULL ? strlen(buf) : 0;
    bool whole_line = n > 0 && buf[n - 1] == '\n';
    if (n == cap - 1 && !whole_line) {
        fprintf(stderr, "huzhu %s: password is longer than %d bytes\n", cmd,
                AUTH_PASSWORD_MAX_BYTES);
        return 1;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        fprintf(stderr, "huzhu %s: no password on stdin (give it as the first line)\n", cmd);
        return 1;
    }
    *len = n;
    return 0;
}

struct add_args {
    const char *db, *login, *role, *org, *name, *member_id;
};

/* Checks what can be checked without the database; 0 or 2. */
static int add_check_args(const struct add_args *a, int64_t *member_id)
{
    char login[AUTH_LOGIN_MAX + 1];
    enum auth_role role;
    if (a->db == NULL || a->login == NULL || a->role == NULL || a->org == NULL) {
        fprintf(stderr, "huzhu user add: --db, --login, --role and --org are required\n");
        return 2;
    }
    if (auth_login_normalize(a->login, strlen(a->login), login) != ERR_OK) {
        fprintf(stderr, "huzhu user add: --login must be 2-64 of a-z 0-9 . _ @ -\n");
        return 2;
    }
    if (auth_role_parse(a->role, strlen(a->role), &role) != ERR_OK) {
        fprintf(stderr, "huzhu user add: unknown role '%s' (see huzhu user --help)\n", a->role);
        return 2;
    }
    unsigned long id = 0;
    if (a->member_id != NULL &&
        !args_uint("user add", "member-id", a->member_id, 1, (unsigned long)INT64_MAX, &id)) {
        return 2;
    }
    if ((role == AUTH_ROLE_MEMBER) != (id != 0)) {
        fprintf(stderr, "huzhu user add: --member-id is required for role member, and only "
                        "for it\n");
        return 2;
    }
    *member_id = (int64_t)id;
    return 0;
}

static int add_report(const struct add_args *a, enum err e, const char *why, int64_t id)
{
    switch (e) {
    case ERR_OK:
        fprintf(stderr, "user %s created (id %lld, role %s, org %s)\n", a->login, (long long)id,
                a->role, a->org);
        return 0;
    case ERR_WEAK_PASSWORD:
        fprintf(stderr, "huzhu user add: weak password: %s\n", why ? why : "refused");
        return 1;
    case ERR_NOT_FOUND:
        fprintf(stderr, "huzhu user add: no organisation with code '%s'\n", a->org);
        return 1;
    case ERR_EXISTS:
        fprintf(stderr, "huzhu user add: login '%s' is taken\n", a->login);
        return 1;
    case ERR_CONFLICT:
        fprintf(stderr, "huzhu user add: no member with id %s\n", a->member_id ? a->member_id : "");
        return 1;
    case ERR_INVALID:
        fprintf(stderr, "huzhu user add: --name must be UTF-8 of at most 50 characters\n");
        return 2;
    default:
        fprintf(stderr, "huzhu user add: failed: %s\n", err_str(e));
        return 1;
    }
}

static int user_add(int argc, char **argv)
{
    struct add_args a = {0};
    bool help;
    const struct arg_opt opts[] = {
        {"db", false, &a.db, NULL},     {"login", false, &a.login, NULL},
        {"role", false, &a.role, NULL}, {"org", false, &a.org, NULL},
        {"name", false, &a.name, NULL}, {"member-id", false, &a.member_id, NULL}};
    if (args_parse("user add", argc, argv, opts, 6, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(user_help, stdout);
        return 0;
    }
    int64_t member_id = 0;
    int rc = add_check_args(&a, &member_id);
    if (rc != 0) {
        return rc;
    }
    char pw[PASSWORD_LINE_MAX + 1];
    size_t len = 0;
    if (read_password("user add", pw, sizeof(pw), &len) != 0) {
        sodium_memzero(pw, sizeof(pw));
        return 1;
    }
    struct store *s;
    struct store_conn *c;
    if (open_conn("user add", a.db, &s, &c) != 0) {
        sodium_memzero(pw, sizeof(pw));
        return 1;
    }
    struct auth_user_new u = {.login = a.login, .display_name = a.name, .role = a.role,
                              .org_code = a.org, .member_id = member_id, .password = pw,
                              .password_len = len};
    const char *why = NULL;
    int64_t id = 0;
    enum err e = auth_user_create(c, &auth_actor_cli, &u, auth_now_ms(), &id, &why);
    sodium_memzero(pw, sizeof(pw));
    close_conn(s, c);
    return add_report(&a, e, why, id);
}

/* passwd and disable: --db and --login. */
static int parse_db_login(const char *cmd, int argc, char **argv, const char **db,
                          const char **login, bool *help)
{
    const struct arg_opt opts[] = {{"db", false, db, NULL}, {"login", false, login, NULL}};
    if (args_parse(cmd, argc, argv, opts, 2, NULL, 0, NULL, help) != 0) {
        return 2;
    }
    if (!*help && (*db == NULL || *login == NULL)) {
        fprintf(stderr, "huzhu %s: --db and --login are required\n", cmd);
        return 2;
    }
    return 0;
}

static int change_report(const char *cmd, const char *login, enum err e, const char *why,
                         const char *done)
{
    if (e == ERR_OK) {
        fprintf(stderr, "user %s: %s\n", login, done);
        return 0;
    }
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "huzhu %s: no user with login '%s'\n", cmd, login);
    } else if (e == ERR_WEAK_PASSWORD) {
        fprintf(stderr, "huzhu %s: weak password: %s\n", cmd, why ? why : "refused");
    } else {
        fprintf(stderr, "huzhu %s: failed: %s\n", cmd, err_str(e));
    }
    return 1;
}

static int user_passwd(int argc, char **argv)
{
    const char *db = NULL, *login = NULL;
    bool help;
    int rc = parse_db_login("user passwd", argc, argv, &db, &login, &help);
    if (rc != 0 || help) {
        if (help) {
            fputs(user_help, stdout);
        }
        return rc;
    }
    char pw[PASSWORD_LINE_MAX + 1];
    size_t len = 0;
    struct store *s;
    struct store_conn *c;
    if (read_password("user passwd", pw, sizeof(pw), &len) != 0 ||
        open_conn("user passwd", db, &s, &c) != 0) {
        sodium_memzero(pw, sizeof(pw));
        return 1;
    }
    const char *why = NULL;
    enum err e = auth_user_set_password(c, &auth_actor_cli, login, pw, len, auth_now_ms(), &why);
    sodium_memzero(pw, sizeof(pw));
    close_conn(s, c);
    return change_report("user passwd", login, e, why,
                         "password changed; their sessions were ended");
}

static int user_disable(int argc, char **argv)
{
    const char *db = NULL, *login = NULL;
    bool help;
    int rc = parse_db_login("user disable", argc, argv, &db, &login, &help);
    if (rc != 0 || help) {
        if (help) {
            fputs(user_help, stdout);
        }
        return rc;
    }
    struct store *s;
    struct store_conn *c;
    if (open_conn("user disable", db, &s, &c) != 0) {
        return 1;
    }
    enum err e = auth_user_disable(c, &auth_actor_cli, login, auth_now_ms());
    close_conn(s, c);
    return change_report("user disable", login, e, NULL, "disabled; their sessions were ended");
}

static enum err print_user(const struct store_user_row *u, void *ctx)
{
    (void)ctx;
    printf("%s\t%s\t%s\t%s\t%s\n", u->login, u->role, u->org_code,
           u->disabled ? "disabled" : "active", u->display_name);
    return ERR_OK;
}

static int user_list(int argc, char **argv)
{
    const char *db = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}};
    if (args_parse("user list", argc, argv, opts, 1, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(user_help, stdout);
        return 0;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu user list: --db is required\n");
        return 2;
    }
    struct store *s;
    struct store_conn *c;
    if (open_conn("user list", db, &s, &c) != 0) {
        return 1;
    }
    printf("login\trole\torg\tstatus\tname\n");
    enum err e = store_user_each(c, print_user, NULL);
    close_conn(s, c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu user list: failed: %s\n", err_str(e));
        return 1;
    }
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "huzhu user: say add, passwd, disable or list (see huzhu user --help)\n");
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(user_help, stdout);
        return 0;
    }
    if (strcmp(sub, "add") == 0) {
        return user_add(argc - 1, argv + 1);
    }
    if (strcmp(sub, "passwd") == 0) {
        return user_passwd(argc - 1, argv + 1);
    }
    if (strcmp(sub, "disable") == 0) {
        return user_disable(argc - 1, argv + 1);
    }
    if (strcmp(sub, "list") == 0) {
        return user_list(argc - 1, argv + 1);
    }
    fprintf(stderr, "huzhu user: unknown subcommand '%s' (add, passwd, disable, list)\n", sub);
    return 2;
}
