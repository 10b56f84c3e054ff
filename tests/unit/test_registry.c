/*
 * test_registry: employer and member validation (domain/registry.h) without
 * a database: enumerations in Chinese and English, names, the hardship
 * flag, the fixed order of member checks, the age boundary, and the hooks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/registry.h"

#define T(s) ((struct registry_text){(s), sizeof(s) - 1})

static struct date day(int y, int m, int d)
{
    struct date out;
    assert_int_equal(date_from_ymd(y, m, d, &out), ERR_OK);
    return out;
}

static void test_employment(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum registry_employment want;
    } ok[] = {
        {"标准劳动关系", REGISTRY_EMPLOYMENT_STANDARD}, {"快递员", REGISTRY_EMPLOYMENT_COURIER},
        {"外卖配送员", REGISTRY_EMPLOYMENT_DELIVERY},  {"网约车司机", REGISTRY_EMPLOYMENT_RIDE_HAILING},
        {"货车司机", REGISTRY_EMPLOYMENT_TRUCK},       {"其他新就业形态", REGISTRY_EMPLOYMENT_OTHER_GIG},
        {"standard", REGISTRY_EMPLOYMENT_STANDARD},
        {"Ride_Hailing", REGISTRY_EMPLOYMENT_RIDE_HAILING},
        {" other_gig\t", REGISTRY_EMPLOYMENT_OTHER_GIG},
        {"\xE3\x80\x80快递员\xE3\x80\x80", REGISTRY_EMPLOYMENT_COURIER},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        enum registry_employment v;
        assert_int_equal(registry_employment_parse(ok[i].text, strlen(ok[i].text), &v), ERR_OK);
        assert_int_equal(v, ok[i].want);
    }
    static const char *const bad[] = {"", "  ", "临时工作", "快递", "standardx", "gig"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum registry_employment v;
        assert_int_equal(registry_employment_parse(bad[i], strlen(bad[i]), &v),
                         ERR_INVALID_EMPLOYMENT);
    }
    assert_string_equal(registry_employment_code(REGISTRY_EMPLOYMENT_RIDE_HAILING), "ride_hailing");
    assert_string_equal(registry_employment_label(REGISTRY_EMPLOYMENT_TRUCK), "货车司机");
    assert_null(registry_employment_code(REGISTRY_EMPLOYMENT__COUNT));
    /* a length shorter than the text: only that prefix is read */
    enum registry_employment v;
    assert_int_equal(registry_employment_parse("courierXYZ", 7, &v), ERR_OK);
    assert_int_equal(v, REGISTRY_EMPLOYMENT_COURIER);
}

static void test_ownership_and_size(void **state)
{
    (void)state;
    static const char *const own[] = {"机关事业", "国有", "民营", "外资", "集体", "个体"};
    static const char *const own_codes[] = {"public_sector", "state", "private",
                                            "foreign", "collective", "individual"};
    for (int i = 0; i < 6; i++) {
        enum registry_ownership o;
        assert_int_equal(registry_ownership_parse(own[i], strlen(own[i]), &o), ERR_OK);
        assert_string_equal(registry_ownership_code(o), own_codes[i]);
        assert_int_equal(registry_ownership_parse(own_codes[i], strlen(own_codes[i]), &o), ERR_OK);
        assert_string_equal(registry_ownership_code(o), own_codes[i]);
    }
    enum registry_ownership o;
    assert_int_equal(registry_ownership_parse("合资", 6, &o), ERR_INVALID_OWNERSHIP);
    assert_int_equal(registry_ownership_parse("", 0, &o), ERR_INVALID_OWNERSHIP);
    static const char *const sizes[] = {"大型", "中型", "小型", "微型", "大", "微", "LARGE", "micro"};
    static const char *const size_codes[] = {"large", "medium", "small", "micro",
                                             "large", "micro", "large", "micro"};
    for (int i = 0; i < 8; i++) {
        enum registry_size s;
        assert_int_equal(registry_size_parse(sizes[i], strlen(sizes[i]), &s), ERR_OK);
        assert_string_equal(registry_size_code(s), size_codes[i]);
    }
    enum registry_size s;
    assert_int_equal(registry_size_parse("巨型", 6, &s), ERR_INVALID_SIZE);
}

