/*
 * bench_enrol DB_PATH [MEMBERS] [UNIT_SIZE] [PLAN_FILE]: group enrolment at
 * scale on SQLite. Generates MEMBERS members (default 1,000,000) in units of
 * UNIT_SIZE (default 100) with direct store inserts (not timed), loads and
 * publishes the plan (default data/plans/ZY.json), then times:
 *   enrol     every unit enrols its whole roster (preview + commit: batch,
 *             enrolments, invoices per payer), 3-way funding
 *   pay       every invoice paid in full (receipt, activation, ledger entry)
 * Transactions hold LIMIT_BATCH_ROWS-ish work each (whole units). Prints the
 * figures per phase, the total and the peak resident memory.
 * Integer arithmetic only (times in ms, memory in KiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/limits.h"
#include "domain/enrol.h"
#include "domain/invoice.h"
#include "domain/plans_admin.h"
#include "store/store.h"
#include "store/store_enrol.h"
#include "store/store_registry.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void die(const char *what, enum err e)
{
    fprintf(stderr, "bench_enrol: %s: %s\n", what, err_str(e));
    exit(1);
}

/* Members straight into the store: fake sealed fields, unique blind index. */
static void generate(struct store_conn *c, int64_t members, int64_t unit_size, int64_t **units,
                     int64_t *nunits)
{
    int64_t n_units = (members + unit_size - 1) / unit_size;
    *units = malloc((size_t)n_units * sizeof(**units));
    if (*units == NULL) {
        die("units", ERR_NOMEM);
    }
    enum err e = store_bulk_tune(c);
    if (e == ERR_OK) {
        e = store_tx_begin(c);
    }
    struct store_org_new root = {"B", "Bench province", 0, "province", "330000"};
    int64_t root_id, org_id;
    if (e == ERR_OK) {
        e = store_org_insert(c, &root, &root_id);
    }
    struct store_org_new g = {"BG", "Bench union", root_id, "grassroots", "330100"};
    if (e == ERR_OK) {
        e = store_org_insert(c, &g, &org_id);
    }
    if (e != ERR_OK) {
        die("orgs", e);
    }
    unsigned char enc[16] = {0};
    int64_t made = 0;
    for (int64_t u = 0; u < n_units; u++) {
        char uscc[19], name[32];
        snprintf(uscc, sizeof(uscc), "91330100MA%08lld", (long long)(u % 100000000));
        snprintf(name, sizeof(name), "Unit %lld", (long long)u);
        struct store_employer_new emp = {uscc, name, "private", "small", "", org_id};
        if ((e = store_employer_insert(c, &emp, &(*units)[u])) != ERR_OK) {
            die("employer", e);
        }
        for (int64_t i = 0; i < unit_size && made < members; i++, made++) {
            unsigned char hash[STORE_HASH_BYTES] = {0};
            memcpy(hash, &made, sizeof(made));
            char birth[32]; /* roomy: the compiler cannot bound the parts */
            snprintf(birth, sizeof(birth), "%04d-%02d-%02d", 1965 + (int)(made % 40),
                     1 + (int)(made % 12), 1 + (int)(made % 28));
            struct store_member_new m = {
                .id_hash = hash,
                .id_enc = enc,
                .id_enc_len = sizeof(enc),
                .id_mask = "330100********0000",
                .name = "Worker",
                .gender = made % 2 ? "F" : "M",
                .birth_date = birth,
                .employment = "standard",
                .employer_id = (*units)[u],
                .org_id = org_id,
            };
            if ((e = store_member_insert_bulk(c, &m)) != ERR_OK) {
                die("member", e);
            }
        }
    }
    if ((e = store_tx_commit(c)) != ERR_OK) {
        die("commit members", e);
    }
    *nunits = n_units;
}

