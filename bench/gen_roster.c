/*
 * gen_roster: a synthetic roster for the import benchmark and the import
 * tests: an employer CSV and a member CSV, deterministic for a seed.
 *
 *   gen_roster EMPLOYERS.csv MEMBERS.csv ROWS [BAD_PERMILLE] [SEED]
 *
 * Members are valid except that each of the ten refusal kinds gets about
 * BAD_PERMILLE (default 10, i.e. 1 %) of the rows: INVALID_ID (bad check
 * char), ID_EXCEL_MANGLED ("3.30106E+17"), DUPLICATE_IN_FILE (an earlier
 * good row's ID), INVALID_PHONE, INVALID_NAME (empty), INVALID_EMPLOYER (bad
 * check char), UNKNOWN_EMPLOYER (valid code not in EMPLOYERS.csv),
 * INVALID_EMPLOYMENT, INVALID_BANK_ACCOUNT (Luhn), UNDERAGE (born in 2015).
 * Each bad row fails only its own check, so the expected counts are known:
 * the last line on stdout is {"rows": N, "good": G}. ID numbers of good rows
 * are distinct (a bijection of the row index onto region x birth date x
 * sequence), in random-looking order as in a real roster.
 * UTF-8 with BOM and CRLF, as Excel writes; Chinese headers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ids.h"

#define EMPLOYERS 200          /* registered employers */
#define UNKNOWN_EMPLOYERS 20   /* valid codes that are not registered */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

static const char *const regions[] = {"110101", "110105", "120101", "310101", "310115",
                                      "320102", "330102", "330106", "340102", "350102",
                                      "370102", "410102", "420102", "430102", "440103",
                                      "440305", "500103", "510104", "610102", "620102"};
#define NREGIONS (sizeof(regions) / sizeof(regions[0]))
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"};
static const char *const forms[] = {"标准劳动关系", "标准劳动关系", "标准劳动关系",
                                    "标准劳动关系", "快递员",       "外卖配送员",
                                    "网约车司机",   "货车司机",     "其他新就业形态"};
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* A valid credit code for serial n (check chars found by the validator). */
static void make_uscc(unsigned n, char out[USCC_LEN + 1])
{
    char c[USCC_LEN + 1];
    snprintf(c, sizeof(c), "91%s%08u00", regions[n % NREGIONS],
             (n * 7919u + 1234567u) % 100000000u);
    static const char org_checks[] = "0123456789X";
    for (int a = 0; org_checks[a] != '\0'; a++) {
        c[16] = org_checks[a];
        for (int b = 0; uscc_alphabet[b] != '\0'; b++) {
            c[17] = uscc_alphabet[b];
            if (uscc_parse(c, USCC_LEN, out) == ERR_OK) {
                return;
            }
        }
    }
    fprintf(stderr, "gen_roster: no credit code for %u\n", n);
    exit(1);
}

/* Distinct ID numbers: index i (< 20 * 15000 * 1000) maps to region, birth
 * day (1960-01-01 + 0..14999, born up to 2001) and sequence number. */
