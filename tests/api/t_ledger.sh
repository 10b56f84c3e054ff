# t_ledger: the fund ledger and payout batches through the real server
# (role rules are in the matrix, t_authz). Uses fixtures/ledger.sh: finance
# at the province (finance.root, finance.root2), finance at ZJ-03 (fin3.a
# maker, fin3.b checker), and payable claims LEDGER_P1..P4 under ZJ-03.
#
#   reads and their argument checks; manual entries: fund-use refusals,
#   unbalanced, idempotency (same key same content = same entry, other
#   content 409), the level rule; maker-checker through the API (the maker
#   cannot approve, a second user does; refusal; replay after refusal);
#   reversal (once); earning (idempotent); closing a period and the
#   refusal of an entry into it; the stored report; payout batches: create
#   (above the threshold: pending), maker cannot approve, another subtree
#   sees nothing, export CSV (BOM, full account, audited) and XLSX ("PK"),
#   results (paid + failed), re-import unchanged, bad files refused whole,
#   retry of the failed claim in a new batch, a bank return; bank statement
#   reconciliation; `huzhu ledger verify` at the end.

lg_json() { # lg_json WHO METHOD PATH BODY
    call_as "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"
}
lg_csv() { # lg_csv WHO PATH FILE
    call_as "$1" POST "$2" -H 'Content-Type: text/csv' --data-binary @"$3"
}
lg_expect() { # lg_expect STATUS: the last request's status
    if [[ $STATUS == "$1" ]]; then
        pass "$LAST -> $1"
    else
        fail "$LAST: status $STATUS, expected $1; body: $(head -c 300 "$TMP/body")"
    fi
}
lg_today=$(TZ=Asia/Shanghai date +%F)
lg_year=$LEDGER_FX_YEAR
lg_balance() { # lg_balance CODE: ZY's balance of an account, through the API
    call_as auditor.root GET '/api/v1/ledger/balances?fund=ZY' >/dev/null
    jq -r --arg c "$1" '.accounts[] | select(.code == $c) | .balance_fen' "$TMP/body"
}

for who in finance.root finance.root2 fin3.a fin3.b auditor.root finance.a auditor.a \
    supervisor.a finance.b; do
    login "$who"
done

# --- reads -------------------------------------------------------------------
expect_as auditor.root GET /api/v1/ledger/accounts 200
check "accounts: POOL has the nine accounts of the chart" \
    test "$(jq '[.accounts[] | select(.fund == "POOL")] | length' "$TMP/body")" -eq 9
expect_as auditor.a GET '/api/v1/ledger/accounts?fund=POOL' 200 # scheme-wide: a city auditor reads it
expect_as auditor.root GET '/api/v1/ledger/accounts?fund=NOPE' 404
expect_json '.error.field' fund
expect_as finance.a GET "/api/v1/ledger/balances?as_of=$((lg_year - 5))-01-01" 200
check "balances before any entry are zero" \
    test "$(jq '[.accounts[].balance_fen] | map(select(. != 0)) | length' "$TMP/body")" -eq 0
expect_as finance.a GET '/api/v1/ledger/balances?as_of=2026-02-30' 400
expect_json '.error.code' INVALID_DATE
expect_as finance.a GET '/api/v1/ledger/balances?bogus=1' 400
expect_as auditor.root GET '/api/v1/ledger/entries?source=receipt&limit=2' 200
expect_json '.entries | length' 2
expect_json '[.entries[].source] | unique | tojson' '["receipt"]'
lg_next=$(jq -r .next_after "$TMP/body")
expect_as auditor.root GET "/api/v1/ledger/entries?source=receipt&limit=2&after=$lg_next" 200
check "keyset: the next page starts after the last id" \
    test "$(jq '.entries[0].id' "$TMP/body")" -gt "$lg_next"
expect_as auditor.root GET '/api/v1/ledger/entries?account=2241&limit=500' 200
check "account filter: every entry has a line on 2241" \
    test "$(jq '[.entries[] | any(.lines[]; .account == "2241")] | all' "$TMP/body")" = true
