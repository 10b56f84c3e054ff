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
