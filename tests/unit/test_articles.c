/*
 * test_articles: the articles domain — validation of category, title and
 * body at their boundaries, the plain-text excerpt, who sees what
 * (anonymous: roots; a member: own organisation and ancestors; staff: also
 * the subtree), and the lifecycle on SQLite and PostgreSQL
 * (HUZHU_TEST_PG_URL, schema t_articles): a draft and a future date are
 * invisible, publish and withdraw refuse the wrong state, writers outside
 * the subtree find nothing, and every change leaves one audit event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* the shared fixture has helpers this test does not need */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "enrol_fixture.h"

#include "domain/articles.h"
#include "domain/audit.h"
#include "store/store_org.h"

/* ------------------------------------------------------------ validation */

static void test_category_status(void **state)
{
    (void)state;
    assert_true(articles_category_is_valid("plan"));
    assert_true(articles_category_is_valid("guide"));
    assert_true(articles_category_is_valid("faq"));
    assert_true(articles_category_is_valid("case"));
    assert_false(articles_category_is_valid("news"));
    assert_false(articles_category_is_valid("Plan"));
    assert_false(articles_category_is_valid(""));
    assert_false(articles_category_is_valid(NULL));
    assert_true(articles_status_is_valid("draft"));
    assert_true(articles_status_is_valid("published"));
    assert_true(articles_status_is_valid("withdrawn"));
    assert_false(articles_status_is_valid("deleted"));
}

static void test_title(void **state)
{
    (void)state;
    char t[512];
    assert_int_equal(articles_check_title("互助", strlen("互助")), ERR_OK);
    /* 100 characters of 3 bytes each: the boundary */
    t[0] = '\0';
    for (int i = 0; i < 100; i++) {
        strcat(t, "保");
    }
    assert_int_equal(articles_check_title(t, strlen(t)), ERR_OK);
    strcat(t, "障");
    assert_int_equal(articles_check_title(t, strlen(t)), ERR_INVALID);
    assert_int_equal(articles_check_title("", 0), ERR_INVALID);
    assert_int_equal(articles_check_title("   ", 3), ERR_INVALID);
    assert_int_equal(articles_check_title("a\nb", 3), ERR_INVALID);
    assert_int_equal(articles_check_title("a\tb", 3), ERR_INVALID);
    assert_int_equal(articles_check_title("\xe4\xba", 2), ERR_INVALID); /* cut sequence */
    assert_int_equal(articles_check_title("\xff", 1), ERR_INVALID);
}

static void test_body(void **state)
{
    (void)state;
    char *b = malloc(ARTICLE_BODY_MAX_BYTES + 2);
    assert_non_null(b);
    memset(b, 'x', ARTICLE_BODY_MAX_BYTES + 1);
    assert_int_equal(articles_check_body(b, ARTICLE_BODY_MAX_BYTES), ERR_OK);
    assert_int_equal(articles_check_body(b, ARTICLE_BODY_MAX_BYTES + 1), ERR_INVALID);
    free(b);
    assert_int_equal(articles_check_body("# 标题\r\n\n\t正文", strlen("# 标题\r\n\n\t正文")),
                     ERR_OK);
    assert_int_equal(articles_check_body("<script>alert(1)</script>", 25), ERR_OK); /* verbatim */
    assert_int_equal(articles_check_body("", 0), ERR_INVALID);
    assert_int_equal(articles_check_body(" \n\t\r", 4), ERR_INVALID);
    assert_int_equal(articles_check_body("a\0b", 3), ERR_INVALID);
    assert_int_equal(articles_check_body("a\x1b[0m", 5), ERR_INVALID);
    assert_int_equal(articles_check_body("\xc3\x28", 2), ERR_INVALID);
}

