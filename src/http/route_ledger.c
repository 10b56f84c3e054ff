/*
 * route_ledger: the fund ledger (互助金账簿) and payout batches over HTTP.
 *
 *   GET  /api/v1/ledger/accounts?fund=            every fund's chart with balances
 *   GET  /api/v1/ledger/balances?fund=&as_of=     balances as of a date (value dates <= it)
 *   GET  /api/v1/ledger/entries?fund=&from=&to=&source=&account=&after=&limit=
 *                                                 entries in id order, keyset by after
 *   GET  /api/v1/ledger/entries/:id               one entry with its lines
 *   POST /api/v1/ledger/entries                   a manual entry {fund, date, idem_key,
 *                                                 lines, memo?, source_id?}: 201 posted,
 *                                                 200 replayed, 202 pending (above the
 *                                                 fund's threshold), 422 FUND_USE_REFUSED...
 *   POST /api/v1/ledger/entries/:id/reverse       {date, idem_key, memo?}: the mirror entry
 *   GET  /api/v1/ledger/pending                   payments waiting for a second finance user
 *   POST /api/v1/ledger/pending/:id/approve       the checker posts it (never the maker:
 *   POST /api/v1/ledger/pending/:id/refuse        422 SECOND_USER_REQUIRED) / {reason}
 *   POST /api/v1/ledger/earn                      {period, fund?}: contributions earned
 *   POST /api/v1/ledger/periods/:period/close?fund=   earn, close, store the report
 *   GET  /api/v1/ledger/reports/:period?fund=     trial balance, income statement, balance
 *                                                 sheet, ratios (the stored one if closed)
 *   GET  /api/v1/ledger/verify                    `huzhu ledger verify` as JSON
 *   POST /api/v1/ledger/bank-statements           a bank statement (text/csv) matched against
 *                                                 receipts and paid payout items; no posting
 *   GET  /api/v1/payout-batches?status=&before=&limit=   batches of the subtree
 *   POST /api/v1/payout-batches                   {fund, pay_date?, max_items?}: 201
 *   GET  /api/v1/payout-batches/:id               the batch with its items (accounts masked)
 *   POST /api/v1/payout-batches/:id/approve       a second finance user / refuse {reason}
 *   GET  /api/v1/payout-batches/:id/bank-file.csv and .xlsx   the bank payment file with the
 *                                                 full account numbers (attachment; audited)
 *   POST /api/v1/payout-batches/:id/results?date= the bank's result file (text/csv)
 *
 * Scope. Funds are scheme-wide: they are held by the top-level organisation
 * (the province) and their entries carry no organisation. So:
 *   - reading the ledger (accounts, balances, entries, pending payments,
 *     verify; reports also for supervisors) is open to finance, auditors
 *     and admins at every level: the figures are the scheme's, and carry no
 *     personal data;
 *   - changing the ledger (manual entries, reversals, pending decisions,
 *     earning, closing) is for finance users of a top-level organisation
 *     (org path '/n/'): 403 for finance users below it;
 *   - payout batches belong to the organisation of the finance user who
 *     made them and collect the payable claims of its subtree; they are
 *     seen (404 outside), approved, exported and settled within the
 *     subtree; auditors and admins read them;
 *   - bank statements: receipts match scheme-wide (the fund's account),
 *     payouts only within the caller's subtree.
 * Handlers decode and call one domain function; rules live in
 * domain/ledger.h and domain/payout.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/date.h"
#include "core/json_util.h"
#include "core/limits.h"
#include "core/log.h"
#include "domain/claims.h"
#include "domain/ledger.h"
#include "domain/payout.h"
#include "http/errors.h"
#include "http/routes.h"

#define LEDGER_MEMO_CHARS 170 /* 512 bytes of UTF-8 at most */

/* ------------------------------------------------------------- helpers */

static json_t *id_or_null(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

/* Ledger changes are made at the organisation that holds the funds. */
static enum err require_fund_holder(const struct http_request *req, struct http_response *resp)
{
    const char *p = req->user->org_path;
    size_t slashes = 0;
    for (; *p != '\0'; p++) {
        slashes += *p == '/';
    }
    if (req->user->org_path[0] != '/' || slashes != 2) {
        return http_response_fail(resp, ERR_FORBIDDEN, NULL,
                                  "the ledger is changed by finance of the organisation that "
                                  "holds the funds");
    }
    return ERR_OK;
}

static enum err decode(const json_t *body, const struct json_field *fields, size_t n,
                       struct json_value *v, struct http_response *resp)
{
    struct json_util_error jerr;
    enum err e = json_util_decode(body, fields, n, v, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] ? jerr.field : NULL, jerr.message);
    }
    return ERR_OK;
}

static bool text_is_date(const char *s)
{
    struct date d;
    return s != NULL && date_parse(s, strlen(s), &d) == ERR_OK;
}

static bool text_is_period(const char *s)
{
    char buf[16];
    if (s == NULL || strlen(s) != 7) {
        return false;
    }
    snprintf(buf, sizeof(buf), "%s-01", s);
    return text_is_date(buf);
}

/* A query argument that must be a date when present. */
static enum err query_date(const struct http_request *req, struct http_response *resp,
                           const char *name, const char **out)
{
    *out = http_request_query(req, name);
    if (*out != NULL && !text_is_date(*out)) {
        return http_response_fail(resp, ERR_INVALID_DATE, name, "must be a date like 2026-11-29");
    }
    return ERR_OK;
}

static void actor_of(const struct http_request *req, struct audit_actor *aa)
{
    auth_actor_of(req->user, req->request_id, aa);
}

