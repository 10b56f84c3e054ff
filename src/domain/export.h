/*
 * export: a report document (domain/reports.h) as a file people open in a
 * spreadsheet: CSV (UTF-8 with a BOM, CRLF, Excel's CSV-injection guard of
 * core/csv.h) or XLSX (libxlsxwriter).
 *
 * Layout. CSV: the report's name, organisation and range on the first
 * lines, then each table as a block: a line with the table's name, its
 * header (the JSON keys) and its rows, and a blank line. XLSX: a first
 * sheet "report" with the same facts, then one sheet per table (header row
 * in bold, frozen). Integers (fen, counts, basis points) are numbers: a
 * spreadsheet number is an IEEE double, which holds every integer of
 * magnitude up to 2^53 exactly; a value beyond that (no sum of fen here
 * comes near 9 * 10^15) is written as text so no digit is ever lost. No
 * arithmetic happens on the way. NULL cells are empty.
 *
 * The file is built in an unnamed temporary file (TMPDIR, else /tmp) that
 * is already unlinked when export_write returns: the caller gets an fd
 * positioned at 0 and its size, sends it and closes it; nothing is left
 * behind on any path.
 */
#ifndef HUZHU_DOMAIN_EXPORT_H
#define HUZHU_DOMAIN_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/reports.h"

enum export_format {
    EXPORT_CSV,
    EXPORT_XLSX,
};

#define EXPORT_NAME_MAX 128 /* bytes of a download file name */

/* "csv" -> EXPORT_CSV, "xlsx" -> EXPORT_XLSX; false for anything else. */
bool export_format_parse(const char *text, enum export_format *out);

/* "text/csv; charset=utf-8" or the XLSX media type (static strings). */
const char *export_content_type(enum export_format f);

/* A download name without path characters: "<report>-<org code>-<from>-<to>.<ext>",
 * every byte outside [A-Za-z0-9._-] replaced by '_'. */
void export_file_name(const struct rpt_doc *d, enum export_format f, char out[EXPORT_NAME_MAX]);

/* Writes d as f into a new temporary file: *out_fd (read from offset 0,
 * the caller closes it) and *out_bytes. ERR_IO when the file cannot be
 * made or written, ERR_NOMEM. */
enum err export_write(const struct rpt_doc *d, enum export_format f, int *out_fd,
                      uint64_t *out_bytes) WARN_UNUSED;

#endif
