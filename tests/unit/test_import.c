/*
 * test_import: the roster import engine (domain/roster_import.h) and the
 * registry's storage on both backends: summaries, report lines, re-import,
 * changes with history, organisation moves, file-level errors that write
 * nothing (also a read error in the middle of the file), and the one-call
 * creates. SQLite always; PostgreSQL when HUZHU_TEST_PG_URL is set, in a
 * schema of its own (t_import) so that it can share the database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/csv.h"
#include "domain/fieldcrypt.h"
#include "domain/registry.h"
#include "domain/roster_import.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_registry.h"

struct fixture {
    char url[1024];
    struct store *s;
    struct fieldcrypt *fc;
    int64_t parent, unit, sibling; /* organisations P, U1 under P, U2 under P */
};

static char dir[] = "/tmp/huzhu-test-import-XXXXXX";

static void fixture_fill(struct fixture *f)
{
    int v;
    assert_int_equal(store_migrate(f->s, &v), ERR_OK);
    char key[256];
    snprintf(key, sizeof(key), "%s/k.key", dir);
    unlink(key);
    assert_int_equal(fieldcrypt_keygen(key), ERR_OK);
    assert_int_equal(fieldcrypt_open(key, &f->fc), ERR_OK);
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    struct store_org_new p = {"P", "测试市总工会", 0, "city", "330100"};
    assert_int_equal(store_org_insert(c, &p, &f->parent), ERR_OK);
    struct store_org_new u1 = {"U1", "测试基层工会", f->parent, "grassroots", "330106"};
    assert_int_equal(store_org_insert(c, &u1, &f->unit), ERR_OK);
    struct store_org_new u2 = {"U2", "另一基层工会", f->parent, "grassroots", "330106"};
    assert_int_equal(store_org_insert(c, &u2, &f->sibling), ERR_OK);
    store_release(c);
}

static int setup_sqlite(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    snprintf(f.url, sizeof(f.url), "%s/t.db", dir);
    char side[1100];
    unlink(f.url);
    snprintf(side, sizeof(side), "%s-wal", f.url);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", f.url);
    unlink(side);
    struct store_options opt = {.pool_size = 2, .create = true};
    assert_int_equal(store_open(f.url, &opt, &f.s), ERR_OK);
    fixture_fill(&f);
    *state = &f;
    return 0;
}

static int setup_pg(void **state)
{
    static struct fixture f;
    const char *base = getenv("HUZHU_TEST_PG_URL");
    if (base == NULL || base[0] == '\0') {
        *state = NULL;
        return 0;
    }
    memset(&f, 0, sizeof(f));
    /* our own schema: other tests use the same database at the same time */
    snprintf(f.url, sizeof(f.url), "%s%soptions=-csearch_path%%3Dt_import", base,
             strchr(base, '?') != NULL ? "&" : "?");
    struct store_options opt = {.pool_size = 2};
    assert_int_equal(store_open(f.url, &opt, &f.s), ERR_OK);
    struct store_conn *c;
    assert_int_equal(store_acquire(f.s, &c), ERR_OK);
    assert_int_equal(
        db_exec(c->db, "DROP SCHEMA IF EXISTS t_import CASCADE; CREATE SCHEMA t_import"), ERR_OK);
    store_release(c);
    fixture_fill(&f);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f != NULL) {
        fieldcrypt_close(f->fc);
        store_close(f->s);
    }
    return 0;
}

#define NEED_FIXTURE()                                                                           \
    struct fixture *f = *state;                                                                  \
    if (f == NULL) {                                                                             \
        skip();                                                                                  \
    }

/* Runs an import of text (members or employers) by org; the report, if
 * wanted, comes back in *report (malloc'ed). */