static void test_hardship(void **state)
{
    (void)state;
    static const char *const yes[] = {"是", "yes", "YES", "y", "Y", "1", "true", "True", " 是 "};
    static const char *const no[] = {"否", "no", "N", "n", "0", "false", "FALSE", "", "   "};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        bool v = false;
        assert_int_equal(registry_hardship_parse(yes[i], strlen(yes[i]), &v), ERR_OK);
        assert_true(v);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        bool v = true;
        assert_int_equal(registry_hardship_parse(no[i], strlen(no[i]), &v), ERR_OK);
        assert_false(v);
    }
    bool v;
    assert_int_equal(registry_hardship_parse("maybe", 5, &v), ERR_INVALID_HARDSHIP);
    assert_int_equal(registry_hardship_parse("2", 1, &v), ERR_INVALID_HARDSHIP);
    assert_int_equal(registry_hardship_parse(NULL, 0, &v), ERR_OK); /* absent column */
    assert_false(v);
}

static void test_name(void **state)
{
    (void)state;
    char out[REGISTRY_NAME_MAX_BYTES + 1];
    assert_int_equal(registry_name_parse("  张三\xE3\x80\x80", 11, out), ERR_OK);
    assert_string_equal(out, "张三");
    assert_int_equal(registry_name_parse("", 0, out), ERR_INVALID_NAME);
    assert_int_equal(registry_name_parse(" \t", 2, out), ERR_INVALID_NAME);
    assert_int_equal(registry_name_parse(NULL, 0, out), ERR_INVALID_NAME);
    assert_int_equal(registry_name_parse("a\nb", 3, out), ERR_INVALID_NAME);
    assert_int_equal(registry_name_parse("a\x7f", 2, out), ERR_INVALID_NAME);
    assert_int_equal(registry_name_parse("\xC2\x85x", 3, out), ERR_INVALID_NAME); /* C1 NEL */
    assert_int_equal(registry_name_parse("\xff\xfe", 2, out), ERR_INVALID_NAME);  /* not UTF-8 */
    /* boundary: 50 Chinese characters pass, 51 fail */
    char text[52 * 3 + 1] = "";
    for (int i = 0; i < 50; i++) {
        strcat(text, "王");
    }
    assert_int_equal(registry_name_parse(text, strlen(text), out), ERR_OK);
    assert_int_equal(strlen(out), 150);
    strcat(text, "王");
    assert_int_equal(registry_name_parse(text, strlen(text), out), ERR_INVALID_NAME);
    /* a name with a comma or a quote is a name */
    assert_int_equal(registry_name_parse("王,五\"", 8, out), ERR_OK);
}

/* A valid member row; tests break one field at a time. */
static struct registry_member_input good_row(void)
{
    struct registry_member_input in = {
        .name = T("田志怡"),
        .id_number = T("330102197201055064"),
        .phone = T("19468695896"),
        .employment = T("标准劳动关系"),
        .employer_uscc = T("91310115378876231J"),
        .hardship = T("否"),
        .bank_account = T("6222024661099069580"),
    };
    return in;
}

static enum err seen_always(void *ctx, const struct idcard *id)
{
    (void)id;
    (*(int *)ctx)++;
    return ERR_DUPLICATE_IN_FILE;
}

static enum err employer_unknown(void *ctx, const char *uscc, int64_t *id)
{
    (void)ctx;
    (void)uscc;
    (void)id;
    return ERR_UNKNOWN_EMPLOYER;
}

static enum err employer_db_down(void *ctx, const char *uscc, int64_t *id)
{
    (void)ctx;
    (void)uscc;
    (void)id;
    return ERR_DB;
}

static enum err employer_42(void *ctx, const char *uscc, int64_t *id)
{
    (void)ctx;
    assert_string_equal(uscc, "91310115378876231J");
    *id = 42;
    return ERR_OK;
}

static void expect_refusal(const struct registry_member_input *in,
                           const struct registry_member_checks *chk, enum err code,
                           const char *field)
{
    struct registry_member m;
    struct registry_field_error fe;
    assert_int_equal(registry_member_validate(in, chk, &m, &fe), code);
    assert_int_equal(fe.code, code);
    assert_non_null(fe.field);
    assert_string_equal(fe.field, field);
}

