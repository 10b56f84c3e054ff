/*
 * err: the one error enum of Huzhu.
 *
 * Every action returns an enum err; ERR_OK is 0 so `if (e)` reads naturally.
 * err_str() gives the stable, upper-case code clients see in
 * {"error": {"code": ...}}; codes are part of the API and never renamed.
 * New codes are appended within their group; numeric values are internal.
 */
#ifndef HUZHU_CORE_ERR_H
#define HUZHU_CORE_ERR_H

#define ERR_LIST(X)                                                                  \
    /* generic */                                                                    \
    X(OK, "OK")                                                                      \
    X(NOMEM, "OUT_OF_MEMORY")                                                        \
    X(INTERNAL, "INTERNAL")                                                          \
    X(INVALID, "INVALID_INPUT")           /* a field fails validation */             \
    X(PARSE, "PARSE_ERROR")               /* text is not in the expected syntax */   \
    X(RANGE, "OUT_OF_RANGE")              /* a number or date outside its range */   \
    X(OVERFLOW, "OVERFLOW")               /* arithmetic would overflow int64 */      \
    X(TOO_LARGE, "TOO_LARGE")             /* a size limit was passed */              \
    X(ENCODING, "BAD_ENCODING")           /* not valid UTF-8 / GB18030 */            \
    X(IO, "IO_ERROR")                                                                \
    X(EOF, "END_OF_INPUT")                /* not an error to clients: iteration end */ \
    /* http / json */                                                                \
    X(BAD_JSON, "BAD_JSON")                                                          \
    X(UNKNOWN_FIELD, "UNKNOWN_FIELD")                                                \
    X(MISSING_FIELD, "MISSING_FIELD")                                                \
    X(BAD_TYPE, "BAD_TYPE")                                                          \
    X(NOT_FOUND, "NOT_FOUND")                                                        \
    X(METHOD, "METHOD_NOT_ALLOWED")                                                  \
    X(UNSUPPORTED_MEDIA, "UNSUPPORTED_MEDIA_TYPE")                                   \
    X(TIMEOUT, "TIMEOUT")                                                            \
    /* security */                                                                   \
    X(UNAUTHENTICATED, "UNAUTHENTICATED")                                            \
    X(FORBIDDEN, "FORBIDDEN")                                                        \
    X(CSRF, "CSRF_TOKEN_INVALID")                                                    \
    X(RATE_LIMITED, "RATE_LIMITED")                                                  \
    X(WEAK_PASSWORD, "WEAK_PASSWORD")                                                \
    X(SAME_USER, "SECOND_USER_REQUIRED")  /* maker-checker: checker == maker */      \
    X(SELF_CHANGE, "SELF_CHANGE_REFUSED") /* admin disabling or demoting self */     \
    /* store */                                                                      \
    X(DB, "DATABASE_ERROR")                                                          \
    X(DB_BUSY, "DATABASE_BUSY")                                                      \
    X(DB_SCHEMA, "DATABASE_SCHEMA")       /* schema newer than this binary */        \
    X(CONFLICT, "CONFLICT")               /* state changed, or idempotency clash */  \
    X(EXISTS, "ALREADY_EXISTS")           /* unique key taken */                     \
    X(RETRY, "RETRY")                     /* serialization failure: run again */     \
    /* identifiers */                                                                \
    X(INVALID_ID, "INVALID_ID")           /* resident ID number (GB 11643) */        \
    X(ID_EXCEL_MANGLED, "ID_EXCEL_MANGLED") /* "1.10101E+17": Excel ate it */        \
    X(INVALID_USCC, "INVALID_EMPLOYER")   /* credit code (GB 32100) */               \
    X(INVALID_PHONE, "INVALID_PHONE")                                                \
    X(INVALID_BANK_ACCOUNT, "INVALID_BANK_ACCOUNT")                                  \
    X(INVALID_DATE, "INVALID_DATE")                                                  \
    X(INVALID_MONEY, "INVALID_MONEY")                                                \
    X(INVALID_NAME, "INVALID_NAME")                                                  \
    X(INVALID_EMPLOYMENT, "INVALID_EMPLOYMENT") /* not a known employment form */    \
    X(INVALID_OWNERSHIP, "INVALID_OWNERSHIP") /* employer ownership type */          \
    X(INVALID_SIZE, "INVALID_SIZE")       /* employer size class */                  \
    X(INVALID_HARDSHIP, "INVALID_HARDSHIP") /* hardship flag not yes/no */           \
    X(UNDERAGE, "UNDERAGE")               /* under 16 on the reference date */       \
    /* csv */                                                                        \
    X(CSV_QUOTE, "CSV_BAD_QUOTE")                                                    \
    X(CSV_ROW_TOO_LONG, "CSV_ROW_TOO_LONG")                                          \
    X(CSV_TOO_MANY_FIELDS, "CSV_TOO_MANY_FIELDS")                                    \
    X(MISSING_COLUMN, "MISSING_COLUMN")                                              \
    /* registry */                                                                   \
    X(UNKNOWN_EMPLOYER, "UNKNOWN_EMPLOYER") /* valid credit code, not registered */  \
    X(DUPLICATE_IN_FILE, "DUPLICATE_IN_FILE") /* key seen before in this file */   \
    /* claims / settlement input */                                                  \
    X(SETTLEMENT_MISMATCH, "SETTLEMENT_MISMATCH")                                    \
    X(INVALID_PLAN, "INVALID_PLAN")                                                  \
    /* enrolment */                                                                  \
    X(PLAN_NOT_PUBLISHED, "PLAN_NOT_PUBLISHED") /* draft or closed version */        \
    X(UNKNOWN_MEMBER, "UNKNOWN_MEMBER")   /* no such member */                       \
    X(OUT_OF_SCOPE, "OUT_OF_SCOPE")       /* record outside the caller's subtree */  \
    X(NOT_IN_UNIT, "NOT_IN_UNIT")         /* member not on the unit's roster */      \
    X(DUPLICATE_MEMBER, "DUPLICATE_MEMBER") /* member named twice in one request */  \
    X(AGE_OUT_OF_RANGE, "AGE_OUT_OF_RANGE") /* age on term start outside plan's */   \
    X(GENDER_NOT_ELIGIBLE, "GENDER_NOT_ELIGIBLE")                                    \
    X(EMPLOYMENT_NOT_ELIGIBLE, "EMPLOYMENT_NOT_ELIGIBLE")                            \
    X(GIFT_NOT_ELIGIBLE, "GIFT_NOT_ELIGIBLE") /* gift: neither hardship nor gig */   \
    X(TOO_MANY_SHARES, "TOO_MANY_SHARES") /* shares outside 1..max_shares */         \
    X(OVERLAPPING_TERM, "OVERLAPPING_TERM") /* same plan code, overlapping term */   \
    X(PARTICIPATION_TOO_LOW, "PARTICIPATION_TOO_LOW") /* below min_ratio_bp */       \
    X(MUST_ENROL_ALL, "MUST_ENROL_ALL")   /* small unit must enrol all eligible */   \
    X(UNEQUAL_SHARES, "UNEQUAL_SHARES")   /* unit's members hold different shares */ \
    X(NO_ELIGIBLE_MEMBERS, "NO_ELIGIBLE_MEMBERS") /* nothing left to enrol */        \
    X(FUNDING_INVALID, "FUNDING_INVALID") /* cost split does not fit the price */    \
    X(NOT_PAID, "NOT_PAID")               /* enrolment not active (unpaid) */        \
    X(ALREADY_PAID_INVOICE, "ALREADY_PAID_INVOICE") /* receipt beyond the amount */  \
    X(INVOICE_CLOSED, "INVOICE_CLOSED")   /* invoice lapsed: no more receipts */     \
    X(NOT_RENEWABLE, "NOT_RENEWABLE")     /* nothing active to renew, or renewed */  \
    X(ALREADY_CANCELLED, "ALREADY_CANCELLED")                                        \
    /* ledger */                                                                     \
    X(UNBALANCED, "UNBALANCED")           /* debits differ from credits */           \
    X(FUND_USE_REFUSED, "FUND_USE_REFUSED") /* accounts/source not an allowed use */ \
    X(LIMIT_EXCEEDED, "LIMIT_EXCEEDED")   /* balance floor or expense cap broken */  \
    X(PERIOD_CLOSED, "PERIOD_CLOSED")     /* value date in a closed period */        \
    X(IDEMPOTENCY_MISMATCH, "IDEMPOTENCY_MISMATCH") /* key reused, other content */ \
    /* claims */                                                                     \
    X(CLAIM_STATE, "CLAIM_STATE")         /* not allowed from the claim's status */  \
    X(CLAIM_REASSESSED, "CLAIM_REASSESSED") /* payout changed since assessment */   \
    X(AUTHORITY_LIMIT, "AUTHORITY_LIMIT") /* above the actor's approval authority */ \
    X(ALREADY_APPEALED, "ALREADY_APPEALED") /* a claim is appealed once */           \
    X(DOCUMENTS_MISSING, "DOCUMENTS_MISSING") /* a required document is absent */

enum err {
#define ERR_ENUM(name, code) ERR_##name,
    ERR_LIST(ERR_ENUM)
#undef ERR_ENUM
    ERR__COUNT
};

/* Stable code string for e ("INVALID_ID"); "INTERNAL" for out-of-range values. */
const char *err_str(enum err e);

/* Marks functions whose enum err result must be looked at. */
#define WARN_UNUSED __attribute__((warn_unused_result))

#endif
