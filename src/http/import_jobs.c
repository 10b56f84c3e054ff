/*
 * import_jobs: the in-memory job table and its one worker thread.
 * Invariants: a job is freed only by eviction (finished jobs only) or by
 * shutdown after the worker has been joined, so the worker's pointer to the
 * running job stays valid; the mutex is never held while importing, while
 * touching the database or while copying an upload.
 */
#include "http/import_jobs.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/log.h"
#include "domain/auth.h"
#include "domain/registry.h"

#define IMPORT_READ_CHUNK_BYTES (64 * 1024) /* what the CSV reader asks for at most */

struct job {
    struct import_job_view v; /* guarded by jobs.mu */
    const struct fieldcrypt *fc;
    struct store *store;
    char *data;    /* the upload (malloc'd); NULL once the job has finished */
    size_t len;
    size_t pos;    /* bytes handed to the reader (worker only) */
    FILE *report;  /* tmpfile(): the report; NULL until the job runs */
    char file_name[64];
    char login[STORE_LOGIN_MAX + 1];
    char role[32];
    char request_id[72];
    struct audit_actor actor; /* pointing into the three buffers above */
    struct date as_of;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    struct job *slots[IMPORT_JOBS_MAX];
    int64_t next_id;
    bool started;  /* the worker thread runs */
    bool stopping; /* shutdown asked */
    pthread_t worker;
} jobs = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .next_id = 1};

const char *import_kind_name(enum import_kind k)
{
    return k == IMPORT_MEMBERS ? "members" : "employers";
}

const char *import_status_name(enum import_status s)
{
    switch (s) {
    case IMPORT_QUEUED:
        return "queued";
    case IMPORT_RUNNING:
        return "running";
    case IMPORT_DONE:
        return "done";
    case IMPORT_FAILED:
        return "failed";
    }
    return "failed";
}

static void job_free(struct job *j)
{
    if (j == NULL) {
        return;
    }
    if (j->report != NULL) {
        fclose(j->report);
    }
    free(j->data);
    free(j);
}

static bool job_is_finished(const struct job *j)
{
    return j->v.status == IMPORT_DONE || j->v.status == IMPORT_FAILED;
}

/* Oldest queued job (lowest id), or NULL. Under the mutex. */
static struct job *next_queued(void)
{
    struct job *best = NULL;
    for (size_t i = 0; i < IMPORT_JOBS_MAX; i++) {
        struct job *j = jobs.slots[i];
        if (j != NULL && j->v.status == IMPORT_QUEUED && (best == NULL || j->v.id < best->v.id)) {
            best = j;
        }
    }
    return best;
}

/* csv_read_fn over the upload that also counts the bytes read. */
static enum err job_read(void *ctx, char *buf, size_t cap, size_t *got)
{
    struct job *j = ctx;
    size_t n = j->len - j->pos;
    if (n > cap) {
        n = cap;
    }
    if (n > IMPORT_READ_CHUNK_BYTES) {
        n = IMPORT_READ_CHUNK_BYTES;
    }
    memcpy(buf, j->data + j->pos, n);
    j->pos += n;
    *got = n;
    pthread_mutex_lock(&jobs.mu);
    j->v.bytes_read = j->pos;
    pthread_mutex_unlock(&jobs.mu);
    return ERR_OK;
}

static void job_progress(void *ctx, uint64_t rows)
{
    struct job *j = ctx;
    pthread_mutex_lock(&jobs.mu);
    j->v.rows = rows;
    pthread_mutex_unlock(&jobs.mu);
}

/* Records the import in the audit trail: counts and the outcome, never row
 * contents. Its own transaction after the import's (the import engine
 * commits by itself); a failure here is logged, the import stands. */
struct audit_ctx {
    const struct job *j;
    enum err outcome;
    const struct roster_summary *sum;
};

static enum err audit_tx(struct store_conn *c, void *arg)
{
    struct audit_ctx *a = arg;
    char id[24], rows[24], inserted[24], updated[24], unchanged[24], rejected[24];
    snprintf(id, sizeof(id), "%lld", (long long)a->j->v.id);
    snprintf(rows, sizeof(rows), "%llu", (unsigned long long)a->sum->rows);
    snprintf(inserted, sizeof(inserted), "%llu", (unsigned long long)a->sum->inserted);
    snprintf(updated, sizeof(updated), "%llu", (unsigned long long)a->sum->updated);
    snprintf(unchanged, sizeof(unchanged), "%llu", (unsigned long long)a->sum->unchanged);
    snprintf(rejected, sizeof(rejected), "%llu", (unsigned long long)a->sum->rejected);
    const char *pairs[] = {
        "job",      id,
        "kind",     import_kind_name(a->j->v.kind),
        "org",      a->j->v.org_code,
        "outcome",  a->outcome == ERR_OK ? "done" : err_str(a->outcome),
        "rows",     rows,
        "inserted", inserted,
        "updated",  updated,
        "unchanged", unchanged,
        "rejected", rejected,
    };
    char detail[512];
    enum err e = audit_detail_pairs(pairs, sizeof(pairs) / sizeof(pairs[0]) / 2, detail,
                                    sizeof(detail));
    if (e == ERR_OK) {
        e = audit_lock_chain(c);
    }
    if (e == ERR_OK) {
        struct audit_event ev = {
            .at_ms = auth_now_ms(),
            .actor = a->j->actor,
            .action = a->j->v.kind == IMPORT_MEMBERS ? "member.import" : "employer.import",
            .object_type = "org",
            .object_id = a->j->v.org_code,
            .detail = detail,
        };
        e = audit_append(c, &ev, NULL);
    }
    return e;
}

