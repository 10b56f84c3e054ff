/*
 * plan: strict parsing of plan documents and their JSON form.
 *
 * Every reader checks the JSON type, the range and the rule of its field and
 * leaves the field's path in the caller's buffer when it refuses, so an error
 * names exactly one field. Objects are checked for unknown keys first.
 */
#include "domain/plan.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

/* JSON path under construction; on error it is left pointing at the field. */
struct jpath {
    char *buf;
    size_t cap;
    size_t len;
};

static size_t jp_key(struct jpath *p, const char *key)
{
    size_t old = p->len;
    if (p->cap == 0) {
        return old;
    }
    int n = snprintf(p->buf + p->len, p->cap - p->len, "%s%s", p->len ? "." : "", key);
    if (n > 0) {
        p->len += (size_t)n < p->cap - p->len ? (size_t)n : p->cap - p->len - 1;
    }
    return old;
}

static size_t jp_index(struct jpath *p, size_t i)
{
    size_t old = p->len;
    if (p->cap == 0) {
        return old;
    }
    int n = snprintf(p->buf + p->len, p->cap - p->len, "[%zu]", i);
    if (n > 0) {
        p->len += (size_t)n < p->cap - p->len ? (size_t)n : p->cap - p->len - 1;
    }
    return old;
}

static void jp_pop(struct jpath *p, size_t old)
{
    p->len = old;
    if (p->cap > 0) {
        p->buf[old] = '\0';
    }
}

/* ERR_UNKNOWN_FIELD (path at the key) if obj has a key not in allowed (NULL-ended). */
static enum err check_keys(const json_t *obj, const char *const *allowed, struct jpath *p)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            jp_key(p, key);
            return ERR_UNKNOWN_FIELD;
        }
    }
    return ERR_OK;
}

/* The member `key` of obj; ERR_MISSING_FIELD when required and absent. The
 * path is extended by key and left so on error; on success popped. */
static enum err get_member(const json_t *obj, const char *key, bool required, json_t **out,
                           struct jpath *p)
{
    *out = json_object_get(obj, key);
    if (*out == NULL && required) {
        jp_key(p, key);
        return ERR_MISSING_FIELD;
    }
    return ERR_OK;
}

static enum err get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                        int64_t *out, bool *present, struct jpath *p)
{
    json_t *v;
    enum err e = get_member(obj, key, required, &v, p);
    if (e) {
        return e;
    }
    if (present != NULL) {
        *present = v != NULL;
    }
    if (v == NULL) {
        *out = 0;
        return ERR_OK;
    }
    size_t old = jp_key(p, key);
    if (!json_is_integer(v)) {
        return ERR_BAD_TYPE;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        return ERR_RANGE;
    }
    *out = (int64_t)x;
    jp_pop(p, old);
    return ERR_OK;
}

static enum err get_int32(const json_t *obj, const char *key, bool required, int32_t min,
                          int32_t max, int32_t *out, bool *present, struct jpath *p)
{
    int64_t v;
    enum err e = get_int(obj, key, required, min, max, &v, present, p);
    if (e == ERR_OK) {
        *out = (int32_t)v;
    }
    return e;
}

static enum err get_bool(const json_t *obj, const char *key, bool *out, struct jpath *p)
{
    json_t *v;
    enum err e = get_member(obj, key, true, &v, p);
    if (e) {
        return e;
    }
    if (!json_is_boolean(v)) {
        jp_key(p, key);
        return ERR_BAD_TYPE;
    }
    *out = json_is_true(v);
    return ERR_OK;
}

