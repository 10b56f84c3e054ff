# t_users: user accounts over HTTP (route_users.c): the admin's list, create,
# edit and password reset within their subtree, and every user's change of
# their own password. Valid, invalid and boundary inputs; scope (ZJ-02 is
# outside admin.a's subtree); self-protection; sessions ended; audit events.

U_ORG_OWN=$(db_query "SELECT id FROM org WHERE code = 'ZJ-01'")
U_ORG_FOREIGN=$(db_query "SELECT id FROM org WHERE code = 'ZJ-02'")
U_MEMBER_OWN=$(db_query "SELECT m.id FROM member m JOIN org o ON o.id = m.org_id
    WHERE o.path LIKE (SELECT path FROM org WHERE code = 'ZJ-01') || '%'
    AND m.id NOT IN (SELECT member_id FROM app_user WHERE member_id IS NOT NULL)
    ORDER BY m.id LIMIT 1")
U_MEMBER_FOREIGN=$(db_query "SELECT m.id FROM member m JOIN org o ON o.id = m.org_id
    WHERE o.path LIKE (SELECT path FROM org WHERE code = 'ZJ-02') || '%' ORDER BY m.id LIMIT 1")
U_ADMIN_ID=$(db_query "SELECT id FROM app_user WHERE login = 'admin.a'")
U_PW='Aid-Fund-Newcomer-77'

# as_admin METHOD PATH [JSON]: a request as admin.a.
as_admin() {
    if [[ $# -ge 3 ]]; then
        call_as admin.a "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
    else
        call_as admin.a "$1" "$2"
    fi
}

# new_user LOGIN ROLE ORG_ID [PASSWORD] [MEMBER_ID]: the JSON of a create request.
new_user() {
    jq -nc --arg l "$1" --arg r "$2" --argjson o "$3" --arg p "${4:-$U_PW}" \
        --argjson m "${5:-null}" \
        '{login: $l, display_name: "测试用户", role: $r, org_id: $o, password: $p}
         + (if $m == null then {} else {member_id: $m} end)'
}

# jar_login JAR LOGIN PASSWORD: signs in into a jar of its own; sets STATUS.
jar_login() {
    rm -f "$1"
    req POST /api/v1/session -c "$1" -H 'Content-Type: application/json' \
        --data-binary "$(jq -nc --arg l "$2" --arg p "$3" '{login: $l, password: $p}')"
    [[ $STATUS == 200 ]] && jq -r '.csrf_token' "$TMP/body" >"$1.csrf"
}

# jar_call JAR METHOD PATH [JSON]
jar_call() {
    local jar=$1 method=$2 path=$3
    local csrf=
    [[ -f $jar.csrf ]] && csrf=$(cat "$jar.csrf")
    if [[ $# -ge 4 ]]; then
        req "$method" "$path" -b "$jar" -H "X-CSRF-Token: $csrf" \
            -H 'Content-Type: application/json' --data-binary "$4"
    else
        req "$method" "$path" -b "$jar" -H "X-CSRF-Token: $csrf"
    fi
}

login admin.a >/dev/null

# --- list -------------------------------------------------------------------

as_admin GET '/api/v1/users?limit=500'
check "GET /users as admin -> 200 ($STATUS)" test "$STATUS" = 200
expect_json '[.users[] | select(.login == "fx.user.own")] | length' 1
expect_json '[.users[] | select(.login == "fx.user.foreign" or .login == "admin.b")] | length' 0
expect_json '[.users[] | select(.org.code | startswith("ZJ-01") | not)] | length' 0
check "no password hash in the list" bash -c "! grep -qi 'hash\|argon' '$TMP/body'"
expect_json '.users | map(.id) | . == sort' true

as_admin GET '/api/v1/users?role=finance&login=FX.&disabled=false'
expect_json '[.users[].login] | join(",")' 'fx.user.own'
as_admin GET '/api/v1/users?role=auditor'
expect_json '[.users[].role] | unique | join(",")' 'auditor'
as_admin GET '/api/v1/users?limit=1'
expect_json '.users | length' 1
first_id=$(jq -r '.users[0].id' "$TMP/body")
expect_json '.next_after_id' "$first_id"
as_admin GET "/api/v1/users?limit=1&after_id=$first_id"
check "the next page starts after the first" test "$(jq -r '.users[0].id' "$TMP/body")" -gt "$first_id"

as_admin GET '/api/v1/users?role=boss'
expect_error 400 INVALID_INPUT role
as_admin GET '/api/v1/users?disabled=maybe'
expect_error 400 INVALID_INPUT disabled
as_admin GET '/api/v1/users?login=a%20b'
expect_error 400 INVALID_INPUT login
as_admin GET '/api/v1/users?colour=red'
expect_error 400 INVALID_INPUT colour

# --- create -----------------------------------------------------------------

as_admin POST /api/v1/users "$(new_user Fin.New finance "$U_ORG_OWN")"
check "create a finance user -> 201 ($STATUS $(head -c 200 "$TMP/body"))" test "$STATUS" = 201
expect_json '.login' 'fin.new'
expect_json '.role' 'finance'
expect_json '.org.code' 'ZJ-01'
expect_json '.disabled' 'false'
expect_json '.member_id' 'null'
expect_json 'has("password") or has("password_hash")' 'false'
FIN_NEW=$(jq -r '.id' "$TMP/body")
login fin.new "$U_PW" -H 'X-Forwarded-For: 203.0.113.77'
check "the new user signs in ($STATUS)" test "$STATUS" = 200

as_admin POST /api/v1/users "$(new_user FIN.NEW auditor "$U_ORG_OWN")"
expect_error 409 ALREADY_EXISTS login
as_admin POST /api/v1/users "$(new_user weak.one finance "$U_ORG_OWN" short)"
expect_error 422 WEAK_PASSWORD password
as_admin POST /api/v1/users "$(new_user weak.two finance "$U_ORG_OWN" password123)"
expect_error 422 WEAK_PASSWORD password
as_admin POST /api/v1/users "$(new_user weak.three.x finance "$U_ORG_OWN" weak.three.x)"
expect_error 422 WEAK_PASSWORD password
as_admin POST /api/v1/users "$(new_user bad.role boss "$U_ORG_OWN")"
expect_error 400 INVALID_INPUT role
as_admin POST /api/v1/users "$(new_user far.away finance "$U_ORG_FOREIGN")"
expect_error 404 NOT_FOUND org_id
as_admin POST /api/v1/users "$(new_user no.org finance 999999)"
expect_error 404 NOT_FOUND org_id
as_admin POST /api/v1/users "$(new_user bad/login finance "$U_ORG_OWN")"
expect_error 400 INVALID_INPUT login
as_admin POST /api/v1/users "$(new_user m.none member "$U_ORG_OWN")"
expect_error 400 INVALID_INPUT member_id
as_admin POST /api/v1/users "$(new_user m.wrong finance "$U_ORG_OWN" "$U_PW" "$U_MEMBER_OWN")"
expect_error 400 INVALID_INPUT member_id
as_admin POST /api/v1/users "$(new_user m.far member "$U_ORG_OWN" "$U_PW" "$U_MEMBER_FOREIGN")"
expect_error 404 NOT_FOUND member_id
as_admin POST /api/v1/users "$(new_user m.near member "$U_ORG_OWN" "$U_PW" "$U_MEMBER_OWN")"
check "create a member account for a member of the subtree -> 201 ($STATUS)" test "$STATUS" = 201
expect_json '.member_id' "$U_MEMBER_OWN"
as_admin POST /api/v1/users '{"login":"x.extra","role":"finance","org_id":1,"password":"Aid-Fund-Newcomer-77","shoe":1}'
expect_error 400 UNKNOWN_FIELD shoe
as_admin POST /api/v1/users '{"login":"x.noorg","role":"finance","password":"Aid-Fund-Newcomer-77"}'
expect_error 400 MISSING_FIELD org_id

# login length: 2 and 64 are accepted, 1 and 65 refused
login64=$(printf 'l%.0s' $(seq 1 64))
as_admin POST /api/v1/users "$(new_user ab finance "$U_ORG_OWN")"
check "a 2-character login -> 201 ($STATUS)" test "$STATUS" = 201
as_admin POST /api/v1/users "$(new_user "$login64" finance "$U_ORG_OWN")"
check "a 64-character login -> 201 ($STATUS)" test "$STATUS" = 201
as_admin POST /api/v1/users "$(new_user "${login64}m" finance "$U_ORG_OWN")"
expect_error 400 INVALID_INPUT login
as_admin POST /api/v1/users "$(new_user a finance "$U_ORG_OWN")"
expect_error 400 INVALID_INPUT login
check "refused creations left no account" \
    test "$(db_query "SELECT count(*) FROM app_user WHERE login IN ('weak.one', 'bad.role',
        'far.away', 'm.far', 'm.none', '${login64}m', 'a')")" = 0

# --- edit -------------------------------------------------------------------

as_admin PATCH "/api/v1/users/$FIN_NEW" '{"display_name":"新名字","role":"auditor"}'
check "PATCH name and role -> 200 ($STATUS)" test "$STATUS" = 200
expect_json '.display_name' '新名字'
expect_json '.role' 'auditor'
as_admin PATCH "/api/v1/users/$FIN_NEW" '{"role":"member"}'
expect_error 400 INVALID_INPUT role
as_admin PATCH "/api/v1/users/$FIN_NEW" '{"role":"chief"}'
expect_error 400 INVALID_INPUT role
as_admin PATCH "/api/v1/users/$FIN_NEW" "{\"org_id\":$U_ORG_FOREIGN}"
expect_error 404 NOT_FOUND org_id
as_admin PATCH "/api/v1/users/$FIN_NEW" '{}'
expect_error 400 INVALID_INPUT
as_admin PATCH "/api/v1/users/$FIN_NEW" '{"disabled":"yes"}'
expect_error 400 BAD_TYPE disabled
as_admin PATCH "/api/v1/users/$ID_user_foreign" '{"display_name":"x"}'
expect_error 404 NOT_FOUND id
as_admin PATCH /api/v1/users/99999999 '{"display_name":"x"}'
expect_error 404 NOT_FOUND id
check "the foreign account is unchanged" \
    test "$(db_query "SELECT display_name FROM app_user WHERE id = $ID_user_foreign")" = ''

sub_org=$(db_query "SELECT id FROM org WHERE code LIKE 'ZJ-01-%' ORDER BY id LIMIT 1")
as_admin PATCH "/api/v1/users/$FIN_NEW" "{\"org_id\":$sub_org}"
check "PATCH org to a unit of the subtree -> 200 ($STATUS)" test "$STATUS" = 200
expect_json '.org.id' "$sub_org"

# disabling ends the user's sessions and refuses their sign-in
call_as fin.new GET /api/v1/session
check "fin.new's session is live before disabling ($STATUS)" test "$STATUS" = 200
as_admin PATCH "/api/v1/users/$FIN_NEW" '{"disabled":true}'
expect_json '.disabled' 'true'
call_as fin.new GET /api/v1/session
expect_error 401 UNAUTHENTICATED
check "disabling revoked the sessions" \
    test "$(db_query "SELECT count(*) FROM session WHERE user_id = $FIN_NEW AND revoked = 0")" = 0
login fin.new "$U_PW" -H 'X-Forwarded-For: 203.0.113.77'
check "a disabled user cannot sign in ($STATUS)" test "$STATUS" = 401
as_admin GET '/api/v1/users?disabled=true&login=fin.'
expect_json '[.users[].login] | join(",")' 'fin.new'
as_admin PATCH "/api/v1/users/$FIN_NEW" '{"disabled":false}'
expect_json '.disabled' 'false'
login fin.new "$U_PW" -H 'X-Forwarded-For: 203.0.113.77'
check "enabled again, the user signs in ($STATUS)" test "$STATUS" = 200

# self-protection
as_admin PATCH "/api/v1/users/$U_ADMIN_ID" '{"disabled":true}'
expect_error 422 SELF_CHANGE_REFUSED disabled
as_admin PATCH "/api/v1/users/$U_ADMIN_ID" '{"role":"finance"}'
expect_error 422 SELF_CHANGE_REFUSED role
as_admin PATCH "/api/v1/users/$U_ADMIN_ID" "{\"org_id\":$sub_org}"
expect_error 422 SELF_CHANGE_REFUSED org_id
as_admin POST "/api/v1/users/$U_ADMIN_ID/password" "{\"password\":\"$U_PW\"}"
expect_error 422 SELF_CHANGE_REFUSED
as_admin PATCH "/api/v1/users/$U_ADMIN_ID" '{"display_name":"管理员甲"}'
check "an admin may rename themselves ($STATUS)" test "$STATUS" = 200
check "admin.a is still an enabled admin" \
    test "$(db_query "SELECT role || disabled FROM app_user WHERE id = $U_ADMIN_ID")" = admin0

# --- admin reset --------------------------------------------------------------

U_PW2='Second-Lantern-Path-42'
as_admin POST "/api/v1/users/$FIN_NEW/password" '{"password":"fin.new"}'
expect_error 422 WEAK_PASSWORD password
as_admin POST "/api/v1/users/$ID_user_foreign/password" "{\"password\":\"$U_PW2\"}"
expect_error 404 NOT_FOUND id
as_admin POST "/api/v1/users/$FIN_NEW/password" "{\"password\":\"$U_PW2\"}"
check "admin reset -> 200 ($STATUS)" test "$STATUS" = 200
expect_json '.password_changed' 'true'
call_as fin.new GET /api/v1/session
expect_error 401 UNAUTHENTICATED
login fin.new "$U_PW" -H 'X-Forwarded-For: 203.0.113.77'
check "the old password is refused after a reset ($STATUS)" test "$STATUS" = 401
login fin.new "$U_PW2" -H 'X-Forwarded-For: 203.0.113.77'
check "the new password works after a reset ($STATUS)" test "$STATUS" = 200

# --- own password ------------------------------------------------------------

jar_login "$TMP/jar.own1" fin.new "$U_PW2"
jar_login "$TMP/jar.own2" fin.new "$U_PW2"
U_PW3='Third-Harbour-Bell-58'
jar_call "$TMP/jar.own1" POST /api/v1/session/password \
    "{\"current_password\":\"wrong-password-1\",\"new_password\":\"$U_PW3\"}"
expect_error 401 UNAUTHENTICATED current_password
jar_call "$TMP/jar.own1" GET /api/v1/session
check "a wrong current password does not sign out ($STATUS)" test "$STATUS" = 200
jar_call "$TMP/jar.own1" POST /api/v1/session/password \
    "{\"current_password\":\"$U_PW2\",\"new_password\":\"short\"}"
expect_error 422 WEAK_PASSWORD new_password
jar_call "$TMP/jar.own1" POST /api/v1/session/password \
    "{\"current_password\":\"$U_PW2\",\"new_password\":\"fin.new\"}"
expect_error 422 WEAK_PASSWORD new_password
jar_call "$TMP/jar.own1" POST /api/v1/session/password "{\"current_password\":\"$U_PW2\"}"
expect_error 400 MISSING_FIELD new_password
jar_call "$TMP/jar.own1" POST /api/v1/session/password \
    "{\"current_password\":\"$U_PW2\",\"new_password\":\"$U_PW3\"}"
check "own change -> 200 ($STATUS)" test "$STATUS" = 200
jar_call "$TMP/jar.own1" GET /api/v1/session
check "the session that changed it stays signed in ($STATUS)" test "$STATUS" = 200
jar_call "$TMP/jar.own2" GET /api/v1/session
expect_error 401 UNAUTHENTICATED
call_as fin.new GET /api/v1/session
check "older sessions of the user are revoked ($STATUS)" test "$STATUS" = 401
login fin.new "$U_PW2" -H 'X-Forwarded-For: 203.0.113.77'
check "the old password is refused after the change ($STATUS)" test "$STATUS" = 401
login fin.new "$U_PW3" -H 'X-Forwarded-For: 203.0.113.77'
check "the new password works after the change ($STATUS)" test "$STATUS" = 200

# wrong current passwords count like failed logins: past the limit, 429
as_admin POST /api/v1/users "$(new_user guess.me claims_officer "$U_ORG_OWN")"
jar_login "$TMP/jar.guess" guess.me "$U_PW"
for i in 1 2 3 4 5; do
    jar_call "$TMP/jar.guess" POST /api/v1/session/password \
        "{\"current_password\":\"not-it-$i-xxxx\",\"new_password\":\"$U_PW3\"}"
done
check "the fifth wrong current password -> 401 ($STATUS)" test "$STATUS" = 401
jar_call "$TMP/jar.guess" POST /api/v1/session/password \
    "{\"current_password\":\"$U_PW\",\"new_password\":\"$U_PW3\"}"
expect_error 429 RATE_LIMITED
expect_header_present Retry-After
login guess.me "$U_PW" -H 'X-Forwarded-For: 203.0.113.77'
check "the login is limited too after guessing ($STATUS)" test "$STATUS" = 429

# --- audit --------------------------------------------------------------------

check "user.create audited with admin.a as actor" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'user.create'
        AND actor_login = 'admin.a' AND object_id = '$FIN_NEW'")" = 1
check "user.update audited (4 changes of fin.new and one rename)" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'user.update'
        AND actor_login = 'admin.a'")" -ge 5
check "admin reset and own change audited as user.passwd" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'user.passwd'
        AND object_id = '$FIN_NEW'")" = 2
check "wrong current passwords audited" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE action = 'user.passwd_own_failed'")" -ge 6
check "no audit detail holds a password" \
    test "$(db_query "SELECT count(*) FROM audit_event WHERE detail LIKE '%Lantern%'
        OR detail LIKE '%Harbour%' OR detail LIKE '%Newcomer%'")" = 0
