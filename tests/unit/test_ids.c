/*
 * test_ids: resident ID numbers, credit codes, phones and bank cards; the
 * valid, the invalid and the boundary of every rule, then agreement with the
 * public sample roster ($HUZHU_SHARED/cases/roster-public).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"

static struct date ymd(int y, int m, int d)
{
    struct date r;
    assert_int_equal(date_from_ymd(y, m, d, &r), ERR_OK);
    return r;
}

static struct date today_fixed(void)
{
    return ymd(2026, 11, 28);
}

static enum err id_str(const char *s, struct idcard *out)
{
    return idcard_parse(s, strlen(s), today_fixed(), out);
}

/* Builds a valid 18-char number from 6 region digits, "YYYYMMDD" and 3 seq
 * digits, with its check char computed independently of ids.c. */
static void make_id(const char *region, const char *birth, const char *seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "%s%s%s", region, birth, seq);
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (out[i] - '0') * w[i];
    }
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* ------------------------------------------------------------ idcard */

static void test_idcard_valid(void **state)
{
    (void)state;
    struct idcard c;
    assert_int_equal(id_str("11010519491231002X", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(c.birth.day, ymd(1949, 12, 31).day);
    assert_int_equal(c.gender, 'F');

    assert_int_equal(id_str("320102199104185411", &c), ERR_OK);
    assert_int_equal(c.gender, 'M');
    assert_int_equal(c.birth.day, ymd(1991, 4, 18).day);
    assert_int_equal(idcard_check_char("32010219910418541"), '1');
}

static void test_idcard_every_wrong_digit(void **state)
{
    (void)state;
    const char *good = "11010519491231002X";
    struct idcard c;
    char buf[19];
    /* A single changed digit in the body always changes the sum mod 11. */
    for (int i = 0; i < 17; i++) {
        for (int delta = 1; delta <= 9; delta++) {
            memcpy(buf, good, 19);
            buf[i] = (char)('0' + (buf[i] - '0' + delta) % 10);
            assert_int_equal(idcard_parse(buf, 18, today_fixed(), &c), ERR_INVALID_ID);
        }
    }
    /* Every wrong check char. */
    const char *checks = "0123456789X";
    for (int k = 0; checks[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[17] = checks[k];
        enum err want = checks[k] == 'X' ? ERR_OK : ERR_INVALID_ID;
        assert_int_equal(idcard_parse(buf, 18, today_fixed(), &c), want);
    }
}

static void test_idcard_birth_dates(void **state)
{
    (void)state;
    struct idcard c;
    char n[19];
    make_id("110101", "20000229", "123", n); /* 2000 is a leap year */
    assert_int_equal(id_str(n, &c), ERR_OK);
    assert_int_equal(c.birth.day, ymd(2000, 2, 29).day);
    make_id("110101", "20040229", "123", n);
    assert_int_equal(id_str(n, &c), ERR_OK);
    make_id("110101", "20010229", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "19000229", "123", n); /* 1900 is not */
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "19800431", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "19801301", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "19800100", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "18991231", "123", n); /* before the date range */
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("110101", "19000101", "123", n);
    assert_int_equal(id_str(n, &c), ERR_OK);

    /* Born today is fine; tomorrow is the future. */
    make_id("110101", "20261128", "123", n);
    assert_int_equal(id_str(n, &c), ERR_OK);
    make_id("110101", "20261129", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    assert_int_equal(idcard_parse(n, 18, ymd(2026, 11, 29), &c), ERR_OK);
}

static void test_idcard_region_gender(void **state)
{
    (void)state;
    struct idcard c;
    char n[19];
    make_id("010101", "19800101", "123", n);
    assert_int_equal(id_str(n, &c), ERR_INVALID_ID);
    make_id("100000", "19800101", "123", n);
    assert_int_equal(id_str(n, &c), ERR_OK);
    for (int d = 0; d <= 9; d++) {
        char seq[4] = {'0', '0', (char)('0' + d), '\0'};
        make_id("110101", "19800101", seq, n);
        assert_int_equal(id_str(n, &c), ERR_OK);
        assert_int_equal(c.gender, d % 2 == 1 ? 'M' : 'F');
    }
}

static void test_idcard_normalise(void **state)
{
    (void)state;
    struct idcard c;
    assert_int_equal(id_str("11010519491231002x", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(id_str("  \t11010519491231002X\t ", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    /* U+3000 on both sides */
    assert_int_equal(id_str("\xE3\x80\x80" "11010519491231002X" "\xE3\x80\x80", &c), ERR_OK);
    /* full-width digits and both full-width X forms */
    assert_int_equal(id_str("３２０１０２１９９１０４１８５４１１", &c), ERR_OK);
    assert_string_equal(c.number, "320102199104185411");
    assert_int_equal(id_str("11010519491231002Ｘ", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(id_str("１１０１０５１９４９１２３１００２ｘ", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    /* inner blanks are not trimmed; a truncated U+3000 is not a blank */
    assert_int_equal(id_str("110105 19491231002X", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("11010519491231002X\xE3\x80", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("\xE3\x80\x80", &c), ERR_INVALID_ID);
}

static void test_idcard_shape(void **state)
{
    (void)state;
    struct idcard c;
    assert_int_equal(id_str("", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("11010519491231002", &c), ERR_INVALID_ID);   /* 17 */
    assert_int_equal(id_str("11010519491231002X1", &c), ERR_INVALID_ID); /* 19 */
    assert_int_equal(id_str("1101051949123100XX", &c), ERR_INVALID_ID);  /* X inside */
    assert_int_equal(id_str("11010519491231002Y", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("-1010519491231002X", &c), ERR_INVALID_ID);
    assert_int_equal(idcard_parse("11010519491231" "\0" "02X", 18, today_fixed(), &c),
                     ERR_INVALID_ID);
    /* len is honoured: the bytes after it are never looked at */
    assert_int_equal(idcard_parse("11010519491231002X999", 18, today_fixed(), &c), ERR_OK);
    assert_int_equal(idcard_parse("11010519491231002X", 17, today_fixed(), &c), ERR_INVALID_ID);
    char big[200];
    memset(big, '1', sizeof(big));
    assert_int_equal(idcard_parse(big, sizeof(big), today_fixed(), &c), ERR_INVALID_ID);
}

static void test_idcard_15_digit_upgrade(void **state)
{
    (void)state;
    struct idcard c;
    /* GB 11643's own example of a first-generation number. */
    assert_int_equal(id_str("110105491231002", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(c.gender, 'F');
    assert_int_equal(id_str("320102910418541", &c), ERR_OK);
    assert_string_equal(c.number, "320102199104185411");
    assert_int_equal(c.gender, 'M');
    assert_int_equal(id_str(" １１０１０５４９１２３１００２ ", &c), ERR_OK);
    assert_string_equal(c.number, "11010519491231002X");
    assert_int_equal(id_str("110105490230002", &c), ERR_INVALID_ID); /* 1949-02-30 */
    assert_int_equal(id_str("11010549123100X", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("010105491231002", &c), ERR_INVALID_ID);
    assert_int_equal(id_str("11010549123100", &c), ERR_INVALID_ID); /* 14 */
    assert_int_equal(id_str("1101054912310021", &c), ERR_INVALID_ID); /* 16 */
}

static void test_idcard_excel(void **state)
{
    (void)state;
    struct idcard c;
    const char *mangled[] = {"1.10101E+17", "4.30102E+17", "1.1010119900307E17", "1.10101e+17",
                             "4.30102E-17", "110101E17",   " 5.10104E+17 ",      "1.E1"};
    for (size_t i = 0; i < sizeof(mangled) / sizeof(mangled[0]); i++) {
        assert_int_equal(id_str(mangled[i], &c), ERR_ID_EXCEL_MANGLED);
    }
    const char *not_excel[] = {"E17", "1.10101E+", "1.10101E", "1.10101E+17x", ".E17",
                               "1.10101F+17", "1.10101"};
    for (size_t i = 0; i < sizeof(not_excel) / sizeof(not_excel[0]); i++) {
        assert_int_equal(id_str(not_excel[i], &c), ERR_INVALID_ID);
    }
}

static void test_idcard_mask(void **state)
{
    (void)state;
    char m[19];
    idcard_mask("110101199003071234", m);
    assert_string_equal(m, "110101********1234");
    assert_int_equal(strlen(m), 18);
}

/* -------------------------------------------------------------- uscc */

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Final check char by the standard's formula, independent of ids.c. */
static char uscc_check(const char *code17)
{
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (int)(strchr(alphabet, code17[i]) - alphabet) * w[i];
    }
    return alphabet[(31 - sum % 31) % 31];
}

static enum err uscc_str(const char *s, char out[19])
{
    return uscc_parse(s, strlen(s), out);
}

static void test_uscc_valid(void **state)
{
    (void)state;
    char out[19];
    const char *good[] = {"91350100M000100Y43", "91120101398259791D", "91310115378876231J",
                          "91420102290404790A", "914401030139979548"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(uscc_str(good[i], out), ERR_OK);
        assert_string_equal(out, good[i]);
        assert_int_equal(uscc_check(good[i]), good[i][17]);
    }
    assert_int_equal(uscc_str(" 91350100m000100y43\t", out), ERR_OK);
    assert_string_equal(out, "91350100M000100Y43");
    assert_int_equal(uscc_str("\xE3\x80\x80" "91350100M000100Y43", out), ERR_OK);
    assert_int_equal(uscc_parse("91350100M000100Y43ZZZ", 18, out), ERR_OK);
}

static void test_uscc_check_char(void **state)
{
    (void)state;
    char out[19], buf[19];
    const char *good = "91350100M000100Y43";
    for (int k = 0; alphabet[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[17] = alphabet[k];
        assert_int_equal(uscc_str(buf, out), alphabet[k] == '3' ? ERR_OK : ERR_INVALID_USCC);
    }
    /* Letters outside the alphabet, even with a matching position. */
    const char *banned = "IOSVZ";
    for (int k = 0; banned[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[17] = banned[k];
        assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
        memcpy(buf, good, 19);
        buf[8] = banned[k];
        assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
    }
}

static void test_uscc_embedded_org_code(void **state)
{
    (void)state;
    char out[19], buf[19];
    const char *good = "91350100M000100Y43"; /* org code M000100Y-4 */
    /* A wrong org check char (position 17), final check recomputed so only
     * the GB 11714 check can catch it. */
    for (int k = 0; alphabet[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[16] = alphabet[k];
        buf[17] = uscc_check(buf);
        assert_int_equal(uscc_str(buf, out), alphabet[k] == '4' ? ERR_OK : ERR_INVALID_USCC);
    }
    /* A changed body char (positions 9-16), final check recomputed. */
    for (int i = 8; i < 16; i++) {
        memcpy(buf, good, 19);
        /* a value differing by 1 or 9 mod 11 (Y and 1 differ by 33: same check) */
        int v = buf[i] <= '9' ? buf[i] - '0' : buf[i] - 'A' + 10;
        buf[i] = (char)('0' + (v % 11 + 1) % 10);
        buf[17] = uscc_check(buf);
        assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
    }
    /* Org check 10 -> 'X' (body 00000006: sum 12) and 11 -> '0' (body 00000000). */
    strcpy(buf, "9111010100000006X?");
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_OK);
    strcpy(buf, "91110101000000000?");
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_OK);
    strcpy(buf, "9111010100000006A?"); /* 'A' is never an org check char */
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
}

static void test_uscc_positions_and_shape(void **state)
{
    (void)state;
    char out[19], buf[19];
    const char *good = "91350100M000100Y43";
    const char *authority_ok = "123456789ANY";
    const char *authority_bad = "0BCDEFGHJKLMPQRTUWX";
    for (int k = 0; authority_ok[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[0] = authority_ok[k];
        buf[17] = uscc_check(buf);
        assert_int_equal(uscc_str(buf, out), ERR_OK);
    }
    for (int k = 0; authority_bad[k] != '\0'; k++) {
        memcpy(buf, good, 19);
        buf[0] = authority_bad[k];
        buf[17] = uscc_check(buf);
        assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
    }
    memcpy(buf, good, 19);
    buf[1] = '0';
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
    memcpy(buf, good, 19);
    buf[1] = 'A';
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);
    memcpy(buf, good, 19);
    buf[4] = 'A'; /* division code must be digits */
    buf[17] = uscc_check(buf);
    assert_int_equal(uscc_str(buf, out), ERR_INVALID_USCC);

    assert_int_equal(uscc_str("", out), ERR_INVALID_USCC);
    assert_int_equal(uscc_str("91350100M000100Y4", out), ERR_INVALID_USCC);
    assert_int_equal(uscc_str("91350100M000100Y433", out), ERR_INVALID_USCC);
    assert_int_equal(uscc_str("91350100M000 100Y43", out), ERR_INVALID_USCC);
    assert_int_equal(uscc_parse("91350100M000\000100Y4", 18, out), ERR_INVALID_USCC);
}

/* ------------------------------------------------------------- phone */

static enum err phone_str(const char *s, char out[12])
{
    return phone_parse(s, strlen(s), out);
}

static void test_phone(void **state)
{
    (void)state;
    char out[12];
    const char *good[] = {"13800138000",     "+8613800138000", "8613800138000",
                          "+86 138 0013 8000", "138-0013-8000", " 13800138000 ",
                          "+86-138-0013-8000", "19900000000",   "\t13800138000"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(phone_str(good[i], out), ERR_OK);
        assert_string_equal(out, i == 7 ? "19900000000" : "13800138000");
    }
    for (char d = '0'; d <= '9'; d++) {
        char n[12] = "1x800138000";
        n[1] = d;
        assert_int_equal(phone_str(n, out), d >= '3' ? ERR_OK : ERR_INVALID_PHONE);
    }
    const char *bad[] = {"",           "1380013800",    "138001380000",  "23800138000",
                         "04461505925", "+8513800138000", "+86",          "86",
                         "0086138001380", "1380013800a", "+8613800138000+", "138\0000138000",
                         "８613800138000", "+86+8613800138000", "861380013800"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(phone_str(bad[i], out), ERR_INVALID_PHONE);
    }
    assert_int_equal(phone_parse("138\0000138000", 11, out), ERR_INVALID_PHONE);
    assert_int_equal(phone_parse("138001380001", 11, out), ERR_OK);
    char big[100];
    memset(big, '1', sizeof(big));
    assert_int_equal(phone_parse(big, sizeof(big), out), ERR_INVALID_PHONE);

    char m[12];
    phone_mask("13812341234", m);
    assert_string_equal(m, "138****1234");
}

/* --------------------------------------------------------- bank card */

static enum err card_str(const char *s, char out[20])
{
    return bankcard_parse(s, strlen(s), out);
}

static void test_bankcard(void **state)
{
    (void)state;
    char out[20], buf[20];
    assert_int_equal(card_str("4111111111111111", out), ERR_OK); /* 16 */
    assert_int_equal(card_str("6222024661099069580", out), ERR_OK); /* 19 */
    assert_string_equal(out, "6222024661099069580");
    assert_int_equal(card_str(" 6222 0246 6109 9069 580 ", out), ERR_OK);
    assert_string_equal(out, "6222024661099069580");
    assert_int_equal(card_str("62220246610990695", out), ERR_INVALID_BANK_ACCOUNT); /* 17, bad */
    assert_int_equal(card_str("62220246610990692", out), ERR_OK); /* 17, check digit fixed */
    assert_int_equal(card_str("411111111111111", out), ERR_INVALID_BANK_ACCOUNT);  /* 15 */
    assert_int_equal(card_str("41111111111111111113", out), ERR_INVALID_BANK_ACCOUNT); /* 20 */
    assert_int_equal(card_str("", out), ERR_INVALID_BANK_ACCOUNT);
    assert_int_equal(card_str("4111-1111-1111-1111", out), ERR_INVALID_BANK_ACCOUNT);
    assert_int_equal(card_str("411111111111111a", out), ERR_INVALID_BANK_ACCOUNT);
    assert_int_equal(bankcard_parse("4111111111111111", 15, out), ERR_INVALID_BANK_ACCOUNT);
    /* Luhn catches every single changed digit. */
    const char *good = "6222024661099069580";
    for (int i = 0; i < 19; i++) {
        for (int delta = 1; delta <= 9; delta++) {
            memcpy(buf, good, 20);
            buf[i] = (char)('0' + (buf[i] - '0' + delta) % 10);
            assert_int_equal(card_str(buf, out), ERR_INVALID_BANK_ACCOUNT);
        }
    }
    char m[20];
    bankcard_mask("6222024661099069580", m);
    assert_string_equal(m, "6222 **** **** 9580");
    bankcard_mask("4111111111110123", m);
    assert_string_equal(m, "4111 **** **** 0123");
}

/* ------------------------------------------------ public sample roster */

#define ROSTER_COLS 7

/* Splits line at commas in place (the file has no quotes: checked below). */
static int split(char *line, char *cols[], int max)
{
    int n = 0;
    cols[n++] = line;
    for (char *p = line; *p != '\0'; p++) {
        if (*p == ',') {
            *p = '\0';
            if (n == max) {
                return -1;
            }
            cols[n++] = p + 1;
        }
    }
    return n;
}

static int is_code(const char *got, const char *want)
{
    return got != NULL && strcmp(got, want) == 0;
}

static void test_roster_public(void **state)
{
    (void)state;
    const char *shared = getenv("HUZHU_SHARED");
    if (shared == NULL) {
        skip();
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/cases/roster-public/roster.expect.json", shared);
    json_error_t jerr;
    json_t *expect = json_load_file(path, 0, &jerr);
    assert_non_null(expect);
    json_t *rejected = json_object_get(expect, "rejected");
    assert_true(json_is_object(rejected));

    snprintf(path, sizeof(path), "%s/cases/roster-public/roster.members.csv", shared);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int row = 0, checked_field_rows = 0, accepted = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        row++;
        line[strcspn(line, "\r\n")] = '\0';
        assert_null(strchr(line, '"'));
        if (row == 1) {
            continue; /* header */
        }
        char *col[ROSTER_COLS];
        assert_int_equal(split(line, col, ROSTER_COLS), ROSTER_COLS);
        char key[16];
        snprintf(key, sizeof(key), "%d", row);
        const char *want = json_string_value(json_object_get(rejected, key));

        struct idcard c;
        char uscc[19], phone[12], card[20];
        enum err e_id = idcard_parse(col[1], strlen(col[1]), today_fixed(), &c);
        enum err e_phone = phone_parse(col[2], strlen(col[2]), phone);
        enum err e_uscc =
            col[4][0] == '\0' ? ERR_OK : uscc_parse(col[4], strlen(col[4]), uscc);
        enum err e_card =
            col[6][0] == '\0' ? ERR_OK : bankcard_parse(col[6], strlen(col[6]), card);

        enum err w_id = is_code(want, "INVALID_ID")         ? ERR_INVALID_ID
                        : is_code(want, "ID_EXCEL_MANGLED") ? ERR_ID_EXCEL_MANGLED
                                                            : ERR_OK;
        enum err w_phone = is_code(want, "INVALID_PHONE") ? ERR_INVALID_PHONE : ERR_OK;
        enum err w_uscc = is_code(want, "INVALID_EMPLOYER") ? ERR_INVALID_USCC : ERR_OK;
        enum err w_card =
            is_code(want, "INVALID_BANK_ACCOUNT") ? ERR_INVALID_BANK_ACCOUNT : ERR_OK;
        if (e_id != w_id || e_phone != w_phone || e_uscc != w_uscc || e_card != w_card) {
            print_error("row %d (%s): id %s phone %s employer %s card %s\n", row,
                        want != NULL ? want : "accepted", err_str(e_id), err_str(e_phone),
                        err_str(e_uscc), err_str(e_card));
            fail();
        }
        if (e_id == ERR_OK) {
            int age = date_age_on(c.birth, today_fixed());
            if (is_code(want, "UNDERAGE")) {
                assert_true(age < 16);
            } else if (want == NULL) {
                assert_true(age >= 16);
            }
        }
        checked_field_rows += w_id != ERR_OK || w_phone != ERR_OK || w_uscc != ERR_OK ||
                              w_card != ERR_OK || is_code(want, "UNDERAGE");
        accepted += want == NULL;
    }
    fclose(f);
    assert_int_equal(row, 601);
    assert_int_equal(accepted, json_integer_value(json_object_get(expect, "accepted")));
    assert_true(checked_field_rows > 50);
    json_decref(expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idcard_valid),
        cmocka_unit_test(test_idcard_every_wrong_digit),
        cmocka_unit_test(test_idcard_birth_dates),
        cmocka_unit_test(test_idcard_region_gender),
        cmocka_unit_test(test_idcard_normalise),
        cmocka_unit_test(test_idcard_shape),
        cmocka_unit_test(test_idcard_15_digit_upgrade),
        cmocka_unit_test(test_idcard_excel),
        cmocka_unit_test(test_idcard_mask),
        cmocka_unit_test(test_uscc_valid),
        cmocka_unit_test(test_uscc_check_char),
        cmocka_unit_test(test_uscc_embedded_org_code),
        cmocka_unit_test(test_uscc_positions_and_shape),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_bankcard),
        cmocka_unit_test(test_roster_public),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
