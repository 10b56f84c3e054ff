/*
 * test_invoice: invoices per payer, full and partial receipts, idempotency
 * by bank reference, cover starting only when the whole price is paid, the
 * lapse sweep, ledger postings, renewal continuity (checked with the
 * adjudication engine), expiring lists and cancellation refunds — on SQLite
 * and on PostgreSQL (HUZHU_TEST_PG_URL, schema t_invoice).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/adjudicate.h"
#include "domain/ledger.h"
#include "enrol_fixture.h"

static const char plan_iv[] =
    "{\"code\":\"IV\",\"version\":1,\"name\":\"Invoice test\",\"kind\":\"inpatient\","
    "\"share_price_fen\":1000,\"max_shares\":3,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},\"waiting_days\":90,"
    "\"renewal_grace_days\":30,\"claim_deadline_days\":730,\"refund\":\"unexpired_months\","
    "\"benefit\":{\"deductible_fen\":50000,\"include_out_of_scope\":false,"
    "\"tiers\":[{\"upto_fen\":null,\"ratio_bp\":5000}],\"annual_cap_fen_per_share\":1000000}}";
static const char plan_in[] =
    "{\"code\":\"IN\",\"version\":1,\"name\":\"No refund\",\"kind\":\"accident\","
    "\"share_price_fen\":1200,\"max_shares\":1,\"term_months\":12,"
    "\"eligibility\":{\"min_age\":16,\"max_age\":65},\"waiting_days\":0,"
    "\"renewal_grace_days\":0,\"claim_deadline_days\":730,\"refund\":\"none\","
    "\"benefit\":{\"death_fen_per_share\":1000000,\"disability_bp\":[10000,9000,8000,7000,6000,"
    "5000,4000,3000,2000,1000],\"medical\":{\"deductible_fen\":0,\"ratio_bp\":8000,"
    "\"cap_fen_per_share\":100000}}}";

static bool plans_loaded;

/* A unit of n members enrolled in IV on start: employer 50 %, union 30 %,
 * worker the rest (1000 fen a share: 500 / 300 / 200). */
static int64_t group_batch(struct fixture *f, int n, const char *start, const char *due,
                           int64_t *members, int64_t *employer)
{
    if (!plans_loaded) {
        fx_plan(f, plan_iv, true);
        fx_plan(f, plan_in, true);
        plans_loaded = true;
    }
    int64_t u = fx_employer(f, f->city_org, ++f->serial);
    for (int i = 0; i < n; i++) {
        int64_t m = fx_member(f, f->city_org, u, "F", "1980-01-01", "standard", 0);
        if (members != NULL) {
            members[i] = m;
        }
    }
    struct enrol_request r = fx_request(ENROL_GROUP, "IV", start);
    r.employer_id = u;
    r.due_date = D(due);
    r.funding.parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, 5000};
    r.funding.parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_BP, 3000};
    r.funding.remainder_payer = COSTSHARE_WORKER;
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t id = p.batch_id;
    enrol_preview_release(&p);
    if (employer != NULL) {
        *employer = u;
    }
    return id;
}

static size_t invoices(struct fixture *f, int64_t batch, struct invoice_view *out)
{
    size_t n;
    assert_int_equal(invoice_list_batch(f->c, &enrol_actor_cli, batch, out, 4, &n), ERR_OK);
    return n;
}

static enum err pay(struct fixture *f, int64_t invoice, int64_t amount, const char *ref,
                    const char *on, struct receipt_result *res)
{
    struct receipt_request q = {invoice, amount, RECEIPT_BANK_TRANSFER, ref, strlen(ref), NULL,
                                D(on)};
    char field[ENROL_FIELD_MAX];
    return invoice_record_receipt(f->c, &enrol_actor_cli, &q, res, field, sizeof(field));
}

struct status_count {
    int pending, active, lapsed, cancelled;
    struct store_enrolment_row last_active;
};

static enum err count_status(void *arg, const struct store_enrolment_row *r)
{
    struct status_count *x = arg;
    if (strcmp(r->status, "pending") == 0) {
        x->pending++;
    } else if (strcmp(r->status, "active") == 0) {
        x->active++;
        x->last_active = *r;
    } else if (strcmp(r->status, "lapsed") == 0) {
        x->lapsed++;
    } else {
        x->cancelled++;
    }
    return ERR_OK;
}

