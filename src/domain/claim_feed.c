/*
 * claim_feed: the settlement feed import (claim_feed.h). Streaming: memory
 * grows only with the set of settlement ids accepted in this file.
 */
#include "domain/claim_feed.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/money.h"
#include "domain/audit.h"
#include "domain/risk.h"
#include "store/store_claims.h"
#include "store/store_registry.h"

#define SETTLEMENT_ID_MAX 64

enum col {
    COL_SETTLEMENT_ID,
    COL_ID_NUMBER,
    COL_HOSPITAL,
    COL_ADMISSION,
    COL_DISCHARGE,
    COL_CAUSE,
    COL_INVOICES,
    COL_FEN,            /* 7 columns in fen */
    COL_YUAN = COL_FEN + 7, /* 7 columns in yuan */
    COL__COUNT = COL_YUAN + 7
};

static const char *const amount_fen_names[7] = {
    "total_fen",           "fund_paid_fen",  "serious_illness_paid_fen",
    "assistance_paid_fen", "other_paid_fen", "self_pay_in_scope_fen",
    "self_pay_out_scope_fen",
};

static const struct csv_column columns[COL__COUNT] = {
    {"settlement_id", (const char *const[]){"结算单号", "结算编号", "结算ID", NULL}, true},
    {"id_number", (const char *const[]){"身份证号", "身份证号码", "证件号码", NULL}, true},
    {"hospital", (const char *const[]){"医院", "医疗机构", "定点医疗机构", "医疗机构名称", NULL},
     true},
    {"admission_date", (const char *const[]){"入院日期", NULL}, true},
    {"discharge_date", (const char *const[]){"出院日期", NULL}, true},
    {"cause", (const char *const[]){"原因", "致病原因", NULL}, false},
    {"invoices", (const char *const[]){"发票号", "票据号", NULL}, false},
    {"total_fen", NULL, false},
    {"fund_paid_fen", NULL, false},
    {"serious_illness_paid_fen", NULL, false},
    {"assistance_paid_fen", NULL, false},
    {"other_paid_fen", NULL, false},
    {"self_pay_in_scope_fen", NULL, false},
    {"self_pay_out_scope_fen", NULL, false},
    {"total", (const char *const[]){"医疗费总额", "总费用", NULL}, false},
    {"fund_paid", (const char *const[]){"统筹基金支付", NULL}, false},
    {"serious_illness_paid", (const char *const[]){"大病保险支付", NULL}, false},
    {"assistance_paid", (const char *const[]){"医疗救助支付", NULL}, false},
    {"other_paid", (const char *const[]){"其他支付", NULL}, false},
    {"self_pay_in_scope", (const char *const[]){"政策范围内自付", NULL}, false},
    {"self_pay_out_scope", (const char *const[]){"全自费", NULL}, false},
};

/* ------------------------------------------------------- settlement id set */

struct id_set {
    uint64_t *hashes; /* 0 = empty slot */
    uint32_t *offsets;
    size_t cap, count;
    char *pool;
    size_t pool_len, pool_cap;
};

static uint64_t fnv(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    }
    return h | 1; /* never 0 */
}

static bool set_has(const struct id_set *s, const char *id, size_t len, uint64_t h)
{
    if (s->cap == 0) {
        return false;
    }
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->hashes[i] == 0) {
            return false;
        }
        const char *p = s->pool + s->offsets[i];
        if (s->hashes[i] == h && strncmp(p, id, len) == 0 && p[len] == '\0') {
            return true;
        }
    }
}

static enum err set_grow(struct id_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *h = calloc(cap, sizeof(*h));
    uint32_t *o = calloc(cap, sizeof(*o));
    if (h == NULL || o == NULL) {
        free(h);
        free(o);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (s->hashes[i] != 0) {
            size_t j = s->hashes[i] & (cap - 1);
            while (h[j] != 0) {
                j = (j + 1) & (cap - 1);
            }
            h[j] = s->hashes[i];
            o[j] = s->offsets[i];
        }
    }
    free(s->hashes);
    free(s->offsets);
    s->hashes = h;
    s->offsets = o;
    s->cap = cap;
    return ERR_OK;
}