/* A non-empty string of at most cap - 1 bytes copied NUL-padded into buf. */
static enum err get_text(const json_t *obj, const char *key, char *buf, size_t cap, struct jpath *p)
{
    json_t *v;
    enum err e = get_member(obj, key, true, &v, p);
    if (e) {
        return e;
    }
    size_t old = jp_key(p, key);
    if (!json_is_string(v)) {
        return ERR_BAD_TYPE;
    }
    size_t len = json_string_length(v);
    if (len == 0 || len >= cap || memchr(json_string_value(v), '\0', len) != NULL) {
        return ERR_RANGE;
    }
    memset(buf, 0, cap);
    memcpy(buf, json_string_value(v), len);
    jp_pop(p, old);
    return ERR_OK;
}

/* An object member (required); path left at key on error. */
static enum err get_object(const json_t *obj, const char *key, json_t **out, struct jpath *p)
{
    enum err e = get_member(obj, key, true, out, p);
    if (e) {
        return e;
    }
    if (!json_is_object(*out)) {
        jp_key(p, key);
        return ERR_BAD_TYPE;
    }
    return ERR_OK;
}

/* An array member of 1..max elements (or absent when !required: *out NULL). */
static enum err get_array(const json_t *obj, const char *key, bool required, size_t max,
                          json_t **out, struct jpath *p)
{
    enum err e = get_member(obj, key, required, out, p);
    if (e || *out == NULL) {
        return e;
    }
    if (!json_is_array(*out)) {
        jp_key(p, key);
        return ERR_BAD_TYPE;
    }
    size_t n = json_array_size(*out);
    if (n == 0 || n > max) {
        jp_key(p, key);
        return ERR_RANGE;
    }
    return ERR_OK;
}

static const char *const kind_names[] = {
    [PLAN_KIND_INPATIENT] = "inpatient",
    [PLAN_KIND_DAILY_ALLOWANCE] = "daily_allowance",
    [PLAN_KIND_CRITICAL_ILLNESS] = "critical_illness",
    [PLAN_KIND_ACCIDENT] = "accident",
};

const char *plan_kind_str(enum plan_kind kind)
{
    if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0])) {
        return "unknown";
    }
    return kind_names[kind];
}

bool plan_kind_parse(const char *text, enum plan_kind *out)
{
    for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (enum plan_kind)i;
            return true;
        }
    }
    return false;
}

static enum err parse_eligibility(const json_t *doc, struct plan_eligibility *el, struct jpath *p)
{
    static const char *const keys[] = {"min_age", "max_age", "genders", "employment", NULL};
    json_t *obj, *arr;
    enum err e = get_object(doc, "eligibility", &obj, p);
    if (e) {
        return e;
    }
    size_t top = jp_key(p, "eligibility");
    if ((e = check_keys(obj, keys, p)) ||
        (e = get_int32(obj, "min_age", true, 0, 150, &el->min_age, NULL, p)) ||
        (e = get_int32(obj, "max_age", true, 0, 150, &el->max_age, NULL, p))) {
        return e;
    }
    if (el->max_age < el->min_age) {
        jp_key(p, "max_age");
        return ERR_INVALID_PLAN;
    }
    el->genders_mask = PLAN_GENDER_ALL;
    if ((e = get_array(obj, "genders", false, 2, &arr, p))) {
        return e;
    }
    el->has_genders = arr != NULL;
    if (arr != NULL) {
        el->genders_mask = 0;
        size_t old = jp_key(p, "genders");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            const char *g = json_string_value(json_array_get(arr, i));
            unsigned bit = g == NULL             ? 0
                           : strcmp(g, "M") == 0 ? PLAN_GENDER_M
                           : strcmp(g, "F") == 0 ? PLAN_GENDER_F
                                                 : 0;
            if (bit == 0 || (el->genders_mask & bit)) {
                jp_index(p, i);
                return g == NULL ? ERR_BAD_TYPE : ERR_INVALID_PLAN;
            }
            el->genders_mask |= bit;
        }
        jp_pop(p, old);
    }
    if ((e = get_array(obj, "employment", false, PLAN_EMPLOYMENT_MAX, &arr, p))) {
        return e;
    }
    el->has_employment = arr != NULL;
    el->nemployment = 0;
    if (arr != NULL) {
        size_t old = jp_key(p, "employment");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *v = json_array_get(arr, i);
            size_t at = jp_index(p, i);
            if (!json_is_string(v)) {
                return ERR_BAD_TYPE;
            }
            size_t len = json_string_length(v);
            if (len == 0 || len >= PLAN_EMPLOYMENT_TEXT_MAX) {
                return ERR_RANGE;
            }
            for (size_t k = 0; k < i; k++) {
                if (strcmp(el->employment[k], json_string_value(v)) == 0) {
                    return ERR_INVALID_PLAN;
                }
            }
            memset(el->employment[i], 0, PLAN_EMPLOYMENT_TEXT_MAX);
            memcpy(el->employment[i], json_string_value(v), len);
            el->nemployment++;
            jp_pop(p, at);
        }
        jp_pop(p, old);
    }
    jp_pop(p, top);
    return ERR_OK;
}

