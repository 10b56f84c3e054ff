/*
 * registry_query: scoped reads and audited writes of the registry for the
 * API and the CLI. Invariants: scope is checked on the row read inside the
 * transaction that writes; every write's audit event is appended in that
 * transaction (audit_lock_chain first); plain ID and bank numbers live only
 * in stack buffers that are wiped before return, or in the caller's
 * registry_revealed.
 */
#include "domain/registry_query.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

/* ------------------------------------------------------------------ helpers */

static enum err fail(struct registry_field_error *ferr, const char *field, enum err code)
{
    ferr->field = field;
    ferr->code = code;
    return code;
}

static bool is_blank_byte(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* (ptr, len) without ASCII blanks around it. */
static struct registry_text trim(struct registry_text t)
{
    if (t.ptr == NULL) {
        return t;
    }
    while (t.len > 0 && is_blank_byte(t.ptr[0])) {
        t.ptr++;
        t.len--;
    }
    while (t.len > 0 && is_blank_byte(t.ptr[t.len - 1])) {
        t.len--;
    }
    return t;
}

static bool present(struct registry_text t)
{
    return t.ptr != NULL;
}

static struct registry_text text_of(const char *s)
{
    struct registry_text t = {.ptr = s, .len = strlen(s)};
    return t;
}

/* Everything is in scope for the command line (u NULL); members have no
 * subtree. */
static bool in_scope(const struct auth_user *u, const char *path)
{
    if (u == NULL) {
        return true;
    }
    return u->role != AUTH_ROLE_MEMBER && auth_org_in_scope(u, path);
}

static const char *scope_root(const struct auth_user *u)
{
    return u != NULL ? u->org_path : "/";
}

static const struct audit_actor *actor_or_cli(const struct audit_actor *a)
{
    return a != NULL ? a : &auth_actor_cli;
}

/* Appends one event; pairs are (key, value) strings. */
static enum err audit_write(struct store_conn *c, const struct audit_actor *actor,
                            const char *action, const char *type, int64_t object_id,
                            const char *const *pairs, size_t npairs)
{
    char detail[1024], oid[24];
    snprintf(oid, sizeof(oid), "%lld", (long long)object_id);
    enum err e = audit_detail_pairs(pairs, npairs, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    struct audit_event ev = {
        .at_ms = auth_now_ms(),
        .actor = *actor_or_cli(actor),
        .action = action,
        .object_type = type,
        .object_id = oid,
        .detail = detail,
    };
    return audit_append(c, &ev, NULL);
}

/* The organisation id as a registry_org, when in u's scope. */
static enum err org_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                           struct registry_org *out, struct store_org_row *row_out)
{
    struct store_org_row r;
    if (id <= 0) {
        return ERR_NOT_FOUND;
    }
    enum err e = store_org_get(c, id, &r);
    if (e != ERR_OK) {
        return e;
    }
    if (!in_scope(u, r.path)) {
        return ERR_NOT_FOUND;
    }
    if (out != NULL) {
        out->id = r.id;
        snprintf(out->code, sizeof(out->code), "%s", r.code);
        snprintf(out->path, sizeof(out->path), "%s", r.path);
    }
    if (row_out != NULL) {
        *row_out = r;
    }
    return ERR_OK;
}

/* ------------------------------------------------------------- organisations */

enum err registry_division_parse(const char *text, size_t len,
                                 char out[REGISTRY_DIVISION_LEN + 1])
{
    static const char provinces[] = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 "
                                    "45 46 50 51 52 53 54 61 62 63 64 65 71 81 82";
    struct registry_text t = trim((struct registry_text){.ptr = text, .len = len});
    if (t.ptr == NULL || t.len != REGISTRY_DIVISION_LEN) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] < '0' || t.ptr[i] > '9') {
            return ERR_INVALID;
        }
    }
    char pv[3] = {t.ptr[0], t.ptr[1], '\0'};
    if (strstr(provinces, pv) == NULL || (strstr(provinces, pv) - provinces) % 3 != 0) {
        return ERR_INVALID;
    }
    memcpy(out, t.ptr, REGISTRY_DIVISION_LEN);
    out[REGISTRY_DIVISION_LEN] = '\0';
    return ERR_OK;
}

