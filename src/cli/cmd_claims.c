/*
 * cmd_claims: `huzhu claims` for operations: import the no-application
 * settlement feed, show a claim, list claims, the assistance referral list
 * and the payout-time figure, and pays one payable claim by hand (or
 * records its returned payment; batches go through the API). The command
 * line acts as admin over every organisation (claims_actor_cli); decisions
 * (approve, reject) belong to named users through the API, so they are not
 * offered here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/csv.h"
#include "core/date.h"
#include "domain/assistance.h"
#include "domain/claim_feed.h"
#include "domain/claims.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"
#include "store/store_claims.h"

static const char claims_help[] =
    "usage: huzhu claims feed --db URL [--as-of DATE] [--report OUT.csv] [--key PATH] FILE.csv\n"
    "       huzhu claims show --db URL [--key PATH] ID\n"
    "       huzhu claims list --db URL [--status STATUS] [--limit N]\n"
    "       huzhu claims referrals --db URL [--year YYYY]\n"
    "       huzhu claims payout-time --db URL\n"
    "       huzhu claims pay --db URL [--on DATE] [--batch REF] ID\n"
    "       huzhu claims payout-failed --db URL --reason TEXT [--on DATE] ID\n\n"
    "feed         imports basic medical insurance settlement records (免申即享): every\n"
    "             record of an enrolled member becomes a claim judged under the member's\n"
    "             inpatient and allowance plans; a settlement id seen before is ignored;\n"
    "             people not enrolled are counted. One transaction. Prints\n"
    "             {\"rows\", \"created\", \"duplicates\", \"not_enrolled\", \"rejected\",\n"
    "             \"pairs_approved\", \"flagged\", \"payout_fen\"}; refused rows go to the\n"
    "             report (row,field,code,message).\n"
    "show         one claim as JSON: results with explanations, events, documents.\n"
    "list         the latest claims (default 50), one JSON object per line.\n"
    "referrals    the hardship-assistance referral list (帮扶衔接), one JSON per line.\n"
    "payout-time  submitted -> paid over every paid claim: count, mean, median, max (ms).\n"
    "pay          pays one payable claim by hand (benefits payable -> bank, value date\n"
    "             --on, default today; --batch names the bank reference); the API pays\n"
    "             through payout batches.\n"
    "             Prints {\"id\", \"status\", \"pending\"}; pending: a second finance user\n"
    "             must approve the payment in the ledger, then pay again.\n"
    "payout-failed  the bank returned a paid claim's payment: back to payable.\n\n"
    "  --as-of DATE   the feed's date: submission date of its claims (default today,\n"
    "                 or $HUZHU_TODAY)\n"
    "  --key PATH     field-encryption key (default as huzhu init)\n\n"
    "Exit status: 0 done, 1 failed (nothing imported), 2 usage.\n";

struct claims_args {
    const char *db, *as_of, *report, *key, *status, *limit, *year, *on, *batch, *reason;
    const char *pos[2];
    int npos;
};

static int open_all(const struct claims_args *a, struct store **s, struct fieldcrypt **fc)
{
    *fc = NULL;
    if (cli_open_store("claims", a->db, 1, false, s) != 0) {
        return 1;
    }
    int version = 0;
    if (store_check_schema(*s, &version) != ERR_OK) {
        fprintf(stderr, "huzhu claims: database schema is %d, this binary needs %d\n", version,
                store_schema_latest());
        store_close(*s);
        return 1;
    }
    char path[4096];
    const char *key = a->key;
    if (key == NULL) {
        fieldcrypt_default_path(a->db, path, sizeof(path));
        key = path;
    }
    enum err e = fieldcrypt_open(key, fc);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: cannot open key file %s: %s\n", key, err_str(e));
        store_close(*s);
        return 1;
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Monotonic clock in microseconds: integers only in claims code. */
static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* SHA-256 of a file in hex; "" when it cannot be read. */
static void file_sha256(const char *path, char out[65])
{
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return;
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        crypto_hash_sha256_update(&st, buf, n);
    }
    bool ok = !ferror(f);
    fclose(f);
    if (ok) {
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&st, h);
        sodium_bin2hex(out, 65, h, sizeof(h));
    }
}

static void progress(void *ctx, uint64_t rows)
{
    (void)ctx;
    fprintf(stderr, "claims feed: %" PRIu64 " rows read\n", rows);
}

