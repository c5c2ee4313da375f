/* SPDX-License-Identifier: MIT */
/*
 * The lines of /proc/self/mountinfo as the drives layer reads them
 * (ds_mountinfo_parse, which also undoes the octal escapes): each line
 * of the input is given alone, in a buffer of its exact size.
 */
#include "config.h"

#include <string.h>

#include "drives-int.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_mount	 m;
	const uint8_t	*nl;
	char		*line;
	size_t		 len;
	int		 rc;

	while (size > 0) {
		nl = memchr(data, '\n', size);
		len = nl != NULL ? (size_t)(nl - data) : size;
		line = fuzz_string(data, len);
		memset(&m, 0, sizeof m);
		rc = ds_mountinfo_parse(line, &m);
		FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
		if (rc == 0) {
			FUZZ_CHECK(m.mountpoint != NULL && m.source != NULL);
			FUZZ_CHECK(strlen(m.mountpoint) <= len &&
			    strlen(m.source) <= len);
			free(m.mountpoint);
			free(m.source);
		}
		free(line);
		if (nl == NULL)
			break;
		data += len + 1;
		size -= len + 1;
	}
	return 0;
}
