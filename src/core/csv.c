/*
 * csv: streaming RFC 4180 reader (UTF-8 / GB18030 in, UTF-8 out) and a small
 * report writer. The contract is in csv.h.
 *
 * Layout. Text (UTF-8) lives in one buffer of CSV_BUF_BYTES. In UTF-8 mode the
 * source reads straight into it; in GB18030 mode the source reads into a raw
 * buffer and iconv converts into it. A record is parsed in place: a first pass
 * (scan_record) finds its end, resumable across refills, and a second pass
 * (split_record) cuts it into fields, unescaping "" in place (the text only
 * shrinks). Before each refill the unfinished record is moved to the front.
 *
 * Invariants: the unfinished record in the buffer is at most
 * LIMIT_CSV_ROW_BYTES + 1 bytes (past that the record is skipped, not kept),
 * so there is always room to read; the scan state at scan_pos is exactly the
 * state a byte-by-byte RFC 4180 machine would have, so both passes agree on
 * where fields and records end.
 *
 * Invalid GB18030 bytes become the byte 0xFF in the text, which is never valid
 * UTF-8: the record holding it then fails the UTF-8 check with ERR_ENCODING,
 * and reading goes on with the next record as for any row-level error.
 */
#include "core/csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/assert.h"
#include "core/limits.h"
#include "core/utf8.h"

/* Text buffer: the longest record plus room to read ahead in big chunks. */
#define CSV_BUF_BYTES (4 * LIMIT_CSV_ROW_BYTES)
/* Encoding detection looks at this much from the first non-ASCII byte; it is
 * also the raw (GB18030) buffer size and the read size until detection. */
#define CSV_DETECT_BYTES (64 * 1024)
/* Stands for an invalid GB18030 byte in the text: never valid in UTF-8. */
#define CSV_BAD_BYTE ((char)0xFF)

_Static_assert(CSV_BUF_BYTES >= LIMIT_CSV_ROW_BYTES + 2 + CSV_DETECT_BYTES,
               "the buffer must hold a full record and a detection window");

enum csv_enc { ENC_UNDECIDED, ENC_UTF8, ENC_UTF8_BOM, ENC_GB18030 };

/* Where the record scanner stands, as in a byte-by-byte RFC 4180 machine. */
enum csv_state {
    ST_FIELD_START, /* at the first byte of a field */
    ST_UNQUOTED,    /* inside an unquoted field */
    ST_QUOTED,      /* inside a quoted field */
    ST_QUOTE_SEEN,  /* just after a '"' inside a quoted field: "" or the close */
};

struct csv_mem {
    const char *data; /* not owned */
    size_t len;       /* bytes in data */
    size_t pos;       /* bytes handed out so far */
};

struct csv_reader {
    csv_read_fn read; /* the source */
    void *ctx;        /* its argument: the caller's, or &fd / file / mem below */
    int fd;           /* csv_open_fd */
    FILE *file;       /* csv_open_file */
    struct csv_mem mem; /* csv_open_mem */
    bool src_eof;     /* the source said end of input */
    bool at_eof;      /* no more text will come: source done, raw drained */

    enum csv_enc enc; /* decided once (see csv.h) */
    iconv_t cd;       /* GB18030 -> UTF-8; (iconv_t)-1 when unused */
    char *raw;        /* CSV_DETECT_BYTES of GB18030 input; NULL when unused */
    size_t raw_pos;   /* next raw byte to convert */
    size_t raw_len;   /* raw bytes held */

    char *buf;        /* CSV_BUF_BYTES of UTF-8 text */
    size_t len;       /* text bytes held */
    size_t pos;       /* start of the next record */

    size_t rec_start;  /* current record's first byte (or, when skipping, discard point) */
    size_t rec_end;    /* its end, line end excluded (set once found) */
    size_t scan_pos;   /* where scan_record goes on */
    enum csv_state st; /* state at scan_pos */
    bool has_quoted;   /* some field of the record is quoted */
    bool bad_quote;    /* bytes after a closing quote */
    bool unterminated; /* a quote was open at end of input */
    bool too_long;     /* over LIMIT_CSV_ROW_BYTES: being skipped */

    enum err broken;     /* sticky ERR_IO / ERR_NOMEM / ERR_INTERNAL, or ERR_OK */
    uint64_t row_number; /* number of the last record found */
    struct csv_field fields[LIMIT_CSV_FIELDS]; /* the row handed out */
};

/* ---- sources ---- */

