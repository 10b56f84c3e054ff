/*
 * invoice: receipts against invoices, activation of paid enrolments, the
 * lapse sweep, and the postings to the fund ledger (rules in invoice.h).
 *
 * Activation: all enrolments of a batch have the same parts, so after a
 * receipt the number of fully paid enrolments is
 *     k = min over the batch's invoices of floor(paid_fen / part_fen)
 * and enrolments 1..k (in seq order) are active. Integers only.
 */
#include "domain/invoice.h"

#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "domain/audit.h"
#include "domain/ledger.h"
#include "store/store_enrol.h"

static const char *const method_names[] = {
    [RECEIPT_BANK_TRANSFER] = "bank_transfer",
    [RECEIPT_CASH] = "cash",
    [RECEIPT_WECHAT] = "wechat",
    [RECEIPT_ALIPAY] = "alipay",
    [RECEIPT_PAYROLL] = "payroll",
};

const char *receipt_method_str(enum receipt_method m)
{
    return (unsigned)m <= RECEIPT_PAYROLL ? method_names[m] : "unknown";
}

bool receipt_method_parse(const char *text, enum receipt_method *out)
{
    for (size_t i = 0; i <= RECEIPT_PAYROLL; i++) {
        if (strcmp(text, method_names[i]) == 0) {
            *out = (enum receipt_method)i;
            return true;
        }
    }
    return false;
}

static void set_field(char *buf, size_t cap, const char *field)
{
    if (cap > 0) {
        snprintf(buf, cap, "%s", field);
    }
}

static bool payer_parse(const char *s, enum costshare_payer *out)
{
    return costshare_payer_parse(s, out);
}

/* ------------------------------------------------------------------- list */

struct list_ctx {
    struct invoice_view *out;
    size_t cap, n;
};

static void view_of(const struct store_invoice_row *r, struct invoice_view *v)
{
    memset(v, 0, sizeof(*v));
    v->id = r->id;
    v->batch_id = r->batch_id;
    if (!payer_parse(r->payer, &v->payer)) {
        v->payer = COSTSHARE_WORKER;
    }
    snprintf(v->payer_name, sizeof(v->payer_name), "%s", r->payer_name);
    v->amount_fen = r->amount_fen;
    v->paid_fen = r->paid_fen;
    v->due_date = r->due_date;
    snprintf(v->status, sizeof(v->status), "%s", r->status);
}

static enum err list_row(void *arg, const struct store_invoice_row *r)
{
    struct list_ctx *x = arg;
    if (x->n < x->cap) {
        view_of(r, &x->out[x->n]);
    }
    x->n++;
    return ERR_OK;
}

enum err invoice_list_batch(struct store_conn *c, const struct enrol_actor *actor,
                            int64_t batch_id, struct invoice_view *out, size_t cap, size_t *n)
{
    struct store_enrol_batch_row b;
    *n = 0;
    enum err e = store_enrol_batch_get(c, batch_id, &b);
    if (e != ERR_OK) {
        return e;
    }
    if (!enrol_in_scope(actor->org_path, b.org_path)) {
        return ERR_OUT_OF_SCOPE;
    }
    struct list_ctx x = {out, cap, 0};
    e = store_invoice_each_batch(c, batch_id, list_row, &x);
    *n = x.n < cap ? x.n : cap;
    return e;
}

/* ---------------------------------------------------------------- receipts */

/* Printable ASCII without spaces at the ends: what banks print. */
static bool bank_ref_ok(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > INVOICE_BANK_REF_MAX || s[0] == ' ' || s[len - 1] == ' ') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

struct paid_ctx {
    const int64_t *part_fen; /* the batch's parts of one enrolment, per payer */
    int64_t k;               /* fully paid enrolments so far (min over invoices) */
};

static enum err paid_row(void *arg, const struct store_invoice_row *r)
{
    struct paid_ctx *x = arg;
    enum costshare_payer p;
    if (!payer_parse(r->payer, &p) || x->part_fen[p] <= 0) {
        return ERR_DB; /* an invoice exists only for a payer with a part */
    }
    int64_t k = r->paid_fen / x->part_fen[p];
    if (x->k < 0 || k < x->k) {
        x->k = k;
    }
    return ERR_OK;
}

struct receipt_ctx {
    const struct enrol_actor *actor;
    const struct receipt_request *req;
    struct receipt_result *out;
    char *err_field;
    size_t err_cap;
};

static enum err receipt_run(struct store_conn *c, struct receipt_ctx *x)
{
    const struct receipt_request *req = x->req;
    struct receipt_result *out = x->out;
    char ref[INVOICE_BANK_REF_MAX + 1];
    memset(out, 0, sizeof(*out));
    memcpy(ref, req->bank_ref, req->bank_ref_len);
    ref[req->bank_ref_len] = '\0';

