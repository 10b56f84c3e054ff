/*
 * documents: content sniffing, storage by SHA-256, the required lists and
 * waivers (documents.h).
 */
#include "domain/documents.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "domain/audit.h"
#include "store/store_claims.h"

static const char *const kind_names[DOC_KIND__COUNT] = {
    "invoice",          "settlement_statement", "discharge_summary",
    "diagnosis_report", "accident_certificate", "disability_appraisal",
    "death_certificate", "other",
};

const char *doc_kind_str(enum doc_kind k)
{
    return (unsigned)k < DOC_KIND__COUNT ? kind_names[k] : "unknown";
}

bool doc_kind_parse(const char *text, enum doc_kind *out)
{
    for (unsigned i = 0; i < DOC_KIND__COUNT; i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (enum doc_kind)i;
            return true;
        }
    }
    return false;
}

enum err doc_sniff(const void *data, size_t len, const char **content_type)
{
    static const unsigned char pdf[] = {'%', 'P', 'D', 'F', '-'};
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    *content_type = NULL;
    if (data == NULL || len == 0) {
        return ERR_INVALID;
    }
    if (len > LIMIT_DOCUMENT_BYTES) {
        return ERR_TOO_LARGE;
    }
    if (len >= sizeof(pdf) && memcmp(data, pdf, sizeof(pdf)) == 0) {
        *content_type = "application/pdf";
    } else if (len >= sizeof(png) && memcmp(data, png, sizeof(png)) == 0) {
        *content_type = "image/png";
    } else if (len >= sizeof(jpeg) && memcmp(data, jpeg, sizeof(jpeg)) == 0) {
        *content_type = "image/jpeg";
    } else {
        return ERR_UNSUPPORTED_MEDIA;
    }
    return ERR_OK;
}

void doc_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

unsigned doc_required(const enum plan_kind *kinds, size_t n, const struct adj_event *ev,
                      enum claim_channel channel)
{
    if (channel == CLAIM_CHANNEL_AUTO) {
        return 0;
    }
    unsigned need = 0;
    for (size_t i = 0; i < n; i++) {
        switch (kinds[i]) {
        case PLAN_KIND_INPATIENT:
            need |= DOC_BIT(DOC_INVOICE) | DOC_BIT(DOC_SETTLEMENT_STATEMENT) |
                    DOC_BIT(DOC_DISCHARGE_SUMMARY);
            break;
        case PLAN_KIND_DAILY_ALLOWANCE:
            need |= DOC_BIT(DOC_DISCHARGE_SUMMARY);
            break;
        case PLAN_KIND_CRITICAL_ILLNESS:
            need |= DOC_BIT(DOC_DIAGNOSIS_REPORT);
            break;
        case PLAN_KIND_ACCIDENT:
            need |= DOC_BIT(DOC_ACCIDENT_CERTIFICATE);
            if (ev->present & ADJ_HAS_OUTCOME) {
                if (ev->outcome == ADJ_OUTCOME_MEDICAL) {
                    need |= DOC_BIT(DOC_INVOICE) | DOC_BIT(DOC_SETTLEMENT_STATEMENT);
                } else if (ev->outcome == ADJ_OUTCOME_DISABILITY) {
                    need |= DOC_BIT(DOC_DISABILITY_APPRAISAL);
                } else if (ev->outcome == ADJ_OUTCOME_DEATH) {
                    need |= DOC_BIT(DOC_DEATH_CERTIFICATE);
                }
            }
            break;
        }
    }
    return need;
}

static enum err have_doc_fn(void *ctx, const struct store_claim_document *d)
{
    unsigned *have = ctx;
    enum doc_kind k;
    if (doc_kind_parse(d->kind, &k)) {
        *have |= DOC_BIT(k);
    }
    return ERR_OK;
}

static enum err have_waiver_fn(void *ctx, const struct store_claim_waiver *w)
{
    unsigned *have = ctx;
    enum doc_kind k;
    if (doc_kind_parse(w->kind, &k)) {
        *have |= DOC_BIT(k);
    }
    return ERR_OK;
}

