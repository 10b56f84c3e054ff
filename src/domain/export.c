/*
 * export: CSV through core/csv.h's writer, XLSX through libxlsxwriter in
 * constant-memory mode (rows are written in order, so a sheet of 10^5 rows
 * never sits in memory as cells). Both go to a temporary file whose name is
 * unlinked before export_write returns.
 */
#include "domain/export.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/log.h"

#define EXACT_INT_MAX (1LL << 53) /* largest magnitude a double holds exactly */

bool export_format_parse(const char *text, enum export_format *out)
{
    if (strcmp(text, "csv") == 0) {
        *out = EXPORT_CSV;
        return true;
    }
    if (strcmp(text, "xlsx") == 0) {
        *out = EXPORT_XLSX;
        return true;
    }
    return false;
}

const char *export_content_type(enum export_format f)
{
    return f == EXPORT_CSV ? "text/csv; charset=utf-8"
                           : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

void export_file_name(const struct rpt_doc *d, enum export_format f, char out[EXPORT_NAME_MAX])
{
    snprintf(out, EXPORT_NAME_MAX, "%s-%s-%s-%s.%s", d->report, d->org_code, d->from, d->to,
             f == EXPORT_CSV ? "csv" : "xlsx");
    for (char *p = out; *p != '\0'; p++) {
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') ||
                  *p == '.' || *p == '_' || *p == '-';
        if (!ok) {
            *p = '_';
        }
    }
}

/* A temporary file: its path (to hand to libxlsxwriter) and an fd. */
static enum err temp_file(char path[256], int *fd)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0' || strlen(dir) > 200) {
        dir = "/tmp";
    }
    snprintf(path, 256, "%s/huzhu-export-XXXXXX", dir);
    *fd = mkstemp(path);
    if (*fd < 0) {
        log_error("export: cannot make a temporary file in %s: %s", dir, strerror(errno));
        return ERR_IO;
    }
    return ERR_OK;
}

/* Rewinds fd and reports its size. */
static enum err finish_fd(int fd, uint64_t *out_bytes)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        return ERR_IO;
    }
    *out_bytes = (uint64_t)sb.st_size;
    return ERR_OK;
}

/* ------------------------------------------------------------------- CSV */

static void csv_text(FILE *f, const char *s, bool last)
{
    csv_write_field(f, s, strlen(s));
    fputs(last ? "\r\n" : ",", f);
}

static void csv_cell(FILE *f, const struct rpt_col *col, const struct rpt_cell *cell, bool last)
{
    char num[24];
    const char *s = "";
    if (!cell->null) {
        if (col->kind == RPT_TEXT) {
            s = cell->s;
        } else if (col->kind == RPT_BOOL) {
            s = cell->i ? "true" : "false";
        } else {
            snprintf(num, sizeof(num), "%" PRId64, cell->i);
            s = num;
        }
    }
    csv_text(f, s, last);
}

static void csv_doc(FILE *f, const struct rpt_doc *d)
{
    csv_write_bom(f);
    csv_text(f, "report", false);
    csv_text(f, d->report, true);
    csv_text(f, "org", false);
    csv_text(f, d->org_code, false);
    csv_text(f, d->org_name, true);
    csv_text(f, "from", false);
    csv_text(f, d->from, true);
    csv_text(f, "to", false);
    csv_text(f, d->to, true);
    for (size_t k = 0; k < d->ntables; k++) {
        const struct rpt_table *t = &d->tables[k];
        fputs("\r\n", f);
        csv_text(f, t->name, !t->truncated);
        if (t->truncated) {
            csv_text(f, "truncated", true);
        }
        for (size_t i = 0; i < t->ncols; i++) {
            csv_text(f, t->cols[i].name, i + 1 == t->ncols);
        }
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t i = 0; i < t->ncols; i++) {
                csv_cell(f, &t->cols[i], &t->cells[r * t->ncols + i], i + 1 == t->ncols);
            }
        }
    }
}

static enum err write_csv(const struct rpt_doc *d, int fd)
{
    int dup_fd = dup(fd);
    FILE *f = dup_fd >= 0 ? fdopen(dup_fd, "w") : NULL;
    if (f == NULL) {
        if (dup_fd >= 0) {
            close(dup_fd);
        }
        return ERR_IO;
    }
    csv_doc(f, d);
    bool bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    return bad ? ERR_IO : ERR_OK;
}

