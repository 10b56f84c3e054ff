/*
 * payout: batches of claim payments, their bank files and results, and
 * bank statement reconciliation (see payout.h for the life of a batch).
 *
 * Invariants: one state change = one transaction with its audit event; an
 * item is paid in the ledger (2241 -> 1002) only when the bank's result
 * says so, and returned (1002 <- 2241) only when it had been paid; every
 * file import is all or nothing. Full account numbers exist in the clear
 * only while a bank file is built: the CSV in a memory stream, the XLSX in
 * a 0600 file of a private 0700 directory unlinked before returning; the
 * caller wipes the bytes it gets.
 */
#include "domain/payout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/limits.h"
#include "core/money.h"
#include "core/utf8.h"
#include "domain/audit.h"
#include "domain/fieldcrypt.h"
#include "domain/ledger.h"

#define NUM_TEXT 24        /* an int64 in decimal with sign and NUL */
#define ACCOUNT_PLAIN_MAX 64 /* an unsealed bank card (19 digits) with room */

static void set_field(char *buf, size_t cap, const char *field)
{
    if (buf != NULL && cap > 0) {
        snprintf(buf, cap, "%s", field);
    }
}

static void fmt_i64(char *buf, int64_t v)
{
    snprintf(buf, NUM_TEXT, "%" PRId64, v);
}

/* A finance user with an organisation: the only one who moves batches. */
static bool is_operator(const struct auth_user *a)
{
    return a->role == AUTH_ROLE_FINANCE && a->id > 0 && a->org_path[0] == '/';
}

static bool is_reader(const struct auth_user *a)
{
    return a->role == AUTH_ROLE_FINANCE || a->role == AUTH_ROLE_AUDITOR ||
           a->role == AUTH_ROLE_ADMIN;
}

/* The command line's admin ("/") reads everything. */
static bool in_scope(const struct auth_user *a, const char *path)
{
    if (a->id == 0 && a->role == AUTH_ROLE_ADMIN && strcmp(a->org_path, "/") == 0) {
        return true;
    }
    return auth_org_in_scope(a, path);
}

static const char *scope_path(const struct auth_user *a)
{
    return a->org_path[0] == '/' ? a->org_path : "/-none-/";
}

static enum err audit_batch(struct store_conn *c, const struct claims_ctx *ctx,
                            const struct auth_user *actor, const char *action, int64_t id,
                            const char *const *pairs, size_t npairs)
{
    char detail[1024], oid[NUM_TEXT];
    enum err e = audit_detail_pairs(pairs, npairs, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    fmt_i64(oid, id);
    struct audit_event ev = {.at_ms = ctx->now_ms, .action = action,
                             .object_type = "payout_batch", .object_id = oid, .detail = detail};
    auth_actor_of(actor, ctx->request_id, &ev.actor);
    return audit_append(c, &ev, NULL);
}

static bool date_ok(const char *s, char out[DATE_TEXT_LEN + 1])
{
    struct date d;
    if (s == NULL || date_parse(s, strlen(s), &d) != ERR_OK) {
        return false;
    }
    date_format(d, out);
    return true;
}

/* Loads a batch the actor may see (readers: any of finance, auditor,
 * admin; the caller checks the role for changes). */
static enum err batch_load(struct store_conn *c, const struct auth_user *actor, int64_t id,
                           struct store_payout_batch *b)
{
    if (!is_reader(actor)) {
        return ERR_FORBIDDEN;
    }
    enum err e = store_payout_batch_get(c, id, b);
    if (e != ERR_OK) {
        return e;
    }
    return in_scope(actor, b->org_path) ? ERR_OK : ERR_NOT_FOUND;
}

/* ------------------------------------------------------------ create */

struct create_job {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    const struct payout_create_in *in;
    char pay_date[DATE_TEXT_LEN + 1];
    size_t max_items;
    struct payout_create_result *out;
    char *err_field;
    size_t err_cap;
    /* collected candidates */
    struct store_payout_item *items;
    size_t n;
    int64_t skipped;
};

static enum err take_candidate(void *p, const struct store_payout_candidate *cand)
{
    struct create_job *j = p;
    if (j->n == j->max_items) {
        return ERR_EOF; /* enough: stop reading */
    }
    if (cand->account_enc == NULL || cand->account_enc_len == 0 ||
        cand->account_enc_len > STORE_PAYOUT_SEALED_MAX || cand->amount_fen <= 0) {
        j->skipped++;
        return ERR_OK;
    }
    struct store_payout_item *it = &j->items[j->n++];
    memset(it, 0, sizeof(*it));
    it->claim_id = cand->claim_id;
    it->member_id = cand->member_id;
    snprintf(it->payee_name, sizeof(it->payee_name), "%s", cand->payee_name);
    memcpy(it->account_enc, cand->account_enc, cand->account_enc_len);
    it->account_enc_len = cand->account_enc_len;
    snprintf(it->account_mask, sizeof(it->account_mask), "%s", cand->account_mask);
    it->amount_fen = cand->amount_fen;
    snprintf(it->reference, sizeof(it->reference), "%" PRId64, cand->claim_id);
    return ERR_OK;
}

static enum err create_tx(struct store_conn *c, void *p)
{
    struct create_job *j = p;
    j->n = 0;
    j->skipped = 0;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    int64_t fund_id, threshold;
    if ((e = store_payout_fund(c, j->in->fund, &fund_id, &threshold)) != ERR_OK) {
        set_field(j->err_field, j->err_cap, e == ERR_NOT_FOUND ? "fund" : "");
        return e;
    }
    /* read past max_items only to count skipped ones until the page is full */
    e = store_payout_candidates(c, fund_id, j->actor->org_path, j->max_items + 1000,
                                take_candidate, j);
    if (e != ERR_OK && e != ERR_EOF) {
        return e;
    }
    if (j->n == 0) {
        set_field(j->err_field, j->err_cap, "fund");
        return ERR_CONFLICT;
    }
    int64_t total = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (money_add(total, j->items[i].amount_fen, &total) != ERR_OK) {
            return ERR_OVERFLOW;
        }
    }
    struct store_payout_batch b;
    memset(&b, 0, sizeof(b));
    b.fund_id = fund_id;
    b.org_id = j->actor->org_id;
    b.needs_approval = total > threshold;
    snprintf(b.status, sizeof(b.status), "%s", b.needs_approval ? "pending_approval" : "approved");
    memcpy(b.pay_date, j->pay_date, sizeof(b.pay_date));
    b.item_count = (int64_t)j->n;
    b.total_fen = total;
    b.created_by = j->actor->id;
    b.created_ms = j->ctx->now_ms;
    int64_t id;
    if ((e = store_payout_batch_insert(c, &b, &id)) != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < j->n; i++) {
        int64_t item_id;
        j->items[i].batch_id = id;
        j->items[i].fund_id = fund_id;
        j->items[i].updated_ms = j->ctx->now_ms;
        e = store_payout_item_insert(c, &j->items[i], &item_id);
        if (e == ERR_EXISTS) {
            return ERR_RETRY; /* a concurrent batch took the claim: collect again */
        }
        if (e != ERR_OK) {
            return e;
        }
    }
    char items[NUM_TEXT], amount[NUM_TEXT], skipped[NUM_TEXT];
    fmt_i64(items, b.item_count);
    fmt_i64(amount, total);
    fmt_i64(skipped, j->skipped);
    const char *pairs[] = {"fund", j->in->fund, "items", items, "needs_approval",
                           b.needs_approval ? "true" : "false", "skipped_no_account", skipped,
                           "total_fen", amount};
    if ((e = audit_batch(c, j->ctx, j->actor, "payout.batch_create", id, pairs, 5)) != ERR_OK) {
        return e;
    }
    *j->out = (struct payout_create_result){.batch_id = id, .items = b.item_count,
                                            .total_fen = total,
                                            .needs_approval = b.needs_approval,
                                            .skipped_no_account = j->skipped};
    return ERR_OK;
}

