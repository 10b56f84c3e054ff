/*
 * articles: the union's articles (宣传专栏) — plan explanations, claim
 * guides, FAQs and anonymised real cases that staff write per organisation
 * and workers read on the portal.
 *
 * Lifecycle: articles_create makes a draft; articles_update edits any of
 * title, category, body and organisation in any state; articles_publish
 * moves a draft or withdrawn article to published with a publish date (it
 * shows on the portal from that civil date on, China time); a published
 * article may be withdrawn (hidden again) and published anew. Every one of
 * these appends an audit event (article.create / .update / .publish /
 * .withdraw) in the transaction of the change.
 *
 * Writers: staff act on the articles of their own subtree only; an article
 * outside it reads as ERR_NOT_FOUND, like one that does not exist. Readers
 * (struct articles_viewer): anyone sees published articles of root
 * organisations; a member sees those of their member's organisation and its
 * ancestors; staff those of their organisation, its ancestors and its
 * subtree. A draft, a withdrawn article and one whose date is still to come
 * are never shown to readers.
 *
 * The body is Markdown kept verbatim, 1..ARTICLE_BODY_MAX_BYTES of UTF-8;
 * nothing here renders it, and clients must render it without raw HTML.
 * Lists carry a plain-text excerpt made by articles_excerpt.
 */
#ifndef HUZHU_DOMAIN_ARTICLES_H
#define HUZHU_DOMAIN_ARTICLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/auth.h"
#include "store/store_articles.h"

#define ARTICLE_TITLE_MAX_CHARS 100   /* a title fits one line on a phone, twice */
#define ARTICLE_BODY_MAX_BYTES STORE_ARTICLE_BODY_MAX
#define ARTICLE_EXCERPT_CHARS 80      /* characters of a list row's excerpt */
#define ARTICLE_EXCERPT_MAX (ARTICLE_EXCERPT_CHARS * 4 + 4) /* bytes, with "…" and NUL */
#define ARTICLE_FIELD_MAX 16          /* bytes of a field name in an error, with NUL */

/* Who may write articles: these roles, in their own subtree. */
#define ARTICLE_WRITERS                                                                            \
    (AUTH_ROLE_BIT(AUTH_ROLE_ADMIN) | AUTH_ROLE_BIT(AUTH_ROLE_SUPERVISOR) |                        \
     AUTH_ROLE_BIT(AUTH_ROLE_UNIT_STAFF))

/* True for "plan", "guide", "faq", "case" (NUL-terminated). */
bool articles_category_is_valid(const char *s);

/* True for "draft", "published", "withdrawn". */
bool articles_status_is_valid(const char *s);

/* ERR_OK when (s, len) is a title: valid UTF-8 of 1..ARTICLE_TITLE_MAX_CHARS
 * characters, no control character, not only spaces. ERR_INVALID else. */
enum err articles_check_title(const char *s, size_t len) WARN_UNUSED;

/* ERR_OK when (s, len) is a body: 1..ARTICLE_BODY_MAX_BYTES bytes of valid
 * UTF-8 with no NUL and no control character but tab, LF and CR, not only
 * white space. ERR_INVALID otherwise (also past the limit). */
enum err articles_check_body(const char *s, size_t len) WARN_UNUSED;

/* Plain text of Markdown (md, len) for a list: the first words with the
 * Markdown marks left out (heading and quote marks, list bullets,
 * emphasis, code ticks, link targets, raw tags <...>), white space folded
 * to single spaces, at most ARTICLE_EXCERPT_CHARS characters and then "…"
 * when cut. Never splits a UTF-8 sequence. Writes a NUL-terminated string
 * into out (cap >= 8) and returns its length. */
size_t articles_excerpt(const char *md, size_t len, char *out, size_t cap);

/* A reader of the portal. */
struct articles_viewer {
    bool anonymous;                 /* nobody signed in: root organisations only */
    bool subtree;                   /* staff: also the organisations under path */
    char path[STORE_ORG_PATH_MAX + 1]; /* the reader's organisation ('/1/4/'), "" when
                                          anonymous */
};

/* The viewer for u (NULL: anonymous). A member reads as their member's
 * current organisation (looked up); staff as their own, with its subtree. */
enum err articles_viewer_of(struct store_conn *c, const struct auth_user *u,
                            struct articles_viewer *out) WARN_UNUSED;

