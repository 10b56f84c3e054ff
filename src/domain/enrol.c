/*
 * enrol: the enrolment rules (enrol.h) over the store. A request is checked
 * in full before anything is written; commit re-runs the preview inside its
 * transaction so what is written is exactly what was checked.
 *
 * Memory: a unit's roster is held as compact entries (no text), so a unit of
 * a million staff costs ~40 MB; everything is freed before returning.
 * Integer arithmetic only: money is int64 fen, ratios basis points.
 */
#include "domain/enrol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/money.h"
#include "core/utf8.h"
#include "domain/invoice.h"
#include "domain/plans_admin.h"
#include "store/store_enrol.h"

const struct enrol_actor enrol_actor_cli = {0, "", "/", NULL, 0, NULL};

void enrol_audit_actor(const struct enrol_actor *a, struct audit_actor *out)
{
    memset(out, 0, sizeof(*out));
    out->user_id = a->user_id;
    out->login = a->login ? a->login : a->user_id == 0 ? "cli" : "";
    out->role = a->role ? a->role : "";
    out->org_id = a->org_id;
    out->request_id = a->request_id ? a->request_id : "";
}

enum err enrol_audit(struct store_conn *c, const struct enrol_actor *actor, const char *action,
                     const char *object_type, int64_t object_id, const char *const *pairs,
                     size_t npairs)
{
    char detail[1024], id[24];
    enum err e = audit_detail_pairs(pairs, npairs, detail, sizeof(detail));
    if (e != ERR_OK) {
        return e;
    }
    snprintf(id, sizeof(id), "%lld", (long long)object_id);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct audit_event ev = {
        .at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
        .action = action,
        .object_type = object_type,
        .object_id = id,
        .detail = detail,
    };
    enrol_audit_actor(actor, &ev.actor);
    return audit_append(c, &ev, NULL);
}

/* Decimal text of v into buf (for audit details). */
static const char *num(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static const char *const kind_names[] = {
    [ENROL_GROUP] = "group",
    [ENROL_INDIVIDUAL] = "individual",
    [ENROL_GIFT] = "gift",
};

const char *enrol_kind_str(enum enrol_kind k)
{
    return (unsigned)k <= ENROL_GIFT ? kind_names[k] : "unknown";
}

bool enrol_kind_parse(const char *text, enum enrol_kind *out)
{
    for (size_t i = 0; i <= ENROL_GIFT; i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (enum enrol_kind)i;
            return true;
        }
    }
    return false;
}

static void set_field(char *buf, size_t cap, const char *field)
{
    if (cap > 0) {
        snprintf(buf, cap, "%s", field);
    }
}

/* ---------------------------------------------------------------- pure rules */

struct date enrol_term_end(const struct plan *plan, struct date start)
{
    return date_add_days(date_add_months(start, plan->term_months), -1);
}

bool enrol_in_scope(const char *actor_path, const char *org_path)
{
    size_t n = strlen(actor_path);
    return n > 0 && strncmp(org_path, actor_path, n) == 0;
}

static bool is_gig(const char *employment)
{
    return strcmp(employment, "standard") != 0;
}

enum err enrol_check_member(const struct plan *plan, enum enrol_kind kind,
                            const struct enrol_member_facts *m, struct date term_start)
{
    const struct plan_eligibility *el = &plan->eligibility;
    int age = date_age_on(m->birth_date, term_start);
    if (age < el->min_age || age > el->max_age) {
        return ERR_AGE_OUT_OF_RANGE;
    }
    unsigned bit = m->gender == 'M' ? PLAN_GENDER_M : m->gender == 'F' ? PLAN_GENDER_F : 0;
    if ((el->genders_mask & bit) == 0) {
        return ERR_GENDER_NOT_ELIGIBLE;
    }
    if (el->has_employment) {
        bool ok = false;
        for (size_t i = 0; i < el->nemployment; i++) {
            ok = ok || strcmp(el->employment[i], m->employment) == 0;
        }
        if (!ok) {
            return ERR_EMPLOYMENT_NOT_ELIGIBLE;
        }
    }
    if (kind == ENROL_GIFT && !m->hardship && !is_gig(m->employment)) {
        return ERR_GIFT_NOT_ELIGIBLE;
    }
    return ERR_OK;
}

enum err enrol_check_participation(const struct plan *plan, const struct enrol_participation *p)
{
    if (!plan->has_participation) {
        return ERR_OK;
    }
    const struct plan_participation *r = &plan->participation;
    if (r->all_if_staff_below > 0 && p->roster_size < r->all_if_staff_below &&
        p->participating < p->eligible_staff) {
        return ERR_MUST_ENROL_ALL;
    }
    /* participating / eligible >= min_ratio_bp / 10000, without division */
    if (r->min_ratio_bp > 0 && p->participating * BP_ONE < r->min_ratio_bp * p->eligible_staff) {
        return ERR_PARTICIPATION_TOO_LOW;
    }
    if (r->equal_shares && p->unequal_shares) {
        return ERR_UNEQUAL_SHARES;
    }
    return ERR_OK;
}

enum err enrol_refund(const struct plan *plan, struct date term_start, struct date term_end,
                      struct date effective, int64_t worker_fen, int32_t *months,
                      int64_t *refund_fen)
{
    *months = 0;
    *refund_fen = 0;
    if (effective.day < term_start.day || effective.day > term_end.day) {
        return ERR_INVALID_DATE;
    }
    struct date end_excl = date_add_days(term_end, 1);
    int32_t m = 0;
    while (m < plan->term_months && date_add_months(effective, m + 1).day <= end_excl.day) {
        m++;
    }
    *months = m;
    if (plan->refund != PLAN_REFUND_UNEXPIRED_MONTHS || m == 0) {
        return ERR_OK;
    }
    int64_t product;
    if (money_mul(worker_fen, m, &product) != ERR_OK) {
        return ERR_OVERFLOW;
    }
    *refund_fen = product / plan->term_months; /* rounded down: never more than was paid */
    return ERR_OK;
}

