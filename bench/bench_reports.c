/*
 * bench_reports DB.sqlite [MEMBERS ENROLMENTS CLAIMS]: the supervision
 * reports on a provincial-scale SQLite database.
 *
 * Builds the database first (not timed): the schema through the store's
 * migrations, plans ZY and JT published (a ZY draft for the what-if) and
 * their funds, then bulk rows straight through sqlite3 prepared inserts --
 * 672 organisations (province, 11 cities, 110 districts, 550 grassroots
 * unions), 50,000 employers, MEMBERS members (15 % gig workers without an
 * employer), ENROLMENTS enrolments for 2026 (ZY for 8 in 10 members, JT for
 * the rest of the count; the batches of 1 employer in 20 left unpaid),
 * invoices and receipts with their ledger entries (1002 <- 2203) and
 * contribution schedules, CLAIMS claims over 2026 (70 % paid, 10 % payable,
 * 10 % rejected, 10 % assessed) with their results, approval entries
 * (5101 <- 2241) and payment entries (2241 -> 1002), the ledger's per-day
 * movements, and a referral list; then January to June closed through the
 * ledger (ledger_close), so the fund report has stored periods.
 *
 * Then each report runs REPEAT times through the domain (what the API
 * calls) as a supervisor of the province and of one city; the first run
 * (cold statement cache) and the median are printed in ms. Target: every
 * report under 500 ms.
 *
 * Reference, in the same run (the machine is noisy): the plainest form of
 * the coverage question -- members by employment form with a raw sqlite3
 * GROUP BY over the member table, no joins, no scope, no rollups -- timed
 * the same way; each report's median is also printed as a ratio to it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/date.h"
#include "core/log.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "domain/ledger.h"
#include "domain/plans_admin.h"
#include "domain/reports.h"
#include "domain/whatif.h"
#include "store/store.h"

#define REPEAT 5
#define CITIES 11
#define DISTRICTS 10  /* per city */
#define GRASSROOTS 5  /* per district */
#define EMPLOYERS 50000

static const char plan_zy[] =
    "{\"code\":\"ZY\",\"version\":1,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,\"waiting_days\":90,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},"
    "\"benefit\":{\"deductible_fen\":50000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":5000},{\"upto_fen\":3000000,"
    "\"ratio_bp\":6000},{\"upto_fen\":null,\"ratio_bp\":7000}],"
    "\"annual_cap_fen_per_share\":1000000}}";
static const char plan_zy2[] =
    "{\"code\":\"ZY\",\"version\":2,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,\"waiting_days\":60,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},"
    "\"benefit\":{\"deductible_fen\":30000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":6000},{\"upto_fen\":3000000,"
    "\"ratio_bp\":7000},{\"upto_fen\":null,\"ratio_bp\":8000}],"
    "\"annual_cap_fen_per_share\":1000000}}";
static const char plan_jt[] =
    "{\"code\":\"JT\",\"version\":1,\"name\":\"津贴\",\"kind\":\"daily_allowance\","
    "\"share_price_fen\":6000,\"max_shares\":2,\"term_months\":12,\"waiting_days\":30,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},"
    "\"benefit\":{\"per_day_fen_per_share\":4000,\"deductible_days\":3,"
    "\"max_days_per_term\":180}}";

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_reports: %s: %s\n", what, detail);
    exit(1);
}

/* xorshift64*: deterministic data */
static uint64_t rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (unsigned)((rng * 2685821657736338717ULL) >> 33) % n;
}

/* ------------------------------------------------------------ store part */

static void load_plan(struct store_conn *c, const char *text, bool publish)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    char field[PLAN_FIELD_PATH_MAX];
    if (doc == NULL || plans_load(c, doc, NULL, field, sizeof(field)) != ERR_OK) {
        die("plan", field);
    }
    const char *code = json_string_value(json_object_get(doc, "code"));
    int64_t version = (int64_t)json_integer_value(json_object_get(doc, "version"));
    if (publish && plans_publish(c, code, version) != ERR_OK) {
        die("publish", code);
    }
    json_decref(doc);
}

/* ------------------------------------------------------------ bulk rows */

struct gen {
    sqlite3 *db;
    int64_t members, enrolments, claims;
    int64_t grassroots[CITIES * DISTRICTS * GRASSROOTS];
    int64_t city[CITIES];
    int64_t *emp_org;   /* [EMPLOYERS + 1] */
    int64_t *m_org;     /* [members + 1] */
    int64_t *m_emp;     /* 0: gig */
    int64_t *m_enrol;   /* the member's ZY enrolment id, 0 none or unpaid */
    int64_t plan_zy, plan_jt;
    int64_t acct[2][9]; /* [ZY, JT][1002, 2203, 2241, 5101, ...] account ids */
    int64_t fund[2];
    int64_t entry_id;
};

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        die(sql, sqlite3_errmsg(db));
    }
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        die("insert", sqlite3_errmsg(db));
    }
    sqlite3_reset(st);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        die(sql, msg != NULL ? msg : "?");
    }
}

