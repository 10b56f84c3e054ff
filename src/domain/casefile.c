/*
 * casefile: strict reading of case files into engine structs.
 *
 * The reader keeps the JSON path of the value it is looking at; when a value
 * is refused the path is left pointing at it and becomes the error message.
 * All memory but the engine-grown state comes from the casefile's arena.
 */
#include "domain/casefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest JSON path kept for a message, e.g. "claims[12].event.settlement.total_fen". */
#define CASEFILE_PATH_MAX 160

struct reader {
    struct arena *arena;
    char path[CASEFILE_PATH_MAX];
    size_t len;
};

static size_t rd_key(struct reader *r, const char *key)
{
    size_t old = r->len;
    int n = snprintf(r->path + r->len, sizeof(r->path) - r->len, "%s%s", r->len ? "." : "", key);
    if (n > 0) {
        size_t room = sizeof(r->path) - r->len - 1;
        r->len += (size_t)n < room ? (size_t)n : room;
    }
    return old;
}

static size_t rd_index(struct reader *r, size_t i)
{
    size_t old = r->len;
    int n = snprintf(r->path + r->len, sizeof(r->path) - r->len, "[%zu]", i);
    if (n > 0) {
        size_t room = sizeof(r->path) - r->len - 1;
        r->len += (size_t)n < room ? (size_t)n : room;
    }
    return old;
}

static void rd_pop(struct reader *r, size_t old)
{
    r->len = old;
    r->path[old] = '\0';
}

static enum err rd_keys(struct reader *r, const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        (void)val;
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], key) != 0) {
            i++;
        }
        if (allowed[i] == NULL) {
            rd_key(r, key);
            return ERR_UNKNOWN_FIELD;
        }
    }
    return ERR_OK;
}

/* obj[key]; on success the path is extended by key (caller pops), on error it
 * is left at key. Absent and !required: *out = NULL and the path unchanged. */
static enum err rd_get(struct reader *r, const json_t *obj, const char *key, bool required,
                       json_t **out, size_t *old)
{
    *out = json_object_get(obj, key);
    if (*out == NULL) {
        if (required) {
            rd_key(r, key);
            return ERR_MISSING_FIELD;
        }
        return ERR_OK;
    }
    *old = rd_key(r, key);
    return ERR_OK;
}

/* A NUL-free non-empty string of at most max bytes, copied into the arena. */
static enum err rd_string(struct reader *r, const json_t *obj, const char *key, size_t max,
                          const char **out, size_t *out_len)
{
    json_t *v;
    size_t old;
    enum err e = rd_get(r, obj, key, true, &v, &old);
    if (e) {
        return e;
    }
    if (!json_is_string(v)) {
        return ERR_BAD_TYPE;
    }
    size_t len = json_string_length(v);
    if (len == 0 || len > max || memchr(json_string_value(v), '\0', len) != NULL) {
        return ERR_RANGE;
    }
    char *s = arena_strndup(r->arena, json_string_value(v), len);
    if (s == NULL) {
        return ERR_NOMEM;
    }
    *out = s;
    if (out_len != NULL) {
        *out_len = len;
    }
    rd_pop(r, old);
    return ERR_OK;
}

/* A string of at most cap - 1 bytes copied NUL-padded into a fixed buffer. */
static enum err rd_fixed(const json_t *v, char *buf, size_t cap)
{
    if (!json_is_string(v)) {
        return ERR_BAD_TYPE;
    }
    size_t len = json_string_length(v);
    if (len == 0 || len >= cap || memchr(json_string_value(v), '\0', len) != NULL) {
        return ERR_RANGE;
    }
    memset(buf, 0, cap);
    memcpy(buf, json_string_value(v), len);
    return ERR_OK;
}

