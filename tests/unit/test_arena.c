/*
 * test_arena: alignment, the hard limit (used_bytes never passes it), reset
 * and reuse, calloc overflow, strndup and printf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <string.h>

#include "core/arena.h"

static void test_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024 * 1024);
    const size_t sizes[] = {1, 3, 7, 8, 15, 16, 17, 100, 0, 1};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xAB, sizes[i]);
    }
    /* Distinct allocations never overlap. */
    char *x = arena_alloc(&a, 16), *y = arena_alloc(&a, 16);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(y >= x + 16 || x >= y + 16);
    assert_true(a.used_bytes <= a.limit_bytes);
    arena_release(&a);
}

static void test_limit(void **state)
{
    (void)state;
    struct arena a;
    /* The limit is exactly one default chunk: the chunk header must fit in
     * it too, so the arena may never hold more than the limit. */
    arena_init(&a, 64 * 1024);
    size_t total = 0;
    void *p;
    while ((p = arena_alloc(&a, 1000)) != NULL) {
        total += 1000;
        assert_true(a.used_bytes <= a.limit_bytes);
    }
    assert_true(total > 0);
    assert_true(total < 64 * 1024);
    assert_true(a.used_bytes <= a.limit_bytes);
    arena_release(&a);

    /* A small arena still hands out memory, up to its limit. */
    arena_init(&a, 256);
    assert_non_null(arena_alloc(&a, 64));
    assert_non_null(arena_alloc(&a, 64));
    assert_null(arena_alloc(&a, 256));
    assert_true(a.used_bytes <= a.limit_bytes);
    arena_release(&a);

    /* One request larger than the limit, and absurd sizes. */
    arena_init(&a, 1024 * 1024);
    assert_null(arena_alloc(&a, 2 * 1024 * 1024));
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 8));
    assert_non_null(arena_alloc(&a, 512 * 1024)); /* a big one gets its own chunk */
    assert_null(arena_alloc(&a, 600 * 1024));
    assert_true(a.used_bytes <= a.limit_bytes);
    arena_release(&a);

    arena_init(&a, 0);
    assert_null(arena_alloc(&a, 1));
    arena_release(&a);
}

static void test_reset_reuses(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024 * 1024);
    char *first = arena_alloc(&a, 100);
    assert_non_null(first);
    assert_non_null(arena_alloc(&a, 200 * 1024)); /* second chunk */
    size_t used = a.used_bytes;
    arena_reset(&a);
    assert_true(a.used_bytes < used);
    char *again = arena_alloc(&a, 100);
    assert_ptr_equal(again, first); /* the first chunk is kept and reused */
    /* After reset the whole limit is available again (less the kept chunk). */
    assert_non_null(arena_alloc(&a, 512 * 1024));
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.used_bytes, 0);
    arena_reset(&a); /* reset of an empty arena is a no-op */
    assert_null(a.head);
}

static void test_arena_calloc(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024 * 1024);
    unsigned char *p = arena_alloc(&a, 64);
    memset(p, 0xFF, 64);
    arena_reset(&a);
    unsigned char *z = arena_calloc(&a, 16, 4);
    assert_non_null(z);
    for (int i = 0; i < 64; i++) {
        assert_int_equal(z[i], 0);
    }
    assert_null(arena_calloc(&a, SIZE_MAX / 2 + 1, 2));
    assert_null(arena_calloc(&a, (size_t)1 << 33, (size_t)1 << 32));
    assert_null(arena_calloc(&a, 1024, 1024)); /* 1 MiB + header > limit */
    assert_non_null(arena_calloc(&a, 0, 8));
    arena_release(&a);
}

static void test_strndup_printf(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024 * 1024);
    char *s = arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    s = arena_strndup(&a, "a\0b", 3); /* copies len bytes, NUL added */
    assert_int_equal(s[2], 'b');
    assert_int_equal(s[3], '\0');
    assert_string_equal(arena_strndup(&a, "", 0), "");
    assert_null(arena_strndup(&a, "x", SIZE_MAX));

    char *f = arena_printf(&a, "%s-%d-%05.1f", "职工", 42, 3.14159);
    assert_string_equal(f, "职工-42-003.1");
    assert_string_equal(arena_printf(&a, "%s", ""), "");
    char big[5000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char *g = arena_printf(&a, "[%s]", big);
    assert_int_equal(strlen(g), sizeof(big) + 1);
    arena_release(&a);

    arena_init(&a, 100);
    assert_null(arena_printf(&a, "%s", big));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_reset_reuses),
        cmocka_unit_test(test_arena_calloc),
        cmocka_unit_test(test_strndup_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