static enum err run_import(struct fixture *f, bool members, const char *org, const char *text,
                           struct roster_summary *sum, char **report)
{
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(text, strlen(text), &r), ERR_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *rep = report != NULL ? open_memstream(&buf, &len) : NULL;
    struct date as_of;
    assert_int_equal(date_from_ymd(2026, 11, 28, &as_of), ERR_OK);
    struct roster_import_options opt = {.org_code = org, .source_ref = "t.csv", .actor = "",
                                        .as_of = as_of, .fc = f->fc, .report = rep};
    struct roster_file_error fe;
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    enum err e = members ? roster_import_members(c, r, &opt, sum, &fe)
                         : roster_import_employers(c, r, &opt, sum, &fe);
    store_release(c);
    csv_close(r);
    if (rep != NULL) {
        fclose(rep);
        *report = buf;
    }
    return e;
}

static void expect_summary(const struct roster_summary *s, uint64_t rows, uint64_t ins,
                           uint64_t upd, uint64_t same, uint64_t rej)
{
    char got[160], want[160];
    roster_summary_json(s, got, sizeof(got));
    struct roster_summary w = {rows, ins, upd, same, rej};
    roster_summary_json(&w, want, sizeof(want));
    assert_string_equal(got, want);
}

static int64_t count_members(struct fixture *f)
{
    struct store_conn *c;
    struct store_registry_counts n;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_registry_count(c, &n), ERR_OK);
    store_release(c);
    return n.members;
}

static const char employers_csv[] =
    "\xEF\xBB\xBF统一社会信用代码,单位名称,经济类型,规模\r\n"
    "91120101398259791D,华信商贸有限公司0,外资,中型\r\n"
    "91310115378876231J,鹏程餐饮有限公司1,国有,大型\r\n";

/* Rows 2..13: four good, then one of each member refusal in check order. */
static const char members_csv[] =
    "姓名,身份证号,手机号,用工形式,单位统一社会信用代码,困难职工,银行账号\n"
    "田志怡,330102197201055064,19468695896,标准劳动关系,91310115378876231J,否,\n"
    "江佳,510104197612283340,18394411771,标准劳动关系,91120101398259791D,否,6222024661099069580\n"
    "\"周,晨\",11010119980402316x,17036494205,快递员,,是,6222027869819846347\n"
    "钱九,11010519491231002X,,courier,,,\n"
    "坏号,330102197201055065,19468695896,快递员,,否,\n"
    "表格,3.30102E+17,19468695896,快递员,,否,\n"
    "重复,330102197201055064,19468695896,快递员,,否,\n"
    "电话,370102199104115893,07003504091,快递员,,否,\n"
    ",370102198703289428,16000151940,快递员,,否,\n"
    "单位,510104197809023737,14072512593,标准劳动关系,914201022904047900,否,\n"
    "未登记,330102198902028207,17753773053,标准劳动关系,914301029849638961,否,\n"
    "形式,350102197008147577,15924219121,临时工作,91120101398259791D,否,\n"
    "银行,330106198110254084,15897461395,快递员,,否,6222023394051753528\n"
    "少年,330106201111282145,14071153909,外卖配送员,,否,\n";

static const char members_report[] =
    "\xEF\xBB\xBFrow,field,code,message\r\n"
    "6,id_number,INVALID_ID,";

static void setup_employers(struct fixture *f)
{
    struct roster_summary s;
    assert_int_equal(run_import(f, false, "U1", employers_csv, &s, NULL), ERR_OK);
}