static const char *const org_levels[] = {"national", "province", "city",
                                         "district", "grassroots", "industry"};

enum err registry_org_level_parse(const char *text, size_t len, const char **out)
{
    struct registry_text t = trim((struct registry_text){.ptr = text, .len = len});
    for (size_t i = 0; t.ptr != NULL && i < sizeof(org_levels) / sizeof(org_levels[0]); i++) {
        if (strlen(org_levels[i]) == t.len && memcmp(org_levels[i], t.ptr, t.len) == 0) {
            *out = org_levels[i];
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

/* One level below parent_level (national > province > city > district >
 * grassroots; under grassroots or industry: grassroots). */
static const char *level_below(const char *parent_level)
{
    for (size_t i = 0; i + 1 < 5; i++) {
        if (strcmp(parent_level, org_levels[i]) == 0) {
            return org_levels[i + 1];
        }
    }
    return "grassroots";
}

static enum err org_code_parse(struct registry_text t, char out[REGISTRY_ORG_CODE_MAX + 1])
{
    t = trim(t);
    if (t.ptr == NULL || t.len == 0 || t.len > REGISTRY_ORG_CODE_MAX) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < t.len; i++) {
        char ch = t.ptr[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok) {
            return ERR_INVALID;
        }
    }
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
    return ERR_OK;
}

struct org_create_job {
    const struct auth_user *u;
    const struct audit_actor *actor;
    char code[REGISTRY_ORG_CODE_MAX + 1];
    char name[REGISTRY_NAME_MAX_BYTES + 1];
    char division[REGISTRY_DIVISION_LEN + 1];
    const char *level; /* NULL: derived from the parent */
    int64_t parent_id;
    int64_t id;
    struct registry_field_error *ferr;
};

static enum err org_create_tx(struct store_conn *c, void *arg)
{
    struct org_create_job *j = arg;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    const char *level = j->level != NULL ? j->level : "national";
    char parent_code[STORE_ORG_CODE_MAX + 1] = "";
    if (j->parent_id != 0) {
        struct store_org_row parent;
        e = org_scoped(c, j->u, j->parent_id, NULL, &parent);
        if (e == ERR_NOT_FOUND) {
            return fail(j->ferr, "parent_id", e);
        }
        if (e != ERR_OK) {
            return e;
        }
        if (j->level == NULL) {
            level = level_below(parent.level);
        }
        snprintf(parent_code, sizeof(parent_code), "%s", parent.code);
    }
    struct store_org_new o = {.code = j->code, .name = j->name, .parent_id = j->parent_id,
                              .level = level, .division_code = j->division};
    e = store_org_insert(c, &o, &j->id);
    if (e == ERR_EXISTS) {
        return fail(j->ferr, "code", e);
    }
    if (e != ERR_OK) {
        return e;
    }
    const char *pairs[] = {"code", j->code, "level", level, "parent", parent_code};
    return audit_write(c, j->actor, "org.create", "org", j->id, pairs, 3);
}

enum err registry_org_create(struct store_conn *c, const struct auth_user *u,
                             const struct audit_actor *actor, const struct registry_org_input *in,
                             int64_t *out_id, struct registry_field_error *ferr)
{
    struct org_create_job j = {.u = u, .actor = actor, .parent_id = in->parent_id, .ferr = ferr};
    ferr->field = NULL;
    if (org_code_parse(in->code, j.code) != ERR_OK) {
        return fail(ferr, "code", ERR_INVALID);
    }
    if (registry_name_parse(in->name.ptr, in->name.len, j.name) != ERR_OK) {
        return fail(ferr, "name", ERR_INVALID_NAME);
    }
    if (registry_division_parse(in->division_code.ptr, in->division_code.len, j.division) !=
        ERR_OK) {
        return fail(ferr, "division_code", ERR_INVALID);
    }
    if (present(in->level) && registry_org_level_parse(in->level.ptr, in->level.len, &j.level)) {
        return fail(ferr, "level", ERR_INVALID);
    }
    if (in->parent_id < 0 || (in->parent_id == 0 && u != NULL)) {
        return fail(ferr, "parent_id", ERR_INVALID); /* roots are made on the command line */
    }
    enum err e = store_with_tx(c, org_create_tx, &j);
    if (e == ERR_OK) {
        *out_id = j.id;
    }
    return e;
}

struct org_update_job {
    const struct auth_user *u;
    const struct audit_actor *actor;
    int64_t id;
    const char *name; /* NULL: keep */
    int64_t new_parent_id;
    struct registry_field_error *ferr;
};

static enum err org_update_tx(struct store_conn *c, void *arg)
{
    struct org_update_job *j = arg;
    enum err e = audit_lock_chain(c);
    struct store_org_row org, parent;
    if (e == ERR_OK) {
        e = org_scoped(c, j->u, j->id, NULL, &org);
    }
    if (e != ERR_OK) {
        return e;
    }
    const char *renamed = "";
    const char *moved_under = "";
    if (j->name != NULL && strcmp(j->name, org.name) != 0) {
        if ((e = store_org_rename(c, org.id, j->name)) != ERR_OK) {
            return e;
        }
        renamed = "name";
    }
    if (j->new_parent_id > 0 && j->new_parent_id != org.parent_id) {
        e = org_scoped(c, j->u, j->new_parent_id, NULL, &parent);
        if (e == ERR_NOT_FOUND) {
            return fail(j->ferr, "parent_id", e);
        }
        if (e != ERR_OK) {
            return e;
        }
        if (strncmp(parent.path, org.path, strlen(org.path)) == 0) {
            return fail(j->ferr, "parent_id", ERR_INVALID); /* under itself or a descendant */
        }
        if ((e = store_org_move(c, org.id, org.path, parent.id, parent.path)) != ERR_OK) {
            return e;
        }
        moved_under = parent.code;
    }
    if (renamed[0] == '\0' && moved_under[0] == '\0') {
        return ERR_OK; /* nothing changed: nothing to audit */
    }
    const char *pairs[] = {"code", org.code, "changed", renamed, "parent", moved_under};
    return audit_write(c, j->actor, "org.update", "org", org.id, pairs, 3);
}

enum err registry_org_update(struct store_conn *c, const struct auth_user *u,
                             const struct audit_actor *actor, int64_t id,
                             struct registry_text name, int64_t new_parent_id,
                             struct registry_field_error *ferr)
{
    char name_buf[REGISTRY_NAME_MAX_BYTES + 1];
    struct org_update_job j = {.u = u, .actor = actor, .id = id, .new_parent_id = new_parent_id,
                               .ferr = ferr};
    ferr->field = NULL;
    if (present(name)) {
        if (registry_name_parse(name.ptr, name.len, name_buf) != ERR_OK) {
            return fail(ferr, "name", ERR_INVALID_NAME);
        }
        j.name = name_buf;
    }
    if (new_parent_id < 0) {
        return fail(ferr, "parent_id", ERR_INVALID);
    }
    return store_with_tx(c, org_update_tx, &j);
}

/* ------------------------------------------------------------------ employers */

enum err registry_employer_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                                      struct store_employer_row *out)
{
    if (id <= 0) {
        return ERR_NOT_FOUND;
    }
    enum err e = store_employer_get(c, id, out);
    if (e == ERR_OK && !in_scope(u, out->org_path)) {
        e = ERR_NOT_FOUND;
    }
    return e;
}

enum err registry_employer_search_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct registry_employer_query *q,
                                         int64_t after_id, size_t limit,
                                         enum err (*fn)(const struct store_employer_row *row,
                                                        void *ctx),
                                         void *ctx, size_t *out_n,
                                         struct registry_field_error *ferr)
{
    ferr->field = NULL;
    if (u != NULL && u->role == AUTH_ROLE_MEMBER) {
        return ERR_FORBIDDEN;
    }
    struct store_employer_filter f = {.path_prefix = scope_root(u), .q = "", .org_id = q->org_id,
                                      .ownership = "", .size = ""};
    char qbuf[STORE_SEARCH_PREFIX_MAX + 1];
    struct registry_text t = trim(q->q);
    if (t.ptr != NULL && t.len > 0) {
        if (t.len > STORE_SEARCH_PREFIX_MAX || utf8_count(t.ptr, t.len) > LIMIT_NAME_CHARS) {
            return fail(ferr, "q", ERR_INVALID);
        }
        memcpy(qbuf, t.ptr, t.len);
        qbuf[t.len] = '\0';
        f.q = qbuf;
    }
    if (present(q->ownership)) {
        enum registry_ownership o;
        if (registry_ownership_parse(q->ownership.ptr, q->ownership.len, &o) != ERR_OK) {
            return fail(ferr, "ownership", ERR_INVALID_OWNERSHIP);
        }
        f.ownership = registry_ownership_code(o);
    }
    if (present(q->size)) {
        enum registry_size s;
        if (registry_size_parse(q->size.ptr, q->size.len, &s) != ERR_OK) {
            return fail(ferr, "size", ERR_INVALID_SIZE);
        }
        f.size = registry_size_code(s);
    }
    return store_employer_search(c, &f, after_id, limit, fn, ctx, out_n);
}

