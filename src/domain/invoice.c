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
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/money.h"
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
    if (e == ERR_OK) {
        /* the bank reference stays out of the detail: a long all-digit one
         * looks like a card number to the audit trail */
        char n1[24], n2[24], n3[24], n4[24], d[DATE_TEXT_LEN + 1];
        snprintf(n1, sizeof(n1), "%lld", (long long)inv.id);
        snprintf(n2, sizeof(n2), "%lld", (long long)req->amount_fen);
        snprintf(n3, sizeof(n3), "%lld", (long long)out->activated);
        snprintf(n4, sizeof(n4), "%lld", (long long)out->journal_entry_id);
        date_format(req->paid_on, d);
        const char *pairs[] = {"invoice_id", n1, "amount_fen", n2, "method",
                               receipt_method_str(req->method), "paid_on", d, "activated", n3,
                               "journal_entry_id", n4};
        e = enrol_audit(c, x->actor, "invoice.receipt", "receipt", r.id, pairs, 6);
    }
    return e;
}

static enum err receipt_tx(struct store_conn *c, void *arg)
{
    enum err e = audit_lock_chain(c);
    return e != ERR_OK ? e : receipt_run(c, arg);
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
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_enrol_lapse(c, x->as_of, x->actor->org_path, INVOICE_LAPSE_REASON,
                              &x->enrolments, &x->invoices);
    }
    if (e == ERR_OK) {
        char d[DATE_TEXT_LEN + 1], n1[24], n2[24];
        date_format(x->as_of, d);
        snprintf(n1, sizeof(n1), "%lld", (long long)x->enrolments);
        snprintf(n2, sizeof(n2), "%lld", (long long)x->invoices);
        const char *pairs[] = {"as_of", d, "lapsed_enrolments", n1, "lapsed_invoices", n2,
                               "subtree", x->actor->org_path};
        e = enrol_audit(c, x->actor, "invoice.lapse", "invoice", 0, pairs, 4);
    }
    return e;
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
    enrol_audit_actor(a, out);
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

/* The schedules a refund can draw on: those the receipts of one invoice
 * created, with what each has still unearned. */
#define REFUND_SOURCES_MAX 64

struct refund_source {
    int64_t schedule_id;
    int64_t left_fen;
};

struct entries_ctx {
    int64_t entry[REFUND_SOURCES_MAX];
    size_t n;
};

static enum err entry_row(void *arg, const struct store_receipt_row *r)
{
    struct entries_ctx *x = arg;
    if (r->journal_entry > 0 && x->n < REFUND_SOURCES_MAX) {
        x->entry[x->n++] = r->journal_entry;
    }
    return ERR_OK;
}

struct worker_inv_ctx {
    int64_t id;
};

static enum err worker_row(void *arg, const struct store_invoice_row *r)
{
    struct worker_inv_ctx *x = arg;
    if (strcmp(r->payer, costshare_payer_str(COSTSHARE_WORKER)) == 0) {
        x->id = r->id;
    }
    return ERR_OK;
}

enum err invoice_post_refund(struct store_conn *c, const struct enrol_actor *actor,
                             const char *plan_code, int64_t amount_fen, struct date on,
                             int64_t enrolment_id, int64_t *entry_id, int64_t *pending_id)
{
    /*
     * The worker's part was paid into the batch's worker invoice; each of its
     * receipts posted 1002 <- 2203 with a contribution schedule for the term.
     * The refund is taken from those schedules' unearned remainders, newest
     * receipt first, as partial refunds: 2203 -> 1002, and each schedule
     * then earns that much less (ledger_refund_partial_in_tx).
     */
    (void)plan_code; /* the schedules name their fund */
    *entry_id = 0;
    *pending_id = 0;
    if (amount_fen <= 0) {
        return ERR_OK;
    }
    struct store_enrolment_row en;
    struct worker_inv_ctx wi = {0};
    struct entries_ctx ec = {.n = 0};
    enum err e = store_enrolment_get(c, enrolment_id, &en);
    if (e == ERR_OK) {
        e = store_invoice_each_batch(c, en.batch_id, worker_row, &wi);
    }
    if (e == ERR_OK && wi.id == 0) {
        return ERR_LIMIT_EXCEEDED; /* nothing of the worker's was invoiced: nothing to refund */
    }
    if (e == ERR_OK) {
        e = store_receipt_each_invoice(c, wi.id, entry_row, &ec);
    }
    struct refund_source src[REFUND_SOURCES_MAX];
    size_t n = 0;
    int64_t available = 0;
    for (size_t i = ec.n; i > 0 && e == ERR_OK; i--) {
        struct store_ledger_schedule s;
        bool found;
        e = store_ledger_schedule_by_entry(c, ec.entry[i - 1], &found, &s);
        if (e == ERR_OK && found && !s.cancelled) {
            int64_t left = s.amount_fen - s.earned_fen - s.refunded_fen;
            if (left > 0) {
                src[n++] = (struct refund_source){s.id, left};
                e = money_add(available, left, &available);
            }
        }
    }
    if (e != ERR_OK) {
        return e;
    }
    if (available < amount_fen) {
        return ERR_LIMIT_EXCEEDED; /* more than is still unearned: earned already */
    }
    struct audit_actor aa;
    audit_actor_of(actor, &aa);
    char date[DATE_TEXT_LEN + 1];
    date_format(on, date);
    int64_t due = amount_fen;
    for (size_t i = 0; i < n && due > 0 && e == ERR_OK; i++) {
        int64_t part = money_min(due, src[i].left_fen);
        char key[LEDGER_KEY_MAX + 1];
        snprintf(key, sizeof(key), "refund:enrolment:%lld:%lld", (long long)enrolment_id,
                 (long long)src[i].schedule_id);
        struct ledger_result res;
        e = ledger_refund_partial_in_tx(c, &aa, src[i].schedule_id, part, date, key, &res);
        if (e == ERR_OK && *entry_id == 0 && res.entry_id > 0) {
            *entry_id = res.entry_id;
        }
        if (e == ERR_OK && *pending_id == 0 && res.outcome == LEDGER_PENDING) {
            *pending_id = res.pending_id;
        }
        due -= part;
    }
    return e;
}