enum err payout_batch_create(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, const struct payout_create_in *in,
                             struct payout_create_result *out, char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    memset(out, 0, sizeof(*out));
    if (!is_operator(actor)) {
        return ERR_FORBIDDEN;
    }
    if (in->fund == NULL || in->fund[0] == '\0' || strlen(in->fund) > 32) {
        set_field(err_field, err_cap, "fund");
        return ERR_INVALID;
    }
    struct create_job j = {.ctx = ctx, .actor = actor, .in = in, .out = out,
                           .err_field = err_field, .err_cap = err_cap};
    if (in->pay_date == NULL) {
        date_format(ctx->today, j.pay_date);
    } else if (!date_ok(in->pay_date, j.pay_date)) {
        set_field(err_field, err_cap, "pay_date");
        return ERR_INVALID_DATE;
    }
    if (in->max_items > PAYOUT_ITEMS_MAX) {
        set_field(err_field, err_cap, "max_items");
        return ERR_INVALID;
    }
    j.max_items = in->max_items == 0 ? PAYOUT_ITEMS_MAX : in->max_items;
    j.items = calloc(j.max_items, sizeof(*j.items));
    if (j.items == NULL) {
        return ERR_NOMEM;
    }
    enum err e = store_with_tx(c, create_tx, &j);
    sodium_memzero(j.items, j.max_items * sizeof(*j.items));
    free(j.items);
    return e;
}

/* ------------------------------------------------------------ decide */

struct decide_job {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t id;
    const char *reason; /* NULL: approve */
};