/* The claims context payout batches work in. */
struct payout_env {
    struct claims_config cfg;
    struct claims_ctx ctx;
};

static void payout_env_init(const struct http_request *req, struct payout_env *env)
{
    http_request_claims_config(req, &env->cfg);
    env->ctx.fc = req->fc;
    env->ctx.cfg = &env->cfg;
    env->ctx.now_ms = auth_now_ms();
    env->ctx.today = date_today();
    env->ctx.request_id = req->request_id;
}

/* ------------------------------------------------------------- entries as JSON */

static json_t *entry_json(const struct ledger_entry_view *v)
{
    json_t *lines = json_array();
    for (size_t i = 0; lines != NULL && i < v->nlines; i++) {
        char side[2] = {v->lines[i].side, '\0'};
        json_array_append_new(lines, json_pack("{s:s,s:s,s:I}", "account", v->lines[i].account,
                                               "side", side, "amount_fen",
                                               (json_int_t)v->lines[i].amount_fen));
    }
    if (lines == NULL) {
        return NULL;
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:o}", "id",
                     (json_int_t)v->id, "fund", v->fund, "date", v->date, "period", v->period,
                     "source", v->source, "source_id", v->source_id, "memo", v->memo,
                     "created_at", v->created_at, "created_by", id_or_null(v->created_by),
                     "approved_by", id_or_null(v->approved_by), "reversal_of",
                     id_or_null(v->reversal_of), "total_fen", (json_int_t)v->total_fen, "lines",
                     lines);
}

struct entries_ctx {
    json_t *list;
    int64_t last_id;
};

static enum err add_entry(void *p, const struct ledger_entry_view *v)
{
    struct entries_ctx *x = p;
    json_t *one = entry_json(v);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = v->id;
    return ERR_OK;
}

/* One entry by id as JSON into *out (NULL when there is none). */
static enum err entry_fetch(struct store_conn *c, int64_t id, json_t **out)
{
    struct entries_ctx x = {json_array(), 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    struct ledger_entry_filter f = {.after_id = id - 1, .limit = 1};
    size_t n = 0;
    enum err e = ledger_entries(c, &f, add_entry, &x, &n);
    *out = NULL;
    if (e == ERR_OK && n == 1 && x.last_id == id) {
        *out = json_incref(json_array_get(x.list, 0));
    }
    json_decref(x.list);
    return e;
}

/* ------------------------------------------------------------- reads */

struct balances_ctx {
    const char *fund;
    json_t *list;
    size_t seen;
};

static enum err add_balance(void *p, const struct ledger_balance *b)
{
    struct balances_ctx *x = p;
    if (x->fund != NULL && strcmp(x->fund, b->fund) != 0) {
        return ERR_OK;
    }
    x->seen++;
    json_t *one = json_pack("{s:s,s:s,s:s,s:I}", "fund", b->fund, "code", b->code, "name",
                            b->name, "balance_fen", (json_int_t)b->balance_fen);
    return one != NULL && json_array_append_new(x->list, one) == 0 ? ERR_OK : ERR_NOMEM;
}

static enum err balances_answer(struct http_request *req, struct http_response *resp,
                                const char *as_of)
{
    const char *fund = http_request_query(req, "fund");
    struct store_conn *c;
    enum err e = http_request_store(req, &c);
    if (e) {
        return e;
    }
    struct balances_ctx x = {fund, json_array(), 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    e = ledger_balances(c, as_of, add_balance, &x);
    if (e == ERR_OK && fund != NULL && x.seen == 0) {
        e = http_response_fail(resp, ERR_NOT_FOUND, "fund", "no such fund");
    }
    if (e) {
        json_decref(x.list);
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:o,s:o}", "as_of", as_of ? json_string(as_of) : json_null(),
                               "accounts", x.list));
}

enum err route_ledger_accounts(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"fund"};
    enum err e = http_request_query_only(req, resp, args, 1);
    return e ? e : balances_answer(req, resp, NULL);
}

enum err route_ledger_balances(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"fund", "as_of"};
    const char *as_of = NULL;
    enum err e = http_request_query_only(req, resp, args, 2);
    if (!e) {
        e = query_date(req, resp, "as_of", &as_of);
    }
    return e ? e : balances_answer(req, resp, as_of);
}

enum err route_ledger_entries(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"fund",    "from",  "to",   "source",
                                       "account", "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t after = 0, limit = 0;
    struct ledger_entry_filter f = {0};
    if (!e) {
        e = http_request_query_int(req, resp, "after", 0, INT64_MAX / 2, 0, &after);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   &limit);
    }
    if (!e) {
        e = query_date(req, resp, "from", &f.from_date);
    }
    if (!e) {
        e = query_date(req, resp, "to", &f.to_date);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    f.fund = http_request_query(req, "fund");
    f.source = http_request_query(req, "source");
    f.account = http_request_query(req, "account");
    f.after_id = after;
    f.limit = (size_t)limit;
    struct entries_ctx x = {json_array(), 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    e = ledger_entries(c, &f, add_entry, &x, &n);
    if (e) {
        json_decref(x.list);
        if (e == ERR_NOT_FOUND) {
            return http_response_fail(resp, e, "fund", "no such fund");
        }
        if (e == ERR_INVALID) {
            return http_response_fail(resp, e, f.account ? "account" : "source",
                                      "not a known source or account code");
        }
        return e;
    }
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x.last_id) : json_null();
    return http_reply_json(
        resp, 200, json_pack("{s:o,s:o}", "entries", x.list, "next_after", next));
}

