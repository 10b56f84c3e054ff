/*
 * bench_claim_feed: end-to-end throughput of the no-application feed on
 * SQLite: settlement records are parsed, matched to members by the blind
 * index, judged under their inpatient and allowance plans from the
 * database, and persisted (claim, results with explanations, events, audit)
 * in one transaction. Run by bench/adjudicate.
 *
 * Setup (not timed): a fresh database with NMEMBERS members, each holding
 * an active enrolment in an inpatient plan (ZY) and an allowance plan (JT)
 * for 2026. The feed (fixed seed) has NRECORDS records: about 94 % of
 * enrolled members, 3 % of people who are not members, 2 % repeating an
 * earlier settlement id and 1 % with amounts that do not add up.
 *
 * usage: bench_claim_feed DIR [NRECORDS [NMEMBERS]]
 * prints "claims feed: N claims/s (target 20000)".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/ids.h"
#include "domain/claim_feed.h"
#include "domain/claims.h"
#include "domain/fieldcrypt.h"
#include "domain/plans_admin.h"
#include "store/store.h"
#include "store/store_enrol.h"
#include "store/store_registry.h"

static const char plan_zy[] =
    "{\"code\":\"ZY\",\"version\":1,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,\"waiting_days\":90,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},"
    "\"benefit\":{\"deductible_fen\":50000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":5000},{\"upto_fen\":3000000,"
    "\"ratio_bp\":6000},{\"upto_fen\":null,\"ratio_bp\":7000}],"
    "\"annual_cap_fen_per_share\":1000000}}";
static const char plan_jt[] =
    "{\"code\":\"JT\",\"version\":1,\"name\":\"津贴\",\"kind\":\"daily_allowance\","
    "\"share_price_fen\":6000,\"max_shares\":2,\"term_months\":12,\"waiting_days\":30,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},"
    "\"benefit\":{\"per_day_fen_per_share\":4000,\"deductible_days\":3,"
    "\"max_days_per_term\":180}}";

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        enum err e_ = (expr);                                                                      \
        if (e_ != ERR_OK) {                                                                        \
            fprintf(stderr, "bench: %s: %s\n", #expr, err_str(e_));                                \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* ID number n: region 330102, born 1970-01-01 + n % 10000 days. */
static void id_of(uint64_t n, char out[IDCARD_LEN + 1])
{
    struct date d = {(int32_t)(n % 10000)};
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    snprintf(out, IDCARD_LEN + 1, "%06u%04d%02d%02d%03u", 330102u + (unsigned)(n / 10000 % 50),
             y, m, dd, (unsigned)(n % 1000));
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static void load_plan(struct store_conn *c, const char *text, int64_t *id)
{
    json_t *doc = json_loads(text, 0, NULL);
    char field[PLAN_FIELD_PATH_MAX];
    CHECK(plans_load(c, doc, id, field, sizeof(field)));
    CHECK(plans_publish(c, json_string_value(json_object_get(doc, "code")), 1));
    json_decref(doc);
}

static void setup(struct store_conn *c, const struct fieldcrypt *fc, size_t nmembers)
{
    int64_t zy, jt;
    load_plan(c, plan_zy, &zy);
    load_plan(c, plan_jt, &jt);
    CHECK(store_bulk_tune(c));
    CHECK(store_tx_begin(c));
    struct store_org_new o = {"BENCH", "Bench union", 0, "province", "330100"};
    int64_t org;
    CHECK(store_org_insert(c, &o, &org));
    int64_t *ids = malloc(nmembers * sizeof(*ids));
    for (size_t i = 0; i < nmembers; i++) {
        char id[IDCARD_LEN + 1];
        id_of(i, id);
        unsigned char hash[FIELDCRYPT_HASH_BYTES];
        fieldcrypt_index(fc, id, IDCARD_LEN, hash);
        unsigned char enc[8] = {0};
        char birth[11];
        memcpy(birth, id + 6, 4);
        birth[4] = '-';
        memcpy(birth + 5, id + 10, 2);
        birth[7] = '-';
        memcpy(birth + 8, id + 12, 2);
        birth[10] = '\0';
        struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                     .id_mask = "330102********0000", .name = "职工",
                                     .gender = "M", .birth_date = birth,
                                     .employment = "courier", .org_id = org};
        CHECK(store_member_insert(c, &m, &ids[i]));
    }
    struct date start, end, due;
    CHECK(date_parse("2026-01-01", 10, &start));
    CHECK(date_parse("2026-12-31", 10, &end));
    due = start;
    const struct {
        int64_t plan;
        const char *code;
    } plans[2] = {{zy, "ZY"}, {jt, "JT"}};
    for (int p = 0; p < 2; p++) {
        struct store_enrol_batch b = {.kind = "individual", .plan_id = plans[p].plan,
                                      .org_id = org, .term_start = start, .term_end = end,
                                      .due_date = due, .shares = 1, .price_fen = 6000,
                                      .part_fen = {0, 0, 6000, 0},
                                      .funding = "{\"remainder\":\"worker\"}", .donor = "",
                                      .member_count = (int64_t)nmembers};
        CHECK(store_enrol_batch_insert(c, &b));
        for (size_t i = 0; i < nmembers; i++) {
            struct store_enrolment_new e = {b.id, (int64_t)i + 1, ids[i], plans[p].plan,
                                            plans[p].code, start, end, 1, 0};
            CHECK(store_enrolment_insert(c, &e));
        }
        int64_t count;
        CHECK(store_enrolment_activate(c, b.id, (int64_t)nmembers, start, &count));
    }
    CHECK(store_tx_commit(c));
    free(ids);
}