static enum err decide_tx(struct store_conn *c, void *p)
{
    struct decide_job *j = p;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    struct store_payout_batch b;
    if ((e = batch_load(c, j->actor, j->id, &b)) != ERR_OK) {
        return e;
    }
    if (strcmp(b.status, "pending_approval") != 0) {
        return ERR_CONFLICT;
    }
    if (b.created_by == j->actor->id) {
        return ERR_SAME_USER;
    }
    const char *to = j->reason == NULL ? "approved" : "refused";
    e = store_payout_batch_set_status(c, j->id, "pending_approval", to, j->actor->id,
                                      j->ctx->now_ms, j->reason);
    if (e == ERR_OK && j->reason != NULL) {
        e = store_payout_items_cancel(c, j->id, j->ctx->now_ms);
    }
    if (e != ERR_OK) {
        return e;
    }
    char amount[NUM_TEXT], items[NUM_TEXT];
    fmt_i64(amount, b.total_fen);
    fmt_i64(items, b.item_count);
    if (j->reason == NULL) {
        const char *pairs[] = {"fund", b.fund_code, "items", items, "total_fen", amount};
        return audit_batch(c, j->ctx, j->actor, "payout.batch_approve", j->id, pairs, 3);
    }
    const char *pairs[] = {"fund", b.fund_code, "items", items, "reason", j->reason,
                           "total_fen", amount};
    return audit_batch(c, j->ctx, j->actor, "payout.batch_refuse", j->id, pairs, 4);
}

enum err payout_batch_approve(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t id)
{
    if (!is_operator(actor)) {
        return ERR_FORBIDDEN;
    }
    struct decide_job j = {ctx, actor, id, NULL};
    return store_with_tx(c, decide_tx, &j);
}

static bool reason_ok(const char *s)
{
    size_t len = s != NULL ? strnlen(s, PAYOUT_REASON_MAX + 1) : 0;
    return len >= 1 && len <= PAYOUT_REASON_MAX && utf8_is_valid(s, len);
}

enum err payout_batch_refuse(struct store_conn *c, const struct claims_ctx *ctx,
                             const struct auth_user *actor, int64_t id, const char *reason,
                             char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (!is_operator(actor)) {
        return ERR_FORBIDDEN;
    }
    if (!reason_ok(reason)) {
        set_field(err_field, err_cap, "reason");
        return ERR_INVALID;
    }
    struct decide_job j = {ctx, actor, id, reason};
    enum err e = store_with_tx(c, decide_tx, &j);
    if (e == ERR_INVALID || e == ERR_TOO_LARGE) {
        set_field(err_field, err_cap, "reason"); /* the audit refused it (a card number?) */
    }
    return e;
}

/* ------------------------------------------------------------ reads */

enum err payout_batch_get(struct store_conn *c, const struct auth_user *actor, int64_t id,
                          struct store_payout_batch *out)
{
    return batch_load(c, actor, id, out);
}

struct items_walk {
    enum err (*fn)(void *ctx, const struct store_payout_item *it);
    void *ctx;
};

static enum err item_masked(void *p, const struct store_payout_item *it)
{
    struct items_walk *w = p;
    struct store_payout_item copy = *it;
    memset(copy.account_enc, 0, sizeof(copy.account_enc));
    copy.account_enc_len = 0;
    return w->fn(w->ctx, &copy);
}

enum err payout_batch_items(struct store_conn *c, const struct auth_user *actor, int64_t id,
                            enum err (*fn)(void *ctx, const struct store_payout_item *it),
                            void *ctx)
{
    struct store_payout_batch b;
    enum err e = batch_load(c, actor, id, &b);
    if (e != ERR_OK) {
        return e;
    }
    struct items_walk w = {fn, ctx};
    return store_payout_item_each(c, id, item_masked, &w);
}

