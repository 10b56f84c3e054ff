/*
 * test_reports: the supervision reports on SQLite and PostgreSQL (schema
 * t_reports) against figures computed by hand from a small scheme:
 *
 *   R (root) -- RC (city) -- RCG (grassroots)
 *            `- RO (city)
 *   E1 private small at RC, E2 state large at RO
 *   m1 RC  E1 standard   enrolled ZY, paid       claim 1: 475,000 approved 05-20, paid
 *   m2 RCG E1 standard   enrolled ZY, NOT paid
 *   m3 RC  -  courier    enrolled ZY, paid       claim 2: waiting period, rejected
 *   m4 RO  E2 standard   enrolled ZY, paid       claim 3: 125,000 approved 06-15, paid
 *      (hardship)                                claim 4: rejected DOCUMENTS_INSUFFICIENT
 *   m5 RO  -  delivery   not enrolled
 *   m6 RCG E1 standard   not enrolled
 *
 * ZY: 6,000 fen a share for 12 months from 2026-01-01, worker pays. The
 * claims report's paid total must equal the ledger's benefit expense (the
 * reconciliation), for the whole tree and for a subtree. Pure pieces (basis
 * points, percentiles, CSV/XLSX files) are checked once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wunused-function"
#include "enrol_fixture.h"

#include "core/limits.h"
#include "domain/claims.h"
#include "domain/documents.h"
#include "domain/export.h"
#include "domain/fieldcrypt.h"
#include "domain/ledger.h"
#include "domain/reports.h"
#include "domain/whatif.h"
#include "store/store_org.h"

static const char plan_zy[] =
    "{\"code\":\"ZY\",\"version\":1,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,\"waiting_days\":90,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},"
    "\"benefit\":{\"deductible_fen\":50000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":5000},{\"upto_fen\":3000000,"
    "\"ratio_bp\":6000},{\"upto_fen\":null,\"ratio_bp\":7000}],"
    "\"annual_cap_fen_per_share\":1000000}}";
/* the draft: shorter waiting, smaller deductible, ten points more */
static const char plan_zy2[] =
    "{\"code\":\"ZY\",\"version\":2,\"name\":\"住院\",\"kind\":\"inpatient\","
    "\"share_price_fen\":6000,\"max_shares\":3,\"term_months\":12,\"waiting_days\":20,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},"
    "\"benefit\":{\"deductible_fen\":30000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":1000000,\"ratio_bp\":6000},{\"upto_fen\":3000000,"
    "\"ratio_bp\":7000},{\"upto_fen\":null,\"ratio_bp\":8000}],"
    "\"annual_cap_fen_per_share\":1000000}}";

static struct fieldcrypt *fc;
static struct claims_config cfg;
static struct claims_ctx ctx;
static char key_path[256];

struct scheme {
    int64_t rcg, m[7], claim[5];
    char root_path[STORE_ORG_PATH_BYTES + 1];
    struct auth_user sup, sup_rc, member, officer, finance, staff;
};
static struct scheme S;

static struct auth_user user(int64_t id, enum auth_role role, int64_t org, const char *code,
                             const char *path)
{
    struct auth_user u;
    memset(&u, 0, sizeof(u));
    u.id = id;
    snprintf(u.login, sizeof(u.login), "u%lld", (long long)id);
    u.role = role;
    u.org_id = org;
    snprintf(u.org_code, sizeof(u.org_code), "%s", code);
    snprintf(u.org_path, sizeof(u.org_path), "%s", path);
    return u;
}

/* Unix ms of hour:00 China Standard Time on date. */
static int64_t cst_ms(const char *date, int hour)
{
    return ((int64_t)D(date).day * 86400 + hour * 3600 - 8 * 3600) * 1000;
}

static void at(const char *date, int hour)
{
    ctx.today = D(date);
    ctx.now_ms = cst_ms(date, hour);
}

static void enrol_paid(struct fixture *f, int64_t member, bool pay)
{
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "ZY", "2026-01-01");
    r.member_ids = &member;
    r.nmembers = 1;
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t batch = p.batch_id;
    enrol_preview_release(&p);
    struct invoice_view inv[4];
    size_t n;
    assert_int_equal(invoice_list_batch(f->c, &enrol_actor_cli, batch, inv, 4, &n), ERR_OK);
    assert_int_equal(n, 1);
    if (!pay) {
        return;
    }
    char ref[32];
    snprintf(ref, sizeof(ref), "B-%lld", (long long)batch);
    struct receipt_request q = {inv[0].id, inv[0].amount_fen, RECEIPT_BANK_TRANSFER, ref,
                                strlen(ref), NULL, D("2026-01-01")};
    struct receipt_result res;
    assert_int_equal(invoice_record_receipt(f->c, &enrol_actor_cli, &q, &res, field,
                                            sizeof(field)),
                     ERR_OK);
}

static const unsigned char pdf_bytes[] = "%PDF-1.4 test document";

/* An inpatient claim of member under ZY, submitted now, documents waived
 * by the officer so it can be assessed. */
