/*
 * test_payout: payout batches on SQLite and PostgreSQL (schema t_payout):
 * collecting payable claims of a subtree (members without a bank card
 * skipped), maker-checker above the fund's threshold (the maker cannot
 * approve, another subtree cannot see), the bank file (CSV with BOM and the
 * full account, XLSX), results (paid, failed, unchanged on re-import, bad
 * files refused whole, a failed item not paid later), retry in a new
 * batch, a bank return, refusal freeing the claims, reconciliation; the
 * ledger and the audit chain verify after each path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* the shared fixture has helpers this test does not need */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "enrol_fixture.h"

#include <sodium.h>

#include "core/ids.h"
#include "domain/audit.h"
#include "domain/claims.h"
#include "domain/documents.h"
#include "domain/fieldcrypt.h"
#include "domain/ledger.h"
#include "domain/payout.h"
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

static struct fieldcrypt *fc;
static struct claims_config cfg;
static struct claims_ctx ctx;
static char key_path[256];
static unsigned serial;

static struct auth_user user(int64_t id, enum auth_role role, const char *path)
{
    struct auth_user u;
    memset(&u, 0, sizeof(u));
    u.id = id;
    snprintf(u.login, sizeof(u.login), "u%lld", (long long)id);
    u.role = role;
    snprintf(u.org_path, sizeof(u.org_path), "%s", path);
    return u;
}

static struct auth_user officer, approver, staff, maker, checker, other_fin, auditor;

static void common_setup(struct fixture *f)
{
    snprintf(key_path, sizeof(key_path), "/tmp/huzhu-test-payout-%d-%s.key", (int)getpid(),
             f->pg ? "pg" : "sqlite");
    unlink(key_path);
    if (fieldcrypt_keygen(key_path) != ERR_OK || fieldcrypt_open(key_path, &fc) != ERR_OK) {
        abort();
    }
    claims_config_default(&cfg);
    cfg.risk_sample_bp = 0;
    serial = 0; /* names and ID numbers start again in each database */
    memset(&ctx, 0, sizeof(ctx));
    ctx.fc = fc;
    ctx.cfg = &cfg;
    ctx.now_ms = 1784000000000LL;
    ctx.today = D("2026-07-15");
    ctx.request_id = "test";
    fx_plan(f, plan_zy, true);
    struct ledger_money_in m = {"ZY", "2026-01-01", 100000000, "", NULL, "open-ZY", NULL, NULL};
    struct ledger_result lr;
    if (ledger_post_kind(f->c, &auth_actor_cli, LEDGER_KIND_OPENING, &m, &lr) != ERR_OK) {
        abort();
    }
    officer = user(11, AUTH_ROLE_CLAIMS_OFFICER, f->city_path);
    approver = user(12, AUTH_ROLE_CLAIMS_APPROVER, f->city_path);
    staff = user(16, AUTH_ROLE_UNIT_STAFF, f->city_path);
    maker = user(21, AUTH_ROLE_FINANCE, f->city_path);
    maker.org_id = f->city_org;
    checker = user(22, AUTH_ROLE_FINANCE, f->city_path);
    checker.org_id = f->city_org;
    other_fin = user(23, AUTH_ROLE_FINANCE, f->other_path);
    other_fin.org_id = f->other_org;
    auditor = user(24, AUTH_ROLE_AUDITOR, f->city_path);
}

static int setup_sqlite(void **state)
{
    if (fx_setup_sqlite(state, "payout") != 0) {
        return -1;
    }
    common_setup(*state);
    return 0;
}

