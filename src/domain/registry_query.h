/*
 * registry_query: the registry as the API and the CLI use it, scoped to the
 * caller — organisations (create, rename, move), employers and members
 * (get, search, create, update), and the audited reveal of a member's ID
 * and bank numbers.
 *
 * Scope: every function takes the caller (struct auth_user; NULL only for
 * the command line, which sees everything) and answers only within the
 * caller's subtree: an object outside it reads as ERR_NOT_FOUND, exactly
 * like one that does not exist. A member account sees only its own member
 * record (registry_member_get_scoped) and nothing else here.
 *
 * Writes validate with registry.h (same checks, same reason codes as the
 * roster import), store through registry.h's upserts (member changes are
 * recorded in member_history), and append one audit event in the SAME
 * transaction (org.create, org.update, employer.create, employer.update,
 * member.create, member.update, member.reveal): both commit or neither.
 * Audit details name fields and organisations, never ID or bank numbers.
 * Each function runs its own transaction (store_with_tx, retried on
 * serialization failures); call it outside any transaction.
 */
#ifndef HUZHU_DOMAIN_REGISTRY_QUERY_H
#define HUZHU_DOMAIN_REGISTRY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/fieldcrypt.h"
#include "domain/org.h"
#include "domain/registry.h"
#include "store/store_search.h"

#define REGISTRY_ORG_CODE_MAX 32       /* bytes of an organisation code: [A-Za-z0-9_-] */
#define REGISTRY_DIVISION_LEN 6        /* GB/T 2260 administrative division code */
#define REGISTRY_REVEAL_REASON_MAX 200 /* characters of a reveal's stated reason */

/* ------------------------------------------------------------- organisations */

/* A GB/T 2260 code: 6 ASCII digits whose first two name a province-level
 * division (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82). Trimmed.
 * ERR_INVALID otherwise. */
enum err registry_division_parse(const char *text, size_t len,
                                 char out[REGISTRY_DIVISION_LEN + 1]) WARN_UNUSED;

/* national, province, city, district, grassroots or industry (a static
 * string into *out). ERR_INVALID otherwise. */
enum err registry_org_level_parse(const char *text, size_t len, const char **out) WARN_UNUSED;

struct registry_org_input {
    struct registry_text code;          /* 1..32 of [A-Za-z0-9_-], unique */
    struct registry_text name;          /* 1..50 characters */
    struct registry_text level;         /* absent: one below the parent's, national for a root */
    struct registry_text division_code; /* 6 digits, GB/T 2260 */
    int64_t parent_id;                  /* 0: a root (the command line only) */
};

/*
 * Creates an organisation under in->parent_id, which must be in u's subtree
 * (u NULL: the command line; a root needs it). Audits org.create.
 * ERR_INVALID (or ERR_INVALID_NAME) naming the field in *ferr; ERR_NOT_FOUND
 * (ferr->field "parent_id") for a parent that is unknown or out of scope;
 * ERR_EXISTS (ferr->field "code") when the code is taken.
 */
enum err registry_org_create(struct store_conn *c, const struct auth_user *u,
                             const struct audit_actor *actor, const struct registry_org_input *in,
                             int64_t *out_id, struct registry_field_error *ferr) WARN_UNUSED;

/*
 * Renames (name.ptr non-NULL) and/or moves (new_parent_id > 0) organisation
 * id within u's subtree, in one transaction: a move rewrites the paths of
 * the whole subtree. Audits org.update with what changed. ERR_NOT_FOUND for
 * id (field NULL) or the new parent (field "parent_id") out of scope;
 * ERR_INVALID ("parent_id") for a move under itself or its own descendant;
 * ERR_INVALID_NAME ("name").
 */
enum err registry_org_update(struct store_conn *c, const struct auth_user *u,
                             const struct audit_actor *actor, int64_t id,
                             struct registry_text name, int64_t new_parent_id,
                             struct registry_field_error *ferr) WARN_UNUSED;

/* ------------------------------------------------------------------ employers */

/* Employer id in u's subtree. ERR_NOT_FOUND otherwise. */
enum err registry_employer_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                                      struct store_employer_row *out) WARN_UNUSED;

struct registry_employer_query {
    struct registry_text q;         /* prefix of the credit code or of the name */
    int64_t org_id;                 /* 0 or a serving organisation */
    struct registry_text ownership; /* code or Chinese label */
    struct registry_text size;      /* code or Chinese label */
};

/* Employers of u's subtree matching q, id > after_id, id order, at most
 * limit (1..LIMIT_PAGE_MAX). ERR_INVALID_OWNERSHIP / ERR_INVALID_SIZE /
 * ERR_INVALID ("q" over 50 characters) with *ferr. */
enum err registry_employer_search_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct registry_employer_query *q,
                                         int64_t after_id, size_t limit,
                                         enum err (*fn)(const struct store_employer_row *row,
                                                        void *ctx),
                                         void *ctx, size_t *out_n,
                                         struct registry_field_error *ferr) WARN_UNUSED;

/* Registers an employer served by org_id (0: u's own organisation), which
 * must be in u's subtree. Audits employer.create. ERR_EXISTS ("uscc") when
 * the credit code is registered; validation codes of registry.h. */
