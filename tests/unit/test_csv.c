/*
 * test_csv: the streaming CSV reader, header mapping and report writer.
 *
 * Most cases go through dump(), which renders every row as "N:f1|f2" and every
 * error as "N!CODE", one per line (CR and LF inside fields shown as \r, \n).
 * check() runs each input three ways: from memory, and through a callback
 * that hands out 1 byte and 7 bytes at a time, so every record, quote, CRLF and
 * multibyte character also lands across a read boundary; all three must match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/limits.h"
#include "core/utf8.h"

/* ---- helpers ---- */

struct chunk_src {
    const char *data;
    size_t len;
    size_t pos;
    size_t chunk;   /* bytes per read at most */
    size_t fail_at; /* return ERR_IO once pos reaches this (0: never) */
};

static enum err chunk_read(void *ctx, char *buf, size_t cap, size_t *got)
{
    struct chunk_src *s = ctx;
    if (s->fail_at > 0 && s->pos >= s->fail_at) {
        return ERR_IO;
    }
    size_t n = s->len - s->pos;
    if (n > cap) {
        n = cap;
    }
    if (n > s->chunk) {
        n = s->chunk;
    }
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    *got = n;
    return ERR_OK;
}

static void put_escaped(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            fputs("\\n", out);
        } else if (s[i] == '\r') {
            fputs("\\r", out);
        } else {
            fputc(s[i], out);
        }
    }
}

/* Renders all rows of r into a malloc'd string; checks the invariants too. */
static char *dump_reader(struct csv_reader *r)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    assert_non_null(out);
    uint64_t last = 0;
    for (;;) {
        struct csv_row row;
        enum err e = csv_next(r, &row);
        if (e == ERR_EOF) {
            break;
        }
        assert_true(row.row_number > last);
        assert_int_equal(row.row_number, csv_row_number(r));
        last = row.row_number;
        if (e) {
            assert_int_equal(row.count, 0);
            fprintf(out, "%llu!%s\n", (unsigned long long)row.row_number, err_str(e));
            if (e == ERR_IO || e == ERR_NOMEM || e == ERR_INTERNAL) {
                break;
            }
            continue;
        }
        assert_true(row.count >= 1 && row.count <= LIMIT_CSV_FIELDS);
        fprintf(out, "%llu:", (unsigned long long)row.row_number);
        for (size_t i = 0; i < row.count; i++) {
            assert_true(utf8_is_valid(row.fields[i].ptr, row.fields[i].len));
            if (i > 0) {
                fputc('|', out);
            }
            put_escaped(out, row.fields[i].ptr, row.fields[i].len);
        }
        fputc('\n', out);
    }
    fclose(out);
    return text;
}

/* chunk 0: csv_open_mem; else a callback giving chunk bytes per read. */
static char *dump_chunked(const char *data, size_t len, size_t chunk, const char **enc)
{
    struct chunk_src src = {data, len, 0, chunk, 0};
    struct csv_reader *r;
    enum err e = chunk == 0 ? csv_open_mem(data, len, &r) : csv_open_cb(chunk_read, &src, &r);
    if (e) {
        assert_null(r);
        char *s = NULL;
        assert_true(asprintf(&s, "open!%s\n", err_str(e)) > 0);
        return s;
    }
    char *s = dump_reader(r);
    if (enc) {
        *enc = csv_encoding(r);
    }
    csv_close(r);
    return s;
}

/* The same input read three ways must give expect and the encoding enc. */
static void check_len(const char *data, size_t len, const char *expect, const char *enc)
{
    static const size_t chunks[] = {0, 1, 7};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        const char *got_enc = NULL;
        char *got = dump_chunked(data, len, chunks[i], &got_enc);
        if (strcmp(got, expect) != 0) {
            print_error("chunk %zu:\n--- got\n%s--- expected\n%s", chunks[i], got, expect);
        }
        assert_string_equal(got, expect);
        if (enc) {
            assert_string_equal(got_enc, enc);
        }
        free(got);
    }
}

static void check(const char *data, const char *expect)
{
    check_len(data, strlen(data), expect, NULL);
}

