# t_reports: the supervision reports and the plan what-if through the real
# server. Each figure is checked against the same figure computed here
# from the facts with SQL (never from the reports' rollups), and the
# claims report's paid total against the ledger's benefit expense (5101)
# for the same period and subtree: the reconciliation. Role rules are in
# the matrix (t_authz); here: scope, range, formats, errors.

rpt_year=$(TZ=Asia/Shanghai date +%Y)
rpt_from="$rpt_year-01-01"
rpt_to=$(TZ=Asia/Shanghai date +%F)
rpt_month_end=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-01) +1 month -1 day" +%F)
zj01_path=$(db_query "SELECT path FROM org WHERE code = 'ZJ-01'")
in_zj01="org_id IN (SELECT id FROM org WHERE path LIKE '$zj01_path%')"

login supervisor.a
login auditor.a
login admin.a
login finance.a
login reports.root
login claims_officer.a
login claims_approver.a

# --- a claim of our own: approved and paid, so the figures are not all zero --
if [[ -n ${CLAIMS_M2:-} ]]; then
    rpt_day() { TZ=Asia/Shanghai date -d "$1 days" +%F; }
    body=$(jq -nc --argjson m "$CLAIMS_M2" --arg a "$(rpt_day -30)" --arg d "$(rpt_day -26)" \
        '{member_id: $m, plans: ["ZY"], hospital: "报表测试医院",
          event: {cause: "illness", admission_date: $a, discharge_date: $d,
          settlement: {total_fen: 400000, fund_paid_fen: 100000, serious_illness_paid_fen: 0,
            assistance_paid_fen: 0, other_paid_fen: 0, self_pay_in_scope_fen: 300000,
            self_pay_out_scope_fen: 0}}}')
    call_as claims_officer.a POST /api/v1/claims -H 'Content-Type: application/json' \
        --data-binary "$body"
    rpt_claim=$(jq -r '.id // empty' "$TMP/body")
    check "a claim of our own is created ($STATUS)" test "$STATUS" = 201
    for kind in invoice settlement_statement discharge_summary; do
        call_as claims_officer.a POST "/api/v1/claims/$rpt_claim/documents/waive" \
            -H 'Content-Type: application/json' --data-binary "{\"kind\": \"$kind\", \"reason\": \"报表测试\"}"
    done
    expect_as claims_officer.a POST "/api/v1/claims/$rpt_claim/submit" 200
    expect_as claims_officer.a POST "/api/v1/claims/$rpt_claim/assess" 200
    if [[ $(jq -r '.authority.needs_approver' "$TMP/body") == true ]]; then
        expect_as claims_approver.a POST "/api/v1/claims/$rpt_claim/approve" 200
    else
        expect_as claims_officer.a POST "/api/v1/claims/$rpt_claim/approve" 200
    fi
    check "our claim is paid from the command line" \
        "$HUZHU" claims pay --db "$DB" "$rpt_claim"
fi

