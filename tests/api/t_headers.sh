# t_headers: security headers on API answers (success, error, signed in)
# and on the web console's files.

api_headers() {
    expect_header 'Cache-Control' 'no-store'
    expect_header 'X-Content-Type-Options' 'nosniff'
    expect_header 'Referrer-Policy' 'no-referrer'
    expect_header 'Content-Security-Policy' "default-src 'none'; frame-ancestors 'none'"
    expect_header 'X-Frame-Options' 'DENY'
}
expect_status GET /api/v1/health 200
api_headers
expect_status GET /api/v1/session 401
api_headers
expect_status GET /api/v1/nothing 404
api_headers
login finance.a
expect_as finance.a GET /api/v1/session 200
api_headers

web_csp="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
for path in / /assets/app-3f2a1c.js /claims/42; do
    expect_status GET "$path" 200
    expect_header 'Content-Security-Policy' "$web_csp"
    expect_header 'X-Frame-Options' 'DENY'
    expect_header 'X-Content-Type-Options' 'nosniff'
    expect_header 'Referrer-Policy' 'no-referrer'
done