static struct status_count statuses(struct fixture *f, int64_t batch)
{
    struct status_count x;
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_enrolment_each_batch(f->c, batch, false, count_status, &x), ERR_OK);
    return x;
}

static void test_invoices_and_partial_payment(void **state)
{
    NEED_FIXTURE();
    int64_t batch = group_batch(f, 4, "2025-01-01", "2025-01-31", NULL, NULL);
    struct invoice_view inv[4];
    assert_int_equal(invoices(f, batch, inv), 3);
    assert_int_equal(inv[0].payer, COSTSHARE_EMPLOYER);
    assert_int_equal(inv[0].amount_fen, 4 * 500);
    assert_int_equal(inv[1].payer, COSTSHARE_UNION);
    assert_int_equal(inv[1].amount_fen, 4 * 300);
    assert_int_equal(inv[2].payer, COSTSHARE_WORKER);
    assert_int_equal(inv[2].amount_fen, 4 * 200);
    assert_string_equal(inv[1].payer_name, "RC");

    struct receipt_result res;
    /* employer pays all, union 2.5 shares' worth: nothing is covered without the workers */
    assert_int_equal(pay(f, inv[0].id, 2000, "B-0001", "2024-12-20", &res), ERR_OK);
    assert_true(res.invoice_paid);
    assert_int_equal(res.activated, 0);
    assert_true(res.journal_entry_id > 0);
    assert_int_equal(pay(f, inv[1].id, 750, "B-0002", "2024-12-20", &res), ERR_OK);
    assert_false(res.invoice_paid);
    assert_int_equal(res.activated, 0);
    assert_int_equal(statuses(f, batch).active, 0);
    /* workers pay 3 parts: min(4, 2, 3) = 2 enrolments fully paid */
    assert_int_equal(pay(f, inv[2].id, 600, "B-0003", "2024-12-21", &res), ERR_OK);
    assert_int_equal(res.activated, 2);
    struct status_count sc = statuses(f, batch);
    assert_int_equal(sc.active, 2);
    assert_int_equal(sc.pending, 2);
    /* paid before the term: cover from the term's start */
    char buf[11];
    date_format(sc.last_active.cover_start, buf);
    assert_string_equal(buf, "2025-01-01");

    /* idempotent: the same bank reference again records nothing */
    assert_int_equal(pay(f, inv[2].id, 600, "B-0003", "2024-12-21", &res), ERR_OK);
    assert_true(res.duplicate);
    assert_int_equal(res.invoice_paid_fen, 600);
    assert_int_equal(invoices(f, batch, inv), 3);
    assert_int_equal(inv[2].paid_fen, 600);
    /* the same reference with another amount or invoice is a conflict */
    assert_int_equal(pay(f, inv[2].id, 200, "B-0003", "2024-12-21", &res), ERR_CONFLICT);
    assert_int_equal(pay(f, inv[1].id, 600, "B-0003", "2024-12-21", &res), ERR_CONFLICT);
    /* more than is owed */
    assert_int_equal(pay(f, inv[2].id, 201, "B-0004", "2025-01-10", &res),
                     ERR_ALREADY_PAID_INVOICE);
    assert_int_equal(pay(f, inv[0].id, 1, "B-0005", "2025-01-10", &res),
                     ERR_ALREADY_PAID_INVOICE);
    /* bad input */
    assert_int_equal(pay(f, inv[2].id, 0, "B-0006", "2025-01-10", &res), ERR_INVALID);
    assert_int_equal(pay(f, inv[2].id, 1, "", "2025-01-10", &res), ERR_INVALID);
    assert_int_equal(pay(f, 999999, 1, "B-0007", "2025-01-10", &res), ERR_NOT_FOUND);
    /* the rest, paid inside the term: cover from the payment day */
    assert_int_equal(pay(f, inv[2].id, 200, "B-0008", "2025-01-10", &res), ERR_OK);
    assert_int_equal(pay(f, inv[1].id, 450, "B-0009", "2025-01-15", &res), ERR_OK);
    assert_int_equal(res.activated, 2);
    sc = statuses(f, batch);
    assert_int_equal(sc.active, 4);
    date_format(sc.last_active.cover_start, buf);
    assert_string_equal(buf, "2025-01-15");

    /* the ledger: every receipt a balanced entry, verified */
    struct ledger_verify_result v;
    assert_int_equal(ledger_verify(f->c, &v), ERR_OK);
    if (!v.ok) {
        print_error("ledger: %s\n", v.problem);
    }
    assert_true(v.ok);
    assert_true(v.entries >= 5);
}

