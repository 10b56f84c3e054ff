/*
 * reports: builds the supervision reports from the rows store_reports.h
 * reads. The database groups (it sees 10^6 rows); this file maps the groups
 * onto regions, dimensions and months, orders them, and computes ratios and
 * percentiles in integers. Every loop is bounded by rows the database
 * returned; every sum of money is overflow-checked.
 */
#include "domain/reports.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "domain/ledger.h"
#include "store/store_org.h"
#include "store/store_reports.h"

/* qsort and bsearch with the C library's contract kept: their base pointer
 * must not be NULL even for zero items (UBSan checks it), and empty lists
 * here are NULL. */
static void sort_n(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

static void *find_n(const void *key, const void *base, size_t n, size_t size,
                    int (*cmp)(const void *, const void *))
{
    return n > 0 ? bsearch(key, base, n, size, cmp) : NULL;
}

/* ===================================================== the document */

#define RPT_CHUNK_BYTES 16384 /* text storage grows by chunks of this (or one text) */

struct rpt_chunk {
    struct rpt_chunk *next;
    size_t used, cap;
    char data[];
};

struct rpt_doc *rpt_doc_new(const char *report)
{
    struct rpt_doc *d = calloc(1, sizeof(*d));
    if (d != NULL) {
        d->report = report;
    }
    return d;
}

void rpt_doc_free(struct rpt_doc *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->ntables; i++) {
        free(d->tables[i].cells);
    }
    struct rpt_chunk *k = d->chunks;
    while (k != NULL) {
        struct rpt_chunk *next = k->next;
        free(k);
        k = next;
    }
    free(d);
}

struct rpt_table *rpt_table_add(struct rpt_doc *d, const char *name, const struct rpt_col *cols,
                                size_t ncols, bool single)
{
    if (d->ntables == RPT_TABLES_MAX) {
        return NULL;
    }
    struct rpt_table *t = &d->tables[d->ntables++];
    memset(t, 0, sizeof(*t));
    t->name = name;
    t->cols = cols;
    t->ncols = ncols;
    t->single = single;
    return t;
}

enum err rpt_row_add(struct rpt_table *t, struct rpt_cell **out)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        if (cap > SIZE_MAX / (t->ncols * sizeof(struct rpt_cell))) {
            return ERR_NOMEM;
        }
        struct rpt_cell *v = realloc(t->cells, cap * t->ncols * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        t->cells = v;
        t->cap = cap;
    }
    struct rpt_cell *row = &t->cells[t->nrows * t->ncols];
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = (struct rpt_cell){.null = true};
    }
    t->nrows++;
    *out = row;
    return ERR_OK;
}

void rpt_set_int(struct rpt_cell *cell, int64_t v)
{
    cell->null = false;
    cell->i = v;
}

enum err rpt_set_text(struct rpt_doc *d, struct rpt_cell *cell, const char *s)
{
    size_t len = strlen(s) + 1;
    struct rpt_chunk *k = d->chunks;
    if (k == NULL || k->cap - k->used < len) {
        size_t cap = len > RPT_CHUNK_BYTES ? len : RPT_CHUNK_BYTES;
        k = malloc(sizeof(*k) + cap);
        if (k == NULL) {
            return ERR_NOMEM;
        }
        k->next = d->chunks;
        k->used = 0;
        k->cap = cap;
        d->chunks = k;
    }
    char *p = k->data + k->used;
    memcpy(p, s, len);
    k->used += len;
    cell->null = false;
    cell->s = p;
    return ERR_OK;
}

bool reports_ratio_bp(int64_t num, int64_t den, int64_t *out_bp)
{
    if (den <= 0 || num < 0) {
        return false;
    }
    /* num * 10000 may pass int64 for sums of money; 128 bits cannot */
    *out_bp = (int64_t)(((__int128)num * 10000) / den);
    return true;
}

void rpt_set_bp(struct rpt_cell *cell, int64_t num, int64_t den)
{
    int64_t bp;
    if (reports_ratio_bp(num, den, &bp)) {
        rpt_set_int(cell, bp);
    } else {
        *cell = (struct rpt_cell){.null = true};
    }
}

int64_t reports_percentile(const int64_t *v, size_t n, int p)
{
    size_t rank = ((size_t)p * n + 99) / 100; /* ceil(p * n / 100), 1-based */
    if (rank < 1) {
        rank = 1;
    }
    if (rank > n) {
        rank = n;
    }
    return v[rank - 1];
}

const struct rpt_table *rpt_doc_find(const struct rpt_doc *d, const char *name)
{
    for (size_t i = 0; i < d->ntables; i++) {
        if (strcmp(d->tables[i].name, name) == 0) {
            return &d->tables[i];
        }
    }
    return NULL;
}

static json_t *cell_json(const struct rpt_col *col, const struct rpt_cell *cell)
{
    if (cell->null) {
        return json_null();
    }
    switch (col->kind) {
    case RPT_TEXT:
        return json_string(cell->s);
    case RPT_BOOL:
        return json_boolean(cell->i != 0);
    case RPT_INT:
    default:
        return json_integer((json_int_t)cell->i);
    }
}

static json_t *row_json(const struct rpt_table *t, size_t r)
{
    json_t *o = json_object();
    const struct rpt_cell *row = &t->cells[r * t->ncols];
    for (size_t i = 0; o != NULL && i < t->ncols; i++) {
        if (json_object_set_new(o, t->cols[i].name, cell_json(&t->cols[i], &row[i])) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

json_t *rpt_doc_to_json(const struct rpt_doc *d)
{
    json_t *doc = json_pack("{s:s,s:{s:I,s:s,s:s},s:s,s:s}", "report", d->report, "org", "id",
                            (json_int_t)d->org_id, "code", d->org_code, "name", d->org_name,
                            "from", d->from, "to", d->to);
    for (size_t k = 0; doc != NULL && k < d->ntables; k++) {
        const struct rpt_table *t = &d->tables[k];
        json_t *v;
        if (t->single) {
            v = t->nrows > 0 ? row_json(t, 0) : json_object();
        } else {
            v = json_array();
            for (size_t r = 0; v != NULL && r < t->nrows; r++) {
                if (json_array_append_new(v, row_json(t, r)) != 0) {
                    json_decref(v);
                    v = NULL;
                }
            }
        }
        bool bad = v == NULL || json_object_set_new(doc, t->name, v) != 0;
        if (!bad && t->truncated) {
            char key[64];
            snprintf(key, sizeof(key), "%s_truncated", t->name);
            bad = json_object_set_new(doc, key, json_true()) != 0;
        }
        if (bad) {
            json_decref(doc);
            doc = NULL;
        }
    }
    return doc;
}

/* ===================================================== scope and range */

static void set_field(char *err_field, const char *name)
{
    if (err_field != NULL) {
        snprintf(err_field, REPORTS_FIELD_MAX, "%s", name);
    }
}

static int month_index(struct date d)
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    return y * 12 + (m - 1);
}

static enum err check_query(const struct reports_query *q, char *err_field)
{
    if (q->user == NULL || q->user->role == AUTH_ROLE_MEMBER) {
        return ERR_FORBIDDEN;
    }
    if (q->to.day < q->from.day) {
        set_field(err_field, "to");
        return ERR_INVALID_DATE;
    }
    if (month_index(q->to) - month_index(q->from) + 1 > REPORTS_MONTHS_MAX) {
        set_field(err_field, "from");
        return ERR_RANGE;
    }
    if (q->limit < 1 || q->limit > REPORTS_PAGE_MAX) {
        set_field(err_field, "limit");
        return ERR_INVALID;
    }
    if (q->threshold_bp < 0 || q->threshold_bp > 10000) {
        set_field(err_field, "threshold_bp");
        return ERR_INVALID;
    }
    return ERR_OK;
}

enum err reports_scope_of(struct store_conn *c, const struct reports_query *q,
                          struct reports_scope *out, char *err_field)
{
    enum err e = check_query(q, err_field);
    if (e != ERR_OK) {
        return e;
    }
    struct store_org_row row;
    int64_t id = q->org_id > 0 ? q->org_id : q->user->org_id;
    if ((e = store_org_get(c, id, &row)) != ERR_OK) {
        if (e == ERR_NOT_FOUND) {
            set_field(err_field, "org_id");
        }
        return e;
    }
    size_t plen = strlen(q->user->org_path);
    if (plen == 0 || strncmp(row.path, q->user->org_path, plen) != 0) {
        set_field(err_field, "org_id");
        return ERR_NOT_FOUND; /* outside the caller's subtree: as if it did not exist */
    }
    out->org_id = row.id;
    out->parent_id = row.parent_id;
    snprintf(out->code, sizeof(out->code), "%s", row.code);
    snprintf(out->name, sizeof(out->name), "%s", row.name);
    snprintf(out->path, sizeof(out->path), "%s", row.path);
    return ERR_OK;
}

/* The organisations of the scope, sorted by id, each with its region: the
 * child of the scope's root on its path (the root for the root itself). */
struct org_ent {
    int64_t id;
    const char *code, *name, *division, *path; /* in the document's text */
    size_t region; /* index into orgs.v */
};

struct orgs {
    struct org_ent *v;
    size_t n, cap;
    size_t root;
    struct rpt_doc *doc; /* holds the text */
};

static enum err text_copy(struct rpt_doc *d, const char *s, const char **out)
{
    struct rpt_cell tmp;
    enum err e = rpt_set_text(d, &tmp, s);
    *out = tmp.s;
    return e;
}

static enum err org_fn(void *ctx, const struct store_rpt_org *o)
{
    struct orgs *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct org_ent *v = realloc(x->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->v = v;
        x->cap = cap;
    }
    struct org_ent *t = &x->v[x->n];
    memset(t, 0, sizeof(*t));
    t->id = o->id;
    enum err e;
    if ((e = text_copy(x->doc, o->code, &t->code)) != ERR_OK ||
        (e = text_copy(x->doc, o->name, &t->name)) != ERR_OK ||
        (e = text_copy(x->doc, o->division_code, &t->division)) != ERR_OK ||
        (e = text_copy(x->doc, o->path, &t->path)) != ERR_OK) {
        return e;
    }
    x->n++;
    return ERR_OK;
}

static long org_find(const struct orgs *x, int64_t id)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->v[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < x->n && x->v[lo].id == id ? (long)lo : -1;
}

static enum err orgs_load(struct store_conn *c, const struct reports_scope *s, struct rpt_doc *d,
                          struct orgs *x)
{
    memset(x, 0, sizeof(*x));
    x->doc = d;
    enum err e = store_rpt_orgs_each(c, s->path, org_fn, x);
    if (e != ERR_OK) {
        return e;
    }
    long root = org_find(x, s->org_id);
    if (root < 0) {
        return ERR_NOT_FOUND; /* removed meanwhile */
    }
    x->root = (size_t)root;
    size_t plen = strlen(s->path);
    for (size_t i = 0; i < x->n; i++) {
        const char *rest = x->v[i].path + plen; /* "17/..." below the root, "" the root */
        x->v[i].region = x->root;
        if (*rest != '\0') {
            int64_t child = strtoll(rest, NULL, 10); /* a path holds ids: '/1/4/17/' */
            long k = org_find(x, child);
            if (k >= 0) {
                x->v[i].region = (size_t)k;
            }
        }
    }
    return ERR_OK;
}

static void orgs_free(struct orgs *x)
{
    free(x->v);
    x->v = NULL;
}

/* Starts a document for the scope and range. */
static enum err doc_start(const char *report, const struct reports_scope *s,
                          const struct reports_query *q, struct rpt_doc **out)
{
    struct rpt_doc *d = rpt_doc_new(report);
    if (d == NULL) {
        return ERR_NOMEM;
    }
    d->org_id = s->org_id;
    snprintf(d->org_code, sizeof(d->org_code), "%s", s->code);
    snprintf(d->org_name, sizeof(d->org_name), "%s", s->name);
    date_format(q->from, d->from);
    date_format(q->to, d->to);
    *out = d;
    return ERR_OK;
}

/* Adds one row of cells from a list of (kind, value) pairs. */
struct val {
    enum rpt_kind kind;
    bool null;
    int64_t i;
    const char *s;
};
#define V_INT(x) ((struct val){RPT_INT, false, (x), NULL})
#define V_TEXT(x) ((struct val){RPT_TEXT, false, 0, (x)})
#define V_BOOL(x) ((struct val){RPT_BOOL, false, (x) ? 1 : 0, NULL})
#define V_NULL ((struct val){RPT_INT, true, 0, NULL})

static struct val v_bp(int64_t num, int64_t den)
{
    int64_t bp;
    return reports_ratio_bp(num, den, &bp) ? V_INT(bp) : V_NULL;
}

static enum err row_put(struct rpt_doc *d, struct rpt_table *t, const struct val *v, size_t n)
{
    if (t == NULL) {
        return ERR_NOMEM; /* RPT_TABLES_MAX: a programming error caught in tests */
    }
    struct rpt_cell *row;
    enum err e = rpt_row_add(t, &row);
    for (size_t i = 0; e == ERR_OK && i < n && i < t->ncols; i++) {
        if (v[i].null) {
            continue;
        }
        if (v[i].kind == RPT_TEXT) {
            e = rpt_set_text(d, &row[i], v[i].s != NULL ? v[i].s : "");
        } else {
            rpt_set_int(&row[i], v[i].i);
        }
    }
    return e;
}
#define ROW(d, t, ...)                                                                             \
    row_put((d), (t), (const struct val[]){__VA_ARGS__},                                          \
            sizeof((const struct val[]){__VA_ARGS__}) / sizeof(struct val))

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* Overflow-checked a += b. */
static enum err add_to(int64_t *a, int64_t b)
{
    return __builtin_add_overflow(*a, b, a) ? ERR_OVERFLOW : ERR_OK;
}

/* A report's common start: checks, scope, document, organisations. */
static enum err begin(struct store_conn *c, const struct reports_query *q, const char *report,
                      char *err_field, struct reports_scope *s, struct rpt_doc **d,
                      struct orgs *orgs)
{
    *d = NULL;
    if (orgs != NULL) {
        memset(orgs, 0, sizeof(*orgs));
    }
    enum err e = reports_scope_of(c, q, s, err_field);
    if (e == ERR_OK) {
        e = doc_start(report, s, q, d);
    }
    if (e == ERR_OK && orgs != NULL) {
        e = orgs_load(c, s, *d, orgs);
    }
    if (e != ERR_OK) {
        if (orgs != NULL) {
            orgs_free(orgs);
        }
        rpt_doc_free(*d);
        *d = NULL;
    }
    return e;
}

/* ===================================================== dimensions */

static const char *const employments[] = {"standard", "courier", "delivery",
                                          "ride_hailing", "truck", "other_gig"};
#define NEMP 6
static const char *const ownerships[] = {"public_sector", "state",      "private", "foreign",
                                         "collective",    "individual", "none"};
#define NOWN 7
static const char *const sizes[] = {"large", "medium", "small", "micro", "none"};
#define NSIZE 5

static int word_index(const char *const *words, int n, const char *w)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(words[i], w) == 0) {
            return i;
        }
    }
    return -1;
}