struct employer_create_job {
    const struct audit_actor *actor;
    const struct registry_org *org;
    const struct registry_employer *emp;
    int64_t id;
    struct registry_field_error *ferr;
};

static enum err employer_create_tx(struct store_conn *c, void *arg)
{
    struct employer_create_job *j = arg;
    int64_t id;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_employer_id(c, j->emp->uscc, &id);
        if (e == ERR_OK) {
            return fail(j->ferr, "uscc", ERR_EXISTS);
        }
        e = e == ERR_NOT_FOUND ? ERR_OK : e;
    }
    enum registry_outcome outcome;
    if (e == ERR_OK) {
        e = registry_employer_upsert(c, j->org, j->emp, &outcome, &j->id);
    }
    if (e == ERR_OK) {
        /* the credit code stays out of the detail: it may hold 15 digits in a row */
        const char *pairs[] = {"org", j->org->code};
        e = audit_write(c, j->actor, "employer.create", "employer", j->id, pairs, 1);
    }
    return e;
}

enum err registry_employer_create_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct audit_actor *actor, int64_t org_id,
                                         const struct registry_employer_input *in,
                                         int64_t *out_id, struct registry_field_error *ferr)
{
    ferr->field = NULL;
    if (org_id == 0 && u != NULL) {
        org_id = u->org_id;
    }
    struct registry_org org;
    enum err e = org_scoped(c, u, org_id, &org, NULL);
    if (e == ERR_NOT_FOUND) {
        return fail(ferr, "org_id", e);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct registry_employer emp;
    if ((e = registry_employer_validate(in, NULL, NULL, &emp, ferr)) != ERR_OK) {
        return e;
    }
    struct employer_create_job j = {.actor = actor, .org = &org, .emp = &emp, .ferr = ferr};
    e = store_with_tx(c, employer_create_tx, &j);
    if (e == ERR_OK) {
        *out_id = j.id;
    }
    return e;
}

struct employer_update_job {
    const struct auth_user *u;
    const struct audit_actor *actor;
    int64_t id;
    const struct registry_employer_input *patch;
    int64_t org_id;
    bool changed;
    struct registry_field_error *ferr;
};

/* Appends name to a comma-separated list in buf. */
static void list_add(char *buf, size_t cap, const char *name)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n > 0 ? "," : "", name);
}