enum err route_ledger_entry_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    json_t *doc = NULL;
    if (!e) {
        e = entry_fetch(c, id, &doc);
    }
    if (!e && doc == NULL) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "id", "no such entry");
    }
    return e ? e : http_reply_json(resp, 200, doc);
}

static json_t *pending_json(const struct store_ledger_pending *p)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:s,s:o,s:s,s:o}", "id",
                     (json_int_t)p->id, "fund_id", (json_int_t)p->fund_id, "date", p->entry_date,
                     "source", p->source_type, "source_id", p->source_id, "memo", p->memo,
                     "idem_key", p->idem_key, "amount_fen", (json_int_t)p->amount_fen,
                     "created_by", id_or_null(p->created_by), "status", p->status, "decided_by",
                     id_or_null(p->decided_by), "reason", p->reason, "entry_id",
                     id_or_null(p->entry_id));
}

static enum err add_pending(void *p, const struct store_ledger_pending *row)
{
    json_t *one = pending_json(row);
    return one != NULL && json_array_append_new(p, one) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_ledger_pending(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    json_t *list = json_array();
    if (list == NULL) {
        return ERR_NOMEM;
    }
    if ((e = ledger_pending_list(c, add_pending, list)) != ERR_OK) {
        json_decref(list);
        return e;
    }
    return http_reply_json(resp, 200, json_pack("{s:o}", "pending", list));
}

enum err route_ledger_verify(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    struct ledger_verify_result r;
    if (!e) {
        e = ledger_verify(c, &r);
    }
    if (e) {
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:b,s:I,s:o}", "ok", r.ok, "entries", (json_int_t)r.entries,
                               "problem", r.ok ? json_null() : json_string(r.problem)));
}

/* The report of one fund: the stored one of a closed period, else live. */
static enum err fund_report(struct store_conn *c, const char *fund, const char *period,
                            json_t **out)
{
    bool found = false;
    char *text = NULL;
    *out = NULL;
    enum err e = ledger_report_stored(c, fund, period, &found, &text);
    if (e == ERR_OK && !found) {
        struct ledger_report r;
        if ((e = ledger_report(c, fund, period, &r)) == ERR_OK) {
            e = ledger_report_json(&r, &text);
        }
    }
    if (e == ERR_OK) {
        *out = json_loads(text, 0, NULL);
        e = *out != NULL ? ERR_OK : ERR_INTERNAL;
        if (*out != NULL) {
            json_object_set_new(*out, "closed", json_boolean(found));
        }
    }
    free(text);
    return e;
}

struct fund_codes {
    json_t *codes;
};

static enum err collect_fund(void *p, const struct ledger_balance *b)
{
    struct fund_codes *f = p;
    size_t n = json_array_size(f->codes);
    if (n > 0 && strcmp(json_string_value(json_array_get(f->codes, n - 1)), b->fund) == 0) {
        return ERR_OK;
    }
    return json_array_append_new(f->codes, json_string(b->fund)) == 0 ? ERR_OK : ERR_NOMEM;
}

enum err route_ledger_report(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"fund"};
    enum err e = http_request_query_only(req, resp, args, 1);
    const char *period = http_request_param(req, "period");
    if (!e && !text_is_period(period)) {
        e = http_response_fail(resp, ERR_NOT_FOUND, "period", "a period is YYYY-MM");
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    const char *fund = http_request_query(req, "fund");
    if (fund != NULL) {
        json_t *doc = NULL;
        e = fund_report(c, fund, period, &doc);
        if (e == ERR_NOT_FOUND) {
            return http_response_fail(resp, e, "fund", "no such fund");
        }
        return e ? e : http_reply_json(resp, 200, doc);
    }
    struct fund_codes fc = {json_array()};
    json_t *reports = json_array();
    if (fc.codes == NULL || reports == NULL) {
        json_decref(fc.codes);
        json_decref(reports);
        return ERR_NOMEM;
    }
    e = ledger_balances(c, NULL, collect_fund, &fc);
    for (size_t i = 0; e == ERR_OK && i < json_array_size(fc.codes); i++) {
        json_t *one = NULL;
        e = fund_report(c, json_string_value(json_array_get(fc.codes, i)), period, &one);
        if (e == ERR_OK && json_array_append_new(reports, one) != 0) {
            e = ERR_NOMEM;
        }
    }
    json_decref(fc.codes);
    if (e) {
        json_decref(reports);
        return e;
    }
    return http_reply_json(resp, 200, json_pack("{s:s,s:o}", "period", period, "reports", reports));
}

/* ------------------------------------------------------------- changes */

/* Answers a posting's result: 201 posted, 200 replayed, 202 pending, the
 * entry's refusal as an error naming its field. */
