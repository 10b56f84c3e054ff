/*
 * route_portal: the union's articles (宣传专栏).
 *
 *   GET   /api/v1/articles                 public: published articles the caller may
 *                                          read, newest publish date first; category,
 *                                          after (the last id of the previous page),
 *                                          limit -> {articles: [...], next_after}
 *   GET   /api/v1/articles/:id             public: one of those, with body_md
 *   GET   /api/v1/articles/manage          writers: the subtree's articles in any
 *                                          state, newest first; status, category,
 *                                          after, limit -> {articles, next_after}
 *   GET   /api/v1/articles/manage/:id      writers: one of those, with body_md
 *   POST  /api/v1/articles                 writers: a draft -> 201 the article
 *   PATCH /api/v1/articles/:id             writers: title, category, body_md, org_id
 *   POST  /api/v1/articles/:id/publish     writers: {publish_date}
 *   POST  /api/v1/articles/:id/withdraw    writers
 * Writers are admin, supervisor and unit_staff, within their subtree.
 *
 * The reading routes are public, so the middleware does not look at the
 * session cookie and req->user is NULL there: reader_of() opens the
 * session itself when a cookie is sent. A missing, unknown or expired
 * session reads as an anonymous caller (root organisations' articles), never
 * as an error: the portal home must open for anyone.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json_util.h"
#include "core/limits.h"
#include "domain/articles.h"
#include "http/handle.h"
#include "http/routes.h"

/* ------------------------------------------------------------ rendering */

static json_t *org_json(const struct store_article *a)
{
    return json_pack("{s:I,s:s,s:s}", "id", (json_int_t)a->org_id, "code", a->org_code, "name",
                     a->org_name);
}

static json_t *date_json(const char *day)
{
    return day[0] != '\0' ? json_string(day) : json_null();
}