expect_as auditor.root GET '/api/v1/ledger/entries?account=12' 400
expect_as auditor.root GET '/api/v1/ledger/entries?source=gift' 400
expect_as auditor.root GET '/api/v1/ledger/entries?from=2026-13-01' 400
expect_as auditor.root GET '/api/v1/ledger/entries?limit=501' 400
expect_as auditor.root GET "/api/v1/ledger/entries/$ID_entry_own" 200
expect_json '.id' "$ID_entry_own"
expect_json '.lines | length' 2
expect_as auditor.root GET /api/v1/ledger/entries/99999999 404
expect_as auditor.root GET /api/v1/ledger/pending 200
check "the fixture's pending payments are listed" \
    test "$(jq --argjson p "$ID_pending_own" '[.pending[] | select(.id == $p)] | length' "$TMP/body")" -eq 1

# --- manual entries: the level rule, fund-use rules, balance ----------------
lg_entry() { # lg_entry KEY DATE DEBIT CREDIT AMOUNT: a manual entry in fund ZY
    jq -nc --arg k "$1" --arg d "$2" --arg dr "$3" --arg cr "$4" --argjson a "$5" \
        '{fund: "ZY", date: $d, idem_key: $k, memo: "t_ledger",
          lines: [{account: $dr, side: "debit", amount_fen: $a},
                  {account: $cr, side: "credit", amount_fen: $a}]}'
}
lg_opening=$(lg_entry t-ledger-opening "$lg_today" 1002 3101 500000000)
lg_json finance.a POST /api/v1/ledger/entries "$lg_opening"
lg_expect 403 # finance of a city does not post into the province's funds
lg_json finance.root POST /api/v1/ledger/entries "$lg_opening"
lg_expect 201
expect_json '.outcome' posted
expect_json '.entry.source' manual
expect_json '.entry.total_fen' 500000000
lg_open_id=$(jq -r .entry.id "$TMP/body")
lg_json finance.root POST /api/v1/ledger/entries "$lg_opening"
lg_expect 200
expect_json '.replayed' true
expect_json '.entry.id' "$lg_open_id"
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-opening "$lg_today" 1002 3101 500000001)"
expect_error 409 IDEMPOTENCY_MISMATCH idem_key
check "one opening entry only" \
    test "$(db_query "SELECT count(*) FROM ledger_entry WHERE idem_key = 't-ledger-opening'")" -eq 1

# 资金使用范围: benefit expense straight from the bank, income paid out, a
# contribution booked as income at once: refused, nothing written
lg_before=$(db_query "SELECT count(*) FROM ledger_entry")
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-use-1 "$lg_today" 5101 1002 1000)"
expect_error 422 FUND_USE_REFUSED
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-use-2 "$lg_today" 4101 1002 1000)"
expect_error 422 FUND_USE_REFUSED
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-use-3 "$lg_today" 1002 4101 1000)"
expect_error 422 FUND_USE_REFUSED
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-use-4 "$lg_today" 1002 9999 1000)"
expect_error 404 NOT_FOUND
check "refused entries wrote nothing" \
    test "$(db_query "SELECT count(*) FROM ledger_entry")" -eq "$lg_before"
lg_json finance.root POST /api/v1/ledger/entries "$(jq -nc --arg d "$lg_today" '{fund: "POOL", date: $d,
    idem_key: "t-ledger-unbalanced", lines: [{account: "1002", side: "D", amount_fen: 100},
    {account: "4301", side: "C", amount_fen: 99}]}')"
expect_error 422 UNBALANCED
lg_json finance.root POST /api/v1/ledger/entries "$(jq -nc --arg d "$lg_today" '{fund: "POOL", date: $d,
    idem_key: "t-ledger-real", lines: [{account: "1002", side: "D", amount_fen: 1.5},
    {account: "4301", side: "C", amount_fen: 1.5}]}')"
expect_error 400 BAD_TYPE 'lines[0].amount_fen'
lg_json finance.root POST /api/v1/ledger/entries "$(jq -nc --arg d "$lg_today" '{fund: "POOL", date: $d,
    idem_key: "t-ledger-zero", lines: [{account: "1002", side: "D", amount_fen: 0},
    {account: "4301", side: "C", amount_fen: 0}]}')"