/* For byte literals that hold NUL: the length comes from the literal. */
#define CHECK_BYTES(lit, expect, enc) check_len(lit, sizeof(lit) - 1, expect, enc)

/* UTF-8 text converted to GB18030, malloc'd. */
static char *to_gb18030(const char *utf8, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t cap = len * 2 + 16;
    char *out = malloc(cap);
    assert_non_null(out);
    char *in = (char *)utf8, *o = out;
    size_t in_left = len, out_left = cap;
    assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    iconv_close(cd);
    *out_len = cap - out_left;
    return out;
}

/* ---- syntax ---- */

static void test_lf_crlf_mixed(void **state)
{
    (void)state;
    check("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
    check("a,b,c\r\n1,2,3\r\n", "1:a|b|c\n2:1|2|3\n");
    check("a,b\r\n1,2\n3,4\r\n5,6", "1:a|b\n2:1|2\n3:3|4\n4:5|6\n");
    /* no final newline; a CR at the very end is a line end too */
    check("a,b\n1,2", "1:a|b\n2:1|2\n");
    check("a,b\r\n1,2\r", "1:a|b\n2:1|2\n");
    /* a lone CR inside a line is data */
    check("a\rb,c\n", "1:a\\rb|c\n");
    check("x", "1:x\n");
    check("", "");
}

static void test_bom_and_encoding_names(void **state)
{
    (void)state;
    CHECK_BYTES("\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D,id\r\n\xE5\xBC\xA0\xE4\xB8\x89,1\r\n",
              "1:\xE5\xA7\x93\xE5\x90\x8D|id\n2:\xE5\xBC\xA0\xE4\xB8\x89|1\n", "UTF-8-BOM");
    CHECK_BYTES("\xE5\xA7\x93\xE5\x90\x8D,id\n", "1:\xE5\xA7\x93\xE5\x90\x8D|id\n", "UTF-8");
    CHECK_BYTES("name,id\n", "1:name|id\n", "UTF-8");
    /* only a BOM */
    CHECK_BYTES("\xEF\xBB\xBF", "", "UTF-8-BOM");
    /* a BOM is only stripped at the start */
    CHECK_BYTES("a\n\xEF\xBB\xBF" "b\n", "1:a\n2:\xEF\xBB\xBF" "b\n", "UTF-8");
    /* UTF-16 ("Unicode text" in Excel) is refused at open */
    CHECK_BYTES("\xFF\xFEn\0a\0", "open!BAD_ENCODING\n", NULL);
    CHECK_BYTES("\xFE\xFF\0n\0a", "open!BAD_ENCODING\n", NULL);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    check("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", "1:a,b|say \"hi\"|\n");
    /* a field spanning lines is one row; numbering goes on after it */
    check("h1,h2\r\n\"line1\r\nline2\nline3\",x\r\nnext,y\r\n",
          "1:h1|h2\n2:line1\\r\\nline2\\nline3|x\n3:next|y\n");
    check("\"\"\"\"\n", "1:\"\n");
    check("\"a\"\r\n\"b\"", "1:a\n2:b\n");
    check("\"a\",\"\"\n", "1:a|\n");
    check("\"\",\n", "1:|\n");
    check("\"x\"\"\",y\n", "1:x\"|y\n");
    /* a quoted field at the end with a trailing CR before EOF */
    check("\"a\"\r", "1:a\n");
}

static void test_stray_quotes(void **state)
{
    (void)state;
    /* inside an unquoted field: kept as data, does not open a quote */
    check("ab\"c,d\ne,f\"\n", "1:ab\"c|d\n2:e|f\"\n");
    check("5\" pipe,\"x, y\"\n", "1:5\" pipe|x, y\n");
    /* bytes after a closing quote: the record fails, the next one is read */
    check("a,b\n\"x\"y,z\nc,d\n", "1:a|b\n2!CSV_BAD_QUOTE\n3:c|d\n");
    check("\"x\" ,z\n\"p\"\rq\nc\n", "1!CSV_BAD_QUOTE\n2!CSV_BAD_QUOTE\n3:c\n");
    /* after the bad close the rest is unquoted: a later quote is data */
    check("\"a\"b\"c,d\nz\n", "1!CSV_BAD_QUOTE\n2:z\n");
    /* unterminated quote at EOF swallows the rest */
    check("a,b\n\"open,1\n2,3\n", "1:a|b\n2!CSV_BAD_QUOTE\n");
    check("\"", "1!CSV_BAD_QUOTE\n");
    check("x,\"", "1!CSV_BAD_QUOTE\n");
}

static void test_empty_fields_and_lines(void **state)
{
    (void)state;
    check(",,\n", "1:||\n");
    check("a,\n,b\n", "1:a|\n2:|b\n");
    /* empty lines are skipped but keep their number (an empty Excel row) */
    check("h\n\nx\r\n\r\ny\n\n", "1:h\n3:x\n5:y\n");
    check("\n\n\na\n", "4:a\n");
    check("\r\n", "");
    /* a space is data, not an empty line */
    check(" \n", "1: \n");

    struct csv_reader *r;
    assert_int_equal(csv_open_mem(",,\n a ,\n", 8, &r), ERR_OK);
    struct csv_row row;
    assert_int_equal(csv_next(r, &row), ERR_OK);
    assert_true(csv_row_is_blank(&row));
    assert_int_equal(csv_next(r, &row), ERR_OK);
    assert_false(csv_row_is_blank(&row));
    assert_int_equal(csv_next(r, &row), ERR_EOF);
    assert_int_equal(csv_next(r, &row), ERR_EOF);
    assert_int_equal(csv_row_number(r), 2);
    csv_close(r);
}

/* ---- encodings ---- */

static const char roster_utf8[] =
    "姓名,身份证号,手机号\r\n"
    "张三,110101199003077777,13800138000\r\n"
    "\"李,四\",11010119900307001X,\r\n"
    "𠮷野家,110101199003070011,€\r\n"; /* 𠮷 is a 4-byte GB18030 character */

static void test_gb18030(void **state)
{
    (void)state;
    size_t gb_len;
    char *gb = to_gb18030(roster_utf8, strlen(roster_utf8), &gb_len);
    /* "姓名" really is D0 D5 C3 FB in GB18030 */
    assert_memory_equal(gb, "\xD0\xD5\xC3\xFB", 4);
    const char *expect = "1:姓名|身份证号|手机号\n"
                         "2:张三|110101199003077777|13800138000\n"
                         "3:李,四|11010119900307001X|\n"
                         "4:𠮷野家|110101199003070011|€\n";
    check_len(gb, gb_len, expect, "GB18030");
    check_len(roster_utf8, strlen(roster_utf8), expect, "UTF-8");

    /* every split of the input into two reads */
    for (size_t cut = 1; cut < gb_len; cut++) {
        struct chunk_src src = {gb, gb_len, 0, cut, 0};
        struct csv_reader *r;
        assert_int_equal(csv_open_cb(chunk_read, &src, &r), ERR_OK);
        char *got = dump_reader(r);
        assert_string_equal(got, expect);
        free(got);
        csv_close(r);
    }
    free(gb);
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    /* 0xFF is neither UTF-8 nor GB18030: that row fails, the others read */
    CHECK_BYTES("a,b\nc,\xFF\nd,e\n", "1:a|b\n2!BAD_ENCODING\n3:d|e\n", "GB18030");
    /* GB18030 lead byte followed by a comma: still two fields afterwards */
    CHECK_BYTES("\xD5\xC5,x\n\x81,y\nz\n", "1:张|x\n2!BAD_ENCODING\n3:z\n", "GB18030");
    /* truncated GB18030 character at the end of input */
    CHECK_BYTES("\xD5\xC5\n\xD5", "1:张\n2!BAD_ENCODING\n", "GB18030");
    /* a UTF-8 file (BOM) with a broken byte in row 3 */
    CHECK_BYTES("\xEF\xBB\xBFh\n\xE5\xBC\xA0\n\xE5\xBC,x\nok\n",
              "1:h\n2:张\n3!BAD_ENCODING\n4:ok\n", "UTF-8-BOM");
    /* NUL is refused in any encoding */
    CHECK_BYTES("a\nb\0c\nd\n", "1:a\n2!BAD_ENCODING\n3:d\n", "UTF-8");
    /* overlong UTF-8 after a BOM */
    CHECK_BYTES("\xEF\xBB\xBF\xC0\xAF\n", "1!BAD_ENCODING\n", "UTF-8-BOM");
}

/* Non-ASCII first shows up after 70 KiB of ASCII: detection waits for it. */
static void test_detection_after_ascii_prefix(void **state)
{
    (void)state;
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    size_t rows = 0;
    while (ftell(f) < 70 * 1024) {
        fprintf(f, "ascii%zu,110101199003077777\r\n", rows++);
    }
    fputs("张三,1\r\n", f);
    fclose(f);

    /* as UTF-8 */
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(text, text_len, &r), ERR_OK);
    assert_string_equal(csv_encoding(r), "UTF-8");
    char *got = dump_reader(r);
    assert_non_null(strstr(got, "张三|1\n"));
    assert_null(strstr(got, "!"));
    csv_close(r);
    free(got);

    /* as GB18030 */
    size_t gb_len;
    char *gb = to_gb18030(text, text_len, &gb_len);
    for (size_t chunk = 1; chunk <= 4096; chunk *= 4096) {
        struct chunk_src src = {gb, gb_len, 0, chunk, 0};
        assert_int_equal(csv_open_cb(chunk_read, &src, &r), ERR_OK);
        char *got_gb = dump_reader(r);
        assert_string_equal(csv_encoding(r), "GB18030");
        char expect_tail[64];
        snprintf(expect_tail, sizeof(expect_tail), "%zu:张三|1\n", rows + 1);
        assert_non_null(strstr(got_gb, expect_tail));
        assert_null(strstr(got_gb, "!"));
        csv_close(r);
        free(got_gb);
    }
    free(gb);
    free(text);
}

