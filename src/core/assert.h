/*
 * ASSERT: a proven invariant. Stays on in release builds (TigerBeetle style):
 * when it fails, the state is wrong in a way no input should reach, so the
 * process logs file:line and aborts rather than write bad money.
 * Never use it for what a client, the disk or the network can cause.
 */
#ifndef HUZHU_CORE_ASSERT_H
#define HUZHU_CORE_ASSERT_H

void assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define ASSERT(expr) ((expr) ? (void)0 : assert_fail(#expr, __FILE__, __LINE__))

#endif
