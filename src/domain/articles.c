/*
 * articles: validation, the lifecycle with its audit events, and who reads
 * what. Each change is one transaction (store_with_tx) that reads the
 * article, checks scope and state, writes it and appends the audit event,
 * so a retried transaction decides again on what it reads.
 */
#include "domain/articles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "domain/audit.h"
#include "store/store_org.h"

static const char *const categories[] = {"plan", "guide", "faq", "case"};
static const char *const statuses[] = {"draft", "published", "withdrawn"};

static bool word_in(const char *s, const char *const *words, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(s, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

bool articles_category_is_valid(const char *s)
{
    return word_in(s, categories, sizeof(categories) / sizeof(categories[0]));
}

bool articles_status_is_valid(const char *s)
{
    return word_in(s, statuses, sizeof(statuses) / sizeof(statuses[0]));
}

enum err articles_check_title(const char *s, size_t len)
{
    if (s == NULL || len == 0 || !utf8_is_valid(s, len)) {
        return ERR_INVALID;
    }
    size_t chars = utf8_count(s, len);
    if (chars == 0 || chars > ARTICLE_TITLE_MAX_CHARS) {
        return ERR_INVALID;
    }
    bool seen = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7f) {
            return ERR_INVALID;
        }
        seen = seen || b != ' ';
    }
    return seen ? ERR_OK : ERR_INVALID;
}

enum err articles_check_body(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > ARTICLE_BODY_MAX_BYTES || !utf8_is_valid(s, len)) {
        return ERR_INVALID;
    }
    bool seen = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        bool space = b == ' ' || b == '\t' || b == '\n' || b == '\r';
        if ((b < 0x20 && !space) || b == 0x7f) {
            return ERR_INVALID;
        }
        seen = seen || !space;
    }
    return seen ? ERR_OK : ERR_INVALID;
}

/* ------------------------------------------------------------ excerpt */

struct excerpt {
    char *out;
    size_t cap;
    size_t len;
    size_t chars;
    bool pending_space; /* a space is due before the next visible character */
    bool full;          /* ARTICLE_EXCERPT_CHARS written and more text follows */
};

/* Bytes of the UTF-8 sequence led by b (1 for a stray byte). */
static size_t seq_len(unsigned char b)
{
    if (b >= 0xf0) {
        return 4;
    }
    if (b >= 0xe0) {
        return 3;
    }
    return b >= 0xc0 ? 2 : 1;
}

static void excerpt_put(struct excerpt *x, const char *p, size_t n)
{
    if (x->full) {
        return;
    }
    size_t need = n + (x->pending_space && x->len > 0 ? 1 : 0);
    if (x->chars >= ARTICLE_EXCERPT_CHARS || x->len + need + 4 > x->cap) {
        x->full = true; /* room is kept for "…" and the NUL */
        return;
    }
    if (x->pending_space && x->len > 0) {
        x->out[x->len++] = ' ';
    }
    x->pending_space = false;
    memcpy(x->out + x->len, p, n);
    x->len += n;
    x->chars++;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* i at a line start: past the block marks (indent, '#', '>', a bullet or
 * "1." and the space after it); a rule line ("---", "***", "===") is
 * skipped whole. */
static size_t skip_line_marks(const char *md, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && (md[j] == ' ' || md[j] == '\t')) {
        j++;
    }
    size_t k = j;
    while (k < len && (md[k] == '-' || md[k] == '*' || md[k] == '=' || md[k] == '_' ||
                       md[k] == ' ')) {
        k++;
    }
    if (k > j + 2 && (k == len || md[k] == '\n' || md[k] == '\r')) {
        return k;
    }
    for (;;) {
        if (j < len && (md[j] == '#' || md[j] == '>')) {
            while (j < len && (md[j] == '#' || md[j] == '>')) {
                j++;
            }
        } else if (j + 1 < len && (md[j] == '-' || md[j] == '*' || md[j] == '+') &&
                   md[j + 1] == ' ') {
            j += 2;
        } else {
            size_t d = j;
            while (d < len && md[d] >= '0' && md[d] <= '9' && d - j < 9) {
                d++;
            }
            if (d > j && d + 1 < len && (md[d] == '.' || md[d] == ')') && md[d + 1] == ' ') {
                j = d + 2;
            } else {
                break;
            }
        }
        while (j < len && (md[j] == ' ' || md[j] == '\t')) {
            j++;
        }
    }
    return j;
}

/* i at '<': the index past a tag's '>' on the same line when it looks like
 * a tag ("<b", "</b", "<!--"), else i (a plain '<'). */
static size_t skip_tag(const char *md, size_t len, size_t i)
{
    if (i + 1 >= len) {
        return i;
    }
    char c = md[i + 1];
    bool tagish = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!';
    if (!tagish) {
        return i;
    }
    for (size_t j = i + 1; j < len && md[j] != '\n'; j++) {
        if (md[j] == '>') {
            return j + 1;
        }
    }
    return i;
}

