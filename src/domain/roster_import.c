/*
 * roster_import: the streaming, all-or-nothing import engine. Invariants:
 * one transaction per import, opened after the header is known to be good
 * and committed only after the last row; every data row read ends in
 * exactly one of inserted / updated / unchanged / rejected; the report never
 * quotes a refused value.
 */
#include "domain/roster_import.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/ids.h"
#include "domain/registry.h"
#include "store/store_registry.h"

/* ------------------------------------------------------------- key tables */

/*
 * Open-addressing hash tables with linear probing, grown at 1/2 load.
 * Keys are exact (never a hash of the value), so a "seen" answer is never a
 * false duplicate: an ID number is its 17 leading digits as an integer (the
 * 18th is their check char); a credit code is its 17 leading chars in base
 * 31, split over two words. Key word b is odd in every used slot (0: free).
 */
struct key {
    uint64_t a;
    uint64_t b;
};

struct key_table {
    struct key *keys;
    int64_t *values; /* NULL for a set */
    size_t cap;      /* power of two */
    size_t count;
};

#define KEY_TABLE_INITIAL 1024

static uint64_t key_hash(struct key k)
{
    uint64_t h = k.a ^ (k.b * 0x9E3779B97F4A7C15ULL);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

static enum err key_table_init(struct key_table *t, bool with_values)
{
    t->cap = KEY_TABLE_INITIAL;
    t->count = 0;
    t->keys = calloc(t->cap, sizeof(*t->keys));
    t->values = with_values ? calloc(t->cap, sizeof(*t->values)) : NULL;
    if (t->keys == NULL || (with_values && t->values == NULL)) {
        free(t->keys);
        free(t->values);
        return ERR_NOMEM;
    }
    return ERR_OK;
}

static void key_table_free(struct key_table *t)
{
    free(t->keys);
    free(t->values);
    t->keys = NULL;
    t->values = NULL;
}

/* Slot of k: where it is, or the free slot where it would go. */
static size_t key_slot(const struct key_table *t, struct key k)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)key_hash(k) & mask;
    for (size_t probes = 0; probes < t->cap; probes++) {
        struct key s = t->keys[i];
        if (s.b == 0 || (s.a == k.a && s.b == k.b)) {
            return i;
        }
        i = (i + 1) & mask;
    }
    ASSERT(false); /* load stays under 1/2, so a free slot exists */
    return 0;
}

static enum err key_table_grow(struct key_table *t)
{
    if (t->cap > SIZE_MAX / 2 / sizeof(*t->keys)) {
        return ERR_NOMEM;
    }
    struct key_table n = {.cap = t->cap * 2, .count = t->count};
    n.keys = calloc(n.cap, sizeof(*n.keys));
    n.values = t->values != NULL ? calloc(n.cap, sizeof(*n.values)) : NULL;
    if (n.keys == NULL || (t->values != NULL && n.values == NULL)) {
        key_table_free(&n);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i].b != 0) {
            size_t j = key_slot(&n, t->keys[i]);
            n.keys[j] = t->keys[i];
            if (n.values != NULL) {
                n.values[j] = t->values[i];
            }
        }
    }
    key_table_free(t);
    *t = n;
    return ERR_OK;
}

/* Finds k: *found, and *slot for key_table_put. */
static bool key_table_find(const struct key_table *t, struct key k, size_t *slot)
{
    *slot = key_slot(t, k);
    return t->keys[*slot].b != 0;
}

/* Adds k (absent, slot from key_table_find) with value v. */
static enum err key_table_put(struct key_table *t, size_t slot, struct key k, int64_t v)
{
    t->keys[slot] = k;
    if (t->values != NULL) {
        t->values[slot] = v;
    }
    t->count++;
    if (t->count * 2 > t->cap) {
        return key_table_grow(t);
    }
    return ERR_OK;
}

static struct key idcard_key(const struct idcard *id)
{
    uint64_t v = 0;
    for (int i = 0; i < 17; i++) {
        v = v * 10 + (uint64_t)(id->number[i] - '0');
    }
    return (struct key){v, 1};
}