static enum err read_fd(void *ctx, char *buf, size_t cap, size_t *got)
{
    const int *fd = ctx;
    for (;;) {
        ssize_t n = read(*fd, buf, cap);
        if (n >= 0) {
            *got = (size_t)n;
            return ERR_OK;
        }
        if (errno != EINTR) {
            return ERR_IO;
        }
    }
}

static enum err read_file(void *ctx, char *buf, size_t cap, size_t *got)
{
    FILE *f = ctx;
    size_t n = fread(buf, 1, cap, f);
    if (n == 0 && ferror(f)) {
        return ERR_IO;
    }
    *got = n;
    return ERR_OK;
}

static enum err read_mem(void *ctx, char *buf, size_t cap, size_t *got)
{
    struct csv_mem *m = ctx;
    size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;
    if (n > 0) {
        memcpy(buf, m->data + m->pos, n);
    }
    m->pos += n;
    *got = n;
    return ERR_OK;
}

/* One read from the source into (buf, cap); notes the end of input. */
static enum err source_read(struct csv_reader *r, char *buf, size_t cap, size_t *got)
{
    ASSERT(cap > 0);
    *got = 0;
    if (r->src_eof) {
        return ERR_OK;
    }
    enum err e = r->read(r->ctx, buf, cap, got);
    if (e) {
        return e == ERR_NOMEM ? e : ERR_IO;
    }
    if (*got > cap) {
        return ERR_INTERNAL; /* a callback that lies about its size */
    }
    if (*got == 0) {
        r->src_eof = true;
    }
    return ERR_OK;
}

/* ---- encoding ---- */

/* Index of the first byte >= 0x80 in s[from, to), or to. */
static size_t find_non_ascii(const char *s, size_t from, size_t to)
{
    size_t i = from;
    for (; i + 8 <= to; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, sizeof(w));
        if (w & 0x8080808080808080ULL) {
            break;
        }
    }
    for (; i < to; i++) {
        if ((unsigned char)s[i] & 0x80) {
            return i;
        }
    }
    return to;
}

/* Whether (s, len) is UTF-8, NUL bytes allowed (they are an error later, not a
 * sign of GB18030); when !complete, a sequence cut at the end is allowed. */
static bool detect_is_utf8(const char *s, size_t len, bool complete)
{
    if (!complete) {
        size_t back = 0;
        while (back < 3 && back < len && ((unsigned char)s[len - 1 - back] & 0xC0) == 0x80) {
            back++;
        }
        if (back < len) {
            unsigned char lead = (unsigned char)s[len - 1 - back];
            size_t need = lead >= 0xF8   ? 1
                          : lead >= 0xF0 ? 4
                          : lead >= 0xE0 ? 3
                          : lead >= 0xC0 ? 2
                                         : 1;
            if (need > back + 1) {
                len -= back + 1;
            }
        }
    }
    while (len > 0) {
        const char *z = memchr(s, 0, len);
        size_t n = z ? (size_t)(z - s) : len;
        if (!utf8_is_valid(s, n)) {
            return false;
        }
        if (z == NULL) {
            break;
        }
        s += n + 1;
        len -= n + 1;
    }
    return true;
}

static enum err fill_gb(struct csv_reader *r);

/* In ENC_UNDECIDED, text [from, len) was just read: at the first non-ASCII
 * byte, read up to CSV_DETECT_BYTES from it and decide. For GB18030 the bytes
 * from there on move to the raw buffer to be converted. */
static enum err detect(struct csv_reader *r, size_t from)
{
    size_t p = find_non_ascii(r->buf, from, r->len);
    if (p == r->len) {
        return ERR_OK;
    }
    while (!r->src_eof && r->len - p < CSV_DETECT_BYTES && r->len < CSV_BUF_BYTES) {
        size_t want = CSV_DETECT_BYTES - (r->len - p);
        if (want > CSV_BUF_BYTES - r->len) {
            want = CSV_BUF_BYTES - r->len;
        }
        size_t got;
        enum err e = source_read(r, r->buf + r->len, want, &got);
        if (e) {
            return e;
        }
        r->len += got;
    }
    if (detect_is_utf8(r->buf + p, r->len - p, r->src_eof)) {
        r->enc = ENC_UTF8;
        return ERR_OK;
    }
    r->cd = iconv_open("UTF-8", "GB18030");
    if (r->cd == (iconv_t)-1) {
        return ERR_INTERNAL; /* glibc without its gconv modules */
    }
    r->raw = malloc(CSV_DETECT_BYTES);
    if (r->raw == NULL) {
        return ERR_NOMEM;
    }
    size_t n = r->len - p;
    ASSERT(n <= CSV_DETECT_BYTES);
    memcpy(r->raw, r->buf + p, n);
    r->raw_pos = 0;
    r->raw_len = n;
    r->len = p;
    r->enc = ENC_GB18030;
    return p > from ? ERR_OK : fill_gb(r);
}