static bool status_known(const char *s)
{
    static const char *const names[] = {"pending_approval", "approved", "refused", "exported",
                                        "completed"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

enum err payout_batch_list(struct store_conn *c, const struct auth_user *actor,
                           const char *status, int64_t before_id, size_t limit,
                           enum err (*fn)(void *ctx, const struct store_payout_batch *b),
                           void *ctx, char *err_field, size_t err_cap)
{
    set_field(err_field, err_cap, "");
    if (!is_reader(actor)) {
        return ERR_FORBIDDEN;
    }
    if (status != NULL && !status_known(status)) {
        set_field(err_field, err_cap, "status");
        return ERR_INVALID;
    }
    if (limit == 0 || limit > LIMIT_PAGE_MAX) {
        set_field(err_field, err_cap, "limit");
        return ERR_INVALID;
    }
    return store_payout_batch_each(c, scope_path(actor), status, before_id, limit, fn, ctx);
}

/* ------------------------------------------------------------ the bank file */

struct bank_row {
    char account[ACCOUNT_PLAIN_MAX];
    char name[STORE_PAYOUT_NAME_MAX + 1];
    char amount[32]; /* yuan, two decimals */
    char reference[STORE_PAYOUT_REF_MAX + 1];
};

struct export_job {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t id;
    enum payout_format fmt;
    struct bank_row *rows; /* item_count of them (malloc'd) */
    size_t n, cap;
    enum err item_err;
};

static enum err export_item(void *p, const struct store_payout_item *it)
{
    struct export_job *j = p;
    if (strcmp(it->status, "cancelled") == 0 || strcmp(it->status, "failed") == 0) {
        return ERR_OK; /* not to be paid in this batch */
    }
    if (j->n == j->cap) {
        return ERR_INTERNAL;
    }
    struct bank_row *r = &j->rows[j->n];
    size_t len = 0;
    enum err e = fieldcrypt_unseal(j->ctx->fc, it->account_enc, it->account_enc_len, r->account,
                                   sizeof(r->account), &len);
    if (e != ERR_OK) {
        j->item_err = e;
        return ERR_INTERNAL; /* sealed under another key, or tampered with */
    }
    snprintf(r->name, sizeof(r->name), "%s", it->payee_name);
    money_format(it->amount_fen, 0, r->amount, sizeof(r->amount));
    snprintf(r->reference, sizeof(r->reference), "%s", it->reference);
    j->n++;
    return ERR_OK;
}

static enum err export_tx(struct store_conn *c, void *p)
{
    struct export_job *j = p;
    j->n = 0;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    struct store_payout_batch b;
    if ((e = batch_load(c, j->actor, j->id, &b)) != ERR_OK) {
        return e;
    }
    if (!is_operator(j->actor)) {
        return ERR_FORBIDDEN;
    }
    bool first = strcmp(b.status, "approved") == 0;
    if (!first && strcmp(b.status, "exported") != 0 && strcmp(b.status, "completed") != 0) {
        return ERR_CONFLICT; /* pending approval, or refused */
    }
    if (j->rows == NULL) {
        j->cap = (size_t)b.item_count;
        j->rows = calloc(j->cap, sizeof(*j->rows));
        if (j->rows == NULL) {
            return ERR_NOMEM;
        }
    }
    if ((e = store_payout_item_each(c, j->id, export_item, j)) != ERR_OK) {
        return e;
    }
    e = store_payout_batch_set_status(c, j->id, b.status, first ? "exported" : b.status, 0,
                                      j->ctx->now_ms, NULL);
    if (e != ERR_OK) {
        return e;
    }
    char rows[NUM_TEXT], amount[NUM_TEXT];
    fmt_i64(rows, (int64_t)j->n);
    fmt_i64(amount, b.total_fen);
    /* the file names every payee's full account number: a reveal */
    const char *pairs[] = {"format", j->fmt == PAYOUT_CSV ? "csv" : "xlsx", "fund", b.fund_code,
                           "revealed_accounts", rows, "total_fen", amount};
    return audit_batch(c, j->ctx, j->actor, "payout.bank_file_export", j->id, pairs, 4);
}

static const char *const bank_header[] = {"account", "name", "amount", "reference"};

static enum err csv_build(const struct bank_row *rows, size_t n, unsigned char **out,
                          size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return ERR_NOMEM;
    }
    csv_write_bom(f);
    struct csv_field fields[4];
    for (size_t k = 0; k < 4; k++) {
        fields[k] = (struct csv_field){bank_header[k], strlen(bank_header[k])};
    }
    csv_write_row(f, fields, 4);
    for (size_t i = 0; i < n; i++) {
        const char *v[4] = {rows[i].account, rows[i].name, rows[i].amount, rows[i].reference};
        for (size_t k = 0; k < 4; k++) {
            fields[k] = (struct csv_field){v[k], strlen(v[k])};
        }
        csv_write_row(f, fields, 4);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        if (buf != NULL) {
            sodium_memzero(buf, len);
        }
        free(buf);
        return ERR_IO;
    }
    *out = (unsigned char *)buf;
    *out_len = len;
    return ERR_OK;
}

static enum err xlsx_write(const struct bank_row *rows, size_t n, const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) {
        return ERR_IO;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "payments");
    lxw_format *text = workbook_add_format(wb);
    lxw_format *bold = workbook_add_format(wb);
    if (ws == NULL || text == NULL || bold == NULL) {
        workbook_close(wb);
        return ERR_IO;
    }
    /* text cells: a 19-digit card as a number would become 6.22E+18, and an
     * amount is exact text, never a float */
    format_set_num_format(text, "@");
    format_set_bold(bold);
    lxw_error le = LXW_NO_ERROR;
    for (lxw_col_t k = 0; k < 4 && le == LXW_NO_ERROR; k++) {
        le = worksheet_write_string(ws, 0, k, bank_header[k], bold);
    }
    for (size_t i = 0; i < n && le == LXW_NO_ERROR; i++) {
        lxw_row_t r = (lxw_row_t)(i + 1);
        const char *v[4] = {rows[i].account, rows[i].name, rows[i].amount, rows[i].reference};
        for (lxw_col_t k = 0; k < 4 && le == LXW_NO_ERROR; k++) {
            le = worksheet_write_string(ws, r, k, v[k], text);
        }
    }
    lxw_error closed = workbook_close(wb);
    return le == LXW_NO_ERROR && closed == LXW_NO_ERROR ? ERR_OK : ERR_IO;
}

/* Reads path whole into a malloc'd buffer. */
static enum err file_slurp(const char *path, unsigned char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > LIMIT_UPLOAD_BYTES) {
        fclose(f);
        return ERR_IO;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size);
    if (buf == NULL) {
        fclose(f);
        return ERR_NOMEM;
    }
    size_t got = fread(buf, 1, size, f);
    fclose(f);
    if (got != size) {
        free(buf);
        return ERR_IO;
    }
    *out = buf;
    *out_len = size;
    return ERR_OK;
}