static void test_member_valid_and_normalised(void **state)
{
    (void)state;
    struct registry_member_checks chk = {.today = day(2026, 11, 28), .employer = employer_42};
    struct registry_member_input in = good_row();
    in.id_number = T(" ３３０１０２１９７２０１０５５０６４ ");
    in.phone = T("+86 194-6869-5896");
    in.bank_account = T("6222 0246 6109 9069 580");
    in.hardship = T("是");
    struct registry_member m;
    struct registry_field_error fe;
    assert_int_equal(registry_member_validate(&in, &chk, &m, &fe), ERR_OK);
    assert_string_equal(m.id.number, "330102197201055064");
    assert_int_equal(m.id.gender, 'F');
    assert_string_equal(m.phone, "19468695896");
    assert_string_equal(m.bank_account, "6222024661099069580");
    assert_string_equal(m.employer_uscc, "91310115378876231J");
    assert_int_equal(m.employer_id, 42);
    assert_int_equal(m.employment, REGISTRY_EMPLOYMENT_STANDARD);
    assert_true(m.hardship);
    /* optional fields empty or absent */
    in = good_row();
    in.phone = T("");
    in.bank_account = (struct registry_text){NULL, 0};
    in.hardship = (struct registry_text){NULL, 0};
    in.employment = T("courier");
    in.employer_uscc = T(" ");
    assert_int_equal(registry_member_validate(&in, &chk, &m, &fe), ERR_OK);
    assert_string_equal(m.phone, "");
    assert_string_equal(m.bank_account, "");
    assert_string_equal(m.employer_uscc, "");
    assert_int_equal(m.employer_id, 0);
    assert_false(m.hardship);
}

static void test_member_each_code(void **state)
{
    (void)state;
    struct registry_member_checks chk = {.today = day(2026, 11, 28)};
    struct registry_member_input in;
    in = good_row(), in.id_number = T("330102197201055065");
    expect_refusal(&in, &chk, ERR_INVALID_ID, "id_number");
    in = good_row(), in.id_number = T("3.30102E+17");
    expect_refusal(&in, &chk, ERR_ID_EXCEL_MANGLED, "id_number");
    in = good_row(), in.id_number = T("");
    expect_refusal(&in, &chk, ERR_INVALID_ID, "id_number");
    in = good_row(), in.phone = T("07003504091");
    expect_refusal(&in, &chk, ERR_INVALID_PHONE, "phone");
    in = good_row(), in.name = T("");
    expect_refusal(&in, &chk, ERR_INVALID_NAME, "name");
    in = good_row(), in.employer_uscc = T("913101153788762310");
    expect_refusal(&in, &chk, ERR_INVALID_USCC, "employer_uscc");
    in = good_row(), in.employment = T("临时工作");
    expect_refusal(&in, &chk, ERR_INVALID_EMPLOYMENT, "employment");
    in = good_row(), in.employer_uscc = T("");
    expect_refusal(&in, &chk, ERR_INVALID_USCC, "employer_uscc"); /* standard needs one */
    in = good_row(), in.hardship = T("不知道");
    expect_refusal(&in, &chk, ERR_INVALID_HARDSHIP, "hardship");
    in = good_row(), in.bank_account = T("6222024661099069581");
    expect_refusal(&in, &chk, ERR_INVALID_BANK_ACCOUNT, "bank_account");
    in = good_row(), in.id_number = T("330106201111282145"); /* 15 on the import date */
    expect_refusal(&in, &chk, ERR_UNDERAGE, "id_number");
    in = good_row();
    chk.employer = employer_unknown;
    expect_refusal(&in, &chk, ERR_UNKNOWN_EMPLOYER, "employer_uscc");
    int calls = 0;
    chk.seen = seen_always;
    chk.ctx = &calls;
    expect_refusal(&in, &chk, ERR_DUPLICATE_IN_FILE, "id_number");
    assert_int_equal(calls, 1);
}

static void test_member_order(void **state)
{
    (void)state;
    int calls = 0;
    struct registry_member_checks chk = {.today = day(2026, 11, 28), .seen = seen_always,
                                         .employer = employer_unknown, .ctx = &calls};
    /* everything wrong: the ID comes first, and the hooks are not asked */
    struct registry_member_input in = {
        .name = T(""), .id_number = T("123"), .phone = T("1"), .employment = T("x"),
        .employer_uscc = T("x"), .hardship = T("x"), .bank_account = T("1")};
    expect_refusal(&in, &chk, ERR_INVALID_ID, "id_number");
    assert_int_equal(calls, 0);
    /* a valid ID already seen: duplicate before the phone */
    in.id_number = T("330102197201055064");
    expect_refusal(&in, &chk, ERR_DUPLICATE_IN_FILE, "id_number");
    chk.seen = NULL;
    expect_refusal(&in, &chk, ERR_INVALID_PHONE, "phone");
    in.phone = T("");
    expect_refusal(&in, &chk, ERR_INVALID_NAME, "name");
    in.name = T("李四");
    expect_refusal(&in, &chk, ERR_INVALID_USCC, "employer_uscc");
    in.employer_uscc = T("91310115378876231J");
    expect_refusal(&in, &chk, ERR_UNKNOWN_EMPLOYER, "employer_uscc");
    chk.employer = NULL;
    expect_refusal(&in, &chk, ERR_INVALID_EMPLOYMENT, "employment");
    in.employment = T("delivery");
    expect_refusal(&in, &chk, ERR_INVALID_HARDSHIP, "hardship");
    in.hardship = T("");
    expect_refusal(&in, &chk, ERR_INVALID_BANK_ACCOUNT, "bank_account");
    in.bank_account = T("");
    in.id_number = T("330106201111282145");
    expect_refusal(&in, &chk, ERR_UNDERAGE, "id_number");
}

