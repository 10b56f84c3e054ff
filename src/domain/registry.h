/*
 * registry: validation, normalisation and storage of employers (用人单位)
 * and members (职工), shared by the roster import and the API.
 *
 * Input arrives as untrusted text fields (ptr, len), as read from a CSV cell
 * or a JSON string; validation turns it into typed, normalised fields or
 * names the ONE field and reason code that refused it. The checks run in a
 * fixed order and the first failure wins, so a row always gets the same code:
 *
 *   members:   1 id_number      INVALID_ID, ID_EXCEL_MANGLED
 *              2 id_number      DUPLICATE_IN_FILE (hook `seen`, imports only)
 *              3 phone          INVALID_PHONE (empty = none)
 *              4 name           INVALID_NAME (empty, over 50 characters, control chars)
 *              5 employer_uscc  INVALID_EMPLOYER (empty = none)
 *              6 employer_uscc  UNKNOWN_EMPLOYER (hook `employer`: not registered)
 *              7 employment     INVALID_EMPLOYMENT (empty too); then
 *                employer_uscc  INVALID_EMPLOYER when the form is `standard` and
 *                               no employer was given (standard employment needs one)
 *              8 hardship       INVALID_HARDSHIP (empty = no)
 *              9 bank_account   INVALID_BANK_ACCOUNT (empty = none)
 *             10 id_number      UNDERAGE (under REGISTRY_MIN_AGE_YEARS on `today`)
 *   employers: 1 uscc           INVALID_EMPLOYER
 *              2 uscc           DUPLICATE_IN_FILE (hook `seen`)
 *              3 name           INVALID_NAME
 *              4 ownership      INVALID_OWNERSHIP
 *              5 size           INVALID_SIZE
 *              6 industry       INVALID_INPUT (over 50 characters; empty allowed)
 *
 * Text values are trimmed of ASCII spaces, tabs, U+00A0 and U+3000 around
 * them. Enumerations accept the Chinese label or the English code (ASCII
 * case ignored): employment 标准劳动关系/快递员/外卖配送员/网约车司机/
 * 货车司机/其他新就业形态 = standard/courier/delivery/ride_hailing/truck/
 * other_gig; ownership 机关事业/国有/民营/外资/集体/个体 = public_sector/
 * state/private/foreign/collective/individual; size 大型/中型/小型/微型 (or
 * 大/中/小/微) = large/medium/small/micro; hardship 是/否, yes/no, y/n, 1/0,
 * true/false, empty = no.
 *
 * Storage (registry_member_upsert, registry_employer_upsert) runs inside the
 * caller's transaction: one member is keyed by the blind index of its ID
 * number; a known member whose fields differ is updated and every changed
 * field recorded in member_history (phone and bank card masked). Plain ID
 * and bank numbers are sealed (fieldcrypt) before they reach the store and
 * are never logged.
 */
#ifndef HUZHU_DOMAIN_REGISTRY_H
#define HUZHU_DOMAIN_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/limits.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"
#include "store/store_registry.h"

#define REGISTRY_NAME_MAX_BYTES (LIMIT_NAME_CHARS * 4) /* 50 characters of UTF-8 */
#define REGISTRY_INDUSTRY_MAX_CHARS 50                 /* as names */
#define REGISTRY_MIN_AGE_YEARS 16                      /* legal working age */

enum registry_employment {
    REGISTRY_EMPLOYMENT_STANDARD,     /* 标准劳动关系: needs an employer */
    REGISTRY_EMPLOYMENT_COURIER,      /* 快递员 */
    REGISTRY_EMPLOYMENT_DELIVERY,     /* 外卖配送员 */
    REGISTRY_EMPLOYMENT_RIDE_HAILING, /* 网约车司机 */
    REGISTRY_EMPLOYMENT_TRUCK,        /* 货车司机 */
    REGISTRY_EMPLOYMENT_OTHER_GIG,    /* 其他新就业形态 */
    REGISTRY_EMPLOYMENT__COUNT
};

enum registry_ownership {
    REGISTRY_OWNERSHIP_PUBLIC_SECTOR, /* 机关事业 */
    REGISTRY_OWNERSHIP_STATE,         /* 国有 */
    REGISTRY_OWNERSHIP_PRIVATE,       /* 民营 */
    REGISTRY_OWNERSHIP_FOREIGN,       /* 外资 */
    REGISTRY_OWNERSHIP_COLLECTIVE,    /* 集体 */
    REGISTRY_OWNERSHIP_INDIVIDUAL,    /* 个体 */
    REGISTRY_OWNERSHIP__COUNT
};

