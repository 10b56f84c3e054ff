/*
 * test_claims: the claim lifecycle on SQLite and PostgreSQL (schema
 * t_claims): intake, documents and waivers, assessment from the database,
 * approval within and above authority, maker-checker, rejection and the
 * one appeal, re-judging at approval (no double-spent cap), payment,
 * payout failure and retry, the referral list, the settlement feed; the
 * ledger and the audit chain verify after each path. Pure checks
 * (validation, sniffing, sampling, required documents) run once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* the shared fixture has helpers this test does not need */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "enrol_fixture.h"

#include "core/ids.h"
#include "core/limits.h"
#include "domain/assistance.h"
#include "domain/audit.h"
#include "domain/claim_feed.h"
#include "domain/claims.h"
#include "domain/documents.h"
#include "domain/fieldcrypt.h"
#include "domain/ledger.h"
#include "domain/risk.h"
#include "store/store_claims.h"

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
static const char plan_db[] =
    "{\"code\":\"DB\",\"version\":1,\"name\":\"重疾\",\"kind\":\"critical_illness\","
    "\"share_price_fen\":5500,\"max_shares\":3,\"term_months\":12,\"waiting_days\":30,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":60},"
    "\"benefit\":{\"sum_fen_per_share\":1000000,\"mild_ratio_bp\":3000,"
    "\"mild_deducted_from_severe\":true,\"diseases\":[{\"code\":\"S01\",\"name\":\"癌\","
    "\"severity\":\"severe\"},{\"code\":\"S02\",\"name\":\"心梗\",\"severity\":\"severe\"},"
    "{\"code\":\"M01\",\"name\":\"轻癌\",\"severity\":\"mild\"}]}}";

static struct fieldcrypt *fc;
static struct claims_config cfg;
static struct claims_ctx ctx;
static char key_path[256];
static unsigned id_serial;

static struct auth_user user(int64_t id, enum auth_role role, const char *path, int64_t member)
{
    struct auth_user u;
    memset(&u, 0, sizeof(u));
    u.id = id;
    snprintf(u.login, sizeof(u.login), "u%lld", (long long)id);
    u.role = role;
    snprintf(u.org_path, sizeof(u.org_path), "%s", path);
    u.member_id = member;
    return u;
}

static struct auth_user officer, approver, approver2, finance, finance2, staff, other_staff;

static void common_setup(struct fixture *f)
{
    snprintf(key_path, sizeof(key_path), "/tmp/huzhu-test-claims-%d-%s.key", (int)getpid(),
             f->pg ? "pg" : "sqlite");
    unlink(key_path);
    if (fieldcrypt_keygen(key_path) != ERR_OK || fieldcrypt_open(key_path, &fc) != ERR_OK) {
        abort();
    }
    claims_config_default(&cfg);
    cfg.risk_sample_bp = 0; /* sampling is tested on its own */
    memset(&ctx, 0, sizeof(ctx));
    ctx.fc = fc;
    ctx.cfg = &cfg;
    ctx.now_ms = 1784000000000LL;
    ctx.today = D("2026-07-15");
    ctx.request_id = "test";
    fx_plan(f, plan_zy, true);
    fx_plan(f, plan_jt, true);
    fx_plan(f, plan_db, true);
    /* opening balances so payments can leave the bank */
    const char *funds[] = {"ZY", "JT", "DB"};
    for (size_t i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof(key), "open-%s", funds[i]);
        struct ledger_money_in m = {funds[i], "2026-01-01", 100000000, "", NULL, key, NULL, NULL};
        struct ledger_result lr;
        if (ledger_post_kind(f->c, &auth_actor_cli, LEDGER_KIND_OPENING, &m, &lr) != ERR_OK) {
            abort();
        }
    }
    officer = user(11, AUTH_ROLE_CLAIMS_OFFICER, f->city_path, 0);
    approver = user(12, AUTH_ROLE_CLAIMS_APPROVER, f->city_path, 0);
    approver2 = user(13, AUTH_ROLE_CLAIMS_APPROVER, f->city_path, 0);
    finance = user(14, AUTH_ROLE_FINANCE, f->city_path, 0);
    finance2 = user(15, AUTH_ROLE_FINANCE, f->city_path, 0);
    staff = user(16, AUTH_ROLE_UNIT_STAFF, f->city_path, 0);
    other_staff = user(17, AUTH_ROLE_UNIT_STAFF, f->other_path, 0);
}

static int setup_sqlite(void **state)
{
    if (fx_setup_sqlite(state, "claims") != 0) {
        return -1;
    }
    common_setup(*state);
    return 0;
}