/* A UTF-8 character cut by the end of the 64 KiB detection window. */
static void test_detection_window_cut(void **state)
{
    (void)state;
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    fputs("x", f); /* shifts the 3-byte characters off the window boundary */
    for (int row = 0; row < 400; row++) {
        for (int k = 0; k < 100; k++) {
            fputs("中", f);
        }
        fputs("\n", f);
    }
    fclose(f);
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(text, text_len, &r), ERR_OK);
    char *got = dump_reader(r);
    assert_string_equal(csv_encoding(r), "UTF-8");
    assert_null(strstr(got, "!"));
    assert_int_equal(csv_row_number(r), 400);
    csv_close(r);
    free(got);
    free(text);
}

/* ---- limits ---- */

static char *repeat_row(size_t bytes, char c)
{
    char *s = malloc(bytes + 1);
    assert_non_null(s);
    memset(s, c, bytes);
    s[bytes] = '\0';
    return s;
}

static void test_row_too_long(void **state)
{
    (void)state;
    char *ok = repeat_row(LIMIT_CSV_ROW_BYTES, 'a');
    char *big = repeat_row(LIMIT_CSV_ROW_BYTES + 1, 'b');
    char *huge = repeat_row(3 * LIMIT_CSV_ROW_BYTES, 'c');
    char *text = NULL;
    int n = asprintf(&text, "h\r\n%s\r\n%s\r\n%s\nnext\n\"%s\n\nstill quoted\",z\nlast\n", ok,
                     big, huge, huge);
    assert_true(n > 0);
    for (size_t chunk = 0; chunk <= 1000; chunk += 1000) {
        struct chunk_src src = {text, (size_t)n, 0, chunk, 0};
        struct csv_reader *r;
        assert_int_equal(chunk ? csv_open_cb(chunk_read, &src, &r)
                               : csv_open_mem(text, (size_t)n, &r),
                         ERR_OK);
        struct csv_row row;
        assert_int_equal(csv_next(r, &row), ERR_OK);
        assert_int_equal(csv_next(r, &row), ERR_OK);
        assert_int_equal(row.row_number, 2);
        assert_int_equal(row.fields[0].len, LIMIT_CSV_ROW_BYTES);
        assert_int_equal(csv_next(r, &row), ERR_CSV_ROW_TOO_LONG);
        assert_int_equal(row.row_number, 3);
        assert_int_equal(csv_row_number(r), 3);
        assert_int_equal(csv_next(r, &row), ERR_CSV_ROW_TOO_LONG);
        assert_int_equal(row.row_number, 4);
        assert_int_equal(csv_next(r, &row), ERR_OK);
        assert_int_equal(row.row_number, 5);
        assert_memory_equal(row.fields[0].ptr, "next", 4);
        /* a too-long quoted field with newlines inside is skipped as one row */
        assert_int_equal(csv_next(r, &row), ERR_CSV_ROW_TOO_LONG);
        assert_int_equal(row.row_number, 6);
        assert_int_equal(csv_next(r, &row), ERR_OK);
        assert_int_equal(row.row_number, 7);
        assert_memory_equal(row.fields[0].ptr, "last", 4);
        assert_int_equal(csv_next(r, &row), ERR_EOF);
        csv_close(r);
    }
    free(text);
    free(ok);
    free(big);
    free(huge);
}

