/*
 * registry: employer and member validation and storage. Invariants: checks
 * run in the one order documented in registry.h; plain ID and bank numbers
 * live only in caller buffers and in stack scratch that is wiped, and reach
 * the store sealed (values) or hashed (lookup) or masked (display, history).
 */
#include "domain/registry.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"
#include "core/utf8.h"

/* ------------------------------------------------------------------- text */

/* Bytes of a blank at the start of (s, n): ASCII space or tab, U+00A0
 * (C2 A0) or U+3000 (E3 80 80); 0 if none. */
static size_t blank_head(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 1 && (u[0] == ' ' || u[0] == '\t')) {
        return 1;
    }
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) {
        return 2;
    }
    if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
        return 3;
    }
    return 0;
}

/* Bytes of a blank at the end of (s, n), as blank_head. */
static size_t blank_tail(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 1 && (u[n - 1] == ' ' || u[n - 1] == '\t')) {
        return 1;
    }
    if (n >= 2 && u[n - 2] == 0xC2 && u[n - 1] == 0xA0) {
        return 2;
    }
    if (n >= 3 && u[n - 3] == 0xE3 && u[n - 2] == 0x80 && u[n - 1] == 0x80) {
        return 3;
    }
    return 0;
}

static void trim(const char **text, size_t *len)
{
    const char *s = *text;
    size_t n = *len, k;
    if (s == NULL) {
        *len = 0;
        return;
    }
    while ((k = blank_head(s, n)) > 0) {
        s += k;
        n -= k;
    }
    while ((k = blank_tail(s, n)) > 0) {
        n -= k;
    }
    *text = s;
    *len = n;
}

/* (s, n) equals the NUL-terminated word, ASCII case ignored. */
static bool equals_word(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n != wl) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z') {
            a = (char)(a - 'A' + 'a');
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

/* An enumeration value's accepted texts: code first, then Chinese labels. */
struct enum_words {
    const char *code;
    const char *labels[3]; /* NULL-terminated unless full */
};

/* Index of the entry of table matching (text, len), trimmed; -1 if none. */
static int enum_lookup(const struct enum_words *table, int count, const char *text, size_t len)
{
    trim(&text, &len);
    if (len == 0) {
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (equals_word(text, len, table[i].code)) {
            return i;
        }
        for (int j = 0; j < 3 && table[i].labels[j] != NULL; j++) {
            if (equals_word(text, len, table[i].labels[j])) {
                return i;
            }
        }
    }
    return -1;
}

static const struct enum_words employment_words[REGISTRY_EMPLOYMENT__COUNT] = {
    [REGISTRY_EMPLOYMENT_STANDARD] = {"standard", {"标准劳动关系", NULL}},
    [REGISTRY_EMPLOYMENT_COURIER] = {"courier", {"快递员", NULL}},
    [REGISTRY_EMPLOYMENT_DELIVERY] = {"delivery", {"外卖配送员", NULL}},
    [REGISTRY_EMPLOYMENT_RIDE_HAILING] = {"ride_hailing", {"网约车司机", NULL}},
    [REGISTRY_EMPLOYMENT_TRUCK] = {"truck", {"货车司机", NULL}},
    [REGISTRY_EMPLOYMENT_OTHER_GIG] = {"other_gig", {"其他新就业形态", NULL}},
};

static const struct enum_words ownership_words[REGISTRY_OWNERSHIP__COUNT] = {
    [REGISTRY_OWNERSHIP_PUBLIC_SECTOR] = {"public_sector", {"机关事业", NULL}},
    [REGISTRY_OWNERSHIP_STATE] = {"state", {"国有", NULL}},
    [REGISTRY_OWNERSHIP_PRIVATE] = {"private", {"民营", NULL}},
    [REGISTRY_OWNERSHIP_FOREIGN] = {"foreign", {"外资", NULL}},
    [REGISTRY_OWNERSHIP_COLLECTIVE] = {"collective", {"集体", NULL}},
    [REGISTRY_OWNERSHIP_INDIVIDUAL] = {"individual", {"个体", NULL}},
};

