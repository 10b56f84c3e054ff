# tests/api/lib.sh: assertions for the API suite, sourced by tests/api/run.
#
# The runner sets BASE (http://127.0.0.1:PORT), TMP (scratch directory) and
# SERVER_PID. Each request leaves its status in STATUS, its body in
# "$TMP/body" and its headers in "$TMP/headers"; expect_* check the last one.
# Every expect_* is one assertion: it prints "ok" or "FAIL ..." and counts.
#
#   expect_status METHOD PATH [BODY] STATUS   request (BODY sent as JSON), check status
#   expect_json JQ_FILTER EXPECTED            jq -r filter of the last body equals EXPECTED
#   expect_header NAME EXPECTED               header of the last response equals EXPECTED
#   expect_header_present NAME                header is there
#   expect_alive                              the server process still runs
#   check DESCRIPTION COMMAND...              COMMAND exits 0
#   req METHOD PATH [curl args...]            a request without assertion

PASSED=0
FAILED=0
CURRENT_TEST=${CURRENT_TEST:-}

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok   %s: %s\n' "$CURRENT_TEST" "$1"
}

fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s: %s\n' "$CURRENT_TEST" "$1"
}

# req METHOD PATH [curl args...]: sets STATUS, writes $TMP/body and $TMP/headers.
req() {
    local method=$1 path=$2
    shift 2
    local how=(-X "$method")
    [[ $method == HEAD ]] && how=(--head) # -X HEAD would wait for a body
    # a failed send (the server answered early and closed) still has a status
    STATUS=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 20 \
        "${how[@]}" "$@" "$BASE$path")
    [[ -n $STATUS ]] || STATUS=000
    LAST="$method $path"
}