/* The required set of a stored claim. */
static enum err required_of(struct store_conn *c, const struct store_claim *r, unsigned *need)
{
    enum plan_kind kinds[ADJ_CLAIM_PLANS_MAX];
    size_t n = 0;
    const char *p = r->plan_codes;
    while (*p != '\0' && n < ADJ_CLAIM_PLANS_MAX) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char code[PLAN_CODE_MAX], kind[20];
        if (len == 0 || len >= sizeof(code)) {
            return ERR_DB;
        }
        memcpy(code, p, len);
        code[len] = '\0';
        enum err e = store_claim_plan_kind(c, code, kind);
        if (e != ERR_OK) {
            return e == ERR_NOT_FOUND ? ERR_INVALID_PLAN : e;
        }
        if (!plan_kind_parse(kind, &kinds[n])) {
            return ERR_DB;
        }
        n++;
        p += len + (comma != NULL ? 1 : 0);
    }
    struct adj_event ev;
    memset(&ev, 0, sizeof(ev));
    if (r->outcome[0] != '\0') {
        ev.present |= ADJ_HAS_OUTCOME;
        ev.outcome = strcmp(r->outcome, "death") == 0        ? ADJ_OUTCOME_DEATH
                     : strcmp(r->outcome, "disability") == 0 ? ADJ_OUTCOME_DISABILITY
                                                             : ADJ_OUTCOME_MEDICAL;
    }
    enum claim_channel ch = strcmp(r->channel, "auto") == 0      ? CLAIM_CHANNEL_AUTO
                            : strcmp(r->channel, "online") == 0 ? CLAIM_CHANNEL_ONLINE
                                                                : CLAIM_CHANNEL_OFFLINE;
    *need = doc_required(kinds, n, &ev, ch);
    return ERR_OK;
}

enum err documents_missing_in_tx(struct store_conn *c, const struct store_claim *claim,
                                 unsigned *missing)
{
    unsigned need = 0, have = 0;
    enum err e = required_of(c, claim, &need);
    if (e == ERR_OK) {
        e = store_claim_document_each(c, claim->id, have_doc_fn, &have);
    }
    if (e == ERR_OK) {
        e = store_claim_waiver_each(c, claim->id, have_waiver_fn, &have);
    }
    *missing = need & ~have;
    return e;
}

static bool doc_status_ok(const struct store_claim *r)
{
    static const char *const ok[] = {"draft", "submitted", "documents_complete", "assessed",
                                     "appealed"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (strcmp(r->status, ok[i]) == 0) {
            return true;
        }
    }
    return false;
}

struct doc_op {
    const struct claims_ctx *ctx;
    const struct auth_user *actor;
    int64_t claim_id;
    enum doc_kind kind;
    const void *data;
    size_t len;
    const char *content_type;
    char sha[65];
    const char *file_name;
    const char *reason;
    int64_t doc_id;
    struct store_claim row;
};

static enum err add_tx(struct store_conn *c, void *p)
{
    struct doc_op *o = p;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = claims_load_for(c, o->actor, o->claim_id, &o->row);
    }
    if (e != ERR_OK) {
        return e;
    }
    if (!doc_status_ok(&o->row)) {
        return ERR_CLAIM_STATE;
    }
    if ((e = store_document_blob_put(c, o->sha, o->content_type, o->data, o->len,
                                     o->ctx->now_ms)) != ERR_OK) {
        return e;
    }
    struct store_claim_document d = {
        .claim_id = o->claim_id,
        .kind = doc_kind_str(o->kind),
        .sha256 = o->sha,
        .file_name = o->file_name,
        .uploaded_by = o->actor->id,
        .uploaded_ms = o->ctx->now_ms,
    };
    if ((e = store_claim_document_insert(c, &d, &o->doc_id)) != ERR_OK) {
        return e;
    }
    char size[24];
    snprintf(size, sizeof(size), "%zu", o->len);
    /* The hash in groups of 8 ("43e2a689-74ab9ffd-..."): a plain hex digest
     * can hold a run of 15 or more digits, which the audit trail refuses
     * as a possible ID or bank number. */
    char grouped[64 + 8];
    size_t g = 0;
    for (size_t i = 0; i < 64; i++) {
        if (i > 0 && i % 8 == 0) {
            grouped[g++] = '-';
        }
        grouped[g++] = o->sha[i];
    }
    grouped[g] = '\0';
    const char *extra[] = {"kind", d.kind, "sha256", grouped, "size_bytes", size};
    e = claims_record(c, o->ctx, o->actor, o->claim_id, "document_add", o->row.status,
                      o->row.status, "", extra, 3);
    if (e == ERR_OK) {
        e = claims_documents_changed_in_tx(c, o->ctx, o->actor, &o->row);
    }
    return e;
}