static int run_feed(const struct claims_args *a, struct store *s, struct fieldcrypt *fc)
{
    const char *file = a->pos[1];
    struct claims_config cfg;
    claims_config_default(&cfg);
    struct claims_ctx ctx = {fc, &cfg, now_ms(), date_today(), "cli"};
    if (a->as_of != NULL && date_parse(a->as_of, strlen(a->as_of), &ctx.today) != ERR_OK) {
        fprintf(stderr, "huzhu claims: --as-of must be YYYY-MM-DD, got '%s'\n", a->as_of);
        return 2;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "huzhu claims: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    char sha[65];
    file_sha256(file, sha);
    struct csv_reader *r = NULL;
    enum err e = csv_open_fd(fd, &r);
    if (e != ERR_OK) {
        close(fd);
        fprintf(stderr, "huzhu claims: %s: %s\n", file, err_str(e));
        return 1;
    }
    char tmp[4096] = "";
    FILE *report = NULL;
    if (a->report != NULL) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", a->report);
        if ((report = fopen(tmp, "w")) == NULL) {
            fprintf(stderr, "huzhu claims: cannot write %s: %s\n", tmp, strerror(errno));
            csv_close(r);
            close(fd);
            return 1;
        }
    }
    const char *base = strrchr(file, '/');
    struct claim_feed_options opt = {base != NULL ? base + 1 : file, sha, report, progress, NULL};
    struct store_conn *c;
    struct claim_feed_summary sum;
    const char *bad = NULL;
    int64_t t0 = mono_us();
    e = store_acquire(s, &c);
    if (e == ERR_OK) {
        e = claim_feed_import(c, &ctx, &claims_actor_cli, r, &opt, &sum, &bad);
        store_release(c);
    }
    int64_t us = mono_us() - t0;
    csv_close(r);
    close(fd);
    int rc = 0;
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: %s: nothing imported: %s%s%s%s\n", file, err_str(e),
                bad != NULL ? " (" : "", bad != NULL ? bad : "", bad != NULL ? ")" : "");
        rc = 1;
    } else {
        char json[256];
        claim_feed_summary_json(&sum, json, sizeof(json));
        printf("%s\n", json);
        fprintf(stderr, "claims feed: %s: %" PRIu64 " rows in %" PRId64 " ms (%" PRId64
                " rows/s)\n",
                file, sum.rows, us / 1000, us > 0 ? (int64_t)sum.rows * 1000000 / us : 0);
    }
    if (report != NULL) {
        bool written = fclose(report) == 0;
        if (rc == 0 && (!written || rename(tmp, a->report) != 0)) {
            fprintf(stderr, "huzhu claims: imported, but the report %s could not be written\n",
                    a->report);
            rc = 1;
        }
        if (rc != 0) {
            unlink(tmp);
        }
    }
    return rc;
}

static int run_show(const struct claims_args *a, struct store *s, struct fieldcrypt *fc)
{
    char *end;
    errno = 0;
    long long id = strtoll(a->pos[1], &end, 10);
    if (errno != 0 || *end != '\0' || id <= 0) {
        fprintf(stderr, "huzhu claims: the claim id must be a positive number\n");
        return 2;
    }
    struct claims_config cfg;
    claims_config_default(&cfg);
    struct claims_ctx ctx = {fc, &cfg, now_ms(), date_today(), "cli"};
    struct store_conn *c;
    json_t *v = NULL;
    enum err e = store_acquire(s, &c);
    if (e == ERR_OK) {
        e = claim_to_json(c, &ctx, &claims_actor_cli, id, &v);
        store_release(c);
    }
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: claim %lld: %s\n", id, err_str(e));
        return 1;
    }
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(v);
    if (text == NULL) {
        return 1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

static enum err list_fn(void *ctx, const struct store_claim_brief *b)
{
    (void)ctx;
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)b->id,
                          "member_id", (json_int_t)b->member_id, "channel", b->channel, "status",
                          b->status, "plans", b->plan_codes, "payout_fen",
                          (json_int_t)b->payout_fen, "risk_flags", (json_int_t)b->risk_flags,
                          "created_ms", (json_int_t)b->created_ms);
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text == NULL) {
        return ERR_NOMEM;
    }
    printf("%s\n", text);
    free(text);
    return ERR_OK;
}

static enum err referral_fn(void *ctx, const struct store_assist_row *r)
{
    (void)ctx;
    printf("{\"member_id\": %" PRId64 ", \"year\": %d, \"oop_fen\": %" PRId64
           ", \"aid_paid_fen\": %" PRId64 ", \"remaining_fen\": %" PRId64
           ", \"hardship\": %s, \"reason\": \"%s\", \"status\": \"%s\"}\n",
           r->member_id, r->year, r->oop_fen, r->aid_paid_fen, r->remaining_fen,
           r->hardship ? "true" : "false", r->reason, r->status);
    return ERR_OK;
}

static int run_report(const struct claims_args *a, struct store *s, const char *what)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: %s\n", err_str(e));
        return 1;
    }
    if (strcmp(what, "list") == 0) {
        unsigned long limit = 50;
        enum claim_status st;
        if ((a->limit != NULL && !args_uint("claims", "limit", a->limit, 1, 100000, &limit)) ||
            (a->status != NULL && !claim_status_parse(a->status, &st))) {
            store_release(c);
            fprintf(stderr, "huzhu claims: bad --limit or --status\n");
            return 2;
        }
        struct store_claim_filter f = {.status = a->status, .path = "/", .limit = limit};
        e = store_claim_each(c, &f, list_fn, NULL);
    } else if (strcmp(what, "referrals") == 0) {
        unsigned long year = 0;
        if (a->year != NULL && !args_uint("claims", "year", a->year, 1900, 9999, &year)) {
            store_release(c);
            return 2;
        }
        e = assistance_list(c, &claims_actor_cli, (int)year, referral_fn, NULL);
    } else {
        struct claims_payout_time pt;
        e = claims_payout_time(c, 0, INT64_MAX, &pt);
        if (e == ERR_OK) {
            printf("{\"claims\": %" PRId64 ", \"mean_ms\": %" PRId64 ", \"median_ms\": %" PRId64
                   ", \"max_ms\": %" PRId64 "}\n",
                   pt.claims, pt.mean_ms, pt.median_ms, pt.max_ms);
        }
    }
    store_release(c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: %s\n", err_str(e));
        return 1;
    }
    return 0;
}

