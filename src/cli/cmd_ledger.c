/*
 * cmd_ledger: `huzhu ledger verify|earn|close|balances|report|load`.
 *
 * Reports and balances print JSON on stdout (amounts in integer fen);
 * verify prints one line and exits 1 naming the first problem. `load`
 * posts synthetic entries in batches (one durable commit each) for load
 * and crash tests: its keys derive from --seed and the entry number, so
 * running it again with the same seed after a crash replays what was
 * committed and posts the rest.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/date.h"
#include "core/limits.h"
#include "domain/ledger.h"
#include "store/store.h"

static const char ledger_help[] =
    "usage: huzhu ledger <subcommand> --db URL [options]\n\n"
    "The fund ledger (互助金账簿).\n\n"
    "  verify   --db URL                      check every entry, balance and limit;\n"
    "                                         exit 1 naming the first problem\n"
    "  earn     --db URL --period YYYY-MM [--fund CODE]\n"
    "                                         move contributions earned through the\n"
    "                                         period from unearned to income\n"
    "  close    --db URL --period YYYY-MM [--fund CODE]\n"
    "                                         earn, then close the period and store\n"
    "                                         its report\n"
    "  balances --db URL [--as-of YYYY-MM-DD] every account's balance (JSON)\n"
    "  report   --db URL --period YYYY-MM [--fund CODE]\n"
    "                                         trial balance, income statement, balance\n"
    "                                         sheet and ratios (JSON; the stored report\n"
    "                                         of a closed period)\n"
    "  load     --db URL --entries N [--batch N] [--seed N] [--fund CODE]\n"
    "                                         post N synthetic entries in batches\n"
    "                                         (load and crash tests)\n";

/* Opens the database and checks its schema; prints why not. */
static int open_db(const char *cmd, const char *url, struct store **s, struct store_conn **c)
{
    if (url == NULL) {
        fprintf(stderr, "huzhu ledger %s: --db is required\n", cmd);
        return 2;
    }
    if (cli_open_store("ledger", url, 1, false, s) != 0) {
        return 1;
    }
    int version;
    enum err e = store_check_schema(*s, &version);
    if (e == ERR_OK) {
        e = store_acquire(*s, c);
    }
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu ledger %s: %s\n", cmd,
                e == ERR_DB_SCHEMA ? "database schema is not current (run huzhu init)"
                                   : err_str(e));
        store_close(*s);
        return 1;
    }
    return 0;
}

static void close_db(struct store *s, struct store_conn *c)
{
    store_release(c);
    store_close(s);
}

static const struct audit_actor *cli_actor(void)
{
    static const struct audit_actor a = {0, "cli", "", 0, ""};
    return &a;
}

/* Parses options common to the subcommands. */
struct opts {
    const char *db, *period, *fund, *as_of, *entries, *batch, *seed;
};

static int parse(const char *sub, int argc, char **argv, struct opts *o, bool *help)
{
    const struct arg_opt table[] = {
        {"db", false, &o->db, NULL},         {"period", false, &o->period, NULL},
        {"fund", false, &o->fund, NULL},     {"as-of", false, &o->as_of, NULL},
        {"entries", false, &o->entries, NULL}, {"batch", false, &o->batch, NULL},
        {"seed", false, &o->seed, NULL},
    };
    char name[32];
    snprintf(name, sizeof(name), "ledger %s", sub);
    int npos;
    return args_parse(name, argc, argv, table, (int)(sizeof(table) / sizeof(table[0])), NULL, 0,
                      &npos, help);
}

static int cmd_verify(struct opts *o)
{
    struct store *s;
    struct store_conn *c;
    int rc = open_db("verify", o->db, &s, &c);
    if (rc != 0) {
        return rc;
    }
    struct ledger_verify_result v;
    enum err e = ledger_verify(c, &v);
    close_db(s, c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu ledger verify: %s\n", err_str(e));
        return 1;
    }
    if (!v.ok) {
        printf("ledger verify: FAILED: %s\n", v.problem);
        return 1;
    }
    printf("ledger verify: ok, %lld entries\n", (long long)v.entries);
    return 0;
}

static int need_period(const char *sub, const struct opts *o)
{
    if (o->period == NULL) {
        fprintf(stderr, "huzhu ledger %s: --period YYYY-MM is required\n", sub);
        return 2;
    }
    return 0;
}

