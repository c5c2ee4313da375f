/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP producer for the C unit tests, in the manner of OpenSSH's
 * regress/unittests: TEST_START("name") ... ASSERT_*() ... TEST_DONE(),
 * and tap_end() at the end of main(). A failed assertion ends the current
 * test as "not ok" and goes on with the next.
 */
#ifndef DS_TAP_H
#define DS_TAP_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int		 tap_count;
static int		 tap_failed;
static const char	*tap_name;
static jmp_buf		 tap_jmp;

#define TEST_START(name) do {						\
	tap_name = (name);						\
	if (setjmp(tap_jmp) != 0) {					\
		tap_failed++;						\
		printf("not ok %d - %s\n", ++tap_count, tap_name);	\
		break;							\
	}

#define TEST_DONE()							\
	printf("ok %d - %s\n", ++tap_count, tap_name);			\
} while (0)

#define TAP_FAIL(...) do {						\
	printf("# %s:%d: ", __FILE__, __LINE__);			\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	longjmp(tap_jmp, 1);						\
} while (0)

#define ASSERT_TRUE(e) do {						\
	if (!(e))							\
		TAP_FAIL("expected true: %s", #e);			\
} while (0)
#define ASSERT_INT_EQ(a, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		TAP_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);	\
} while (0)
#define ASSERT_INT_NE(a, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a == _b)							\
		TAP_FAIL("%s != %s: both %lld", #a, #b, _a);		\
} while (0)
#define ASSERT_STRING_EQ(a, b) do {					\
	const char *_a = (a), *_b = (b);				\
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0)		\
		TAP_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,		\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)
#define ASSERT_MEM_EQ(a, b, n) do {					\
	if (memcmp((a), (b), (n)) != 0)					\
		TAP_FAIL("%s == %s over %zu bytes", #a, #b, (size_t)(n)); \
} while (0)
#define ASSERT_PTR_NE(a, b) ASSERT_TRUE((a) != (b))
#define ASSERT_PTR_EQ(a, b) ASSERT_TRUE((a) == (b))

static inline int
tap_end(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