static enum err posting_answer(struct http_request *req, struct http_response *resp,
                               struct store_conn *c, const struct ledger_result *r)
{
    if (r->err != ERR_OK) {
        const char *msg = "the entry is refused";
        switch (r->err) {
        case ERR_FUND_USE_REFUSED:
            msg = "these accounts may not be used together for this source (资金使用范围)";
            break;
        case ERR_UNBALANCED:
            msg = "debits must equal credits";
            break;
        case ERR_LIMIT_EXCEEDED:
            msg = "a balance would go below zero or the management-expense cap would be passed";
            break;
        case ERR_PERIOD_CLOSED:
            msg = "the value date is in a closed period";
            break;
        case ERR_IDEMPOTENCY_MISMATCH:
            msg = "this idem_key was used for different content";
            break;
        case ERR_NOT_FOUND:
            msg = "no such fund, account or entry";
            break;
        case ERR_CONFLICT:
            msg = "this entry cannot be posted or reversed now";
            break;
        default:
            break;
        }
        return http_response_fail(resp, r->err, r->field[0] ? r->field : NULL, msg);
    }
    (void)req;
    if (r->outcome == LEDGER_REFUSED) {
        return http_response_fail(resp, ERR_CONFLICT, "idem_key",
                                  "a finance checker refused this payment");
    }
    if (r->outcome == LEDGER_PENDING) {
        return http_reply_json(resp, 202,
                         json_pack("{s:s,s:I,s:b}", "outcome", "pending", "pending_id",
                                   (json_int_t)r->pending_id, "replayed", r->replayed));
    }
    json_t *entry = NULL;
    enum err e = entry_fetch(c, r->entry_id, &entry);
    if (e) {
        return e;
    }
    return http_reply_json(resp, r->replayed ? 200 : 201,
                     json_pack("{s:s,s:b,s:o}", "outcome", "posted", "replayed", r->replayed,
                               "entry", entry != NULL ? entry : json_null()));
}

enum err route_ledger_entry_post(struct http_request *req, struct http_response *resp)
{
    enum { F_FUND, F_DATE, F_SOURCE, F_SOURCE_ID, F_MEMO, F_KEY, F_LINES, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_FUND] = {.name = "fund", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = 32},
        [F_DATE] = {.name = "date", .kind = JSON_KIND_DATE, .required = true},
        [F_SOURCE] = {.name = "source", .kind = JSON_KIND_STRING, .min = 1, .max = 16},
        [F_SOURCE_ID] = {.name = "source_id", .kind = JSON_KIND_STRING, .min = 0, .max = 64},
        [F_MEMO] = {.name = "memo", .kind = JSON_KIND_STRING, .min = 0,
                    .max = LEDGER_MEMO_CHARS},
        [F_KEY] = {.name = "idem_key", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                   .max = LEDGER_KEY_MAX},
        [F_LINES] = {.name = "lines", .kind = JSON_KIND_ARRAY, .required = true, .min = 2,
                     .max = LEDGER_LINES_MAX},
    };
    enum { L_ACCOUNT, L_SIDE, L_AMOUNT, L__COUNT };
    static const struct json_field line_fields[L__COUNT] = {
        [L_ACCOUNT] = {.name = "account", .kind = JSON_KIND_STRING, .required = true, .min = 4,
                       .max = 4},
        [L_SIDE] = {.name = "side", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = 6},
        [L_AMOUNT] = {.name = "amount_fen", .kind = JSON_KIND_MONEY_FEN, .required = true,
                      .min_value = 1, .max_value = INT64_MAX},
    };
    enum err e = require_fund_holder(req, resp);
    struct json_value v[F__COUNT];
    if (!e) {
        e = decode(req->body, fields, F__COUNT, v, resp);
    }
    if (e) {
        return e;
    }
    if (v[F_SOURCE].present && strcmp(v[F_SOURCE].text, "manual") != 0) {
        return http_response_fail(resp, ERR_INVALID, "source",
                                  "only manual entries are posted here; receipts, claims and "
                                  "payouts post through their own routes");
    }
    struct ledger_line_in lines[LEDGER_LINES_MAX];
    size_t n = json_array_size(v[F_LINES].node);
    for (size_t i = 0; i < n; i++) {
        struct json_value lv[L__COUNT];
        struct json_util_error jerr;
        char field[JSON_UTIL_FIELD_MAX + 32];
        e = json_util_decode(json_array_get(v[F_LINES].node, i), line_fields, L__COUNT, lv,
                             &jerr);
        if (e) {
            snprintf(field, sizeof(field), "lines[%zu]%s%s", i, jerr.field[0] ? "." : "",
                     jerr.field);
            return http_response_fail(resp, e, field, jerr.message);
        }
        const char *side = lv[L_SIDE].text;
        bool debit = strcasecmp(side, "debit") == 0 || strcmp(side, "D") == 0;
        bool credit = strcasecmp(side, "credit") == 0 || strcmp(side, "C") == 0;
        if (!debit && !credit) {
            snprintf(field, sizeof(field), "lines[%zu].side", i);
            return http_response_fail(resp, ERR_INVALID, field, "debit or credit");
        }
        lines[i] = (struct ledger_line_in){lv[L_ACCOUNT].text,
                                           debit ? LEDGER_DEBIT : LEDGER_CREDIT,
                                           lv[L_AMOUNT].int64};
    }
    struct ledger_entry_in in = {
        .fund = v[F_FUND].text,
        .date = v[F_DATE].text,
        .source = LEDGER_SRC_MANUAL,
        .source_id = v[F_SOURCE_ID].present ? v[F_SOURCE_ID].text : "",
        .memo = v[F_MEMO].present ? v[F_MEMO].text : "",
        .idem_key = v[F_KEY].text,
        .lines = lines,
        .nlines = n,
    };
    struct store_conn *c;
    if ((e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    struct audit_actor aa;
    actor_of(req, &aa);
    struct ledger_result r;
    e = ledger_post(c, &aa, &in, &r);
    if (e != ERR_OK && http_status_for_err(e) >= 500) {
        return e;
    }
    return posting_answer(req, resp, c, &r);
}

enum err route_ledger_entry_reverse(struct http_request *req, struct http_response *resp)
{
    enum { F_DATE, F_MEMO, F_KEY, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_DATE] = {.name = "date", .kind = JSON_KIND_DATE, .required = true},
        [F_MEMO] = {.name = "memo", .kind = JSON_KIND_STRING, .min = 0,
                    .max = LEDGER_MEMO_CHARS},
        [F_KEY] = {.name = "idem_key", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                   .max = LEDGER_KEY_MAX},
    };
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return http_response_fail(resp, e, "id", "no such entry");
    }
    struct json_value v[F__COUNT];
    e = require_fund_holder(req, resp);
    if (!e) {
        e = decode(req->body, fields, F__COUNT, v, resp);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct audit_actor aa;
    actor_of(req, &aa);
    struct ledger_result r;
    e = ledger_reverse(c, &aa, id, v[F_DATE].text, v[F_MEMO].present ? v[F_MEMO].text : "",
                       v[F_KEY].text, &r);
    if (e != ERR_OK && http_status_for_err(e) >= 500) {
        return e;
    }
    if (e == ERR_NOT_FOUND && r.err == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "id", "no such entry");
    }
    if (e != ERR_OK && r.err == ERR_OK) {
        r.err = e;
    }
    return posting_answer(req, resp, c, &r);
}