/* A display name: UTF-8, cut at DOC_FILE_NAME_MAX bytes on a character. */
static void clean_name(const char *in, char *out, size_t cap)
{
    out[0] = '\0';
    if (in == NULL) {
        return;
    }
    size_t len = strnlen(in, cap - 1);
    while (len > 0 && !utf8_is_valid(in, len)) {
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        out[i] = ch < 0x20 || ch == '/' || ch == '\\' ? '_' : (char)ch;
    }
    out[len] = '\0';
}

enum err claim_document_add(struct store_conn *c, const struct claims_ctx *ctx,
                            const struct auth_user *actor, int64_t claim_id, enum doc_kind kind,
                            const void *data, size_t len, const char *file_name,
                            int64_t *out_doc_id)
{
    *out_doc_id = 0;
    if (actor->role == AUTH_ROLE_SUPERVISOR || actor->role == AUTH_ROLE_AUDITOR ||
        actor->role == AUTH_ROLE_FINANCE) {
        return ERR_FORBIDDEN;
    }
    if ((unsigned)kind >= DOC_KIND__COUNT) {
        return ERR_INVALID;
    }
    struct doc_op *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return ERR_NOMEM;
    }
    enum err e = doc_sniff(data, len, &o->content_type);
    if (e == ERR_OK) {
        char name[DOC_FILE_NAME_MAX + 1];
        clean_name(file_name, name, sizeof(name));
        doc_sha256_hex(data, len, o->sha);
        o->ctx = ctx;
        o->actor = actor;
        o->claim_id = claim_id;
        o->kind = kind;
        o->data = data;
        o->len = len;
        o->file_name = name;
        e = store_with_tx(c, add_tx, o);
        *out_doc_id = o->doc_id;
    }
    free(o);
    return e;
}

static enum err waive_tx(struct store_conn *c, void *p)
{
    struct doc_op *o = p;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = claims_load_for(c, o->actor, o->claim_id, &o->row);
    }
    if (e != ERR_OK) {
        return e;
    }
    if (!doc_status_ok(&o->row)) {
        return ERR_CLAIM_STATE;
    }
    unsigned need;
    if ((e = required_of(c, &o->row, &need)) != ERR_OK) {
        return e;
    }
    if (!(need & DOC_BIT(o->kind))) {
        return ERR_INVALID; /* nothing to waive */
    }
    struct store_claim_waiver w = {o->claim_id, doc_kind_str(o->kind), o->reason, o->actor->id,
                                   o->ctx->now_ms};
    if ((e = store_claim_waiver_insert(c, &w)) != ERR_OK) {
        return e;
    }
    const char *extra[] = {"kind", w.kind};
    e = claims_record(c, o->ctx, o->actor, o->claim_id, "document_waive", o->row.status,
                      o->row.status, "", extra, 1);
    if (e == ERR_OK) {
        e = claims_documents_changed_in_tx(c, o->ctx, o->actor, &o->row);
    }
    return e;
}

enum err claim_document_waive(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t claim_id, enum doc_kind kind,
                              const char *reason)
{
    if (!auth_role_in(actor, AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_OFFICER) |
                                 AUTH_ROLE_BIT(AUTH_ROLE_CLAIMS_APPROVER) |
                                 AUTH_ROLE_BIT(AUTH_ROLE_ADMIN))) {
        return ERR_FORBIDDEN;
    }
    size_t len = reason != NULL ? strnlen(reason, CLAIM_TEXT_MAX + 1) : 0;
    if ((unsigned)kind >= DOC_KIND__COUNT || len == 0 || len > CLAIM_TEXT_MAX ||
        !utf8_is_valid(reason, len)) {
        return ERR_INVALID;
    }
    struct doc_op *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return ERR_NOMEM;
    }
    o->ctx = ctx;
    o->actor = actor;
    o->claim_id = claim_id;
    o->kind = kind;
    o->reason = reason;
    enum err e = store_with_tx(c, waive_tx, o);
    free(o);
    return e;
}

struct fetch_op {
    struct doc_op d;
    char content_type[24];
    void *data;
    size_t len;
};

