/*
 * cmd_enrol: `huzhu enrol` — enrolment and contributions from the command
 * line, acting for every organisation (the CLI actor):
 *   group | individual | gift   preview (default) or --commit a batch
 *   invoices --batch ID          a batch's invoices
 *   pay --invoice ID ...         record a receipt (idempotent by --ref)
 *   lapse --as-of DATE           lapse unpaid enrolments past their due date
 *   renew --batch ID             renew a batch into the next term
 *   expiring --as-of DATE --days N
 *   cancel --enrolment ID --effective DATE
 * Results are printed as JSON; refusals as "CODE at field" on stderr, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/money.h"
#include "domain/enrol.h"
#include "domain/invoice.h"
#include "store/store.h"

static const char enrol_help[] =
    "usage: huzhu enrol group      --db URL --employer ID --plan CODE --start DATE [--shares N]\n"
    "                              [--version N] [--members ID,ID,...] [--due DATE]\n"
    "                              [--funding JSON] [--commit]\n"
    "       huzhu enrol individual --db URL --member ID --plan CODE --start DATE [...] [--commit]\n"
    "       huzhu enrol gift       --db URL --members ID,... --donor NAME --plan CODE\n"
    "                              --start DATE [--shares N] [--commit]\n"
    "       huzhu enrol invoices   --db URL --batch ID\n"
    "       huzhu enrol pay        --db URL --invoice ID --amount YUAN --ref BANKREF\n"
    "                              --on DATE [--method bank_transfer|cash|wechat|alipay|payroll]\n"
    "                              [--payer NAME]\n"
    "       huzhu enrol lapse      --db URL --as-of DATE\n"
    "       huzhu enrol renew      --db URL --batch ID [--due DATE]\n"
    "       huzhu enrol expiring   --db URL --as-of DATE [--days N]\n"
    "       huzhu enrol cancel     --db URL --enrolment ID --effective DATE\n\n"
    "group/individual/gift print a preview (eligible, refused with codes, cost per\n"
    "payer) and write nothing unless --commit. --funding is the batch's split of\n"
    "each share's price, e.g. {\"employer\":{\"bp\":5000},\"union\":{\"fen\":1000},\n"
    "\"remainder\":\"worker\"} (default: the worker pays all; gifts: the donor).\n"
    "--due defaults to the term's start.\n";

struct opts {
    const char *db, *employer, *member, *members, *plan, *version, *start, *shares, *due;
    const char *funding, *donor, *batch, *invoice, *amount, *ref, *on, *method, *payer;
    const char *as_of, *days, *enrolment, *effective;
    bool commit;
};

static bool parse_id(const char *opt, const char *text, int64_t *out)
{
    unsigned long v;
    if (text == NULL) {
        fprintf(stderr, "huzhu enrol: --%s is required\n", opt);
        return false;
    }
    if (!args_uint("enrol", opt, text, 1, 9007199254740991UL, &v)) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool parse_date(const char *opt, const char *text, struct date *out)
{
    if (text == NULL) {
        fprintf(stderr, "huzhu enrol: --%s is required\n", opt);
        return false;
    }
    if (date_parse(text, strlen(text), out) != ERR_OK) {
        fprintf(stderr, "huzhu enrol: --%s must be YYYY-MM-DD, got '%s'\n", opt, text);
        return false;
    }
    return true;
}

/* "1,2,3" into a malloc'd array. */
static bool parse_ids(const char *text, int64_t **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++) {
        cap += *p == ',';
    }
    *out = malloc(cap * sizeof(**out));
    *n = 0;
    if (*out == NULL) {
        return false;
    }
    char *copy = strdup(text);
    char *save = NULL;
    bool ok = copy != NULL;
    for (char *tok = ok ? strtok_r(copy, ",", &save) : NULL; ok && tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        ok = parse_id("members", tok, &(*out)[*n]);
        (*n)++;
    }
    free(copy);
    return ok && *n > 0;
}