static const struct enum_words size_words[REGISTRY_SIZE__COUNT] = {
    [REGISTRY_SIZE_LARGE] = {"large", {"大型", "大", NULL}},
    [REGISTRY_SIZE_MEDIUM] = {"medium", {"中型", "中", NULL}},
    [REGISTRY_SIZE_SMALL] = {"small", {"小型", "小", NULL}},
    [REGISTRY_SIZE_MICRO] = {"micro", {"微型", "微", NULL}},
};

enum err registry_employment_parse(const char *text, size_t len, enum registry_employment *out)
{
    int i = enum_lookup(employment_words, REGISTRY_EMPLOYMENT__COUNT, text, len);
    if (i < 0) {
        return ERR_INVALID_EMPLOYMENT;
    }
    *out = (enum registry_employment)i;
    return ERR_OK;
}

const char *registry_employment_code(enum registry_employment v)
{
    return (unsigned)v < REGISTRY_EMPLOYMENT__COUNT ? employment_words[v].code : NULL;
}

const char *registry_employment_label(enum registry_employment v)
{
    return (unsigned)v < REGISTRY_EMPLOYMENT__COUNT ? employment_words[v].labels[0] : NULL;
}

enum err registry_ownership_parse(const char *text, size_t len, enum registry_ownership *out)
{
    int i = enum_lookup(ownership_words, REGISTRY_OWNERSHIP__COUNT, text, len);
    if (i < 0) {
        return ERR_INVALID_OWNERSHIP;
    }
    *out = (enum registry_ownership)i;
    return ERR_OK;
}

const char *registry_ownership_code(enum registry_ownership v)
{
    return (unsigned)v < REGISTRY_OWNERSHIP__COUNT ? ownership_words[v].code : NULL;
}

enum err registry_size_parse(const char *text, size_t len, enum registry_size *out)
{
    int i = enum_lookup(size_words, REGISTRY_SIZE__COUNT, text, len);
    if (i < 0) {
        return ERR_INVALID_SIZE;
    }
    *out = (enum registry_size)i;
    return ERR_OK;
}

const char *registry_size_code(enum registry_size v)
{
    return (unsigned)v < REGISTRY_SIZE__COUNT ? size_words[v].code : NULL;
}

enum err registry_hardship_parse(const char *text, size_t len, bool *out)
{
    static const char *const yes[] = {"是", "yes", "y", "1", "true"};
    static const char *const no[] = {"否", "no", "n", "0", "false"};
    trim(&text, &len);
    if (len == 0) {
        *out = false;
        return ERR_OK;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (equals_word(text, len, yes[i])) {
            *out = true;
            return ERR_OK;
        }
        if (equals_word(text, len, no[i])) {
            *out = false;
            return ERR_OK;
        }
    }
    return ERR_INVALID_HARDSHIP;
}

/* Valid UTF-8 (s, n) without C0 or C1 control characters or DEL. */
static bool is_printable(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        if (u[i] < 0x20 || u[i] == 0x7F) {
            return false;
        }
        if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) {
            return false;
        }
    }
    return true;
}

/* Trimmed text of 0..max_chars printable characters into out (cap bytes).
 * Empty is allowed here; callers decide. */
static bool clean_text(const char *text, size_t len, size_t max_chars, char *out, size_t cap)
{
    trim(&text, &len);
    if (len == 0) {
        out[0] = '\0';
        return true;
    }
    if (len >= cap || !utf8_is_valid(text, len) || !is_printable(text, len) ||
        utf8_count(text, len) > max_chars) {
        return false;
    }
    memcpy(out, text, len);
    out[len] = '\0';
    return true;
}

enum err registry_name_parse(const char *text, size_t len, char out[REGISTRY_NAME_MAX_BYTES + 1])
{
    if (!clean_text(text, len, LIMIT_NAME_CHARS, out, REGISTRY_NAME_MAX_BYTES + 1) ||
        out[0] == '\0') {
        return ERR_INVALID_NAME;
    }
    return ERR_OK;
}