static int setup_pg(void **state)
{
    if (fx_setup_pg(state, "t_claims") != 0) {
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

/* A valid resident ID number for serial n (born 1985). */
static void id_number(unsigned n, char out[IDCARD_LEN + 1])
{
    snprintf(out, IDCARD_LEN + 1, "33010219850307%03u", n % 1000);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

/* A member whose blind index is real (the feed looks members up by it). */
static int64_t member_with_id(struct fixture *f, int64_t org, int hardship, char *id_out)
{
    char id[IDCARD_LEN + 1];
    id_number(++id_serial, id);
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    fieldcrypt_index(fc, id, IDCARD_LEN, hash);
    unsigned char enc[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = "330102********0000", .name = "Worker",
                                 .gender = "M", .birth_date = "1985-03-07",
                                 .employment = "courier", .org_id = org, .hardship = hardship};
    int64_t mid;
    assert_int_equal(store_member_insert(f->c, &m, &mid), ERR_OK);
    if (id_out != NULL) {
        memcpy(id_out, id, IDCARD_LEN + 1);
    }
    return mid;
}

/* Enrols member in code from start and pays for it: active. */
static void enrol(struct fixture *f, int64_t member, const char *code, const char *start,
                  int64_t shares)
{
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, code, start);
    r.member_ids = &member;
    r.nmembers = 1;
    r.shares = shares;
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t batch = p.batch_id;
    enrol_preview_release(&p);
    struct invoice_view inv[4];
    size_t n;
    assert_int_equal(invoice_list_batch(f->c, &enrol_actor_cli, batch, inv, 4, &n), ERR_OK);
    for (size_t i = 0; i < n; i++) {
        char ref[32];
        snprintf(ref, sizeof(ref), "B-%lld-%zu", (long long)batch, i);
        struct receipt_request q = {inv[i].id, inv[i].amount_fen, RECEIPT_BANK_TRANSFER, ref,
                                    strlen(ref), NULL, D(start)};
        struct receipt_result res;
        assert_int_equal(invoice_record_receipt(f->c, &enrol_actor_cli, &q, &res, field,
                                                sizeof(field)),
                         ERR_OK);
    }
}

/* An inpatient stay claim under codes ("ZY" or "ZY,JT"). */
static struct claim_input stay(int64_t member, const char *codes, const char *adm,
                               const char *dis, int64_t in_scope, int64_t out_scope,
                               const char *invoice)
{
    struct claim_input in;
    memset(&in, 0, sizeof(in));
    in.member_id = member;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", codes);
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        snprintf(in.plan_codes[in.nplans++], PLAN_CODE_MAX, "%s", tok);
    }
    in.event.present = ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
    in.event.cause = ADJ_CAUSE_ILLNESS;
    in.event.admission_date = D(adm);
    in.event.discharge_date = D(dis);
    struct adj_settlement *s = &in.event.settlement;
    s->fund_paid_fen = 800000;
    s->self_pay_in_scope_fen = in_scope;
    s->self_pay_out_scope_fen = out_scope;
    s->total_fen = 800000 + in_scope + out_scope;
    snprintf(in.hospital, sizeof(in.hospital), "浙江省人民医院");
    if (invoice != NULL) {
        in.ninvoices = 1;
        snprintf(in.invoices[0], ADJ_INVOICE_MAX, "%s", invoice);
    }
    return in;
}

static const unsigned char pdf_bytes[] = "%PDF-1.4 test document";
static const unsigned char png_bytes[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2};
static const unsigned char jpeg_bytes[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16};

/* Creates, submits and completes the documents of an inpatient claim. */
static int64_t ready_claim(struct fixture *f, const struct claim_input *in)
{
    int64_t id;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &staff, in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    int64_t doc;
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_INVOICE, pdf_bytes,
                                        sizeof(pdf_bytes), "发票.pdf", &doc),
                     ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_SETTLEMENT_STATEMENT,
                                        png_bytes, sizeof(png_bytes), "结算单.png", &doc),
                     ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_DISCHARGE_SUMMARY,
                                        jpeg_bytes, sizeof(jpeg_bytes), "小结.jpg", &doc),
                     ERR_OK);
    return id;
}

static const char *status_of(struct fixture *f, int64_t id)
{
    static struct store_claim r;
    assert_int_equal(store_claim_get(f->c, id, &r), ERR_OK);
    return r.status;
}

static void verify_books(struct fixture *f)
{
    struct ledger_verify_result lv;
    assert_int_equal(ledger_verify(f->c, &lv), ERR_OK);
    if (!lv.ok) {
        fprintf(stderr, "ledger verify: %s\n", lv.problem);
    }
    assert_true(lv.ok);
    struct audit_verify_result av;
    assert_int_equal(audit_verify(f->c, &av), ERR_OK);
    assert_int_equal(av.why, AUDIT_INTACT);
}

/* Balance of account in fund on the normal side. */
struct bal {
    const char *fund, *code;
    int64_t fen;
};
static enum err bal_fn(void *p, const struct ledger_balance *b)
{
    struct bal *x = p;
    if (strcmp(b->fund, x->fund) == 0 && strcmp(b->code, x->code) == 0) {
        x->fen = b->balance_fen;
    }
    return ERR_OK;
}
static int64_t balance(struct fixture *f, const char *fund, const char *code)
{
    struct bal x = {fund, code, 0};
    assert_int_equal(ledger_balances(f->c, NULL, bal_fn, &x), ERR_OK);
    return x.fen;
}

static enum err pending_fn(void *p, const struct store_claim_result *r)
{
    *(int64_t *)p = r->payout_pending;
    return ERR_OK;
}

struct referral_found {
    int64_t member, remaining;
    char reason[16];
};

