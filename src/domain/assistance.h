/*
 * assistance: the hardship-assistance referral list (帮扶衔接, 因病致贫 prevention).
 *
 * After a claim is paid, the member's figures for the calendar year of the
 * claim's stay (its discharge date, else admission) are computed over the
 * member's paid and closed claims with a settlement in that year:
 *     oop        = sum of settlement out-of-pocket (in scope + out of scope)
 *     aid        = sum of mutual-aid payouts on those claims
 *     remaining  = oop - aid  (what is left after every payer)
 * The member is put on the union's list (one row per member and year,
 * figures refreshed on each later payment) when remaining >=
 * cfg.referral_threshold_fen (reason "threshold"), or when the member is
 * hardship-flagged (困难职工) and remaining >= cfg.referral_hardship_fen
 * (reason "hardship"). Once listed, a member stays listed for the year;
 * the row's figures follow later payments.
 */
#ifndef HUZHU_DOMAIN_ASSISTANCE_H
#define HUZHU_DOMAIN_ASSISTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "store/store.h"
#include "store/store_claims.h"

/* Inside the payment's transaction: checks the member for year and lists
 * or refreshes them; *listed says whether they are on the list now. */
enum err assistance_check_in_tx(struct store_conn *c, const struct claims_ctx *ctx,
                                int64_t member_id, int year, bool *listed) WARN_UNUSED;

/* The referral list of a year (0 = every year) in the actor's subtree,
 * largest remaining cost first. Staff roles only (FORBIDDEN for members). */
enum err assistance_list(struct store_conn *c, const struct auth_user *actor, int year,
                         enum err (*fn)(void *ctx, const struct store_assist_row *r),
                         void *fn_ctx) WARN_UNUSED;

#endif