static void test_excerpt(void **state)
{
    (void)state;
    char out[ARTICLE_EXCERPT_MAX];
    const char *md = "# 住院互助\n\n> 引用\n\n- **第一**条\n2. 第二 [链接](https://x.cn/a)\n"
                     "---\n<script>alert(1)</script> `代码` a < b";
    size_t n = articles_excerpt(md, strlen(md), out, sizeof(out));
    assert_string_equal(out, "住院互助 引用 第一条 第二 链接 alert(1) 代码 a < b");
    assert_int_equal(n, strlen(out));

    /* 81 characters: cut at 80 with an ellipsis, never inside a sequence */
    char long_md[400] = "";
    for (int i = 0; i < 81; i++) {
        strcat(long_md, "互");
    }
    n = articles_excerpt(long_md, strlen(long_md), out, sizeof(out));
    assert_int_equal(n, 80 * 3 + 3);
    assert_memory_equal(out + 240, "\xe2\x80\xa6", 3);
    /* exactly 80: no ellipsis */
    n = articles_excerpt(long_md, 240, out, sizeof(out));
    assert_int_equal(n, 240);
    /* a head cut inside a sequence drops the partial character */
    n = articles_excerpt(long_md, 7, out, sizeof(out));
    assert_string_equal(out, "互互");
    /* a small buffer still ends in a whole character and a NUL */
    char small[8];
    n = articles_excerpt(long_md, strlen(long_md), small, sizeof(small));
    assert_true(n < sizeof(small));
    assert_int_equal(small[n], '\0');
    assert_int_equal(n % 3, 0);
    assert_int_equal(articles_excerpt("", 0, out, sizeof(out)), 0);
}

static void test_viewer_sees(void **state)
{
    (void)state;
    struct articles_viewer anon = {.anonymous = true};
    assert_true(articles_viewer_sees(&anon, "/1/", true));
    assert_false(articles_viewer_sees(&anon, "/1/3/", false));

    struct articles_viewer member = {.path = "/1/3/4/"};
    assert_true(articles_viewer_sees(&member, "/1/3/4/", false));
    assert_true(articles_viewer_sees(&member, "/1/3/", false));
    assert_true(articles_viewer_sees(&member, "/1/", true));
    assert_false(articles_viewer_sees(&member, "/1/3/4/5/", false)); /* below: staff only */
    assert_false(articles_viewer_sees(&member, "/1/6/", false));      /* a sibling */
    assert_false(articles_viewer_sees(&member, "/1/3/40/", false));   /* prefix of digits */

    struct articles_viewer staff = {.path = "/1/3/", .subtree = true};
    assert_true(articles_viewer_sees(&staff, "/1/3/4/5/", false));
    assert_true(articles_viewer_sees(&staff, "/1/", true));
    assert_false(articles_viewer_sees(&staff, "/1/6/", false));
    assert_false(articles_viewer_sees(&staff, "/2/", true)); /* another root */
}

/* ------------------------------------------------------------ lifecycle */

struct world {
    int64_t unit_org;                   /* under the city: RCU */
    char unit_path[STORE_ORG_PATH_BYTES + 1];
    struct auth_user city_staff, other_staff, member, root_admin, auditor;
};

static struct world W;

static struct auth_user mk_user(int64_t id, enum auth_role role, int64_t org, const char *path)
{
    struct auth_user u;
    memset(&u, 0, sizeof(u));
    u.id = id;
    snprintf(u.login, sizeof(u.login), "a%lld", (long long)id);
    u.role = role;
    u.org_id = org;
    snprintf(u.org_path, sizeof(u.org_path), "%s", path);
    return u;
}

static void add_app_user(struct fixture *f, int64_t id, const char *role, int64_t org,
                         int64_t member_id)
{
    char sql[512];
    char member[32] = "NULL";
    if (member_id > 0) {
        snprintf(member, sizeof(member), "%lld", (long long)member_id);
    }
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (id, login, role, org_id, password_hash, member_id,"
             " created_at_s, password_changed_at_s) VALUES (%lld, 'a%lld', '%s', %lld, 'x', %s,"
             " 0, 0)",
             (long long)id, (long long)id, role, (long long)org, member);
    assert_int_equal(db_exec(f->c->db, sql), ERR_OK);
}