expect_error 400 OUT_OF_RANGE 'lines[0].amount_fen'
lg_json finance.root POST /api/v1/ledger/entries "$(jq -nc --arg d "$lg_today" '{fund: "POOL", date: $d,
    idem_key: "t-ledger-one", lines: [{account: "1002", side: "D", amount_fen: 5}]}')"
expect_error 400 INVALID_INPUT lines
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-src "$lg_today" 1002 4301 1 |
    jq -c '.source = "claim"')"
expect_error 400 INVALID_INPUT source
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-x "$lg_today" 1002 4301 1 |
    jq -c '.extra = 1')"
expect_error 400 UNKNOWN_FIELD extra
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-int "$lg_today" 1002 4301 12345)"
lg_expect 201 # bank interest: an allowed use
lg_interest_id=$(jq -r .entry.id "$TMP/body")

# --- maker-checker through the API --------------------------------------------
# a benefit paid by hand above ZY's threshold (1,000,000 fen) waits
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-pay "$lg_today" 2241 1002 1000100)"
lg_expect 202
expect_json '.outcome' pending
lg_pending=$(jq -r .pending_id "$TMP/body")
check "nothing posted while pending" \
    test "$(db_query "SELECT count(*) FROM ledger_entry WHERE idem_key = 't-ledger-pay'")" -eq 0
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-pay "$lg_today" 2241 1002 1000100)"
lg_expect 202 # the same request again: the same pending payment
expect_json '.pending_id' "$lg_pending"
expect_as finance.root POST "/api/v1/ledger/pending/$lg_pending/approve" 422
expect_json '.error.code' SECOND_USER_REQUIRED
expect_as finance.a POST "/api/v1/ledger/pending/$lg_pending/approve" 403
expect_as auditor.root POST "/api/v1/ledger/pending/$lg_pending/approve" 403
expect_as finance.root2 POST "/api/v1/ledger/pending/$lg_pending/approve" 200
expect_json '.status' approved
expect_json '.entry.total_fen' 1000100
lg_paid_by_hand=$(jq -r .entry.id "$TMP/body")
check "the entry names maker and checker" test "$(jq -r '.entry.approved_by != null and .entry.created_by != .entry.approved_by' "$TMP/body")" = true
expect_as finance.root2 POST "/api/v1/ledger/pending/$lg_pending/approve" 409
check "approval audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'ledger.payment_approve' AND object_id = '$lg_pending'")" -eq 1
# refusal: the maker cannot, another can, with a reason; the key stays refused
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-pay2 "$lg_today" 2241 1002 1000200)"
lg_expect 202
lg_pending2=$(jq -r .pending_id "$TMP/body")
lg_json finance.root POST "/api/v1/ledger/pending/$lg_pending2/refuse" '{"reason": "no decision minutes"}'
expect_error 422 SECOND_USER_REQUIRED
lg_json finance.root2 POST "/api/v1/ledger/pending/$lg_pending2/refuse" '{}'
expect_error 400 MISSING_FIELD reason
lg_json finance.root2 POST "/api/v1/ledger/pending/$lg_pending2/refuse" '{"reason": "no decision minutes"}'
lg_expect 200
expect_json '.status' refused
lg_json finance.root2 POST "/api/v1/ledger/pending/$lg_pending2/refuse" '{"reason": "again"}'
lg_expect 409
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-pay2 "$lg_today" 2241 1002 1000200)"
expect_error 409 CONFLICT idem_key
expect_as finance.root2 POST /api/v1/ledger/pending/99999999/approve 404
check "refusal audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'ledger.payment_refuse' AND object_id = '$lg_pending2'")" -eq 1

# --- reversal ---------------------------------------------------------------
lg_json finance.root POST "/api/v1/ledger/entries/$lg_paid_by_hand/reverse" \
    "$(jq -nc --arg d "$lg_today" '{date: $d, idem_key: "t-ledger-rev-1", memo: "posted twice"}')"
lg_expect 201
expect_json '.entry.reversal_of' "$lg_paid_by_hand"
expect_json '.entry.source' reversal
expect_json '[.entry.lines[] | select(.account == "2241") | .side] | tojson' '["C"]'
lg_json finance.root POST "/api/v1/ledger/entries/$lg_paid_by_hand/reverse" \
    "$(jq -nc --arg d "$lg_today" '{date: $d, idem_key: "t-ledger-rev-2"}')"