/* Units per transaction: about LIMIT_BATCH_ROWS * 10 enrolments each. */
static int64_t units_per_tx(int64_t unit_size)
{
    int64_t k = (int64_t)LIMIT_BATCH_ROWS * 10 / unit_size;
    return k < 1 ? 1 : k;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_enrol DB_PATH [MEMBERS] [UNIT_SIZE] [PLAN_FILE]\n");
        return 2;
    }
    int64_t members = argc > 2 ? atoll(argv[2]) : 1000000;
    int64_t unit_size = argc > 3 ? atoll(argv[3]) : 100;
    const char *plan_file = argc > 4 ? argv[4] : "data/plans/ZY.json";
    if (members < 1 || unit_size < 1 || unit_size > ENROL_BATCH_MEMBERS_MAX) {
        fprintf(stderr, "bench_enrol: bad MEMBERS or UNIT_SIZE\n");
        return 2;
    }
    struct store *s;
    struct store_options opt = {.pool_size = 1, .busy_timeout_ms = 5000, .create = true};
    enum err e = store_open(argv[1], &opt, &s);
    int v;
    if (e == ERR_OK) {
        e = store_migrate(s, &v);
    }
    struct store_conn *c;
    if (e == ERR_OK) {
        e = store_acquire(s, &c);
    }
    if (e != ERR_OK) {
        die("open", e);
    }
    int64_t t0 = now_ms();
    int64_t *units, nunits;
    generate(c, members, unit_size, &units, &nunits);
    int64_t t_gen = now_ms() - t0;

    json_error_t jerr;
    json_t *doc = json_load_file(plan_file, 0, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "bench_enrol: %s: %s\n", plan_file, jerr.text);
        return 1;
    }
    char field[PLAN_FIELD_PATH_MAX];
    const char *code = json_string_value(json_object_get(doc, "code"));
    char plan_code[PLAN_CODE_MAX];
    snprintf(plan_code, sizeof(plan_code), "%s", code ? code : "");
    int64_t version = (int64_t)json_integer_value(json_object_get(doc, "version"));
    if ((e = plans_load(c, doc, NULL, field, sizeof(field))) != ERR_OK ||
        (e = plans_publish(c, plan_code, version)) != ERR_OK) {
        die("plan", e);
    }
    json_decref(doc);

    /* phase 1: group enrolment of every unit's whole roster */
    struct enrol_request r;
    memset(&r, 0, sizeof(r));
    r.kind = ENROL_GROUP;
    snprintf(r.plan_code, sizeof(r.plan_code), "%s", plan_code);
    if (date_parse("2025-01-01", 10, &r.term_start) != ERR_OK) {
        return 1;
    }
    r.due_date = r.term_start;
    r.shares = 1;
    r.funding.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, 5000};
    r.funding.parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_BP, 3000};
    r.funding.remainder_payer = COSTSHARE_WORKER;
    int64_t *batches = malloc((size_t)nunits * sizeof(*batches));
    if (batches == NULL) {
        die("batches", ERR_NOMEM);
    }
    int64_t per_tx = units_per_tx(unit_size), enrolled = 0, invoices = 0;
    int64_t t1 = now_ms();
    for (int64_t u = 0; u < nunits;) {
        if ((e = store_tx_begin(c)) != ERR_OK) {
            die("begin", e);
        }
        for (int64_t k = 0; k < per_tx && u < nunits; k++, u++) {
            struct enrol_preview p;
            r.employer_id = units[u];
            e = enrol_commit_in_tx(c, &enrol_actor_cli, &r, &p, field, sizeof(field));
            if (e != ERR_OK) {
                fprintf(stderr, "unit %lld: %s at %s\n", (long long)u, err_str(e), field);
                die("enrol", e);
            }
            batches[u] = p.batch_id;
            enrolled += (int64_t)p.neligible;
            for (int i = 0; i < COSTSHARE__COUNT; i++) {
                invoices += p.total.fen[i] > 0;
            }
            enrol_preview_release(&p);
        }
        if ((e = store_tx_commit(c)) != ERR_OK) {
            die("commit", e);
        }
    }
    int64_t t_enrol = now_ms() - t1;

    /* phase 2: every invoice paid in full */
    int64_t t2 = now_ms(), receipts = 0, activated = 0;
    struct date paid_on;
    if (date_parse("2024-12-20", 10, &paid_on) != ERR_OK) {
        return 1;
    }
    for (int64_t u = 0; u < nunits;) {
        if ((e = store_tx_begin(c)) != ERR_OK) {
            die("begin", e);
        }
        for (int64_t k = 0; k < per_tx && u < nunits; k++, u++) {
            struct invoice_view inv[COSTSHARE__COUNT];
            size_t n;
            if ((e = invoice_list_batch(c, &enrol_actor_cli, batches[u], inv, COSTSHARE__COUNT,
                                        &n)) != ERR_OK) {
                die("invoices", e);
            }
            for (size_t i = 0; i < n; i++) {
                char ref[40];
                int len = snprintf(ref, sizeof(ref), "BENCH-%lld", (long long)inv[i].id);
                struct receipt_request q = {inv[i].id, inv[i].amount_fen, RECEIPT_BANK_TRANSFER,
                                            ref, (size_t)len, NULL, paid_on};
                struct receipt_result res;
                if ((e = invoice_record_receipt_in_tx(c, &enrol_actor_cli, &q, &res, field,
                                                      sizeof(field))) != ERR_OK) {
                    fprintf(stderr, "invoice %lld: %s at %s\n", (long long)inv[i].id,
                            err_str(e), field);
                    die("pay", e);
                }
                receipts++;
                activated += res.activated;
            }
        }
        if ((e = store_tx_commit(c)) != ERR_OK) {
            die("commit", e);
        }
    }
    int64_t t_pay = now_ms() - t2;
    int64_t total = t_enrol + t_pay;
    printf("bench_enrol: %lld members in %lld units of %lld (generated in %lld ms, not timed)\n",
           (long long)members, (long long)nunits, (long long)unit_size, (long long)t_gen);
    printf("  enrol    %8lld ms  %lld enrolments, %lld batches, %lld invoices  (%lld/s)\n",
           (long long)t_enrol, (long long)enrolled, (long long)nunits, (long long)invoices,
           (long long)(t_enrol > 0 ? enrolled * 1000 / t_enrol : 0));
    printf("  pay      %8lld ms  %lld receipts with ledger entries, %lld enrolments active\n",
           (long long)t_pay, (long long)receipts, (long long)activated);
    printf("  total    %8lld ms  (target < 20000 ms)\n", (long long)total);
    printf("  peak RSS %8ld KiB (target < 307200 KiB)\n", peak_kib());
    store_release(c);
    store_close(s);
    free(units);
    free(batches);
    return activated == enrolled ? 0 : 1;
}