static int world_setup(struct fixture *f)
{
    if (store_tx_begin(f->c) != ERR_OK) {
        return -1;
    }
    W.unit_org = fx_org(f, "RCU", f->city_org, W.unit_path, sizeof(W.unit_path));
    int64_t em = fx_employer(f, W.unit_org, 1);
    int64_t mb = fx_member(f, W.unit_org, em, "F", "1990-01-01", "courier", 0);
    if (store_tx_commit(f->c) != ERR_OK) {
        return -1;
    }
    add_app_user(f, 101, "unit_staff", f->city_org, 0);
    add_app_user(f, 102, "unit_staff", f->other_org, 0);
    add_app_user(f, 103, "member", W.unit_org, mb);
    add_app_user(f, 104, "admin", f->root_org, 0);
    add_app_user(f, 105, "auditor", f->root_org, 0);
    W.city_staff = mk_user(101, AUTH_ROLE_UNIT_STAFF, f->city_org, f->city_path);
    W.other_staff = mk_user(102, AUTH_ROLE_UNIT_STAFF, f->other_org, f->other_path);
    W.member = mk_user(103, AUTH_ROLE_MEMBER, W.unit_org, W.unit_path);
    W.member.member_id = mb;
    struct store_org_row root;
    if (store_org_get(f->c, f->root_org, &root) != ERR_OK) {
        return -1;
    }
    W.root_admin = mk_user(104, AUTH_ROLE_ADMIN, f->root_org, root.path);
    W.auditor = mk_user(105, AUTH_ROLE_AUDITOR, f->root_org, root.path);
    return 0;
}

static int setup_sqlite(void **state)
{
    if (fx_setup_sqlite(state, "articles") != 0) {
        return -1;
    }
    return world_setup(*state);
}

static int setup_pg(void **state)
{
    if (fx_setup_pg(state, "t_articles") != 0) {
        return -1;
    }
    return *state == NULL ? 0 : world_setup(*state);
}

static struct articles_edit edit(int64_t org, const char *category, const char *title,
                                 const char *body)
{
    struct articles_edit e = {
        .has_org_id = true, .org_id = org,
        .has_category = true, .category = category,
        .has_title = true, .title = title, .title_len = strlen(title),
        .has_body = true, .body_md = body, .body_len = strlen(body),
    };
    return e;
}

static int64_t audit_count(struct fixture *f, const char *action)
{
    struct db_stmt *st;
    bool row;
    static const char sql[] = "SELECT count(*) FROM audit_event WHERE action = $1";
    assert_int_equal(db_prepare(f->c->db, sql, &st), ERR_OK);
    db_bind_str(st, 1, action);
    assert_int_equal(db_step(st, &row), ERR_OK);
    int64_t n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

struct ids {
    int64_t id[16];
    size_t n;
};

static enum err collect(const struct store_article *a, void *ctx)
{
    struct ids *x = ctx;
    if (x->n < 16) {
        x->id[x->n++] = a->id;
    }
    return ERR_OK;
}

static bool listed(struct fixture *f, const struct auth_user *u, struct date today, int64_t id)
{
    struct articles_viewer v;
    assert_int_equal(articles_viewer_of(f->c, u, &v), ERR_OK);
    struct ids x = {0};
    size_t n = 0;
    char field[ARTICLE_FIELD_MAX];
    assert_int_equal(articles_list_public(f->c, &v, today, NULL, 0, 50, collect, &x, &n, field),
                     ERR_OK);
    for (size_t i = 0; i < x.n; i++) {
        if (x.id[i] == id) {
            return true;
        }
    }
    return false;
}

static bool readable(struct fixture *f, const struct auth_user *u, struct date today, int64_t id)
{
    struct articles_viewer v;
    assert_int_equal(articles_viewer_of(f->c, u, &v), ERR_OK);
    static struct store_article a;
    enum err e = articles_get_public(f->c, &v, today, id, &a);
    assert_true(e == ERR_OK || e == ERR_NOT_FOUND);
    assert_int_equal(listed(f, u, today, id), e == ERR_OK); /* list and get agree */
    return e == ERR_OK;
}

static void test_create_refusals(void **state)
{
    NEED_FIXTURE();
    char field[ARTICLE_FIELD_MAX];
    int64_t id = 0;
    struct articles_edit in = edit(f->city_org, "guide", "指南", "正文");
    in.has_title = false;
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field),
                     ERR_MISSING_FIELD);
    assert_string_equal(field, "title");
    in = edit(f->city_org, "news", "指南", "正文");
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field), ERR_INVALID);
    assert_string_equal(field, "category");
    in = edit(f->city_org, "guide", "", "正文");
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field), ERR_INVALID);
    assert_string_equal(field, "title");
    in = edit(f->city_org, "guide", "指南", " ");
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field), ERR_INVALID);
    assert_string_equal(field, "body_md");
    /* the root is above the city staff's subtree; the sibling beside it */
    in = edit(f->root_org, "guide", "指南", "正文");
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field),
                     ERR_NOT_FOUND);
    assert_string_equal(field, "org_id");
    in = edit(f->other_org, "guide", "指南", "正文");
    assert_int_equal(articles_create(f->c, &W.city_staff, "t", &in, 1, &id, field),
                     ERR_NOT_FOUND);
    in = edit(f->city_org, "guide", "指南", "正文");
    assert_int_equal(articles_create(f->c, &W.auditor, "t", &in, 1, &id, field), ERR_FORBIDDEN);
    assert_int_equal(articles_create(f->c, &W.member, "t", &in, 1, &id, field), ERR_FORBIDDEN);
    assert_int_equal(audit_count(f, "article.create"), 0); /* nothing was written */
}