/* i at '(' right after ']': past the matching ')' on the same line, else i. */
static size_t skip_target(const char *md, size_t len, size_t i)
{
    for (size_t j = i + 1; j < len && md[j] != '\n'; j++) {
        if (md[j] == ')') {
            return j + 1;
        }
    }
    return i;
}

size_t articles_excerpt(const char *md, size_t len, char *out, size_t cap)
{
    struct excerpt x = {.out = out, .cap = cap};
    if (cap == 0) {
        return 0;
    }
    size_t i = 0;
    bool line_start = true;
    while (i < len && !x.full) {
        if (line_start) {
            i = skip_line_marks(md, len, i);
            line_start = false;
            continue;
        }
        char c = md[i];
        if (c == '\n') {
            x.pending_space = true;
            line_start = true;
            i++;
        } else if (is_space(c) || c == '|') {
            x.pending_space = true;
            i++;
        } else if (c == '*' || c == '_' || c == '`' || c == '~' || c == '[' ||
                   (c == '!' && i + 1 < len && md[i + 1] == '[')) {
            i++;
        } else if (c == ']') {
            i++;
            if (i < len && md[i] == '(') {
                i = skip_target(md, len, i);
            }
        } else if (c == '<' && skip_tag(md, len, i) != i) {
            i = skip_tag(md, len, i);
            x.pending_space = x.pending_space || x.len > 0;
        } else {
            size_t n = seq_len((unsigned char)c);
            if (i + n > len) {
                break; /* a cut sequence at the end of a head */
            }
            excerpt_put(&x, md + i, n);
            if (!x.full) {
                i += n;
            }
        }
    }
    if (x.full) {
        memcpy(out + x.len, "\xe2\x80\xa6", 3); /* … */
        x.len += 3;
    }
    out[x.len] = '\0';
    return x.len;
}

/* ------------------------------------------------------------ readers */

enum err articles_viewer_of(struct store_conn *c, const struct auth_user *u,
                            struct articles_viewer *out)
{
    memset(out, 0, sizeof(*out));
    if (u == NULL) {
        out->anonymous = true;
        return ERR_OK;
    }
    if (u->role == AUTH_ROLE_MEMBER) {
        enum err e = store_org_member_path(c, u->member_id, out->path);
        if (e == ERR_NOT_FOUND) {
            out->anonymous = true; /* an account without its member reads as anyone */
            out->path[0] = '\0';
            return ERR_OK;
        }
        return e;
    }
    snprintf(out->path, sizeof(out->path), "%s", u->org_path);
    out->subtree = true;
    return ERR_OK;
}

static bool has_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return n > 0 && strncmp(s, prefix, n) == 0;
}

bool articles_viewer_sees(const struct articles_viewer *v, const char *org_path, bool org_is_root)
{
    if (v->anonymous || v->path[0] == '\0') {
        return org_is_root;
    }
    if (has_prefix(v->path, org_path)) {
        return true; /* the reader's own organisation or an ancestor */
    }
    return v->subtree && has_prefix(org_path, v->path);
}

static bool is_readable(const struct articles_viewer *v, struct date today,
                        const struct store_article *a)
{
    char day[DATE_TEXT_LEN + 1];
    date_format(today, day);
    return strcmp(a->status, "published") == 0 && a->publish_date[0] != '\0' &&
           strcmp(a->publish_date, day) <= 0 &&
           articles_viewer_sees(v, a->org_path, a->org_is_root);
}

enum err articles_get_public(struct store_conn *c, const struct articles_viewer *v,
                             struct date today, int64_t id, struct store_article *out)
{
    enum err e = store_article_get(c, id, out);
    if (e != ERR_OK) {
        return e;
    }
    return is_readable(v, today, out) ? ERR_OK : ERR_NOT_FOUND;
}

static void set_field(char field[ARTICLE_FIELD_MAX], const char *name)
{
    if (field != NULL) {
        snprintf(field, ARTICLE_FIELD_MAX, "%s", name);
    }
}

enum err articles_list_public(struct store_conn *c, const struct articles_viewer *v,
                              struct date today, const char *category, int64_t after_id,
                              size_t limit,
                              enum err (*fn)(const struct store_article *a, void *ctx), void *ctx,
                              size_t *out_n, char field[ARTICLE_FIELD_MAX])
{
    set_field(field, "");
    if (category != NULL && !articles_category_is_valid(category)) {
        set_field(field, "category");
        return ERR_INVALID;
    }
    if (limit == 0 || limit > LIMIT_PAGE_MAX) {
        set_field(field, "limit");
        return ERR_INVALID;
    }
    char day[DATE_TEXT_LEN + 1];
    date_format(today, day);
    struct store_article_public q = {
        .viewer_path = v->anonymous ? "" : v->path,
        .subtree = v->subtree,
        .today = day,
        .category = category,
        .after_id = after_id,
        .limit = limit,
    };
    return store_article_public_each(c, &q, fn, ctx, out_n);
}