static enum err rd_int(struct reader *r, const json_t *obj, const char *key, bool required,
                       int64_t min, int64_t max, int64_t *out, bool *present)
{
    json_t *v;
    size_t old;
    enum err e = rd_get(r, obj, key, required, &v, &old);
    if (present != NULL) {
        *present = v != NULL;
    }
    if (e || v == NULL) {
        return e;
    }
    if (!json_is_integer(v)) {
        return ERR_BAD_TYPE;
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        return ERR_RANGE;
    }
    *out = (int64_t)json_integer_value(v);
    rd_pop(r, old);
    return ERR_OK;
}

static enum err rd_date(struct reader *r, const json_t *obj, const char *key, bool required,
                        struct date *out, bool *present)
{
    json_t *v;
    size_t old;
    enum err e = rd_get(r, obj, key, required, &v, &old);
    if (present != NULL) {
        *present = v != NULL;
    }
    if (e || v == NULL) {
        return e;
    }
    if (!json_is_string(v)) {
        return ERR_BAD_TYPE;
    }
    if ((e = date_parse(json_string_value(v), json_string_length(v), out))) {
        return e;
    }
    rd_pop(r, old);
    return ERR_OK;
}

/* An array member (maybe empty) of at most max items. */
static enum err rd_array(struct reader *r, const json_t *obj, const char *key, bool required,
                         size_t max, json_t **out)
{
    size_t old;
    enum err e = rd_get(r, obj, key, required, out, &old);
    if (e || *out == NULL) {
        return e;
    }
    if (!json_is_array(*out)) {
        return ERR_BAD_TYPE;
    }
    if (json_array_size(*out) > max) {
        return ERR_TOO_LARGE;
    }
    rd_pop(r, old);
    return ERR_OK;
}

/* Picks one of names (NULL-ended) by the string at obj[key]. */
static enum err rd_enum(struct reader *r, const json_t *obj, const char *key, bool required,
                        const char *const *names, int *out, bool *present)
{
    json_t *v;
    size_t old;
    enum err e = rd_get(r, obj, key, required, &v, &old);
    if (present != NULL) {
        *present = v != NULL;
    }
    if (e || v == NULL) {
        return e;
    }
    if (!json_is_string(v)) {
        return ERR_BAD_TYPE;
    }
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], json_string_value(v)) == 0) {
            *out = i;
            rd_pop(r, old);
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

/* -------------------------------------------------------------- lookups */

struct id_index {
    const char *id;
    size_t at;
};

static int id_cmp(const void *a, const void *b)
{
    return strcmp(((const struct id_index *)a)->id, ((const struct id_index *)b)->id);
}

/* Sorted index of ids; ERR_EXISTS (index of the second copy in *dup) on duplicates. */
static enum err id_index_build(struct arena *a, const char *const *ids, size_t n,
                               struct id_index **out, size_t *dup)
{
    struct id_index *ix = arena_calloc(a, n ? n : 1, sizeof(*ix));
    if (ix == NULL) {
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        ix[i].id = ids[i];
        ix[i].at = i;
    }
    qsort(ix, n, sizeof(*ix), id_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(ix[i - 1].id, ix[i].id) == 0) {
            *dup = ix[i - 1].at > ix[i].at ? ix[i - 1].at : ix[i].at;
            return ERR_EXISTS;
        }
    }
    *out = ix;
    return ERR_OK;
}

static bool id_index_find(const struct id_index *ix, size_t n, const char *id, size_t *at)
{
    struct id_index key = {id, 0};
    const struct id_index *hit = n ? bsearch(&key, ix, n, sizeof(*ix), id_cmp) : NULL;
    if (hit == NULL) {
        return false;
    }
    *at = hit->at;
    return true;
}

