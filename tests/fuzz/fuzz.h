/* SPDX-License-Identifier: MIT */
/*
 * What every fuzz target shares. Each tests/fuzz/fuzz-<name>.c defines
 * LLVMFuzzerTestOneInput(): libFuzzer calls it when configure was given
 * --enable-fuzzing; otherwise driver.c's main() replays files through it
 * (make check runs the seed corpus of tests/fuzz/corpus/<name>/).
 *
 * A target calls the real parser on the bytes and checks what its
 * interface promises; a broken promise aborts (FUZZ_CHECK), which
 * libFuzzer and the driver both report as a crash.
 */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: broken promise: %s\n",		\
		    __FILE__, __LINE__, #e);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated copy of DATA (allocated; never NULL). */
char	*fuzz_string(const uint8_t *data, size_t size);

/* A private folder made once per process (removed at exit). */
const char *fuzz_tmpdir(void);

#endif