/* The limit counts the quotes but not the line end; a quote left open to the
 * end of a huge input is a quote error, not a length error. */
static void test_row_limit_exact(void **state)
{
    (void)state;
    char *quoted = repeat_row(LIMIT_CSV_ROW_BYTES - 2, 'q');
    char *huge = repeat_row(2 * LIMIT_CSV_ROW_BYTES, 'c');
    char *text = NULL;
    int n = asprintf(&text, "\"%s\"\r\n\"%s\"x\n\"%s", quoted, quoted, huge);
    assert_true(n > 0);
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(text, (size_t)n, &r), ERR_OK);
    struct csv_row row;
    assert_int_equal(csv_next(r, &row), ERR_OK); /* exactly the limit */
    assert_int_equal(row.fields[0].len, LIMIT_CSV_ROW_BYTES - 2);
    assert_int_equal(csv_next(r, &row), ERR_CSV_ROW_TOO_LONG); /* limit + 1 */
    assert_int_equal(row.row_number, 2);
    assert_int_equal(csv_next(r, &row), ERR_CSV_QUOTE); /* open to the end */
    assert_int_equal(row.row_number, 3);
    assert_int_equal(csv_next(r, &row), ERR_EOF);
    csv_close(r);
    free(text);
    free(quoted);
    free(huge);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    char max[LIMIT_CSV_FIELDS * 2 + 8];
    char over[LIMIT_CSV_FIELDS * 2 + 16];
    size_t k = 0;
    for (int i = 0; i < LIMIT_CSV_FIELDS - 1; i++) {
        max[k++] = 'f';
        max[k++] = ',';
    }
    max[k++] = 'f';
    max[k] = '\0';
    snprintf(over, sizeof(over), "%s,", max); /* one more, empty, field */
    char *text = NULL;
    assert_true(asprintf(&text, "%s\n%s\n\"a\",\"b\"\n", max, over) > 0);
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(text, strlen(text), &r), ERR_OK);
    struct csv_row row;
    assert_int_equal(csv_next(r, &row), ERR_OK);
    assert_int_equal(row.count, LIMIT_CSV_FIELDS);
    assert_int_equal(csv_next(r, &row), ERR_CSV_TOO_MANY_FIELDS);
    assert_int_equal(row.row_number, 2);
    assert_int_equal(row.count, 0);
    assert_int_equal(csv_next(r, &row), ERR_OK);
    assert_int_equal(row.row_number, 3);
    assert_int_equal(row.count, 2);
    csv_close(r);
    free(text);
}