static int64_t one(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = prep(db, sql);
    if (sqlite3_step(st) != SQLITE_ROW) {
        die(sql, sqlite3_errmsg(db));
    }
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* A date given as text the bench knows to be valid. */
static struct date day_of(const char *text)
{
    struct date d;
    if (date_parse(text, strlen(text), &d) != ERR_OK) {
        die("date", text);
    }
    return d;
}

static void date_of(int32_t day, char out[11])
{
    date_format((struct date){day}, out);
}

static void gen_orgs(struct gen *g)
{
    sqlite3_stmt *st = prep(g->db, "INSERT INTO org (id, code, name, parent_id, level,"
                                   " division_code, path) VALUES (?, ?, ?, ?, ?, ?, ?)");
    int64_t id = 1;
    sqlite3_bind_int64(st, 1, id);
    text(st, 2, "ZJ");
    text(st, 3, "浙江省总工会");
    sqlite3_bind_null(st, 4);
    text(st, 5, "province");
    text(st, 6, "330000");
    text(st, 7, "/1/");
    step(g->db, st);
    size_t k = 0;
    for (int c = 0; c < CITIES; c++) {
        int64_t cid = ++id;
        g->city[c] = cid;
        char code[32], name[64], path[64], div[8];
        snprintf(code, sizeof(code), "ZJ-%02d", c + 1);
        snprintf(name, sizeof(name), "城市工会%d", c + 1);
        snprintf(path, sizeof(path), "/1/%" PRId64 "/", cid);
        snprintf(div, sizeof(div), "33%02d00", c + 1);
        sqlite3_bind_int64(st, 1, cid);
        text(st, 2, code);
        text(st, 3, name);
        sqlite3_bind_int64(st, 4, 1);
        text(st, 5, "city");
        text(st, 6, div);
        text(st, 7, path);
        step(g->db, st);
        for (int d = 0; d < DISTRICTS; d++) {
            int64_t did = ++id;
            char dpath[96];
            snprintf(code, sizeof(code), "ZJ-%02d-%02d", c + 1, d + 1);
            snprintf(dpath, sizeof(dpath), "%s%" PRId64 "/", path, did);
            sqlite3_bind_int64(st, 1, did);
            text(st, 2, code);
            text(st, 3, code);
            sqlite3_bind_int64(st, 4, cid);
            text(st, 5, "district");
            text(st, 6, div);
            text(st, 7, dpath);
            step(g->db, st);
            for (int r = 0; r < GRASSROOTS; r++) {
                int64_t gid = ++id;
                char gpath[128];
                snprintf(code, sizeof(code), "ZJ-%02d-%02d-%02d", c + 1, d + 1, r + 1);
                snprintf(gpath, sizeof(gpath), "%s%" PRId64 "/", dpath, gid);
                sqlite3_bind_int64(st, 1, gid);
                text(st, 2, code);
                text(st, 3, code);
                sqlite3_bind_int64(st, 4, did);
                text(st, 5, "grassroots");
                text(st, 6, div);
                text(st, 7, gpath);
                step(g->db, st);
                g->grassroots[k++] = gid;
            }
        }
    }
    sqlite3_finalize(st);
}

static const char *const ownerships[] = {"public_sector", "state", "private", "private",
                                         "private",       "foreign", "collective", "individual"};
static const char *const sizes[] = {"large", "medium", "small", "small", "micro", "micro"};
static const char *const gigs[] = {"courier", "delivery", "ride_hailing", "truck", "other_gig"};

static void gen_registry(struct gen *g)
{
    size_t ng = sizeof(g->grassroots) / sizeof(g->grassroots[0]);
    sqlite3_stmt *st = prep(g->db, "INSERT INTO employer (id, uscc, name, ownership, size,"
                                   " org_id) VALUES (?, ?, ?, ?, ?, ?)");
    g->emp_org = calloc(EMPLOYERS + 1, sizeof(int64_t));
    for (int64_t e = 1; e <= EMPLOYERS; e++) {
        char uscc[20], name[32];
        snprintf(uscc, sizeof(uscc), "91330100MA%08" PRId64, e);
        snprintf(name, sizeof(name), "单位%" PRId64, e);
        g->emp_org[e] = g->grassroots[rnd((unsigned)ng)];
        sqlite3_bind_int64(st, 1, e);
        text(st, 2, uscc);
        text(st, 3, name);
        text(st, 4, ownerships[rnd(8)]);
        text(st, 5, sizes[rnd(6)]);
        sqlite3_bind_int64(st, 6, g->emp_org[e]);
        step(g->db, st);
    }
    sqlite3_finalize(st);
    st = prep(g->db, "INSERT INTO member (id, id_hash, id_enc, id_mask, name, gender, birth_date,"
                     " employment, employer_id, org_id, hardship) VALUES"
                     " (?, ?, x'0102030405060708', '330100********0000', ?, ?, ?, ?, ?, ?, ?)");
    g->m_org = calloc((size_t)g->members + 1, sizeof(int64_t));
    g->m_emp = calloc((size_t)g->members + 1, sizeof(int64_t));
    g->m_enrol = calloc((size_t)g->members + 1, sizeof(int64_t));
    for (int64_t m = 1; m <= g->members; m++) {
        unsigned char hash[32] = {0};
        memcpy(hash, &m, sizeof(m));
        bool gig = rnd(100) < 15;
        g->m_emp[m] = gig ? 0 : 1 + rnd(EMPLOYERS);
        g->m_org[m] = gig ? g->grassroots[rnd((unsigned)ng)] : g->emp_org[g->m_emp[m]];
        char birth[11];
        date_of(date_add_days((struct date){5000}, (int32_t)rnd(9000)).day, birth);
        sqlite3_bind_int64(st, 1, m);
        sqlite3_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT);
        text(st, 3, "职工");
        text(st, 4, rnd(2) ? "M" : "F");
        text(st, 5, birth);
        text(st, 6, gig ? gigs[rnd(5)] : "standard");
        if (gig) {
            sqlite3_bind_null(st, 7);
        } else {
            sqlite3_bind_int64(st, 7, g->m_emp[m]);
        }
        sqlite3_bind_int64(st, 8, g->m_org[m]);
        sqlite3_bind_int64(st, 9, rnd(50) == 0);
        step(g->db, st);
    }
    sqlite3_finalize(st);
}

