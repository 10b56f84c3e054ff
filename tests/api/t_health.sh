# t_health: GET /api/v1/health, the common headers, request ids.

expect_status GET /api/v1/health 200
expect_json '.status' 'ok'
expect_json '.version | type' 'string'
expect_json '.database.ok' 'true'
expect_json '.database.schema_version | type' 'number'
expect_json '.database.backend | test("^(sqlite|postgresql)$")' 'true'
expect_header 'Content-Type' 'application/json; charset=utf-8'
expect_header 'Cache-Control' 'no-store'
expect_header 'X-Content-Type-Options' 'nosniff'
expect_header 'Referrer-Policy' 'no-referrer'
expect_header 'Content-Security-Policy' "default-src 'none'; frame-ancestors 'none'"
expect_header_present 'X-Request-Id'
first_id=$(header 'X-Request-Id')
check "request id is 16 hex chars ($first_id)" eval '[[ $first_id =~ ^[0-9a-f]{16}$ ]]'

expect_status GET /api/v1/health 200
check "request ids differ between requests" test "$(header 'X-Request-Id')" != "$first_id"

# a short, safe client id is kept; an unsafe one is replaced
req GET /api/v1/health -H 'X-Request-Id: trace-abc.123_X'
expect_header 'X-Request-Id' 'trace-abc.123_X'
req GET /api/v1/health -H 'X-Request-Id: bad id <script>'
check "unsafe client request id replaced" eval '[[ $(header X-Request-Id) =~ ^[0-9a-f]{16}$ ]]'
req GET /api/v1/health -H "X-Request-Id: $(head -c 65 /dev/zero | tr '\0' a)"
check "over-long client request id replaced" eval '[[ $(header X-Request-Id) =~ ^[0-9a-f]{16}$ ]]'
check "the request id is on its log line" grep -qF "[trace-abc.123_X] GET /api/v1/health 200" "$TMP/server.log"

# HEAD answers like GET, without a body
req HEAD /api/v1/health
check "HEAD health -> 200 ($STATUS)" test "$STATUS" = 200
check "HEAD has no body" eval '! grep -q status "$TMP/body"'