lg_expect 409
lg_json finance.root POST /api/v1/ledger/entries/99999999/reverse \
    "$(jq -nc --arg d "$lg_today" '{date: $d, idem_key: "t-ledger-rev-3"}')"
lg_expect 404
lg_json finance.root POST "/api/v1/ledger/entries/$lg_interest_id/reverse" '{"idem_key": "k"}'
expect_error 400 MISSING_FIELD date

# --- earning, closing, reports ------------------------------------------------
# close the month after the last closed one (the demo closes its past
# months), unless that is the current month: then only the refusals
lg_closed=$(db_query "SELECT closed_through FROM fund WHERE code = 'ZY'")
if [[ -z $lg_closed ]]; then
    lg_old="$((lg_year - 4))-12"
else
    lg_old=$(date -d "$lg_closed-01 +1 month" +%Y-%m)
fi
lg_month=$(TZ=Asia/Shanghai date +%Y-%m)
lg_json finance.root POST /api/v1/ledger/earn "$(jq -nc --arg p "$lg_month" '{period: $p}')"
lg_expect 200
lg_json finance.root POST /api/v1/ledger/earn "$(jq -nc --arg p "$lg_month" '{period: $p}')"
lg_expect 200
expect_json '.entries' 0 # idempotent
lg_json finance.root POST /api/v1/ledger/earn '{"period": "2026-13"}'
expect_error 400 INVALID_DATE period
expect_as finance.a POST "/api/v1/ledger/periods/$lg_old/close?fund=ZY" 403
if [[ $lg_old < $lg_month ]]; then
    expect_as finance.root POST "/api/v1/ledger/periods/$lg_old/close?fund=ZY" 200
else
    lg_old=$lg_closed
fi
expect_as finance.root POST "/api/v1/ledger/periods/$lg_old/close?fund=ZY" 422
expect_json '.error.code' PERIOD_CLOSED
expect_as finance.root POST '/api/v1/ledger/periods/2026-1/close?fund=ZY' 404
lg_json finance.root POST /api/v1/ledger/entries "$(lg_entry t-ledger-closed "$lg_old-01" 1002 4301 100)"
expect_error 422 PERIOD_CLOSED date
expect_as supervisor.a GET "/api/v1/ledger/reports/$lg_old?fund=ZY" 200
expect_json '.closed' true
expect_json '.trial_balance.debit_fen == .trial_balance.credit_fen' true
expect_as auditor.root GET "/api/v1/ledger/reports/$lg_month" 200
check "report of every fund, the period open" \
    test "$(jq '[.reports[] | select(.fund == "ZY")][0].closed' "$TMP/body")" = false
expect_as auditor.root GET '/api/v1/ledger/reports/2026-13?fund=POOL' 404
expect_as auditor.root GET '/api/v1/ledger/reports/2026-01?fund=NOPE' 404

# --- payout batches ------------------------------------------------------------
lg_bank_before=$(lg_balance 1002)
lg_payable_before=$(lg_balance 2241)
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY"}'
lg_expect 201
lg_b1=$(jq -r .id "$TMP/body")
expect_json '.status' pending_approval # P1 + P2 + P4 above the threshold
expect_json '.needs_approval' true
expect_json '.item_count' 3
expect_json '.skipped_no_account' 1 # P3's worker has no bank card
lg_total=$(jq -r .total_fen "$TMP/body")
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY"}'
expect_error 409 CONFLICT fund # every payable claim with a card is in an open item
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "NOPE"}'
lg_expect 404
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY", "max_items": 0}'
lg_expect 400
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY", "pay_date": "2026-02-30"}'
lg_expect 400
expect_as fin3.b GET "/api/v1/payout-batches/$lg_b1" 200
expect_json '.items | length' 3
expect_json '[.items[].reference] | sort | tojson' "$(jq -nc --arg a "$LEDGER_P1" --arg b "$LEDGER_P2" --arg c "$LEDGER_P4" '[$a, $b, $c] | sort')"
check "accounts are masked in the batch" \
    test "$(jq -r '[.items[].account | test("\\*")] | all' "$TMP/body")" = true