/* Trimmed length of an optional field: 0 when absent or blank. */
static size_t trimmed_len(struct registry_text t)
{
    const char *p = t.ptr;
    size_t n = t.len;
    trim(&p, &n);
    return n;
}

bool registry_text_is_blank(struct registry_text t)
{
    return trimmed_len(t) == 0;
}

static enum err refuse(struct registry_field_error *ferr, const char *field, enum err code)
{
    ferr->field = field;
    ferr->code = code;
    return code;
}

/* ---------------------------------------------------------------- members */

enum err registry_member_validate(const struct registry_member_input *in,
                                  const struct registry_member_checks *chk,
                                  struct registry_member *out,
                                  struct registry_field_error *ferr)
{
    enum err e;
    ferr->field = NULL;
    ferr->code = ERR_OK;
    memset(out, 0, sizeof(*out));

    /* 1, 2: the ID number, and whether this file had it already */
    if ((e = idcard_parse(in->id_number.ptr ? in->id_number.ptr : "", in->id_number.len,
                          chk->today, &out->id)) != ERR_OK) {
        return refuse(ferr, "id_number", e == ERR_ID_EXCEL_MANGLED ? e : ERR_INVALID_ID);
    }
    if (chk->seen != NULL && (e = chk->seen(chk->ctx, &out->id)) != ERR_OK) {
        if (e == ERR_DUPLICATE_IN_FILE) {
            return refuse(ferr, "id_number", e);
        }
        return e;
    }
    /* 3: phone, optional */
    if (trimmed_len(in->phone) > 0 &&
        phone_parse(in->phone.ptr, in->phone.len, out->phone) != ERR_OK) {
        return refuse(ferr, "phone", ERR_INVALID_PHONE);
    }
    /* 4: name */
    if (registry_name_parse(in->name.ptr, in->name.len, out->name) != ERR_OK) {
        return refuse(ferr, "name", ERR_INVALID_NAME);
    }
    /* 5, 6: employer, optional here; its registration */
    bool has_employer = trimmed_len(in->employer_uscc) > 0;
    if (has_employer) {
        if (uscc_parse(in->employer_uscc.ptr, in->employer_uscc.len, out->employer_uscc) !=
            ERR_OK) {
            return refuse(ferr, "employer_uscc", ERR_INVALID_USCC);
        }
        if (chk->employer != NULL &&
            (e = chk->employer(chk->ctx, out->employer_uscc, &out->employer_id)) != ERR_OK) {
            if (e == ERR_UNKNOWN_EMPLOYER) {
                return refuse(ferr, "employer_uscc", e);
            }
            return e;
        }
    }
    /* 7: employment form; standard employment needs an employer */
    if (registry_employment_parse(in->employment.ptr, in->employment.len, &out->employment) !=
        ERR_OK) {
        return refuse(ferr, "employment", ERR_INVALID_EMPLOYMENT);
    }
    if (out->employment == REGISTRY_EMPLOYMENT_STANDARD && !has_employer) {
        return refuse(ferr, "employer_uscc", ERR_INVALID_USCC);
    }
    /* 8: hardship, empty = no */
    if (registry_hardship_parse(in->hardship.ptr, in->hardship.len, &out->hardship) != ERR_OK) {
        return refuse(ferr, "hardship", ERR_INVALID_HARDSHIP);
    }
    /* 9: bank card, optional */
    if (trimmed_len(in->bank_account) > 0 &&
        bankcard_parse(in->bank_account.ptr, in->bank_account.len, out->bank_account) !=
            ERR_OK) {
        return refuse(ferr, "bank_account", ERR_INVALID_BANK_ACCOUNT);
    }
    /* 10: age on the reference date */
    if (date_age_on(out->id.birth, chk->today) < REGISTRY_MIN_AGE_YEARS) {
        return refuse(ferr, "id_number", ERR_UNDERAGE);
    }
    return ERR_OK;
}

/* -------------------------------------------------------------- employers */