static struct key uscc_key(const char *uscc)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    uint64_t a = 0, b = 0;
    for (int i = 0; i < 17; i++) {
        const char *p = strchr(alphabet, uscc[i]);
        uint64_t d = p != NULL ? (uint64_t)(p - alphabet) : 0;
        if (i < 12) {
            a = a * 31 + d; /* 31^12 < 2^60 */
        } else {
            b = b * 31 + d;
        }
    }
    return (struct key){a, b * 2 + 1};
}

/* ---------------------------------------------------------------- report */

static const char *message_for(enum err code, const char *field, bool blank)
{
    switch (code) {
    case ERR_INVALID_ID:
        return "身份证号无效（须为18位且校验码正确，或15位旧号）";
    case ERR_ID_EXCEL_MANGLED:
        return "身份证号被Excel改成了科学计数法：请把该列设为文本格式后重新导出";
    case ERR_DUPLICATE_IN_FILE:
        return strcmp(field, "uscc") == 0 ? "统一社会信用代码在本文件中重复，以首次出现的行为准"
                                          : "身份证号在本文件中重复，以首次出现的行为准";
    case ERR_INVALID_PHONE:
        return "手机号无效（须为11位大陆手机号）";
    case ERR_INVALID_NAME:
        return strcmp(field, "name") == 0 ? "名称为空、超过50个字或含控制字符"
                                          : "内容无效";
    case ERR_INVALID_USCC:
        return blank ? "标准劳动关系须填写用人单位的统一社会信用代码"
                     : "统一社会信用代码无效（GB 32100校验不通过）";
    case ERR_UNKNOWN_EMPLOYER:
        return "用人单位尚未登记：请先导入用人单位";
    case ERR_INVALID_EMPLOYMENT:
        return "用工形式无效：标准劳动关系、快递员、外卖配送员、网约车司机、货车司机或"
               "其他新就业形态";
    case ERR_INVALID_HARDSHIP:
        return "困难职工只能填写“是”或“否”";
    case ERR_INVALID_BANK_ACCOUNT:
        return "银行账号无效（须为16至19位且校验正确）";
    case ERR_UNDERAGE:
        return "导入日未满16周岁";
    case ERR_INVALID_OWNERSHIP:
        return "经济类型无效：机关事业、国有、民营、外资、集体或个体";
    case ERR_INVALID_SIZE:
        return "规模无效：大型、中型、小型或微型";
    case ERR_INVALID:
        return "行业超过50个字或含控制字符";
    case ERR_CSV_QUOTE:
        return "此行引号不成对，无法读取";
    case ERR_CSV_ROW_TOO_LONG:
        return "此行过长，无法读取";
    case ERR_CSV_TOO_MANY_FIELDS:
        return "此行列数过多，无法读取";
    case ERR_ENCODING:
        return "此行含有无法识别的字符（编码错误）";
    default:
        return "此行无效";
    }
}

static void report_header(FILE *f)
{
    static const struct csv_field head[] = {
        {"row", 3}, {"field", 5}, {"code", 4}, {"message", 7}};
    csv_write_bom(f);
    csv_write_row(f, head, 4);
}

static void report_row(FILE *f, uint64_t row, const char *field, enum err code, bool blank)
{
    if (f == NULL) {
        return;
    }
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRIu64, row);
    const char *code_text = err_str(code);
    const char *msg = message_for(code, field, blank);
    struct csv_field fields[4] = {{num, (size_t)n},
                                  {field, strlen(field)},
                                  {code_text, strlen(code_text)},
                                  {msg, strlen(msg)}};
    csv_write_row(f, fields, 4);
}

void roster_summary_json(const struct roster_summary *s, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"rows\": %" PRIu64 ", \"inserted\": %" PRIu64 ", \"updated\": %" PRIu64
             ", \"unchanged\": %" PRIu64 ", \"rejected\": %" PRIu64 "}",
             s->rows, s->inserted, s->updated, s->unchanged, s->rejected);
}

/* ----------------------------------------------------------------- shared */