/* GB18030: converts raw bytes into the text buffer until some text was added
 * or the input is over. A character cut at the raw buffer's end waits for the
 * next read (EINVAL); an invalid byte becomes CSV_BAD_BYTE and is skipped. */
static enum err fill_gb(struct csv_reader *r)
{
    for (;;) {
        if (r->raw_pos < r->raw_len) {
            char *in = r->raw + r->raw_pos;
            size_t in_left = r->raw_len - r->raw_pos;
            char *out = r->buf + r->len;
            size_t out_left = CSV_BUF_BYTES - r->len;
            errno = 0;
            size_t rc = iconv(r->cd, &in, &in_left, &out, &out_left);
            int saved = errno;
            size_t produced = (size_t)(out - (r->buf + r->len));
            r->raw_pos = (size_t)(in - r->raw);
            r->len += produced;
            if (rc != (size_t)-1 || saved == E2BIG) {
                if (produced > 0 || r->raw_pos == r->raw_len) {
                    if (produced > 0) {
                        return ERR_OK;
                    }
                    continue; /* all raw converted to nothing: read more */
                }
                return ERR_INTERNAL; /* no room for one character: cannot happen */
            }
            if (saved == EILSEQ) {
                if (out_left == 0) {
                    return ERR_OK; /* produced > 0; the bad byte waits */
                }
                r->buf[r->len++] = CSV_BAD_BYTE;
                r->raw_pos++;
                return ERR_OK;
            }
            if (saved != EINVAL) {
                return ERR_INTERNAL;
            }
            if (produced > 0) {
                return ERR_OK;
            }
            /* EINVAL: a character cut at the end of raw; read more below. */
        }
        if (r->src_eof) {
            if (r->raw_pos < r->raw_len) {
                r->raw_pos = r->raw_len; /* truncated character at the end */
                r->buf[r->len++] = CSV_BAD_BYTE;
                return ERR_OK;
            }
            r->at_eof = true;
            return ERR_OK;
        }
        size_t keep = r->raw_len - r->raw_pos;
        memmove(r->raw, r->raw + r->raw_pos, keep);
        r->raw_pos = 0;
        r->raw_len = keep;
        size_t got;
        enum err e = source_read(r, r->raw + keep, CSV_DETECT_BYTES - keep, &got);
        if (e) {
            return e;
        }
        r->raw_len += got;
    }
}

/* Adds at least one byte of text at r->len, or sets at_eof. */
static enum err fill(struct csv_reader *r)
{
    ASSERT(CSV_BUF_BYTES - r->len >= 4);
    if (r->enc == ENC_GB18030) {
        return fill_gb(r);
    }
    size_t cap = CSV_BUF_BYTES - r->len;
    if (r->enc == ENC_UNDECIDED && cap > CSV_DETECT_BYTES) {
        cap = CSV_DETECT_BYTES; /* so that a GB18030 window fits in raw */
    }
    size_t old = r->len;
    size_t got;
    enum err e = source_read(r, r->buf + r->len, cap, &got);
    if (e) {
        return e;
    }
    if (got == 0) {
        r->at_eof = true;
        return ERR_OK;
    }
    r->len += got;
    return r->enc == ENC_UNDECIDED ? detect(r, old) : ERR_OK;
}

/* ---- records ---- */

/* Advances the scan of the current record. True when its line end was found
 * (scan_pos at the LF); false when the text ran out first. */