static void test_members_import_and_reimport(void **state)
{
    NEED_FIXTURE();
    setup_employers(f);
    struct roster_summary s;
    char *report;
    int64_t before = count_members(f);
    assert_int_equal(run_import(f, true, "U1", members_csv, &s, &report), ERR_OK);
    expect_summary(&s, 14, 4, 0, 0, 10);
    assert_int_equal(count_members(f), before + 4);
    assert_memory_equal(report, members_report, strlen(members_report));
    static const char *const lines[] = {
        "\r\n6,id_number,INVALID_ID,",         "\r\n7,id_number,ID_EXCEL_MANGLED,",
        "\r\n8,id_number,DUPLICATE_IN_FILE,",  "\r\n9,phone,INVALID_PHONE,",
        "\r\n10,name,INVALID_NAME,",           "\r\n11,employer_uscc,INVALID_EMPLOYER,",
        "\r\n12,employer_uscc,UNKNOWN_EMPLOYER,", "\r\n13,employment,INVALID_EMPLOYMENT,",
        "\r\n14,bank_account,INVALID_BANK_ACCOUNT,", "\r\n15,id_number,UNDERAGE,",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        assert_non_null(strstr(report, lines[i]));
    }
    /* the report never quotes a refused value */
    assert_null(strstr(report, "330102197201055065"));
    free(report);
    /* again: nothing changes */
    assert_int_equal(run_import(f, true, "U1", members_csv, &s, NULL), ERR_OK);
    expect_summary(&s, 14, 0, 0, 4, 10);
    assert_int_equal(count_members(f), before + 4);
    /* the parent union importing keeps them with U1 */
    assert_int_equal(run_import(f, true, "P", members_csv, &s, NULL), ERR_OK);
    expect_summary(&s, 14, 0, 0, 4, 10);
}

struct history {
    char lines[16][160];
    int n;
};

static enum err collect(void *ctx, const struct store_member_change *ch)
{
    struct history *h = ctx;
    if (h->n < 16) {
        snprintf(h->lines[h->n++], sizeof(h->lines[0]), "%s %s:%s>%s %s", ch->source,
                 ch->field, ch->old_value, ch->new_value, ch->source_ref);
    }
    return ERR_OK;
}

static void member_history(struct fixture *f, const char *id_number, struct history *h)
{
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    fieldcrypt_index(f->fc, id_number, strlen(id_number), hash);
    struct store_conn *c;
    struct store_member_row row;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_member_find_by_hash(c, hash, &row), ERR_OK);
    h->n = 0;
    assert_int_equal(store_member_history_each(c, row.id, collect, h), ERR_OK);
    store_release(c);
}

static void test_changed_row_history(void **state)
{
    NEED_FIXTURE();
    setup_employers(f);
    struct roster_summary s;
    static const char first[] =
        "name,id_number,phone,employment,employer_uscc,hardship,bank_account\n"
        "田志怡,330102197201055064,19468695896,standard,91310115378876231J,no,\n"
        "江佳,510104197612283340,18394411771,standard,91120101398259791D,no,6222024661099069580\n";
    /* name, phone, employer, employment, hardship and bank changed for one
     * member; the other: same bank card with spaces (unchanged), phone left
     * out (kept) */
    static const char second[] =
        "bank_account,hardship,employer_uscc,employment,phone,id_number,name\n"
        "6222024661099069580,是,,courier,13800001234,330102197201055064,田志怡改\n"
        "6222 0246 6109 9069 580,否,91120101398259791D,标准劳动关系,,510104197612283340,江佳\n";
    assert_int_equal(run_import(f, true, "U1", first, &s, NULL), ERR_OK);
    expect_summary(&s, 2, 2, 0, 0, 0);
    assert_int_equal(run_import(f, true, "U1", second, &s, NULL), ERR_OK);
    expect_summary(&s, 2, 0, 1, 1, 0);
    struct history h;
    member_history(f, "330102197201055064", &h);
    assert_int_equal(h.n, 6);
    assert_string_equal(h.lines[0], "import name:田志怡>田志怡改 t.csv");
    assert_string_equal(h.lines[1], "import phone:194****5896>138****1234 t.csv");
    assert_string_equal(h.lines[2], "import employer:91310115378876231J> t.csv");
    assert_string_equal(h.lines[3], "import employment:standard>courier t.csv");
    assert_string_equal(h.lines[4], "import hardship:0>1 t.csv");
    assert_string_equal(h.lines[5], "import bank_account:>6222 **** **** 9580 t.csv");
    member_history(f, "510104197612283340", &h);
    assert_int_equal(h.n, 0);
    /* a sibling union takes the member over: recorded */
    assert_int_equal(run_import(f, true, "U2", second, &s, NULL), ERR_OK);
    expect_summary(&s, 2, 0, 2, 0, 0);
    member_history(f, "510104197612283340", &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.lines[0], "import org:U1>U2 t.csv");
    /* a different bank card with the same mask is still a change */
    static const char third[] =
        "name,id_number,employment,employer_uscc,bank_account\n"
        "江佳,510104197612283340,standard,91120101398259791D,6222020000900009580\n";
    char probe[BANKCARD_LEN_MAX + 1];
    assert_int_equal(bankcard_parse("6222020000900009580", 19, probe), ERR_OK);
    assert_int_equal(run_import(f, true, "U2", third, &s, NULL), ERR_OK);
    expect_summary(&s, 1, 0, 1, 0, 0);
    member_history(f, "510104197612283340", &h);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.lines[1],
                        "import bank_account:6222 **** **** 9580>6222 **** **** 9580 t.csv");
}