static void print_json(json_t *doc)
{
    if (doc != NULL) {
        json_dumpf(doc, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(doc);
    }
}

static json_t *date_json(struct date d)
{
    char buf[DATE_TEXT_LEN + 1];
    date_format(d, buf);
    return json_string(buf);
}

static json_t *split_json(const struct costshare_split *s)
{
    json_t *o = json_object();
    for (int i = 0; i < COSTSHARE__COUNT; i++) {
        json_object_set_new(o, costshare_payer_str((enum costshare_payer)i),
                            json_integer(s->fen[i]));
    }
    return o;
}

static json_t *preview_json(const struct enrol_preview *p, bool committed)
{
    json_t *o = json_object();
    json_object_set_new(o, "committed", json_boolean(committed));
    if (committed) {
        json_object_set_new(o, "batch_id", json_integer(p->batch_id));
    }
    json_object_set_new(o, "plan_version", json_integer(p->plan_version));
    json_object_set_new(o, "term_start", date_json(p->term_start));
    json_object_set_new(o, "term_end", date_json(p->term_end));
    json_object_set_new(o, "shares", json_integer(p->shares));
    json_object_set_new(o, "roster_size", json_integer(p->roster_size));
    json_object_set_new(o, "eligible_staff", json_integer(p->eligible_staff));
    json_object_set_new(o, "already_enrolled", json_integer(p->already_enrolled));
    json_object_set_new(o, "participation", json_string(err_str(p->participation)));
    json_object_set_new(o, "eligible", json_integer((json_int_t)p->neligible));
    json_t *ref = json_array();
    for (size_t i = 0; i < p->nrefused; i++) {
        json_array_append_new(ref, json_pack("{sIss}", "member_id",
                                             (json_int_t)p->refused[i].member_id, "code",
                                             err_str(p->refused[i].code)));
    }
    json_object_set_new(o, "refused", ref);
    json_object_set_new(o, "per_share_fen", split_json(&p->share));
    json_object_set_new(o, "per_enrolment_fen", split_json(&p->enrolment));
    json_object_set_new(o, "total_fen", split_json(&p->total));
    return o;
}

static int fail(const char *sub, enum err e, const char *field)
{
    fprintf(stderr, "huzhu enrol %s: %s%s%s\n", sub, err_str(e), field[0] ? " at " : "", field);
    return 1;
}

static int do_batch(struct store_conn *c, const char *sub, const struct opts *o)
{
    struct enrol_request r;
    memset(&r, 0, sizeof(r));
    int64_t one = 0;
    int64_t *ids = NULL;
    int rc = 2;
    if (!enrol_kind_parse(sub, &r.kind) || o->plan == NULL ||
        !parse_date("start", o->start, &r.term_start)) {
        if (o->plan == NULL) {
            fprintf(stderr, "huzhu enrol %s: --plan is required\n", sub);
        }
        return 2;
    }
    snprintf(r.plan_code, sizeof(r.plan_code), "%s", o->plan);
    r.due_date = r.term_start;
    r.shares = 1;
    r.funding.remainder_payer = COSTSHARE_WORKER;
    unsigned long v;
    if ((o->version && !args_uint("enrol", "version", o->version, 1, 2147483647UL, &v)) ||
        (o->due && !parse_date("due", o->due, &r.due_date))) {
        return 2;
    }
    r.plan_version = o->version ? (int64_t)v : 0;
    if (o->shares) {
        if (!args_uint("enrol", "shares", o->shares, 1, 1000, &v)) {
            return 2;
        }
        r.shares = (int64_t)v;
    }
    if (o->funding) {
        json_error_t jerr;
        json_t *fj = json_loads(o->funding, 0, &jerr);
        char field[ENROL_FIELD_MAX];
        enum err e = fj ? costshare_spec_from_json(fj, &r.funding, field, sizeof(field))
                        : ERR_BAD_JSON;
        json_decref(fj);
        if (e != ERR_OK) {
            return fail(sub, e, fj ? field : "funding");
        }
    }
    if (r.kind == ENROL_GROUP) {
        if (!parse_id("employer", o->employer, &r.employer_id) ||
            (o->members && !parse_ids(o->members, &ids, &r.nmembers))) {
            goto out_ids;
        }
        r.member_ids = ids;
    } else if (r.kind == ENROL_INDIVIDUAL) {
        if (!parse_id("member", o->member, &one)) {
            return 2;
        }
        r.member_ids = &one;
        r.nmembers = 1;
    } else {
        if (o->members == NULL || o->donor == NULL || !parse_ids(o->members, &ids, &r.nmembers)) {
            fprintf(stderr, "huzhu enrol gift: --members and --donor are required\n");
            goto out_ids;
        }
        r.member_ids = ids;
        snprintf(r.donor, sizeof(r.donor), "%s", o->donor);
    }
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX] = "";
    enum err e = o->commit ? enrol_commit(c, &enrol_actor_cli, &r, &p, field, sizeof(field))
                           : enrol_preview(c, &enrol_actor_cli, &r, &p, field, sizeof(field));
    if (e == ERR_OK) {
        print_json(preview_json(&p, o->commit));
        rc = 0;
    } else {
        rc = fail(sub, e, field);
    }
    enrol_preview_release(&p);
out_ids:
    free(ids);
    return rc;
}

