/*
 * csv: a streaming reader for the rosters that union units export from Excel,
 * and a small writer for the error reports we send back.
 *
 * Reading. Input comes from an fd, a FILE*, memory or a read callback in
 * fixed-size chunks; memory use is constant (about 320 KiB per reader)
 * whatever the file size. The syntax is RFC 4180:
 *   - fields are separated by ',' and records end with LF or CRLF (mixed is
 *     fine; a CR right before the LF, or right before the end of input, is
 *     part of the line end; a lone CR elsewhere is data). The last record
 *     needs no line end.
 *   - a field that starts with '"' is quoted: it may hold ',', CR, LF, and
 *     '""' for one '"'. After its closing quote only ',' or the line end may
 *     follow, else the record is ERR_CSV_QUOTE. A quote that is still open at
 *     the end of input is ERR_CSV_QUOTE too.
 *   - a '"' inside an unquoted field (ab"c) is tolerated and kept as data, as
 *     Excel does when it opens such a file; it does not change where fields or
 *     records end. Importers validate field contents anyway.
 *   - no trimming: spaces around fields are data.
 *
 * Row numbers. Every record gets the next number, starting at 1 for the
 * header, so "row N" is the Nth row the user sees when Excel opens the file:
 * a quoted field spanning several lines is still one row, and an empty line
 * is an (empty) row of its own. Empty lines (nothing, or only CR, before the
 * LF) are skipped, not returned, but they use their number. A line of only
 * commas (",,,", what Excel writes for a formatted but blank row) is returned
 * as a row of empty fields; csv_row_is_blank() tells such rows apart.
 *
 * Encoding. A UTF-8 BOM (EF BB BF) is stripped and the file is UTF-8. A UTF-16
 * BOM (FF FE / FE FF: Excel's "Unicode text") is refused at open with
 * ERR_ENCODING. Otherwise the decision is made at the first non-ASCII byte
 * (ASCII reads the same either way): if the up to 64 KiB from there are valid
 * UTF-8 (a sequence cut by the window's end is allowed), the file is UTF-8,
 * else it is GB18030 (which includes GBK and GB2312, what Excel in China
 * writes) and is converted to UTF-8 with iconv, chunk by chunk; a character
 * split across chunks is carried over. Fields handed out are always valid
 * UTF-8 without NUL bytes: a record holding bytes invalid in the detected
 * encoding, or a NUL, fails with ERR_ENCODING.
 *
 * Limits (core/limits.h). A record longer than LIMIT_CSV_ROW_BYTES bytes of
 * UTF-8 (line end excluded, quotes included) is ERR_CSV_ROW_TOO_LONG; one with
 * more than LIMIT_CSV_FIELDS fields is ERR_CSV_TOO_MANY_FIELDS.
 *
 * Errors and recovery. csv_next() fails one record at a time: after
 * ERR_CSV_ROW_TOO_LONG, ERR_CSV_TOO_MANY_FIELDS, ERR_CSV_QUOTE or ERR_ENCODING
 * the whole record has been consumed (a too-long record is skipped without
 * being buffered), csv_row_number() names it, and the next call goes on with
 * the next record. After ERR_IO, ERR_NOMEM or ERR_INTERNAL the reader is
 * broken and every later call returns the same error. An unterminated quote
 * swallows the rest of the input, so it is followed by ERR_EOF.
 *
 * Example:
 *     struct csv_reader *r;
 *     enum err e = csv_open_fd(fd, &r);
 *     if (e) { return e; }
 *     struct csv_row row;
 *     while ((e = csv_next(r, &row)) != ERR_EOF) {
 *         if (e) { report(csv_row_number(r), e); continue; }   (or stop at IO/NOMEM)
 *         use(row.fields[0].ptr, row.fields[0].len, row.row_number);
 *     }
 *     csv_close(r);
 *
 * A reader is not thread-safe; one reader belongs to one thread.
 */
#ifndef HUZHU_CORE_CSV_H
#define HUZHU_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct csv_reader; /* opaque */

struct csv_field {
    const char *ptr; /* valid UTF-8, not NUL-terminated; quotes removed */
    size_t len;      /* bytes */
};

struct csv_row {
    const struct csv_field *fields; /* count fields, owned by the reader */
    size_t count;                   /* 1..LIMIT_CSV_FIELDS on success, 0 on error */
    uint64_t row_number;            /* spreadsheet row, header = 1 (see above) */
};