static enum err parse_tiers(const json_t *benefit, struct plan_inpatient *in, struct jpath *p)
{
    static const char *const keys[] = {"upto_fen", "ratio_bp", NULL};
    json_t *arr;
    enum err e = get_array(benefit, "tiers", true, PLAN_TIERS_MAX, &arr, p);
    if (e) {
        return e;
    }
    size_t top = jp_key(p, "tiers");
    in->ntiers = json_array_size(arr);
    int64_t prev = 0;
    for (size_t i = 0; i < in->ntiers; i++) {
        json_t *t = json_array_get(arr, i);
        size_t at = jp_index(p, i);
        if (!json_is_object(t)) {
            return ERR_BAD_TYPE;
        }
        if ((e = check_keys(t, keys, p)) ||
            (e = get_int(t, "ratio_bp", true, 0, BP_ONE, &in->tiers[i].ratio_bp, NULL, p))) {
            return e;
        }
        json_t *upto;
        if ((e = get_member(t, "upto_fen", true, &upto, p))) {
            return e;
        }
        if (json_is_null(upto)) {
            if (i + 1 != in->ntiers) { /* only the last band may be unbounded */
                jp_key(p, "upto_fen");
                return ERR_INVALID_PLAN;
            }
            in->tiers[i].upto_fen = PLAN_UPTO_UNBOUNDED;
        } else {
            if ((e = get_int(t, "upto_fen", true, 1, PLAN_FEN_MAX, &in->tiers[i].upto_fen, NULL,
                             p))) {
                return e;
            }
            if (in->tiers[i].upto_fen <= prev) {
                jp_key(p, "upto_fen");
                return ERR_INVALID_PLAN;
            }
            prev = in->tiers[i].upto_fen;
        }
        jp_pop(p, at);
    }
    jp_pop(p, top);
    return ERR_OK;
}

static enum err parse_inpatient(const json_t *b, struct plan_inpatient *in, struct jpath *p)
{
    static const char *const keys[] = {"deductible_fen", "tiers", "annual_cap_fen_per_share",
                                       "include_out_of_scope", NULL};
    enum err e;
    if ((e = check_keys(b, keys, p)) ||
        (e = get_int(b, "deductible_fen", true, 0, PLAN_FEN_MAX, &in->deductible_fen, NULL, p)) ||
        (e = parse_tiers(b, in, p)) ||
        (e = get_int(b, "annual_cap_fen_per_share", true, 1, PLAN_FEN_MAX,
                     &in->annual_cap_fen_per_share, NULL, p)) ||
        (e = get_bool(b, "include_out_of_scope", &in->include_out_of_scope, p))) {
        return e;
    }
    return ERR_OK;
}

