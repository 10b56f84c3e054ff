/*
 * claim_feed: the no-application feed (免申即享): basic medical insurance
 * settlement records, as CSV, become claims judged under the members'
 * inpatient and daily-allowance plans without the worker applying.
 *
 * Columns (canonical name / accepted headers; * = required):
 *   settlement_id*  结算单号 结算编号 结算ID       the insurer's key (1..64 printable ASCII)
 *   id_number*      身份证号 身份证号码 证件号码
 *   hospital*       医院 医疗机构 定点医疗机构 医疗机构名称
 *   admission_date* 入院日期     discharge_date* 出院日期
 *                   (YYYY-MM-DD, also YYYY/M/D and YYYYMMDD as Excel writes them)
 *   cause           原因 致病原因: illness/疾病 (default) or accident/意外
 *   the seven amounts of the spec, each EITHER in fen (integer; columns
 *   total_fen, fund_paid_fen, serious_illness_paid_fen, assistance_paid_fen,
 *   other_paid_fen, self_pay_in_scope_fen, self_pay_out_scope_fen) OR in
 *   yuan with up to 2 decimals (columns total 医疗费总额 总费用, fund_paid
 *   统筹基金支付, serious_illness_paid 大病保险支付, assistance_paid
 *   医疗救助支付, other_paid 其他支付, self_pay_in_scope 政策范围内自付,
 *   self_pay_out_scope 全自费) — one of the two per amount is required
 *   invoices        发票号 票据号: numbers separated by ';' or '|'
 *
 * Per record: a settlement id seen before (in the database or earlier in
 * the file) is a duplicate and ignored; a person who is not a registered
 * member, or holds no inpatient or allowance enrolment covering the
 * admission date, or is a member outside the importer's organisation
 * subtree, is counted as not enrolled (not an error); a record that
 * fails validation (bad ID number, dates in the future or discharge before
 * admission, negative amounts, parts not adding up to the total, ...) is
 * rejected with one line "row,field,code,message" in the report. Every
 * other record becomes a claim of channel auto, assessed
 * (claims_auto_intake_in_tx).
 *
 * All or nothing: the whole file is one transaction; a file-level error
 * (missing column, unreadable input, database error; ERR_RETRY: run again)
 * leaves the database as it was.
 */
#ifndef HUZHU_DOMAIN_CLAIM_FEED_H
#define HUZHU_DOMAIN_CLAIM_FEED_H

#include <stdint.h>
#include <stdio.h>

#include "core/csv.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/claims.h"
#include "store/store.h"

#define CLAIM_FEED_PROGRESS_ROWS 100000

struct claim_feed_options {
    const char *source_ref;  /* file name, for the feed record */
    const char *file_sha256; /* hex digest of the file, or "" */
    FILE *report;            /* NULL: no report */
    void (*progress)(void *ctx, uint64_t rows);
    void *progress_ctx;
};

struct claim_feed_summary {
    uint64_t rows;         /* data rows read (blank rows not counted) */
    uint64_t created;      /* claims created and assessed */
    uint64_t duplicates;   /* settlement ids seen before */
    uint64_t not_enrolled; /* not a member, or no covering enrolment */
    uint64_t rejected;     /* refused rows, one report line each */
    uint64_t pairs_approved; /* claim-plan pairs the engine approved */
    uint64_t flagged;      /* claims with a risk flag */
    int64_t payout_fen;    /* assessed payouts of the created claims */
    int64_t feed_id;       /* the claim_feed row */
};

/* Imports the feed in r (header first) with ctx->today as the submission
 * date. c must not be in a transaction. *bad_column names the column of a
 * MISSING_COLUMN / INVALID header error (else NULL). */
enum err claim_feed_import(struct store_conn *c, const struct claims_ctx *ctx,
                           const struct auth_user *actor, struct csv_reader *r,
                           const struct claim_feed_options *opt, struct claim_feed_summary *out,
                           const char **bad_column) WARN_UNUSED;

/* {"rows": ..., "created": ..., ...} and a NUL into buf (256 bytes suffice). */
void claim_feed_summary_json(const struct claim_feed_summary *s, char *buf, size_t cap);

#endif