enum err registry_employer_validate(const struct registry_employer_input *in,
                                    enum err (*seen)(void *ctx, const char *uscc), void *ctx,
                                    struct registry_employer *out,
                                    struct registry_field_error *ferr)
{
    enum err e;
    ferr->field = NULL;
    ferr->code = ERR_OK;
    out->industry[0] = '\0';
    if (uscc_parse(in->uscc.ptr ? in->uscc.ptr : "", in->uscc.len, out->uscc) != ERR_OK) {
        return refuse(ferr, "uscc", ERR_INVALID_USCC);
    }
    if (seen != NULL && (e = seen(ctx, out->uscc)) != ERR_OK) {
        if (e == ERR_DUPLICATE_IN_FILE) {
            return refuse(ferr, "uscc", e);
        }
        return e;
    }
    if (registry_name_parse(in->name.ptr, in->name.len, out->name) != ERR_OK) {
        return refuse(ferr, "name", ERR_INVALID_NAME);
    }
    if (registry_ownership_parse(in->ownership.ptr, in->ownership.len, &out->ownership) !=
        ERR_OK) {
        return refuse(ferr, "ownership", ERR_INVALID_OWNERSHIP);
    }
    if (registry_size_parse(in->size.ptr, in->size.len, &out->size) != ERR_OK) {
        return refuse(ferr, "size", ERR_INVALID_SIZE);
    }
    out->has_industry = in->industry.ptr != NULL;
    if (out->has_industry && !clean_text(in->industry.ptr, in->industry.len,
                                         REGISTRY_INDUSTRY_MAX_CHARS, out->industry,
                                         sizeof(out->industry))) {
        return refuse(ferr, "industry", ERR_INVALID);
    }
    return ERR_OK;
}

/* ---------------------------------------------------------------- storage */

enum err registry_org_find(struct store_conn *c, const char *code, struct registry_org *out)
{
    if (strlen(code) > STORE_ORG_CODE_BYTES) {
        return ERR_NOT_FOUND;
    }
    enum err e = store_org_find(c, code, &out->id, out->path);
    if (e == ERR_OK) {
        snprintf(out->code, sizeof(out->code), "%s", code);
    }
    return e;
}