static enum err parse_allowance(const json_t *b, struct plan_daily_allowance *da, struct jpath *p)
{
    static const char *const keys[] = {"per_day_fen_per_share", "deductible_days",
                                       "max_days_per_term", NULL};
    enum err e;
    if ((e = check_keys(b, keys, p)) ||
        (e = get_int(b, "per_day_fen_per_share", true, 1, PLAN_FEN_MAX, &da->per_day_fen_per_share,
                     NULL, p)) ||
        (e = get_int32(b, "deductible_days", true, 0, PLAN_DAYS_MAX, &da->deductible_days, NULL,
                       p)) ||
        (e = get_int32(b, "max_days_per_term", true, 1, PLAN_DAYS_MAX, &da->max_days_per_term, NULL,
                       p))) {
        return e;
    }
    return ERR_OK;
}

static enum err parse_diseases(const json_t *b, struct plan_critical_illness *ci, struct jpath *p)
{
    static const char *const keys[] = {"code", "name", "severity", NULL};
    json_t *arr;
    enum err e = get_array(b, "diseases", true, PLAN_DISEASES_MAX, &arr, p);
    if (e) {
        return e;
    }
    size_t top = jp_key(p, "diseases");
    ci->ndiseases = json_array_size(arr);
    for (size_t i = 0; i < ci->ndiseases; i++) {
        json_t *d = json_array_get(arr, i);
        struct plan_disease *pd = &ci->diseases[i];
        size_t at = jp_index(p, i);
        if (!json_is_object(d)) {
            return ERR_BAD_TYPE;
        }
        if ((e = check_keys(d, keys, p)) ||
            (e = get_text(d, "code", pd->code, sizeof(pd->code), p)) ||
            (e = get_text(d, "name", pd->name, sizeof(pd->name), p))) {
            return e;
        }
        for (size_t k = 0; k < i; k++) {
            if (memcmp(ci->diseases[k].code, pd->code, PLAN_DISEASE_CODE_MAX) == 0) {
                jp_key(p, "code");
                return ERR_INVALID_PLAN;
            }
        }
        json_t *sev = json_object_get(d, "severity");
        if (sev == NULL) {
            jp_key(p, "severity");
            return ERR_MISSING_FIELD;
        }
        const char *s = json_string_value(sev);
        if (s == NULL) {
            jp_key(p, "severity");
            return ERR_BAD_TYPE;
        }
        if (strcmp(s, "severe") == 0) {
            pd->severity = PLAN_SEVERITY_SEVERE;
        } else if (strcmp(s, "mild") == 0) {
            pd->severity = PLAN_SEVERITY_MILD;
        } else {
            jp_key(p, "severity");
            return ERR_INVALID_PLAN;
        }
        jp_pop(p, at);
    }
    jp_pop(p, top);
    return ERR_OK;
}

static enum err parse_critical(const json_t *b, struct plan_critical_illness *ci, struct jpath *p)
{
    static const char *const keys[] = {"sum_fen_per_share", "mild_ratio_bp",
                                       "mild_deducted_from_severe", "diseases", NULL};
    enum err e;
    if ((e = check_keys(b, keys, p)) ||
        (e = get_int(b, "sum_fen_per_share", true, 1, PLAN_FEN_MAX, &ci->sum_fen_per_share, NULL,
                     p)) ||
        (e = get_int(b, "mild_ratio_bp", true, 0, BP_ONE, &ci->mild_ratio_bp, NULL, p)) ||
        (e = get_bool(b, "mild_deducted_from_severe", &ci->mild_deducted_from_severe, p)) ||
        (e = parse_diseases(b, ci, p))) {
        return e;
    }
    return ERR_OK;
}

