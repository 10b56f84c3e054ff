/*
 * ledger_report: earning, period close, reports, balances and verification
 * of the fund ledger (contract in ledger.h). Reports read the per-day
 * account movements, so a period report costs a few indexed sums per
 * account whatever the number of entries; verification reads everything.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/date.h"
#include "core/limits.h"
#include "core/money.h"
#include "domain/ledger.h"
#include "domain/ledger_impl.h"

/* --- months ------------------------------------------------------------------- */

/* Strict 'YYYY-MM' with a real month; first and last day of it. */
static enum err parse_period(const char *p, int *y, int *m, struct date *first, struct date *last)
{
    if (p == NULL || strlen(p) != 7 || p[4] != '-') {
        return ERR_INVALID_DATE;
    }
    for (int i = 0; i < 7; i++) {
        if (i != 4 && (p[i] < '0' || p[i] > '9')) {
            return ERR_INVALID_DATE;
        }
    }
    *y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    *m = (p[5] - '0') * 10 + (p[6] - '0');
    if (*m < 1 || *m > 12 || date_from_ymd(*y, *m, 1, first) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    return date_from_ymd(*y, *m, date_days_in_month(*y, *m), last);
}

static int month_diff(int y1, int m1, int y2, int m2)
{
    return (y2 - y1) * 12 + (m2 - m1);
}

static void month_text(int y, int m, int add, char out[8])
{
    int idx = y * 12 + (m - 1) + add;
    int year = idx / 12, month = idx % 12 + 1;
    ASSERT(year >= DATE_YEAR_MIN && year <= DATE_YEAR_MAX);
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '\0';
}

enum err ledger_split_by_days(int64_t amount_fen, const char *cover_start, const char *cover_end,
                              int64_t *parts, size_t cap, size_t *out_n)
{
    struct date s, t;
    if (ledger_parse_date(cover_start, &s) != ERR_OK ||
        ledger_parse_date(cover_end, &t) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    if (t.day < s.day) {
        return ERR_INVALID;
    }
    if (amount_fen <= 0) {
        return ERR_INVALID_MONEY;
    }
    int ys, ms, ds, ye, me, de;
    date_to_ymd(s, &ys, &ms, &ds);
    date_to_ymd(t, &ye, &me, &de);
    size_t months = (size_t)month_diff(ys, ms, ye, me) + 1;
    if (months > cap) {
        return ERR_TOO_LARGE;
    }
    int64_t total_days = (int64_t)t.day - s.day + 1;
    int64_t prev = 0;
    int y = ys, m = ms;
    for (size_t i = 0; i < months; i++) {
        struct date last;
        if (date_from_ymd(y, m, date_days_in_month(y, m), &last) != ERR_OK) {
            return ERR_INVALID_DATE;
        }
        int64_t through = (int64_t)(last.day < t.day ? last.day : t.day) - s.day + 1;
        int64_t product;
        if (money_mul(amount_fen, through, &product) != ERR_OK) {
            return ERR_OVERFLOW;
        }
        int64_t upto = product / total_days;
        parts[i] = upto - prev;
        prev = upto;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    ASSERT(prev == amount_fen); /* the last month's cumulative share is the whole amount */
    *out_n = months;
    return ERR_OK;
}

/* --- earning -------------------------------------------------------------------- */

struct sched_list {
    struct store_ledger_schedule *v;
    size_t n, cap;
};

static enum err sched_collect(void *ctx, const struct store_ledger_schedule *s)
{
    struct sched_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct store_ledger_schedule *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *s;
    return ERR_OK;
}

/* What one schedule earns in this run: months [from, to] of its split. */
struct sched_part {
    size_t from, to;
    int64_t amount_fen;
    int64_t parts[LEDGER_COVER_MONTHS_MAX];
};

static enum err schedule_due(const struct store_ledger_schedule *s, int py, int pm,
                             struct sched_part *p, bool *due)
{
    size_t n;
    /* partial refunds lower what the schedule earns in all (ledger.h,
     * ledger_refund_partial_in_tx): split that, and earn each month what
     * its cumulative share passes what is already earned */
    int64_t amount = s->amount_fen - s->refunded_fen;
    *due = false;
    if (amount <= 0) {
        return ERR_OK;
    }
    enum err e = ledger_split_by_days(amount, s->cover_start, s->cover_end, p->parts,
                                      LEDGER_COVER_MONTHS_MAX, &n);
    if (e != ERR_OK) {
        return ERR_DB; /* the schedule was valid when written */
    }
    int sy = atoi(s->cover_start), sm = atoi(s->cover_start + 5);
    int last = month_diff(sy, sm, py, pm);
    int first = 0;
    if (s->earned_through[0] != '\0') {
        first = month_diff(sy, sm, atoi(s->earned_through), atoi(s->earned_through + 5)) + 1;
    }
    if (last > (int)n - 1) {
        last = (int)n - 1;
    }
    *due = first <= last && last >= 0;
    if (!*due) {
        return ERR_OK;
    }
    p->from = (size_t)first;
    p->to = (size_t)last;
    p->amount_fen = 0;
    int64_t cum = 0, earned = s->earned_fen;
    for (size_t i = 0; i <= p->to; i++) {
        if ((e = money_add(cum, p->parts[i], &cum)) != ERR_OK) {
            return e;
        }
        if (i < p->from) {
            continue;
        }
        /* without refunds earned == the cumulative share before month i, so
         * this is parts[i] exactly; after a refund it never goes below 0 */
        p->parts[i] = cum > earned ? cum - earned : 0;
        earned += p->parts[i];
        if ((e = money_add(p->amount_fen, p->parts[i], &p->amount_fen)) != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

static enum err earn_fund(struct ledger_ctx *x, const struct audit_actor *actor, size_t f, int py,
                          int pm, const char *period, const char *last_day,
                          struct ledger_earn_result *out)
{
    struct sched_list l = {0};
    struct sched_part *parts = NULL;
    size_t ndue = 0;
    int64_t total = 0;
    enum err e = store_ledger_schedule_open_each(x->c, x->funds[f].id, last_day, sched_collect, &l);
    if (e == ERR_OK && l.n > 0) {
        parts = malloc(l.n * sizeof(*parts));
        e = parts == NULL ? ERR_NOMEM : ERR_OK;
    }
    for (size_t i = 0; i < l.n && e == ERR_OK; i++) {
        bool due;
        e = schedule_due(&l.v[i], py, pm, &parts[ndue], &due);
        if (e == ERR_OK && due) {
            l.v[ndue] = l.v[i]; /* compact: l.v[k] pairs with parts[k] */
            e = money_add(total, parts[ndue].amount_fen, &total);
            ndue++;
        }
    }
    if (e != ERR_OK || total == 0) {
        /* nothing due, or only zero parts: they are caught up with a later month */
        free(parts);
        free(l.v);
        return e;
    }
    char key[LEDGER_KEY_MAX + 1], memo[32];
    snprintf(key, sizeof(key), "earn:%s:%s:%lld-%lld:%zu", x->funds[f].code, period,
             (long long)l.v[0].id, (long long)l.v[ndue - 1].id, ndue);
    snprintf(memo, sizeof(memo), "earning %s", period);
    struct ledger_line_in lines[2] = {{LEDGER_UNEARNED, LEDGER_DEBIT, total},
                                      {LEDGER_CONTRIBUTIONS, LEDGER_CREDIT, total}};
    struct ledger_entry_in in = {.fund = x->funds[f].code, .date = last_day,
                                 .source = LEDGER_SRC_EARNING, .source_id = period, .memo = memo,
                                 .idem_key = key, .lines = lines, .nlines = 2};
    struct nentry ne;
    struct ledger_result r = {0};
    r.err = ledger_normalize(x, &in, 0, &ne, &r);
    if (r.err == ERR_OK) {
        struct post_opts o = {.created_by = actor->user_id};
        e = ledger_post_normalized(x, actor, &ne, &o, &r);
    }
    if (e == ERR_OK && r.err == ERR_OK && (r.replayed || r.outcome != LEDGER_POSTED)) {
        r.err = ERR_INTERNAL; /* earning keys name schedules not yet earned: never seen */
    }
    if (e == ERR_OK) {
        e = r.err;
    }
    for (size_t k = 0; k < ndue && e == ERR_OK; k++) {
        const struct store_ledger_schedule *s = &l.v[k];
        int sy = atoi(s->cover_start), sm = atoi(s->cover_start + 5);
        char month[8];
        for (size_t i = parts[k].from; i <= parts[k].to && e == ERR_OK; i++) {
            month_text(sy, sm, (int)i, month);
            e = store_ledger_earning_insert(x->c, s->id, month, r.entry_id, parts[k].parts[i]);
        }
        int64_t earned;
        if (e == ERR_OK && (e = money_add(s->earned_fen, parts[k].amount_fen, &earned)) == ERR_OK) {
            e = store_ledger_schedule_set_earned(x->c, s->id, earned, month);
        }
    }
    if (e == ERR_OK) {
        e = ledger_ctx_flush(x);
    }
    if (e == ERR_OK) {
        out->entries++;
        out->schedules += (int64_t)ndue;
        e = money_add(out->amount_fen, total, &out->amount_fen);
    }
    free(parts);
    free(l.v);
    return e;
}

struct earn_job {
    const struct audit_actor *actor;
    const char *fund, *period;
    struct ledger_earn_result *out;
};

static enum err earn_tx(struct store_conn *c, void *ctx)
{
    struct earn_job *j = ctx;
    int y, m;
    struct date first, last;
    char last_day[DATE_TEXT_LEN + 1];
    memset(j->out, 0, sizeof(*j->out));
    if (parse_period(j->period, &y, &m, &first, &last) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    date_format(last, last_day);
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    int only = j->fund ? ledger_ctx_fund(x, j->fund) : -1;
    if (j->fund && only < 0) {
        e = ERR_NOT_FOUND;
    }
    for (size_t f = 0; f < x->nfunds && e == ERR_OK; f++) {
        if (only < 0 || (size_t)only == f) {
            e = earn_fund(x, j->actor, f, y, m, j->period, last_day, j->out);
        }
    }
    ledger_ctx_free(x);
    return e;
}

enum err ledger_earn(struct store_conn *c, const struct audit_actor *actor, const char *fund,
                     const char *period, struct ledger_earn_result *out)
{
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    struct earn_job j = {actor, fund, period, out};
    return store_with_tx(c, earn_tx, &j);
}

/* --- reports ------------------------------------------------------------------------ */

static enum err sum_account(struct store_conn *c, const struct acct *a, const char *from,
                            const char *to, int64_t *debit, int64_t *credit)
{
    return store_ledger_day_sum(c, a->a.id, from, to, debit, credit);
}

/* Normal-side amount of (debit, credit) for the account. */
static enum err normal(const struct acct *a, int64_t debit, int64_t credit, int64_t *out)
{
    return a->a.normal_side == 'D' ? money_sub(debit, credit, out) : money_sub(credit, debit, out);
}

static enum err ratio_bp(int64_t num, int64_t den, int64_t *out)
{
    if (den <= 0) {
        *out = -1;
        return ERR_OK;
    }
    __int128 q = (__int128)num * BP_ONE / den;
    if (q > INT64_MAX || q < INT64_MIN) {
        return ERR_OVERFLOW;
    }
    *out = (int64_t)q;
    return ERR_OK;
}

static enum err report_compute(struct ledger_ctx *x, size_t f, const char *period,
                               struct ledger_report *r)
{
    int y, m;
    struct date first, last, ytd, trailing;
    if (parse_period(period, &y, &m, &first, &last) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    memset(r, 0, sizeof(*r));
    snprintf(r->fund, sizeof(r->fund), "%s", x->funds[f].code);
    snprintf(r->period, sizeof(r->period), "%s", period);
    date_format(last, r->period_end);
    r->closed = strcmp(period, x->funds[f].closed_through) <= 0;
    char from[DATE_TEXT_LEN + 1], year_from[DATE_TEXT_LEN + 1], trail_from[DATE_TEXT_LEN + 1];
    date_format(first, from);
    if (date_from_ymd(y, 1, 1, &ytd) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    date_format(ytd, year_from);
    int ty = m == 12 ? y : y - 1, tm = m == 12 ? 1 : m + 1; /* twelve months ending with m */
    if (date_from_ymd(ty, tm, 1, &trailing) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    date_format(trailing, trail_from);
    enum err e = ERR_OK;
    size_t n = x->fund_count[f];
    ASSERT(n == LEDGER_ACCOUNTS_PER_FUND);
    int64_t income_cum = 0, expense_cum = 0, contrib_ytd = 0, mgmt_ytd = 0, benefits_12m = 0;
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        const struct acct *a = &x->accts[x->fund_first[f] + i];
        struct ledger_account_total *t = &r->accounts[i];
        snprintf(t->code, sizeof(t->code), "%s", a->a.code);
        snprintf(t->name, sizeof(t->name), "%s", a->a.name);
        snprintf(t->type, sizeof(t->type), "%s", a->a.type);
        int64_t pd, pc, period_normal, ad, ac;
        if ((e = sum_account(x->c, a, NULL, r->period_end, &t->debit_fen, &t->credit_fen)) ||
            (e = normal(a, t->debit_fen, t->credit_fen, &t->balance_fen)) ||
            (e = money_add(r->trial_debit_fen, t->debit_fen, &r->trial_debit_fen)) ||
            (e = money_add(r->trial_credit_fen, t->credit_fen, &r->trial_credit_fen)) ||
            (e = sum_account(x->c, a, from, r->period_end, &pd, &pc)) ||
            (e = normal(a, pd, pc, &period_normal))) {
            break;
        }
        const char *code = a->a.code;
        bool is_income = strcmp(a->a.type, "income") == 0;
        bool is_expense = strcmp(a->a.type, "expense") == 0;
        if (is_income) {
            e = money_add(r->income_fen, period_normal, &r->income_fen);
            if (e == ERR_OK) {
                e = money_add(income_cum, t->balance_fen, &income_cum);
            }
        } else if (is_expense) {
            e = money_add(r->expense_fen, period_normal, &r->expense_fen);
            if (e == ERR_OK) {
                e = money_add(expense_cum, t->balance_fen, &expense_cum);
            }
        }
        if (strcmp(code, LEDGER_CONTRIBUTIONS) == 0) {
            r->contributions_earned_fen = period_normal;
            if (e == ERR_OK && (e = sum_account(x->c, a, year_from, r->period_end, &ad, &ac)) ==
                                   ERR_OK) {
                e = normal(a, ad, ac, &contrib_ytd);
            }
        } else if (strcmp(code, LEDGER_SUBSIDIES) == 0) {
            r->subsidies_fen = period_normal;
        } else if (strcmp(code, LEDGER_INTEREST) == 0) {
            r->interest_fen = period_normal;
        } else if (strcmp(code, LEDGER_BENEFITS) == 0) {
            r->benefits_fen = period_normal;
            if (e == ERR_OK && (e = sum_account(x->c, a, trail_from, r->period_end, &ad, &ac)) ==
                                   ERR_OK) {
                e = normal(a, ad, ac, &benefits_12m);
            }
        } else if (strcmp(code, LEDGER_MGMT) == 0) {
            r->mgmt_expense_fen = period_normal;
            if (e == ERR_OK && (e = sum_account(x->c, a, year_from, r->period_end, &ad, &ac)) ==
                                   ERR_OK) {
                e = normal(a, ad, ac, &mgmt_ytd);
            }
        } else if (strcmp(code, LEDGER_BANK) == 0) {
            r->bank_fen = t->balance_fen;
        } else if (strcmp(code, LEDGER_UNEARNED) == 0) {
            r->unearned_fen = t->balance_fen;
        } else if (strcmp(code, LEDGER_PAYABLE) == 0) {
            r->payable_fen = t->balance_fen;
        } else if (strcmp(code, LEDGER_FUND_BALANCE) == 0) {
            r->fund_balance_fen = t->balance_fen;
        }
    }
    int64_t surplus_cum;
    if (e == ERR_OK) {
        r->assets_fen = r->bank_fen;
        if ((e = money_sub(r->income_fen, r->expense_fen, &r->surplus_fen)) ||
            (e = money_add(r->unearned_fen, r->payable_fen, &r->liabilities_fen)) ||
            (e = money_sub(income_cum, expense_cum, &surplus_cum)) ||
            (e = money_add(r->fund_balance_fen, surplus_cum, &r->net_assets_fen)) ||
            (e = ratio_bp(r->net_assets_fen, benefits_12m, &r->reserve_ratio_bp)) ||
            (e = ratio_bp(mgmt_ytd, contrib_ytd, &r->mgmt_ratio_bp))) {
            return e;
        }
    }
    return e;
}

struct report_job {
    const char *fund, *period;
    struct ledger_report *out;
};

static enum err report_tx(struct store_conn *c, void *ctx)
{
    struct report_job *j = ctx;
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    int f = j->fund ? ledger_ctx_fund(x, j->fund) : -1;
    e = f < 0 ? ERR_NOT_FOUND : report_compute(x, (size_t)f, j->period, j->out);
    ledger_ctx_free(x);
    return e;
}

enum err ledger_report(struct store_conn *c, const char *fund, const char *period,
                       struct ledger_report *out)
{
    struct report_job j = {fund, period, out};
    return store_with_tx(c, report_tx, &j);
}

static int set_int(json_t *o, const char *k, int64_t v)
{
    return json_object_set_new(o, k, json_integer((json_int_t)v));
}

enum err ledger_report_json(const struct ledger_report *r, char **out_json)
{
    json_t *root = json_object(), *tb = json_object(), *accts = json_array();
    json_t *is = json_object(), *bs = json_object();
    int bad = root == NULL || tb == NULL || accts == NULL || is == NULL || bs == NULL;
    for (size_t i = 0; i < LEDGER_ACCOUNTS_PER_FUND && !bad; i++) {
        const struct ledger_account_total *t = &r->accounts[i];
        json_t *a = json_object();
        bad |= a == NULL || json_array_append_new(accts, a);
        if (!bad) {
            bad |= json_object_set_new(a, "code", json_string(t->code)) |
                   json_object_set_new(a, "name", json_string(t->name)) |
                   json_object_set_new(a, "type", json_string(t->type)) |
                   set_int(a, "debit_fen", t->debit_fen) | set_int(a, "credit_fen", t->credit_fen) |
                   set_int(a, "balance_fen", t->balance_fen);
        }
    }
    if (!bad) {
        bad |= json_object_set_new(tb, "accounts", accts);
        accts = NULL;
        bad |= set_int(tb, "debit_fen", r->trial_debit_fen) |
               set_int(tb, "credit_fen", r->trial_credit_fen);
        bad |= set_int(is, "contributions_earned_fen", r->contributions_earned_fen) |
               set_int(is, "subsidies_fen", r->subsidies_fen) |
               set_int(is, "interest_fen", r->interest_fen) |
               set_int(is, "income_fen", r->income_fen) |
               set_int(is, "benefits_fen", r->benefits_fen) |
               set_int(is, "mgmt_expense_fen", r->mgmt_expense_fen) |
               set_int(is, "expense_fen", r->expense_fen) |
               set_int(is, "surplus_fen", r->surplus_fen);
        bad |= set_int(bs, "bank_fen", r->bank_fen) | set_int(bs, "assets_fen", r->assets_fen) |
               set_int(bs, "unearned_fen", r->unearned_fen) |
               set_int(bs, "payable_fen", r->payable_fen) |
               set_int(bs, "liabilities_fen", r->liabilities_fen) |
               set_int(bs, "fund_balance_fen", r->fund_balance_fen) |
               set_int(bs, "net_assets_fen", r->net_assets_fen);
        bad |= json_object_set_new(root, "fund", json_string(r->fund)) |
               json_object_set_new(root, "period", json_string(r->period)) |
               json_object_set_new(root, "period_end", json_string(r->period_end)) |
               json_object_set_new(root, "trial_balance", tb) |
               json_object_set_new(root, "income_statement", is) |
               json_object_set_new(root, "balance_sheet", bs) |
               set_int(root, "reserve_ratio_bp", r->reserve_ratio_bp) |
               set_int(root, "mgmt_ratio_bp", r->mgmt_ratio_bp);
        tb = is = bs = NULL;
    }
    char *s = bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(accts);
    json_decref(tb);
    json_decref(is);
    json_decref(bs);
    json_decref(root);
    if (s == NULL) {
        return bad ? ERR_INVALID : ERR_NOMEM;
    }
    *out_json = s;
    return ERR_OK;
}

enum err ledger_report_stored(struct store_conn *c, const char *fund, const char *period,
                              bool *found, char **out_json)
{
    struct ledger_ctx *x;
    unsigned char digest[LEDGER_DIGEST_BYTES];
    *found = false;
    *out_json = NULL;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    int f = fund ? ledger_ctx_fund(x, fund) : -1;
    e = f < 0 ? ERR_NOT_FOUND
              : store_ledger_period_get(c, x->funds[f].id, period, found, out_json, digest);
    ledger_ctx_free(x);
    return e;
}

/* --- close ------------------------------------------------------------------------------- */

struct close_job {
    const struct audit_actor *actor;
    const char *fund, *period;
};

static enum err close_fund(struct ledger_ctx *x, const struct audit_actor *actor, size_t f,
                           const char *period)
{
    struct ledger_report r;
    char *json = NULL;
    unsigned char digest[LEDGER_DIGEST_BYTES];
    enum err e = report_compute(x, f, period, &r);
    if (e == ERR_OK) {
        e = ledger_report_json(&r, &json);
    }
    if (e == ERR_OK) {
        crypto_hash_sha256(digest, (const unsigned char *)json, strlen(json));
        e = store_ledger_period_insert(x->c, x->funds[f].id, period, actor->user_id, json, digest);
    }
    if (e == ERR_OK) {
        e = store_ledger_fund_close(x->c, x->funds[f].id, period);
    }
    if (e == ERR_OK) {
        char surplus[24];
        snprintf(surplus, sizeof(surplus), "%lld", (long long)r.surplus_fen);
        const char *pairs[] = {"fund", x->funds[f].code, "period", period, "surplus_fen", surplus};
        e = ledger_audit(x->c, actor, "ledger.period_close", "fund", x->funds[f].id, pairs, 3);
    }
    free(json);
    return e;
}

static enum err close_tx(struct store_conn *c, void *ctx)
{
    struct close_job *j = ctx;
    int y, m;
    struct date first, last;
    if (parse_period(j->period, &y, &m, &first, &last) != ERR_OK) {
        return ERR_INVALID_DATE;
    }
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    int only = j->fund ? ledger_ctx_fund(x, j->fund) : -1;
    if (j->fund && only < 0) {
        e = ERR_NOT_FOUND;
    }
    size_t closed = 0;
    for (size_t f = 0; f < x->nfunds && e == ERR_OK; f++) {
        if (only >= 0 && (size_t)only != f) {
            continue;
        }
        if (strcmp(j->period, x->funds[f].closed_through) <= 0) {
            continue; /* closed already (through this period or later) */
        }
        e = close_fund(x, j->actor, f, j->period);
        closed++;
    }
    if (e == ERR_OK && closed == 0) {
        e = ERR_PERIOD_CLOSED;
    }
    ledger_ctx_free(x);
    return e;
}

enum err ledger_close(struct store_conn *c, const struct audit_actor *actor, const char *fund,
                      const char *period)
{
    struct ledger_earn_result er;
    enum err e = ledger_earn(c, actor, fund, period, &er);
    if (e != ERR_OK && e != ERR_PERIOD_CLOSED) {
        return e;
    }
    struct close_job j = {actor, fund, period};
    return store_with_tx(c, close_tx, &j);
}

/* --- balances ------------------------------------------------------------------------------ */

struct balances_job {
    const char *as_of;
    struct ledger_ctx *x; /* kept for the callbacks after the transaction */
    int64_t *balances;
};

static enum err balances_tx(struct store_conn *c, void *ctx)
{
    struct balances_job *j = ctx;
    ledger_ctx_free(j->x);
    free(j->balances);
    j->x = NULL;
    j->balances = NULL;
    enum err e = ledger_ctx_load(c, &j->x);
    if (e != ERR_OK) {
        return e;
    }
    j->balances = calloc(j->x->naccts + 1, sizeof(*j->balances));
    if (j->balances == NULL) {
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < j->x->naccts && e == ERR_OK; i++) {
        const struct acct *a = &j->x->accts[i];
        int64_t d, cr;
        if (j->as_of == NULL) {
            e = normal(a, a->a.balance_fen, 0, &j->balances[i]);
        } else if ((e = sum_account(c, a, NULL, j->as_of, &d, &cr)) == ERR_OK) {
            e = normal(a, d, cr, &j->balances[i]);
        }
    }
    return e;
}

enum err ledger_balances(struct store_conn *c, const char *as_of,
                         enum err (*fn)(void *ctx, const struct ledger_balance *b), void *ctx)
{
    struct date d;
    char day[DATE_TEXT_LEN + 1];
    if (as_of != NULL) {
        if (ledger_parse_date(as_of, &d) != ERR_OK) {
            return ERR_INVALID_DATE;
        }
        date_format(d, day);
    }
    struct balances_job j = {as_of ? day : NULL, NULL, NULL};
    enum err e = store_with_tx(c, balances_tx, &j);
    for (size_t i = 0; e == ERR_OK && i < j.x->naccts; i++) {
        const struct acct *a = &j.x->accts[i];
        struct ledger_balance b = {j.x->funds[a->fund].code, a->a.code, a->a.name, j.balances[i]};
        e = fn(ctx, &b);
    }
    ledger_ctx_free(j.x);
    free(j.balances);
    return e;
}

/* --- reads ------------------------------------------------------------------------------------ */

struct entries_walk {
    struct ledger_ctx *x;
    enum err (*fn)(void *ctx, const struct ledger_entry_view *e);
    void *ctx;
    struct ledger_entry_view v;
};

static enum err entry_view(void *ctx, const struct store_ledger_entry *e,
                           const struct store_ledger_line *lines, size_t n)
{
    struct entries_walk *w = ctx;
    struct ledger_entry_view *v = &w->v;
    int f = ledger_ctx_fund_by_id(w->x, e->fund_id);
    if (f < 0) {
        return ERR_DB;
    }
    *v = (struct ledger_entry_view){
        .id = e->id, .fund = w->x->funds[f].code, .date = e->entry_date, .period = e->period,
        .source = e->source_type, .source_id = e->source_id, .memo = e->memo,
        .created_at = e->created_at, .created_by = e->created_by,
        .approved_by = e->approved_by, .reversal_of = e->reversal_of,
        .total_fen = e->total_debit_fen, .nlines = n};
    for (size_t i = 0; i < n; i++) {
        int a = ledger_ctx_acct_by_id(w->x, lines[i].account_id);
        if (a < 0) {
            return ERR_DB;
        }
        v->lines[i] = (struct ledger_line_view){w->x->accts[a].a.code, lines[i].side,
                                                lines[i].amount_fen};
    }
    return w->fn(w->ctx, v);
}

enum err ledger_entries(struct store_conn *c, const struct ledger_entry_filter *f,
                        enum err (*fn)(void *ctx, const struct ledger_entry_view *e), void *ctx,
                        size_t *out_n)
{
    struct date d;
    enum ledger_source src;
    if ((f->from_date && ledger_parse_date(f->from_date, &d) != ERR_OK) ||
        (f->to_date && ledger_parse_date(f->to_date, &d) != ERR_OK)) {
        return ERR_INVALID_DATE;
    }
    if (f->source && ledger_source_parse(f->source, strlen(f->source), &src) != ERR_OK) {
        return ERR_INVALID;
    }
    if (f->limit > LIMIT_PAGE_MAX || (f->source_id && !ledger_text_ok(f->source_id,
                                                                       LEDGER_SOURCE_ID_MAX))) {
        return f->limit > LIMIT_PAGE_MAX ? ERR_TOO_LARGE : ERR_INVALID;
    }
    if (f->account && (strlen(f->account) != 4 || strspn(f->account, "0123456789") != 4)) {
        return ERR_INVALID;
    }
    struct entries_walk *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return ERR_NOMEM;
    }
    enum err e = ledger_ctx_load(c, &w->x);
    int fund = -1;
    if (e == ERR_OK && f->fund && (fund = ledger_ctx_fund(w->x, f->fund)) < 0) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        w->fn = fn;
        w->ctx = ctx;
        struct store_ledger_entry_filter sf = {
            .after_id = f->after_id, .fund_id = fund >= 0 ? w->x->funds[fund].id : 0,
            .source_type = f->source, .source_id = f->source_id, .from_date = f->from_date,
            .to_date = f->to_date, .limit = f->limit ? f->limit : LIMIT_PAGE_DEFAULT,
            .account_code = f->account};
        e = store_ledger_entry_each(c, &sf, entry_view, w, out_n);
    }
    ledger_ctx_free(w->x);
    free(w);
    return e;
}

enum err ledger_pending_list(struct store_conn *c,
                             enum err (*fn)(void *ctx, const struct store_ledger_pending *p),
                             void *ctx)
{
    return store_ledger_pending_each(c, fn, ctx);
}

/* --- verify ----------------------------------------------------------------------------------- */

#define VERIFY_PAGE 5000 /* entries per read while recomputing digests */

struct verify_walk {
    struct ledger_ctx *x;
    int *acct_of_id; /* account id -> ctx index, -1 unknown */
    int64_t max_acct_id;
    struct ledger_verify_result *out;
    int64_t last_id;
    /* day walk */
    int64_t cur_acct, running;
    struct year_sum *years;
    size_t nyears, capyears;
};

struct year_sum {
    size_t fund;
    int year;
    int64_t mgmt_fen;   /* 5201 net debit */
    int64_t income_fen; /* 4101 net credit */
};

static void problem(struct ledger_verify_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct ledger_verify_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->problem, sizeof(out->problem), fmt, ap);
    va_end(ap);
    out->ok = false;
}

static int acct_index(const struct verify_walk *w, int64_t id)
{
    return id > 0 && id <= w->max_acct_id ? w->acct_of_id[id] : -1;
}

static enum err verify_entry(void *ctx, const struct store_ledger_entry *e,
                             const struct store_ledger_line *lines, size_t n)
{
    struct verify_walk *w = ctx;
    const char *codes[LEDGER_LINES_MAX];
    char sides[LEDGER_LINES_MAX];
    int64_t amounts[LEDGER_LINES_MAX];
    w->last_id = e->id;
    int f = ledger_ctx_fund_by_id(w->x, e->fund_id);
    if (f < 0 || n > LEDGER_LINES_MAX || (int64_t)n != e->line_count) {
        problem(w->out, "entry %lld: unknown fund or wrong number of lines", (long long)e->id);
        return ERR_EOF;
    }
    for (size_t i = 0; i < n; i++) {
        int a = acct_index(w, lines[i].account_id);
        if (a < 0) {
            problem(w->out, "entry %lld: line %zu names an unknown account", (long long)e->id,
                    i + 1);
            return ERR_EOF;
        }
        codes[i] = w->x->accts[a].a.code;
        sides[i] = lines[i].side;
        amounts[i] = lines[i].amount_fen;
    }
    unsigned char digest[LEDGER_DIGEST_BYTES];
    ledger_entry_digest(w->x->funds[f].code, e->entry_date, e->source_type, e->source_id, e->memo,
                        e->reversal_of, codes, sides, amounts, n, digest);
    if (sodium_memcmp(digest, e->digest, sizeof(digest)) != 0) {
        problem(w->out, "entry %lld: content does not match its digest", (long long)e->id);
        return ERR_EOF;
    }
    w->out->entries++;
    return ERR_OK;
}

static enum err year_add(struct verify_walk *w, size_t fund, int year, int64_t mgmt,
                         int64_t income)
{
    struct year_sum *y = NULL;
    for (size_t i = 0; i < w->nyears; i++) {
        if (w->years[i].fund == fund && w->years[i].year == year) {
            y = &w->years[i];
        }
    }
    if (y == NULL) {
        if (w->nyears == w->capyears) {
            size_t cap = w->capyears ? w->capyears * 2 : 16;
            struct year_sum *v = realloc(w->years, cap * sizeof(*v));
            if (v == NULL) {
                return ERR_NOMEM;
            }
            w->years = v;
            w->capyears = cap;
        }
        y = &w->years[w->nyears++];
        *y = (struct year_sum){fund, year, 0, 0};
    }
    enum err e = money_add(y->mgmt_fen, mgmt, &y->mgmt_fen);
    return e == ERR_OK ? money_add(y->income_fen, income, &y->income_fen) : e;
}

static enum err verify_day(void *ctx, int64_t account_id, const char *day, int64_t debit_fen,
                           int64_t credit_fen)
{
    struct verify_walk *w = ctx;
    int a = acct_index(w, account_id);
    if (a < 0) {
        problem(w->out, "day movements of unknown account %lld", (long long)account_id);
        return ERR_EOF;
    }
    const struct acct *ac = &w->x->accts[a];
    if (account_id != w->cur_acct) {
        w->cur_acct = account_id;
        w->running = 0;
    }
    int64_t net;
    enum err e = money_sub(debit_fen, credit_fen, &net);
    if (e == ERR_OK) {
        e = money_add(w->running, net, &w->running);
    }
    if (e != ERR_OK) {
        return e;
    }
    int64_t normal_bal = ac->a.normal_side == 'D' ? w->running : -w->running;
    if (ac->a.no_negative && normal_bal < 0) {
        problem(w->out, "account %s of fund %s is below zero at the end of %s", ac->a.code,
                w->x->funds[ac->fund].code, day);
        return ERR_EOF;
    }
    int year = atoi(day);
    if (strcmp(ac->a.code, LEDGER_MGMT) == 0) {
        return year_add(w, ac->fund, year, net, 0);
    }
    if (strcmp(ac->a.code, LEDGER_CONTRIBUTIONS) == 0) {
        return year_add(w, ac->fund, year, 0, -net);
    }
    return ERR_OK;
}

static enum err verify_tx(struct store_conn *c, void *ctx)
{
    struct ledger_verify_result *out = ctx;
    memset(out, 0, sizeof(*out));
    out->ok = true;
    int64_t bad = 0, d = 0, cr = 0;
    char day[DATE_TEXT_LEN + 1];
    enum err e;
    if ((e = store_ledger_check_entries(c, &bad)) != ERR_OK) {
        return e;
    }
    if (bad) {
        problem(out, "entry %lld is unbalanced or does not match its lines", (long long)bad);
        return ERR_OK;
    }
    if ((e = store_ledger_check_orphans(c, &bad)) != ERR_OK) {
        return e;
    }
    if (bad) {
        problem(out, "lines of entry %lld have no entry", (long long)bad);
        return ERR_OK;
    }
    struct verify_walk w = {0};
    w.out = out;
    w.cur_acct = -1;
    if ((e = ledger_ctx_load(c, &w.x)) != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < w.x->naccts; i++) {
        if (w.x->accts[i].a.id > w.max_acct_id) {
            w.max_acct_id = w.x->accts[i].a.id;
        }
    }
    w.acct_of_id = malloc(((size_t)w.max_acct_id + 1) * sizeof(int));
    if (w.acct_of_id == NULL) {
        e = ERR_NOMEM;
    } else {
        for (int64_t i = 0; i <= w.max_acct_id; i++) {
            w.acct_of_id[i] = -1;
        }
        for (size_t i = 0; i < w.x->naccts; i++) {
            w.acct_of_id[w.x->accts[i].a.id] = (int)i;
        }
    }
    /* digests, a page at a time */
    for (size_t got = VERIFY_PAGE; e == ERR_OK && out->ok && got == VERIFY_PAGE;) {
        struct store_ledger_entry_filter f = {.after_id = w.last_id, .limit = VERIFY_PAGE};
        e = store_ledger_entry_each(c, &f, verify_entry, &w, &got);
    }
    if (e == ERR_EOF) {
        e = ERR_OK; /* a problem stopped the walk */
    }
    if (e == ERR_OK && out->ok && (e = store_ledger_line_totals(c, &d, &cr)) == ERR_OK &&
        d != cr) {
        problem(out, "trial balance is not zero: debits %lld, credits %lld", (long long)d,
                (long long)cr);
    }
    if (e == ERR_OK && out->ok && (e = store_ledger_check_balances(c, &bad)) == ERR_OK && bad) {
        problem(out, "account %lld: stored balance differs from the sum of its lines",
                (long long)bad);
    }
    if (e == ERR_OK && out->ok && (e = store_ledger_check_days(c, &bad, day)) == ERR_OK && bad) {
        problem(out, "account %lld: movements of %s differ from its lines", (long long)bad, day);
    }
    if (e == ERR_OK && out->ok) {
        e = store_ledger_day_each(c, verify_day, &w);
        if (e == ERR_EOF) {
            e = ERR_OK;
        }
    }
    for (size_t i = 0; e == ERR_OK && out->ok && i < w.nyears; i++) {
        const struct year_sum *y = &w.years[i];
        if (!ledger_within_cap(y->mgmt_fen, y->income_fen, w.x->funds[y->fund].mgmt_cap_bp)) {
            problem(out, "fund %s: management expense of %d passes its cap",
                    w.x->funds[y->fund].code, y->year);
        }
    }
    if (e == ERR_OK && out->ok && (e = store_ledger_check_reversals(c, &bad)) == ERR_OK && bad) {
        problem(out, "reversal %lld does not mirror the entry it reverses", (long long)bad);
    }
    if (e == ERR_OK && out->ok && (e = store_ledger_check_schedules(c, &bad)) == ERR_OK && bad) {
        problem(out, "contribution schedule %lld: earned amount differs from its earnings or passes"
                " what its refunds left",
                (long long)bad);
    }
    free(w.acct_of_id);
    free(w.years);
    ledger_ctx_free(w.x);
    return e;
}

enum err ledger_verify(struct store_conn *c, struct ledger_verify_result *out)
{
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    return store_with_tx(c, verify_tx, out);
}