/* ------------------------------------------------------------ writers */

static enum err require_writer(const struct auth_user *u)
{
    return u != NULL && auth_role_in(u, ARTICLE_WRITERS) ? ERR_OK : ERR_FORBIDDEN;
}

enum err articles_get_managed(struct store_conn *c, const struct auth_user *u, int64_t id,
                              struct store_article *out)
{
    enum err e = require_writer(u);
    if (e == ERR_OK) {
        e = store_article_get(c, id, out);
    }
    if (e == ERR_OK && !auth_org_in_scope(u, out->org_path)) {
        e = ERR_NOT_FOUND;
    }
    return e;
}

enum err articles_list_managed(struct store_conn *c, const struct auth_user *u,
                               const char *status, const char *category, int64_t before_id,
                               size_t limit,
                               enum err (*fn)(const struct store_article *a, void *ctx), void *ctx,
                               size_t *out_n, char field[ARTICLE_FIELD_MAX])
{
    set_field(field, "");
    enum err e = require_writer(u);
    if (e != ERR_OK) {
        return e;
    }
    if (status != NULL && !articles_status_is_valid(status)) {
        set_field(field, "status");
        return ERR_INVALID;
    }
    if (category != NULL && !articles_category_is_valid(category)) {
        set_field(field, "category");
        return ERR_INVALID;
    }
    if (limit == 0 || limit > LIMIT_PAGE_MAX) {
        set_field(field, "limit");
        return ERR_INVALID;
    }
    struct store_article_filter f = {
        .path_prefix = u->org_path,
        .status = status,
        .category = category,
        .before_id = before_id,
        .limit = limit,
    };
    return store_article_manage_each(c, &f, fn, ctx, out_n);
}

/* Checks the fields in has_* and copies them into a; on create every
 * field must be there. */
static enum err apply_edit(struct store_conn *c, const struct auth_user *u,
                           const struct articles_edit *in, bool create, struct store_article *a,
                           char field[ARTICLE_FIELD_MAX])
{
    static const char *const names[] = {"org_id", "category", "title", "body_md"};
    const bool has[] = {in->has_org_id, in->has_category, in->has_title, in->has_body};
    bool any = false;
    for (size_t i = 0; i < 4; i++) {
        if (create && !has[i]) {
            set_field(field, names[i]);
            return ERR_MISSING_FIELD;
        }
        any = any || has[i];
    }
    if (!any) {
        set_field(field, "");
        return ERR_INVALID;
    }
    if (in->has_category && !articles_category_is_valid(in->category)) {
        set_field(field, "category");
        return ERR_INVALID;
    }
    if (in->has_title && articles_check_title(in->title, in->title_len) != ERR_OK) {
        set_field(field, "title");
        return ERR_INVALID;
    }
    if (in->has_body) {
        enum err e = articles_check_body(in->body_md, in->body_len);
        if (e != ERR_OK) {
            set_field(field, "body_md");
            return e;
        }
    }
    if (in->has_org_id) {
        struct store_org_row org;
        enum err e = in->org_id > 0 ? store_org_get(c, in->org_id, &org) : ERR_NOT_FOUND;
        if (e == ERR_OK && !auth_org_in_scope(u, org.path)) {
            e = ERR_NOT_FOUND;
        }
        if (e != ERR_OK) {
            set_field(field, "org_id");
            return e;
        }
        a->org_id = org.id;
        snprintf(a->org_code, sizeof(a->org_code), "%s", org.code);
    }
    if (in->has_category) {
        snprintf(a->category, sizeof(a->category), "%s", in->category);
    }
    if (in->has_title) {
        memcpy(a->title, in->title, in->title_len); /* checked: <= 100 chars, 400 bytes */
        a->title[in->title_len] = '\0';
    }
    if (in->has_body) {
        memcpy(a->body_md, in->body_md, in->body_len);
        a->body_md[in->body_len] = '\0';
        a->body_len = in->body_len;
    }
    return ERR_OK;
}

/* Appends the audit event of an article action (caller's transaction).
 * The detail names the organisation, category, state and date, never the
 * title (free text could hold a digit run the audit refuses). */
