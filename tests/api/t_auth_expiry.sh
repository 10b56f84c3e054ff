# t_auth_expiry: sessions end after the idle timeout and after the absolute
# timeout (`huzhu serve --idle-timeout / --session-max`, here a few
# seconds, on extra servers sharing the suite's database), and the
# registry summary reads from a replica when --db-read names one.

PASSWORD=$TEST_PASSWORD add_user idle.user finance ZJ-01 >/dev/null 2>&1

# --- idle: 3 s ---------------------------------------------------------------------
if start_server IDLE_BASE --idle-timeout 3s --session-max 1h; then
    main_base=$BASE
    BASE=$IDLE_BASE
    login idle.user
    check "idle server: sign in ($STATUS)" test "$STATUS" = 200
    alive=0
    for _ in 1 2 3 4; do # used every second: the session lives past 3 s
        sleep 1
        call_as idle.user GET /api/v1/session
        [[ $STATUS == 200 ]] && alive=$((alive + 1))
    done
    check "a session in use outlives the idle timeout ($alive/4)" test "$alive" -eq 4
    sleep 4.5
    expect_as idle.user GET /api/v1/session 401
    expect_json '.error.code' 'UNAUTHENTICATED'
    check "the expired cookie is cleared" eval '[[ $(header Set-Cookie) == *"Max-Age=0"* ]]'
    BASE=$main_base
    stop_server "$IDLE_BASE"
else
    fail "idle server did not start"
fi

# --- absolute: 3 s, however busy -----------------------------------------------------
if start_server MAX_BASE --idle-timeout 1h --session-max 3s --db-read "$DB"; then
    main_base=$BASE
    BASE=$MAX_BASE
    login idle.user
    check "short-session server: sign in ($STATUS)" test "$STATUS" = 200
    sleep 1
    expect_as idle.user GET /api/v1/session 200
    sleep 3.5
    expect_as idle.user GET /api/v1/session 401

    # the same server has a "replica" (the same database, read-only use)
    login auditor.a
    expect_as auditor.a GET /api/v1/reports/registry-summary 200
    expect_header 'X-Huzhu-Read-Source' 'replica'
    BASE=$main_base
    stop_server "$MAX_BASE"
else
    fail "short-session server did not start"
fi

# bad values are refused before serving
"$HUZHU" serve --db "$DB" --idle-timeout 0 >/dev/null 2>&1
check "serve --idle-timeout 0 -> exit 2" test $? -eq 2
"$HUZHU" serve --db "$DB" --session-max 9999 >/dev/null 2>&1
check "serve --session-max 9999 (hours) -> exit 2" test $? -eq 2
"$HUZHU" serve --db "$DB" --idle-timeout 5x >/dev/null 2>&1
check "serve --idle-timeout 5x -> exit 2" test $? -eq 2
"$HUZHU" serve --help | grep -q -- '--idle-timeout MIN'
check "serve --help documents --idle-timeout" test $? -eq 0