#define ID_SPACE ((uint64_t)NREGIONS * 15000u * 1000u)
static void make_id(uint64_t i, struct date born_min, char out[IDCARD_LEN + 1])
{
    uint64_t k = (i * 2654435761ULL + 12345u) % ID_SPACE; /* odd multiplier: a bijection */
    unsigned seq = (unsigned)(k % 1000u);
    k /= 1000u;
    struct date birth = date_add_days(born_min, (int32_t)(k % 15000u));
    k /= 15000u;
    int y, m, d;
    date_to_ymd(birth, &y, &m, &d);
    char buf[32];
    snprintf(buf, sizeof(buf), "%s%04d%02d%02d%03u", regions[k], y, m, d, seq);
    memcpy(out, buf, 17);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static void make_bank(char out[20], bool valid)
{
    char d[20];
    memcpy(d, "62220", 5);
    for (int i = 5; i < 18; i++) {
        d[i] = (char)('0' + rng_below(10));
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
    int check = (10 - sum % 10) % 10;
    d[18] = (char)('0' + (valid ? check : (check + 1) % 10));
    d[19] = '\0';
    memcpy(out, d, 20);
}

enum bad {
    BAD_NONE, BAD_ID, BAD_EXCEL, BAD_DUP, BAD_PHONE, BAD_NAME, BAD_EMPLOYER,
    BAD_UNKNOWN_EMPLOYER, BAD_EMPLOYMENT, BAD_BANK, BAD_UNDERAGE, BAD__COUNT
};

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_roster EMPLOYERS.csv MEMBERS.csv ROWS [BAD_PERMILLE] [SEED]\n");
        return 2;
    }
    uint64_t rows = strtoull(argv[3], NULL, 10);
    unsigned bad_permille = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 10;
    if (argc > 5) {
        rng_state ^= strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ULL;
    }
    if (bad_permille * 10 > 1000 || rows >= ID_SPACE) {
        fprintf(stderr, "gen_roster: BAD_PERMILLE at most 100, ROWS below %" PRIu64 "\n",
                ID_SPACE);
        return 2;
    }
    FILE *fe = fopen(argv[1], "w"), *fm = fopen(argv[2], "w");
    if (fe == NULL || fm == NULL) {
        perror("gen_roster");
        return 1;
    }
    static char codes[EMPLOYERS + UNKNOWN_EMPLOYERS][USCC_LEN + 1];
    fputs("\xEF\xBB\xBF统一社会信用代码,单位名称,经济类型,规模,行业\r\n", fe);
    for (unsigned i = 0; i < EMPLOYERS + UNKNOWN_EMPLOYERS; i++) {
        make_uscc(i, codes[i]);
        if (i < EMPLOYERS) {
            fprintf(fe, "%s,基准测试单位%u有限公司,民营,小型,制造业\r\n", codes[i], i + 1);
        }
    }
    struct date born_min, underage_birth;
    if (date_from_ymd(1960, 1, 1, &born_min) || date_from_ymd(2015, 6, 1, &underage_birth)) {
        return 1;
    }
    fputs("\xEF\xBB\xBF姓名,身份证号,手机号,用工形式,单位统一社会信用代码,困难职工,银行账号\r\n", fm);
    char last_good[IDCARD_LEN + 1] = "";
    uint64_t good = 0, id_index = 0;
    for (uint64_t r = 0; r < rows; r++) {
        unsigned roll = rng_below(1000);
        enum bad bad = roll < bad_permille * 10 ? (enum bad)(1 + roll / bad_permille) : BAD_NONE;
        if (bad == BAD_DUP && last_good[0] == '\0') {
            bad = BAD_NONE;
        }
        char id[IDCARD_LEN + 1], idtext[32], phone[16], bank[20], name[32];
        make_id(id_index++, born_min, id);
        if (bad == BAD_UNDERAGE) {
            char buf[32];
            int y, m, d;
            date_to_ymd(date_add_days(underage_birth, (int32_t)rng_below(300)), &y, &m, &d);
            snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%.3s", id, y, m, d, id + 14);
            memcpy(id, buf, 17);
            id[17] = idcard_check_char(id);
        }
        snprintf(idtext, sizeof(idtext), "%s", id);
        if (bad == BAD_ID) {
            idtext[17] = id[17] == '1' ? '2' : '1';
        } else if (bad == BAD_EXCEL) {
            snprintf(idtext, sizeof(idtext), "%c.%.5sE+17", id[0], id + 1);
        } else if (bad == BAD_DUP) {
            snprintf(idtext, sizeof(idtext), "%s", last_good);
        }
        snprintf(phone, sizeof(phone), "%s1%u%09u", bad == BAD_PHONE ? "0" : "",
                 3 + rng_below(7), rng_below(1000000000u));
        if (bad == BAD_PHONE) {
            phone[11] = '\0'; /* "01..." 11 digits: not a mobile number */
        }
        if (bad == BAD_NAME) {
            name[0] = '\0';
        } else {
            snprintf(name, sizeof(name), "%s%s", surnames[rng_below(20)], given[rng_below(20)]);
        }
        const char *form = forms[rng_below(sizeof(forms) / sizeof(forms[0]))];
        if (bad == BAD_EMPLOYMENT) {
            form = "临时工作";
        }
        char employer[USCC_LEN + 1] = "";
        if (strcmp(form, "标准劳动关系") == 0 || bad == BAD_EMPLOYER ||
            bad == BAD_UNKNOWN_EMPLOYER || rng_below(2) == 0) {
            unsigned e = bad == BAD_UNKNOWN_EMPLOYER ? EMPLOYERS + rng_below(UNKNOWN_EMPLOYERS)
                                                     : rng_below(EMPLOYERS);
            memcpy(employer, codes[e], sizeof(employer));
            if (bad == BAD_EMPLOYER) {
                employer[17] = employer[17] == '0' ? '1' : '0';
            }
        }
        bank[0] = '\0';
        if (bad == BAD_BANK || rng_below(10) < 7) {
            make_bank(bank, bad != BAD_BANK);
        }
        fprintf(fm, "%s,%s,%s,%s,%s,%s,%s\r\n", name, idtext, phone, form, employer,
                rng_below(100) < 3 ? "是" : "否", bank);
        if (bad == BAD_NONE) {
            good++;
            memcpy(last_good, id, sizeof(last_good));
        }
    }
    if (fclose(fe) != 0 || fclose(fm) != 0) {
        perror("gen_roster");
        return 1;
    }
    printf("{\"rows\": %" PRIu64 ", \"good\": %" PRIu64 "}\n", rows, good);
    return 0;
}