static bool size_is_sme(int size)
{
    return size == 1 || size == 2 || size == 3; /* medium, small, micro: 中小微 */
}

/* ===================================================== coverage groups */

struct group {
    size_t org;          /* index into orgs.v */
    int emp;             /* index into employments */
    int64_t employer_id; /* 0: none */
    int64_t registered, enrolled;
};

struct employer_ent {
    int64_t id;
    int64_t org_id;
    int own, size;
    const char *uscc, *name;
    bool in_scope; /* registered with an organisation of the scope */
};

struct cover {
    struct orgs *orgs;
    struct rpt_doc *doc;
    struct group *g;
    size_t n, cap;
    bool sorted;
    struct employer_ent *emps;
    size_t nemps, emps_cap;
};

static int group_cmp(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->org != y->org) {
        return x->org < y->org ? -1 : 1;
    }
    if (x->emp != y->emp) {
        return x->emp < y->emp ? -1 : 1;
    }
    return x->employer_id < y->employer_id ? -1 : x->employer_id > y->employer_id;
}

static enum err group_key(struct cover *x, const struct store_rpt_group *g, struct group *k)
{
    long org = org_find(x->orgs, g->org_id);
    int emp = word_index(employments, NEMP, g->employment);
    if (org < 0 || emp < 0) {
        return ERR_DB; /* the subtree query named an org outside it, or a bad form */
    }
    *k = (struct group){(size_t)org, emp, g->employer_id, 0, 0};
    return ERR_OK;
}

static enum err group_push(struct cover *x, const struct group *k)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        struct group *v = realloc(x->g, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->g = v;
        x->cap = cap;
    }
    x->g[x->n++] = *k;
    return ERR_OK;
}

static enum err registered_fn(void *ctx, const struct store_rpt_group *g)
{
    struct cover *x = ctx;
    struct group k;
    enum err e = group_key(x, g, &k);
    if (e != ERR_OK) {
        return e;
    }
    k.registered = g->members;
    return group_push(x, &k);
}

static enum err enrolled_fn(void *ctx, const struct store_rpt_group *g)
{
    struct cover *x = ctx;
    struct group k;
    enum err e = group_key(x, g, &k);
    if (e != ERR_OK) {
        return e;
    }
    struct group *hit = find_n(&k, x->g, x->n, sizeof(*x->g), group_cmp);
    if (hit != NULL) {
        hit->enrolled = g->members;
        return ERR_OK;
    }
    /* enrolled without being registered: a member moved between the two
     * statements (read at two moments); keep the figure consistent */
    k.enrolled = g->members;
    k.registered = g->members;
    x->sorted = false;
    return group_push(x, &k);
}