static enum err pending_decide(struct http_request *req, struct http_response *resp, bool approve)
{
    enum { F_REASON, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_REASON] = {.name = "reason", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                      .max = 170},
    };
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return http_response_fail(resp, e, "id", "no such pending payment");
    }
    struct json_value v[F__COUNT];
    e = require_fund_holder(req, resp);
    if (!e && !approve) {
        e = decode(req->body, fields, F__COUNT, v, resp);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct audit_actor aa;
    actor_of(req, &aa);
    struct ledger_result r;
    memset(&r, 0, sizeof(r));
    e = approve ? ledger_approve(c, &aa, id, &r) : ledger_refuse(c, &aa, id, v[F_REASON].text);
    switch (e) {
    case ERR_OK:
        break;
    case ERR_NOT_FOUND:
        return http_response_fail(resp, e, "id", "no such pending payment");
    case ERR_SAME_USER:
        return http_response_fail(resp, e, NULL,
                                  "a second finance user, not the maker, decides a payment");
    case ERR_CONFLICT:
        return http_response_fail(resp, e, "id", "this payment was already decided");
    case ERR_INVALID:
    case ERR_TOO_LARGE:
        if (!approve) {
            return http_response_fail(resp, e, "reason", "a short reason, without card numbers");
        }
        return http_response_fail(resp, e, r.field[0] ? r.field : NULL, "refused");
    default:
        if (http_status_for_err(e) >= 500 || approve == false) {
            return e;
        }
        r.err = e;
        return posting_answer(req, resp, c, &r);
    }
    if (!approve) {
        return http_reply_json(resp, 200,
                         json_pack("{s:I,s:s}", "pending_id", (json_int_t)id, "status", "refused"));
    }
    json_t *entry = NULL;
    if ((e = entry_fetch(c, r.entry_id, &entry)) != ERR_OK) {
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:I,s:s,s:o}", "pending_id", (json_int_t)id, "status",
                               "approved", "entry", entry != NULL ? entry : json_null()));
}

enum err route_ledger_pending_approve(struct http_request *req, struct http_response *resp)
{
    return pending_decide(req, resp, true);
}

enum err route_ledger_pending_refuse(struct http_request *req, struct http_response *resp)
{
    return pending_decide(req, resp, false);
}

enum err route_ledger_earn(struct http_request *req, struct http_response *resp)
{
    enum { F_PERIOD, F_FUND, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_PERIOD] = {.name = "period", .kind = JSON_KIND_STRING, .required = true, .min = 7,
                      .max = 7},
        [F_FUND] = {.name = "fund", .kind = JSON_KIND_STRING, .min = 1, .max = 32},
    };
    struct json_value v[F__COUNT];
    enum err e = require_fund_holder(req, resp);
    if (!e) {
        e = decode(req->body, fields, F__COUNT, v, resp);
    }
    if (!e && !text_is_period(v[F_PERIOD].text)) {
        e = http_response_fail(resp, ERR_INVALID_DATE, "period", "a period is YYYY-MM");
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct audit_actor aa;
    actor_of(req, &aa);
    struct ledger_earn_result r;
    const char *fund = v[F_FUND].present ? v[F_FUND].text : NULL;
    e = ledger_earn(c, &aa, fund, v[F_PERIOD].text, &r);
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "fund", "no such fund");
    }
    if (e == ERR_PERIOD_CLOSED) {
        return http_response_fail(resp, e, "period", "the period is closed");
    }
    if (e) {
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:s,s:I,s:I,s:I}", "period", v[F_PERIOD].text, "entries",
                               (json_int_t)r.entries, "schedules", (json_int_t)r.schedules,
                               "amount_fen", (json_int_t)r.amount_fen));
}

enum err route_ledger_close(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"fund"};
    enum err e = http_request_query_only(req, resp, args, 1);
    const char *period = http_request_param(req, "period");
    if (!e) {
        e = require_fund_holder(req, resp);
    }
    if (!e && !text_is_period(period)) {
        e = http_response_fail(resp, ERR_NOT_FOUND, "period", "a period is YYYY-MM");
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct audit_actor aa;
    actor_of(req, &aa);
    const char *fund = http_request_query(req, "fund");
    e = ledger_close(c, &aa, fund, period);
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "fund", "no such fund");
    }
    if (e == ERR_PERIOD_CLOSED) {
        return http_response_fail(resp, e, "period", "already closed (this or a later period)");
    }
    if (e) {
        return e;
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:s,s:o,s:b}", "period", period, "fund",
                               fund ? json_string(fund) : json_null(), "closed", true));
}