# expect_status METHOD PATH [BODY] STATUS
expect_status() {
    local method=$1 path=$2 body want
    if [[ $# -eq 4 ]]; then
        body=$3 want=$4
        req "$method" "$path" -H 'Content-Type: application/json' --data-binary "$body"
    else
        want=$3
        req "$method" "$path"
    fi
    if [[ $STATUS == "$want" ]]; then
        pass "$LAST -> $want"
    else
        fail "$LAST: status $STATUS, expected $want; body: $(head -c 300 "$TMP/body")"
    fi
}

# expect_json FILTER EXPECTED
expect_json() {
    local got
    got=$(jq -r "$1" "$TMP/body" 2>/dev/null) || got="(not JSON: $(head -c 200 "$TMP/body"))"
    if [[ $got == "$2" ]]; then
        pass "$LAST: $1 == $2"
    else
        fail "$LAST: $1 is '$got', expected '$2'"
    fi
}

# Value of header NAME in the last response ("" if absent).
header() {
    awk -v name="$1" 'BEGIN { name = tolower(name) }
        { line = $0; sub(/\r$/, "", line); i = index(line, ":") }
        i > 0 && tolower(substr(line, 1, i - 1)) == name {
            v = substr(line, i + 1); sub(/^[ \t]+/, "", v); print v; exit }' "$TMP/headers"
}

expect_header() {
    local got
    got=$(header "$1")
    if [[ $got == "$2" ]]; then
        pass "$LAST: header $1: $2"
    else
        fail "$LAST: header $1 is '$got', expected '$2'"
    fi
}

expect_header_present() {
    if [[ -n $(header "$1") ]]; then
        pass "$LAST: header $1 present"
    else
        fail "$LAST: header $1 missing"
    fi
}

expect_alive() {
    local state
    state=$(ps -o stat= -p "$SERVER_PID" 2>/dev/null)
    if [[ -n $state && $state != Z* ]]; then # a zombie is a dead server not yet reaped
        pass "server alive"
    else
        fail "server died"
    fi
}

# check DESCRIPTION COMMAND...
check() {
    local what=$1
    shift
    if "$@"; then
        pass "$what"
    else
        fail "$what"
    fi
}

# An error response in the house shape: status, .error.code, and field.
expect_error() { # expect_error STATUS CODE [FIELD]
    if [[ $STATUS == "$1" ]]; then
        pass "$LAST -> $1"
    else
        fail "$LAST: status $STATUS, expected $1; body: $(head -c 300 "$TMP/body")"
    fi
    expect_json '.error.code' "$2"
    if [[ $# -ge 3 ]]; then
        expect_json '.error.field' "$3"
    fi
    expect_header 'Content-Type' 'application/json; charset=utf-8'
}

# --- accounts and sessions (security tests) --------------------------------
#
# setup_accounts (run once by the runner, before the server starts) creates
# for every role R of ROLES the account "R.a" at ZJ-01 and "R.b" at ZJ-02,
# sibling cities of the demo province (members: "member.a" is a member
# registered under ZJ-01, "member.b" one under ZJ-02), all with password
# TEST_PASSWORD. Then:
#
#   login LOGIN [PASSWORD] [curl args...]  POST /session; on 200 keeps the cookie in
#                                          $TMP/jar.LOGIN and the CSRF token in
#                                          $TMP/csrf.LOGIN
#   call_as LOGIN METHOD PATH [args...]    a request with LOGIN's cookie and CSRF token
#   expect_as LOGIN METHOD PATH STATUS     the same, asserting the status
#   cookie_attr NAME                       whether the last Set-Cookie has attribute NAME
#   db_query SQL                           one query on the suite's database (sqlite3/psql)

ROLES=(admin supervisor unit_staff claims_officer claims_approver finance auditor member)
TEST_PASSWORD='Mutual-Aid-Test-2026'

db_query() {
    if [[ $DB == postgres* ]]; then
        psql -qAt "$DB" -c "$1"
    else
        sqlite3 "$DB" "$1"
    fi
}

# add_user LOGIN ROLE ORG_CODE [MEMBER_ID]
add_user() {
    local extra=()
    [[ $# -ge 4 ]] && extra=(--member-id "$4")
    printf '%s\n' "${PASSWORD:-$TEST_PASSWORD}" |
        "$HUZHU" user add --db "$DB" --login "$1" --role "$2" --org "$3" "${extra[@]}"
}

setup_accounts() {
    local side code role mid mcode
    for side in a b; do
        code=ZJ-01
        [[ $side == b ]] && code=ZJ-02
        for role in "${ROLES[@]}"; do
            if [[ $role == member ]]; then
                read -r mid mcode < <(db_query "SELECT m.id || ' ' || o.code FROM member m
                    JOIN org o ON o.id = m.org_id WHERE o.code LIKE '$code-%' ORDER BY m.id LIMIT 1")
                [[ -n $mid ]] || { echo "no member under $code"; return 1; }
                add_user "member.$side" member "$mcode" "$mid" || return 1
            else
                add_user "$role.$side" "$role" "$code" || return 1
            fi
        done
    done
}

# login LOGIN [PASSWORD] [curl args...]
login() {
    local who=$1 pw=${2-$TEST_PASSWORD}
    shift $(($# >= 2 ? 2 : 1))
    rm -f "$TMP/jar.$who"
    req POST /api/v1/session -c "$TMP/jar.$who" -H 'Content-Type: application/json' \
        --data-binary "$(jq -nc --arg l "$who" --arg p "$pw" '{login: $l, password: $p}')" "$@"
    if [[ $STATUS == 200 ]]; then
        jq -r '.csrf_token' "$TMP/body" >"$TMP/csrf.$who"
    fi
}

# call_as LOGIN METHOD PATH [curl args...]
call_as() {
    local who=$1 method=$2 path=$3
    shift 3
    local csrf=
    [[ -f $TMP/csrf.$who ]] && csrf=$(cat "$TMP/csrf.$who")
    req "$method" "$path" -b "$TMP/jar.$who" -H "X-CSRF-Token: $csrf" "$@"
    LAST="$who: $method $path"
}

# expect_as LOGIN METHOD PATH STATUS [curl args...]
expect_as() {
    local who=$1 method=$2 path=$3 want=$4
    shift 4
    call_as "$who" "$method" "$path" "$@"
    if [[ $STATUS == "$want" ]]; then
        pass "$LAST -> $want"
    else
        fail "$LAST: status $STATUS, expected $want; body: $(head -c 300 "$TMP/body")"
    fi
}

# cookie_attr NAME: the last response's Set-Cookie carries attribute NAME
# ("HttpOnly", "SameSite=Strict", "Path=/", "Secure"), case-insensitive.
cookie_attr() {
    header 'Set-Cookie' | tr ';' '\n' | sed 's/^ *//' | grep -qix -- "$1"
}

# start_server PORTVAR [serve options...]: another `huzhu serve` on the
# suite's database and a free port; sets PORTVAR to its base URL. The runner
# kills it at exit; stop_server BASEURL ends it earlier.
start_server() {
    local var=$1 log pid port
    shift
    log=$TMP/server.$RANDOM.log
    HUZHU_LOG=info "$HUZHU" serve --db "$DB" --listen 127.0.0.1:0 --threads 2 "$@" >"$log" 2>&1 &
    pid=$!
    EXTRA_PIDS+=("$pid")
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$log")
        if [[ -n $port ]]; then
            printf -v "$var" 'http://127.0.0.1:%s' "$port"
            echo "$pid" >"$TMP/pid.$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log"
    return 1
}

stop_server() {
    local port=${1##*:} pid
    pid=$(cat "$TMP/pid.$port" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