/* ------------------------------------------------------------ member sets */

/* Open-addressing set of member ids (duplicate detection in a request). */
struct idset {
    int64_t *slots; /* 0 = empty (ids are >= 1) */
    size_t mask;
};

static enum err idset_init(struct idset *s, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2) {
        cap *= 2;
    }
    s->slots = calloc(cap, sizeof(*s->slots));
    s->mask = cap - 1;
    return s->slots ? ERR_OK : ERR_NOMEM;
}

/* Adds id; false when it was there already. */
static bool idset_add(struct idset *s, int64_t id)
{
    size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 20) & s->mask;
    while (s->slots[i] != 0) {
        if (s->slots[i] == id) {
            return false;
        }
        i = (i + 1) & s->mask;
    }
    s->slots[i] = id;
    return true;
}

/* A roster member, compact: what eligibility and participation need. */
struct roster_entry {
    int64_t id;
    struct date birth_date;
    char gender;
    bool hardship;
    bool in_scope;
    char employment[16];
    enum err code;  /* eligibility of the member for this request, once checked */
    bool checked;
};

struct roster {
    struct roster_entry *v;
    size_t n, cap;
    const char *actor_path;
};

static enum err roster_add(void *arg, const struct store_enrol_member *m)
{
    struct roster *r = arg;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        if (cap > ENROL_BATCH_MEMBERS_MAX) {
            return ERR_TOO_LARGE;
        }
        struct roster_entry *v = realloc(r->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        r->v = v;
        r->cap = cap;
    }
    struct roster_entry *e = &r->v[r->n++];
    memset(e, 0, sizeof(*e));
    e->id = m->id;
    e->birth_date = m->birth_date;
    e->gender = m->gender;
    e->hardship = m->hardship;
    e->in_scope = enrol_in_scope(r->actor_path, m->org_path);
    memcpy(e->employment, m->employment, sizeof(e->employment));
    return ERR_OK;
}

static int roster_cmp(const void *key, const void *elem)
{
    int64_t a = *(const int64_t *)key, b = ((const struct roster_entry *)elem)->id;
    return a < b ? -1 : a > b;
}

/* ----------------------------------------------------------------- preview */

void enrol_preview_release(struct enrol_preview *p)
{
    free(p->eligible);
    free(p->refused);
    p->eligible = NULL;
    p->refused = NULL;
    p->neligible = p->nrefused = 0;
}

/* Everything a preview and a commit share. */
struct work {
    const struct enrol_actor *actor;
    const struct enrol_request *req;
    struct plan_version *pv;
    struct costshare_spec funding;  /* gift: all gift */
    int64_t org_id;                 /* the batch's organisation */
    char payer_name[COSTSHARE__COUNT][STORE_PAYER_NAME_BYTES + 1];
    struct roster roster;
    size_t cap_eligible, cap_refused;
};