static struct registry_text cell(const struct csv_row *row, int idx)
{
    if (idx < 0) {
        return (struct registry_text){NULL, 0}; /* column absent */
    }
    if ((size_t)idx >= row->count) {
        return (struct registry_text){"", 0}; /* short row: an empty cell */
    }
    return (struct registry_text){row->fields[idx].ptr, row->fields[idx].len};
}

static void count_outcome(struct roster_summary *out, enum registry_outcome o)
{
    switch (o) {
    case REGISTRY_INSERTED:
        out->inserted++;
        break;
    case REGISTRY_UPDATED:
        out->updated++;
        break;
    case REGISTRY_UNCHANGED:
        out->unchanged++;
        break;
    }
}

/* Reads the header and maps it; file-level errors only. */
static enum err read_header(struct csv_reader *r, const struct csv_column *cols, size_t ncols,
                            int *idx, struct roster_file_error *ferr)
{
    struct csv_row header;
    enum err e = csv_next(r, &header);
    if (e == ERR_EOF) {
        ferr->column = cols[0].name;
        return ERR_MISSING_COLUMN;
    }
    if (e != ERR_OK) {
        return e;
    }
    const char *bad = NULL;
    e = csv_map_header(&header, cols, ncols, idx, &bad);
    ferr->column = bad;
    return e;
}

/* A csv_next result that fails the import rather than one row. */
static bool is_fatal_read(enum err e)
{
    return e == ERR_IO || e == ERR_NOMEM || e == ERR_INTERNAL;
}

/* Opens the import's transaction and finds the organisation. */
static enum err begin(struct store_conn *c, const char *org_code, struct registry_org *org)
{
    enum err e = store_bulk_tune(c);
    if (e == ERR_OK) {
        e = store_tx_begin(c);
    }
    if (e != ERR_OK) {
        return e;
    }
    if ((e = registry_org_find(c, org_code, org)) != ERR_OK) {
        store_tx_rollback(c);
    }
    return e;
}

/* ---------------------------------------------------------------- members */

enum { M_NAME, M_ID, M_PHONE, M_EMPLOYMENT, M_EMPLOYER, M_HARDSHIP, M_BANK, M__COUNT };

static const char *const a_name[] = {"姓名", NULL};
static const char *const a_id[] = {"身份证号", "身份证号码", "公民身份号码", NULL};
static const char *const a_phone[] = {"手机号", "手机号码", "联系电话", NULL};
static const char *const a_employment[] = {"用工形式", NULL};
static const char *const a_employer[] = {"单位统一社会信用代码", "统一社会信用代码", NULL};
static const char *const a_hardship[] = {"困难职工", NULL};
static const char *const a_bank[] = {"银行账号", "银行卡号", NULL};

static const struct csv_column member_cols[M__COUNT] = {
    [M_NAME] = {"name", a_name, true},
    [M_ID] = {"id_number", a_id, true},
    [M_PHONE] = {"phone", a_phone, false},
    [M_EMPLOYMENT] = {"employment", a_employment, true},
    [M_EMPLOYER] = {"employer_uscc", a_employer, false},
    [M_HARDSHIP] = {"hardship", a_hardship, false},
    [M_BANK] = {"bank_account", a_bank, false},
};

struct member_job {
    struct store_conn *c;
    struct key_table seen;      /* ID numbers of this file */
    struct key_table employers; /* credit code -> employer id, or -1: not registered */
};

static enum err member_seen(void *ctx, const struct idcard *id)
{
    struct member_job *job = ctx;
    struct key k = idcard_key(id);
    size_t slot;
    if (key_table_find(&job->seen, k, &slot)) {
        return ERR_DUPLICATE_IN_FILE;
    }
    return key_table_put(&job->seen, slot, k, 0);
}