static void test_scope_of_receipts(void **state)
{
    NEED_FIXTURE();
    int64_t batch = group_batch(f, 1, "2025-02-01", "2025-02-28", NULL, NULL);
    struct invoice_view inv[4];
    invoices(f, batch, inv);
    struct enrol_actor other = fx_actor(f->other_path);
    struct receipt_request q = {inv[0].id, 10, RECEIPT_CASH, "S-1", 3, NULL, D("2025-02-01")};
    struct receipt_result res;
    char field[ENROL_FIELD_MAX];
    assert_int_equal(invoice_record_receipt(f->c, &other, &q, &res, field, sizeof(field)),
                     ERR_OUT_OF_SCOPE);
    assert_string_equal(field, "invoice_id");
    size_t n;
    assert_int_equal(invoice_list_batch(f->c, &other, batch, inv, 4, &n), ERR_OUT_OF_SCOPE);
}

static void test_lapse(void **state)
{
    NEED_FIXTURE();
    int64_t batch = group_batch(f, 2, "2025-03-01", "2025-03-15", NULL, NULL);
    int64_t paid = group_batch(f, 1, "2025-03-01", "2025-03-15", NULL, NULL);
    struct invoice_view inv[4], pinv[4];
    invoices(f, batch, inv);
    size_t np = invoices(f, paid, pinv);
    struct receipt_result res;
    for (size_t i = 0; i < np; i++) {
        char ref[32];
        snprintf(ref, sizeof(ref), "L-P-%zu", i);
        assert_int_equal(pay(f, pinv[i].id, pinv[i].amount_fen, ref, "2025-03-01", &res), ERR_OK);
    }
    /* one of two paid in full */
    assert_int_equal(pay(f, inv[0].id, 500, "L-1", "2025-03-02", &res), ERR_OK);
    assert_int_equal(pay(f, inv[1].id, 300, "L-2", "2025-03-02", &res), ERR_OK);
    assert_int_equal(pay(f, inv[2].id, 200, "L-3", "2025-03-02", &res), ERR_OK);
    assert_int_equal(res.activated, 1);
    int64_t le, li;
    /* on the due date nothing lapses yet */
    assert_int_equal(invoice_lapse_sweep(f->c, &enrol_actor_cli, D("2025-03-15"), &le, &li),
                     ERR_OK);
    assert_int_equal(invoice_lapse_sweep(f->c, &enrol_actor_cli, D("2025-03-15"), &le, &li),
                     ERR_OK); /* earlier tests' batches due before: done, nothing left */
    assert_int_equal(le, 0);
    assert_int_equal(li, 0);
    assert_int_equal(invoice_lapse_sweep(f->c, &enrol_actor_cli, D("2025-03-16"), &le, &li),
                     ERR_OK);
    assert_int_equal(le, 1);
    assert_int_equal(li, 3);
    struct status_count sc = statuses(f, batch);
    assert_int_equal(sc.active, 1);
    assert_int_equal(sc.lapsed, 1);
    assert_int_equal(statuses(f, paid).active, 1);
    /* a lapsed invoice takes no more money; the sweep is idempotent */
    assert_int_equal(pay(f, inv[0].id, 500, "L-4", "2025-03-20", &res), ERR_INVOICE_CLOSED);
    assert_int_equal(invoice_lapse_sweep(f->c, &enrol_actor_cli, D("2025-03-16"), &le, &li),
                     ERR_OK);
    assert_int_equal(le, 0);
    assert_int_equal(li, 0);
    /* a lapsed enrolment gives no cover and does not block a new one */
    char field[ENROL_FIELD_MAX];
    struct enrol_cancel_result cr;
    struct store_enrolment_row row;
    assert_int_equal(store_enrolment_get(f->c, sc.last_active.id + 1, &row), ERR_OK);
    assert_string_equal(row.status, "lapsed");
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, row.id, D("2025-04-01"), &cr, field,
                                  sizeof(field)),
                     ERR_ALREADY_CANCELLED);
    int64_t m = row.member_id;
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "IV", "2025-04-01");
    r.member_ids = &m;
    r.nmembers = 1;
    struct enrol_preview p;
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    enrol_preview_release(&p);
}

