/*
 * cmd_import: `huzhu import employers|members` reads a roster CSV into the
 * registry through the import engine (domain/roster_import.h), all or
 * nothing, and prints {"rows": N, "inserted": I, "updated": U,
 * "unchanged": C, "rejected": R} on stdout. The report is written next to
 * its final name and renamed into place only when the import committed, so
 * a report on disk always describes data that is in the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/csv.h"
#include "core/date.h"
#include "domain/fieldcrypt.h"
#include "domain/roster_import.h"
#include "store/store.h"

static const char import_help[] =
    "usage: huzhu import employers --db URL --org CODE [--report OUT.csv] [--as-of DATE] FILE\n"
    "       huzhu import members --db URL --org CODE [--report OUT.csv] [--key PATH]\n"
    "                            [--as-of DATE] FILE\n\n"
    "Imports a roster CSV (UTF-8 with or without BOM, or GB18030/GBK; Chinese\n"
    "or English headers in any order) in one transaction: either every good\n"
    "row is written or, on a file-level error, nothing. Bad rows are refused\n"
    "one by one, each with one reason code, listed in the report. Prints\n"
    "{\"rows\": N, \"inserted\": I, \"updated\": U, \"unchanged\": C, \"rejected\": R}.\n\n"
    "  employers columns: uscc/统一社会信用代码, name/单位名称, ownership/经济类型,\n"
    "                     size/规模 (required), industry/行业\n"
    "  members columns:   name/姓名, id_number/身份证号, employment/用工形式\n"
    "                     (required), phone/手机号, employer_uscc/单位统一社会信用代码,\n"
    "                     hardship/困难职工, bank_account/银行账号\n\n"
    "  --db URL        SQLite file path or postgresql://user@host:port/dbname\n"
    "  --org CODE      the importing union; new records attach to it\n"
    "  --report FILE   write refused rows as CSV (row,field,code,message)\n"
    "  --key PATH      field-encryption key (members; default as huzhu init)\n"
    "  --as-of DATE    import date YYYY-MM-DD for the age check (default today,\n"
    "                  or $HUZHU_TODAY)\n\n"
    "Exit status: 0 imported (some rows may be refused), 1 nothing imported\n"
    "(unreadable file, missing column, unknown --org, database error), 2 usage.\n";

/* Peak resident set size of this process in KiB (VmHWM), 0 if unknown. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    long kib = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(void *ctx, uint64_t rows)
{
    (void)ctx;
    fprintf(stderr, "import: %llu rows read\n", (unsigned long long)rows);
}

struct import_args {
    const char *kind; /* "employers" or "members" */
    const char *db, *org, *report, *key, *as_of, *file;
};

static const char *file_error_text(enum err e)
{
    switch (e) {
    case ERR_MISSING_COLUMN:
        return "a required column is missing";
    case ERR_INVALID:
        return "two header cells name the same column";
    case ERR_ENCODING:
        return "the file is neither UTF-8 nor GB18030 (UTF-16? save it as CSV UTF-8)";
    case ERR_NOT_FOUND:
        return "no organisation has this --org code";
    case ERR_RETRY:
    case ERR_DB_BUSY:
        return "the database was busy; run the import again";
    default:
        return err_str(e);
    }
}

/* Runs the import on an open reader and store. Returns the exit code. */
static int run(const struct import_args *a, struct store *s, struct csv_reader *r,
               const struct fieldcrypt *fc, FILE *report)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu import: %s\n", err_str(e));
        return 1;
    }
    const char *base = strrchr(a->file, '/');
    struct roster_import_options opt = {
        .org_code = a->org,
        .source_ref = base != NULL ? base + 1 : a->file,
        .actor = "",
        .as_of = date_today(),
        .fc = fc,
        .report = report,
        .progress = progress,
    };
    if (a->as_of != NULL && date_parse(a->as_of, strlen(a->as_of), &opt.as_of) != ERR_OK) {
        store_release(c);
        fprintf(stderr, "huzhu import: --as-of must be YYYY-MM-DD, got '%s'\n", a->as_of);
        return 2;
    }
    struct roster_summary sum;
    struct roster_file_error fe;
    double t0 = now_s();
    if (strcmp(a->kind, "members") == 0) {
        e = roster_import_members(c, r, &opt, &sum, &fe);
    } else {
        e = roster_import_employers(c, r, &opt, &sum, &fe);
    }
    double secs = now_s() - t0;
    store_release(c);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu import: %s: nothing imported: %s%s%s%s\n", a->file,
                file_error_text(e), fe.column != NULL ? " (" : "",
                fe.column != NULL ? fe.column : "", fe.column != NULL ? ")" : "");
        return 1;
    }
    char json[160];
    roster_summary_json(&sum, json, sizeof(json));
    printf("%s\n", json);
    fprintf(stderr,
            "import: %s: %llu rows in %.2f s (%.0f rows/s), peak RSS %ld KiB (%s)%s\n",
            a->file, (unsigned long long)sum.rows, secs,
            secs > 0 ? (double)sum.rows / secs : 0.0, peak_rss_kib(), csv_encoding(r),
            sum.inserted + sum.updated == 0 && sum.rows > 0 ? "; nothing changed" : "");
    return 0;
}

