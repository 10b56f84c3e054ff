# t_auth_session: signing in and out over HTTP. Generic failures, the
# cookie's flags, CSRF, logout, own sessions, a disabled account, and the
# rate limits (per login and per address). Failing sign-ins come from
# made-up client addresses (X-Forwarded-For, believed from loopback) so
# they do not lock out 127.0.0.1 for the rest of the suite.

PASSWORD=$TEST_PASSWORD add_user sess.user unit_staff ZJ-01-01 >/dev/null 2>&1
PASSWORD=$TEST_PASSWORD add_user lock.user unit_staff ZJ-01-01 >/dev/null 2>&1
PASSWORD=$TEST_PASSWORD add_user gone.user unit_staff ZJ-01-01 >/dev/null 2>&1

# --- sign in -------------------------------------------------------------------
login sess.user
check "sign in -> 200 ($STATUS)" test "$STATUS" = 200
expect_json '.user.login' 'sess.user'
expect_json '.user.role' 'unit_staff'
expect_json '.user.org.code' 'ZJ-01-01'
expect_json '.user.org.path | test("^(/[0-9]+)+/$")' 'true'
expect_json '.csrf_token | length' '43'
expect_json '.expires_at | test("^20[0-9-]+T[0-9:.]+Z$")' 'true'
expect_header 'Cache-Control' 'no-store'
check "the cookie is HttpOnly" cookie_attr HttpOnly
check "the cookie is SameSite=Strict" cookie_attr SameSite=Strict
check "the cookie has Path=/" cookie_attr Path=/
check "no Secure flag over plain HTTP" eval '! cookie_attr Secure'
check "the cookie holds a 43-char token" eval '[[ $(header Set-Cookie) =~ ^huzhu_session=[A-Za-z0-9_-]{43}\; ]]'
check "the token is not in the body" eval '! grep -q "$(header Set-Cookie | sed "s/^huzhu_session=\([^;]*\).*/\1/")" "$TMP/body"'
first_csrf=$(cat "$TMP/csrf.sess.user")

login sess.user "$TEST_PASSWORD" -H 'X-Forwarded-Proto: https'
check "Secure flag behind the TLS proxy (X-Forwarded-Proto from loopback)" cookie_attr Secure
check "a new sign-in gets a new token" test "$(cat "$TMP/csrf.sess.user")" != "$first_csrf"

expect_as sess.user GET /api/v1/session 200
expect_json '.user.login' 'sess.user'
expect_json '.csrf_token' "$(cat "$TMP/csrf.sess.user")"

# one answer for an unknown login, a wrong password and a disabled account
login nobody.here "$TEST_PASSWORD" -H 'X-Forwarded-For: 203.0.113.1'
check "unknown login -> 401 ($STATUS)" test "$STATUS" = 401
unknown=$(jq -c '.error' "$TMP/body")
login sess.user 'Wrong-Password-123' -H 'X-Forwarded-For: 203.0.113.1'
check "wrong password -> 401 ($STATUS)" test "$STATUS" = 401
wrong=$(jq -c '.error' "$TMP/body")
check "unknown login and wrong password answer alike ($unknown)" test "$unknown" = "$wrong"
expect_json '.error.code' 'UNAUTHENTICATED'
check "a failed sign-in sets no cookie" test -z "$(header Set-Cookie)"
login sess.user '' -H 'X-Forwarded-For: 203.0.113.1'
check "empty password -> 400 ($STATUS)" test "$STATUS" = 400
expect_status POST /api/v1/session '{"login":"sess.user","password":"x","extra":1}' 400
expect_json '.error.code' 'UNKNOWN_FIELD'

# --- CSRF ------------------------------------------------------------------------
login sess.user
req DELETE /api/v1/session -b "$TMP/jar.sess.user"
check "logout without X-CSRF-Token -> 403 ($STATUS)" test "$STATUS" = 403
expect_json '.error.code' 'CSRF_TOKEN_INVALID'
req DELETE /api/v1/session -b "$TMP/jar.sess.user" -H "X-CSRF-Token: $first_csrf"
check "logout with another session's token -> 403 ($STATUS)" test "$STATUS" = 403
req DELETE /api/v1/session -b "$TMP/jar.sess.user" -H 'X-CSRF-Token: not-a-token'
check "logout with a malformed token -> 403 ($STATUS)" test "$STATUS" = 403
expect_as sess.user GET /api/v1/session 200 # still signed in
req GET /api/v1/session -b "$TMP/jar.sess.user"
check "GET needs no CSRF token ($STATUS)" test "$STATUS" = 200