/* ------------------------------------------------------------- CSV uploads */

/* The body of an upload route must be CSV: text/csv (or application/csv,
 * what some banks' systems send), not empty. */
static enum err require_csv(const struct http_request *req, struct http_response *resp)
{
    const char *ct = http_request_header(req, "Content-Type");
    bool csv = ct != NULL && (strncasecmp(ct, "text/csv", 8) == 0 ||
                              strncasecmp(ct, "application/csv", 15) == 0);
    if (!csv) {
        return http_response_fail(resp, ERR_UNSUPPORTED_MEDIA, NULL,
                                  "send the file as Content-Type: text/csv");
    }
    if (req->upload == NULL || req->upload_len == 0) {
        return http_response_fail(resp, ERR_INVALID, "body", "the file is empty");
    }
    return ERR_OK;
}

/* 422 with the refused rows (house error shape plus "rows"); nothing was
 * written. */
static enum err fail_rows(struct http_response *resp, const struct payout_row_errors *errs)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows != NULL && i < errs->n; i++) {
        const struct payout_row_error *r = &errs->v[i];
        json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:s}", "row", (json_int_t)r->row,
                                              "field", r->field, "code", err_str(r->code),
                                              "message", r->message));
    }
    char msg[96];
    snprintf(msg, sizeof(msg), "%zu row(s) refused; nothing was imported", errs->total);
    json_t *doc = json_pack("{s:{s:s,s:s,s:s},s:o,s:I}", "error", "code", err_str(ERR_INVALID),
                            "message", msg, "field", "body", "rows", rows ? rows : json_array(),
                            "rows_refused", (json_int_t)errs->total);
    return http_reply_json(resp, 422, doc);
}

struct recon_ctx {
    json_t *matched, *unmatched;
};

static enum err add_line(void *p, const struct payout_statement_line *l)
{
    struct recon_ctx *x = p;
    json_t *one = json_pack("{s:I,s:s,s:I,s:s,s:s}", "row", (json_int_t)l->row, "date", l->date,
                            "amount_fen", (json_int_t)l->amount_fen, "reference", l->reference,
                            "direction", l->in ? "in" : "out");
    if (one == NULL) {
        return ERR_NOMEM;
    }
    if (l->matched) {
        json_object_set_new(one, "kind", json_string(l->kind));
        json_object_set_new(one, l->in ? "receipt_id" : "item_id",
                            json_integer((json_int_t)l->object_id));
        if (!l->in) {
            json_object_set_new(one, "batch_id", json_integer((json_int_t)l->batch_id));
        }
    } else {
        json_object_set_new(one, "reason", json_string(l->reason));
    }
    return json_array_append_new(l->matched ? x->matched : x->unmatched, one) == 0 ? ERR_OK
                                                                                  : ERR_NOMEM;
}

enum err route_ledger_bank_statements(struct http_request *req, struct http_response *resp)
{
    static const char *const none[] = {""};
    enum err e = http_request_query_only(req, resp, none, 0);
    if (!e) {
        e = require_csv(req, resp);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct payout_row_error rows[PAYOUT_ROW_ERRORS_MAX];
    struct payout_row_errors errs = {rows, PAYOUT_ROW_ERRORS_MAX, 0, 0};
    struct recon_ctx x = {json_array(), json_array()};
    if (x.matched == NULL || x.unmatched == NULL) {
        json_decref(x.matched);
        json_decref(x.unmatched);
        return ERR_NOMEM;
    }
    e = payout_reconcile(c, req->user, req->upload, req->upload_len, add_line, &x, &errs);
    if (e == ERR_INVALID && errs.total > 0) {
        json_decref(x.matched);
        json_decref(x.unmatched);
        return fail_rows(resp, &errs);
    }
    if (e) {
        json_decref(x.matched);
        json_decref(x.unmatched);
        return e;
    }
    size_t nm = json_array_size(x.matched), nu = json_array_size(x.unmatched);
    return http_reply_json(resp, 200,
                     json_pack("{s:I,s:I,s:I,s:o,s:o}", "lines", (json_int_t)(nm + nu),
                               "matched_count", (json_int_t)nm, "unmatched_count",
                               (json_int_t)nu, "matched", x.matched, "unmatched", x.unmatched));
}

/* ------------------------------------------------------------- payout batches */

static json_t *batch_json(const struct store_payout_batch *b, bool counts)
{
    json_t *doc = json_pack(
        "{s:I,s:s,s:I,s:s,s:s,s:I,s:I,s:b,s:o,s:I,s:o,s:o,s:s,s:o,s:I}", "id", (json_int_t)b->id,
        "fund", b->fund_code, "org_id", (json_int_t)b->org_id, "status", b->status, "pay_date",
        b->pay_date, "item_count", (json_int_t)b->item_count, "total_fen",
        (json_int_t)b->total_fen, "needs_approval", b->needs_approval, "created_by",
        id_or_null(b->created_by), "created_ms", (json_int_t)b->created_ms, "decided_by",
        id_or_null(b->decided_by), "decided_ms", id_or_null(b->decided_ms), "refused_reason",
        b->refused_reason, "exported_ms", id_or_null(b->exported_ms), "export_count",
        (json_int_t)b->export_count);
    if (doc != NULL && counts) {
        json_object_set_new(doc, "items_by_status",
                            json_pack("{s:I,s:I,s:I,s:I}", "open", (json_int_t)b->open_count,
                                      "paid", (json_int_t)b->paid_count, "failed",
                                      (json_int_t)b->failed_count, "cancelled",
                                      (json_int_t)b->cancelled_count));
        json_object_set_new(doc, "paid_fen", json_integer((json_int_t)b->paid_fen));
    }
    return doc;
}

static enum err batch_fail(struct http_response *resp, enum err e)
{
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "id", "no such payout batch");
    }
    if (e == ERR_SAME_USER) {
        return http_response_fail(resp, e, NULL,
                                  "a second finance user, not the maker, decides a batch");
    }
    return e;
}