static int64_t stay(struct fixture *f, int64_t member, const char *adm, const char *dis,
                    int64_t in_scope, const char *invoice)
{
    struct claim_input in;
    memset(&in, 0, sizeof(in));
    in.member_id = member;
    in.nplans = 1;
    snprintf(in.plan_codes[0], PLAN_CODE_MAX, "ZY");
    in.event.present = ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
    in.event.cause = ADJ_CAUSE_ILLNESS;
    in.event.admission_date = D(adm);
    in.event.discharge_date = D(dis);
    struct adj_settlement *s = &in.event.settlement;
    s->fund_paid_fen = 800000;
    s->self_pay_in_scope_fen = in_scope;
    s->self_pay_out_scope_fen = in_scope == 1000000 ? 200000 : 0;
    s->total_fen = 800000 + s->self_pay_in_scope_fen + s->self_pay_out_scope_fen;
    in.ninvoices = 1;
    snprintf(in.invoices[0], ADJ_INVOICE_MAX, "%s", invoice);
    int64_t id;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &S.staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &S.staff, id), ERR_OK);
    static const enum doc_kind kinds[] = {DOC_INVOICE, DOC_SETTLEMENT_STATEMENT,
                                          DOC_DISCHARGE_SUMMARY};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(claim_document_waive(f->c, &ctx, &S.officer, id, kinds[i], "原件已核"),
                         ERR_OK);
    }
    (void)pdf_bytes;
    return id;
}

static void build_scheme(struct fixture *f)
{
    memset(&S, 0, sizeof(S));
    char rcg_path[STORE_ORG_PATH_BYTES + 1];
    int64_t got;
    assert_int_equal(store_org_find(f->c, "R", &got, S.root_path), ERR_OK);
    S.rcg = fx_org(f, "RCG", f->city_org, rcg_path, sizeof(rcg_path));
    struct store_employer_new e1 = {"91330100MA00000011", "Unit one", "private", "small", "",
                                    f->city_org};
    struct store_employer_new e2 = {"91330100MA00000022", "Unit two", "state", "large", "",
                                    f->other_org};
    int64_t emp1, emp2;
    assert_int_equal(store_employer_insert(f->c, &e1, &emp1), ERR_OK);
    assert_int_equal(store_employer_insert(f->c, &e2, &emp2), ERR_OK);
    S.m[1] = fx_member(f, f->city_org, emp1, "M", "1985-03-07", "standard", 0);
    S.m[2] = fx_member(f, S.rcg, emp1, "F", "1986-04-01", "standard", 0);
    S.m[3] = fx_member(f, f->city_org, 0, "M", "1990-05-05", "courier", 0);
    S.m[4] = fx_member(f, f->other_org, emp2, "F", "1980-01-01", "standard", 1);
    S.m[5] = fx_member(f, f->other_org, 0, "M", "1992-02-02", "delivery", 0);
    S.m[6] = fx_member(f, S.rcg, emp1, "M", "1988-08-08", "standard", 0);

    S.sup = user(21, AUTH_ROLE_SUPERVISOR, f->root_org, "R", S.root_path);
    S.sup_rc = user(22, AUTH_ROLE_SUPERVISOR, f->city_org, "RC", f->city_path);
    S.member = user(23, AUTH_ROLE_MEMBER, f->city_org, "RC", f->city_path);
    S.officer = user(24, AUTH_ROLE_CLAIMS_OFFICER, f->root_org, "R", S.root_path);
    S.finance = user(25, AUTH_ROLE_FINANCE, f->root_org, "R", S.root_path);
    S.staff = user(26, AUTH_ROLE_UNIT_STAFF, f->root_org, "R", S.root_path);

    fx_plan(f, plan_zy, true);
    struct ledger_money_in m = {"ZY", "2026-01-01", 100000000, "", NULL, "open-ZY", NULL, NULL};
    struct ledger_result lr;
    assert_int_equal(ledger_post_kind(f->c, &auth_actor_cli, LEDGER_KIND_OPENING, &m, &lr),
                     ERR_OK);
    enrol_paid(f, S.m[1], true);
    enrol_paid(f, S.m[2], false);
    enrol_paid(f, S.m[3], true);
    enrol_paid(f, S.m[4], true);

    struct claim_assessment a;
    char field[CLAIM_FIELD_MAX];
    bool pending;
    /* claim 2: m3, day 31 of the term: waiting period; the officer rejects */
    at("2026-02-10", 10);
    S.claim[2] = stay(f, S.m[3], "2026-02-01", "2026-02-03", 100000, "INV-2");
    assert_int_equal(claim_assess(f->c, &ctx, &S.officer, S.claim[2], &a), ERR_OK);
    assert_int_equal(a.pairs[0].decision, ADJ_REJECT);
    assert_int_equal(claim_reject(f->c, &ctx, &S.officer, S.claim[2], "WAITING_PERIOD",
                                  "等待期内", field, sizeof(field)),
                     ERR_OK);
    /* claim 1: m1, 475,000 approved 05-20, paid 13.5 days after submission */
    at("2026-05-10", 9);
    S.claim[1] = stay(f, S.m[1], "2026-05-01", "2026-05-08", 1000000, "INV-1");
    at("2026-05-20", 10);
    assert_int_equal(claim_assess(f->c, &ctx, &S.officer, S.claim[1], &a), ERR_OK);
    assert_int_equal(a.payout_fen, 475000);
    assert_int_equal(claim_approve(f->c, &ctx, &S.officer, S.claim[1], &a), ERR_OK);
    at("2026-05-23", 21);
    assert_int_equal(claim_pay(f->c, &ctx, &S.finance, S.claim[1], D("2026-05-23"), "PB-1",
                               &pending),
                     ERR_OK);
    /* claim 3: m4, 125,000 approved 06-15, paid 7 days after submission */
    at("2026-06-10", 8);
    S.claim[3] = stay(f, S.m[4], "2026-06-01", "2026-06-05", 300000, "INV-3");
    at("2026-06-15", 8);
    assert_int_equal(claim_assess(f->c, &ctx, &S.officer, S.claim[3], &a), ERR_OK);
    assert_int_equal(a.payout_fen, 125000);
    assert_int_equal(claim_approve(f->c, &ctx, &S.officer, S.claim[3], &a), ERR_OK);
    at("2026-06-17", 8);
    assert_int_equal(claim_pay(f->c, &ctx, &S.finance, S.claim[3], D("2026-06-17"), "PB-2",
                               &pending),
                     ERR_OK);
    /* claim 4: m4, the engine would pay; a person rejects it */
    at("2026-07-10", 9);
    S.claim[4] = stay(f, S.m[4], "2026-07-01", "2026-07-03", 200000, "INV-4");
    assert_int_equal(claim_assess(f->c, &ctx, &S.officer, S.claim[4], &a), ERR_OK);
    assert_int_equal(a.pairs[0].decision, ADJ_APPROVE);
    assert_int_equal(claim_reject(f->c, &ctx, &S.officer, S.claim[4], "DOCUMENTS_INSUFFICIENT",
                                  "发票不清", field, sizeof(field)),
                     ERR_OK);
    /* the draft what-if replays under; May closed */
    fx_plan(f, plan_zy2, false);
    assert_int_equal(ledger_close(f->c, &auth_actor_cli, "ZY", "2026-05"), ERR_OK);
    struct ledger_verify_result lv;
    assert_int_equal(ledger_verify(f->c, &lv), ERR_OK);
    assert_true(lv.ok);
    int64_t rows = -1;
    assert_int_equal(reports_rollups_verify(f->c, &rows), ERR_OK);
    assert_int_equal(rows, 0);
}

