/*
 * arena: a bounded bump allocator, one per request (h2o's mem pool idea).
 *
 * Memory comes in chunks from malloc; arena_reset() frees everything at once
 * and keeps the first chunk for reuse. The total is capped at the limit given
 * to arena_init(): an allocation past it returns NULL, and callers turn that
 * into ERR_TOO_LARGE. Pointers into an arena never outlive its reset.
 * Not thread-safe: one arena belongs to one request on one thread.
 */
#ifndef HUZHU_CORE_ARENA_H
#define HUZHU_CORE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* newest chunk; allocation happens here */
    size_t used_bytes;        /* bytes handed out plus chunk overhead */
    size_t limit_bytes;       /* hard cap on used_bytes */
};

void arena_init(struct arena *a, size_t limit_bytes);

/* Frees every chunk. The arena may be used again after arena_init. */
void arena_release(struct arena *a);

/* Frees all allocations but keeps the first chunk for the next request. */
void arena_reset(struct arena *a);

/* size bytes aligned for any type, or NULL past the limit / out of memory. */
void *arena_alloc(struct arena *a, size_t size);

/* count * size zeroed bytes; NULL on overflow of count * size as well. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copy of (s, len) with a NUL added. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