struct batches_ctx {
    json_t *list;
    int64_t last_id;
};

static enum err add_batch(void *p, const struct store_payout_batch *b)
{
    struct batches_ctx *x = p;
    json_t *one = batch_json(b, false);
    if (one == NULL || json_array_append_new(x->list, one) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = b->id;
    return ERR_OK;
}

enum err route_payout_batches_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"status", "before", "limit"};
    enum err e = http_request_query_only(req, resp, args, 3);
    int64_t before = 0, limit = 0;
    if (!e) {
        e = http_request_query_int(req, resp, "before", 0, INT64_MAX / 2, 0, &before);
    }
    if (!e) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   &limit);
    }
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct batches_ctx x = {json_array(), 0};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    char field[PAYOUT_FIELD_MAX];
    e = payout_batch_list(c, req->user, http_request_query(req, "status"), before,
                          (size_t)limit, add_batch, &x, field, sizeof(field));
    if (e) {
        json_decref(x.list);
        return e == ERR_INVALID ? http_response_fail(resp, e, field, "not a batch status") : e;
    }
    bool full = json_array_size(x.list) == (size_t)limit;
    json_t *next = full ? json_integer((json_int_t)x.last_id) : json_null();
    return http_reply_json(
        resp, 200, json_pack("{s:o,s:o}", "batches", x.list, "next_before", next));
}

enum err route_payout_batches_create(struct http_request *req, struct http_response *resp)
{
    enum { F_FUND, F_PAY_DATE, F_MAX, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_FUND] = {.name = "fund", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                    .max = 32},
        [F_PAY_DATE] = {.name = "pay_date", .kind = JSON_KIND_DATE},
        [F_MAX] = {.name = "max_items", .kind = JSON_KIND_INT64, .min_value = 1,
                   .max_value = PAYOUT_ITEMS_MAX},
    };
    struct json_value v[F__COUNT];
    enum err e = decode(req->body, fields, F__COUNT, v, resp);
    struct store_conn *c;
    if (!e) {
        e = http_request_store(req, &c);
    }
    if (e) {
        return e;
    }
    struct payout_env env;
    payout_env_init(req, &env);
    struct payout_create_in in = {v[F_FUND].text, v[F_PAY_DATE].present ? v[F_PAY_DATE].text : NULL,
                                  v[F_MAX].present ? (size_t)v[F_MAX].int64 : 0};
    struct payout_create_result r;
    char field[PAYOUT_FIELD_MAX];
    e = payout_batch_create(c, &env.ctx, req->user, &in, &r, field, sizeof(field));
    if (e == ERR_NOT_FOUND) {
        return http_response_fail(resp, e, "fund", "no such fund");
    }
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, "fund",
                                  "no payable claim of your subtree with a bank card is waiting "
                                  "in this fund");
    }
    if (e == ERR_INVALID || e == ERR_INVALID_DATE) {
        return http_response_fail(resp, e, field, "invalid");
    }
    if (e) {
        return e;
    }
    struct store_payout_batch b;
    if ((e = payout_batch_get(c, req->user, r.batch_id, &b)) != ERR_OK) {
        return e;
    }
    json_t *doc = batch_json(&b, true);
    if (doc != NULL) {
        json_object_set_new(doc, "skipped_no_account",
                            json_integer((json_int_t)r.skipped_no_account));
    }
    return http_reply_json(resp, 201, doc);
}

static enum err add_item(void *p, const struct store_payout_item *it)
{
    json_t *one = json_pack("{s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:o,s:o}", "id",
                            (json_int_t)it->id, "claim_id", (json_int_t)it->claim_id,
                            "member_id", (json_int_t)it->member_id, "payee_name",
                            it->payee_name, "account", it->account_mask, "amount_fen",
                            (json_int_t)it->amount_fen, "reference", it->reference, "status",
                            it->status, "reason", it->reason, "entry_id",
                            id_or_null(it->entry_id), "return_entry_id",
                            id_or_null(it->return_entry_id));
    return one != NULL && json_array_append_new(p, one) == 0 ? ERR_OK : ERR_NOMEM;
}

/* The batch with its items, answered with status. */
static enum err batch_answer(struct http_request *req, struct http_response *resp,
                             struct store_conn *c, int64_t id, unsigned status)
{
    struct store_payout_batch b;
    enum err e = payout_batch_get(c, req->user, id, &b);
    if (e) {
        return batch_fail(resp, e);
    }
    json_t *items = json_array();
    if (items == NULL) {
        return ERR_NOMEM;
    }
    if ((e = payout_batch_items(c, req->user, id, add_item, items)) != ERR_OK) {
        json_decref(items);
        return e;
    }
    json_t *doc = batch_json(&b, true);
    if (doc != NULL) {
        json_object_set_new(doc, "items", items);
    } else {
        json_decref(items);
    }
    return http_reply_json(resp, status, doc);
}