static enum err referral_fn(void *p, const struct store_assist_row *r)
{
    struct referral_found *g = p;
    g->member = r->member_id;
    g->remaining = r->remaining_fen;
    snprintf(g->reason, sizeof(g->reason), "%s", r->reason);
    return ERR_OK;
}

struct claim_found {
    int64_t id;
    char plans[32], channel[8], status[20];
};

static enum err claim_fn(void *p, const struct store_claim_brief *b)
{
    struct claim_found *g = p;
    g->id = b->id;
    snprintf(g->plans, sizeof(g->plans), "%s", b->plan_codes);
    snprintf(g->channel, sizeof(g->channel), "%s", b->channel);
    snprintf(g->status, sizeof(g->status), "%s", b->status);
    return ERR_OK;
}

/* ------------------------------------------------------------ pure tests */

static void test_input_check(void **state)
{
    (void)state;
    char field[CLAIM_FIELD_MAX];
    struct date today = D("2026-07-15");
    struct claim_input in = stay(1, "ZY,JT", "2026-05-01", "2026-05-08", 1000000, 200000, "H-1");
    assert_int_equal(claim_input_check(&in, today, field, sizeof(field)), ERR_OK);

    struct claim_input bad = in;
    bad.event.settlement.total_fen += 1;
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)),
                     ERR_SETTLEMENT_MISMATCH);
    assert_string_equal(field, "event.settlement.total_fen");

    bad = in;
    bad.event.settlement.other_paid_fen = -5;
    bad.event.settlement.total_fen -= 5;
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID_MONEY);
    assert_string_equal(field, "event.settlement.other_paid_fen");

    bad = in;
    bad.event.discharge_date = D("2026-04-30");
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID_DATE);
    assert_string_equal(field, "event.discharge_date");
    bad.event.discharge_date = bad.event.admission_date; /* the boundary: same day is fine */
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_OK);

    bad = in;
    bad.event.discharge_date = D("2026-07-16");
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID_DATE);
    assert_string_equal(field, "event.discharge_date");
    bad.event.discharge_date = today;
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_OK);

    bad = in;
    snprintf(bad.plan_codes[1], PLAN_CODE_MAX, "ZY");
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID);
    assert_string_equal(field, "plan_codes[1]");
    bad.nplans = 0;
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID);

    bad = in;
    bad.ninvoices = 2;
    snprintf(bad.invoices[1], ADJ_INVOICE_MAX, "H-1");
    assert_int_equal(claim_input_check(&bad, today, field, sizeof(field)), ERR_INVALID);
    assert_string_equal(field, "invoices[1]");
}