static void test_lifecycle(void **state)
{
    NEED_FIXTURE();
    char field[ARTICLE_FIELD_MAX];
    struct date today = D("2026-03-10");
    int64_t city = 0, root = 0, other = 0;
    const char *body = "# 理赔指南\n\n<script>alert(1)</script>";
    struct articles_edit in = edit(f->city_org, "guide", "理赔指南", body);
    assert_int_equal(articles_create(f->c, &W.city_staff, "r1", &in, 1000, &city, field), ERR_OK);
    in = edit(f->root_org, "plan", "计划说明", "全省");
    assert_int_equal(articles_create(f->c, &W.root_admin, "r2", &in, 1000, &root, field), ERR_OK);
    in = edit(f->other_org, "faq", "常见问题", "兄弟市");
    assert_int_equal(articles_create(f->c, &W.other_staff, "r3", &in, 1000, &other, field),
                     ERR_OK);
    assert_int_equal(audit_count(f, "article.create"), 3);

    /* the body is kept verbatim */
    static struct store_article a;
    assert_int_equal(articles_get_managed(f->c, &W.city_staff, city, &a), ERR_OK);
    assert_string_equal(a.body_md, body);
    assert_string_equal(a.status, "draft");
    assert_string_equal(a.publish_date, "");
    assert_int_equal(a.created_by, 101);
    /* another subtree's writer finds nothing; the root admin finds it */
    assert_int_equal(articles_get_managed(f->c, &W.other_staff, city, &a), ERR_NOT_FOUND);
    assert_int_equal(articles_get_managed(f->c, &W.root_admin, city, &a), ERR_OK);

    /* drafts are invisible to every reader */
    assert_false(readable(f, &W.member, today, city));
    assert_false(readable(f, &W.city_staff, today, city));

    /* a future date: invisible until that day, visible on it */
    assert_int_equal(articles_publish(f->c, &W.city_staff, "r4", city, D("2026-03-11"), 2000),
                     ERR_OK);
    assert_false(readable(f, &W.member, today, city));
    assert_true(readable(f, &W.member, D("2026-03-11"), city));
    assert_int_equal(articles_publish(f->c, &W.city_staff, "r5", city, today, 2000),
                     ERR_CONFLICT); /* already published */
    assert_int_equal(articles_publish(f->c, &W.other_staff, "r5", city, today, 2000),
                     ERR_NOT_FOUND);
    assert_int_equal(articles_publish(f->c, &W.root_admin, "r6", root, today, 2000), ERR_OK);
    assert_int_equal(articles_publish(f->c, &W.other_staff, "r7", other, today, 2000), ERR_OK);
    assert_int_equal(audit_count(f, "article.publish"), 3);

    struct date later = D("2026-04-01");
    /* member of the unit under the city: its city and the root, not the sibling */
    assert_true(readable(f, &W.member, later, city));
    assert_true(readable(f, &W.member, later, root));
    assert_false(readable(f, &W.member, later, other));
    /* anonymous: the root only */
    assert_true(readable(f, NULL, later, root));
    assert_false(readable(f, NULL, later, city));
    /* root admin: its subtree, all three */
    assert_true(readable(f, &W.root_admin, later, other));
    assert_true(readable(f, &W.root_admin, later, city));
    /* the sibling's staff: its own and the root */
    assert_true(readable(f, &W.other_staff, later, other));
    assert_false(readable(f, &W.other_staff, later, city));

    /* update: nothing to change, a bad value, then a good one */
    struct articles_edit none = {0};
    assert_int_equal(articles_update(f->c, &W.city_staff, "r8", city, &none, 3000, field),
                     ERR_INVALID);
    assert_string_equal(field, "");
    struct articles_edit t = {.has_title = true, .title = "", .title_len = 0};
    assert_int_equal(articles_update(f->c, &W.city_staff, "r8", city, &t, 3000, field),
                     ERR_INVALID);
    assert_string_equal(field, "title");
    t = (struct articles_edit){.has_title = true, .title = "新标题", .title_len = 9};
    assert_int_equal(articles_update(f->c, &W.city_staff, "r8", city, &t, 3000, field), ERR_OK);
    assert_int_equal(articles_get_managed(f->c, &W.city_staff, city, &a), ERR_OK);
    assert_string_equal(a.title, "新标题");
    assert_string_equal(a.body_md, body); /* untouched */
    assert_string_equal(a.status, "published");
    assert_int_equal(a.updated_at_ms, 3000);
    assert_int_equal(audit_count(f, "article.update"), 1);

    /* withdraw hides it; withdrawing twice is a conflict; republish works */
    assert_int_equal(articles_withdraw(f->c, &W.city_staff, "r9", city, 4000), ERR_OK);
    assert_false(readable(f, &W.member, later, city));
    assert_int_equal(articles_withdraw(f->c, &W.city_staff, "r9", city, 4000), ERR_CONFLICT);
    assert_int_equal(articles_publish(f->c, &W.city_staff, "r10", city, later, 5000), ERR_OK);
    assert_true(readable(f, &W.member, later, city));
    assert_int_equal(audit_count(f, "article.withdraw"), 1);
    assert_int_equal(audit_count(f, "article.publish"), 4);

    /* the staff list: the subtree in any state, filtered */
    struct ids x = {0};
    size_t n = 0;
    assert_int_equal(articles_list_managed(f->c, &W.city_staff, NULL, NULL, 0, 50, collect, &x,
                                           &n, field),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(x.id[0], city);
    x.n = 0;
    assert_int_equal(articles_list_managed(f->c, &W.root_admin, "published", "faq", 0, 50,
                                           collect, &x, &n, field),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(x.id[0], other);
    x.n = 0;
    assert_int_equal(articles_list_managed(f->c, &W.root_admin, NULL, NULL, 0, 2, collect, &x,
                                           &n, field),
                     ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(x.id[0], other); /* newest id first; the page continues below it */
    struct ids y = {0};
    assert_int_equal(articles_list_managed(f->c, &W.root_admin, NULL, NULL, x.id[1], 2, collect,
                                           &y, &n, field),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(y.id[0], city);
    assert_int_equal(articles_list_managed(f->c, &W.root_admin, "gone", NULL, 0, 2, collect, &y,
                                           &n, field),
                     ERR_INVALID);
    assert_string_equal(field, "status");
    assert_int_equal(articles_list_managed(f->c, &W.member, NULL, NULL, 0, 2, collect, &y, &n,
                                           field),
                     ERR_FORBIDDEN);

    /* the portal list pages by publish date: root (03-10) after city (04-01) */
    struct articles_viewer v;
    assert_int_equal(articles_viewer_of(f->c, &W.member, &v), ERR_OK);
    x.n = 0;
    assert_int_equal(articles_list_public(f->c, &v, later, NULL, 0, 1, collect, &x, &n, field),
                     ERR_OK);
    assert_int_equal(x.id[0], city);
    assert_int_equal(articles_list_public(f->c, &v, later, NULL, city, 1, collect, &x, &n, field),
                     ERR_OK);
    assert_int_equal(x.id[1], root);
    assert_int_equal(articles_list_public(f->c, &v, later, "plan", 0, 5, collect, &y, &n, field),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(articles_list_public(f->c, &v, later, "blog", 0, 5, collect, &y, &n, field),
                     ERR_INVALID);
    assert_string_equal(field, "category");

    /* the audit chain holds after all of it */
    struct audit_verify_result r;
    assert_int_equal(audit_verify(f->c, &r), ERR_OK);
    assert_int_equal(r.why, AUDIT_INTACT);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_category_status),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_excerpt),
        cmocka_unit_test(test_viewer_sees),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_create_refusals),
        cmocka_unit_test(test_lifecycle),
    };
    int failed = cmocka_run_group_tests_name("articles", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("articles_sqlite", db, setup_sqlite, fx_teardown);
    failed += cmocka_run_group_tests_name("articles_pg", db, setup_pg, fx_teardown);
    return failed;
}