static enum err employer_update_tx(struct store_conn *c, void *arg)
{
    struct employer_update_job *j = arg;
    struct store_employer_row row;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = registry_employer_get_scoped(c, j->u, j->id, &row);
    }
    if (e != ERR_OK) {
        return e;
    }
    const struct registry_employer_input *p = j->patch;
    struct registry_employer_input merged = {
        .uscc = text_of(row.uscc),
        .name = present(p->name) ? p->name : text_of(row.name),
        .ownership = present(p->ownership) ? p->ownership : text_of(row.ownership),
        .size = present(p->size) ? p->size : text_of(row.size),
        .industry = present(p->industry) ? p->industry : text_of(row.industry),
    };
    struct registry_employer emp;
    if ((e = registry_employer_validate(&merged, NULL, NULL, &emp, j->ferr)) != ERR_OK) {
        return e;
    }
    struct registry_org org = {.id = row.org_id};
    snprintf(org.path, sizeof(org.path), "%s", row.org_path);
    if (j->org_id > 0 && j->org_id != row.org_id) {
        e = org_scoped(c, j->u, j->org_id, &org, NULL);
        if (e == ERR_NOT_FOUND) {
            return fail(j->ferr, "org_id", e);
        }
        if (e != ERR_OK) {
            return e;
        }
    }
    struct store_employer_new n = {
        .uscc = row.uscc,
        .name = emp.name,
        .ownership = registry_ownership_code(emp.ownership),
        .size = registry_size_code(emp.size),
        .industry = emp.industry,
        .org_id = org.id,
    };
    char fields[96] = "";
    if (strcmp(n.name, row.name) != 0) {
        list_add(fields, sizeof(fields), "name");
    }
    if (strcmp(n.ownership, row.ownership) != 0) {
        list_add(fields, sizeof(fields), "ownership");
    }
    if (strcmp(n.size, row.size) != 0) {
        list_add(fields, sizeof(fields), "size");
    }
    if (strcmp(n.industry, row.industry) != 0) {
        list_add(fields, sizeof(fields), "industry");
    }
    if (n.org_id != row.org_id) {
        list_add(fields, sizeof(fields), "org");
    }
    j->changed = fields[0] != '\0';
    if (!j->changed) {
        return ERR_OK;
    }
    if ((e = store_employer_update(c, row.id, &n)) != ERR_OK) {
        return e;
    }
    const char *pairs[] = {"changed", fields};
    return audit_write(c, j->actor, "employer.update", "employer", row.id, pairs, 1);
}