/* ---------------------------------------------------------------- listings */

struct view_ctx {
    enum err (*fn)(void *ctx, const struct invoice_view *v);
    void *ctx;
};

static enum err view_row(void *arg, const struct store_invoice_row *r)
{
    struct view_ctx *x = arg;
    struct invoice_view v;
    view_of(r, &v);
    return x->fn(x->ctx, &v);
}

enum err invoice_list(struct store_conn *c, const struct enrol_actor *actor,
                      const struct invoice_filter *f,
                      enum err (*fn)(void *ctx, const struct invoice_view *v), void *ctx,
                      char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (f->limit < 1 || f->limit > ENROL_LIST_MAX) {
        set_field(err_field, err_cap, "limit");
        return ERR_RANGE;
    }
    if (f->status != NULL && strcmp(f->status, "open") != 0 && strcmp(f->status, "paid") != 0 &&
        strcmp(f->status, "lapsed") != 0) {
        set_field(err_field, err_cap, "status");
        return ERR_INVALID;
    }
    enum costshare_payer p;
    if (f->payer != NULL && !payer_parse(f->payer, &p)) {
        set_field(err_field, err_cap, "payer");
        return ERR_INVALID;
    }
    if (f->employer_id != 0) {
        char name[STORE_PAYER_NAME_BYTES + 1];
        struct store_enrol_org org;
        enum err e = store_enrol_employer_get(c, f->employer_id, name, &org);
        if (e == ERR_OK && !enrol_in_scope(actor->org_path, org.path)) {
            e = ERR_OUT_OF_SCOPE;
        }
        if (e != ERR_OK) {
            set_field(err_field, err_cap, "employer_id");
            return e;
        }
    }
    struct store_invoice_filter sf = {
        .path_prefix = actor->org_path,
        .batch_id = f->batch_id,
        .employer_id = f->employer_id,
        .status = f->status,
        .payer = f->payer,
        .after_id = f->after_id,
        .limit = f->limit,
    };
    struct view_ctx x = {fn, ctx};
    return store_invoice_list(c, &sf, view_row, &x);
}

struct receipts_ctx {
    struct store_receipt_row *v;
    size_t n;
};

static enum err receipt_collect(void *arg, const struct store_receipt_row *r)
{
    struct receipts_ctx *x = arg;
    if (x->n == ENROL_LIST_MAX) {
        return ERR_EOF;
    }
    x->v[x->n++] = *r;
    return ERR_OK;
}

enum err invoice_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                     struct invoice_view *out,
                     enum err (*fn)(void *ctx, const struct receipt_view *r), void *ctx)
{
    struct store_invoice_row r;
    enum err e = store_invoice_get(c, id, &r);
    if (e != ERR_OK) {
        return e;
    }
    if (!enrol_in_scope(actor->org_path, r.org_path)) {
        return ERR_OUT_OF_SCOPE;
    }
    view_of(&r, out);
    if (fn == NULL) {
        return ERR_OK;
    }
    struct receipts_ctx x = {malloc(ENROL_LIST_MAX * sizeof(*x.v)), 0};
    if (x.v == NULL) {
        return ERR_NOMEM;
    }
    e = store_receipt_each_invoice(c, id, receipt_collect, &x);
    e = e == ERR_EOF ? ERR_OK : e;
    for (size_t i = 0; i < x.n && e == ERR_OK; i++) {
        const struct store_receipt_row *s = &x.v[i];
        struct receipt_view v = {s->id,         s->amount_fen, s->method,       s->bank_ref,
                                 s->payer_name, s->paid_on,    s->journal_entry};
        e = fn(ctx, &v);
    }
    free(x.v);
    return e;
}