void registry_now_text(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The organisation a record ends up with: its current one when that is org
 * or under org (an upper union importing keeps members with their union),
 * else org. */
static int64_t resulting_org(const struct registry_org *org, int64_t current_id,
                             const char *current_path)
{
    size_t n = strlen(org->path);
    if (current_id != 0 && strncmp(current_path, org->path, n) == 0) {
        return current_id;
    }
    return org->id;
}

/* Sealed ID and bank values for an insert or an update. */
struct sealed {
    unsigned char id_enc[IDCARD_LEN + FIELDCRYPT_OVERHEAD];
    size_t id_enc_len;
    char id_mask[IDCARD_LEN + 1];
    unsigned char bank_enc[BANKCARD_LEN_MAX + FIELDCRYPT_OVERHEAD];
    size_t bank_enc_len;
    char bank_mask[BANKCARD_MASK_LEN + 1];
};

static enum err seal_bank(const struct fieldcrypt *fc, const char *bank, struct sealed *s)
{
    bankcard_mask(bank, s->bank_mask);
    return fieldcrypt_seal(fc, bank, strlen(bank), s->bank_enc, sizeof(s->bank_enc),
                           &s->bank_enc_len);
}

static enum err member_insert(struct store_conn *c, const struct fieldcrypt *fc,
                              const struct registry_org *org, const struct registry_member *m,
                              const unsigned char *hash, int64_t *out_id)
{
    struct sealed s;
    enum err e = fieldcrypt_seal(fc, m->id.number, IDCARD_LEN, s.id_enc, sizeof(s.id_enc),
                                 &s.id_enc_len);
    if (e != ERR_OK) {
        return e;
    }
    idcard_mask(m->id.number, s.id_mask);
    bool has_bank = m->bank_account[0] != '\0';
    if (has_bank && (e = seal_bank(fc, m->bank_account, &s)) != ERR_OK) {
        return e;
    }
    char birth[DATE_TEXT_LEN + 1];
    date_format(m->id.birth, birth);
    char gender[2] = {m->id.gender, '\0'};
    struct store_member_new row = {
        .id_hash = hash,
        .id_enc = s.id_enc,
        .id_enc_len = s.id_enc_len,
        .id_mask = s.id_mask,
        .name = m->name,
        .gender = gender,
        .birth_date = birth,
        .phone = m->phone[0] != '\0' ? m->phone : NULL,
        .employment = registry_employment_code(m->employment),
        .employer_id = m->employer_id,
        .org_id = org->id,
        .hardship = m->hardship ? 1 : 0,
        .bank_enc = has_bank ? s.bank_enc : NULL,
        .bank_enc_len = has_bank ? s.bank_enc_len : 0,
        .bank_mask = has_bank ? s.bank_mask : NULL,
    };
    if (out_id != NULL) {
        return store_member_insert(c, &row, out_id);
    }
    return store_member_insert_bulk(c, &row);
}

/* Up to 7 changed fields and their history values. */
struct changes {
    struct {
        const char *field;
        char old_value[REGISTRY_NAME_MAX_BYTES + 1];
        char new_value[REGISTRY_NAME_MAX_BYTES + 1];
    } f[7];
    int n;
};

static void change_add(struct changes *ch, const char *field, const char *old_value,
                       const char *new_value)
{
    ASSERT(ch->n < 7);
    ch->f[ch->n].field = field;
    snprintf(ch->f[ch->n].old_value, sizeof(ch->f[0].old_value), "%s", old_value);
    snprintf(ch->f[ch->n].new_value, sizeof(ch->f[0].new_value), "%s", new_value);
    ch->n++;
}

static void mask_phone(const char *phone, char out[PHONE_LEN + 1])
{
    if (phone[0] == '\0' || strlen(phone) != PHONE_LEN) {
        out[0] = '\0';
    } else {
        phone_mask(phone, out);
    }
}

/* Whether the member's sealed bank card differs from bank (plain). */
static enum err bank_differs(const struct fieldcrypt *fc, const struct store_member_row *row,
                             const char *bank, const char *bank_mask, bool *out)
{
    if (row->bank_enc_len == 0 || strcmp(row->bank_mask, bank_mask) != 0) {
        *out = true;
        return ERR_OK;
    }
    char plain[BANKCARD_LEN_MAX + 1 + 8];
    size_t len;
    enum err e = fieldcrypt_unseal(fc, row->bank_enc, row->bank_enc_len, plain, sizeof(plain),
                                   &len);
    if (e == ERR_OK) {
        *out = len != strlen(bank) || memcmp(plain, bank, len) != 0;
    }
    sodium_memzero(plain, sizeof(plain));
    return e;
}

static enum err member_compare_update(struct store_conn *c, const struct fieldcrypt *fc,
                                      const struct registry_org *org,
                                      const struct registry_source *src,
                                      const struct registry_member *m,
                                      const struct store_member_row *row,
                                      enum registry_outcome *outcome)
{
    struct changes ch = {.n = 0};
    struct sealed s;
    enum err e;
    const char *employment = registry_employment_code(m->employment);
    char old_mask[PHONE_LEN + 1], new_mask[PHONE_LEN + 1];

    if (strcmp(row->name, m->name) != 0) {
        change_add(&ch, "name", row->name, m->name);
    }
    const char *phone = row->phone;
    if (m->phone[0] != '\0' && strcmp(row->phone, m->phone) != 0) {
        mask_phone(row->phone, old_mask);
        mask_phone(m->phone, new_mask);
        change_add(&ch, "phone", old_mask, new_mask);
        phone = m->phone;
    }
    if (row->employer_id != m->employer_id) {
        change_add(&ch, "employer", row->employer_uscc, m->employer_uscc);
    }
    if (strcmp(row->employment, employment) != 0) {
        change_add(&ch, "employment", row->employment, employment);
    }
    if ((row->hardship != 0) != m->hardship) {
        change_add(&ch, "hardship", row->hardship ? "1" : "0", m->hardship ? "1" : "0");
    }
    const unsigned char *bank_enc = row->bank_enc_len > 0 ? row->bank_enc : NULL;
    size_t bank_enc_len = row->bank_enc_len;
    const char *bank_mask = row->bank_enc_len > 0 ? row->bank_mask : NULL;
    if (m->bank_account[0] != '\0') {
        char mask[BANKCARD_MASK_LEN + 1];
        bool differs;
        bankcard_mask(m->bank_account, mask);
        if ((e = bank_differs(fc, row, m->bank_account, mask, &differs)) != ERR_OK) {
            return e;
        }
        if (differs) {
            if ((e = seal_bank(fc, m->bank_account, &s)) != ERR_OK) {
                return e;
            }
            change_add(&ch, "bank_account", row->bank_mask, s.bank_mask);
            bank_enc = s.bank_enc;
            bank_enc_len = s.bank_enc_len;
            bank_mask = s.bank_mask;
        }
    }
    int64_t org_id = resulting_org(org, row->org_id, row->org_path);
    if (org_id != row->org_id) {
        change_add(&ch, "org", row->org_code, org->code);
    }
    if (ch.n == 0) {
        *outcome = REGISTRY_UNCHANGED;
        return ERR_OK;
    }
    struct store_member_new upd = {
        .name = m->name,
        .phone = phone[0] != '\0' ? phone : NULL,
        .employment = employment,
        .employer_id = m->employer_id,
        .org_id = org_id,
        .hardship = m->hardship ? 1 : 0,
        .bank_enc = bank_enc,
        .bank_enc_len = bank_enc_len,
        .bank_mask = bank_mask,
    };
    if ((e = store_member_update(c, row->id, &upd, src->at)) != ERR_OK) {
        return e;
    }
    for (int i = 0; i < ch.n; i++) {
        struct store_member_change h = {
            .member_id = row->id,
            .at = src->at,
            .source = src->kind,
            .source_ref = src->ref,
            .actor = src->actor,
            .field = ch.f[i].field,
            .old_value = ch.f[i].old_value,
            .new_value = ch.f[i].new_value,
        };
        if ((e = store_member_history_add(c, &h)) != ERR_OK) {
            return e;
        }
    }
    *outcome = REGISTRY_UPDATED;
    return ERR_OK;
}

enum err registry_member_upsert(struct store_conn *c, const struct fieldcrypt *fc,
                                const struct registry_org *org,
                                const struct registry_source *src,
                                const struct registry_member *m, bool may_exist,
                                enum registry_outcome *outcome, int64_t *out_id)
{
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    fieldcrypt_index(fc, m->id.number, IDCARD_LEN, hash);
    enum err e = ERR_NOT_FOUND;
    struct store_member_row row;
    if (may_exist) {
        e = store_member_find_by_hash(c, hash, &row);
    }
    if (e == ERR_NOT_FOUND) {
        e = member_insert(c, fc, org, m, hash, out_id);
        if (e == ERR_OK) {
            *outcome = REGISTRY_INSERTED;
        }
        return e;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (out_id != NULL) {
        *out_id = row.id;
    }
    return member_compare_update(c, fc, org, src, m, &row, outcome);
}

enum err registry_employer_upsert(struct store_conn *c, const struct registry_org *org,
                                  const struct registry_employer *emp,
                                  enum registry_outcome *outcome, int64_t *out_id)
{
    struct store_employer_row row;
    enum err e = store_employer_find(c, emp->uscc, &row);
    struct store_employer_new n = {
        .uscc = emp->uscc,
        .name = emp->name,
        .ownership = registry_ownership_code(emp->ownership),
        .size = registry_size_code(emp->size),
        .industry = emp->industry,
        .org_id = org->id,
    };
    int64_t id;
    if (e == ERR_NOT_FOUND) {
        if ((e = store_employer_insert(c, &n, &id)) == ERR_OK) {
            *outcome = REGISTRY_INSERTED;
            if (out_id != NULL) {
                *out_id = id;
            }
        }
        return e;
    }
    if (e != ERR_OK) {
        return e;
    }
    if (out_id != NULL) {
        *out_id = row.id;
    }
    if (!emp->has_industry) {
        n.industry = row.industry;
    }
    n.org_id = resulting_org(org, row.org_id, row.org_path);
    if (strcmp(row.name, n.name) == 0 && strcmp(row.ownership, n.ownership) == 0 &&
        strcmp(row.size, n.size) == 0 && strcmp(row.industry, n.industry) == 0 &&
        row.org_id == n.org_id) {
        *outcome = REGISTRY_UNCHANGED;
        return ERR_OK;
    }
    if ((e = store_employer_update(c, row.id, &n)) == ERR_OK) {
        *outcome = REGISTRY_UPDATED;
    }
    return e;
}

/* ------------------------------------------------------- one-call creates */

static enum err employer_registered(void *ctx, const char *uscc, int64_t *employer_id)
{
    enum err e = store_employer_id(ctx, uscc, employer_id);
    return e == ERR_NOT_FOUND ? ERR_UNKNOWN_EMPLOYER : e;
}

struct member_create_job {
    const struct fieldcrypt *fc;
    const struct registry_org *org;
    const struct registry_member *m;
    int64_t id;
};

static enum err member_create_tx(struct store_conn *c, void *ctx)
{
    struct member_create_job *job = ctx;
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    struct store_member_row row;
    fieldcrypt_index(job->fc, job->m->id.number, IDCARD_LEN, hash);
    enum err e = store_member_find_by_hash(c, hash, &row);
    if (e == ERR_OK) {
        return ERR_EXISTS;
    }
    if (e != ERR_NOT_FOUND) {
        return e;
    }
    return member_insert(c, job->fc, job->org, job->m, hash, &job->id);
}

enum err registry_member_create(struct store_conn *c, const struct fieldcrypt *fc,
                                const struct registry_org *org,
                                const struct registry_source *src,
                                const struct registry_member_input *in, struct date today,
                                int64_t *out_id, struct registry_field_error *ferr)
{
    (void)src; /* a creation has no history yet; the audit trail records it */
    struct registry_member m;
    struct registry_member_checks chk = {.today = today, .employer = employer_registered,
                                         .ctx = c};
    enum err e = registry_member_validate(in, &chk, &m, ferr);
    if (e == ERR_OK) {
        struct member_create_job job = {.fc = fc, .org = org, .m = &m};
        e = store_with_tx(c, member_create_tx, &job);
        if (e == ERR_OK) {
            *out_id = job.id;
        }
    }
    sodium_memzero(&m, sizeof(m));
    return e;
}

struct employer_create_job {
    const struct registry_org *org;
    const struct registry_employer *emp;
    int64_t id;
};

static enum err employer_create_tx(struct store_conn *c, void *ctx)
{
    struct employer_create_job *job = ctx;
    int64_t id;
    enum err e = store_employer_id(c, job->emp->uscc, &id);
    if (e == ERR_OK) {
        return ERR_EXISTS;
    }
    if (e != ERR_NOT_FOUND) {
        return e;
    }
    enum registry_outcome outcome;
    return registry_employer_upsert(c, job->org, job->emp, &outcome, &job->id);
}

enum err registry_employer_create(struct store_conn *c, const struct registry_org *org,
                                  const struct registry_employer_input *in, int64_t *out_id,
                                  struct registry_field_error *ferr)
{
    struct registry_employer emp;
    enum err e = registry_employer_validate(in, NULL, NULL, &emp, ferr);
    if (e == ERR_OK) {
        struct employer_create_job job = {.org = org, .emp = &emp};
        e = store_with_tx(c, employer_create_tx, &job);
        if (e == ERR_OK) {
            *out_id = job.id;
        }
    }
    return e;
}