/* Runs job j on the worker thread. */
static void job_run(struct job *j)
{
    struct roster_summary sum;
    memset(&sum, 0, sizeof(sum));
    struct roster_file_error fe = {.column = NULL};
    enum err e = ERR_OK;
    struct store_conn *c = NULL;
    struct csv_reader *r = NULL;
    j->report = tmpfile();
    if (j->report == NULL) {
        e = ERR_IO;
    }
    if (e == ERR_OK && j->v.kind == IMPORT_MEMBERS && j->fc == NULL) {
        log_error("import job %lld: the server has no field key", (long long)j->v.id);
        e = ERR_INTERNAL;
    }
    if (e == ERR_OK) {
        e = csv_open_cb(job_read, j, &r);
    }
    if (e == ERR_OK) {
        e = store_acquire(j->store, &c);
    }
    if (e == ERR_OK) {
        struct roster_import_options opt = {
            .org_code = j->v.org_code,
            .source_ref = j->file_name,
            .actor = j->login,
            .as_of = j->as_of,
            .fc = j->fc,
            .report = j->report,
            .progress = job_progress,
            .progress_ctx = j,
        };
        if (j->v.kind == IMPORT_MEMBERS) {
            e = roster_import_members(c, r, &opt, &sum, &fe);
        } else {
            e = roster_import_employers(c, r, &opt, &sum, &fe);
        }
        struct audit_ctx a = {.j = j, .outcome = e, .sum = &sum};
        enum err ae = store_with_tx(c, audit_tx, &a);
        if (ae != ERR_OK) {
            log_error("import job %lld: audit event not written: %s", (long long)j->v.id,
                      err_str(ae));
        }
    }
    if (c != NULL) {
        store_release(c);
    }
    csv_close(r);
    bool report_ok = j->report != NULL && fflush(j->report) == 0 && ferror(j->report) == 0;
    if (e == ERR_OK && !report_ok) {
        log_error("import job %lld: the report could not be written", (long long)j->v.id);
    }
    log_info("import job %lld (%s): %s, %llu rows, %llu rejected", (long long)j->v.id,
             import_kind_name(j->v.kind), err_str(e), (unsigned long long)sum.rows,
             (unsigned long long)sum.rejected);

    pthread_mutex_lock(&jobs.mu);
    j->v.status = e == ERR_OK ? IMPORT_DONE : IMPORT_FAILED;
    j->v.error = e;
    j->v.summary = sum;
    j->v.rows = sum.rows;
    j->v.has_report = e == ERR_OK && report_ok;
    if (fe.column != NULL) {
        snprintf(j->v.error_column, sizeof(j->v.error_column), "%s", fe.column);
    }
    registry_now_text(j->v.finished_at);
    char *data = j->data;
    j->data = NULL;
    pthread_mutex_unlock(&jobs.mu);
    free(data);
}

static void *worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&jobs.mu);
    for (;;) {
        struct job *j = NULL;
        while (!jobs.stopping && (j = next_queued()) == NULL) {
            pthread_cond_wait(&jobs.wake, &jobs.mu);
        }
        if (jobs.stopping) {
            break;
        }
        j->v.status = IMPORT_RUNNING;
        pthread_mutex_unlock(&jobs.mu);
        job_run(j);
        pthread_mutex_lock(&jobs.mu);
    }
    pthread_mutex_unlock(&jobs.mu);
    return NULL;
}

/* A free slot, evicting the oldest finished job if need be; -1 when every
 * slot holds an unfinished job. Under the mutex; *evicted gets the job to
 * free after unlocking. */
static int slot_take(struct job **evicted)
{
    int oldest = -1;
    *evicted = NULL;
    for (int i = 0; i < IMPORT_JOBS_MAX; i++) {
        struct job *j = jobs.slots[i];
        if (j == NULL) {
            return i;
        }
        if (job_is_finished(j) && (oldest < 0 || j->v.id < jobs.slots[oldest]->v.id)) {
            oldest = i;
        }
    }
    if (oldest >= 0) {
        *evicted = jobs.slots[oldest];
        jobs.slots[oldest] = NULL;
    }
    return oldest;
}

