/* SPDX-License-Identifier: MIT */
/*
 * The recovery key as a person types it (ds_rkey_parse): what parses
 * formats back (ds_rkey_format) to a key that parses the same.
 */
#include "config.h"

#include <string.h>

#include "error.h"
#include "format.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	 key[DS_FMT_KEY_LEN], key2[DS_FMT_KEY_LEN];
	char	*text, *cause = NULL, out[DS_FMT_RKEY_LEN + 1];
	int	 rc;

	if (size > 4096)
		return 0;
	text = fuzz_string(data, size);
	memset(key, 0xaa, sizeof key);
	rc = ds_rkey_parse(text, key, &cause);
	FUZZ_CHECK(rc == DS_E_OK || (rc == DS_E_PARSE && cause != NULL));
	free(cause);
	FUZZ_CHECK(ds_rkey_parse(text, key2, NULL) == rc);
	if (rc != DS_E_OK) {
		/* A failed parse leaves no part of a key behind. */
		memset(key2, 0, sizeof key2);
		FUZZ_CHECK(memcmp(key, key2, sizeof key) == 0);
	} else {
		ds_rkey_format(key, out);
		FUZZ_CHECK(strlen(out) == DS_FMT_RKEY_LEN);
		FUZZ_CHECK(ds_rkey_parse(out, key2, NULL) == DS_E_OK);
		FUZZ_CHECK(memcmp(key, key2, sizeof key) == 0);
	}
	free(text);
	return 0;
}
