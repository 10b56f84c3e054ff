# t_check_ids: POST /api/v1/tools/check-ids answers per identifier.
P=/api/v1/tools/check-ids

expect_status POST $P '{"id_number":"11010519491231002x"}' 200
expect_json '.id_number.valid' 'true'
expect_json '.id_number.normalized' '11010519491231002X'
expect_json '.id_number.masked' '110105********002X'
expect_json '.id_number.birth_date' '1949-12-31'
expect_json '.id_number.gender' 'F'
expect_json 'keys | join(",")' 'id_number'

expect_status POST $P '{"id_number":"1.10105E+17","phone":"+86 138-1234-5678"}' 200
expect_json '.id_number.valid' 'false'
expect_json '.id_number.error.code' 'ID_EXCEL_MANGLED'
expect_json '.phone.normalized' '13812345678'
expect_json '.phone.masked' '138****5678'

expect_status POST $P '{"uscc":"91350100M000100Y43","bank_card":"6222 0212 3456 7890 129"}' 200
expect_json '.uscc.valid' 'true'
expect_json '.bank_card.valid | type' 'boolean'

expect_status POST $P '{"uscc":"91350100M000100Y44","bank_card":"1234"}' 200
expect_json '.uscc.error.code' 'INVALID_EMPLOYER'
expect_json '.bank_card.error.code' 'INVALID_BANK_ACCOUNT'

expect_status POST $P '{"phone":null}' 400
expect_json '.error.code' 'MISSING_FIELD'