static struct job *job_new(struct store *s, const struct fieldcrypt *fc,
                           const struct import_job_new *in)
{
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }
    j->data = malloc(in->len > 0 ? in->len : 1);
    if (j->data == NULL) {
        free(j);
        return NULL;
    }
    if (in->len > 0) {
        memcpy(j->data, in->data, in->len);
    }
    j->len = in->len;
    j->store = s;
    j->fc = fc;
    j->v.kind = in->kind;
    j->v.status = IMPORT_QUEUED;
    j->v.org_id = in->org_id;
    snprintf(j->v.org_code, sizeof(j->v.org_code), "%s", in->org_code);
    snprintf(j->v.org_path, sizeof(j->v.org_path), "%s", in->org_path);
    registry_now_text(j->v.created_at);
    j->v.bytes_total = in->len;
    j->as_of = in->as_of;
    j->v.error = ERR_OK;
    snprintf(j->file_name, sizeof(j->file_name), "%s", in->file_name);
    snprintf(j->login, sizeof(j->login), "%s", in->actor.login != NULL ? in->actor.login : "");
    snprintf(j->role, sizeof(j->role), "%s", in->actor.role != NULL ? in->actor.role : "");
    snprintf(j->request_id, sizeof(j->request_id), "%s",
             in->actor.request_id != NULL ? in->actor.request_id : "");
    j->actor = in->actor;
    j->actor.login = j->login;
    j->actor.role = j->role;
    j->actor.request_id = j->request_id;
    return j;
}

enum err import_jobs_submit(struct store *s, const struct fieldcrypt *fc,
                            const struct import_job_new *in, int64_t *out_id)
{
    struct job *j = job_new(s, fc, in); /* the copy is made outside the lock */
    if (j == NULL) {
        return ERR_NOMEM;
    }
    struct job *evicted = NULL;
    enum err e = ERR_OK;
    pthread_mutex_lock(&jobs.mu);
    if (jobs.stopping) {
        e = ERR_INTERNAL;
    }
    if (e == ERR_OK && !jobs.started) {
        if (pthread_create(&jobs.worker, NULL, worker_main, NULL) != 0) {
            log_error("cannot start the import worker");
            e = ERR_INTERNAL;
        } else {
            jobs.started = true;
        }
    }
    int slot = e == ERR_OK ? slot_take(&evicted) : -1;
    if (e == ERR_OK && slot < 0) {
        e = ERR_RATE_LIMITED;
    }
    if (e == ERR_OK) {
        j->v.id = jobs.next_id++;
        jobs.slots[slot] = j;
        *out_id = j->v.id;
        pthread_cond_signal(&jobs.wake);
    }
    pthread_mutex_unlock(&jobs.mu);
    job_free(evicted);
    if (e != ERR_OK) {
        job_free(j);
    }
    return e;
}

/* The job id, or NULL. Under the mutex. */
static struct job *job_find(int64_t id)
{
    for (size_t i = 0; i < IMPORT_JOBS_MAX; i++) {
        if (jobs.slots[i] != NULL && jobs.slots[i]->v.id == id) {
            return jobs.slots[i];
        }
    }
    return NULL;
}

enum err import_jobs_get(int64_t id, struct import_job_view *out)
{
    pthread_mutex_lock(&jobs.mu);
    struct job *j = job_find(id);
    if (j != NULL) {
        *out = j->v;
    }
    pthread_mutex_unlock(&jobs.mu);
    return j != NULL ? ERR_OK : ERR_NOT_FOUND;
}

enum err import_jobs_report_fd(int64_t id, int *out_fd, uint64_t *out_bytes)
{
    enum err e = ERR_OK;
    pthread_mutex_lock(&jobs.mu);
    struct job *j = job_find(id);
    if (j == NULL) {
        e = ERR_NOT_FOUND;
    } else if (!j->v.has_report) {
        e = ERR_CONFLICT;
    } else {
        /* Finished: the worker no longer writes the report. A new open file
         * description (not dup) so that concurrent downloads do not share a
         * file offset. */
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(j->report));
        int fd = open(proc, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            if (fd >= 0) {
                close(fd);
            }
            e = ERR_IO;
        } else {
            *out_fd = fd;
            *out_bytes = (uint64_t)st.st_size;
        }
    }
    pthread_mutex_unlock(&jobs.mu);
    return e;
}

void import_jobs_shutdown(void)
{
    pthread_mutex_lock(&jobs.mu);
    bool started = jobs.started;
    jobs.stopping = true;
    pthread_cond_broadcast(&jobs.wake);
    pthread_mutex_unlock(&jobs.mu);
    if (started) {
        pthread_join(jobs.worker, NULL);
    }
    pthread_mutex_lock(&jobs.mu);
    jobs.started = false;
    for (size_t i = 0; i < IMPORT_JOBS_MAX; i++) {
        job_free(jobs.slots[i]);
        jobs.slots[i] = NULL;
    }
    pthread_mutex_unlock(&jobs.mu);
}