static enum err push_eligible(struct work *w, struct enrol_preview *p, int64_t id)
{
    if (p->neligible == w->cap_eligible) {
        size_t cap = w->cap_eligible ? w->cap_eligible * 2 : 64;
        int64_t *v = realloc(p->eligible, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        p->eligible = v;
        w->cap_eligible = cap;
    }
    p->eligible[p->neligible++] = id;
    return ERR_OK;
}

static enum err push_refused(struct work *w, struct enrol_preview *p, int64_t id, enum err code)
{
    if (p->nrefused == w->cap_refused) {
        size_t cap = w->cap_refused ? w->cap_refused * 2 : 16;
        struct enrol_refusal *v = realloc(p->refused, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        p->refused = v;
        w->cap_refused = cap;
    }
    p->refused[p->nrefused].member_id = id;
    p->refused[p->nrefused].code = code;
    p->nrefused++;
    return ERR_OK;
}

/* Eligibility of one roster entry for this request, with the overlap check;
 * *overlap_shares gets the shares of an overlapping enrolment (0 if none). */
static enum err check_entry(struct store_conn *c, struct work *w, struct enrol_preview *p,
                            struct roster_entry *e, int64_t *overlap_shares, enum err *code)
{
    *overlap_shares = 0;
    if (!e->in_scope) {
        *code = ERR_OUT_OF_SCOPE;
        return ERR_OK;
    }
    struct enrol_member_facts f = {e->birth_date, e->gender, e->employment, e->hardship};
    *code = enrol_check_member(&w->pv->plan, w->req->kind, &f, p->term_start);
    if (*code != ERR_OK) {
        return ERR_OK;
    }
    bool found;
    enum err err = store_enrol_overlap(c, e->id, w->pv->plan.code, p->term_start, p->term_end,
                                       &found, overlap_shares);
    if (err == ERR_OK && found) {
        *code = ERR_OVERLAPPING_TERM;
    }
    return err;
}

/* Request-level checks and the plan; fills the preview's header. */
static enum err check_request(struct store_conn *c, struct work *w, struct enrol_preview *p,
                              char *err_field, size_t err_cap)
{
    const struct enrol_request *req = w->req;
    enum err e;
    if ((unsigned)req->kind > ENROL_GIFT) {
        set_field(err_field, err_cap, "kind");
        return ERR_INVALID;
    }
    if (req->nmembers > ENROL_BATCH_MEMBERS_MAX ||
        (req->kind == ENROL_INDIVIDUAL && req->nmembers != 1) ||
        (req->kind != ENROL_GROUP && req->nmembers == 0) ||
        (req->nmembers > 0 && req->member_ids == NULL)) {
        set_field(err_field, err_cap, "member_ids");
        return req->nmembers > ENROL_BATCH_MEMBERS_MAX ? ERR_TOO_LARGE : ERR_INVALID;
    }
    if (req->kind == ENROL_GROUP ? req->employer_id <= 0 : req->employer_id != 0) {
        set_field(err_field, err_cap, "employer_id");
        return ERR_INVALID;
    }
    if (req->kind == ENROL_GIFT ? req->donor[0] == '\0' : req->donor[0] != '\0') {
        set_field(err_field, err_cap, "donor");
        return ERR_INVALID;
    }
    e = plans_get_in_tx(c, 0, req->plan_code, req->plan_version, w->pv);
    if (e != ERR_OK) {
        set_field(err_field, err_cap, req->plan_version ? "plan_version" : "plan_code");
        return e == ERR_NOT_FOUND && req->plan_version == 0 ? ERR_PLAN_NOT_PUBLISHED : e;
    }
    if (w->pv->state != PLAN_STATE_PUBLISHED) {
        set_field(err_field, err_cap, "plan_version");
        return ERR_PLAN_NOT_PUBLISHED;
    }
    const struct plan *plan = &w->pv->plan;
    if (req->shares < 1 || req->shares > plan->max_shares) {
        set_field(err_field, err_cap, "shares");
        return ERR_TOO_MANY_SHARES;
    }
    p->plan_id = w->pv->id;
    p->plan_version = plan->version;
    p->shares = req->shares;
    p->term_start = req->term_start;
    p->term_end = enrol_term_end(plan, req->term_start);
    if (req->due_date.day > p->term_end.day) {
        set_field(err_field, err_cap, "due_date");
        return ERR_INVALID_DATE;
    }
    w->funding = req->funding;
    if (req->kind == ENROL_GIFT) {
        costshare_spec_single(&w->funding, COSTSHARE_GIFT); /* paid in full by the donor */
    } else if (req->kind == ENROL_INDIVIDUAL &&
               (w->funding.parts[COSTSHARE_EMPLOYER].mode != COSTSHARE_NONE ||
                w->funding.remainder_payer == COSTSHARE_EMPLOYER)) {
        set_field(err_field, err_cap, "funding.employer"); /* no unit to pay it */
        return ERR_FUNDING_INVALID;
    }
    const char *ff;
    e = costshare_split_share(&w->funding, plan->share_price_fen, &p->share, &ff);
    if (e == ERR_OK) {
        e = costshare_scale(&p->share, req->shares, &p->enrolment);
    }
    if (e != ERR_OK) {
        set_field(err_field, err_cap, ff[0] ? ff : "funding");
        return e;
    }
    return ERR_OK;
}

/* Group: the unit, its roster, every candidate, participation. */
static enum err preview_group(struct store_conn *c, struct work *w, struct enrol_preview *p,
                              char *err_field, size_t err_cap)
{
    const struct enrol_request *req = w->req;
    struct store_enrol_org org;
    enum err e = store_enrol_employer_get(c, req->employer_id, w->payer_name[COSTSHARE_EMPLOYER],
                                          &org);
    if (e != ERR_OK || !enrol_in_scope(w->actor->org_path, org.path)) {
        set_field(err_field, err_cap, "employer_id");
        return e == ERR_NOT_FOUND ? ERR_UNKNOWN_EMPLOYER : e ? e : ERR_OUT_OF_SCOPE;
    }
    w->org_id = org.id;
    snprintf(w->payer_name[COSTSHARE_UNION], sizeof(w->payer_name[0]), "%s", org.name);
    /* the workers' part is deducted from pay and remitted by the unit */
    memcpy(w->payer_name[COSTSHARE_WORKER], w->payer_name[COSTSHARE_EMPLOYER],
           sizeof(w->payer_name[0]));
    w->roster.actor_path = w->actor->org_path;
    if ((e = store_enrol_roster_each(c, req->employer_id, roster_add, &w->roster)) != ERR_OK) {
        return e;
    }
    p->roster_size = (int64_t)w->roster.n;
    /* every roster member: eligible staff, already covered, shares held */
    bool unequal = false;
    for (size_t i = 0; i < w->roster.n; i++) {
        struct roster_entry *re = &w->roster.v[i];
        int64_t shares;
        if ((e = check_entry(c, w, p, re, &shares, &re->code)) != ERR_OK) {
            return e;
        }
        re->checked = true;
        if (re->code == ERR_OK || re->code == ERR_OVERLAPPING_TERM) {
            p->eligible_staff++;
        }
        if (re->code == ERR_OVERLAPPING_TERM) {
            p->already_enrolled++;
            unequal = unequal || shares != req->shares;
        }
    }
    /* the candidates: the roster, or the selection in its order */
    struct idset seen = {0};
    if (req->member_ids != NULL && (e = idset_init(&seen, req->nmembers)) != ERR_OK) {
        return e;
    }
    size_t n = req->member_ids ? req->nmembers : w->roster.n;
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        struct roster_entry *re = req->member_ids ? NULL : &w->roster.v[i];
        int64_t id = req->member_ids ? req->member_ids[i] : re->id;
        enum err code;
        if (req->member_ids != NULL) {
            re = bsearch(&id, w->roster.v, w->roster.n, sizeof(*re), roster_cmp);
            if (!idset_add(&seen, id)) {
                code = ERR_DUPLICATE_MEMBER;
            } else if (re != NULL) {
                code = re->code;
            } else {
                struct store_enrol_member m;
                e = store_enrol_member_get(c, id, &m);
                code = e == ERR_NOT_FOUND ? ERR_UNKNOWN_MEMBER
                       : !enrol_in_scope(w->actor->org_path, m.org_path) ? ERR_OUT_OF_SCOPE
                                                                          : ERR_NOT_IN_UNIT;
                e = e == ERR_NOT_FOUND ? ERR_OK : e;
            }
        } else {
            code = re->code;
        }
        if (e == ERR_OK) {
            e = code == ERR_OK ? push_eligible(w, p, id) : push_refused(w, p, id, code);
        }
    }
    free(seen.slots);
    if (e != ERR_OK) {
        return e;
    }
    struct enrol_participation part = {p->roster_size, p->eligible_staff,
                                       p->already_enrolled + (int64_t)p->neligible, unequal};
    p->participation = enrol_check_participation(&w->pv->plan, &part);
    return ERR_OK;
}

/* Individual and gift: each named member on its own. */
static enum err preview_members(struct store_conn *c, struct work *w, struct enrol_preview *p)
{
    const struct enrol_request *req = w->req;
    struct idset seen;
    enum err e = idset_init(&seen, req->nmembers);
    for (size_t i = 0; i < req->nmembers && e == ERR_OK; i++) {
        int64_t id = req->member_ids[i];
        struct store_enrol_member m;
        enum err code = ERR_OK;
        if (!idset_add(&seen, id)) {
            code = ERR_DUPLICATE_MEMBER;
        } else if ((e = store_enrol_member_get(c, id, &m)) == ERR_NOT_FOUND) {
            code = ERR_UNKNOWN_MEMBER;
            e = ERR_OK;
        } else if (e == ERR_OK) {
            struct roster_entry re = {.id = id, .birth_date = m.birth_date, .gender = m.gender,
                                      .hardship = m.hardship,
                                      .in_scope = enrol_in_scope(w->actor->org_path, m.org_path)};
            memcpy(re.employment, m.employment, sizeof(re.employment));
            int64_t shares;
            e = check_entry(c, w, p, &re, &shares, &code);
            if (e == ERR_OK && code == ERR_OK && w->org_id == 0) {
                w->org_id = m.org_id; /* the batch belongs to its first member's union */
                struct store_enrol_org org;
                if ((e = store_enrol_org_get(c, m.org_id, &org)) == ERR_OK) {
                    snprintf(w->payer_name[COSTSHARE_UNION], sizeof(w->payer_name[0]), "%s",
                             org.name);
                }
            }
        }
        if (e == ERR_OK) {
            e = code == ERR_OK ? push_eligible(w, p, id) : push_refused(w, p, id, code);
        }
    }
    free(seen.slots);
    snprintf(w->payer_name[COSTSHARE_WORKER], sizeof(w->payer_name[0]), "%s",
             req->nmembers == 1 ? "the member" : "the members");
    snprintf(w->payer_name[COSTSHARE_GIFT], sizeof(w->payer_name[0]), "%s", req->donor);
    return e;
}

static enum err preview_run(struct store_conn *c, struct work *w, struct enrol_preview *p,
                            char *err_field, size_t err_cap)
{
    memset(p, 0, sizeof(*p));
    set_field(err_field, err_cap, "");
    enum err e = check_request(c, w, p, err_field, err_cap);
    if (e != ERR_OK) {
        return e;
    }
    e = w->req->kind == ENROL_GROUP ? preview_group(c, w, p, err_field, err_cap)
                                    : preview_members(c, w, p);
    if (e != ERR_OK) {
        return e;
    }
    if (w->req->kind == ENROL_GROUP && w->req->donor[0] == '\0') {
        snprintf(w->payer_name[COSTSHARE_GIFT], sizeof(w->payer_name[0]), "%s",
                 w->payer_name[COSTSHARE_UNION]);
    }
    return costshare_scale(&p->enrolment, (int64_t)p->neligible, &p->total);
}

static void work_release(struct work *w)
{
    free(w->pv);
    free(w->roster.v);
    memset(&w->roster, 0, sizeof(w->roster));
}

static enum err work_init(struct work *w, const struct enrol_actor *actor,
                          const struct enrol_request *req)
{
    memset(w, 0, sizeof(*w));
    w->actor = actor;
    w->req = req;
    w->pv = malloc(sizeof(*w->pv));
    return w->pv ? ERR_OK : ERR_NOMEM;
}

enum err enrol_preview(struct store_conn *c, const struct enrol_actor *actor,
                       const struct enrol_request *req, struct enrol_preview *out,
                       char *err_field, size_t err_cap)
{
    struct work w;
    memset(out, 0, sizeof(*out));
    enum err e = work_init(&w, actor, req);
    if (e == ERR_OK) {
        e = preview_run(c, &w, out, err_field, err_cap);
    }
    work_release(&w);
    return e;
}

/* ------------------------------------------------------------------ commit */

/* Renewal links: member id -> the enrolment it renews, sorted by member. */
struct renewal_link {
    int64_t member_id;
    int64_t enrolment_id;
};

static int link_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct renewal_link *)a)->member_id;
    int64_t y = ((const struct renewal_link *)b)->member_id;
    return x < y ? -1 : x > y;
}