/* ------------------------------------------------------------------ XLSX */

static lxw_error xlsx_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                           const struct rpt_col *c, const struct rpt_cell *cell)
{
    if (cell->null) {
        return LXW_NO_ERROR;
    }
    if (c->kind == RPT_TEXT) {
        return worksheet_write_string(ws, row, col, cell->s, NULL);
    }
    if (c->kind == RPT_BOOL) {
        return worksheet_write_boolean(ws, row, col, cell->i != 0, NULL);
    }
    if (cell->i > EXACT_INT_MAX || cell->i < -EXACT_INT_MAX) {
        char num[24];
        snprintf(num, sizeof(num), "%" PRId64, cell->i);
        return worksheet_write_string(ws, row, col, num, NULL);
    }
    return worksheet_write_number(ws, row, col, (double)cell->i, NULL); /* exact: |i| <= 2^53 */
}

static lxw_error xlsx_table(lxw_workbook *wb, lxw_format *bold, const struct rpt_table *t)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, t->name);
    if (ws == NULL) {
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    }
    lxw_error x = LXW_NO_ERROR;
    for (size_t i = 0; x == LXW_NO_ERROR && i < t->ncols; i++) {
        x = worksheet_write_string(ws, 0, (lxw_col_t)i, t->cols[i].name, bold);
    }
    if (x == LXW_NO_ERROR) {
        worksheet_freeze_panes(ws, 1, 0);
    }
    for (size_t r = 0; x == LXW_NO_ERROR && r < t->nrows; r++) {
        for (size_t i = 0; x == LXW_NO_ERROR && i < t->ncols; i++) {
            x = xlsx_cell(ws, (lxw_row_t)(r + 1), (lxw_col_t)i, &t->cols[i],
                          &t->cells[r * t->ncols + i]);
        }
    }
    if (x == LXW_NO_ERROR && t->truncated) {
        x = worksheet_write_string(ws, (lxw_row_t)(t->nrows + 1), 0, "(truncated)", bold);
    }
    return x;
}

static enum err write_xlsx(const struct rpt_doc *d, const char *path)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = 0};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (wb == NULL) {
        return ERR_NOMEM;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "report");
    lxw_error x = ws == NULL ? LXW_ERROR_MEMORY_MALLOC_FAILED : LXW_NO_ERROR;
    const char *facts[4][3] = {{"report", d->report, ""},
                               {"org", d->org_code, d->org_name},
                               {"from", d->from, ""},
                               {"to", d->to, ""}};
    for (lxw_row_t r = 0; x == LXW_NO_ERROR && r < 4; r++) {
        for (lxw_col_t k = 0; x == LXW_NO_ERROR && k < 3; k++) {
            x = worksheet_write_string(ws, r, k, facts[r][k], k == 0 ? bold : NULL);
        }
    }
    for (size_t k = 0; x == LXW_NO_ERROR && k < d->ntables; k++) {
        x = xlsx_table(wb, bold, &d->tables[k]);
    }
    lxw_error closed = workbook_close(wb); /* frees wb whatever happened */
    if (x != LXW_NO_ERROR || closed != LXW_NO_ERROR) {
        log_error("export: xlsx: %s", lxw_strerror(x != LXW_NO_ERROR ? x : closed));
        return ERR_IO;
    }
    return ERR_OK;
}

enum err export_write(const struct rpt_doc *d, enum export_format f, int *out_fd,
                      uint64_t *out_bytes)
{
    char path[256];
    int fd;
    enum err e = temp_file(path, &fd);
    if (e != ERR_OK) {
        return e;
    }
    if (f == EXPORT_CSV) {
        unlink(path);
        e = write_csv(d, fd);
    } else {
        /* libxlsxwriter writes by name: the file is rewritten under the
         * same name, so open it again afterwards and unlink it then */
        close(fd);
        fd = -1;
        e = write_xlsx(d, path);
        if (e == ERR_OK) {
            fd = open(path, O_RDONLY | O_CLOEXEC);
            e = fd >= 0 ? ERR_OK : ERR_IO;
        }
        unlink(path);
    }
    if (e == ERR_OK) {
        e = finish_fd(fd, out_bytes);
    }
    if (e != ERR_OK) {
        if (fd >= 0) {
            close(fd);
        }
        return e;
    }
    *out_fd = fd;
    return ERR_OK;
}