static enum err employer_fn(void *ctx, const struct store_rpt_employer *r)
{
    struct cover *x = ctx;
    if (x->nemps == x->emps_cap) {
        size_t cap = x->emps_cap ? x->emps_cap * 2 : 256;
        struct employer_ent *v = realloc(x->emps, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->emps = v;
        x->emps_cap = cap;
    }
    struct employer_ent *t = &x->emps[x->nemps];
    memset(t, 0, sizeof(*t));
    t->id = r->id;
    t->org_id = r->org_id;
    t->own = word_index(ownerships, NOWN, r->ownership);
    t->size = word_index(sizes, NSIZE, r->size);
    t->in_scope = org_find(x->orgs, r->org_id) >= 0;
    if (t->own < 0 || t->size < 0) {
        return ERR_DB;
    }
    /* the scope's walk leaves names out (10^4 employers, a few shown) */
    t->uscc = t->name = "";
    enum err e = ERR_OK;
    if (r->uscc[0] != '\0') {
        (void)((e = text_copy(x->doc, r->uscc, &t->uscc)) ||
               (e = text_copy(x->doc, r->name, &t->name)));
    }
    if (e == ERR_OK) {
        x->nemps++;
    }
    return e;
}

/* The credit code and name of an employer to show. */
struct named {
    struct rpt_doc *doc;
    const char *uscc, *name;
};

static enum err named_fn(void *ctx, const struct store_rpt_employer *r)
{
    struct named *x = ctx;
    enum err e = text_copy(x->doc, r->uscc, &x->uscc);
    return e != ERR_OK ? e : text_copy(x->doc, r->name, &x->name);
}

static int employer_cmp(const void *a, const void *b)
{
    const struct employer_ent *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static struct employer_ent *employer_find(const struct cover *x, int64_t id)
{
    struct employer_ent k = {.id = id};
    return find_n(&k, x->emps, x->nemps, sizeof(*x->emps), employer_cmp);
}

static void cover_free(struct cover *x)
{
    free(x->g);
    free(x->emps);
}

/* Loads the groups of the scope with their registered and enrolled counts,
 * and every employer they name (plus the scope's own employers). */
static enum err cover_load(struct store_conn *c, const struct reports_scope *s,
                           const struct reports_query *q, struct cover *x)
{
    char from[DATE_TEXT_LEN + 1], to[DATE_TEXT_LEN + 1];
    date_format(q->from, from);
    date_format(q->to, to);
    enum err e = store_rpt_registered_each(c, s->path, registered_fn, x);
    if (e != ERR_OK) {
        return e;
    }
    sort_n(x->g, x->n, sizeof(*x->g), group_cmp);
    x->sorted = true;
    if ((e = store_rpt_enrolled_each(c, s->path, from, to, enrolled_fn, x)) != ERR_OK) {
        return e;
    }
    if (!x->sorted) {
        sort_n(x->g, x->n, sizeof(*x->g), group_cmp);
    }
    if ((e = store_rpt_employers_each(c, s->path, employer_fn, x)) != ERR_OK) {
        return e;
    }
    sort_n(x->emps, x->nemps, sizeof(*x->emps), employer_cmp);
    /* employers outside the scope that employ members inside it: one read each */
    int64_t *missing = NULL;
    size_t nmissing = 0, cap = 0;
    for (size_t i = 0; i < x->n; i++) {
        int64_t id = x->g[i].employer_id;
        if (id == 0 || employer_find(x, id) != NULL) {
            continue;
        }
        if (nmissing == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *v = realloc(missing, cap * sizeof(*v));
            if (v == NULL) {
                free(missing);
                return ERR_NOMEM;
            }
            missing = v;
        }
        missing[nmissing++] = id;
    }
    if (nmissing > 0) {
        sort_n(missing, nmissing, sizeof(*missing), id_cmp);
    }
    for (size_t i = 0; e == ERR_OK && i < nmissing; i++) {
        if (i > 0 && missing[i] == missing[i - 1]) {
            continue;
        }
        e = store_rpt_employer_get(c, missing[i], employer_fn, x);
        if (e == ERR_NOT_FOUND) {
            e = ERR_OK; /* removed meanwhile: shown as "none" */
        }
    }
    free(missing);
    sort_n(x->emps, x->nemps, sizeof(*x->emps), employer_cmp);
    return e;
}

/* Ownership and size of a group's employer ("none" without one). */
static void group_dims(const struct cover *x, const struct group *g, int *own, int *size)
{
    *own = NOWN - 1;
    *size = NSIZE - 1;
    if (g->employer_id != 0) {
        const struct employer_ent *m = employer_find(x, g->employer_id);
        if (m != NULL) {
            *own = m->own;
            *size = m->size;
        }
    }
}

struct tally {
    int64_t registered, enrolled;
};

static enum err tally_add(struct tally *t, const struct group *g)
{
    enum err e = add_to(&t->registered, g->registered);
    return e != ERR_OK ? e : add_to(&t->enrolled, g->enrolled);
}

static const struct rpt_col cov_total_cols[] = {
    {"registered", RPT_INT}, {"enrolled", RPT_INT}, {"not_covered", RPT_INT},
    {"participation_bp", RPT_INT}};
static const struct rpt_col cov_region_cols[] = {
    {"org_id", RPT_INT},      {"org_code", RPT_TEXT}, {"org_name", RPT_TEXT},
    {"division_code", RPT_TEXT}, {"registered", RPT_INT}, {"enrolled", RPT_INT},
    {"participation_bp", RPT_INT}};
static const struct rpt_col cov_own_cols[] = {{"ownership", RPT_TEXT},
                                              {"registered", RPT_INT},
                                              {"enrolled", RPT_INT},
                                              {"participation_bp", RPT_INT}};
static const struct rpt_col cov_size_cols[] = {{"size", RPT_TEXT},
                                               {"registered", RPT_INT},
                                               {"enrolled", RPT_INT},
                                               {"participation_bp", RPT_INT}};
static const struct rpt_col cov_emp_cols[] = {{"employment", RPT_TEXT},
                                              {"registered", RPT_INT},
                                              {"enrolled", RPT_INT},
                                              {"participation_bp", RPT_INT}};
static const struct rpt_col cov_callout_cols[] = {
    {"group", RPT_TEXT},   {"registered", RPT_INT},       {"enrolled", RPT_INT},
    {"not_covered", RPT_INT}, {"participation_bp", RPT_INT}};

static enum err coverage_tables(struct rpt_doc *d, const struct cover *x)
{
    const struct orgs *orgs = x->orgs;
    struct tally total = {0}, own[NOWN] = {{0}}, size[NSIZE] = {{0}}, emp[NEMP] = {{0}};
    struct tally gig = {0}, sme = {0};
    struct tally *region = calloc(orgs->n, sizeof(*region));
    if (region == NULL) {
        return ERR_NOMEM;
    }
    enum err e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        const struct group *g = &x->g[i];
        int o, z;
        group_dims(x, g, &o, &z);
        e = tally_add(&total, g);
        if (e == ERR_OK) {
            e = tally_add(&region[orgs->v[g->org].region], g);
        }
        if (e == ERR_OK) {
            e = tally_add(&own[o], g);
        }
        if (e == ERR_OK) {
            e = tally_add(&size[z], g);
        }
        if (e == ERR_OK) {
            e = tally_add(&emp[g->emp], g);
        }
        if (e == ERR_OK && g->emp != 0) {
            e = tally_add(&gig, g);
        }
        if (e == ERR_OK && size_is_sme(z)) {
            e = tally_add(&sme, g);
        }
    }
    struct rpt_table *t = rpt_table_add(d, "total", cov_total_cols, NCOLS(cov_total_cols), true);
    if (e == ERR_OK) {
        e = ROW(d, t, V_INT(total.registered), V_INT(total.enrolled),
                V_INT(total.registered - total.enrolled), v_bp(total.enrolled, total.registered));
    }
    t = rpt_table_add(d, "by_region", cov_region_cols, NCOLS(cov_region_cols), false);
    for (size_t i = 0; e == ERR_OK && i < orgs->n; i++) {
        const struct org_ent *r = &orgs->v[i];
        if (r->region != i || (i == orgs->root && region[i].registered == 0)) {
            continue; /* not a region; the root only when members sit on it directly */
        }
        e = ROW(d, t, V_INT(r->id), V_TEXT(r->code), V_TEXT(r->name), V_TEXT(r->division),
                V_INT(region[i].registered), V_INT(region[i].enrolled),
                v_bp(region[i].enrolled, region[i].registered));
    }
    t = rpt_table_add(d, "by_ownership", cov_own_cols, NCOLS(cov_own_cols), false);
    for (int i = 0; e == ERR_OK && i < NOWN; i++) {
        e = ROW(d, t, V_TEXT(ownerships[i]), V_INT(own[i].registered), V_INT(own[i].enrolled),
                v_bp(own[i].enrolled, own[i].registered));
    }
    t = rpt_table_add(d, "by_size", cov_size_cols, NCOLS(cov_size_cols), false);
    for (int i = 0; e == ERR_OK && i < NSIZE; i++) {
        e = ROW(d, t, V_TEXT(sizes[i]), V_INT(size[i].registered), V_INT(size[i].enrolled),
                v_bp(size[i].enrolled, size[i].registered));
    }
    t = rpt_table_add(d, "by_employment", cov_emp_cols, NCOLS(cov_emp_cols), false);
    for (int i = 0; e == ERR_OK && i < NEMP; i++) {
        e = ROW(d, t, V_TEXT(employments[i]), V_INT(emp[i].registered), V_INT(emp[i].enrolled),
                v_bp(emp[i].enrolled, emp[i].registered));
    }
    t = rpt_table_add(d, "callouts", cov_callout_cols, NCOLS(cov_callout_cols), false);
    if (e == ERR_OK) {
        e = ROW(d, t, V_TEXT("gig_workers"), V_INT(gig.registered), V_INT(gig.enrolled),
                V_INT(gig.registered - gig.enrolled), v_bp(gig.enrolled, gig.registered));
    }
    if (e == ERR_OK) {
        e = ROW(d, t, V_TEXT("sme_staff"), V_INT(sme.registered), V_INT(sme.enrolled),
                V_INT(sme.registered - sme.enrolled), v_bp(sme.enrolled, sme.registered));
    }
    free(region);
    return e;
}

enum err reports_coverage(struct store_conn *c, const struct reports_query *q,
                          struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    struct orgs orgs;
    enum err e = begin(c, q, "coverage", err_field, &s, &d, &orgs);
    if (e != ERR_OK) {
        return e;
    }
    struct cover x = {.orgs = &orgs, .doc = d};
    e = cover_load(c, &s, q, &x);
    if (e == ERR_OK) {
        e = coverage_tables(d, &x);
    }
    cover_free(&x);
    orgs_free(&orgs);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== outreach */

struct emp_stat {
    const struct employer_ent *emp; /* NULL never: groups without employer are skipped */
    int64_t staff, enrolled;
    size_t region;       /* index into orgs.v */
    int64_t region_staff; /* staff of the region chosen (the largest group's) */
};

static int emp_stat_rank(const void *a, const void *b)
{
    const struct emp_stat *x = a, *y = b;
    if (x->staff != y->staff) {
        return x->staff > y->staff ? -1 : 1;
    }
    return x->emp->id < y->emp->id ? -1 : x->emp->id > y->emp->id;
}

static bool below(int64_t enrolled, int64_t registered, int64_t threshold_bp)
{
    int64_t bp;
    if (enrolled == 0) {
        return true; /* no enrolment at all */
    }
    return reports_ratio_bp(enrolled, registered, &bp) && bp < threshold_bp;
}

struct gig_stat {
    size_t org;
    int emp;
    int64_t registered, enrolled;
};

static int gig_rank(const void *a, const void *b)
{
    const struct gig_stat *x = a, *y = b;
    int64_t ux = x->registered - x->enrolled, uy = y->registered - y->enrolled;
    if (ux != uy) {
        return ux > uy ? -1 : 1;
    }
    if (x->org != y->org) {
        return x->org < y->org ? -1 : 1;
    }
    return x->emp - y->emp;
}

static const struct rpt_col out_params_cols[] = {{"threshold_bp", RPT_INT},
                                                 {"employers_below", RPT_INT},
                                                 {"staff_below", RPT_INT},
                                                 {"not_covered_below", RPT_INT},
                                                 {"gig_groups_below", RPT_INT}};
static const struct rpt_col out_emp_cols[] = {
    {"rank", RPT_INT},          {"employer_id", RPT_INT},    {"uscc", RPT_TEXT},
    {"name", RPT_TEXT},         {"region_code", RPT_TEXT},   {"region_name", RPT_TEXT},
    {"ownership", RPT_TEXT},    {"size", RPT_TEXT},          {"staff", RPT_INT},
    {"enrolled", RPT_INT},      {"not_covered", RPT_INT},    {"participation_bp", RPT_INT}};
static const struct rpt_col out_dim_cols[] = {{"key", RPT_TEXT},
                                              {"name", RPT_TEXT},
                                              {"employers", RPT_INT},
                                              {"staff", RPT_INT},
                                              {"not_covered", RPT_INT}};
static const struct rpt_col out_gig_cols[] = {
    {"org_id", RPT_INT},       {"org_code", RPT_TEXT}, {"org_name", RPT_TEXT},
    {"employment", RPT_TEXT},  {"registered", RPT_INT}, {"enrolled", RPT_INT},
    {"not_covered", RPT_INT},  {"participation_bp", RPT_INT}};

struct dim_tally {
    int64_t employers, staff, not_covered;
};

static enum err dim_add(struct dim_tally *t, const struct emp_stat *s)
{
    t->employers++;
    enum err e = add_to(&t->staff, s->staff);
    return e != ERR_OK ? e : add_to(&t->not_covered, s->staff - s->enrolled);
}

static enum err outreach_tables(struct store_conn *c, struct rpt_doc *d,
                                const struct reports_query *q,
                                const struct cover *x)
{
    const struct orgs *orgs = x->orgs;
    /* per employer: staff and enrolled over its groups; region of its largest group */
    struct emp_stat *st = calloc(x->nemps > 0 ? x->nemps : 1, sizeof(*st));
    struct gig_stat *gig = calloc(x->n > 0 ? x->n : 1, sizeof(*gig));
    struct dim_tally *reg = calloc(orgs->n, sizeof(*reg));
    if (st == NULL || gig == NULL || reg == NULL) {
        free(st);
        free(gig);
        free(reg);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < x->nemps; i++) {
        st[i].emp = &x->emps[i];
        long o = org_find(orgs, x->emps[i].org_id);
        st[i].region = o >= 0 ? orgs->v[o].region : orgs->root;
    }
    enum err e = ERR_OK;
    size_t ngig = 0;
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        const struct group *g = &x->g[i];
        if (g->emp != 0) { /* gig groups: employment form x organisation */
            if (ngig > 0 && gig[ngig - 1].org == g->org && gig[ngig - 1].emp == g->emp) {
                e = add_to(&gig[ngig - 1].registered, g->registered);
                if (e == ERR_OK) {
                    e = add_to(&gig[ngig - 1].enrolled, g->enrolled);
                }
            } else {
                gig[ngig++] = (struct gig_stat){g->org, g->emp, g->registered, g->enrolled};
            }
        }
        if (e != ERR_OK || g->employer_id == 0) {
            continue;
        }
        const struct employer_ent *m = employer_find(x, g->employer_id);
        if (m == NULL) {
            continue; /* removed meanwhile */
        }
        struct emp_stat *s = &st[m - x->emps];
        e = add_to(&s->staff, g->registered);
        if (e == ERR_OK) {
            e = add_to(&s->enrolled, g->enrolled);
        }
        if (e == ERR_OK && !m->in_scope && g->registered > s->region_staff) {
            s->region = orgs->v[g->org].region; /* outside: where most of its staff are */
            s->region_staff = g->registered;
        }
    }
    /* keep the employers below the threshold, ranked by staff */
    size_t n = 0;
    for (size_t i = 0; i < x->nemps; i++) {
        if (below(st[i].enrolled, st[i].staff, q->threshold_bp)) {
            st[n++] = st[i];
        }
    }
    sort_n(st, n, sizeof(*st), emp_stat_rank);
    struct dim_tally own[NOWN] = {{0}}, size[NSIZE] = {{0}}, all = {0};
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        e = dim_add(&all, &st[i]);
        if (e == ERR_OK) {
            e = dim_add(&reg[st[i].region], &st[i]);
        }
        if (e == ERR_OK) {
            e = dim_add(&own[st[i].emp->own], &st[i]);
        }
        if (e == ERR_OK) {
            e = dim_add(&size[st[i].emp->size], &st[i]);
        }
    }
    size_t ng = 0;
    for (size_t i = 0; i < ngig; i++) {
        if (below(gig[i].enrolled, gig[i].registered, q->threshold_bp)) {
            gig[ng++] = gig[i];
        }
    }
    sort_n(gig, ng, sizeof(*gig), gig_rank);

