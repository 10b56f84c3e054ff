/*
 * route_tools: POST /api/v1/tools/check-ids, a checker for the identifiers
 * a roster carries (resident ID number, unified social credit code, mobile
 * phone, bank card). Union staff paste a value and see whether it is valid,
 * its canonical form and its display mask. Public and stateless: it stores
 * and logs nothing of what it is given.
 *
 * Request:  {"id_number"?: str, "uscc"?: str, "phone"?: str, "bank_card"?: str}
 *           (at least one; each at most 64 characters)
 * Response: 200 with one result per field given, e.g.
 *           {"id_number": {"valid": true, "normalized": "...", "masked": "...",
 *                          "birth_date": "1949-12-31", "gender": "F"},
 *            "phone": {"valid": false, "error": {"code": "INVALID_PHONE",
 *                                                "message": "..."}}}
 */
#include <string.h>

#include "core/date.h"
#include "core/ids.h"
#include "core/json_util.h"
#include "http/routes.h"

#define CHECK_IDS_TEXT_MAX 64 /* characters; every valid form is under 30 */

enum { F_ID_NUMBER, F_USCC, F_PHONE, F_BANK_CARD, F__COUNT };

static const struct json_field check_ids_fields[F__COUNT] = {
    [F_ID_NUMBER] = {.name = "id_number", .kind = JSON_KIND_STRING, .max = CHECK_IDS_TEXT_MAX},
    [F_USCC] = {.name = "uscc", .kind = JSON_KIND_STRING, .max = CHECK_IDS_TEXT_MAX},
    [F_PHONE] = {.name = "phone", .kind = JSON_KIND_STRING, .max = CHECK_IDS_TEXT_MAX},
    [F_BANK_CARD] = {.name = "bank_card", .kind = JSON_KIND_STRING, .max = CHECK_IDS_TEXT_MAX},
};

static const char *invalid_message(enum err e)
{
    switch (e) {
    case ERR_ID_EXCEL_MANGLED:
        return "looks like a number Excel turned into scientific notation; "
               "format the column as text and export again";
    case ERR_INVALID_ID:
        return "not a valid resident ID number (GB 11643)";
    case ERR_INVALID_USCC:
        return "not a valid unified social credit code (GB 32100)";
    case ERR_INVALID_PHONE:
        return "not a mainland mobile number (11 digits starting 13 to 19)";
    case ERR_INVALID_BANK_ACCOUNT:
        return "not a valid bank card number (16 to 19 digits, Luhn check)";
    default:
        return "not valid";
    }
}

static json_t *invalid_result(enum err e)
{
    return json_pack("{s:b,s:{s:s,s:s}}", "valid", 0, "error", "code", err_str(e), "message",
                     invalid_message(e));
}

static json_t *check_id_number(const struct json_value *v)
{
    struct idcard id;
    enum err e = idcard_parse(v->text, v->len, date_today(), &id);
    if (e) {
        return invalid_result(e);
    }
    char masked[IDCARD_LEN + 1];
    char birth[DATE_TEXT_LEN + 1];
    idcard_mask(id.number, masked);
    date_format(id.birth, birth);
    char gender[2] = {id.gender, '\0'};
    return json_pack("{s:b,s:s,s:s,s:s,s:s}", "valid", 1, "normalized", id.number, "masked", masked,
                     "birth_date", birth, "gender", gender);
}

static json_t *check_uscc(const struct json_value *v)
{
    char code[USCC_LEN + 1];
    enum err e = uscc_parse(v->text, v->len, code);
    if (e) {
        return invalid_result(e);
    }
    return json_pack("{s:b,s:s}", "valid", 1, "normalized", code);
}

static json_t *check_phone(const struct json_value *v)
{
    char phone[PHONE_LEN + 1];
    enum err e = phone_parse(v->text, v->len, phone);
    if (e) {
        return invalid_result(e);
    }
    char masked[PHONE_LEN + 1];
    phone_mask(phone, masked);
    return json_pack("{s:b,s:s,s:s}", "valid", 1, "normalized", phone, "masked", masked);
}

static json_t *check_bank_card(const struct json_value *v)
{
    char card[BANKCARD_LEN_MAX + 1];
    enum err e = bankcard_parse(v->text, v->len, card);
    if (e) {
        return invalid_result(e);
    }
    char masked[BANKCARD_MASK_LEN + 1];
    bankcard_mask(card, masked);
    return json_pack("{s:b,s:s,s:s}", "valid", 1, "normalized", card, "masked", masked);
}

enum err route_tools_check_ids(struct http_request *req, struct http_response *resp)
{
    static json_t *(*const checks[F__COUNT])(const struct json_value *) = {
        [F_ID_NUMBER] = check_id_number,
        [F_USCC] = check_uscc,
        [F_PHONE] = check_phone,
        [F_BANK_CARD] = check_bank_card,
    };
    struct json_value v[F__COUNT];
    struct json_util_error jerr;
    enum err e = json_util_decode(req->body, check_ids_fields, F__COUNT, v, &jerr);
    if (e) {
        return http_response_fail(resp, e, jerr.field[0] != '\0' ? jerr.field : NULL, jerr.message);
    }
    json_t *out = json_object();
    if (out == NULL) {
        return ERR_NOMEM;
    }
    size_t given = 0;
    for (size_t i = 0; i < F__COUNT; i++) {
        if (!v[i].present) {
            continue;
        }
        given++;
        json_t *result = checks[i](&v[i]);
        if (result == NULL || json_object_set_new(out, check_ids_fields[i].name, result) != 0) {
            json_decref(out);
            return ERR_NOMEM;
        }
    }
    if (given == 0) {
        json_decref(out);
        return http_response_fail(resp, ERR_MISSING_FIELD, NULL,
                                  "give at least one of id_number, uscc, phone, bank_card");
    }
    e = http_response_json(resp, 200, out);
    json_decref(out);
    return e;
}