check "no full card number in the batch" bash -c "! grep -q '$LEDGER_CARD1' '$TMP/body'"
lg_p1_amount=$(jq -r --arg r "$LEDGER_P1" '.items[] | select(.reference == $r) | .amount_fen' "$TMP/body")
lg_p2_amount=$(jq -r --arg r "$LEDGER_P2" '.items[] | select(.reference == $r) | .amount_fen' "$TMP/body")
lg_p4_amount=$(jq -r --arg r "$LEDGER_P4" '.items[] | select(.reference == $r) | .amount_fen' "$TMP/body")
check "the items add up to the total" test "$((lg_p1_amount + lg_p2_amount + lg_p4_amount))" -eq "$lg_total"
expect_as auditor.root GET "/api/v1/payout-batches/$lg_b1" 200
expect_as auditor.a GET "/api/v1/payout-batches/$lg_b1" 404 # ZJ-01 does not see ZJ-03's batch
expect_as finance.a GET "/api/v1/payout-batches/$lg_b1" 404
expect_as fin3.a GET '/api/v1/payout-batches?status=pending_approval' 200
check "the list shows the batch" \
    test "$(jq --argjson b "$lg_b1" '[.batches[] | select(.id == $b)] | length' "$TMP/body")" -eq 1
expect_as finance.a GET '/api/v1/payout-batches?limit=500' 200
check "another subtree's list lacks it" \
    test "$(jq --argjson b "$lg_b1" '[.batches[] | select(.id == $b)] | length' "$TMP/body")" -eq 0
expect_as fin3.a GET '/api/v1/payout-batches?status=bogus' 400
# no file before a second finance user approves
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b1/bank-file.csv" 409
expect_as fin3.a POST "/api/v1/payout-batches/$lg_b1/approve" 422
expect_json '.error.code' SECOND_USER_REQUIRED
expect_as finance.a POST "/api/v1/payout-batches/$lg_b1/approve" 404
expect_as fin3.b POST "/api/v1/payout-batches/$lg_b1/approve" 200
expect_json '.status' approved
expect_as fin3.b POST "/api/v1/payout-batches/$lg_b1/approve" 409
check "batch approval audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'payout.batch_approve' AND object_id = '$lg_b1'")" -eq 1
# results before the file went to the bank
printf 'reference,status,reason\n%s,paid,\n' "$LEDGER_P1" >"$TMP/lg_res0.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_res0.csv"
lg_expect 409

# the bank file: CSV with BOM and full account numbers, audited as a reveal
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b1/bank-file.csv" 200
expect_header 'Content-Type' 'text/csv; charset=utf-8'
check "attachment" bash -c "grep -qi '^Content-Disposition: attachment; filename=\"payout-batch-$lg_b1.csv\"' '$TMP/headers'"
check "CSV starts with the UTF-8 BOM" test "$(head -c 3 "$TMP/body" | od -An -tx1 | tr -d ' ')" = efbbbf
check "CSV header" bash -c "sed -n 1p '$TMP/body' | tr -d '\r' | grep -q 'account,name,amount,reference\$'"
check "CSV carries P1's full card number, name, amount in yuan and reference" \
    grep -q "^$LEDGER_CARD1,账付甲,$((lg_p1_amount / 100)).$(printf '%02d' $((lg_p1_amount % 100))),$LEDGER_P1" "$TMP/body"
check "CSV: three payments" test "$(($(wc -l <"$TMP/body") - 1))" -eq 3
check "the export is audited as a reveal" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'payout.bank_file_export' AND object_id = '$lg_b1'")" -eq 1
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b1/bank-file.xlsx" 200
check "XLSX is a zip (PK)" test "$(head -c 2 "$TMP/body")" = PK
expect_header 'Content-Type' 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b1" 200
expect_json '.status' exported
expect_json '.export_count' 2
expect_as auditor.root GET "/api/v1/payout-batches/$lg_b1/bank-file.csv" 403

# bad result files are refused whole
printf 'reference,status,reason\n%s,paid,\n99999999,paid,\n%s,maybe,\n%s,failed,\n' \
    "$LEDGER_P1" "$LEDGER_P2" "$LEDGER_P4" >"$TMP/lg_bad.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_bad.csv"