static void common_setup(struct fixture *f)
{
    snprintf(key_path, sizeof(key_path), "/tmp/huzhu-test-reports-%d-%s.key", (int)getpid(),
             f->pg ? "pg" : "sqlite");
    unlink(key_path);
    if (fieldcrypt_keygen(key_path) != ERR_OK || fieldcrypt_open(key_path, &fc) != ERR_OK) {
        abort();
    }
    claims_config_default(&cfg);
    cfg.risk_sample_bp = 0;
    cfg.referral_threshold_fen = 500000;
    cfg.referral_hardship_fen = 100000;
    memset(&ctx, 0, sizeof(ctx));
    ctx.fc = fc;
    ctx.cfg = &cfg;
    ctx.request_id = "test";
    build_scheme(f);
}

static int setup_sqlite(void **state)
{
    if (fx_setup_sqlite(state, "reports") != 0) {
        return -1;
    }
    common_setup(*state);
    return 0;
}

static int setup_pg(void **state)
{
    if (fx_setup_pg(state, "t_reports") != 0) {
        return -1;
    }
    if (*state != NULL) {
        common_setup(*state);
    }
    return 0;
}

static int teardown(void **state)
{
    fieldcrypt_close(fc);
    fc = NULL;
    unlink(key_path);
    return fx_teardown(state);
}

/* ------------------------------------------------------------ helpers */

static struct reports_query query(const struct auth_user *u, const char *from, const char *to)
{
    struct reports_query q;
    memset(&q, 0, sizeof(q));
    q.user = u;
    q.from = D(from);
    q.to = D(to);
    q.limit = LIMIT_PAGE_DEFAULT;
    q.threshold_bp = 5000;
    return q;
}

static const struct rpt_table *table(const struct rpt_doc *d, const char *name)
{
    const struct rpt_table *t = rpt_doc_find(d, name);
    if (t == NULL) {
        fail_msg("no table %s", name);
    }
    return t;
}

static int col(const struct rpt_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].name, name) == 0) {
            return (int)i;
        }
    }
    fail_msg("no column %s in %s", name, t->name);
    return -1;
}

/* The row of t whose column key is text value; -1 when none. */
static long row_of(const struct rpt_table *t, const char *key, const char *value)
{
    int k = col(t, key);
    for (size_t r = 0; r < t->nrows; r++) {
        const struct rpt_cell *c = &t->cells[r * t->ncols + (size_t)k];
        if (!c->null && strcmp(c->s, value) == 0) {
            return (long)r;
        }
    }
    return -1;
}

static int64_t num(const struct rpt_table *t, long r, const char *name)
{
    assert_true(r >= 0 && (size_t)r < t->nrows);
    const struct rpt_cell *c = &t->cells[(size_t)r * t->ncols + (size_t)col(t, name)];
    assert_false(c->null);
    return c->i;
}

static bool is_null(const struct rpt_table *t, long r, const char *name)
{
    return t->cells[(size_t)r * t->ncols + (size_t)col(t, name)].null;
}

/* Value of column name in the row where key = value. */
static int64_t cell(const struct rpt_doc *d, const char *tname, const char *key,
                    const char *value, const char *name)
{
    const struct rpt_table *t = table(d, tname);
    long r = row_of(t, key, value);
    if (r < 0) {
        fail_msg("no row %s=%s in %s", key, value, tname);
    }
    return num(t, r, name);
}

static int64_t total(const struct rpt_doc *d, const char *name)
{
    return num(table(d, "total"), 0, name);
}

/* The rollups equal a recomputation from the facts. */
static void rollups_exact(struct fixture *f)
{
    int64_t rows = -1;
    assert_int_equal(reports_rollups_verify(f->c, &rows), ERR_OK);
    assert_int_equal(rows, 0);
}

/* ------------------------------------------------------------ pure */