static int setup_pg(void **state)
{
    if (fx_setup_pg(state, "t_payout") != 0) {
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

/* A member of org with a sealed bank card (card NULL: none). */
static int64_t member(struct fixture *f, int64_t org, const char *card)
{
    char id[IDCARD_LEN + 1];
    snprintf(id, sizeof(id), "33010219850307%03u", ++serial % 1000);
    id[17] = idcard_check_char(id);
    id[18] = '\0';
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    fieldcrypt_index(fc, id, IDCARD_LEN, hash);
    unsigned char enc[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    unsigned char bank[STORE_PAYOUT_SEALED_MAX];
    size_t bank_len = 0;
    char mask[BANKCARD_MASK_LEN + 1] = "";
    if (card != NULL) {
        assert_int_equal(fieldcrypt_seal(fc, card, strlen(card), bank, sizeof(bank), &bank_len),
                         ERR_OK);
        bankcard_mask(card, mask);
    }
    char name[32];
    snprintf(name, sizeof(name), "工人%u", serial);
    struct store_member_new m = {.id_hash = hash, .id_enc = enc, .id_enc_len = sizeof(enc),
                                 .id_mask = "330102********0000", .name = name,
                                 .gender = "M", .birth_date = "1985-03-07",
                                 .employment = "courier", .org_id = org,
                                 .bank_enc = card ? bank : NULL, .bank_enc_len = bank_len,
                                 .bank_mask = card ? mask : NULL};
    int64_t mid;
    assert_int_equal(store_member_insert(f->c, &m, &mid), ERR_OK);
    return mid;
}

/* Enrols member in ZY from 2026-01-01 and pays for it. */
static void enrol(struct fixture *f, int64_t m)
{
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "ZY", "2026-01-01");
    r.member_ids = &m;
    r.nmembers = 1;
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
        snprintf(ref, sizeof(ref), "RCPT-%lld", (long long)m);
        struct receipt_request q = {inv[i].id, inv[i].amount_fen, RECEIPT_BANK_TRANSFER, ref,
                                    strlen(ref), NULL, D("2026-01-01")};
        struct receipt_result res;
        assert_int_equal(invoice_record_receipt(f->c, &enrol_actor_cli, &q, &res, field,
                                                sizeof(field)),
                         ERR_OK);
    }
}

static const unsigned char pdf_bytes[] = "%PDF-1.4 test document";
static const unsigned char png_bytes[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2};
static const unsigned char jpeg_bytes[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16};

/* A payable ZY claim of member m with in_scope self-paid fen. */
static int64_t payable_claim(struct fixture *f, int64_t m, int64_t in_scope)
{
    struct claim_input in;
    memset(&in, 0, sizeof(in));
    in.member_id = m;
    in.nplans = 1;
    snprintf(in.plan_codes[0], PLAN_CODE_MAX, "ZY");
    in.event.present = ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
    in.event.cause = ADJ_CAUSE_ILLNESS;
    in.event.admission_date = D("2026-05-01");
    in.event.discharge_date = D("2026-05-08");
    in.event.settlement.fund_paid_fen = 800000;
    in.event.settlement.self_pay_in_scope_fen = in_scope;
    in.event.settlement.total_fen = 800000 + in_scope;
    snprintf(in.hospital, sizeof(in.hospital), "浙江省人民医院");
    in.ninvoices = 1;
    snprintf(in.invoices[0], ADJ_INVOICE_MAX, "INV-%lld", (long long)m);
    int64_t id, doc;
    char field[CLAIM_FIELD_MAX];
    assert_int_equal(claim_create(f->c, &ctx, &staff, &in, &id, field, sizeof(field)), ERR_OK);
    assert_int_equal(claim_submit(f->c, &ctx, &staff, id), ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_INVOICE, pdf_bytes,
                                        sizeof(pdf_bytes), "发票.pdf", &doc),
                     ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_SETTLEMENT_STATEMENT,
                                        png_bytes, sizeof(png_bytes), "结算单.png", &doc),
                     ERR_OK);
    assert_int_equal(claim_document_add(f->c, &ctx, &staff, id, DOC_DISCHARGE_SUMMARY,
                                        jpeg_bytes, sizeof(jpeg_bytes), "小结.jpg", &doc),
                     ERR_OK);
    struct claim_assessment a;
    assert_int_equal(claim_assess(f->c, &ctx, &officer, id, &a), ERR_OK);
    assert_int_equal(claim_approve(f->c, &ctx, &approver, id, &a), ERR_OK);
    assert_int_equal(a.status, CLAIM_PAYABLE);
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

struct bal {
    const char *code;
    int64_t fen;
};
static enum err bal_fn(void *p, const struct ledger_balance *b)
{
    struct bal *x = p;
    if (strcmp(b->fund, "ZY") == 0 && strcmp(b->code, x->code) == 0) {
        x->fen = b->balance_fen;
    }
    return ERR_OK;
}
static int64_t balance(struct fixture *f, const char *code)
{
    struct bal x = {code, 0};
    assert_int_equal(ledger_balances(f->c, NULL, bal_fn, &x), ERR_OK);
    return x.fen;
}