static void test_sniff_and_required(void **state)
{
    (void)state;
    const char *type;
    assert_int_equal(doc_sniff(pdf_bytes, sizeof(pdf_bytes), &type), ERR_OK);
    assert_string_equal(type, "application/pdf");
    assert_int_equal(doc_sniff(png_bytes, sizeof(png_bytes), &type), ERR_OK);
    assert_string_equal(type, "image/png");
    assert_int_equal(doc_sniff(jpeg_bytes, sizeof(jpeg_bytes), &type), ERR_OK);
    assert_string_equal(type, "image/jpeg");
    assert_int_equal(doc_sniff("GIF89a....", 10, &type), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(doc_sniff("%PDF", 4, &type), ERR_UNSUPPORTED_MEDIA); /* cut short */
    assert_int_equal(doc_sniff("", 0, &type), ERR_INVALID);
    assert_int_equal(doc_sniff(pdf_bytes, LIMIT_DOCUMENT_BYTES + 1, &type), ERR_TOO_LARGE);

    char hex[65];
    doc_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    struct adj_event ev;
    memset(&ev, 0, sizeof(ev));
    enum plan_kind k[2] = {PLAN_KIND_INPATIENT, PLAN_KIND_DAILY_ALLOWANCE};
    assert_int_equal(doc_required(k, 2, &ev, CLAIM_CHANNEL_OFFLINE),
                     DOC_BIT(DOC_INVOICE) | DOC_BIT(DOC_SETTLEMENT_STATEMENT) |
                         DOC_BIT(DOC_DISCHARGE_SUMMARY));
    assert_int_equal(doc_required(k, 2, &ev, CLAIM_CHANNEL_AUTO), 0);
    enum plan_kind acc = PLAN_KIND_ACCIDENT;
    ev.present = ADJ_HAS_OUTCOME;
    ev.outcome = ADJ_OUTCOME_DEATH;
    assert_int_equal(doc_required(&acc, 1, &ev, CLAIM_CHANNEL_ONLINE),
                     DOC_BIT(DOC_ACCIDENT_CERTIFICATE) | DOC_BIT(DOC_DEATH_CERTIFICATE));
}

static void test_sampling_and_median(void **state)
{
    (void)state;
    int in = 0;
    for (int64_t id = 1; id <= 20000; id++) {
        bool s = risk_sampled(id, 500);
        assert_true(s == risk_sampled(id, 500)); /* reproducible */
        in += s;
    }
    assert_in_range(in, 800, 1200); /* 5 % of 20000 = 1000 */
    assert_false(risk_sampled(7, 0));
    assert_true(risk_sampled(7, 10000));
    int64_t v[] = {9, 1, 5, 3, 7, 100000};
    assert_int_equal(risk_median(v, 6), 5);
    int64_t one[] = {42};
    assert_int_equal(risk_median(one, 1), 42);
}

/* ------------------------------------------------------------ database */

static void test_approve_pay_close(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 0, NULL);
    enrol(f, m, "ZY", "2026-01-01", 1);
    struct claim_input in = stay(m, "ZY", "2026-05-01", "2026-05-08", 1000000, 200000, "H-1");
    int64_t id;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_string_equal(status_of(f, id), "draft");
    /* outside the subtree: neither create nor act */
    int64_t other;
    assert_int_equal(claim_create(f->c, &ctx, &other_staff, &in, &other, field, sizeof(field)),
                     ERR_OUT_OF_SCOPE);
    assert_int_equal(claim_submit(f->c, &ctx, &other_staff, id), ERR_OUT_OF_SCOPE);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    assert_string_equal(status_of(f, id), "submitted");
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_DOCUMENTS_MISSING);

    /* documents: type by content, stored once; a waiver completes them */
    int64_t doc;
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_INVOICE, "GIF89a", 6,
                                        "x.pdf", &doc),
                     ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_INVOICE, pdf_bytes,
                                        sizeof(pdf_bytes), "发票.pdf", &doc),
                     ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_SETTLEMENT_STATEMENT,
                                        png_bytes, sizeof(png_bytes), "结算单.png", &doc),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "submitted");
    assert_int_equal(claim_document_waive(f->c, &ctx, &staff, id, DOC_DISCHARGE_SUMMARY, "x"),
                     ERR_FORBIDDEN);
    assert_int_equal(claim_document_waive(f->c, &ctx, &officer, id, DOC_DEATH_CERTIFICATE,
                                          "not required"),
                     ERR_INVALID);
    assert_int_equal(claim_document_waive(f->c, &ctx, &officer, id, DOC_DISCHARGE_SUMMARY,
                                          "结算单已载明住院日期"),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "documents_complete");
    char type[24];
    void *data;
    size_t len;
    assert_int_equal(claim_document_fetch(f->c, &ctx, &staff, id, doc, type, &data, &len), ERR_OK);
    assert_string_equal(type, "image/png");
    assert_int_equal(len, sizeof(png_bytes));
    assert_memory_equal(data, png_bytes, len);
    free(data);

    /* assessment: 1,000,000 in scope - 50,000 deductible at 50 % */
    assert_int_equal(claim_assess(f->c, &ctx, &staff, id, &a), ERR_FORBIDDEN);
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(a.npairs, 1);
    assert_int_equal(a.pairs[0].decision, ADJ_APPROVE);
    assert_int_equal(a.payout_fen, 475000);
    assert_false(a.needs_approver);
    assert_string_equal(status_of(f, id), "assessed");
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-20"), "PB-1",
                               &(bool){false}),
                     ERR_CLAIM_STATE);

    /* the officer approves within the limit: payable, booked */
    assert_int_equal(claim_approve(f->c, &ctx, &staff, id, &a), ERR_FORBIDDEN);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(a.status, CLAIM_PAYABLE);
    assert_string_equal(status_of(f, id), "payable");
    assert_int_equal(balance(f, "ZY", LEDGER_PAYABLE), 475000);
    assert_int_equal(balance(f, "ZY", LEDGER_BENEFITS), 475000);
    verify_books(f);

    bool pending;
    assert_int_equal(claim_pay(f->c, &ctx, &officer, id, D("2026-07-20"), "PB-1", &pending),
                     ERR_FORBIDDEN);
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-20"), "PB-1", &pending),
                     ERR_OK);
    assert_false(pending);
    assert_string_equal(status_of(f, id), "paid");
    assert_int_equal(balance(f, "ZY", LEDGER_PAYABLE), 0);

    /* payout failure and retry */
    assert_int_equal(claim_payout_failed(f->c, &ctx, &finance, id, D("2026-07-21"),
                                         "account closed"),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "payable");
    assert_int_equal(balance(f, "ZY", LEDGER_PAYABLE), 475000);
    verify_books(f);
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-22"), "PB-2", &pending),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "paid");
    assert_int_equal(balance(f, "ZY", LEDGER_PAYABLE), 0);
    assert_int_equal(balance(f, "ZY", LEDGER_BANK), 100000000 + 6000 - 475000);
    assert_int_equal(claim_close(f->c, &ctx, &finance, id), ERR_OK);
    assert_string_equal(status_of(f, id), "closed");
    assert_int_equal(claim_close(f->c, &ctx, &finance, id), ERR_CLAIM_STATE);
    verify_books(f);

    /* the view: results with explanation, events in order, no diagnosis */
    json_t *v;
    assert_int_equal(claim_to_json(f->c, &ctx, &staff, id, &v), ERR_OK);
    json_t *results = json_object_get(v, "results");
    assert_int_equal(json_array_size(results), 1);
    assert_non_null(json_object_get(json_array_get(results, 0), "explanation"));
    json_t *events = json_object_get(v, "events");
    const char *path[] = {"draft", "submitted", "documents_complete", "assessed", "approved",
                          "payable", "paid", "payable", "paid", "closed"};
    assert_int_equal(json_array_size(events), 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(json_string_value(json_object_get(json_array_get(events, i), "to")),
                            path[i]);
    }
    json_decref(v);
    struct claims_payout_time pt;
    assert_int_equal(claims_payout_time(f->c, 0, INT64_MAX, &pt), ERR_OK);
    assert_int_equal(pt.claims, 1);
    assert_int_equal(pt.median_ms, 0); /* the test clock does not move */
}