static bool scan_record(struct csv_reader *r)
{
    const char *b = r->buf;
    size_t end = r->len;
    size_t i = r->scan_pos;
    enum csv_state st = r->st;
    bool found = false;
    for (;;) {
        if (st == ST_QUOTED) {
            const char *q = i < end ? memchr(b + i, '"', end - i) : NULL;
            if (q == NULL) {
                i = end;
                break;
            }
            i = (size_t)(q - b) + 1;
            st = ST_QUOTE_SEEN;
        } else if (st == ST_QUOTE_SEEN) {
            if (i == end) {
                break;
            }
            char c = b[i];
            if (c == '"') {
                st = ST_QUOTED;
                i++;
            } else if (c == ',') {
                st = ST_FIELD_START;
                i++;
            } else if (c == '\n') {
                found = true;
                break;
            } else if (c == '\r' && i + 1 == end) {
                break; /* CRLF or garbage: wait for the next byte */
            } else if (c == '\r' && b[i + 1] == '\n') {
                i++;
                found = true;
                break;
            } else {
                r->bad_quote = true;
                st = ST_UNQUOTED;
                i++;
            }
        } else {
            /* Unquoted context: only the LF and a '"' opening a field matter. */
            const char *nl = memchr(b + i, '\n', end - i);
            size_t stop = nl ? (size_t)(nl - b) : end;
            size_t j = i;
            bool opened = false;
            while (j < stop) {
                const char *q = memchr(b + j, '"', stop - j);
                if (q == NULL) {
                    break;
                }
                size_t k = (size_t)(q - b);
                if ((k == i && st == ST_FIELD_START) || (k > i && b[k - 1] == ',')) {
                    opened = true;
                    i = k + 1;
                    break;
                }
                j = k + 1; /* a quote inside an unquoted field: data */
            }
            if (opened) {
                st = ST_QUOTED;
                r->has_quoted = true;
                continue;
            }
            if (nl != NULL) {
                i = stop;
                found = true;
                break;
            }
            if (end > i) {
                st = b[end - 1] == ',' ? ST_FIELD_START : ST_UNQUOTED;
            }
            i = end;
            break;
        }
    }
    r->scan_pos = i;
    r->st = st;
    return found;
}

/* Content end of a record whose line end (or the end of input) is at stop. */
static size_t record_end(const struct csv_reader *r, size_t stop)
{
    if (stop > r->rec_start && r->buf[stop - 1] == '\r') {
        return stop - 1;
    }
    return stop;
}

/* Finds the next record: [rec_start, rec_end) and its flags, row_number
 * counted. ERR_EOF when the input is over. */
static enum err next_record(struct csv_reader *r)
{
    r->rec_start = r->pos;
    r->scan_pos = r->pos;
    r->st = ST_FIELD_START;
    r->has_quoted = false;
    r->bad_quote = false;
    r->unterminated = false;
    r->too_long = false;
    for (;;) {
        if (scan_record(r)) {
            r->rec_end = record_end(r, r->scan_pos);
            r->pos = r->scan_pos + 1;
            break;
        }
        if (r->at_eof) {
            if (r->len == r->rec_start && !r->too_long) {
                r->pos = r->len; /* so that later calls see the end again */
                return ERR_EOF;
            }
            r->unterminated = r->st == ST_QUOTED;
            r->rec_end = record_end(r, r->len);
            r->pos = r->len;
            break;
        }
        if (!r->too_long && r->len - r->rec_start > LIMIT_CSV_ROW_BYTES + 1) {
            r->too_long = true; /* even if the next byte is the LF after a CR */
        }
        if (r->too_long) {
            r->rec_start = r->scan_pos; /* keep nothing of it */
        }
        size_t keep = r->len - r->rec_start;
        memmove(r->buf, r->buf + r->rec_start, keep);
        r->len = keep;
        r->scan_pos -= r->rec_start;
        r->rec_start = 0;
        enum err e = fill(r);
        if (e) {
            return e;
        }
    }
    if (!r->too_long && r->rec_end - r->rec_start > LIMIT_CSV_ROW_BYTES) {
        r->too_long = true;
    }
    r->row_number++;
    return ERR_OK;
}

/* Cuts the current record into fields, unescaping quoted ones in place. */
static enum err split_record(struct csv_reader *r, struct csv_row *row)
{
    char *b = r->buf;
    size_t e = r->rec_end;
    size_t i = r->rec_start;
    size_t n = 0;
    for (;;) {
        if (n == LIMIT_CSV_FIELDS) {
            return ERR_CSV_TOO_MANY_FIELDS;
        }
        struct csv_field *f = &r->fields[n++];
        if (r->has_quoted && i < e && b[i] == '"') {
            i++;
            size_t w = i;
            f->ptr = b + i;
            for (;;) {
                const char *q = memchr(b + i, '"', e - i);
                ASSERT(q != NULL); /* scan_record saw it close */
                size_t k = (size_t)(q - b);
                memmove(b + w, b + i, k - i);
                w += k - i;
                if (k + 1 < e && b[k + 1] == '"') {
                    b[w++] = '"';
                    i = k + 2;
                } else {
                    i = k + 1;
                    break;
                }
            }
            f->len = w - (size_t)(f->ptr - b);
        } else {
            const char *c = memchr(b + i, ',', e - i);
            size_t stop = c ? (size_t)(c - b) : e;
            f->ptr = b + i;
            f->len = stop - i;
            i = stop;
        }
        if (i >= e) {
            break;
        }
        ASSERT(b[i] == ',');
        i++;
    }
    row->count = n;
    return ERR_OK;
}