struct commit_opts {
    int64_t renewal_of_batch;
    const struct renewal_link *links; /* sorted; NULL when not a renewal */
    size_t nlinks;
};

static enum err write_batch(struct store_conn *c, struct work *w, struct enrol_preview *p,
                            const struct commit_opts *o)
{
    const struct enrol_request *req = w->req;
    json_t *fj = costshare_spec_to_json(&w->funding);
    char *funding = fj ? json_dumps(fj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(fj);
    if (funding == NULL) {
        return ERR_NOMEM;
    }
    struct store_enrol_batch b = {
        .kind = enrol_kind_str(req->kind),
        .plan_id = p->plan_id,
        .employer_id = req->employer_id,
        .org_id = w->org_id,
        .term_start = p->term_start,
        .term_end = p->term_end,
        .due_date = req->due_date,
        .shares = p->shares,
        .price_fen = costshare_total(&p->enrolment),
        .funding = funding,
        .donor = req->donor,
        .member_count = (int64_t)p->neligible,
        .renewal_of = o->renewal_of_batch,
        .created_by = w->actor->user_id,
    };
    for (int i = 0; i < COSTSHARE__COUNT; i++) {
        b.part_fen[i] = p->enrolment.fen[i];
    }
    enum err e = store_enrol_batch_insert(c, &b);
    free(funding);
    if (e != ERR_OK) {
        return e;
    }
    p->batch_id = b.id;
    struct store_enrolment_new n = {
        .batch_id = b.id,
        .plan_id = p->plan_id,
        .plan_code = w->pv->plan.code,
        .term_start = p->term_start,
        .term_end = p->term_end,
        .shares = p->shares,
    };
    for (size_t i = 0; i < p->neligible && e == ERR_OK; i++) {
        n.seq = (int64_t)i + 1;
        n.member_id = p->eligible[i];
        n.renewal_of = 0;
        if (o->links != NULL) {
            struct renewal_link key = {n.member_id, 0};
            const struct renewal_link *l =
                bsearch(&key, o->links, o->nlinks, sizeof(key), link_cmp);
            n.renewal_of = l ? l->enrolment_id : 0;
        }
        e = store_enrolment_insert(c, &n);
    }
    for (int i = 0; i < COSTSHARE__COUNT && e == ERR_OK; i++) {
        if (p->total.fen[i] > 0) {
            int64_t id;
            e = store_invoice_insert(c, b.id, costshare_payer_str((enum costshare_payer)i),
                                     w->payer_name[i], p->total.fen[i], req->due_date, &id);
        }
    }
    if (e == ERR_OK && b.price_fen == 0) { /* nothing to pay: cover from the term's start */
        int64_t count;
        e = store_enrolment_activate(c, b.id, b.member_count, p->term_start, &count);
    }
    return e;
}

static enum err commit_run(struct store_conn *c, struct work *w, struct enrol_preview *p,
                           const struct commit_opts *o, char *err_field, size_t err_cap)
{
    enrol_preview_release(p);
    free(w->roster.v);
    memset(&w->roster, 0, sizeof(w->roster));
    w->cap_eligible = w->cap_refused = 0;
    w->org_id = 0;
    /* lock before checking: a concurrent enrolment of the same member waits
     * here, then retries and sees this one (store_enrol_lock_members) */
    const struct enrol_request *req = w->req;
    enum err e = req->kind == ENROL_GROUP
                     ? store_enrol_lock_members(c, req->employer_id, NULL, 0)
                     : store_enrol_lock_members(c, 0, req->member_ids, req->nmembers);
    if (e == ERR_OK) {
        e = preview_run(c, w, p, err_field, err_cap);
    }
    if (e != ERR_OK) {
        return e;
    }
    if (p->participation != ERR_OK) {
        set_field(err_field, err_cap, "member_ids");
        return p->participation;
    }
    if (p->neligible == 0) {
        if (w->req->kind != ENROL_GROUP && w->req->nmembers == 1 && p->nrefused == 1) {
            set_field(err_field, err_cap, "member_ids[0]");
            return p->refused[0].code; /* one member: its own refusal */
        }
        set_field(err_field, err_cap, "member_ids");
        return ERR_NO_ELIGIBLE_MEMBERS;
    }
    if ((e = write_batch(c, w, p, o)) != ERR_OK) {
        return e;
    }
    char n1[24], n2[24], n3[24], n4[24], n5[24];
    const char *pairs[] = {
        "kind", enrol_kind_str(req->kind),
        "plan", w->pv->plan.code,
        "plan_version", num(n1, p->plan_version),
        "members", num(n2, (int64_t)p->neligible),
        "shares", num(n3, p->shares),
        "price_fen", num(n4, costshare_total(&p->enrolment)),
        "renewal_of", num(n5, o->renewal_of_batch),
    };
    return enrol_audit(c, w->actor, o->renewal_of_batch ? "enrol.renew" : "enrol.commit",
                       "enrol_batch", p->batch_id, pairs, 7);
}

struct commit_ctx {
    struct work *w;
    struct enrol_preview *p;
    const struct commit_opts *o;
    char *err_field;
    size_t err_cap;
};

static enum err commit_tx(struct store_conn *c, void *arg)
{
    struct commit_ctx *x = arg;
    enum err e = audit_lock_chain(c);
    if (e != ERR_OK) {
        return e;
    }
    return commit_run(c, x->w, x->p, x->o, x->err_field, x->err_cap);
}

static enum err commit_common(struct store_conn *c, const struct enrol_actor *actor,
                              const struct enrol_request *req, struct enrol_preview *out,
                              const struct commit_opts *o, bool own_tx, char *err_field,
                              size_t err_cap)
{
    struct work w;
    memset(out, 0, sizeof(*out));
    enum err e = work_init(&w, actor, req);
    if (e == ERR_OK) {
        struct commit_ctx x = {&w, out, o, err_field, err_cap};
        e = own_tx ? store_with_tx(c, commit_tx, &x) : commit_run(c, &w, out, o, err_field,
                                                                  err_cap);
    }
    work_release(&w);
    if (e != ERR_OK) {
        out->batch_id = 0;
    }
    return e;
}

enum err enrol_commit(struct store_conn *c, const struct enrol_actor *actor,
                      const struct enrol_request *req, struct enrol_preview *out,
                      char *err_field, size_t err_cap)
{
    struct commit_opts o = {0, NULL, 0};
    return commit_common(c, actor, req, out, &o, true, err_field, err_cap);
}

enum err enrol_commit_in_tx(struct store_conn *c, const struct enrol_actor *actor,
                            const struct enrol_request *req, struct enrol_preview *out,
                            char *err_field, size_t err_cap)
{
    struct commit_opts o = {0, NULL, 0};
    return commit_common(c, actor, req, out, &o, false, err_field, err_cap);
}

/* ----------------------------------------------------------------- renewal */

struct links {
    struct renewal_link *v;
    size_t n, cap;
};

static enum err link_add(void *arg, const struct store_enrolment_row *r)
{
    struct links *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct renewal_link *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            return ERR_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].member_id = r->member_id;
    l->v[l->n].enrolment_id = r->id;
    l->n++;
    return ERR_OK;
}