static void test_ratio_and_percentile(void **state)
{
    (void)state;
    int64_t bp;
    assert_true(reports_ratio_bp(1, 3, &bp));
    assert_int_equal(bp, 3333); /* rounded down */
    assert_true(reports_ratio_bp(2, 3, &bp));
    assert_int_equal(bp, 6666);
    assert_true(reports_ratio_bp(0, 5, &bp));
    assert_int_equal(bp, 0);
    assert_false(reports_ratio_bp(1, 0, &bp)); /* no denominator: NULL */
    assert_false(reports_ratio_bp(-1, 5, &bp));
    assert_true(reports_ratio_bp(INT64_MAX, 1, &bp) || true); /* no overflow trap */
    assert_true(reports_ratio_bp(900000000000000LL, 1000000000000000LL, &bp));
    assert_int_equal(bp, 9000); /* num * 10000 passes int64: 128-bit inside */

    const int64_t ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_int_equal(reports_percentile(ten, 10, 50), 5);  /* rank ceil(5.0) = 5 */
    assert_int_equal(reports_percentile(ten, 10, 90), 9);  /* rank 9 */
    assert_int_equal(reports_percentile(ten, 10, 91), 10); /* rank ceil(9.1) = 10 */
    assert_int_equal(reports_percentile(ten, 10, 100), 10);
    assert_int_equal(reports_percentile(ten, 1, 50), 1);
    assert_int_equal(reports_percentile(ten, 1, 90), 1);
    assert_int_equal(reports_percentile(ten, 2, 50), 1); /* the lower middle */
    assert_int_equal(reports_percentile(ten, 2, 90), 2);
    assert_int_equal(reports_percentile(ten, 3, 50), 2);
}

static void test_export_files(void **state)
{
    (void)state;
    static const struct rpt_col cols[] = {{"name", RPT_TEXT}, {"amount_fen", RPT_INT},
                                          {"ok", RPT_BOOL}, {"ratio_bp", RPT_INT}};
    struct rpt_doc *d = rpt_doc_new("coverage");
    assert_non_null(d);
    snprintf(d->org_code, sizeof(d->org_code), "ZJ-01");
    snprintf(d->org_name, sizeof(d->org_name), "杭州市总工会");
    snprintf(d->from, sizeof(d->from), "2026-01-01");
    snprintf(d->to, sizeof(d->to), "2026-12-31");
    struct rpt_table *t = rpt_table_add(d, "rows", cols, 4, false);
    struct rpt_cell *row;
    assert_int_equal(rpt_row_add(t, &row), ERR_OK);
    assert_int_equal(rpt_set_text(d, &row[0], "=cmd|' /C calc'!A0"), ERR_OK);
    rpt_set_int(&row[1], 9007199254740993LL); /* 2^53 + 1: not a double */
    rpt_set_int(&row[2], 1);
    rpt_set_bp(&row[3], 1, 0);
    assert_int_equal(rpt_row_add(t, &row), ERR_OK);
    assert_int_equal(rpt_set_text(d, &row[0], "职工,\"互助\""), ERR_OK);
    rpt_set_int(&row[1], -1250);

    int fd;
    uint64_t bytes;
    assert_int_equal(export_write(d, EXPORT_CSV, &fd, &bytes), ERR_OK);
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_int_equal((uint64_t)n, bytes);
    buf[n] = '\0';
    assert_memory_equal(buf, "\xEF\xBB\xBFreport,coverage\r\norg,ZJ-01,杭州市总工会\r\n", 45);
    assert_non_null(strstr(buf, "\r\nrows\r\nname,amount_fen,ok,ratio_bp\r\n"));
    assert_non_null(strstr(buf, "'=cmd|' /C calc'!A0,9007199254740993,true,\r\n"));
    assert_non_null(strstr(buf, "\"职工,\"\"互助\"\"\",-1250,,\r\n"));

    assert_int_equal(export_write(d, EXPORT_XLSX, &fd, &bytes), ERR_OK);
    n = read(fd, buf, 4);
    close(fd);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "PK\x03\x04", 4); /* a zip container */
    assert_true(bytes > 1000);

    char name[EXPORT_NAME_MAX];
    export_file_name(d, EXPORT_XLSX, name);
    assert_string_equal(name, "coverage-ZJ-01-2026-01-01-2026-12-31.xlsx");
    snprintf(d->org_code, sizeof(d->org_code), "../\"x\"");
    export_file_name(d, EXPORT_CSV, name);
    assert_string_equal(name, "coverage-..__x_-2026-01-01-2026-12-31.csv");
    enum export_format ef;
    assert_true(export_format_parse("xlsx", &ef) && ef == EXPORT_XLSX);
    assert_false(export_format_parse("pdf", &ef));

    json_t *j = rpt_doc_to_json(d);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 2);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "rows"), 0),
                                             "ratio_bp")));
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "rows"), 0),
                                             "ok")));
    json_decref(j);
    rpt_doc_free(d);
}

/* ------------------------------------------------------------ database */

static void test_scope_and_input(void **state)
{
    NEED_FIXTURE();
    (void)f;
    struct rpt_doc *d = NULL;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.member, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_FORBIDDEN);
    q = query(&S.sup, "2026-02-01", "2026-01-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_INVALID_DATE);
    assert_string_equal(field, "to");
    q = query(&S.sup, "2016-01-01", "2025-12-31"); /* 120 months: the most */
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    rpt_doc_free(d);
    q = query(&S.sup, "2015-12-31", "2025-12-31"); /* 121 months */
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_RANGE);
    assert_string_equal(field, "from");
    /* a narrower scope inside the caller's; a sibling's is not found */
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31");
    q.org_id = f->other_org;
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_NOT_FOUND);
    q.org_id = f->root_org; /* the parent is outside too */
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_NOT_FOUND);
    q.org_id = 999999;
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_NOT_FOUND);
    q.org_id = S.rcg;
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_string_equal(d->org_code, "RCG");
    assert_int_equal(total(d, "registered"), 2);
    assert_int_equal(total(d, "enrolled"), 0); /* m2 never paid */
    rpt_doc_free(d);
    q.limit = 0;
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_INVALID);
    assert_string_equal(field, "limit");
}

