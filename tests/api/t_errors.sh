# t_errors: unknown paths, wrong methods, and the error shape.

expect_status GET /api/v1/no-such-thing 404
expect_error 404 NOT_FOUND
expect_json '.error.field' 'null'
expect_json '.error.message | type' 'string'
expect_header 'Cache-Control' 'no-store'
expect_header_present 'X-Request-Id'

expect_status GET /api 404
expect_json '.error.code' 'NOT_FOUND'
expect_status GET /api/v1/health/ 404
expect_status GET /api/v2/health 404

expect_status POST /api/v1/health '{}' 405
expect_error 405 METHOD_NOT_ALLOWED
expect_header 'Allow' 'GET, HEAD'
expect_status DELETE /api/v1/health 405
expect_header 'Allow' 'GET, HEAD'
expect_status GET /api/v1/tools/check-ids 405
expect_header 'Allow' 'POST'
expect_status PATCH /api/v1/tools/check-ids '{}' 405
expect_status OPTIONS /api/v1/health 405

# methods are case-sensitive; unknown ones are 405 on a known path
req get /api/v1/health
check "lower-case method is not GET ($STATUS)" test "$STATUS" = 405