static enum err fetch_tx(struct store_conn *c, void *p)
{
    struct fetch_op *f = p;
    struct doc_op *o = &f->d;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = claims_load_for(c, o->actor, o->claim_id, &o->row);
    }
    char kind[24];
    if (e == ERR_OK) {
        e = store_claim_document_get(c, o->claim_id, o->doc_id, o->sha, kind);
    }
    free(f->data);
    f->data = NULL;
    if (e == ERR_OK) {
        e = store_document_blob_get(c, o->sha, f->content_type, &f->data, &f->len);
    }
    if (e == ERR_OK) {
        char id[24];
        snprintf(id, sizeof(id), "%" PRId64, o->doc_id);
        const char *extra[] = {"document_id", id, "kind", kind};
        e = claims_record(c, o->ctx, o->actor, o->claim_id, "document_read", o->row.status,
                          o->row.status, "", extra, 2);
    }
    return e;
}

enum err claim_document_fetch(struct store_conn *c, const struct claims_ctx *ctx,
                              const struct auth_user *actor, int64_t claim_id, int64_t doc_id,
                              char content_type[24], void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    struct fetch_op *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return ERR_NOMEM;
    }
    f->d.ctx = ctx;
    f->d.actor = actor;
    f->d.claim_id = claim_id;
    f->d.doc_id = doc_id;
    enum err e = store_with_tx(c, fetch_tx, f);
    if (e == ERR_OK) {
        memcpy(content_type, f->content_type, 24);
        *data = f->data;
        *len = f->len;
    } else {
        free(f->data);
    }
    free(f);
    return e;
}

struct docs_view {
    const struct auth_user *actor;
    int64_t claim_id;
    json_t *out;
};

static enum err doc_view_fn(void *ctx, const struct store_claim_document *d)
{
    json_t *arr = ctx;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "id", (json_int_t)d->id,
                          "kind", d->kind, "sha256", d->sha256, "content_type", d->content_type,
                          "size_bytes", (json_int_t)d->size_bytes, "file_name", d->file_name,
                          "uploaded_by", (json_int_t)d->uploaded_by, "uploaded_ms",
                          (json_int_t)d->uploaded_ms);
    return o != NULL && json_array_append_new(arr, o) == 0 ? ERR_OK : ERR_NOMEM;
}

static enum err waiver_view_fn(void *ctx, const struct store_claim_waiver *w)
{
    json_t *arr = ctx;
    json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "kind", w->kind, "reason", w->reason,
                          "waived_by", (json_int_t)w->waived_by, "waived_ms",
                          (json_int_t)w->waived_ms);
    return o != NULL && json_array_append_new(arr, o) == 0 ? ERR_OK : ERR_NOMEM;
}

static json_t *kinds_json(unsigned bits)
{
    json_t *arr = json_array();
    for (unsigned k = 0; arr != NULL && k < DOC_KIND__COUNT; k++) {
        if ((bits & DOC_BIT(k)) && json_array_append_new(arr, json_string(kind_names[k])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static enum err docs_view_tx(struct store_conn *c, void *p)
{
    struct docs_view *v = p;
    struct store_claim *r = malloc(sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    unsigned need = 0, missing = 0;
    enum err e = claims_load_for(c, v->actor, v->claim_id, r);
    if (e == ERR_OK) {
        e = required_of(c, r, &need);
    }
    if (e == ERR_OK) {
        e = documents_missing_in_tx(c, r, &missing);
    }
    free(r);
    json_t *docs = json_array(), *waivers = json_array();
    if (e == ERR_OK && (docs == NULL || waivers == NULL)) {
        e = ERR_NOMEM;
    }
    if (e == ERR_OK) {
        e = store_claim_document_each(c, v->claim_id, doc_view_fn, docs);
    }
    if (e == ERR_OK) {
        e = store_claim_waiver_each(c, v->claim_id, waiver_view_fn, waivers);
    }
    if (e != ERR_OK) {
        json_decref(docs);
        json_decref(waivers);
        return e;
    }
    json_decref(v->out); /* a retried transaction starts over */
    v->out = json_pack("{s:o, s:o, s:o, s:o}", "documents", docs, "waivers", waivers, "required",
                       kinds_json(need), "missing", kinds_json(missing));
    return v->out != NULL ? ERR_OK : ERR_NOMEM;
}

enum err claim_documents_json(struct store_conn *c, const struct auth_user *actor,
                              int64_t claim_id, json_t **out)
{
    struct docs_view v = {actor, claim_id, NULL};
    enum err e = store_with_tx(c, docs_view_tx, &v);
    *out = e == ERR_OK ? v.out : NULL;
    if (e != ERR_OK) {
        json_decref(v.out);
    }
    return e;
}
