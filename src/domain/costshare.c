/*
 * costshare: the split of a share's price (rounding rule in costshare.h).
 * Integer arithmetic only; every product is checked for overflow.
 */
#include "domain/costshare.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

static const char *const payer_names[COSTSHARE__COUNT] = {
    [COSTSHARE_EMPLOYER] = "employer",
    [COSTSHARE_UNION] = "union",
    [COSTSHARE_WORKER] = "worker",
    [COSTSHARE_GIFT] = "gift",
};

/* Field paths for refusals, per payer: static strings the caller may keep. */
static const char *const fen_fields[COSTSHARE__COUNT] = {
    "funding.employer.fen", "funding.union.fen", "funding.worker.fen", "funding.gift.fen"};
static const char *const bp_fields[COSTSHARE__COUNT] = {
    "funding.employer.bp", "funding.union.bp", "funding.worker.bp", "funding.gift.bp"};

const char *costshare_payer_str(enum costshare_payer p)
{
    if ((unsigned)p >= COSTSHARE__COUNT) {
        return "unknown";
    }
    return payer_names[p];
}

bool costshare_payer_parse(const char *text, enum costshare_payer *out)
{
    for (size_t i = 0; i < COSTSHARE__COUNT; i++) {
        if (strcmp(text, payer_names[i]) == 0) {
            *out = (enum costshare_payer)i;
            return true;
        }
    }
    return false;
}

enum err costshare_split_share(const struct costshare_spec *spec, int64_t price_fen,
                               struct costshare_split *out, const char **field)
{
    *field = "funding";
    memset(out, 0, sizeof(*out));
    if (price_fen < 0 || (unsigned)spec->remainder_payer >= COSTSHARE__COUNT) {
        *field = price_fen < 0 ? "price" : "funding.remainder";
        return ERR_FUNDING_INVALID;
    }
    int64_t taken = 0;
    for (size_t i = 0; i < COSTSHARE__COUNT; i++) {
        const struct costshare_part *p = &spec->parts[i];
        int64_t part = 0;
        switch (p->mode) {
        case COSTSHARE_NONE:
            break;
        case COSTSHARE_FIXED:
            if (p->value < 0 || p->value > price_fen) {
                *field = fen_fields[i];
                return ERR_FUNDING_INVALID;
            }
            part = p->value;
            break;
        case COSTSHARE_BP:
            if (p->value < 0 || p->value > BP_ONE) {
                *field = bp_fields[i];
                return ERR_FUNDING_INVALID;
            }
            /* rounded down; the remainder payer absorbs the fractions */
            if (money_mul(price_fen, p->value, &part) != ERR_OK) {
                *field = bp_fields[i];
                return ERR_OVERFLOW;
            }
            part /= BP_ONE;
            break;
        default:
            *field = "funding";
            return ERR_FUNDING_INVALID;
        }
        out->fen[i] = part;
        taken += part; /* each part <= price <= PLAN_FEN_MAX: no overflow over 4 */
        if (taken > price_fen) {
            *field = p->mode == COSTSHARE_BP ? bp_fields[i] : fen_fields[i];
            return ERR_FUNDING_INVALID;
        }
    }
    out->fen[spec->remainder_payer] += price_fen - taken;
    *field = "";
    return ERR_OK;
}

enum err costshare_scale(const struct costshare_split *share, int64_t shares,
                         struct costshare_split *out)
{
    for (size_t i = 0; i < COSTSHARE__COUNT; i++) {
        enum err e = money_mul(share->fen[i], shares, &out->fen[i]);
        if (e != ERR_OK) {
            return e;
        }
    }
    return ERR_OK;
}

int64_t costshare_total(const struct costshare_split *s)
{
    int64_t t = 0;
    for (size_t i = 0; i < COSTSHARE__COUNT; i++) {
        t += s->fen[i];
    }
    return t;
}

void costshare_spec_single(struct costshare_spec *spec, enum costshare_payer payer)
{
    memset(spec, 0, sizeof(*spec));
    spec->remainder_payer = payer;
}

