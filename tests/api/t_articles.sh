# t_articles: articles (宣传专栏) through the real server. Writers (unit
# staff at ZJ-01, at ZJ-02, the root admin articles.root of the fixture)
# write drafts, publish and withdraw; readers (anonymous, articles.member, staff)
# see only published articles whose date has come, of the organisations
# they may read: anonymous the roots, a member their own organisation and
# its ancestors, staff also their subtree. Bodies with <script> and raw
# HTML are stored verbatim (the web renders them without HTML). Bad input
# answers 400 naming the field.

art_today=$(TZ=Asia/Shanghai date +%F)
art_tomorrow=$(TZ=Asia/Shanghai date -d '1 day' +%F)
art_org() { db_query "SELECT id FROM org WHERE code = '$1'"; }
ORG_ZJ=$(art_org ZJ)
ORG_ZJ01=$(art_org ZJ-01)
ORG_ZJ0101=$(art_org ZJ-01-01)
ORG_ZJ02=$(art_org ZJ-02)

for who in unit_staff.a unit_staff.b supervisor.a auditor.a articles.member admin.a articles.root; do
    login "$who" >/dev/null
done
check "articles: every account signs in" test "$STATUS" = 200

# the member under ZJ-01-01 these tests read as (fixtures/articles.sh)
member_path=$(db_query "SELECT o.path FROM app_user u JOIN member m ON m.id = u.member_id
    JOIN org o ON o.id = m.org_id WHERE u.login = 'articles.member'")
zj0101_path=$(db_query "SELECT path FROM org WHERE code = 'ZJ-01-01'")
check "articles.member is registered under ZJ-01-01 ($member_path)" \
    test "${member_path#"$zj0101_path"}" != "$member_path"

# art_refute DESCRIPTION COMMAND...: COMMAND fails
art_refute() {
    local what=$1
    shift
    if "$@"; then
        fail "$what"
    else
        pass "$what"
    fi
}

# art_new WHO ORG CATEGORY TITLE BODY: creates a draft, sets ART_ID.
art_new() {
    local body
    body=$(jq -nc --argjson o "$2" --arg c "$3" --arg t "$4" --arg b "$5" \
        '{org_id: $o, category: $c, title: $t, body_md: $b}')
    call_as "$1" POST /api/v1/articles -H 'Content-Type: application/json' --data-binary "$body"
    ART_ID=$(jq -r '.id // empty' "$TMP/body")
}

art_publish() { # WHO ID DATE
    call_as "$1" POST "/api/v1/articles/$2/publish" -H 'Content-Type: application/json' \
        --data-binary "{\"publish_date\": \"$3\"}"
}

# art_lists WHO ID: the public list as WHO (anon: no cookie) holds ID.
art_lists() {
    if [[ $1 == anon ]]; then
        req GET '/api/v1/articles?limit=500'
    else
        call_as "$1" GET '/api/v1/articles?limit=500'
    fi
    jq -e --argjson id "$2" 'any(.articles[]; .id == $id)' "$TMP/body" >/dev/null
}

art_reads() { # WHO ID: GET /articles/ID answers 200
    if [[ $1 == anon ]]; then
        req GET "/api/v1/articles/$2"
    else
        call_as "$1" GET "/api/v1/articles/$2"
    fi
    [[ $STATUS == 200 ]]
}

# --- a draft with script and raw HTML -------------------------------------
evil=$'# 理赔指南\n\n<script>alert("x")</script>\n<img src=x onerror=alert(1)>\n\n**请**按[步骤](javascript:alert(1))办理。'
art_new unit_staff.a "$ORG_ZJ0101" guide "住院理赔怎么办" "$evil"
check "articles: unit staff writes a draft at ZJ-01-01 ($STATUS)" test "$STATUS" = 201
A_0101=$ART_ID
expect_json '.status' 'draft'
expect_json '.publish_date' 'null'
expect_json '.org.code' 'ZJ-01-01'
check "articles: the body is stored verbatim, script and all" \
    test "$(jq -r '.body_md' "$TMP/body")" = "$evil"
art_refute "articles: the excerpt is plain text without the tags" \
    grep -q '[<>]' <(jq -r '.excerpt' "$TMP/body")
art_refute "articles: a draft is not on the member's portal" art_lists articles.member $A_0101
art_refute "articles: a draft cannot be opened by the member" art_reads articles.member $A_0101
expect_as unit_staff.a GET "/api/v1/articles/manage/$A_0101" 200
expect_json '.body_md | length > 0' 'true'
expect_as unit_staff.b GET "/api/v1/articles/manage/$A_0101" 404

# --- invalid input: 400 naming the field ----------------------------------
art_new unit_staff.a "$ORG_ZJ01" news "标题" "正文"
expect_error 400 INVALID_INPUT category
long_title=$(printf '保%.0s' $(seq 1 101))
art_new unit_staff.a "$ORG_ZJ01" faq "$long_title" "正文"
expect_error 400 INVALID_INPUT title
art_new unit_staff.a "$ORG_ZJ01" faq "${long_title:1}" "正文" # exactly 100: fine
check "articles: a 100-character title is accepted ($STATUS)" test "$STATUS" = 201
art_new unit_staff.a "$ORG_ZJ01" faq "" "正文"
expect_error 400 INVALID_INPUT title
art_new unit_staff.a "$ORG_ZJ01" faq "标题" "$(head -c 20001 /dev/zero | tr '\0' x)"
expect_error 400 INVALID_INPUT body_md
art_new unit_staff.a "$ORG_ZJ01" faq "标题" "$(head -c 6667 /dev/zero | tr '\0' x | sed 's/x/保/g')"
expect_error 400 INVALID_INPUT body_md # 6667 characters, 20001 bytes
art_new unit_staff.a "$ORG_ZJ01" faq "标题" "   "
expect_error 400 INVALID_INPUT body_md
art_new unit_staff.a "$ORG_ZJ02" faq "标题" "正文"
expect_error 404 NOT_FOUND org_id
art_new unit_staff.a "$ORG_ZJ" faq "标题" "正文" # an ancestor is not the subtree
expect_error 404 NOT_FOUND org_id
call_as unit_staff.a POST /api/v1/articles -H 'Content-Type: application/json' \
    --data-binary "{\"org_id\": $ORG_ZJ01, \"category\": \"faq\", \"title\": \"t\", \"body_md\": \"b\", \"pinned\": true}"
expect_error 400 UNKNOWN_FIELD pinned
call_as unit_staff.a POST /api/v1/articles -H 'Content-Type: application/json' \
    --data-binary "{\"org_id\": $ORG_ZJ01, \"category\": \"faq\", \"title\": \"t\"}"
expect_error 400 MISSING_FIELD body_md
art_publish unit_staff.a "$A_0101" 2026-02-30
expect_error 400 INVALID_DATE publish_date
art_publish unit_staff.a "$A_0101" 20260301
expect_error 400 INVALID_DATE publish_date
call_as unit_staff.a PATCH "/api/v1/articles/$A_0101" -H 'Content-Type: application/json' \
    --data-binary '{"category": "blog"}'
expect_error 400 INVALID_INPUT category
call_as unit_staff.a PATCH "/api/v1/articles/$A_0101" -H 'Content-Type: application/json' \
    --data-binary '{}'
expect_error 400 INVALID_INPUT
call_as unit_staff.b PATCH "/api/v1/articles/$A_0101" -H 'Content-Type: application/json' \
    --data-binary '{"title": "别人的"}'
expect_error 404 NOT_FOUND id
expect_as unit_staff.a GET '/api/v1/articles/manage?status=gone' 400
expect_json '.error.field' 'status'
expect_as articles.member GET '/api/v1/articles?category=blog' 400
expect_json '.error.field' 'category'

# --- a future date: invisible until that day -------------------------------
art_publish unit_staff.a "$A_0101" "$art_tomorrow"
check "articles: publish for tomorrow ($STATUS)" test "$STATUS" = 200
expect_json '.status' 'published'
expect_json '.publish_date' "$art_tomorrow"
art_refute "articles: tomorrow's article is not listed today" art_lists articles.member $A_0101
art_refute "articles: tomorrow's article cannot be opened today" art_reads articles.member $A_0101
art_publish unit_staff.a "$A_0101" "$art_today"
expect_error 409 CONFLICT status
call_as unit_staff.a POST "/api/v1/articles/$A_0101/withdraw"
check "articles: withdraw ($STATUS)" test "$STATUS" = 200
expect_json '.status' 'withdrawn'
call_as unit_staff.a POST "/api/v1/articles/$A_0101/withdraw"
expect_error 409 CONFLICT status
art_publish unit_staff.a "$A_0101" "$art_today"
check "articles: published again for today ($STATUS)" test "$STATUS" = 200

# --- who reads what -----------------------------------------------------------
art_new articles.root "$ORG_ZJ" plan "互助保障计划说明" "全省职工可参加。"
A_ZJ=$ART_ID
art_publish articles.root "$A_ZJ" "$art_today"
art_new unit_staff.a "$ORG_ZJ01" faq "杭州市常见问题" "问：怎么参加？"
A_01=$ART_ID
art_publish unit_staff.a "$A_01" "$art_today"
art_new unit_staff.b "$ORG_ZJ02" case "宁波市真实案例" "某快递员住院……"
A_02=$ART_ID
art_publish unit_staff.b "$A_02" "$art_today"
check "articles: four published ($A_ZJ $A_01 $A_0101 $A_02)" test "$STATUS" = 200

art_sees() { # WHO ID yes|no
    local what="articles: $1 $([[ $3 == yes ]] && echo sees || echo 'does not see') article $2"
    if art_lists "$1" "$2"; then
        [[ $3 == yes ]] && pass "$what (list)" || fail "$what (list)"
    else
        [[ $3 == no ]] && pass "$what (list)" || fail "$what (list)"
    fi
    if art_reads "$1" "$2"; then
        [[ $3 == yes ]] && pass "$what (get)" || fail "$what (get $STATUS)"
    else
        [[ $3 == no && $STATUS == 404 ]] && pass "$what (get 404)" || fail "$what (get $STATUS)"
    fi
}
# a member under ZJ-01-01: ZJ-01-01, ZJ-01 and ZJ; not ZJ-02
art_sees articles.member "$A_0101" yes
art_sees articles.member "$A_01" yes
art_sees articles.member "$A_ZJ" yes
art_sees articles.member "$A_02" no
# anonymous: the root only
art_sees anon "$A_ZJ" yes
art_sees anon "$A_01" no
art_sees anon "$A_0101" no
# staff: their organisation, its ancestors and its subtree
art_sees auditor.a "$A_0101" yes
art_sees auditor.a "$A_ZJ" yes
art_sees auditor.a "$A_02" no
art_sees unit_staff.b "$A_02" yes
art_sees unit_staff.b "$A_01" no
# an ended or forged session reads as anonymous, never 401
req GET /api/v1/articles -H 'Cookie: huzhu_session=not-a-live-session-token-at-all-0000000000'
check "articles: a dead cookie still lists ($STATUS)" test "$STATUS" = 200
check "articles: ... as anonymous" jq -e --argjson a "$A_ZJ" --argjson b "$A_01" \
    'any(.articles[]; .id == $a) and (any(.articles[]; .id == $b) | not)' "$TMP/body"

# the single read carries the Markdown verbatim; lists never carry a body
call_as articles.member GET "/api/v1/articles/$A_0101"
check "articles: the member reads the body verbatim" test "$(jq -r '.body_md' "$TMP/body")" = "$evil"
expect_json '.org.name | length > 0' 'true'
expect_json 'has("status")' 'false'
call_as articles.member GET '/api/v1/articles?limit=500'
expect_json '[.articles[] | has("body_md")] | any' 'false'
expect_json '.articles | map(.publish_date) | . == (sort | reverse)' 'true'
call_as articles.member GET '/api/v1/articles?category=case&limit=500'
expect_json '[.articles[] | .category] | unique | join(",")' '' # ZJ-02's case is not theirs

# keyset paging of the portal list
call_as articles.member GET '/api/v1/articles?limit=1'
first=$(jq -r '.articles[0].id' "$TMP/body")
next=$(jq -r '.next_after' "$TMP/body")
check "articles: a page of one has a next_after ($next)" test "$next" = "$first"
call_as articles.member GET "/api/v1/articles?limit=1&after=$next"
check "articles: the next page is another article" \
    test "$(jq -r '.articles[0].id' "$TMP/body")" != "$first"

# --- the staff list ------------------------------------------------------------
expect_as unit_staff.a GET '/api/v1/articles/manage?status=published&category=guide' 200
expect_json "any(.articles[]; .id == $A_0101)" 'true'
expect_json '[.articles[] | .status] | unique | join(",")' 'published'
expect_as unit_staff.a GET '/api/v1/articles/manage?limit=500' 200
expect_json "any(.articles[]; .id == $A_02)" 'false'
expect_json "any(.articles[]; .id == $A_ZJ)" 'false'
expect_as supervisor.a GET '/api/v1/articles/manage?limit=2' 200
page2=$(jq -r '.next_after' "$TMP/body")
expect_as supervisor.a GET "/api/v1/articles/manage?limit=2&after=$page2" 200
expect_json "[.articles[] | .id < $page2] | all" 'true'
expect_as auditor.a GET /api/v1/articles/manage 403
expect_as articles.member GET /api/v1/articles/manage 403

# PATCH moves nothing else; the audit trail has every change
call_as unit_staff.a PATCH "/api/v1/articles/$A_01" -H 'Content-Type: application/json' \
    --data-binary '{"title": "杭州市常见问题（更新）", "category": "guide"}'
check "articles: patch ($STATUS)" test "$STATUS" = 200
expect_json '.title' '杭州市常见问题（更新）'
expect_json '.category' 'guide'
expect_json '.status' 'published'
for action in create update publish withdraw; do
    n=$(db_query "SELECT count(*) FROM audit_event WHERE action = 'article.$action'")
    check "articles: audit has article.$action events ($n)" test "${n:-0}" -gt 0
done