static void test_member_age_boundary(void **state)
{
    (void)state;
    struct registry_member_input in = good_row();
    in.id_number = T("330106201011282148"); /* born 2010-11-28 */
    struct registry_member m;
    struct registry_field_error fe;
    struct registry_member_checks chk = {.today = day(2026, 11, 28)};
    assert_int_equal(registry_member_validate(&in, &chk, &m, &fe), ERR_OK); /* 16 today */
    chk.today = day(2026, 11, 27);
    assert_int_equal(registry_member_validate(&in, &chk, &m, &fe), ERR_UNDERAGE);
}

static void test_member_hook_error_is_not_a_field(void **state)
{
    (void)state;
    struct registry_member_checks chk = {.today = day(2026, 11, 28),
                                         .employer = employer_db_down};
    struct registry_member_input in = good_row();
    struct registry_member m;
    struct registry_field_error fe;
    assert_int_equal(registry_member_validate(&in, &chk, &m, &fe), ERR_DB);
    assert_null(fe.field);
}

static enum err uscc_seen(void *ctx, const char *uscc)
{
    (void)uscc;
    return *(bool *)ctx ? ERR_DUPLICATE_IN_FILE : ERR_OK;
}

static void test_employer(void **state)
{
    (void)state;
    struct registry_employer_input in = {T("91120101398259791d "), T("华信商贸有限公司"),
                                         T("外资"), T("中型"), T("批发和零售业")};
    struct registry_employer e;
    struct registry_field_error fe;
    bool dup = false;
    assert_int_equal(registry_employer_validate(&in, uscc_seen, &dup, &e, &fe), ERR_OK);
    assert_string_equal(e.uscc, "91120101398259791D");
    assert_int_equal(e.ownership, REGISTRY_OWNERSHIP_FOREIGN);
    assert_int_equal(e.size, REGISTRY_SIZE_MEDIUM);
    assert_true(e.has_industry);
    assert_string_equal(e.industry, "批发和零售业");
    in.industry = (struct registry_text){NULL, 0};
    assert_int_equal(registry_employer_validate(&in, NULL, NULL, &e, &fe), ERR_OK);
    assert_false(e.has_industry);
    /* the order: code, duplicate, name, ownership, size, industry */
    struct registry_employer_input bad = {T("911201013982597910"), T(""), T("x"), T("x"), T("")};
    dup = true;
    assert_int_equal(registry_employer_validate(&bad, uscc_seen, &dup, &e, &fe), ERR_INVALID_USCC);
    assert_string_equal(fe.field, "uscc");
    bad.uscc = T("91120101398259791D");
    assert_int_equal(registry_employer_validate(&bad, uscc_seen, &dup, &e, &fe),
                     ERR_DUPLICATE_IN_FILE);
    dup = false;
    assert_int_equal(registry_employer_validate(&bad, uscc_seen, &dup, &e, &fe), ERR_INVALID_NAME);
    bad.name = T("某公司");
    assert_int_equal(registry_employer_validate(&bad, NULL, NULL, &e, &fe), ERR_INVALID_OWNERSHIP);
    bad.ownership = T("private");
    assert_int_equal(registry_employer_validate(&bad, NULL, NULL, &e, &fe), ERR_INVALID_SIZE);
    assert_string_equal(fe.field, "size");
    bad.size = T("micro");
    char long_industry[60 * 3 + 1] = "";
    for (int i = 0; i < 51; i++) {
        strcat(long_industry, "业");
    }
    bad.industry = (struct registry_text){long_industry, strlen(long_industry)};
    assert_int_equal(registry_employer_validate(&bad, NULL, NULL, &e, &fe), ERR_INVALID);
    assert_string_equal(fe.field, "industry");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_employment),
        cmocka_unit_test(test_ownership_and_size),
        cmocka_unit_test(test_hardship),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_member_valid_and_normalised),
        cmocka_unit_test(test_member_each_code),
        cmocka_unit_test(test_member_order),
        cmocka_unit_test(test_member_age_boundary),
        cmocka_unit_test(test_member_hook_error_is_not_a_field),
        cmocka_unit_test(test_employer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