    struct rpt_table *t =
        rpt_table_add(d, "params", out_params_cols, NCOLS(out_params_cols), true);
    if (e == ERR_OK) {
        e = ROW(d, t, V_INT(q->threshold_bp), V_INT(all.employers), V_INT(all.staff),
                V_INT(all.not_covered), V_INT((int64_t)ng));
    }
    size_t cap = q->export_all ? REPORTS_EXPORT_ROWS_MAX : q->limit;
    t = rpt_table_add(d, "employers", out_emp_cols, NCOLS(out_emp_cols), false);
    for (size_t i = 0; e == ERR_OK && i < n && i < cap; i++) {
        const struct emp_stat *s = &st[i];
        const struct org_ent *r = &orgs->v[s->region];
        struct named nm = {d, s->emp->uscc, s->emp->name};
        if (nm.name[0] == '\0' &&
            (e = store_rpt_employer_get(c, s->emp->id, named_fn, &nm)) != ERR_OK) {
            break;
        }
        e = ROW(d, t, V_INT((int64_t)i + 1), V_INT(s->emp->id), V_TEXT(nm.uscc),
                V_TEXT(nm.name), V_TEXT(r->code), V_TEXT(r->name),
                V_TEXT(ownerships[s->emp->own]), V_TEXT(sizes[s->emp->size]), V_INT(s->staff),
                V_INT(s->enrolled), V_INT(s->staff - s->enrolled), v_bp(s->enrolled, s->staff));
    }
    if (t != NULL) {
        t->truncated = n > cap;
    }
    t = rpt_table_add(d, "by_region", out_dim_cols, NCOLS(out_dim_cols), false);
    for (size_t i = 0; e == ERR_OK && i < orgs->n; i++) {
        if (reg[i].employers > 0) {
            e = ROW(d, t, V_TEXT(orgs->v[i].code), V_TEXT(orgs->v[i].name),
                    V_INT(reg[i].employers), V_INT(reg[i].staff), V_INT(reg[i].not_covered));
        }
    }
    t = rpt_table_add(d, "by_ownership", out_dim_cols, NCOLS(out_dim_cols), false);
    for (int i = 0; e == ERR_OK && i < NOWN - 1; i++) {
        e = ROW(d, t, V_TEXT(ownerships[i]), V_TEXT(ownerships[i]), V_INT(own[i].employers),
                V_INT(own[i].staff), V_INT(own[i].not_covered));
    }
    t = rpt_table_add(d, "by_size", out_dim_cols, NCOLS(out_dim_cols), false);
    for (int i = 0; e == ERR_OK && i < NSIZE - 1; i++) {
        e = ROW(d, t, V_TEXT(sizes[i]), V_TEXT(sizes[i]), V_INT(size[i].employers),
                V_INT(size[i].staff), V_INT(size[i].not_covered));
    }
    t = rpt_table_add(d, "gig_groups", out_gig_cols, NCOLS(out_gig_cols), false);
    for (size_t i = 0; e == ERR_OK && i < ng && i < cap; i++) {
        const struct org_ent *o = &orgs->v[gig[i].org];
        e = ROW(d, t, V_INT(o->id), V_TEXT(o->code), V_TEXT(o->name),
                V_TEXT(employments[gig[i].emp]), V_INT(gig[i].registered),
                V_INT(gig[i].enrolled), V_INT(gig[i].registered - gig[i].enrolled),
                v_bp(gig[i].enrolled, gig[i].registered));
    }
    if (t != NULL) {
        t->truncated = ng > cap;
    }
    free(st);
    free(gig);
    free(reg);
    return e;
}

enum err reports_outreach(struct store_conn *c, const struct reports_query *q,
                          struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    struct orgs orgs;
    enum err e = begin(c, q, "outreach", err_field, &s, &d, &orgs);
    if (e != ERR_OK) {
        return e;
    }
    struct cover x = {.orgs = &orgs, .doc = d};
    e = cover_load(c, &s, q, &x);
    if (e == ERR_OK) {
        e = outreach_tables(c, d, q, &x);
    }
    cover_free(&x);
    orgs_free(&orgs);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== plan codes x months */

/* The plan codes a report meets, in code order (strcmp, the same on both
 * backends), and the months of its range. */
struct plans {
    size_t n;
    char code[REPORTS_PLANS_MAX][STORE_RPT_CODE_BYTES];
};

static int plan_slot(struct plans *p, const char *code)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->code[i], code) == 0) {
            return (int)i;
        }
    }
    if (p->n == REPORTS_PLANS_MAX || strlen(code) >= STORE_RPT_CODE_BYTES) {
        return -1;
    }
    snprintf(p->code[p->n], STORE_RPT_CODE_BYTES, "%s", code);
    return (int)p->n++;
}