/* Pays every invoice of a batch in full. */
static void pay_all(struct fixture *f, int64_t batch, const char *prefix, const char *on)
{
    struct invoice_view inv[4];
    size_t n = invoices(f, batch, inv);
    for (size_t i = 0; i < n; i++) {
        char ref[48];
        snprintf(ref, sizeof(ref), "%s-%zu", prefix, i);
        struct receipt_result res;
        assert_int_equal(pay(f, inv[i].id, inv[i].amount_fen - inv[i].paid_fen, ref, on, &res),
                         ERR_OK);
    }
}

/* Judges an illness stay admitted on `admission` for member under IV with
 * the engine, from the member's stored enrolments (active or cancelled:
 * what gives cover). */
static enum adj_reason judge(struct fixture *f, int64_t member, const char *admission)
{
    struct plan_version *pv = malloc(sizeof(*pv));
    assert_int_equal(plans_get_in_tx(f->c, 0, "IV", 0, pv), ERR_OK);
    struct adj_enrolment es[8];
    size_t n = 0;
    struct db_stmt *st;
    bool row;
    assert_int_equal(db_prepare(f->c->db,
                                "SELECT term_start, shares, cancelled_on FROM enrolment"
                                " WHERE member_id = $1 AND status IN ('active', 'cancelled')"
                                " ORDER BY term_start",
                                &st),
                     ERR_OK);
    db_bind_int64(st, 1, member);
    while (db_step(st, &row) == ERR_OK && row && n < 8) {
        size_t len;
        const char *s = db_col_text(st, 0, &len);
        struct date start, cancelled;
        assert_int_equal(date_parse(s, len, &start), ERR_OK);
        bool has_cancel = !db_col_is_null(st, 2);
        if (has_cancel) {
            s = db_col_text(st, 2, &len);
            assert_int_equal(date_parse(s, len, &cancelled), ERR_OK);
        }
        adj_enrolment_init(&es[n], "E", &pv->plan, 0, start, db_col_int64(st, 1),
                           has_cancel ? &cancelled : NULL);
        n++;
    }
    db_reset(st);
    struct adj_code code;
    memset(&code, 0, sizeof(code));
    code.plan = &pv->plan;
    adj_invoice_set_init(&code.invoices);
    struct adj_state as = {&code, 1};
    struct adj_member m;
    memset(&m, 0, sizeof(m));
    m.id = "M";
    m.enrolments = es;
    m.nenrolments = n;
    struct adj_claim claim;
    memset(&claim, 0, sizeof(claim));
    claim.id = "C1";
    claim.nplans = 1;
    claim.code_ids[0] = 0;
    claim.event.present =
        ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
    claim.event.cause = ADJ_CAUSE_ILLNESS;
    claim.event.admission_date = D(admission);
    claim.event.discharge_date = date_add_days(D(admission), 5);
    claim.submitted = date_add_days(D(admission), 10);
    claim.event.settlement = (struct adj_settlement){300000, 100000, 0, 0, 0, 150000, 50000};
    struct adj_result results[ADJ_CLAIM_PLANS_MAX];
    const char *ef;
    assert_int_equal(adjudicate_claim(&as, &m, &claim, results, &ef), ERR_OK);
    enum adj_reason reason = results[0].reason;
    adj_member_release(&m);
    adj_invoice_set_release(&code.invoices);
    free(pv);
    return reason;
}

struct expiring {
    int n;
    int64_t ids[16];
};

static enum err collect_expiring(void *arg, const struct enrol_view *v)
{
    struct expiring *x = arg;
    if (x->n < 16) {
        x->ids[x->n] = v->id;
    }
    x->n++;
    return ERR_OK;
}