enum err csv_next(struct csv_reader *r, struct csv_row *row)
{
    row->fields = r->fields;
    row->count = 0;
    row->row_number = r->row_number;
    if (r->broken) {
        return r->broken;
    }
    for (;;) {
        enum err e = next_record(r);
        if (e == ERR_EOF) {
            return e;
        }
        if (e) {
            r->broken = e;
            return e;
        }
        row->row_number = r->row_number;
        if (r->unterminated) {
            return ERR_CSV_QUOTE;
        }
        if (r->too_long) {
            return ERR_CSV_ROW_TOO_LONG;
        }
        if (r->rec_end == r->rec_start) {
            continue; /* empty line: numbered, not returned */
        }
        if (r->bad_quote) {
            return ERR_CSV_QUOTE;
        }
        if (!utf8_is_valid(r->buf + r->rec_start, r->rec_end - r->rec_start)) {
            return ERR_ENCODING;
        }
        e = split_record(r, row);
        if (e) {
            row->count = 0;
        }
        return e;
    }
}

/* ---- lifecycle ---- */

static enum err reader_new(struct csv_reader **out)
{
    *out = NULL;
    struct csv_reader *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ERR_NOMEM;
    }
    r->buf = malloc(CSV_BUF_BYTES);
    if (r->buf == NULL) {
        free(r);
        return ERR_NOMEM;
    }
    r->cd = (iconv_t)-1;
    r->fd = -1;
    *out = r;
    return ERR_OK;
}

/* Reads the first bytes: BOM, then detection if they hold non-ASCII. */
static enum err reader_start(struct csv_reader *r)
{
    while (r->len < 3 && !r->src_eof) {
        size_t got;
        enum err e = source_read(r, r->buf + r->len, CSV_DETECT_BYTES - r->len, &got);
        if (e) {
            return e;
        }
        r->len += got;
    }
    const unsigned char *b = (const unsigned char *)r->buf;
    if (r->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        r->enc = ENC_UTF8_BOM;
        r->pos = 3;
        return ERR_OK;
    }
    if (r->len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        return ERR_ENCODING; /* UTF-16: "Unicode text", not CSV */
    }
    return detect(r, 0);
}

