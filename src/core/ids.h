/*
 * ids: validation and normalisation of the identifiers a roster carries.
 *
 *   resident ID number (GB 11643)       idcard_parse    -> ERR_INVALID_ID / ERR_ID_EXCEL_MANGLED
 *   unified social credit code (GB 32100, with its GB 11714 organisation code)
 *                                       uscc_parse      -> ERR_INVALID_USCC
 *   mainland mobile number              phone_parse     -> ERR_INVALID_PHONE
 *   bank card number (Luhn)             bankcard_parse  -> ERR_INVALID_BANK_ACCOUNT
 *
 * Every parser takes untrusted (text, len): any bytes, never NUL-terminated,
 * never read past len. On success it writes the canonical form, NUL-terminated,
 * into a fixed buffer; on failure the outputs are unspecified. Whether a field
 * may be empty is the caller's policy: every parser refuses empty text.
 * Masks are for display (logs, lists): they never show the middle digits.
 * No dependencies beyond libc and core/date.
 */
#ifndef HUZHU_CORE_IDS_H
#define HUZHU_CORE_IDS_H

#include <stddef.h>

#include "core/date.h"
#include "core/err.h"

#define IDCARD_LEN 18       /* canonical resident ID number, without the NUL */
#define USCC_LEN 18         /* unified social credit code */
#define PHONE_LEN 11        /* mobile number without prefix */
#define BANKCARD_LEN_MIN 16 /* bank card digits, fewest */
#define BANKCARD_LEN_MAX 19 /* bank card digits, most */
#define BANKCARD_MASK_LEN 19 /* "6222 **** **** 0123" */

struct idcard {
    char number[IDCARD_LEN + 1]; /* 18 chars: 17 digits and a check char 0-9 or X; NUL */
    struct date birth;           /* from positions 7-14; never after `today` */
    char gender;                 /* 'M' (17th digit odd) or 'F' (even) */
};

/*
 * Parses a resident ID number. Normalises first: surrounding ASCII spaces,
 * tabs and U+3000 are trimmed; full-width digits (U+FF10..U+FF19) and X
 * (U+FF38, U+FF58) become ASCII; 'x' becomes 'X'. A 15-digit first-generation
 * number is upgraded to 18 ("19" before the year, check char computed).
 * Checks: 17 digits + check char per GB 11643 (weights 7 9 10 5 8 4 2 1 6 3
 * 7 9 10 5 8 4 2, sum mod 11 indexes "10X98765432"), region not starting with
 * 0, birth date a real date in 1900..`today`.
 * Errors: ERR_ID_EXCEL_MANGLED when the text looks like Excel scientific
 * notation ("1.10101E+17", "4.30102e17"); ERR_INVALID_ID for anything else.
 * Examples: "110105491231002" and "11010519491231002x" both give
 * "11010519491231002X", born 1949-12-31, gender 'F'.
 */
enum err idcard_parse(const char *text, size_t len, struct date today, struct idcard *out)
    WARN_UNUSED;

/* Check char ('0'-'9' or 'X') for the 17 ASCII digits at digits17. */
char idcard_check_char(const char *digits17);

/* Writes "110101********1234" (first 6, eight stars, last 4) and a NUL.
 * number18 is a canonical number from idcard_parse. */
void idcard_mask(const char *number18, char out[IDCARD_LEN + 1]);

/*
 * Parses a unified social credit code. Normalises: surrounding ASCII spaces,
 * tabs and U+3000 are trimmed; ASCII letters are upper-cased.
 * Checks: 18 chars of "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I O S V Z);
 * position 1 a registration authority of GB 32100 (1-9, A, N, Y); position 2
 * a category 1-9; positions 3-8 digits (division code); positions 9-17 an
 * organisation code with a valid GB 11714 check char; position 18 the
 * GB 32100 check char (weights 3^i mod 31).
 * Errors: ERR_INVALID_USCC. out gets the 18 chars and a NUL.
 */
enum err uscc_parse(const char *text, size_t len, char out[USCC_LEN + 1]) WARN_UNUSED;

/*
 * Parses a mainland mobile number: ASCII spaces, tabs and hyphens anywhere are
 * dropped, then a leading "+86" or "86" (only when 13 digits remain) is
 * stripped; what is left must be 11 digits, "1" then 3-9.
 * Errors: ERR_INVALID_PHONE. out gets the 11 digits and a NUL.
 */
enum err phone_parse(const char *text, size_t len, char out[PHONE_LEN + 1]) WARN_UNUSED;

/* Writes "138****1234" (first 3, four stars, last 4) and a NUL. */
void phone_mask(const char *number11, char out[PHONE_LEN + 1]);

/*
 * Parses a bank card number: ASCII spaces and tabs anywhere are dropped; what
 * is left must be 16-19 digits passing the Luhn check.
 * Errors: ERR_INVALID_BANK_ACCOUNT. out gets the digits and a NUL.
 */
enum err bankcard_parse(const char *text, size_t len, char out[BANKCARD_LEN_MAX + 1])
    WARN_UNUSED;

/* Writes "6222 **** **** 0123" and a NUL: first 4 digits, then always two
 * groups of four stars whatever the length (16-19), then the last 4. The fixed
 * shape hides the length too. number is a NUL-terminated result of
 * bankcard_parse. */
void bankcard_mask(const char *number, char out[BANKCARD_MASK_LEN + 1]);

#endif
