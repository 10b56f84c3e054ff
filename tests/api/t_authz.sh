# t_authz: the authorisation matrix. Every route of `huzhu routes` x every
# role (and anon) x own/foreign scope must have a row in authz_matrix.tsv,
# and every row is called against the server and its status asserted. See
# the header of authz_matrix.tsv for the format and how to add rows.

MATRIX=$here/authz_matrix.tsv

"$HUZHU" routes >"$TMP/routes.tsv"
check "huzhu routes prints the route table" test -s "$TMP/routes.tsv"

# matrix_gaps ROUTES MATRIX: one line per problem (a route x role x scope
# without a row, a row for no route, a malformed row); nothing when complete.
matrix_gaps() {
    awk -F'\t' -v roles="anon ${ROLES[*]}" '
        BEGIN { n = split(roles, R, " "); for (i = 1; i <= n; i++) known[R[i]] = 1 }
        FNR == NR { key = $1 " " $2; route[key] = 1; params[key] = ($2 ~ /\/:/); next }
        /^#/ || NF == 0 { next }
        {
            key = $1 " " $2
            if (NF < 5 || !($3 in known) || $4 !~ /^(none|own|foreign)$/ || $5 !~ /^[1-5][0-9][0-9]$/) {
                print "malformed row " FNR ": " $0; next
            }
            if (!(key in route)) { print "row " FNR " names no route: " key; next }
            if (params[key] && $4 == "none") { print "row " FNR ": " key " has ids: scope must be own or foreign"; next }
            if (!params[key] && $4 != "none") { print "row " FNR ": " key " has no ids: scope must be none"; next }
            if (params[key] && NF < 6) { print "row " FNR ": " key " needs PARAMS (NAME=KIND)"; next }
            have[key " " $3 " " $4] = 1
        }
        END {
            for (key in route) for (i = 1; i <= n; i++) {
                if (params[key]) {
                    if (!((key " " R[i] " own") in have)) print "no matrix row: " key " " R[i] " own"
                    if (!((key " " R[i] " foreign") in have)) print "no matrix row: " key " " R[i] " foreign"
                } else if (!((key " " R[i] " none") in have)) {
                    print "no matrix row: " key " " R[i] " none"
                }
            }
        }' "$1" "$2"
}

matrix_gaps "$TMP/routes.tsv" "$MATRIX" >"$TMP/gaps"
if [[ -s $TMP/gaps ]]; then
    fail "authz_matrix.tsv does not cover the route table ($(wc -l <"$TMP/gaps") gaps):"
    sed 's/^/    /' "$TMP/gaps" | head -40
else
    pass "authz_matrix.tsv covers every route x role x scope ($(wc -l <"$TMP/routes.tsv") routes)"
fi
# the check itself must be able to fail: a new route without rows, a stale row
{ cat "$TMP/routes.tsv"; printf 'GET\t/api/v1/new-thing/:id\tadmin\tnone\n'; } >"$TMP/routes+"
matrix_gaps "$TMP/routes+" "$MATRIX" >"$TMP/gaps"
check "a route without matrix rows is reported (18 gaps)" \
    test "$(grep -c '^no matrix row: GET /api/v1/new-thing/:id' "$TMP/gaps")" -eq 18
grep -v $'^GET\t/api/v1/health\t' "$TMP/routes.tsv" >"$TMP/routes-"
matrix_gaps "$TMP/routes-" "$MATRIX" >"$TMP/gaps"
check "a matrix row for a removed route is reported" grep -q 'names no route: GET /api/v1/health' "$TMP/gaps"

# --- walking it --------------------------------------------------------------

ORG_OWN=$(db_query "SELECT id FROM org WHERE code = 'ZJ-01'")
ORG_FOREIGN=$(db_query "SELECT id FROM org WHERE code = 'ZJ-02'")
MEMBER_OWN=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.a'")
MEMBER_FOREIGN=$(db_query "SELECT member_id FROM app_user WHERE login = 'member.b'")

# The id of the caller's session in jar (its "current" one).
session_id_of_jar() {
    curl -s -b "$1" "$BASE/api/v1/sessions" | jq -r '.sessions[] | select(.current) | .id'
}