/* The feed as CSV text (malloc'd). */
static char *make_feed(size_t nrecords, size_t nmembers, size_t *len)
{
    size_t cap = nrecords * 200 + 512;
    char *buf = malloc(cap);
    size_t at = (size_t)snprintf(buf, cap,
                                 "settlement_id,id_number,hospital,admission_date,discharge_date,"
                                 "cause,total_fen,fund_paid_fen,serious_illness_paid_fen,"
                                 "assistance_paid_fen,other_paid_fen,self_pay_in_scope_fen,"
                                 "self_pay_out_scope_fen,invoices\n");
    for (size_t i = 0; i < nrecords; i++) {
        unsigned kind = (unsigned)(rnd() % 100);
        char id[IDCARD_LEN + 1];
        id_of(kind < 3 ? nmembers + i : rnd() % nmembers, id); /* 3 %: not members */
        size_t sid = kind >= 3 && kind < 5 && i > 0 ? rnd() % i : i; /* 2 %: repeats */
        unsigned month = 2 + (unsigned)(rnd() % 5), day = 1 + (unsigned)(rnd() % 14);
        unsigned stay = 1 + (unsigned)(rnd() % 14);
        int64_t in_scope = 10000 + (int64_t)(rnd() % 2000000), out_scope = (int64_t)(rnd() % 300000);
        int64_t fund = (int64_t)(rnd() % 3000000);
        int64_t total = fund + in_scope + out_scope + (kind == 5 ? 1 : 0); /* 1 %: mismatch */
        at += (size_t)snprintf(buf + at, cap - at,
                               "S%zu,%s,H%03u,2026-%02u-%02u,2026-%02u-%02u,illness,%" PRId64
                               ",%" PRId64 ",0,0,0,%" PRId64 ",%" PRId64 ",INV%zu\n",
                               sid, id, (unsigned)(rnd() % 300), month, day, month, day + stay,
                               total, fund, in_scope, out_scope, i);
    }
    *len = at;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [NRECORDS [NMEMBERS]]\n", argv[0]);
        return 2;
    }
    size_t nrecords = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    size_t nmembers = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
    char db[4096], key[4096];
    snprintf(db, sizeof(db), "%s/bench-claims.db", argv[1]);
    snprintf(key, sizeof(key), "%s/bench-claims.key", argv[1]);
    unlink(db);
    unlink(key);
    struct fieldcrypt *fc;
    CHECK(fieldcrypt_keygen(key));
    CHECK(fieldcrypt_open(key, &fc));
    struct store *s;
    struct store_options opt = {.pool_size = 1, .busy_timeout_ms = 5000, .create = true};
    CHECK(store_open(db, &opt, &s));
    int version;
    CHECK(store_migrate(s, &version));
    struct store_conn *c;
    CHECK(store_acquire(s, &c));
    double t0 = now_s();
    setup(c, fc, nmembers);
    fprintf(stderr, "setup: %zu members, 2 enrolments each, %.1f s\n", nmembers, now_s() - t0);
    size_t len;
    char *csv = make_feed(nrecords, nmembers, &len);

    struct claims_config cfg;
    claims_config_default(&cfg);
    struct claims_ctx ctx = {fc, &cfg, 1784000000000LL, {0}, "bench"};
    CHECK(date_parse("2026-07-31", 10, &ctx.today));
    struct csv_reader *r;
    CHECK(csv_open_mem(csv, len, &r));
    struct claim_feed_options fo = {"bench.csv", "", NULL, NULL, NULL};
    struct claim_feed_summary sum;
    const char *bad;
    t0 = now_s();
    CHECK(claim_feed_import(c, &ctx, &claims_actor_cli, r, &fo, &sum, &bad));
    double secs = now_s() - t0;
    csv_close(r);
    char json[256];
    claim_feed_summary_json(&sum, json, sizeof(json));
    printf("feed %s, %.3f s\n", json, secs);
    printf("claims feed: %.0f records/s\n", (double)sum.rows / secs);
    printf("claims feed: %.0f claims/s (target 20000)\n", (double)sum.created / secs);
    store_release(c);
    store_close(s);
    fieldcrypt_close(fc);
    free(csv);
    unlink(db);
    unlink(key);
    return 0;
}
