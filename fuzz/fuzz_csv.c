/*
 * fuzz_csv: libFuzzer driver for the streaming CSV reader (h2o style: assert
 * invariants on the output, not just "no crash").
 *
 * The input is read twice in lockstep: from memory, and through a callback
 * that hands out 1..16 bytes per read (the size taken from the first byte), so
 * every read boundary is exercised. Both must give the same results. For each
 * row: fields are valid UTF-8, 1..LIMIT_CSV_FIELDS of them on success and 0 on
 * error, row numbers strictly increase and agree with csv_row_number(); the
 * number of calls is bounded by the input size. The first row also goes
 * through csv_map_header.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/limits.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz_csv: %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                 \
        }                                                                            \
    } while (0)

struct chunk_src {
    const char *data;
    size_t len;
    size_t pos;
    size_t chunk;
};

static enum err chunk_read(void *ctx, char *buf, size_t cap, size_t *got)
{
    struct chunk_src *s = ctx;
    size_t n = s->len - s->pos;
    n = n < cap ? n : cap;
    n = n < s->chunk ? n : s->chunk;
    if (n > 0) {
        memcpy(buf, s->data + s->pos, n);
    }
    s->pos += n;
    *got = n;
    return ERR_OK;
}

static const char *const name_aliases[] = {"姓名", "name", NULL};
static const char *const id_aliases[] = {"身份证号", NULL};
static const struct csv_column cols[] = {
    {"name", name_aliases, true},
    {"id_number", id_aliases, false},
};

static void check_row(const struct csv_reader *r, enum err e, const struct csv_row *row,
                      uint64_t *last)
{
    CHECK(row->row_number > *last);
    CHECK(row->row_number == csv_row_number(r));
    *last = row->row_number;
    if (e) {
        CHECK(row->count == 0);
        CHECK(e == ERR_CSV_QUOTE || e == ERR_CSV_ROW_TOO_LONG || e == ERR_CSV_TOO_MANY_FIELDS ||
              e == ERR_ENCODING);
        return;
    }
    CHECK(row->count >= 1 && row->count <= LIMIT_CSV_FIELDS);
    size_t total = 0;
    for (size_t i = 0; i < row->count; i++) {
        CHECK(utf8_is_valid(row->fields[i].ptr, row->fields[i].len));
        total += row->fields[i].len;
    }
    CHECK(total <= LIMIT_CSV_ROW_BYTES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct chunk_src src = {text, size, 0, size > 0 ? (size_t)(data[0] % 16) + 1 : 1};
    struct csv_reader *a, *b;
    enum err ea = csv_open_mem(text, size, &a);
    enum err eb = csv_open_cb(chunk_read, &src, &b);
    CHECK(ea == eb);
    if (ea) {
        CHECK(ea == ERR_ENCODING && a == NULL && b == NULL);
        return 0;
    }
    uint64_t last_a = 0, last_b = 0;
    for (size_t calls = 0;; calls++) {
        CHECK(calls <= size + 1); /* each call consumes a record */
        struct csv_row ra, rb;
        ea = csv_next(a, &ra);
        eb = csv_next(b, &rb);
        CHECK(ea == eb);
        if (ea == ERR_EOF) {
            CHECK(csv_next(a, &ra) == ERR_EOF);
            break;
        }
        check_row(a, ea, &ra, &last_a);
        check_row(b, eb, &rb, &last_b);
        CHECK(ra.row_number == rb.row_number && ra.count == rb.count);
        for (size_t i = 0; i < ra.count; i++) {
            CHECK(ra.fields[i].len == rb.fields[i].len);
            CHECK(memcmp(ra.fields[i].ptr, rb.fields[i].ptr, ra.fields[i].len) == 0);
        }
        if (calls == 0 && ea == ERR_OK) {
            int idx[2];
            const char *bad;
            enum err em = csv_map_header(&ra, cols, 2, idx, &bad);
            CHECK(em == ERR_OK || em == ERR_MISSING_COLUMN || em == ERR_INVALID);
            CHECK((em == ERR_OK) == (bad == NULL));
            CHECK(idx[0] < (int)ra.count && idx[1] < (int)ra.count);
        }
    }
    CHECK(strcmp(csv_encoding(a), csv_encoding(b)) == 0);
    csv_close(a);
    csv_close(b);
    return 0;
}