struct renew_ctx {
    const struct enrol_actor *actor;
    int64_t batch_id;
    const struct date *due_date; /* NULL: the new term's start */
    struct enrol_preview *out;
    char *err_field;
    size_t err_cap;
};

static enum err renew_tx(struct store_conn *c, void *arg)
{
    struct renew_ctx *x = arg;
    struct store_enrol_batch_row old;
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_enrol_batch_get(c, x->batch_id, &old);
    }
    if (e != ERR_OK || !enrol_in_scope(x->actor->org_path, old.org_path)) {
        set_field(x->err_field, x->err_cap, "batch_id");
        return e ? e : ERR_OUT_OF_SCOPE;
    }
    struct enrol_request req;
    memset(&req, 0, sizeof(req));
    json_error_t jerr;
    json_t *fj = json_loads(old.funding, 0, &jerr);
    e = fj ? costshare_spec_from_json(fj, &req.funding, NULL, 0) : ERR_DB;
    json_decref(fj);
    if (e != ERR_OK || !enrol_kind_parse(old.kind, &req.kind)) {
        return ERR_DB; /* a stored batch always reads back */
    }
    struct links l = {0};
    if ((e = store_enrolment_each_batch(c, x->batch_id, true, link_add, &l)) != ERR_OK) {
        free(l.v);
        return e;
    }
    if (l.n == 0) {
        free(l.v);
        set_field(x->err_field, x->err_cap, "batch_id");
        return ERR_NOT_RENEWABLE;
    }
    int64_t *ids = malloc(l.n * sizeof(*ids));
    if (ids == NULL) {
        free(l.v);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < l.n; i++) {
        ids[i] = l.v[i].member_id;
    }
    qsort(l.v, l.n, sizeof(*l.v), link_cmp);
    snprintf(req.plan_code, sizeof(req.plan_code), "%s", old.plan_code);
    req.plan_version = 0; /* the latest published version of the code */
    req.employer_id = old.b.employer_id;
    req.member_ids = ids;
    req.nmembers = l.n;
    req.term_start = date_add_days(old.b.term_end, 1); /* continuous: no gap at all */
    req.due_date = x->due_date ? *x->due_date : req.term_start;
    req.shares = old.b.shares;
    snprintf(req.donor, sizeof(req.donor), "%s", old.donor);
    struct commit_opts o = {x->batch_id, l.v, l.n};
    if (req.kind == ENROL_INDIVIDUAL && req.nmembers != 1) {
        e = ERR_DB;
    } else {
        e = commit_common(c, x->actor, &req, x->out, &o, false, x->err_field, x->err_cap);
    }
    free(ids);
    free(l.v);
    return e;
}

