/*
 * ids: GB 11643 / GB 32100 / GB 11714 check characters, phone and bank card
 * rules. Invariant: input is read only through (text, len) with bounds checked
 * before every access; normalised text lives in small fixed buffers and an
 * input that would not fit is refused, never truncated.
 */
#include "core/ids.h"

#include <stdbool.h>
#include <string.h>

/* Longest normalised text kept for inspection. Every valid form is at most 19
 * ASCII chars (phone "+86" + 11 digits, card 19 digits, Excel forms are
 * shorter than 24); anything longer is invalid, whatever it contains. */
#define IDS_SCRATCH_LEN 32

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Bytes of a trimmable blank at s (ASCII space, tab, U+3000), 0 if none. */
static size_t blank_at(const char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || s[0] == '\t')) {
        return 1;
    }
    if (n >= 3 && (unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
        (unsigned char)s[2] == 0x80) {
        return 3;
    }
    return 0;
}

/* Trims blanks from both ends of (*text, *len). A U+3000 at the end is only
 * trimmed when its three bytes are all inside the text. */
static void trim_blanks(const char **text, size_t *len)
{
    const char *s = *text;
    size_t n = *len, k;
    while ((k = blank_at(s, n)) > 0) {
        s += k;
        n -= k;
    }
    for (;;) {
        if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        } else if (n >= 3 && blank_at(s + n - 3, 3) == 3) {
            n -= 3;
        } else {
            break;
        }
    }
    *text = s;
    *len = n;
}

/* ---------------------------------------------------------------- GB 11643 */

static const int idcard_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

char idcard_check_char(const char *digits17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (digits17[i] - '0') * idcard_weights[i];
    }
    return "10X98765432"[sum % 11];
}

/* One normalised ASCII char for the ID at s: full-width digits and X map to
 * ASCII, 'x' to 'X'. *used gets the bytes consumed (1 for a byte kept as is). */
static char idcard_norm_char(const char *s, size_t n, size_t *used)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 3 && u[0] == 0xEF) {
        if (u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) { /* U+FF10..U+FF19 */
            *used = 3;
            return (char)('0' + (u[2] - 0x90));
        }
        if ((u[1] == 0xBC && u[2] == 0xB8) || (u[1] == 0xBD && u[2] == 0x98)) { /* Ｘ ｘ */
            *used = 3;
            return 'X';
        }
    }
    *used = 1;
    return s[0] == 'x' ? 'X' : s[0];
}

/* True for Excel's scientific notation: digits and dots, at least one digit,
 * then E or e, an optional sign, and at least one digit. */
static bool looks_like_excel(const char *s, size_t n)
{
    size_t i = 0, mantissa_digits = 0;
    for (; i < n && (is_digit(s[i]) || s[i] == '.'); i++) {
        mantissa_digits += is_digit(s[i]);
    }
    if (mantissa_digits == 0 || i >= n || (s[i] != 'E' && s[i] != 'e')) {
        return false;
    }
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    if (i >= n) {
        return false;
    }
    for (; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

static int digits_value(const char *s, int count)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

enum err idcard_parse(const char *text, size_t len, struct date today, struct idcard *out)
{
    trim_blanks(&text, &len);
    char buf[IDS_SCRATCH_LEN];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        char c = idcard_norm_char(text + i, len - i, &used);
        if (n == sizeof(buf)) {
            return ERR_INVALID_ID;
        }
        buf[n++] = c;
        i += used;
    }
    if (looks_like_excel(buf, n)) {
        return ERR_ID_EXCEL_MANGLED;
    }

    char num[IDCARD_LEN];
    if (n == 15) { /* first generation: 6 region + YYMMDD + 3 seq */
        memcpy(num, buf, 6);
        num[6] = '1';
        num[7] = '9';
        memcpy(num + 8, buf + 6, 9);
    } else if (n == IDCARD_LEN) {
        memcpy(num, buf, IDCARD_LEN);
    } else {
        return ERR_INVALID_ID;
    }
    for (size_t i = 0; i < 17; i++) {
        if (!is_digit(num[i])) {
            return ERR_INVALID_ID;
        }
    }
    if (n == 15) {
        num[17] = idcard_check_char(num);
    } else if (num[17] != idcard_check_char(num)) {
        return ERR_INVALID_ID;
    }
    if (num[0] == '0') {
        return ERR_INVALID_ID;
    }
    struct date birth;
    if (date_from_ymd(digits_value(num + 6, 4), digits_value(num + 10, 2),
                      digits_value(num + 12, 2), &birth) != ERR_OK ||
        birth.day > today.day) {
        return ERR_INVALID_ID;
    }
    memcpy(out->number, num, IDCARD_LEN);
    out->number[IDCARD_LEN] = '\0';
    out->birth = birth;
    out->gender = (num[16] - '0') % 2 == 1 ? 'M' : 'F';
    return ERR_OK;
}

void idcard_mask(const char *number18, char out[IDCARD_LEN + 1])
{
    memcpy(out, number18, 6);
    memset(out + 6, '*', 8);
    memcpy(out + 14, number18 + 14, 4);
    out[IDCARD_LEN] = '\0';
}

/* ------------------------------------------------- GB 32100 and GB 11714 */

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define USCC_RADIX 31

/* Value of c in the credit code alphabet, -1 if not in it. */
static int uscc_value(char c)
{
    const char *p = c != '\0' ? strchr(uscc_alphabet, c) : NULL;
    return p != NULL ? (int)(p - uscc_alphabet) : -1;
}

/* GB 11714 check char for 8 body chars (digits and upper-case letters). */
static char orgcode_check_char(const char *body8)
{
    static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = body8[i];
        int v = is_digit(c) ? c - '0' : c - 'A' + 10;
        sum += v * weights[i];
    }
    int check = 11 - sum % 11;
    return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}