static int do_invoices(struct store_conn *c, const struct opts *o)
{
    int64_t batch;
    if (!parse_id("batch", o->batch, &batch)) {
        return 2;
    }
    struct invoice_view inv[COSTSHARE__COUNT];
    size_t n;
    enum err e = invoice_list_batch(c, &enrol_actor_cli, batch, inv, COSTSHARE__COUNT, &n);
    if (e != ERR_OK) {
        return fail("invoices", e, "batch");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{sIsIsssssIsIsoss}", "id", (json_int_t)inv[i].id, "batch_id",
                           (json_int_t)inv[i].batch_id, "payer",
                           costshare_payer_str(inv[i].payer), "payer_name", inv[i].payer_name,
                           "amount_fen", (json_int_t)inv[i].amount_fen, "paid_fen",
                           (json_int_t)inv[i].paid_fen, "due_date", date_json(inv[i].due_date),
                           "status", inv[i].status));
    }
    print_json(arr);
    return 0;
}

static int do_pay(struct store_conn *c, const struct opts *o)
{
    struct receipt_request q;
    memset(&q, 0, sizeof(q));
    q.method = RECEIPT_BANK_TRANSFER;
    if (!parse_id("invoice", o->invoice, &q.invoice_id) || !parse_date("on", o->on, &q.paid_on)) {
        return 2;
    }
    if (o->amount == NULL || money_parse(o->amount, strlen(o->amount), &q.amount_fen) != ERR_OK) {
        fprintf(stderr, "huzhu enrol pay: --amount must be yuan, e.g. 120.50\n");
        return 2;
    }
    if (o->method && !receipt_method_parse(o->method, &q.method)) {
        fprintf(stderr, "huzhu enrol pay: unknown --method '%s'\n", o->method);
        return 2;
    }
    if (o->ref == NULL) {
        fprintf(stderr, "huzhu enrol pay: --ref is required\n");
        return 2;
    }
    q.bank_ref = o->ref;
    q.bank_ref_len = strlen(o->ref);
    q.payer_name = o->payer;
    struct receipt_result r;
    char field[ENROL_FIELD_MAX] = "";
    enum err e = invoice_record_receipt(c, &enrol_actor_cli, &q, &r, field, sizeof(field));
    if (e != ERR_OK) {
        return fail("pay", e, field);
    }
    print_json(json_pack("{sIsbsIsbsIsI}", "receipt_id", (json_int_t)r.receipt_id, "duplicate",
                         r.duplicate, "invoice_paid_fen", (json_int_t)r.invoice_paid_fen,
                         "invoice_paid", r.invoice_paid, "activated", (json_int_t)r.activated,
                         "journal_entry_id", (json_int_t)r.journal_entry_id));
    return 0;
}

static enum err print_view(void *ctx, const struct enrol_view *v)
{
    json_t *arr = ctx;
    json_array_append_new(arr, json_pack("{sIsIsIsssososIsssI}", "id", (json_int_t)v->id,
                                         "batch_id", (json_int_t)v->batch_id, "member_id",
                                         (json_int_t)v->member_id, "plan", v->plan_code,
                                         "term_start", date_json(v->term_start), "term_end",
                                         date_json(v->term_end), "shares", (json_int_t)v->shares,
                                         "status", v->status, "renewal_of",
                                         (json_int_t)v->renewal_of));
    return ERR_OK;
}