enum err enrol_renew(struct store_conn *c, const struct enrol_actor *actor, int64_t batch_id,
                     const struct date *due_date, struct enrol_preview *out, char *err_field,
                     size_t err_cap)
{
    memset(out, 0, sizeof(*out));
    set_field(err_field, err_cap, "");
    struct renew_ctx x = {actor, batch_id, due_date, out, err_field, err_cap};
    return store_with_tx(c, renew_tx, &x);
}

/* -------------------------------------------------------- views, cancel */

static void view_of(const struct store_enrolment_row *r, struct enrol_view *v)
{
    memset(v, 0, sizeof(*v));
    v->id = r->id;
    v->batch_id = r->batch_id;
    v->member_id = r->member_id;
    v->plan_id = r->plan_id;
    snprintf(v->plan_code, sizeof(v->plan_code), "%s", r->plan_code);
    v->term_start = r->term_start;
    v->term_end = r->term_end;
    v->shares = r->shares;
    snprintf(v->status, sizeof(v->status), "%s", r->status);
    v->has_cover_start = r->has_cover_start;
    v->cover_start = r->cover_start;
    v->has_cancelled_on = r->has_cancelled_on;
    v->cancelled_on = r->cancelled_on;
    v->refund_fen = r->refund_fen;
    v->renewal_of = r->renewal_of;
}

enum err enrol_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                   struct enrol_view *out)
{
    struct store_enrolment_row r;
    enum err e = store_enrolment_get(c, id, &r);
    if (e != ERR_OK) {
        return e;
    }
    if (!enrol_in_scope(actor->org_path, r.org_path)) {
        return ERR_OUT_OF_SCOPE;
    }
    view_of(&r, out);
    return ERR_OK;
}

struct expiring_ctx {
    enum err (*fn)(void *ctx, const struct enrol_view *v);
    void *ctx;
};

static enum err expiring_row(void *arg, const struct store_enrolment_row *r)
{
    struct expiring_ctx *x = arg;
    struct enrol_view v;
    view_of(r, &v);
    return x->fn(x->ctx, &v);
}

enum err enrol_expiring(struct store_conn *c, const struct enrol_actor *actor, struct date as_of,
                        int32_t days, enum err (*fn)(void *ctx, const struct enrol_view *v),
                        void *ctx)
{
    if (days < 0 || days > PLAN_DAYS_MAX) {
        return ERR_RANGE;
    }
    struct expiring_ctx x = {fn, ctx};
    return store_enrol_expiring_each(c, as_of, date_add_days(as_of, days), actor->org_path,
                                     ENROL_EXPIRING_MAX, expiring_row, &x);
}

struct cancel_ctx {
    const struct enrol_actor *actor;
    int64_t id;
    struct date effective;
    struct enrol_cancel_result *out;
    char *err_field;
    size_t err_cap;
};