enum err registry_employer_update_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct audit_actor *actor, int64_t id,
                                         const struct registry_employer_input *patch,
                                         int64_t org_id, bool *changed,
                                         struct registry_field_error *ferr)
{
    ferr->field = NULL;
    if (present(patch->uscc)) {
        return fail(ferr, "uscc", ERR_INVALID); /* the identity of an employer */
    }
    struct employer_update_job j = {.u = u, .actor = actor, .id = id, .patch = patch,
                                    .org_id = org_id, .ferr = ferr};
    enum err e = store_with_tx(c, employer_update_tx, &j);
    *changed = e == ERR_OK && j.changed;
    return e;
}

/* -------------------------------------------------------------------- members */

enum err registry_member_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                                    struct store_member_detail *out)
{
    if (id <= 0) {
        return ERR_NOT_FOUND;
    }
    if (u != NULL && u->role == AUTH_ROLE_MEMBER && !auth_member_in_scope(u, id)) {
        return ERR_NOT_FOUND;
    }
    enum err e = store_member_get(c, id, out);
    if (e == ERR_OK && u != NULL && u->role != AUTH_ROLE_MEMBER && !in_scope(u, out->org_path)) {
        e = ERR_NOT_FOUND;
    }
    if (e != ERR_OK) {
        sodium_memzero(out, sizeof(*out));
    }
    return e;
}

enum err registry_member_history(struct store_conn *c, int64_t id,
                                 enum err (*fn)(void *ctx, const struct store_member_change *ch),
                                 void *ctx)
{
    return store_member_history_each(c, id, fn, ctx);
}