static void test_file_level_errors_write_nothing(void **state)
{
    NEED_FIXTURE();
    setup_employers(f);
    struct roster_summary s;
    int64_t before = count_members(f);
    struct csv_reader *r;
    struct roster_file_error fe;
    struct store_conn *c;
    struct roster_import_options opt = {.org_code = "U1", .fc = f->fc, .as_of = date_today()};
    /* a required column missing */
    assert_int_equal(csv_open_mem("姓名,手机号,用工形式\n张三,13800001234,快递员\n", 44, &r), ERR_OK);
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(roster_import_members(c, r, &opt, &s, &fe), ERR_MISSING_COLUMN);
    assert_string_equal(fe.column, "id_number");
    csv_close(r);
    /* an empty file */
    assert_int_equal(csv_open_mem("", 0, &r), ERR_OK);
    assert_int_equal(roster_import_members(c, r, &opt, &s, &fe), ERR_MISSING_COLUMN);
    csv_close(r);
    /* an unknown organisation */
    opt.org_code = "NOPE";
    assert_int_equal(csv_open_mem(members_csv, strlen(members_csv), &r), ERR_OK);
    assert_int_equal(roster_import_members(c, r, &opt, &s, &fe), ERR_NOT_FOUND);
    csv_close(r);
    store_release(c);
    assert_int_equal(count_members(f), before);
}

/* A reader that fails with ERR_IO after `left` bytes. */
struct failing {
    const char *data;
    size_t len, pos, left;
};

static enum err failing_read(void *ctx, char *buf, size_t cap, size_t *got)
{
    struct failing *fr = ctx;
    if (fr->left == 0) {
        return ERR_IO;
    }
    size_t n = fr->len - fr->pos;
    n = n < cap ? n : cap;
    n = n < fr->left ? n : fr->left;
    n = n < 64 ? n : 64;
    memcpy(buf, fr->data + fr->pos, n);
    fr->pos += n;
    fr->left -= n;
    *got = n;
    return ERR_OK;
}

static void test_read_error_midway_rolls_back(void **state)
{
    NEED_FIXTURE();
    setup_employers(f);
    int64_t before = count_members(f);
    /* 3000 good rows (~120 KiB: past the reader's 64 KiB encoding window), cut
     * by a read error after 90 KiB */
    size_t cap = 3000 * 64 + 128, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "姓名,身份证号,用工形式\n");
    struct date born;
    assert_int_equal(date_from_ymd(1980, 1, 1, &born), ERR_OK);
    for (int i = 0; i < 3000; i++) {
        char id[IDCARD_LEN + 1], ymd[DATE_TEXT_LEN + 1];
        date_format(date_add_days(born, i / 1000), ymd);
        snprintf(id, sizeof(id), "110101%.4s%.2s%.2s%03d", ymd, ymd + 5, ymd + 8, i % 1000);
        id[17] = idcard_check_char(id);
        id[18] = '\0';
        len += (size_t)snprintf(text + len, cap - len, "职工%d,%s,快递员\n", i, id);
    }
    assert_true(len > 110 * 1024);
    struct failing fr = {text, len, 0, 90 * 1024};
    struct csv_reader *r;
    assert_int_equal(csv_open_cb(failing_read, &fr, &r), ERR_OK);
    struct roster_import_options opt = {.org_code = "U1", .fc = f->fc, .as_of = date_today()};
    struct roster_summary s;
    struct roster_file_error fe;
    struct store_conn *c;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    enum err e = roster_import_members(c, r, &opt, &s, &fe);
    store_release(c);
    assert_int_equal(e, ERR_IO);
    assert_true(s.inserted > 0); /* rows had been written in the transaction */
    csv_close(r);
    assert_int_equal(count_members(f), before);
    /* the whole text imports */
    struct roster_summary all;
    assert_int_equal(run_import(f, true, "U1", text, &all, NULL), ERR_OK);
    expect_summary(&all, 3000, 3000, 0, 0, 0);
    free(text);
}