static enum err parse_accident(const json_t *b, struct plan_accident *ac, struct jpath *p)
{
    static const char *const keys[] = {"death_fen_per_share", "disability_bp", "medical", NULL};
    static const char *const med_keys[] = {"deductible_fen", "ratio_bp", "cap_fen_per_share", NULL};
    json_t *arr, *med;
    enum err e;
    if ((e = check_keys(b, keys, p)) ||
        (e = get_int(b, "death_fen_per_share", true, 1, PLAN_FEN_MAX, &ac->death_fen_per_share,
                     NULL, p)) ||
        (e = get_array(b, "disability_bp", true, PLAN_DISABILITY_GRADES, &arr, p))) {
        return e;
    }
    size_t top = jp_key(p, "disability_bp");
    if (json_array_size(arr) != PLAN_DISABILITY_GRADES) {
        return ERR_RANGE;
    }
    for (size_t i = 0; i < PLAN_DISABILITY_GRADES; i++) {
        json_t *v = json_array_get(arr, i);
        size_t at = jp_index(p, i);
        if (!json_is_integer(v)) {
            return ERR_BAD_TYPE;
        }
        if (json_integer_value(v) < 0 || json_integer_value(v) > BP_ONE) {
            return ERR_RANGE;
        }
        ac->disability_bp[i] = (int64_t)json_integer_value(v);
        jp_pop(p, at);
    }
    jp_pop(p, top);
    if ((e = get_object(b, "medical", &med, p))) {
        return e;
    }
    top = jp_key(p, "medical");
    if ((e = check_keys(med, med_keys, p)) ||
        (e = get_int(med, "deductible_fen", true, 0, PLAN_FEN_MAX, &ac->medical.deductible_fen,
                     NULL, p)) ||
        (e = get_int(med, "ratio_bp", true, 0, BP_ONE, &ac->medical.ratio_bp, NULL, p)) ||
        (e = get_int(med, "cap_fen_per_share", true, 1, PLAN_FEN_MAX,
                     &ac->medical.cap_fen_per_share, NULL, p))) {
        return e;
    }
    jp_pop(p, top);
    return ERR_OK;
}

static enum err parse_participation(const json_t *doc, struct plan *out, struct jpath *p)
{
    static const char *const keys[] = {"min_ratio_bp", "all_if_staff_below", "equal_shares",
                                       NULL};
    json_t *obj = json_object_get(doc, "participation");
    out->has_participation = obj != NULL;
    if (obj == NULL) {
        return ERR_OK;
    }
    if (!json_is_object(obj)) {
        jp_key(p, "participation");
        return ERR_BAD_TYPE;
    }
    size_t top = jp_key(p, "participation");
    struct plan_participation *pa = &out->participation;
    enum err e;
    if ((e = check_keys(obj, keys, p)) ||
        (e = get_int(obj, "min_ratio_bp", false, 0, BP_ONE, &pa->min_ratio_bp, NULL, p)) ||
        (e = get_int32(obj, "all_if_staff_below", false, 0, PLAN_UNIT_STAFF_MAX,
                       &pa->all_if_staff_below, NULL, p))) {
        return e;
    }
    json_t *eq = json_object_get(obj, "equal_shares");
    if (eq != NULL) {
        if (!json_is_boolean(eq)) {
            jp_key(p, "equal_shares");
            return ERR_BAD_TYPE;
        }
        pa->equal_shares = json_is_true(eq);
    }
    jp_pop(p, top);
    return ERR_OK;
}

static enum err parse_refund(const json_t *doc, struct plan *out, struct jpath *p)
{
    json_t *v = json_object_get(doc, "refund");
    out->has_refund = v != NULL;
    out->refund = PLAN_REFUND_NONE;
    if (v == NULL) {
        return ERR_OK;
    }
    if (!json_is_string(v)) {
        jp_key(p, "refund");
        return ERR_BAD_TYPE;
    }
    if (strcmp(json_string_value(v), "none") == 0) {
        out->refund = PLAN_REFUND_NONE;
    } else if (strcmp(json_string_value(v), "unexpired_months") == 0) {
        out->refund = PLAN_REFUND_UNEXPIRED_MONTHS;
    } else {
        jp_key(p, "refund");
        return ERR_INVALID_PLAN;
    }
    return ERR_OK;
}

