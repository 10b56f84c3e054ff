/*
 * cmd_rekey: `huzhu rekey` rotates the field-encryption key.
 *
 * Every sealed field is opened with the current key and sealed again under
 * a new one, and every blind index recomputed, all in ONE transaction: the
 * database is either wholly under the old key or wholly under the new.
 * Only after the commit are the key files swapped (key -> key.old,
 * key.new -> key). If the process dies between the commit and the swap, the
 * new key is in key.new and the operator moves it into place (see
 * docs/operations.md). Pages are read into memory before they are rewritten
 * so no statement scans a table it is updating.
 * When a later migration adds a sealed column, it must be added here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cmd.h"
#include "core/limits.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"
#include "store/store_registry.h"

#define REKEY_SEALED_MAX (FIELDCRYPT_PLAIN_MAX + FIELDCRYPT_OVERHEAD)

struct sealed_copy {
    int64_t id;
    unsigned char id_enc[128];
    size_t id_enc_len;
    unsigned char bank_enc[128];
    size_t bank_enc_len; /* 0: no bank card */
};

struct page {
    struct sealed_copy rows[LIMIT_BATCH_ROWS];
    size_t n;
};

static enum err copy_row(void *ctx, const struct store_sealed_member *m)
{
    struct page *p = ctx;
    struct sealed_copy *r = &p->rows[p->n];
    if (m->id_enc_len > sizeof(r->id_enc) || m->bank_enc_len > sizeof(r->bank_enc)) {
        return ERR_TOO_LARGE;
    }
    r->id = m->id;
    memcpy(r->id_enc, m->id_enc, m->id_enc_len);
    r->id_enc_len = m->id_enc_len;
    r->bank_enc_len = m->bank_enc != NULL ? m->bank_enc_len : 0;
    if (r->bank_enc_len > 0) {
        memcpy(r->bank_enc, m->bank_enc, m->bank_enc_len);
    }
    p->n++;
    return ERR_OK;
}

/* Opens with old, seals with new; in and out are sealed buffers. */
static enum err reseal(const struct fieldcrypt *old, const struct fieldcrypt *new_fc,
                       const unsigned char *in, size_t in_len, unsigned char *out, size_t cap,
                       size_t *out_len, unsigned char hash[FIELDCRYPT_HASH_BYTES])
{
    char plain[FIELDCRYPT_PLAIN_MAX + 1];
    size_t plain_len;
    enum err e = fieldcrypt_unseal(old, in, in_len, plain, sizeof(plain), &plain_len);
    if (e == ERR_OK) {
        e = fieldcrypt_seal(new_fc, plain, plain_len, out, cap, out_len);
    }
    if (e == ERR_OK && hash != NULL) {
        fieldcrypt_index(new_fc, plain, plain_len, hash);
    }
    explicit_bzero(plain, sizeof(plain));
    return e;
}

struct rekey_job {
    const struct fieldcrypt *old, *new_fc;
    struct page *page;
    int64_t members;
};

static enum err rekey_all(struct store_conn *c, void *ctx)
{
    struct rekey_job *job = ctx;
    int64_t after = 0;
    job->members = 0;
    for (;;) {
        size_t count;
        job->page->n = 0;
        enum err e = store_member_sealed_page(c, after, LIMIT_BATCH_ROWS, copy_row, job->page,
                                              &after, &count);
        if (e != ERR_OK) {
            return e;
        }
        if (count == 0) {
            return ERR_OK;
        }
        for (size_t i = 0; i < job->page->n; i++) {
            struct sealed_copy *r = &job->page->rows[i];
            unsigned char hash[FIELDCRYPT_HASH_BYTES], id_enc[128], bank_enc[128];
            size_t id_len, bank_len = 0;
            e = reseal(job->old, job->new_fc, r->id_enc, r->id_enc_len, id_enc, sizeof(id_enc),
                       &id_len, hash);
            if (e == ERR_OK && r->bank_enc_len > 0) {
                e = reseal(job->old, job->new_fc, r->bank_enc, r->bank_enc_len, bank_enc,
                           sizeof(bank_enc), &bank_len, NULL);
            }
            if (e == ERR_OK) {
                e = store_member_set_sealed(c, r->id, hash, id_enc, id_len,
                                            r->bank_enc_len > 0 ? bank_enc : NULL, bank_len);
            }
            if (e != ERR_OK) {
                return e;
            }
            job->members++;
        }
    }
}

static const char rekey_help[] =
    "usage: huzhu rekey --db URL [--key PATH]\n\n"
    "Rotates the field-encryption key: creates PATH.new, re-encrypts every\n"
    "sealed field (ID numbers, bank cards) and recomputes every lookup hash\n"
    "in one transaction, then renames PATH to PATH.old and PATH.new to PATH.\n"
    "Stop the server first. PATH defaults as for huzhu init.\n";

int cmd_rekey(int argc, char **argv)
{
    const char *db = NULL, *key = NULL;
    bool help;
    const struct arg_opt opts[] = {{"db", false, &db, NULL}, {"key", false, &key, NULL}};
    if (args_parse("rekey", argc, argv, opts, 2, NULL, 0, NULL, &help) != 0) {
        return 2;
    }
    if (help) {
        fputs(rekey_help, stdout);
        return 0;
    }
    if (db == NULL) {
        fprintf(stderr, "huzhu rekey: --db is required\n");
        return 2;
    }
    char path[4000], new_path[4100], old_path[4100];
    if (key == NULL) {
        fieldcrypt_default_path(db, path, sizeof(path));
    } else {
        snprintf(path, sizeof(path), "%s", key);
    }
    snprintf(new_path, sizeof(new_path), "%s.new", path);
    snprintf(old_path, sizeof(old_path), "%s.old", path);

    struct fieldcrypt *old = NULL, *new_fc = NULL;
    enum err e = fieldcrypt_open(path, &old);
    if (e != ERR_OK) {
        fprintf(stderr, "huzhu rekey: cannot read key %s: %s\n", path, err_str(e));
        return 1;
    }
    e = fieldcrypt_keygen(new_path);
    if (e == ERR_OK) {
        e = fieldcrypt_open(new_path, &new_fc);
    } else if (e == ERR_EXISTS) {
        fprintf(stderr, "huzhu rekey: %s exists (an earlier rotation?); move it away first\n",
                new_path);
        fieldcrypt_close(old);
        return 1;
    }
    struct store *s = NULL;
    struct store_conn *c = NULL;
    struct rekey_job job = {.old = old, .new_fc = new_fc, .page = malloc(sizeof(struct page))};
    if (e == ERR_OK && job.page == NULL) {
        e = ERR_NOMEM;
    }
    if (e == ERR_OK && cli_open_store("rekey", db, 1, false, &s) != 0) {
        e = ERR_IO;
    }
    if (e == ERR_OK && (e = store_acquire(s, &c)) == ERR_OK) {
        e = store_with_tx(c, rekey_all, &job);
        store_release(c);
    }
    store_close(s);
    free(job.page);
    fieldcrypt_close(old);
    fieldcrypt_close(new_fc);
    if (e != ERR_OK) {
        unlink(new_path);
        fprintf(stderr, "huzhu rekey: failed, nothing changed: %s\n", err_str(e));
        return 1;
    }
    if (rename(path, old_path) != 0 || rename(new_path, path) != 0) {
        fprintf(stderr,
                "huzhu rekey: data re-encrypted, but the key files could not be swapped: "
                "move %s to %s by hand\n", new_path, path);
        return 1;
    }
    fprintf(stderr, "re-encrypted %lld members; new key %s, previous key kept as %s\n",
            (long long)job.members, path, old_path);
    return 0;
}
