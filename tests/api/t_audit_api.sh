# t_audit_api: GET /api/v1/audit/events and /audit/verify for auditors and
# administrators, scoped to the caller's subtree (the role rules themselves
# are in the matrix, t_authz).

for who in unit_staff.a finance.a claims_officer.a supervisor.a admin.b; do
    login "$who" # events by ZJ-01 actors, and one by a ZJ-02 actor
done
login unit_staff.a 'Wrong-Password-1' -H 'X-Forwarded-For: 203.0.113.50' # a failure
login auditor.a
login auditor.b

expect_as auditor.a GET '/api/v1/audit/events?limit=5' 200
expect_json '.events | length' '5'
expect_json '.events[0].seq > .events[4].seq' 'true'
expect_json '.events[0] | has("hash") and has("prev_hash") and has("detail") and has("request_id")' 'true'
expect_json '.next_before_seq == .events[4].seq' 'true'
next=$(jq -r '.next_before_seq' "$TMP/body")
expect_as auditor.a GET "/api/v1/audit/events?limit=5&before_seq=$next" 200
expect_json "[.events[].seq | select(. >= $next)] | length" '0'

# scope: a ZJ-01 auditor never sees ZJ-02 actors; the ZJ-02 auditor does
expect_as auditor.a GET '/api/v1/audit/events?actor=admin.b&action=session.login' 200
expect_json '.events | length' '0'
expect_as auditor.b GET '/api/v1/audit/events?actor=admin.b&action=session.login' 200
check "the ZJ-02 auditor sees admin.b's sign-ins" test "$(jq '.events | length' "$TMP/body")" -ge 1
expect_json '[.events[] | .actor.login] | unique | tojson' '["admin.b"]'
expect_as auditor.a GET '/api/v1/audit/events?limit=500' 200
own_org_ids=$(db_query "SELECT id FROM org WHERE path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%'" | tr '\n' ',')
all_own=$(jq --arg ids ",$own_org_ids" \
    '[.events[] | .actor.org_id as $o | $ids | contains("," + ($o | tostring) + ",")] | all' "$TMP/body")
check "every event listed for ZJ-01 has a ZJ-01 actor ($(jq '.events | length' "$TMP/body") events)" \
    test "$all_own" = true
check "sign-in failures are listed too" \
    eval "curl -s -b '$TMP/jar.auditor.a' '$BASE/api/v1/audit/events?action=session.login_failed&limit=500' | jq -e '.events | length > 0' >/dev/null"

# filters and their validation
expect_as auditor.a GET '/api/v1/audit/events?from=2000-01-01&to=2000-01-02' 200
expect_json '.events | length' '0'
expect_json '.next_before_seq' 'null'
expect_as auditor.a GET '/api/v1/audit/events?from=2000-01-01&object_type=session&action=session.login' 200
expect_json '[.events[] | .object_type] | unique | tojson' '["session"]'
expect_as auditor.a GET '/api/v1/audit/events?limit=0' 400
expect_json '.error.field' 'limit'
expect_as auditor.a GET '/api/v1/audit/events?limit=501' 400
expect_as auditor.a GET '/api/v1/audit/events?before_seq=-1' 400
expect_as auditor.a GET '/api/v1/audit/events?from=yesterday' 400
expect_json '.error.field' 'from'
expect_as auditor.a GET '/api/v1/audit/events?org=1' 400
expect_json '.error.field' 'org'
expect_as auditor.a GET '/api/v1/audit/events?limit=1&limit=2' 400

expect_as auditor.a GET /api/v1/audit/verify 200
expect_json '.intact' 'true'
expect_json '.reason' "$(jq -r .reason "$TMP/body")"
expect_json '.events == .head_seq' 'true'
expect_json '.head_hash | test("^[0-9a-f]{64}$")' 'true'