static void test_employers_import(void **state)
{
    NEED_FIXTURE();
    struct roster_summary s;
    char *report;
    assert_int_equal(run_import(f, false, "U1", employers_csv, &s, NULL), ERR_OK);
    expect_summary(&s, 2, 2, 0, 0, 0);
    static const char more[] =
        "size,ownership,name,uscc,industry\n"
        "中型,外资,华信商贸有限公司0,91120101398259791D,批发和零售业\n"
        "大型,国有,鹏程餐饮有限公司1,91310115378876231J,\n"
        ",,,\n"
        "小型,民营,坏,911201013982597910,\n"
        "小型,民营,重复,91120101398259791D,\n"
        "小型,民营,,91420102290404790A,\n"
        "小型,合资,某,91620102729357848W,\n"
        "巨型,民营,某,91440103982665895T,\n"
        "微,private,新,91330102648329714H,制造业\n";
    assert_int_equal(run_import(f, false, "U1", more, &s, &report), ERR_OK);
    expect_summary(&s, 8, 1, 1, 1, 5);
    assert_non_null(strstr(report, "\r\n5,uscc,INVALID_EMPLOYER,"));
    assert_non_null(strstr(report, "\r\n6,uscc,DUPLICATE_IN_FILE,"));
    assert_non_null(strstr(report, "\r\n7,name,INVALID_NAME,"));
    assert_non_null(strstr(report, "\r\n8,ownership,INVALID_OWNERSHIP,"));
    assert_non_null(strstr(report, "\r\n9,size,INVALID_SIZE,"));
    free(report);
    struct store_conn *c;
    struct store_employer_row row;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(store_employer_find(c, "91120101398259791D", &row), ERR_OK);
    assert_string_equal(row.industry, "批发和零售业");
    assert_string_equal(row.ownership, "foreign");
    assert_int_equal(store_employer_find(c, "91330102648329714H", &row), ERR_OK);
    assert_string_equal(row.size, "micro");
    assert_int_equal(row.org_id, f->unit);
    assert_int_equal(store_employer_find(c, "91420102290404790A", &row), ERR_NOT_FOUND);
    store_release(c);
}