static enum err xlsx_build(const struct bank_row *rows, size_t n, unsigned char **out,
                           size_t *out_len)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/huzhu-payout.XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) { /* mode 0700: the file inside holds account numbers */
        return ERR_IO;
    }
    snprintf(path, sizeof(path), "%s/bank.xlsx", dir);
    mode_t old = umask(077);
    enum err e = xlsx_write(rows, n, path);
    umask(old);
    if (e == ERR_OK) {
        e = file_slurp(path, out, out_len);
    }
    unlink(path);
    rmdir(dir);
    return e;
}

enum err payout_bank_file(struct store_conn *c, const struct claims_ctx *ctx,
                          const struct auth_user *actor, int64_t id, enum payout_format fmt,
                          unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!is_operator(actor)) {
        return ERR_FORBIDDEN;
    }
    if (ctx->fc == NULL) {
        return ERR_INTERNAL; /* no key file: the accounts cannot be read */
    }
    struct export_job j = {.ctx = ctx, .actor = actor, .id = id, .fmt = fmt};
    enum err e = store_with_tx(c, export_tx, &j);
    if (e == ERR_OK) {
        e = fmt == PAYOUT_CSV ? csv_build(j.rows, j.n, out, out_len)
                              : xlsx_build(j.rows, j.n, out, out_len);
    }
    if (j.rows != NULL) {
        sodium_memzero(j.rows, j.cap * sizeof(*j.rows));
        free(j.rows);
    }
    return e;
}

/* ------------------------------------------------------------ files in */

static void row_error(struct payout_row_errors *errs, uint64_t row, const char *field,
                      enum err code, const char *message)
{
    errs->total++;
    if (errs->n == errs->cap) {
        return;
    }
    struct payout_row_error *r = &errs->v[errs->n++];
    r->row = row;
    snprintf(r->field, sizeof(r->field), "%s", field);
    r->code = code;
    snprintf(r->message, sizeof(r->message), "%s", message);
}

/* Trims spaces and tabs around a field into a NUL-terminated copy; false
 * when it does not fit. */
static bool field_text(const struct csv_row *row, int idx, char *buf, size_t cap)
{
    const char *p = "";
    size_t len = 0;
    if (idx >= 0 && (size_t)idx < row->count) {
        p = row->fields[idx].ptr;
        len = row->fields[idx].len;
    }
    while (len > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }
    if (len >= cap) {
        return false;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    return true;
}

/* Opens a CSV upload and maps its header; a file-level problem becomes a
 * row-0 (or row-1) error. */
static enum err csv_start(const char *csv, size_t len, const struct csv_column *cols,
                          size_t ncols, int *idx, struct csv_reader **out,
                          struct payout_row_errors *errs)
{
    *out = NULL;
    if (csv == NULL || len == 0) {
        row_error(errs, 0, "", ERR_MISSING_COLUMN, "the file is empty");
        return ERR_INVALID;
    }
    struct csv_reader *r;
    enum err e = csv_open_mem(csv, len, &r);
    if (e != ERR_OK) {
        row_error(errs, 0, "", e, "the file cannot be read as CSV (UTF-8 or GB18030)");
        return e == ERR_NOMEM ? e : ERR_INVALID;
    }
    struct csv_row header;
    e = csv_next(r, &header);
    const char *bad = NULL;
    if (e == ERR_OK) {
        e = csv_map_header(&header, cols, ncols, idx, &bad);
    }
    if (e != ERR_OK) {
        row_error(errs, 1, bad != NULL ? bad : "", e == ERR_EOF ? ERR_MISSING_COLUMN : e,
                  e == ERR_INVALID ? "a column is named twice" : "a required column is missing");
        csv_close(r);
        return ERR_INVALID;
    }
    *out = r;
    return ERR_OK;
}

/* ------------------------------------------------------------ results */

enum result_action { ACT_PAY, ACT_FAIL, ACT_RETURN, ACT_NONE };

struct result_row {
    uint64_t row;
    enum result_action act;
    char reason[PAYOUT_REASON_MAX + 1];
    struct store_payout_item item;
};

struct results_job {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t id;
    const char *csv;
    size_t len;
    char date[DATE_TEXT_LEN + 1];
    struct payout_results *out;
    struct payout_row_errors *errs;
    struct result_row *rows; /* up to PAYOUT_ITEMS_MAX */
    size_t n;
};

static bool status_word(const char *s, bool *paid)
{
    static const char *const yes[] = {"paid", "success", "成功", "已支付"};
    static const char *const no[] = {"failed", "fail", "失败", "退票"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *paid = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *paid = false;
            return true;
        }
    }
    return false;
}

static bool reference_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= STORE_PAYOUT_REF_MAX && strspn(s, "0123456789") == n;
}

