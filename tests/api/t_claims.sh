# t_claims: claims through the real server, every path: intake online and
# offline, settlement validation (422 with the field), documents by content
# (PNG named .pdf stored as PNG, an .exe refused, 10 MB the limit), a waived
# document, approval within the officer's limit, above it (AUTHORITY_LIMIT,
# maker-checker SECOND_USER_REQUIRED), reject and one appeal, members see
# only their own claims, the workbench filters, the no-application feed
# (duplicates ignored), payment with a returned payout and a retry (the CLI
# stand-in for payout batches), the assistance referral list; then
# `huzhu ledger verify` must pass. Workers, enrolments and the matrix claims
# come from fixtures/claims.sh.

# cj WHO METHOD PATH JSON: a request with a JSON body as WHO
cj() {
    call_as "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"
}

# expect_cj WHO METHOD PATH JSON STATUS
expect_cj() {
    cj "$1" "$2" "$3" "$4"
    if [[ $STATUS == "$5" ]]; then
        pass "$LAST -> $5"
    else
        fail "$LAST: status $STATUS, expected $5; body: $(head -c 300 "$TMP/body")"
    fi
}

# claim_body MEMBER_ID|null ADMISSION DISCHARGE IN_SCOPE_FEN OUT_SCOPE_FEN FUND_FEN [HOSPITAL]
claim_body() {
    jq -nc --argjson m "$1" --arg a "$2" --arg d "$3" --argjson i "$4" --argjson o "$5" \
        --argjson f "$6" --arg h "${7:-市一医院}" '
        {plans: ["ZY"], hospital: $h, invoices: ["INV-\($a)-\($i)"],
         event: {cause: "illness", admission_date: $a, discharge_date: $d,
                 settlement: {total_fen: ($i + $o + $f), fund_paid_fen: $f,
                              serious_illness_paid_fen: 0, assistance_paid_fen: 0,
                              other_paid_fen: 0, self_pay_in_scope_fen: $i,
                              self_pay_out_scope_fen: $o}}}
        + (if $m == null then {} else {member_id: $m} end)'
}

for r in "${ROLES[@]}"; do
    login "$r.a" >/dev/null
    login "$r.b" >/dev/null
done

D60=$(claims_day -60)
D50=$(claims_day -50)
PDF=$TMP/claims_doc.pdf
printf '%%PDF-1.4\n%% settlement statement\n' >"$PDF"

