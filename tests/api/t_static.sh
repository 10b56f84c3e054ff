# t_static: the web console's files (the runner serves a small --static dir).

expect_status GET / 200
expect_header 'Content-Type' 'text/html; charset=utf-8'
expect_header 'Cache-Control' 'no-cache'
expect_header 'X-Content-Type-Options' 'nosniff'
expect_header_present 'Content-Security-Policy'
expect_header_present 'X-Request-Id'
check "index.html served" grep -q '<title>huzhu</title>' "$TMP/body"

expect_status GET /assets/app-3f2a1c.js 200
expect_header 'Content-Type' 'text/javascript; charset=utf-8'
expect_header 'Cache-Control' 'public, max-age=31536000, immutable'

expect_status GET /claims/42/documents 200 # history-mode route of the app
check "history fallback serves index.html" grep -q '<title>huzhu</title>' "$TMP/body"
expect_status GET /assets/missing.js 404
expect_json '.error.code' 'NOT_FOUND'

req GET /../../etc/passwd --path-as-is
check "../ refused ($STATUS)" test "$STATUS" = 400
req GET /assets/..%2f..%2fetc%2fpasswd --path-as-is
check "encoded ../ refused ($STATUS)" test "$STATUS" = 400
req GET '/assets\app-3f2a1c.js' --path-as-is
check "backslash refused ($STATUS)" test "$STATUS" = 400
check "no /etc/passwd content leaked" eval '! grep -q "root:" "$TMP/body"'

expect_status POST / '{}' 405
expect_header 'Allow' 'GET, HEAD'