enum err route_payout_batch_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return batch_fail(resp, e);
    }
    struct store_conn *c;
    if ((e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    return batch_answer(req, resp, c, id, 200);
}

static enum err batch_decide(struct http_request *req, struct http_response *resp, bool approve)
{
    enum { F_REASON, F__COUNT };
    static const struct json_field fields[F__COUNT] = {
        [F_REASON] = {.name = "reason", .kind = JSON_KIND_STRING, .required = true, .min = 1,
                      .max = 170},
    };
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return batch_fail(resp, e);
    }
    struct store_conn *c;
    struct store_payout_batch b;
    if ((e = http_request_store(req, &c)) != ERR_OK ||
        (e = payout_batch_get(c, req->user, id, &b)) != ERR_OK) {
        return batch_fail(resp, e); /* scope first: another subtree's batch does not exist */
    }
    struct json_value v[F__COUNT];
    if (!approve && (e = decode(req->body, fields, F__COUNT, v, resp)) != ERR_OK) {
        return e;
    }
    struct payout_env env;
    payout_env_init(req, &env);
    char field[PAYOUT_FIELD_MAX] = "";
    e = approve ? payout_batch_approve(c, &env.ctx, req->user, id)
                : payout_batch_refuse(c, &env.ctx, req->user, id, v[F_REASON].text, field,
                                      sizeof(field));
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, "id", "the batch is not waiting for approval");
    }
    if (e == ERR_INVALID || e == ERR_TOO_LARGE) {
        return http_response_fail(resp, e, "reason", "a short reason, without card numbers");
    }
    if (e) {
        return batch_fail(resp, e);
    }
    return batch_answer(req, resp, c, id, 200);
}

enum err route_payout_batch_approve(struct http_request *req, struct http_response *resp)
{
    return batch_decide(req, resp, true);
}

enum err route_payout_batch_refuse(struct http_request *req, struct http_response *resp)
{
    return batch_decide(req, resp, false);
}

static enum err bank_file(struct http_request *req, struct http_response *resp,
                          enum payout_format fmt)
{
    static const char *const none[] = {""};
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return batch_fail(resp, e);
    }
    struct store_conn *c;
    if ((e = http_request_query_only(req, resp, none, 0)) != ERR_OK ||
        (e = http_request_store(req, &c)) != ERR_OK) {
        return e;
    }
    if (req->fc == NULL) {
        log_error("payout: the server runs without a field-encryption key");
        return ERR_INTERNAL;
    }
    struct payout_env env;
    payout_env_init(req, &env);
    unsigned char *bytes = NULL;
    size_t len = 0;
    e = payout_bank_file(c, &env.ctx, req->user, id, fmt, &bytes, &len);
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, "id",
                                  "the batch is not approved (it waits for a second finance user, "
                                  "or was refused)");
    }
    if (e) {
        return batch_fail(resp, e);
    }
    char *body = arena_alloc(req->arena, len);
    if (body != NULL) {
        memcpy(body, bytes, len);
    }
    sodium_memzero(bytes, len);
    free(bytes);
    if (body == NULL) {
        return ERR_TOO_LARGE;
    }
    const char *name = arena_printf(req->arena, "attachment; filename=\"payout-batch-%" PRId64
                                                ".%s\"",
                                    id, fmt == PAYOUT_CSV ? "csv" : "xlsx");
    if (name == NULL || http_response_header(resp, "Content-Disposition", name) != ERR_OK) {
        return ERR_NOMEM;
    }
    resp->status = 200;
    resp->content_type =
        fmt == PAYOUT_CSV ? "text/csv; charset=utf-8"
                          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    resp->body = body;
    resp->body_len = len;
    return ERR_OK;
}

enum err route_payout_bank_file_csv(struct http_request *req, struct http_response *resp)
{
    return bank_file(req, resp, PAYOUT_CSV);
}

enum err route_payout_bank_file_xlsx(struct http_request *req, struct http_response *resp)
{
    return bank_file(req, resp, PAYOUT_XLSX);
}

enum err route_payout_batch_results(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"date"};
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    if (e) {
        return batch_fail(resp, e);
    }
    const char *date = NULL;
    struct store_conn *c;
    struct store_payout_batch b;
    if ((e = http_request_store(req, &c)) != ERR_OK ||
        (e = payout_batch_get(c, req->user, id, &b)) != ERR_OK) {
        return batch_fail(resp, e); /* scope first: another subtree's batch does not exist */
    }
    if ((e = http_request_query_only(req, resp, args, 1)) != ERR_OK ||
        (e = query_date(req, resp, "date", &date)) != ERR_OK ||
        (e = require_csv(req, resp)) != ERR_OK) {
        return e;
    }
    struct payout_env env;
    payout_env_init(req, &env);
    struct payout_row_error rows[PAYOUT_ROW_ERRORS_MAX];
    struct payout_row_errors errs = {rows, PAYOUT_ROW_ERRORS_MAX, 0, 0};
    struct payout_results r;
    e = payout_results_import(c, &env.ctx, req->user, id, req->upload, req->upload_len, date, &r,
                              &errs);
    if (e == ERR_INVALID && errs.total > 0) {
        return fail_rows(resp, &errs);
    }
    if (e == ERR_CONFLICT) {
        return http_response_fail(resp, e, "id", "export the bank file before importing results");
    }
    if (e) {
        return batch_fail(resp, e);
    }
    return http_reply_json(resp, 200,
                     json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "rows", (json_int_t)r.rows,
                               "paid", (json_int_t)r.paid, "failed", (json_int_t)r.failed,
                               "returned", (json_int_t)r.returned, "unchanged",
                               (json_int_t)r.unchanged, "paid_fen", (json_int_t)r.paid_fen,
                               "returned_fen", (json_int_t)r.returned_fen, "completed",
                               r.completed));
}