int casefile_code_find(const struct case_def *c, const char *code)
{
    for (size_t i = 0; i < c->state.ncodes; i++) {
        if (strcmp(c->codes[i].plan->code, code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static const struct plan *plan_find(const struct case_def *c, const char *code, int64_t version)
{
    for (size_t i = 0; i < c->nplans; i++) {
        if (c->plans[i].version == version && strcmp(c->plans[i].code, code) == 0) {
            return &c->plans[i];
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- parts */

static enum err read_plans(struct reader *r, const json_t *arr, struct case_def *c)
{
    c->nplans = json_array_size(arr);
    c->plans = arena_calloc(r->arena, c->nplans ? c->nplans : 1, sizeof(*c->plans));
    c->codes = arena_calloc(r->arena, c->nplans ? c->nplans : 1, sizeof(*c->codes));
    if (c->plans == NULL || c->codes == NULL) {
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < c->nplans; i++) {
        char field[PLAN_FIELD_PATH_MAX];
        size_t at = rd_index(r, i);
        enum err e = plan_from_json(json_array_get(arr, i), &c->plans[i], field, sizeof(field));
        if (e) {
            if (field[0] != '\0') {
                rd_key(r, field);
            }
            return e;
        }
        const struct plan *p = &c->plans[i];
        if (plan_find(c, p->code, p->version) != p) {
            rd_key(r, "version");
            return ERR_EXISTS;
        }
        int code = casefile_code_find(c, p->code);
        if (code < 0) {
            adj_invoice_set_init(&c->codes[c->state.ncodes].invoices);
            c->codes[c->state.ncodes++].plan = p;
        } else if (c->codes[code].plan->kind != p->kind) { /* kind is stable across versions */
            rd_key(r, "kind");
            return ERR_INVALID_PLAN;
        } else if (c->codes[code].plan->version < p->version) {
            c->codes[code].plan = p;
        }
        rd_pop(r, at);
    }
    c->state.codes = c->codes;
    return ERR_OK;
}

static enum err read_members(struct reader *r, const json_t *arr, struct case_def *c,
                             struct id_index **ix)
{
    static const char *const keys[] = {"id", "gender", "birth_date", "employment", NULL};
    static const char *const genders[] = {"M", "F", NULL};
    c->nmembers = json_array_size(arr);
    c->members = arena_calloc(r->arena, c->nmembers ? c->nmembers : 1, sizeof(*c->members));
    const char **ids = arena_calloc(r->arena, c->nmembers ? c->nmembers : 1, sizeof(*ids));
    if (c->members == NULL || ids == NULL) {
        return ERR_NOMEM;
    }
    enum err e;
    for (size_t i = 0; i < c->nmembers; i++) {
        const json_t *m = json_array_get(arr, i);
        size_t at = rd_index(r, i);
        if (!json_is_object(m)) {
            return ERR_BAD_TYPE;
        }
        int gender;
        struct date birth;
        const char *employment;
        if ((e = rd_keys(r, m, keys)) ||
            (e = rd_string(r, m, "id", CASEFILE_ID_MAX, &c->members[i].id, NULL)) ||
            (e = rd_enum(r, m, "gender", true, genders, &gender, NULL)) ||
            (e = rd_date(r, m, "birth_date", true, &birth, NULL)) ||
            (e = rd_string(r, m, "employment", PLAN_EMPLOYMENT_TEXT_MAX - 1, &employment, NULL))) {
            return e;
        }
        ids[i] = c->members[i].id;
        rd_pop(r, at);
    }
    size_t dup = 0;
    if ((e = id_index_build(r->arena, ids, c->nmembers, ix, &dup))) {
        rd_index(r, dup);
        rd_key(r, "id");
        return e;
    }
    return ERR_OK;
}

/* Enrolment as read, before grouping by member. */
struct raw_enrolment {
    size_t member;
    const char *id;
    const struct plan *plan;
    uint32_t code_id;
    struct date start;
    int64_t shares;
    bool has_cancelled;
    struct date cancelled;
};

static enum err read_enrolment(struct reader *r, const json_t *o, const struct case_def *c,
                               const struct id_index *mix, struct raw_enrolment *out)
{
    static const char *const keys[] = {"id",    "member", "plan",      "version",
                                       "start", "shares", "cancelled", NULL};
    const char *member, *code;
    int64_t version;
    enum err e;
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    if ((e = rd_keys(r, o, keys)) || (e = rd_string(r, o, "id", CASEFILE_ID_MAX, &out->id, NULL)) ||
        (e = rd_string(r, o, "member", CASEFILE_ID_MAX, &member, NULL)) ||
        (e = rd_string(r, o, "plan", PLAN_CODE_MAX - 1, &code, NULL)) ||
        (e = rd_int(r, o, "version", true, 1, INT32_MAX, &version, NULL)) ||
        (e = rd_date(r, o, "start", true, &out->start, NULL)) ||
        (e = rd_int(r, o, "shares", true, 1, PLAN_SHARES_MAX, &out->shares, NULL)) ||
        (e = rd_date(r, o, "cancelled", false, &out->cancelled, &out->has_cancelled))) {
        return e;
    }
    if (!id_index_find(mix, c->nmembers, member, &out->member)) {
        rd_key(r, "member");
        return ERR_NOT_FOUND;
    }
    out->plan = plan_find(c, code, version);
    if (out->plan == NULL) {
        rd_key(r, casefile_code_find(c, code) < 0 ? "plan" : "version");
        return ERR_NOT_FOUND;
    }
    out->code_id = (uint32_t)casefile_code_find(c, code);
    return ERR_OK;
}

static enum err read_enrolments(struct reader *r, const json_t *arr, struct case_def *c,
                                const struct id_index *mix)
{
    size_t n = json_array_size(arr);
    struct raw_enrolment *raw = arena_calloc(r->arena, n ? n : 1, sizeof(*raw));
    size_t *order = arena_calloc(r->arena, n ? n : 1, sizeof(*order));
    size_t *first = arena_calloc(r->arena, c->nmembers + 1, sizeof(*first));
    c->enrolments = arena_calloc(r->arena, n ? n : 1, sizeof(*c->enrolments));
    if (raw == NULL || order == NULL || first == NULL || c->enrolments == NULL) {
        return ERR_NOMEM;
    }
    c->nenrolments = n;
    enum err e;
    for (size_t i = 0; i < n; i++) {
        size_t at = rd_index(r, i);
        if ((e = read_enrolment(r, json_array_get(arr, i), c, mix, &raw[i]))) {
            return e;
        }
        first[raw[i].member + 1]++;
        rd_pop(r, at);
    }
    /* Counting sort by member keeps file order within a member. */
    for (size_t m = 0; m < c->nmembers; m++) {
        first[m + 1] += first[m];
        c->members[m].enrolments = c->enrolments + first[m];
    }
    for (size_t i = 0; i < n; i++) {
        struct adj_member *m = &c->members[raw[i].member];
        struct adj_enrolment *e2 = &m->enrolments[m->nenrolments];
        order[first[raw[i].member] + m->nenrolments] = i;
        m->nenrolments++;
        adj_enrolment_init(e2, raw[i].id, raw[i].plan, raw[i].code_id, raw[i].start, raw[i].shares,
                           raw[i].has_cancelled ? &raw[i].cancelled : NULL);
    }
    /* One member's covers in one code never overlap (enrolment refuses it). */
    for (size_t k = 0; k < n; k++) {
        const struct adj_enrolment *a = &c->enrolments[k];
        const struct adj_member *m = &c->members[raw[order[k]].member];
        for (const struct adj_enrolment *b = m->enrolments; b < a; b++) {
            if (b->code_id == a->code_id && a->start.day <= b->cover_end.day &&
                b->start.day <= a->cover_end.day && a->cover_end.day >= a->start.day &&
                b->cover_end.day >= b->start.day) {
                rd_index(r, order[k]);
                rd_key(r, "start");
                return ERR_CONFLICT;
            }
        }
    }
    return ERR_OK;
}

static enum err read_settlement(struct reader *r, const json_t *ev, struct adj_settlement *s,
                                bool *present)
{
    static const char *const keys[] = {"total_fen",
                                       "fund_paid_fen",
                                       "serious_illness_paid_fen",
                                       "assistance_paid_fen",
                                       "other_paid_fen",
                                       "self_pay_in_scope_fen",
                                       "self_pay_out_scope_fen",
                                       NULL};
    json_t *o;
    size_t old;
    enum err e = rd_get(r, ev, "settlement", false, &o, &old);
    *present = o != NULL;
    if (e || o == NULL) {
        return e;
    }
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    /* Amounts are read as any integer: the engine refuses negatives and
     * mismatched sums with their own codes. */
    int64_t *dst[] = {&s->total_fen,
                      &s->fund_paid_fen,
                      &s->serious_illness_paid_fen,
                      &s->assistance_paid_fen,
                      &s->other_paid_fen,
                      &s->self_pay_in_scope_fen,
                      &s->self_pay_out_scope_fen};
    if ((e = rd_keys(r, o, keys))) {
        return e;
    }
    for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
        if ((e = rd_int(r, o, keys[i], true, -ADJ_FEN_MAX, ADJ_FEN_MAX, dst[i], NULL))) {
            return e;
        }
    }
    rd_pop(r, old);
    return ERR_OK;
}

static enum err read_event(struct reader *r, const json_t *claim, struct adj_event *ev)
{
    static const char *const keys[] = {"cause",
                                       "admission_date",
                                       "discharge_date",
                                       "diagnosis_date",
                                       "disease_code",
                                       "accident_date",
                                       "accident_id",
                                       "outcome",
                                       "grade",
                                       "settlement",
                                       NULL};
    static const char *const causes[] = {"illness", "accident", NULL};
    static const char *const outcomes[] = {"death", "disability", "medical", NULL};
    json_t *o, *v;
    size_t old, at;
    enum err e = rd_get(r, claim, "event", true, &o, &old);
    if (e) {
        return e;
    }
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    bool has;
    int cause = 0, outcome = 0;
    int64_t grade = 0;
    memset(ev, 0, sizeof(*ev));
#define SET(bit)                                                                                   \
    do {                                                                                           \
        if (has) {                                                                                 \
            ev->present |= (bit);                                                                  \
        }                                                                                          \
    } while (0)
    if ((e = rd_keys(r, o, keys)) || (e = rd_enum(r, o, "cause", false, causes, &cause, &has))) {
        return e;
    }
    SET(ADJ_HAS_CAUSE);
    ev->cause = (enum adj_cause)cause;
    if ((e = rd_date(r, o, "admission_date", false, &ev->admission_date, &has))) {
        return e;
    }
    SET(ADJ_HAS_ADMISSION);
    if ((e = rd_date(r, o, "discharge_date", false, &ev->discharge_date, &has))) {
        return e;
    }
    SET(ADJ_HAS_DISCHARGE);
    if ((e = rd_date(r, o, "diagnosis_date", false, &ev->diagnosis_date, &has))) {
        return e;
    }
    SET(ADJ_HAS_DIAGNOSIS);
    if ((e = rd_date(r, o, "accident_date", false, &ev->accident_date, &has))) {
        return e;
    }
    SET(ADJ_HAS_ACCIDENT_DATE);
    if ((e = rd_get(r, o, "disease_code", false, &v, &at))) {
        return e;
    }
    if (v != NULL) {
        if ((e = rd_fixed(v, ev->disease_code, sizeof(ev->disease_code)))) {
            return e;
        }
        ev->present |= ADJ_HAS_DISEASE;
        rd_pop(r, at);
    }
    if ((e = rd_get(r, o, "accident_id", false, &v, &at))) {
        return e;
    }
    if (v != NULL) {
        if ((e = rd_fixed(v, ev->accident_id, sizeof(ev->accident_id)))) {
            return e;
        }
        ev->present |= ADJ_HAS_ACCIDENT_ID;
        rd_pop(r, at);
    }
    if ((e = rd_enum(r, o, "outcome", false, outcomes, &outcome, &has))) {
        return e;
    }
    SET(ADJ_HAS_OUTCOME);
    ev->outcome = has ? (enum adj_outcome)(outcome + 1) : ADJ_OUTCOME_NONE;
    if ((e = rd_int(r, o, "grade", false, 1, PLAN_DISABILITY_GRADES, &grade, &has))) {
        return e;
    }
    SET(ADJ_HAS_GRADE);
    ev->grade = (int32_t)grade;
    if ((e = read_settlement(r, o, &ev->settlement, &has))) {
        return e;
    }
    SET(ADJ_HAS_SETTLEMENT);
#undef SET
    rd_pop(r, old);
    return ERR_OK;
}

static enum err read_claim(struct reader *r, const json_t *o, const struct case_def *c,
                           const struct id_index *mix, struct case_claim *out)
{
    static const char *const keys[] = {"id",    "member",   "plans", "submitted",
                                       "event", "invoices", NULL};
    const char *member;
    json_t *plans, *invoices;
    enum err e;
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    struct adj_claim *cl = &out->claim;
    if ((e = rd_keys(r, o, keys)) || (e = rd_string(r, o, "id", CASEFILE_ID_MAX, &cl->id, NULL)) ||
        (e = rd_string(r, o, "member", CASEFILE_ID_MAX, &member, NULL)) ||
        (e = rd_date(r, o, "submitted", true, &cl->submitted, NULL)) ||
        (e = rd_array(r, o, "plans", true, ADJ_CLAIM_PLANS_MAX, &plans)) ||
        (e = rd_array(r, o, "invoices", false, ADJ_CLAIM_INVOICES_MAX, &invoices)) ||
        (e = read_event(r, o, &cl->event))) {
        return e;
    }
    if (!id_index_find(mix, c->nmembers, member, &out->member)) {
        rd_key(r, "member");
        return ERR_NOT_FOUND;
    }
    size_t at = rd_key(r, "plans"), base = r->len;
    cl->nplans = json_array_size(plans);
    if (cl->nplans == 0) {
        return ERR_MISSING_FIELD;
    }
    for (size_t i = 0; i < cl->nplans; i++) {
        const char *code = json_string_value(json_array_get(plans, i));
        rd_index(r, i);
        int id = code != NULL ? casefile_code_find(c, code) : -1;
        if (id < 0) {
            return code != NULL ? ERR_NOT_FOUND : ERR_BAD_TYPE;
        }
        for (size_t k = 0; k < i; k++) {
            if (cl->code_ids[k] == (uint32_t)id) {
                return ERR_EXISTS;
            }
        }
        cl->code_ids[i] = (uint32_t)id;
        rd_pop(r, base);
    }
    rd_pop(r, at);
    cl->ninvoices = invoices != NULL ? json_array_size(invoices) : 0;
    if (cl->ninvoices > 0) {
        struct adj_invoice *inv = arena_calloc(r->arena, cl->ninvoices, sizeof(*inv));
        if (inv == NULL) {
            return ERR_NOMEM;
        }
        at = rd_key(r, "invoices");
        base = r->len;
        for (size_t i = 0; i < cl->ninvoices; i++) {
            json_t *v = json_array_get(invoices, i);
            rd_index(r, i);
            if (!json_is_string(v)) {
                return ERR_BAD_TYPE;
            }
            inv[i].len = json_string_length(v);
            if (inv[i].len == 0 || inv[i].len > ADJ_INVOICE_MAX) {
                return ERR_RANGE;
            }
            inv[i].number = arena_strndup(r->arena, json_string_value(v), inv[i].len);
            if (inv[i].number == NULL) {
                return ERR_NOMEM;
            }
            inv[i].hash = adj_invoice_hash(inv[i].number, inv[i].len);
            for (size_t k = 0; k < i; k++) {
                if (inv[k].len == inv[i].len &&
                    memcmp(inv[k].number, inv[i].number, inv[i].len) == 0) {
                    return ERR_EXISTS;
                }
            }
            rd_pop(r, base);
        }
        cl->invoices = inv;
        rd_pop(r, at);
    }
    return ERR_OK;
}

static enum err read_expect(struct reader *r, const json_t *o, struct case_expect *x)
{
    static const char *const keys[] = {"claim", "plan", "decision", "reason", "payout_fen", NULL};
    static const char *const decisions[] = {"approve", "reject", NULL};
    int decision;
    enum err e;
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    if ((e = rd_keys(r, o, keys)) ||
        (e = rd_string(r, o, "claim", CASEFILE_ID_MAX, &x->claim, NULL)) ||
        (e = rd_string(r, o, "plan", PLAN_CODE_MAX - 1, &x->plan, NULL)) ||
        (e = rd_enum(r, o, "decision", true, decisions, &decision, NULL)) ||
        (e = rd_int(r, o, "payout_fen", true, 0, ADJ_FEN_MAX, &x->payout_fen, NULL))) {
        return e;
    }
    x->decision = decision == 0 ? ADJ_APPROVE : ADJ_REJECT;
    json_t *reason = json_object_get(o, "reason");
    x->reason = ADJ_REASON_NONE;
    if (reason != NULL && !json_is_null(reason)) {
        const char *s = json_string_value(reason);
        int k = ADJ_REASON_NONE + 1;
        while (s != NULL && adj_reason_str((enum adj_reason)k) != NULL &&
               strcmp(adj_reason_str((enum adj_reason)k), s) != 0) {
            k++;
        }
        if (s == NULL || adj_reason_str((enum adj_reason)k) == NULL) {
            rd_key(r, "reason");
            return s == NULL ? ERR_BAD_TYPE : ERR_INVALID;
        }
        x->reason = (enum adj_reason)k;
    }
    return ERR_OK;
}

/* Reads one case; the path is relative to the case. */
static enum err read_case(struct reader *r, const json_t *o, struct case_def *c)
{
    static const char *const keys[] = {"name",   "plans",  "members", "enrollments",
                                       "claims", "expect", NULL};
    /* A case is hand-written test data; 10^6 rows of each kind is plenty. */
    const size_t rows_max = 1000000;
    json_t *plans, *members, *enrolments, *claims, *expect;
    struct id_index *mix = NULL;
    enum err e;
    if (!json_is_object(o)) {
        return ERR_BAD_TYPE;
    }
    if ((e = rd_keys(r, o, keys)) || (e = rd_string(r, o, "name", 200, &c->name, NULL)) ||
        (e = rd_array(r, o, "plans", true, rows_max, &plans)) ||
        (e = rd_array(r, o, "members", true, rows_max, &members)) ||
        (e = rd_array(r, o, "enrollments", true, rows_max, &enrolments)) ||
        (e = rd_array(r, o, "claims", true, rows_max, &claims)) ||
        (e = rd_array(r, o, "expect", false, rows_max, &expect))) {
        return e;
    }
    size_t at = rd_key(r, "plans");
    if ((e = read_plans(r, plans, c))) {
        return e;
    }
    rd_pop(r, at);
    at = rd_key(r, "members");
    if ((e = read_members(r, members, c, &mix))) {
        return e;
    }
    rd_pop(r, at);
    at = rd_key(r, "enrollments");
    if ((e = read_enrolments(r, enrolments, c, mix))) {
        return e;
    }
    rd_pop(r, at);
    c->nclaims = json_array_size(claims);
    c->claims = arena_calloc(r->arena, c->nclaims ? c->nclaims : 1, sizeof(*c->claims));
    if (c->claims == NULL) {
        return ERR_NOMEM;
    }
    at = rd_key(r, "claims");
    for (size_t i = 0; i < c->nclaims; i++) {
        size_t item = rd_index(r, i);
        if ((e = read_claim(r, json_array_get(claims, i), c, mix, &c->claims[i]))) {
            return e;
        }
        rd_pop(r, item);
    }
    rd_pop(r, at);
    c->nexpect = expect != NULL ? json_array_size(expect) : 0;
    c->expect = arena_calloc(r->arena, c->nexpect ? c->nexpect : 1, sizeof(*c->expect));
    if (c->expect == NULL) {
        return ERR_NOMEM;
    }
    at = rd_key(r, "expect");
    for (size_t i = 0; i < c->nexpect; i++) {
        size_t item = rd_index(r, i);
        if ((e = read_expect(r, json_array_get(expect, i), &c->expect[i]))) {
            return e;
        }
        rd_pop(r, item);
    }
    rd_pop(r, at);
    return ERR_OK;
}

void casefile_release(struct casefile *cf)
{
    for (size_t i = 0; cf->cases != NULL && i < cf->ncases; i++) {
        struct case_def *c = &cf->cases[i];
        for (size_t m = 0; c->members != NULL && m < c->nmembers; m++) {
            adj_member_release(&c->members[m]);
        }
        for (size_t k = 0; c->codes != NULL && k < c->state.ncodes; k++) {
            adj_invoice_set_release(&c->codes[k].invoices);
        }
    }
    arena_release(&cf->arena);
    cf->cases = NULL;
    cf->ncases = 0;
}

enum err casefile_from_json(const json_t *root, struct casefile *out, char *msg, size_t msg_cap)
{
    static const char *const keys[] = {"spec", "cases", NULL};
    struct reader r = {&out->arena, "", 0};
    json_t *cases;
    enum err e;
    arena_init(&out->arena, CASEFILE_ARENA_BYTES);
    out->cases = NULL;
    out->ncases = 0;
    if (msg_cap > 0) {
        msg[0] = '\0';
    }
    if (!json_is_object(root)) {
        e = ERR_BAD_TYPE;
        goto fail;
    }
    if ((e = rd_keys(&r, root, keys)) || (e = rd_array(&r, root, "cases", true, 100000, &cases))) {
        goto fail;
    }
    out->ncases = json_array_size(cases);
    out->cases = arena_calloc(&out->arena, out->ncases ? out->ncases : 1, sizeof(*out->cases));
    if (out->cases == NULL) {
        e = ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < out->ncases; i++) {
        rd_pop(&r, 0);
        if ((e = read_case(&r, json_array_get(cases, i), &out->cases[i]))) {
            const char *name = out->cases[i].name;
            snprintf(msg, msg_cap, "case %zu \"%s\": %s: %s", i, name ? name : "?", r.path,
                     err_str(e));
            casefile_release(out);
            return e;
        }
    }
    return ERR_OK;
fail:
    snprintf(msg, msg_cap, "%s: %s", r.len ? r.path : "case file", err_str(e));
    casefile_release(out);
    return e;
}

enum err casefile_load(const char *path, struct casefile *out, char *msg, size_t msg_cap)
{
    json_error_t jerr;
    out->cases = NULL;
    out->ncases = 0;
    arena_init(&out->arena, CASEFILE_ARENA_BYTES);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, msg_cap, "%s: %s", path, strerror(errno));
        return ERR_IO;
    }
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (root == NULL) {
        snprintf(msg, msg_cap, "%s: line %d column %d: %s", path, jerr.line, jerr.column,
                 jerr.text);
        return ERR_BAD_JSON;
    }
    enum err e = casefile_from_json(root, out, msg, msg_cap);
    json_decref(root);
    return e;
}
