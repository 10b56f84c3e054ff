# t_limits: query arguments, URL encoding, oversized headers.

q32=$(seq -s '&' -f 'a%g=1' 1 32)
q33=$(seq -s '&' -f 'a%g=1' 1 33)
expect_status GET "/api/v1/health?$q32" 200
expect_status GET "/api/v1/health?$q33" 400
expect_error 400 INVALID_INPUT query

expect_status GET '/api/v1/health?x=%ff' 400
expect_error 400 BAD_ENCODING x
expect_status GET '/api/v1/health?x=%E5%BC%A0' 200
# a NUL smuggled into the path or a query argument is refused, not cut short
expect_status GET '/api/v1/health%00.json' 400
expect_json '.error.code' 'BAD_ENCODING'
expect_status GET '/api/v1/health?x=a%00b' 400
expect_json '.error.code' 'BAD_ENCODING'
expect_status GET '/api/v1/%ff' 400
expect_json '.error.code' 'BAD_ENCODING'

# headers past LIMIT_HTTP_HEADER_BYTES (16 KiB) are refused by the HTTP layer
big=$(head -c 20000 /dev/zero | tr '\0' a)
req GET /api/v1/health -H "X-Big: $big"
expect_error 431 TOO_LARGE headers
req GET /api/v1/health -H "X-Big: $big$big"
check "40 KB of headers refused with a 4xx ($STATUS)" eval '[[ $STATUS =~ ^4[0-9][0-9]$ ]]'
expect_alive
req GET /api/v1/health -H "X-Small: $(head -c 8000 /dev/zero | tr '\0' a)"
check "8 KB of headers accepted ($STATUS)" test "$STATUS" = 200

# a very long URL
req GET "/api/v1/$(head -c 30000 /dev/zero | tr '\0' a)"
check "30 KB URL refused with a 4xx ($STATUS)" eval '[[ $STATUS =~ ^4[0-9][0-9]$ ]]'

# garbage on the wire: the server answers 400 or closes, and stays up
port=${BASE##*:}
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "cat >/dev/tcp/127.0.0.1/$port" 2>/dev/null
printf 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n' |
    timeout 5 bash -c "cat >/dev/tcp/127.0.0.1/$port" 2>/dev/null
expect_alive