/* True when v may read published articles of an organisation at org_path
 * (org_is_root: it has no parent). Pure: dates and status are not looked at. */
bool articles_viewer_sees(const struct articles_viewer *v, const char *org_path, bool org_is_root);

/* The changeable fields of an article. On create all four are required; on
 * update any subset (has_* says which), at least one. Text is untrusted
 * (ptr, len). */
struct articles_edit {
    bool has_org_id;
    int64_t org_id;
    bool has_category;
    const char *category; /* NUL-terminated */
    bool has_title;
    const char *title;
    size_t title_len;
    bool has_body;
    const char *body_md;
    size_t body_len;
};

/*
 * Creates a draft for u (a writer) and audits "article.create"; *out_id
 * gets its id. Errors name the field in field (cap ARTICLE_FIELD_MAX):
 * ERR_MISSING_FIELD, ERR_INVALID (category, title, body_md),
 * ERR_NOT_FOUND (org_id: none such in u's subtree),
 * ERR_FORBIDDEN (u is not a writer).
 */
enum err articles_create(struct store_conn *c, const struct auth_user *u, const char *request_id,
                         const struct articles_edit *in, int64_t now_ms, int64_t *out_id,
                         char field[ARTICLE_FIELD_MAX]) WARN_UNUSED;

/* Changes the fields of in on article id and audits "article.update".
 * ERR_NOT_FOUND (no such article in u's subtree, or org_id outside it:
 * field says which), ERR_INVALID (nothing to change: field ""; or a bad
 * value), ERR_FORBIDDEN as articles_create. */
enum err articles_update(struct store_conn *c, const struct auth_user *u, const char *request_id,
                         int64_t id, const struct articles_edit *in, int64_t now_ms,
                         char field[ARTICLE_FIELD_MAX]) WARN_UNUSED;

/* Publishes a draft or withdrawn article id with publish_date and audits
 * "article.publish". ERR_NOT_FOUND, ERR_CONFLICT (already published). */
enum err articles_publish(struct store_conn *c, const struct auth_user *u, const char *request_id,
                          int64_t id, struct date publish_date, int64_t now_ms) WARN_UNUSED;

/* Withdraws published article id and audits "article.withdraw".
 * ERR_NOT_FOUND, ERR_CONFLICT (not published). */
enum err articles_withdraw(struct store_conn *c, const struct auth_user *u,
                           const char *request_id, int64_t id, int64_t now_ms) WARN_UNUSED;

/* Article id in u's subtree, any state, whole body. ERR_NOT_FOUND
 * otherwise; ERR_FORBIDDEN when u is not a writer. */
enum err articles_get_managed(struct store_conn *c, const struct auth_user *u, int64_t id,
                              struct store_article *out) WARN_UNUSED;

/* Staff list of u's subtree: status and category may be NULL (any), else
 * must be valid (ERR_INVALID, field set); newest first before before_id (0:
 * the start), at most limit (1..LIMIT_PAGE_MAX) rows passed to fn. */
enum err articles_list_managed(struct store_conn *c, const struct auth_user *u,
                               const char *status, const char *category, int64_t before_id,
                               size_t limit,
                               enum err (*fn)(const struct store_article *a, void *ctx), void *ctx,
                               size_t *out_n, char field[ARTICLE_FIELD_MAX]) WARN_UNUSED;

/* Portal list for v on date today: published articles with publish_date
 * <= today that v sees, newest publish date first, after article after_id
 * (0: the start), at most limit rows (body cut to its head) passed to fn.
 * category may be NULL; ERR_INVALID (field "category") when it is not one. */
enum err articles_list_public(struct store_conn *c, const struct articles_viewer *v,
                              struct date today, const char *category, int64_t after_id,
                              size_t limit,
                              enum err (*fn)(const struct store_article *a, void *ctx), void *ctx,
                              size_t *out_n, char field[ARTICLE_FIELD_MAX]) WARN_UNUSED;

/* Article id for v on date today with its whole body: ERR_NOT_FOUND unless
 * it is published, its date has come and v sees its organisation. */
enum err articles_get_public(struct store_conn *c, const struct articles_viewer *v,
                             struct date today, int64_t id,
                             struct store_article *out) WARN_UNUSED;

#endif