/* A list row: no body, a plain-text excerpt of its head. */
static json_t *brief_json(const struct store_article *a, bool staff)
{
    char excerpt[ARTICLE_EXCERPT_MAX];
    articles_excerpt(a->body_md, a->body_len, excerpt, sizeof(excerpt));
    json_t *o = json_pack("{s:I,s:o,s:s,s:s,s:o,s:s}", "id", (json_int_t)a->id, "org",
                          org_json(a), "category", a->category, "title", a->title,
                          "publish_date", date_json(a->publish_date), "excerpt", excerpt);
    if (o != NULL && staff &&
        (json_object_set_new(o, "status", json_string(a->status)) != 0 ||
         json_object_set_new(o, "updated_at_ms", json_integer((json_int_t)a->updated_at_ms)) !=
             0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *user_json(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

/* One article with its body; staff also get state and who changed it. */
static json_t *article_json(const struct store_article *a, bool staff)
{
    json_t *o = brief_json(a, staff);
    if (o == NULL || json_object_set_new(o, "body_md", json_string(a->body_md)) != 0) {
        json_decref(o);
        return NULL;
    }
    if (staff && (json_object_set_new(o, "created_by", user_json(a->created_by)) != 0 ||
                  json_object_set_new(o, "updated_by", user_json(a->updated_by)) != 0 ||
                  json_object_set_new(o, "created_at_ms",
                                      json_integer((json_int_t)a->created_at_ms)) != 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A domain error, naming its field when there is one. */
static enum err fail(struct http_response *resp, enum err e, const char *field)
{
    const char *f = field != NULL && field[0] != '\0' ? field : NULL;
    switch (e) {
    case ERR_NOT_FOUND:
        if (f != NULL && strcmp(f, "org_id") == 0) {
            return http_response_fail(resp, e, f, "no such organisation in your subtree");
        }
        return http_response_fail(resp, e, "id", "no such article");
    case ERR_MISSING_FIELD:
        return http_response_fail(resp, e, f, "this field is required");
    case ERR_INVALID:
        if (f == NULL) {
            return http_response_fail(resp, e, NULL, "nothing to change");
        }
        if (strcmp(f, "title") == 0) {
            return http_response_fail(resp, e, f, "1 to 100 characters, no control characters");
        }
        if (strcmp(f, "body_md") == 0) {
            return http_response_fail(resp, e, f,
                                      "1 to 20000 bytes of UTF-8 text, not only white space");
        }
        if (strcmp(f, "category") == 0) {
            return http_response_fail(resp, e, f, "must be plan, guide, faq or case");
        }
        if (strcmp(f, "status") == 0) {
            return http_response_fail(resp, e, f, "must be draft, published or withdrawn");
        }
        return http_response_fail(resp, e, f, "not a valid value");
    case ERR_CONFLICT:
        return http_response_fail(resp, e, "status",
                                  "the article is not in a state that allows this");
    default:
        return e;
    }
}

/* ------------------------------------------------------------ readers */

/* The caller of a public route: the signed-in user when the request
 * carries a live session, else NULL. *out points into req->arena. */
static enum err reader_of(struct http_request *req, struct store_conn *c,
                          const struct auth_user **out)
{
    *out = req->user;
    if (*out != NULL) {
        return ERR_OK;
    }
    const char *cookie = http_request_header(req, "Cookie");
    size_t len = 0;
    const char *token =
        cookie != NULL ? http_cookie_find(cookie, HTTP_SESSION_COOKIE, &len) : NULL;
    if (token == NULL) {
        return ERR_OK;
    }
    struct auth_session *s = arena_alloc(req->arena, sizeof(*s));
    if (s == NULL) {
        return ERR_NOMEM;
    }
    enum err e = auth_session_check(c, req->auth, token, len, auth_now_ms(), s);
    if (e == ERR_UNAUTHENTICATED) {
        return ERR_OK; /* an ended session reads as anyone */
    }
    if (e == ERR_OK) {
        *out = &s->user;
    }
    return e;
}

static enum err viewer_of(struct http_request *req, struct store_conn **c,
                          struct articles_viewer *v)
{
    enum err e = http_request_store(req, c);
    const struct auth_user *u = NULL;
    if (e == ERR_OK) {
        e = reader_of(req, *c, &u);
    }
    if (e == ERR_OK) {
        e = articles_viewer_of(*c, u, v);
    }
    return e;
}

struct list_ctx {
    json_t *list;
    int64_t last_id;
    bool staff;
};

static enum err add_row(const struct store_article *a, void *arg)
{
    struct list_ctx *x = arg;
    json_t *o = brief_json(a, x->staff);
    if (o == NULL || json_array_append_new(x->list, o) != 0) {
        return ERR_NOMEM;
    }
    x->last_id = a->id;
    return ERR_OK;
}

static enum err send_list(struct http_response *resp, struct list_ctx *x, size_t n,
                          int64_t limit)
{
    json_t *next = n == (size_t)limit ? json_integer((json_int_t)x->last_id) : json_null();
    return http_reply_json(
        resp, 200, json_pack("{s:o,s:o}", "articles", x->list, "next_after", next));
}

/* after and limit of a page. */
static enum err page_args(struct http_request *req, struct http_response *resp, int64_t *after,
                          int64_t *limit)
{
    enum err e = http_request_query_int(req, resp, "after", 0, INT64_MAX / 2, 0, after);
    if (e == ERR_OK) {
        e = http_request_query_int(req, resp, "limit", 1, LIMIT_PAGE_MAX, LIMIT_PAGE_DEFAULT,
                                   limit);
    }
    return e;
}

enum err route_articles_list(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"category", "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t after = 0, limit = 0;
    if (e == ERR_OK) {
        e = page_args(req, resp, &after, &limit);
    }
    struct store_conn *c;
    struct articles_viewer v;
    if (e == ERR_OK) {
        e = viewer_of(req, &c, &v);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct list_ctx x = {.list = json_array()};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    char field[ARTICLE_FIELD_MAX];
    e = articles_list_public(c, &v, date_today(), http_request_query(req, "category"), after,
                             (size_t)limit, add_row, &x, &n, field);
    if (e != ERR_OK) {
        json_decref(x.list);
        return fail(resp, e, field);
    }
    return send_list(resp, &x, n, limit);
}

enum err route_articles_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    struct store_conn *c;
    struct articles_viewer v;
    if (e == ERR_OK) {
        e = viewer_of(req, &c, &v);
    }
    struct store_article *a = NULL;
    if (e == ERR_OK) {
        a = malloc(sizeof(*a));
        e = a != NULL ? ERR_OK : ERR_NOMEM;
    }
    if (e == ERR_OK) {
        e = articles_get_public(c, &v, date_today(), id, a);
    }
    if (e == ERR_OK) {
        e = http_reply_json(resp, 200, article_json(a, false));
    }
    free(a);
    return e != ERR_OK ? fail(resp, e, NULL) : ERR_OK;
}

/* ------------------------------------------------------------ writers */

enum err route_articles_manage(struct http_request *req, struct http_response *resp)
{
    static const char *const args[] = {"status", "category", "after", "limit"};
    enum err e = http_request_query_only(req, resp, args, sizeof(args) / sizeof(args[0]));
    int64_t after = 0, limit = 0;
    if (e == ERR_OK) {
        e = page_args(req, resp, &after, &limit);
    }
    struct store_conn *c;
    if (e == ERR_OK) {
        e = http_request_store(req, &c);
    }
    if (e != ERR_OK) {
        return e;
    }
    struct list_ctx x = {.list = json_array(), .staff = true};
    if (x.list == NULL) {
        return ERR_NOMEM;
    }
    size_t n = 0;
    char field[ARTICLE_FIELD_MAX];
    e = articles_list_managed(c, req->user, http_request_query(req, "status"),
                              http_request_query(req, "category"), after, (size_t)limit, add_row,
                              &x, &n, field);
    if (e != ERR_OK) {
        json_decref(x.list);
        return fail(resp, e, field);
    }
    return send_list(resp, &x, n, limit);
}

/* Answers article id as the caller manages it, with status. */
static enum err send_managed(struct http_request *req, struct http_response *resp,
                             struct store_conn *c, int64_t id, unsigned status)
{
    struct store_article *a = malloc(sizeof(*a));
    if (a == NULL) {
        return ERR_NOMEM;
    }
    enum err e = articles_get_managed(c, req->user, id, a);
    if (e == ERR_OK) {
        e = http_reply_json(resp, status, article_json(a, true));
    }
    free(a);
    return e != ERR_OK ? fail(resp, e, NULL) : ERR_OK;
}

enum err route_articles_manage_get(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    enum err e = http_request_param_id(req, "id", &id);
    struct store_conn *c;
    if (e == ERR_OK) {
        e = http_request_store(req, &c);
    }
    if (e != ERR_OK) {
        return fail(resp, e, NULL);
    }
    return send_managed(req, resp, c, id, 200);
}

enum { F_ORG, F_CATEGORY, F_TITLE, F_BODY, F__COUNT };

/* The edit fields of a body; all required when create. */
static enum err decode_edit(struct http_request *req, struct http_response *resp, bool create,
                            struct articles_edit *in)
{
    const struct json_field fields[F__COUNT] = {
        [F_ORG] = {.name = "org_id", .kind = JSON_KIND_INT64, .required = create,
                   .min_value = 1, .max_value = INT64_MAX / 2},
        [F_CATEGORY] = {.name = "category", .kind = JSON_KIND_STRING, .required = create,
                        .min = 1, .max = STORE_ARTICLE_WORD_MAX},
        [F_TITLE] = {.name = "title", .kind = JSON_KIND_STRING, .required = create, .min = 1,
                     .max = ARTICLE_TITLE_MAX_CHARS},
        [F_BODY] = {.name = "body_md", .kind = JSON_KIND_STRING, .required = create, .min = 1,
                    .max = ARTICLE_BODY_MAX_BYTES},
    };
    struct json_value v[F__COUNT];
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, fields, F__COUNT, v, &jerr);
    if (e != ERR_OK) {
        if (e == ERR_INVALID && strcmp(jerr.field, "category") == 0) {
            return fail(resp, e, "category"); /* the list of categories says more */
        }
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL,
                                  jerr.message);
    }
    memset(in, 0, sizeof(*in));
    in->has_org_id = v[F_ORG].present;
    in->org_id = v[F_ORG].int64;
    in->has_category = v[F_CATEGORY].present;
    in->category = v[F_CATEGORY].text;
    in->has_title = v[F_TITLE].present;
    in->title = v[F_TITLE].text;
    in->title_len = v[F_TITLE].len;
    in->has_body = v[F_BODY].present;
    in->body_md = v[F_BODY].text;
    in->body_len = v[F_BODY].len;
    return ERR_OK;
}

enum err route_articles_create(struct http_request *req, struct http_response *resp)
{
    struct articles_edit in;
    enum err e = decode_edit(req, resp, true, &in);
    struct store_conn *c;
    if (e == ERR_OK) {
        e = http_request_store(req, &c);
    }
    if (e != ERR_OK) {
        return e;
    }
    int64_t id = 0;
    char field[ARTICLE_FIELD_MAX];
    e = articles_create(c, req->user, req->request_id, &in, auth_now_ms(), &id, field);
    if (e != ERR_OK) {
        return fail(resp, e, field);
    }
    return send_managed(req, resp, c, id, 201);
}

/* The :id of the path and the request's connection. */
static enum err id_and_conn(struct http_request *req, int64_t *id, struct store_conn **c)
{
    enum err e = http_request_param_id(req, "id", id);
    if (e == ERR_OK) {
        e = http_request_store(req, c);
    }
    return e;
}

enum err route_articles_update(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = id_and_conn(req, &id, &c);
    if (e != ERR_OK) {
        return fail(resp, e, NULL);
    }
    struct articles_edit in;
    if ((e = decode_edit(req, resp, false, &in)) != ERR_OK) {
        return e;
    }
    char field[ARTICLE_FIELD_MAX];
    e = articles_update(c, req->user, req->request_id, id, &in, auth_now_ms(), field);
    if (e != ERR_OK) {
        return fail(resp, e, field);
    }
    return send_managed(req, resp, c, id, 200);
}

enum err route_articles_publish(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = id_and_conn(req, &id, &c);
    if (e != ERR_OK) {
        return fail(resp, e, NULL);
    }
    static const struct json_field fields[] = {
        {.name = "publish_date", .kind = JSON_KIND_DATE, .required = true},
    };
    struct json_value v[1];
    struct json_util_error jerr;
    e = json_util_decode(req->body, fields, 1, v, &jerr);
    if (e != ERR_OK) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL,
                                  jerr.message);
    }
    e = articles_publish(c, req->user, req->request_id, id, v[0].date, auth_now_ms());
    if (e != ERR_OK) {
        return fail(resp, e, NULL);
    }
    return send_managed(req, resp, c, id, 200);
}

enum err route_articles_withdraw(struct http_request *req, struct http_response *resp)
{
    int64_t id;
    struct store_conn *c;
    enum err e = id_and_conn(req, &id, &c);
    if (e == ERR_OK) {
        e = articles_withdraw(c, req->user, req->request_id, id, auth_now_ms());
    }
    if (e != ERR_OK) {
        return fail(resp, e, NULL);
    }
    return send_managed(req, resp, c, id, 200);
}
