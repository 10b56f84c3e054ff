# t_registry: organisations, employers, members, reveal and roster imports
# over the API (route_registry.c). The role rules are in the matrix
# (t_authz); here: valid, invalid and boundary input, keyset pages, scope,
# the audited reveal, masking, and the public sample roster imported through
# the API with progress polling and the report download.

reg_shared=${HUZHU_SHARED:-$here/../../../shared}
reg_roster=$reg_shared/cases/roster-public

# idcard_of 17DIGITS: the 18-char resident ID number (GB 11643 check char).
idcard_of() {
    local d=$1 w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) s=0 i t=10X98765432
    for i in $(seq 0 16); do s=$((s + ${d:i:1} * ${w[i]})); done
    echo "$d${t:$((s % 11)):1}"
}

# uscc_of 8DIGITS: a valid credit code 91330106 + body + both check chars.
uscc_of() {
    local body=$1 a=0123456789ABCDEFGHJKLMNPQRTUWXY ow=(3 7 9 10 5 8 4 2)
    local uw=(1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28) s=0 i c code
    for i in $(seq 0 7); do s=$((s + ${body:i:1} * ${ow[i]})); done
    c=$((11 - s % 11))
    if [[ $c == 10 ]]; then c=X; elif [[ $c == 11 ]]; then c=0; fi
    code=91330106$body$c
    s=0
    for i in $(seq 0 16); do
        local ch=${code:i:1} pre=${a%%"${code:i:1}"*}
        s=$((s + ${#pre} * ${uw[i]}))
        : "$ch"
    done
    echo "$code${a:$(((31 - s % 31) % 31)):1}"
}

# Every response of a non-reveal route is kept to look for full ID numbers.
reg_keep() { cat "$TMP/body" >>"$TMP/reg_bodies"; }
: >"$TMP/reg_bodies"

for who in admin.a admin.b unit_staff.a unit_staff.b finance.a auditor.a claims_officer.a \
    member.a supervisor.a; do
    login "$who" >/dev/null
done

zj01=$(db_query "SELECT id FROM org WHERE code = 'ZJ-01'")
zj02=$(db_query "SELECT id FROM org WHERE code = 'ZJ-02'")

# --- organisations -------------------------------------------------------------

json() { jq -nc "$@"; }
expect_as admin.a POST /api/v1/orgs 201 -H 'Content-Type: application/json' --data-binary \
    "$(json --argjson p "$REG_ORG_OWN" '{code: "ZJ-01-RG-A", name: "甲街道工会", parent_id: $p, division_code: "330106"}')"
expect_json '.code' 'ZJ-01-RG-A'
expect_json '.level' 'grassroots' # one below ZJ-01-RG (a district under the city ZJ-01)
expect_json '.parent_id' "$REG_ORG_OWN"
org_a=$(jq -r .id "$TMP/body")
call_as admin.a POST /api/v1/orgs -H 'Content-Type: application/json' --data-binary \
    "$(json --argjson p "$org_a" '{code: "ZJ-01-RG-A1", name: "甲一", parent_id: $p, division_code: "330106", level: "grassroots"}')"
org_a1=$(jq -r .id "$TMP/body")
call_as admin.a POST /api/v1/orgs -H 'Content-Type: application/json' --data-binary \
    "$(json --argjson p "$REG_ORG_OWN" '{code: "ZJ-01-RG-B", name: "乙", parent_id: $p, division_code: "330106"}')"
org_b=$(jq -r .id "$TMP/body")
check "three organisations made ($org_a $org_a1 $org_b)" test -n "$org_b" -a "$org_b" != null

for bad in '"division_code": "33010"' '"division_code": "000000"' '"division_code": "99a100"'; do
    expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
        "{\"code\": \"ZJ-01-RG-X\", \"name\": \"x\", \"parent_id\": $REG_ORG_OWN, $bad}"
    expect_json '.error.field' 'division_code'
done
expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01 RG\", \"name\": \"x\", \"parent_id\": $REG_ORG_OWN, \"division_code\": \"330106\"}"
expect_json '.error.field' 'code'
expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-X\", \"name\": \"x\", \"parent_id\": $REG_ORG_OWN, \"division_code\": \"330106\", \"level\": \"village\"}"
expect_json '.error.field' 'level'
expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-X\", \"name\": \"$(printf '工%.0s' $(seq 51))\", \"parent_id\": $REG_ORG_OWN, \"division_code\": \"330106\"}"
expect_json '.error.code' 'INVALID_NAME'
expect_as admin.a POST /api/v1/orgs 409 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-A\", \"name\": \"again\", \"parent_id\": $REG_ORG_OWN, \"division_code\": \"330106\"}"
expect_json '.error.field' 'code'
expect_as admin.a POST /api/v1/orgs 404 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-X\", \"name\": \"x\", \"parent_id\": $REG_ORG_FOREIGN, \"division_code\": \"330106\"}"
expect_json '.error.field' 'parent_id'
expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-X\", \"name\": \"x\", \"parent_id\": 0, \"division_code\": \"330106\"}"
expect_as admin.a POST /api/v1/orgs 400 -H 'Content-Type: application/json' --data-binary \
    "{\"code\": \"ZJ-01-RG-X\", \"name\": \"x\", \"parent_id\": $REG_ORG_OWN, \"division_code\": \"330106\", \"extra\": 1}"
expect_json '.error.code' 'UNKNOWN_FIELD'

# rename; move A (with A-1) under B: the whole subtree's paths follow at once
expect_as admin.a PATCH "/api/v1/orgs/$org_a" 200 -H 'Content-Type: application/json' \
    --data-binary '{"name": "甲街道总工会"}'
expect_json '.name' '甲街道总工会'
expect_as admin.a PATCH "/api/v1/orgs/$org_a" 200 -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\": $org_b}"
expect_json '.parent_id' "$org_b"
b_path=$(db_query "SELECT path FROM org WHERE id = $org_b")
check "moved subtree: A-1's path is under B ($(db_query "SELECT path FROM org WHERE id = $org_a1"))" \
    test "$(db_query "SELECT path FROM org WHERE id = $org_a1")" = "$b_path$org_a/$org_a1/"
expect_as admin.a PATCH "/api/v1/orgs/$org_b" 400 -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\": $org_a1}" # under its own descendant
expect_json '.error.field' 'parent_id'
expect_as admin.a PATCH "/api/v1/orgs/$org_b" 400 -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\": $org_b}" # under itself
expect_as admin.a PATCH "/api/v1/orgs/$org_b" 404 -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\": $REG_ORG_FOREIGN}"
expect_as admin.a PATCH "/api/v1/orgs/$REG_ORG_FOREIGN" 404 -H 'Content-Type: application/json' \
    --data-binary '{"name": "x"}'
check "refused moves changed nothing" \
    test "$(db_query "SELECT path FROM org WHERE id = $org_a1")" = "$b_path$org_a/$org_a1/"
expect_as admin.a PATCH "/api/v1/orgs/$org_a" 200 -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\": $REG_ORG_OWN}"
check "moved back" test "$(db_query "SELECT path FROM org WHERE id = $org_a1")" = \
    "$(db_query "SELECT path FROM org WHERE id = $REG_ORG_OWN")$org_a/$org_a1/"
expect_as admin.b GET "/api/v1/orgs/$org_a" 404

# --- employers -------------------------------------------------------------------

emp1=$(uscc_of 70000001)
emp2=$(uscc_of 70000002)
emp3=$(uscc_of 70000003)
expect_as unit_staff.a POST /api/v1/employers 201 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$emp1\", \"name\": \"登记测试甲公司\", \"ownership\": \"民营\", \"size\": \"小型\", \"industry\": \"物流\", \"org_id\": $org_a}"
expect_json '.ownership' 'private'
expect_json '.size' 'small'
expect_json '.org_id' "$org_a"
emp1_id=$(jq -r .id "$TMP/body")
expect_as unit_staff.a POST /api/v1/employers 201 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$(tr 'A-Z' 'a-z' <<<"$emp2")\", \"name\": \"登记测试乙公司\", \"ownership\": \"state\", \"size\": \"large\", \"org_id\": $org_a}"
expect_json '.uscc' "$emp2"
emp2_id=$(jq -r .id "$TMP/body")
expect_as unit_staff.a POST /api/v1/employers 201 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$emp3\", \"name\": \"登记测试丙公司\", \"ownership\": \"外资\", \"size\": \"微型\", \"org_id\": $org_a}"
emp3_id=$(jq -r .id "$TMP/body")
expect_as unit_staff.a POST /api/v1/employers 409 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$emp1\", \"name\": \"重复\", \"ownership\": \"民营\", \"size\": \"小型\"}"
expect_json '.error.field' 'uscc'
bad_uscc=${emp1:0:17}$([[ ${emp1:17:1} == 0 ]] && echo 1 || echo 0)
expect_as unit_staff.a POST /api/v1/employers 400 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$bad_uscc\", \"name\": \"坏\", \"ownership\": \"民营\", \"size\": \"小型\"}"
expect_json '.error.code' 'INVALID_EMPLOYER'
expect_json '.error.field' 'uscc'
expect_as unit_staff.a POST /api/v1/employers 400 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$(uscc_of 70000009)\", \"name\": \"坏\", \"ownership\": \"合资\", \"size\": \"小型\"}"
expect_json '.error.code' 'INVALID_OWNERSHIP'
expect_as unit_staff.a POST /api/v1/employers 400 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$(uscc_of 70000009)\", \"name\": \"坏\", \"ownership\": \"民营\", \"size\": \"huge\"}"
expect_json '.error.code' 'INVALID_SIZE'
expect_as unit_staff.a POST /api/v1/employers 404 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$(uscc_of 70000009)\", \"name\": \"x\", \"ownership\": \"民营\", \"size\": \"小型\", \"org_id\": $REG_ORG_FOREIGN}"
expect_json '.error.field' 'org_id'
check "refused employers were not written" test "$(db_query "SELECT count(*) FROM employer WHERE uscc = '$(uscc_of 70000009)'")" = 0

expect_as finance.a GET "/api/v1/employers?q=${emp1:0:16}" 200
expect_json '.employers | length' '1'
expect_json '.employers[0].id' "$emp1_id"
expect_as finance.a GET "/api/v1/employers?q=$(tr 'A-Z' 'a-z' <<<"${emp2:0:16}")" 200
expect_json '.employers[0].id' "$emp2_id"
expect_as finance.a GET "/api/v1/employers?q=%E7%99%BB%E8%AE%B0%E6%B5%8B%E8%AF%95&org_id=$org_a" 200 # 登记测试
expect_json '[.employers[].id] | tojson' "[$emp1_id,$emp2_id,$emp3_id]"
expect_as finance.a GET "/api/v1/employers?q=%25" 200 # '%' is literal, never a wildcard
expect_json '.employers | length' '0'
expect_as finance.a GET "/api/v1/employers?org_id=$org_a&ownership=%E5%A4%96%E8%B5%84" 200 # 外资
expect_json '[.employers[].id] | tojson' "[$emp3_id]"
expect_as finance.a GET "/api/v1/employers?org_id=$org_a&size=micro" 200
expect_json '[.employers[].id] | tojson' "[$emp3_id]"
expect_as finance.a GET '/api/v1/employers?ownership=x' 400
expect_json '.error.code' 'INVALID_OWNERSHIP'
expect_as finance.a GET '/api/v1/employers?limit=0' 400
expect_as finance.a GET '/api/v1/employers?limit=501' 400
expect_as finance.a GET '/api/v1/employers?colour=red' 400
# keyset pages of 1 walk the three
expect_as finance.a GET "/api/v1/employers?org_id=$org_a&limit=2" 200
expect_json '.next_after' "$emp2_id"
expect_as finance.a GET "/api/v1/employers?org_id=$org_a&limit=2&after=$emp2_id" 200
expect_json '[.employers[].id] | tojson' "[$emp3_id]"
expect_json '.next_after' 'null'
own_total=$(db_query "SELECT count(*) FROM employer e JOIN org o ON o.id = e.org_id WHERE o.path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%'")
seen=0 after=0 pages=0
while [[ $pages -lt 100 ]]; do
    call_as auditor.a GET "/api/v1/employers?limit=50&after=$after"
    [[ $STATUS == 200 ]] || break
    seen=$((seen + $(jq '.employers | length' "$TMP/body")))
    pages=$((pages + 1))
    after=$(jq -r '.next_after' "$TMP/body")
    [[ $after == null ]] && break
done
check "employer pages cover the ZJ-01 subtree ($seen of $own_total)" test "$seen" -eq "$own_total"
expect_as unit_staff.b GET "/api/v1/employers?q=${emp1:0:16}" 200
expect_json '.employers | length' '0' # not in ZJ-02's subtree
expect_as unit_staff.b GET "/api/v1/employers/$emp1_id" 404

expect_as unit_staff.a PATCH "/api/v1/employers/$emp1_id" 200 -H 'Content-Type: application/json' \
    --data-binary '{"size": "中型", "industry": "快递"}'
expect_json '.size' 'medium'
expect_json '.industry' '快递'
expect_json '.changed' 'true'
expect_as unit_staff.a PATCH "/api/v1/employers/$emp1_id" 200 -H 'Content-Type: application/json' \
    --data-binary '{"size": "medium"}'
expect_json '.changed' 'false'
expect_as unit_staff.a PATCH "/api/v1/employers/$emp1_id" 400 -H 'Content-Type: application/json' \
    --data-binary "{\"uscc\": \"$emp2\"}"
expect_json '.error.field' 'uscc'
expect_as unit_staff.a PATCH "/api/v1/employers/$emp1_id" 400 -H 'Content-Type: application/json' \
    --data-binary '{"name": ""}'
expect_json '.error.code' 'INVALID_NAME'
expect_as unit_staff.a PATCH "/api/v1/employers/$emp1_id" 404 -H 'Content-Type: application/json' \
    --data-binary "{\"org_id\": $REG_ORG_FOREIGN}"
expect_as unit_staff.a GET "/api/v1/employers/$emp1_id" 200
expect_json '.name' '登记测试甲公司'
expect_json '.org_id' "$org_a"
check "employer changes audited" test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'employer.update' AND object_id = '$emp1_id'")" = 1

# --- members ---------------------------------------------------------------------

id1=$(idcard_of 11010119850307001)
id2=$(idcard_of 11010119900101002)
id3=$(idcard_of 11010119700707003)
kid=$(idcard_of 110101$(( $(date -u +%Y) - 15 ))0101001)
expect_as unit_staff.a POST /api/v1/members 201 -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"登记甲\", \"id_number\": \"$id1\", \"phone\": \"138 1234 5678\", \"employment\": \"标准劳动关系\", \"employer_uscc\": \"$emp1\", \"bank_account\": \"6222024661099069580\", \"org_id\": $org_a}"
reg_keep
mem1=$(jq -r .id "$TMP/body")
expect_json '.id_number_masked' "${id1:0:6}********${id1:14:4}"
expect_json '.bank_account_masked' '6222 **** **** 9580'
expect_json '.phone_masked' '138****5678'
expect_json '.birth_date' '1985-03-07'
expect_json '.employer.id' "$emp1_id"
expect_json '.history | length' '0'
expect_as unit_staff.a POST /api/v1/members 201 -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"登记乙\", \"id_number\": \"$(tr 'X' 'x' <<<"$id2")\", \"employment\": \"外卖配送员\", \"hardship\": true, \"org_id\": $org_a}"
reg_keep
mem2=$(jq -r .id "$TMP/body")
expect_json '.employment' 'delivery'
expect_json '.employer' 'null'
expect_json '.hardship' 'true'
expect_as unit_staff.a POST /api/v1/members 201 -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"登记丙\", \"id_number\": \"$id3\", \"phone\": \"13900001111\", \"employment\": \"courier\", \"employer_uscc\": \"$emp2\", \"org_id\": $org_a1}"
reg_keep
mem3=$(jq -r .id "$TMP/body")
expect_as unit_staff.a POST /api/v1/members 409 -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"重复\", \"id_number\": \"$id1\", \"employment\": \"courier\"}"
expect_json '.error.field' 'id_number'
# one refusal per reason, each naming its field
reg_refuse() { # FIELD CODE BODY
    expect_as unit_staff.a POST /api/v1/members 400 -H 'Content-Type: application/json' --data-binary "$3"
    reg_keep
    expect_json '.error.code' "$2"
    expect_json '.error.field' "$1"
}
new_id=$(idcard_of 11010119800808004)
reg_refuse id_number INVALID_ID "{\"name\": \"x\", \"id_number\": \"${new_id:0:17}$([[ ${new_id:17} == 1 ]] && echo 2 || echo 1)\", \"employment\": \"courier\"}"
reg_refuse id_number ID_EXCEL_MANGLED '{"name": "x", "id_number": "1.10101E+17", "employment": "courier"}'
reg_refuse phone INVALID_PHONE "{\"name\": \"x\", \"id_number\": \"$new_id\", \"phone\": \"12345\", \"employment\": \"courier\"}"
reg_refuse name INVALID_NAME "{\"name\": \"  \", \"id_number\": \"$new_id\", \"employment\": \"courier\"}"
reg_refuse employer_uscc INVALID_EMPLOYER "{\"name\": \"x\", \"id_number\": \"$new_id\", \"employment\": \"standard\"}"
reg_refuse employer_uscc UNKNOWN_EMPLOYER "{\"name\": \"x\", \"id_number\": \"$new_id\", \"employment\": \"standard\", \"employer_uscc\": \"$(uscc_of 70000008)\"}"
reg_refuse employment INVALID_EMPLOYMENT "{\"name\": \"x\", \"id_number\": \"$new_id\", \"employment\": \"pilot\"}"
reg_refuse bank_account INVALID_BANK_ACCOUNT "{\"name\": \"x\", \"id_number\": \"$new_id\", \"employment\": \"courier\", \"bank_account\": \"6222024661099069581\"}"
reg_refuse id_number UNDERAGE "{\"name\": \"x\", \"id_number\": \"$kid\", \"employment\": \"courier\"}"
expect_as unit_staff.a POST /api/v1/members 404 -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"x\", \"id_number\": \"$new_id\", \"employment\": \"courier\", \"org_id\": $REG_ORG_FOREIGN}"
check "refused members were not written" test "$(db_query "SELECT count(*) FROM member WHERE name = 'x'")" = 0

# search: exact ID through the blind index (never a pattern), name prefix, filters
expect_as claims_officer.a GET "/api/v1/members?id_number=$id1" 200
reg_keep
expect_json '[.members[].id] | tojson' "[$mem1]"
expect_as claims_officer.a GET "/api/v1/members?id_number=$(tr 'X' 'x' <<<"$id2")" 200
reg_keep
expect_json '[.members[].id] | tojson' "[$mem2]"
expect_as claims_officer.a GET "/api/v1/members?id_number=${id1:0:10}" 400 # a part is no ID
expect_json '.error.code' 'INVALID_ID'
expect_as claims_officer.a GET "/api/v1/members?id_number=${id1:0:6}********${id1:14:4}" 400
expect_as claims_officer.a GET "/api/v1/members?id_number=$id1&employment=delivery" 200
expect_json '.members | length' '0'
expect_as claims_officer.a GET '/api/v1/members?name=%E7%99%BB%E8%AE%B0' 200 # 登记
reg_keep
expect_json '[.members[].id] | tojson' "[$mem1,$mem2,$mem3]"
expect_as claims_officer.a GET '/api/v1/members?name=%E7%99%BB%E8%AE%B0&limit=2' 200
expect_json '.next_after' "$mem2"
expect_as claims_officer.a GET "/api/v1/members?name=%E7%99%BB%E8%AE%B0&limit=2&after=$mem2" 200
expect_json '[.members[].id] | tojson' "[$mem3]"
expect_json '.next_after' 'null'
expect_as claims_officer.a GET '/api/v1/members?name=%25' 200
expect_json '.members | length' '0'
expect_as claims_officer.a GET '/api/v1/members?phone=%2B86%2013812345678' 200
reg_keep
expect_json '[.members[].id] | tojson' "[$mem1]"
expect_as claims_officer.a GET '/api/v1/members?phone=1381234' 400
expect_json '.error.code' 'INVALID_PHONE'
expect_as claims_officer.a GET "/api/v1/members?employer_id=$emp2_id" 200
expect_json '[.members[].id] | tojson' "[$mem3]"
expect_as claims_officer.a GET "/api/v1/members?name=%E7%99%BB%E8%AE%B0&hardship=yes" 200
expect_json '[.members[].id] | tojson' "[$mem2]"
expect_as claims_officer.a GET "/api/v1/members?name=%E7%99%BB%E8%AE%B0&employment=%E5%BF%AB%E9%80%92%E5%91%98" 200 # 快递员
expect_json '[.members[].id] | tojson' "[$mem3]"
expect_as claims_officer.a GET '/api/v1/members?hardship=maybe' 400
expect_as claims_officer.a GET '/api/v1/members?employment=pilot' 400
expect_as claims_officer.a GET '/api/v1/members?limit=501' 400
expect_as claims_officer.a GET '/api/v1/members?id=1' 400
own_members=$(db_query "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE o.path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%'")
seen=0 after=0 pages=0
while [[ $pages -lt 100 ]]; do
    call_as supervisor.a GET "/api/v1/members?limit=7&after=$after"
    reg_keep
    [[ $STATUS == 200 ]] || break
    seen=$((seen + $(jq '.members | length' "$TMP/body")))
    pages=$((pages + 1))
    after=$(jq -r '.next_after' "$TMP/body")
    [[ $after == null ]] && break
done
check "member pages of 7 cover the ZJ-01 subtree ($seen of $own_members in $pages pages)" \
    test "$seen" -eq "$own_members"
expect_as unit_staff.b GET "/api/v1/members?id_number=$id1" 200
expect_json '.members | length' '0' # not in ZJ-02's subtree
expect_as unit_staff.b GET "/api/v1/members/$mem1" 404

# change: recorded in the history, audited
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 200 -H 'Content-Type: application/json' \
    --data-binary "{\"phone\": \"13700002222\", \"employer_uscc\": \"$emp2\", \"hardship\": true}"
reg_keep
expect_json '.employer.id' "$emp2_id"
expect_json '.phone_masked' '137****2222'
expect_json '[.history[].field] | sort | tojson' '["employer","hardship","phone"]'
expect_json '.history[0].source' 'api'
expect_json '.history[0].actor' 'unit_staff.a'
expect_json '[.history[] | select(.field == "employer") | .old_value] | .[0]' "$emp1"
expect_json '[.history[] | select(.field == "phone") | .new_value] | .[0]' '137****2222'
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 200 -H 'Content-Type: application/json' \
    --data-binary '{"employment": "ride_hailing", "employer_uscc": ""}'
reg_keep
expect_json '.employer' 'null'
expect_json '.history | length' '5'
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 400 -H 'Content-Type: application/json' \
    --data-binary '{"employment": "standard"}' # standard needs an employer
expect_json '.error.field' 'employer_uscc'
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 400 -H 'Content-Type: application/json' \
    --data-binary "{\"id_number\": \"$id2\"}"
expect_json '.error.field' 'id_number'
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 400 -H 'Content-Type: application/json' \
    --data-binary '{"bank_account": "123"}'
expect_json '.error.code' 'INVALID_BANK_ACCOUNT'
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 404 -H 'Content-Type: application/json' \
    --data-binary "{\"org_id\": $REG_ORG_FOREIGN}"
expect_as unit_staff.a PATCH "/api/v1/members/$mem1" 200 -H 'Content-Type: application/json' \
    --data-binary "{\"org_id\": $org_a1}"
expect_json '.org.id' "$org_a1"
expect_as supervisor.a GET "/api/v1/members/$mem1" 200
reg_keep
expect_json '.history | length' '6'
expect_json '.history[5].field' 'org'
check "member changes audited (3 changing PATCHes)" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'member.update' AND object_id = '$mem1'")" = 3
check "member creation audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'member.create' AND object_id = '$mem1'")" = 1

# the worker's own record
me_id=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.a'")
expect_as member.a GET /api/v1/me 200
reg_keep
expect_json '.id' "$me_id"
expect_json '.id_number_masked | test("^[0-9]{6}[*]{8}[0-9]{3}[0-9X]$")' 'true'
expect_as member.a GET '/api/v1/me?id=1' 400

# --- reveal: plain values, audited with the fields and the reason -------------------

reveal() { # WHO MEMBER FIELDS_JSON REASON STATUS
    expect_as "$1" POST "/api/v1/members/$2/reveal" "$5" -H 'Content-Type: application/json' \
        --data-binary "$(jq -nc --argjson f "$3" --arg r "$4" '{fields: $f, reason: $r}')"
}
audit_before=$(db_query "SELECT count(*) FROM audit_event WHERE action = 'member.reveal'")
reveal unit_staff.a "$mem1" '["id_number"]' '核对参保资格' 200
expect_json '.id_number' "$id1"
expect_json 'has("bank_account")' 'false'
reveal claims_officer.a "$mem1" '["id_number", "bank_account"]' '理赔审核' 200
expect_json '.bank_account' '6222024661099069580'
reveal finance.a "$mem1" '["bank_account"]' '付款核对' 200
expect_json '.bank_account' '6222024661099069580'
reveal finance.a "$mem2" '["bank_account"]' '付款核对' 200
expect_json '.bank_account' 'null'
reveal finance.a "$mem1" '["id_number"]' '付款核对' 403
expect_json '.error.field' 'fields'
reveal unit_staff.a "$mem1" '["bank_account"]' '核对' 403
reveal unit_staff.a "$mem1" '["id_number", "id_number"]' '核对' 400
reveal unit_staff.a "$mem1" '["phone"]' '核对' 400
reveal unit_staff.a "$mem1" '[]' '核对' 400
reveal unit_staff.a "$mem1" '["id_number"]' '   ' 400
expect_json '.error.field' 'reason'
reveal unit_staff.a "$mem1" '["id_number"]' "核对 $id1" 400 # a number in the reason
expect_json '.error.field' 'reason'
reveal unit_staff.a "$mem1" '["id_number"]' "$(printf '因%.0s' $(seq 201))" 400
reveal unit_staff.a "$mem1" '["id_number"]' "$(printf '因%.0s' $(seq 200))" 200
reveal unit_staff.b "$mem1" '["id_number"]' '越权' 404
audit_after=$(db_query "SELECT count(*) FROM audit_event WHERE action = 'member.reveal'")
check "five reveals audited, refusals not ($audit_before -> $audit_after)" \
    test "$audit_after" -eq $((audit_before + 5))
login auditor.a >/dev/null
expect_as auditor.a GET '/api/v1/audit/events?action=member.reveal&limit=10' 200
expect_json '.events[0].action' 'member.reveal'
expect_json ".events | map(select(.object_id == \"$mem1\")) | length >= 4" 'true'
check "the audit list carries the reason and the fields" \
    grep -q '理赔审核' "$TMP/body"
check "the audit list never carries the revealed number" bash -c "! grep -q '$id1' '$TMP/body'"
check "the audit table never holds the revealed numbers" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE detail LIKE '%$id1%' OR detail LIKE '%6222024661099069580%'")" = 0

# --- roster import through the API --------------------------------------------------

# poll_job ID: waits (10 s at most) until the job is done or failed; the last
# body is the job. Counts the polls that saw it unfinished.
poll_job() {
    local i
    REG_POLLS=0
    for i in $(seq 1 100); do
        call_as unit_staff.a GET "/api/v1/imports/$1"
        [[ $STATUS == 200 ]] || return 1
        case $(jq -r .status "$TMP/body") in
        done | failed) return 0 ;;
        esac
        REG_POLLS=$((REG_POLLS + 1))
        sleep 0.1
    done
    return 1
}

upload() { # WHO KIND QUERY FILE [STATUS]
    expect_as "$1" POST "/api/v1/imports/$2?$3" "${5:-202}" -H 'Content-Type: text/csv' \
        --data-binary @"$4"
}

if [[ -f $reg_roster/roster.members.csv ]]; then
    upload unit_staff.a employers "org_id=$REG_ORG_OWN" "$reg_roster/roster.employers.csv"
    expect_json '.status' 'queued'
    expect_header 'Location' "/api/v1/imports/$(jq -r .job_id "$TMP/body")"
    ejob=$(jq -r .job_id "$TMP/body")
    check "employer import finishes" poll_job "$ejob"
    expect_json '.status' 'done'
    expect_json '.summary.rows' '3'
    expect_json '.summary.rejected' '0'
    expect_json '(.summary.inserted + .summary.updated + .summary.unchanged)' '3'

    upload unit_staff.a members "org_id=$REG_ORG_OWN&as_of=2026-11-28" "$reg_roster/roster.members.csv"
    mjob=$(jq -r .job_id "$TMP/body")
    check "member import finishes" poll_job "$mjob"
    reg_keep
    expect_json '.status' 'done'
    expect_json '.kind' 'members'
    expect_json '.org.id' "$REG_ORG_OWN"
    expect_json '.summary.rows' "$(jq .rows "$reg_roster/roster.expect.json")"
    expect_json '(.summary.inserted + .summary.updated + .summary.unchanged)' \
        "$(jq .accepted "$reg_roster/roster.expect.json")"
    expect_json '.summary.rejected' "$(jq '.rejected | length' "$reg_roster/roster.expect.json")"
    expect_json '.bytes_read == .bytes_total' 'true'
    expect_json '.rows' "$(jq .rows "$reg_roster/roster.expect.json")"
    expect_json '.report_url' "/api/v1/imports/$mjob/report.csv"
    expect_as unit_staff.a GET "/api/v1/imports/$mjob/report.csv" 200
    expect_header 'Content-Type' 'text/csv; charset=utf-8'
    expect_header 'Content-Disposition' "attachment; filename=\"import-$mjob-report.csv\""
    expect_header 'Cache-Control' 'no-store'
    check "the report starts with a UTF-8 BOM" test "$(head -c 3 "$TMP/body" | od -An -tx1 | tr -d ' ')" = efbbbf
    check "the report has a line per refused row" \
        test "$(($(wc -l <"$TMP/body") - 1))" -eq "$(jq '.rejected | length' "$reg_roster/roster.expect.json")"
    for row in 5 22 25 26 33 50 69 106 128; do
        want=$(jq -r ".rejected[\"$row\"]" "$reg_roster/roster.expect.json")
        got=$(tr -d '\r' <"$TMP/body" | awk -F, -v r="$row" '$1 == r { print $3 }')
        check "report row $row: $want (got $got)" test "$got" = "$want"
    done
    expect_as admin.a GET "/api/v1/imports/$mjob" 200 # the same subtree
    expect_as admin.b GET "/api/v1/imports/$mjob" 404
    expect_as unit_staff.b GET "/api/v1/imports/$mjob/report.csv" 404
    imported=$(db_query "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE o.code = 'ZJ-01-RG'")
    check "the accepted members are registered with ZJ-01-RG ($imported)" \
        test "$imported" -eq "$(jq .accepted "$reg_roster/roster.expect.json")"

    # the same file again: nothing changes, and it says so
    upload unit_staff.a members "org_id=$REG_ORG_OWN&as_of=2026-11-28" "$reg_roster/roster.members.csv"
    check "re-import finishes" poll_job "$(jq -r .job_id "$TMP/body")"
    expect_json '.summary.inserted' '0'
    expect_json '.summary.updated' '0'
    expect_json '.summary.unchanged' "$(jq .accepted "$reg_roster/roster.expect.json")"

    # the GB18030 copy reads the same
    upload unit_staff.a members "org_id=$REG_ORG_OWN&as_of=2026-11-28" "$reg_roster/roster.members.gbk.csv"
    check "GB18030 re-import finishes" poll_job "$(jq -r .job_id "$TMP/body")"
    expect_json '.summary.unchanged' "$(jq .accepted "$reg_roster/roster.expect.json")"
    check "imports audited" test "$(db_query "SELECT count(*) FROM audit_event WHERE action IN ('member.import', 'employer.import')")" -ge 4
else
    fail "the public sample roster is missing at $reg_roster (set HUZHU_SHARED)"
fi

# a file-level error: failed, nothing written, no report
printf '姓名,手机号\n张三,13800001111\n' >"$TMP/reg_nocol.csv"
upload unit_staff.a members "org_id=$REG_ORG_OWN" "$TMP/reg_nocol.csv"
fjob=$(jq -r .job_id "$TMP/body")
check "the bad file's job ends" poll_job "$fjob"
expect_json '.status' 'failed'
expect_json '.error.code' 'MISSING_COLUMN'
expect_json '.error.column' 'id_number'
expect_json '.summary' 'null'
expect_json '.report_url' 'null'
expect_as unit_staff.a GET "/api/v1/imports/$fjob/report.csv" 409

# progress: a larger roster is seen queued or running before it is done
big=$TMP/reg_big.csv
{
    printf 'name,id_number,employment\n'
    for i in $(seq 1 20000); do printf '批量%d,%s,courier\n' "$i" "11010119${i}"; done
} >"$big"
upload unit_staff.a members "org_id=$org_b" "$big"
bjob=$(jq -r .job_id "$TMP/body")
call_as unit_staff.a GET "/api/v1/imports/$bjob"
first=$(jq -r .status "$TMP/body")
check "a fresh job is queued or running or done ($first)" grep -qE '^(queued|running|done)$' <<<"$first"
expect_json '.bytes_total' "$(stat -c %s "$big")"
check "the big import finishes" poll_job "$bjob"
expect_json '.summary.rows' '20000'
expect_json '.summary.rejected' '20000' # none of them is a valid ID number
expect_json '.rows' '20000'
expect_json '.bytes_read' "$(stat -c %s "$big")"

# refusals of the upload itself
expect_as unit_staff.a POST "/api/v1/imports/members?org_id=$REG_ORG_OWN" 415 \
    -H 'Content-Type: application/json' --data-binary '{"rows": []}'
expect_as unit_staff.a POST "/api/v1/imports/members?org_id=$REG_ORG_OWN" 400 \
    -H 'Content-Type: text/csv' --data-binary ''
expect_as unit_staff.a POST "/api/v1/imports/members?org_id=$REG_ORG_FOREIGN" 404 \
    -H 'Content-Type: text/csv' --data-binary @"$TMP/reg_nocol.csv"
expect_json '.error.field' 'org_id'
expect_as unit_staff.a POST "/api/v1/imports/members?org_id=$REG_ORG_OWN&as_of=2026-02-30" 400 \
    -H 'Content-Type: text/csv' --data-binary @"$TMP/reg_nocol.csv"
expect_json '.error.code' 'INVALID_DATE'
expect_as unit_staff.a POST "/api/v1/imports/members?org=1" 400 \
    -H 'Content-Type: text/csv' --data-binary @"$TMP/reg_nocol.csv"
head -c $((32 * 1024 * 1024 + 1)) /dev/zero >"$TMP/reg_huge.csv"
expect_as unit_staff.a POST "/api/v1/imports/members?org_id=$REG_ORG_OWN" 413 \
    -H 'Content-Type: text/csv' --data-binary @"$TMP/reg_huge.csv"
rm -f "$TMP/reg_huge.csv"
# 2 MiB is past the JSON limit but within the upload limit: accepted as a job
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$TMP/reg_2m.csv"
expect_as unit_staff.a POST "/api/v1/imports/employers?org_id=$REG_ORG_OWN" 202 \
    -H 'Content-Type: text/csv' --data-binary @"$TMP/reg_2m.csv"
check "the 2 MiB job ends" poll_job "$(jq -r .job_id "$TMP/body")"
expect_json '.status' 'failed'
rm -f "$TMP/reg_2m.csv"
expect_as unit_staff.a GET /api/v1/imports/999999 404
expect_as unit_staff.a GET /api/v1/imports/abc 404

# --- no full ID number in any response but the reveal's ------------------------------

check "non-reveal responses never carry a full ID number ($(wc -c <"$TMP/reg_bodies") bytes)" \
    bash -c "! grep -qE '$id1|$id2|$id3|330102197201055064' '$TMP/reg_bodies'"