static enum err cancel_tx(struct store_conn *c, void *arg)
{
    struct cancel_ctx *x = arg;
    struct store_enrolment_row r;
    memset(x->out, 0, sizeof(*x->out));
    enum err e = audit_lock_chain(c);
    if (e == ERR_OK) {
        e = store_enrolment_get(c, x->id, &r);
    }
    if (e != ERR_OK || !enrol_in_scope(x->actor->org_path, r.org_path)) {
        set_field(x->err_field, x->err_cap, "enrolment_id");
        return e ? e : ERR_OUT_OF_SCOPE;
    }
    if (strcmp(r.status, "active") != 0 && strcmp(r.status, "pending") != 0) {
        set_field(x->err_field, x->err_cap, "enrolment_id");
        return ERR_ALREADY_CANCELLED;
    }
    struct plan_version *pv = malloc(sizeof(*pv));
    if (pv == NULL) {
        return ERR_NOMEM;
    }
    e = plans_get_in_tx(c, r.plan_id, NULL, 0, pv);
    int32_t months = 0;
    int64_t refund = 0;
    if (e == ERR_OK) {
        e = enrol_refund(&pv->plan, r.term_start, r.term_end, x->effective, r.worker_fen, &months,
                         &refund);
        if (e == ERR_INVALID_DATE) {
            set_field(x->err_field, x->err_cap, "effective");
        }
    }
    if (e == ERR_OK && strcmp(r.status, "active") != 0) {
        refund = 0; /* never paid in full: nothing of the worker's to give back */
    }
    if (e == ERR_OK) {
        e = store_enrolment_cancel(c, r.id, x->effective, refund);
    }
    if (e == ERR_OK && refund > 0) {
        e = invoice_post_refund(c, x->actor, pv->plan.code, refund, x->effective, r.id,
                                &x->out->journal_entry_id, &x->out->pending_id);
        if (e == ERR_LIMIT_EXCEEDED) {
            set_field(x->err_field, x->err_cap, "effective"); /* earned already */
        }
    }
    if (e == ERR_OK) {
        char d[DATE_TEXT_LEN + 1], n1[24], n2[24], n3[24], n4[24];
        date_format(x->effective, d);
        const char *pairs[] = {
            "effective", d,
            "refund_fen", num(n1, refund),
            "unexpired_months", num(n2, months),
            "journal_entry_id", num(n3, x->out->journal_entry_id),
            "pending_id", num(n4, x->out->pending_id),
        };
        e = enrol_audit(c, x->actor, "enrolment.cancel", "enrolment", r.id, pairs, 5);
    }
    free(pv);
    x->out->refund_fen = refund;
    x->out->unexpired_months = months;
    return e;
}

enum err enrol_cancel(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                      struct date effective, struct enrol_cancel_result *out, char *err_field,
                      size_t err_cap)
{
    set_field(err_field, err_cap, "");
    struct cancel_ctx x = {actor, id, effective, out, err_field, err_cap};
    return store_with_tx(c, cancel_tx, &x);
}

/* ---------------------------------------------------------------- listings */

