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
    /* csv */                                                                        \
    X(CSV_QUOTE, "CSV_BAD_QUOTE")                                                    \
    X(CSV_ROW_TOO_LONG, "CSV_ROW_TOO_LONG")                                          \
    X(CSV_TOO_MANY_FIELDS, "CSV_TOO_MANY_FIELDS")                                    \
    X(MISSING_COLUMN, "MISSING_COLUMN")                                              \
    /* claims / settlement input */                                                  \
    X(SETTLEMENT_MISMATCH, "SETTLEMENT_MISMATCH")                                    \
    X(INVALID_PLAN, "INVALID_PLAN")

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