# --- intake: validation (422 with the field for settlement and dates) --------
good=$(claim_body "$CLAIMS_M1" "$D60" "$D50" 110000 4000000 500000)
bad=$(jq -c '.event.settlement.total_fen += 1' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 422 SETTLEMENT_MISMATCH event.settlement.total_fen
bad=$(jq -c '.event.settlement.fund_paid_fen = -1 | .event.settlement.total_fen -= 500001' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 422 INVALID_MONEY event.settlement.fund_paid_fen
bad=$(jq -c --arg d "$(claims_day -61)" '.event.discharge_date = $d' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 422 INVALID_DATE event.discharge_date
bad=$(jq -c --arg d "$(claims_day 3)" '.event.admission_date = $d | .event.discharge_date = $d' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 422 INVALID_DATE event.admission_date
bad=$(jq -c '.event.settlement.fund_paid_fen = 12.5' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 400 BAD_TYPE event.settlement.fund_paid_fen
bad=$(jq -c '.event.settlement |= del(.other_paid_fen)' <<<"$good")
cj unit_staff.a POST /api/v1/claims "$bad"
expect_error 400 MISSING_FIELD event.settlement.other_paid_fen
cj unit_staff.a POST /api/v1/claims "$(jq -c '.channel = "online"' <<<"$good")"
expect_error 400 UNKNOWN_FIELD channel
cj unit_staff.a POST /api/v1/claims "$(jq -c '.plans = ["NOPE"]' <<<"$good")"
expect_error 422 INVALID_PLAN 'plans[0]'
cj unit_staff.a POST /api/v1/claims "$(jq -c '.plans = ["ZY", "ZY"]' <<<"$good")"
expect_error 400 INVALID_INPUT 'plans[1]'
cj unit_staff.a POST /api/v1/claims "$(jq -c 'del(.member_id)' <<<"$good")"
expect_error 400 MISSING_FIELD member_id
foreign_member=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.b'")
cj unit_staff.a POST /api/v1/claims "$(jq -c --argjson m "$foreign_member" '.member_id = $m' <<<"$good")"
expect_error 404 UNKNOWN_MEMBER member_id
expect_cj supervisor.a POST /api/v1/claims "$good" 403
check "refused intakes created nothing" \
    test "$(db_query "SELECT count(*) FROM claim WHERE member_id = $CLAIMS_M1")" = 0

# --- offline intake by unit staff, documents by content, a waiver ------------
# make_claim WHO BODY: creates a claim, sets CLAIM
make_claim() {
    cj "$1" POST /api/v1/claims "$2"
    CLAIM=$(jq -r '.id // empty' "$TMP/body")
    if [[ $STATUS == 201 && -n $CLAIM ]]; then
        pass "$LAST -> 201 (claim $CLAIM)"
    else
        fail "$LAST: status $STATUS; body: $(head -c 300 "$TMP/body")"
    fi
}
make_claim unit_staff.a "$(jq -c '.diagnosis = "右肺结节待查"' <<<"$good")"
C1=$CLAIM
expect_json '.channel' offline
expect_json '.status' draft
expect_header Location "/api/v1/claims/$C1"
expect_json '.authority.officer_limit_fen' 500000
expect_json '.has_diagnosis' true
check "the diagnosis (sealed) is never shown" bash -c "! grep -q 右肺结节待查 '$TMP/body'"
check "the diagnosis is sealed at rest" \
    test "$(db_query "SELECT count(*) FROM claim WHERE id = $C1 AND diagnosis_enc IS NOT NULL")" = 1

up() { # up WHO CLAIM KIND FILE [NAME] [curl args]: uploads a document
    local who=$1 claim=$2 kind=$3 file=$4 name=${5:-}
    shift $(($# >= 5 ? 5 : 4))
    call_as "$who" POST "/api/v1/claims/$claim/documents?kind=$kind${name:+&file_name=$name}" \
        --data-binary @"$file" "$@"
}
up unit_staff.a "$C1" invoice "$CLAIMS_PNG" scan.pdf -H 'Content-Type: application/pdf'
check "a PNG named .pdf sent as application/pdf is stored -> 201 ($STATUS)" test "$STATUS" = 201
expect_json '.content_type' image/png
expect_json '.kind' invoice
DOC1=$(jq -r '.id' "$TMP/body")
check "sha256 of the content" test "$(jq -r '.sha256' "$TMP/body")" = "$(sha256sum "$CLAIMS_PNG" | cut -d' ' -f1)"
printf 'MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode' >"$TMP/evil.pdf"
up unit_staff.a "$C1" invoice "$TMP/evil.pdf" evil.pdf -H 'Content-Type: application/pdf'
expect_error 415 UNSUPPORTED_MEDIA_TYPE body
printf '<html><script>alert(1)</script>' >"$TMP/page.png"
up unit_staff.a "$C1" invoice "$TMP/page.png" page.png -H 'Content-Type: image/png'
expect_error 415 UNSUPPORTED_MEDIA_TYPE body
{ printf '%%PDF-1.4\n'; head -c $((10 * 1024 * 1024 - 9 + 1)) /dev/zero; } >"$TMP/big.pdf"
up unit_staff.a "$C1" settlement "$TMP/big.pdf"
expect_error 413 TOO_LARGE body
: >"$TMP/empty.pdf"
up unit_staff.a "$C1" invoice "$TMP/empty.pdf"
expect_error 400 INVALID_INPUT body
up unit_staff.a "$C1" receipt "$PDF"
expect_error 400 INVALID_INPUT kind
call_as unit_staff.a POST "/api/v1/claims/$C1/documents" --data-binary @"$PDF"
expect_error 400 MISSING_FIELD kind
up unit_staff.a "$C1" settlement "$PDF" 结算单.pdf
check "kind=settlement (the settlement statement) -> 201 ($STATUS)" test "$STATUS" = 201
expect_json '.kind' settlement_statement
expect_json '.content_type' application/pdf
up supervisor.a "$C1" invoice "$PDF"
check "a supervisor may not upload -> 403 ($STATUS)" test "$STATUS" = 403
up unit_staff.b "$C1" invoice "$PDF"
check "unit staff of another city: no such claim -> 404 ($STATUS)" test "$STATUS" = 404

expect_as unit_staff.a GET "/api/v1/claims/$C1/documents" 200
expect_json '.required | join(",")' invoice,settlement_statement,discharge_summary
expect_json '.missing | join(",")' discharge_summary
expect_json '.documents | length' 2
expect_cj unit_staff.a POST "/api/v1/claims/$C1/documents/waive" \
    '{"kind": "discharge_summary", "reason": "纸质出院小结已核验"}' 403
cj claims_officer.a POST "/api/v1/claims/$C1/documents/waive" '{"kind": "death_certificate", "reason": "x"}'
expect_error 400 INVALID_INPUT kind
cj claims_officer.a POST "/api/v1/claims/$C1/documents/waive" '{"kind": "discharge_summary"}'
expect_error 400 MISSING_FIELD reason
expect_cj claims_officer.a POST "/api/v1/claims/$C1/documents/waive" \
    '{"kind": "discharge_summary", "reason": "纸质出院小结已核验"}' 200
expect_json '.missing | length' 0
expect_json '.waivers[0].kind' discharge_summary
cj claims_officer.a POST "/api/v1/claims/$C1/documents/waive" '{"kind": "discharge_summary", "reason": "again"}'
expect_error 409 ALREADY_EXISTS kind
check "the waiver is audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'claim.document_waive' AND object_id = '$C1'")" = 1

# the download: the stored bytes, as an attachment with the sniffed type
reads_before=$(db_query "SELECT count(*) FROM audit_event WHERE action = 'claim.document_read'")
call_as unit_staff.a GET "/api/v1/claims/$C1/documents/$DOC1"
check "download -> 200 ($STATUS)" test "$STATUS" = 200
expect_header Content-Type image/png
expect_header Content-Disposition "attachment; filename=\"claim-$C1-document-$DOC1.png\""
expect_header X-Content-Type-Options nosniff
expect_header Cache-Control no-store
check "the download is the uploaded file" cmp -s "$TMP/body" "$CLAIMS_PNG"
check "the read is audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'claim.document_read'")" = $((reads_before + 1))
expect_as unit_staff.a GET "/api/v1/claims/$C1/documents/999999" 404
expect_as unit_staff.a GET "/api/v1/claims/$C1/documents/$ID_document_own" 404
expect_as claims_officer.b GET "/api/v1/claims/$C1/documents/$DOC1" 404

# --- submit, assess, approve within the officer's limit ----------------------
expect_as claims_officer.a POST "/api/v1/claims/$C1/assess" 409
expect_json '.error.code' CLAIM_STATE
expect_as unit_staff.a POST "/api/v1/claims/$C1/submit" 200
expect_json '.status' documents_complete
expect_json '.submitted_on' "$(claims_today)"
expect_as unit_staff.a POST "/api/v1/claims/$C1/submit" 409
expect_as unit_staff.a POST "/api/v1/claims/$C1/assess" 403
expect_as claims_officer.a POST "/api/v1/claims/$C1/assess" 200
expect_json '.status' assessed
# ZY, 3 shares: (1,100 - 500 deductible) yuan in scope at 50 % = 300 yuan; out of scope not covered
expect_json '.payout_fen' 30000
expect_json '.results[0].plan' ZY
expect_json '.results[0].decision' approve
check "the explanation is step by step" \
    test "$(jq '[.results[0].explanation.steps[]?.step] | length' "$TMP/body")" -gt 1
check "the explanation names the deductible" \
    grep -q '"deductible"' "$TMP/body"
flags=$(jq -r '.risk_flags | join(",")' "$TMP/body")
if [[ -n $flags ]]; then
    # the quality sample (5 % of claim ids) or another flag: an approver decides
    expect_json '.authority.needs_approver' true
    expect_as claims_officer.a POST "/api/v1/claims/$C1/approve" 403
    expect_json '.error.code' AUTHORITY_LIMIT
    expect_as claims_approver.a POST "/api/v1/claims/$C1/approve" 200
else
    expect_json '.authority.needs_approver' false
    expect_as claims_officer.a POST "/api/v1/claims/$C1/approve" 200
fi
expect_json '.status' payable
check "approval posted benefit expense against benefits payable" \
    test "$(db_query "SELECT count(*) FROM ledger_entry WHERE source_id = 'claim:$C1'")" -ge 1
expect_as claims_officer.a POST "/api/v1/claims/$C1/approve" 409
expect_as claims_officer.a POST "/api/v1/claims/$C1/close" 409

# --- above the limit: an approver who did not assess it ----------------------
make_claim claims_officer.a "$(claim_body "$CLAIMS_M2" "$(claims_day -70)" "$(claims_day -58)" 2000000 0 3000000 市二医院)"
C2=$CLAIM
up claims_officer.a "$C2" invoice "$CLAIMS_PNG" >/dev/null
up claims_officer.a "$C2" settlement "$PDF" >/dev/null
up claims_officer.a "$C2" discharge_summary "$PDF" >/dev/null
expect_as claims_officer.a POST "/api/v1/claims/$C2/submit" 200
expect_json '.status' documents_complete
expect_as claims_approver.a POST "/api/v1/claims/$C2/assess" 200
# (20,000 - 500) yuan: 10,000 at 50 % + 9,500 at 60 % = 10,700 yuan, above the 5,000 limit
expect_json '.payout_fen' 1070000
expect_json '.authority.needs_approver' true
expect_json '.authority.reasons[0]' above_officer_limit
expect_as claims_officer.a POST "/api/v1/claims/$C2/approve" 403
expect_json '.error.code' AUTHORITY_LIMIT
expect_as claims_approver.a POST "/api/v1/claims/$C2/approve" 422
expect_json '.error.code' SECOND_USER_REQUIRED
expect_as claims_approver.b POST "/api/v1/claims/$C2/approve" 404
expect_as claims_officer.a POST "/api/v1/claims/$C2/assess" 200
expect_as claims_approver.a POST "/api/v1/claims/$C2/approve" 200
expect_json '.status' payable
expect_json '.payout_fen' 1070000

# --- reject, one appeal, decided by an approver ------------------------------
make_claim unit_staff.a "$(claim_body "$CLAIMS_M3" "$(claims_day -90)" "$(claims_day -85)" 300000 0 100000 市三医院)"
C3=$CLAIM
expect_as unit_staff.a POST "/api/v1/claims/$C3/submit" 200
expect_json '.status' submitted
expect_as claims_officer.a POST "/api/v1/claims/$C3/assess" 422
expect_json '.error.code' DOCUMENTS_MISSING
cj claims_officer.a POST "/api/v1/claims/$C3/reject" '{"reason_code": "bad code", "reason_text": "x"}'
expect_error 400 INVALID_INPUT reason_code
cj claims_officer.a POST "/api/v1/claims/$C3/reject" '{"reason_code": "DOCUMENTS_INSUFFICIENT"}'
expect_error 400 MISSING_FIELD reason_text
expect_cj claims_officer.a POST "/api/v1/claims/$C3/reject" \
    '{"reason_code": "DOCUMENTS_INSUFFICIENT", "reason_text": "缺少发票与结算单"}' 200
expect_json '.status' rejected
expect_json '.reject_code' DOCUMENTS_INSUFFICIENT
cj unit_staff.a POST "/api/v1/claims/$C3/appeal" '{"reason": ""}'
expect_error 400 INVALID_INPUT reason
expect_cj unit_staff.b POST "/api/v1/claims/$C3/appeal" '{"reason": "补交材料"}' 404
expect_cj unit_staff.a POST "/api/v1/claims/$C3/appeal" '{"reason": "已补交发票和结算单"}' 200
expect_json '.status' appealed
expect_json '.appealed' true
up unit_staff.a "$C3" invoice "$CLAIMS_PNG" >/dev/null
up unit_staff.a "$C3" settlement "$PDF" >/dev/null
expect_as claims_officer.a POST "/api/v1/claims/$C3/assess" 200
expect_json '.authority.reasons | index("appeal") != null' true
expect_as claims_officer.a POST "/api/v1/claims/$C3/approve" 403
expect_json '.error.code' AUTHORITY_LIMIT
cj claims_officer.a POST "/api/v1/claims/$C3/reject" '{"reason_code": "NOT_COVERED", "reason_text": "x"}'
expect_error 403 AUTHORITY_LIMIT
expect_cj claims_approver.a POST "/api/v1/claims/$C3/reject" \
    '{"reason_code": "NOT_COVERED", "reason_text": "复核后维持拒付"}' 200
expect_json '.status' rejected
cj unit_staff.a POST "/api/v1/claims/$C3/appeal" '{"reason": "再次申诉"}'
expect_error 409 ALREADY_APPEALED
check "every transition of the appeal path is audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE object_type = 'claim' AND object_id = '$C3'
        AND action IN ('claim.create', 'claim.submit', 'claim.reject', 'claim.appeal', 'claim.assess')")" = 6

# --- a worker online: own claims only -----------------------------------------
MA=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.a'")
make_claim member.a "$(claim_body null "$(claims_day -30)" "$(claims_day -27)" 50000 0 50000 市四医院)"
CM=$CLAIM
expect_json '.channel' online
expect_json '.member_id' "$MA"
up member.a "$CM" invoice "$CLAIMS_PNG"
check "a member attaches to their own claim -> 201 ($STATUS)" test "$STATUS" = 201
{ printf '%%PDF-1.4\n'; head -c $((10 * 1024 * 1024 - 9)) /dev/zero; } >"$TMP/limit.pdf"
up member.a "$CM" other "$TMP/limit.pdf" scan.pdf
check "exactly 10 MB is accepted -> 201 ($STATUS)" test "$STATUS" = 201
expect_json '.size_bytes' 10485760
rm -f "$TMP/limit.pdf" "$TMP/big.pdf"
expect_as member.a POST "/api/v1/claims/$CM/submit" 200
cj member.a POST /api/v1/claims "$(claim_body "$foreign_member" "$D60" "$D50" 1 0 0)"
expect_error 404 UNKNOWN_MEMBER member_id
expect_as member.a GET "/api/v1/claims/$CM" 200
expect_as member.a GET "/api/v1/claims/$ID_claim_foreign" 404
expect_as member.a GET "/api/v1/claims/$C1" 404
expect_as member.b GET "/api/v1/claims/$CM" 404
expect_as member.a GET "/api/v1/claims/$ID_claim_foreign/documents/$ID_document_foreign" 404
expect_as member.a POST "/api/v1/claims/$CM/assess" 403
expect_as member.a GET /api/v1/claims 403
expect_as member.a GET /api/v1/me/claims 200
check "a member's list holds only their own claims" \
    test "$(jq --argjson m "$MA" '[.claims[] | select(.member_id != $m)] | length' "$TMP/body")" = 0
check "a member's list holds the new claim" \
    test "$(jq --argjson c "$CM" '[.claims[] | select(.id == $c)] | length' "$TMP/body")" = 1
expect_as member.a GET '/api/v1/me/claims?status=rejected' 200
expect_json '[.claims[].status] | unique | join(",")' rejected
expect_as member.a GET '/api/v1/me/claims?member_id=1' 400

# --- the workbench ------------------------------------------------------------
expect_as claims_officer.a GET '/api/v1/claims?status=payable' 200
check "queue payable holds C1 and C2" \
    test "$(jq --argjson a "$C1" --argjson b "$C2" '[.claims[].id | select(. == $a or . == $b)] | length' "$TMP/body")" = 2
expect_json '[.claims[].status] | unique | join(",")' payable
expect_as claims_officer.a GET '/api/v1/claims?channel=online' 200
expect_json '[.claims[].channel] | unique | join(",")' online
expect_as claims_officer.a GET "/api/v1/claims?member_id=$CLAIMS_M2&plan=ZY" 200
expect_json '[.claims[].id] | join(",")' "$C2"
expect_as claims_officer.a GET '/api/v1/claims?plan=JT' 200
expect_json '.claims | length' 0
expect_as claims_officer.a GET '/api/v1/claims?limit=2' 200
expect_json '.claims | length' 2
next=$(jq -r '.next_after' "$TMP/body")
first=$(jq -r '.claims[0].id' "$TMP/body")
expect_as claims_officer.a GET "/api/v1/claims?limit=2&after=$next" 200
check "the next page starts below the first" \
    test "$(jq -r '.claims[0].id' "$TMP/body")" -lt "$next"
check "pages are newest first" test "$first" -gt "$next"
expect_as claims_officer.a GET '/api/v1/claims?flag=any' 200
check "flag=any lists only flagged claims" \
    test "$(jq '[.claims[] | select(.risk_flags | length == 0)] | length' "$TMP/body")" = 0
expect_as claims_officer.a GET '/api/v1/claims?status=nonsense' 400
expect_json '.error.field' status
expect_as claims_officer.a GET '/api/v1/claims?flag=red' 400
expect_as claims_officer.a GET '/api/v1/claims?sort=id' 400
expect_as claims_officer.a GET '/api/v1/claims?limit=0' 400
expect_as claims_officer.b GET "/api/v1/claims?member_id=$CLAIMS_M1" 200
expect_json '.claims | length' 0
expect_as claims_officer.b GET "/api/v1/claims/$C1" 404
expect_as auditor.a GET "/api/v1/claims/$C2" 200
expect_json '.authority.officer_limit_fen' 500000

# --- the no-application feed (免申即享) -----------------------------------------
stranger=$(claims_idn 33010219900101975)
sid="FEED-$RANDOM$RANDOM"
{
    echo '结算单号,身份证号,医院,入院日期,出院日期,原因,医疗费总额,统筹基金支付,大病保险支付,医疗救助支付,其他支付,政策范围内自付,全自费,发票号'
    echo "$sid,$CLAIMS_ID4,市五医院,$(claims_day -45),$(claims_day -40),疾病,3000.00,1000,0,0,0,2000.00,0,F-$sid"
    echo "$sid,$CLAIMS_ID4,市五医院,$(claims_day -45),$(claims_day -40),疾病,3000.00,1000,0,0,0,2000.00,0,F-$sid"
    echo "$sid-X,$stranger,市五医院,$(claims_day -45),$(claims_day -40),疾病,100,50,0,0,0,50,0,"
    echo "$sid-Y,$CLAIMS_ID4,市五医院,$(claims_day -45),$(claims_day -40),疾病,100,50,0,0,0,40,0,"
} >"$TMP/feed.csv"
call_as unit_staff.a POST /api/v1/claims/feed -H 'Content-Type: text/csv' --data-binary @"$TMP/feed.csv"
check "unit staff may not import the feed -> 403 ($STATUS)" test "$STATUS" = 403
call_as claims_officer.a POST '/api/v1/claims/feed?name=feed.csv' -H 'Content-Type: text/csv' \
    --data-binary @"$TMP/feed.csv"
check "feed -> 200 ($STATUS: $(head -c 200 "$TMP/body"))" test "$STATUS" = 200
expect_json '[.rows, .created, .duplicates, .not_enrolled, .rejected] | join(",")' 4,1,1,1,1
expect_json '.rejected_rows[0].row' 5
expect_json '.rejected_rows[0].field' total_fen
expect_json '.rejected_rows[0].code' SETTLEMENT_MISMATCH
# (2,000 - 500) yuan at 50 %
expect_json '.payout_fen' 75000
check "the feed's claim is assessed, channel auto" \
    test "$(db_query "SELECT status || ',' || channel FROM claim WHERE settlement_id = '$sid'")" = assessed,auto
call_as claims_officer.a POST /api/v1/claims/feed --data-binary @"$TMP/feed.csv"
expect_json '[.created, .duplicates] | join(",")' 0,2
{ echo '结算单号,身份证号'; echo "x,$CLAIMS_ID4"; } >"$TMP/short.csv"
call_as claims_officer.a POST /api/v1/claims/feed --data-binary @"$TMP/short.csv"
expect_error 400 MISSING_COLUMN hospital
# an officer of another city: our worker is not theirs to claim for, nothing revealed
call_as claims_officer.b POST /api/v1/claims/feed --data-binary @"$TMP/feed.csv"
expect_json '[.created, .duplicates, .not_enrolled, .rejected] | join(",")' 0,1,2,1
check "one feed claim per settlement id" \
    test "$(db_query "SELECT count(*) FROM claim WHERE settlement_id = '$sid'")" = 1
CF=$(db_query "SELECT id FROM claim WHERE settlement_id = '$sid'")
expect_as claims_officer.a GET "/api/v1/claims?channel=auto&member_id=$CLAIMS_M4" 200
expect_json '[.claims[].id] | join(",")' "$CF"

# --- payment (the CLI stand-in for payout batches), a returned payout --------
pay() { "$HUZHU" claims "$@" --db "$DB" >"$TMP/pay.out" 2>&1; }
check "claims pay C1" pay pay "$C1"
check "paid" grep -q '"status": "paid"' "$TMP/pay.out"
expect_as finance.a GET "/api/v1/claims/$C1" 200
expect_json '.status' paid
check "claims payout-failed C1" pay payout-failed --reason "账户已销户" "$C1"
expect_as finance.a GET "/api/v1/claims/$C1" 200
expect_json '.status' payable
expect_json '.payout_attempts' 1
check "claims pay C1 again" pay pay "$C1"
check "paying a paid claim is refused" bash -c "! \"$HUZHU\" claims pay --db \"$DB\" $C1 >/dev/null 2>&1"
expect_as unit_staff.a POST "/api/v1/claims/$C1/close" 403
expect_as finance.b POST "/api/v1/claims/$C1/close" 404
expect_as finance.a POST "/api/v1/claims/$C1/close" 200
expect_json '.status' closed
expect_json '[.events[].to] | join(",")' \
    draft,submitted,documents_complete,assessed,approved,payable,paid,payable,paid,closed

# the worker sees the payout and the explanation
add_user claims.m1 member ZJ-01-01-01 "$CLAIMS_M1" >/dev/null 2>&1
login claims.m1 >/dev/null
expect_as claims.m1 GET /api/v1/me/claims 200
expect_json ".claims[] | select(.id == $C1) | .status" closed
expect_json ".claims[] | select(.id == $C1) | .payout_fen" 30000
check "the worker's list carries the explanation step by step" \
    test "$(jq --argjson c "$C1" '[.claims[] | select(.id == $c) | .results[0].explanation.steps[]] | length' "$TMP/body")" -gt 1

# --- assistance referral: 41,100 yuan out of pocket, 300 paid by mutual aid ---
expect_as unit_staff.a GET /api/v1/assistance/referrals 200
expect_json ".referrals[] | select(.member_id == $CLAIMS_M1) | .remaining_fen" 4080000
expect_json ".referrals[] | select(.member_id == $CLAIMS_M1) | .reason" threshold
expect_as supervisor.b GET /api/v1/assistance/referrals 200
expect_json "[.referrals[] | select(.member_id == $CLAIMS_M1)] | length" 0
expect_as claims_officer.a GET /api/v1/assistance/referrals 403
expect_as unit_staff.a GET '/api/v1/assistance/referrals?year=1800' 400

# --- the officer's limit is the server's to set (serve --officer-limit) ----------
if start_server LIMIT_BASE --officer-limit 2.50; then
    main_base=$BASE
    BASE=$LIMIT_BASE
    login claims_officer.a
    expect_as claims_officer.a GET "/api/v1/claims/$C1" 200
    expect_json '.authority.officer_limit_fen' 250
    BASE=$main_base
    stop_server "$LIMIT_BASE"
    login claims_officer.a
else
    fail "server with --officer-limit did not start"
fi
for bad in -1 abc 1000000.01; do
    "$HUZHU" serve --db "$DB" --listen 127.0.0.1:0 --officer-limit "$bad" >"$TMP/limit.out" 2>&1
    check "serve --officer-limit $bad exits 2" test $? -eq 2
done

# --- the books ------------------------------------------------------------------
"$HUZHU" ledger verify --db "$DB" >"$TMP/ledger.out" 2>&1
ledger_rc=$?
check "huzhu ledger verify after the claims: $(head -c 200 "$TMP/ledger.out" | tr '\n' ' ')" \
    test "$ledger_rc" -eq 0
