/*
 * roster_import: the streaming, all-or-nothing import engine. Invariants:
 * one transaction per import, opened after the header is known to be good
 * and committed only after the last row; every data row read ends in
 * exactly one of inserted / updated / unchanged / rejected; the report never
 * quotes a refused value.
 */
#include "domain/roster_import.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
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

/*
 * The member import runs as a two-stage pipeline so that reading, checking
 * and sealing (CPU only) overlap with the database writes:
 *
 *   producer thread: csv_next -> registry_member_validate -> blind index,
 *                    seals, masks -> a batch of ready rows; refused rows go
 *                    to the report, in file order, from this thread only
 *   calling thread:  takes full batches in order, inserts or updates each
 *                    row in the import's transaction, counts outcomes and
 *                    calls opt->progress
 *
 * The queue holds MEMBER_BATCH_SLOTS batches, so memory is bounded whatever
 * the file size. All row-level decisions (DUPLICATE_IN_FILE, the employer
 * hook, the order of checks) are taken by the producer in file order, so the
 * report and the counts are those of a sequential import. Within a batch the
 * ready rows are written in blind-index order: the unique index on id_hash
 * then grows with far better locality than in the random order of a roster,
 * and the result is the same because a batch never holds one ID number
 * twice (member ids are opaque and follow write order).
 *
 * The store connection is used by both threads, never at once: the producer
 * looks unknown credit codes up (store_employer_id, once per distinct code)
 * and the writer holds conn_lock around each row it writes.
 */
/* Ready rows per batch. Larger batches sort more rows together (the index
 * inserts get faster: 32768 -> 65536 rows saved about 8 % of the import) and
 * cost about 20 MB each: 2 x 65536 x (~300 + names). */
#define MEMBER_BATCH_ROWS 65536
#define MEMBER_BATCH_NAME_BYTES (MEMBER_BATCH_ROWS * 32) /* names of a batch, ~9 bytes each */
#define MEMBER_BATCH_SLOTS 2 /* one filling, one being written */

/* One checked member, sealed and ready to store: the fields of a
 * struct registry_member (its name in the batch's name arena, so that a row
 * takes ~300 bytes, not ~500) and what the store needs besides. Holds the
 * plain ID and bank numbers: batches are wiped when freed. */
struct member_ready {
    unsigned char hash[FIELDCRYPT_HASH_BYTES];   /* blind index of the ID number */
    struct idcard id;
    int64_t employer_id;                         /* 0 when none */
    uint32_t name_at;                            /* offset in the batch's names */
    uint8_t name_len;                            /* bytes, <= REGISTRY_NAME_MAX_BYTES */
    uint8_t id_enc_len;
    uint8_t bank_enc_len;                        /* 0: no bank card */
    uint8_t employment;                          /* enum registry_employment */
    bool hardship;
    char phone[PHONE_LEN + 1];                   /* "" when none */
    char employer_uscc[USCC_LEN + 1];            /* "" when none */
    char bank_account[BANKCARD_LEN_MAX + 1];     /* "" when none */
    unsigned char id_enc[IDCARD_LEN + FIELDCRYPT_OVERHEAD];
    unsigned char bank_enc[BANKCARD_LEN_MAX + FIELDCRYPT_OVERHEAD];
    char id_mask[IDCARD_LEN + 1];
    char bank_mask[BANKCARD_MASK_LEN + 1];
    char birth[DATE_TEXT_LEN + 1];
};
_Static_assert(REGISTRY_NAME_MAX_BYTES <= UINT8_MAX, "name_len");
_Static_assert(BANKCARD_LEN_MAX + FIELDCRYPT_OVERHEAD <= UINT8_MAX, "enc lengths");

struct member_batch {
    struct member_ready *rows; /* MEMBER_BATCH_ROWS */
    uint32_t *order;           /* write order: indexes into rows by blind index */
    char *names;               /* MEMBER_BATCH_NAME_BYTES: names, NUL-terminated */
    size_t names_used;         /* bytes */
    size_t count;              /* ready rows */
    uint64_t rows_read;        /* data rows read up to the end of this batch */
    uint64_t rejected;         /* rows refused in this batch's stretch of the file */
    enum err err;              /* ERR_OK, or the producer's fatal error */
    bool last;                 /* the end of the file (or of the producer) */
};

