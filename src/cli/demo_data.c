/*
 * demo_data: the synthetic scheme of `huzhu demo` (demo_data.h).
 *
 * Identifiers pass the same validators as real input (ids.h) and sensitive
 * ones are sealed as the registry seals them. Everything after the registry
 * goes through the domain APIs, so the demo obeys every rule the product
 * does: eligibility, participation, cost sharing, receipts posted to the
 * ledger, the claim lifecycle with authority limits, the audit chain.
 *
 * Time: claim steps are dated in the past. Each step runs with a claims
 * context whose today and now_ms are the step's date and time, and steps of
 * all claims run in time order, so claim timelines (and payout-time
 * figures) look like ten months of work while the audit chain stays in
 * order for the claims. Nothing is dated after opt->today (nor, when today
 * is the real date, after the real clock).
 *
 * Money safety: a claim is paid only while its fund's bank balance, counted
 * from the receipts dated up to the payment, covers it with a margin, so the
 * never-negative rules of the ledger hold; a payment above the fund's
 * approval threshold is made by the admin account and waits for the finance
 * account (maker-checker), in a period left open.
 */
#include "cli/demo_data.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/ids.h"
#include "domain/adjudicate.h"
#include "domain/articles.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/claim_feed.h"
#include "domain/claims.h"
#include "domain/documents.h"
#include "domain/enrol.h"
#include "domain/fieldcrypt.h"
#include "domain/invoice.h"
#include "domain/ledger.h"
#include "domain/plans_admin.h"
#include "domain/risk.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_claims.h"
#include "store/store_registry.h"

#define DEMO_EMPLOYERS_PER_UNION 12 /* ~300 employers over 25 grassroots units */
#define DEMO_UNITS_MAX 64
#define DEMO_TERM_MONTHS_BACK 10    /* the main term started this many months ago */
#define DEMO_PLANS 5
#define DEMO_TRIES 400              /* random picks before giving up on a member */
#define DEMO_GIFT_BATCH_MAX 200     /* members per gift batch */
#define DEMO_PAY_MARGIN_BP 7500     /* pay while payouts stay under 75 % of receipts */
/* The approval threshold plans_publish gives a plan's fund (plans_admin.c): a
 * payment above it waits for a second finance user. */
#define DEMO_APPROVAL_FEN 1000000
/* The draft ZY version for the what-if (draft_for_whatif). */
#define DEMO_DRAFT_DEDUCTIBLE_FEN 80000
#define DEMO_DRAFT_TIER_STEP_BP 500

/* ------------------------------------------------------------ accounts */

const struct demo_login demo_logins[] = {
    {"admin", DEMO_ADMIN_LOGIN, "ZJ", "users, plans, organisations, everything"},
    {"supervisor", "demo.supervisor", "ZJ", "dashboards and reports (read only)"},
    {"auditor", "demo.auditor", "ZJ", "ledger, audit trail, verify the chain"},
    {"finance", "demo.finance", "ZJ", "invoices awaiting payment, receipts, a payment to approve"},
    {"claims_officer", "demo.officer", "ZJ", "claims workbench: assess, approve up to 5,000 yuan"},
    {"claims_approver", "demo.approver", "ZJ", "flagged and large claims, the pending appeal"},
    {"unit_staff", "demo.unit", "ZJ-01-01-01", "one union's roster, enrolments, paper claims"},
    {"finance", "demo.finance2", "ZJ", "the second finance user: approves what demo.finance made"},
    {"member", "demo.member", "", "worker portal (phone): cover, a paid claim, one in progress"},
};
const size_t demo_logins_count = sizeof(demo_logins) / sizeof(demo_logins[0]);

enum {
    L_ADMIN, L_SUPERVISOR, L_AUDITOR, L_FINANCE, L_OFFICER, L_APPROVER, L_UNIT, L_FINANCE2,
    L_MEMBER, L__COUNT
};

void demo_print_logins(FILE *out)
{
    fprintf(out, "demo logins (a demo: every account has the password %s)\n", DEMO_PASSWORD);
    fprintf(out, "  %-16s %-16s %-15s %s\n", "role", "login", "password", "try");
    for (size_t i = 0; i < demo_logins_count; i++) {
        fprintf(out, "  %-16s %-16s %-15s %s\n", demo_logins[i].role, demo_logins[i].login,
                DEMO_PASSWORD, demo_logins[i].try_this);
    }
}

/* ------------------------------------------------------------ registry data */

/* xorshift64*: small, fast, deterministic; not for secrets. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static unsigned rng_below(uint64_t *s, unsigned n)
{
    return n == 0 ? 0 : (unsigned)(rng_next(s) % n);
}

static bool rng_pct(uint64_t *s, unsigned pct)
{
    return rng_below(s, 100) < pct;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct district {
    const char *name;
    const char *division;
};

struct city {
    const char *name;
    const char *division;
    struct district districts[4];
};

static const struct city cities[] = {
    {"杭州市", "330100",
     {{"上城区", "330102"}, {"拱墅区", "330105"}, {"西湖区", "330106"}, {"滨江区", "330108"}}},
    {"宁波市", "330200",
     {{"海曙区", "330203"}, {"江北区", "330205"}, {"鄞州区", "330212"}, {"北仑区", "330206"}}},
    {"温州市", "330300",
     {{"鹿城区", "330302"}, {"龙湾区", "330303"}, {"瓯海区", "330304"}, {"洞头区", "330305"}}},
};

static const char *const unit_kinds[] = {"街道总工会", "工业园区工会联合会", "商务楼宇工会联合会"};
static const char *const name_heads[] = {"华信", "鹏程", "恒达", "新宇", "永盛", "金桥", "天成",
                                         "瑞丰", "东方", "海纳", "合力", "远航", "宏图", "安康"};
static const char *const name_trades[] = {"商贸", "餐饮", "物流", "机械", "电子", "建设",
                                          "纺织", "医药", "科技", "物业", "食品", "印务"};
static const char *const industries[] = {"批发和零售业", "住宿和餐饮业", "交通运输业", "制造业",
                                         "制造业", "建筑业", "制造业", "制造业",
                                         "信息技术服务业", "物业管理", "制造业", "制造业"};
static const char *const ownerships[] = {"private", "private", "private", "private", "state",
                                         "foreign", "collective", "individual", "public_sector"};
static const char *const sizes[] = {"micro", "micro", "small", "small", "small", "medium", "large"};
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈", "姚"};
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "辉", "玲", "华", "红", "鑫", "婷", "宇",
    "浩", "晨", "佳", "志怡", "子轩", "雨涵", "俊杰", "欣怡", "梓涵", "海燕", "国强", "春梅"};
/* New forms of employment; index 0 is standard employment. */
static const char *const employments[] = {"standard", "courier",   "delivery",
                                          "ride_hailing", "truck", "other_gig"};

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* A valid credit code: body from the serial, the two check characters
 * found by asking the validator (341 tries each at most). */
static enum err make_uscc(size_t serial, const char *division, char out[USCC_LEN + 1])
{
    char c[USCC_LEN + 1];
    c[0] = '9';
    c[1] = '1';
    memcpy(c + 2, division, 6);
    /* Organisation-code body from the serial: unique by construction, so the
     * insert never meets a duplicate (which would abort a PostgreSQL tx). */
    unsigned body = (unsigned)((serial * 7919u + 23456789u) % 100000000u);
    for (int i = 15; i >= 8; i--, body /= 10) {
        c[i] = uscc_alphabet[body % 10];
    }
    c[USCC_LEN] = '\0';
    static const char org_checks[] = "0123456789X";
    for (int a = 0; org_checks[a] != '\0'; a++) {
        c[16] = org_checks[a];
        for (int b = 0; uscc_alphabet[b] != '\0'; b++) {
            c[17] = uscc_alphabet[b];
            if (uscc_parse(c, USCC_LEN, out) == ERR_OK) {
                return ERR_OK;
            }
        }
    }
    return ERR_INTERNAL;
}

static void make_idcard(const char *division, struct date birth, unsigned seq,
                        char out[IDCARD_LEN + 1])
{
    int y, m, d;
    date_to_ymd(birth, &y, &m, &d);
    char buf[64]; /* roomy: the compiler cannot bound y, m, d */
    snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%03u", division, y, m, d, seq % 1000);
    memcpy(out, buf, 17);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static void make_bankcard(uint64_t *rng, char out[BANKCARD_LEN_MAX + 1])
{
    /* 6222 0xx... 19 digits, Luhn check digit last. */
    char d[20];
    memcpy(d, "62220", 5);
    for (int i = 5; i < 18; i++) {
        d[i] = (char)('0' + rng_below(rng, 10));
    }
    int sum = 0;
    for (int i = 17, dbl = 1; i >= 0; i--, dbl ^= 1) {
        int v = d[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9) {
                v -= 9;
            }
        }
        sum += v;
    }
    d[18] = (char)('0' + (10 - sum % 10) % 10);
    d[19] = '\0';
    memcpy(out, d, 20);
}