enum err registry_member_search_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct fieldcrypt *fc,
                                       const struct registry_member_query *q, int64_t after_id,
                                       size_t limit,
                                       enum err (*fn)(const struct store_member_detail *row,
                                                      void *ctx),
                                       void *ctx, size_t *out_n,
                                       struct registry_field_error *ferr)
{
    ferr->field = NULL;
    if (u != NULL && u->role == AUTH_ROLE_MEMBER) {
        return ERR_FORBIDDEN;
    }
    struct store_member_filter f = {.path_prefix = scope_root(u), .name_prefix = "",
                                    .phone = "", .employer_id = q->employer_id,
                                    .employment = "", .hardship = -1};
    char name[STORE_SEARCH_PREFIX_MAX + 1], phone[PHONE_LEN + 1];
    unsigned char hash[FIELDCRYPT_HASH_BYTES];
    enum err e;
    struct registry_text t = trim(q->name);
    if (t.ptr != NULL && t.len > 0) {
        if (t.len > STORE_SEARCH_PREFIX_MAX || utf8_count(t.ptr, t.len) > LIMIT_NAME_CHARS) {
            return fail(ferr, "name", ERR_INVALID_NAME);
        }
        memcpy(name, t.ptr, t.len);
        name[t.len] = '\0';
        f.name_prefix = name;
    }
    if (present(q->id_number)) {
        struct idcard id;
        if ((e = idcard_parse(q->id_number.ptr, q->id_number.len, date_today(), &id)) != ERR_OK) {
            return fail(ferr, "id_number", e);
        }
        if (fc == NULL) {
            sodium_memzero(&id, sizeof(id));
            return ERR_INTERNAL;
        }
        fieldcrypt_index(fc, id.number, IDCARD_LEN, hash);
        sodium_memzero(&id, sizeof(id));
        f.id_hash = hash;
    }
    if (present(q->phone)) {
        if (phone_parse(q->phone.ptr, q->phone.len, phone) != ERR_OK) {
            return fail(ferr, "phone", ERR_INVALID_PHONE);
        }
        f.phone = phone;
    }
    if (present(q->employment)) {
        enum registry_employment em;
        if (registry_employment_parse(q->employment.ptr, q->employment.len, &em) != ERR_OK) {
            return fail(ferr, "employment", ERR_INVALID_EMPLOYMENT);
        }
        f.employment = registry_employment_code(em);
    }
    if (present(q->hardship)) {
        bool h;
        if (registry_hardship_parse(q->hardship.ptr, q->hardship.len, &h) != ERR_OK) {
            return fail(ferr, "hardship", ERR_INVALID_HARDSHIP);
        }
        f.hardship = h ? 1 : 0;
    }
    return store_member_search(c, &f, after_id, limit, fn, ctx, out_n);
}

static enum err employer_registered(void *ctx, const char *uscc, int64_t *employer_id)
{
    enum err e = store_employer_id(ctx, uscc, employer_id);
    return e == ERR_NOT_FOUND ? ERR_UNKNOWN_EMPLOYER : e;
}

struct member_create_job {
    const struct audit_actor *actor;
    const struct fieldcrypt *fc;
    const struct registry_org *org;
    const struct registry_member_input *in;
    struct date today;
    int64_t id;
    struct registry_field_error *ferr;
};

static enum err member_create_tx(struct store_conn *c, void *arg)
{
    struct member_create_job *j = arg;
    struct registry_member m;
    struct registry_member_checks chk = {.today = j->today, .employer = employer_registered,
                                         .ctx = c};
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = registry_member_validate(j->in, &chk, &m, j->ferr);
    }
    if (e == ERR_OK) {
        unsigned char hash[FIELDCRYPT_HASH_BYTES];
        struct store_member_row row;
        fieldcrypt_index(j->fc, m.id.number, IDCARD_LEN, hash);
        e = store_member_find_by_hash(c, hash, &row);
        if (e == ERR_OK) {
            e = fail(j->ferr, "id_number", ERR_EXISTS);
        } else if (e == ERR_NOT_FOUND) {
            e = ERR_OK;
        }
    }
    if (e == ERR_OK) {
        char at[21];
        registry_now_text(at);
        struct registry_source src = {.kind = "api", .ref = "",
                                      .actor = actor_or_cli(j->actor)->login, .at = at};
        enum registry_outcome outcome;
        e = registry_member_upsert(c, j->fc, j->org, &src, &m, false, &outcome, &j->id);
    }
    sodium_memzero(&m, sizeof(m));
    if (e == ERR_OK) {
        const char *pairs[] = {"org", j->org->code};
        e = audit_write(c, j->actor, "member.create", "member", j->id, pairs, 1);
    }
    return e;
}

