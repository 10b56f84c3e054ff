/*
 * assistance: the referral list (assistance.h). Figures are recomputed from
 * the claims on every payment, so they are exact whatever the order of
 * payments and failures.
 */
#include "domain/assistance.h"

#include <string.h>

enum err assistance_check_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                int64_t member_id, int year, bool *listed)
{
    *listed = false;
    struct store_claim_member m;
    enum err e = store_claim_member_get(c, member_id, &m);
    if (e != ERR_OK) {
        return e;
    }
    int64_t oop = 0, aid = 0;
    if ((e = store_assist_year_sums(c, member_id, year, &oop, &aid)) != ERR_OK) {
        return e;
    }
    int64_t remaining = oop > aid ? oop - aid : 0;
    const char *reason = NULL;
    if (remaining >= ctx->cfg->referral_threshold_fen) {
        reason = "threshold";
    } else if (m.hardship && remaining >= ctx->cfg->referral_hardship_fen) {
        reason = "hardship";
    }
    if (reason == NULL) {
        return ERR_OK; /* a listed member stays listed; the figures stay too */
    }
    struct store_assist_row r = {
        .member_id = member_id,
        .year = year,
        .org_id = m.org_id,
        .oop_fen = oop,
        .aid_paid_fen = aid,
        .remaining_fen = remaining,
        .hardship = m.hardship,
        .reason = reason,
        .updated_ms = ctx->now_ms,
    };
    *listed = true;
    return store_assist_put(c, &r);
}

enum err assistance_list(struct store_conn *c, const struct auth_user *actor, int year,
                         enum err (*fn)(void *ctx, const struct store_assist_row *r), void *fn_ctx)
{
    if (actor->role == AUTH_ROLE_MEMBER) {
        return ERR_FORBIDDEN;
    }
    const char *path = actor->org_path;
    if (actor->id != 0 && !auth_org_in_scope(actor, actor->org_path)) {
        return ERR_FORBIDDEN;
    }
    return store_assist_each(c, year, path, fn, fn_ctx);
}