static int run(struct store_conn *c, const char *sub, const struct opts *o)
{
    char field[ENROL_FIELD_MAX] = "";
    enum err e;
    if (strcmp(sub, "group") == 0 || strcmp(sub, "individual") == 0 || strcmp(sub, "gift") == 0) {
        return do_batch(c, sub, o);
    }
    if (strcmp(sub, "invoices") == 0) {
        return do_invoices(c, o);
    }
    if (strcmp(sub, "pay") == 0) {
        return do_pay(c, o);
    }
    if (strcmp(sub, "lapse") == 0) {
        struct date as_of;
        int64_t le, li;
        if (!parse_date("as-of", o->as_of, &as_of)) {
            return 2;
        }
        if ((e = invoice_lapse_sweep(c, &enrol_actor_cli, as_of, &le, &li)) != ERR_OK) {
            return fail(sub, e, field);
        }
        print_json(json_pack("{sIsI}", "lapsed_enrolments", (json_int_t)le, "lapsed_invoices",
                             (json_int_t)li));
        return 0;
    }
    if (strcmp(sub, "renew") == 0) {
        int64_t batch;
        struct date due;
        if (!parse_id("batch", o->batch, &batch) || (o->due && !parse_date("due", o->due, &due))) {
            return 2;
        }
        struct enrol_preview p;
        e = enrol_renew(c, &enrol_actor_cli, batch, o->due ? &due : NULL, &p, field,
                        sizeof(field));
        if (e == ERR_OK) {
            print_json(preview_json(&p, true));
        }
        enrol_preview_release(&p);
        return e == ERR_OK ? 0 : fail(sub, e, field);
    }
    if (strcmp(sub, "expiring") == 0) {
        struct date as_of;
        unsigned long days = 30;
        if (!parse_date("as-of", o->as_of, &as_of) ||
            (o->days && !args_uint("enrol", "days", o->days, 0, 3660, &days))) {
            return 2;
        }
        json_t *arr = json_array();
        e = enrol_expiring(c, &enrol_actor_cli, as_of, (int32_t)days, print_view, arr);
        if (e != ERR_OK) {
            json_decref(arr);
            return fail(sub, e, field);
        }
        print_json(arr);
        return 0;
    }
    if (strcmp(sub, "cancel") == 0) {
        int64_t id;
        struct date eff;
        if (!parse_id("enrolment", o->enrolment, &id) ||
            !parse_date("effective", o->effective, &eff)) {
            return 2;
        }
        struct enrol_cancel_result r;
        if ((e = enrol_cancel(c, &enrol_actor_cli, id, eff, &r, field, sizeof(field))) != ERR_OK) {
            return fail(sub, e, field);
        }
        print_json(json_pack("{sIsisI}", "refund_fen", (json_int_t)r.refund_fen,
                             "unexpired_months", (int)r.unexpired_months, "journal_entry_id",
                             (json_int_t)r.journal_entry_id));
        return 0;
    }
    fprintf(stderr, "huzhu enrol: unknown subcommand '%s' (see huzhu enrol --help)\n", sub);
    return 2;
}

int cmd_enrol(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(enrol_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct opts o;
    memset(&o, 0, sizeof(o));
    bool help;
    const struct arg_opt opts[] = {
        {"db", false, &o.db, NULL},           {"employer", false, &o.employer, NULL},
        {"member", false, &o.member, NULL},   {"members", false, &o.members, NULL},
        {"plan", false, &o.plan, NULL},       {"version", false, &o.version, NULL},
        {"start", false, &o.start, NULL},     {"shares", false, &o.shares, NULL},
        {"due", false, &o.due, NULL},         {"funding", false, &o.funding, NULL},
        {"donor", false, &o.donor, NULL},     {"batch", false, &o.batch, NULL},
        {"invoice", false, &o.invoice, NULL}, {"amount", false, &o.amount, NULL},
        {"ref", false, &o.ref, NULL},         {"on", false, &o.on, NULL},
        {"method", false, &o.method, NULL},   {"payer", false, &o.payer, NULL},
        {"as-of", false, &o.as_of, NULL},     {"days", false, &o.days, NULL},
        {"enrolment", false, &o.enrolment, NULL},
        {"effective", false, &o.effective, NULL},
        {"commit", true, NULL, &o.commit},
    };
    if (args_parse("enrol", argc - 1, argv + 1, opts, (int)(sizeof(opts) / sizeof(opts[0])), NULL,
                   0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(enrol_help, stdout);
        return 0;
    }
    if (o.db == NULL) {
        fprintf(stderr, "huzhu enrol %s: --db is required\n", argv[1]);
        return 2;
    }
    struct store *s;
    if (cli_open_store("enrol", o.db, 1, false, &s) != 0) {
        return 1;
    }
    struct store_conn *c;
    int rc;
    if (store_acquire(s, &c) != ERR_OK) {
        fprintf(stderr, "huzhu enrol: cannot connect\n");
        rc = 1;
    } else {
        rc = run(c, argv[1], &o);
        store_release(c);
    }
    store_close(s);
    return rc;
}