# --- coverage ---------------------------------------------------------------
expect_as supervisor.a GET /api/v1/reports/coverage 200
expect_header 'X-Huzhu-Read-Source' 'primary'
expect_json '.report' 'coverage'
expect_json '.org.code' 'ZJ-01'
expect_json '.from' "$rpt_from"
expect_json '.to' "$rpt_to"
expect_json ".total.registered" "$(db_query "SELECT count(*) FROM member WHERE $in_zj01")"
want=$(db_query "SELECT count(DISTINCT e.member_id) FROM enrolment e JOIN member m ON m.id = e.member_id
    WHERE m.$in_zj01 AND e.cover_start IS NOT NULL AND e.status IN ('active', 'cancelled')
    AND (e.cancelled_on IS NULL OR e.cancelled_on > e.cover_start)
    AND e.cover_start <= '$rpt_to' AND e.term_end >= '$rpt_from'
    AND COALESCE(e.cancelled_on, '9999-12-31') > '$rpt_from'")
expect_json '.total.enrolled' "$want"
check "coverage: regions add up to the total" \
    test "$(jq '[.by_region[].registered] | add' "$TMP/body")" = "$(jq '.total.registered' "$TMP/body")"
check "coverage: employment forms add up to the total" \
    test "$(jq '[.by_employment[].enrolled] | add' "$TMP/body")" = "$(jq '.total.enrolled' "$TMP/body")"
expect_json '[.callouts[].group] | join(",")' 'gig_workers,sme_staff'
expect_json ".callouts[0].registered" \
    "$(db_query "SELECT count(*) FROM member WHERE $in_zj01 AND employment <> 'standard'")"
expect_json '.total.participation_bp | type' 'number'

# a narrower scope inside; a sibling's and nonsense are refused
zj0101=$(db_query "SELECT id FROM org WHERE code = 'ZJ-01-01'")
zj02=$(db_query "SELECT id FROM org WHERE code = 'ZJ-02'")
expect_as supervisor.a GET "/api/v1/reports/coverage?org_id=$zj0101" 200
expect_json '.org.code' 'ZJ-01-01'
expect_as supervisor.a GET "/api/v1/reports/coverage?org_id=$zj02" 404
expect_json '.error.field' 'org_id'
expect_as supervisor.a GET '/api/v1/reports/coverage?org_id=999999' 404
expect_as supervisor.a GET '/api/v1/reports/coverage?org_id=abc' 400
expect_as supervisor.a GET '/api/v1/reports/coverage?region=1' 400
expect_as supervisor.a GET '/api/v1/reports/coverage?from=2026-02-30' 400
expect_json '.error.code' 'INVALID_DATE'
expect_json '.error.field' 'from'
expect_as supervisor.a GET '/api/v1/reports/coverage?from=2026-03-02&to=2026-03-01' 400
expect_json '.error.field' 'to'
expect_as supervisor.a GET '/api/v1/reports/coverage?from=2016-01-01&to=2025-12-31' 200
expect_as supervisor.a GET '/api/v1/reports/coverage?from=2015-12-31&to=2025-12-31' 400
expect_json '.error.field' 'from'
expect_as supervisor.a GET '/api/v1/reports/coverage?from=2026-03-01&to=2026-03-01' 200 # one day

# exports: CSV with a BOM, XLSX, as attachments
expect_as auditor.a GET '/api/v1/reports/coverage?format=csv' 200
expect_header 'Content-Type' 'text/csv; charset=utf-8'
check "coverage CSV is an attachment named for the report" \
    grep -q 'attachment; filename="coverage-ZJ-01-' <(header 'Content-Disposition')
expect_header 'Cache-Control' 'no-store'
check "coverage CSV starts with a UTF-8 BOM" \
    test "$(head -c 3 "$TMP/body" | od -An -tx1 | tr -d ' ')" = efbbbf
check "coverage CSV holds the by_region block" grep -q '^by_region' "$TMP/body"
csv_total=$(sed -n '/^total/{n;n;p}' "$TMP/body" | tr -d '\r')
call_as auditor.a GET /api/v1/reports/coverage
json_total=$(jq -r '"\(.total.registered),\(.total.enrolled),\(.total.not_covered),\(.total.participation_bp // "")"' "$TMP/body")
check "coverage CSV total ($csv_total) matches JSON ($json_total)" test "$csv_total" = "$json_total"
expect_as auditor.a GET '/api/v1/reports/coverage?format=xlsx' 200
expect_header 'Content-Type' 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
check "coverage XLSX is a zip container" test "$(head -c 2 "$TMP/body")" = PK
expect_as auditor.a GET '/api/v1/reports/coverage?format=pdf' 400
expect_json '.error.field' 'format'
expect_as auditor.a GET '/api/v1/reports/coverage?format=json' 200

# --- contributions ------------------------------------------------------------
expect_as finance.a GET /api/v1/reports/contributions 200
batches="SELECT id FROM enrol_batch WHERE $in_zj01"
expect_json '.total.billed_fen' "$(db_query "SELECT COALESCE(sum(amount_fen), 0) FROM invoice
    WHERE batch_id IN ($batches) AND due_date BETWEEN '$rpt_from' AND '$rpt_to'")"
expect_json '.total.received_fen' "$(db_query "SELECT COALESCE(sum(r.amount_fen), 0) FROM receipt r
    JOIN invoice i ON i.id = r.invoice_id WHERE i.batch_id IN ($batches)
    AND r.paid_on BETWEEN '$rpt_from' AND '$rpt_to'")"
expect_json '[.by_payer[].payer] | join(",")' 'employer,union,worker,gift'
check "contributions: payers add up to the total" \
    test "$(jq '[.by_payer[].billed_fen] | add' "$TMP/body")" = "$(jq '.total.billed_fen' "$TMP/body")"
expect_as finance.a GET '/api/v1/reports/contributions?format=xlsx' 200

# --- claims and the reconciliation --------------------------------------------
# ledger side, from the lines: 5101 debits minus credits of claim entries
# (and their reversals) dated in the range, for claims of the subtree / all
ledger_5101() { # FROM TO [CLAIM_FILTER]
    local claims="SELECT 'claim:' || id FROM claim${3:+ WHERE $3}"
    db_query "SELECT COALESCE(sum(CASE WHEN l.side = 'D' THEN l.amount_fen ELSE -l.amount_fen END), 0)
        FROM ledger_line l JOIN ledger_account a ON a.id = l.account_id
        JOIN ledger_entry e ON e.id = l.entry_id LEFT JOIN ledger_entry o ON o.id = e.reversal_of
        WHERE a.code = '5101' AND e.entry_date BETWEEN '$1' AND '$2'
        AND (e.source_id IN ($claims) OR o.source_id IN ($claims))"
}
expect_as auditor.a GET /api/v1/reports/claims 200
expect_json '.from' "$rpt_from"
expect_json '.to' "$rpt_month_end" # whole months
want_paid=$(ledger_5101 "$rpt_from" "$rpt_month_end" "$in_zj01")
expect_json '.total.ledger_benefits_fen' "$want_paid"
expect_json '.total.paid_fen' "$want_paid"
expect_json '.total.reconciled' 'true'
expect_json '.total.claims' "$(db_query "SELECT count(*) FROM claim WHERE $in_zj01
    AND submitted_on BETWEEN '$rpt_from' AND '$rpt_month_end'")"
expect_json '.total.rejected' "$(db_query "SELECT count(*) FROM claim WHERE $in_zj01
    AND submitted_on BETWEEN '$rpt_from' AND '$rpt_month_end' AND status = 'rejected'")"
check "claims: months add up to the paid total" \
    test "$(jq '[.by_month[].paid_fen] | add' "$TMP/body")" = "$(jq '.total.paid_fen' "$TMP/body")"
check "claims: one row per month of the range" \
    test "$(jq '.by_month | length' "$TMP/body")" = "$((10#$(date +%m)))"
check "claims: loss ratio is integer basis points or null" \
    jq -e '[.by_plan[].loss_ratio_bp | (. == null or (type == "number" and . == floor))] | all' "$TMP/body"
# the whole tree: the ledger's own per-day movements of every fund
expect_as reports.root GET /api/v1/reports/claims 200
expect_json '.org.code' 'ZJ'
want_all=$(db_query "SELECT COALESCE(sum(CASE WHEN l.side = 'D' THEN l.amount_fen ELSE -l.amount_fen END), 0)
    FROM ledger_line l JOIN ledger_account a ON a.id = l.account_id
    JOIN ledger_entry e ON e.id = l.entry_id
    WHERE a.code = '5101' AND e.entry_date BETWEEN '$rpt_from' AND '$rpt_month_end'")
expect_json '.total.ledger_benefits_fen' "$want_all"
expect_json '.total.paid_fen' "$want_all"
expect_json '.total.reconciled' 'true'
check "the province's paid total covers ZJ-01's ($want_paid <= $want_all)" test "$want_paid" -le "$want_all"
expect_as auditor.a GET '/api/v1/reports/claims?format=csv' 200
check "claims CSV holds the reconciliation" grep -q 'ledger_benefits_fen,reconciled' "$TMP/body"

# --- timeliness -----------------------------------------------------------------
from_ms=$(( $(TZ=Asia/Shanghai date -d "$rpt_from 00:00" +%s) * 1000 ))
to_ms=$(( ($(TZ=Asia/Shanghai date -d "$rpt_to 00:00" +%s) + 86400) * 1000 ))
paid="FROM claim WHERE $in_zj01 AND status IN ('paid', 'closed') AND submitted_ms IS NOT NULL
    AND paid_ms >= $from_ms AND paid_ms < $to_ms"
n_paid=$(db_query "SELECT count(*) $paid")
expect_as supervisor.a GET '/api/v1/reports/timeliness?limit=500' 200
expect_json '.params.percentile_method' 'nearest_rank'
expect_json '.total.claims' "$n_paid"
if [[ $n_paid -gt 0 ]]; then
    # nearest rank: the value at ceil(p * n / 100) of the sorted elapsed times
    db_query "SELECT paid_ms - submitted_ms $paid" | sort -n >"$TMP/elapsed"
    want_median=$(sed -n "$(((50 * n_paid + 99) / 100))p" "$TMP/elapsed")
    want_p90=$(sed -n "$(((90 * n_paid + 99) / 100))p" "$TMP/elapsed")
    expect_json '.total.median_ms' "$want_median"
    expect_json '.total.p90_ms' "$want_p90"
    expect_json '.total.median_days' "$((want_median / 86400000))"
    expect_json '.claims | length' "$n_paid"
    check "timeliness: channels add up" \
        test "$(jq '[.by_channel[].claims] | add' "$TMP/body")" = "$n_paid"
    first=$(jq '.claims[0].claim_id' "$TMP/body")
    expect_as supervisor.a GET '/api/v1/reports/timeliness?limit=1' 200
    expect_json '.claims | length' '1'
    expect_json '.claims[0].claim_id' "$first"
    expect_json '.claims_truncated' "$([[ $n_paid -gt 1 ]] && echo true || echo null)"
    expect_as supervisor.a GET "/api/v1/reports/timeliness?limit=1&after_id=$first" 200
    check "timeliness: the next page starts after $first" \
        jq -e --argjson f "$first" '(.claims | length) == 0 or .claims[0].claim_id > $f' "$TMP/body"
fi
expect_as supervisor.a GET '/api/v1/reports/timeliness?limit=0' 400
expect_as supervisor.a GET '/api/v1/reports/timeliness?limit=501' 400
expect_as supervisor.a GET '/api/v1/reports/timeliness?after_id=-1' 400

# --- fund -----------------------------------------------------------------------------
expect_as finance.a GET "/api/v1/reports/fund?from=$rpt_year-01-01&to=$rpt_year-12-31" 200
expect_json '.periods | length' "$(db_query "SELECT count(*) FROM ledger_period
    WHERE period BETWEEN '$rpt_year-01' AND '$rpt_year-12'")"
p=$(db_query "SELECT f.code || ' ' || p.period FROM ledger_period p JOIN fund f ON f.id = p.fund_id
    WHERE p.period BETWEEN '$rpt_year-01' AND '$rpt_year-12' ORDER BY f.code, p.period LIMIT 1")
if [[ -n $p ]]; then
    stored=$(db_query "SELECT report FROM ledger_period p JOIN fund f ON f.id = p.fund_id
        WHERE f.code = '${p% *}' AND p.period = '${p#* }'")
    expect_json '.periods[0].net_assets_fen' "$(jq '.balance_sheet.net_assets_fen' <<<"$stored")"
    expect_json '.periods[0].reserve_ratio_bp' \
        "$(jq 'if .reserve_ratio_bp < 0 then null else .reserve_ratio_bp end' <<<"$stored")"
fi
expect_as finance.a GET '/api/v1/reports/fund?format=csv' 200

# --- referrals --------------------------------------------------------------------------
expect_as supervisor.a GET /api/v1/reports/referrals 200
expect_json '.total.referrals' "$(db_query "SELECT count(*) FROM assistance_referral
    WHERE $in_zj01 AND year = $rpt_year")"
expect_json '.total.remaining_fen' "$(db_query "SELECT COALESCE(sum(remaining_fen), 0)
    FROM assistance_referral WHERE $in_zj01 AND year = $rpt_year")"

# --- outreach -----------------------------------------------------------------------------
expect_as supervisor.a GET '/api/v1/reports/outreach?threshold_bp=10000&limit=500' 200
expect_json '.params.threshold_bp' '10000'
check "outreach: employers ranked by staff" \
    jq -e '[.employers[].staff] as $s | $s == ($s | sort | reverse)' "$TMP/body"
check "outreach: every listed employer is below the threshold" \
    jq -e '[.employers[] | .participation_bp == null or .participation_bp < 10000] | all' "$TMP/body"
check "outreach: gig groups are gig forms" \
    jq -e '[.gig_groups[].employment != "standard"] | all' "$TMP/body"
expect_as supervisor.a GET '/api/v1/reports/outreach?threshold_bp=0' 200
check "outreach at 0 bp: only employers with nobody enrolled" \
    jq -e '[.employers[].enrolled == 0] | all' "$TMP/body"
expect_as supervisor.a GET '/api/v1/reports/outreach?threshold_bp=10001' 400
expect_json '.error.field' 'threshold_bp'
expect_as supervisor.a GET '/api/v1/reports/outreach?format=xlsx' 200

# --- what-if ---------------------------------------------------------------------------------
# the draft the what-if replays under: ZY's next version, a smaller
# deductible and ten points more per tier (loaded now, after the tests that
# count plan versions)
reports_plans=$here/../../data/plans
REPORTS_DRAFT_VERSION=$(($(db_query "SELECT max(version) FROM plan_version WHERE code = 'ZY'") + 1))
jq --argjson v "$REPORTS_DRAFT_VERSION" \
    '.version = $v | .benefit.deductible_fen = 30000 | .benefit.tiers |= map(.ratio_bp += 1000)' \
    "$reports_plans/ZY.json" >"$TMP/reports_zy_draft.json"
check "a ZY draft v$REPORTS_DRAFT_VERSION loads for the what-if" \
    "$HUZHU" plan load --db "$DB" "$TMP/reports_zy_draft.json"

whatif() { # BODY [QUERY]
    call_as admin.a POST "/api/v1/reports/whatif${2:-}" -H 'Content-Type: application/json' \
        --data-binary "$1"
}
body=$(jq -nc --argjson v "$REPORTS_DRAFT_VERSION" --arg f "$rpt_from" --arg t "$rpt_to" \
    '{plan_code: "ZY", draft_version: $v, from: $f, to: $t, target_loss_ratio_bp: 7000}')
whatif "$body"
check "what-if: 200 ($STATUS)" test "$STATUS" = 200
expect_json '.params.draft_version' "$REPORTS_DRAFT_VERSION"
expect_json '.params.accumulators' 'from_zero_at_from'
check "what-if: a smaller deductible and higher ratios never pay less" \
    jq -e '.total.whatif_fen >= .total.baseline_fen' "$TMP/body"
check "what-if: break-even price is whole fen or null" \
    jq -e '.total.break_even_price_fen == null or (.total.break_even_price_fen | . == floor)' "$TMP/body"
check "what-if: months add up" \
    jq -e '([.by_month[].whatif_fen] | add) == .total.whatif_fen' "$TMP/body"
# the break-even price from the figures shown: ceil(W * 10000 / (T * sum earned/price))
check "what-if: break-even price follows from the figures shown" jq -e '
    (.total.whatif_fen) as $w | ([.by_version[] | select(.share_price_fen > 0)] ) as $v |
    if ($v | length) == 1 and $v[0].earned_fen > 0 then
        .total.break_even_price_fen ==
            ((($w * 10000 * $v[0].share_price_fen) + (7000 * $v[0].earned_fen) - 1)
             / (7000 * $v[0].earned_fen) | floor)
    else true end' "$TMP/body"
whatif "$(jq -c '.draft_version = 1' <<<"$body")"
check "what-if on a published version: 409 ($STATUS)" test "$STATUS" = 409
expect_json '.error.field' 'draft_version'
whatif "$(jq -c '.draft_version = 999' <<<"$body")"
check "what-if on no such version: 422 ($STATUS)" test "$STATUS" = 422
whatif "$(jq -c '.target_loss_ratio_bp = 0' <<<"$body")"
check "what-if with a zero target: 400 ($STATUS)" test "$STATUS" = 400
whatif "$(jq -c '.target_loss_ratio_bp = 7000.5' <<<"$body")"
check "what-if with a real target: 400 ($STATUS)" test "$STATUS" = 400
expect_json '.error.code' 'BAD_TYPE'
whatif "$(jq -c '.extra = 1' <<<"$body")"
expect_json '.error.code' 'UNKNOWN_FIELD'
whatif "$(jq -c 'del(.from)' <<<"$body")"
expect_json '.error.code' 'MISSING_FIELD'
whatif "$(jq -c '.org_id = '"$zj02" <<<"$body")"
check "what-if in a sibling's subtree: 404 ($STATUS)" test "$STATUS" = 404
whatif "$body" '?format=csv'
check "what-if as CSV: 200 ($STATUS)" test "$STATUS" = 200
check "what-if CSV starts with a UTF-8 BOM" \
    test "$(head -c 3 "$TMP/body" | od -An -tx1 | tr -d ' ')" = efbbbf
whatif "$body" '?format=doc'
check "what-if in an unknown format: 400 ($STATUS)" test "$STATUS" = 400
