/*
 * ledger: posting, idempotency, fund-use rules, limits, maker-checker,
 * reversals and funds. Earning, periods, reports and verification are in
 * ledger_report.c. See ledger.h for the contract.
 *
 * A posting transaction loads a context once (funds, the chart's accounts
 * with their balances, the rules), validates each entry against it in C,
 * writes lines then header, and keeps the per-account and per-day effects
 * in memory; ctx_flush writes them once per batch (one UPDATE per touched
 * account, one upsert per touched account-day). Limit checks therefore see
 * the database as it was at the start of the batch plus the batch's own
 * effects held here.
 */
#include "domain/ledger.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"
#include "core/date.h"
#include "core/money.h"
#include "core/utf8.h"
#include "domain/ledger_impl.h"

/* --- names ------------------------------------------------------------------ */

static const char *const source_names[LEDGER_SRC__COUNT] = {
    "invoice", "receipt", "claim", "payout_batch", "manual", "earning", "refund", "reversal",
};

const char *ledger_source_name(enum ledger_source s)
{
    return (unsigned)s < LEDGER_SRC__COUNT ? source_names[s] : "";
}

enum err ledger_source_parse(const char *s, size_t len, enum ledger_source *out)
{
    for (size_t i = 0; i < LEDGER_SRC__COUNT; i++) {
        if (strlen(source_names[i]) == len && memcmp(source_names[i], s, len) == 0) {
            *out = (enum ledger_source)i;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

/* --- digest ------------------------------------------------------------------ */

/* The canonical serialisation is built in one buffer and hashed once: each
 * field as an 8-byte big-endian length and its bytes; numbers in decimal. */
struct canon {
    unsigned char *p;
    size_t len, cap;
    crypto_hash_sha256_state h; /* used when the buffer overflows */
    bool streaming;
};

static void canon_bytes(struct canon *c, const void *p, size_t len)
{
    unsigned char be[8];
    uint64_t n = len;
    for (int i = 7; i >= 0; i--) {
        be[i] = (unsigned char)(n & 0xff);
        n >>= 8;
    }
    if (!c->streaming && c->len + sizeof(be) + len > c->cap) {
        crypto_hash_sha256_init(&c->h);
        crypto_hash_sha256_update(&c->h, c->p, c->len);
        c->streaming = true;
    }
    if (c->streaming) {
        crypto_hash_sha256_update(&c->h, be, sizeof(be));
        crypto_hash_sha256_update(&c->h, p, len);
        return;
    }
    memcpy(c->p + c->len, be, sizeof(be));
    memcpy(c->p + c->len + sizeof(be), p, len);
    c->len += sizeof(be) + len;
}

static void canon_str(struct canon *c, const char *s)
{
    canon_bytes(c, s ? s : "", s ? strlen(s) : 0);
}

static void canon_int(struct canon *c, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    canon_bytes(c, buf, (size_t)n);
}

void ledger_entry_digest(const char *fund, const char *date, const char *source,
                         const char *source_id, const char *memo, int64_t reversal_of,
                         const char *const *account_codes, const char *sides,
                         const int64_t *amounts_fen, size_t nlines,
                         unsigned char out[LEDGER_DIGEST_BYTES])
{
    unsigned char buf[1024];
    struct canon c;
    memset(&c, 0, sizeof(c));
    c.p = buf;
    c.cap = sizeof(buf);
    canon_str(&c, "huzhu-ledger-entry-v1");
    canon_str(&c, fund);
    canon_str(&c, date);
    canon_str(&c, source);
    canon_str(&c, source_id);
    canon_str(&c, memo);
    canon_int(&c, reversal_of);
    canon_int(&c, (int64_t)nlines);
    for (size_t i = 0; i < nlines; i++) {
        canon_str(&c, account_codes[i]);
        canon_bytes(&c, &sides[i], 1);
        canon_int(&c, amounts_fen[i]);
    }
    if (c.streaming) {
        crypto_hash_sha256_final(&c.h, out);
    } else {
        crypto_hash_sha256(out, c.p, c.len);
    }
}

/* --- context ------------------------------------------------------------------ */

void ledger_ctx_free(struct ledger_ctx *x)
{
    if (x == NULL) {
        return;
    }
    for (size_t i = 0; i < x->naccts; i++) {
        free(x->accts[i].suffix);
    }
    free(x->accts);
    free(x->deltas);
    free(x->ids);
    free(x->scratch);
    free(x);
}

enum err ledger_ctx_load(struct store_conn *c, struct ledger_ctx **out)
{
    struct ledger_ctx *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        return ERR_NOMEM;
    }
    x->c = c;
    size_t cap = (size_t)LEDGER_FUNDS_MAX * LEDGER_ACCOUNTS_PER_FUND;
    struct store_ledger_account *rows = malloc(cap * sizeof(*rows));
    enum err e = rows == NULL ? ERR_NOMEM : ERR_OK;
    size_t nrows = 0;
    if (e == ERR_OK) {
        e = store_ledger_funds(c, x->funds, LEDGER_FUNDS_MAX, &x->nfunds);
    }
    if (e == ERR_OK) {
        e = store_ledger_accounts(c, rows, cap, &nrows);
    }
    if (e == ERR_OK) {
        e = store_ledger_rules(c, x->rules, LEDGER_RULES_MAX, &x->nrules);
    }
    if (e == ERR_OK) {
        e = store_ledger_pending_any(c, &x->pending_exist);
    }
    if (e == ERR_OK && nrows > 0) {
        x->accts = calloc(nrows, sizeof(*x->accts));
        e = x->accts == NULL ? ERR_NOMEM : ERR_OK;
    }
    if (e == ERR_OK) {
        x->naccts = nrows;
        for (size_t i = 0; i < nrows; i++) {
            x->accts[i].a = rows[i];
        }
        /* accounts come ordered by fund id then code; funds by id */
        size_t ai = 0;
        for (size_t f = 0; f < x->nfunds; f++) {
            while (ai < nrows && x->accts[ai].a.fund_id < x->funds[f].id) {
                ai++;
            }
            x->fund_first[f] = ai;
            while (ai < nrows && x->accts[ai].a.fund_id == x->funds[f].id) {
                x->accts[ai].fund = f;
                ai++;
            }
            x->fund_count[f] = ai - x->fund_first[f];
        }
    }
    free(rows);
    if (e != ERR_OK) {
        ledger_ctx_free(x);
        return e;
    }
    *out = x;
    return ERR_OK;
}

int ledger_ctx_fund(const struct ledger_ctx *x, const char *code)
{
    for (size_t i = 0; i < x->nfunds; i++) {
        if (strcmp(x->funds[i].code, code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int ledger_ctx_fund_by_id(const struct ledger_ctx *x, int64_t id)
{
    for (size_t i = 0; i < x->nfunds; i++) {
        if (x->funds[i].id == id) {
            return (int)i;
        }
    }
    return -1;
}

int ledger_ctx_acct(const struct ledger_ctx *x, size_t fund, const char *code)
{
    size_t first = x->fund_first[fund];
    for (size_t i = first; i < first + x->fund_count[fund]; i++) {
        if (strcmp(x->accts[i].a.code, code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int ledger_ctx_acct_by_id(const struct ledger_ctx *x, int64_t id)
{
    for (size_t i = 0; i < x->naccts; i++) {
        if (x->accts[i].a.id == id) {
            return (int)i;
        }
    }
    return -1;
}

/* Reserves ids for n more entries of this transaction. */
static enum err ctx_reserve(struct ledger_ctx *x, size_t n)
{
    int64_t *ids = realloc(x->ids, n * sizeof(*ids));
    if (ids == NULL) {
        return ERR_NOMEM;
    }
    x->ids = ids;
    x->nids = n;
    x->next_id = 0;
    return store_ledger_reserve_ids(x->c, n, ids);
}

static enum err ctx_take_id(struct ledger_ctx *x, int64_t *out)
{
    if (x->next_id == x->nids) {
        enum err e = ctx_reserve(x, 1);
        if (e != ERR_OK) {
            return e;
        }
    }
    *out = x->ids[x->next_id++];
    return ERR_OK;
}

static enum err delta_add(struct ledger_ctx *x, size_t acct, int32_t day, char side,
                          int64_t amount_fen)
{
    struct day_delta *d = NULL;
    for (size_t i = x->ndeltas; i > 0; i--) {
        if (x->deltas[i - 1].acct == acct && x->deltas[i - 1].day == day) {
            d = &x->deltas[i - 1];
            break;
        }
    }
    if (d == NULL) {
        if (x->ndeltas == x->capdeltas) {
            size_t cap = x->capdeltas ? x->capdeltas * 2 : 64;
            struct day_delta *nd = realloc(x->deltas, cap * sizeof(*nd));
            if (nd == NULL) {
                return ERR_NOMEM;
            }
            x->deltas = nd;
            x->capdeltas = cap;
        }
        d = &x->deltas[x->ndeltas++];
        d->acct = acct;
        d->day = day;
        d->debit_fen = 0;
        d->credit_fen = 0;
    }
    if (side == 'D') {
        return money_add(d->debit_fen, amount_fen, &d->debit_fen);
    }
    return money_add(d->credit_fen, amount_fen, &d->credit_fen);
}

enum err ledger_ctx_flush(struct ledger_ctx *x)
{
    enum err e = ERR_OK;
    for (size_t i = 0; i < x->ndeltas && e == ERR_OK; i++) {
        char day[DATE_TEXT_LEN + 1];
        struct date d = {x->deltas[i].day};
        date_format(d, day);
        e = store_ledger_day_add(x->c, x->accts[x->deltas[i].acct].a.id, day,
                                 x->deltas[i].debit_fen, x->deltas[i].credit_fen);
    }
    for (size_t i = 0; i < x->naccts && e == ERR_OK; i++) {
        struct acct *a = &x->accts[i];
        if (a->batch_delta_fen != 0) {
            e = store_ledger_account_add(x->c, a->a.id, a->batch_delta_fen);
            if (e == ERR_OK) {
                e = money_add(a->a.balance_fen, a->batch_delta_fen, &a->a.balance_fen);
                a->batch_delta_fen = 0;
            }
        }
        a->suffix_loaded = false; /* the database now holds what the cache left out */
        a->nsuffix = 0;
    }
    x->ndeltas = 0;
    return e;
}

/* --- validation ---------------------------------------------------------------- */

static void set_field(struct ledger_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_field(struct ledger_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->field, sizeof(out->field), fmt, ap);
    va_end(ap);
}

/* UTF-8 text of at most max bytes without control characters. */
bool ledger_text_ok(const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len > max || !utf8_is_valid(s, len)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Idempotency keys: 1..LEDGER_KEY_MAX bytes of printable ASCII, no space. */
static bool key_ok(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > LEDGER_KEY_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] <= 0x20 || s[i] >= 0x7f) {
            return false;
        }
    }
    return true;
}

enum err ledger_parse_date(const char *s, struct date *out)
{
    if (s == NULL) {
        return ERR_INVALID_DATE;
    }
    return date_parse(s, strlen(s), out);
}

static bool is_receipt(enum ledger_source s)
{
    return s == LEDGER_SRC_RECEIPT || s == LEDGER_SRC_INVOICE;
}

/* Validates in against the context into a normalised entry. */
enum err ledger_normalize(const struct ledger_ctx *x, const struct ledger_entry_in *in,
                          int64_t reversal_of, struct nentry *ne, struct ledger_result *out)
{
    memset(ne, 0, offsetof(struct nentry, lines));
    int f = in->fund ? ledger_ctx_fund(x, in->fund) : -1;
    if (f < 0) {
        set_field(out, "fund");
        return in->fund ? ERR_NOT_FOUND : ERR_MISSING_FIELD;
    }
    ne->fund = (size_t)f;
    if (ledger_parse_date(in->date, &ne->date) != ERR_OK) {
        set_field(out, "date");
        return ERR_INVALID_DATE;
    }
    date_format(ne->date, ne->date_text);
    memcpy(ne->period, ne->date_text, 7);
    ne->period[7] = '\0';
    if ((unsigned)in->source >= LEDGER_SRC__COUNT ||
        (in->source == LEDGER_SRC_REVERSAL) != (reversal_of != 0)) {
        set_field(out, "source");
        return ERR_INVALID;
    }
    ne->source = in->source;
    ne->reversal_of = reversal_of;
    ne->source_id = in->source_id ? in->source_id : "";
    if (!ledger_text_ok(ne->source_id, LEDGER_SOURCE_ID_MAX)) {
        set_field(out, "source_id");
        return ERR_INVALID;
    }
    ne->memo = in->memo ? in->memo : "";
    if (!ledger_text_ok(ne->memo, LEDGER_MEMO_MAX)) {
        set_field(out, "memo");
        return ERR_INVALID;
    }
    if (!key_ok(in->idem_key)) {
        set_field(out, "idem_key");
        return in->idem_key ? ERR_INVALID : ERR_MISSING_FIELD;
    }
    ne->idem_key = in->idem_key;
    if (in->nlines < 2 || in->nlines > LEDGER_LINES_MAX || in->lines == NULL) {
        set_field(out, "lines");
        return in->nlines > LEDGER_LINES_MAX ? ERR_TOO_LARGE : ERR_INVALID;
    }
    int64_t debit = 0, credit = 0, unearned_credit = 0;
    const char *codes[LEDGER_LINES_MAX];
    char sides[LEDGER_LINES_MAX];
    int64_t amounts[LEDGER_LINES_MAX];
    for (size_t i = 0; i < in->nlines; i++) {
        const struct ledger_line_in *l = &in->lines[i];
        int a = l->account ? ledger_ctx_acct(x, ne->fund, l->account) : -1;
        if (a < 0) {
            set_field(out, "lines[%zu].account", i);
            return l->account ? ERR_NOT_FOUND : ERR_MISSING_FIELD;
        }
        if (l->side != LEDGER_DEBIT && l->side != LEDGER_CREDIT) {
            set_field(out, "lines[%zu].side", i);
            return ERR_INVALID;
        }
        if (l->amount_fen <= 0) {
            set_field(out, "lines[%zu].amount_fen", i);
            return ERR_INVALID_MONEY;
        }
        struct nline *nl = &ne->lines[i];
        nl->acct = (size_t)a;
        nl->side = l->side == LEDGER_DEBIT ? 'D' : 'C';
        nl->amount_fen = l->amount_fen;
        enum err e = money_add(nl->side == 'D' ? debit : credit, l->amount_fen,
                               nl->side == 'D' ? &debit : &credit);
        if (e == ERR_OK && nl->side == 'C' && strcmp(l->account, LEDGER_UNEARNED) == 0) {
            e = money_add(unearned_credit, l->amount_fen, &unearned_credit);
        }
        if (e != ERR_OK) {
            set_field(out, "lines[%zu].amount_fen", i);
            return e;
        }
        codes[i] = x->accts[a].a.code;
        sides[i] = nl->side;
        amounts[i] = nl->amount_fen;
    }
    ne->nlines = in->nlines;
    if (debit != credit) {
        set_field(out, "lines");
        return ERR_UNBALANCED;
    }
    ASSERT(debit == credit && debit > 0);
    ne->total_fen = debit;
    if (unearned_credit > 0 && is_receipt(in->source)) {
        struct date s, t;
        if (ledger_parse_date(in->cover_start, &s) != ERR_OK) {
            set_field(out, "cover_start");
            return in->cover_start ? ERR_INVALID_DATE : ERR_MISSING_FIELD;
        }
        if (ledger_parse_date(in->cover_end, &t) != ERR_OK) {
            set_field(out, "cover_end");
            return in->cover_end ? ERR_INVALID_DATE : ERR_MISSING_FIELD;
        }
        int64_t parts[LEDGER_COVER_MONTHS_MAX];
        size_t nparts;
        enum err e = ledger_split_by_days(unearned_credit, in->cover_start, in->cover_end, parts,
                                          LEDGER_COVER_MONTHS_MAX, &nparts);
        if (e != ERR_OK) {
            set_field(out, "cover_end");
            return e;
        }
        ne->has_cover = true;
        date_format(s, ne->cover_start);
        date_format(t, ne->cover_end);
        ne->cover_amount_fen = unearned_credit;
    } else if (in->cover_start != NULL || in->cover_end != NULL) {
        set_field(out, in->cover_start ? "cover_start" : "cover_end");
        return ERR_INVALID; /* only contribution receipts have a cover term */
    }
    ledger_entry_digest(x->funds[ne->fund].code, ne->date_text, source_names[ne->source],
                        ne->source_id, ne->memo, ne->reversal_of, codes, sides, amounts,
                        ne->nlines, ne->digest);
    return ERR_OK;
}

/* --- rules and limits ---------------------------------------------------------- */

static bool rule_allows(const struct ledger_ctx *x, const char *debit, const char *credit,
                        const char *source)
{
    for (size_t i = 0; i < x->nrules; i++) {
        const struct store_ledger_rule *r = &x->rules[i];
        if (strcmp(r->debit_code, debit) == 0 && strcmp(r->credit_code, credit) == 0 &&
            strcmp(r->source_type, source) == 0) {
            return true;
        }
    }
    return false;
}

static enum err check_rules(const struct ledger_ctx *x, const struct nentry *ne,
                            struct ledger_result *out)
{
    if (ne->source == LEDGER_SRC_REVERSAL) {
        return ERR_OK; /* mirrors an entry that passed them; built here, not by a client */
    }
    const char *src = source_names[ne->source];
    for (size_t i = 0; i < ne->nlines; i++) {
        if (ne->lines[i].side != 'D') {
            continue;
        }
        for (size_t j = 0; j < ne->nlines; j++) {
            if (ne->lines[j].side == 'C' &&
                !rule_allows(x, x->accts[ne->lines[i].acct].a.code,
                             x->accts[ne->lines[j].acct].a.code, src)) {
                set_field(out, "lines");
                return ERR_FUND_USE_REFUSED;
            }
        }
    }
    return ERR_OK;
}

/* True when the entry is a payment under maker-checker above its fund's
 * threshold: money out of the bank, or management expense. */
static bool needs_approval(const struct ledger_ctx *x, const struct nentry *ne)
{
    bool payment = false;
    for (size_t i = 0; i < ne->nlines; i++) {
        const char *code = x->accts[ne->lines[i].acct].a.code;
        if ((ne->lines[i].side == 'C' && strcmp(code, LEDGER_BANK) == 0) ||
            (ne->lines[i].side == 'D' && strcmp(code, LEDGER_MGMT) == 0)) {
            payment = true;
        }
    }
    return payment && ne->total_fen > x->funds[ne->fund].approval_threshold_fen;
}

static int cmp_day_desc(const void *a, const void *b)
{
    int32_t x = ((const struct day_net *)a)->day, y = ((const struct day_net *)b)->day;
    return (x < y) - (x > y);
}

struct suffix_load {
    struct acct *a;
    enum err e;
};

static enum err suffix_row(void *ctx, const char *day, int64_t net_fen)
{
    struct suffix_load *s = ctx;
    struct acct *a = s->a;
    struct date d;
    if (date_parse(day, strlen(day), &d) != ERR_OK) {
        return ERR_DB; /* a stored day that is not a date: data corruption */
    }
    if (a->nsuffix == a->capsuffix) {
        size_t cap = a->capsuffix ? a->capsuffix * 2 : 16;
        struct day_net *n = realloc(a->suffix, cap * sizeof(*n));
        if (n == NULL) {
            return ERR_NOMEM;
        }
        a->suffix = n;
        a->capsuffix = cap;
    }
    a->suffix[a->nsuffix].day = d.day;
    a->suffix[a->nsuffix].net_fen = net_fen;
    a->nsuffix++;
    return ERR_OK;
}

/*
 * The lowest end-of-day normal balance of account ai over days >= day,
 * after an entry changing it by delta_fen (debit - credit) on day. End of
 * day e holds total - (movements of days after e); the minimum is at day
 * itself or at the end of a day before some later movement.
 */
static enum err floor_after(struct ledger_ctx *x, size_t ai, int32_t day, int64_t delta_fen,
                            int64_t *out_min)
{
    struct acct *a = &x->accts[ai];
    enum err e;
    if (!a->suffix_loaded || a->suffix_after > day) {
        char text[DATE_TEXT_LEN + 1];
        struct date d = {day};
        date_format(d, text);
        a->nsuffix = 0;
        struct suffix_load s = {a, ERR_OK};
        if ((e = store_ledger_day_after(x->c, a->a.id, text, suffix_row, &s)) != ERR_OK) {
            return e;
        }
        a->suffix_loaded = true;
        a->suffix_after = day;
    }
    size_t n = 0;
    size_t need = a->nsuffix + x->ndeltas;
    if (need > x->capscratch) {
        struct day_net *s = realloc(x->scratch, need * sizeof(*s));
        if (s == NULL) {
            return ERR_NOMEM;
        }
        x->scratch = s;
        x->capscratch = need;
    }
    for (size_t i = 0; i < a->nsuffix; i++) {
        if (a->suffix[i].day > day) {
            x->scratch[n++] = a->suffix[i];
        }
    }
    for (size_t i = 0; i < x->ndeltas; i++) {
        const struct day_delta *d = &x->deltas[i];
        if (d->acct == ai && d->day > day) {
            x->scratch[n].day = d->day;
            if ((e = money_sub(d->debit_fen, d->credit_fen, &x->scratch[n].net_fen)) != ERR_OK) {
                return e;
            }
            n++;
        }
    }
    int64_t total;
    if ((e = money_add(a->a.balance_fen, a->batch_delta_fen, &total)) != ERR_OK ||
        (e = money_add(total, delta_fen, &total)) != ERR_OK) {
        return e;
    }
    int64_t sign = a->a.normal_side == 'D' ? 1 : -1;
    if (n > 1) {
        qsort(x->scratch, n, sizeof(x->scratch[0]), cmp_day_desc);
    }
    int64_t running = total, min = sign * total;
    for (size_t i = 0; i < n;) {
        int32_t d = x->scratch[i].day;
        while (i < n && x->scratch[i].day == d) {
            if ((e = money_sub(running, x->scratch[i].net_fen, &running)) != ERR_OK) {
                return e;
            }
            i++;
        }
        min = money_min(min, sign * running); /* the end of the day before d */
    }
    *out_min = min;
    return ERR_OK;
}

/* Net (debit - credit) of account ai over days [from, to]: the database's
 * plus this batch's unflushed movements. */
static enum err net_between(struct ledger_ctx *x, size_t ai, struct date from, struct date to,
                            int64_t *out)
{
    char f[DATE_TEXT_LEN + 1], t[DATE_TEXT_LEN + 1];
    date_format(from, f);
    date_format(to, t);
    int64_t d, c, net;
    enum err e = store_ledger_day_sum(x->c, x->accts[ai].a.id, f, t, &d, &c);
    if (e != ERR_OK || (e = money_sub(d, c, &net)) != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < x->ndeltas; i++) {
        const struct day_delta *dd = &x->deltas[i];
        if (dd->acct == ai && dd->day >= from.day && dd->day <= to.day) {
            if ((e = money_add(net, dd->debit_fen, &net)) != ERR_OK ||
                (e = money_sub(net, dd->credit_fen, &net)) != ERR_OK) {
                return e;
            }
        }
    }
    *out = net;
    return ERR_OK;
}

/* mgmt * 10000 <= income * cap_bp, without overflow. */
bool ledger_within_cap(int64_t mgmt_fen, int64_t income_fen, int64_t cap_bp)
{
    if (mgmt_fen <= 0) {
        return true;
    }
    if (income_fen <= 0) {
        return false;
    }
    __int128 lhs = (__int128)mgmt_fen * BP_ONE;
    __int128 rhs = (__int128)income_fen * cap_bp;
    return lhs <= rhs;
}

static enum err check_limits(struct ledger_ctx *x, const struct nentry *ne,
                             struct ledger_result *out)
{
    /* this entry's net per account */
    size_t accts[LEDGER_LINES_MAX];
    int64_t nets[LEDGER_LINES_MAX];
    size_t n = 0;
    enum err e;
    for (size_t i = 0; i < ne->nlines; i++) {
        size_t k = 0;
        while (k < n && accts[k] != ne->lines[i].acct) {
            k++;
        }
        if (k == n) {
            accts[n] = ne->lines[i].acct;
            nets[n++] = 0;
        }
        e = ne->lines[i].side == 'D' ? money_add(nets[k], ne->lines[i].amount_fen, &nets[k])
                                     : money_sub(nets[k], ne->lines[i].amount_fen, &nets[k]);
        if (e != ERR_OK) {
            return e;
        }
    }
    int64_t mgmt_up = 0, income_down = 0;
    for (size_t k = 0; k < n; k++) {
        const struct acct *a = &x->accts[accts[k]];
        int64_t normal = a->a.normal_side == 'D' ? nets[k] : -nets[k];
        if (a->a.no_negative && normal < 0) {
            int64_t min;
            if ((e = floor_after(x, accts[k], ne->date.day, nets[k], &min)) != ERR_OK) {
                return e;
            }
            if (min < 0) {
                set_field(out, "lines");
                return ERR_LIMIT_EXCEEDED;
            }
        }
        if (strcmp(a->a.code, LEDGER_MGMT) == 0 && nets[k] > 0) {
            mgmt_up = nets[k];
        }
        if (strcmp(a->a.code, LEDGER_CONTRIBUTIONS) == 0 && nets[k] > 0) {
            income_down = nets[k];
        }
    }
    if (mgmt_up == 0 && income_down == 0) {
        return ERR_OK;
    }
    int y, m, d;
    date_to_ymd(ne->date, &y, &m, &d);
    struct date from, to;
    if (date_from_ymd(y, 1, 1, &from) != ERR_OK || date_from_ymd(y, 12, 31, &to) != ERR_OK) {
        return ERR_INTERNAL;
    }
    int mg = ledger_ctx_acct(x, ne->fund, LEDGER_MGMT);
    int in = ledger_ctx_acct(x, ne->fund, LEDGER_CONTRIBUTIONS);
    ASSERT(mg >= 0 && in >= 0);
    int64_t mgmt, income_net;
    if ((e = net_between(x, (size_t)mg, from, to, &mgmt)) != ERR_OK ||
        (e = net_between(x, (size_t)in, from, to, &income_net)) != ERR_OK ||
        (e = money_add(mgmt, mgmt_up, &mgmt)) != ERR_OK ||
        (e = money_add(income_net, income_down, &income_net)) != ERR_OK) {
        return e;
    }
    if (!ledger_within_cap(mgmt, -income_net, x->funds[ne->fund].mgmt_cap_bp)) {
        set_field(out, "lines");
        return ERR_LIMIT_EXCEEDED;
    }
    return ERR_OK;
}

/* Entries linked to others: a reversal (once per entry; a receipt's
 * reversal cancels its schedule, allowed only while nothing is earned) and
 * a refund (its source_id is the contribution schedule, whose whole
 * unearned remainder it pays back; the schedule is then cancelled).
 * *cancel gets the schedule to cancel once the entry is written. */
static enum err check_links(struct ledger_ctx *x, const struct nentry *ne, int64_t *cancel,
                            struct ledger_result *out)
{
    bool found;
    struct store_ledger_schedule s;
    enum err e;
    *cancel = 0;
    if (ne->reversal_of != 0) {
        int64_t other = 0;
        if ((e = store_ledger_reversal_for(x->c, ne->reversal_of, &other)) != ERR_OK) {
            return e;
        }
        if (other != 0) {
            set_field(out, "entry_id");
            return ERR_CONFLICT; /* reversed already, under another key */
        }
        if ((e = store_ledger_schedule_by_entry(x->c, ne->reversal_of, &found, &s)) != ERR_OK ||
            !found) {
            return e;
        }
        if (s.earned_fen > 0 || s.cancelled || s.refunded_fen > 0) {
            set_field(out, "entry_id");
            return ERR_CONFLICT; /* partly earned or refunded: refund what is unearned */
        }
        *cancel = s.id;
        return ERR_OK;
    }
    if (ne->source != LEDGER_SRC_REFUND) {
        return ERR_OK;
    }
    /* "N": the whole unearned remainder of schedule N, which is then cancelled;
     * "N/part": part of it, at most the remainder (cancelled when it takes all) */
    char *end;
    long long id = strtoll(ne->source_id, &end, 10);
    bool partial = strcmp(end, STORE_LEDGER_PARTIAL_SUFFIX) == 0;
    if (ne->source_id[0] == '\0' || (*end != '\0' && !partial) || id <= 0) {
        set_field(out, "source_id");
        return ERR_CONFLICT;
    }
    e = store_ledger_schedule_get(x->c, id, &s);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (s.fund_id != x->funds[ne->fund].id ||
                                               s.cancelled))) {
        set_field(out, "source_id");
        return ERR_CONFLICT;
    }
    if (e != ERR_OK) {
        return e;
    }
    int64_t left = s.amount_fen - s.earned_fen - s.refunded_fen;
    if (partial && ne->total_fen > left) {
        set_field(out, "amount_fen");
        return ERR_LIMIT_EXCEEDED; /* more than is still unearned */
    }
    if (!partial && ne->total_fen != left) {
        set_field(out, "source_id");
        return ERR_CONFLICT;
    }
    *cancel = ne->total_fen == left ? s.id : 0;
    return ERR_OK;
}

/* --- posting ---------------------------------------------------------------------- */

int64_t ledger_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum err ledger_audit(struct store_conn *c, const struct audit_actor *actor, const char *action,
                      const char *object_type, int64_t object_id, const char *const *pairs,
                      size_t npairs)
{
    char detail[1024];
    char id[24];
    enum err e = audit_detail_pairs(pairs, npairs, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    snprintf(id, sizeof(id), "%lld", (long long)object_id);
    struct audit_event ev = {
        .at_ms = ledger_now_ms(),
        .actor = *actor,
        .action = action,
        .object_type = object_type,
        .object_id = id,
        .detail = detail,
    };
    return audit_append(c, &ev, NULL);
}

static enum err write_pending(struct ledger_ctx *x, const struct audit_actor *actor,
                              const struct nentry *ne, struct ledger_result *out)
{
    struct store_ledger_pending p;
    memset(&p, 0, sizeof(p));
    p.fund_id = x->funds[ne->fund].id;
    memcpy(p.entry_date, ne->date_text, sizeof(p.entry_date));
    snprintf(p.source_type, sizeof(p.source_type), "%s", source_names[ne->source]);
    snprintf(p.source_id, sizeof(p.source_id), "%s", ne->source_id);
    snprintf(p.memo, sizeof(p.memo), "%s", ne->memo);
    snprintf(p.idem_key, sizeof(p.idem_key), "%s", ne->idem_key);
    memcpy(p.digest, ne->digest, sizeof(p.digest));
    p.amount_fen = ne->total_fen;
    p.created_by = actor->user_id;
    int64_t id;
    enum err e = store_ledger_pending_insert(x->c, &p, &id);
    for (size_t i = 0; i < ne->nlines && e == ERR_OK; i++) {
        struct store_ledger_line l = {x->accts[ne->lines[i].acct].a.id, ne->lines[i].side,
                                      ne->lines[i].amount_fen};
        e = store_ledger_pending_line_insert(x->c, id, (int64_t)i + 1, &l);
    }
    if (e == ERR_EXISTS) {
        return ERR_RETRY; /* a concurrent request took the key: run again, then replay */
    }
    if (e != ERR_OK) {
        return e;
    }
    x->pending_exist = true;
    char amount[24];
    snprintf(amount, sizeof(amount), "%lld", (long long)ne->total_fen);
    const char *pairs[] = {"amount_fen", amount, "fund", x->funds[ne->fund].code,
                           "source", source_names[ne->source]};
    if ((e = ledger_audit(x->c, actor, "ledger.payment_submit", "ledger_pending", id, pairs, 3)) !=
        ERR_OK) {
        return e;
    }
    out->outcome = LEDGER_PENDING;
    out->pending_id = id;
    return ERR_OK;
}

static enum err write_entry(struct ledger_ctx *x, const struct nentry *ne, int64_t created_by,
                            int64_t approved_by, struct ledger_result *out)
{
    int64_t id;
    enum err e = ctx_take_id(x, &id);
    int64_t debit = 0, credit = 0;
    struct store_ledger_line rows[LEDGER_LINES_MAX];
    for (size_t i = 0; i < ne->nlines && e == ERR_OK; i++) {
        const struct nline *l = &ne->lines[i];
        rows[i] = (struct store_ledger_line){x->accts[l->acct].a.id, l->side, l->amount_fen};
        e = money_add(l->side == 'D' ? debit : credit, l->amount_fen,
                      l->side == 'D' ? &debit : &credit);
    }
    if (e == ERR_OK) {
        e = store_ledger_lines_insert(x->c, id, rows, ne->nlines);
    }
    if (e != ERR_OK) {
        return e;
    }
    /* the other side of the boundary: what is written balances */
    ASSERT(debit == credit && debit == ne->total_fen);
    struct store_ledger_entry_row r = {
        .id = id,
        .fund_id = x->funds[ne->fund].id,
        .entry_date = ne->date_text,
        .period = ne->period,
        .source_type = source_names[ne->source],
        .source_id = ne->source_id,
        .memo = ne->memo,
        .created_by = created_by,
        .approved_by = approved_by,
        .idem_key = ne->idem_key,
        .digest = ne->digest,
        .reversal_of = ne->reversal_of,
        .line_count = (int64_t)ne->nlines,
        .total_fen = ne->total_fen,
    };
    e = store_ledger_entry_insert(x->c, &r);
    if (e == ERR_EXISTS) {
        return ERR_RETRY; /* a concurrent writer took the key (PostgreSQL): replay */
    }
    if (e != ERR_OK) {
        return e;
    }
    for (size_t i = 0; i < ne->nlines && e == ERR_OK; i++) {
        const struct nline *l = &ne->lines[i];
        struct acct *a = &x->accts[l->acct];
        e = l->side == 'D' ? money_add(a->batch_delta_fen, l->amount_fen, &a->batch_delta_fen)
                           : money_sub(a->batch_delta_fen, l->amount_fen, &a->batch_delta_fen);
        if (e == ERR_OK) {
            e = delta_add(x, l->acct, ne->date.day, l->side, l->amount_fen);
        }
    }
    if (e == ERR_OK && ne->has_cover) {
        e = store_ledger_schedule_insert(x->c, r.fund_id, id, ne->cover_amount_fen,
                                         ne->cover_start, ne->cover_end, &out->schedule_id);
    }
    if (e == ERR_OK) {
        out->outcome = LEDGER_POSTED;
        out->entry_id = id;
    }
    return e;
}

/* Idempotency: a known key answers its entry or pending payment. *done is
 * set when out is final (a replay or a mismatch). */
static enum err check_key(struct ledger_ctx *x, const struct nentry *ne, bool approving,
                          bool *done, struct ledger_result *out)
{
    bool found;
    int64_t id;
    unsigned char digest[LEDGER_DIGEST_BYTES];
    *done = false;
    enum err e = store_ledger_entry_by_key(x->c, ne->idem_key, &found, &id, digest);
    if (e != ERR_OK) {
        return e;
    }
    if (found) {
        *done = true;
        if (sodium_memcmp(digest, ne->digest, sizeof(digest)) != 0) {
            set_field(out, "idem_key");
            out->err = ERR_IDEMPOTENCY_MISMATCH;
            return ERR_OK;
        }
        out->outcome = LEDGER_POSTED;
        out->replayed = true;
        out->entry_id = id;
        return ERR_OK;
    }
    if (approving || !x->pending_exist) {
        return ERR_OK;
    }
    struct store_ledger_pending p;
    if ((e = store_ledger_pending_by_key(x->c, ne->idem_key, &found, &p)) != ERR_OK || !found) {
        return e;
    }
    *done = true;
    if (sodium_memcmp(p.digest, ne->digest, sizeof(digest)) != 0) {
        set_field(out, "idem_key");
        out->err = ERR_IDEMPOTENCY_MISMATCH;
        return ERR_OK;
    }
    out->replayed = true;
    out->pending_id = p.id;
    out->outcome = strcmp(p.status, "refused") == 0 ? LEDGER_REFUSED : LEDGER_PENDING;
    out->entry_id = p.entry_id;
    return ERR_OK;
}

enum err ledger_post_normalized(struct ledger_ctx *x, const struct audit_actor *actor,
                                const struct nentry *ne, const struct post_opts *o,
                                struct ledger_result *out)
{
    bool done;
    enum err e = check_key(x, ne, o->approving, &done, out);
    if (e != ERR_OK || done) {
        return e;
    }
    const struct store_ledger_fund *f = &x->funds[ne->fund];
    if (strcmp(ne->period, f->closed_through) <= 0) {
        set_field(out, "date");
        out->err = ERR_PERIOD_CLOSED;
        return ERR_OK;
    }
    if ((out->err = check_rules(x, ne, out)) != ERR_OK) {
        return ERR_OK;
    }
    if (!o->approving && needs_approval(x, ne)) {
        return write_pending(x, actor, ne, out);
    }
    int64_t cancel = 0;
    e = check_links(x, ne, &cancel, out);
    if (e == ERR_OK) {
        e = check_limits(x, ne, out);
    }
    if (e == ERR_LIMIT_EXCEEDED || e == ERR_CONFLICT || e == ERR_OVERFLOW) {
        out->err = e; /* this entry is refused; the transaction goes on */
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    if ((e = write_entry(x, ne, o->created_by, o->approved_by, out)) != ERR_OK) {
        return e;
    }
    return cancel ? store_ledger_schedule_cancel(x->c, cancel) : ERR_OK;
}

static void result_clear(struct ledger_result *r)
{
    memset(r, 0, sizeof(*r));
}

/* One entry from a client: normalise, then post. Returns a database error
 * (transaction must roll back) or ERR_OK with out->err the entry's fate. */
static enum err post_one(struct ledger_ctx *x, const struct audit_actor *actor,
                         const struct ledger_entry_in *in, int64_t reversal_of,
                         struct ledger_result *out)
{
    struct nentry ne;
    result_clear(out);
    out->err = ledger_normalize(x, in, reversal_of, &ne, out);
    if (out->err != ERR_OK) {
        return ERR_OK;
    }
    struct post_opts o = {.created_by = actor->user_id};
    return ledger_post_normalized(x, actor, &ne, &o, out);
}

enum err ledger_post_batch_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                 const struct ledger_entry_in *in, size_t n,
                                 struct ledger_result *out)
{
    if (n == 0) {
        return ERR_OK;
    }
    if (n > LEDGER_BATCH_MAX) {
        return ERR_TOO_LARGE;
    }
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    e = ctx_reserve(x, n);
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        e = post_one(x, actor, &in[i], 0, &out[i]);
    }
    if (e == ERR_OK) {
        e = ledger_ctx_flush(x);
    }
    ledger_ctx_free(x);
    return e;
}

enum err ledger_post_in_tx(struct store_conn *c, const struct audit_actor *actor,
                           const struct ledger_entry_in *in, struct ledger_result *out)
{
    enum err e = ledger_post_batch_in_tx(c, actor, in, 1, out);
    return e != ERR_OK ? e : out->err;
}

struct batch_job {
    const struct audit_actor *actor;
    const struct ledger_entry_in *in;
    size_t n;
    struct ledger_result *out;
};

static enum err batch_tx(struct store_conn *c, void *ctx)
{
    struct batch_job *j = ctx;
    return ledger_post_batch_in_tx(c, j->actor, j->in, j->n, j->out);
}

enum err ledger_post_batch(struct store_conn *c, const struct audit_actor *actor,
                           const struct ledger_entry_in *in, size_t n, struct ledger_result *out)
{
    struct batch_job j = {actor, in, n, out};
    return store_with_tx(c, batch_tx, &j);
}

enum err ledger_post(struct store_conn *c, const struct audit_actor *actor,
                     const struct ledger_entry_in *in, struct ledger_result *out)
{
    enum err e = ledger_post_batch(c, actor, in, 1, out);
    if (e != ERR_OK) {
        result_clear(out);
        out->err = e;
    }
    return out->err;
}

/* --- typed postings ------------------------------------------------------------ */

void ledger_entry_of_kind(enum ledger_kind kind, const struct ledger_money_in *m,
                          struct ledger_line_in lines[2], struct ledger_entry_in *e)
{
    static const struct {
        const char *debit, *credit;
        enum ledger_source source;
    } kinds[] = {
        [LEDGER_KIND_CONTRIBUTION] = {LEDGER_BANK, LEDGER_UNEARNED, LEDGER_SRC_RECEIPT},
        [LEDGER_KIND_SUBSIDY] = {LEDGER_BANK, LEDGER_SUBSIDIES, LEDGER_SRC_RECEIPT},
        [LEDGER_KIND_INTEREST] = {LEDGER_BANK, LEDGER_INTEREST, LEDGER_SRC_MANUAL},
        [LEDGER_KIND_OPENING] = {LEDGER_BANK, LEDGER_FUND_BALANCE, LEDGER_SRC_MANUAL},
        [LEDGER_KIND_CLAIM_PAYABLE] = {LEDGER_BENEFITS, LEDGER_PAYABLE, LEDGER_SRC_CLAIM},
        [LEDGER_KIND_PAYOUT] = {LEDGER_PAYABLE, LEDGER_BANK, LEDGER_SRC_PAYOUT_BATCH},
        [LEDGER_KIND_PAYOUT_FAILED] = {LEDGER_BANK, LEDGER_PAYABLE, LEDGER_SRC_PAYOUT_BATCH},
        [LEDGER_KIND_MANUAL_PAYMENT] = {LEDGER_PAYABLE, LEDGER_BANK, LEDGER_SRC_MANUAL},
        [LEDGER_KIND_EXPENSE] = {LEDGER_MGMT, LEDGER_BANK, LEDGER_SRC_MANUAL},
    };
    ASSERT((unsigned)kind < sizeof(kinds) / sizeof(kinds[0]));
    lines[0] = (struct ledger_line_in){kinds[kind].debit, LEDGER_DEBIT, m->amount_fen};
    lines[1] = (struct ledger_line_in){kinds[kind].credit, LEDGER_CREDIT, m->amount_fen};
    *e = (struct ledger_entry_in){
        .fund = m->fund,
        .date = m->date,
        .source = kinds[kind].source,
        .source_id = m->source_id,
        .memo = m->memo,
        .idem_key = m->idem_key,
        .lines = lines,
        .nlines = 2,
        .cover_start = m->cover_start,
        .cover_end = m->cover_end,
    };
}

enum err ledger_post_kind(struct store_conn *c, const struct audit_actor *actor,
                          enum ledger_kind kind, const struct ledger_money_in *m,
                          struct ledger_result *out)
{
    struct ledger_line_in lines[2];
    struct ledger_entry_in e;
    ledger_entry_of_kind(kind, m, lines, &e);
    return ledger_post(c, actor, &e, out);
}

/* --- reversal, refund ------------------------------------------------------------ */

struct reverse_job {
    const struct audit_actor *actor;
    int64_t entry_id;
    const char *date, *memo, *idem_key;
    struct ledger_result *out;
};

static enum err reverse_tx(struct store_conn *c, void *ctx)
{
    struct reverse_job *j = ctx;
    struct store_ledger_entry orig;
    struct store_ledger_line lines[LEDGER_LINES_MAX];
    size_t n;
    result_clear(j->out);
    enum err e = store_ledger_entry_get(c, j->entry_id, &orig, lines, LEDGER_LINES_MAX, &n);
    if (e == ERR_NOT_FOUND) {
        set_field(j->out, "entry_id");
        j->out->err = ERR_NOT_FOUND;
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (strcmp(orig.source_type, "reversal") == 0 || strcmp(orig.source_type, "earning") == 0 ||
        strcmp(orig.source_type, "refund") == 0 ||
        (int64_t)n != orig.line_count) {
        set_field(j->out, "entry_id");
        j->out->err = ERR_CONFLICT;
        return ERR_OK;
    }
    struct ledger_ctx *x;
    if ((e = ledger_ctx_load(c, &x)) != ERR_OK) {
        return e;
    }
    int f = ledger_ctx_fund_by_id(x, orig.fund_id);
    struct ledger_line_in in_lines[LEDGER_LINES_MAX];
    for (size_t i = 0; i < n && f >= 0; i++) {
        int a = ledger_ctx_acct_by_id(x, lines[i].account_id);
        if (a < 0) {
            f = -1;
            break;
        }
        in_lines[i] = (struct ledger_line_in){x->accts[a].a.code,
                                              lines[i].side == 'D' ? LEDGER_CREDIT : LEDGER_DEBIT,
                                              lines[i].amount_fen};
    }
    if (f < 0) {
        ledger_ctx_free(x);
        return ERR_INTERNAL; /* an entry naming an account the chart lacks */
    }
    char source_id[24], memo[64];
    snprintf(source_id, sizeof(source_id), "%lld", (long long)orig.id);
    snprintf(memo, sizeof(memo), "reversal of entry %lld", (long long)orig.id);
    struct ledger_entry_in in = {
        .fund = x->funds[f].code,
        .date = j->date,
        .source = LEDGER_SRC_REVERSAL,
        .source_id = source_id,
        .memo = j->memo && j->memo[0] ? j->memo : memo,
        .idem_key = j->idem_key,
        .lines = in_lines,
        .nlines = n,
    };
    e = ctx_reserve(x, 1);
    if (e == ERR_OK) {
        e = post_one(x, j->actor, &in, orig.id, j->out);
    }
    if (e == ERR_OK && j->out->err == ERR_OK && !j->out->replayed &&
        j->out->outcome == LEDGER_POSTED) {
        e = ledger_ctx_flush(x);
    }
    ledger_ctx_free(x);
    return e;
}

enum err ledger_reverse(struct store_conn *c, const struct audit_actor *actor, int64_t entry_id,
                        const char *date, const char *memo, const char *idem_key,
                        struct ledger_result *out)
{
    struct reverse_job j = {actor, entry_id, date, memo, idem_key, out};
    enum err e = store_with_tx(c, reverse_tx, &j);
    if (e != ERR_OK) {
        result_clear(out);
        out->err = e;
    }
    return out->err;
}

struct refund_job {
    const struct audit_actor *actor;
    int64_t schedule_id;
    const char *date, *idem_key;
    struct ledger_result *out;
};

static enum err refund_tx(struct store_conn *c, void *ctx)
{
    struct refund_job *j = ctx;
    struct store_ledger_schedule s;
    result_clear(j->out);
    enum err e = store_ledger_schedule_get(c, j->schedule_id, &s);
    if (e == ERR_NOT_FOUND) {
        set_field(j->out, "schedule_id");
        j->out->err = e;
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    struct ledger_ctx *x;
    if ((e = ledger_ctx_load(c, &x)) != ERR_OK) {
        return e;
    }
    int f = ledger_ctx_fund_by_id(x, s.fund_id);
    ASSERT(f >= 0);
    char source_id[24];
    snprintf(source_id, sizeof(source_id), "%lld", (long long)s.id);
    /* a cancelled schedule earns no more, so a replay rebuilds the same entry and
     * finds it; a new refund of it is refused in check_links */
    int64_t left = s.amount_fen - s.earned_fen - s.refunded_fen;
    struct ledger_line_in lines[2] = {
        {LEDGER_UNEARNED, LEDGER_DEBIT, left},
        {LEDGER_BANK, LEDGER_CREDIT, left},
    };
    struct ledger_entry_in in = {
        .fund = x->funds[f].code,
        .date = j->date,
        .source = LEDGER_SRC_REFUND,
        .source_id = source_id,
        .memo = "refund of the unearned contribution",
        .idem_key = j->idem_key,
        .lines = lines,
        .nlines = 2,
    };
    e = ctx_reserve(x, 1);
    if (e == ERR_OK) {
        e = post_one(x, j->actor, &in, 0, j->out);
    }
    if (e == ERR_OK && j->out->err == ERR_INVALID_MONEY) {
        set_field(j->out, "schedule_id");
        j->out->err = ERR_CONFLICT; /* nothing unearned is left */
    }
    if (e == ERR_OK && j->out->err == ERR_OK && !j->out->replayed &&
        j->out->outcome == LEDGER_POSTED) {
        e = ledger_ctx_flush(x);
    }
    ledger_ctx_free(x);
    return e;
}

enum err ledger_refund_schedule(struct store_conn *c, const struct audit_actor *actor,
                                int64_t schedule_id, const char *date, const char *idem_key,
                                struct ledger_result *out)
{
    struct refund_job j = {actor, schedule_id, date, idem_key, out};
    enum err e = store_with_tx(c, refund_tx, &j);
    if (e != ERR_OK) {
        result_clear(out);
        out->err = e;
    }
    return out->err;
}

enum err ledger_refund_partial_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                     int64_t schedule_id, int64_t amount_fen, const char *date,
                                     const char *idem_key, struct ledger_result *out)
{
    struct store_ledger_schedule s;
    result_clear(out);
    if (amount_fen <= 0) {
        set_field(out, "amount_fen");
        out->err = ERR_INVALID_MONEY;
        return out->err;
    }
    enum err e = store_ledger_schedule_get(c, schedule_id, &s);
    if (e == ERR_NOT_FOUND) {
        set_field(out, "schedule_id");
        out->err = e;
        return e;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    struct ledger_ctx *x;
    if ((e = ledger_ctx_load(c, &x)) != ERR_OK) {
        return e;
    }
    int f = ledger_ctx_fund_by_id(x, s.fund_id);
    ASSERT(f >= 0);
    char source_id[32];
    snprintf(source_id, sizeof(source_id), "%lld" STORE_LEDGER_PARTIAL_SUFFIX, (long long)s.id);
    struct ledger_line_in lines[2] = {
        {LEDGER_UNEARNED, LEDGER_DEBIT, amount_fen},
        {LEDGER_BANK, LEDGER_CREDIT, amount_fen},
    };
    struct ledger_entry_in in = {
        .fund = x->funds[f].code,
        .date = date,
        .source = LEDGER_SRC_REFUND,
        .source_id = source_id,
        .memo = "partial refund of the unearned contribution",
        .idem_key = idem_key,
        .lines = lines,
        .nlines = 2,
    };
    /* check_links refuses more than the unearned remainder (a replay is found by
     * its key first) and lowers what the schedule earns: its refunded_fen is the
     * sum of these entries */
    e = ctx_reserve(x, 1);
    if (e == ERR_OK) {
        e = post_one(x, actor, &in, 0, out);
    }
    if (e == ERR_OK && out->err == ERR_OK && !out->replayed && out->outcome == LEDGER_POSTED) {
        e = ledger_ctx_flush(x);
    }
    ledger_ctx_free(x);
    return e != ERR_OK ? e : out->err;
}

struct partial_job {
    const struct audit_actor *actor;
    int64_t schedule_id, amount_fen;
    const char *date, *idem_key;
    struct ledger_result *out;
};

static enum err partial_tx(struct store_conn *c, void *ctx)
{
    struct partial_job *j = ctx;
    enum err e = ledger_refund_partial_in_tx(c, j->actor, j->schedule_id, j->amount_fen, j->date,
                                             j->idem_key, j->out);
    return e == j->out->err ? ERR_OK : e; /* a refused refund wrote nothing: commit */
}

enum err ledger_refund_partial(struct store_conn *c, const struct audit_actor *actor,
                               int64_t schedule_id, int64_t amount_fen, const char *date,
                               const char *idem_key, struct ledger_result *out)
{
    struct partial_job j = {actor, schedule_id, amount_fen, date, idem_key, out};
    enum err e = store_with_tx(c, partial_tx, &j);
    if (e != ERR_OK) {
        result_clear(out);
        out->err = e;
    }
    return out->err;
}

/* --- maker-checker ------------------------------------------------------------------ */

static enum err checker_ok(const struct audit_actor *actor, int64_t maker)
{
    if (actor->user_id == 0 || actor->role == NULL || strcmp(actor->role, "finance") != 0) {
        return ERR_FORBIDDEN;
    }
    return actor->user_id == maker ? ERR_SAME_USER : ERR_OK;
}

struct decide_job {
    const struct audit_actor *actor;
    int64_t pending_id;
    const char *reason; /* NULL: approve */
    struct ledger_result *out;
};

static enum err approve_posting(struct store_conn *c, struct decide_job *j,
                                const struct store_ledger_pending *p,
                                const struct store_ledger_line *lines, size_t n)
{
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    int f = ledger_ctx_fund_by_id(x, p->fund_id);
    struct ledger_line_in in_lines[LEDGER_LINES_MAX];
    for (size_t i = 0; i < n && f >= 0; i++) {
        int a = ledger_ctx_acct_by_id(x, lines[i].account_id);
        if (a < 0) {
            f = -1;
            break;
        }
        in_lines[i] = (struct ledger_line_in){
            x->accts[a].a.code, lines[i].side == 'D' ? LEDGER_DEBIT : LEDGER_CREDIT,
            lines[i].amount_fen};
    }
    enum ledger_source src = LEDGER_SRC__COUNT;
    if (f < 0 || ledger_source_parse(p->source_type, strlen(p->source_type), &src) != ERR_OK) {
        ledger_ctx_free(x);
        return ERR_INTERNAL;
    }
    int64_t reversal_of = src == LEDGER_SRC_REVERSAL ? strtoll(p->source_id, NULL, 10) : 0;
    struct ledger_entry_in in = {
        .fund = x->funds[f].code,
        .date = p->entry_date,
        .source = src,
        .source_id = p->source_id,
        .memo = p->memo,
        .idem_key = p->idem_key,
        .lines = in_lines,
        .nlines = n,
    };
    struct nentry ne;
    j->out->err = ledger_normalize(x, &in, reversal_of, &ne, j->out);
    if (j->out->err == ERR_OK && sodium_memcmp(ne.digest, p->digest, sizeof(ne.digest)) != 0) {
        j->out->err = ERR_INTERNAL; /* the stored payment no longer matches its digest */
    }
    if (j->out->err == ERR_OK) {
        struct post_opts o = {.approving = true, .created_by = p->created_by,
                              .approved_by = j->actor->user_id};
        e = ctx_reserve(x, 1);
        if (e == ERR_OK) {
            e = ledger_post_normalized(x, j->actor, &ne, &o, j->out);
        }
        if (e == ERR_OK && j->out->err == ERR_OK && !j->out->replayed) {
            e = ledger_ctx_flush(x);
        }
    }
    ledger_ctx_free(x);
    return e;
}

static enum err decide_tx(struct store_conn *c, void *ctx)
{
    struct decide_job *j = ctx;
    struct store_ledger_pending p;
    struct store_ledger_line lines[LEDGER_LINES_MAX];
    size_t n;
    result_clear(j->out);
    j->out->pending_id = j->pending_id;
    enum err e = store_ledger_pending_get(c, j->pending_id, &p, lines, LEDGER_LINES_MAX, &n);
    if (e == ERR_NOT_FOUND) {
        set_field(j->out, "pending_id");
        j->out->err = e;
        return ERR_OK;
    }
    if (e != ERR_OK) {
        return e;
    }
    if ((j->out->err = checker_ok(j->actor, p.created_by)) != ERR_OK) {
        return ERR_OK;
    }
    if (strcmp(p.status, "pending") != 0) {
        set_field(j->out, "pending_id");
        j->out->err = ERR_CONFLICT;
        return ERR_OK;
    }
    char amount[24];
    snprintf(amount, sizeof(amount), "%lld", (long long)p.amount_fen);
    if (j->reason != NULL) {
        if (j->reason[0] == '\0' || !ledger_text_ok(j->reason, LEDGER_REASON_MAX)) {
            set_field(j->out, "reason");
            j->out->err = ERR_INVALID;
            return ERR_OK;
        }
        if ((e = store_ledger_pending_decide(c, p.id, "refused", j->actor->user_id, j->reason,
                                             0)) != ERR_OK) {
            return e;
        }
        const char *pairs[] = {"amount_fen", amount, "reason", j->reason};
        e = ledger_audit(c, j->actor, "ledger.payment_refuse", "ledger_pending", p.id, pairs, 2);
        if (e == ERR_INVALID || e == ERR_TOO_LARGE) {
            /* the audit trail refuses what looks like an ID or card number */
            set_field(j->out, "reason");
            j->out->err = e;
            return e; /* roll back the decision */
        }
        j->out->outcome = LEDGER_REFUSED;
        return e;
    }
    if ((e = approve_posting(c, j, &p, lines, n)) != ERR_OK || j->out->err != ERR_OK) {
        return e;
    }
    if ((e = store_ledger_pending_decide(c, p.id, "approved", j->actor->user_id, "",
                                         j->out->entry_id)) != ERR_OK) {
        return e;
    }
    char entry[24];
    snprintf(entry, sizeof(entry), "%lld", (long long)j->out->entry_id);
    const char *pairs[] = {"amount_fen", amount, "entry_id", entry};
    return ledger_audit(c, j->actor, "ledger.payment_approve", "ledger_pending", p.id, pairs, 2);
}

static enum err decide(struct store_conn *c, struct decide_job *j)
{
    enum err e = store_with_tx(c, decide_tx, j);
    if (e != ERR_OK && j->out->err == ERR_OK) {
        j->out->err = e;
    }
    return j->out->err;
}

enum err ledger_approve(struct store_conn *c, const struct audit_actor *actor, int64_t pending_id,
                        struct ledger_result *out)
{
    struct decide_job j = {actor, pending_id, NULL, out};
    return decide(c, &j);
}

enum err ledger_refuse(struct store_conn *c, const struct audit_actor *actor, int64_t pending_id,
                       const char *reason)
{
    struct ledger_result out;
    struct decide_job j = {actor, pending_id, reason ? reason : "", &out};
    return decide(c, &j);
}

/* --- funds ---------------------------------------------------------------------------- */

struct fund_job {
    const struct audit_actor *actor;
    const char *code, *name;
    int64_t cap_bp, threshold_fen;
    int64_t *out_id;
};

static enum err fund_tx(struct store_conn *c, void *ctx)
{
    struct fund_job *j = ctx;
    enum err e = store_ledger_fund_insert(c, j->code, j->name, j->cap_bp, j->threshold_fen,
                                          j->out_id);
    if (e != ERR_OK) {
        return e;
    }
    char cap[24], thr[24];
    snprintf(cap, sizeof(cap), "%lld", (long long)j->cap_bp);
    snprintf(thr, sizeof(thr), "%lld", (long long)j->threshold_fen);
    const char *pairs[] = {"approval_threshold_fen", thr, "code", j->code, "mgmt_cap_bp", cap};
    return ledger_audit(c, j->actor, "ledger.fund_create", "fund", *j->out_id, pairs, 3);
}

enum err ledger_fund_create(struct store_conn *c, const struct audit_actor *actor,
                            const char *code, const char *name, int64_t mgmt_cap_bp,
                            int64_t approval_threshold_fen, int64_t *out_id)
{
    size_t len = code ? strlen(code) : 0;
    if (len == 0 || len > STORE_LEDGER_FUND_CODE_MAX) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = code[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-')) {
            return ERR_INVALID;
        }
    }
    if (name == NULL || name[0] == '\0' || !ledger_text_ok(name, STORE_LEDGER_NAME_MAX) ||
        mgmt_cap_bp < 0 || mgmt_cap_bp > BP_ONE || approval_threshold_fen < 0) {
        return ERR_INVALID;
    }
    struct fund_job j = {actor, code, name, mgmt_cap_bp, approval_threshold_fen, out_id};
    return store_with_tx(c, fund_tx, &j);
}

/* --- payments approved elsewhere (payout batches) ------------------------------------------ */

enum err ledger_post_checked_in_tx(struct store_conn *c, const struct audit_actor *actor,
                                   const struct ledger_entry_in *in, int64_t maker_id,
                                   int64_t checker_id, struct ledger_result *out)
{
    result_clear(out);
    if (checker_id != 0 && checker_id == maker_id) {
        out->err = ERR_SAME_USER;
        return out->err;
    }
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    struct ledger_ctx *x;
    enum err e = ledger_ctx_load(c, &x);
    if (e != ERR_OK) {
        return e;
    }
    struct nentry ne;
    out->err = ledger_normalize(x, in, 0, &ne, out);
    if (out->err == ERR_OK) {
        /* approving: the batch's checker already decided; never pending again */
        struct post_opts o = {.approving = checker_id != 0, .created_by = maker_id,
                              .approved_by = checker_id};
        e = ctx_reserve(x, 1);
        if (e == ERR_OK) {
            e = ledger_post_normalized(x, actor, &ne, &o, out);
        }
        if (e == ERR_OK && out->err == ERR_OK && !out->replayed) {
            e = ledger_ctx_flush(x);
        }
    }
    ledger_ctx_free(x);
    return e != ERR_OK ? e : out->err;
}
