/* SPDX-License-Identifier: MIT */
/*
 * The prep journal: the record parser (ds_journal_parse) on any bytes,
 * then the file as prep replays it after a crash. The bytes are written
 * as a journal file; ds_journal_open() must load the same records and
 * cut off the rest, an append must follow them, and a fresh read must
 * give every record back.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "error.h"
#include "fuzz.h"
#include "journal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_journal	*j = NULL;
	json_t			*recs, *recs2 = NULL, *recs3 = NULL, *rec;
	struct stat		 st;
	size_t			 valid, n;
	char			 path[128], *cause = NULL;
	int			 fd;

	recs = ds_journal_parse((const char *)data, size, &valid);
	FUZZ_CHECK(recs != NULL && json_is_array(recs));
	FUZZ_CHECK(valid <= size);
	FUZZ_CHECK(valid == 0 || data[valid - 1] == '\n');
	n = json_array_size(recs);
	FUZZ_CHECK((n == 0) == (valid == 0));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(json_is_object(json_array_get(recs, i)));

	/* The replay through the file, as prep resumes. */
	snprintf(path, sizeof path, "%s/journal", fuzz_tmpdir());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd != -1);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
	FUZZ_CHECK(ds_journal_open(path, &j, &recs2, &cause) == DS_E_OK);
	FUZZ_CHECK(json_equal(recs, recs2));
	FUZZ_CHECK(stat(path, &st) == 0 && (size_t)st.st_size == valid);
	rec = json_pack("{s:s, s:i}", "type", "fuzz", "n", (int)n);
	FUZZ_CHECK(ds_journal_append(j, rec, &cause) == DS_E_OK);
	ds_journal_close(j);
	FUZZ_CHECK(ds_journal_read(path, &recs3, &cause) == DS_E_OK);
	FUZZ_CHECK(json_array_size(recs3) == n + 1);
	FUZZ_CHECK(json_equal(json_array_get(recs3, n), rec));
	json_array_remove(recs3, n);
	FUZZ_CHECK(json_equal(recs, recs3));
	json_decref(rec);
	json_decref(recs);
	json_decref(recs2);
	json_decref(recs3);
	free(cause);
	unlink(path);
	return 0;
}
