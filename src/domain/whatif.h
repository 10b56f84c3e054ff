/*
 * whatif: plan design what-if (learning from insurers' pricing practice).
 *
 * Replays the claims of a period under a DRAFT version of a plan, through
 * the same adjudication engine (domain/adjudicate.h) and with the engine's
 * inputs built from the database the way claims assessment builds them
 * (claims_event_of for the event; the member's covering enrolments with
 * their shares, terms and cancellations; every plan the claim names up to
 * the draft's code, so the reimbursement room shared with plans judged
 * before it is the same), and shows what the draft would have paid, the
 * loss ratio it would have had and the price per share that would break
 * even at a target loss ratio -- before the draft is published.
 *
 * Which claims: those of the subtree SUBMITTED in the whole months of
 * [from, to] with a stored result under the plan code (they were judged).
 * A claim a person rejected for a reason that is not the engine's (say
 * DOCUMENTS_INSUFFICIENT) stays rejected: it is counted as excluded, not
 * replayed. Claims are replayed per member in submission order; every
 * member's accumulators (per term, critical-illness awards, per accident)
 * and the used-invoice sets start EMPTY at `from` and grow with the
 * replayed approvals. Two passes run side by side on the same claims: the
 * baseline under the versions the members hold, and the what-if with every
 * enrolment in the plan code holding the draft instead (same shares and
 * start; the draft's term length). Compare what-if with baseline: both
 * share the same starting assumption. actual_paid_fen is what the stored
 * results approved for those claims.
 *
 * Loss ratios: payouts / contributions earned in the same months and
 * subtree under the plan code (the ledger's earning rule, see
 * reports_claims), in basis points rounded down; NULL with nothing earned.
 *
 * Break-even price: earned contributions scale with the price per share,
 * so the contributions earned are exposure x price, the exposure of each
 * version v being earned_v / price_v shares-terms. The price p per share at
 * which the what-if payouts W make the target loss ratio T (bp):
 *     p = ceil(W * 10000 / (T * sum_v earned_v / price_v))
 * computed exactly in integers (128-bit, over the least common multiple of
 * the prices), in fen rounded up; NULL when nothing was earned.
 */
#ifndef HUZHU_DOMAIN_WHATIF_H
#define HUZHU_DOMAIN_WHATIF_H

#include <stdint.h>

#include "core/err.h"
#include "domain/claims.h"
#include "domain/plan.h"
#include "domain/reports.h"
#include "store/store.h"

#define WHATIF_CODES_MAX 32     /* plan codes met in one replay */
#define WHATIF_VERSIONS_MAX 64  /* plan versions cached in one replay */
#define WHATIF_TARGET_BP_MAX 100000 /* a target loss ratio above 1000 % is a typo */

struct whatif_input {
    char plan_code[PLAN_CODE_MAX];
    int64_t draft_version;
    int64_t target_loss_ratio_bp; /* 1..WHATIF_TARGET_BP_MAX */
};

/*
 * Runs the replay for q's scope and range (q->limit: rows of the list of
 * claims whose payout changes, largest change first). ctx->fc unseals
 * critical-illness disease codes. Errors, with err_field:
 *   ERR_INVALID "target_loss_ratio_bp" out of range; "plan_code" malformed;
 *   ERR_INVALID_PLAN "draft_version" when the code has no such version;
 *   ERR_CONFLICT "draft_version" when that version is not a draft;
 *   and those of reports_scope_of.
 * *out: tables params, total, by_month, by_version, changes.
 */
enum err whatif_run(struct store_conn *c, const struct claims_ctx *ctx,
                    const struct reports_query *q, const struct whatif_input *in,
                    struct rpt_doc **out, char *err_field) WARN_UNUSED;

#endif