static struct payout_row_error rows[PAYOUT_ROW_ERRORS_MAX];
static struct payout_row_errors errs = {rows, PAYOUT_ROW_ERRORS_MAX, 0, 0};

static enum err import(struct fixture *f, int64_t batch, const char *csv,
                       struct payout_results *r)
{
    return payout_results_import(f->c, &ctx, &maker, batch, csv, strlen(csv), NULL, r, &errs);
}

static int64_t create(struct fixture *f, struct payout_create_result *r)
{
    struct payout_create_in in = {"ZY", NULL, 0};
    char field[PAYOUT_FIELD_MAX];
    assert_int_equal(payout_batch_create(f->c, &ctx, &maker, &in, r, field, sizeof(field)),
                     ERR_OK);
    return r->batch_id;
}

static void test_batch_life(void **state)
{
    NEED_FIXTURE();
    const char *card1 = "6222021000000013", *card2 = "6222021000000021";
    int64_t m1 = member(f, f->city_org, card1), m2 = member(f, f->city_org, card2);
    int64_t m3 = member(f, f->city_org, NULL);
    enrol(f, m1);
    enrol(f, m2);
    enrol(f, m3);
    /* (1,200,000 - 50,000): 1,000,000 at 50 % + 150,000 at 60 % = 590,000 */
    int64_t c1 = payable_claim(f, m1, 1200000), c2 = payable_claim(f, m2, 1200000);
    int64_t c3 = payable_claim(f, m3, 1200000);
    (void)c3;
    verify_books(f);
    int64_t bank0 = balance(f, LEDGER_BANK), payable0 = balance(f, LEDGER_PAYABLE);

    /* who may: finance only, and not another subtree's */
    struct payout_create_in in = {"ZY", NULL, 0};
    struct payout_create_result r;
    char field[PAYOUT_FIELD_MAX];
    assert_int_equal(payout_batch_create(f->c, &ctx, &auditor, &in, &r, field, sizeof(field)),
                     ERR_FORBIDDEN);
    assert_int_equal(payout_batch_create(f->c, &ctx, &other_fin, &in, &r, field, sizeof(field)),
                     ERR_CONFLICT); /* nothing payable in the sibling subtree */
    struct payout_create_in bad = {"NOPE", NULL, 0};
    assert_int_equal(payout_batch_create(f->c, &ctx, &maker, &bad, &r, field, sizeof(field)),
                     ERR_NOT_FOUND);
    assert_string_equal(field, "fund");

    int64_t b1 = create(f, &r);
    assert_int_equal(r.items, 2);
    assert_int_equal(r.skipped_no_account, 1);
    assert_int_equal(r.total_fen, 1180000);
    assert_true(r.needs_approval); /* above ZY's 1,000,000 */
    assert_int_equal(payout_batch_create(f->c, &ctx, &maker, &in, &r, field, sizeof(field)),
                     ERR_CONFLICT); /* every claim with a card is in an open item */

    unsigned char *file = NULL;
    size_t len = 0;
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b1, PAYOUT_CSV, &file, &len),
                     ERR_CONFLICT);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &maker, b1), ERR_SAME_USER);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &other_fin, b1), ERR_NOT_FOUND);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &auditor, b1), ERR_FORBIDDEN);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &checker, b1), ERR_OK);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &checker, b1), ERR_CONFLICT);

    /* the bank file: BOM, header, full accounts, yuan with two decimals */
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b1, PAYOUT_CSV, &file, &len), ERR_OK);
    static const char head[] = "\xef\xbb\xbf"
                               "account,name,amount,reference\r\n";
    assert_true(len > sizeof(head) && memcmp(file, head, sizeof(head) - 1) == 0);
    char line[128];
    snprintf(line, sizeof(line), "%s,工人1,5900.00,%lld\r\n", card1, (long long)c1);
    assert_non_null(memmem(file, len, line, strlen(line)));
    sodium_memzero(file, len);
    free(file);
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b1, PAYOUT_XLSX, &file, &len), ERR_OK);
    assert_true(len > 100 && file[0] == 'P' && file[1] == 'K');
    free(file);
    struct store_payout_batch b;
    assert_int_equal(payout_batch_get(f->c, &auditor, b1, &b), ERR_OK);
    assert_string_equal(b.status, "exported");
    assert_int_equal(b.export_count, 2);
    assert_int_equal(payout_batch_get(f->c, &other_fin, b1, &b), ERR_NOT_FOUND);

    /* a bad file imports nothing */
    char csv[512];
    snprintf(csv, sizeof(csv), "reference,status,reason\n%lld,paid,\n424242,paid,\n%lld,maybe,\n",
             (long long)c1, (long long)c2);
    struct payout_results res;
    assert_int_equal(import(f, b1, csv, &res), ERR_INVALID);
    assert_int_equal(errs.total, 2);
    assert_int_equal(errs.v[0].row, 3);
    assert_int_equal(errs.v[0].code, ERR_NOT_FOUND);
    assert_string_equal(errs.v[1].field, "status");
    assert_string_equal(status_of(f, c1), "payable");
    assert_int_equal(import(f, b1, "reference\n1\n", &res), ERR_INVALID);
    assert_int_equal(errs.v[0].code, ERR_MISSING_COLUMN);

    /* paid and failed */
    snprintf(csv, sizeof(csv), "reference,status,reason\n%lld,paid,\n%lld,failed,账户冻结\n",
             (long long)c1, (long long)c2);
    assert_int_equal(import(f, b1, csv, &res), ERR_OK);
    assert_int_equal(res.paid, 1);
    assert_int_equal(res.failed, 1);
    assert_true(res.completed);
    assert_string_equal(status_of(f, c1), "paid");
    assert_string_equal(status_of(f, c2), "payable");
    assert_int_equal(balance(f, LEDGER_BANK), bank0 - 590000);
    assert_int_equal(balance(f, LEDGER_PAYABLE), payable0 - 590000);
    assert_int_equal(import(f, b1, csv, &res), ERR_OK); /* again: nothing new */
    assert_int_equal(res.unchanged, 2);
    assert_int_equal(balance(f, LEDGER_BANK), bank0 - 590000);
    snprintf(csv, sizeof(csv), "reference,status,reason\n%lld,paid,\n", (long long)c2);
    assert_int_equal(import(f, b1, csv, &res), ERR_INVALID);
    assert_int_equal(errs.v[0].code, ERR_CONFLICT);
    verify_books(f);

    /* retry: a new batch takes the failed claim */
    int64_t b2 = create(f, &r);
    assert_int_equal(r.items, 1);
    assert_false(r.needs_approval);
    assert_int_equal(import(f, b2, csv, &res), ERR_CONFLICT); /* not exported yet */
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b2, PAYOUT_CSV, &file, &len), ERR_OK);
    free(file);
    assert_int_equal(import(f, b2, csv, &res), ERR_OK);
    assert_int_equal(res.paid, 1);
    assert_string_equal(status_of(f, c2), "paid");

    /* the bank returns c1's payment */
    snprintf(csv, sizeof(csv), "reference,status,reason\n%lld,failed,退票\n", (long long)c1);
    assert_int_equal(import(f, b1, csv, &res), ERR_OK);
    assert_int_equal(res.returned, 1);
    assert_int_equal(res.returned_fen, 590000);
    assert_string_equal(status_of(f, c1), "payable");
    assert_int_equal(balance(f, LEDGER_PAYABLE), payable0 - 590000);
    verify_books(f);

    /* refusal frees the claim: a threshold below it makes the batch wait */
    assert_int_equal(db_exec(f->c->db, "UPDATE fund SET approval_threshold_fen = 1000"
                                       " WHERE code = 'ZY'"),
                     ERR_OK);
    int64_t b3 = create(f, &r);
    assert_true(r.needs_approval);
    assert_int_equal(payout_batch_refuse(f->c, &ctx, &checker, b3, "", field, sizeof(field)),
                     ERR_INVALID);
    assert_int_equal(payout_batch_refuse(f->c, &ctx, &maker, b3, "no", field, sizeof(field)),
                     ERR_SAME_USER);
    assert_int_equal(payout_batch_refuse(f->c, &ctx, &checker, b3, "未经集体决策", field,
                                         sizeof(field)),
                     ERR_OK);
    assert_int_equal(payout_batch_get(f->c, &maker, b3, &b), ERR_OK);
    assert_string_equal(b.status, "refused");
    assert_int_equal(b.cancelled_count, 1);
    int64_t b4 = create(f, &r);
    assert_int_equal(r.items, 1);
    assert_int_equal(payout_batch_approve(f->c, &ctx, &checker, b4), ERR_OK);
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b4, PAYOUT_CSV, &file, &len), ERR_OK);
    free(file);
    snprintf(csv, sizeof(csv), "参考号,状态,原因\n%lld,成功,\n", (long long)c1);
    assert_int_equal(import(f, b4, csv, &res), ERR_OK);
    assert_int_equal(res.paid, 1);
    assert_string_equal(status_of(f, c1), "paid");
    assert_int_equal(balance(f, LEDGER_PAYABLE), payable0 - 1180000);
    verify_books(f);
}