static void test_coverage(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "registered"), 6);
    assert_int_equal(total(d, "enrolled"), 3);
    assert_int_equal(total(d, "participation_bp"), 5000);
    /* regions: RC with RCG below it, and RO; the root has no members of its own */
    const struct rpt_table *t = table(d, "by_region");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RC", "registered"), 4);
    assert_int_equal(cell(d, "by_region", "org_code", "RC", "enrolled"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RO", "registered"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RO", "participation_bp"), 5000);
    assert_int_equal(cell(d, "by_ownership", "ownership", "private", "registered"), 3);
    assert_int_equal(cell(d, "by_ownership", "ownership", "private", "participation_bp"), 3333);
    assert_int_equal(cell(d, "by_ownership", "ownership", "state", "participation_bp"), 10000);
    assert_int_equal(cell(d, "by_ownership", "ownership", "none", "registered"), 2);
    assert_int_equal(cell(d, "by_ownership", "ownership", "none", "enrolled"), 1);
    t = table(d, "by_ownership");
    assert_true(is_null(t, row_of(t, "ownership", "foreign"), "participation_bp"));
    assert_int_equal(cell(d, "by_size", "size", "small", "enrolled"), 1);
    assert_int_equal(cell(d, "by_size", "size", "large", "registered"), 1);
    assert_int_equal(cell(d, "by_employment", "employment", "standard", "registered"), 4);
    assert_int_equal(cell(d, "by_employment", "employment", "standard", "enrolled"), 2);
    assert_int_equal(cell(d, "by_employment", "employment", "courier", "participation_bp"), 10000);
    assert_int_equal(cell(d, "by_employment", "employment", "delivery", "participation_bp"), 0);
    assert_int_equal(cell(d, "callouts", "group", "gig_workers", "registered"), 2);
    assert_int_equal(cell(d, "callouts", "group", "gig_workers", "not_covered"), 1);
    assert_int_equal(cell(d, "callouts", "group", "sme_staff", "registered"), 3);
    assert_int_equal(cell(d, "callouts", "group", "sme_staff", "participation_bp"), 3333);
    rpt_doc_free(d);

    /* the range: cover ran 2026-01-01 .. 2026-12-31 */
    q = query(&S.sup, "2025-01-01", "2025-12-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "enrolled"), 0);
    assert_int_equal(total(d, "registered"), 6);
    rpt_doc_free(d);
    q = query(&S.sup, "2025-06-01", "2026-01-01"); /* the first day touches */
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "enrolled"), 3);
    rpt_doc_free(d);
    q = query(&S.sup, "2027-01-01", "2027-03-31"); /* the day after the last */
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "enrolled"), 0);
    rpt_doc_free(d);

    /* RC's view: its own members first as a region, RCG below */
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "registered"), 4);
    assert_int_equal(cell(d, "by_region", "org_code", "RC", "registered"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RC", "enrolled"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RCG", "registered"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RCG", "enrolled"), 0);
    rpt_doc_free(d);

    /* the rollup follows a member who moves (trigger, same transaction) */
    assert_int_equal(db_exec(f->c->db, "UPDATE member SET employment = 'truck' WHERE name = "
                                       "'Worker' AND employment = 'courier'"),
                     ERR_OK);
    q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_coverage(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(cell(d, "by_employment", "employment", "truck", "enrolled"), 1);
    assert_int_equal(cell(d, "by_employment", "employment", "courier", "registered"), 0);
    rpt_doc_free(d);
    rollups_exact(f);
    /* and the check can fail: a row written by hand is found */
    assert_int_equal(db_exec(f->c->db, "UPDATE report_cover SET org_id = org_id + 1000"
                                       " WHERE enrolment_id = (SELECT min(enrolment_id)"
                                       " FROM report_cover)"),
                     ERR_OK);
    int64_t rows;
    assert_int_equal(reports_rollups_verify(f->c, &rows), ERR_OK);
    assert_int_equal(rows, 2);
}

static void test_outreach(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_outreach(f->c, &q, &d, field), ERR_OK);
    const struct rpt_table *t = table(d, "employers");
    assert_int_equal(t->nrows, 1); /* E1: 1 of 3 (3333 bp); E2 is fully covered */
    assert_int_equal(num(t, 0, "rank"), 1);
    assert_int_equal(num(t, 0, "staff"), 3);
    assert_int_equal(num(t, 0, "enrolled"), 1);
    assert_int_equal(num(t, 0, "not_covered"), 2);
    assert_int_equal(num(t, 0, "participation_bp"), 3333);
    assert_int_equal(row_of(t, "name", "Unit one"), 0);
    assert_int_equal(row_of(t, "region_code", "RC"), 0);
    assert_int_equal(cell(d, "by_size", "key", "small", "not_covered"), 2);
    t = table(d, "gig_groups");
    assert_int_equal(t->nrows, 1); /* RO delivery 0 of 1; RC courier is covered */
    assert_int_equal(row_of(t, "org_code", "RO"), 0);
    assert_int_equal(row_of(t, "employment", "delivery"), 0);
    rpt_doc_free(d);
    /* threshold 3333: E1 is exactly at it and no longer below */
    q.threshold_bp = 3333;
    assert_int_equal(reports_outreach(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(table(d, "employers")->nrows, 0);
    rpt_doc_free(d);
    q.threshold_bp = 3334;
    assert_int_equal(reports_outreach(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(table(d, "employers")->nrows, 1);
    rpt_doc_free(d);
    q.threshold_bp = 10001;
    assert_int_equal(reports_outreach(f->c, &q, &d, field), ERR_INVALID);
    assert_string_equal(field, "threshold_bp");
}

static void test_contributions(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_contributions(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "billed_fen"), 24000);
    assert_int_equal(total(d, "invoices"), 4);
    assert_int_equal(total(d, "received_fen"), 18000);
    assert_int_equal(total(d, "receipts"), 3);
    assert_int_equal(total(d, "open_fen"), 6000);
    assert_int_equal(cell(d, "by_payer", "payer", "worker", "billed_fen"), 24000);
    assert_int_equal(cell(d, "by_payer", "payer", "employer", "billed_fen"), 0);
    assert_int_equal(cell(d, "by_plan", "plan_code", "ZY", "received_fen"), 18000);
    rpt_doc_free(d);
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31"); /* m1, m2 (RCG), m3 */
    assert_int_equal(reports_contributions(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "billed_fen"), 18000);
    assert_int_equal(total(d, "received_fen"), 12000);
    rpt_doc_free(d);
    q = query(&S.sup, "2026-01-02", "2026-12-31"); /* everything was due and paid on 01-01 */
    assert_int_equal(reports_contributions(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "billed_fen"), 0);
    assert_int_equal(total(d, "received_fen"), 0);
    rpt_doc_free(d);
}

/* Benefit expense (5101, debit minus credit) in the ledger over [from, to],
 * from the balances as of each end: the ledger's own figure. */
struct bal5101 {
    int64_t fen;
};
static enum err bal_fn(void *p, const struct ledger_balance *b)
{
    if (strcmp(b->code, LEDGER_BENEFITS) == 0) {
        ((struct bal5101 *)p)->fen += b->balance_fen;
    }
    return ERR_OK;
}
static int64_t ledger_5101(struct fixture *f, const char *before, const char *to)
{
    struct bal5101 a = {0}, b = {0};
    assert_int_equal(ledger_balances(f->c, to, bal_fn, &b), ERR_OK);
    assert_int_equal(ledger_balances(f->c, before, bal_fn, &a), ERR_OK);
    return b.fen - a.fen;
}

static void test_claims_and_reconciliation(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "claims"), 4);
    assert_int_equal(total(d, "claimed_fen"), 2000000 + 900000 + 1100000 + 1000000);
    assert_int_equal(total(d, "approved"), 2);
    assert_int_equal(total(d, "rejected"), 2);
    assert_int_equal(total(d, "pending"), 0);
    assert_int_equal(total(d, "paid_fen"), 600000);
    assert_int_equal(total(d, "earned_fen"), 18000);
    assert_int_equal(total(d, "loss_ratio_bp"), 333333); /* 600,000 / 18,000 */
    /* reconciliation: the ledger's benefit expense of the same period */
    assert_int_equal(total(d, "ledger_benefits_fen"), 600000);
    assert_int_equal(ledger_5101(f, "2025-12-31", "2026-12-31"), 600000);
    assert_int_equal(num(table(d, "total"), 0, "reconciled"), 1);
    /* by plan and month: earned by days (6,000 over 365 days, three receipts) */
    const struct rpt_table *t = table(d, "by_plan_month");
    assert_int_equal(t->nrows, 12); /* every month earned something */
    assert_int_equal(cell(d, "by_month", "month", "2026-01", "earned_fen"), 3 * 509);
    assert_int_equal(cell(d, "by_month", "month", "2026-02", "earned_fen"), 3 * 460);
    assert_int_equal(cell(d, "by_month", "month", "2026-02", "claims"), 1);
    assert_int_equal(cell(d, "by_month", "month", "2026-02", "refused"), 1);
    assert_int_equal(cell(d, "by_month", "month", "2026-02", "rejected"), 1);
    assert_int_equal(cell(d, "by_month", "month", "2026-02", "loss_ratio_bp"), 0);
    assert_int_equal(cell(d, "by_month", "month", "2026-05", "paid_fen"), 475000);
    assert_int_equal(cell(d, "by_month", "month", "2026-05", "claimed_fen"), 2000000);
    assert_int_equal(cell(d, "by_month", "month", "2026-05", "loss_ratio_bp"), 3104575);
    assert_int_equal(cell(d, "by_month", "month", "2026-06", "paid_fen"), 125000);
    assert_int_equal(cell(d, "by_month", "month", "2026-06", "earned_fen"), 3 * 493);
    assert_int_equal(cell(d, "by_month", "month", "2026-06", "loss_ratio_bp"), 845165);
    assert_int_equal(cell(d, "by_month", "month", "2026-07", "rejected"), 1);
    assert_int_equal(cell(d, "by_month", "month", "2026-07", "refused"), 0);
    assert_int_equal(cell(d, "by_plan", "plan_code", "ZY", "paid_fen"), 600000);
    assert_int_equal(cell(d, "rejections", "reason", "WAITING_PERIOD", "claims"), 1);
    assert_int_equal(cell(d, "rejections", "reason", "DOCUMENTS_INSUFFICIENT", "claims"), 1);
    assert_int_equal(cell(d, "refusals", "reason", "WAITING_PERIOD", "pairs"), 1);
    rpt_doc_free(d);

    /* a subtree: RC has claims 1 and 2; its ledger share is found by source */
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "claims"), 2);
    assert_int_equal(total(d, "paid_fen"), 475000);
    assert_int_equal(total(d, "ledger_benefits_fen"), 475000);
    assert_int_equal(num(table(d, "total"), 0, "reconciled"), 1);
    assert_int_equal(total(d, "earned_fen"), 12000);
    rpt_doc_free(d);
    q.org_id = S.rcg; /* nothing there */
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "paid_fen"), 0);
    assert_int_equal(total(d, "ledger_benefits_fen"), 0);
    rpt_doc_free(d);

    /* whole months: 05-15..05-31 is May */
    q = query(&S.sup, "2026-05-15", "2026-05-31");
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    assert_string_equal(d->from, "2026-05-01");
    assert_int_equal(total(d, "claims"), 1);
    assert_int_equal(total(d, "paid_fen"), 475000);
    assert_int_equal(total(d, "ledger_benefits_fen"), 475000);
    assert_int_equal(ledger_5101(f, "2026-04-30", "2026-05-31"), 475000);
    assert_int_equal(total(d, "earned_fen"), 3 * 510);
    rpt_doc_free(d);

    /* the check can fail: a benefit booked by hand outside any claim breaks it */
    struct ledger_line_in lines[2] = {{"5101", LEDGER_DEBIT, 1000}, {"2241", LEDGER_CREDIT, 1000}};
    struct ledger_entry_in in = {.fund = "ZY", .date = "2026-06-30", .source = LEDGER_SRC_CLAIM,
                                 .source_id = "claim:999999", .memo = "stray",
                                 .idem_key = "stray-5101", .lines = lines, .nlines = 2};
    struct ledger_result lr;
    assert_int_equal(ledger_post(f->c, &auth_actor_cli, &in, &lr), ERR_OK);
    q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_claims(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "ledger_benefits_fen"), 601000);
    assert_int_equal(num(table(d, "total"), 0, "reconciled"), 0);
    rpt_doc_free(d);
    rollups_exact(f);
}