    struct store_invoice_row inv;
    enum err e = store_invoice_get(c, req->invoice_id, &inv);
    if (e != ERR_OK || !enrol_in_scope(x->actor->org_path, inv.org_path)) {
        set_field(x->err_field, x->err_cap, "invoice_id");
        return e ? e : ERR_OUT_OF_SCOPE;
    }
    /* idempotency first: a replay answers the first receipt */
    bool found;
    int64_t rid, rinv, ramount;
    if ((e = store_receipt_find(c, ref, &found, &rid, &rinv, &ramount)) != ERR_OK) {
        return e;
    }
    if (found) {
        if (rinv != req->invoice_id || ramount != req->amount_fen) {
            set_field(x->err_field, x->err_cap, "bank_ref");
            return ERR_CONFLICT;
        }
        out->receipt_id = rid;
        out->duplicate = true;
        out->invoice_paid_fen = inv.paid_fen;
        out->invoice_paid = inv.paid_fen == inv.amount_fen;
        return ERR_OK;
    }
    if (strcmp(inv.status, "lapsed") == 0) {
        set_field(x->err_field, x->err_cap, "invoice_id");
        return ERR_INVOICE_CLOSED;
    }
    if (req->amount_fen > inv.amount_fen - inv.paid_fen) {
        set_field(x->err_field, x->err_cap, "amount_fen");
        return ERR_ALREADY_PAID_INVOICE;
    }
    struct store_receipt r = {
        .invoice_id = inv.id,
        .amount_fen = req->amount_fen,
        .method = receipt_method_str(req->method),
        .bank_ref = ref,
        .payer_name = (req->payer_name && req->payer_name[0]) ? req->payer_name : inv.payer_name,
        .paid_on = req->paid_on,
        .recorded_by = x->actor->user_id,
    };
    if ((e = store_receipt_insert(c, &r)) != ERR_OK ||
        (e = store_invoice_add_paid(c, inv.id, req->amount_fen)) != ERR_OK) {
        return e;
    }
    out->receipt_id = r.id;
    out->invoice_paid_fen = inv.paid_fen + req->amount_fen;
    out->invoice_paid = out->invoice_paid_fen == inv.amount_fen;

    struct store_enrol_batch_row b;
    if ((e = store_enrol_batch_get(c, inv.batch_id, &b)) != ERR_OK) {
        return e;
    }
    struct paid_ctx pc = {b.b.part_fen, -1};
    if ((e = store_invoice_each_batch(c, inv.batch_id, paid_row, &pc)) != ERR_OK) {
        return e;
    }
    ASSERT(pc.k >= 0 && pc.k <= b.b.member_count); /* paid_fen <= amount = part * count */
    if (pc.k > 0 &&
        (e = store_enrolment_activate(c, inv.batch_id, pc.k, req->paid_on, &out->activated))) {
        return e;
    }
    char key[LEDGER_KEY_MAX + 1];
    snprintf(key, sizeof(key), "receipt:%s", ref);
    if ((e = invoice_post_receipt(c, x->actor, b.plan_code, req->amount_fen, req->paid_on,
                                  b.b.term_start, b.b.term_end, r.id, key,
                                  &out->journal_entry_id)) != ERR_OK) {
        return e;
    }
    if (out->journal_entry_id > 0) {
        e = store_receipt_set_journal(c, r.id, out->journal_entry_id);
    }
    return e;
}

static enum err receipt_tx(struct store_conn *c, void *arg)
{
    return receipt_run(c, arg);
}

static enum err receipt_check(const struct receipt_request *req, char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (req->amount_fen <= 0) {
        set_field(err_field, err_cap, "amount_fen");
        return ERR_INVALID;
    }
    if (!bank_ref_ok(req->bank_ref, req->bank_ref_len)) {
        set_field(err_field, err_cap, "bank_ref");
        return ERR_INVALID;
    }
    if ((unsigned)req->method > RECEIPT_PAYROLL) {
        set_field(err_field, err_cap, "method");
        return ERR_INVALID;
    }
    if (req->payer_name != NULL && strlen(req->payer_name) > STORE_PAYER_NAME_BYTES) {
        set_field(err_field, err_cap, "payer_name");
        return ERR_INVALID;
    }
    return ERR_OK;
}

enum err invoice_record_receipt(struct store_conn *c, const struct enrol_actor *actor,
                                const struct receipt_request *req, struct receipt_result *out,
                                char *err_field, size_t err_cap)
{
    enum err e = receipt_check(req, err_field, err_cap);
    if (e != ERR_OK) {
        return e;
    }
    struct receipt_ctx x = {actor, req, out, err_field, err_cap};
    return store_with_tx(c, receipt_tx, &x);
}

