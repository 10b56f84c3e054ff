/*
 * arena: chunked bump allocation. Invariant: used_bytes <= limit_bytes, and
 * every pointer returned is aligned to max_align_t.
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_BYTES (64 * 1024) /* first chunk; larger requests get their own */

struct arena_chunk {
    struct arena_chunk *next; /* older chunk */
    size_t cap;               /* bytes in data[] */
    size_t off;               /* next free offset in data[] */
    alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a, size_t limit_bytes)
{
    a->head = NULL;
    a->used_bytes = 0;
    a->limit_bytes = limit_bytes;
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c != NULL) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
}

void arena_reset(struct arena *a)
{
    struct arena_chunk *c = a->head;
    if (c == NULL) {
        return;
    }
    while (c->next != NULL) { /* free all but the oldest chunk */
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    c->off = 0;
    a->head = c;
    a->used_bytes = sizeof(*c) + c->cap;
}

void *arena_alloc(struct arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX - align) {
        return NULL;
    }
    size_t need = (size + align - 1) & ~(align - 1);
    if (need == 0) {
        need = align;
    }
    struct arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->off < need) {
        /* Room left under the limit for a chunk's data, counting its header;
         * the default chunk size shrinks to fit, so small limits still work. */
        size_t room = a->limit_bytes - a->used_bytes;
        if (a->used_bytes > a->limit_bytes || room < sizeof(*c) || need > room - sizeof(*c)) {
            return NULL;
        }
        room -= sizeof(*c);
        size_t cap = need > ARENA_CHUNK_BYTES ? need : ARENA_CHUNK_BYTES;
        if (cap > room) {
            cap = room;
        }
        c = malloc(sizeof(*c) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->cap = cap;
        c->off = 0;
        c->next = a->head;
        a->head = c;
        a->used_bytes += sizeof(*c) + cap;
    }
    void *p = c->data + c->off;
    c->off += need;
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        return NULL;
    }
    void *p = arena_alloc(a, total);
    if (p != NULL) {
        memset(p, 0, total);
    }
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX) {
        return NULL;
    }
    char *p = arena_alloc(a, len + 1);
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *p = arena_alloc(a, (size_t)n + 1);
    if (p == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