enum err uscc_parse(const char *text, size_t len, char out[USCC_LEN + 1])
{
    static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                    29, 25, 13, 8,  24, 10, 30, 28};
    trim_blanks(&text, &len);
    if (len != USCC_LEN) {
        return ERR_INVALID_USCC;
    }
    char code[USCC_LEN];
    int sum = 0;
    for (size_t i = 0; i < USCC_LEN; i++) {
        char c = text[i];
        code[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        int v = uscc_value(code[i]);
        if (v < 0) {
            return ERR_INVALID_USCC;
        }
        if (i < 17) {
            sum += v * weights[i];
        }
    }
    /* Registration authority of GB 32100: 1-9, A (military), N (agriculture),
     * Y (other). Category codes in the standard are digits 1-9. */
    if (!((code[0] >= '1' && code[0] <= '9') || code[0] == 'A' || code[0] == 'N' ||
          code[0] == 'Y') ||
        !(code[1] >= '1' && code[1] <= '9')) {
        return ERR_INVALID_USCC;
    }
    for (size_t i = 2; i < 8; i++) {
        if (!is_digit(code[i])) {
            return ERR_INVALID_USCC;
        }
    }
    if (orgcode_check_char(code + 8) != code[16]) {
        return ERR_INVALID_USCC;
    }
    if (uscc_alphabet[(USCC_RADIX - sum % USCC_RADIX) % USCC_RADIX] != code[17]) {
        return ERR_INVALID_USCC;
    }
    memcpy(out, code, USCC_LEN);
    out[USCC_LEN] = '\0';
    return ERR_OK;
}

/* ------------------------------------------------------------------ phone */

enum err phone_parse(const char *text, size_t len, char out[PHONE_LEN + 1])
{
    char buf[IDS_SCRATCH_LEN];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '-') {
            continue;
        }
        if (n == sizeof(buf)) {
            return ERR_INVALID_PHONE;
        }
        buf[n++] = c;
    }
    const char *p = buf;
    if (n >= 3 && memcmp(p, "+86", 3) == 0) {
        p += 3;
        n -= 3;
    } else if (n == PHONE_LEN + 2 && memcmp(p, "86", 2) == 0) {
        p += 2;
        n -= 2;
    }
    if (n != PHONE_LEN || p[0] != '1' || p[1] < '3' || p[1] > '9') {
        return ERR_INVALID_PHONE;
    }
    for (size_t i = 0; i < PHONE_LEN; i++) {
        if (!is_digit(p[i])) {
            return ERR_INVALID_PHONE;
        }
    }
    memcpy(out, p, PHONE_LEN);
    out[PHONE_LEN] = '\0';
    return ERR_OK;
}

void phone_mask(const char *number11, char out[PHONE_LEN + 1])
{
    memcpy(out, number11, 3);
    memset(out + 3, '*', 4);
    memcpy(out + 7, number11 + 7, 4);
    out[PHONE_LEN] = '\0';
}

/* -------------------------------------------------------------- bank card */

enum err bankcard_parse(const char *text, size_t len, char out[BANKCARD_LEN_MAX + 1])
{
    char buf[BANKCARD_LEN_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t') {
            continue;
        }
        if (!is_digit(c) || n == sizeof(buf)) {
            return ERR_INVALID_BANK_ACCOUNT;
        }
        buf[n++] = c;
    }
    if (n < BANKCARD_LEN_MIN) {
        return ERR_INVALID_BANK_ACCOUNT;
    }
    /* Luhn: double every second digit from the right (the check digit is
     * not doubled); the total must be a multiple of 10. */
    int sum = 0;
    for (size_t k = 0; k < n; k++) {
        int d = buf[n - 1 - k] - '0';
        if (k % 2 == 1) {
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        }
        sum += d;
    }
    if (sum % 10 != 0) {
        return ERR_INVALID_BANK_ACCOUNT;
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return ERR_OK;
}

void bankcard_mask(const char *number, char out[BANKCARD_MASK_LEN + 1])
{
    size_t n = strlen(number);
    memcpy(out, number, 4);
    memcpy(out + 4, " **** **** ", 11);
    memcpy(out + 15, number + n - 4, 4);
    out[BANKCARD_MASK_LEN] = '\0';
}