/* ID numbers seen in this file: each is its 17 leading digits (the 18th is
 * their check char) plus one, so 0 marks a free slot; 8 bytes a slot, grown
 * at 1/2 load, exact (never a hash of the value). */
struct id_set {
    uint64_t *keys;
    size_t cap; /* power of two */
    size_t count;
};

struct member_job {
    struct store_conn *c;
    pthread_mutex_t conn_lock;  /* one thread at a time on c */
    const struct roster_import_options *opt;
    struct csv_reader *r;
    const int *idx;
    struct id_set seen;         /* producer only */
    struct key_table employers; /* producer only: credit code -> id, or -1: not registered */
    uint64_t rows;              /* producer only: data rows read */

    pthread_mutex_t lock;       /* guards the queue below */
    pthread_cond_t changed;
    struct member_batch slots[MEMBER_BATCH_SLOTS];
    size_t ready;               /* full batches waiting for the writer */
    size_t head;                /* next slot the writer takes */
    bool stop;                  /* the writer failed: the producer ends */
};

static enum err id_set_init(struct id_set *s)
{
    s->cap = KEY_TABLE_INITIAL;
    s->count = 0;
    s->keys = calloc(s->cap, sizeof(*s->keys));
    return s->keys != NULL ? ERR_OK : ERR_NOMEM;
}

static size_t id_set_slot(const struct id_set *s, uint64_t k)
{
    size_t mask = s->cap - 1;
    size_t i = (size_t)key_hash((struct key){k, 1}) & mask;
    while (s->keys[i] != 0 && s->keys[i] != k) {
        i = (i + 1) & mask; /* load stays under 1/2: a free slot exists */
    }
    return i;
}

/* Adds k: ERR_OK, ERR_DUPLICATE_IN_FILE if present, or ERR_NOMEM. */
static enum err id_set_add(struct id_set *s, uint64_t k)
{
    size_t i = id_set_slot(s, k);
    if (s->keys[i] == k) {
        return ERR_DUPLICATE_IN_FILE;
    }
    s->keys[i] = k;
    if (++s->count * 2 <= s->cap) {
        return ERR_OK;
    }
    if (s->cap > SIZE_MAX / 2 / sizeof(*s->keys)) {
        return ERR_NOMEM;
    }
    struct id_set n = {.cap = s->cap * 2, .count = s->count};
    if ((n.keys = calloc(n.cap, sizeof(*n.keys))) == NULL) {
        return ERR_NOMEM;
    }
    for (size_t j = 0; j < s->cap; j++) {
        if (s->keys[j] != 0) {
            n.keys[id_set_slot(&n, s->keys[j])] = s->keys[j];
        }
    }
    free(s->keys);
    *s = n;
    return ERR_OK;
}

static enum err member_seen(void *ctx, const struct idcard *id)
{
    struct member_job *job = ctx;
    return id_set_add(&job->seen, idcard_key(id).a + 1);
}