static void test_creates(void **state)
{
    NEED_FIXTURE();
    setup_employers(f);
    struct store_conn *c;
    struct registry_org org;
    assert_int_equal(store_acquire(f->s, &c), ERR_OK);
    assert_int_equal(registry_org_find(c, "U1", &org), ERR_OK);
    assert_int_equal(org.id, f->unit);
    assert_int_equal(registry_org_find(c, "NOPE", &org), ERR_NOT_FOUND);
    assert_int_equal(registry_org_find(c, "U1", &org), ERR_OK);
    char at[21];
    registry_now_text(at);
    struct registry_source src = {"api", "", "tester", at};
    struct registry_member_input in = {
        .name = {"王五", 6}, .id_number = {"110101199003071234", 18},
        .employment = {"standard", 8}, .employer_uscc = {"91120101398259791D", 18}};
    char id[IDCARD_LEN + 1];
    snprintf(id, sizeof(id), "%.17s", "11010119900307123");
    id[17] = idcard_check_char(id);
    id[18] = '\0';
    in.id_number.ptr = id;
    int64_t mid = 0, again;
    struct registry_field_error fe;
    struct date today = date_today();
    assert_int_equal(registry_member_create(c, f->fc, &org, &src, &in, today, &mid, &fe), ERR_OK);
    assert_true(mid > 0);
    assert_int_equal(registry_member_create(c, f->fc, &org, &src, &in, today, &again, &fe),
                     ERR_EXISTS);
    in.employer_uscc = (struct registry_text){"91440103982665895T", 18};
    assert_int_equal(registry_member_create(c, f->fc, &org, &src, &in, today, &again, &fe),
                     ERR_UNKNOWN_EMPLOYER);
    assert_string_equal(fe.field, "employer_uscc");
    struct registry_employer_input ein = {{"91440103982665895T", 18}, {"新公司", 9},
                                          {"民营", 6}, {"小型", 6}, {NULL, 0}};
    int64_t eid;
    assert_int_equal(registry_employer_create(c, &org, &ein, &eid, &fe), ERR_OK);
    assert_int_equal(registry_employer_create(c, &org, &ein, &eid, &fe), ERR_EXISTS);
    assert_int_equal(registry_member_create(c, f->fc, &org, &src, &in, today, &again, &fe),
                     ERR_EXISTS); /* valid now, but the ID is taken */
    store_release(c);
}

/* Seals "x" and returns the 24-byte nonce the sealed value starts with. */
static void seal_nonce(const struct fieldcrypt *fc, unsigned char nonce[24])
{
    unsigned char out[64];
    size_t len;
    char back[8];
    size_t back_len;
    assert_int_equal(fieldcrypt_seal(fc, "x", 1, out, sizeof(out), &len), ERR_OK);
    assert_int_equal(fieldcrypt_unseal(fc, out, len, back, sizeof(back), &back_len), ERR_OK);
    assert_memory_equal(back, "x", 2);
    memcpy(nonce, out, 24);
}

struct nonce_thread {
    const struct fieldcrypt *fc;
    unsigned char nonce[24];
};

static void *nonce_thread_main(void *arg)
{
    struct nonce_thread *t = arg;
    seal_nonce(t->fc, t->nonce);
    return NULL;
}

/* Nonces are a per-thread random prefix and a counter: successive seals
 * differ, another thread and a forked child (which inherits the parent's
 * state) draw their own prefix, so no nonce repeats. */
static void test_nonces_never_repeat(void **state)
{
    NEED_FIXTURE();
    unsigned char a[24], b[24], child[24], next[24];
    seal_nonce(f->fc, a);
    seal_nonce(f->fc, b);
    assert_memory_equal(a, b, 16);         /* one prefix in a thread */
    assert_memory_not_equal(a, b, 24);     /* the counter moved */

    struct nonce_thread t = {.fc = f->fc};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, nonce_thread_main, &t), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_memory_not_equal(t.nonce, a, 16);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        seal_nonce(f->fc, child);
        _exit(write(fds[1], child, sizeof(child)) == (ssize_t)sizeof(child) ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], child, sizeof(child)), (ssize_t)sizeof(child));
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    seal_nonce(f->fc, next); /* what the child would have repeated */
    assert_memory_not_equal(child, next, 24);
    assert_memory_not_equal(child, a, 16);
}