enum registry_size {
    REGISTRY_SIZE_LARGE,  /* 大型 */
    REGISTRY_SIZE_MEDIUM, /* 中型 */
    REGISTRY_SIZE_SMALL,  /* 小型 */
    REGISTRY_SIZE_MICRO,  /* 微型 */
    REGISTRY_SIZE__COUNT
};

/* Enumerations: parse text (trimmed, label or code) or give the stored code
 * ("ride_hailing") and the Chinese label. Unknown text -> the field's code
 * (ERR_INVALID_EMPLOYMENT, ERR_INVALID_OWNERSHIP, ERR_INVALID_SIZE); an
 * out-of-range value gives NULL. */
enum err registry_employment_parse(const char *text, size_t len,
                                   enum registry_employment *out) WARN_UNUSED;
const char *registry_employment_code(enum registry_employment v);
const char *registry_employment_label(enum registry_employment v);
enum err registry_ownership_parse(const char *text, size_t len,
                                  enum registry_ownership *out) WARN_UNUSED;
const char *registry_ownership_code(enum registry_ownership v);
enum err registry_size_parse(const char *text, size_t len, enum registry_size *out) WARN_UNUSED;
const char *registry_size_code(enum registry_size v);

/* Hardship flag; empty (after trimming) is false. ERR_INVALID_HARDSHIP. */
enum err registry_hardship_parse(const char *text, size_t len, bool *out) WARN_UNUSED;

/* A person's or an employer's name: trimmed, 1..50 characters, valid UTF-8,
 * no control characters. Writes it NUL-terminated. ERR_INVALID_NAME. */
enum err registry_name_parse(const char *text, size_t len,
                             char out[REGISTRY_NAME_MAX_BYTES + 1]) WARN_UNUSED;

/* One untrusted input field; ptr NULL (len 0) when the field is absent. */
struct registry_text {
    const char *ptr; /* not NUL-terminated */
    size_t len;      /* bytes */
};

/* True when t is absent, empty, or only blanks (spaces, tabs, U+00A0, U+3000). */
bool registry_text_is_blank(struct registry_text t);

/* Which field a refusal is about, and why. field is a static canonical name
 * ("id_number", "employer_uscc", ...); code the reason (err_str gives the
 * stable code). field is NULL when the failure is not the input's (a hook's
 * database error). */
struct registry_field_error {
    const char *field;
    enum err code;
};

/* ----------------------------------------------------------------- members */

struct registry_member_input {
    struct registry_text name;          /* 姓名 */
    struct registry_text id_number;     /* 身份证号 */
    struct registry_text phone;         /* 手机号 */
    struct registry_text employment;    /* 用工形式 */
    struct registry_text employer_uscc; /* 单位统一社会信用代码 */
    struct registry_text hardship;      /* 困难职工 */
    struct registry_text bank_account;  /* 银行账号 */
};

struct registry_member {
    char name[REGISTRY_NAME_MAX_BYTES + 1];
    struct idcard id;                   /* canonical number, birth, gender */
    char phone[PHONE_LEN + 1];          /* "" when none given */
    enum registry_employment employment;
    char employer_uscc[USCC_LEN + 1];   /* "" when none */
    int64_t employer_id;                /* from the `employer` hook; 0 when none */
    bool hardship;
    char bank_account[BANKCARD_LEN_MAX + 1]; /* "" when none given */
};

/* Context-dependent checks. Either hook may be NULL (check skipped; with no
 * `employer` hook every valid code is accepted and employer_id stays 0). */
struct registry_member_checks {
    struct date today; /* for UNDERAGE and birth dates in the future */
    /* ERR_OK, or ERR_DUPLICATE_IN_FILE when this ID number was seen before. */
    enum err (*seen)(void *ctx, const struct idcard *id);
    /* ERR_OK with *employer_id, ERR_UNKNOWN_EMPLOYER, or an operational error
     * (returned as is, with ferr->field NULL). */
    enum err (*employer)(void *ctx, const char *uscc, int64_t *employer_id);
    void *ctx;
};

/*
 * Validates in the order of the table above. ERR_OK with *out filled; or
 * the first failing check's code with *ferr naming the field; or a hook's
 * operational error with ferr->field NULL. Never logs input.
 */
