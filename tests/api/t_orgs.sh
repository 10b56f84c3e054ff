# t_orgs: the organisation tree within the caller's subtree, and the
# registry summary (the role rules are in the matrix, t_authz).

login unit_staff.a
zj01_count=$(db_query "SELECT count(*) FROM org WHERE path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%'")
expect_as unit_staff.a GET '/api/v1/orgs?limit=500' 200
expect_json '.orgs | length' "$zj01_count"
expect_json '.orgs[0].code' 'ZJ-01'
expect_json '[.orgs[].code | test("^ZJ-01($|-)")] | all' 'true'
expect_json '.orgs[0] | keys | tojson' '["code","division_code","id","level","name","parent_id"]'
expect_json '.next_after_id' 'null'

# keyset pages of 5 walk the same subtree
seen=0 after=0 pages=0
while [[ $pages -lt 20 ]]; do
    call_as unit_staff.a GET "/api/v1/orgs?limit=5&after_id=$after"
    [[ $STATUS == 200 ]] || break
    seen=$((seen + $(jq '.orgs | length' "$TMP/body")))
    pages=$((pages + 1))
    after=$(jq -r '.next_after_id' "$TMP/body")
    [[ $after == null ]] && break
done
check "pages of 5 cover the subtree ($seen of $zj01_count in $pages pages)" test "$seen" -eq "$zj01_count"
expect_as unit_staff.a GET '/api/v1/orgs?limit=501' 400
expect_as unit_staff.a GET '/api/v1/orgs?after=1' 400

own_id=$(db_query "SELECT id FROM org WHERE code = 'ZJ-01-02'")
foreign_id=$(db_query "SELECT id FROM org WHERE code = 'ZJ-02-01'")
root_id=$(db_query "SELECT id FROM org WHERE code = 'ZJ'")
expect_as unit_staff.a GET "/api/v1/orgs/$own_id" 200
expect_json '.code' 'ZJ-01-02'
expect_json '.level' 'district'
expect_as unit_staff.a GET "/api/v1/orgs/$foreign_id" 404
expect_json '.error.code' 'NOT_FOUND'
not_found_body=$(jq -c . "$TMP/body")
expect_as unit_staff.a GET "/api/v1/orgs/$root_id" 404 # the parent is outside too
expect_as unit_staff.a GET /api/v1/orgs/999999 404
check "out of scope and nonexistent answer alike" test "$(jq -c . "$TMP/body")" = "$not_found_body"
expect_as unit_staff.a GET /api/v1/orgs/0 404
expect_as unit_staff.a GET /api/v1/orgs/-3 404
expect_as unit_staff.a GET /api/v1/orgs/1e3 404

# registry summary: counts of the caller's subtree, from the primary here
login supervisor.a
login supervisor.b
expect_as supervisor.a GET /api/v1/reports/registry-summary 200
expect_header 'X-Huzhu-Read-Source' 'primary'
expect_json '.org.code' 'ZJ-01'
expect_json '.orgs' "$zj01_count"
want_members=$(db_query "SELECT count(*) FROM member WHERE org_id IN (SELECT id FROM org WHERE path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%')")
want_employers=$(db_query "SELECT count(*) FROM employer WHERE org_id IN (SELECT id FROM org WHERE path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%')")
expect_json '.members' "$want_members"
expect_json '.employers' "$want_employers"
a_members=$(jq .members "$TMP/body")
expect_as supervisor.b GET /api/v1/reports/registry-summary 200
expect_json '.org.code' 'ZJ-02'
total=$(db_query "SELECT count(*) FROM member")
check "ZJ-01 and ZJ-02 counts differ and stay within the total ($a_members, $(jq .members "$TMP/body") of $total)" \
    test "$((a_members + $(jq .members "$TMP/body")))" -le "$total"
expect_as supervisor.a GET '/api/v1/reports/registry-summary?org=1' 400
