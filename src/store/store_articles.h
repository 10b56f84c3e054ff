/*
 * store_articles: SQL for the articles table (宣传专栏, migration 0009).
 *
 * Rows come back in a caller-owned struct store_article that carries the
 * article's organisation (name, code, path, whether it is a root) so the
 * domain can check scope and visibility without a second query. Writes run
 * inside the caller's transaction (store_with_tx); reads outside any.
 * Nothing here validates: the domain (domain/articles.h) does, and the
 * table's CHECKs are the backstop (a violation answers ERR_CONFLICT).
 *
 * Lists walk in pages: the staff list newest id first from before_id
 * (exclusive, 0 for the start); the portal list newest publish date first
 * (then newest id) after the article after_id (exclusive, 0 for the start).
 */
#ifndef HUZHU_STORE_STORE_ARTICLES_H
#define HUZHU_STORE_STORE_ARTICLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_org.h"

#define STORE_ARTICLE_TITLE_MAX 400   /* bytes: 100 characters of up to 4 bytes */
#define STORE_ARTICLE_BODY_MAX 20000  /* bytes of Markdown, as the table's CHECK */
#define STORE_ARTICLE_HEAD_CHARS 400  /* characters of the body a list row carries: enough
                                         for an excerpt, so a page never reads 50 bodies */
#define STORE_ARTICLE_WORD_MAX 15     /* a category or status name */
#define STORE_ARTICLE_DATE_MAX 10     /* 'YYYY-MM-DD' */

struct store_article {
    int64_t id;
    int64_t org_id;
    char org_code[STORE_ORG_CODE_MAX + 1];
    char org_name[STORE_ORG_NAME_MAX + 1];
    char org_path[STORE_ORG_PATH_MAX + 1]; /* '/1/4/' */
    bool org_is_root;                      /* the organisation has no parent */
    char category[STORE_ARTICLE_WORD_MAX + 1]; /* plan, guide, faq, case */
    char title[STORE_ARTICLE_TITLE_MAX + 1];
    char status[STORE_ARTICLE_WORD_MAX + 1];   /* draft, published, withdrawn */
    char publish_date[STORE_ARTICLE_DATE_MAX + 1]; /* "" while never published */
    int64_t created_by;                        /* 0: the command line */
    int64_t updated_by;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    char body_md[STORE_ARTICLE_BODY_MAX + 1]; /* the whole body (get), or its first
                                                 STORE_ARTICLE_HEAD_CHARS characters
                                                 (lists); NUL-terminated */
    size_t body_len;                          /* bytes of body_md */
};

/* Inserts a draft of a (org_id, category, title, body_md/body_len,
 * created_by as both creator and updater, created_at_ms as both times);
 * *out_id gets its id. ERR_CONFLICT when a CHECK or the org's foreign key
 * refuses it. */
enum err store_article_insert(struct store_conn *c, const struct store_article *a,
                              int64_t *out_id) WARN_UNUSED;

/* Rewrites article a->id's org_id, category, title, body, status,
 * publish_date ("" = NULL), updated_by and updated_at_ms. ERR_NOT_FOUND
 * when there is no such article, ERR_CONFLICT when a CHECK refuses. */
enum err store_article_update(struct store_conn *c, const struct store_article *a) WARN_UNUSED;

/* Article id with its whole body. ERR_NOT_FOUND if none. */
enum err store_article_get(struct store_conn *c, int64_t id,
                           struct store_article *out) WARN_UNUSED;

/* What a staff list asks for. */
struct store_article_filter {
    const char *path_prefix; /* organisations whose path starts with it */
    const char *status;      /* or NULL: any */
    const char *category;    /* or NULL: any */
    int64_t before_id;       /* 0: from the newest */
    size_t limit;            /* > 0 */
};

/* Calls fn for the articles of f, newest id first, at most f->limit; the
 * row (body cut to its head) is valid during the call only, and fn must
 * not use c. A non-OK result of fn stops the walk and is returned. *out_n
 * (may be NULL) gets the count. */
enum err store_article_manage_each(struct store_conn *c, const struct store_article_filter *f,
                                   enum err (*fn)(const struct store_article *a, void *ctx),
                                   void *ctx, size_t *out_n) WARN_UNUSED;

/* What a portal list asks for: published articles with publish_date <=
 * today of the organisations a reader sees. */
struct store_article_public {
    const char *viewer_path; /* "" for an anonymous reader: root organisations only;
                                else the reader's organisation's path: it and its
                                ancestors */
    bool subtree;            /* also the organisations under viewer_path (staff) */
    const char *today;       /* 'YYYY-MM-DD' */
    const char *category;    /* or NULL: any */
    int64_t after_id;        /* 0: from the newest; else the last article of the
                                previous page */
    size_t limit;            /* > 0 */
};

/* Calls fn for the articles of q, newest publish date first (then newest
 * id), as store_article_manage_each does. */
enum err store_article_public_each(struct store_conn *c, const struct store_article_public *q,
                                   enum err (*fn)(const struct store_article *a, void *ctx),
                                   void *ctx, size_t *out_n) WARN_UNUSED;

#endif
