/*
 * store_registry: rows of the registry (organisations, employers, members)
 * and transactions around bulk writes. Text fields are NUL-terminated UTF-8
 * already validated by the domain; sensitive fields arrive encrypted.
 */
#ifndef HUZHU_STORE_STORE_REGISTRY_H
#define HUZHU_STORE_STORE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_HASH_BYTES 32 /* blind index size (BLAKE2b-256) */

/* One short transaction around several writes; rollback is always safe. */
enum err store_tx_begin(struct store_conn *c) WARN_UNUSED;
enum err store_tx_commit(struct store_conn *c) WARN_UNUSED;
void store_tx_rollback(struct store_conn *c);

struct store_org_new {
    const char *code;          /* unique union code */
    const char *name;
    int64_t parent_id;         /* 0 for a root */
    const char *level;         /* national|province|city|district|grassroots|industry */
    const char *division_code; /* GB/T 2260, 6 digits */
};

/* Inserts an organisation under its parent and sets its subtree path.
 * ERR_EXISTS if the code is taken, ERR_NOT_FOUND if the parent is unknown. */
enum err store_org_insert(struct store_conn *c, const struct store_org_new *o,
                          int64_t *out_id) WARN_UNUSED;

struct store_employer_new {
    const char *uscc; /* normalised 18-char credit code */
    const char *name;
    const char *ownership; /* public_sector|state|private|foreign|collective|individual */
    const char *size;      /* large|medium|small|micro */
    const char *industry;
    int64_t org_id; /* grassroots union serving it */
};

enum err store_employer_insert(struct store_conn *c, const struct store_employer_new *e,
                               int64_t *out_id) WARN_UNUSED;

struct store_member_new {
    const unsigned char *id_hash; /* STORE_HASH_BYTES */
    const unsigned char *id_enc;  /* sealed ID number */
    size_t id_enc_len;
    const char *id_mask;
    const char *name;
    const char *gender;     /* "M" or "F" */
    const char *birth_date; /* YYYY-MM-DD */
    const char *phone;      /* NULL if none */
    const char *employment; /* standard|courier|delivery|ride_hailing|truck|other_gig */
    int64_t employer_id;    /* 0 if none (gig workers) */
    int64_t org_id;
    int hardship; /* 0 or 1 */
    const unsigned char *bank_enc; /* NULL if none */
    size_t bank_enc_len;
    const char *bank_mask; /* NULL if none */
};

enum err store_member_insert(struct store_conn *c, const struct store_member_new *m,
                             int64_t *out_id) WARN_UNUSED;

/* One member's sealed fields, for re-encryption under a new key. Pointers
 * are valid only during the callback. */
struct store_sealed_member {
    int64_t id;
    const unsigned char *id_enc;
    size_t id_enc_len;
    const unsigned char *bank_enc; /* NULL when the member has no bank card */
    size_t bank_enc_len;
};

/* Calls fn for up to limit members with id > after_id, in id order; *last_id
 * gets the last id seen and *count how many. fn may write through c. */
enum err store_member_sealed_page(struct store_conn *c, int64_t after_id, size_t limit,
                                  enum err (*fn)(void *ctx, const struct store_sealed_member *m),
                                  void *ctx, int64_t *last_id, size_t *count) WARN_UNUSED;

/* Replaces a member's blind index and sealed fields (key rotation). */
enum err store_member_set_sealed(struct store_conn *c, int64_t id, const unsigned char *id_hash,
                                 const unsigned char *id_enc, size_t id_enc_len,
                                 const unsigned char *bank_enc, size_t bank_enc_len) WARN_UNUSED;

struct store_registry_counts {
    int64_t orgs;
    int64_t employers;
    int64_t members;
};

enum err store_registry_count(struct store_conn *c, struct store_registry_counts *out) WARN_UNUSED;

#endif