/* Pass 1: every row parsed and judged against its item; nothing written. */
static enum err results_read(struct store_conn *c, struct results_job *j)
{
    static const char *const ref_names[] = {"参考号", "业务编号", "ref", NULL};
    static const char *const status_names[] = {"状态", "结果", "result", NULL};
    static const char *const reason_names[] = {"原因", "失败原因", "message", NULL};
    static const struct csv_column cols[] = {
        {"reference", ref_names, true},
        {"status", status_names, true},
        {"reason", reason_names, false},
    };
    int idx[3];
    struct csv_reader *r;
    enum err e = csv_start(j->csv, j->len, cols, 3, idx, &r, j->errs);
    if (e != ERR_OK) {
        return e;
    }
    struct csv_row row;
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        uint64_t rn = csv_row_number(r);
        if (e == ERR_NOMEM || e == ERR_IO || e == ERR_INTERNAL) {
            break;
        }
        if (e != ERR_OK) {
            row_error(j->errs, rn, "", e, "the row cannot be read");
            continue;
        }
        if (csv_row_is_blank(&row)) {
            continue;
        }
        j->out->rows++;
        if (j->n == PAYOUT_ITEMS_MAX) {
            row_error(j->errs, rn, "", ERR_TOO_LARGE, "more rows than a batch has items");
            continue;
        }
        struct result_row *x = &j->rows[j->n];
        memset(x, 0, sizeof(*x));
        x->row = rn;
        char ref[STORE_PAYOUT_REF_MAX + 2], status[32];
        if (!field_text(&row, idx[0], ref, sizeof(ref)) || !reference_ok(ref)) {
            row_error(j->errs, rn, "reference", ERR_INVALID, "not a reference of this batch");
            continue;
        }
        bool paid = false;
        if (!field_text(&row, idx[1], status, sizeof(status)) || !status_word(status, &paid)) {
            row_error(j->errs, rn, "status", ERR_INVALID, "must be paid or failed");
            continue;
        }
        if (!field_text(&row, idx[2], x->reason, sizeof(x->reason)) ||
            !utf8_is_valid(x->reason, strlen(x->reason))) {
            row_error(j->errs, rn, "reason", ERR_INVALID, "at most 500 bytes");
            continue;
        }
        if (!paid && x->reason[0] == '\0') {
            row_error(j->errs, rn, "reason", ERR_MISSING_FIELD, "a failed payment needs a reason");
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < j->n && !dup; k++) {
            dup = strcmp(j->rows[k].item.reference, ref) == 0;
        }
        if (dup) {
            row_error(j->errs, rn, "reference", ERR_DUPLICATE_IN_FILE, "reference given twice");
            continue;
        }
        e = store_payout_item_by_ref(c, j->id, ref, &x->item);
        if (e == ERR_NOT_FOUND) {
            row_error(j->errs, rn, "reference", ERR_NOT_FOUND, "no item of this batch has it");
            continue;
        }
        if (e != ERR_OK) {
            break;
        }
        const char *st = x->item.status;
        if (strcmp(st, "open") == 0) {
            x->act = paid ? ACT_PAY : ACT_FAIL;
        } else if (strcmp(st, "paid") == 0) {
            x->act = paid ? ACT_NONE : ACT_RETURN;
        } else if (strcmp(st, "failed") == 0 && !paid) {
            x->act = ACT_NONE;
        } else {
            row_error(j->errs, rn, "status", ERR_CONFLICT,
                      strcmp(st, "failed") == 0 ? "the item failed: pay it again in a new batch"
                                                : "the item was cancelled");
            continue;
        }
        j->n++;
    }
    csv_close(r);
    if (e != ERR_OK && e != ERR_EOF) {
        return e;
    }
    return j->errs->total > 0 ? ERR_INVALID : ERR_OK;
}

static bool err_is_fatal(enum err e)
{
    return e == ERR_DB || e == ERR_DB_BUSY || e == ERR_RETRY || e == ERR_NOMEM || e == ERR_IO ||
           e == ERR_INTERNAL || e == ERR_TIMEOUT;
}

/* Posts the ledger entry of an item: PAYOUT (2241 -> 1002) or, for a
 * return, PAYOUT_FAILED (1002 <- 2241). */
static enum err post_item(struct store_conn *c, const struct results_job *j,
                          const struct store_payout_batch *b, const struct result_row *x,
                          bool returned, int64_t *entry_id)
{
    struct audit_actor aa;
    auth_actor_of(j->actor, j->ctx->request_id, &aa);
    char key[96], source[64];
    snprintf(key, sizeof(key), "payout:%" PRId64 ":%" PRId64 ":%s", b->id, x->item.claim_id,
             returned ? "returned" : "paid");
    snprintf(source, sizeof(source), "%" PRId64 "/%s", b->id, x->item.reference);
    struct ledger_money_in m = {b->fund_code, j->date, x->item.amount_fen, source, NULL, key,
                                NULL, NULL};
    struct ledger_line_in lines[2];
    struct ledger_entry_in in;
    ledger_entry_of_kind(returned ? LEDGER_KIND_PAYOUT_FAILED : LEDGER_KIND_PAYOUT, &m, lines,
                         &in);
    struct ledger_result lr;
    /* the batch's checker approved this payment; a return undoes one */
    enum err e = ledger_post_checked_in_tx(c, &aa, &in, b->created_by, b->decided_by, &lr);
    if (e == ERR_OK && lr.outcome != LEDGER_POSTED) {
        e = ERR_CONFLICT; /* the fund's threshold fell below an approved batch's item */
    }
    *entry_id = lr.entry_id;
    return e;
}