expect_error 422 INVALID_INPUT body
expect_json '.rows | length' 3
expect_json '[.rows[].code] | tojson' '["NOT_FOUND","INVALID_INPUT","MISSING_FIELD"]'
expect_json '.rows[0].row' 3
printf 'reference,reason\n%s,x\n' "$LEDGER_P1" >"$TMP/lg_nocol.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_nocol.csv"
lg_expect 422
call_as fin3.a POST "/api/v1/payout-batches/$lg_b1/results" -H 'Content-Type: application/json' \
    --data-binary @"$TMP/lg_res0.csv"
lg_expect 415
check "bad files changed nothing" \
    test "$(db_query "SELECT count(*) FROM payout_item WHERE batch_id = $lg_b1 AND status = 'open'")" -eq 3

# the bank paid P1 and P4, and could not pay P2
printf '\xef\xbb\xbfreference,status,reason\r\n%s,paid,\r\n%s,failed,账户已销户\r\n%s,paid,\r\n' \
    "$LEDGER_P1" "$LEDGER_P2" "$LEDGER_P4" >"$TMP/lg_res1.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results?date=$lg_today" "$TMP/lg_res1.csv"
lg_expect 200
expect_json '[.paid, .failed, .unchanged, .completed] | tojson' '[2,1,0,true]'
expect_json '.paid_fen' "$((lg_p1_amount + lg_p4_amount))"
for lg_c in "$LEDGER_P1:paid" "$LEDGER_P2:payable" "$LEDGER_P4:paid"; do
    check "claim ${lg_c%%:*} is ${lg_c#*:}" \
        test "$(db_query "SELECT status FROM claim WHERE id = ${lg_c%%:*}")" = "${lg_c#*:}"
done
check "benefits payable fell by what the bank paid" \
    test "$(lg_balance 2241)" -eq "$((lg_payable_before - lg_p1_amount - lg_p4_amount))"
check "the bank fell by the same" \
    test "$(lg_balance 1002)" -eq "$((lg_bank_before - lg_p1_amount - lg_p4_amount))"
check "the failed payment is on the claim's audit trail" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'claim.payout_failed' AND object_id = '$LEDGER_P2'")" -eq 1
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b1" 200
expect_json '.status' completed
expect_json '[.items_by_status | .open, .paid, .failed, .cancelled] | tojson' '[0,2,1,0]'
expect_json "[.items[] | select(.reference == \"$LEDGER_P2\") | .reason] | tojson" '["账户已销户"]'
# the same file again changes nothing; a failed item reported paid is refused
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_res1.csv"
lg_expect 200
expect_json '[.paid, .failed, .unchanged] | tojson' '[0,0,3]'
check "no entry twice" \
    test "$(db_query "SELECT count(*) FROM ledger_entry WHERE source_type = 'payout_batch' AND source_id LIKE '$lg_b1/%'")" -eq 2
printf 'reference,status,reason\n%s,paid,\n' "$LEDGER_P2" >"$TMP/lg_res2.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_res2.csv"
expect_error 422 INVALID_INPUT body
expect_json '.rows[0].code' CONFLICT

# retry: the failed claim goes into a new batch, below the threshold
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY"}'
lg_expect 201
lg_b2=$(jq -r .id "$TMP/body")
expect_json '.status' approved
expect_json '.item_count' 1
expect_json '.total_fen' "$lg_p2_amount"
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b2/bank-file.csv" 200
printf 'reference,status,reason\n%s,paid,\n' "$LEDGER_P2" >"$TMP/lg_res3.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b2/results" "$TMP/lg_res3.csv"
lg_expect 200
expect_json '.paid' 1
check "P2 paid on retry" test "$(db_query "SELECT status FROM claim WHERE id = $LEDGER_P2")" = paid

# the bank returns P4's payment after reporting it paid
printf 'reference,status,reason\n%s,failed,退票：户名不符\n' "$LEDGER_P4" >"$TMP/lg_res4.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b1/results" "$TMP/lg_res4.csv"
lg_expect 200
expect_json '[.returned, .returned_fen] | tojson' "[1,$lg_p4_amount]"
check "P4 payable again" test "$(db_query "SELECT status FROM claim WHERE id = $LEDGER_P4")" = payable
check "benefits payable holds P4 again" \
    test "$(lg_balance 2241)" -eq "$((lg_payable_before - lg_p1_amount - lg_p2_amount))"