static void test_timeliness(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_OK);
    /* claim 1: 13.5 days; claim 3: 7 days. Nearest rank of 2: p50 = 1st, p90 = 2nd */
    assert_int_equal(total(d, "claims"), 2);
    assert_int_equal(total(d, "median_ms"), 7LL * 86400000);
    assert_int_equal(total(d, "median_days"), 7);
    assert_int_equal(total(d, "p90_ms"), 13LL * 86400000 + 12 * 3600000);
    assert_int_equal(total(d, "p90_days"), 13);
    assert_int_equal(total(d, "max_days"), 13);
    assert_int_equal(cell(d, "by_channel", "channel", "offline", "claims"), 2);
    assert_int_equal(cell(d, "by_region", "org_code", "RC", "median_days"), 13);
    assert_int_equal(cell(d, "by_region", "org_code", "RO", "median_days"), 7);
    assert_int_equal(cell(d, "by_region_channel", "org_code", "RO", "p90_days"), 7);
    const struct rpt_table *t = table(d, "claims");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(num(t, 0, "claim_id"), S.claim[1]); /* by id */
    assert_int_equal(row_of(t, "paid_on", "2026-05-23"), 0);
    assert_int_equal(row_of(t, "submitted_on", "2026-05-10"), 0);
    assert_int_equal(num(t, 0, "days"), 13);
    assert_false(t->truncated);
    rpt_doc_free(d);
    /* a page of one, then the next */
    q.limit = 1;
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(table(d, "claims")->nrows, 1);
    assert_true(table(d, "claims")->truncated);
    rpt_doc_free(d);
    q.after_id = S.claim[1];
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(num(table(d, "claims"), 0, "claim_id"), S.claim[3]);
    assert_false(table(d, "claims")->truncated);
    rpt_doc_free(d);
    /* paid on 06-17 CST: in a range ending 06-17, not in one ending 06-16 */
    q = query(&S.sup, "2026-06-01", "2026-06-17");
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "claims"), 1);
    rpt_doc_free(d);
    q = query(&S.sup, "2026-06-01", "2026-06-16");
    assert_int_equal(reports_timeliness(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "claims"), 0);
    assert_true(is_null(table(d, "total"), 0, "median_days"));
    rpt_doc_free(d);
}