const char *plan_refund_str(enum plan_refund r)
{
    return r == PLAN_REFUND_UNEXPIRED_MONTHS ? "unexpired_months" : "none";
}

static enum err parse_plan(const json_t *doc, struct plan *out, struct jpath *p)
{
    static const char *const keys[] = {"code",
                                       "version",
                                       "name",
                                       "kind",
                                       "share_price_fen",
                                       "max_shares",
                                       "term_months",
                                       "eligibility",
                                       "waiting_days",
                                       "reduced_days",
                                       "reduced_bp",
                                       "renewal_grace_days",
                                       "claim_deadline_days",
                                       "benefit",
                                       "participation",
                                       "refund",
                                       NULL};
    enum err e;
    if (!json_is_object(doc)) {
        return ERR_BAD_TYPE;
    }
    if ((e = check_keys(doc, keys, p)) ||
        (e = get_text(doc, "code", out->code, sizeof(out->code), p)) ||
        (e = get_int(doc, "version", true, 1, INT32_MAX, &out->version, NULL, p)) ||
        (e = get_text(doc, "name", out->name, sizeof(out->name), p))) {
        return e;
    }
    json_t *kind;
    if ((e = get_member(doc, "kind", true, &kind, p))) {
        return e;
    }
    if (!json_is_string(kind)) {
        jp_key(p, "kind");
        return ERR_BAD_TYPE;
    }
    if (!plan_kind_parse(json_string_value(kind), &out->kind)) {
        jp_key(p, "kind");
        return ERR_INVALID_PLAN;
    }
    bool has_days, has_bp;
    if ((e = get_int(doc, "share_price_fen", true, 0, PLAN_FEN_MAX, &out->share_price_fen, NULL,
                     p)) ||
        (e = get_int(doc, "max_shares", true, 1, PLAN_SHARES_MAX, &out->max_shares, NULL, p)) ||
        (e = get_int32(doc, "term_months", true, 1, PLAN_TERM_MONTHS_MAX, &out->term_months, NULL,
                       p)) ||
        (e = parse_eligibility(doc, &out->eligibility, p)) ||
        (e = get_int32(doc, "waiting_days", true, 0, PLAN_DAYS_MAX, &out->waiting_days, NULL, p)) ||
        (e = get_int32(doc, "reduced_days", false, 0, PLAN_DAYS_MAX, &out->reduced_days, &has_days,
                       p)) ||
        (e = get_int(doc, "reduced_bp", false, 0, BP_ONE, &out->reduced_bp, &has_bp, p)) ||
        (e = get_int32(doc, "renewal_grace_days", true, 0, PLAN_DAYS_MAX, &out->renewal_grace_days,
                       NULL, p)) ||
        (e = get_int32(doc, "claim_deadline_days", true, 0, PLAN_DAYS_MAX,
                       &out->claim_deadline_days, NULL, p))) {
        return e;
    }
    if (has_days != has_bp) { /* one without the other is a half-written rule */
        jp_key(p, has_days ? "reduced_bp" : "reduced_days");
        return ERR_MISSING_FIELD;
    }
    out->has_reduced = has_days;
    json_t *benefit;
    if ((e = get_object(doc, "benefit", &benefit, p))) {
        return e;
    }
    size_t top = jp_key(p, "benefit");
    switch (out->kind) {
    case PLAN_KIND_INPATIENT:
        e = parse_inpatient(benefit, &out->benefit.inpatient, p);
        break;
    case PLAN_KIND_DAILY_ALLOWANCE:
        e = parse_allowance(benefit, &out->benefit.allowance, p);
        break;
    case PLAN_KIND_CRITICAL_ILLNESS:
        e = parse_critical(benefit, &out->benefit.critical, p);
        break;
    case PLAN_KIND_ACCIDENT:
        e = parse_accident(benefit, &out->benefit.accident, p);
        break;
    }
    if (e) {
        return e;
    }
    jp_pop(p, top);
    if ((e = parse_participation(doc, out, p)) || (e = parse_refund(doc, out, p))) {
        return e;
    }
    return ERR_OK;
}