static enum err set_add(struct id_set *s, const char *id, size_t len, uint64_t h)
{
    if ((s->count + 1) * 2 > s->cap && set_grow(s) != ERR_OK) {
        return ERR_NOMEM;
    }
    if (s->pool_len + len + 1 > s->pool_cap) {
        size_t cap = s->pool_cap ? s->pool_cap * 2 : 65536;
        while (cap < s->pool_len + len + 1) {
            cap *= 2;
        }
        if (cap > UINT32_MAX) {
            return ERR_TOO_LARGE;
        }
        char *p = realloc(s->pool, cap);
        if (p == NULL) {
            return ERR_NOMEM;
        }
        s->pool = p;
        s->pool_cap = cap;
    }
    size_t i = h & (s->cap - 1);
    while (s->hashes[i] != 0) {
        i = (i + 1) & (s->cap - 1);
    }
    s->hashes[i] = h;
    s->offsets[i] = (uint32_t)s->pool_len;
    memcpy(s->pool + s->pool_len, id, len);
    s->pool[s->pool_len + len] = '\0';
    s->pool_len += len + 1;
    s->count++;
    return ERR_OK;
}

static void set_release(struct id_set *s)
{
    free(s->hashes);
    free(s->offsets);
    free(s->pool);
    memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- report */

static const char *message_for(enum err code)
{
    switch (code) {
    case ERR_INVALID_ID:
        return "身份证号无效（须为18位且校验码正确，或15位旧号）";
    case ERR_ID_EXCEL_MANGLED:
        return "身份证号被Excel改成了科学计数法：请把该列设为文本格式后重新导出";
    case ERR_INVALID_DATE:
        return "日期无效、晚于导入日，或出院日期早于入院日期";
    case ERR_INVALID_MONEY:
        return "金额无效或为负数";
    case ERR_SETTLEMENT_MISMATCH:
        return "各项支付金额之和与医疗费总额不符";
    case ERR_MISSING_FIELD:
        return "必填项为空";
    case ERR_CSV_QUOTE:
    case ERR_CSV_ROW_TOO_LONG:
    case ERR_CSV_TOO_MANY_FIELDS:
    case ERR_ENCODING:
        return "该行无法解析";
    default:
        return "内容无效";
    }
}

static void report_row(FILE *f, uint64_t row, const char *field, enum err code)
{
    if (f == NULL) {
        return;
    }
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRIu64, row);
    const char *code_text = err_str(code);
    const char *msg = message_for(code);
    struct csv_field fields[4] = {{num, (size_t)n},
                                  {field, strlen(field)},
                                  {code_text, strlen(code_text)},
                                  {msg, strlen(msg)}};
    csv_write_row(f, fields, 4);
}

/* ---------------------------------------------------------------- fields */

struct text {
    const char *p;
    size_t len;
};

static struct text cell(const struct csv_row *row, int idx)
{
    struct text t = {"", 0};
    if (idx >= 0 && (size_t)idx < row->count) {
        t.p = row->fields[idx].ptr;
        t.len = row->fields[idx].len;
        while (t.len > 0 && (t.p[0] == ' ' || t.p[0] == '\t')) {
            t.p++;
            t.len--;
        }
        while (t.len > 0 && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t')) {
            t.len--;
        }
    }
    return t;
}