static void test_fund_and_referrals(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_fund(f->c, &q, &d, field), ERR_OK);
    struct ledger_report lr;
    assert_int_equal(ledger_report(f->c, "ZY", "2026-05", &lr), ERR_OK);
    long r = row_of(table(d, "periods"), "period", "2026-05");
    assert_true(r >= 0);
    const struct rpt_table *t = table(d, "periods");
    /* opening 100,000,000 + three receipts; 475,000 approved 05-20, paid 05-23 */
    assert_int_equal(num(t, r, "bank_fen"), 100000000 + 18000 - 475000);
    assert_int_equal(num(t, r, "benefits_fen"), 475000);
    assert_int_equal(num(t, r, "payable_fen"), 0);
    /* closing May earned January to May at once (the ledger's catch-up) */
    assert_int_equal(num(t, r, "contributions_earned_fen"), 3 * (509 + 460 + 510 + 493 + 510));
    assert_int_equal(num(t, r, "net_assets_fen"), lr.net_assets_fen);
    if (lr.reserve_ratio_bp < 0) {
        assert_true(is_null(t, r, "reserve_ratio_bp"));
    } else {
        assert_int_equal(num(t, r, "reserve_ratio_bp"), lr.reserve_ratio_bp);
    }
    t = table(d, "by_fund");
    assert_int_equal(row_of(t, "last_period", "2026-05"), row_of(t, "fund", "ZY"));
    rpt_doc_free(d);
    q = query(&S.sup, "2026-06-01", "2026-12-31"); /* nothing closed after May */
    assert_int_equal(reports_fund(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(table(d, "periods")->nrows, 0);
    rpt_doc_free(d);

    q = query(&S.sup, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_referrals(f->c, &q, &d, field), ERR_OK);
    /* m1: out of pocket 1,200,000 - 475,000; m4 (hardship): 300,000 - 125,000 */
    assert_int_equal(total(d, "referrals"), 2);
    assert_int_equal(total(d, "oop_fen"), 1500000);
    assert_int_equal(total(d, "aid_paid_fen"), 600000);
    assert_int_equal(total(d, "remaining_fen"), 900000);
    assert_int_equal(total(d, "hardship"), 1);
    assert_int_equal(cell(d, "by_reason", "reason", "threshold", "remaining_fen"), 725000);
    assert_int_equal(cell(d, "by_reason", "reason", "hardship", "remaining_fen"), 175000);
    assert_int_equal(cell(d, "by_region", "org_code", "RO", "referrals"), 1);
    t = table(d, "referrals");
    assert_int_equal(num(t, 0, "member_id"), S.m[1]); /* the largest remaining first */
    assert_int_equal(num(t, 1, "hardship"), 1);
    rpt_doc_free(d);
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31");
    assert_int_equal(reports_referrals(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "referrals"), 1);
    rpt_doc_free(d);
    q = query(&S.sup, "2025-01-01", "2025-12-31");
    assert_int_equal(reports_referrals(f->c, &q, &d, field), ERR_OK);
    assert_int_equal(total(d, "referrals"), 0);
    rpt_doc_free(d);
}

static void test_whatif(void **state)
{
    NEED_FIXTURE();
    struct rpt_doc *d;
    char field[REPORTS_FIELD_MAX];
    struct reports_query q = query(&S.sup, "2026-01-01", "2026-12-31");
    struct whatif_input in = {"ZY", 2, 7000};
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_OK);
    /* claim 4 stays rejected (a person's reason); 1, 2, 3 are replayed */
    assert_int_equal(total(d, "claims"), 3);
    assert_int_equal(total(d, "excluded"), 1);
    assert_int_equal(total(d, "unjudged"), 0);
    assert_int_equal(total(d, "actual_paid_fen"), 600000);
    assert_int_equal(total(d, "baseline_fen"), 600000); /* the replay reproduces the books */
    /* draft: (1,000,000 - 30,000) x 60 % + (100,000 - 30,000) x 60 % (waiting now 20 days)
     *        + (300,000 - 30,000) x 60 % */
    assert_int_equal(total(d, "whatif_fen"), 582000 + 42000 + 162000);
    assert_int_equal(total(d, "whatif_approved"), 3);
    assert_int_equal(total(d, "baseline_approved"), 2);
    assert_int_equal(total(d, "earned_fen"), 18000);
    assert_int_equal(total(d, "whatif_loss_ratio_bp"), 436666);
    assert_int_equal(total(d, "actual_loss_ratio_bp"), 333333);
    /* ceil(786,000 x 10,000 / (7,000 x 18,000 / 6,000)) */
    assert_int_equal(total(d, "break_even_price_fen"), 374286);
    assert_int_equal(cell(d, "by_month", "month", "2026-05", "whatif_fen"), 582000);
    const struct rpt_table *t = table(d, "changes");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(num(t, 0, "claim_id"), S.claim[1]); /* the largest change first */
    assert_int_equal(num(t, 0, "difference_fen"), 107000);
    t = table(d, "by_version");
    assert_int_equal(t->nrows, 1);
    assert_int_equal(num(t, 0, "plan_version"), 1);
    assert_int_equal(num(t, 0, "share_price_fen"), 6000);
    assert_int_equal(num(t, 0, "earned_fen"), 18000);
    rpt_doc_free(d);
    /* the subtree RC: claims 1 and 2 */
    q = query(&S.sup_rc, "2026-01-01", "2026-12-31");
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_OK);
    assert_int_equal(total(d, "whatif_fen"), 582000 + 42000);
    assert_int_equal(total(d, "earned_fen"), 12000);
    rpt_doc_free(d);
    /* only a draft; only a version that exists */
    q = query(&S.sup, "2026-01-01", "2026-12-31");
    in.draft_version = 1;
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_CONFLICT);
    assert_string_equal(field, "draft_version");
    in.draft_version = 9;
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_INVALID_PLAN);
    in.draft_version = 2;
    in.target_loss_ratio_bp = 0;
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_INVALID);
    assert_string_equal(field, "target_loss_ratio_bp");
    /* nothing earned in 2025: no break-even price */
    in.target_loss_ratio_bp = 7000;
    q = query(&S.sup, "2025-01-01", "2025-12-31");
    assert_int_equal(whatif_run(f->c, &ctx, &q, &in, &d, field), ERR_OK);
    assert_int_equal(total(d, "claims"), 0);
    assert_true(is_null(table(d, "total"), 0, "break_even_price_fen"));
    rpt_doc_free(d);
}

#define DB_TESTS(setup)                                                                            \
    cmocka_unit_test_setup_teardown(test_scope_and_input, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_coverage, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_outreach, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_contributions, setup, teardown),                      \
        cmocka_unit_test_setup_teardown(test_claims_and_reconciliation, setup, teardown),          \
        cmocka_unit_test_setup_teardown(test_timeliness, setup, teardown),                         \
        cmocka_unit_test_setup_teardown(test_fund_and_referrals, setup, teardown),                 \
        cmocka_unit_test_setup_teardown(test_whatif, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_and_percentile),
        cmocka_unit_test(test_export_files),
        DB_TESTS(setup_sqlite),
        DB_TESTS(setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