static int cmd_earn(struct opts *o)
{
    struct store *s;
    struct store_conn *c;
    int rc = need_period("earn", o);
    if (rc != 0 || (rc = open_db("earn", o->db, &s, &c)) != 0) {
        return rc;
    }
    struct ledger_earn_result r;
    enum err e = ledger_earn(c, cli_actor(), o->fund, o->period, &r);
    close_db(s, c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu ledger earn: %s\n", err_str(e));
        return e == ERR_INVALID_DATE ? 2 : 1;
    }
    printf("earned %s: %lld entries, %lld schedules, %lld fen\n", o->period,
           (long long)r.entries, (long long)r.schedules, (long long)r.amount_fen);
    return 0;
}

static int cmd_close(struct opts *o)
{
    struct store *s;
    struct store_conn *c;
    int rc = need_period("close", o);
    if (rc != 0 || (rc = open_db("close", o->db, &s, &c)) != 0) {
        return rc;
    }
    enum err e = ledger_close(c, cli_actor(), o->fund, o->period);
    close_db(s, c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu ledger close: %s\n", err_str(e));
        return e == ERR_INVALID_DATE ? 2 : 1;
    }
    printf("closed %s\n", o->period);
    return 0;
}

static enum err balance_row(void *ctx, const struct ledger_balance *b)
{
    json_t *a = ctx;
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "fund", b->fund, "code", b->code, "name",
                          b->name, "balance_fen", (json_int_t)b->balance_fen);
    return o != NULL && json_array_append_new(a, o) == 0 ? ERR_OK : ERR_NOMEM;
}

