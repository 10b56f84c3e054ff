/*
 * store_registry: rows of the registry (organisations, employers, members)
 * and transactions around bulk writes. Text fields are NUL-terminated UTF-8
 * already validated by the domain; sensitive fields arrive encrypted.
 */
#ifndef HUZHU_STORE_STORE_REGISTRY_H
#define HUZHU_STORE_STORE_REGISTRY_H

#include <stdbool.h>
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

/* ------------------------------------------------------------ registry import */

#define STORE_ORG_CODE_BYTES 63    /* longest organisation code kept */
#define STORE_ORG_PATH_BYTES 511   /* as store_org_insert's path buffer */
#define STORE_NAME_BYTES 200       /* 50 characters of up to 4 bytes */
#define STORE_SEALED_BYTES 128     /* a sealed ID or bank number (19 + 40) fits */
#define STORE_MASK_BYTES 23        /* "6222 **** **** 0123", "110101********1234" */

/* Finds an organisation by code: its id and subtree path. ERR_NOT_FOUND. */
enum err store_org_find(struct store_conn *c, const char *code, int64_t *out_id,
                        char out_path[STORE_ORG_PATH_BYTES + 1]) WARN_UNUSED;

/* For bulk writes in one long transaction (imports): on SQLite a larger page
 * cache for this connection (STORE_BULK_CACHE_KIB) so random index inserts
 * stay in memory; nothing on PostgreSQL. Call before store_tx_begin. */
#define STORE_BULK_CACHE_KIB (80 * 1024) /* member indexes of ~1M rows: ~80 MB */
enum err store_bulk_tune(struct store_conn *c) WARN_UNUSED;

struct store_employer_row {
    int64_t id;
    char uscc[19];
    char name[STORE_NAME_BYTES + 1];
    char ownership[16];
    char size[8];
    char industry[STORE_NAME_BYTES + 1];
    int64_t org_id;
    char org_path[STORE_ORG_PATH_BYTES + 1];
};

/* The employer with this credit code; ERR_NOT_FOUND if none. */
enum err store_employer_find(struct store_conn *c, const char *uscc,
                             struct store_employer_row *out) WARN_UNUSED;

/* Its id only (the import's hot path); ERR_NOT_FOUND if none. */
enum err store_employer_id(struct store_conn *c, const char *uscc, int64_t *out_id) WARN_UNUSED;

/* Sets name, ownership, size, industry and org_id of employer id from e
 * (e->uscc is ignored). ERR_NOT_FOUND if no such employer. */
enum err store_employer_update(struct store_conn *c, int64_t id,
                               const struct store_employer_new *e) WARN_UNUSED;

/* Like store_member_insert without reading the id back (bulk path). */
enum err store_member_insert_bulk(struct store_conn *c,
                                  const struct store_member_new *m) WARN_UNUSED;

/* True when the member table has at least one row. */
enum err store_member_any(struct store_conn *c, bool *out) WARN_UNUSED;

/* A member's current values, for comparison with incoming ones. Fixed
 * buffers: nothing points into a statement. */
struct store_member_row {
    int64_t id;
    char name[STORE_NAME_BYTES + 1];
    char phone[16];                         /* "" when none */
    char employment[16];
    int64_t employer_id;                    /* 0 when none */
    char employer_uscc[19];                 /* "" when none */
    int64_t org_id;
    char org_code[STORE_ORG_CODE_BYTES + 1];
    char org_path[STORE_ORG_PATH_BYTES + 1];
    int hardship;                           /* 0 or 1 */
    unsigned char bank_enc[STORE_SEALED_BYTES];
    size_t bank_enc_len;                    /* 0 when no bank card */
    char bank_mask[STORE_MASK_BYTES + 1];   /* "" when no bank card */
};

/* The member whose blind index is id_hash; ERR_NOT_FOUND if none. */
enum err store_member_find_by_hash(struct store_conn *c, const unsigned char *id_hash,
                                   struct store_member_row *out) WARN_UNUSED;

/* Sets the member's mutable fields from m (name, phone, employment,
 * employer_id, org_id, hardship, bank_enc, bank_mask; the ID fields are
 * ignored) and updated_at to at. ERR_NOT_FOUND if no such member. */
enum err store_member_update(struct store_conn *c, int64_t id, const struct store_member_new *m,
                             const char *at) WARN_UNUSED;

/* One changed field of a member (member_history row). Values are already
 * masked where sensitive; "" for none. */
struct store_member_change {
    int64_t member_id;
    const char *at;         /* UTC 'YYYY-MM-DDTHH:MM:SSZ' */
    const char *source;     /* import|api|cli */
    const char *source_ref; /* file name or "" */
    const char *actor;      /* login or "" */
    const char *field;      /* name|phone|employer|employment|hardship|bank_account|org */
    const char *old_value;
    const char *new_value;
};

enum err store_member_history_add(struct store_conn *c,
                                  const struct store_member_change *ch) WARN_UNUSED;

/* Calls fn for each history row of member_id, oldest first (tests, API).
 * Row pointers are valid during the call only; a non-OK result stops. */
enum err store_member_history_each(struct store_conn *c, int64_t member_id,
                                   enum err (*fn)(void *ctx, const struct store_member_change *ch),
                                   void *ctx) WARN_UNUSED;

#endif