static void test_authority_and_maker_checker(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 0, NULL);
    enrol(f, m, "ZY", "2026-01-01", 3);
    /* in scope 2,050,000: excess 2,000,000 -> 500,000 + 600,000 = 1,100,000 */
    struct claim_input in = stay(m, "ZY", "2026-05-01", "2026-05-08", 2050000, 0, "H-A1");
    int64_t id = ready_claim(f, &in);
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &approver, id, &a), ERR_OK);
    assert_int_equal(a.payout_fen, 1100000);
    assert_true(a.needs_approver);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, id, &a), ERR_AUTHORITY_LIMIT);
    assert_int_equal(claim_approve(f->c, &ctx, &approver, id, &a), ERR_SAME_USER);
    assert_string_equal(status_of(f, id), "assessed");
    assert_int_equal(claim_approve(f->c, &ctx, &approver2, id, &a), ERR_OK);
    assert_string_equal(status_of(f, id), "payable");

    /* the payment is above the fund's threshold: a second finance user */
    bool pending;
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-20"), "PB-9", &pending),
                     ERR_OK);
    assert_true(pending);
    assert_string_equal(status_of(f, id), "payable");
    int64_t pending_id = 0;
    assert_int_equal(store_claim_result_each(f->c, id, pending_fn, &pending_id), ERR_OK);
    assert_true(pending_id > 0);
    struct audit_actor fa, fb;
    auth_actor_of(&finance, "", &fa);
    auth_actor_of(&finance2, "", &fb);
    struct ledger_result lr;
    assert_int_equal(ledger_approve(f->c, &fa, pending_id, &lr), ERR_SAME_USER);
    assert_int_equal(ledger_approve(f->c, &fb, pending_id, &lr), ERR_OK);
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-20"), "PB-9", &pending),
                     ERR_OK);
    assert_false(pending);
    assert_string_equal(status_of(f, id), "paid");
    assert_int_equal(balance(f, "ZY", LEDGER_PAYABLE), 0);
    verify_books(f);
}

static void test_reject_and_appeal(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 0, NULL);
    enrol(f, m, "ZY", "2026-01-01", 1);
    struct auth_user worker = user(21, AUTH_ROLE_MEMBER, "", m);
    /* the worker applies online for their own claim; another worker cannot see it */
    struct claim_input in = stay(m, "ZY", "2026-05-01", "2026-05-08", 300000, 0, "H-R1");
    int64_t id;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &worker, &in, &id, field, sizeof(field)), ERR_OK);
    struct auth_user stranger = user(22, AUTH_ROLE_MEMBER, "", m + 1000);
    assert_int_equal(claim_submit(f->c, &ctx, &stranger, id), ERR_NOT_FOUND);
    assert_int_equal(claim_submit(f->c, &ctx, &worker, id), ERR_OK);
    struct store_claim row;
    assert_int_equal(store_claim_get(f->c, id, &row), ERR_OK);
    assert_string_equal(row.channel, "online");

    assert_int_equal(claim_reject(f->c, &ctx, &officer, id, "bad code", "x", field,
                                  sizeof(field)),
                     ERR_INVALID);
    assert_string_equal(field, "reason_code");
    assert_int_equal(claim_reject(f->c, &ctx, &officer, id, "DOCUMENTS_INSUFFICIENT",
                                  "缺少出院小结", field, sizeof(field)),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "rejected");
    assert_int_equal(claim_appeal(f->c, &ctx, &worker, id, "", field, sizeof(field)),
                     ERR_INVALID);
    assert_int_equal(claim_appeal(f->c, &ctx, &worker, id, "已补交出院小结", field,
                                  sizeof(field)),
                     ERR_OK);
    assert_string_equal(status_of(f, id), "appealed");
    /* an officer cannot decide an appeal, nor can the one who rejected */
    int64_t doc;
    assert_int_equal(claim_document_add(f->c, &ctx, &worker, id, DOC_DISCHARGE_SUMMARY,
                                        pdf_bytes, sizeof(pdf_bytes), "小结.pdf", &doc),
                     ERR_OK);
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_true(a.needs_approver);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, id, &a), ERR_AUTHORITY_LIMIT);
    assert_int_equal(claim_reject(f->c, &ctx, &officer, id, "NOT_COVERED", "x", field,
                                  sizeof(field)),
                     ERR_AUTHORITY_LIMIT);
    assert_int_equal(claim_reject(f->c, &ctx, &approver, id, "NOT_COVERED", "再次拒绝", field,
                                  sizeof(field)),
                     ERR_OK);
    /* once only */
    assert_int_equal(claim_appeal(f->c, &ctx, &worker, id, "again", field, sizeof(field)),
                     ERR_ALREADY_APPEALED);
    verify_books(f);

    /* a second claim: appealed and approved by another approver */
    in = stay(m, "ZY", "2026-06-01", "2026-06-03", 300000, 0, "H-R2");
    int64_t id2 = ready_claim(f, &in);
    assert_int_equal(claim_reject(f->c, &ctx, &approver, id2, "FRAUD_SUSPECTED", "核实中",
                                  field, sizeof(field)),
                     ERR_OK);
    assert_int_equal(claim_appeal(f->c, &ctx, &staff, id2, "医院已出具证明", field,
                                  sizeof(field)),
                     ERR_OK);
    assert_int_equal(claim_assess(f->c, &ctx, &approver2, id2, &a), ERR_OK);
    /* approver2 assessed and approver rejected: neither may approve */
    assert_int_equal(claim_approve(f->c, &ctx, &approver, id2, &a), ERR_SAME_USER);
    assert_int_equal(claim_approve(f->c, &ctx, &approver2, id2, &a), ERR_SAME_USER);
    struct auth_user approver3 = user(18, AUTH_ROLE_CLAIMS_APPROVER, f->city_path, 0);
    assert_int_equal(claim_approve(f->c, &ctx, &approver3, id2, &a), ERR_OK);
    assert_int_equal(a.payout_fen, 125000);
    assert_string_equal(status_of(f, id2), "payable");
    verify_books(f);
}