enum err plan_from_json(const json_t *doc, struct plan *out, char *err_field, size_t err_cap)
{
    struct jpath p = {err_field, err_cap, 0};
    if (err_cap > 0) {
        err_field[0] = '\0';
    }
    memset(out, 0, sizeof(*out));
    enum err e = parse_plan(doc, out, &p);
    if (e == ERR_OK && err_cap > 0) {
        err_field[0] = '\0';
    }
    return e;
}

const struct plan_disease *plan_disease_find(const struct plan *plan,
                                             const char code[PLAN_DISEASE_CODE_MAX])
{
    const struct plan_critical_illness *ci = &plan->benefit.critical;
    for (size_t i = 0; i < ci->ndiseases; i++) {
        if (memcmp(ci->diseases[i].code, code, PLAN_DISEASE_CODE_MAX) == 0) {
            return &ci->diseases[i];
        }
    }
    return NULL;
}

/* json_object_set_new that remembers a failure in *ok. */
static void put(json_t *obj, const char *key, json_t *val, bool *ok)
{
    if (val == NULL || json_object_set_new(obj, key, val) != 0) {
        *ok = false;
    }
}

static void push(json_t *arr, json_t *val, bool *ok)
{
    if (val == NULL || json_array_append_new(arr, val) != 0) {
        *ok = false;
    }
}

static json_t *benefit_to_json(const struct plan *plan, bool *ok)
{
    json_t *b = json_object();
    if (b == NULL) {
        *ok = false;
        return NULL;
    }
    switch (plan->kind) {
    case PLAN_KIND_INPATIENT: {
        const struct plan_inpatient *in = &plan->benefit.inpatient;
        json_t *tiers = json_array();
        for (size_t i = 0; tiers != NULL && i < in->ntiers; i++) {
            json_t *t = json_object();
            if (t != NULL) {
                put(t, "upto_fen",
                    in->tiers[i].upto_fen == PLAN_UPTO_UNBOUNDED
                        ? json_null()
                        : json_integer(in->tiers[i].upto_fen),
                    ok);
                put(t, "ratio_bp", json_integer(in->tiers[i].ratio_bp), ok);
            }
            push(tiers, t, ok);
        }
        put(b, "deductible_fen", json_integer(in->deductible_fen), ok);
        put(b, "tiers", tiers, ok);
        put(b, "annual_cap_fen_per_share", json_integer(in->annual_cap_fen_per_share), ok);
        put(b, "include_out_of_scope", json_boolean(in->include_out_of_scope), ok);
        break;
    }
    case PLAN_KIND_DAILY_ALLOWANCE: {
        const struct plan_daily_allowance *da = &plan->benefit.allowance;
        put(b, "per_day_fen_per_share", json_integer(da->per_day_fen_per_share), ok);
        put(b, "deductible_days", json_integer(da->deductible_days), ok);
        put(b, "max_days_per_term", json_integer(da->max_days_per_term), ok);
        break;
    }
    case PLAN_KIND_CRITICAL_ILLNESS: {
        const struct plan_critical_illness *ci = &plan->benefit.critical;
        json_t *ds = json_array();
        for (size_t i = 0; ds != NULL && i < ci->ndiseases; i++) {
            json_t *d = json_object();
            if (d != NULL) {
                put(d, "code", json_string(ci->diseases[i].code), ok);
                put(d, "name", json_string(ci->diseases[i].name), ok);
                put(d, "severity",
                    json_string(ci->diseases[i].severity == PLAN_SEVERITY_SEVERE ? "severe"
                                                                                 : "mild"),
                    ok);
            }
            push(ds, d, ok);
        }
        put(b, "sum_fen_per_share", json_integer(ci->sum_fen_per_share), ok);
        put(b, "mild_ratio_bp", json_integer(ci->mild_ratio_bp), ok);
        put(b, "mild_deducted_from_severe", json_boolean(ci->mild_deducted_from_severe), ok);
        put(b, "diseases", ds, ok);
        break;
    }
    case PLAN_KIND_ACCIDENT: {
        const struct plan_accident *ac = &plan->benefit.accident;
        json_t *grades = json_array();
        for (size_t i = 0; grades != NULL && i < PLAN_DISABILITY_GRADES; i++) {
            push(grades, json_integer(ac->disability_bp[i]), ok);
        }
        json_t *med = json_object();
        if (med != NULL) {
            put(med, "deductible_fen", json_integer(ac->medical.deductible_fen), ok);
            put(med, "ratio_bp", json_integer(ac->medical.ratio_bp), ok);
            put(med, "cap_fen_per_share", json_integer(ac->medical.cap_fen_per_share), ok);
        }
        put(b, "death_fen_per_share", json_integer(ac->death_fen_per_share), ok);
        put(b, "disability_bp", grades, ok);
        put(b, "medical", med, ok);
        break;
    }
    }
    return b;
}