/* A valid ID number for serial i (distinct for i < 15,000,000). */
static void serial_id(unsigned i, char out[IDCARD_LEN + 1])
{
    struct date born;
    assert_int_equal(date_from_ymd(1960, 1, 1, &born), ERR_OK);
    born = date_add_days(born, (int32_t)(i / 1000));
    int y, m, d;
    date_to_ymd(born, &y, &m, &d);
    snprintf(out, IDCARD_LEN + 1, "110101%04d%02d%02d%03u", y, m, d, i % 1000);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static uint64_t progress_seen[4];
static int progress_calls;

static void count_progress(void *ctx, uint64_t rows)
{
    (void)ctx;
    if (progress_calls < 4) {
        progress_seen[progress_calls] = rows;
    }
    progress_calls++;
}

/* More rows than one batch of the pipeline: a duplicate of the first row in
 * a later batch, a refusal after the first batch, the report in file order,
 * progress every ROSTER_PROGRESS_ROWS rows; then the same file again. */
static void test_many_rows_across_batches(void **state)
{
    NEED_FIXTURE();
    enum { GOOD = ROSTER_PROGRESS_ROWS + 100 };
    size_t cap = (size_t)(GOOD + 2) * 96 + 256;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, cap, "姓名,身份证号,用工形式,手机号\n");
    char id[IDCARD_LEN + 1];
    for (unsigned i = 0; i < GOOD; i++) {
        serial_id(i, id);
        used += (size_t)snprintf(text + used, cap - used, "工人,%s,快递员,%s\n", id,
                                 i == 70000 ? "123" : "13800138000");
    }
    serial_id(0, id);
    used += (size_t)snprintf(text + used, cap - used, "重复,%s,快递员,\n", id);
    assert_true(used < cap);

    for (int round = 0; round < 2; round++) {
        struct csv_reader *r;
        assert_int_equal(csv_open_mem(text, used, &r), ERR_OK);
        char *rep = NULL;
        size_t rep_len = 0;
        FILE *out = open_memstream(&rep, &rep_len);
        struct roster_import_options opt = {.org_code = "U1", .source_ref = "big.csv",
                                            .actor = "", .fc = f->fc, .report = out,
                                            .progress = count_progress};
        assert_int_equal(date_from_ymd(2026, 11, 28, &opt.as_of), ERR_OK);
        struct roster_summary s;
        struct roster_file_error fe;
        struct store_conn *c;
        progress_calls = 0;
        assert_int_equal(store_acquire(f->s, &c), ERR_OK);
        assert_int_equal(roster_import_members(c, r, &opt, &s, &fe), ERR_OK);
        store_release(c);
        csv_close(r);
        fclose(out);
        if (round == 0) {
            expect_summary(&s, GOOD + 1, GOOD - 1, 0, 0, 2);
        } else {
            expect_summary(&s, GOOD + 1, 0, 0, GOOD - 1, 2);
        }
        assert_int_equal(progress_calls, 1);
        assert_int_equal(progress_seen[0], ROSTER_PROGRESS_ROWS);
        /* the header is row 1: serial 70000 is row 70002, the duplicate the last */
        char *first = strstr(rep, "\r\n") + 2;
        assert_int_equal(strncmp(first, "70002,phone,INVALID_PHONE,", 26), 0);
        char want[64];
        snprintf(want, sizeof(want), "%d,id_number,DUPLICATE_IN_FILE,", GOOD + 2);
        char *second = strstr(first, "\r\n") + 2;
        assert_int_equal(strncmp(second, want, strlen(want)), 0);
        assert_string_equal(strstr(second, "\r\n"), "\r\n");
        free(rep);
    }
    assert_int_equal(count_members(f), GOOD - 1);
    free(text);
}

int main(void)
{
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
#define BOTH(t)                                                                                  \
    cmocka_unit_test_setup_teardown(t, setup_sqlite, teardown),                                  \
        cmocka_unit_test_setup_teardown(t, setup_pg, teardown)
    const struct CMUnitTest tests[] = {
        BOTH(test_members_import_and_reimport),
        BOTH(test_changed_row_history),
        BOTH(test_file_level_errors_write_nothing),
        BOTH(test_read_error_midway_rolls_back),
        BOTH(test_employers_import),
        BOTH(test_creates),
        cmocka_unit_test_setup_teardown(test_nonces_never_repeat, setup_sqlite, teardown),
        BOTH(test_many_rows_across_batches),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/t.db", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/t.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/t.db-shm", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/k.key", dir);
    unlink(path);
    rmdir(dir);
    return rc;
}