/* Opens the inputs (file, store, key, report) and runs. */
static int import_open_and_run(const struct import_args *a)
{
    int fd = open(a->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "huzhu import: cannot read %s: %s\n", a->file, strerror(errno));
        return 1;
    }
    struct csv_reader *r = NULL;
    enum err e = csv_open_fd(fd, &r);
    if (e != ERR_OK) {
        close(fd);
        fprintf(stderr, "huzhu import: %s: nothing imported: %s\n", a->file,
                file_error_text(e));
        return 1;
    }
    int rc = 1;
    struct store *s = NULL;
    struct fieldcrypt *fc = NULL;
    FILE *report = NULL;
    char tmp[4096] = "";
    if (cli_open_store("import", a->db, 1, false, &s) != 0) {
        goto out_reader;
    }
    int version = 0;
    if (store_check_schema(s, &version) != ERR_OK) {
        fprintf(stderr, "huzhu import: database schema is %d, this binary needs %d: %s\n",
                version, store_schema_latest(),
                version < store_schema_latest() ? "run huzhu init --db to migrate"
                                                 : "upgrade huzhu");
        goto out_store;
    }
    if (strcmp(a->kind, "members") == 0) {
        char path[4096];
        const char *key = a->key;
        if (key == NULL) {
            fieldcrypt_default_path(a->db, path, sizeof(path));
            key = path;
        }
        if ((e = fieldcrypt_open(key, &fc)) != ERR_OK) {
            fprintf(stderr, "huzhu import: cannot open key file %s: %s\n", key, err_str(e));
            goto out_store;
        }
    }
    if (a->report != NULL) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", a->report);
        if ((report = fopen(tmp, "w")) == NULL) {
            fprintf(stderr, "huzhu import: cannot write %s: %s\n", tmp, strerror(errno));
            goto out_key;
        }
    }
    rc = run(a, s, r, fc, report);
    if (report != NULL) {
        bool written = fclose(report) == 0;
        if (rc == 0 && (!written || rename(tmp, a->report) != 0)) {
            /* the data is committed; say the report is lost, don't hide it */
            fprintf(stderr, "huzhu import: imported, but the report %s could not be written\n",
                    a->report);
            rc = 1;
        }
        if (rc != 0) {
            unlink(tmp);
        }
    }
out_key:
    fieldcrypt_close(fc);
out_store:
    store_close(s);
out_reader:
    csv_close(r);
    close(fd);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    struct import_args a = {0};
    bool help;
    const char *pos[2];
    int npos = 0;
    const struct arg_opt opts[] = {
        {"db", false, &a.db, NULL},         {"org", false, &a.org, NULL},
        {"report", false, &a.report, NULL}, {"key", false, &a.key, NULL},
        {"as-of", false, &a.as_of, NULL},
    };
    if (args_parse("import", argc, argv, opts, 5, pos, 2, &npos, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(import_help, stdout);
        return 0;
    }
    if (npos != 2 || (strcmp(pos[0], "employers") != 0 && strcmp(pos[0], "members") != 0)) {
        fprintf(stderr, "huzhu import: say what to import: employers FILE or members FILE\n");
        return 2;
    }
    if (a.db == NULL || a.org == NULL) {
        fprintf(stderr, "huzhu import: --db and --org are required\n");
        return 2;
    }
    a.kind = pos[0];
    a.file = pos[1];
    if (a.key != NULL && strcmp(a.kind, "members") != 0) {
        fprintf(stderr, "huzhu import: --key is for members only\n");
        return 2;
    }
    if (a.as_of != NULL) {
        struct date d;
        if (date_parse(a.as_of, strlen(a.as_of), &d) != ERR_OK) {
            fprintf(stderr, "huzhu import: --as-of must be YYYY-MM-DD, got '%s'\n", a.as_of);
            return 2;
        }
    }
    return import_open_and_run(&a);
}