static void set_field(char *buf, size_t cap, const char *a, const char *b)
{
    if (cap > 0) {
        snprintf(buf, cap, "funding%s%s%s%s", a[0] ? "." : "", a, b[0] ? "." : "", b);
    }
}

/* One payer's object: {} or {"fen": n} or {"bp": n}. */
static enum err part_from_json(const json_t *obj, size_t i, struct costshare_part *out,
                               char *err_field, size_t err_cap)
{
    const char *name = payer_names[i];
    if (!json_is_object(obj)) {
        set_field(err_field, err_cap, name, "");
        return ERR_BAD_TYPE;
    }
    const char *key;
    json_t *val;
    out->mode = COSTSHARE_NONE;
    out->value = 0;
    json_object_foreach((json_t *)obj, key, val)
    {
        bool is_fen = strcmp(key, "fen") == 0, is_bp = strcmp(key, "bp") == 0;
        if (!is_fen && !is_bp) {
            set_field(err_field, err_cap, name, key);
            return ERR_UNKNOWN_FIELD;
        }
        if (!json_is_integer(val)) {
            set_field(err_field, err_cap, name, key);
            return ERR_BAD_TYPE;
        }
        if (out->mode != COSTSHARE_NONE) { /* both fen and bp: which one is meant? */
            set_field(err_field, err_cap, name, key);
            return ERR_FUNDING_INVALID;
        }
        json_int_t v = json_integer_value(val);
        if (v < 0 || (is_bp && v > BP_ONE) || v > 1000000000000LL) {
            set_field(err_field, err_cap, name, key);
            return ERR_FUNDING_INVALID;
        }
        out->mode = is_fen ? COSTSHARE_FIXED : COSTSHARE_BP;
        out->value = (int64_t)v;
    }
    return ERR_OK;
}

enum err costshare_spec_from_json(const json_t *obj, struct costshare_spec *out, char *err_field,
                                  size_t err_cap)
{
    memset(out, 0, sizeof(*out));
    if (err_cap > 0) {
        err_field[0] = '\0';
    }
    if (!json_is_object(obj)) {
        set_field(err_field, err_cap, "", "");
        return ERR_BAD_TYPE;
    }
    const char *key;
    json_t *val;
    bool have_rest = false;
    json_object_foreach((json_t *)obj, key, val)
    {
        enum costshare_payer p;
        if (strcmp(key, "remainder") == 0) {
            if (!json_is_string(val)) {
                set_field(err_field, err_cap, key, "");
                return ERR_BAD_TYPE;
            }
            if (!costshare_payer_parse(json_string_value(val), &out->remainder_payer)) {
                set_field(err_field, err_cap, key, "");
                return ERR_FUNDING_INVALID;
            }
            have_rest = true;
        } else if (costshare_payer_parse(key, &p)) {
            enum err e = part_from_json(val, p, &out->parts[p], err_field, err_cap);
            if (e != ERR_OK) {
                return e;
            }
        } else {
            set_field(err_field, err_cap, key, "");
            return ERR_UNKNOWN_FIELD;
        }
    }
    if (!have_rest) {
        set_field(err_field, err_cap, "remainder", "");
        return ERR_MISSING_FIELD;
    }
    return ERR_OK;
}

json_t *costshare_spec_to_json(const struct costshare_spec *spec)
{
    json_t *obj = json_object();
    bool ok = obj != NULL;
    for (size_t i = 0; ok && i < COSTSHARE__COUNT; i++) {
        const struct costshare_part *p = &spec->parts[i];
        if (p->mode == COSTSHARE_NONE && spec->remainder_payer != i) {
            continue;
        }
        json_t *part = p->mode == COSTSHARE_NONE ? json_object()
                       : json_pack("{sI}", p->mode == COSTSHARE_FIXED ? "fen" : "bp",
                                   (json_int_t)p->value);
        ok = part != NULL && json_object_set_new(obj, payer_names[i], part) == 0;
    }
    if (ok) {
        ok = json_object_set_new(obj, "remainder",
                                 json_string(costshare_payer_str(spec->remainder_payer))) == 0;
    }
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}