enum err registry_member_validate(const struct registry_member_input *in,
                                  const struct registry_member_checks *chk,
                                  struct registry_member *out,
                                  struct registry_field_error *ferr) WARN_UNUSED;

/* ---------------------------------------------------------------- employers */

struct registry_employer_input {
    struct registry_text uscc;      /* 统一社会信用代码 */
    struct registry_text name;      /* 单位名称 */
    struct registry_text ownership; /* 经济类型 */
    struct registry_text size;      /* 规模 */
    struct registry_text industry;  /* 行业; absent: keep / empty */
};

struct registry_employer {
    char uscc[USCC_LEN + 1];
    char name[REGISTRY_NAME_MAX_BYTES + 1];
    enum registry_ownership ownership;
    enum registry_size size;
    char industry[REGISTRY_NAME_MAX_BYTES + 1];
    bool has_industry; /* false when the input had no industry field */
};

/* seen: ERR_OK or ERR_DUPLICATE_IN_FILE for a credit code; may be NULL. */
enum err registry_employer_validate(const struct registry_employer_input *in,
                                    enum err (*seen)(void *ctx, const char *uscc), void *ctx,
                                    struct registry_employer *out,
                                    struct registry_field_error *ferr) WARN_UNUSED;

/* --------------------------------------------------------------- storage */

/* The organisation (union) that owns what is written: members and
 * employers attach to it. */
struct registry_org {
    int64_t id;
    char code[STORE_ORG_CODE_BYTES + 1];
    char path[STORE_ORG_PATH_BYTES + 1]; /* '/1/4/17/' */
};

/* Finds an organisation by code. ERR_NOT_FOUND if none. */
enum err registry_org_find(struct store_conn *c, const char *code,
                           struct registry_org *out) WARN_UNUSED;

/* Who writes, for member_history. Strings are static or outlive the call. */
struct registry_source {
    const char *kind;  /* "import", "api" or "cli" */
    const char *ref;   /* an import's file name; "" otherwise */
    const char *actor; /* a login; "" for the command line */
    const char *at;    /* UTC 'YYYY-MM-DDTHH:MM:SSZ' (registry_now_text) */
};

/* Writes the current UTC time as 'YYYY-MM-DDTHH:MM:SSZ' (21 bytes with NUL). */
void registry_now_text(char out[21]);

enum registry_outcome {
    REGISTRY_INSERTED,
    REGISTRY_UPDATED,
    REGISTRY_UNCHANGED,
};

/*
 * Inserts or updates the member with m's ID number, in the caller's
 * transaction. A known member is compared field by field: name, phone,
 * employer, employment, hardship, bank card, organisation. An empty phone or
 * bank card never erases a known one (a roster that leaves them out does not
 * take a payout card away). The member stays with its organisation when that
 * is org or under it; else it moves to org. Each changed field gets a
 * member_history row; an unchanged member is not written at all.
 * may_exist false promises that no member exists yet (an empty table in this
 * transaction), which skips the lookup. *out_id may be NULL.
 */
enum err registry_member_upsert(struct store_conn *c, const struct fieldcrypt *fc,
                                const struct registry_org *org,
                                const struct registry_source *src,
                                const struct registry_member *m, bool may_exist,
                                enum registry_outcome *outcome, int64_t *out_id) WARN_UNUSED;

/* Inserts or updates the employer with e's credit code (name, ownership,
 * size, industry when given, organisation as for members). */
enum err registry_employer_upsert(struct store_conn *c, const struct registry_org *org,
                                  const struct registry_employer *e,
                                  enum registry_outcome *outcome, int64_t *out_id) WARN_UNUSED;

/*
 * One-call operations for the API: validate (employer looked up in the
 * store, no duplicate hook) and store, in one transaction. today pins the
 * age check. ERR_EXISTS when the ID number (credit code) is already
 * registered: creation never updates. A refused field is named in *ferr.
 */
enum err registry_member_create(struct store_conn *c, const struct fieldcrypt *fc,
                                const struct registry_org *org,
                                const struct registry_source *src,
                                const struct registry_member_input *in, struct date today,
                                int64_t *out_id, struct registry_field_error *ferr) WARN_UNUSED;
enum err registry_employer_create(struct store_conn *c, const struct registry_org *org,
                                  const struct registry_employer_input *in, int64_t *out_id,
                                  struct registry_field_error *ferr) WARN_UNUSED;

#endif