# A session of the caller's own, opened for the row to revoke.
spare_session() {
    local jar=$TMP/jar.spare
    rm -f "$jar"
    curl -s -o /dev/null -c "$jar" -H 'Content-Type: application/json' \
        --data-binary "$(jq -nc --arg l "$1" --arg p "$TEST_PASSWORD" '{login: $l, password: $p}')" \
        "$BASE/api/v1/session"
    session_id_of_jar "$jar"
}

# matrix_id KIND SCOPE ROLE: the id a :param of KIND takes for the row.
matrix_id() {
    local kind=$1 scope=$2 role=$3
    case $kind:$scope in
    org:own) echo "$ORG_OWN" ;;
    org:foreign) echo "$ORG_FOREIGN" ;;
    member:own) echo "$MEMBER_OWN" ;;
    member:foreign) echo "$MEMBER_FOREIGN" ;;
    session:own) [[ $role == anon ]] && echo 1 || spare_session "$role.a" ;;
    session:foreign) echo "$FOREIGN_SESSION" ;;
    *)
        # Other kinds come from tests/api/fixtures/*.sh: ID_<kind>_<scope>.
        local var="ID_${kind}_${scope}"
        if [[ -n ${!var:-} ]]; then
            echo "${!var}"
        else
            echo "matrix_id: unknown kind '$kind' (no \$$var from tests/api/fixtures)" >&2
            echo 0
        fi
        ;;
    esac
}

login admin.b
FOREIGN_SESSION=$(session_id_of_jar "$TMP/jar.admin.b")
for role in "${ROLES[@]}"; do
    login "$role.a"
    check "matrix: $role.a signs in ($STATUS)" test "$STATUS" = 200
done

declare -A route_body
while IFS=$'\t' read -r m p _ b; do
    route_body["$m $p"]=$b
done <"$TMP/routes.tsv"

rows=0
while IFS=$'\t' read -r method pattern role scope want params body; do
    [[ -z $method || $method == \#* ]] && continue
    rows=$((rows + 1))
    path=$pattern
    IFS=',' read -ra binds <<<"${params:-}"
    for bind in "${binds[@]}"; do
        [[ -n $bind ]] || continue
        value=$(matrix_id "${bind#*=}" "$scope" "$role")
        path=$(sed -E "s#/:${bind%%=*}(/|\$)#/$value\\1#" <<<"$path")
    done
    args=()
    if [[ ${route_body["$method $pattern"]:-none} == json ]]; then
        args=(-H 'Content-Type: application/json' --data-binary "${body:-{\}}")
    fi
    if [[ $role == anon ]]; then
        req "$method" "$path" "${args[@]}"
    else
        call_as "$role.a" "$method" "$path" "${args[@]}"
    fi
    what="matrix: $method $path as $role ($scope)"
    if [[ $STATUS == "$want" ]]; then
        pass "$what -> $want"
    else
        fail "$what: status $STATUS, expected $want; body: $(head -c 200 "$TMP/body")"
    fi
    if [[ $role != anon && $method != GET ]]; then
        login "$role.a" >/dev/null # the row may have ended the session
    fi
done <"$MATRIX"
check "matrix: walked $rows rows" test "$rows" -gt 100

# docs/openapi.yaml lists every route with the same roles (x-roles), and no other
openapi_routes() {
    awk '
        /^  \/api\// { path = $1; sub(/:$/, "", path); gsub(/\{/, ":", path); gsub(/\}/, "", path); next }
        /^    (get|post|put|patch|delete):/ { m = toupper($1); sub(/:$/, "", m); next }
        /^      x-roles: / { r = $0; sub(/^ *x-roles: *\[/, "", r); sub(/\].*$/, "", r); gsub(/ /, "", r)
                             print m "\t" path "\t" r }' "$here/../../docs/openapi.yaml" | sort
}
openapi_routes >"$TMP/openapi.routes"
cut -f1-3 "$TMP/routes.tsv" | sort >"$TMP/table.routes"
if diff "$TMP/table.routes" "$TMP/openapi.routes" >"$TMP/openapi.diff"; then
    pass "docs/openapi.yaml lists every route with its roles ($(wc -l <"$TMP/openapi.routes"))"
else
    fail "docs/openapi.yaml and the route table differ (< table, > openapi):"
    sed 's/^/    /' "$TMP/openapi.diff" | head -20
fi