enum err registry_employer_create_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct audit_actor *actor, int64_t org_id,
                                         const struct registry_employer_input *in,
                                         int64_t *out_id,
                                         struct registry_field_error *ferr) WARN_UNUSED;

/* Changes employer id: the fields of patch that are present (ptr non-NULL;
 * patch->uscc must be absent: the credit code is the employer's identity)
 * and, when org_id > 0, the serving organisation (in scope). Audits
 * employer.update naming the changed fields; *changed says whether anything
 * changed (nothing written or audited otherwise). */
enum err registry_employer_update_scoped(struct store_conn *c, const struct auth_user *u,
                                         const struct audit_actor *actor, int64_t id,
                                         const struct registry_employer_input *patch,
                                         int64_t org_id, bool *changed,
                                         struct registry_field_error *ferr) WARN_UNUSED;

/* -------------------------------------------------------------------- members */

/* Member id as u may see it: staff in their subtree, a member account its
 * own record only. ERR_NOT_FOUND otherwise. */
enum err registry_member_get_scoped(struct store_conn *c, const struct auth_user *u, int64_t id,
                                    struct store_member_detail *out) WARN_UNUSED;

/* Calls fn for each history row of member id, oldest first. The caller has
 * checked scope with registry_member_get_scoped. */
enum err registry_member_history(struct store_conn *c, int64_t id,
                                 enum err (*fn)(void *ctx, const struct store_member_change *ch),
                                 void *ctx) WARN_UNUSED;

struct registry_member_query {
    struct registry_text name;       /* name prefix */
    struct registry_text id_number;  /* a full ID number: exact, through the blind index */
    struct registry_text phone;      /* a full mobile number */
    int64_t employer_id;             /* 0 or an employer */
    struct registry_text employment; /* code or Chinese label */
    struct registry_text hardship;   /* yes/no (registry_hardship_parse); absent: any */
};

/* Members of u's subtree (staff only) matching q, id > after_id, id order,
 * at most limit. An id_number is validated (INVALID_ID, ID_EXCEL_MANGLED)
 * and looked up by its blind index under fc, never by pattern. Validation
 * codes with *ferr. */
enum err registry_member_search_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct fieldcrypt *fc,
                                       const struct registry_member_query *q, int64_t after_id,
                                       size_t limit,
                                       enum err (*fn)(const struct store_member_detail *row,
                                                      void *ctx),
                                       void *ctx, size_t *out_n,
                                       struct registry_field_error *ferr) WARN_UNUSED;

/* Registers a member with organisation org_id (0: u's own), in u's
 * subtree; the employer (by credit code) must be registered. Audits
 * member.create. ERR_EXISTS ("id_number") when the ID number is registered;
 * validation codes of registry.h with *ferr. */
enum err registry_member_create_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct audit_actor *actor,
                                       const struct fieldcrypt *fc, int64_t org_id,
                                       const struct registry_member_input *in, struct date today,
                                       int64_t *out_id,
                                       struct registry_field_error *ferr) WARN_UNUSED;

/* Changes member id: the fields of patch that are present (id_number must
 * be absent: it is the member's identity; an empty employer_uscc removes
 * the employer; phone and bank card cannot be emptied) and, when org_id >
 * 0, moves it to that organisation (in scope). Each changed field gets a
 * member_history row (source "api", actor u's login) and the change one
 * member.update audit event; *changed false: nothing differed, nothing
 * written. */
enum err registry_member_update_scoped(struct store_conn *c, const struct auth_user *u,
                                       const struct audit_actor *actor,
                                       const struct fieldcrypt *fc, int64_t id,
                                       const struct registry_member_input *patch, int64_t org_id,
                                       struct date today, bool *changed,
                                       struct registry_field_error *ferr) WARN_UNUSED;

/* Which sensitive fields a role may reveal: admin, claims officer and
 * approver both; finance the bank card only; unit staff the ID number only;
 * others none. */
bool registry_may_reveal(enum auth_role role, bool id_number, bool bank_account);

struct registry_revealed {
    char id_number[IDCARD_LEN + 1];            /* "" unless asked */
    char bank_account[BANKCARD_LEN_MAX + 1];   /* "" unless asked or when none */
    bool has_bank_account;
};

/*
 * Opens member id's sealed ID number and/or bank card for u (staff, in
 * scope, registry_may_reveal) and appends member.reveal with the fields and
 * the reason (never the values) in the same transaction: no audit event,
 * no plain values. ERR_FORBIDDEN when the role may not reveal a field asked
 * for; ERR_INVALID ("reason") for an empty reason, one over
 * REGISTRY_REVEAL_REASON_MAX characters or holding a run of 15 digits.
 * The caller wipes *out after use.
 */
enum err registry_member_reveal(struct store_conn *c, const struct auth_user *u,
                                const struct audit_actor *actor, const struct fieldcrypt *fc,
                                int64_t id, bool id_number, bool bank_account,
                                struct registry_text reason, struct registry_revealed *out,
                                struct registry_field_error *ferr) WARN_UNUSED;

#endif
