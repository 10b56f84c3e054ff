/*
 * response: builders for struct http_response. Invariant: every pointer a
 * response holds is static or in the request arena, so the server can copy
 * the response out and then reset the arena.
 */
#include "http/response.h"

#include <string.h>

void http_response_init(struct http_response *resp, struct arena *arena)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 500;
    resp->fd = -1;
    resp->arena = arena;
}

void http_response_json_text(struct http_response *resp, unsigned status, const char *json,
                             size_t len)
{
    resp->status = status;
    resp->content_type = HTTP_CONTENT_TYPE_JSON;
    resp->body = json;
    resp->body_len = len;
}

enum err http_response_json(struct http_response *resp, unsigned status, const json_t *doc)
{
    const size_t flags = JSON_COMPACT;
    size_t len = json_dumpb(doc, NULL, 0, flags);
    if (len == 0) {
        return ERR_INTERNAL;
    }
    char *buf = arena_alloc(resp->arena, len);
    if (buf == NULL) {
        return ERR_TOO_LARGE;
    }
    if (json_dumpb(doc, buf, len, flags) != len) {
        return ERR_INTERNAL;
    }
    http_response_json_text(resp, status, buf, len);
    return ERR_OK;
}

enum err http_reply_json(struct http_response *resp, unsigned status, json_t *doc)
{
    if (doc == NULL) {
        return ERR_NOMEM;
    }
    enum err e = http_response_json(resp, status, doc);
    json_decref(doc);
    return e;
}

static bool header_text_is_safe(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F) {
            return false;
        }
    }
    return true;
}

enum err http_response_header(struct http_response *resp, const char *name, const char *value)
{
    if (!header_text_is_safe(name) || !header_text_is_safe(value)) {
        return ERR_INVALID;
    }
    if (resp->header_count == HTTP_RESPONSE_HEADERS_MAX) {
        return ERR_TOO_LARGE;
    }
    resp->headers[resp->header_count].key = name;
    resp->headers[resp->header_count].value = value;
    resp->header_count++;
    return ERR_OK;
}

enum err http_response_fail(struct http_response *resp, enum err e, const char *field,
                            const char *message)
{
    resp->error_field = field != NULL ? arena_strndup(resp->arena, field, strlen(field)) : NULL;
    resp->error_message =
        message != NULL ? arena_strndup(resp->arena, message, strlen(message)) : NULL;
    return e;
}
