/* SPDX-License-Identifier: MIT */
/* Unit tests of the core helpers: errors, hex, sizes, private files,
 * option tables. */
#include "config.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cliopt.h"
#include "error.h"
#include "state.h"
#include "util.h"

#include "tap.h"

int
main(void)
{
	char	 dir[] = "/tmp/ds-test-core.XXXXXX", path[256], hex[65];
	char	*cause = NULL, *buf = NULL;
	size_t	 len;
	uint64_t v;
	unsigned char bytes[4];
	struct stat st;

	TEST_START("every error code has a message and a name");
	for (int i = 0; i < DS_E__COUNT; i++) {
		ASSERT_TRUE(ds_strerror(i)[0] != '\0');
		ASSERT_TRUE(ds_errname(i)[0] != '\0');
	}
	ASSERT_STRING_EQ(ds_errname(DS_E_NOMEM), "NOMEM");
	ASSERT_STRING_EQ(ds_strerror(DS_E__COUNT), "unknown error");
	TEST_DONE();

	TEST_START("ds_cause formats and replaces");
	ASSERT_INT_EQ(ds_cause(&cause, DS_E_IO, "a %d", 1), DS_E_IO);
	ASSERT_STRING_EQ(cause, "a 1");
	ds_cause(&cause, DS_E_IO, "b");
	ASSERT_STRING_EQ(cause, "b");
	free(cause);
	cause = NULL;
	TEST_DONE();

	TEST_START("hex round trip and rejects");
	ds_hex(hex, "\x01\xab\xff\x00", 4);
	ASSERT_STRING_EQ(hex, "01abff00");
	ASSERT_INT_EQ(ds_unhex(bytes, 4, "01ABff00"), 0);
	ASSERT_MEM_EQ(bytes, "\x01\xab\xff\x00", 4);
	ASSERT_INT_EQ(ds_unhex(bytes, 4, "01abff0"), -1);
	ASSERT_INT_EQ(ds_unhex(bytes, 4, "01abff00a"), -1);
	ASSERT_INT_EQ(ds_unhex(bytes, 4, "01abfg00"), -1);
	TEST_DONE();

	TEST_START("sizes parse with binary units");
	ASSERT_INT_EQ(ds_parse_size("4096", &v), 0);
	ASSERT_INT_EQ(v, 4096);
	ASSERT_INT_EQ(ds_parse_size("64M", &v), 0);
	ASSERT_INT_EQ(v, 64ULL << 20);
	ASSERT_INT_EQ(ds_parse_size("10TiB", &v), 0);
	ASSERT_INT_EQ(v, 10ULL << 40);
	ASSERT_INT_EQ(ds_parse_size("10X", &v), -1);
	ASSERT_INT_EQ(ds_parse_size("", &v), -1);
	ASSERT_INT_EQ(ds_parse_size("-1", &v), -1);
	TEST_DONE();

	TEST_START("atomic private write, read back, private check");
	ASSERT_PTR_NE(mkdtemp(dir), NULL);
	snprintf(path, sizeof path, "%s/secret", dir);
	ASSERT_INT_EQ(ds_write_file_atomic(path, "key", 3, 0600, &cause),
	    DS_E_OK);
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	ASSERT_INT_EQ(ds_read_file(path, 100, &buf, &len, &cause), DS_E_OK);
	ASSERT_INT_EQ(len, 3);
	ASSERT_STRING_EQ(buf, "key");
	free(buf);
	ASSERT_INT_EQ(ds_check_private(path, &cause), DS_E_OK);
	chmod(path, 0644);
	ASSERT_INT_EQ(ds_check_private(path, &cause), DS_E_INSECURE);
	free(cause);
	cause = NULL;
	ASSERT_INT_EQ(ds_read_file(path, 2, &buf, &len, &cause), DS_E_INVAL);
	free(cause);
	cause = NULL;
	unlink(path);
	TEST_DONE();

	TEST_START("option table: getopt and help from one list");
	{
		static const struct ds_cliopt t[] = {
			{ "job", 'j', "NAME", "the job" },
			{ "long-only", 300, NULL, "a long option with a help "
			    "text so long that it has to go on to a second "
			    "line of the help" },
			{ "quiet", 'q', NULL, "no progress" },
			{ NULL, 0, NULL, NULL }
		};
		char	 a0[] = "x", a1[] = "-qj", a2[] = "J", a3[] =
		    "--long-only", a4[] = "--job=K", a5[] = "-z";
		char	*av[] = { a0, a1, a2, a3, a4, a5, NULL };
		char	*h, *line, *save = NULL;
		size_t	 n = 0;

		optind = 0;
		opterr = 0;
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), 'q');
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), 'j');
		ASSERT_STRING_EQ(optarg, "J");
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), 300);
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), 'j');
		ASSERT_STRING_EQ(optarg, "K");
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), '?');
		ASSERT_INT_EQ(ds_cliopt_getopt(6, av, t, 0), -1);
		h = ds_cliopt_help(t);
		ASSERT_PTR_NE(h, NULL);
		ASSERT_TRUE(strstr(h, "  -j, --job NAME ") == h);
		ASSERT_TRUE(strstr(h, "\n      --long-only ") != NULL);
		ASSERT_TRUE(strstr(h, "\n  -q, --quiet ") != NULL);
		for (line = strtok_r(h, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save), n++)
			ASSERT_TRUE(strlen(line) <= 79);
		ASSERT_INT_EQ(n, 4);	/* the long help wrapped once */
		free(h);
		h = ds_cliopt_try("prog", "cmd sub");
		ASSERT_STRING_EQ(h, "Try 'prog cmd sub --help' for more "
		    "information.\n");
		free(h);
	}
	TEST_DONE();

	TEST_START("state dir is made private");
	snprintf(path, sizeof path, "%s/state/sub", dir);
	ds_state_set_dir(path);
	buf = ds_state_path("jobs/x.json", &cause);
	ASSERT_PTR_NE(buf, NULL);
	snprintf(path, sizeof path, "%s/state/sub/jobs", dir);
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0700);
	free(buf);
	TEST_DONE();

	return tap_end();
}