static bool digits(const char *p, size_t len, int *out)
{
    if (len == 0 || len > 4) {
        return false;
    }
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* YYYY-MM-DD, YYYY/M/D or YYYYMMDD. */
static enum err parse_date(struct text t, struct date *out)
{
    if (t.len == 10 && t.p[4] == '-') {
        return date_parse(t.p, t.len, out);
    }
    int y, m, d;
    if (t.len == 8 && digits(t.p, 4, &y) && digits(t.p + 4, 2, &m) && digits(t.p + 6, 2, &d)) {
        return date_from_ymd(y, m, d, out);
    }
    const char *s1 = memchr(t.p, '/', t.len);
    const char *s2 = s1 != NULL ? memchr(s1 + 1, '/', t.len - (size_t)(s1 + 1 - t.p)) : NULL;
    if (s1 != NULL && s2 != NULL && digits(t.p, (size_t)(s1 - t.p), &y) &&
        digits(s1 + 1, (size_t)(s2 - s1 - 1), &m) &&
        digits(s2 + 1, t.len - (size_t)(s2 + 1 - t.p), &d)) {
        return date_from_ymd(y, m, d, out);
    }
    return ERR_INVALID_DATE;
}

static enum err parse_fen(struct text t, int64_t *out)
{
    if (t.len == 0 || t.len > 18) {
        return ERR_INVALID_MONEY;
    }
    int64_t v = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.p[i] < '0' || t.p[i] > '9') {
            return ERR_INVALID_MONEY; /* a sign too: amounts are never negative */
        }
        v = v * 10 + (t.p[i] - '0');
    }
    *out = v;
    return ERR_OK;
}

/* ---------------------------------------------------------------- import */

struct feed {
    struct store_conn *c;
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    const struct claim_feed_options *opt;
    struct claim_feed_summary *sum;
    int idx[COL__COUNT];
    struct claims_cache *cache;
    struct id_set seen;
    struct claim_input in;
    bool all_orgs; /* the command line: every organisation */
};

/* Maps a claim field path to the feed's column name. */
static const char *column_of(const char *field)
{
    if (strncmp(field, "event.settlement.", 17) == 0) {
        return field + 17;
    }
    if (strncmp(field, "event.", 6) == 0) {
        return field + 6;
    }
    if (strncmp(field, "invoices", 8) == 0) {
        return "invoices";
    }
    return field;
}