static enum err apply_row(struct store_conn *c, struct results_job *j,
                          const struct store_payout_batch *b, struct result_row *x)
{
    struct store_payout_item it = x->item;
    it.updated_ms = j->ctx->now_ms;
    struct date on;
    enum err e = date_parse(j->date, strlen(j->date), &on);
    if (e != ERR_OK) {
        return e;
    }
    switch (x->act) {
    case ACT_PAY:
        if ((e = post_item(c, j, b, x, false, &it.entry_id)) != ERR_OK) {
            return e;
        }
        e = claims_payout_paid_in_tx(c, j->ctx, j->actor, it.claim_id, b->fund_code, it.entry_id,
                                     it.amount_fen, on);
        snprintf(it.status, sizeof(it.status), "paid");
        j->out->paid++;
        j->out->paid_fen += it.amount_fen;
        break;
    case ACT_FAIL:
        e = claims_payout_failed_in_tx(c, j->ctx, j->actor, it.claim_id, b->fund_code, false,
                                       it.amount_fen, x->reason);
        snprintf(it.status, sizeof(it.status), "failed");
        snprintf(it.reason, sizeof(it.reason), "%s", x->reason);
        j->out->failed++;
        break;
    case ACT_RETURN:
        if ((e = post_item(c, j, b, x, true, &it.return_entry_id)) != ERR_OK) {
            return e;
        }
        e = claims_payout_failed_in_tx(c, j->ctx, j->actor, it.claim_id, b->fund_code, true,
                                       it.amount_fen, x->reason);
        snprintf(it.status, sizeof(it.status), "failed");
        snprintf(it.reason, sizeof(it.reason), "%s", x->reason);
        j->out->returned++;
        j->out->returned_fen += it.amount_fen;
        break;
    case ACT_NONE:
        j->out->unchanged++;
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    return store_payout_item_update(c, &it, x->item.status);
}

static enum err results_tx(struct store_conn *c, void *p)
{
    struct results_job *j = p;
    struct payout_results *out = j->out;
    memset(out, 0, sizeof(*out));
    j->errs->n = j->errs->total = 0;
    j->n = 0;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    struct store_payout_batch b;
    if ((e = batch_load(c, j->actor, j->id, &b)) != ERR_OK) {
        return e;
    }
    if (!is_operator(j->actor)) {
        return ERR_FORBIDDEN;
    }
    if (strcmp(b.status, "exported") != 0 && strcmp(b.status, "completed") != 0) {
        return ERR_CONFLICT; /* the bank has no file of this batch yet */
    }
    if ((e = results_read(c, j)) != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < j->n; i++) {
        e = apply_row(c, j, &b, &j->rows[i]);
        if (e != ERR_OK) {
            if (!err_is_fatal(e)) {
                row_error(j->errs, j->rows[i].row, "reference", e,
                          e == ERR_PERIOD_CLOSED    ? "the value date is in a closed period"
                          : e == ERR_LIMIT_EXCEEDED ? "the fund's bank balance would go below zero"
                          : e == ERR_CLAIM_STATE    ? "the claim is no longer payable"
                                                    : "the payment cannot be recorded");
                e = ERR_INVALID;
            }
            return e; /* roll back everything */
        }
    }
    struct store_payout_batch after;
    if ((e = store_payout_batch_get(c, j->id, &after)) != ERR_OK) {
        return e;
    }
    out->completed = after.open_count == 0;
    if (out->completed && strcmp(b.status, "exported") == 0) {
        e = store_payout_batch_set_status(c, j->id, "exported", "completed", 0, j->ctx->now_ms,
                                          NULL);
        if (e != ERR_OK) {
            return e;
        }
    }
    char paid[NUM_TEXT], failed[NUM_TEXT], returned[NUM_TEXT], same[NUM_TEXT];
    fmt_i64(paid, out->paid);
    fmt_i64(failed, out->failed);
    fmt_i64(returned, out->returned);
    fmt_i64(same, out->unchanged);
    const char *pairs[] = {"failed", failed, "paid", paid, "returned", returned,
                           "unchanged", same};
    return audit_batch(c, j->ctx, j->actor, "payout.results_import", j->id, pairs, 4);
}

enum err payout_results_import(struct store_conn *c, const struct claims_ctx *ctx,
                               const struct auth_user *actor, int64_t id, const char *csv,
                               size_t len, const char *value_date, struct payout_results *out,
                               struct payout_row_errors *errs)
{
    memset(out, 0, sizeof(*out));
    errs->n = errs->total = 0;
    if (!is_operator(actor)) {
        return ERR_FORBIDDEN;
    }
    struct results_job j = {.ctx = ctx, .actor = actor, .id = id, .csv = csv, .len = len,
                            .out = out, .errs = errs};
    if (value_date == NULL) {
        date_format(ctx->today, j.date);
    } else if (!date_ok(value_date, j.date)) {
        return ERR_INVALID_DATE;
    }
    j.rows = calloc(PAYOUT_ITEMS_MAX, sizeof(*j.rows));
    if (j.rows == NULL) {
        return ERR_NOMEM;
    }
    enum err e = store_with_tx(c, results_tx, &j);
    free(j.rows);
    return e;
}

/* ------------------------------------------------------------ reconciliation */

struct statement_line {
    uint64_t row;
    char date[DATE_TEXT_LEN + 1];
    int64_t amount_fen;
    char reference[PAYOUT_BANK_REF_MAX + 1];
    bool in;
};

static bool direction_word(const char *s, bool *in)
{
    static const char *const ins[] = {"in", "credit", "收", "收入", "贷"};
    static const char *const outs[] = {"out", "debit", "付", "支出", "借"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(s, ins[i]) == 0) {
            *in = true;
            return true;
        }
        if (strcasecmp(s, outs[i]) == 0) {
            *in = false;
            return true;
        }
    }
    return false;
}