json_t *plan_to_json(const struct plan *plan)
{
    bool ok = true;
    json_t *doc = json_object();
    if (doc == NULL) {
        return NULL;
    }
    put(doc, "code", json_string(plan->code), &ok);
    put(doc, "version", json_integer(plan->version), &ok);
    put(doc, "name", json_string(plan->name), &ok);
    put(doc, "kind", json_string(plan_kind_str(plan->kind)), &ok);
    put(doc, "share_price_fen", json_integer(plan->share_price_fen), &ok);
    put(doc, "max_shares", json_integer(plan->max_shares), &ok);
    put(doc, "term_months", json_integer(plan->term_months), &ok);
    json_t *el = json_object();
    if (el != NULL) {
        const struct plan_eligibility *e = &plan->eligibility;
        put(el, "min_age", json_integer(e->min_age), &ok);
        put(el, "max_age", json_integer(e->max_age), &ok);
        if (e->has_genders) {
            json_t *g = json_array();
            if (e->genders_mask & PLAN_GENDER_M) {
                push(g, json_string("M"), &ok);
            }
            if (e->genders_mask & PLAN_GENDER_F) {
                push(g, json_string("F"), &ok);
            }
            put(el, "genders", g, &ok);
        }
        if (e->has_employment) {
            json_t *em = json_array();
            for (size_t i = 0; em != NULL && i < e->nemployment; i++) {
                push(em, json_string(e->employment[i]), &ok);
            }
            put(el, "employment", em, &ok);
        }
    }
    put(doc, "eligibility", el, &ok);
    put(doc, "waiting_days", json_integer(plan->waiting_days), &ok);
    if (plan->has_reduced) {
        put(doc, "reduced_days", json_integer(plan->reduced_days), &ok);
        put(doc, "reduced_bp", json_integer(plan->reduced_bp), &ok);
    }
    put(doc, "renewal_grace_days", json_integer(plan->renewal_grace_days), &ok);
    put(doc, "claim_deadline_days", json_integer(plan->claim_deadline_days), &ok);
    put(doc, "benefit", benefit_to_json(plan, &ok), &ok);
    if (plan->has_participation) {
        const struct plan_participation *pa = &plan->participation;
        json_t *obj = json_object();
        if (obj != NULL) {
            put(obj, "min_ratio_bp", json_integer(pa->min_ratio_bp), &ok);
            put(obj, "all_if_staff_below", json_integer(pa->all_if_staff_below), &ok);
            put(obj, "equal_shares", json_boolean(pa->equal_shares), &ok);
        }
        put(doc, "participation", obj, &ok);
    }
    if (plan->has_refund) {
        put(doc, "refund", json_string(plan_refund_str(plan->refund)), &ok);
    }
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