static void test_no_double_spend(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 0, NULL);
    enrol(f, m, "ZY", "2026-01-01", 1);
    struct claim_input a_in = stay(m, "ZY", "2026-05-01", "2026-05-08", 1050000, 0, "H-D1");
    struct claim_input b_in = stay(m, "ZY", "2026-06-01", "2026-06-05", 300000, 0, "H-D2");
    int64_t a_id = ready_claim(f, &a_in), b_id = ready_claim(f, &b_in);
    struct claim_assessment a, b;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, a_id, &a), ERR_OK);
    assert_int_equal(claim_assess(f->c, &ctx, &officer, b_id, &b), ERR_OK);
    assert_int_equal(a.payout_fen, 500000);
    assert_int_equal(b.payout_fen, 125000); /* as if alone: deductible again */
    assert_int_equal(claim_approve(f->c, &ctx, &officer, a_id, &a), ERR_OK);
    /* the first approval used the deductible and the 50 % band: judged again */
    assert_int_equal(claim_approve(f->c, &ctx, &officer, b_id, &b), ERR_CLAIM_REASSESSED);
    assert_int_equal(b.payout_fen, 180000);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, b_id, &b), ERR_OK);
    assert_int_equal(b.payout_fen, 180000);

    /* an invoice already on an approved claim of the plan: rejected pair */
    struct claim_input c_in = stay(m, "ZY", "2026-06-10", "2026-06-12", 100000, 0, "H-D1");
    int64_t c_id = ready_claim(f, &c_in);
    struct claim_assessment c;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, c_id, &c), ERR_OK);
    assert_int_equal(c.pairs[0].decision, ADJ_REJECT);
    assert_int_equal(c.pairs[0].reason, ADJ_REASON_DUPLICATE_INVOICE);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, c_id, &c), ERR_CONFLICT);
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_reject(f->c, &ctx, &officer, c_id, "DUPLICATE_INVOICE", "重复发票",
                                  field, sizeof(field)),
                     ERR_OK);
    verify_books(f);
}

static void test_critical_illness_sealed(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 0, NULL);
    enrol(f, m, "DB", "2026-01-01", 1);
    struct claim_input in;
    memset(&in, 0, sizeof(in));
    in.member_id = m;
    in.nplans = 1;
    snprintf(in.plan_codes[0], PLAN_CODE_MAX, "DB");
    in.event.present = ADJ_HAS_DIAGNOSIS | ADJ_HAS_DISEASE;
    in.event.diagnosis_date = D("2026-04-01");
    memcpy(in.event.disease_code, "M01", 3);
    in.diagnosis = "乳腺原位癌";
    in.diagnosis_len = strlen(in.diagnosis);
    int64_t id;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    int64_t doc;
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_DIAGNOSIS_REPORT, pdf_bytes,
                                        sizeof(pdf_bytes), "病理.pdf", &doc),
                     ERR_OK);
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(a.payout_fen, 300000);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, id, &a), ERR_OK);
    /* nothing of the diagnosis in the clear */
    json_t *v;
    assert_int_equal(claim_to_json(f->c, &ctx, &staff, id, &v), ERR_OK);
    char *text = json_dumps(v, 0);
    assert_null(strstr(text, "M01"));
    assert_null(strstr(text, "乳腺"));
    free(text);
    json_decref(v);
    /* the same mild code again: ALREADY_PAID (the award is found by its keyed hash) */
    in.event.diagnosis_date = D("2026-05-01");
    assert_int_equal(claim_create(f->c, &ctx, &staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_DIAGNOSIS_REPORT, pdf_bytes,
                                        sizeof(pdf_bytes), "病理.pdf", &doc),
                     ERR_OK);
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(a.pairs[0].reason, ADJ_REASON_ALREADY_PAID);
    /* a severe one: the sum less the mild payout */
    memcpy(in.event.disease_code, "S01", 3);
    assert_int_equal(claim_create(f->c, &ctx, &staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    assert_int_equal(claim_document_waive(f->c, &ctx, &officer, id, DOC_DIAGNOSIS_REPORT,
                                          "见前案病理报告"),
                     ERR_OK);
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(a.payout_fen, 700000);
    verify_books(f);
}

static void test_referral(void **state)
{
    NEED_FIXTURE();
    int64_t m = member_with_id(f, f->city_org, 1, NULL); /* hardship-flagged */
    enrol(f, m, "ZY", "2026-01-01", 1);
    /* oop 1,200,000 (in scope 1,000,000 + out 200,000), aid 475,000 -> 725,000 left */
    struct claim_input in = stay(m, "ZY", "2026-05-01", "2026-05-08", 1000000, 200000, "H-F1");
    int64_t id = ready_claim(f, &in);
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(claim_approve(f->c, &ctx, &officer, id, &a), ERR_OK);
    bool pending;
    assert_int_equal(claim_pay(f->c, &ctx, &finance, id, D("2026-07-20"), "PB-F", &pending),
                     ERR_OK);
    struct referral_found got = {0, 0, ""};
    assert_int_equal(assistance_list(f->c, &claims_actor_cli, 2026, referral_fn, &got), ERR_OK);
    assert_int_equal(got.member, m);
    assert_int_equal(got.remaining, 725000);
    assert_string_equal(got.reason, "hardship");
    struct auth_user worker = user(23, AUTH_ROLE_MEMBER, "", m);
    assert_int_equal(assistance_list(f->c, &worker, 2026, NULL, NULL), ERR_FORBIDDEN);
}

/* ------------------------------------------------------------ the feed */

static enum err feed(struct fixture *f, const char *csv, struct claim_feed_summary *s,
                     char *report, size_t cap)
{
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(csv, strlen(csv), &r), ERR_OK);
    FILE *rep = fmemopen(report, cap, "w");
    struct claim_feed_options opt = {"feed.csv", "", rep, NULL, NULL};
    const char *bad;
    enum err e = claim_feed_import(f->c, &ctx, &officer, r, &opt, s, &bad);
    fclose(rep);
    csv_close(r);
    return e;
}