# refusal of a batch frees its claim for the next one
lg_json fin3.a POST /api/v1/payout-batches '{"fund": "ZY"}'
lg_expect 201
lg_b3=$(jq -r .id "$TMP/body")
expect_json '.item_count' 1
lg_json fin3.b POST "/api/v1/payout-batches/$lg_b3/refuse" '{"reason": "x"}'
lg_expect 409 # approved at once (below the threshold): nothing to refuse
expect_as fin3.a GET "/api/v1/payout-batches/$lg_b3/bank-file.csv" 200
printf 'reference,status,reason\n%s,paid,\n' "$LEDGER_P4" >"$TMP/lg_res5.csv"
lg_csv fin3.a "/api/v1/payout-batches/$lg_b3/results" "$TMP/lg_res5.csv"
lg_expect 200
check "P4 paid in the third batch" test "$(db_query "SELECT status FROM claim WHERE id = $LEDGER_P4")" = paid

# --- bank statement reconciliation ----------------------------------------------
lg_receipt_ref=$(db_query "SELECT bank_ref FROM receipt ORDER BY id LIMIT 1")
lg_receipt_fen=$(db_query "SELECT amount_fen FROM receipt ORDER BY id LIMIT 1")
lg_yuan() { echo "$(($1 / 100)).$(printf '%02d' $(($1 % 100)))"; }
{
    echo '日期,金额,参考号,方向'
    echo "$lg_today,$(lg_yuan "$lg_receipt_fen"),$lg_receipt_ref,收"
    echo "$lg_today,$(lg_yuan "$lg_p1_amount"),$LEDGER_P1,付"
    echo "$lg_today,$(lg_yuan "$((lg_p2_amount + 1))"),$LEDGER_P2,out"
    echo "$lg_today,12.00,NO-SUCH-REF,in"
    echo "$lg_today,$(lg_yuan $((lg_receipt_fen + 100))),$lg_receipt_ref,in"
} >"$TMP/lg_stmt.csv"
lg_csv fin3.a /api/v1/ledger/bank-statements "$TMP/lg_stmt.csv"
lg_expect 200
expect_json '[.lines, .matched_count, .unmatched_count] | tojson' '[5,2,3]'
expect_json '[.matched[].kind] | tojson' '["receipt","payout_item"]'
expect_json '[.unmatched[].reason] | tojson' '["NO_PAID_ITEM","NO_SUCH_REFERENCE","AMOUNT_DIFFERS"]'
lg_csv finance.a /api/v1/ledger/bank-statements "$TMP/lg_stmt.csv"
lg_expect 200
expect_json '.matched_count' 1 # ZJ-01 sees the receipt, not ZJ-03's payouts
printf 'date,amount,reference,direction\n2026-02-30,1.00,X,in\n%s,-1,X,in\n%s,1.00,X,sideways\n' \
    "$lg_today" "$lg_today" >"$TMP/lg_stmt_bad.csv"
lg_csv fin3.a /api/v1/ledger/bank-statements "$TMP/lg_stmt_bad.csv"
expect_error 422 INVALID_INPUT body
expect_json '[.rows[].field] | tojson' '["date","amount","direction"]'
printf 'date,amount\n' >"$TMP/lg_stmt_nocol.csv"
lg_csv fin3.a /api/v1/ledger/bank-statements "$TMP/lg_stmt_nocol.csv"
lg_expect 422
call_as fin3.a POST /api/v1/ledger/bank-statements -H 'Content-Type: text/csv'
lg_expect 400

# --- the books hold ----------------------------------------------------------------
expect_as auditor.root GET /api/v1/ledger/verify 200
expect_json '.ok' true
"$HUZHU" ledger verify --db "$DB" >"$TMP/lg_verify.out" 2>&1
check "huzhu ledger verify after the ledger tests: $(head -c 200 "$TMP/lg_verify.out" | tr '\n' ' ')" \
    grep -q '^ledger verify: ok' "$TMP/lg_verify.out"
