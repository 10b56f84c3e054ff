/*
 * demo_data: synthetic registry for the demo. Identifiers are generated so
 * that they pass the same validators as real input (ids.h), and sensitive
 * ones are sealed exactly as the registry will seal them.
 */
#include "cli/demo_data.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/ids.h"
#include "core/log.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"
#include "store/store_registry.h"

#define DEMO_EMPLOYERS_PER_UNION 12 /* ~300 employers over 25 grassroots unions */

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
    return (unsigned)(rng_next(s) % n);
}

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
/* New forms of employment, with their weight out of 100 among members. */
static const char *const gig_forms[] = {"courier", "delivery", "ride_hailing", "truck", "other_gig"};

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* A valid credit code: body chosen at random, the two check characters found
 * by asking the validator (the demo needs a few hundred, so 341 tries each
 * at most is nothing). */
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

struct unit {
    int64_t org_id;
    const char *division;
};

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

static enum err generate(struct store_conn *c, const struct fieldcrypt *fc, unsigned members,
                         uint64_t *rng, struct demo_summary *sum)
{
    enum err e;
    int64_t province, industry;
    struct unit units[64];
    size_t nunits = 0;
    char code[32], name[128];

    if ((e = add_org(c, "ZJ", "浙江省总工会", 0, "province", "330000", &province, &sum->orgs))) {
        return e;
    }
    if ((e = add_org(c, "ZJ-KD", "浙江省快递行业工会联合会", province, "industry", "330000",
                     &industry, &sum->orgs))) {
        return e;
    }
    for (size_t ci = 0; ci < sizeof(cities) / sizeof(cities[0]); ci++) {
        int64_t city;
        snprintf(code, sizeof(code), "ZJ-%02zu", ci + 1);
        snprintf(name, sizeof(name), "%s总工会", cities[ci].name);
        if ((e = add_org(c, code, name, province, "city", cities[ci].division, &city,
                         &sum->orgs))) {
            return e;
        }
        for (size_t di = 0; di < 4; di++) {
            const struct district *dist = &cities[ci].districts[di];
            int64_t district;
            snprintf(code, sizeof(code), "ZJ-%02zu-%02zu", ci + 1, di + 1);
            snprintf(name, sizeof(name), "%s%s总工会", cities[ci].name, dist->name);
            if ((e = add_org(c, code, name, city, "district", dist->division, &district,
                             &sum->orgs))) {
                return e;
            }
            unsigned nu = 1 + (unsigned)((ci + di) % 3);
            for (unsigned ui = 0; ui < nu && nunits < 64; ui++) {
                snprintf(code, sizeof(code), "ZJ-%02zu-%02zu-%02u", ci + 1, di + 1, ui + 1);
                snprintf(name, sizeof(name), "%s%s", dist->name, unit_kinds[ui % 3]);
                if ((e = add_org(c, code, name, district, "grassroots", dist->division,
                                 &units[nunits].org_id, &sum->orgs))) {
                    return e;
                }
                units[nunits++].division = dist->division;
            }
        }
    }

    /* Employers, each served by one grassroots union. */
    size_t nemp = nunits * DEMO_EMPLOYERS_PER_UNION;
    int64_t emp_ids[64 * DEMO_EMPLOYERS_PER_UNION];
    size_t emp_unit[64 * DEMO_EMPLOYERS_PER_UNION];
    for (size_t i = 0; i < nemp; i++) {
        size_t u = i % nunits;
        char uscc[USCC_LEN + 1];
        if ((e = make_uscc(i, units[u].division, uscc))) {
            return e;
        }
        unsigned h = rng_below(rng, sizeof(name_heads) / sizeof(name_heads[0]));
        unsigned t = rng_below(rng, sizeof(name_trades) / sizeof(name_trades[0]));
        snprintf(name, sizeof(name), "%s%s有限公司%zu", name_heads[h], name_trades[t], i + 1);
        struct store_employer_new emp = {
            .uscc = uscc,
            .name = name,
            .ownership = ownerships[rng_below(rng, sizeof(ownerships) / sizeof(ownerships[0]))],
            .size = sizes[rng_below(rng, sizeof(sizes) / sizeof(sizes[0]))],
            .industry = industries[t],
            .org_id = units[u].org_id,
        };
        if ((e = store_employer_insert(c, &emp, &emp_ids[i])) != ERR_OK) {
            return e;
        }
        emp_unit[i] = u;
        sum->employers++;
    }

    /* Members: 82 % standard employment, 18 % new forms (mostly under the
     * industry union), 3 % hardship-flagged, 70 % with a bank card. */
    struct date born_min, today = date_today();
    if ((e = date_from_ymd(1966, 1, 1, &born_min))) {
        return e;
    }
    /* Birth dates walk a permutation of the span (step coprime to it) and the
     * sequence number counts the laps, so (birth, sequence) never repeats
     * below span * 1000 members and every ID number is unique. */
    unsigned born_span = (unsigned)(date_add_months(today, -18 * 12).day - born_min.day);
    unsigned step = 7919;
    while (gcd(step, born_span) != 1) {
        step += 2;
    }
    if (members > born_span * 1000u) {
        return ERR_RANGE;
    }
    for (unsigned i = 0; i < members; i++) {
        struct date birth = {born_min.day + (int32_t)((uint64_t)i * step % born_span)};
        bool gig = rng_below(rng, 100) < 18;
        size_t ei = rng_below(rng, (unsigned)nemp);
        size_t u = emp_unit[ei];
        char id[IDCARD_LEN + 1], mask[IDCARD_LEN + 1], phone[16], bank[BANKCARD_LEN_MAX + 1],
            bank_mask[BANKCARD_MASK_LEN + 1], person[64];
        make_idcard(units[u].division, birth, i / born_span, id);
        idcard_mask(id, mask);
        snprintf(phone, sizeof(phone), "1%u%09u", 3 + rng_below(rng, 7), rng_below(rng, 1000000000));
        snprintf(person, sizeof(person), "%s%s",
                 surnames[rng_below(rng, sizeof(surnames) / sizeof(surnames[0]))],
                 given[rng_below(rng, sizeof(given) / sizeof(given[0]))]);
        unsigned char id_hash[FIELDCRYPT_HASH_BYTES], id_enc[64], bank_enc[64];
        size_t id_enc_len, bank_enc_len = 0;
        fieldcrypt_index(fc, id, IDCARD_LEN, id_hash);
        if ((e = seal(fc, id, id_enc, sizeof(id_enc), &id_enc_len))) {
            return e;
        }
        bool has_bank = rng_below(rng, 100) < 70;
        if (has_bank) {
            make_bankcard(rng, bank);
            bankcard_mask(bank, bank_mask);
            if ((e = seal(fc, bank, bank_enc, sizeof(bank_enc), &bank_enc_len))) {
                return e;
            }
        }
        struct store_member_new m = {
            .id_hash = id_hash,
            .id_enc = id_enc,
            .id_enc_len = id_enc_len,
            .id_mask = mask,
            .name = person,
            .gender = (id[16] - '0') % 2 ? "M" : "F",
            .birth_date = NULL,
            .phone = phone,
            .employment = gig ? gig_forms[rng_below(rng, 5)] : "standard",
            .employer_id = gig && rng_below(rng, 2) ? 0 : emp_ids[ei],
            .org_id = gig ? industry : units[u].org_id,
            .hardship = rng_below(rng, 100) < 3,
            .bank_enc = has_bank ? bank_enc : NULL,
            .bank_enc_len = bank_enc_len,
            .bank_mask = has_bank ? bank_mask : NULL,
        };
        char birth_text[DATE_TEXT_LEN + 1];
        date_format(birth, birth_text);
        m.birth_date = birth_text;
        int64_t mid;
        if ((e = store_member_insert(c, &m, &mid)) != ERR_OK) {
            return e;
        }
        sum->members++;
    }
    return ERR_OK;
}

enum err demo_generate(struct store *s, const struct fieldcrypt *fc, unsigned members,
                       uint64_t seed, struct demo_summary *out)
{
    struct store_conn *c;
    enum err e = store_acquire(s, &c);
    if (e != ERR_OK) {
        return e;
    }
    memset(out, 0, sizeof(*out));
    uint64_t rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    e = store_tx_begin(c);
    if (e == ERR_OK) {
        e = generate(c, fc, members, &rng, out);
        if (e == ERR_OK) {
            e = store_tx_commit(c);
        } else {
            store_tx_rollback(c);
        }
    }
    store_release(c);
    return e;
}