static void test_io_error_is_sticky(void **state)
{
    (void)state;
    char *text = repeat_row(300 * 1024, 'x');
    for (size_t i = 0; i < 300 * 1024; i += 100) {
        text[i] = '\n';
    }
    struct chunk_src src = {text, strlen(text), 0, 4096, 100 * 1024};
    struct csv_reader *r;
    assert_int_equal(csv_open_cb(chunk_read, &src, &r), ERR_OK);
    struct csv_row row;
    enum err e;
    uint64_t rows = 0;
    while ((e = csv_next(r, &row)) == ERR_OK) {
        rows++;
    }
    assert_int_equal(e, ERR_IO);
    assert_true(rows > 900 && rows < 1100);
    assert_int_equal(csv_next(r, &row), ERR_IO);
    csv_close(r);
    free(text);
    csv_close(NULL);
}

/* ---- header mapping ---- */

static const char *const name_aliases[] = {"姓名", "member name", NULL};
static const char *const id_aliases[] = {"身份证号", "身份证号码", "id number", NULL};
static const char *const phone_aliases[] = {"手机号", "电话", NULL};
static const struct csv_column member_cols[] = {
    {"name", name_aliases, true},
    {"id_number", id_aliases, true},
    {"phone", phone_aliases, false},
};

static enum err map_text(const char *header, int idx[3], const char **bad)
{
    struct csv_reader *r;
    assert_int_equal(csv_open_mem(header, strlen(header), &r), ERR_OK);
    struct csv_row row;
    assert_int_equal(csv_next(r, &row), ERR_OK);
    enum err e = csv_map_header(&row, member_cols, 3, idx, bad);
    csv_close(r);
    return e;
}