# --- own sessions ------------------------------------------------------------------
cp "$TMP/jar.sess.user" "$TMP/jar.sess.old"
cp "$TMP/csrf.sess.user" "$TMP/csrf.sess.old"
login sess.user # a second session
expect_as sess.user GET /api/v1/sessions 200
check "lists several own sessions" test "$(jq '.sessions | length' "$TMP/body")" -ge 2
expect_json '[.sessions[] | select(.current)] | length' '1'
expect_json '.sessions[0].ip' '127.0.0.1'
old_id=$(curl -s -b "$TMP/jar.sess.old" "$BASE/api/v1/sessions" | jq -r '.sessions[] | select(.current) | .id')
expect_as sess.user DELETE "/api/v1/sessions/$old_id" 200
expect_as sess.old GET /api/v1/session 401
expect_json '.error.code' 'UNAUTHENTICATED'
expect_as sess.user DELETE "/api/v1/sessions/$old_id" 404 # already ended
expect_as sess.user DELETE /api/v1/sessions/abc 404
expect_as sess.user DELETE /api/v1/sessions/99999999 404

# --- logout ----------------------------------------------------------------------
cp "$TMP/jar.sess.user" "$TMP/jar.sess.kept"
expect_as sess.user DELETE /api/v1/session 200
check "logout clears the cookie" eval '[[ $(header Set-Cookie) == "huzhu_session=; "*"Max-Age=0"* ]]'
req GET /api/v1/session -b "$TMP/jar.sess.kept"
check "the old cookie after logout -> 401 ($STATUS)" test "$STATUS" = 401
expect_status GET /api/v1/session 401
req GET /api/v1/session -H 'Cookie: huzhu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
check "a forged token -> 401 ($STATUS)" test "$STATUS" = 401
req GET /api/v1/session -H 'Cookie: other=1; huzhu_session=short'
check "a malformed token -> 401 ($STATUS)" test "$STATUS" = 401

# --- a disabled account is signed out at once ----------------------------------------
login gone.user
expect_as gone.user GET /api/v1/session 200
"$HUZHU" user disable --db "$DB" --login gone.user >/dev/null 2>&1
expect_as gone.user GET /api/v1/session 401
login gone.user "$TEST_PASSWORD" -H 'X-Forwarded-For: 203.0.113.1'
check "a disabled account cannot sign in ($STATUS)" test "$STATUS" = 401
check "disabled answers like a wrong password" test "$(jq -c '.error' "$TMP/body")" = "$wrong"

# --- lockout per login -------------------------------------------------------------
for i in 1 2 3 4 5; do
    login lock.user "Wrong-Password-$i" -H "X-Forwarded-For: 203.0.113.2$i"
done
check "five wrong passwords -> 401 each (last $STATUS)" test "$STATUS" = 401
login lock.user 'Wrong-Password-6' -H 'X-Forwarded-For: 203.0.113.30'
check "the sixth attempt -> 429 ($STATUS)" test "$STATUS" = 429
expect_json '.error.code' 'RATE_LIMITED'
retry=$(header Retry-After)
check "Retry-After is a number of seconds ($retry)" eval '[[ $retry =~ ^[0-9]+$ && $retry -gt 0 && $retry -le 900 ]]'
login lock.user "$TEST_PASSWORD" -H 'X-Forwarded-For: 203.0.113.31'
check "the locked account stays locked with the right password ($STATUS)" test "$STATUS" = 429
check "no cookie while locked" test -z "$(header Set-Cookie)"

# --- lockout per address -------------------------------------------------------------
for i in $(seq 1 20); do
    login "ghost$i.user" 'Wrong-Password-1' -H 'X-Forwarded-For: 198.51.100.7'
done
check "twenty failures from one address -> 401 each (last $STATUS)" test "$STATUS" = 401
login sess.user "$TEST_PASSWORD" -H 'X-Forwarded-For: 198.51.100.7'
check "that address is then refused even with good credentials ($STATUS)" test "$STATUS" = 429
expect_header_present Retry-After
login sess.user "$TEST_PASSWORD" -H 'X-Forwarded-For: 198.51.100.8'
check "another address still signs in ($STATUS)" test "$STATUS" = 200