/* `pay ID` and `payout-failed ID`: one claim paid by hand (claim_pay), as
 * the command line (admin); payout batches are the API's way. */
static int run_pay(const struct claims_args *a, struct store *s, struct fieldcrypt *fc,
                   bool failed)
{
    char *end;
    errno = 0;
    long long id = strtoll(a->pos[1], &end, 10);
    if (errno != 0 || *end != '\0' || id <= 0) {
        fprintf(stderr, "huzhu claims: the claim id must be a positive number\n");
        return 2;
    }
    struct claims_config cfg;
    claims_config_default(&cfg);
    struct claims_ctx ctx = {fc, &cfg, now_ms(), date_today(), "cli"};
    struct date on = ctx.today;
    if (a->on != NULL && date_parse(a->on, strlen(a->on), &on) != ERR_OK) {
        fprintf(stderr, "huzhu claims: --on must be YYYY-MM-DD, got '%s'\n", a->on);
        return 2;
    }
    if (failed && a->reason == NULL) {
        fprintf(stderr, "huzhu claims: payout-failed needs --reason\n");
        return 2;
    }
    struct store_conn *c;
    bool pending = false;
    enum err e = store_acquire(s, &c);
    if (e == ERR_OK) {
        e = failed ? claim_payout_failed(c, &ctx, &claims_actor_cli, id, on, a->reason)
                   : claim_pay(c, &ctx, &claims_actor_cli, id, on, a->batch, &pending);
        store_release(c);
    }
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu claims: claim %lld: %s\n", id, err_str(e));
        return 1;
    }
    printf("{\"id\": %lld, \"status\": \"%s\", \"pending\": %s}\n", id,
           failed ? "payable" : pending ? "payable" : "paid", pending ? "true" : "false");
    return 0;
}

int cmd_claims(int argc, char **argv)
{
    struct claims_args a = {0};
    bool help = false;
    const struct arg_opt opts[] = {
        {"db", false, &a.db, NULL},         {"as-of", false, &a.as_of, NULL},
        {"report", false, &a.report, NULL}, {"key", false, &a.key, NULL},
        {"status", false, &a.status, NULL}, {"limit", false, &a.limit, NULL},
        {"year", false, &a.year, NULL},     {"on", false, &a.on, NULL},
        {"batch", false, &a.batch, NULL},   {"reason", false, &a.reason, NULL},
    };
    if (args_parse("claims", argc, argv, opts, 10, a.pos, 2, &a.npos, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(claims_help, stdout);
        return 0;
    }
    const char *sub = a.npos > 0 ? a.pos[0] : "";
    bool pays = strcmp(sub, "pay") == 0 || strcmp(sub, "payout-failed") == 0;
    bool takes_arg = strcmp(sub, "feed") == 0 || strcmp(sub, "show") == 0 || pays;
    bool report = strcmp(sub, "list") == 0 || strcmp(sub, "referrals") == 0 ||
                  strcmp(sub, "payout-time") == 0;
    if ((!takes_arg && !report) || a.npos != (takes_arg ? 2 : 1)) {
        fprintf(stderr, "huzhu claims: say feed FILE, show ID, list, referrals, payout-time, "
                        "pay ID or payout-failed ID (see --help)\n");
        return 2;
    }
    if (a.db == NULL) {
        fprintf(stderr, "huzhu claims: --db is required\n");
        return 2;
    }
    if (a.as_of != NULL) {
        struct date d;
        if (date_parse(a.as_of, strlen(a.as_of), &d) != ERR_OK) {
            fprintf(stderr, "huzhu claims: --as-of must be YYYY-MM-DD, got '%s'\n", a.as_of);
            return 2;
        }
    }
    if (sodium_init() < 0) {
        return 1;
    }
    struct store *s;
    struct fieldcrypt *fc;
    if (open_all(&a, &s, &fc) != 0) {
        return 1;
    }
    int rc = strcmp(sub, "feed") == 0   ? run_feed(&a, s, fc)
             : strcmp(sub, "show") == 0 ? run_show(&a, s, fc)
             : pays                     ? run_pay(&a, s, fc, strcmp(sub, "payout-failed") == 0)
                                        : run_report(&a, s, sub);
    fieldcrypt_close(fc);
    store_close(s);
    return rc;
}