static void test_map_header(void **state)
{
    (void)state;
    int idx[3];
    const char *bad = "x";
    assert_int_equal(map_text("姓名,身份证号,手机号\n", idx, &bad), ERR_OK);
    assert_null(bad);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    /* any order, English, ASCII case, spaces and full-width spaces, extras */
    assert_int_equal(map_text("备注, ID Number ,\"NAME\",\xE3\x80\x80" "电话\xE3\x80\x80\n", idx,
                              &bad),
                     ERR_OK);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 3);
    /* an optional column may be absent */
    assert_int_equal(map_text("身份证号码,Member Name\n", idx, &bad), ERR_OK);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], -1);
    /* a required one may not */
    assert_int_equal(map_text("姓名,手机号\n", idx, &bad), ERR_MISSING_COLUMN);
    assert_string_equal(bad, "id_number");
    assert_int_equal(map_text("姓 名,身份证号\n", idx, &bad), ERR_MISSING_COLUMN);
    assert_string_equal(bad, "name");
    /* two cells for one column */
    assert_int_equal(map_text("name,姓名,身份证号\n", idx, &bad), ERR_INVALID);
    assert_string_equal(bad, "name");
    /* case folding is ASCII only and whole-cell */
    assert_int_equal(map_text("names,身份证号\n", idx, &bad), ERR_MISSING_COLUMN);
}

/* ---- writer ---- */

static void test_writer_round_trip(void **state)
{
    (void)state;
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    csv_write_bom(f);
    struct csv_field row1[] = {{"行", 3}, {"a,b", 3}, {"say \"hi\"", 8}, {"x\r\ny", 4}, {"", 0}};
    struct csv_field row2[] = {{"=1+2", 4}, {"-12.50", 6}, {"+86 138", 7}, {" pad ", 5}, {"@x", 2}};
    csv_write_row(f, row1, 5);
    csv_write_row(f, row2, 5);
    fclose(f);
    assert_memory_equal(text, "\xEF\xBB\xBF行,\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\",\r\n", 35);
    check_len(text, text_len,
              "1:行|a,b|say \"hi\"|x\\r\\ny|\n2:'=1+2|-12.50|'+86 138| pad |'@x\n", "UTF-8-BOM");
    free(text);
}

/* ---- real files ---- */

static char *shared_path(const char *rel)
{
    const char *root = getenv("HUZHU_SHARED");
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", root ? root : "../shared", rel) > 0);
    return p;
}

static char *dump_file(const char *rel, const char **enc, uint64_t *rows)
{
    char *path = shared_path(rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        print_error("cannot open %s (set HUZHU_SHARED)\n", path);
    }
    assert_non_null(f);
    struct csv_reader *r;
    assert_int_equal(csv_open_file(f, &r), ERR_OK);
    char *s = dump_reader(r);
    *enc = csv_encoding(r);
    *rows = csv_row_number(r);
    csv_close(r);
    fclose(f);
    free(path);
    return s;
}