static void test_renewal_continuity(void **state)
{
    NEED_FIXTURE();
    int64_t members[3];
    int64_t batch = group_batch(f, 3, "2025-01-01", "2025-01-31", members, NULL);
    pay_all(f, batch, "RN", "2024-12-30");
    struct status_count sc = statuses(f, batch);
    assert_int_equal(sc.active, 3);
    struct enrol_actor city = fx_actor(f->city_path), other = fx_actor(f->other_path);
    struct enrol_view ev;
    assert_int_equal(enrol_get(f->c, &city, sc.last_active.id, &ev), ERR_OK);
    assert_int_equal(enrol_get(f->c, &other, sc.last_active.id, &ev), ERR_OUT_OF_SCOPE);

    /* expiring within 30 days of 2025-12-15: these three (and only in scope) */
    struct expiring ex = {0};
    assert_int_equal(enrol_expiring(f->c, &city, D("2025-12-15"), 30, collect_expiring, &ex),
                     ERR_OK);
    int mine = 0;
    for (int i = 0; i < ex.n && i < 16; i++) {
        for (int k = 0; k < 3; k++) {
            struct enrol_view v;
            assert_int_equal(enrol_get(f->c, &city, ex.ids[i], &v), ERR_OK);
            mine += v.member_id == members[k];
        }
    }
    assert_int_equal(mine, 3);
    struct expiring none = {0};
    assert_int_equal(enrol_expiring(f->c, &other, D("2025-12-15"), 30, collect_expiring, &none),
                     ERR_OK);
    assert_int_equal(none.n, 0);
    struct expiring early = {0};
    assert_int_equal(enrol_expiring(f->c, &city, D("2025-11-15"), 30, collect_expiring, &early),
                     ERR_OK);
    int early_mine = 0;
    for (int i = 0; i < early.n && i < 16; i++) {
        struct enrol_view v;
        assert_int_equal(enrol_get(f->c, &city, early.ids[i], &v), ERR_OK);
        early_mine += v.member_id == members[0];
    }
    assert_int_equal(early_mine, 0);

    /* one member cancels before the renewal: not renewed */
    struct enrol_cancel_result cr;
    char field[ENROL_FIELD_MAX];
    int64_t cancel_id = sc.last_active.id;
    assert_int_equal(enrol_cancel(f->c, &city, cancel_id, D("2025-12-01"), &cr, field,
                                  sizeof(field)),
                     ERR_OK);

    struct enrol_preview p;
    struct date due = D("2025-12-31");
    assert_int_equal(enrol_renew(f->c, &city, batch, &due, &p, field, sizeof(field)),
                     ERR_OK);
    assert_int_equal(p.neligible, 2);
    char buf[11];
    date_format(p.term_start, buf);
    assert_string_equal(buf, "2026-01-01"); /* the day after the previous term's end */
    int64_t renewal = p.batch_id;
    enrol_preview_release(&p);
    /* renewing twice finds nothing left */
    assert_int_equal(enrol_renew(f->c, &city, batch, &due, &p, field, sizeof(field)),
                     ERR_NOT_RENEWABLE);
    enrol_preview_release(&p);
    assert_int_equal(enrol_renew(f->c, &other, batch, NULL, &p, field, sizeof(field)),
                     ERR_OUT_OF_SCOPE);
    enrol_preview_release(&p);
    /* renewed enrolments are no longer expiring */
    struct expiring after = {0};
    assert_int_equal(enrol_expiring(f->c, &city, D("2025-12-15"), 30, collect_expiring, &after),
                     ERR_OK);
    for (int i = 0; i < after.n && i < 16; i++) {
        struct enrol_view v;
        assert_int_equal(enrol_get(f->c, &city, after.ids[i], &v), ERR_OK);
        assert_true(v.member_id != members[0] && v.member_id != members[1]);
    }
    pay_all(f, renewal, "RN2", "2025-12-20");
    struct status_count rs = statuses(f, renewal);
    assert_int_equal(rs.active, 2);
    assert_true(rs.last_active.renewal_of > 0);

    /* the engine sees a continuous renewal: an illness 10 days into the new
     * term is not in a waiting period */
    int64_t renewed_member = rs.last_active.member_id;
    assert_int_equal(judge(f, renewed_member, "2026-01-11"), ADJ_REASON_NONE);
    /* a member newly enrolled on the same day does wait */
    int64_t fresh = fx_member(f, f->city_org, 0, "M", "1985-01-01", "courier", 0);
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "IV", "2026-01-01");
    r.member_ids = &fresh;
    r.nmembers = 1;
    assert_int_equal(enrol_commit(f->c, &city, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t fresh_batch = p.batch_id;
    enrol_preview_release(&p);
    pay_all(f, fresh_batch, "FR", "2025-12-20");
    assert_int_equal(judge(f, fresh, "2026-01-11"), ADJ_REASON_WAITING_PERIOD);
}

static void test_cancel_refunds(void **state)
{
    NEED_FIXTURE();
    int64_t members[2];
    int64_t batch = group_batch(f, 2, "2025-01-01", "2025-01-31", members, NULL);
    pay_all(f, batch, "CX", "2025-01-01");
    struct status_count sc = statuses(f, batch);
    assert_int_equal(sc.active, 2);
    struct enrol_cancel_result cr;
    char field[ENROL_FIELD_MAX];
    /* worker part 200 fen, 9 whole months left of 12: 150 */
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, sc.last_active.id, D("2025-04-01"),
                                  &cr, field, sizeof(field)),
                     ERR_OK);
    assert_int_equal(cr.unexpired_months, 9);
    assert_int_equal(cr.refund_fen, 150);
    struct enrol_view v;
    assert_int_equal(enrol_get(f->c, &enrol_actor_cli, sc.last_active.id, &v), ERR_OK);
    assert_string_equal(v.status, "cancelled");
    assert_int_equal(v.refund_fen, 150);
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, sc.last_active.id, D("2025-05-01"),
                                  &cr, field, sizeof(field)),
                     ERR_ALREADY_CANCELLED);
    /* outside the term */
    int64_t other_id = sc.last_active.id - 1;
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, other_id, D("2026-01-01"), &cr, field,
                                  sizeof(field)),
                     ERR_INVALID_DATE);
    assert_string_equal(field, "effective");
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, 999999, D("2025-06-01"), &cr, field,
                                  sizeof(field)),
                     ERR_NOT_FOUND);
    /* mid-month: 2025-06-15 leaves 6 whole months: 100 */
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, other_id, D("2025-06-15"), &cr, field,
                                  sizeof(field)),
                     ERR_OK);
    assert_int_equal(cr.unexpired_months, 6);
    assert_int_equal(cr.refund_fen, 100);
    /* the cancellation ends cover the day before: the engine agrees */
    assert_int_equal(judge(f, members[0], "2025-06-14"), ADJ_REASON_NONE);
    assert_int_equal(judge(f, members[0], "2025-06-15"), ADJ_REASON_NOT_ENROLLED);

    /* plan with refund "none": nothing back; an unpaid enrolment: nothing back */
    int64_t gig = fx_member(f, f->city_org, 0, "M", "1985-01-01", "delivery", 0);
    struct enrol_request r = fx_request(ENROL_INDIVIDUAL, "IN", "2025-01-01");
    r.member_ids = &gig;
    r.nmembers = 1;
    struct enrol_preview p;
    assert_int_equal(enrol_commit(f->c, &enrol_actor_cli, &r, &p, field, sizeof(field)), ERR_OK);
    int64_t nb = p.batch_id;
    enrol_preview_release(&p);
    pay_all(f, nb, "NR", "2025-01-01");
    struct status_count ns = statuses(f, nb);
    assert_int_equal(enrol_cancel(f->c, &enrol_actor_cli, ns.last_active.id, D("2025-02-01"), &cr,
                                  field, sizeof(field)),
                     ERR_OK);
    assert_int_equal(cr.unexpired_months, 11);
    assert_int_equal(cr.refund_fen, 0);
    assert_int_equal(cr.journal_entry_id, 0);
    int64_t unpaid = group_batch(f, 1, "2025-01-01", "2025-01-31", NULL, NULL);
    struct status_count us = statuses(f, unpaid);
    assert_int_equal(us.pending, 1);
    struct ledger_verify_result lv;
    assert_int_equal(ledger_verify(f->c, &lv), ERR_OK);
    assert_true(lv.ok);
}

static int setup_sqlite(void **state)
{
    plans_loaded = false;
    return fx_setup_sqlite(state, "invoice");
}

static int setup_pg(void **state)
{
    plans_loaded = false;
    return fx_setup_pg(state, "t_invoice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invoices_and_partial_payment),
        cmocka_unit_test(test_scope_of_receipts),
        cmocka_unit_test(test_lapse),
        cmocka_unit_test(test_renewal_continuity),
        cmocka_unit_test(test_cancel_refunds),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup_sqlite, fx_teardown);
    failed += cmocka_run_group_tests_name("postgresql", tests, setup_pg, fx_teardown);
    return failed;
}