struct recon {
    int matched, unmatched;
    char reasons[128];
};

static enum err recon_fn(void *p, const struct payout_statement_line *l)
{
    struct recon *x = p;
    if (l->matched) {
        x->matched++;
    } else {
        x->unmatched++;
        strncat(x->reasons, l->reason, sizeof(x->reasons) - strlen(x->reasons) - 2);
        strcat(x->reasons, ";");
    }
    return ERR_OK;
}

static void test_reconcile(void **state)
{
    NEED_FIXTURE();
    int64_t m1 = member(f, f->city_org, "6222021000000013");
    enrol(f, m1);
    int64_t c1 = payable_claim(f, m1, 1000000); /* 475,000 */
    struct payout_create_result r;
    int64_t b1 = create(f, &r);
    unsigned char *file;
    size_t len;
    assert_int_equal(payout_bank_file(f->c, &ctx, &maker, b1, PAYOUT_CSV, &file, &len), ERR_OK);
    free(file);
    char csv[512];
    struct payout_results res;
    snprintf(csv, sizeof(csv), "reference,status\n%lld,paid\n", (long long)c1);
    assert_int_equal(import(f, b1, csv, &res), ERR_OK);

    char receipt[32];
    snprintf(receipt, sizeof(receipt), "RCPT-%lld", (long long)m1);
    snprintf(csv, sizeof(csv),
             "date,amount,reference,direction\n"
             "2026-01-01,60.00,%s,in\n"       /* the receipt */
             "2026-07-15,4750.00,%lld,out\n"  /* the payout */
             "2026-07-15,4750.01,%lld,out\n"  /* amount differs */
             "2026-07-15,61.00,%s,收\n"        /* receipt amount differs */
             "2026-07-15,1.00,NOPE,in\n",
             receipt, (long long)c1, (long long)c1, receipt);
    struct recon x = {0};
    assert_int_equal(payout_reconcile(f->c, &maker, csv, strlen(csv), recon_fn, &x, &errs),
                     ERR_OK);
    assert_int_equal(x.matched, 2);
    assert_int_equal(x.unmatched, 3);
    assert_string_equal(x.reasons, "NO_PAID_ITEM;AMOUNT_DIFFERS;NO_SUCH_REFERENCE;");
    /* another subtree does not see the payout */
    memset(&x, 0, sizeof(x));
    assert_int_equal(payout_reconcile(f->c, &other_fin, csv, strlen(csv), recon_fn, &x, &errs),
                     ERR_OK);
    assert_int_equal(x.matched, 1);
    /* bad lines: nothing matched, every row named */
    const char *bad = "date,amount,reference,direction\n2026-02-30,1,X,in\n2026-01-01,0,X,in\n"
                      "2026-01-01,1,X,up\n";
    memset(&x, 0, sizeof(x));
    assert_int_equal(payout_reconcile(f->c, &maker, bad, strlen(bad), recon_fn, &x, &errs),
                     ERR_INVALID);
    assert_int_equal(errs.total, 3);
    assert_int_equal(x.matched + x.unmatched, 0);
    assert_int_equal(payout_reconcile(f->c, &staff, bad, strlen(bad), recon_fn, &x, &errs),
                     ERR_FORBIDDEN);
    verify_books(f);
}

#define DB_TESTS(setup)                                                                            \
    cmocka_unit_test_setup_teardown(test_batch_life, setup, teardown),                             \
        cmocka_unit_test_setup_teardown(test_reconcile, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TESTS(setup_sqlite),
        DB_TESTS(setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