/* Fills buf with up to cap (> 0) bytes of input; *got = 0 means end of input.
 * Returns ERR_OK or an error (ERR_IO) that fails the reader. */
typedef enum err (*csv_read_fn)(void *ctx, char *buf, size_t cap, size_t *got);

/* Readers over an fd (not closed by csv_close; EINTR is retried), a FILE*
 * (not closed), memory (not copied: data must outlive the reader), or a read
 * callback. Each reads the first bytes to look for a BOM, so it may fail with
 * ERR_IO, ERR_ENCODING (UTF-16 BOM) or ERR_NOMEM; *out is NULL then. */
enum err csv_open_fd(int fd, struct csv_reader **out) WARN_UNUSED;
enum err csv_open_file(FILE *f, struct csv_reader **out) WARN_UNUSED;
enum err csv_open_mem(const char *data, size_t len, struct csv_reader **out) WARN_UNUSED;
enum err csv_open_cb(csv_read_fn read, void *ctx, struct csv_reader **out) WARN_UNUSED;

/* Next non-empty record into *row. Field pointers stay valid until the next
 * call to csv_next() or csv_close(). Returns ERR_OK, ERR_EOF at the end, or an
 * error for this record (row->count = 0, row->row_number set; see "Errors and
 * recovery" above for which errors let iteration go on). */
enum err csv_next(struct csv_reader *r, struct csv_row *row) WARN_UNUSED;

/* "UTF-8", "UTF-8-BOM" or "GB18030". "UTF-8" too while only ASCII was read. */
const char *csv_encoding(const struct csv_reader *r);

/* Row number of the last record returned or failed (0 before the first). */
uint64_t csv_row_number(const struct csv_reader *r);

/* Frees the reader; NULL is fine. Does not close the fd or FILE*. */
void csv_close(struct csv_reader *r);

/* True when every field of row is empty or only spaces/tabs (",,,"). */
bool csv_row_is_blank(const struct csv_row *row);

/*
 * Header mapping. Each column has a canonical name and a NULL-terminated list
 * of accepted header texts (or NULL); the canonical name is accepted too.
 * Matching trims spaces, tabs, U+00A0 and U+3000 around the cell and ignores
 * ASCII case ("Name " matches "name"; "姓名" matches "姓名"). Columns may come
 * in any order; header cells that match no column are ignored.
 *
 * index_out[i] gets the field index of cols[i], or -1 when it is absent.
 * Returns ERR_OK; ERR_MISSING_COLUMN when a required column is absent, or
 * ERR_INVALID when two header cells match the same column (which one would
 * be meant?); *bad_column_out then names that column's canonical name (it is
 * set to NULL on success).
 *
 *     static const char *const name_aliases[] = {"姓名", "member name", NULL};
 *     static const struct csv_column cols[] = {
 *         {"name", name_aliases, true},
 *         {"bank_account", (const char *const[]){"银行账号", NULL}, false},
 *     };
 *     int idx[2];
 *     const char *bad;
 *     enum err e = csv_map_header(&header_row, cols, 2, idx, &bad);
 */
struct csv_column {
    const char *name;            /* canonical name, reported when missing */
    const char *const *aliases;  /* NULL-terminated header texts, or NULL */
    bool required;               /* absent -> ERR_MISSING_COLUMN */
};

enum err csv_map_header(const struct csv_row *header, const struct csv_column *cols,
                        size_t ncols, int *index_out, const char **bad_column_out) WARN_UNUSED;

/*
 * Writing error reports, meant to be opened in Excel: UTF-8 with a BOM (so
 * Excel does not read it as GBK), CRLF line ends. A field is quoted when it
 * holds ',', '"', CR or LF or starts or ends with a space. A field that Excel
 * would run as a formula (first byte '=', '+', '-', '@', TAB or CR, except a
 * plain number such as "-12.50") gets a leading "'" so that a hostile roster
 * cannot put a formula into the report (CSV injection). Not for data
 * interchange. Errors are sticky on the FILE*: check ferror()/fclose().
 */
void csv_write_bom(FILE *f);
void csv_write_field(FILE *f, const char *s, size_t len);
/* count fields separated by ',' and then CRLF. */
void csv_write_row(FILE *f, const struct csv_field *fields, size_t count);

#endif
