/*
 * roster_import: the import engine for the rosters union units send as CSV
 * (UTF-8 with or without BOM, or GB18030; headers in Chinese or English in
 * any order): employers (用人单位) and members (职工).
 *
 * Streaming: rows are read through a csv_reader and written in batches, so
 * memory does not grow with the file except for the set of keys already
 * seen (8 bytes per distinct ID number at most half full, for
 * DUPLICATE_IN_FILE) and a cache of the employers the file names. Members
 * go through a two-stage pipeline: a thread of the import reads, checks and
 * seals rows into batches of up to 65,536 (two batches, about 40 MB, in
 * flight) while the calling thread writes the previous batch; the outcome,
 * the counts and the report are those of reading the file row by row. During
 * the call the reader, opt->report and the connection belong to the import
 * (the report is written from its thread); opt->progress is called on the
 * calling thread.
 *
 * All-or-nothing: every good row is written in ONE transaction, committed
 * after the last row; any file-level error (below), a database error or a
 * killed process leaves the database as it was.
 *
 * Columns (canonical name / accepted headers; * = required):
 *   members:   name* 姓名, id_number* 身份证号, employment* 用工形式,
 *              phone 手机号, employer_uscc 单位统一社会信用代码,
 *              hardship 困难职工, bank_account 银行账号
 *   employers: uscc* 统一社会信用代码, name* 单位名称, ownership* 经济类型,
 *              size* 规模, industry 行业
 * employment is required because no form can be assumed (standard needs an
 * employer, the gig forms do not). An optional column may be left out or
 * left empty: phone and bank card then stay as they are for known members,
 * hardship means no.
 *
 * File-level errors (nothing is written, the report holds no rows):
 * ERR_MISSING_COLUMN (ferr->column names it; an empty file too), ERR_INVALID
 * (two header cells for one column; ferr->column), ERR_NOT_FOUND (unknown
 * organisation code), ERR_IO / ERR_NOMEM / ERR_ENCODING while reading the
 * header or ERR_IO / ERR_NOMEM later, and database errors (ERR_RETRY: run
 * the import again).
 *
 * Row-level refusals: each bad row gets ONE reason (registry.h gives the
 * order of checks) and one line in the report; a row the CSV reader cannot
 * parse is refused with its reader code (CSV_BAD_QUOTE, CSV_ROW_TOO_LONG,
 * CSV_TOO_MANY_FIELDS, BAD_ENCODING). Rows of only blank cells (",,,") are
 * skipped and not counted. A second and later occurrence of a key (ID
 * number, credit code) in the file is DUPLICATE_IN_FILE once the key itself
 * is valid, whatever happens to the first occurrence.
 *
 * Members attach to the importing organisation (--org); a member already
 * registered under that organisation or under one of its descendants stays
 * there (registry_member_upsert). Employers given by credit code must be
 * registered (anywhere): the credit code is public and the roster's union
 * need not be the employer's.
 *
 * Report: a CSV file "row,field,code,message" (UTF-8 with BOM, CRLF; the
 * header row is row 1), one line per refused row, in file order. Messages are
 * in Chinese for unit staff and never quote the refused value.
 */
#ifndef HUZHU_DOMAIN_ROSTER_IMPORT_H
#define HUZHU_DOMAIN_ROSTER_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/err.h"
#include "domain/fieldcrypt.h"
#include "store/store.h"

#define ROSTER_PROGRESS_ROWS 100000 /* rows between progress callbacks */

struct roster_import_options {
    const char *org_code;        /* the importing organisation */
    const char *source_ref;      /* file name, for member_history */
    const char *actor;           /* login, or "" for the command line */
    struct date as_of;           /* the import date: UNDERAGE, birth dates */
    const struct fieldcrypt *fc; /* members: seals and indexes ID and bank numbers */
    FILE *report;                /* NULL: no report */
    /* Called every ROSTER_PROGRESS_ROWS rows with the rows read; may be NULL. */
    void (*progress)(void *ctx, uint64_t rows);
    void *progress_ctx;
};

struct roster_summary {
    uint64_t rows;     /* data rows read (blank rows not counted) */
    uint64_t inserted; /* new records */
    uint64_t updated;  /* known records with a changed field */
    uint64_t unchanged;
    uint64_t rejected; /* rows refused, one report line each */
};

struct roster_file_error {
    const char *column; /* canonical column name for MISSING_COLUMN / INVALID; else NULL */
};

/* Imports a member roster from r (header first) into the database through c,
 * which must not be in a transaction. Returns ERR_OK when the rows were
 * committed (some may have been refused: see out->rejected), or a
 * file-level error with nothing written. *out is filled in either case. */
enum err roster_import_members(struct store_conn *c, struct csv_reader *r,
                               const struct roster_import_options *opt, struct roster_summary *out,
                               struct roster_file_error *ferr) WARN_UNUSED;

/* The same for an employer roster (opt->fc is not used). */
enum err roster_import_employers(struct store_conn *c, struct csv_reader *r,
                                 const struct roster_import_options *opt,
                                 struct roster_summary *out,
                                 struct roster_file_error *ferr) WARN_UNUSED;

/* {"rows": N, "inserted": I, "updated": U, "unchanged": C, "rejected": R}
 * and a NUL into buf (128 bytes are always enough). */
void roster_summary_json(const struct roster_summary *s, char *buf, size_t cap);

#endif