static enum err read_amounts(struct feed *f, const struct csv_row *row, int64_t v[7],
                             const char **field)
{
    for (int i = 0; i < 7; i++) {
        *field = amount_fen_names[i];
        struct text t;
        enum err e;
        if (f->idx[COL_FEN + i] >= 0) {
            t = cell(row, f->idx[COL_FEN + i]);
            e = parse_fen(t, &v[i]);
        } else {
            t = cell(row, f->idx[COL_YUAN + i]);
            e = t.len == 0 ? ERR_INVALID_MONEY : money_parse(t.p, t.len, &v[i]);
            if (e == ERR_OK && v[i] < 0) {
                e = ERR_INVALID_MONEY;
            }
            if (e != ERR_OK) {
                e = ERR_INVALID_MONEY;
            }
        }
        if (e == ERR_OK && v[i] > ADJ_FEN_MAX) {
            e = ERR_INVALID_MONEY;
        }
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

static enum err read_invoices(struct claim_input *in, struct text t)
{
    in->ninvoices = 0;
    size_t i = 0;
    while (i < t.len) {
        size_t j = i;
        while (j < t.len && t.p[j] != ';' && t.p[j] != '|') {
            j++;
        }
        size_t a = i, b = j;
        while (a < b && t.p[a] == ' ') {
            a++;
        }
        while (b > a && t.p[b - 1] == ' ') {
            b--;
        }
        if (b > a) {
            if (in->ninvoices == ADJ_CLAIM_INVOICES_MAX || b - a >= ADJ_INVOICE_MAX) {
                return ERR_INVALID;
            }
            memcpy(in->invoices[in->ninvoices], t.p + a, b - a);
            in->invoices[in->ninvoices][b - a] = '\0';
            in->ninvoices++;
        }
        i = j + 1;
    }
    return ERR_OK;
}

/* The static name of a feed column (path points into a caller's buffer). */
static const char *known_column(const char *name)
{
    for (int i = 0; i < COL__COUNT; i++) {
        if (strcmp(columns[i].name, name) == 0) {
            return columns[i].name;
        }
    }
    return "";
}

/* Parses a row into f->in; *field names the culprit on error. */
static enum err read_row(struct feed *f, const struct csv_row *row, struct idcard *id,
                         const char **field)
{
    struct claim_input *in = &f->in;
    memset(&in->event, 0, sizeof(in->event));
    in->nplans = 0;
    in->diagnosis = NULL;
    in->diagnosis_len = 0;
    struct text t = cell(row, f->idx[COL_ID_NUMBER]);
    *field = "id_number";
    if (t.len == 0) {
        return ERR_MISSING_FIELD;
    }
    enum err e = idcard_parse(t.p, t.len, f->ctx->today, id);
    if (e != ERR_OK) {
        return e;
    }
    t = cell(row, f->idx[COL_HOSPITAL]);
    *field = "hospital";
    if (t.len == 0) {
        return ERR_MISSING_FIELD;
    }
    if (t.len >= sizeof(in->hospital)) {
        return ERR_INVALID;
    }
    memcpy(in->hospital, t.p, t.len);
    in->hospital[t.len] = '\0';
    struct adj_event *ev = &in->event;
    *field = "admission_date";
    if ((e = parse_date(cell(row, f->idx[COL_ADMISSION]), &ev->admission_date)) != ERR_OK) {
        return e;
    }
    *field = "discharge_date";
    if ((e = parse_date(cell(row, f->idx[COL_DISCHARGE]), &ev->discharge_date)) != ERR_OK) {
        return e;
    }
    ev->present = ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE | ADJ_HAS_SETTLEMENT;
    t = cell(row, f->idx[COL_CAUSE]);
    *field = "cause";
    if (t.len == 0 || (t.len == 7 && memcmp(t.p, "illness", 7) == 0) ||
        (t.len == 6 && memcmp(t.p, "疾病", 6) == 0)) {
        ev->cause = ADJ_CAUSE_ILLNESS;
    } else if ((t.len == 8 && memcmp(t.p, "accident", 8) == 0) ||
               (t.len == 6 && memcmp(t.p, "意外", 6) == 0)) {
        ev->cause = ADJ_CAUSE_ACCIDENT;
    } else {
        return ERR_INVALID;
    }
    int64_t v[7];
    if ((e = read_amounts(f, row, v, field)) != ERR_OK) {
        return e;
    }
    struct adj_settlement *s = &ev->settlement;
    s->total_fen = v[0];
    s->fund_paid_fen = v[1];
    s->serious_illness_paid_fen = v[2];
    s->assistance_paid_fen = v[3];
    s->other_paid_fen = v[4];
    s->self_pay_in_scope_fen = v[5];
    s->self_pay_out_scope_fen = v[6];
    *field = "invoices";
    if ((e = read_invoices(in, cell(row, f->idx[COL_INVOICES]))) != ERR_OK) {
        return e;
    }
    char path[CLAIM_FIELD_MAX];
    if ((e = claim_event_check(in, f->ctx->today, path, sizeof(path))) != ERR_OK) {
        *field = known_column(column_of(path));
        return e;
    }
    return ERR_OK;
}

static enum err feed_row(struct feed *f, const struct csv_row *row)
{
    struct claim_feed_summary *sum = f->sum;
    struct text sid = cell(row, f->idx[COL_SETTLEMENT_ID]);
    bool sid_ok = sid.len > 0 && sid.len <= SETTLEMENT_ID_MAX;
    for (size_t i = 0; sid_ok && i < sid.len; i++) {
        sid_ok = sid.p[i] > ' ' && sid.p[i] <= '~';
    }
    if (!sid_ok) {
        sum->rejected++;
        report_row(f->opt->report, row->row_number, "settlement_id",
                   sid.len == 0 ? ERR_MISSING_FIELD : ERR_INVALID);
        return ERR_OK;
    }
    uint64_t h = fnv(sid.p, sid.len);
    if (set_has(&f->seen, sid.p, sid.len, h)) {
        sum->duplicates++;
        return ERR_OK;
    }
    struct idcard id;
    const char *field = "";
    enum err e = read_row(f, row, &id, &field);
    if (e != ERR_OK) {
        sum->rejected++;
        report_row(f->opt->report, row->row_number, field, e);
        return ERR_OK;
    }
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    fieldcrypt_index(f->ctx->fc, id.number, IDCARD_LEN, hash);
    bool found;
    int64_t member_id = 0, org_id = 0;
    if ((e = store_claim_member_by_hash(f->c, hash, &found, &member_id, &org_id)) != ERR_OK) {
        return e;
    }
    if (found && !f->all_orgs) {
        /* A member outside the importer's subtree is not theirs to claim
         * for: counted like anyone not enrolled, nothing revealed. */
        struct store_claim_member m;
        if ((e = store_claim_member_get(f->c, member_id, &m)) != ERR_OK) {
            return e;
        }
        found = auth_org_in_scope(f->actor, m.org_path);
    }
    char settlement_id[SETTLEMENT_ID_MAX + 1];
    memcpy(settlement_id, sid.p, sid.len);
    settlement_id[sid.len] = '\0';
    if (found) {
        f->in.member_id = member_id;
        struct claims_auto_result res;
        char path[CLAIM_FIELD_MAX];
        e = claims_auto_intake_in_tx(f->c, f->ctx, f->cache, f->actor, &f->in, org_id,
                                     settlement_id, &res, path, sizeof(path));
        if (e == ERR_EXISTS) {
            sum->duplicates++;
            return set_add(&f->seen, sid.p, sid.len, h);
        }
        if (e == ERR_INVALID || e == ERR_SETTLEMENT_MISMATCH || e == ERR_INVALID_DATE) {
            sum->rejected++;
            report_row(f->opt->report, row->row_number, known_column(column_of(path)), e);
            return ERR_OK;
        }
        if (e != ERR_OK) {
            return e;
        }
        found = res.created;
        if (found) {
            sum->created++;
            sum->payout_fen += res.assessment.payout_fen;
            sum->flagged += res.assessment.risk_flags != 0;
            for (size_t k = 0; k < res.assessment.npairs; k++) {
                sum->pairs_approved += res.assessment.pairs[k].decision == ADJ_APPROVE;
            }
        }
    }
    if (!found) {
        sum->not_enrolled++;
    }
    return set_add(&f->seen, sid.p, sid.len, h);
}

static enum err map_header(struct feed *f, const struct csv_row *header, const char **bad)
{
    enum err e = csv_map_header(header, columns, COL__COUNT, f->idx, bad);
    if (e != ERR_OK) {
        return e;
    }
    for (int i = 0; i < 7; i++) {
        bool fen = f->idx[COL_FEN + i] >= 0, yuan = f->idx[COL_YUAN + i] >= 0;
        if (fen && yuan) {
            *bad = columns[COL_YUAN + i].name;
            return ERR_INVALID;
        }
        if (!fen && !yuan) {
            *bad = columns[COL_FEN + i].name;
            return ERR_MISSING_COLUMN;
        }
    }
    return ERR_OK;
}

static enum err feed_rows(struct feed *f, struct csv_reader *r)
{
    struct csv_row row;
    enum err e;
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        if (e == ERR_IO || e == ERR_NOMEM || e == ERR_INTERNAL) {
            return e;
        }
        if (e != ERR_OK) {
            f->sum->rows++;
            f->sum->rejected++;
            report_row(f->opt->report, csv_row_number(r), "", e);
            continue;
        }
        if (csv_row_is_blank(&row)) {
            continue;
        }
        f->sum->rows++;
        if ((e = feed_row(f, &row)) != ERR_OK) {
            return e;
        }
        if (f->opt->progress != NULL && f->sum->rows % CLAIM_FEED_PROGRESS_ROWS == 0) {
            f->opt->progress(f->opt->progress_ctx, f->sum->rows);
        }
    }
    return ERR_OK;
}

static enum err feed_finish(struct feed *f)
{
    struct claim_feed_summary *s = f->sum;
    struct store_claim_feed rec = {
        .file_sha256 = f->opt->file_sha256 != NULL ? f->opt->file_sha256 : "",
        .source_ref = f->opt->source_ref,
        .as_of = f->ctx->today,
        .rows = (int64_t)s->rows,
        .created = (int64_t)s->created,
        .duplicates = (int64_t)s->duplicates,
        .not_enrolled = (int64_t)s->not_enrolled,
        .rejected = (int64_t)s->rejected,
        .imported_by = f->actor->id,
        .at_ms = f->ctx->now_ms,
    };
    enum err e = store_claim_feed_insert(f->c, &rec, &s->feed_id);
    if (e != ERR_OK) {
        return e;
    }
    char detail[512], id[24];
    claim_feed_summary_json(s, detail, sizeof(detail));
    snprintf(id, sizeof(id), "%" PRId64, s->feed_id);
    struct audit_event ev = {.at_ms = f->ctx->now_ms, .action = "claims.feed_import",
                             .object_type = "claim_feed", .object_id = id, .detail = detail};
    auth_actor_of(f->actor, f->ctx->request_id, &ev.actor);
    return audit_append(f->c, &ev, NULL);
}

enum err claim_feed_import(struct store_conn *c, const struct claims_ctx *ctx,
                           const struct auth_user *actor, struct csv_reader *r,
                           const struct claim_feed_options *opt, struct claim_feed_summary *out,
                           const char **bad_column)
{
    memset(out, 0, sizeof(*out));
    *bad_column = NULL;
    if (actor->role != AUTH_ROLE_ADMIN && actor->role != AUTH_ROLE_CLAIMS_OFFICER &&
        actor->role != AUTH_ROLE_CLAIMS_APPROVER) {
        return ERR_FORBIDDEN;
    }
    if (ctx->fc == NULL) {
        return ERR_INTERNAL;
    }
    struct csv_row header;
    enum err e = csv_next(r, &header);
    if (e == ERR_EOF) {
        *bad_column = columns[0].name;
        return ERR_MISSING_COLUMN;
    }
    if (e != ERR_OK) {
        return e;
    }
    struct feed *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return ERR_NOMEM;
    }
    f->c = c;
    f->ctx = ctx;
    f->actor = actor;
    f->opt = opt;
    f->sum = out;
    f->all_orgs = actor->id == 0 && strcmp(actor->org_path, "/") == 0;
    if ((e = map_header(f, &header, bad_column)) != ERR_OK ||
        (e = claims_cache_new(&f->cache)) != ERR_OK) {
        free(f);
        return e;
    }
    if (opt->report != NULL) {
        static const struct csv_field head[4] = {
            {"row", 3}, {"field", 5}, {"code", 4}, {"message", 7}};
        csv_write_bom(opt->report);
        csv_write_row(opt->report, head, 4);
    }
    e = store_bulk_tune(c);
    if (e == ERR_OK) {
        e = store_tx_begin(c);
    }
    if (e == ERR_OK) {
        e = audit_lock_chain(c);
        if (e == ERR_OK) {
            e = feed_rows(f, r);
        }
        if (e == ERR_OK) {
            e = feed_finish(f);
        }
        if (e == ERR_OK) {
            e = store_tx_commit(c);
        }
        if (e != ERR_OK) {
            store_tx_rollback(c);
        }
    }
    claims_cache_free(f->cache);
    set_release(&f->seen);
    free(f);
    return e;
}

void claim_feed_summary_json(const struct claim_feed_summary *s, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"rows\": %" PRIu64 ", \"created\": %" PRIu64 ", \"duplicates\": %" PRIu64
             ", \"not_enrolled\": %" PRIu64 ", \"rejected\": %" PRIu64
             ", \"pairs_approved\": %" PRIu64 ", \"flagged\": %" PRIu64
             ", \"payout_fen\": %" PRId64 "}",
             s->rows, s->created, s->duplicates, s->not_enrolled, s->rejected, s->pairs_approved,
             s->flagged, s->payout_fen);
}
