# t_enrol: plans, enrolment, invoices and receipts through the real server
# (route_enrol.c). Sourced by tests/api/run after t_authz (the matrix has
# walked these routes with bodies that change nothing); the plans and the
# province clerk unit_staff.zj come from tests/api/fixtures/enrol.sh.
# Covers plan loading with field paths, publish/close, every eligibility
# code, the participation rules, an uneven cost split, partial payments and
# activation, idempotent receipts, lapse, renewal with continuity, the
# worker's own cover, cancellation with the refund posted to the ledger
# (`huzhu ledger verify`), audit events, subtree scope and two simultaneous
# enrolments of one member.

for who in admin.a unit_staff.a unit_staff.b unit_staff.zj finance.a member.a auditor.a; do
    login "$who"
done

# jpost WHO PATH JSON: a JSON POST as WHO.
jpost() {
    call_as "$1" POST "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
# jpost_expect WHO PATH JSON STATUS
jpost_expect() {
    jpost "$1" "$2" "$3"
    if [[ $STATUS == "$4" ]]; then
        pass "$LAST -> $4"
    else
        fail "$LAST: status $STATUS, expected $4; body: $(head -c 300 "$TMP/body")"
    fi
}
# refusal WHO PATH JSON STATUS CODE [FIELD]
refusal() {
    jpost "$1" "$2" "$3"
    expect_error "${@:4}"
}
# ind MEMBER PLAN START [extra jq assignments]: an individual enrolment body.
ind() {
    jq -nc --argjson m "$1" --arg p "$2" --arg s "$3" \
        "{kind: \"individual\", member_id: \$m, plan_code: \$p, term_start: \$s}${4:-}"
}
# refused_code MEMBER: the code the last preview gave MEMBER.
refused_code() {
    jq -r --argjson m "$1" '.refused[] | select(.member_id == $m) | .code' "$TMP/body" | head -1
}

A_MEMBER=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.a'")
# a ZJ-01 unit of exactly two standard staff, all under 60 in 2030, not member.a's
E2=$(db_query "SELECT m.employer_id FROM member m JOIN org o ON o.id = m.org_id
    WHERE o.code LIKE 'ZJ-01-%' AND m.employer_id IS NOT NULL
      AND m.employer_id <> (SELECT COALESCE(employer_id, 0) FROM member WHERE id = $A_MEMBER)
    GROUP BY m.employer_id
    HAVING COUNT(*) = 2 AND MIN(m.birth_date) > '1970-06-01'
       AND MIN(m.employment) = 'standard' AND MAX(m.employment) = 'standard'
       AND (SELECT COUNT(*) FROM member x WHERE x.employer_id = m.employer_id) = 2
    ORDER BY m.employer_id LIMIT 1")
E2M1=$(db_query "SELECT MIN(id) FROM member WHERE employer_id = $E2")
E2M2=$(db_query "SELECT MAX(id) FROM member WHERE employer_id = $E2")
OTHER=$(db_query "SELECT MIN(m.id) FROM member m JOIN org o ON o.id = m.org_id
    WHERE o.code LIKE 'ZJ-01-%' AND m.id <> $A_MEMBER AND COALESCE(m.employer_id, 0) <> $E2
      AND m.birth_date > '1970-06-01'")
read -r OLD OLD_YEAR < <(db_query "SELECT m.id || ' ' || substr(m.birth_date, 1, 4) FROM member m
    JOIN org o ON o.id = m.org_id WHERE o.code LIKE 'ZJ-01-%' ORDER BY m.birth_date, m.id LIMIT 1")
FOREIGN_MEMBER=$(db_query "SELECT MIN(m.id) FROM member m JOIN org o ON o.id = m.org_id
    WHERE o.code LIKE 'ZJ-02-%'")
FOREIGN_EMPLOYER=$(db_query "SELECT MIN(e.id) FROM employer e JOIN org o ON o.id = e.org_id
    WHERE o.code LIKE 'ZJ-02-%'")
GIG=$(db_query "SELECT MIN(id) FROM member WHERE employment <> 'standard'")
HARDSHIP_STD=$(db_query "SELECT MIN(id) FROM member WHERE hardship = 1 AND employment = 'standard'")
check "the demo data has what these tests need (E2=$E2 OTHER=$OTHER OLD=$OLD GIG=$GIG)" \
    test -n "$E2" -a -n "$E2M1" -a "$E2M1" != "$E2M2" -a -n "$OTHER" -a -n "$OLD" -a -n "$GIG" \
    -a -n "$FOREIGN_MEMBER" -a -n "$FOREIGN_EMPLOYER"

# --- plans -------------------------------------------------------------------

expect_as member.a GET /api/v1/plans 200
expect_json '[.plans[] | select(.state != "published")] | length' 0
expect_json '[.plans[] | select(.code == "ZY")] | length' 1
expect_as admin.a GET /api/v1/plans 200
expect_json '[.plans[] | select(.code == "ZY")] | length' \
    "$(db_query "SELECT COUNT(*) FROM plan_version WHERE code = 'ZY'")"
expect_as member.a GET /api/v1/plans/ZY/versions/1 200
expect_json '.document.participation.min_ratio_bp' 5000
expect_json '.state' published
expect_as member.a GET /api/v1/plans/ZY/versions/2 404
expect_as auditor.a GET /api/v1/plans/ZY/versions/2 200
expect_json '.state' draft
expect_as admin.a GET /api/v1/plans/ZY/versions/99 404
expect_as admin.a GET /api/v1/plans/ZY/versions/x 404

yw=$(jq -c . "$here/../../data/plans/YW.json")
# TE admits couriers only; TM men only; TP has its own participation rules
te=$(jq -c '.code = "TE" | .eligibility.employment = ["courier"]' <<<"$yw")
tm=$(jq -c '.code = "TM" | .eligibility.genders = ["M"]' <<<"$yw")
tp=$(jq -c '.code = "TP" | .participation = {min_ratio_bp: 6000, equal_shares: true}
            | .refund = "unexpired_months"' <<<"$yw")
refusal admin.a /api/v1/plans "$(jq -c '.max_shares = 0' <<<"$te")" 400 OUT_OF_RANGE max_shares
refusal admin.a /api/v1/plans "$(jq -c '.eligibility.genders = ["X"]' <<<"$te")" 422 \
    INVALID_PLAN 'eligibility.genders[0]'
zy_bad=$(jq -c '.version = 9 | .benefit.tiers[1].upto_fen = 1' "$here/../../data/plans/ZY.json")
refusal admin.a /api/v1/plans "$zy_bad" 422 INVALID_PLAN 'benefit.tiers[1].upto_fen'
refusal admin.a /api/v1/plans "$(jq -c '.colour = "red"' <<<"$te")" 400 UNKNOWN_FIELD colour
refusal unit_staff.a /api/v1/plans "$te" 403 FORBIDDEN
for doc in "$te" "$tm" "$tp"; do
    jpost_expect admin.a /api/v1/plans "$doc" 201
    expect_json '.state' draft
done
refusal admin.a /api/v1/plans "$te" 409 ALREADY_EXISTS version
refusal unit_staff.a /api/v1/enrolments "$(ind "$E2M1" TE 2030-01-01)" 422 PLAN_NOT_PUBLISHED
for code in TE TM TP; do
    expect_as admin.a POST "/api/v1/plans/$code/versions/1/publish" 200
    expect_json '.state' published
done
expect_as admin.a POST /api/v1/plans/TE/versions/1/publish 409
expect_as admin.a POST /api/v1/plans/NOPE/versions/1/publish 404
expect_as unit_staff.a POST /api/v1/plans/TE/versions/1/close 403

# --- eligibility codes ---------------------------------------------------------

refusal unit_staff.a /api/v1/enrolments "$(ind 99999999 YW 2030-01-01)" 404 UNKNOWN_MEMBER \
    'member_ids[0]'
refusal unit_staff.a /api/v1/enrolments "$(ind "$FOREIGN_MEMBER" YW 2030-01-01)" 403 OUT_OF_SCOPE
refusal unit_staff.a /api/v1/enrolments "$(ind "$OLD" YW "$((OLD_YEAR + 62))-01-01")" 422 \
    AGE_OUT_OF_RANGE
refusal unit_staff.a /api/v1/enrolments "$(ind "$E2M1" TM 2030-01-01)" 422 GENDER_NOT_ELIGIBLE
refusal unit_staff.a /api/v1/enrolments "$(ind "$E2M1" TE 2030-01-01)" 422 EMPLOYMENT_NOT_ELIGIBLE
refusal unit_staff.zj /api/v1/enrolments "$(jq -nc --argjson m "$E2M1" \
    '{kind: "gift", member_ids: [$m], plan_code: "YW", term_start: "2030-01-01", donor: "市总工会"}')" \
    422 GIFT_NOT_ELIGIBLE
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .shares = 4')" 422 TOO_MANY_SHARES shares
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .plan_version = 2')" 422 PLAN_NOT_PUBLISHED plan_version
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .plan_version = 3')" 422 PLAN_NOT_PUBLISHED plan_version
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .due_date = "2031-06-01"')" 400 INVALID_DATE due_date
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .funding = {employer: {bp: 5000}, remainder: "worker"}')" \
    422 FUNDING_INVALID funding.employer
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .funding = {union: {bp: 10001}, remainder: "worker"}')" \
    422 FUNDING_INVALID funding.union.bp
refusal unit_staff.a /api/v1/enrolments "$(ind "$E2M1" ZY 2030-01-01 '| .shares = 1.5')" 400 \
    BAD_TYPE shares
refusal unit_staff.a /api/v1/enrolments "$(ind "$E2M1" ZY 2030-02-30)" 400 INVALID_DATE term_start
refusal unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M1" ZY 2030-01-01 '| .kind = "solo"')" 400 INVALID_INPUT kind
group() { # group EMPLOYER PLAN START [jq]
    jq -nc --argjson e "$1" --arg p "$2" --arg s "$3" \
        "{kind: \"group\", employer_id: \$e, plan_code: \$p, term_start: \$s}${4:-}"
}
refusal unit_staff.a /api/v1/enrolments/preview "$(group 99999999 ZY 2030-01-01)" 400 \
    UNKNOWN_EMPLOYER employer_id
refusal unit_staff.a /api/v1/enrolments/preview "$(group "$FOREIGN_EMPLOYER" ZY 2030-01-01)" \
    403 OUT_OF_SCOPE employer_id
# a selection naming a stranger, a member twice and someone of another unit
jpost_expect unit_staff.a /api/v1/enrolments/preview "$(group "$E2" YW 2030-01-01 \
    "| .member_ids = [$E2M1, $E2M1, $OTHER, $FOREIGN_MEMBER, 99999999]")" 200
expect_json '.eligible_count' 1
expect_json '.refused_count' 4
check "preview: named twice -> DUPLICATE_MEMBER" test "$(refused_code "$E2M1")" = DUPLICATE_MEMBER
check "preview: another unit -> NOT_IN_UNIT" test "$(refused_code "$OTHER")" = NOT_IN_UNIT
check "preview: ZJ-02 member -> OUT_OF_SCOPE" test "$(refused_code "$FOREIGN_MEMBER")" = OUT_OF_SCOPE
check "preview: unknown -> UNKNOWN_MEMBER" test "$(refused_code 99999999)" = UNKNOWN_MEMBER
expect_json "[.refused[] | select(.member_id == $OTHER) | .name | test(\"^.[*]+\$\")][0]" true
expect_json "[.refused[] | select(.member_id == $FOREIGN_MEMBER) | .name][0]" null
# overlapping term: one individual cover, then the same plan again
jpost_expect unit_staff.a /api/v1/enrolments "$(ind "$OTHER" DB 2030-01-01)" 201
overlap_batch=$(jq -r '.batch_id' "$TMP/body")
refusal unit_staff.a /api/v1/enrolments "$(ind "$OTHER" DB 2030-06-01)" 422 OVERLAPPING_TERM
jpost_expect unit_staff.a /api/v1/enrolments "$(ind "$OTHER" DB 2031-01-01)" 201 # after it: fine

# --- participation rules --------------------------------------------------------

# ZY: a unit under 10 staff enrols everyone
jpost_expect unit_staff.a /api/v1/enrolments/preview \
    "$(group "$E2" ZY 2030-01-01 "| .member_ids = [$E2M1]")" 200
expect_json '.participation' MUST_ENROL_ALL
expect_json '.eligible_staff' 2
refusal unit_staff.a /api/v1/enrolments "$(group "$E2" ZY 2030-01-01 "| .member_ids = [$E2M1]")" \
    422 MUST_ENROL_ALL member_ids
# TP: at least 60 % of the eligible staff; one of two is 50 %
refusal unit_staff.a /api/v1/enrolments "$(group "$E2" TP 2030-01-01 "| .member_ids = [$E2M1]")" \
    422 PARTICIPATION_TOO_LOW member_ids
# TP: equal shares: one already holds 2 shares, the unit asks for 1
jpost_expect unit_staff.a /api/v1/enrolments "$(ind "$E2M1" TP 2030-01-01 '| .shares = 2')" 201
refusal unit_staff.a /api/v1/enrolments "$(group "$E2" TP 2030-01-01 '| .all = true')" 422 \
    UNEQUAL_SHARES member_ids
jpost_expect unit_staff.a /api/v1/enrolments "$(group "$E2" TP 2030-01-01 '| .shares = 2')" 201
expect_json '.eligible_count' 1
expect_json '.already_enrolled' 1
expect_json '.participation' OK
refusal unit_staff.a /api/v1/enrolments "$(group "$E2" TP 2030-01-01 '| .shares = 2')" 422 \
    NO_ELIGIBLE_MEMBERS member_ids

# --- group enrolment with an uneven split ---------------------------------------

thirds='{"employer": {"bp": 3333}, "union": {"bp": 3333}, "remainder": "worker"}'
jpost_expect unit_staff.a /api/v1/enrolments/preview \
    "$(group "$E2" ZY 2030-01-01 "| .funding = $thirds")" 200
# 6000 fen a share: 3333 bp is 1999.8, rounded down; the worker takes the rest
expect_json '.cost.per_share_fen | [.employer, .union, .worker, .gift] | join(",")' 1999,1999,2002,0
expect_json '.cost.total_fen | [.employer, .union, .worker] | join(",")' 3998,3998,4004
expect_json '.participation' OK
jpost_expect unit_staff.a /api/v1/enrolments \
    "$(group "$E2" ZY 2030-01-01 "| .funding = $thirds | .due_date = \"2030-01-31\"")" 201
zy_batch=$(jq -r '.batch_id' "$TMP/body")
expect_json '.enrolments | length' 2
expect_json '[.enrolments[].status] | unique | join(",")' pending
expect_json '.invoices | length' 3
expect_json '[.invoices[].amount_fen] | add' 12000
inv_emp=$(jq -r '.invoices[] | select(.payer == "employer") | .id' "$TMP/body")
inv_uni=$(jq -r '.invoices[] | select(.payer == "union") | .id' "$TMP/body")
inv_wrk=$(jq -r '.invoices[] | select(.payer == "worker") | .id' "$TMP/body")
zy_first=$(jq -r '.enrolments[0].id' "$TMP/body")
expect_as unit_staff.a GET "/api/v1/invoices?batch_id=$zy_batch" 200
expect_json '.invoices | length' 3
expect_as unit_staff.a GET "/api/v1/invoices?batch_id=$zy_batch&payer=worker" 200
expect_json '.invoices[0].amount_fen' 4004
expect_as unit_staff.a GET "/api/v1/invoices?payer=boss" 400
expect_as unit_staff.b GET "/api/v1/invoices?batch_id=$zy_batch" 200
expect_json '.invoices | length' 0

# --- receipts: partial payments, activation, idempotency --------------------------

receipt() { # receipt AMOUNT REF [DATE]
    jq -nc --argjson a "$1" --arg r "$2" --arg d "${3:-2029-12-20}" \
        '{amount_fen: $a, method: "bank_transfer", bank_reference: $r, paid_on: $d}'
}
jpost_expect finance.a "/api/v1/invoices/$inv_emp/receipts" "$(receipt 3998 "ZY-E-$E2")" 201
expect_json '.invoice.status' paid
expect_json '.activated' 0
jpost_expect finance.a "/api/v1/invoices/$inv_uni/receipts" "$(receipt 3998 "ZY-U-$E2")" 201
# the workers' part in two payments: the first pays exactly one enrolment
jpost_expect unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" \
    "$(receipt 2002 "ZY-W1-$E2" | jq -c '.method = "payroll"')" 201
expect_json '.activated' 1
expect_json '.invoice.paid_fen' 2002
expect_json '.invoice.status' open
check "the receipt posted a journal entry" test "$(jq -r '.journal_entry_id' "$TMP/body")" -gt 0
expect_as unit_staff.a GET "/api/v1/enrolments/$zy_first" 200
expect_json '.status' active
expect_json '.cover_start' 2030-01-01
# the same bank reference and amount: the first receipt, nothing new
jpost_expect unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" \
    "$(receipt 2002 "ZY-W1-$E2" | jq -c '.method = "payroll"')" 200
expect_json '.duplicate' true
expect_json '.invoice.paid_fen' 2002
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 2001 "ZY-W1-$E2")" 409 \
    CONFLICT bank_reference
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 2003 "ZY-W2-$E2")" 422 \
    ALREADY_PAID_INVOICE amount_fen
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 0 "ZY-W2-$E2")" 400 \
    OUT_OF_RANGE amount_fen
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 20.5 "ZY-W2-$E2")" 400 \
    BAD_TYPE amount_fen
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" \
    "$(receipt 1 "ZY-W2-$E2" | jq -c '.method = "cheque"')" 400 INVALID_INPUT method
refusal unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 1 " padded")" 400 \
    INVALID_INPUT bank_reference
refusal unit_staff.b "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 2002 "ZY-W2-$E2")" 404 \
    NOT_FOUND
jpost_expect unit_staff.a "/api/v1/invoices/$inv_wrk/receipts" "$(receipt 2002 "ZY-W2-$E2" \
    '2030-01-05')" 201
expect_json '.activated' 1
expect_json '.invoice.status' paid
expect_as finance.a GET "/api/v1/invoices/$inv_wrk" 200
expect_json '.receipts | length' 2
expect_json '[.receipts[].amount_fen] | add' 4004
expect_json '.receipts[1].bank_reference' "ZY-W2-$E2"
expect_as unit_staff.a GET "/api/v1/enrolments?employer_id=$E2&plan=ZY" 200
zy_unit='[.enrolments[] | select(.term_start == "2030-01-01")]'
expect_json "[$zy_unit[].status] | join(\",\")" active,active
expect_json "$zy_unit[1].cover_start" 2030-01-05

# --- lapse ---------------------------------------------------------------------

jpost_expect unit_staff.a /api/v1/enrolments \
    "$(ind "$E2M2" YW 2030-01-01 '| .due_date = "2030-01-10"')" 201
yw_enrolment=$(jq -r '.enrolments[0].id' "$TMP/body")
yw_invoice=$(jq -r '.invoices[0].id' "$TMP/body")
refusal finance.a /api/v1/invoices/lapse '{"as_of": "2030-13-01"}' 400 INVALID_DATE as_of
refusal unit_staff.a /api/v1/invoices/lapse '{"as_of": "2030-02-01"}' 403 FORBIDDEN
login finance.b
jpost_expect finance.b /api/v1/invoices/lapse '{"as_of": "2030-02-01"}' 200 # ZJ-02 only
expect_as unit_staff.a GET "/api/v1/enrolments/$yw_enrolment" 200
expect_json '.status' pending
jpost_expect finance.a /api/v1/invoices/lapse '{"as_of": "2030-02-01"}' 200
check "the sweep lapsed enrolments" test "$(jq -r '.lapsed_enrolments' "$TMP/body")" -ge 1
expect_as unit_staff.a GET "/api/v1/enrolments/$yw_enrolment" 200
expect_json '.status' lapsed
expect_as unit_staff.a GET "/api/v1/enrolments/$zy_first" 200
expect_json '.status' active # paid: untouched
refusal finance.a "/api/v1/invoices/$yw_invoice/receipts" "$(receipt 2600 "YW-LATE-$E2")" 422 \
    INVOICE_CLOSED
expect_as unit_staff.a GET "/api/v1/invoices?batch_id=$zy_batch&status=lapsed" 200
expect_json '.invoices | length' 0

# --- renewal and the worker's own cover -----------------------------------------

jpost_expect unit_staff.a /api/v1/enrolments "$(ind "$A_MEMBER" ZY 2030-01-01)" 201
a_batch=$(jq -r '.batch_id' "$TMP/body")
a_inv=$(jq -r '.invoices[0].id' "$TMP/body")
expect_json '.invoices[0].payer' worker
expect_json '.invoices[0].amount_fen' 6000
refusal unit_staff.a "/api/v1/batches/$a_batch/renew" '{}' 422 NOT_RENEWABLE # unpaid
jpost_expect finance.a "/api/v1/invoices/$a_inv/receipts" "$(receipt 6000 "ZY-A-$A_MEMBER")" 201
expect_as unit_staff.a GET "/api/v1/enrolments?expiring_within_days=31&as_of=2030-12-01&plan=ZY" 200
check "expiring: member.a's cover ends in December 2030" \
    test "$(jq --argjson m "$A_MEMBER" '[.enrolments[] | select(.member_id == $m)] | length' \
        "$TMP/body")" -eq 1
expect_as unit_staff.a GET "/api/v1/enrolments?expiring_within_days=20&as_of=2030-01-01" 200
expect_json '.enrolments | length' 0
expect_as unit_staff.a GET "/api/v1/enrolments?expiring_within_days=3661" 400
expect_as unit_staff.a GET "/api/v1/enrolments?status=sleeping" 400
jpost_expect unit_staff.a "/api/v1/batches/$a_batch/renew" '{"due_date": "2030-12-31"}' 201
expect_json '.term_start' 2031-01-01
expect_json '.eligible_count' 1
expect_json '.enrolments[0].renewal_of | type' number
refusal unit_staff.a "/api/v1/batches/$a_batch/renew" '{}' 422 NOT_RENEWABLE
refusal unit_staff.b "/api/v1/batches/$a_batch/renew" '{}' 404 NOT_FOUND
expect_as member.a GET /api/v1/me/enrolments 200
zy30='[.enrolments[] | select(.plan_code == "ZY" and .term_start >= "2030")]'
expect_json "$zy30 | length" 2
expect_json "$zy30[0].waiting_period_ends" 2030-04-01
expect_json "$zy30[0].continuous_renewal" false
expect_json "$zy30[1].waiting_period_ends" null
expect_json "$zy30[1].continuous_renewal" true
expect_json "$zy30[0].plan_name" 在职职工住院补充医疗互助保障计划
expect_json '[.enrolments[].member_id] | unique | length' 1
expect_as member.a GET "/api/v1/enrolments?member_id=$A_MEMBER" 403
# renewing the unit: both paid, the same split, the next term
jpost_expect unit_staff.a "/api/v1/batches/$zy_batch/renew" '{}' 201
expect_json '.eligible_count' 2
expect_json '.cost.per_share_fen.worker' 2002
expect_json '.invoices[0].due_date' 2031-01-01

# --- cancellation: the refund goes to the ledger ------------------------------------

refusal unit_staff.a "/api/v1/enrolments/$zy_first/cancel" '{"effective_date": "2031-02-01"}' \
    400 INVALID_DATE effective_date
refusal unit_staff.a "/api/v1/enrolments/$zy_first/cancel" '{}' 400 MISSING_FIELD effective_date
refusal unit_staff.b "/api/v1/enrolments/$zy_first/cancel" '{"effective_date": "2030-04-01"}' \
    404 NOT_FOUND
jpost_expect unit_staff.a "/api/v1/enrolments/$zy_first/cancel" '{"effective_date": "2030-04-01"}' 200
# nine whole months of the worker's 2002 fen, rounded down
expect_json '.refund_fen' 1501
expect_json '.unexpired_months' 9
expect_json '.enrolment.status' cancelled
expect_json '.enrolment.cancelled_on' 2030-04-01
check "the refund posted a journal entry" test "$(jq -r '.journal_entry_id' "$TMP/body")" -gt 0
refusal unit_staff.a "/api/v1/enrolments/$zy_first/cancel" '{"effective_date": "2030-05-01"}' \
    422 ALREADY_CANCELLED
# a pending enrolment was never paid: nothing to refund, nothing posted
pend=$(db_query "SELECT MIN(id) FROM enrolment WHERE status = 'pending' AND batch_id IN
    (SELECT id FROM enrol_batch WHERE renewal_of = $zy_batch)")
jpost_expect admin.a "/api/v1/enrolments/$pend/cancel" '{"effective_date": "2031-01-01"}' 200
expect_json '.refund_fen' 0
expect_json '.journal_entry_id' null
"$HUZHU" ledger verify --db "$DB" >"$TMP/enrol-verify.out" 2>&1
check "huzhu ledger verify after the cancellation refunds: $(head -c 200 "$TMP/enrol-verify.out")" \
    test $? -eq 0
refund_entries=$(db_query "SELECT COUNT(*) FROM ledger_entry WHERE source_type = 'refund'
    AND idem_key LIKE 'refund:enrolment:$zy_first:%'")
check "the refund is one ledger entry of the enrolment ($refund_entries)" test "$refund_entries" -eq 1

# --- gifted cover ------------------------------------------------------------------

gift=$(jq -nc --argjson m "$GIG" \
    '{kind: "gift", member_ids: [$m], plan_code: "YW", term_start: "2030-01-01", donor: "市总工会",
      funding: {employer: {bp: 5000}, remainder: "worker"}}')
refusal unit_staff.a /api/v1/enrolments "$gift" 403 OUT_OF_SCOPE 'member_ids[0]'
refusal unit_staff.zj /api/v1/enrolments "$(jq -c 'del(.donor)' <<<"$gift")" 400 INVALID_INPUT donor
jpost_expect unit_staff.zj /api/v1/enrolments "$gift" 201
expect_json '.cost.per_enrolment_fen.gift' 2600
expect_json '.invoices | length' 1
expect_json '.invoices[0].payer_name' 市总工会
if [[ -n $HARDSHIP_STD ]]; then
    jpost_expect unit_staff.zj /api/v1/enrolments/preview \
        "$(jq -c --argjson m "$HARDSHIP_STD" '.member_ids = [$m]' <<<"$gift")" 200
    expect_json '.eligible_count' 1 # hardship: eligible though a standard worker
fi

# --- two enrolments of one member at the same moment -----------------------------------

race_body=$(ind "$E2M2" JT 2030-03-01)
csrf=$(cat "$TMP/csrf.unit_staff.a")
# one curl sending all eight at once (--parallel): the server's threads take them together
race_args=()
for i in 1 2 3 4 5 6 7 8; do
    race_args+=(-o "$TMP/race.$i" "$BASE/api/v1/enrolments")
done
curl -s -Z --parallel-immediate --parallel-max 8 -w '%{http_code}\n' -b "$TMP/jar.unit_staff.a" \
    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary "$race_body" \
    "${race_args[@]}" >"$TMP/race.status"
won=$(grep -c '^201$' "$TMP/race.status")
lost=$(cat "$TMP"/race.[1-8] | jq -r '.error.code // empty' | grep -c '^OVERLAPPING_TERM$')
check "eight simultaneous enrolments of one member: one wins ($won), seven overlap ($lost)" \
    test "$won" -eq 1 -a "$lost" -eq 7
check "the member holds one JT enrolment" \
    test "$(db_query "SELECT COUNT(*) FROM enrolment WHERE member_id = $E2M2 AND plan_code = 'JT'")" \
    -eq 1

# --- scope and audit ---------------------------------------------------------------

expect_as unit_staff.b GET "/api/v1/enrolments/$zy_first" 404
expect_as unit_staff.b GET "/api/v1/invoices/$inv_wrk" 404
expect_as unit_staff.b GET "/api/v1/enrolments?employer_id=$E2" 200
expect_json '.enrolments | length' 0
expect_as auditor.a GET "/api/v1/enrolments?member_id=$E2M1&limit=1" 200
expect_json '.enrolments | length' 1
next=$(jq -r '.next_after' "$TMP/body")
expect_as auditor.a GET "/api/v1/enrolments?member_id=$E2M1&limit=1&after=$next" 200
check "keyset pages move on" test "$(jq -r '.enrolments[0].id' "$TMP/body")" -gt "$next"
for action in plan.load plan.publish enrol.commit enrol.renew invoice.receipt invoice.lapse \
    enrolment.cancel; do
    expect_as admin.a GET "/api/v1/audit/events?action=$action&limit=1" 200
    expect_json '.events | length' 1
done
expect_as admin.a GET "/api/v1/audit/events?action=invoice.receipt&limit=1" 200
check "a receipt's audit event carries no bank reference" \
    bash -c '! grep -q "ZY-W" "$1"' _ "$TMP/body"

# --- names in the enrolment list; invoices of one unit ----------------------------------

# Each listed enrolment names its member (name, masked ID number) and the unit of its
# batch: compared with the database row by row, in the list's own (id) order.
expect_as unit_staff.a GET "/api/v1/enrolments?employer_id=$E2&limit=500" 200
got=$(jq -r '.enrolments[] | "\(.id)|\(.member.name)|\(.member.id_number_masked)|\(.employer.id)|\(.employer.name)"' \
    "$TMP/body")
want=$(db_query "SELECT e.id || '|' || m.name || '|' || m.id_mask || '|' || em.id || '|' || em.name
    FROM enrolment e JOIN enrol_batch b ON b.id = e.batch_id JOIN member m ON m.id = e.member_id
    JOIN employer em ON em.id = b.employer_id WHERE b.employer_id = $E2 ORDER BY e.id")
check "the unit's enrolments name member, masked ID and unit as stored ($(wc -l <<<"$want") rows)" \
    test -n "$want" -a "$got" == "$want"
expect_json '[.enrolments[].member | keys] | unique | tojson' '[["id_number_masked","name"]]'
expect_json '[.enrolments[].member.id_number_masked | test("^[0-9]{6}\\*{8}[0-9]{3}[0-9X]$")] | all' true
check "no sealed ID number in the list" \
    bash -c '! grep -Eq "id_enc|id_hash|\"id_number\"" "$1"' _ "$TMP/body"
# an individual enrolment (the race above) has no unit: employer null, member still named
expect_as unit_staff.a GET "/api/v1/enrolments?member_id=$E2M2&plan=JT" 200
expect_json '.enrolments | length' 1
expect_json '.enrolments[0].employer' null
expect_json '.enrolments[0].member.name' "$(db_query "SELECT name FROM member WHERE id = $E2M2")"
# keyset pages are unchanged by the join: page by one through the unit's enrolments
first_en=$(head -1 <<<"$want" | cut -d'|' -f1)
expect_as unit_staff.a GET "/api/v1/enrolments?employer_id=$E2&limit=1" 200
expect_json '.enrolments[0].id' "$first_en"
expect_json '.next_after' "$first_en"
if [[ $(wc -l <<<"$want") -ge 2 ]]; then
    expect_as unit_staff.a GET "/api/v1/enrolments?employer_id=$E2&limit=1&after=$first_en" 200
    expect_json '.enrolments[0].id' "$(sed -n 2p <<<"$want" | cut -d'|' -f1)"
fi
# and the subtree scope: ZJ-02 sees none of them, names or not
expect_as unit_staff.b GET "/api/v1/enrolments?employer_id=$E2&limit=500" 200
expect_json '.enrolments | length' 0

# employer_id on GET /invoices: exactly the invoices of the unit's batches
want_inv=$(db_query "SELECT i.id FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id
    WHERE b.employer_id = $E2 ORDER BY i.id")
expect_as unit_staff.a GET "/api/v1/invoices?employer_id=$E2&limit=500" 200
check "the unit's invoices, no more no less ($(wc -l <<<"$want_inv"))" \
    test -n "$want_inv" -a "$(jq -r '.invoices[].id' "$TMP/body")" == "$want_inv"
expect_json '.next_after' null
expect_as unit_staff.a GET "/api/v1/invoices?employer_id=$E2&payer=employer&limit=500" 200
expect_json '[.invoices[].payer] | unique | tojson' '["employer"]'
expect_json '.invoices | length' \
    "$(db_query "SELECT COUNT(*) FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id
        WHERE b.employer_id = $E2 AND i.payer = 'employer'")"
# pages of one: the first, then the next after it
first_inv=$(head -1 <<<"$want_inv")
expect_as unit_staff.a GET "/api/v1/invoices?employer_id=$E2&limit=1" 200
expect_json '.invoices[0].id' "$first_inv"
expect_json '.next_after' "$first_inv"
expect_as unit_staff.a GET "/api/v1/invoices?employer_id=$E2&limit=1&after=$first_inv" 200
expect_json '.invoices[0].id' "$(sed -n 2p <<<"$want_inv")"
# a unit outside the caller's subtree answers as an unknown one (the ZJ-02 fixture's unit
# has invoices: the 404 is the scope, not an empty result)
FOREIGN_UNIT=$(db_query "SELECT employer_id FROM enrol_batch WHERE id = $ID_batch_foreign")
call_as unit_staff.b GET "/api/v1/invoices?employer_id=$E2"
expect_error 404 NOT_FOUND employer_id
call_as unit_staff.a GET "/api/v1/invoices?employer_id=$FOREIGN_UNIT"
expect_error 404 NOT_FOUND employer_id
call_as unit_staff.a GET "/api/v1/invoices?employer_id=999999999"
expect_error 404 NOT_FOUND employer_id
# the province sees the ZJ-02 unit's invoices
want_foreign=$(db_query "SELECT i.id FROM invoice i JOIN enrol_batch b ON b.id = i.batch_id
    WHERE b.employer_id = $FOREIGN_UNIT ORDER BY i.id")
expect_as unit_staff.zj GET "/api/v1/invoices?employer_id=$FOREIGN_UNIT&limit=500" 200
check "the province sees the ZJ-02 unit's invoices ($(wc -l <<<"$want_foreign"))" \
    test -n "$want_foreign" -a "$(jq -r '.invoices[].id' "$TMP/body")" == "$want_foreign"
# bad values
for bad in abc 0 -1 1.5 ''; do
    call_as unit_staff.a GET "/api/v1/invoices?employer_id=$bad"
    expect_error 400 INVALID_INPUT employer_id
done
# boundary: a unit of the subtree that never enrolled has no invoices
IDLE_EMPLOYER=$(db_query "SELECT MIN(e.id) FROM employer e JOIN org o ON o.id = e.org_id
    WHERE o.code LIKE 'ZJ-01-%' AND NOT EXISTS (SELECT 1 FROM enrol_batch b
    WHERE b.employer_id = e.id)")
check "the demo data has a ZJ-01 unit that never enrolled ($IDLE_EMPLOYER)" test -n "$IDLE_EMPLOYER"
expect_as unit_staff.a GET "/api/v1/invoices?employer_id=$IDLE_EMPLOYER" 200
expect_json '.invoices' '[]'
expect_json '.next_after' null