static enum err reader_open(struct csv_reader *r, struct csv_reader **out)
{
    enum err e = reader_start(r);
    if (e) {
        csv_close(r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

enum err csv_open_cb(csv_read_fn read, void *ctx, struct csv_reader **out)
{
    struct csv_reader *r;
    enum err e = reader_new(&r);
    *out = NULL;
    if (e) {
        return e;
    }
    r->read = read;
    r->ctx = ctx;
    return reader_open(r, out);
}

enum err csv_open_fd(int fd, struct csv_reader **out)
{
    struct csv_reader *r;
    enum err e = reader_new(&r);
    *out = NULL;
    if (e) {
        return e;
    }
    r->fd = fd;
    r->read = read_fd;
    r->ctx = &r->fd;
    return reader_open(r, out);
}

enum err csv_open_file(FILE *f, struct csv_reader **out)
{
    struct csv_reader *r;
    enum err e = reader_new(&r);
    *out = NULL;
    if (e) {
        return e;
    }
    r->file = f;
    r->read = read_file;
    r->ctx = f;
    return reader_open(r, out);
}

enum err csv_open_mem(const char *data, size_t len, struct csv_reader **out)
{
    struct csv_reader *r;
    enum err e = reader_new(&r);
    *out = NULL;
    if (e) {
        return e;
    }
    r->mem.data = data;
    r->mem.len = data ? len : 0;
    r->read = read_mem;
    r->ctx = &r->mem;
    return reader_open(r, out);
}

const char *csv_encoding(const struct csv_reader *r)
{
    switch (r->enc) {
    case ENC_UTF8_BOM:
        return "UTF-8-BOM";
    case ENC_GB18030:
        return "GB18030";
    case ENC_UNDECIDED:
    case ENC_UTF8:
        break;
    }
    return "UTF-8";
}

uint64_t csv_row_number(const struct csv_reader *r)
{
    return r->row_number;
}

void csv_close(struct csv_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->cd != (iconv_t)-1) {
        iconv_close(r->cd);
    }
    free(r->raw);
    free(r->buf);
    free(r);
}

bool csv_row_is_blank(const struct csv_row *row)
{
    for (size_t i = 0; i < row->count; i++) {
        const struct csv_field *f = &row->fields[i];
        for (size_t k = 0; k < f->len; k++) {
            if (f->ptr[k] != ' ' && f->ptr[k] != '\t') {
                return false;
            }
        }
    }
    return true;
}

/* ---- header mapping ---- */

/* Length of the blank (space, tab, U+00A0, U+3000, BOM) at s, or 0. */
static size_t blank_at(const char *s, size_t len)
{
    if (len >= 1 && (s[0] == ' ' || s[0] == '\t')) {
        return 1;
    }
    if (len >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) {
        return 2;
    }
    if (len >= 3 && (memcmp(s, "\xE3\x80\x80", 3) == 0 || memcmp(s, "\xEF\xBB\xBF", 3) == 0)) {
        return 3;
    }
    return 0;
}

/* Length of the blank ending at s + len, or 0. */
static size_t blank_before(const char *s, size_t len)
{
    if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        return 1;
    }
    if (len >= 2 && memcmp(s + len - 2, "\xC2\xA0", 2) == 0) {
        return 2;
    }
    if (len >= 3 && memcmp(s + len - 3, "\xE3\x80\x80", 3) == 0) {
        return 3;
    }
    return 0;
}

static bool ascii_case_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') {
            x = (unsigned char)(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (unsigned char)(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

static bool column_matches(const struct csv_column *c, const char *s, size_t len)
{
    if (ascii_case_eq(s, len, c->name, strlen(c->name))) {
        return true;
    }
    for (const char *const *a = c->aliases; a != NULL && *a != NULL; a++) {
        if (ascii_case_eq(s, len, *a, strlen(*a))) {
            return true;
        }
    }
    return false;
}

enum err csv_map_header(const struct csv_row *header, const struct csv_column *cols,
                        size_t ncols, int *index_out, const char **bad_column_out)
{
    *bad_column_out = NULL;
    for (size_t c = 0; c < ncols; c++) {
        index_out[c] = -1;
    }
    for (size_t f = 0; f < header->count; f++) {
        const char *s = header->fields[f].ptr;
        size_t len = header->fields[f].len;
        size_t n;
        while ((n = blank_at(s, len)) > 0) {
            s += n;
            len -= n;
        }
        while ((n = blank_before(s, len)) > 0) {
            len -= n;
        }
        if (len == 0) {
            continue;
        }
        for (size_t c = 0; c < ncols; c++) {
            if (!column_matches(&cols[c], s, len)) {
                continue;
            }
            if (index_out[c] != -1) {
                *bad_column_out = cols[c].name;
                return ERR_INVALID;
            }
            index_out[c] = (int)f;
            break;
        }
    }
    for (size_t c = 0; c < ncols; c++) {
        if (cols[c].required && index_out[c] == -1) {
            *bad_column_out = cols[c].name;
            return ERR_MISSING_COLUMN;
        }
    }
    return ERR_OK;
}

/* ---- writing ---- */

void csv_write_bom(FILE *f)
{
    fputs("\xEF\xBB\xBF", f);
}

/* "+12", "-12.50": numbers Excel shows as numbers, not formulas to defuse. */
static bool is_signed_number(const char *s, size_t len)
{
    size_t digits = 0, dots = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
        } else if (s[i] == '.') {
            dots++;
        } else {
            return false;
        }
    }
    return digits > 0 && dots <= 1;
}

void csv_write_field(FILE *f, const char *s, size_t len)
{
    bool formula = len > 0 && memchr("=+-@\t\r", s[0], 6) != NULL && !is_signed_number(s, len);
    bool quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++) {
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    }
    if (quote) {
        fputc('"', f);
    }
    if (formula) {
        fputc('\'', f);
    }
    size_t i = 0;
    while (i < len) {
        const char *q = quote ? memchr(s + i, '"', len - i) : NULL;
        size_t stop = q ? (size_t)(q - s) + 1 : len;
        fwrite(s + i, 1, stop - i, f);
        if (q) {
            fputc('"', f); /* "" for " */
        }
        i = stop;
    }
    if (quote) {
        fputc('"', f);
    }
}

void csv_write_row(FILE *f, const struct csv_field *fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            fputc(',', f);
        }
        csv_write_field(f, fields[i].ptr, fields[i].len);
    }
    fputs("\r\n", f);
}