/* One balanced two-line entry: debit account d, credit account c. */
struct entry_stmts {
    sqlite3_stmt *line, *entry;
};

static int64_t post(struct gen *g, struct entry_stmts *s, int fund, int64_t debit,
                    int64_t credit, int64_t amount, const char *date, const char *source,
                    const char *source_id)
{
    int64_t id = ++g->entry_id;
    for (int n = 1; n <= 2; n++) {
        sqlite3_stmt *st = s->line;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, n);
        sqlite3_bind_int64(st, 3, n == 1 ? debit : credit);
        text(st, 4, n == 1 ? "D" : "C");
        sqlite3_bind_int64(st, 5, amount);
        sqlite3_bind_int64(st, 6, amount);
        sqlite3_bind_int64(st, 7, n == 1 ? 0 : amount);
        if (n == 1) {
            sqlite3_bind_null(st, 8);
            sqlite3_bind_null(st, 9);
            sqlite3_bind_null(st, 10);
        } else {
            sqlite3_bind_int64(st, 8, 1);
            sqlite3_bind_int64(st, 9, amount);
            sqlite3_bind_int64(st, 10, 0);
        }
        step(g->db, st);
    }
    char key[64], period[8];
    snprintf(key, sizeof(key), "bench:%" PRId64, id);
    memcpy(period, date, 7);
    period[7] = '\0';
    sqlite3_stmt *st = s->entry;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, g->fund[fund]);
    text(st, 3, date);
    text(st, 4, period);
    text(st, 5, source);
    text(st, 6, source_id);
    text(st, 7, key);
    sqlite3_bind_int64(st, 8, amount);
    sqlite3_bind_int64(st, 9, amount);
    step(g->db, st);
    return id;
}

enum { A_BANK, A_UNEARNED, A_PAYABLE, A_BENEFITS };

/* Batch key of a member: its employer, or (negated) its organisation for gig workers. */
static const struct gen *key_gen;

static int64_t batch_key(int64_t m)
{
    return key_gen->m_emp[m] != 0 ? key_gen->m_emp[m] : -key_gen->m_org[m];
}