enum err registry_member_create_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct audit_actor *actor,
                                       const struct fieldcrypt *fc, int64_t org_id,
                                       const struct registry_member_input *in, struct date today,
                                       int64_t *out_id, struct registry_field_error *ferr)
{
    ferr->field = NULL;
    if (fc == NULL) {
        return ERR_INTERNAL;
    }
    if (org_id == 0 && u != NULL) {
        org_id = u->org_id;
    }
    struct registry_org org;
    enum err e = org_scoped(c, u, org_id, &org, NULL);
    if (e == ERR_NOT_FOUND) {
        return fail(ferr, "org_id", e);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct member_create_job j = {.actor = actor, .fc = fc, .org = &org, .in = in,
                                  .today = today, .ferr = ferr};
    e = store_with_tx(c, member_create_tx, &j);
    if (e == ERR_OK) {
        *out_id = j.id;
    }
    return e;
}

struct member_update_job {
    const struct auth_user *u;
    const struct audit_actor *actor;
    const struct fieldcrypt *fc;
    int64_t id;
    const struct registry_member_input *patch;
    int64_t org_id;
    struct date today;
    bool changed;
    struct registry_field_error *ferr;
};

static enum err member_update_apply(struct store_conn *c, struct member_update_job *j,
                                    const struct store_member_detail *row, const char *id_plain)
{
    const struct registry_member_input *p = j->patch;
    struct registry_member_input merged = {
        .name = present(p->name) ? p->name : text_of(row->name),
        .id_number = text_of(id_plain),
        .phone = p->phone, /* absent: kept by the upsert */
        .employment = present(p->employment) ? p->employment : text_of(row->employment),
        .employer_uscc = present(p->employer_uscc) ? p->employer_uscc
                                                   : text_of(row->employer_uscc),
        .hardship = present(p->hardship) ? p->hardship : text_of(row->hardship ? "1" : "0"),
        .bank_account = p->bank_account, /* absent: kept by the upsert */
    };
    struct registry_member m;
    struct registry_member_checks chk = {.today = j->today, .employer = employer_registered,
                                         .ctx = c};
    enum err e = registry_member_validate(&merged, &chk, &m, j->ferr);
    struct registry_org org = {.id = row->org_id};
    snprintf(org.code, sizeof(org.code), "%s", row->org_code);
    snprintf(org.path, sizeof(org.path), "%s", row->org_path);
    if (e == ERR_OK && j->org_id > 0 && j->org_id != row->org_id) {
        e = org_scoped(c, j->u, j->org_id, &org, NULL);
        if (e == ERR_NOT_FOUND) {
            e = fail(j->ferr, "org_id", e);
        }
    }
    enum registry_outcome outcome = REGISTRY_UNCHANGED;
    if (e == ERR_OK) {
        char at[21];
        registry_now_text(at);
        struct registry_source src = {.kind = "api", .ref = "",
                                      .actor = actor_or_cli(j->actor)->login, .at = at};
        e = registry_member_upsert(c, j->fc, &org, &src, &m, true, &outcome, NULL);
    }
    sodium_memzero(&m, sizeof(m));
    j->changed = e == ERR_OK && outcome == REGISTRY_UPDATED;
    if (e == ERR_OK && j->changed) {
        const char *pairs[] = {"org", org.code};
        e = audit_write(c, j->actor, "member.update", "member", row->id, pairs, 1);
    }
    return e;
}

static enum err member_update_tx(struct store_conn *c, void *arg)
{
    struct member_update_job *j = arg;
    struct store_member_detail row;
    char id_plain[IDCARD_LEN + 1 + 8];
    size_t len = 0;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = registry_member_get_scoped(c, j->u, j->id, &row);
    }
    if (e == ERR_OK && j->u != NULL && j->u->role == AUTH_ROLE_MEMBER) {
        e = ERR_NOT_FOUND; /* members do not edit the registry */
    }
    if (e == ERR_OK) {
        e = fieldcrypt_unseal(j->fc, row.id_enc, row.id_enc_len, id_plain, sizeof(id_plain),
                              &len);
    }
    if (e == ERR_OK) {
        e = member_update_apply(c, j, &row, id_plain);
    }
    sodium_memzero(id_plain, sizeof(id_plain));
    sodium_memzero(&row, sizeof(row));
    return e;
}

enum err registry_member_update_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct audit_actor *actor,
                                       const struct fieldcrypt *fc, int64_t id,
                                       const struct registry_member_input *patch, int64_t org_id,
                                       struct date today, bool *changed,
                                       struct registry_field_error *ferr)
{
    ferr->field = NULL;
    *changed = false;
    if (present(patch->id_number)) {
        return fail(ferr, "id_number", ERR_INVALID); /* the identity of a member */
    }
    if (fc == NULL) {
        return ERR_INTERNAL;
    }
    struct member_update_job j = {.u = u, .actor = actor, .fc = fc, .id = id, .patch = patch,
                                  .org_id = org_id, .today = today, .ferr = ferr};
    enum err e = store_with_tx(c, member_update_tx, &j);
    *changed = e == ERR_OK && j.changed;
    return e;
}

