/*
 * fieldcrypt: encryption at rest of sensitive personal data (PIPL): resident
 * ID numbers, bank cards, diagnoses.
 *
 * One 32-byte master key lives in a key file (0600, created by `huzhu init`,
 * never in the database). Two subkeys are derived from it with crypto_kdf:
 * one for XSalsa20-Poly1305 secretbox (a unique nonce per value: a random
 * per-thread prefix and a counter, see fieldcrypt.c), one for
 * a keyed BLAKE2b "blind index" so that exact lookups (by ID number) work
 * without storing the number in the clear.
 */
#ifndef HUZHU_DOMAIN_FIELDCRYPT_H
#define HUZHU_DOMAIN_FIELDCRYPT_H

#include <stddef.h>

#include "core/err.h"

#define FIELDCRYPT_HASH_BYTES 32     /* blind index */
#define FIELDCRYPT_OVERHEAD 40       /* nonce (24) + MAC (16) added to each value */
#define FIELDCRYPT_PLAIN_MAX 4096    /* longest value sealed (a diagnosis text) */

struct fieldcrypt; /* keys, in locked memory */

/* Creates a key file with a new random key, mode 0600. ERR_EXISTS if present. */
enum err fieldcrypt_keygen(const char *path) WARN_UNUSED;

/* Loads the key file; ERR_NOT_FOUND if absent, ERR_INVALID if the file is not
 * exactly a key or is readable by group/others. */
enum err fieldcrypt_open(const char *path, struct fieldcrypt **out) WARN_UNUSED;

/* Wipes the keys. */
void fieldcrypt_close(struct fieldcrypt *fc);

/* Seals (plain, len) into out (len + FIELDCRYPT_OVERHEAD bytes). */
enum err fieldcrypt_seal(const struct fieldcrypt *fc, const char *plain, size_t len,
                         unsigned char *out, size_t out_cap, size_t *out_len) WARN_UNUSED;

/* Opens a sealed value into out (NUL added); ERR_INVALID if it was tampered
 * with or sealed under another key. */
enum err fieldcrypt_unseal(const struct fieldcrypt *fc, const unsigned char *sealed, size_t len,
                           char *out, size_t out_cap, size_t *out_len) WARN_UNUSED;

/* Keyed hash of (plain, len) for exact-match lookup. */
void fieldcrypt_index(const struct fieldcrypt *fc, const char *plain, size_t len,
                      unsigned char out[FIELDCRYPT_HASH_BYTES]);

/* Default key path for a database URL: "<file>.key" for SQLite, else
 * "huzhu.key"; HUZHU_KEY_FILE overrides. Writes into buf. */
void fieldcrypt_default_path(const char *db_url, char *buf, size_t cap);

#endif