static unsigned gcd(unsigned a, unsigned b)
{
    while (b != 0) {
        unsigned t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ------------------------------------------------------------ the demo state */

enum plan_ix { P_ZY, P_JT, P_DB, P_NZ, P_YW };
static const char *const plan_codes[DEMO_PLANS] = {"ZY", "JT", "DB", "NZ", "YW"};

struct unit {
    int64_t org_id;
    char code[32];
    const char *division;
    unsigned city;
};

struct employer {
    int64_t id;
    unsigned unit;
    unsigned ownership; /* index into ownerships */
    unsigned size;      /* index into sizes */
};

/* One member as the generator remembers it. */
struct member {
    int64_t id;
    int64_t org_id;
    int32_t birth;       /* day number */
    int32_t employer;    /* index, -1 = none */
    int32_t cover[DEMO_PLANS]; /* cover start day where active */
    int32_t term[DEMO_PLANS];  /* term start day where enrolled */
    uint8_t unit;        /* grassroots unit of the employer (or of birth) */
    uint8_t gender;      /* 'M' / 'F' */
    uint8_t employment;  /* index into employments */
    uint8_t hardship;
    uint8_t enrolled;    /* bit per plan: holds an enrolment (any state) */
    uint8_t active;      /* bit per plan: paid, cover running */
    uint8_t busy;        /* has a claim, is cancelled or is the portal member */
    uint8_t surname, given;
    uint8_t zy_shares;   /* shares held in ZY */
    char idno[IDCARD_LEN + 1];
};

struct user {
    struct auth_user u;
    struct enrol_actor ea;
    struct audit_actor aa;
};

struct demo {
    struct store_conn *c;
    const struct fieldcrypt *fc;
    uint64_t rng;
    struct date today, start, month_start, close_end;
    int64_t now_cap_ms;
    struct unit units[DEMO_UNITS_MAX];
    size_t nunits;
    int64_t province, industry;
    struct employer *emp;
    size_t nemp;
    struct member *m;
    size_t nm;
    struct plan_version *plans[DEMO_PLANS];
    struct user users[L__COUNT];
    bool portal_hash_ready;
    char portal_hash[AUTH_PWHASH_STR_BYTES];
    int32_t origin;      /* day number of cash_in[.][0] */
    int32_t ndays;
    int64_t *cash_in[DEMO_PLANS]; /* receipts per fund and day */
    int64_t paid_out[DEMO_PLANS];
    int64_t ref_serial;
    int64_t invoice_serial;
    struct demo_summary *sum;
};

static int32_t day_ix(const struct demo *d, struct date on)
{
    int32_t i = on.day - d->origin;
    return i < 0 ? 0 : i >= d->ndays ? d->ndays - 1 : i;
}

static int plan_ix_of(const char *code)
{
    for (int i = 0; i < DEMO_PLANS; i++) {
        if (strcmp(code, plan_codes[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* Unix ms of a civil date (CST) at hour:minute. */
static int64_t ms_at(struct date on, int hour, int minute)
{
    return ((int64_t)on.day * 86400 - 8 * 3600 + hour * 3600 + minute * 60) * 1000;
}

static struct date date_of_ms(int64_t ms)
{
    struct date r = {(int32_t)((ms / 1000 + 8 * 3600) / 86400)};
    return r;
}

static struct date first_of_month(struct date d, int months)
{
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    struct date f = {d.day - (dd - 1)};
    return date_add_months(f, months);
}

static struct member *member_by_id(struct demo *d, int64_t id)
{
    size_t lo = 0, hi = d->nm;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->m[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < d->nm && d->m[lo].id == id ? &d->m[lo] : NULL;
}

/* ------------------------------------------------------------ registry */

static enum err seal(const struct fieldcrypt *fc, const char *plain, unsigned char *buf,
                     size_t cap, size_t *len)
{
    return fieldcrypt_seal(fc, plain, strlen(plain), buf, cap, len);
}

static enum err add_org(struct store_conn *c, const char *code, const char *name, int64_t parent,
                        const char *level, const char *division, int64_t *id, int64_t *count)
{
    struct store_org_new o = {code, name, parent, level, division};
    enum err e = store_org_insert(c, &o, id);
    if (e == ERR_OK) {
        (*count)++;
    }
    return e;
}

static enum err gen_orgs(struct demo *d)
{
    enum err e;
    char code[32], name[128];
    int64_t *count = &d->sum->orgs;
    if ((e = add_org(d->c, "ZJ", "浙江省总工会", 0, "province", "330000", &d->province, count))) {
        return e;
    }
    if ((e = add_org(d->c, "ZJ-KD", "浙江省快递行业工会联合会", d->province, "industry",
                     "330000", &d->industry, count))) {
        return e;
    }
    for (size_t ci = 0; ci < COUNT(cities); ci++) {
        int64_t city;
        snprintf(code, sizeof(code), "ZJ-%02zu", ci + 1);
        snprintf(name, sizeof(name), "%s总工会", cities[ci].name);
        if ((e = add_org(d->c, code, name, d->province, "city", cities[ci].division, &city,
                         count))) {
            return e;
        }
        for (size_t di = 0; di < 4; di++) {
            const struct district *dist = &cities[ci].districts[di];
            int64_t district;
            snprintf(code, sizeof(code), "ZJ-%02zu-%02zu", ci + 1, di + 1);
            snprintf(name, sizeof(name), "%s%s总工会", cities[ci].name, dist->name);
            if ((e = add_org(d->c, code, name, city, "district", dist->division, &district,
                             count))) {
                return e;
            }
            unsigned nu = 1 + (unsigned)((ci + di) % 3);
            for (unsigned ui = 0; ui < nu && d->nunits < DEMO_UNITS_MAX; ui++) {
                struct unit *u = &d->units[d->nunits];
                snprintf(code, sizeof(code), "ZJ-%02zu-%02zu-%02u", ci + 1, di + 1, ui + 1);
                snprintf(name, sizeof(name), "%s%s", dist->name, unit_kinds[ui % 3]);
                if ((e = add_org(d->c, code, name, district, "grassroots", dist->division,
                                 &u->org_id, count))) {
                    return e;
                }
                snprintf(u->code, sizeof(u->code), "%s", code);
                u->division = dist->division;
                u->city = (unsigned)ci;
                d->nunits++;
            }
        }
    }
    return ERR_OK;
}

static enum err gen_employers(struct demo *d)
{
    d->nemp = d->nunits * DEMO_EMPLOYERS_PER_UNION;
    d->emp = calloc(d->nemp, sizeof(*d->emp));
    if (d->emp == NULL) {
        return ERR_NOMEM;
    }
    char name[128];
    for (size_t i = 0; i < d->nemp; i++) {
        struct employer *em = &d->emp[i];
        em->unit = (unsigned)(i % d->nunits);
        char uscc[USCC_LEN + 1];
        enum err e = make_uscc(i, d->units[em->unit].division, uscc);
        if (e != ERR_OK) {
            return e;
        }
        unsigned h = rng_below(&d->rng, COUNT(name_heads));
        unsigned t = rng_below(&d->rng, COUNT(name_trades));
        snprintf(name, sizeof(name), "%s%s有限公司%zu", name_heads[h], name_trades[t], i + 1);
        em->ownership = rng_below(&d->rng, COUNT(ownerships));
        em->size = rng_below(&d->rng, COUNT(sizes));
        struct store_employer_new n = {
            .uscc = uscc,
            .name = name,
            .ownership = ownerships[em->ownership],
            .size = sizes[em->size],
            .industry = industries[t],
            .org_id = d->units[em->unit].org_id,
        };
        if ((e = store_employer_insert(d->c, &n, &em->id)) != ERR_OK) {
            return e;
        }
        d->sum->employers++;
    }
    return ERR_OK;
}

/* Members: 82 % standard employment, 18 % new forms (under the industry
 * union; half of them with no employer), 3 % hardship-flagged, 70 % with a
 * bank card. */
static enum err gen_members(struct demo *d, unsigned members)
{
    struct date born_min;
    enum err e = date_from_ymd(1966, 1, 1, &born_min);
    if (e != ERR_OK) {
        return e;
    }
    /* Birth dates walk a permutation of the span (step coprime to it) and the
     * sequence number counts the laps, so (birth, sequence) never repeats
     * below span * 1000 members and every ID number is unique. */
    unsigned born_span = (unsigned)(date_add_months(d->today, -18 * 12).day - born_min.day);
    unsigned step = 7919;
    while (gcd(step, born_span) != 1) {
        step += 2;
    }
    if (members > born_span * 900u) { /* laps 900..999 are the feed's strangers */
        return ERR_RANGE;
    }
    d->m = calloc(members ? members : 1, sizeof(*d->m));
    if (d->m == NULL) {
        return ERR_NOMEM;
    }
    for (unsigned i = 0; i < members; i++) {
        struct member *mb = &d->m[i];
        struct date birth = {born_min.day + (int32_t)((uint64_t)i * step % born_span)};
        bool gig = rng_pct(&d->rng, 18);
        size_t ei = rng_below(&d->rng, (unsigned)d->nemp);
        unsigned u = d->emp[ei].unit;
        char mask[IDCARD_LEN + 1], phone[16], bank[BANKCARD_LEN_MAX + 1],
            bank_mask[BANKCARD_MASK_LEN + 1], person[64];
        make_idcard(d->units[u].division, birth, i / born_span, mb->idno);
        idcard_mask(mb->idno, mask);
        snprintf(phone, sizeof(phone), "1%u%09u", 3 + rng_below(&d->rng, 7),
                 rng_below(&d->rng, 1000000000));
        mb->surname = (uint8_t)rng_below(&d->rng, COUNT(surnames));
        mb->given = (uint8_t)rng_below(&d->rng, COUNT(given));
        snprintf(person, sizeof(person), "%s%s", surnames[mb->surname], given[mb->given]);
        unsigned char id_hash[FIELDCRYPT_HASH_BYTES], id_enc[64], bank_enc[64];
        size_t id_enc_len, bank_enc_len = 0;
        fieldcrypt_index(d->fc, mb->idno, IDCARD_LEN, id_hash);
        if ((e = seal(d->fc, mb->idno, id_enc, sizeof(id_enc), &id_enc_len))) {
            return e;
        }
        bool has_bank = rng_pct(&d->rng, 70);
        if (has_bank) {
            make_bankcard(&d->rng, bank);
            bankcard_mask(bank, bank_mask);
            if ((e = seal(d->fc, bank, bank_enc, sizeof(bank_enc), &bank_enc_len))) {
                return e;
            }
        }
        mb->employment = (uint8_t)(gig ? 1 + rng_below(&d->rng, 5) : 0);
        mb->gender = (mb->idno[16] - '0') % 2 ? 'M' : 'F';
        mb->employer = gig && rng_below(&d->rng, 2) ? -1 : (int32_t)ei;
        mb->org_id = gig ? d->industry : d->units[u].org_id;
        mb->hardship = rng_pct(&d->rng, 3);
        mb->birth = birth.day;
        mb->unit = (uint8_t)u;
        char birth_text[DATE_TEXT_LEN + 1], gender[2] = {(char)mb->gender, '\0'};
        date_format(birth, birth_text);
        struct store_member_new n = {
            .id_hash = id_hash,
            .id_enc = id_enc,
            .id_enc_len = id_enc_len,
            .id_mask = mask,
            .name = person,
            .gender = gender,
            .birth_date = birth_text,
            .phone = phone,
            .employment = employments[mb->employment],
            .employer_id = mb->employer >= 0 ? d->emp[mb->employer].id : 0,
            .org_id = mb->org_id,
            .hardship = mb->hardship,
            .bank_enc = has_bank ? bank_enc : NULL,
            .bank_enc_len = bank_enc_len,
            .bank_mask = has_bank ? bank_mask : NULL,
        };
        if ((e = store_member_insert(d->c, &n, &mb->id)) != ERR_OK) {
            return e;
        }
        if (i > 0 && mb->id <= d->m[i - 1].id) {
            return ERR_INTERNAL; /* member_by_id needs ascending ids */
        }
        d->nm++;
        d->sum->members++;
    }
    return ERR_OK;
}

static enum err gen_registry(struct demo *d, unsigned members)
{
    enum err e = store_tx_begin(d->c);
    if (e != ERR_OK) {
        return e;
    }
    if ((e = gen_orgs(d)) == ERR_OK && (e = gen_employers(d)) == ERR_OK &&
        (e = gen_members(d, members)) == ERR_OK) {
        return store_tx_commit(d->c);
    }
    store_tx_rollback(d->c);
    return e;
}

/* ------------------------------------------------------------ accounts */

static enum err load_user(struct demo *d, size_t k, int64_t id)
{
    struct user *us = &d->users[k];
    struct store_user_row row;
    enum err e = store_user_find(d->c, demo_logins[k].login, &row);
    if (e != ERR_OK) {
        return e;
    }
    struct auth_user *u = &us->u;
    memset(u, 0, sizeof(*u));
    u->id = id;
    snprintf(u->login, sizeof(u->login), "%s", row.login);
    snprintf(u->display_name, sizeof(u->display_name), "%s", row.display_name);
    if ((e = auth_role_parse(row.role, strlen(row.role), &u->role)) != ERR_OK) {
        return e;
    }
    u->org_id = row.org_id;
    snprintf(u->org_code, sizeof(u->org_code), "%s", row.org_code);
    snprintf(u->org_path, sizeof(u->org_path), "%s", row.org_path);
    u->member_id = row.member_id;
    us->ea = (struct enrol_actor){u->id, auth_role_name(u->role), u->org_path, u->login,
                                  u->org_id, NULL};
    auth_actor_of(u, "demo", &us->aa);
    return ERR_OK;
}

static enum err create_user(struct demo *d, size_t k, const char *display, int64_t member_id,
                            const char *org_code)
{
    struct auth_user_new n = {.login = demo_logins[k].login,
                              .display_name = display,
                              .role = demo_logins[k].role,
                              .org_code = org_code,
                              .member_id = member_id,
                              .password = DEMO_PASSWORD,
                              .password_len = strlen(DEMO_PASSWORD)};
    const char *why = NULL;
    int64_t id = 0;
    enum err e = auth_user_create(d->c, &auth_actor_cli, &n, auth_now_ms(), &id, &why);
    if (e != ERR_OK) {
        fprintf(stderr, "demo: account %s: %s%s%s\n", demo_logins[k].login, err_str(e),
                why ? ": " : "", why ? why : "");
        return e;
    }
    d->sum->accounts++;
    return load_user(d, k, id);
}

static enum err create_staff(struct demo *d)
{
    static const char *const names[] = {"演示管理员", "演示上级工会", "演示经审",
                                        "演示财务",   "演示理赔专员", "演示理赔审批",
                                        "演示基层经办", "演示财务复核"};
    for (size_t k = L_ADMIN; k <= L_FINANCE2; k++) {
        enum err e = create_user(d, k, names[k], 0, demo_logins[k].org);
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

/* Portal accounts of the workers who claim online: real accounts (audited
 * "user.create") whose password nobody knows -- one random password hashed
 * once, so creating them costs no argon2 per worker. */
static enum err portal_account(struct demo *d, struct member *mb, struct auth_user *out)
{
    if (!d->portal_hash_ready) {
        unsigned char secret[32];
        randombytes_buf(secret, sizeof(secret));
        char pw[sizeof(secret) * 2 + 1];
        sodium_bin2hex(pw, sizeof(pw), secret, sizeof(secret));
        enum err e = auth_password_hash(pw, strlen(pw), d->portal_hash);
        sodium_memzero(pw, sizeof(pw));
        sodium_memzero(secret, sizeof(secret));
        if (e != ERR_OK) {
            return e;
        }
        d->portal_hash_ready = true;
    }
    char login[AUTH_LOGIN_MAX + 1], name[64];
    snprintf(login, sizeof(login), "worker.%" PRId64, mb->id);
    snprintf(name, sizeof(name), "%s%s", surnames[mb->surname], given[mb->given]);
    int64_t now = auth_now_ms(), id;
    struct store_user_new n = {.login = login, .display_name = name, .role = "member",
                               .org_id = mb->org_id, .password_hash = d->portal_hash,
                               .member_id = mb->id, .now_s = now / 1000};
    enum err e = store_user_insert(d->c, &n, &id);
    if (e != ERR_OK) {
        return e;
    }
    char ids[24], detail[256];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *org = mb->org_id == d->industry ? "ZJ-KD" : d->units[mb->unit].code;
    const char *pairs[] = {"login", login, "org", org, "role", "member"};
    if ((e = audit_detail_pairs(pairs, 3, detail, sizeof(detail))) != ERR_OK) {
        return e;
    }
    struct audit_event ev = {.at_ms = now, .actor = auth_actor_cli, .action = "user.create",
                             .object_type = "user", .object_id = ids, .detail = detail};
    if ((e = audit_append(d->c, &ev, NULL)) != ERR_OK) {
        return e;
    }
    memset(out, 0, sizeof(*out));
    out->id = id;
    snprintf(out->login, sizeof(out->login), "%s", login);
    out->role = AUTH_ROLE_MEMBER;
    out->org_id = mb->org_id;
    out->member_id = mb->id;
    d->sum->accounts++;
    return ERR_OK;
}

/* ------------------------------------------------------------ enrolment */

static void funding_bp(struct costshare_spec *f, int64_t employer_bp, int64_t union_bp)
{
    memset(f, 0, sizeof(*f));
    if (employer_bp > 0) {
        f->parts[COSTSHARE_EMPLOYER] = (struct costshare_part){COSTSHARE_BP, employer_bp};
    }
    if (union_bp > 0) {
        f->parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_BP, union_bp};
    }
    f->remainder_payer = COSTSHARE_WORKER;
}

/* 行政拿一点、工会补一点、职工交一点, in proportions by ownership and size:
 * the state and public sector employer-heavy, private firms 50/20/30,
 * micro units and individual businesses union-heavy. */
static void group_funding(const struct employer *em, struct costshare_spec *f)
{
    const char *own = ownerships[em->ownership];
    if (strcmp(sizes[em->size], "micro") == 0 || strcmp(own, "individual") == 0) {
        funding_bp(f, 2000, 6000);
    } else if (strcmp(own, "state") == 0 || strcmp(own, "public_sector") == 0) {
        funding_bp(f, 7000, 1500);
    } else if (strcmp(own, "foreign") == 0) {
        funding_bp(f, 6000, 1000);
    } else if (strcmp(own, "collective") == 0) {
        funding_bp(f, 3000, 0);
        f->parts[COSTSHARE_UNION] = (struct costshare_part){COSTSHARE_FIXED, 1500};
    } else {
        funding_bp(f, 5000, 2000);
    }
}

enum pay_plan { PAY_FULL, PAY_PARTIAL, PAY_NONE };

static enum receipt_method method_for(enum costshare_payer p, enum enrol_kind kind,
                                      uint64_t *rng)
{
    if (p != COSTSHARE_WORKER) {
        return RECEIPT_BANK_TRANSFER;
    }
    if (kind == ENROL_GROUP) {
        return RECEIPT_PAYROLL;
    }
    return rng_below(rng, 2) ? RECEIPT_WECHAT : RECEIPT_ALIPAY;
}

/* Pays a batch's invoices: all in full (activating the members with cover
 * from max(term start, paid_on)), or a part (the first payer in full, the
 * worker part half), or nothing. */
static enum err pay_batch(struct demo *d, const struct enrol_request *req,
                          const struct enrol_preview *p, enum pay_plan how, struct date paid_on)
{
    if (how == PAY_NONE) {
        return ERR_OK;
    }
    struct invoice_view inv[COSTSHARE__COUNT];
    size_t n;
    const struct user *fin = &d->users[L_FINANCE];
    enum err e = invoice_list_batch(d->c, &fin->ea, p->batch_id, inv, COSTSHARE__COUNT, &n);
    if (e != ERR_OK) {
        return e;
    }
    int pi = plan_ix_of(req->plan_code);
    int64_t activated = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t amount = inv[i].amount_fen;
        if (how == PAY_PARTIAL) {
            if (i + 1 < n) {
                continue; /* only the last payer (worker, or the only one) pays, half */
            }
            amount = amount / 2 > 0 ? amount / 2 : 1;
        }
        char ref[48];
        int len = snprintf(ref, sizeof(ref), "ZJ%06" PRId64 "-%" PRId64, ++d->ref_serial,
                           inv[i].id);
        struct date on = date_add_days(paid_on, (int32_t)(i * rng_below(&d->rng, 4)));
        if (on.day > d->today.day) {
            on = d->today;
        }
        struct receipt_request q = {inv[i].id, amount, method_for(inv[i].payer, req->kind, &d->rng),
                                    ref, (size_t)len, NULL, on};
        struct receipt_result res;
        char field[ENROL_FIELD_MAX];
        if ((e = invoice_record_receipt_in_tx(d->c, &fin->ea, &q, &res, field, sizeof(field))) !=
            ERR_OK) {
            fprintf(stderr, "demo: receipt for invoice %" PRId64 ": %s (%s)\n", inv[i].id,
                    err_str(e), field);
            return e;
        }
        activated += res.activated;
        d->sum->receipts++;
        if (pi >= 0) {
            d->cash_in[pi][day_ix(d, on)] += amount;
        }
    }
    d->sum->enrol_active += activated;
    if (how == PAY_FULL && pi >= 0) {
        int32_t cover = paid_on.day > req->term_start.day ? paid_on.day : req->term_start.day;
        for (size_t i = 0; i < p->neligible; i++) {
            struct member *mb = member_by_id(d, p->eligible[i]);
            if (mb != NULL) {
                mb->active |= (uint8_t)(1u << pi);
                mb->cover[pi] = cover;
            }
        }
    }
    return ERR_OK;
}

/* Commits one batch (previewed first when it may be refused as a whole,
 * so a refusal never aborts the transaction) and pays it. *enrolled gets
 * how many members it enrolled (0: nothing written). */
static enum err commit_batch(struct demo *d, struct enrol_request *req, enum pay_plan how,
                             struct date paid_on, size_t *enrolled)
{
    *enrolled = 0;
    struct enrol_actor actor = d->users[L_ADMIN].ea;
    struct enrol_preview p;
    char field[ENROL_FIELD_MAX];
    enum err e = enrol_preview(d->c, &actor, req, &p, field, sizeof(field));
    bool ok = e == ERR_OK && p.participation == ERR_OK && p.neligible > 0;
    enrol_preview_release(&p);
    if (e != ERR_OK && e != ERR_NO_ELIGIBLE_MEMBERS) {
        fprintf(stderr, "demo: preview %s: %s (%s)\n", req->plan_code, err_str(e), field);
        return e;
    }
    if (!ok) {
        return ERR_OK;
    }
    if ((e = enrol_commit_in_tx(d->c, &actor, req, &p, field, sizeof(field))) != ERR_OK) {
        fprintf(stderr, "demo: enrol %s: %s (%s)\n", req->plan_code, err_str(e), field);
        enrol_preview_release(&p);
        return e;
    }
    int pi = plan_ix_of(req->plan_code);
    for (size_t i = 0; i < p.neligible; i++) {
        struct member *mb = member_by_id(d, p.eligible[i]);
        if (mb != NULL && pi >= 0) {
            mb->enrolled |= (uint8_t)(1u << pi);
            mb->term[pi] = req->term_start.day;
            if (pi == P_ZY) {
                mb->zy_shares = (uint8_t)req->shares;
            }
        }
    }
    d->sum->batches++;
    d->sum->enrolments += (int64_t)p.neligible;
    if (req->kind == ENROL_GIFT) {
        d->sum->enrol_gifted += (int64_t)p.neligible;
    }
    *enrolled = p.neligible;
    e = pay_batch(d, req, &p, how, paid_on);
    enrol_preview_release(&p);
    return e;
}

static void request_init(struct enrol_request *r, enum enrol_kind kind, int plan,
                         struct date start, struct date due, int64_t shares)
{
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    snprintf(r->plan_code, sizeof(r->plan_code), "%s", plan_codes[plan]);
    r->term_start = start;
    r->due_date = due;
    r->shares = shares;
}

/* Who pays when: the main cohort pays around the term's start; a few
 * units never paid and lapse; late joiners (this month) paid, partly paid
 * or still owe. */
struct cohort {
    struct date start, due, paid_on;
    enum pay_plan how;
};

static void cohort_pick(struct demo *d, bool allow_lapse, struct cohort *co)
{
    co->paid_on = d->today;
    unsigned r = rng_below(&d->rng, 100);
    if (allow_lapse && r < 3) { /* never paid: the sweep lapses it */
        co->start = d->start;
        co->due = date_add_days(d->start, 30);
        co->how = PAY_NONE;
    } else if (r < 80) {
        co->start = d->start;
        co->due = date_add_days(d->start, 30);
        co->paid_on = date_add_days(d->start, (int32_t)rng_below(&d->rng, 25) - 10);
        co->how = PAY_FULL;
    } else { /* joined this month: due in 45 days */
        co->start = d->month_start;
        co->due = date_add_days(d->month_start, 45);
        unsigned k = rng_below(&d->rng, 100);
        co->how = k < 25 ? PAY_FULL : k < 70 ? PAY_PARTIAL : PAY_NONE;
        int32_t span = d->today.day - d->month_start.day;
        co->paid_on = date_add_days(d->month_start, (int32_t)rng_below(&d->rng,
                                                                       (unsigned)span + 1));
    }
    if (co->paid_on.day > d->today.day) {
        co->paid_on = d->today;
    }
}

static enum err enrol_groups(struct demo *d)
{
    for (size_t ei = 0; ei < d->nemp; ei++) {
        const struct employer *em = &d->emp[ei];
        bool small = strcmp(sizes[em->size], "micro") == 0 ||
                     strcmp(ownerships[em->ownership], "individual") == 0;
        if (rng_pct(&d->rng, small ? 30 : 8)) {
            continue; /* not enrolled: the outreach list */
        }
        struct cohort co;
        cohort_pick(d, true, &co);
        struct enrol_request r;
        unsigned sh = rng_below(&d->rng, 100);
        request_init(&r, ENROL_GROUP, P_ZY, co.start, co.due, sh < 70 ? 1 : sh < 95 ? 2 : 3);
        r.employer_id = em->id;
        group_funding(em, &r.funding);
        size_t n;
        enum err e = commit_batch(d, &r, co.how, co.paid_on, &n);
        if (e != ERR_OK) {
            return e;
        }
        if (n == 0) {
            continue;
        }
        d->sum->employers_enrolled++;
        /* the same unit's other plans, mostly paid the same way */
        static const struct {
            int plan;
            unsigned pct;
        } more[] = {{P_JT, 40}, {P_DB, 30}, {P_NZ, 45}};
        for (size_t k = 0; k < COUNT(more); k++) {
            if (!rng_pct(&d->rng, more[k].pct)) {
                continue;
            }
            request_init(&r, ENROL_GROUP, more[k].plan, co.start, co.due, 1);
            r.employer_id = em->id;
            if (more[k].plan == P_NZ) {
                /* women's cover: the union's women's committee pays most or all */
                bool pub = strcmp(ownerships[em->ownership], "state") == 0 ||
                           strcmp(ownerships[em->ownership], "public_sector") == 0;
                funding_bp(&r.funding, 0, pub ? 10000 : 6000);
            } else {
                group_funding(em, &r.funding);
            }
            if ((e = commit_batch(d, &r, co.how, co.paid_on, &n)) != ERR_OK) {
                return e;
            }
        }
    }
    return ERR_OK;
}

static bool member_fits(const struct demo *d, const struct member *mb, int plan,
                        enum enrol_kind kind, struct date start)
{
    if (mb->enrolled & (1u << plan)) {
        return false;
    }
    struct enrol_member_facts f = {{mb->birth}, (char)mb->gender, employments[mb->employment],
                                   mb->hardship != 0};
    return enrol_check_member(&d->plans[plan]->plan, kind, &f, start) == ERR_OK;
}

/* Gig workers without an employer enrol one by one (YW, some ZY too): the
 * union pays part (工会补一点). Rolling sign-ups over the ten months. */
static enum err enrol_individuals(struct demo *d)
{
    for (size_t i = 0; i < d->nm; i++) {
        struct member *mb = &d->m[i];
        if (mb->employment == 0 || mb->employer >= 0 || !rng_pct(&d->rng, 45)) {
            continue;
        }
        unsigned r = rng_below(&d->rng, 100);
        enum pay_plan how = r < 88 ? PAY_FULL : r < 95 ? PAY_PARTIAL : PAY_NONE;
        struct date start, due, paid_on;
        if (how == PAY_FULL) {
            start = first_of_month(d->today, -(int)rng_below(&d->rng, DEMO_TERM_MONTHS_BACK));
            due = date_add_days(start, 30);
            paid_on = date_add_days(start, -(int32_t)rng_below(&d->rng, 6));
        } else {
            start = d->month_start;
            due = date_add_days(start, 45);
            paid_on = d->today;
        }
        if (paid_on.day > d->today.day) {
            paid_on = d->today;
        }
        const int plans[2] = {P_YW, P_ZY};
        for (int k = 0; k < 2; k++) {
            if ((k == 1 && !rng_pct(&d->rng, 30)) ||
                !member_fits(d, mb, plans[k], ENROL_INDIVIDUAL, start)) {
                continue;
            }
            struct enrol_request q;
            request_init(&q, ENROL_INDIVIDUAL, plans[k], start, due, 1 + rng_below(&d->rng, 2));
            q.member_ids = &mb->id;
            q.nmembers = 1;
            funding_bp(&q.funding, 0, plans[k] == P_YW ? 5000 : 3000);
            size_t n;
            enum err e = commit_batch(d, &q, how, paid_on, &n);
            if (e != ERR_OK) {
                return e;
            }
        }
    }
    return ERR_OK;
}

/* Gifted cover (赠送保障): the province for hardship-flagged workers (ZY, or
 * DB when the unit already covers ZY), the courier industry union for
 * couriers and delivery riders (YW, a campaign two months into the term). */
static enum err gift(struct demo *d, const char *donor, int plan, struct date start,
                     bool (*pick)(const struct member *mb))
{
    int64_t *ids = malloc((DEMO_GIFT_BATCH_MAX) * sizeof(*ids));
    if (ids == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    enum err e = ERR_OK;
    for (size_t i = 0; i <= d->nm && e == ERR_OK; i++) {
        if (i < d->nm && pick(&d->m[i]) && member_fits(d, &d->m[i], plan, ENROL_GIFT, start)) {
            ids[n++] = d->m[i].id;
        }
        if (n > 0 && (n == DEMO_GIFT_BATCH_MAX || i == d->nm)) {
            struct enrol_request r;
            request_init(&r, ENROL_GIFT, plan, start, date_add_days(start, 30), 1);
            r.member_ids = ids;
            r.nmembers = n;
            costshare_spec_single(&r.funding, COSTSHARE_GIFT);
            snprintf(r.donor, sizeof(r.donor), "%s", donor);
            size_t done;
            e = commit_batch(d, &r, PAY_FULL, date_add_days(start, -5), &done);
            n = 0;
        }
    }
    free(ids);
    return e;
}

static bool pick_hardship(const struct member *mb)
{
    return mb->hardship != 0;
}

static bool pick_hardship_covered(const struct member *mb)
{
    return mb->hardship != 0 && (mb->enrolled & (1u << P_ZY));
}

static bool pick_rider(const struct member *mb)
{
    /* couriers and delivery riders, a deterministic 60 % of them */
    return (mb->employment == 1 || mb->employment == 2) && mb->id % 5 < 3;
}

static enum err load_plans(struct demo *d)
{
    for (int i = 0; i < DEMO_PLANS; i++) {
        d->plans[i] = malloc(sizeof(*d->plans[i]));
        if (d->plans[i] == NULL) {
            return ERR_NOMEM;
        }
        enum err e = plans_get_in_tx(d->c, 0, plan_codes[i], 0, d->plans[i]);
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

static enum err gen_enrolment(struct demo *d)
{
    enum err e = store_tx_begin(d->c);
    if (e != ERR_OK) {
        return e;
    }
    if ((e = load_plans(d)) == ERR_OK && (e = enrol_groups(d)) == ERR_OK &&
        (e = enrol_individuals(d)) == ERR_OK &&
        (e = gift(d, "浙江省总工会", P_ZY, d->start, pick_hardship)) == ERR_OK &&
        (e = gift(d, "浙江省总工会", P_DB, d->start, pick_hardship_covered)) == ERR_OK &&
        (e = gift(d, "浙江省快递行业工会联合会", P_YW, date_add_months(d->start, 2),
                  pick_rider)) == ERR_OK) {
        return store_tx_commit(d->c);
    }
    store_tx_rollback(d->c);
    return e;
}

/* A few workers left their unit last month: their ZY cover is cancelled
 * (worker part refunded for the unexpired months). */
struct first_enrolment {
    int64_t id, member_id;
};

static enum err first_fn(void *ctx, const struct enrol_cover *cv)
{
    struct first_enrolment *f = ctx;
    if (f->id == 0 && strcmp(cv->v.plan_code, "ZY") == 0 && strcmp(cv->v.status, "active") == 0) {
        f->id = cv->v.id;
        f->member_id = cv->v.member_id;
    }
    return ERR_OK;
}

static enum err cancel_some(struct demo *d)
{
    size_t want = d->nm / 2000 + 2, done = 0;
    struct date eff = first_of_month(d->today, -1);
    const struct user *adm = &d->users[L_ADMIN];
    for (size_t t = 0; t < DEMO_TRIES && done < want && d->nm > 0; t++) {
        struct member *mb = &d->m[rng_below(&d->rng, (unsigned)d->nm)];
        if (!(mb->active & (1u << P_ZY)) || mb->busy || mb->term[P_ZY] != d->start.day ||
            mb->employer < 0) {
            continue;
        }
        struct first_enrolment fe = {0, 0};
        enum err e = enrol_member_cover(d->c, mb->id, first_fn, &fe);
        if (e != ERR_OK) {
            return e;
        }
        if (fe.id == 0) {
            continue;
        }
        struct enrol_cancel_result res;
        char field[ENROL_FIELD_MAX];
        if ((e = enrol_cancel(d->c, &adm->ea, fe.id, eff, &res, field, sizeof(field))) !=
            ERR_OK) {
            fprintf(stderr, "demo: cancel enrolment %" PRId64 ": %s (%s)\n", fe.id, err_str(e),
                    field);
            return e;
        }
        mb->busy = 1;
        mb->active &= (uint8_t) ~(1u << P_ZY);
        d->cash_in[P_ZY][day_ix(d, eff)] -= res.refund_fen;
        d->sum->enrol_cancelled++;
        d->sum->enrol_active--;
        done++;
    }
    return ERR_OK;
}

/* ------------------------------------------------------------ claims */

enum claim_kind { CK_FEED, CK_STAY, CK_CI, CK_WOMEN, CK_ACCIDENT };

/* Where a claim should end up (the engine may decide otherwise). */
enum target {
    T_DRAFT,
    T_SUBMITTED,  /* documents missing */
    T_DOCS,       /* documents complete, not assessed */
    T_ASSESSED,
    T_PAYABLE,
    T_PAID,
    T_CLOSED,
    T_REJECTED,   /* by the officer, with a reason */
    T_APPEALED,   /* rejected, appealed, awaiting the approver */
    T_APPEAL_WON, /* rejected, appealed, approved and paid */
};

enum op {
    OP_FEED,   /* a monthly settlement feed import (claim = feed index) */
    OP_CREATE, /* create and (unless a draft) submit */
    OP_DOCS,
    OP_ASSESS,
    OP_DECIDE,
    OP_PAY,
    OP_CLOSE,
    OP_APPEAL,
    OP_REASSESS, /* after the appeal: documents added, assessed by the approver */
    OP_REDECIDE,
};

struct claim {
    struct member *mb;
    enum claim_kind kind;
    enum claim_channel channel;
    enum target target;
    struct date event, end; /* admission (or diagnosis / accident) and discharge */
    int64_t in_scope_fen, out_scope_fen, fund_fen, assist_fen;
    unsigned hospital;
    unsigned disease;  /* index into the kind's disease list */
    bool same_stay;    /* copies the previous claim's hospital and dates */
    int64_t id;        /* once created */
    int64_t invoice_no;
    struct auth_user actor; /* who files it (online: the worker; offline: staff) */
};

struct step {
    int64_t at_ms;
    uint32_t claim;
    uint16_t seq;
    uint8_t op;
};

struct feed {
    struct date on;
    uint32_t first, count; /* its claims: feed_claims[first .. first + count) */
};

struct claims_plan {
    struct claim *cl;
    size_t ncl, capcl;
    struct step *st;
    size_t nst, capst;
    struct feed *feeds;
    size_t nfeeds;
};

static const char *const hospitals[3][3] = {
    {"浙江大学医学院附属第一医院", "浙江省人民医院", "杭州市第一人民医院"},
    {"宁波市第一医院", "宁波市医疗中心李惠利医院", "宁波市第二医院"},
    {"温州医科大学附属第一医院", "温州市人民医院", "温州市中医院"},
};
static const char *const diagnoses[] = {"急性阑尾炎", "腰椎间盘突出症", "社区获得性肺炎",
                                        "胆囊结石伴胆囊炎", "桡骨远端骨折", "2型糖尿病",
                                        "脑梗死", "冠状动脉粥样硬化性心脏病"};
static const char *const ci_codes[] = {"S01", "S02", "S03", "M01"};
static const char *const women_codes[] = {"F05", "F01", "FM1"};

static enum err push_step(struct claims_plan *cp, int64_t at_ms, size_t claim, unsigned seq,
                          enum op op)
{
    if (cp->nst == cp->capst) {
        size_t cap = cp->capst ? cp->capst * 2 : 1024;
        struct step *v = realloc(cp->st, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        cp->st = v;
        cp->capst = cap;
    }
    cp->st[cp->nst++] = (struct step){at_ms, (uint32_t)claim, (uint16_t)seq, (uint8_t)op};
    return ERR_OK;
}

static struct claim *push_claim(struct claims_plan *cp)
{
    if (cp->ncl == cp->capcl) {
        size_t cap = cp->capcl ? cp->capcl * 2 : 256;
        struct claim *v = realloc(cp->cl, cap * sizeof(*v));
        if (v == NULL) {
            return NULL;
        }
        cp->cl = v;
        cp->capcl = cap;
    }
    struct claim *c = &cp->cl[cp->ncl++];
    memset(c, 0, sizeof(*c));
    return c;
}

static int step_cmp(const void *a, const void *b)
{
    const struct step *x = a, *y = b;
    if (x->at_ms != y->at_ms) {
        return x->at_ms < y->at_ms ? -1 : 1;
    }
    if (x->claim != y->claim) {
        return x->claim < y->claim ? -1 : 1;
    }
    return (int)x->seq - (int)y->seq;
}

/* Settlement amounts of a stay: in-scope self-pay mostly a few thousand
 * yuan, sometimes much more; the basic insurance pool pays the most. */
static void settle(struct demo *d, struct claim *c, bool small)
{
    uint64_t r = rng_below(&d->rng, 1000);
    int64_t base = small ? 50000 + (int64_t)rng_below(&d->rng, 600000)
                         : 80000 + (int64_t)(r * r * 14 / 10);
    if (!small && rng_pct(&d->rng, 4)) {
        base = 20000 + (int64_t)rng_below(&d->rng, 25000); /* below the deductible */
    }
    c->in_scope_fen = base;
    c->out_scope_fen = base * (5 + rng_below(&d->rng, 20)) / 100;
    c->fund_fen = base * (120 + rng_below(&d->rng, 130)) / 100;
    c->assist_fen = c->mb->hardship ? base / 5 : 0;
}

static unsigned hospital_of(struct demo *d, const struct member *mb)
{
    return d->units[mb->unit].city * 3 + rng_below(&d->rng, 3);
}

/* A random member holding active cover in plan (and not used yet). */
static struct member *pick_member(struct demo *d, int plan, bool women)
{
    for (unsigned t = 0; t < DEMO_TRIES && d->nm > 0; t++) {
        struct member *mb = &d->m[rng_below(&d->rng, (unsigned)d->nm)];
        if ((mb->active & (1u << plan)) && !mb->busy && (!women || mb->gender == 'F')) {
            return mb;
        }
    }
    return NULL;
}

static int waiting_of(const struct demo *d, int plan)
{
    return d->plans[plan]->plan.waiting_days;
}

static int kind_plan(enum claim_kind k)
{
    return k == CK_CI ? P_DB : k == CK_WOMEN ? P_NZ : k == CK_ACCIDENT ? P_YW : P_ZY;
}

/* -- the monthly feed (免申即享): discharges of a month, imported on the 6th
 *    of the next; the records of people who are not enrolled come along. */
static enum err plan_feed(struct demo *d, struct claims_plan *cp, size_t count)
{
    /* import dates: the 6th of every month after the term's first, up to today */
    struct date imports[DEMO_TERM_MONTHS_BACK + 2];
    size_t ni = 0;
    for (int k = 1; k <= DEMO_TERM_MONTHS_BACK + 1 && ni < COUNT(imports); k++) {
        struct date on = date_add_days(date_add_months(d->start, k), 5);
        if (on.day <= d->today.day) {
            imports[ni++] = on;
        }
    }
    if (ni == 0) {
        return ERR_OK;
    }
    cp->feeds = calloc(ni, sizeof(*cp->feeds));
    if (cp->feeds == NULL) {
        return ERR_NOMEM;
    }
    cp->nfeeds = ni;
    for (size_t f = 0; f < ni; f++) {
        cp->feeds[f].on = imports[f];
        cp->feeds[f].first = (uint32_t)cp->ncl;
        size_t n = count / ni + (f < count % ni);
        struct date month = date_add_months(first_of_month(imports[f], 0), -1);
        int32_t mdays = first_of_month(imports[f], 0).day - month.day;
        for (size_t k = 0; k < n; k++) {
            struct member *mb = pick_member(d, P_ZY, false);
            if (mb == NULL) {
                break;
            }
            int32_t adm = month.day + (int32_t)rng_below(&d->rng, (unsigned)mdays);
            int32_t stay = 2 + (int32_t)rng_below(&d->rng, 12);
            struct date a = {adm}, e = {adm + stay};
            if (e.day >= imports[f].day || adm < mb->cover[P_ZY]) {
                continue;
            }
            /* most stays after the waiting period; a few inside it (rejected) */
            if (adm - mb->term[P_ZY] < waiting_of(d, P_ZY) && !rng_pct(&d->rng, 35)) {
                continue;
            }
            struct claim *c = push_claim(cp);
            if (c == NULL) {
                return ERR_NOMEM;
            }
            mb->busy = 1;
            c->mb = mb;
            c->kind = CK_FEED;
            c->target = T_PAID;
            c->channel = CLAIM_CHANNEL_AUTO;
            c->event = a;
            c->end = e;
            c->hospital = hospital_of(d, mb);
            c->invoice_no = ++d->invoice_serial;
            settle(d, c, false);
            cp->feeds[f].count++;
        }
        enum err err = push_step(cp, ms_at(imports[f], 2, 30), f, 0, OP_FEED);
        if (err != ERR_OK) {
            return err;
        }
        /* after the import: decided within days, paid within a week, some closed */
        for (uint32_t k = cp->feeds[f].first; k < cp->feeds[f].first + cp->feeds[f].count; k++) {
            /* most decided within a week; the latest import still has a queue */
            int32_t wait = 1 + (int32_t)rng_below(&d->rng, rng_pct(&d->rng, 70) ? 6 : 30);
            struct date dec = date_add_days(imports[f], wait);
            struct date pay = date_add_days(dec, 2 + (int32_t)rng_below(&d->rng, 6));
            struct date cls = date_add_days(pay, 20 + (int32_t)rng_below(&d->rng, 20));
            if ((err = push_step(cp, ms_at(dec, 9 + (int)rng_below(&d->rng, 8), 10), k, 1,
                                 OP_DECIDE)) ||
                (err = push_step(cp, ms_at(pay, 15, (int)rng_below(&d->rng, 50)), k, 2,
                                 OP_PAY))) {
                return err;
            }
            if (rng_pct(&d->rng, 15) &&
                (err = push_step(cp, ms_at(cls, 11, 0), k, 3, OP_CLOSE)) != ERR_OK) {
                return err;
            }
        }
    }
    return ERR_OK;
}

/* -- claims filed by hand, online by the worker or offline by staff */

static enum target pick_target(struct demo *d)
{
    static const struct {
        enum target t;
        unsigned w;
    } table[] = {{T_DRAFT, 3},  {T_SUBMITTED, 8}, {T_DOCS, 6},   {T_ASSESSED, 8},
                 {T_PAYABLE, 7}, {T_PAID, 42},     {T_CLOSED, 8}, {T_REJECTED, 14},
                 {T_APPEALED, 2}, {T_APPEAL_WON, 2}};
    unsigned r = rng_below(&d->rng, 100), acc = 0;
    for (size_t i = 0; i < COUNT(table); i++) {
        acc += table[i].w;
        if (r < acc) {
            return table[i].t;
        }
    }
    return T_PAID;
}

/* The steps of a target, as day offsets from the submission, into ops/days;
 * returns how many. */
static size_t chain_of(struct demo *d, enum target t, enum op ops[10], int32_t days[10])
{
    static const enum op order[] = {OP_CREATE, OP_DOCS, OP_ASSESS, OP_DECIDE, OP_PAY, OP_CLOSE};
    size_t upto = t == T_DRAFT ? 1 : t == T_SUBMITTED || t == T_DOCS ? 2 : t == T_ASSESSED ? 3
                  : t == T_PAYABLE || t == T_REJECTED                ? 4
                  : t == T_PAID                                       ? 5
                  : t == T_CLOSED                                     ? 6
                                                                      : 4;
    size_t n = 0;
    int32_t at = 0;
    static const unsigned gap[] = {0, 2, 4, 3, 6, 25};
    for (size_t i = 0; i < upto; i++) {
        at += i == 0 ? 0 : 1 + (int32_t)rng_below(&d->rng, gap[i]);
        ops[n] = order[i];
        days[n++] = at;
    }
    if (t == T_APPEALED || t == T_APPEAL_WON) {
        at += 3 + (int32_t)rng_below(&d->rng, 10);
        ops[n] = OP_APPEAL;
        days[n++] = at;
        if (t == T_APPEAL_WON) {
            at += 2 + (int32_t)rng_below(&d->rng, 4);
            ops[n] = OP_REASSESS;
            days[n++] = at;
            at += 1 + (int32_t)rng_below(&d->rng, 2);
            ops[n] = OP_REDECIDE;
            days[n++] = at;
            at += 2 + (int32_t)rng_below(&d->rng, 5);
            ops[n] = OP_PAY;
            days[n++] = at;
        }
    }
    return n;
}

static bool target_in_progress(enum target t)
{
    return t == T_DRAFT || t == T_SUBMITTED || t == T_DOCS || t == T_ASSESSED ||
           t == T_PAYABLE || t == T_APPEALED;
}

/* Plans one hand-filed claim: for want (else a random member covered by the
 * kind's plan), dated so its steps end by today (recent: in the last days),
 * or on copy's dates. *planned false when no member or date fits. */
static enum err plan_manual(struct demo *d, struct claims_plan *cp, enum claim_kind kind,
                            enum target t, struct member *want, const struct claim *copy,
                            struct user *unit_staff, bool recent, bool *planned)
{
    *planned = false;
    int plan = kind_plan(kind);
    struct member *mb = want ? want : pick_member(d, plan, kind == CK_WOMEN);
    if (mb == NULL) {
        return ERR_OK;
    }
    enum op ops[10];
    int32_t days[10];
    size_t n = chain_of(d, t, ops, days);
    int32_t stay = kind == CK_STAY ? 3 + (int32_t)rng_below(&d->rng, 12)
                   : kind == CK_ACCIDENT ? (int32_t)rng_below(&d->rng, 4)
                                         : 0;
    int32_t lag = 3 + (int32_t)rng_below(&d->rng, 18); /* end of the event to submission */
    int32_t hi = d->today.day - days[n - 1] - lag - stay;
    int32_t lo = mb->cover[plan] + 1;
    bool accident = kind == CK_ACCIDENT;
    if (!accident) {
        int32_t w = mb->term[plan] + waiting_of(d, plan) + 5;
        lo = lo > w ? lo : w;
    }
    int32_t ev;
    if (copy != NULL) { /* the same hospital and dates as another member's claim */
        ev = copy->event.day;
        stay = copy->end.day - copy->event.day;
        if (ev < lo) {
            return ERR_OK;
        }
    } else {
        if (lo > hi) {
            return ERR_OK;
        }
        ev = recent || target_in_progress(t) ? hi - (int32_t)rng_below(&d->rng, 10)
                                   : lo + (int32_t)rng_below(&d->rng, (unsigned)(hi - lo + 1));
        ev = ev < lo ? lo : ev;
    }
    struct claim *c = push_claim(cp);
    if (c == NULL) {
        return ERR_NOMEM;
    }
    mb->busy = 1;
    c->mb = mb;
    c->kind = kind;
    c->target = t;
    c->event = (struct date){ev};
    c->end = (struct date){ev + stay};
    c->hospital = copy ? copy->hospital : hospital_of(d, mb);
    c->same_stay = copy != NULL;
    c->invoice_no = ++d->invoice_serial;
    c->disease = rng_below(&d->rng, kind == CK_WOMEN ? COUNT(women_codes) : COUNT(ci_codes));
    if (kind == CK_STAY || kind == CK_ACCIDENT) {
        settle(d, c, accident);
    }
    /* online by the worker (a draft is always the worker's), else offline:
     * the union's own staff for the demo unit, the claims office otherwise */
    bool online = want != NULL || t == T_DRAFT || rng_pct(&d->rng, 45);
    enum err e;
    if (online) {
        c->channel = CLAIM_CHANNEL_ONLINE;
        if (want != NULL && d->users[L_MEMBER].u.member_id == mb->id) {
            c->actor = d->users[L_MEMBER].u;
        } else if ((e = portal_account(d, mb, &c->actor)) != ERR_OK) {
            return e;
        }
    } else {
        c->channel = CLAIM_CHANNEL_OFFLINE;
        c->actor = mb->org_id == d->units[0].org_id ? unit_staff->u : d->users[L_OFFICER].u;
    }
    struct date submit = date_add_days(c->end, lag);
    size_t ci = cp->ncl - 1;
    for (size_t i = 0; i < n; i++) {
        struct date on = date_add_days(submit, days[i]);
        int hour = ops[i] == OP_CREATE && online ? 19 + (int)rng_below(&d->rng, 3)
                                                 : 9 + (int)rng_below(&d->rng, 8);
        if ((e = push_step(cp, ms_at(on, hour, (int)rng_below(&d->rng, 60)), ci, (unsigned)i,
                           ops[i])) != ERR_OK) {
            return e;
        }
    }
    *planned = true;
    return ERR_OK;
}

/* ------------------------------------------------------------ running claims */

struct runner {
    struct demo *d;
    struct claims_plan *cp;
    struct claims_config cfg;
    struct claims_ctx ctx;
};

static void fill_stay(const struct claim *c, struct claim_input *in)
{
    in->event.present |= ADJ_HAS_CAUSE | ADJ_HAS_ADMISSION | ADJ_HAS_DISCHARGE |
                         ADJ_HAS_SETTLEMENT;
    in->event.admission_date = c->event;
    in->event.discharge_date = c->end;
    struct adj_settlement *s = &in->event.settlement;
    s->fund_paid_fen = c->fund_fen;
    s->assistance_paid_fen = c->assist_fen;
    s->self_pay_in_scope_fen = c->in_scope_fen;
    s->self_pay_out_scope_fen = c->out_scope_fen;
    s->total_fen = c->fund_fen + c->assist_fen + c->in_scope_fen + c->out_scope_fen;
}

static void claim_input_of(const struct claim *c, struct claim_input *in)
{
    memset(in, 0, sizeof(*in));
    in->member_id = c->mb->id;
    snprintf(in->hospital, sizeof(in->hospital), "%s", hospitals[c->hospital / 3][c->hospital % 3]);
    switch (c->kind) {
    case CK_FEED:
    case CK_STAY:
        snprintf(in->plan_codes[in->nplans++], PLAN_CODE_MAX, "ZY");
        if (c->mb->active & (1u << P_JT)) {
            snprintf(in->plan_codes[in->nplans++], PLAN_CODE_MAX, "JT");
        }
        in->event.cause = ADJ_CAUSE_ILLNESS;
        fill_stay(c, in);
        in->diagnosis = diagnoses[c->invoice_no % COUNT(diagnoses)];
        in->diagnosis_len = strlen(in->diagnosis);
        break;
    case CK_CI:
    case CK_WOMEN:
        snprintf(in->plan_codes[in->nplans++], PLAN_CODE_MAX, "%s",
                 c->kind == CK_CI ? "DB" : "NZ");
        in->event.present = ADJ_HAS_CAUSE | ADJ_HAS_DIAGNOSIS | ADJ_HAS_DISEASE;
        in->event.cause = ADJ_CAUSE_ILLNESS;
        in->event.diagnosis_date = c->event;
        snprintf(in->event.disease_code, sizeof(in->event.disease_code), "%s",
                 c->kind == CK_CI ? ci_codes[c->disease] : women_codes[c->disease]);
        break;
    case CK_ACCIDENT:
        snprintf(in->plan_codes[in->nplans++], PLAN_CODE_MAX, "YW");
        in->event.cause = ADJ_CAUSE_ACCIDENT;
        fill_stay(c, in);
        in->event.present |= ADJ_HAS_ACCIDENT_DATE | ADJ_HAS_ACCIDENT_ID | ADJ_HAS_OUTCOME;
        in->event.accident_date = c->event;
        in->event.outcome = ADJ_OUTCOME_MEDICAL;
        snprintf(in->event.accident_id, sizeof(in->event.accident_id), "A-%" PRId64,
                 c->invoice_no);
        break;
    }
    if (c->kind == CK_FEED || c->kind == CK_STAY || c->kind == CK_ACCIDENT) {
        in->ninvoices = 1;
        snprintf(in->invoices[0], ADJ_INVOICE_MAX, "3301%06d%010" PRId64, c->event.day,
                 c->invoice_no);
    }
}

/* A small valid PDF standing in for a scanned document. */
static size_t make_pdf(char *buf, size_t cap, const char *title, int64_t claim_id)
{
    char content[256];
    int clen = snprintf(content, sizeof(content),
                        "BT /F1 16 Tf 30 240 Td (Huzhu demo - %s) Tj 0 -28 Td /F1 11 Tf "
                        "(Claim %" PRId64 ". A synthetic document, not a real record.) Tj ET\n",
                        title, claim_id);
    const char *objs[5] = {"<< /Type /Catalog /Pages 2 0 R >>",
                           "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                           "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 297] /Contents 4 0 R"
                           " /Resources << /Font << /F1 5 0 R >> >> >>",
                           NULL, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
    size_t at = (size_t)snprintf(buf, cap, "%%PDF-1.4\n");
    size_t offs[5];
    for (int i = 0; i < 5 && at < cap; i++) {
        offs[i] = at;
        if (objs[i] != NULL) {
            at += (size_t)snprintf(buf + at, cap - at, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
        } else {
            at += (size_t)snprintf(buf + at, cap - at,
                                   "%d 0 obj\n<< /Length %d >>\nstream\n%sendstream\nendobj\n",
                                   i + 1, clen, content);
        }
    }
    size_t xref = at;
    if (at < cap) {
        at += (size_t)snprintf(buf + at, cap - at, "xref\n0 6\n0000000000 65535 f \n");
    }
    for (int i = 0; i < 5 && at < cap; i++) {
        at += (size_t)snprintf(buf + at, cap - at, "%010zu 00000 n \n", offs[i]);
    }
    if (at < cap) {
        at += (size_t)snprintf(buf + at, cap - at,
                               "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                               xref);
    }
    return at < cap ? at : cap;
}

static enum err add_doc(struct runner *r, struct claim *c, const struct auth_user *who,
                        enum doc_kind kind)
{
    static const char *const titles[] = {"medical invoice", "settlement statement",
                                         "discharge summary", "diagnosis report",
                                         "accident certificate", "disability appraisal",
                                         "death certificate", "other"};
    char pdf[1200], name[64];
    size_t len = make_pdf(pdf, sizeof(pdf), titles[kind], c->id);
    snprintf(name, sizeof(name), "%s.pdf", doc_kind_str(kind));
    int64_t doc;
    return claim_document_add(r->d->c, &r->ctx, who, c->id, kind, pdf, len, name, &doc);
}

static enum err attach_docs(struct runner *r, struct claim *c, bool all)
{
    enum doc_kind kinds[3];
    size_t n = 0;
    switch (c->kind) {
    case CK_STAY:
        kinds[n++] = DOC_INVOICE;
        kinds[n++] = DOC_SETTLEMENT_STATEMENT;
        kinds[n++] = DOC_DISCHARGE_SUMMARY;
        break;
    case CK_CI:
    case CK_WOMEN:
        kinds[n++] = DOC_DIAGNOSIS_REPORT;
        break;
    case CK_ACCIDENT:
        kinds[n++] = DOC_ACCIDENT_CERTIFICATE;
        kinds[n++] = DOC_INVOICE;
        kinds[n++] = DOC_SETTLEMENT_STATEMENT;
        break;
    case CK_FEED:
        return ERR_OK;
    }
    if (!all) {
        n = n > 1 ? 1 : 0; /* a first photo; the rest still to come */
        if (n == 0) {
            return ERR_OK;
        }
    }
    for (size_t i = 0; i < n; i++) {
        /* now and then the officer waives a discharge summary the hospital
         * replaced with its own stay certificate */
        if (all && kinds[i] == DOC_DISCHARGE_SUMMARY && c->invoice_no % 17 == 0) {
            enum err e = claim_document_waive(r->d->c, &r->ctx, &r->d->users[L_OFFICER].u, c->id,
                                              kinds[i], "医院出具的住院证明已载明住院起止日期");
            if (e != ERR_OK) {
                return e;
            }
            continue;
        }
        enum err e = add_doc(r, c, &c->actor, kinds[i]);
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

/* Money check before paying: the fund's receipts up to the payment day
 * keep a margin over everything paid from it. */
static bool fund_can_pay(struct demo *d, int plan, struct date on, int64_t amount)
{
    int64_t in = 0;
    int32_t last = day_ix(d, on);
    for (int32_t i = 0; i <= last; i++) {
        in += d->cash_in[plan][i];
    }
    return (d->paid_out[plan] + amount) * 10000 <= in * DEMO_PAY_MARGIN_BP;
}

struct pay_need {
    int64_t fen[DEMO_PLANS];
};

static enum err pair_need_fn(void *ctx, const struct store_claim_result *r)
{
    struct pay_need *p = ctx;
    int i = plan_ix_of(r->plan_code);
    if (i >= 0 && strcmp(r->decision, "approve") == 0) {
        p->fen[i] += r->payout_fen;
    }
    return ERR_OK;
}

static enum err do_pay(struct runner *r, struct claim *c)
{
    struct demo *d = r->d;
    struct store_claim row;
    enum err e = store_claim_get(d->c, c->id, &row);
    if (e != ERR_OK || strcmp(row.status, "payable") != 0) {
        return e;
    }
    struct pay_need need = {{0}};
    if ((e = store_claim_result_each(d->c, c->id, pair_need_fn, &need)) != ERR_OK) {
        return e;
    }
    bool big = false;
    for (int i = 0; i < DEMO_PLANS; i++) {
        if (need.fen[i] > 0 && !fund_can_pay(d, i, r->ctx.today, need.fen[i])) {
            return ERR_OK; /* waits for money: stays payable */
        }
        big |= need.fen[i] > DEMO_APPROVAL_FEN;
    }
    if (big && r->ctx.today.day < d->close_end.day) {
        return ERR_OK; /* a pending payment must not fall in a period closed below */
    }
    int y, m, dd;
    date_to_ymd(r->ctx.today, &y, &m, &dd);
    char batch[32];
    snprintf(batch, sizeof(batch), "ZF%04d%02d%02d", y, m, dd);
    bool pending;
    /* large payments: made by the admin, approved later by the finance account */
    const struct auth_user *payer = big ? &d->users[L_ADMIN].u : &d->users[L_FINANCE].u;
    if ((e = claim_pay(d->c, &r->ctx, payer, c->id, r->ctx.today, batch, &pending)) != ERR_OK) {
        return e;
    }
    if (!pending) {
        for (int i = 0; i < DEMO_PLANS; i++) {
            d->paid_out[i] += need.fen[i];
        }
    }
    return ERR_OK;
}

struct first_reason {
    char code[24];
};

static enum err first_reason_fn(void *ctx, const struct store_claim_result *r)
{
    struct first_reason *f = ctx;
    if (f->code[0] == '\0' && strcmp(r->decision, "reject") == 0 && r->reason[0] != '\0') {
        snprintf(f->code, sizeof(f->code), "%s", r->reason);
    }
    return ERR_OK;
}

static const char *reason_text(const char *code)
{
    if (strcmp(code, "WAITING_PERIOD") == 0) {
        return "入院日期在计划等待期内，按计划条款不予给付";
    }
    if (strcmp(code, "NOT_ENROLLED") == 0) {
        return "事故发生时不在保障期内";
    }
    if (strcmp(code, "DUPLICATE_INVOICE") == 0) {
        return "该发票已在其他理赔中使用";
    }
    return "不属于计划保障范围";
}

/* Approves (the officer within its limit, else the approver), or rejects:
 * by the officer's own judgement (officer_reject), or with the engine's
 * reason when every plan rejected the claim. */
static enum err do_decide(struct runner *r, struct claim *c, bool officer_reject)
{
    struct demo *d = r->d;
    const struct auth_user *officer = &d->users[L_OFFICER].u;
    const struct auth_user *approver = &d->users[L_APPROVER].u;
    char field[CLAIM_FIELD_MAX];
    if (officer_reject) {
        static const char *const codes[] = {"DOCUMENTS_INSUFFICIENT", "NOT_COVERED",
                                            "DOCUMENTS_INSUFFICIENT"};
        static const char *const texts[] = {"出院小结字迹不清，无法核实住院天数，请补充清晰材料",
                                            "所患疾病不属于计划约定的保障范围",
                                            "缺少医保结算单原件，请补充后重新提交"};
        size_t k = (size_t)(c->invoice_no % 3);
        if (c->target == T_APPEALED || c->target == T_APPEAL_WON) {
            k = 0;
        }
        return claim_reject(d->c, &r->ctx, officer, c->id, codes[k], texts[k], field,
                            sizeof(field));
    }
    struct claim_assessment a;
    enum err e = claim_approve(d->c, &r->ctx, officer, c->id, &a);
    if (e == ERR_AUTHORITY_LIMIT || e == ERR_CLAIM_REASSESSED) {
        e = claim_approve(d->c, &r->ctx, approver, c->id, &a);
    }
    if (e == ERR_CLAIM_REASSESSED) {
        e = claim_approve(d->c, &r->ctx, approver, c->id, &a);
    }
    if (e != ERR_CONFLICT) {
        return e;
    }
    struct first_reason fr = {""};
    if ((e = store_claim_result_each(d->c, c->id, first_reason_fn, &fr)) != ERR_OK) {
        return e;
    }
    const char *code = fr.code[0] ? fr.code : "NOT_COVERED";
    return claim_reject(d->c, &r->ctx, officer, c->id, code, reason_text(code), field,
                        sizeof(field));
}

static enum err match_feed(struct runner *r, uint64_t created);

static enum err run_feed(struct runner *r, size_t f)
{
    struct demo *d = r->d;
    struct claims_plan *cp = r->cp;
    struct feed *fd = &cp->feeds[f];
    size_t cap = ((size_t)fd->count + 8) * 256 + 512;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return ERR_NOMEM;
    }
    size_t at = (size_t)snprintf(buf, cap,
                                 "settlement_id,id_number,hospital,admission_date,discharge_date,"
                                 "cause,total_fen,fund_paid_fen,serious_illness_paid_fen,"
                                 "assistance_paid_fen,other_paid_fen,self_pay_in_scope_fen,"
                                 "self_pay_out_scope_fen,invoices\n");
    int y, m, dd;
    date_to_ymd(fd->on, &y, &m, &dd);
    for (uint32_t k = 0; k <= fd->count + 2 && at < cap; k++) {
        const struct claim *c = k < fd->count ? &cp->cl[fd->first + k] : NULL;
        struct claim stranger;
        char idno[IDCARD_LEN + 1];
        if (c == NULL) {
            /* records of people the scheme does not cover: counted, not errors */
            if (k == fd->count + 2 && fd->count > 0) {
                c = &cp->cl[fd->first]; /* the insurer sent one record twice */
            } else {
                memset(&stranger, 0, sizeof(stranger));
                struct date born = {3650 + (int32_t)rng_below(&d->rng, 9000)};
                make_idcard("330106", born, 900 + rng_below(&d->rng, 99), idno);
                stranger.event = date_add_days(fd->on, -20);
                stranger.end = date_add_days(fd->on, -12);
                stranger.in_scope_fen = 300000;
                stranger.fund_fen = 600000;
                c = &stranger;
            }
        }
        const char *id = c == &stranger ? idno : c->mb->idno;
        uint32_t serial = c == &stranger ? 900000 + k : (uint32_t)(c - cp->cl);
        char adm[DATE_TEXT_LEN + 1], dis[DATE_TEXT_LEN + 1];
        date_format(c->event, adm);
        date_format(c->end, dis);
        int64_t total = c->fund_fen + c->assist_fen + c->in_scope_fen + c->out_scope_fen;
        at += (size_t)snprintf(buf + at, cap - at,
                               "JS%04d%02d-%u,%s,%s,%s,%s,illness,%" PRId64 ",%" PRId64
                               ",0,%" PRId64 ",0,%" PRId64 ",%" PRId64 ",3301%06d%010" PRId64
                               "\n",
                               y, m, serial, id, hospitals[c->hospital / 3][c->hospital % 3],
                               adm, dis, total, c->fund_fen, c->assist_fen, c->in_scope_fen,
                               c->out_scope_fen, c->event.day, c->invoice_no);
    }
    struct csv_reader *rd;
    enum err e = csv_open_mem(buf, at, &rd);
    if (e != ERR_OK) {
        free(buf);
        return e;
    }
    char name[48];
    snprintf(name, sizeof(name), "医保结算-%04d%02d.csv", y, m);
    struct claim_feed_options fo = {name, "", NULL, NULL, NULL};
    struct claim_feed_summary sum;
    const char *bad = NULL;
    e = claim_feed_import(d->c, &r->ctx, &d->users[L_OFFICER].u, rd, &fo, &sum, &bad);
    csv_close(rd);
    free(buf);
    if (e != ERR_OK) {
        fprintf(stderr, "demo: feed %s: %s%s%s\n", name, err_str(e), bad ? " at " : "",
                bad ? bad : "");
        return e;
    }
    return match_feed(r, sum.created);
}

struct id_list {
    int64_t *v;
    size_t n, cap;
};

static enum err collect_fn(void *ctx, const struct store_claim_brief *b)
{
    struct id_list *l = ctx;
    if (l->n < l->cap) {
        l->v[l->n++] = b->id;
    }
    return ERR_OK;
}

/* The claims an import just made are the newest of channel auto: their
 * settlement ids ("JS202605-<claim index>") say which planned claim each is. */
static enum err match_feed(struct runner *r, uint64_t created)
{
    if (created == 0) {
        return ERR_OK;
    }
    struct id_list l = {malloc((size_t)created * sizeof(int64_t)), 0, (size_t)created};
    if (l.v == NULL) {
        return ERR_NOMEM;
    }
    struct store_claim_filter f = {.channel = "auto", .limit = (size_t)created};
    enum err e = store_claim_each(r->d->c, &f, collect_fn, &l);
    for (size_t i = 0; i < l.n && e == ERR_OK; i++) {
        struct store_claim row;
        if ((e = store_claim_get(r->d->c, l.v[i], &row)) != ERR_OK) {
            break;
        }
        const char *dash = strchr(row.settlement_id, '-');
        unsigned long k = dash ? strtoul(dash + 1, NULL, 10) : (unsigned long)-1;
        if (k < r->cp->ncl && r->cp->cl[k].kind == CK_FEED) {
            r->cp->cl[k].id = row.id;
        }
    }
    free(l.v);
    return e;
}

static enum err run_step(struct runner *r, const struct step *s)
{
    struct demo *d = r->d;
    r->ctx.now_ms = s->at_ms;
    r->ctx.today = date_of_ms(s->at_ms);
    if (s->op == OP_FEED) {
        return run_feed(r, s->claim);
    }
    struct claim *c = &r->cp->cl[s->claim];
    if (c->id == 0 && s->op != OP_CREATE) {
        return ERR_OK; /* a feed record the import did not turn into a claim */
    }
    const struct auth_user *officer = &d->users[L_OFFICER].u;
    const struct auth_user *approver = &d->users[L_APPROVER].u;
    struct claim_assessment a;
    char field[CLAIM_FIELD_MAX];
    enum err e = ERR_OK;
    switch ((enum op)s->op) {
    case OP_FEED:
        break;
    case OP_CREATE: {
        struct claim_input in;
        claim_input_of(c, &in);
        if ((e = claim_create(d->c, &r->ctx, &c->actor, &in, &c->id, field, sizeof(field))) !=
            ERR_OK) {
            fprintf(stderr, "demo: claim for member %" PRId64 ": %s (%s)\n", c->mb->id,
                    err_str(e), field);
            return e;
        }
        if (c->target != T_DRAFT) {
            e = claim_submit(d->c, &r->ctx, &c->actor, c->id);
        }
        break;
    }
    case OP_DOCS:
        e = attach_docs(r, c, c->target != T_SUBMITTED);
        break;
    case OP_ASSESS:
        e = claim_assess(d->c, &r->ctx, officer, c->id, &a);
        break;
    case OP_DECIDE:
        e = do_decide(r, c,
                      c->target == T_REJECTED || c->target == T_APPEALED ||
                          c->target == T_APPEAL_WON);
        break;
    case OP_PAY:
        e = do_pay(r, c);
        break;
    case OP_CLOSE: {
        struct store_claim row;
        if ((e = store_claim_get(d->c, c->id, &row)) == ERR_OK &&
            strcmp(row.status, "paid") == 0) {
            e = claim_close(d->c, &r->ctx, &d->users[L_FINANCE].u, c->id);
        }
        break;
    }
    case OP_APPEAL:
        e = claim_appeal(d->c, &r->ctx, &c->actor, c->id, "已补充提交清晰的出院小结和住院证明",
                         field, sizeof(field));
        break;
    case OP_REASSESS:
        if ((e = add_doc(r, c, &c->actor, DOC_OTHER)) == ERR_OK) {
            e = claim_assess(d->c, &r->ctx, officer, c->id, &a);
        }
        break;
    case OP_REDECIDE:
        e = claim_approve(d->c, &r->ctx, approver, c->id, &a);
        if (e == ERR_CONFLICT) {
            e = ERR_OK; /* the engine still says no: it stays assessed for a person to decide */
        }
        break;
    }
    if (e != ERR_OK) {
        fprintf(stderr, "demo: claim %" PRId64 " step %d: %s\n", c->id, s->op, err_str(e));
    }
    return e;
}

/* ------------------------------------------------------------ the whole scheme */

static enum err plan_claims(struct demo *d, struct claims_plan *cp, struct member *portal)
{
    enum err e;
    bool planned;
    /* the portal member: a paid stay a few months ago, another in progress */
    if (portal != NULL) {
        if ((e = plan_manual(d, cp, CK_STAY, T_PAID, portal, NULL, &d->users[L_UNIT],
                             false, &planned)) != ERR_OK ||
            (e = plan_manual(d, cp, CK_STAY, T_ASSESSED, portal, NULL, &d->users[L_UNIT],
                             false, &planned)) != ERR_OK) {
            return e;
        }
    }
    size_t nfeed = d->nm / 80, nman = d->nm / 160;
    nfeed = nfeed < 10 ? 10 : nfeed > 1500 ? 1500 : nfeed;
    nman = nman < 24 ? 24 : nman > 500 ? 500 : nman;
    if ((e = plan_feed(d, cp, nfeed)) != ERR_OK) {
        return e;
    }
    /* a long stay of a member holding two shares: above the officer's authority,
     * and its payment above the fund's threshold waits for a second person */
    for (size_t i = 0; i < d->nm; i++) {
        struct member *mb = &d->m[i];
        if ((mb->active & (1u << P_ZY)) && !mb->busy && mb->zy_shares >= 2 &&
            mb->term[P_ZY] == d->start.day && mb->cover[P_ZY] <= d->start.day + 30) {
            if ((e = plan_manual(d, cp, CK_STAY, T_PAID, mb, NULL, &d->users[L_UNIT],
                                 true, &planned)) != ERR_OK) {
                return e;
            }
            if (planned) {
                struct claim *c = &cp->cl[cp->ncl - 1];
                c->in_scope_fen = 3500000 + (int64_t)rng_below(&d->rng, 500000);
                c->out_scope_fen = c->in_scope_fen / 8;
                c->fund_fen = c->in_scope_fen * 2;
            }
            break;
        }
    }
    bool paired = false;
    for (size_t i = 0; i < nman; i++) {
        /* every target at least once first, then a realistic mix */
        enum target t = i <= T_APPEAL_WON ? (enum target)i : pick_target(d);
        unsigned k = rng_below(&d->rng, 100);
        enum claim_kind kind = k < 70 ? CK_STAY : k < 78 ? CK_CI : k < 85 ? CK_WOMEN
                                                                         : CK_ACCIDENT;
        if ((e = plan_manual(d, cp, kind, t, NULL, NULL, &d->users[L_UNIT], false, &planned)) !=
            ERR_OK) {
            return e;
        }
        /* two members in the same hospital on the same dates: flagged for review */
        if (planned && !paired && i >= 3 && kind == CK_STAY) {
            paired = true;
            const struct claim copy = cp->cl[cp->ncl - 1];
            if ((e = plan_manual(d, cp, CK_STAY, T_ASSESSED, NULL, &copy, &d->users[L_UNIT],
                                 false, &planned)) != ERR_OK) {
                return e;
            }
        }
    }
    return ERR_OK;
}

static enum err run_claims(struct demo *d, struct claims_plan *cp)
{
    struct runner r;
    memset(&r, 0, sizeof(r));
    r.d = d;
    r.cp = cp;
    claims_config_default(&r.cfg);
    r.ctx = (struct claims_ctx){d->fc, &r.cfg, 0, d->today, "demo"};
    qsort(cp->st, cp->nst, sizeof(*cp->st), step_cmp);
    for (size_t i = 0; i < cp->nst; i++) {
        if (cp->st[i].at_ms > d->now_cap_ms) {
            continue; /* not yet: the claim stays where the earlier steps left it */
        }
        enum err e = run_step(&r, &cp->st[i]);
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

static void period_of(struct date on, char out[8])
{
    int y, m, dd;
    date_to_ymd(on, &y, &m, &dd);
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
    memcpy(out, buf, 8);
    out[7] = '\0';
}

/* The two months before last closed (their reports stored; every earlier
 * period closes with them), last month earned. */
static enum err finish_ledger(struct demo *d)
{
    const struct audit_actor *fin = &d->users[L_FINANCE].aa;
    char period[8];
    for (int k = 0; k < 2; k++) {
        period_of(date_add_months(d->close_end, k - 2), period);
        enum err e = ledger_close(d->c, fin, NULL, period);
        if (e != ERR_OK) {
            fprintf(stderr, "demo: closing %s: %s\n", period, err_str(e));
            return e;
        }
        d->sum->periods_closed++;
    }
    for (struct date m = d->close_end; m.day < d->month_start.day;
         m = date_add_months(m, 1)) {
        period_of(m, period);
        struct ledger_earn_result er;
        enum err e = ledger_earn(d->c, fin, NULL, period, &er);
        if (e != ERR_OK) {
            fprintf(stderr, "demo: earning %s: %s\n", period, err_str(e));
            return e;
        }
    }
    return ERR_OK;
}

static enum err invoice_count_fn(void *ctx, const struct invoice_view *v)
{
    struct demo *d = ctx;
    d->invoice_serial = v->id; /* the keyset cursor */
    if (strcmp(v->status, "paid") == 0) {
        d->sum->invoices_paid++;
    } else if (strcmp(v->status, "lapsed") == 0) {
        d->sum->invoices_lapsed++;
    } else if (v->paid_fen > 0) {
        d->sum->invoices_partial++;
    } else {
        d->sum->invoices_unpaid++;
    }
    return ERR_OK;
}

static enum err count_all(struct demo *d, const struct claims_plan *cp)
{
    struct demo_summary *s = d->sum;
    d->invoice_serial = 0;
    for (;;) {
        int64_t before = s->invoices_paid + s->invoices_lapsed + s->invoices_partial +
                         s->invoices_unpaid;
        struct invoice_filter f = {.after_id = d->invoice_serial, .limit = ENROL_LIST_MAX};
        char field[ENROL_FIELD_MAX];
        enum err e = invoice_list(d->c, &d->users[L_ADMIN].ea, &f, invoice_count_fn, d, field,
                                  sizeof(field));
        if (e != ERR_OK) {
            return e;
        }
        if (s->invoices_paid + s->invoices_lapsed + s->invoices_partial + s->invoices_unpaid ==
            before) {
            break;
        }
    }
    s->enrol_pending = s->enrolments - s->enrol_active - s->enrol_lapsed - s->enrol_cancelled;
    for (size_t i = 0; i < cp->ncl; i++) {
        if (cp->cl[i].id == 0) {
            continue;
        }
        struct store_claim row;
        enum err e = store_claim_get(d->c, cp->cl[i].id, &row);
        if (e != ERR_OK) {
            return e;
        }
        s->claims++;
        s->claims_online += strcmp(row.channel, "online") == 0;
        s->claims_offline += strcmp(row.channel, "offline") == 0;
        s->claims_auto += strcmp(row.channel, "auto") == 0;
        s->claims_flagged += row.risk_flags != 0;
        bool paid = strcmp(row.status, "paid") == 0 ||
                    (strcmp(row.status, "closed") == 0 && row.paid_ms != 0);
        if (paid) {
            s->claims_paid++;
            s->paid_fen += row.payout_fen;
        } else if (strcmp(row.status, "rejected") == 0) {
            s->claims_rejected++;
        } else if (strcmp(row.status, "closed") != 0) {
            s->claims_open++;
        }
    }
    return ERR_OK;
}

/* The portal member: a worker of the demo unit (so demo.unit sees them
 * too) with paid ZY cover since the term's start. */
static struct member *pick_portal(struct demo *d)
{
    struct member *fallback = NULL;
    for (size_t i = 0; i < d->nm; i++) {
        struct member *mb = &d->m[i];
        if (!(mb->active & (1u << P_ZY)) || mb->busy || mb->term[P_ZY] != d->start.day ||
            mb->cover[P_ZY] > d->start.day + 30 || mb->employment != 0) {
            continue;
        }
        if (mb->org_id == d->units[0].org_id) {
            return mb;
        }
        fallback = fallback ? fallback : mb;
    }
    return fallback;
}

/* ------------------------------------------------------------ articles */

/* The portal's 宣传专栏: a few articles of the province (the root) and of
 * the demo unit's city, published over the last weeks, and one draft of
 * the demo unit for the console. */
struct demo_article {
    size_t writer;     /* index into d->users */
    const char *org;   /* organisation code */
    const char *category;
    int32_t days_ago;  /* publish date; < 0: left a draft */
    const char *title;
    const char *body;
};

static const struct demo_article demo_articles[] = {
    {L_ADMIN, "ZJ", "plan", 40, "在职职工住院补充医疗互助保障计划说明",
     "## 谁可以参加\n\n"
     "本省各级工会会员，16 至 65 周岁、在职在岗的职工均可参加，快递员、外卖骑手、"
     "网约车司机等新就业形态劳动者也可以由所在工会或本人办理。\n\n"
     "## 交多少、保多久\n\n"
     "- 每份 **60 元**，每人最多 3 份；保障期一年。\n"
     "- 首次参加有 90 天等待期，期满续保的不再计算等待期。\n\n"
     "## 怎么给付\n\n"
     "住院医疗费用经基本医保结算后，政策范围内个人自付部分扣除 500 元起付额，"
     "按分段比例给付互助金，每份每年最高 1 万元。\n\n"
     "> 互助保障是职工之间的互助共济，不是商业保险，具体以计划文本为准。"},
    {L_ADMIN, "ZJ", "guide", 30, "住院互助金申请指南（线上、线下都能办）",
     "## 准备材料\n\n"
     "1. 住院医疗费用发票；\n"
     "2. 医保结算单（费用明细）；\n"
     "3. 出院小结或出院记录；\n"
     "4. 本人银行卡（用于接收互助金）。\n\n"
     "## 办理方式\n\n"
     "- **线上**：登录职工互助平台，在“我的理赔”中新建申请，按提示拍照上传材料。\n"
     "- **线下**：把材料交给所在基层工会经办人员，由其代为录入。\n\n"
     "## 时限\n\n"
     "出院之日起 **2 年内** 提出申请。材料齐全的，一般在 15 个工作日内审核完毕，"
     "审核通过后互助金直接打入本人银行卡。"},
    {L_ADMIN, "ZJ", "faq", 20, "职工互助保障常见问题解答",
     "**问：我换了单位，保障还有效吗？**\n\n"
     "答：有效。保障期内跟人走，新单位所在工会可为您办理续保。\n\n"
     "**问：同一次住院能申请几个计划？**\n\n"
     "答：同时参加了住院补充医疗和住院津贴等计划的，一次申请即可按各计划分别核算。\n\n"
     "**问：理赔被退回了怎么办？**\n\n"
     "答：按退回原因补齐材料后可再次提交；对结论有异议的，可在平台上提出申诉。\n\n"
     "**问：在哪里查进度？**\n\n"
     "答：登录后打开“我的理赔”，每一步的办理时间都看得到。"},
    {L_ADMIN, "ZJ", "case", 10, "真实案例：快递员王师傅住院，互助金解了燃眉之急",
     "王师傅（化名）是杭州一家快递网点的快递员，去年通过基层工会参加了住院补充医疗"
     "互助保障，交了 1 份 60 元。\n\n"
     "今年春天，他因急性阑尾炎住院一周，医保结算后自己还要负担近万元。出院后，"
     "网点所在工会的经办人员帮他在平台上提交了申请，材料一次齐全，"
     "十来天后五千余元互助金就到了他的银行卡上。\n\n"
     "王师傅说：“一年几十块钱，关键时候真管用。”\n\n"
     "*本文已隐去当事人姓名、单位等个人信息。*"},
    {L_ADMIN, "ZJ-01", "guide", 5, "杭州市职工互助保障线上办理指引",
     "杭州市各基层工会会员可在平台上自助查询保障、申请互助金。\n\n"
     "1. 用工会发放的账号登录，首次登录请修改密码；\n"
     "2. 在“我的保障”查看已参加的计划和保障期；\n"
     "3. 在“我的理赔”新建申请并上传材料。\n\n"
     "遇到问题请联系所在基层工会，或拨打市总工会服务热线。"},
    {L_UNIT, "ZJ-01-01-01", "plan", -1, "关于开展新一年度互助保障集中参保的通知（草稿）",
     "各会员单位：\n\n新一年度集中参保工作即将开始，请于下月底前报送参保名单。"},
};

static enum err gen_articles(struct demo *d)
{
    for (size_t i = 0; i < sizeof(demo_articles) / sizeof(demo_articles[0]); i++) {
        const struct demo_article *a = &demo_articles[i];
        const struct auth_user *u = &d->users[a->writer].u;
        int64_t org_id = 0, id = 0;
        char path[STORE_ORG_PATH_BYTES + 1];
        enum err e = store_org_find(d->c, a->org, &org_id, path);
        struct articles_edit in = {
            .has_org_id = true, .org_id = org_id,
            .has_category = true, .category = a->category,
            .has_title = true, .title = a->title, .title_len = strlen(a->title),
            .has_body = true, .body_md = a->body, .body_len = strlen(a->body),
        };
        char field[ARTICLE_FIELD_MAX] = "";
        int64_t now = auth_now_ms();
        if (e == ERR_OK) {
            e = articles_create(d->c, u, "demo", &in, now, &id, field);
        }
        if (e == ERR_OK && a->days_ago >= 0) {
            e = articles_publish(d->c, u, "demo", id, date_add_days(d->today, -a->days_ago), now);
        }
        if (e != ERR_OK) {
            fprintf(stderr, "demo: article %zu: %s %s\n", i, err_str(e), field);
            return e;
        }
    }
    return ERR_OK;
}

/*
 * A draft next version of ZY for the supervisors' what-if: the deductible
 * raised from 500 to 800 yuan and every tier 5 points more generous, so a
 * replay of this year's claims shows a real difference before anyone
 * publishes it. Left as a draft.
 */
static enum err draft_for_whatif(struct demo *d, const char *plans_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/ZY.json", plans_dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        return ERR_IO;
    }
    json_t *benefit = json_object_get(doc, "benefit");
    json_t *tiers = json_object_get(benefit, "tiers");
    json_t *ver = json_object_get(doc, "version");
    enum err e = json_is_integer(ver) && json_is_array(tiers) ? ERR_OK : ERR_BAD_JSON;
    size_t i;
    json_t *tier;
    json_array_foreach(tiers, i, tier) {
        json_t *bp = json_object_get(tier, "ratio_bp");
        if (!json_is_integer(bp) ||
            json_integer_set(bp, json_integer_value(bp) + DEMO_DRAFT_TIER_STEP_BP) != 0) {
            e = ERR_BAD_JSON;
        }
    }
    if (e == ERR_OK && (json_object_set_new(doc, "version",
                                            json_integer(json_integer_value(ver) + 1)) != 0 ||
                        json_object_set_new(benefit, "deductible_fen",
                                            json_integer(DEMO_DRAFT_DEDUCTIBLE_FEN)) != 0)) {
        e = ERR_NOMEM;
    }
    char field[PLAN_FIELD_PATH_MAX] = "";
    if (e == ERR_OK) {
        e = plans_load_as(d->c, &d->users[L_ADMIN].aa, doc, NULL, field, sizeof(field));
        if (e == ERR_EXISTS) {
            e = ERR_OK; /* an earlier demo run left it */
        }
    }
    json_decref(doc);
    if (e != ERR_OK) {
        fprintf(stderr, "demo: draft plan version: %s %s\n", err_str(e), field);
    }
    return e;
}

static enum err scheme(struct demo *d, const char *plans_dir)
{
    size_t loaded = 0;
    enum err e = plans_load_samples(d->c, plans_dir, &loaded);
    if (e != ERR_OK) {
        fprintf(stderr, "demo: sample plans in %s: %s\n", plans_dir, err_str(e));
        return e;
    }
    d->sum->plans = (int64_t)loaded;
    if ((e = create_staff(d)) != ERR_OK || (e = draft_for_whatif(d, plans_dir)) != ERR_OK ||
        (e = gen_enrolment(d)) != ERR_OK) {
        return e;
    }
    int64_t lapsed_inv = 0;
    if ((e = invoice_lapse_sweep(d->c, &d->users[L_ADMIN].ea, d->today, &d->sum->enrol_lapsed,
                                 &lapsed_inv)) != ERR_OK ||
        (e = cancel_some(d)) != ERR_OK) {
        return e;
    }
    struct member *portal = pick_portal(d);
    if (portal != NULL) {
        portal->busy = 1;
        char name[64];
        snprintf(name, sizeof(name), "%s%s", surnames[portal->surname], given[portal->given]);
        const char *org = portal->org_id == d->industry ? "ZJ-KD" : d->units[portal->unit].code;
        if ((e = create_user(d, L_MEMBER, name, portal->id, org)) != ERR_OK) {
            return e;
        }
    }
    struct claims_plan cp;
    memset(&cp, 0, sizeof(cp));
    if ((e = store_tx_begin(d->c)) == ERR_OK) { /* portal accounts are made while planning */
        if ((e = plan_claims(d, &cp, portal)) == ERR_OK) {
            e = store_tx_commit(d->c);
        } else {
            store_tx_rollback(d->c);
        }
    }
    if (e == ERR_OK && (e = run_claims(d, &cp)) == ERR_OK && (e = finish_ledger(d)) == ERR_OK) {
        e = count_all(d, &cp);
    }
    if (e == ERR_OK) {
        e = gen_articles(d);
    }
    free(cp.cl);
    free(cp.st);
    free(cp.feeds);
    return e;
}

enum err demo_generate(struct store *s, const struct fieldcrypt *fc,
                       const struct demo_options *opt, struct demo_summary *out)
{
    memset(out, 0, sizeof(*out));
    struct demo d;
    memset(&d, 0, sizeof(d));
    d.fc = fc;
    d.sum = out;
    d.rng = opt->seed ? opt->seed : 0x9E3779B97F4A7C15ULL;
    d.today = opt->today;
    d.month_start = first_of_month(d.today, 0);
    d.start = first_of_month(d.today, -DEMO_TERM_MONTHS_BACK);
    d.close_end = first_of_month(d.today, -1); /* periods before last month get closed */
    int64_t end_of_today = ms_at(d.today, 23, 59), now = auth_now_ms() - 60000;
    d.now_cap_ms = now < end_of_today ? now : end_of_today;
    d.origin = d.start.day - 60;
    d.ndays = d.today.day - d.origin + 2;
    enum err e = ERR_OK;
    for (int i = 0; i < DEMO_PLANS && e == ERR_OK; i++) {
        d.cash_in[i] = calloc((size_t)d.ndays, sizeof(int64_t));
        e = d.cash_in[i] == NULL ? ERR_NOMEM : ERR_OK;
    }
    if (e == ERR_OK) {
        e = store_acquire(s, &d.c);
    }
    if (e == ERR_OK) {
        if ((e = store_bulk_tune(d.c)) == ERR_OK &&
            (e = gen_registry(&d, opt->members)) == ERR_OK && opt->plans_dir != NULL) {
            e = scheme(&d, opt->plans_dir);
        }
        store_release(d.c);
    }
    for (int i = 0; i < DEMO_PLANS; i++) {
        free(d.cash_in[i]);
        free(d.plans[i]);
    }
    free(d.emp);
    free(d.m);
    return e;
}