static int by_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    int64_t kx = batch_key(x), ky = batch_key(y);
    if (kx != ky) {
        return kx < ky ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

static void gen_enrolment(struct gen *g, struct entry_stmts *es)
{
    sqlite3_stmt *bat = prep(g->db,
        "INSERT INTO enrol_batch (id, kind, plan_id, employer_id, org_id, term_start, term_end,"
        " shares, price_fen, employer_fen, union_fen, worker_fen, gift_fen, funding, due_date,"
        " member_count) VALUES (?, ?, ?, ?, ?, '2026-01-01', '2026-12-31', 1, 6000, ?, 0, ?, 0,"
        " '{}', '2025-12-31', ?)");
    sqlite3_stmt *enr = prep(g->db,
        "INSERT INTO enrolment (id, batch_id, seq, member_id, plan_id, plan_code, term_start,"
        " term_end, shares, status, cover_start) VALUES (?, ?, ?, ?, ?, ?, '2026-01-01',"
        " '2026-12-31', 1, ?, ?)");
    sqlite3_stmt *inv = prep(g->db,
        "INSERT INTO invoice (id, batch_id, payer, payer_name, amount_fen, paid_fen, due_date,"
        " status) VALUES (?, ?, ?, 'payer', ?, ?, '2025-12-31', ?)");
    sqlite3_stmt *rec = prep(g->db,
        "INSERT INTO receipt (id, invoice_id, amount_fen, method, bank_ref, payer_name, paid_on,"
        " journal_entry) VALUES (?, ?, ?, 'bank_transfer', ?, 'payer', '2025-12-20', ?)");
    sqlite3_stmt *sch = prep(g->db,
        "INSERT INTO contribution_schedule (fund_id, entry_id, amount_fen, cover_start,"
        " cover_end) VALUES (?, ?, ?, '2026-01-01', '2026-12-31')");
    int64_t *order = malloc(((size_t)g->members + 1) * sizeof(int64_t));
    int64_t batch = 0, enrolment = 0, invoice = 0, receipt = 0;
    key_gen = g;
    for (int plan = 0; plan < 2 && enrolment < g->enrolments; plan++) {
        /* ZY: members with m % 10 < 8; JT: the others, up to the count */
        size_t n = 0;
        for (int64_t m = 1; m <= g->members; m++) {
            if (plan == 0 ? m % 10 < 8 : m % 10 >= 8) {
                order[n++] = m;
            }
        }
        qsort(order, n, sizeof(*order), by_key);
        for (size_t i = 0; i < n && enrolment < g->enrolments;) {
            int64_t key = batch_key(order[i]);
            bool group = key > 0;
            bool paid = !(group && key % 20 == 0); /* 1 employer in 20 has not paid */
            int64_t count = 0;
            batch++;
            for (; i < n && batch_key(order[i]) == key && count < 500 &&
                   enrolment < g->enrolments;
                 i++) {
                int64_t m = order[i];
                count++;
                enrolment++;
                sqlite3_bind_int64(enr, 1, enrolment);
                sqlite3_bind_int64(enr, 2, batch);
                sqlite3_bind_int64(enr, 3, count);
                sqlite3_bind_int64(enr, 4, m);
                sqlite3_bind_int64(enr, 5, plan == 0 ? g->plan_zy : g->plan_jt);
                text(enr, 6, plan == 0 ? "ZY" : "JT");
                text(enr, 7, paid ? "active" : "pending");
                if (paid) {
                    text(enr, 8, "2026-01-01");
                } else {
                    sqlite3_bind_null(enr, 8);
                }
                step(g->db, enr);
                if (plan == 0 && paid) {
                    g->m_enrol[m] = enrolment;
                }
            }
            sqlite3_bind_int64(bat, 1, batch);
            text(bat, 2, group ? "group" : "individual");
            sqlite3_bind_int64(bat, 3, plan == 0 ? g->plan_zy : g->plan_jt);
            if (group) {
                sqlite3_bind_int64(bat, 4, key);
            } else {
                sqlite3_bind_null(bat, 4);
            }
            sqlite3_bind_int64(bat, 5, group ? g->emp_org[key] : -key);
            sqlite3_bind_int64(bat, 6, group ? 3000 : 0);
            sqlite3_bind_int64(bat, 7, group ? 3000 : 6000);
            sqlite3_bind_int64(bat, 8, count);
            step(g->db, bat);
            for (int p = group ? 0 : 1; p < 2; p++) {
                int64_t amount = (group ? 3000 : 6000) * count;
                invoice++;
                sqlite3_bind_int64(inv, 1, invoice);
                sqlite3_bind_int64(inv, 2, batch);
                text(inv, 3, p == 0 ? "employer" : "worker");
                sqlite3_bind_int64(inv, 4, amount);
                sqlite3_bind_int64(inv, 5, paid ? amount : 0);
                text(inv, 6, paid ? "paid" : "open");
                step(g->db, inv);
                if (!paid) {
                    continue;
                }
                char ref[32];
                receipt++;
                snprintf(ref, sizeof(ref), "R%" PRId64, receipt);
                int64_t entry = post(g, es, plan, g->acct[plan][A_BANK],
                                     g->acct[plan][A_UNEARNED], amount, "2025-12-20", "receipt",
                                     ref);
                sqlite3_bind_int64(rec, 1, receipt);
                sqlite3_bind_int64(rec, 2, invoice);
                sqlite3_bind_int64(rec, 3, amount);
                text(rec, 4, ref);
                sqlite3_bind_int64(rec, 5, entry);
                step(g->db, rec);
                sqlite3_bind_int64(sch, 1, g->fund[plan]);
                sqlite3_bind_int64(sch, 2, entry);
                sqlite3_bind_int64(sch, 3, amount);
                step(g->db, sch);
            }
        }
    }
    free(order);
    sqlite3_finalize(bat);
    sqlite3_finalize(enr);
    sqlite3_finalize(inv);
    sqlite3_finalize(rec);
    sqlite3_finalize(sch);
}

static const char *const channels[] = {"online", "online", "online", "online", "online",
                                       "offline", "offline", "offline", "auto", "auto"};

static void gen_claims(struct gen *g, struct entry_stmts *es)
{
    sqlite3_stmt *clm = prep(g->db,
        "INSERT INTO claim (id, member_id, org_id, channel, status, plan_codes, submitted_on,"
        " cause, admission_date, discharge_date, has_settlement, total_fen, fund_paid_fen,"
        " self_pay_in_scope_fen, self_pay_out_scope_fen, invoices, payout_fen, reject_code,"
        " created_ms, submitted_ms, paid_ms) VALUES (?, ?, ?, ?, ?, 'ZY', ?, 'illness', ?, ?, 1,"
        " ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *res = prep(g->db,
        "INSERT INTO claim_result (claim_id, seq, plan_code, plan_id, enrolment_id, decision,"
        " reason, payout_fen, steps, payable_entry, payout_entry) VALUES (?, 0, 'ZY', ?, ?, ?,"
        " ?, ?, x'', ?, ?)");
    sqlite3_stmt *ref = prep(g->db,
        "INSERT OR IGNORE INTO assistance_referral (member_id, year, org_id, oop_fen,"
        " aid_paid_fen, remaining_fen, hardship, reason, updated_ms) VALUES (?, 2026, ?, ?, ?,"
        " ?, 0, 'threshold', 0)");
    struct date jan1d;
    jan1d = day_of("2026-01-01");
    int32_t jan1 = jan1d.day;
    for (int64_t id = 1; id <= g->claims; id++) {
        int64_t m;
        do {
            m = 1 + rnd((unsigned)g->members);
        } while (g->m_enrol[m] == 0);
        int32_t sub = jan1 + 100 + (int32_t)rnd(230); /* April .. mid-November */
        int32_t adm = sub - 10 - (int32_t)rnd(20);
        unsigned kind = rnd(10);
        const char *status = kind < 7 ? "paid" : kind == 7 ? "payable" : kind == 8 ? "rejected"
                                                                                 : "assessed";
        int64_t in_scope = 100000 + 1000 * (int64_t)rnd(2000);
        int64_t payout = kind <= 7 ? (in_scope - 50000) / 2 : 0;
        int64_t sub_ms = ((int64_t)sub * 86400 + 2 * 3600) * 1000;
        int64_t paid_ms = sub_ms + (int64_t)(3 * 24 + rnd(40 * 24)) * 3600000; /* after approval */
        char sd[11], ad[11], dd[11], inv[32], approve[11], pay[11];
        date_of(sub, sd);
        date_of(adm, ad);
        date_of(adm + 5, dd);
        date_of(sub + 3, approve);
        date_of((int32_t)((paid_ms / 1000 + 8 * 3600) / 86400), pay);
        snprintf(inv, sizeof(inv), "INV%" PRId64, id);
        sqlite3_bind_int64(clm, 1, id);
        sqlite3_bind_int64(clm, 2, m);
        sqlite3_bind_int64(clm, 3, g->m_org[m]);
        text(clm, 4, channels[rnd(10)]);
        text(clm, 5, status);
        text(clm, 6, sd);
        text(clm, 7, ad);
        text(clm, 8, dd);
        sqlite3_bind_int64(clm, 9, 800000 + in_scope);
        sqlite3_bind_int64(clm, 10, 800000);
        sqlite3_bind_int64(clm, 11, in_scope);
        text(clm, 12, inv);
        sqlite3_bind_int64(clm, 13, payout);
        if (kind == 8) {
            text(clm, 14, rnd(2) ? "WAITING_PERIOD" : "DOCUMENTS_INSUFFICIENT");
        } else {
            sqlite3_bind_null(clm, 14);
        }
        sqlite3_bind_int64(clm, 15, sub_ms);
        sqlite3_bind_int64(clm, 16, sub_ms);
        if (kind < 7) {
            sqlite3_bind_int64(clm, 17, paid_ms);
        } else {
            sqlite3_bind_null(clm, 17);
        }
        step(g->db, clm);
        int64_t payable = 0, payout_entry = 0;
        char source[32];
        snprintf(source, sizeof(source), "claim:%" PRId64, id);
        if (kind <= 7) {
            payable = post(g, es, 0, g->acct[0][A_BENEFITS], g->acct[0][A_PAYABLE], payout,
                           approve, "claim", source);
        }
        if (kind < 7) {
            payout_entry = post(g, es, 0, g->acct[0][A_PAYABLE], g->acct[0][A_BANK], payout, pay,
                                "payout_batch", source);
            if (id % 40 == 0) {
                sqlite3_bind_int64(ref, 1, m);
                sqlite3_bind_int64(ref, 2, g->m_org[m]);
                sqlite3_bind_int64(ref, 3, in_scope);
                sqlite3_bind_int64(ref, 4, payout);
                sqlite3_bind_int64(ref, 5, in_scope - payout);
                step(g->db, ref);
            }
        }
        sqlite3_bind_int64(res, 1, id);
        sqlite3_bind_int64(res, 2, g->plan_zy);
        sqlite3_bind_int64(res, 3, g->m_enrol[m]);
        text(res, 4, kind <= 7 || kind == 9 ? "approve" : "reject");
        if (kind == 8) {
            text(res, 5, "WAITING_PERIOD");
        } else {
            sqlite3_bind_null(res, 5);
        }
        sqlite3_bind_int64(res, 6, kind == 9 ? (in_scope - 50000) / 2 : payout);
        if (payable) {
            sqlite3_bind_int64(res, 7, payable);
        } else {
            sqlite3_bind_null(res, 7);
        }
        if (payout_entry) {
            sqlite3_bind_int64(res, 8, payout_entry);
        } else {
            sqlite3_bind_null(res, 8);
        }
        step(g->db, res);
    }
    sqlite3_finalize(clm);
    sqlite3_finalize(res);
    sqlite3_finalize(ref);
}

static void generate(const char *path, struct gen *g)
{
    if (sqlite3_open(path, &g->db) != SQLITE_OK) {
        die("open", path);
    }
    exec(g->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
                "PRAGMA cache_size=-400000; BEGIN");
    g->plan_zy = one(g->db, "SELECT id FROM plan_version WHERE code = 'ZY' AND version = 1");
    g->plan_jt = one(g->db, "SELECT id FROM plan_version WHERE code = 'JT' AND version = 1");
    const char *codes[] = {"ZY", "JT"};
    const char *accts[] = {"1002", "2203", "2241", "5101"};
    for (int p = 0; p < 2; p++) {
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT id FROM fund WHERE code = '%s'", codes[p]);
        g->fund[p] = one(g->db, sql);
        for (int a = 0; a < 4; a++) {
            snprintf(sql, sizeof(sql),
                     "SELECT id FROM ledger_account WHERE fund_id = %" PRId64 " AND code = '%s'",
                     g->fund[p], accts[a]);
            g->acct[p][a] = one(g->db, sql);
        }
    }
    g->entry_id = one(g->db, "SELECT COALESCE(max(id), 0) FROM ledger_entry");
    struct entry_stmts es = {
        prep(g->db, "INSERT INTO ledger_line (entry_id, line_count, line_no, account_id, side,"
                    " amount_fen, debit_through_fen, credit_through_fen, prev_line_no,"
                    " prev_debit_fen, prev_credit_fen) VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        prep(g->db, "INSERT INTO ledger_entry (id, fund_id, entry_date, period, source_type,"
                    " source_id, memo, idem_key, digest, line_count, total_debit_fen,"
                    " total_credit_fen) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?, zeroblob(32), 2, ?,"
                    " ?)")};
    int64_t t0 = now_us();
    gen_orgs(g);
    gen_registry(g);
    fprintf(stderr, "registry: %.1f s\n", (double)(now_us() - t0) / 1e6);
    gen_enrolment(g, &es);
    fprintf(stderr, "enrolment: %.1f s\n", (double)(now_us() - t0) / 1e6);
    gen_claims(g, &es);
    fprintf(stderr, "claims: %.1f s\n", (double)(now_us() - t0) / 1e6);
    sqlite3_finalize(es.line);
    sqlite3_finalize(es.entry);
    /* the per-day movements and balances the ledger keeps */
    exec(g->db, "DELETE FROM ledger_account_day WHERE 0;"
                "INSERT OR REPLACE INTO ledger_account_day (account_id, day, debit_fen, credit_fen)"
                " SELECT l.account_id, e.entry_date,"
                " sum(CASE WHEN l.side = 'D' THEN l.amount_fen ELSE 0 END),"
                " sum(CASE WHEN l.side = 'C' THEN l.amount_fen ELSE 0 END)"
                " FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id"
                " GROUP BY l.account_id, e.entry_date;"
                "UPDATE ledger_account SET balance_fen = (SELECT"
                " COALESCE(sum(debit_fen - credit_fen), 0) FROM ledger_account_day d"
                " WHERE d.account_id = ledger_account.id);"
                "COMMIT; ANALYZE;");
    fprintf(stderr, "ledger totals, analyze: %.1f s\n", (double)(now_us() - t0) / 1e6);
    sqlite3_close(g->db);
    free(g->emp_org);
    free(g->m_org);
    free(g->m_emp);
    free(g->m_enrol);
}

/* ------------------------------------------------------------ timing */

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef enum err report_fn(struct store_conn *c, const struct reports_query *q,
                           struct rpt_doc **out, char *err_field);

static int failures;
static const struct claims_ctx *whatif_ctx;
static const struct whatif_input *whatif_in;

static enum err run_whatif(struct store_conn *c, const struct reports_query *q,
                           struct rpt_doc **out, char *err_field)
{
    return whatif_run(c, whatif_ctx, q, whatif_in, out, err_field);
}


static int64_t reference_median_us;

/* The reference's median in µs: see the header comment. */
static int64_t reference(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT employment, count(*), sum(hardship), count(employer_id)"
                           " FROM member GROUP BY employment",
                           -1, &st, NULL) != SQLITE_OK) {
        die("reference", sqlite3_errmsg(db));
    }
    int64_t t[REPEAT];
    for (int i = 0; i < REPEAT; i++) {
        int64_t t0 = now_us();
        while (sqlite3_step(st) == SQLITE_ROW) {
        }
        t[i] = now_us() - t0;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    qsort(t, REPEAT, sizeof(t[0]), cmp64);
    return t[REPEAT / 2] > 0 ? t[REPEAT / 2] : 1;
}

static void timed(struct store *s, const char *name, report_fn *fn, const struct reports_query *q,
                  int repeat)
{
    int64_t t[REPEAT];
    for (int i = 0; i < repeat; i++) {
        struct store_conn *c;
        bool replica;
        if (store_acquire_read(s, &c, &replica) != ERR_OK) {
            die("acquire", name);
        }
        struct rpt_doc *d = NULL;
        char field[REPORTS_FIELD_MAX] = "";
        int64_t t0 = now_us();
        enum err e = fn(c, q, &d, field);
        t[i] = now_us() - t0;
        store_release(c);
        if (e != ERR_OK) {
            fprintf(stderr, "%s: %s %s\n", name, err_str(e), field);
            failures++;
            return;
        }
        if (i == 0 && strcmp(name, "claims (province)") == 0) {
            const struct rpt_table *tot = rpt_doc_find(d, "total");
            fprintf(stderr, "  claims %" PRId64 ", paid %" PRId64 " fen, ledger %" PRId64
                            " fen, reconciled %s\n",
                    tot->cells[0].i, tot->cells[5].i, tot->cells[8].i,
                    tot->cells[9].i ? "yes" : "NO");
        }
        rpt_doc_free(d);
    }
    int64_t first = t[0];
    qsort(t, (size_t)repeat, sizeof(t[0]), cmp64);
    int64_t median = t[repeat / 2];
    printf("%-28s first %7.1f ms   median %7.1f ms   %5.2fx ref   %s\n", name,
           (double)first / 1000, (double)median / 1000,
           (double)median / (double)reference_median_us, median < 500000 ? "ok" : "OVER 500 ms");
    if (median >= 500000) {
        failures++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 5) {
        fprintf(stderr, "usage: bench_reports DB.sqlite [MEMBERS ENROLMENTS CLAIMS]\n");
        return 2;
    }
    log_set_level(LOG_WARN);
    struct gen g;
    memset(&g, 0, sizeof(g));
    g.members = argc == 5 ? atoll(argv[2]) : 1000000;
    g.enrolments = argc == 5 ? atoll(argv[3]) : 1000000;
    g.claims = argc == 5 ? atoll(argv[4]) : 200000;
    if (g.members < 1000 || g.enrolments < 1 || g.claims < 1) {
        fprintf(stderr, "bench_reports: at least 1000 members, 1 enrolment, 1 claim\n");
        return 2;
    }
    /* BENCH_REPORTS_REUSE=1: time an existing database again (for tuning) */
    const char *reuse = getenv("BENCH_REPORTS_REUSE");
    bool fresh = reuse == NULL || strcmp(reuse, "1") != 0 || access(argv[1], F_OK) != 0;
    struct store_options opt = {.pool_size = 2, .busy_timeout_ms = 5000, .create = true};
    struct store *s;
    struct store_conn *c;
    int version;
    int64_t t0 = now_us();
    if (fresh) {
        unlink(argv[1]);
        if (store_open(argv[1], &opt, &s) != ERR_OK || store_migrate(s, &version) != ERR_OK ||
            store_acquire(s, &c) != ERR_OK) {
            die("store", argv[1]);
        }
        load_plan(c, plan_zy, true);
        load_plan(c, plan_jt, true);
        load_plan(c, plan_zy2, false);
        store_release(c);
        store_close(s);
        generate(argv[1], &g);
        fprintf(stderr, "generated %" PRId64 " members, %" PRId64 " enrolments, %" PRId64
                        " claims in %.1f s\n",
                g.members, g.enrolments, g.claims, (double)(now_us() - t0) / 1e6);
    }
    if (store_open(argv[1], &opt, &s) != ERR_OK || store_acquire(s, &c) != ERR_OK) {
        die("store", argv[1]);
    }
    t0 = now_us();
    int64_t differ = 0;
    if (fresh && (reports_rollups_verify(c, &differ) != ERR_OK || differ != 0)) {
        fprintf(stderr, "rollups differ from the facts by %" PRId64 " rows\n", differ);
        failures++;
    } else if (fresh) {
        fprintf(stderr, "rollups equal the facts (checked in %.1f s)\n",
                (double)(now_us() - t0) / 1e6);
    }
    t0 = now_us();
    const char *funds[] = {"ZY", "JT"};
    for (int m = 1; fresh && m <= 6; m++) {
        char period[8];
        snprintf(period, sizeof(period), "2026-%02d", m);
        for (int f = 0; f < 2; f++) {
            enum err e = ledger_close(c, &auth_actor_cli, funds[f], period);
            if (e != ERR_OK) {
                fprintf(stderr, "close %s %s: %s\n", funds[f], period, err_str(e));
            }
        }
    }
    fprintf(stderr, "closed 2026-01 .. 2026-06 in %.1f s\n", (double)(now_us() - t0) / 1e6);
    store_release(c);

    struct auth_user sup, city;
    memset(&sup, 0, sizeof(sup));
    sup.id = 1;
    sup.role = AUTH_ROLE_SUPERVISOR;
    sup.org_id = 1;
    snprintf(sup.org_code, sizeof(sup.org_code), "ZJ");
    snprintf(sup.org_path, sizeof(sup.org_path), "/1/");
    city = sup;
    city.org_id = 2;
    snprintf(city.org_code, sizeof(city.org_code), "ZJ-01");
    snprintf(city.org_path, sizeof(city.org_path), "/1/2/");

    struct reports_query q;
    memset(&q, 0, sizeof(q));
    q.user = &sup;
    q.limit = 50;
    q.threshold_bp = 5000;
    q.from = day_of("2026-01-01");
    q.to = day_of("2026-12-31");
    struct reports_query qc = q;
    qc.user = &city;
    struct reports_query qm = q; /* one month */
    qm.from = day_of("2026-06-01");
    qm.to = day_of("2026-06-30");

    struct claims_config cfg;
    claims_config_default(&cfg);
    struct claims_ctx ctx = {NULL, &cfg, 0, {0}, "bench"};
    struct whatif_input in = {"ZY", 2, 7000};
    whatif_ctx = &ctx;
    whatif_in = &in;

    printf("bench/reports: %" PRId64 " members, %" PRId64 " enrolments, %" PRId64
           " claims (SQLite); %d runs each\n",
           g.members, g.enrolments, g.claims, REPEAT);
    reference_median_us = reference(argv[1]);
    printf("%-28s median %7.1f ms   (raw sqlite3: members by employment form, one table)\n",
           "reference", (double)reference_median_us / 1000);
    timed(s, "coverage (province)", reports_coverage, &q, REPEAT);
    timed(s, "coverage (city)", reports_coverage, &qc, REPEAT);
    timed(s, "outreach (province)", reports_outreach, &q, REPEAT);
    timed(s, "contributions (province)", reports_contributions, &q, REPEAT);
    timed(s, "claims (province)", reports_claims, &q, REPEAT);
    timed(s, "claims (city)", reports_claims, &qc, REPEAT);
    timed(s, "timeliness (province)", reports_timeliness, &q, REPEAT);
    timed(s, "fund", reports_fund, &q, REPEAT);
    timed(s, "referrals (province)", reports_referrals, &q, REPEAT);
    timed(s, "what-if, one month", run_whatif, &qm, REPEAT);
    int64_t w0 = now_us();
    struct store_conn *wc;
    bool replica;
    struct rpt_doc *d = NULL;
    char field[REPORTS_FIELD_MAX];
    if (store_acquire_read(s, &wc, &replica) == ERR_OK) {
        enum err e = whatif_run(wc, &ctx, &q, &in, &d, field);
        printf("%-28s once  %7.1f ms   (%s; a computation, not a dashboard read)\n",
               "what-if, the year", (double)(now_us() - w0) / 1000, err_str(e));
        rpt_doc_free(d);
        store_release(wc);
    }
    store_close(s);
    if (failures > 0) {
        printf("bench/reports: %d report(s) over 500 ms or failed\n", failures);
        return 1;
    }
    printf("bench/reports: every report under 500 ms\n");
    return 0;
}