static enum err member_employer(void *ctx, const char *uscc, int64_t *employer_id)
{
    struct member_job *job = ctx;
    struct key k = uscc_key(uscc);
    size_t slot;
    int64_t id;
    if (!key_table_find(&job->employers, k, &slot)) {
        pthread_mutex_lock(&job->conn_lock);
        enum err e = store_employer_id(job->c, uscc, &id);
        pthread_mutex_unlock(&job->conn_lock);
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

/* Seals and indexes the checked member m into b's next row (its name into
 * b's names, which have room for one). */
static enum err member_prepare(const struct fieldcrypt *fc, const struct registry_member *m,
                               struct member_batch *b)
{
    struct member_ready *out = &b->rows[b->count];
    size_t name_len = strlen(m->name);
    memcpy(b->names + b->names_used, m->name, name_len + 1);
    out->name_at = (uint32_t)b->names_used;
    out->name_len = (uint8_t)name_len;
    b->names_used += name_len + 1;
    out->id = m->id;
    out->employer_id = m->employer_id;
    out->employment = (uint8_t)m->employment;
    out->hardship = m->hardship;
    memcpy(out->phone, m->phone, sizeof(out->phone));
    memcpy(out->employer_uscc, m->employer_uscc, sizeof(out->employer_uscc));
    memcpy(out->bank_account, m->bank_account, sizeof(out->bank_account));

    fieldcrypt_index(fc, m->id.number, IDCARD_LEN, out->hash);
    size_t len;
    enum err e = fieldcrypt_seal(fc, m->id.number, IDCARD_LEN, out->id_enc,
                                 sizeof(out->id_enc), &len);
    if (e != ERR_OK) {
        return e;
    }
    out->id_enc_len = (uint8_t)len;
    idcard_mask(m->id.number, out->id_mask);
    out->bank_enc_len = 0;
    out->bank_mask[0] = '\0';
    if (m->bank_account[0] != '\0') {
        bankcard_mask(m->bank_account, out->bank_mask);
        e = fieldcrypt_seal(fc, m->bank_account, strlen(m->bank_account), out->bank_enc,
                            sizeof(out->bank_enc), &len);
        if (e != ERR_OK) {
            return e;
        }
        out->bank_enc_len = (uint8_t)len;
    }
    date_format(m->id.birth, out->birth);
    b->count++;
    return ERR_OK;
}

/* The registry_member of a ready row (for the registry's update path). */
static void member_unpack(const struct member_batch *b, const struct member_ready *rd,
                          struct registry_member *m)
{
    memset(m, 0, sizeof(*m));
    memcpy(m->name, b->names + rd->name_at, (size_t)rd->name_len + 1);
    m->id = rd->id;
    memcpy(m->phone, rd->phone, sizeof(m->phone));
    m->employment = (enum registry_employment)rd->employment;
    memcpy(m->employer_uscc, rd->employer_uscc, sizeof(m->employer_uscc));
    m->employer_id = rd->employer_id;
    m->hardship = rd->hardship;
    memcpy(m->bank_account, rd->bank_account, sizeof(m->bank_account));
}

/* Fills b from the file: until it holds MEMBER_BATCH_ROWS ready rows, the
 * end of the file (b->last) or a fatal error (b->err, b->last). Refused rows
 * are reported here, in file order. */
static void member_fill(struct member_job *job, struct member_batch *b)
{
    const struct roster_import_options *opt = job->opt;
    const int *idx = job->idx;
    struct registry_member_checks chk = {
        .today = opt->as_of, .seen = member_seen, .employer = member_employer, .ctx = job};
    b->count = 0;
    b->names_used = 0;
    b->rejected = 0;
    b->err = ERR_OK;
    b->last = false;
    struct csv_row row;
    enum err e;
    struct registry_member m;
    while (b->count < MEMBER_BATCH_ROWS &&
           b->names_used + REGISTRY_NAME_MAX_BYTES + 1 <= MEMBER_BATCH_NAME_BYTES) {
        if ((e = csv_next(job->r, &row)) == ERR_EOF) {
            b->last = true;
            break;
        }
        if (is_fatal_read(e)) {
            b->err = e;
            b->last = true;
            break;
        }
        if (e == ERR_OK && csv_row_is_blank(&row)) {
            continue;
        }
        job->rows++;
        if (e != ERR_OK) {
            b->rejected++;
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
                b->err = e; /* the database or memory, not the row */
                b->last = true;
                break;
            }
            b->rejected++;
            report_row(opt->report, row.row_number, fe.field, fe.code,
                       fe.code == ERR_INVALID_USCC &&
                           registry_text_is_blank(in.employer_uscc));
            continue;
        }
        if ((e = member_prepare(opt->fc, &m, b)) != ERR_OK) {
            b->err = e;
            b->last = true;
            break;
        }
    }
    sodium_memzero(&m, sizeof(m));
    b->rows_read = job->rows;
}

/* The producer thread: fills free slots in turn until the end of the file,
 * a fatal error or the writer's stop. */
static void *member_producer(void *arg)
{
    struct member_job *job = arg;
    size_t tail = 0;
    for (;;) {
        pthread_mutex_lock(&job->lock);
        while (job->ready == MEMBER_BATCH_SLOTS && !job->stop) {
            pthread_cond_wait(&job->changed, &job->lock);
        }
        bool stop = job->stop;
        pthread_mutex_unlock(&job->lock);
        if (stop) {
            return NULL;
        }
        struct member_batch *b = &job->slots[tail];
        member_fill(job, b);
        pthread_mutex_lock(&job->lock);
        job->ready++;
        pthread_cond_broadcast(&job->changed);
        pthread_mutex_unlock(&job->lock);
        if (b->last) {
            return NULL;
        }
        tail = (tail + 1) % MEMBER_BATCH_SLOTS;
    }
}

/* The batch being sorted: qsort has no context argument; per thread, as two
 * imports may run at once in the server. */
static _Thread_local const struct member_batch *sort_batch;

static int by_hash(const void *a, const void *b)
{
    const struct member_ready *x = &sort_batch->rows[*(const uint32_t *)a];
    const struct member_ready *y = &sort_batch->rows[*(const uint32_t *)b];
    return memcmp(x->hash, y->hash, sizeof(x->hash));
}

/* Writes one ready member: a plain insert when it cannot exist yet, else
 * the registry's insert-or-update. */
static enum err member_write(struct member_job *job, const struct registry_org *org,
                             const struct registry_source *src, const struct member_batch *b,
                             const struct member_ready *rd, bool may_exist,
                             enum registry_outcome *outcome)
{
    if (may_exist) {
        struct store_member_row row;
        enum err e = store_member_find_by_hash(job->c, rd->hash, &row);
        if (e == ERR_OK) {
            struct registry_member m;
            member_unpack(b, rd, &m);
            e = registry_member_upsert(job->c, job->opt->fc, org, src, &m, true, outcome, NULL);
            sodium_memzero(&m, sizeof(m));
            return e;
        }
        if (e != ERR_NOT_FOUND) {
            return e;
        }
    }
    char gender[2] = {rd->id.gender, '\0'};
    bool has_bank = rd->bank_enc_len > 0;
    struct store_member_new n = {
        .id_hash = rd->hash,
        .id_enc = rd->id_enc,
        .id_enc_len = rd->id_enc_len,
        .id_mask = rd->id_mask,
        .name = b->names + rd->name_at,
        .gender = gender,
        .birth_date = rd->birth,
        .phone = rd->phone[0] != '\0' ? rd->phone : NULL,
        .employment = registry_employment_code((enum registry_employment)rd->employment),
        .employer_id = rd->employer_id,
        .org_id = org->id,
        .hardship = rd->hardship ? 1 : 0,
        .bank_enc = has_bank ? rd->bank_enc : NULL,
        .bank_enc_len = rd->bank_enc_len,
        .bank_mask = has_bank ? rd->bank_mask : NULL,
    };
    *outcome = REGISTRY_INSERTED;
    return store_member_insert_bulk(job->c, &n);
}

/* Writes one full batch in blind-index order and counts it. */
static enum err member_write_batch(struct member_job *job, struct member_batch *b,
                                   const struct registry_org *org,
                                   const struct registry_source *src, bool may_exist,
                                   struct roster_summary *out)
{
    for (size_t i = 0; i < b->count; i++) {
        b->order[i] = (uint32_t)i;
    }
    sort_batch = b;
    qsort(b->order, b->count, sizeof(*b->order), by_hash);
    for (size_t i = 0; i < b->count; i++) {
        enum registry_outcome outcome;
        pthread_mutex_lock(&job->conn_lock);
        enum err e = member_write(job, org, src, b, &b->rows[b->order[i]], may_exist, &outcome);
        pthread_mutex_unlock(&job->conn_lock);
        if (e != ERR_OK) {
            return e;
        }
        count_outcome(out, outcome);
    }
    out->rejected += b->rejected;
    uint64_t before = out->rows;
    out->rows = b->rows_read;
    if (job->opt->progress != NULL) {
        for (uint64_t n = (before / ROSTER_PROGRESS_ROWS + 1) * ROSTER_PROGRESS_ROWS;
             n <= out->rows; n += ROSTER_PROGRESS_ROWS) {
            job->opt->progress(job->opt->progress_ctx, n);
        }
    }
    return b->err;
}

/* The writer: takes the producer's batches in order until the last one or
 * an error; on an error tells the producer to stop. */
static enum err member_rows(struct member_job *job, const struct registry_org *org,
                            const struct registry_source *src, struct roster_summary *out)
{
    bool may_exist;
    enum err e = store_member_any(job->c, &may_exist);
    if (e != ERR_OK) {
        return e;
    }
    pthread_t producer;
    if (pthread_create(&producer, NULL, member_producer, job) != 0) {
        return ERR_NOMEM;
    }
    for (;;) {
        pthread_mutex_lock(&job->lock);
        while (job->ready == 0) {
            pthread_cond_wait(&job->changed, &job->lock);
        }
        struct member_batch *b = &job->slots[job->head];
        pthread_mutex_unlock(&job->lock);
        e = member_write_batch(job, b, org, src, may_exist, out);
        bool last = b->last;
        pthread_mutex_lock(&job->lock);
        job->head = (job->head + 1) % MEMBER_BATCH_SLOTS;
        job->ready--;
        job->stop = e != ERR_OK;
        pthread_cond_broadcast(&job->changed);
        pthread_mutex_unlock(&job->lock);
        if (e != ERR_OK || last) {
            break;
        }
    }
    pthread_join(producer, NULL);
    return e;
}

static void member_job_free(struct member_job *job)
{
    for (size_t i = 0; i < MEMBER_BATCH_SLOTS; i++) {
        if (job->slots[i].rows != NULL) { /* plain ID and bank numbers */
            sodium_memzero(job->slots[i].rows, MEMBER_BATCH_ROWS * sizeof(*job->slots[i].rows));
        }
        if (job->slots[i].names != NULL) {
            sodium_memzero(job->slots[i].names, MEMBER_BATCH_NAME_BYTES);
        }
        free(job->slots[i].rows);
        free(job->slots[i].names);
        free(job->slots[i].order);
    }
    free(job->seen.keys);
    key_table_free(&job->employers);
    pthread_cond_destroy(&job->changed);
    pthread_mutex_destroy(&job->lock);
    pthread_mutex_destroy(&job->conn_lock);
}

static enum err member_job_init(struct member_job *job)
{
    pthread_mutex_init(&job->conn_lock, NULL);
    pthread_mutex_init(&job->lock, NULL);
    pthread_cond_init(&job->changed, NULL);
    enum err e = id_set_init(&job->seen);
    if (e == ERR_OK) {
        e = key_table_init(&job->employers, true);
    }
    for (size_t i = 0; e == ERR_OK && i < MEMBER_BATCH_SLOTS; i++) {
        job->slots[i].rows = calloc(MEMBER_BATCH_ROWS, sizeof(*job->slots[i].rows));
        job->slots[i].order = calloc(MEMBER_BATCH_ROWS, sizeof(*job->slots[i].order));
        job->slots[i].names = malloc(MEMBER_BATCH_NAME_BYTES);
        if (job->slots[i].rows == NULL || job->slots[i].order == NULL ||
            job->slots[i].names == NULL) {
            e = ERR_NOMEM;
        }
    }
    return e;
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
    struct member_job job = {.c = c, .opt = opt, .r = r, .idx = idx};
    if ((e = member_job_init(&job)) != ERR_OK) {
        member_job_free(&job);
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
        e = member_rows(&job, &org, &src, out);
        if (e == ERR_OK) {
            e = store_tx_commit(c);
        }
        if (e != ERR_OK) {
            store_tx_rollback(c);
        }
    }
    member_job_free(&job);
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
