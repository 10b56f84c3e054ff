/*
 * errors: err -> status and the error body. Invariant: the body is always
 * valid JSON with the three keys, and a 5xx body never carries the
 * handler's message or field.
 */
#include "http/errors.h"

#include <jansson.h>
#include <unistd.h>

unsigned http_status_for_err(enum err e)
{
    /* No default: a code added to ERR_LIST breaks the build here (-Wswitch)
     * until someone decides its status. Business-rule refusals are 422. */
    switch (e) {
    case ERR_INVALID:
    case ERR_PARSE:
    case ERR_RANGE:
    case ERR_OVERFLOW:
    case ERR_ENCODING:
    case ERR_BAD_JSON:
    case ERR_UNKNOWN_FIELD:
    case ERR_MISSING_FIELD:
    case ERR_BAD_TYPE:
    case ERR_INVALID_ID:
    case ERR_ID_EXCEL_MANGLED:
    case ERR_INVALID_USCC:
    case ERR_INVALID_PHONE:
    case ERR_INVALID_BANK_ACCOUNT:
    case ERR_INVALID_DATE:
    case ERR_INVALID_MONEY:
    case ERR_INVALID_NAME:
    case ERR_CSV_QUOTE:
    case ERR_CSV_ROW_TOO_LONG:
    case ERR_CSV_TOO_MANY_FIELDS:
    case ERR_MISSING_COLUMN:
    case ERR_INVALID_EMPLOYMENT:
    case ERR_INVALID_OWNERSHIP:
    case ERR_INVALID_SIZE:
    case ERR_INVALID_HARDSHIP:
    case ERR_UNDERAGE:
    case ERR_UNKNOWN_EMPLOYER:
    case ERR_DUPLICATE_IN_FILE:
        return 400;
    case ERR_UNAUTHENTICATED:
        return 401;
    case ERR_FORBIDDEN:
    case ERR_CSRF:
        return 403;
    case ERR_NOT_FOUND:
        return 404;
    case ERR_METHOD:
        return 405;
    case ERR_CONFLICT:
    case ERR_EXISTS:
        return 409;
    case ERR_TOO_LARGE:
        return 413;
    case ERR_UNSUPPORTED_MEDIA:
        return 415;
    case ERR_WEAK_PASSWORD:
    case ERR_SAME_USER:
    case ERR_SELF_CHANGE: /* an admin disabling or demoting their own account */
    case ERR_SETTLEMENT_MISMATCH:
    case ERR_INVALID_PLAN:
    /* enrolment refusals: well-formed requests the rules refuse */
    case ERR_PLAN_NOT_PUBLISHED:
    case ERR_NOT_IN_UNIT:
    case ERR_DUPLICATE_MEMBER:
    case ERR_AGE_OUT_OF_RANGE:
    case ERR_GENDER_NOT_ELIGIBLE:
    case ERR_EMPLOYMENT_NOT_ELIGIBLE:
    case ERR_GIFT_NOT_ELIGIBLE:
    case ERR_TOO_MANY_SHARES:
    case ERR_OVERLAPPING_TERM:
    case ERR_PARTICIPATION_TOO_LOW:
    case ERR_MUST_ENROL_ALL:
    case ERR_UNEQUAL_SHARES:
    case ERR_NO_ELIGIBLE_MEMBERS:
    case ERR_FUNDING_INVALID:
    case ERR_NOT_PAID:
    case ERR_ALREADY_PAID_INVOICE:
    case ERR_INVOICE_CLOSED:
    case ERR_NOT_RENEWABLE:
    case ERR_ALREADY_CANCELLED:
    /* ledger refusals */
    case ERR_UNBALANCED:
    case ERR_FUND_USE_REFUSED:
    case ERR_LIMIT_EXCEEDED:
    case ERR_PERIOD_CLOSED:
        return 422;
    case ERR_IDEMPOTENCY_MISMATCH: /* the key was used for other content */
        return 409;
    /* claims */
    case ERR_CLAIM_STATE:       /* the claim moved on: reload it */
    case ERR_CLAIM_REASSESSED:  /* new figures to review before approving */
    case ERR_ALREADY_APPEALED:
        return 409;
    case ERR_AUTHORITY_LIMIT:
        return 403;
    case ERR_DOCUMENTS_MISSING:
        return 422;
    case ERR_UNKNOWN_MEMBER:
        return 404;
    case ERR_OUT_OF_SCOPE:
        return 403;
    case ERR_RATE_LIMITED:
        return 429;
    case ERR_DB_BUSY:
    case ERR_RETRY:
    case ERR_TIMEOUT:
        return 503;
    case ERR_OK:
    case ERR_NOMEM:
    case ERR_INTERNAL:
    case ERR_IO:
    case ERR_EOF:
    case ERR_DB:
    case ERR_DB_SCHEMA:
    case ERR__COUNT:
        return 500;
    }
    return 500;
}

/* What the client reads when the handler gave no message. */
static const char *default_message(enum err e, unsigned status)
{
    switch (e) {
    case ERR_NOT_FOUND:
        return "no such resource";
    case ERR_METHOD:
        return "this method is not allowed here; see the Allow header";
    case ERR_TOO_LARGE:
        return "the request is too large";
    case ERR_UNSUPPORTED_MEDIA:
        return "the body must be JSON (Content-Type: application/json)";
    case ERR_BAD_JSON:
        return "the body is not valid JSON";
    case ERR_ENCODING:
        return "the request is not valid UTF-8";
    case ERR_UNAUTHENTICATED:
        return "sign in first";
    case ERR_FORBIDDEN:
        return "you may not do this";
    case ERR_RATE_LIMITED:
        return "too many requests; slow down";
    default:
        break;
    }
    if (status >= 500) {
        return status == 503 ? "the service is busy; try again shortly"
                             : "internal error; quote the X-Request-Id when reporting it";
    }
    return "the request is invalid";
}

static const char fallback_body[] =
    "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\",\"field\":null}}";

void http_response_error(struct http_response *resp, enum err e)
{
    unsigned status = http_status_for_err(e);
    const char *message = resp->error_message;
    const char *field = resp->error_field;
    if (status >= 500 || message == NULL) {
        message = default_message(e, status);
    }
    if (status >= 500) {
        field = NULL;
    }
    if (resp->fd >= 0) { /* an error replaces a file the handler opened */
        close(resp->fd);
        resp->fd = -1;
    }
    json_t *doc = json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", err_str(e), "message", message,
                            "field", field);
    if (doc == NULL || http_response_json(resp, status, doc) != ERR_OK) {
        http_response_json_text(resp, 500, fallback_body, sizeof(fallback_body) - 1);
    }
    json_decref(doc);
}