static enum err article_audit(struct store_conn *c, const struct auth_user *u,
                              const char *request_id, int64_t now_ms, const char *action,
                              const struct store_article *a)
{
    char detail[256], idt[24];
    snprintf(idt, sizeof(idt), "%lld", (long long)a->id);
    const char *pairs[] = {"category", a->category, "org", a->org_code,
                           "publish_date", a->publish_date, "status", a->status};
    enum err e = audit_detail_pairs(pairs, 4, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    struct audit_event ev = {
        .at_ms = now_ms,
        .action = action,
        .object_type = "article",
        .object_id = idt,
        .detail = detail,
    };
    auth_actor_of(u, request_id != NULL ? request_id : "", &ev.actor);
    return audit_append(c, &ev, NULL);
}

enum article_op { OP_CREATE, OP_UPDATE, OP_PUBLISH, OP_WITHDRAW };

struct change_ctx {
    const struct auth_user *u;
    const char *request_id;
    enum article_op op;
    int64_t id;
    const struct articles_edit *in;
    struct date publish_date;
    int64_t now_ms;
    char *field;
    struct store_article *a; /* heap: a body is 20 KB */
};

static enum err change_tx(struct store_conn *c, void *arg)
{
    struct change_ctx *x = arg;
    struct store_article *a = x->a;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    if (x->op == OP_CREATE) {
        memset(a, 0, sizeof(*a));
        if ((e = apply_edit(c, x->u, x->in, true, a, x->field)) != ERR_OK) {
            return e;
        }
        snprintf(a->status, sizeof(a->status), "draft");
        a->created_by = a->updated_by = x->u->id;
        a->created_at_ms = a->updated_at_ms = x->now_ms;
        if ((e = store_article_insert(c, a, &a->id)) != ERR_OK) {
            return e;
        }
        return article_audit(c, x->u, x->request_id, x->now_ms, "article.create", a);
    }
    if ((e = articles_get_managed(c, x->u, x->id, a)) != ERR_OK) {
        set_field(x->field, "id");
        return e;
    }
    const char *action = "article.update";
    if (x->op == OP_UPDATE) {
        e = apply_edit(c, x->u, x->in, false, a, x->field);
    } else if (x->op == OP_PUBLISH) {
        action = "article.publish";
        if (strcmp(a->status, "published") == 0) {
            set_field(x->field, "status");
            return ERR_CONFLICT;
        }
        snprintf(a->status, sizeof(a->status), "published");
        date_format(x->publish_date, a->publish_date);
    } else {
        action = "article.withdraw";
        if (strcmp(a->status, "published") != 0) {
            set_field(x->field, "status");
            return ERR_CONFLICT;
        }
        snprintf(a->status, sizeof(a->status), "withdrawn");
    }
    if (e != ERR_OK) {
        return e;
    }
    a->updated_by = x->u->id;
    a->updated_at_ms = x->now_ms;
    if ((e = store_article_update(c, a)) != ERR_OK) {
        return e;
    }
    return article_audit(c, x->u, x->request_id, x->now_ms, action, a);
}

static enum err change(struct store_conn *c, struct change_ctx *x)
{
    enum err e = require_writer(x->u);
    if (e != ERR_OK) {
        return e;
    }
    x->a = malloc(sizeof(*x->a));
    if (x->a == NULL) {
        return ERR_NOMEM;
    }
    e = store_with_tx(c, change_tx, x);
    if (e == ERR_OK && x->op == OP_CREATE) {
        x->id = x->a->id;
    }
    free(x->a);
    return e;
}

enum err articles_create(struct store_conn *c, const struct auth_user *u, const char *request_id,
                         const struct articles_edit *in, int64_t now_ms, int64_t *out_id,
                         char field[ARTICLE_FIELD_MAX])
{
    set_field(field, "");
    struct change_ctx x = {.u = u, .request_id = request_id, .op = OP_CREATE, .in = in,
                           .now_ms = now_ms, .field = field};
    enum err e = change(c, &x);
    if (e == ERR_OK) {
        *out_id = x.id;
    }
    return e;
}

enum err articles_update(struct store_conn *c, const struct auth_user *u, const char *request_id,
                         int64_t id, const struct articles_edit *in, int64_t now_ms,
                         char field[ARTICLE_FIELD_MAX])
{
    set_field(field, "");
    struct change_ctx x = {.u = u, .request_id = request_id, .op = OP_UPDATE, .id = id,
                           .in = in, .now_ms = now_ms, .field = field};
    return change(c, &x);
}

enum err articles_publish(struct store_conn *c, const struct auth_user *u, const char *request_id,
                          int64_t id, struct date publish_date, int64_t now_ms)
{
    struct change_ctx x = {.u = u, .request_id = request_id, .op = OP_PUBLISH, .id = id,
                           .publish_date = publish_date, .now_ms = now_ms};
    return change(c, &x);
}

enum err articles_withdraw(struct store_conn *c, const struct auth_user *u,
                           const char *request_id, int64_t id, int64_t now_ms)
{
    struct change_ctx x = {.u = u, .request_id = request_id, .op = OP_WITHDRAW, .id = id,
                           .now_ms = now_ms};
    return change(c, &x);
}
