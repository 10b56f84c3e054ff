# t_concurrency: keep-alive and many requests at once.

# two requests on one connection: the second makes no new connection
conns=$(curl -s -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
    "$BASE/api/v1/health" "$BASE/api/v1/health")
check "keep-alive: two answers on one connection ($(echo $conns))" \
    test "$(echo $conns)" = "200 1 200 0"

# 200 requests, 40 at a time, every one answered 200
seq 1 200 | xargs -P 40 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
    "$BASE/api/v1/health?n={}" >"$TMP/concurrent.txt"
ok_count=$(grep -c '^200$' "$TMP/concurrent.txt")
check "200 concurrent requests all answered 200 (got $ok_count)" test "$ok_count" -eq 200

# the same for POST bodies
seq 1 100 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
    -H 'Content-Type: application/json' --data-binary '{"phone":"13812345678"}' \
    "$BASE/api/v1/tools/check-ids" >"$TMP/concurrent-post.txt"
ok_count=$(grep -c '^200$' "$TMP/concurrent-post.txt")
check "100 concurrent POSTs all answered 200 (got $ok_count)" test "$ok_count" -eq 100
