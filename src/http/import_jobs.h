/*
 * import_jobs: roster imports uploaded over the API, run in the background
 * of the server process.
 *
 * POST /api/v1/imports/... hands the uploaded CSV to import_jobs_submit(),
 * which copies it into a job and returns at once; one worker thread runs the
 * jobs one after another (a roster import is one long write transaction:
 * running two at once would only make them wait on each other) with
 * roster_import_members/employers, on a connection of its own from the pool.
 * Clients poll the job's status and progress and download its error report.
 *
 * Jobs live in memory only: a bounded table of IMPORT_JOBS_MAX jobs. A
 * restart forgets them (the import itself is all-or-nothing, so a job cut
 * short by a restart has written nothing; its client sees 404 and uploads
 * again). When the table is full, the oldest finished job makes room; when
 * every slot holds an unfinished job, a new one is refused (ERR_RATE_LIMITED).
 * A job's upload is freed when it finishes; its report (the CSV of refused
 * rows, UTF-8 with BOM) is kept in an unlinked temporary file until the job
 * leaves the table.
 *
 * Thread-safety: every function may be called from any request thread; the
 * table is guarded by one mutex, never held across I/O or the database.
 */
#ifndef HUZHU_HTTP_IMPORT_JOBS_H
#define HUZHU_HTTP_IMPORT_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/fieldcrypt.h"
#include "domain/roster_import.h"
#include "store/store.h"
#include "store/store_auth.h"

#define IMPORT_JOBS_MAX 32 /* jobs kept; a union runs a few imports a day */

enum import_kind {
    IMPORT_MEMBERS,
    IMPORT_EMPLOYERS,
};

enum import_status {
    IMPORT_QUEUED,  /* waiting for the worker */
    IMPORT_RUNNING, /* being imported */
    IMPORT_DONE,    /* committed (some rows may have been refused: see the report) */
    IMPORT_FAILED,  /* a file-level or database error: nothing was written */
};

/* "members" / "employers"; "queued", "running", "done", "failed". */
const char *import_kind_name(enum import_kind k);
const char *import_status_name(enum import_status s);

/* What a job needs to run. Strings are copied. */
struct import_job_new {
    enum import_kind kind;
    int64_t org_id;           /* the importing organisation */
    const char *org_code;
    const char *org_path;     /* its subtree path: who may see the job */
    const char *file_name;    /* for member_history ("api-upload") */
    struct audit_actor actor; /* who uploaded; login and role copied */
    struct date as_of;        /* the import date (UNDERAGE, birth dates) */
    const char *data;         /* the CSV bytes (len bytes), copied */
    size_t len;
};

/* A snapshot of a job. */
struct import_job_view {
    int64_t id;
    enum import_kind kind;
    enum import_status status;
    int64_t org_id;
    char org_code[STORE_ORG_CODE_MAX + 1];
    char org_path[STORE_ORG_PATH_MAX + 1];
    char created_at[21];          /* UTC 'YYYY-MM-DDTHH:MM:SSZ' */
    char finished_at[21];         /* "" until done or failed */
    uint64_t bytes_total;         /* bytes uploaded */
    uint64_t bytes_read;          /* bytes the reader has consumed so far */
    uint64_t rows;                /* rows read so far (every ROSTER_PROGRESS_ROWS, then all) */
    struct roster_summary summary; /* when done */
    enum err error;               /* when failed: the file-level or database error */
    char error_column[32];        /* for ERR_MISSING_COLUMN / ERR_INVALID: the column */
    bool has_report;              /* done, with the report file available */
};

/*
 * Queues a job for store s (the server's pool) and fc (field keys; members
 * need them, NULL refuses a member import with ERR_INTERNAL). *out_id gets
 * its id (ids grow from 1). ERR_RATE_LIMITED when IMPORT_JOBS_MAX jobs are
 * unfinished, ERR_NOMEM, ERR_INTERNAL when the worker cannot be started or
 * the table is shut down.
 */
enum err import_jobs_submit(struct store *s, const struct fieldcrypt *fc,
                            const struct import_job_new *job, int64_t *out_id) WARN_UNUSED;

/* The job id. ERR_NOT_FOUND when there is none (any more). */
enum err import_jobs_get(int64_t id, struct import_job_view *out) WARN_UNUSED;

/* A new descriptor (the caller closes it) on the report of finished job id,
 * positioned anywhere (read it with pread or sendfile from offset 0), and
 * its size. ERR_NOT_FOUND when there is no such job; ERR_CONFLICT when it
 * has no report (not finished, or failed). */
enum err import_jobs_report_fd(int64_t id, int *out_fd, uint64_t *out_bytes) WARN_UNUSED;

/* Stops the worker: a running import finishes (and commits), queued jobs
 * are dropped, and every job is freed. Called by the server after it has
 * stopped taking requests, before the store is closed. Idempotent. */
void import_jobs_shutdown(void);

#endif