static int print_json(json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (text == NULL) {
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}

static int cmd_balances(struct opts *o)
{
    struct store *s;
    struct store_conn *c;
    int rc = open_db("balances", o->db, &s, &c);
    if (rc != 0) {
        return rc;
    }
    json_t *accounts = json_array();
    enum err e = accounts ? ledger_balances(c, o->as_of, balance_row, accounts) : ERR_NOMEM;
    close_db(s, c);
    if (e != ERR_OK) {
        json_decref(accounts);
        fprintf(stderr, "huzhu ledger balances: %s\n", err_str(e));
        return e == ERR_INVALID_DATE ? 2 : 1;
    }
    json_t *root = json_pack("{s:s?, s:o}", "as_of", o->as_of, "accounts", accounts);
    return root ? print_json(root) : 1;
}

/* The report of one fund: the stored one of a closed period, else live. */
static enum err fund_report(struct store_conn *c, const char *fund, const char *period,
                            json_t **out)
{
    bool found;
    char *text = NULL;
    enum err e = ledger_report_stored(c, fund, period, &found, &text);
    if (e == ERR_OK && !found) {
        struct ledger_report r;
        if ((e = ledger_report(c, fund, period, &r)) == ERR_OK) {
            e = ledger_report_json(&r, &text);
        }
    }
    if (e == ERR_OK) {
        json_error_t jerr;
        *out = json_loads(text, 0, &jerr);
        e = *out ? ERR_OK : ERR_INTERNAL;
        if (*out != NULL) {
            json_object_set_new(*out, "closed", json_boolean(found));
        }
    }
    free(text);
    return e;
}

struct fund_names {
    json_t *codes;
};

static enum err collect_fund(void *ctx, const struct ledger_balance *b)
{
    struct fund_names *f = ctx;
    size_t n = json_array_size(f->codes);
    if (n > 0 && strcmp(json_string_value(json_array_get(f->codes, n - 1)), b->fund) == 0) {
        return ERR_OK;
    }
    return json_array_append_new(f->codes, json_string(b->fund)) == 0 ? ERR_OK : ERR_NOMEM;
}

static int cmd_report(struct opts *o)
{
    struct store *s;
    struct store_conn *c;
    int rc = need_period("report", o);
    if (rc != 0 || (rc = open_db("report", o->db, &s, &c)) != 0) {
        return rc;
    }
    json_t *out = NULL;
    enum err e;
    if (o->fund != NULL) {
        e = fund_report(c, o->fund, o->period, &out);
    } else {
        struct fund_names f = {json_array()};
        out = json_array();
        e = f.codes && out ? ledger_balances(c, NULL, collect_fund, &f) : ERR_NOMEM;
        for (size_t i = 0; e == ERR_OK && i < json_array_size(f.codes); i++) {
            json_t *one;
            e = fund_report(c, json_string_value(json_array_get(f.codes, i)), o->period, &one);
            if (e == ERR_OK) {
                json_array_append_new(out, one);
            }
        }
        json_decref(f.codes);
    }
    close_db(s, c);
    if (e != ERR_OK) {
        json_decref(out);
        fprintf(stderr, "huzhu ledger report: %s\n", err_str(e));
        return e == ERR_INVALID_DATE ? 2 : 1;
    }
    return print_json(out);
}

/* --- load ------------------------------------------------------------------------ */

struct load_entry {
    struct ledger_line_in lines[2];
    char key[48], date[DATE_TEXT_LEN + 1], cover_start[DATE_TEXT_LEN + 1];
    char cover_end[DATE_TEXT_LEN + 1];
};

/* Entry i of n: a contribution, a subsidy, a claim, then its payment,
 * dated through 2024 in order. */
static void load_entry(const char *fund, unsigned long seed, unsigned long i, unsigned long n,
                       struct load_entry *b, struct ledger_entry_in *in)
{
    struct date d0, d;
    if (date_from_ymd(2024, 1, 1, &d0) != ERR_OK) {
        abort();
    }
    d = date_add_days(d0, (int32_t)(i * 365 / (n ? n : 1)));
    date_format(d, b->date);
    snprintf(b->key, sizeof(b->key), "load:%lu:%lu", seed, i);
    static const enum ledger_kind kinds[4] = {LEDGER_KIND_CONTRIBUTION, LEDGER_KIND_SUBSIDY,
                                              LEDGER_KIND_CLAIM_PAYABLE, LEDGER_KIND_PAYOUT};
    static const int64_t amounts[4] = {12000, 5000, 3000, 3000};
    struct ledger_money_in m = {.fund = fund, .date = b->date, .amount_fen = amounts[i % 4],
                                .source_id = "load", .idem_key = b->key};
    if (i % 4 == 0) {
        date_format(d, b->cover_start);
        date_format(date_add_days(date_add_months(d, 12), -1), b->cover_end);
        m.cover_start = b->cover_start;
        m.cover_end = b->cover_end;
    }
    ledger_entry_of_kind(kinds[i % 4], &m, b->lines, in);
}

static int cmd_load(struct opts *o)
{
    unsigned long n = 0, batch = LIMIT_BATCH_ROWS, seed = 1;
    if (o->entries == NULL || !args_uint("ledger load", "entries", o->entries, 1, 100000000, &n) ||
        (o->batch && !args_uint("ledger load", "batch", o->batch, 1, LEDGER_BATCH_MAX, &batch)) ||
        (o->seed && !args_uint("ledger load", "seed", o->seed, 0, 1000000000, &seed))) {
        if (o->entries == NULL) {
            fprintf(stderr, "huzhu ledger load: --entries N is required\n");
        }
        return 2;
    }
    struct store *s;
    struct store_conn *c;
    int rc = open_db("load", o->db, &s, &c);
    if (rc != 0) {
        return rc;
    }
    const char *fund = o->fund ? o->fund : "POOL";
    struct load_entry *buf = malloc(batch * sizeof(*buf));
    struct ledger_entry_in *in = malloc(batch * sizeof(*in));
    struct ledger_result *out = malloc(batch * sizeof(*out));
    enum err e = buf && in && out ? ERR_OK : ERR_NOMEM;
    unsigned long posted = 0, replayed = 0, refused = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long i = 0; i < n && e == ERR_OK; i += batch) {
        size_t k = (size_t)(n - i < batch ? n - i : batch);
        for (size_t j = 0; j < k; j++) {
            load_entry(fund, seed, i + j, n, &buf[j], &in[j]);
        }
        e = ledger_post_batch(c, cli_actor(), in, k, out);
        for (size_t j = 0; j < k && e == ERR_OK; j++) {
            if (out[j].err != ERR_OK) {
                if (refused++ == 0) {
                    fprintf(stderr, "huzhu ledger load: entry %lu refused: %s (%s)\n", i + j,
                            err_str(out[j].err), out[j].field);
                }
            } else if (out[j].replayed) {
                replayed++;
            } else {
                posted++;
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close_db(s, c);
    free(buf);
    free(in);
    free(out);
    long long ms = (long long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("ledger load: %lu posted, %lu replayed, %lu refused in %lld ms\n", posted, replayed,
           refused, ms);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu ledger load: %s\n", err_str(e));
        return 1;
    }
    return refused ? 1 : 0;
}

int cmd_ledger(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "huzhu ledger: say verify, earn, close, balances, report or load"
                        " (see huzhu ledger --help)\n");
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(ledger_help, stdout);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(struct opts *o);
    } subs[] = {
        {"verify", cmd_verify}, {"earn", cmd_earn},     {"close", cmd_close},
        {"balances", cmd_balances}, {"report", cmd_report}, {"load", cmd_load},
    };
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(sub, subs[i].name) == 0) {
            struct opts o = {0};
            bool help = false;
            int rc = parse(sub, argc - 1, argv + 1, &o, &help);
            if (rc != 0) {
                return rc;
            }
            if (help) {
                fputs(ledger_help, stdout);
                return 0;
            }
            return subs[i].run(&o);
        }
    }
    fprintf(stderr, "huzhu ledger: unknown subcommand '%s'\n", sub);
    return 2;
}