static void test_sample_rosters(void **state)
{
    (void)state;
    const char *enc_utf8, *enc_gb;
    uint64_t rows_utf8, rows_gb;
    char *a = dump_file("cases/roster-public/roster.members.csv", &enc_utf8, &rows_utf8);
    char *b = dump_file("cases/roster-public/roster.members.gbk.csv", &enc_gb, &rows_gb);
    assert_string_equal(enc_utf8, "UTF-8-BOM");
    assert_string_equal(enc_gb, "GB18030");
    assert_int_equal(rows_utf8, 601);
    assert_int_equal(rows_gb, 601);
    assert_string_equal(a, b);
    assert_null(strstr(a, "!")); /* no row-level error */
    assert_true(strncmp(a, "1:姓名|身份证号|手机号|", strlen("1:姓名|身份证号|手机号|")) == 0);
    size_t lines = 0;
    for (const char *p = a; *p; p++) {
        lines += *p == '\n';
    }
    assert_int_equal(lines, 601);
    free(a);
    free(b);

    /* the header maps, the real way */
    char *path = shared_path("cases/roster-public/roster.members.gbk.csv");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct csv_reader *r;
    assert_int_equal(csv_open_fd(fileno(f), &r), ERR_OK);
    struct csv_row row;
    assert_int_equal(csv_next(r, &row), ERR_OK);
    int idx[3];
    const char *bad;
    assert_int_equal(csv_map_header(&row, member_cols, 3, idx, &bad), ERR_OK);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    csv_close(r);
    fclose(f);
    free(path);
}

/* ---- streaming ---- */

static long max_rss_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static void test_large_file_streams(void **state)
{
    (void)state;
    const uint64_t rows = 200000;
    FILE *f = tmpfile();
    assert_non_null(f);
    csv_write_bom(f);
    fputs("姓名,身份证号,手机号,用工形式,单位统一社会信用代码,困难职工,银行账号\r\n", f);
    for (uint64_t i = 2; i <= rows; i++) {
        if (i % 1000 == 0) {
            fprintf(f,
                    "\"王,%llu\",110101199003077777,13800138000,\"多\r\n行\",91310115378876231J,否,"
                    "\r\n",
                    (unsigned long long)i);
        } else {
            fprintf(f, "张三%llu,110101199003077777,13800138000,标准劳动关系,91310115378876231J,否,"
                       "6222024661099069580\r\n",
                    (unsigned long long)i);
        }
    }
    fflush(f);
    long file_kib = ftell(f) / 1024;
    assert_true(file_kib > 20 * 1024);
    long rss_before = max_rss_kib();

    assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
    struct csv_reader *r;
    assert_int_equal(csv_open_fd(fileno(f), &r), ERR_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct csv_row row;
    enum err e;
    uint64_t n = 0, quoted = 0;
    while ((e = csv_next(r, &row)) == ERR_OK) {
        n++;
        assert_int_equal(row.count, 7);
        assert_int_equal(row.row_number, n);
        if (row.fields[0].ptr[0] == '\xE7') { /* 王 */
            quoted++;
            assert_int_equal(row.fields[3].len, strlen("多\r\n行"));
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(e, ERR_EOF);
    assert_int_equal(n, rows);
    assert_int_equal(quoted, rows / 1000);
    csv_close(r);
    fclose(f);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("    %llu rows, %ld KiB in %.3f s (%.0f rows/s)\n", (unsigned long long)n,
                  file_kib, s, (double)n / s);
    /* constant memory: far less than the file was added to the peak */
    assert_true(max_rss_kib() - rss_before < file_kib / 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lf_crlf_mixed),
        cmocka_unit_test(test_bom_and_encoding_names),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_stray_quotes),
        cmocka_unit_test(test_empty_fields_and_lines),
        cmocka_unit_test(test_gb18030),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_detection_after_ascii_prefix),
        cmocka_unit_test(test_detection_window_cut),
        cmocka_unit_test(test_row_too_long),
        cmocka_unit_test(test_row_limit_exact),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_io_error_is_sticky),
        cmocka_unit_test(test_map_header),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_sample_rosters),
        cmocka_unit_test(test_large_file_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