static enum err member_employer(void *ctx, const char *uscc, int64_t *employer_id)
{
    struct member_job *job = ctx;
    struct key k = uscc_key(uscc);
    size_t slot;
    int64_t id;
    if (!key_table_find(&job->employers, k, &slot)) {
        enum err e = store_employer_id(job->c, uscc, &id);
        if (e == ERR_NOT_FOUND) {
            id = -1;
        } else if (e != ERR_OK) {
            return e;
        }
        if ((e = key_table_put(&job->employers, slot, k, id)) != ERR_OK) {
            return e;
        }
    } else {
        id = job->employers.values[slot];
    }
    if (id < 0) {
        return ERR_UNKNOWN_EMPLOYER;
    }
    *employer_id = id;
    return ERR_OK;
}

static enum err member_rows(struct member_job *job, struct csv_reader *r, const int *idx,
                            const struct registry_org *org, const struct registry_source *src,
                            const struct roster_import_options *opt, struct roster_summary *out)
{
    bool may_exist;
    enum err e = store_member_any(job->c, &may_exist);
    if (e != ERR_OK) {
        return e;
    }
    struct registry_member_checks chk = {
        .today = opt->as_of, .seen = member_seen, .employer = member_employer, .ctx = job};
    struct registry_member m;
    struct csv_row row;
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        if (is_fatal_read(e)) {
            return e;
        }
        if (e == ERR_OK && csv_row_is_blank(&row)) {
            continue;
        }
        out->rows++;
        if (opt->progress != NULL && out->rows % ROSTER_PROGRESS_ROWS == 0) {
            opt->progress(opt->progress_ctx, out->rows);
        }
        if (e != ERR_OK) {
            out->rejected++;
            report_row(opt->report, row.row_number, "", e, false);
            continue;
        }
        struct registry_member_input in = {
            .name = cell(&row, idx[M_NAME]),
            .id_number = cell(&row, idx[M_ID]),
            .phone = cell(&row, idx[M_PHONE]),
            .employment = cell(&row, idx[M_EMPLOYMENT]),
            .employer_uscc = cell(&row, idx[M_EMPLOYER]),
            .hardship = cell(&row, idx[M_HARDSHIP]),
            .bank_account = cell(&row, idx[M_BANK]),
        };
        struct registry_field_error fe;
        e = registry_member_validate(&in, &chk, &m, &fe);
        if (e != ERR_OK) {
            if (fe.field == NULL) {
                return e; /* the database, not the row */
            }
            out->rejected++;
            report_row(opt->report, row.row_number, fe.field, fe.code,
                       fe.code == ERR_INVALID_USCC &&
                           registry_text_is_blank(in.employer_uscc));
            continue;
        }
        enum registry_outcome outcome;
        if ((e = registry_member_upsert(job->c, opt->fc, org, src, &m, may_exist, &outcome,
                                        NULL)) != ERR_OK) {
            return e;
        }
        count_outcome(out, outcome);
    }
    memset(&m, 0, sizeof(m));
    return ERR_OK;
}

enum err roster_import_members(struct store_conn *c, struct csv_reader *r,
                               const struct roster_import_options *opt, struct roster_summary *out,
                               struct roster_file_error *ferr)
{
    memset(out, 0, sizeof(*out));
    ferr->column = NULL;
    int idx[M__COUNT];
    enum err e = read_header(r, member_cols, M__COUNT, idx, ferr);
    if (e != ERR_OK) {
        return e;
    }
    struct member_job job = {.c = c};
    if ((e = key_table_init(&job.seen, false)) != ERR_OK) {
        return e;
    }
    if ((e = key_table_init(&job.employers, true)) != ERR_OK) {
        key_table_free(&job.seen);
        return e;
    }
    struct registry_org org;
    char at[21];
    registry_now_text(at);
    struct registry_source src = {"import", opt->source_ref ? opt->source_ref : "",
                                  opt->actor ? opt->actor : "", at};
    if ((e = begin(c, opt->org_code, &org)) == ERR_OK) {
        if (opt->report != NULL) {
            report_header(opt->report);
        }
        e = member_rows(&job, r, idx, &org, &src, opt, out);
        if (e == ERR_OK) {
            e = store_tx_commit(c);
        }
        if (e != ERR_OK) {
            store_tx_rollback(c);
        }
    }
    key_table_free(&job.seen);
    key_table_free(&job.employers);
    return e;
}

