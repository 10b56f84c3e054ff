/*
 * fuzz_ids: every identifier parser on the same bytes. On success the
 * canonical output must satisfy its own rules, parse again to the same
 * result (normalisation is idempotent) and mask to the right shape; on
 * failure only the documented error codes may come back.
 */
#include <stdint.h>
#include <string.h>

#include "core/assert.h"
#include "core/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static void check_idcard(const char *text, size_t len)
{
    struct date today;
    ASSERT(date_from_ymd(2026, 11, 28, &today) == ERR_OK);
    struct idcard c;
    enum err e = idcard_parse(text, len, today, &c);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_ID || e == ERR_ID_EXCEL_MANGLED);
        return;
    }
    ASSERT(strlen(c.number) == IDCARD_LEN);
    ASSERT(all_digits(c.number, 17));
    ASSERT(c.number[0] != '0');
    ASSERT(idcard_check_char(c.number) == c.number[17]);
    ASSERT(c.birth.day <= today.day);
    ASSERT(c.gender == ((c.number[16] - '0') % 2 == 1 ? 'M' : 'F'));

    struct idcard again;
    ASSERT(idcard_parse(c.number, IDCARD_LEN, today, &again) == ERR_OK);
    ASSERT(memcmp(again.number, c.number, sizeof(c.number)) == 0);
    ASSERT(again.birth.day == c.birth.day && again.gender == c.gender);

    char mask[IDCARD_LEN + 1];
    idcard_mask(c.number, mask);
    ASSERT(strlen(mask) == IDCARD_LEN);
    ASSERT(memcmp(mask, c.number, 6) == 0 && memcmp(mask + 14, c.number + 14, 4) == 0);
    ASSERT(strspn(mask + 6, "*") == 8);
}

static void check_uscc(const char *text, size_t len)
{
    char out[USCC_LEN + 1];
    enum err e = uscc_parse(text, len, out);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_USCC);
        return;
    }
    ASSERT(strlen(out) == USCC_LEN);
    ASSERT(strspn(out, "0123456789ABCDEFGHJKLMNPQRTUWXY") == USCC_LEN);
    char again[USCC_LEN + 1];
    ASSERT(uscc_parse(out, USCC_LEN, again) == ERR_OK);
    ASSERT(strcmp(again, out) == 0);
}

static void check_phone(const char *text, size_t len)
{
    char out[PHONE_LEN + 1];
    enum err e = phone_parse(text, len, out);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_PHONE);
        return;
    }
    ASSERT(strlen(out) == PHONE_LEN && all_digits(out, PHONE_LEN));
    ASSERT(out[0] == '1' && out[1] >= '3');
    char again[PHONE_LEN + 1];
    ASSERT(phone_parse(out, PHONE_LEN, again) == ERR_OK && strcmp(again, out) == 0);
    char mask[PHONE_LEN + 1];
    phone_mask(out, mask);
    ASSERT(strlen(mask) == PHONE_LEN && strspn(mask + 3, "*") == 4);
}

static void check_bankcard(const char *text, size_t len)
{
    char out[BANKCARD_LEN_MAX + 1];
    enum err e = bankcard_parse(text, len, out);
    if (e != ERR_OK) {
        ASSERT(e == ERR_INVALID_BANK_ACCOUNT);
        return;
    }
    size_t n = strlen(out);
    ASSERT(n >= BANKCARD_LEN_MIN && n <= BANKCARD_LEN_MAX && all_digits(out, n));
    char again[BANKCARD_LEN_MAX + 1];
    ASSERT(bankcard_parse(out, n, again) == ERR_OK && strcmp(again, out) == 0);
    char mask[BANKCARD_MASK_LEN + 1];
    bankcard_mask(out, mask);
    ASSERT(strlen(mask) == BANKCARD_MASK_LEN);
    ASSERT(memcmp(mask, out, 4) == 0 && memcmp(mask + 15, out + n - 4, 4) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's buffer is exactly size bytes, so ASan sees any read past len. */
    const char *text = (const char *)data;
    check_idcard(text, size);
    check_uscc(text, size);
    check_phone(text, size);
    check_bankcard(text, size);
    return 0;
}