bool registry_may_reveal(enum auth_role role, bool id_number, bool bank_account)
{
    switch (role) {
    case AUTH_ROLE_ADMIN:
    case AUTH_ROLE_CLAIMS_OFFICER:
    case AUTH_ROLE_CLAIMS_APPROVER:
        return true;
    case AUTH_ROLE_FINANCE:
        return !id_number;
    case AUTH_ROLE_UNIT_STAFF:
        return !bank_account;
    default:
        return false;
    }
}

struct reveal_job {
    const struct auth_user *u;
    const struct audit_actor *actor;
    const struct fieldcrypt *fc;
    int64_t id;
    bool id_number;
    bool bank_account;
    const char *reason;
    struct registry_revealed *out;
    struct registry_field_error *ferr;
};

static enum err reveal_tx(struct store_conn *c, void *arg)
{
    struct reveal_job *j = arg;
    struct store_member_detail row;
    size_t len;
    memset(j->out, 0, sizeof(*j->out));
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = registry_member_get_scoped(c, j->u, j->id, &row);
    }
    if (e == ERR_OK && j->id_number) {
        e = fieldcrypt_unseal(j->fc, row.id_enc, row.id_enc_len, j->out->id_number,
                              sizeof(j->out->id_number), &len);
    }
    if (e == ERR_OK && j->bank_account && row.bank_enc_len > 0) {
        e = fieldcrypt_unseal(j->fc, row.bank_enc, row.bank_enc_len, j->out->bank_account,
                              sizeof(j->out->bank_account), &len);
        j->out->has_bank_account = e == ERR_OK;
    }
    sodium_memzero(&row, sizeof(row));
    if (e == ERR_OK) {
        const char *fields = j->id_number && j->bank_account ? "id_number,bank_account"
                             : j->id_number                  ? "id_number"
                                                             : "bank_account";
        const char *pairs[] = {"fields", fields, "reason", j->reason};
        e = audit_write(c, j->actor, "member.reveal", "member", j->id, pairs, 2);
        if (e == ERR_INVALID) {
            e = fail(j->ferr, "reason", ERR_INVALID); /* a digit run: it may hold a number */
        }
    }
    if (e != ERR_OK) {
        sodium_memzero(j->out, sizeof(*j->out));
    }
    return e;
}

enum err registry_member_reveal(struct store_conn *c, const struct auth_user *u,
                                const struct audit_actor *actor, const struct fieldcrypt *fc,
                                int64_t id, bool id_number, bool bank_account,
                                struct registry_text reason, struct registry_revealed *out,
                                struct registry_field_error *ferr)
{
    ferr->field = NULL;
    memset(out, 0, sizeof(*out));
    if (u == NULL || u->role == AUTH_ROLE_MEMBER) {
        return ERR_NOT_FOUND;
    }
    if (!id_number && !bank_account) {
        return fail(ferr, "fields", ERR_INVALID);
    }
    if (!registry_may_reveal(u->role, id_number, bank_account)) {
        return fail(ferr, "fields", ERR_FORBIDDEN);
    }
    char why[REGISTRY_REVEAL_REASON_MAX * 4 + 1];
    struct registry_text t = trim(reason);
    if (t.ptr == NULL || t.len == 0 || t.len >= sizeof(why) ||
        utf8_count(t.ptr, t.len) > REGISTRY_REVEAL_REASON_MAX) {
        return fail(ferr, "reason", ERR_INVALID);
    }
    memcpy(why, t.ptr, t.len);
    why[t.len] = '\0';
    if (fc == NULL) {
        return ERR_INTERNAL;
    }
    struct reveal_job j = {.u = u, .actor = actor, .fc = fc, .id = id, .id_number = id_number,
                           .bank_account = bank_account, .reason = why, .out = out,
                           .ferr = ferr};
    return store_with_tx(c, reveal_tx, &j);
}