/* -------------------------------------------------------------- employers */

enum { E_USCC, E_NAME, E_OWNERSHIP, E_SIZE, E_INDUSTRY, E__COUNT };

static const char *const a_uscc[] = {"统一社会信用代码", "单位统一社会信用代码", NULL};
static const char *const a_ename[] = {"单位名称", "名称", NULL};
static const char *const a_ownership[] = {"经济类型", NULL};
static const char *const a_size[] = {"规模", "企业规模", NULL};
static const char *const a_industry[] = {"行业", "所属行业", NULL};

static const struct csv_column employer_cols[E__COUNT] = {
    [E_USCC] = {"uscc", a_uscc, true},
    [E_NAME] = {"name", a_ename, true},
    [E_OWNERSHIP] = {"ownership", a_ownership, true},
    [E_SIZE] = {"size", a_size, true},
    [E_INDUSTRY] = {"industry", a_industry, false},
};

static enum err employer_seen(void *ctx, const char *uscc)
{
    struct key_table *t = ctx;
    struct key k = uscc_key(uscc);
    size_t slot;
    if (key_table_find(t, k, &slot)) {
        return ERR_DUPLICATE_IN_FILE;
    }
    return key_table_put(t, slot, k, 0);
}

static enum err employer_rows(struct store_conn *c, struct key_table *seen, struct csv_reader *r,
                              const int *idx, const struct registry_org *org,
                              const struct roster_import_options *opt, struct roster_summary *out)
{
    enum err e;
    struct csv_row row;
    while ((e = csv_next(r, &row)) != ERR_EOF) {
        if (is_fatal_read(e)) {
            return e;
        }
        if (e == ERR_OK && csv_row_is_blank(&row)) {
            continue;
        }
        out->rows++;
        if (opt->progress != NULL && out->rows % ROSTER_PROGRESS_ROWS == 0) {
            opt->progress(opt->progress_ctx, out->rows);
        }
        if (e != ERR_OK) {
            out->rejected++;
            report_row(opt->report, row.row_number, "", e, false);
            continue;
        }
        struct registry_employer_input in = {
            .uscc = cell(&row, idx[E_USCC]),
            .name = cell(&row, idx[E_NAME]),
            .ownership = cell(&row, idx[E_OWNERSHIP]),
            .size = cell(&row, idx[E_SIZE]),
            .industry = cell(&row, idx[E_INDUSTRY]),
        };
        struct registry_employer emp;
        struct registry_field_error fe;
        e = registry_employer_validate(&in, employer_seen, seen, &emp, &fe);
        if (e != ERR_OK) {
            if (fe.field == NULL) {
                return e;
            }
            out->rejected++;
            report_row(opt->report, row.row_number, fe.field, fe.code, false);
            continue;
        }
        enum registry_outcome outcome;
        if ((e = registry_employer_upsert(c, org, &emp, &outcome, NULL)) != ERR_OK) {
            return e;
        }
        count_outcome(out, outcome);
    }
    return ERR_OK;
}

enum err roster_import_employers(struct store_conn *c, struct csv_reader *r,
                                 const struct roster_import_options *opt,
                                 struct roster_summary *out, struct roster_file_error *ferr)
{
    memset(out, 0, sizeof(*out));
    ferr->column = NULL;
    int idx[E__COUNT];
    enum err e = read_header(r, employer_cols, E__COUNT, idx, ferr);
    if (e != ERR_OK) {
        return e;
    }
    struct key_table seen;
    if ((e = key_table_init(&seen, false)) != ERR_OK) {
        return e;
    }
    struct registry_org org;
    if ((e = begin(c, opt->org_code, &org)) == ERR_OK) {
        if (opt->report != NULL) {
            report_header(opt->report);
        }
        e = employer_rows(c, &seen, r, idx, &org, opt, out);
        if (e == ERR_OK) {
            e = store_tx_commit(c);
        }
        if (e != ERR_OK) {
            store_tx_rollback(c);
        }
    }
    key_table_free(&seen);
    return e;
}
