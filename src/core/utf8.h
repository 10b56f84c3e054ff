/*
 * utf8: validation and counting of untrusted text given as (ptr, len).
 */
#ifndef HUZHU_CORE_UTF8_H
#define HUZHU_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when (s, len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). Embedded NUL bytes are refused too: no field of
 * ours carries one, and C strings would cut at it. */
bool utf8_is_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8 (s, len). */
size_t utf8_count(const char *s, size_t len);

#endif