static bool bank_ref_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PAYOUT_BANK_REF_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

static enum err statement_read(const char *csv, size_t len, struct statement_line *lines,
                               size_t *n, struct payout_row_errors *errs)
{
    static const char *const date_names[] = {"日期", "交易日期", NULL};
    static const char *const amount_names[] = {"金额", "交易金额", NULL};
    static const char *const ref_names[] = {"参考号", "业务编号", "摘要", NULL};
    static const char *const dir_names[] = {"方向", "收支", "借贷", NULL};
    static const struct csv_column cols[] = {
        {"date", date_names, true},
        {"amount", amount_names, true},
        {"reference", ref_names, true},
        {"direction", dir_names, true},
    };
    int idx[4];
    struct csv_reader *r;
    enum err e = csv_start(csv, len, cols, 4, idx, &r, errs);
    if (e != ERR_OK) {
        return e;
    }
    struct csv_row row;
    *n = 0;
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        uint64_t rn = csv_row_number(r);
        if (e == ERR_NOMEM || e == ERR_IO || e == ERR_INTERNAL) {
            break;
        }
        if (e != ERR_OK) {
            row_error(errs, rn, "", e, "the row cannot be read");
            continue;
        }
        if (csv_row_is_blank(&row)) {
            continue;
        }
        if (*n == PAYOUT_STATEMENT_ROWS_MAX) {
            row_error(errs, rn, "", ERR_TOO_LARGE, "a statement has at most 10000 lines");
            break;
        }
        struct statement_line *l = &lines[*n];
        memset(l, 0, sizeof(*l));
        l->row = rn;
        char date[16], amount[40], dir[16];
        struct date d;
        if (!field_text(&row, idx[0], date, sizeof(date)) ||
            date_parse(date, strlen(date), &d) != ERR_OK) {
            row_error(errs, rn, "date", ERR_INVALID_DATE, "must be a date like 2026-11-29");
            continue;
        }
        date_format(d, l->date);
        if (!field_text(&row, idx[1], amount, sizeof(amount)) ||
            money_parse(amount, strlen(amount), &l->amount_fen) != ERR_OK || l->amount_fen <= 0) {
            row_error(errs, rn, "amount", ERR_INVALID_MONEY, "must be a positive amount in yuan");
            continue;
        }
        if (!field_text(&row, idx[2], l->reference, sizeof(l->reference)) ||
            !bank_ref_ok(l->reference)) {
            row_error(errs, rn, "reference", ERR_INVALID, "1..64 printable ASCII characters");
            continue;
        }
        if (!field_text(&row, idx[3], dir, sizeof(dir)) || !direction_word(dir, &l->in)) {
            row_error(errs, rn, "direction", ERR_INVALID, "must be in or out");
            continue;
        }
        (*n)++;
    }
    csv_close(r);
    if (e != ERR_OK && e != ERR_EOF) {
        return e;
    }
    return errs->total > 0 ? ERR_INVALID : ERR_OK;
}

enum err payout_reconcile(struct store_conn *c, const struct auth_user *actor, const char *csv,
                          size_t len,
                          enum err (*fn)(void *ctx, const struct payout_statement_line *l),
                          void *fn_ctx, struct payout_row_errors *errs)
{
    errs->n = errs->total = 0;
    if (!is_reader(actor)) {
        return ERR_FORBIDDEN;
    }
    struct statement_line *lines = calloc(PAYOUT_STATEMENT_ROWS_MAX, sizeof(*lines));
    if (lines == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    enum err e = statement_read(csv, len, lines, &n, errs);
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        const struct statement_line *s = &lines[i];
        struct payout_statement_line l = {.row = s->row, .amount_fen = s->amount_fen,
                                          .reference = s->reference, .in = s->in};
        memcpy(l.date, s->date, sizeof(l.date));
        bool found = false;
        if (s->in) {
            int64_t amount = 0;
            e = store_payout_receipt_by_ref(c, s->reference, &found, &l.object_id, &amount);
            l.matched = found && amount == s->amount_fen;
            l.kind = "receipt";
            l.reason = l.matched ? NULL : found ? "AMOUNT_DIFFERS" : "NO_SUCH_REFERENCE";
        } else {
            e = store_payout_item_match(c, s->reference, s->amount_fen, scope_path(actor),
                                        &found, &l.object_id, &l.batch_id);
            l.matched = found;
            l.kind = "payout_item";
            l.reason = found ? NULL : "NO_PAID_ITEM";
        }
        if (e == ERR_OK) {
            e = fn(fn_ctx, &l);
        }
    }
    free(lines);
    return e;
}