static void test_feed(void **state)
{
    NEED_FIXTURE();
    char id_a[IDCARD_LEN + 1], id_b[IDCARD_LEN + 1], id_c[IDCARD_LEN + 1];
    int64_t a = member_with_id(f, f->city_org, 0, id_a);
    member_with_id(f, f->city_org, 0, id_b); /* a member without cover */
    enrol(f, a, "ZY", "2025-01-01", 1);
    enrol(f, a, "ZY", "2026-01-01", 1);
    enrol(f, a, "JT", "2026-01-01", 1);
    id_number(900, id_c); /* not a member */
    char csv[4096];
    snprintf(csv, sizeof(csv),
             "结算单号,身份证号,医院,入院日期,出院日期,原因,医疗费总额,统筹基金支付,大病保险支付,"
             "医疗救助支付,其他支付,政策范围内自付,全自费,发票号\n"
             "S1,%s,市一医院,2026-05-01,2026-05-11,疾病,18000.00,8000,0,0,0,10000.00,0,F-1;F-2\n"
             "S1,%s,市一医院,2026-05-01,2026-05-11,疾病,18000.00,8000,0,0,0,10000.00,0,F-1\n"
             "S2,%s,市一医院,2026/6/1,20260603,,1000,500,0,0,0,500,0,\n"
             "S3,%s,市一医院,2026-06-01,2026-06-03,,1000,500,0,0,0,500,0,\n"
             "S4,%s,市一医院,2026-06-01,2026-06-03,,1000,500,0,0,0,400,0,\n"
             "S5,%s,市一医院,2026-06-05,2026-06-03,,1000,500,0,0,0,500,0,\n"
             "S6,%s,市一医院,2026-07-01,2026-07-20,,1000,500,0,0,0,500,0,\n"
             "S7,1.10101E+17,市一医院,2026-07-01,2026-07-02,,1000,500,0,0,0,500,0,\n"
             "S8,%s,市一医院,2026-07-01,2026-07-02,,1000,-500,0,0,0,1500,0,\n"
             ",,,,,,,,,,,,,\n",
             id_a, id_a, id_b, id_c, id_a, id_a, id_a, id_a);
    struct claim_feed_summary s;
    char report[4096] = "";
    assert_int_equal(feed(f, csv, &s, report, sizeof(report)), ERR_OK);
    assert_int_equal(s.rows, 9);
    assert_int_equal(s.created, 1);
    assert_int_equal(s.duplicates, 1);
    assert_int_equal(s.not_enrolled, 2);
    assert_int_equal(s.rejected, 5);
    assert_non_null(strstr(report, "6,total_fen,SETTLEMENT_MISMATCH"));
    assert_non_null(strstr(report, "7,discharge_date,INVALID_DATE"));
    assert_non_null(strstr(report, "8,discharge_date,INVALID_DATE")); /* after the feed's date */
    assert_non_null(strstr(report, "9,id_number,ID_EXCEL_MANGLED"));
    assert_non_null(strstr(report, "10,fund_paid_fen,INVALID_MONEY"));
    /* 1,000,000 in scope, 10 days: ZY 475,000 (continuous renewal: no
     * waiting), JT (10 - 3) x 4,000 = 28,000 */
    assert_int_equal(s.payout_fen, 475000 + 28000);
    assert_int_equal(s.pairs_approved, 2);

    struct claim_found got = {0, "", "", ""};
    struct store_claim_filter flt = {.member_id = a, .limit = 10};
    assert_int_equal(store_claim_each(f->c, &flt, claim_fn, &got), ERR_OK);
    assert_string_equal(got.plans, "ZY,JT");
    assert_string_equal(got.channel, "auto");
    assert_string_equal(got.status, "assessed");

    /* the workbench list (claims_list): filters, scope, refused values */
    struct claim_found seen = {0, "", "", ""};
    char fld[CLAIM_FIELD_MAX];
    struct claims_filter cf = {.status = "assessed", .channel = "auto", .plan_code = "JT",
                               .limit = 10};
    assert_int_equal(claims_list(f->c, &officer, &cf, claim_fn, &seen, fld, sizeof(fld)), ERR_OK);
    assert_int_equal(seen.id, got.id);
    const struct claims_filter none[] = {
        {.channel = "online", .limit = 10},
        {.plan_code = "J_", .limit = 10}, /* '_' is no wildcard */
        {.plan_code = "Z", .limit = 10},  /* a whole code, not a prefix */
        {.flags_any = RISK_SAMPLE, .limit = 10},
        {.before_id = got.id, .limit = 10},
        {.member_id = a + 1, .limit = 10},
    };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        seen.id = 0;
        assert_int_equal(claims_list(f->c, &officer, &none[i], claim_fn, &seen, fld, sizeof(fld)),
                         ERR_OK);
        assert_int_equal(seen.id, 0);
    }
    struct claims_filter all = {.limit = 10};
    seen.id = 0; /* another city's staff see nothing of ours */
    assert_int_equal(claims_list(f->c, &other_staff, &all, claim_fn, &seen, fld, sizeof(fld)),
                     ERR_OK);
    assert_int_equal(seen.id, 0);
    struct auth_user worker = user(30, AUTH_ROLE_MEMBER, "", a);
    assert_int_equal(claims_list(f->c, &worker, &all, claim_fn, &seen, fld, sizeof(fld)), ERR_OK);
    assert_int_equal(seen.id, got.id);
    struct auth_user someone = user(31, AUTH_ROLE_MEMBER, "", a + 1);
    seen.id = 0;
    assert_int_equal(claims_list(f->c, &someone, &all, claim_fn, &seen, fld, sizeof(fld)), ERR_OK);
    assert_int_equal(seen.id, 0);
    const struct {
        struct claims_filter f;
        const char *field;
    } refused[] = {
        {{.channel = "phone", .limit = 10}, "channel"},
        {{.status = "open", .limit = 10}, "status"},
        {{.plan_code = "Z Y", .limit = 10}, "plan"},
        {{.limit = 0}, "limit"},
        {{.limit = LIMIT_PAGE_MAX + 1}, "limit"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(claims_list(f->c, &officer, &refused[i].f, claim_fn, &seen, fld,
                                     sizeof(fld)),
                         ERR_INVALID);
        assert_string_equal(fld, refused[i].field);
    }

    /* the same settlement again: ignored; the claim goes on to approval */
    assert_int_equal(feed(f, csv, &s, report, sizeof(report)), ERR_OK);
    assert_int_equal(s.created, 0);
    assert_int_equal(s.duplicates, 2);
    struct claim_assessment as;
    /* 503,000 is above the officer's 500,000 */
    assert_int_equal(claim_approve(f->c, &ctx, &officer, got.id, &as), ERR_AUTHORITY_LIMIT);
    assert_int_equal(claim_approve(f->c, &ctx, &approver, got.id, &as), ERR_OK);
    assert_int_equal(as.payout_fen, 503000);
    assert_int_equal(as.status, CLAIM_PAYABLE);

    /* a missing column: nothing imported */
    const char *bad_csv = "结算单号,身份证号,医院,入院日期\nS9,x,y,2026-01-01\n";
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(bad_csv, strlen(bad_csv), &r), ERR_OK);
    struct claim_feed_options opt = {"bad.csv", "", NULL, NULL, NULL};
    const char *bad;
    assert_int_equal(claim_feed_import(f->c, &ctx, &officer, r, &opt, &s, &bad),
                     ERR_MISSING_COLUMN);
    assert_string_equal(bad, "discharge_date");
    csv_close(r);
    verify_books(f);
}

#define DB_TESTS(setup)                                                                            \
    cmocka_unit_test_setup_teardown(test_approve_pay_close, setup, teardown),                      \
        cmocka_unit_test_setup_teardown(test_authority_and_maker_checker, setup, teardown),        \
        cmocka_unit_test_setup_teardown(test_reject_and_appeal, setup, teardown),                  \
        cmocka_unit_test_setup_teardown(test_no_double_spend, setup, teardown),                    \
        cmocka_unit_test_setup_teardown(test_critical_illness_sealed, setup, teardown),            \
        cmocka_unit_test_setup_teardown(test_referral, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_feed, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_check),
        cmocka_unit_test(test_sniff_and_required),
        cmocka_unit_test(test_sampling_and_median),
        DB_TESTS(setup_sqlite),
        DB_TESTS(setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