/* Indexes of p's codes in code order into order[0..p->n). */
static void plans_order(const struct plans *p, size_t *order)
{
    for (size_t i = 0; i < p->n; i++) {
        order[i] = i;
    }
    for (size_t i = 1; i < p->n; i++) { /* insertion sort: at most 64 codes */
        size_t k = order[i], j = i;
        while (j > 0 && strcmp(p->code[order[j - 1]], p->code[k]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
}

/* 'YYYY-MM' of month index m (year * 12 + month - 1). */
static void month_text(int m, char out[8])
{
    unsigned u = (unsigned)m; /* dates are years 1900..9999: m > 0 */
    snprintf(out, 8, "%04u-%02u", u / 12 % 10000, u % 12 + 1);
}

/* Month index of 'YYYY-MM...' text; -1 when it is not one. */
static int month_parse(const char *s)
{
    if (strlen(s) < 7 || s[4] != '-') {
        return -1;
    }
    int y = atoi(s), m = atoi(s + 5);
    return m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
}

/* ===================================================== contributions */

struct money_cell {
    int64_t billed_fen, invoices, received_fen, receipts, open_fen, lapsed_fen;
};

static const char *const payers[] = {"employer", "union", "worker", "gift"};
#define NPAYER 4

struct contrib {
    struct plans plans;
    struct money_cell cell[REPORTS_PLANS_MAX][NPAYER];
    bool received; /* which walk fills */
};

static enum err money_fn(void *ctx, const struct store_rpt_money *m)
{
    struct contrib *x = ctx;
    int p = plan_slot(&x->plans, m->plan_code);
    int k = word_index(payers, NPAYER, m->payer);
    if (p < 0) {
        return ERR_TOO_LARGE; /* more than REPORTS_PLANS_MAX plan codes */
    }
    if (k < 0) {
        return ERR_DB;
    }
    struct money_cell *c = &x->cell[p][k];
    enum err e;
    if (x->received) {
        (void)((e = add_to(&c->received_fen, m->amount_fen)) ||
               (e = add_to(&c->receipts, m->count)));
    } else {
        (void)((e = add_to(&c->billed_fen, m->amount_fen)) ||
               (e = add_to(&c->invoices, m->count)) ||
            (e = add_to(&c->open_fen, m->open_fen)) || (e = add_to(&c->lapsed_fen, m->lapsed_fen)));
    }
    return e;
}

static enum err money_sum(struct money_cell *a, const struct money_cell *b)
{
    enum err e;
    (void)((e = add_to(&a->billed_fen, b->billed_fen)) || (e = add_to(&a->invoices, b->invoices)) ||
        (e = add_to(&a->received_fen, b->received_fen)) ||
        (e = add_to(&a->receipts, b->receipts)) || (e = add_to(&a->open_fen, b->open_fen)) ||
        (e = add_to(&a->lapsed_fen, b->lapsed_fen)));
    return e;
}

static const struct rpt_col con_total_cols[] = {
    {"billed_fen", RPT_INT},   {"invoices", RPT_INT}, {"received_fen", RPT_INT},
    {"receipts", RPT_INT},     {"open_fen", RPT_INT}, {"lapsed_fen", RPT_INT}};
static const struct rpt_col con_payer_cols[] = {
    {"payer", RPT_TEXT},       {"billed_fen", RPT_INT}, {"invoices", RPT_INT},
    {"received_fen", RPT_INT}, {"receipts", RPT_INT},   {"open_fen", RPT_INT},
    {"lapsed_fen", RPT_INT}};
static const struct rpt_col con_plan_cols[] = {
    {"plan_code", RPT_TEXT},   {"billed_fen", RPT_INT}, {"invoices", RPT_INT},
    {"received_fen", RPT_INT}, {"receipts", RPT_INT},   {"open_fen", RPT_INT},
    {"lapsed_fen", RPT_INT}};
static const struct rpt_col con_plan_payer_cols[] = {
    {"plan_code", RPT_TEXT}, {"payer", RPT_TEXT},     {"billed_fen", RPT_INT},
    {"invoices", RPT_INT},   {"received_fen", RPT_INT}, {"receipts", RPT_INT},
    {"open_fen", RPT_INT},   {"lapsed_fen", RPT_INT}};

#define MONEY_VALS(m)                                                                              \
    V_INT((m).billed_fen), V_INT((m).invoices), V_INT((m).received_fen), V_INT((m).receipts),      \
        V_INT((m).open_fen), V_INT((m).lapsed_fen)

static enum err contributions_tables(struct rpt_doc *d, const struct contrib *x)
{
    size_t order[REPORTS_PLANS_MAX];
    plans_order(&x->plans, order);
    struct money_cell total = {0}, by_payer[NPAYER] = {{0}}, by_plan[REPORTS_PLANS_MAX] = {{0}};
    enum err e = ERR_OK;
    for (size_t p = 0; e == ERR_OK && p < x->plans.n; p++) {
        for (int k = 0; e == ERR_OK && k < NPAYER; k++) {
            (void)((e = money_sum(&total, &x->cell[p][k])) ||
                (e = money_sum(&by_payer[k], &x->cell[p][k])) ||
                (e = money_sum(&by_plan[p], &x->cell[p][k])));
        }
    }
    struct rpt_table *t = rpt_table_add(d, "total", con_total_cols, NCOLS(con_total_cols), true);
    if (e == ERR_OK) {
        e = ROW(d, t, MONEY_VALS(total));
    }
    t = rpt_table_add(d, "by_payer", con_payer_cols, NCOLS(con_payer_cols), false);
    for (int k = 0; e == ERR_OK && k < NPAYER; k++) {
        e = ROW(d, t, V_TEXT(payers[k]), MONEY_VALS(by_payer[k]));
    }
    t = rpt_table_add(d, "by_plan", con_plan_cols, NCOLS(con_plan_cols), false);
    for (size_t i = 0; e == ERR_OK && i < x->plans.n; i++) {
        e = ROW(d, t, V_TEXT(x->plans.code[order[i]]), MONEY_VALS(by_plan[order[i]]));
    }
    t = rpt_table_add(d, "by_plan_payer", con_plan_payer_cols, NCOLS(con_plan_payer_cols), false);
    for (size_t i = 0; e == ERR_OK && i < x->plans.n; i++) {
        for (int k = 0; e == ERR_OK && k < NPAYER; k++) {
            const struct money_cell *m = &x->cell[order[i]][k];
            if (m->invoices == 0 && m->receipts == 0) {
                continue;
            }
            e = ROW(d, t, V_TEXT(x->plans.code[order[i]]), V_TEXT(payers[k]), MONEY_VALS(*m));
        }
    }
    return e;
}

enum err reports_contributions(struct store_conn *c, const struct reports_query *q,
                               struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    enum err e = begin(c, q, "contributions", err_field, &s, &d, NULL);
    if (e != ERR_OK) {
        return e;
    }
    struct contrib *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        rpt_doc_free(d);
        return ERR_NOMEM;
    }
    char from[DATE_TEXT_LEN + 1], to[DATE_TEXT_LEN + 1];
    date_format(q->from, from);
    date_format(q->to, to);
    e = store_rpt_billed_each(c, s.path, from, to, money_fn, x);
    if (e == ERR_OK) {
        x->received = true;
        e = store_rpt_received_each(c, s.path, from, to, money_fn, x);
    }
    if (e == ERR_OK) {
        e = contributions_tables(d, x);
    }
    free(x);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== claims and loss ratio */

struct cm {
    int64_t claims, claimed_fen, refused, rejected, paid_fen, earned_fen;
};

struct claims_x {
    struct plans plans;
    int m0, nmonths;                       /* month index of from, months in range */
    struct cm *cell;                       /* [REPORTS_PLANS_MAX][nmonths] */
};

static struct cm *cm_at(struct claims_x *x, int plan, int month)
{
    return &x->cell[(size_t)plan * (size_t)x->nmonths + (size_t)(month - x->m0)];
}

static bool in_months(const struct claims_x *x, int m)
{
    return m >= x->m0 && m < x->m0 + x->nmonths;
}

static enum err claim_month_fn(void *ctx, const struct store_rpt_claim_month *r)
{
    struct claims_x *x = ctx;
    int p = plan_slot(&x->plans, r->plan_code);
    int m = month_parse(r->month);
    if (p < 0) {
        return ERR_TOO_LARGE;
    }
    if (!in_months(x, m)) {
        return ERR_DB;
    }
    struct cm *c = cm_at(x, p, m);
    enum err e;
    (void)((e = add_to(&c->claims, r->claims)) || (e = add_to(&c->claimed_fen, r->claimed_fen)) ||
        (e = add_to(&c->refused, r->refused)) || (e = add_to(&c->rejected, r->rejected)));
    return e;
}

static enum err benefit_fn(void *ctx, const struct store_rpt_benefit *b)
{
    struct claims_x *x = ctx;
    int p = plan_slot(&x->plans, b->plan_code);
    int m = month_parse(b->month);
    if (p < 0) {
        return ERR_TOO_LARGE;
    }
    if (!in_months(x, m)) {
        return ERR_DB;
    }
    return add_to(&cm_at(x, p, m)->paid_fen, b->amount_fen);
}

#define COVER_MONTHS_MAX 121 /* a ten-year cover term touches at most 121 months */

/* Schedules refunded: what they earned is in ledger_earning, read after the walk. */
struct earned_walk {
    int m0, m1;
    reports_earned_fn *fn;
    void *ctx;
    struct cancelled_ent {
        int64_t id, plan_id;
        char code[STORE_RPT_CODE_BYTES];
    } * cancelled;
    size_t ncancelled, cap;
    size_t cur; /* the cancelled schedule being read */
};

static enum err schedule_fn(void *ctx, const struct store_rpt_schedule *s)
{
    struct earned_walk *x = ctx;
    if (s->cancelled) {
        if (x->ncancelled == x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 16;
            struct cancelled_ent *v = realloc(x->cancelled, cap * sizeof(*v));
            if (v == NULL) {
                return ERR_NOMEM;
            }
            x->cancelled = v;
            x->cap = cap;
        }
        struct cancelled_ent *t = &x->cancelled[x->ncancelled++];
        t->id = s->id;
        t->plan_id = s->plan_id;
        snprintf(t->code, sizeof(t->code), "%s", s->plan_code);
        return ERR_OK;
    }
    int64_t parts[COVER_MONTHS_MAX];
    size_t n;
    enum err e = ledger_split_by_days(s->amount_fen, s->cover_start, s->cover_end, parts,
                                      COVER_MONTHS_MAX, &n);
    if (e != ERR_OK) {
        return ERR_DB; /* the ledger accepted this term; it must split */
    }
    int m = month_parse(s->cover_start);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        int mi = m + (int)i;
        int64_t amount; /* alike schedules split alike: the split depends on (amount, term) */
        if (mi < x->m0 || mi > x->m1 || parts[i] == 0) {
            continue;
        }
        if (__builtin_mul_overflow(parts[i], s->count, &amount)) {
            return ERR_OVERFLOW;
        }
        e = x->fn(x->ctx, s->plan_id, s->plan_code, mi, amount);
    }
    return e;
}

static enum err earned_row_fn(void *ctx, const char *month, int64_t amount_fen)
{
    struct earned_walk *x = ctx;
    const struct cancelled_ent *t = &x->cancelled[x->cur];
    int m = month_parse(month);
    if (m < x->m0 || m > x->m1 || amount_fen == 0) {
        return ERR_OK;
    }
    return x->fn(x->ctx, t->plan_id, t->code, m, amount_fen);
}

enum err reports_earned_each(struct store_conn *c, const char *path, int m0, int m1,
                             reports_earned_fn *fn, void *ctx)
{
    char from[DATE_TEXT_LEN + 1], to[DATE_TEXT_LEN + 1];
    struct date d0, d1;
    unsigned u0 = (unsigned)m0, u1 = (unsigned)m1;
    enum err e = date_from_ymd((int)(u0 / 12), (int)(u0 % 12) + 1, 1, &d0);
    if (e == ERR_OK) {
        int y = (int)(u1 / 12), m = (int)(u1 % 12) + 1;
        e = date_from_ymd(y, m, date_days_in_month(y, m), &d1);
    }
    if (e != ERR_OK) {
        return e;
    }
    date_format(d0, from);
    date_format(d1, to);
    struct earned_walk x = {.m0 = m0, .m1 = m1, .fn = fn, .ctx = ctx};
    e = store_rpt_schedules_each(c, path, from, to, schedule_fn, &x);
    for (x.cur = 0; e == ERR_OK && x.cur < x.ncancelled; x.cur++) {
        e = store_rpt_earned_each(c, x.cancelled[x.cur].id, earned_row_fn, &x);
    }
    free(x.cancelled);
    return e;
}

int reports_month_index(struct date d)
{
    return month_index(d);
}

static enum err claims_earned_fn(void *ctx, int64_t plan_id, const char *plan_code, int month,
                                 int64_t amount_fen)
{
    (void)plan_id;
    struct claims_x *x = ctx;
    int p = plan_slot(&x->plans, plan_code);
    if (p < 0) {
        return ERR_TOO_LARGE;
    }
    return add_to(&cm_at(x, p, month)->earned_fen, amount_fen);
}

static enum err cm_sum(struct cm *a, const struct cm *b)
{
    enum err e;
    (void)((e = add_to(&a->claims, b->claims)) || (e = add_to(&a->claimed_fen, b->claimed_fen)) ||
        (e = add_to(&a->refused, b->refused)) || (e = add_to(&a->rejected, b->rejected)) ||
        (e = add_to(&a->paid_fen, b->paid_fen)) || (e = add_to(&a->earned_fen, b->earned_fen)));
    return e;
}

static bool cm_empty(const struct cm *c)
{
    return c->claims == 0 && c->paid_fen == 0 && c->earned_fen == 0;
}

#define CM_VALS(c)                                                                                 \
    V_INT((c).claims), V_INT((c).claimed_fen), V_INT((c).refused), V_INT((c).rejected),            \
        V_INT((c).paid_fen), V_INT((c).earned_fen), v_bp((c).paid_fen, (c).earned_fen)

static const struct rpt_col clm_total_cols[] = {
    {"claims", RPT_INT},        {"claimed_fen", RPT_INT},         {"approved", RPT_INT},
    {"rejected", RPT_INT},      {"pending", RPT_INT},             {"paid_fen", RPT_INT},
    {"earned_fen", RPT_INT},    {"loss_ratio_bp", RPT_INT},       {"ledger_benefits_fen", RPT_INT},
    {"reconciled", RPT_BOOL}};
static const struct rpt_col clm_pm_cols[] = {
    {"plan_code", RPT_TEXT}, {"month", RPT_TEXT},     {"claims", RPT_INT},
    {"claimed_fen", RPT_INT}, {"refused", RPT_INT},   {"rejected", RPT_INT},
    {"paid_fen", RPT_INT},   {"earned_fen", RPT_INT}, {"loss_ratio_bp", RPT_INT}};
static const struct rpt_col clm_plan_cols[] = {
    {"plan_code", RPT_TEXT}, {"claims", RPT_INT},     {"claimed_fen", RPT_INT},
    {"refused", RPT_INT},    {"rejected", RPT_INT},   {"paid_fen", RPT_INT},
    {"earned_fen", RPT_INT}, {"loss_ratio_bp", RPT_INT}};
static const struct rpt_col clm_month_cols[] = {
    {"month", RPT_TEXT},     {"claims", RPT_INT},     {"claimed_fen", RPT_INT},
    {"refused", RPT_INT},    {"rejected", RPT_INT},   {"paid_fen", RPT_INT},
    {"earned_fen", RPT_INT}, {"loss_ratio_bp", RPT_INT}};
static const struct rpt_col clm_rej_cols[] = {{"reason", RPT_TEXT}, {"claims", RPT_INT}};
static const struct rpt_col clm_ref_cols[] = {
    {"plan_code", RPT_TEXT}, {"reason", RPT_TEXT}, {"pairs", RPT_INT}};

/* Reason counts, kept to sort before they are shown. */
struct counts {
    struct rpt_doc *doc;
    size_t n, cap;
    struct count_ent {
        const char *key, *key2;
        int64_t count;
    } * v;
};

static enum err count_fn(void *ctx, const struct store_rpt_count *r)
{
    struct counts *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        struct count_ent *v = realloc(x->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->v = v;
        x->cap = cap;
    }
    struct count_ent *t = &x->v[x->n];
    enum err e;
    if ((e = text_copy(x->doc, r->key, &t->key)) != ERR_OK ||
        (e = text_copy(x->doc, r->key2, &t->key2)) != ERR_OK) {
        return e;
    }
    t->count = r->count;
    x->n++;
    return ERR_OK;
}

static int count_by_size(const void *a, const void *b)
{
    const struct count_ent *x = a, *y = b;
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    return strcmp(x->key, y->key);
}

static int count_by_keys(const void *a, const void *b)
{
    const struct count_ent *x = a, *y = b;
    int k = strcmp(x->key2, y->key2);
    return k != 0 ? k : strcmp(x->key, y->key);
}

static enum err claims_tables(struct rpt_doc *d, struct claims_x *x,
                              const struct store_rpt_claim_totals *tot, int64_t ledger_fen,
                              struct counts *rej, struct counts *ref)
{
    size_t order[REPORTS_PLANS_MAX];
    plans_order(&x->plans, order);
    struct cm all = {0}, by_plan[REPORTS_PLANS_MAX] = {{0}};
    struct cm *by_month = calloc((size_t)x->nmonths, sizeof(*by_month));
    if (by_month == NULL) {
        return ERR_NOMEM;
    }
    enum err e = ERR_OK;
    for (size_t p = 0; e == ERR_OK && p < x->plans.n; p++) {
        for (int m = 0; e == ERR_OK && m < x->nmonths; m++) {
            const struct cm *c = cm_at(x, (int)p, x->m0 + m);
            (void)((e = cm_sum(&all, c)) || (e = cm_sum(&by_plan[p], c)) ||
                   (e = cm_sum(&by_month[m], c)));
        }
    }
    struct rpt_table *t = rpt_table_add(d, "total", clm_total_cols, NCOLS(clm_total_cols), true);
    if (e == ERR_OK) {
        e = ROW(d, t, V_INT(tot->claims), V_INT(tot->claimed_fen), V_INT(tot->approved),
                V_INT(tot->rejected), V_INT(tot->pending), V_INT(all.paid_fen),
                V_INT(all.earned_fen), v_bp(all.paid_fen, all.earned_fen), V_INT(ledger_fen),
                V_BOOL(ledger_fen == all.paid_fen));
    }
    t = rpt_table_add(d, "by_plan_month", clm_pm_cols, NCOLS(clm_pm_cols), false);
    for (size_t i = 0; e == ERR_OK && i < x->plans.n; i++) {
        for (int m = 0; e == ERR_OK && m < x->nmonths; m++) {
            const struct cm *c = cm_at(x, (int)order[i], x->m0 + m);
            if (cm_empty(c)) {
                continue;
            }
            char month[8];
            month_text(x->m0 + m, month);
            e = ROW(d, t, V_TEXT(x->plans.code[order[i]]), V_TEXT(month), CM_VALS(*c));
        }
    }
    t = rpt_table_add(d, "by_plan", clm_plan_cols, NCOLS(clm_plan_cols), false);
    for (size_t i = 0; e == ERR_OK && i < x->plans.n; i++) {
        e = ROW(d, t, V_TEXT(x->plans.code[order[i]]), CM_VALS(by_plan[order[i]]));
    }
    t = rpt_table_add(d, "by_month", clm_month_cols, NCOLS(clm_month_cols), false);
    for (int m = 0; e == ERR_OK && m < x->nmonths; m++) {
        char month[8];
        month_text(x->m0 + m, month);
        e = ROW(d, t, V_TEXT(month), CM_VALS(by_month[m]));
    }
    if (rej->n > 0) {
        sort_n(rej->v, rej->n, sizeof(*rej->v), count_by_size);
    }
    t = rpt_table_add(d, "rejections", clm_rej_cols, NCOLS(clm_rej_cols), false);
    for (size_t i = 0; e == ERR_OK && i < rej->n; i++) {
        e = ROW(d, t, V_TEXT(rej->v[i].key), V_INT(rej->v[i].count));
    }
    if (ref->n > 0) {
        sort_n(ref->v, ref->n, sizeof(*ref->v), count_by_keys);
    }
    t = rpt_table_add(d, "refusals", clm_ref_cols, NCOLS(clm_ref_cols), false);
    for (size_t i = 0; e == ERR_OK && i < ref->n; i++) {
        e = ROW(d, t, V_TEXT(ref->v[i].key2), V_TEXT(ref->v[i].key), V_INT(ref->v[i].count));
    }
    free(by_month);
    return e;
}

/* Whether the scope is the whole tree (the only root), so the ledger's
 * per-day totals of every fund are the subtree's. */
static enum err whole_tree(struct store_conn *c, const struct reports_scope *s, bool *out)
{
    *out = false;
    if (s->parent_id != 0) {
        return ERR_OK;
    }
    int64_t roots;
    enum err e = store_rpt_root_count(c, &roots);
    *out = e == ERR_OK && roots == 1;
    return e;
}

static enum err claims_load(struct store_conn *c, const struct reports_scope *s,
                            const char *from, const char *to, struct claims_x *x,
                            struct store_rpt_claim_totals *tot, int64_t *ledger_fen,
                            struct counts *rej, struct counts *ref)
{
    enum err e;
    bool whole;
    if ((e = store_rpt_claim_totals(c, s->path, from, to, tot)) != ERR_OK ||
        (e = store_rpt_claim_months_each(c, s->path, from, to, claim_month_fn, x)) != ERR_OK ||
        (e = store_rpt_benefits_each(c, s->path, from, to, benefit_fn, x)) != ERR_OK ||
        (e = reports_earned_each(c, s->path, x->m0, x->m0 + x->nmonths - 1, claims_earned_fn,
                                 x)) != ERR_OK) {
        return e;
    }
    if ((e = store_rpt_rejections_each(c, s->path, from, to, count_fn, rej)) != ERR_OK ||
        (e = store_rpt_refusals_each(c, s->path, from, to, count_fn, ref)) != ERR_OK ||
        (e = whole_tree(c, s, &whole)) != ERR_OK) {
        return e;
    }
    return store_rpt_ledger_benefits(c, s->path, from, to, whole, ledger_fen);
}

enum err reports_claims(struct store_conn *c, const struct reports_query *q, struct rpt_doc **out,
                        char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    enum err e = begin(c, q, "claims", err_field, &s, &d, NULL);
    if (e != ERR_OK) {
        return e;
    }
    /* whole months: from's first day through to's last */
    int y, m, day;
    struct date from, to;
    date_to_ymd(q->from, &y, &m, &day);
    e = date_from_ymd(y, m, 1, &from);
    date_to_ymd(q->to, &y, &m, &day);
    if (e == ERR_OK) {
        e = date_from_ymd(y, m, date_days_in_month(y, m), &to);
    }
    struct claims_x *x = calloc(1, sizeof(*x));
    struct counts rej = {.doc = d}, ref = {.doc = d};
    if (e == ERR_OK && x == NULL) {
        e = ERR_NOMEM;
    }
    if (e == ERR_OK) {
        date_format(from, d->from);
        date_format(to, d->to);
        x->m0 = month_index(from);
        x->nmonths = month_index(to) - x->m0 + 1;
        x->cell = calloc((size_t)REPORTS_PLANS_MAX * (size_t)x->nmonths, sizeof(*x->cell));
        e = x->cell != NULL ? ERR_OK : ERR_NOMEM;
    }
    struct store_rpt_claim_totals tot = {0};
    int64_t ledger_fen = 0;
    if (e == ERR_OK) {
        e = claims_load(c, &s, d->from, d->to, x, &tot, &ledger_fen, &rej, &ref);
    }
    if (e == ERR_OK) {
        e = claims_tables(d, x, &tot, ledger_fen, &rej, &ref);
    }
    if (x != NULL) {
        free(x->cell);
        free(x);
    }
    free(rej.v);
    free(ref.v);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== timeliness */

#define MS_PER_DAY 86400000LL
#define CST_OFFSET_MS (8LL * 3600 * 1000) /* China Standard Time is UTC+8 */

static const char *const channels[] = {"online", "offline", "auto"};
#define NCHAN 3

struct paid_ent {
    int64_t id, org_id, submitted_ms, paid_ms, payout_fen, ms;
    size_t region;
    int ch;
};

struct paid_list {
    const struct orgs *orgs;
    struct paid_ent *v;
    size_t n, cap;
};

static enum err paid_fn(void *ctx, const struct store_rpt_paid *p)
{
    struct paid_list *x = ctx;
    long o = org_find(x->orgs, p->org_id);
    int ch = word_index(channels, NCHAN, p->channel);
    if (o < 0 || ch < 0) {
        return ERR_DB;
    }
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        struct paid_ent *v = realloc(x->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        x->v = v;
        x->cap = cap;
    }
    int64_t ms = p->paid_ms - p->submitted_ms;
    x->v[x->n++] = (struct paid_ent){p->id, p->org_id, p->submitted_ms, p->paid_ms, p->payout_fen,
                                     ms > 0 ? ms : 0, x->orgs->v[o].region, ch};
    return ERR_OK;
}

struct keyed {
    size_t key;
    int64_t ms;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->ms < y->ms ? -1 : x->ms > y->ms;
}

static int paid_by_id(const void *a, const void *b)
{
    const struct paid_ent *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const struct rpt_col tim_params_cols[] = {{"percentile_method", RPT_TEXT},
                                                 {"day_ms", RPT_INT}};
static const struct rpt_col tim_total_cols[] = {
    {"claims", RPT_INT},    {"median_days", RPT_INT}, {"p90_days", RPT_INT},
    {"median_ms", RPT_INT}, {"p90_ms", RPT_INT},      {"max_days", RPT_INT}};
static const struct rpt_col tim_chan_cols[] = {
    {"channel", RPT_TEXT},  {"claims", RPT_INT}, {"median_days", RPT_INT},
    {"p90_days", RPT_INT},  {"median_ms", RPT_INT}, {"p90_ms", RPT_INT}, {"max_days", RPT_INT}};
static const struct rpt_col tim_region_cols[] = {
    {"org_id", RPT_INT},      {"org_code", RPT_TEXT}, {"org_name", RPT_TEXT},
    {"claims", RPT_INT},      {"median_days", RPT_INT}, {"p90_days", RPT_INT},
    {"median_ms", RPT_INT},   {"p90_ms", RPT_INT},    {"max_days", RPT_INT}};
static const struct rpt_col tim_rc_cols[] = {
    {"org_id", RPT_INT},      {"org_code", RPT_TEXT}, {"channel", RPT_TEXT},
    {"claims", RPT_INT},      {"median_days", RPT_INT}, {"p90_days", RPT_INT},
    {"median_ms", RPT_INT},   {"p90_ms", RPT_INT},    {"max_days", RPT_INT}};
static const struct rpt_col tim_claim_cols[] = {
    {"claim_id", RPT_INT},     {"org_code", RPT_TEXT}, {"channel", RPT_TEXT},
    {"submitted_on", RPT_TEXT}, {"paid_on", RPT_TEXT}, {"elapsed_ms", RPT_INT},
    {"days", RPT_INT},         {"payout_fen", RPT_INT}};

#define PCT_VALS(v, n)                                                                             \
    V_INT((int64_t)(n)), V_INT(reports_percentile((v), (n), 50) / MS_PER_DAY),                     \
        V_INT(reports_percentile((v), (n), 90) / MS_PER_DAY),                                      \
        V_INT(reports_percentile((v), (n), 50)), V_INT(reports_percentile((v), (n), 90)),          \
        V_INT((v)[(n)-1] / MS_PER_DAY)

/* Sorts (key, ms) for the grouping key_of and calls emit for each run. */
typedef size_t key_fn(const struct paid_ent *p);
typedef enum err emit_fn(struct rpt_doc *d, struct rpt_table *t, const struct orgs *orgs,
                         size_t key, const int64_t *ms, size_t n);

static enum err grouped(struct rpt_doc *d, struct rpt_table *t, const struct paid_list *x,
                        key_fn *key_of, emit_fn *emit, struct keyed *tmp, int64_t *ms)
{
    for (size_t i = 0; i < x->n; i++) {
        tmp[i] = (struct keyed){key_of(&x->v[i]), x->v[i].ms};
    }
    sort_n(tmp, x->n, sizeof(*tmp), keyed_cmp);
    enum err e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < x->n;) {
        size_t j = i;
        while (j < x->n && tmp[j].key == tmp[i].key) {
            ms[j - i] = tmp[j].ms;
            j++;
        }
        e = emit(d, t, x->orgs, tmp[i].key, ms, j - i);
        i = j;
    }
    return e;
}

static size_t key_total(const struct paid_ent *p)
{
    (void)p;
    return 0;
}
static size_t key_channel(const struct paid_ent *p)
{
    return (size_t)p->ch;
}
static size_t key_region(const struct paid_ent *p)
{
    return p->region;
}
static size_t key_region_channel(const struct paid_ent *p)
{
    return p->region * NCHAN + (size_t)p->ch;
}

static enum err emit_total(struct rpt_doc *d, struct rpt_table *t, const struct orgs *orgs,
                           size_t key, const int64_t *ms, size_t n)
{
    (void)orgs;
    (void)key;
    return ROW(d, t, PCT_VALS(ms, n));
}
static enum err emit_channel(struct rpt_doc *d, struct rpt_table *t, const struct orgs *orgs,
                             size_t key, const int64_t *ms, size_t n)
{
    (void)orgs;
    return ROW(d, t, V_TEXT(channels[key]), PCT_VALS(ms, n));
}
static enum err emit_region(struct rpt_doc *d, struct rpt_table *t, const struct orgs *orgs,
                            size_t key, const int64_t *ms, size_t n)
{
    const struct org_ent *o = &orgs->v[key];
    return ROW(d, t, V_INT(o->id), V_TEXT(o->code), V_TEXT(o->name), PCT_VALS(ms, n));
}
static enum err emit_region_channel(struct rpt_doc *d, struct rpt_table *t,
                                    const struct orgs *orgs, size_t key, const int64_t *ms,
                                    size_t n)
{
    const struct org_ent *o = &orgs->v[key / NCHAN];
    return ROW(d, t, V_INT(o->id), V_TEXT(o->code), V_TEXT(channels[key % NCHAN]),
               PCT_VALS(ms, n));
}

static void cst_date(int64_t ms, char out[DATE_TEXT_LEN + 1])
{
    int64_t local = ms + CST_OFFSET_MS;
    int64_t day = local / MS_PER_DAY - (local % MS_PER_DAY < 0 ? 1 : 0);
    date_format((struct date){(int32_t)day}, out);
}

static enum err timeliness_tables(struct rpt_doc *d, const struct reports_query *q,
                                  struct paid_list *x)
{
    struct rpt_table *t =
        rpt_table_add(d, "params", tim_params_cols, NCOLS(tim_params_cols), true);
    enum err e = ROW(d, t, V_TEXT("nearest_rank"), V_INT(MS_PER_DAY));
    struct keyed *tmp = malloc((x->n > 0 ? x->n : 1) * sizeof(*tmp));
    int64_t *ms = malloc((x->n > 0 ? x->n : 1) * sizeof(*ms));
    if (tmp == NULL || ms == NULL) {
        e = ERR_NOMEM;
    }
    t = rpt_table_add(d, "total", tim_total_cols, NCOLS(tim_total_cols), true);
    if (e == ERR_OK && x->n > 0) {
        e = grouped(d, t, x, key_total, emit_total, tmp, ms);
    } else if (e == ERR_OK) {
        e = ROW(d, t, V_INT(0)); /* no claim paid: percentiles have no value */
    }
    t = rpt_table_add(d, "by_channel", tim_chan_cols, NCOLS(tim_chan_cols), false);
    if (e == ERR_OK) {
        e = grouped(d, t, x, key_channel, emit_channel, tmp, ms);
    }
    t = rpt_table_add(d, "by_region", tim_region_cols, NCOLS(tim_region_cols), false);
    if (e == ERR_OK) {
        e = grouped(d, t, x, key_region, emit_region, tmp, ms);
    }
    t = rpt_table_add(d, "by_region_channel", tim_rc_cols, NCOLS(tim_rc_cols), false);
    if (e == ERR_OK) {
        e = grouped(d, t, x, key_region_channel, emit_region_channel, tmp, ms);
    }
    free(tmp);
    free(ms);
    /* the claims one by one, by id: a page after after_id, or all for an export */
    if (x->n > 0) {
        sort_n(x->v, x->n, sizeof(*x->v), paid_by_id);
    }
    size_t cap = q->export_all ? REPORTS_EXPORT_ROWS_MAX : q->limit;
    t = rpt_table_add(d, "claims", tim_claim_cols, NCOLS(tim_claim_cols), false);
    size_t shown = 0, i = 0;
    while (i < x->n && x->v[i].id <= q->after_id) {
        i++;
    }
    for (; e == ERR_OK && i < x->n && shown < cap; i++, shown++) {
        const struct paid_ent *p = &x->v[i];
        long o = org_find(x->orgs, p->org_id);
        char sub[DATE_TEXT_LEN + 1], paid[DATE_TEXT_LEN + 1];
        cst_date(p->submitted_ms, sub);
        cst_date(p->paid_ms, paid);
        e = ROW(d, t, V_INT(p->id), V_TEXT(o >= 0 ? x->orgs->v[o].code : ""),
                V_TEXT(channels[p->ch]), V_TEXT(sub), V_TEXT(paid), V_INT(p->ms),
                V_INT(p->ms / MS_PER_DAY), V_INT(p->payout_fen));
    }
    if (t != NULL) {
        t->truncated = i < x->n;
    }
    return e;
}

enum err reports_timeliness(struct store_conn *c, const struct reports_query *q,
                            struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    struct orgs orgs;
    enum err e = begin(c, q, "timeliness", err_field, &s, &d, &orgs);
    if (e != ERR_OK) {
        return e;
    }
    if (q->after_id < 0) {
        set_field(err_field, "after_id");
        e = ERR_INVALID;
    }
    struct paid_list x = {.orgs = &orgs};
    int64_t from_ms = (int64_t)q->from.day * MS_PER_DAY - CST_OFFSET_MS;
    int64_t to_ms = ((int64_t)q->to.day + 1) * MS_PER_DAY - CST_OFFSET_MS;
    if (e == ERR_OK) {
        e = store_rpt_paid_each(c, s.path, from_ms, to_ms, paid_fn, &x);
    }
    if (e == ERR_OK) {
        e = timeliness_tables(d, q, &x);
    }
    free(x.v);
    orgs_free(&orgs);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== fund */

static const struct rpt_col fund_period_cols[] = {
    {"fund", RPT_TEXT},                  {"fund_name", RPT_TEXT},
    {"period", RPT_TEXT},                {"closed_at", RPT_TEXT},
    {"bank_fen", RPT_INT},               {"unearned_fen", RPT_INT},
    {"payable_fen", RPT_INT},            {"fund_balance_fen", RPT_INT},
    {"net_assets_fen", RPT_INT},         {"contributions_earned_fen", RPT_INT},
    {"benefits_fen", RPT_INT},           {"mgmt_expense_fen", RPT_INT},
    {"surplus_fen", RPT_INT},            {"reserve_ratio_bp", RPT_INT},
    {"mgmt_ratio_bp", RPT_INT}};
static const struct rpt_col fund_latest_cols[] = {
    {"fund", RPT_TEXT},          {"fund_name", RPT_TEXT},        {"periods", RPT_INT},
    {"last_period", RPT_TEXT},   {"bank_fen", RPT_INT},          {"net_assets_fen", RPT_INT},
    {"reserve_ratio_bp", RPT_INT}, {"mgmt_ratio_bp", RPT_INT},   {"benefits_fen", RPT_INT},
    {"contributions_earned_fen", RPT_INT}, {"mgmt_expense_fen", RPT_INT}};

/* Integer at key in object o (of the stored report); ERR_DB when absent. */
static enum err jint(const json_t *o, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) {
        return ERR_DB;
    }
    *out = (int64_t)json_integer_value(v);
    return ERR_OK;
}

/* A ratio as stored: -1 means no denominator. */
static struct val stored_bp(int64_t bp)
{
    return bp < 0 ? V_NULL : V_INT(bp);
}

struct fund_x {
    struct rpt_doc *doc;
    struct rpt_table *periods, *latest;
    char fund[STORE_RPT_CODE_BYTES], name[STORE_RPT_NAME_BYTES + 1], last[8];
    int64_t nperiods, bank, net, reserve, mgmt, benefits, earned, expense;
};

static enum err fund_flush(struct fund_x *x)
{
    if (x->nperiods == 0) {
        return ERR_OK;
    }
    enum err e = ROW(x->doc, x->latest, V_TEXT(x->fund), V_TEXT(x->name), V_INT(x->nperiods),
                     V_TEXT(x->last), V_INT(x->bank), V_INT(x->net), stored_bp(x->reserve),
                     stored_bp(x->mgmt), V_INT(x->benefits), V_INT(x->earned), V_INT(x->expense));
    x->nperiods = x->benefits = x->earned = x->expense = 0;
    return e;
}

static enum err period_fn(void *ctx, const struct store_rpt_period *p)
{
    struct fund_x *x = ctx;
    json_error_t jerr;
    json_t *r = json_loadb(p->report, p->report_len, 0, &jerr);
    const json_t *is = json_object_get(r, "income_statement");
    const json_t *bs = json_object_get(r, "balance_sheet");
    int64_t v[11];
    enum err e = r == NULL ? ERR_DB : ERR_OK;
    if (e == ERR_OK) {
        (void)((e = jint(bs, "bank_fen", &v[0])) || (e = jint(bs, "unearned_fen", &v[1])) ||
            (e = jint(bs, "payable_fen", &v[2])) || (e = jint(bs, "fund_balance_fen", &v[3])) ||
            (e = jint(bs, "net_assets_fen", &v[4])) ||
            (e = jint(is, "contributions_earned_fen", &v[5])) ||
            (e = jint(is, "benefits_fen", &v[6])) || (e = jint(is, "mgmt_expense_fen", &v[7])) ||
            (e = jint(is, "surplus_fen", &v[8])) || (e = jint(r, "reserve_ratio_bp", &v[9])) ||
            (e = jint(r, "mgmt_ratio_bp", &v[10])));
    }
    json_decref(r);
    if (e != ERR_OK) {
        return e;
    }
    if (strcmp(x->fund, p->fund) != 0 && (e = fund_flush(x)) != ERR_OK) {
        return e;
    }
    snprintf(x->fund, sizeof(x->fund), "%s", p->fund);
    snprintf(x->name, sizeof(x->name), "%s", p->fund_name);
    snprintf(x->last, sizeof(x->last), "%s", p->period);
    x->nperiods++;
    x->bank = v[0];
    x->net = v[4];
    x->reserve = v[9];
    x->mgmt = v[10];
    (void)((e = add_to(&x->benefits, v[6])) || (e = add_to(&x->earned, v[5])) ||
        (e = add_to(&x->expense, v[7])));
    if (e != ERR_OK) {
        return e;
    }
    return ROW(x->doc, x->periods, V_TEXT(p->fund), V_TEXT(p->fund_name), V_TEXT(p->period),
               V_TEXT(p->closed_at), V_INT(v[0]), V_INT(v[1]), V_INT(v[2]), V_INT(v[3]),
               V_INT(v[4]), V_INT(v[5]), V_INT(v[6]), V_INT(v[7]), V_INT(v[8]),
               stored_bp(v[9]), stored_bp(v[10]));
}

enum err reports_fund(struct store_conn *c, const struct reports_query *q, struct rpt_doc **out,
                      char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    enum err e = begin(c, q, "fund", err_field, &s, &d, NULL);
    if (e != ERR_OK) {
        return e;
    }
    struct fund_x x = {.doc = d};
    x.latest = rpt_table_add(d, "by_fund", fund_latest_cols, NCOLS(fund_latest_cols), false);
    x.periods = rpt_table_add(d, "periods", fund_period_cols, NCOLS(fund_period_cols), false);
    char from[8], to[8];
    month_text(month_index(q->from), from);
    month_text(month_index(q->to), to);
    e = store_rpt_periods_each(c, from, to, period_fn, &x);
    if (e == ERR_OK) {
        e = fund_flush(&x);
    }
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== referrals */

static const struct rpt_col ref_total_cols[] = {
    {"referrals", RPT_INT},     {"oop_fen", RPT_INT}, {"aid_paid_fen", RPT_INT},
    {"remaining_fen", RPT_INT}, {"open", RPT_INT},    {"handled", RPT_INT},
    {"hardship", RPT_INT}};
static const struct rpt_col ref_reason_cols[] = {
    {"reason", RPT_TEXT}, {"referrals", RPT_INT}, {"remaining_fen", RPT_INT}};
static const struct rpt_col ref_region_cols[] = {
    {"org_id", RPT_INT},      {"org_code", RPT_TEXT},     {"org_name", RPT_TEXT},
    {"referrals", RPT_INT},   {"remaining_fen", RPT_INT}};
static const struct rpt_col ref_list_cols[] = {
    {"member_id", RPT_INT},   {"member_name", RPT_TEXT}, {"year", RPT_INT},
    {"org_code", RPT_TEXT},   {"oop_fen", RPT_INT},      {"aid_paid_fen", RPT_INT},
    {"remaining_fen", RPT_INT}, {"hardship", RPT_BOOL},  {"reason", RPT_TEXT},
    {"status", RPT_TEXT}};

struct ref_x {
    struct rpt_doc *doc;
    const struct orgs *orgs;
    struct rpt_table *list;
    size_t cap;
    int64_t n, oop, aid, remaining, open, handled, hardship;
    int64_t reason_n[2], reason_fen[2];
    int64_t *region_n, *region_fen;
};

static enum err referral_fn(void *ctx, const struct store_rpt_referral *r)
{
    struct ref_x *x = ctx;
    long o = org_find(x->orgs, r->org_id);
    if (o < 0) {
        return ERR_DB;
    }
    size_t region = x->orgs->v[o].region;
    int reason = strcmp(r->reason, "hardship") == 0 ? 1 : 0;
    x->n++;
    x->open += strcmp(r->status, "open") == 0;
    x->handled += strcmp(r->status, "handled") == 0;
    x->hardship += r->hardship;
    x->reason_n[reason]++;
    x->region_n[region]++;
    enum err e;
    (void)((e = add_to(&x->oop, r->oop_fen)) || (e = add_to(&x->aid, r->aid_paid_fen)) ||
        (e = add_to(&x->remaining, r->remaining_fen)) ||
        (e = add_to(&x->reason_fen[reason], r->remaining_fen)) ||
        (e = add_to(&x->region_fen[region], r->remaining_fen)));
    if (e != ERR_OK) {
        return e;
    }
    if (x->list->nrows >= x->cap) {
        x->list->truncated = true;
        return ERR_OK;
    }
    return ROW(x->doc, x->list, V_INT(r->member_id), V_TEXT(r->member_name), V_INT(r->year),
               V_TEXT(x->orgs->v[o].code), V_INT(r->oop_fen), V_INT(r->aid_paid_fen),
               V_INT(r->remaining_fen), V_BOOL(r->hardship), V_TEXT(r->reason),
               V_TEXT(r->status));
}

enum err reports_referrals(struct store_conn *c, const struct reports_query *q,
                           struct rpt_doc **out, char *err_field)
{
    struct reports_scope s;
    struct rpt_doc *d;
    struct orgs orgs;
    enum err e = begin(c, q, "referrals", err_field, &s, &d, &orgs);
    if (e != ERR_OK) {
        return e;
    }
    struct ref_x x = {.doc = d, .orgs = &orgs};
    x.cap = q->export_all ? REPORTS_EXPORT_ROWS_MAX : q->limit;
    x.region_n = calloc(orgs.n, sizeof(*x.region_n));
    x.region_fen = calloc(orgs.n, sizeof(*x.region_fen));
    struct rpt_table *total =
        rpt_table_add(d, "total", ref_total_cols, NCOLS(ref_total_cols), true);
    struct rpt_table *reason =
        rpt_table_add(d, "by_reason", ref_reason_cols, NCOLS(ref_reason_cols), false);
    struct rpt_table *region =
        rpt_table_add(d, "by_region", ref_region_cols, NCOLS(ref_region_cols), false);
    x.list = rpt_table_add(d, "referrals", ref_list_cols, NCOLS(ref_list_cols), false);
    if (x.region_n == NULL || x.region_fen == NULL) {
        e = ERR_NOMEM;
    }
    int y0, y1, m, day;
    date_to_ymd(q->from, &y0, &m, &day);
    date_to_ymd(q->to, &y1, &m, &day);
    if (e == ERR_OK) {
        e = store_rpt_referrals_each(c, s.path, y0, y1, referral_fn, &x);
    }
    if (e == ERR_OK) {
        e = ROW(d, total, V_INT(x.n), V_INT(x.oop), V_INT(x.aid), V_INT(x.remaining),
                V_INT(x.open), V_INT(x.handled), V_INT(x.hardship));
    }
    if (e == ERR_OK) {
        e = ROW(d, reason, V_TEXT("threshold"), V_INT(x.reason_n[0]), V_INT(x.reason_fen[0]));
    }
    if (e == ERR_OK) {
        e = ROW(d, reason, V_TEXT("hardship"), V_INT(x.reason_n[1]), V_INT(x.reason_fen[1]));
    }
    for (size_t i = 0; e == ERR_OK && i < orgs.n; i++) {
        if (x.region_n[i] > 0) {
            e = ROW(d, region, V_INT(orgs.v[i].id), V_TEXT(orgs.v[i].code),
                    V_TEXT(orgs.v[i].name), V_INT(x.region_n[i]), V_INT(x.region_fen[i]));
        }
    }
    free(x.region_n);
    free(x.region_fen);
    orgs_free(&orgs);
    if (e != ERR_OK) {
        rpt_doc_free(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

/* ===================================================== rollups */

enum err reports_rollups_verify(struct store_conn *c, int64_t *out_rows)
{
    struct store_rpt_rollups_diff diff = {0};
    enum err e = store_rpt_rollups_check(c, &diff);
    *out_rows = diff.cover + diff.claim_month + diff.claim_pair + diff.benefit_month +
                diff.earning + diff.billed + diff.received;
    return e;
}