static bool status_is_known(const char *s)
{
    static const char *const names[] = {"pending", "active", "lapsed", "cancelled"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

struct list_rows_ctx {
    enum err (*fn)(void *ctx, const struct enrol_list_view *v);
    void *ctx;
};

static enum err list_row(void *arg, const struct store_enrolment_list_row *r)
{
    struct list_rows_ctx *x = arg;
    struct enrol_list_view v;
    view_of(&r->r, &v.en);
    snprintf(v.member_name, sizeof(v.member_name), "%s", r->member_name);
    snprintf(v.member_id_mask, sizeof(v.member_id_mask), "%s", r->member_id_mask);
    v.employer_id = r->employer_id;
    snprintf(v.employer_name, sizeof(v.employer_name), "%s", r->employer_name);
    return x->fn(x->ctx, &v);
}

enum err enrol_list(struct store_conn *c, const struct enrol_actor *actor,
                    const struct enrol_filter *f,
                    enum err (*fn)(void *ctx, const struct enrol_list_view *v), void *ctx)
{
    if (f->limit < 1 || f->limit > ENROL_LIST_MAX ||
        (f->expiring && (f->days < 0 || f->days > PLAN_DAYS_MAX))) {
        return ERR_RANGE;
    }
    if (f->status != NULL && !status_is_known(f->status)) {
        return ERR_INVALID;
    }
    struct store_enrolment_filter sf = {
        .path_prefix = actor->org_path,
        .member_id = f->member_id,
        .employer_id = f->employer_id,
        .plan_code = f->plan_code,
        .status = f->status,
        .expiring = f->expiring,
        .from = f->as_of,
        .to = date_add_days(f->as_of, f->expiring ? f->days : 0),
        .after_id = f->after_id,
        .limit = f->limit,
    };
    struct list_rows_ctx x = {fn, ctx};
    return store_enrolment_list(c, &sf, list_row, &x);
}

struct batch_rows_ctx {
    enum err (*fn)(void *ctx, const struct enrol_view *v);
    void *ctx;
    size_t left;
};

static enum err batch_row(void *arg, const struct store_enrolment_row *r)
{
    struct batch_rows_ctx *x = arg;
    if (x->left == 0) {
        return ERR_EOF; /* enough: stop the scan */
    }
    x->left--;
    struct enrol_view v;
    view_of(r, &v);
    return x->fn(x->ctx, &v);
}

enum err enrol_each_batch(struct store_conn *c, const struct enrol_actor *actor, int64_t batch_id,
                          size_t limit, enum err (*fn)(void *ctx, const struct enrol_view *v),
                          void *ctx)
{
    struct store_enrol_batch_row b;
    enum err e = store_enrol_batch_get(c, batch_id, &b);
    if (e != ERR_OK) {
        return e;
    }
    if (!enrol_in_scope(actor->org_path, b.org_path)) {
        return ERR_OUT_OF_SCOPE;
    }
    struct batch_rows_ctx x = {fn, ctx, limit};
    e = store_enrolment_each_batch(c, batch_id, false, batch_row, &x);
    return e == ERR_EOF ? ERR_OK : e;
}

struct rows {
    struct store_enrolment_row *v;
    size_t n;
};

static enum err rows_add(void *arg, const struct store_enrolment_row *r)
{
    struct rows *x = arg;
    if (x->n == ENROL_LIST_MAX) {
        return ERR_EOF;
    }
    x->v[x->n++] = *r;
    return ERR_OK;
}

/* The last day of cover r gave, or false when it gave none (pending, lapsed,
 * or cancelled from its first day). */
static bool cover_end_of(const struct store_enrolment_row *r, struct date *end)
{
    if (strcmp(r->status, "active") == 0) {
        *end = r->term_end;
        return true;
    }
    if (strcmp(r->status, "cancelled") == 0 && r->has_cancelled_on &&
        r->cancelled_on.day > r->term_start.day) {
        *end = date_add_days(r->cancelled_on, -1);
        return true;
    }
    return false;
}

static bool is_continuous(const struct rows *all, const struct store_enrolment_row *r,
                          int32_t grace_days)
{
    for (size_t i = 0; i < all->n; i++) {
        const struct store_enrolment_row *o = &all->v[i];
        struct date end;
        if (o->id != r->id && strcmp(o->plan_code, r->plan_code) == 0 && cover_end_of(o, &end) &&
            end.day < r->term_start.day && r->term_start.day - end.day - 1 <= grace_days) {
            return true;
        }
    }
    return false;
}

enum err enrol_member_cover(struct store_conn *c, int64_t member_id,
                            enum err (*fn)(void *ctx, const struct enrol_cover *cv), void *ctx)
{
    struct rows all = {malloc(ENROL_LIST_MAX * sizeof(*all.v)), 0};
    struct plan_version *pv = malloc(sizeof(*pv));
    struct enrol_cover *cv = malloc(sizeof(*cv));
    enum err e = all.v && pv && cv ? ERR_OK : ERR_NOMEM;
    if (e == ERR_OK) {
        e = store_enrolment_each_member(c, member_id, rows_add, &all);
        e = e == ERR_EOF ? ERR_OK : e;
    }
    pv->id = 0;
    for (size_t i = 0; i < all.n && e == ERR_OK; i++) {
        const struct store_enrolment_row *r = &all.v[i];
        if (pv->id != r->plan_id && (e = plans_get_in_tx(c, r->plan_id, NULL, 0, pv)) != ERR_OK) {
            break;
        }
        const struct plan *plan = &pv->plan;
        memset(cv, 0, sizeof(*cv));
        view_of(r, &cv->v);
        snprintf(cv->plan_name, sizeof(cv->plan_name), "%s", plan->name);
        cv->kind = plan->kind;
        cv->continuous = is_continuous(&all, r, plan->renewal_grace_days);
        cv->has_waiting =
            plan->kind != PLAN_KIND_ACCIDENT && !cv->continuous && plan->waiting_days > 0;
        cv->waiting_ends = date_add_days(r->term_start, cv->has_waiting ? plan->waiting_days : 0);
        e = fn(ctx, cv);
    }
    free(all.v);
    free(pv);
    free(cv);
    return e;
}

void enrol_mask_name(const char *name, size_t len, char out[ENROL_MASKED_NAME_MAX])
{
    size_t first = 0;
    if (len > 0) {
        unsigned char b = (unsigned char)name[0];
        first = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        first = first > len ? len : first;
    }
    memcpy(out, name, first);
    size_t rest = utf8_is_valid(name + first, len - first) ? utf8_count(name + first, len - first)
                                                            : len - first;
    if (rest > LIMIT_NAME_CHARS) {
        rest = LIMIT_NAME_CHARS;
    }
    memset(out + first, '*', rest);
    out[first + rest] = '\0';
}

enum err enrol_member_masked_name(struct store_conn *c, const struct enrol_actor *actor,
                                  int64_t member_id, char out[ENROL_MASKED_NAME_MAX])
{
    struct store_enrol_member m;
    char name[STORE_PAYER_NAME_BYTES + 1];
    out[0] = '\0';
    enum err e = store_enrol_member_get(c, member_id, &m);
    if (e == ERR_OK && !enrol_in_scope(actor->org_path, m.org_path)) {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_OK) {
        e = store_enrol_member_name(c, member_id, name, sizeof(name));
    }
    if (e == ERR_OK) {
        enrol_mask_name(name, strlen(name), out);
    }
    return e;
}

enum err enrol_batch_get(struct store_conn *c, const struct enrol_actor *actor, int64_t id,
                         struct enrol_batch_view *out)
{
    struct store_enrol_batch_row b;
    enum err e = store_enrol_batch_get(c, id, &b);
    if (e != ERR_OK) {
        return e;
    }
    if (!enrol_in_scope(actor->org_path, b.org_path)) {
        return ERR_OUT_OF_SCOPE;
    }
    memset(out, 0, sizeof(*out));
    out->id = b.b.id;
    if (!enrol_kind_parse(b.kind, &out->kind)) {
        return ERR_DB; /* the database's CHECK allows only the three */
    }
    snprintf(out->plan_code, sizeof(out->plan_code), "%s", b.plan_code);
    out->employer_id = b.b.employer_id;
    out->term_start = b.b.term_start;
    out->term_end = b.b.term_end;
    out->due_date = b.b.due_date;
    out->shares = b.b.shares;
    out->member_count = b.b.member_count;
    out->renewal_of = b.b.renewal_of;
    return ERR_OK;
}