enum err invoice_record_receipt_in_tx(struct store_conn *c, const struct enrol_actor *actor,
                                      const struct receipt_request *req,
                                      struct receipt_result *out, char *err_field,
                                      size_t err_cap)
{
    enum err e = receipt_check(req, err_field, err_cap);
    if (e != ERR_OK) {
        return e;
    }
    struct receipt_ctx x = {actor, req, out, err_field, err_cap};
    return receipt_run(c, &x);
}

/* ------------------------------------------------------------------- lapse */

struct lapse_ctx {
    const struct enrol_actor *actor;
    struct date as_of;
    int64_t enrolments, invoices;
};

static enum err lapse_tx(struct store_conn *c, void *arg)
{
    struct lapse_ctx *x = arg;
    return store_enrol_lapse(c, x->as_of, x->actor->org_path, INVOICE_LAPSE_REASON,
                             &x->enrolments, &x->invoices);
}

enum err invoice_lapse_sweep(struct store_conn *c, const struct enrol_actor *actor,
                             struct date as_of, int64_t *lapsed_enrolments,
                             int64_t *lapsed_invoices)
{
    struct lapse_ctx x = {actor, as_of, 0, 0};
    enum err e = store_with_tx(c, lapse_tx, &x);
    *lapsed_enrolments = x.enrolments;
    *lapsed_invoices = x.invoices;
    return e;
}

/* ========================================================================
 * LEDGER POSTINGS: the one place contributions meet the fund ledger
 * (domain/ledger.h). Postings go to the fund named by the plan code.
 * ======================================================================== */

static void audit_actor_of(const struct enrol_actor *a, struct audit_actor *out)
{
    memset(out, 0, sizeof(*out));
    out->user_id = a->user_id;
    out->login = "";
    out->role = a->role ? a->role : "";
    out->request_id = "";
}

static enum err post(struct store_conn *c, const struct enrol_actor *actor, enum ledger_kind kind,
                     const struct ledger_money_in *m, int64_t *entry_id)
{
    struct audit_actor aa;
    audit_actor_of(actor, &aa);
    struct ledger_line_in lines[2];
    struct ledger_entry_in in;
    struct ledger_result res;
    ledger_entry_of_kind(kind, m, lines, &in);
    enum err e = ledger_post_in_tx(c, &aa, &in, &res);
    if (e == ERR_OK) {
        e = res.err;
    }
    *entry_id = e == ERR_OK ? res.entry_id : 0;
    return e;
}

enum err invoice_post_receipt(struct store_conn *c, const struct enrol_actor *actor,
                              const char *plan_code, int64_t amount_fen, struct date paid_on,
                              struct date cover_start, struct date cover_end,
                              int64_t receipt_id, const char *idem_key, int64_t *entry_id)
{
    char date[DATE_TEXT_LEN + 1], start[DATE_TEXT_LEN + 1], end[DATE_TEXT_LEN + 1];
    char source[32];
    date_format(paid_on, date);
    date_format(cover_start, start);
    date_format(cover_end, end);
    snprintf(source, sizeof(source), "R%lld", (long long)receipt_id);
    struct ledger_money_in m = {plan_code, date, amount_fen, source, "contribution received",
                                idem_key, start, end};
    return post(c, actor, LEDGER_KIND_CONTRIBUTION, &m, entry_id);
}

enum err invoice_post_refund(struct store_conn *c, const struct enrol_actor *actor,
                             const char *plan_code, int64_t amount_fen, struct date on,
                             int64_t enrolment_id, int64_t *entry_id)
{
    /*
     * NOT POSTED YET — interface gap with the ledger (reported to the lead).
     * The ledger accepts a refund (2203 -> 1002, source "refund") only as
     * the WHOLE unearned remainder of one contribution schedule, which it
     * then cancels (ledger.c check_links). A cancellation refunds part of
     * ONE worker's share of a receipt that paid for a whole batch, so it
     * needs a partial refund against a schedule (reducing what the schedule
     * still earns), e.g.
     *     ledger_refund_partial_in_tx(c, actor, schedule_id, amount_fen, date,
     *                                 source_id, idem_key, &result)
     * Until it exists the refund is recorded on the enrolment (refund_fen,
     * cancelled_on) so it can be posted later, and no entry is written.
     */
    (void)c;
    (void)actor;
    (void)plan_code;
    (void)amount_fen;
    (void)on;
    (void)enrolment_id;
    *entry_id = 0;
    return ERR_OK;
}
