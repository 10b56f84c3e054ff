# t_body: JSON body rules on a route that takes one (/api/v1/tools/check-ids).
P=/api/v1/tools/check-ids

expect_status POST $P '{"phone":' 400
expect_error 400 BAD_JSON
expect_status POST $P '' 400
expect_json '.error.code' 'BAD_JSON'
expect_status POST $P '{"phone":"13812345678"} trailing' 400
expect_json '.error.code' 'BAD_JSON'
expect_status POST $P '{"phone":"1","phone":"2"}' 400
expect_json '.error.code' 'BAD_JSON'
expect_status POST $P '"just a string"' 400
expect_json '.error.code' 'BAD_JSON'

# nesting: 32 levels is JSON that parses (then fails the field table), 33 is refused
deep32="{\"phone\":$(printf '[%.0s' $(seq 1 31))$(printf ']%.0s' $(seq 1 31))}"
deep33="{\"phone\":$(printf '[%.0s' $(seq 1 32))$(printf ']%.0s' $(seq 1 32))}"
expect_status POST $P "$deep32" 400
expect_json '.error.code' 'BAD_TYPE'
expect_status POST $P "$deep33" 400
expect_json '.error.code' 'BAD_JSON'

expect_status POST $P '{"phone":"13812345678","mobile":"x"}' 400
expect_error 400 UNKNOWN_FIELD mobile
expect_status POST $P '{"phone":13812345678}' 400
expect_error 400 BAD_TYPE phone
expect_status POST $P '{"phone":13812345678.0}' 400
expect_json '.error.code' 'BAD_TYPE'
expect_status POST $P '{}' 400
expect_json '.error.code' 'MISSING_FIELD'
expect_status POST $P '[]' 400
expect_json '.error.code' 'BAD_TYPE'
expect_status POST $P "{\"phone\":\"$(head -c 65 /dev/zero | tr '\0' 1)\"}" 400
expect_error 400 INVALID_INPUT phone

# not UTF-8: a lone 0xFF byte inside a string
printf '{"phone":"\xff"}' >"$TMP/bad-utf8.json"
req POST $P -H 'Content-Type: application/json' --data-binary @"$TMP/bad-utf8.json"
expect_error 400 BAD_ENCODING
# GB18030 text sent as if it were UTF-8
printf '{"phone":"\xd5\xc5\xc8\xfd"}' >"$TMP/gbk.json"
req POST $P -H 'Content-Type: application/json' --data-binary @"$TMP/gbk.json"
expect_error 400 BAD_ENCODING

# content type
req POST $P -H 'Content-Type: text/plain' --data-binary '{"phone":"13812345678"}'
expect_error 415 UNSUPPORTED_MEDIA_TYPE
req POST $P --data-binary '{"phone":"13812345678"}' # curl's default form type
expect_error 415 UNSUPPORTED_MEDIA_TYPE
req POST $P -H 'Content-Type:' --data-binary '{"phone":"13812345678"}' # none at all
expect_error 415 UNSUPPORTED_MEDIA_TYPE
req POST $P -H 'Content-Type: application/json; charset=gbk' --data-binary '{"phone":"1"}'
expect_error 415 UNSUPPORTED_MEDIA_TYPE
req POST $P -H 'Content-Type: application/json; charset=utf-8' \
    --data-binary '{"phone":"13812345678"}'
check "application/json; charset=utf-8 accepted ($STATUS)" test "$STATUS" = 200

# size: exactly LIMIT_HTTP_BODY_BYTES (1 MiB) is read; one byte more is 413,
# whether announced by Content-Length or sent chunked
limit=$((1024 * 1024))
pad_json() { # pad_json BYTES FILE: a valid body of exactly BYTES bytes
    local head='{"phone":"13812345678"'
    { printf '%s' "$head"; head -c $(($1 - ${#head} - 1)) /dev/zero | tr '\0' ' '; printf '}'; } >"$2"
}
pad_json $limit "$TMP/limit.json"
pad_json $((limit + 1)) "$TMP/over.json"
check "body files have the intended sizes" test "$(wc -c <"$TMP/limit.json")" -eq $limit
req POST $P -H 'Content-Type: application/json' --data-binary @"$TMP/limit.json"
check "a body of exactly 1 MiB is accepted ($STATUS)" test "$STATUS" = 200
req POST $P -H 'Content-Type: application/json' --data-binary @"$TMP/over.json"
expect_error 413 TOO_LARGE
req POST $P -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$TMP/over.json"
expect_error 413 TOO_LARGE
req POST $P -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$TMP/limit.json"
check "a chunked body of exactly 1 MiB is accepted ($STATUS)" test "$STATUS" = 200
req POST $P -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$TMP/over.json"
expect_error 413 TOO_LARGE
# routing comes first: a huge body to an unknown path is a 404, not a 413
req POST /api/v1/nothing -H 'Content-Type: application/json' --data-binary @"$TMP/over.json"
expect_error 404 NOT_FOUND
