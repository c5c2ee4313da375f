/* SPDX-License-Identifier: MIT */
/* diskseed verify: read prepared drives back and check them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli-ops.h"
#include "cmd.h"
#include "error.h"
#include "restore.h"
#include "rkeyfile.h"

static const struct ds_cliopt options[] = {
	{ "deep", 'd', "DIR", N_("also decompress, check every file's SHA-256 "
	    "and compare it with the staging folder DIR") },
	CLI_OPT_RECOVERY_KEYS,
	UI_OPT_JSON('j'),
	UI_OPT_QUIET,
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed verify [OPTIONS] D [D ...]\n"
    "Read prepared drives back and check the header, every chunk's\n"
    "hash and tag, the manifest and the trailer.\n");

int
cmd_verify(int argc, char **argv)
{
	struct ds_read_opts	 o;
	struct ds_read_report	*r = NULL;
	struct ds_ui_ops	 ops;
	struct cli_ops_state	 st;
	char			*cause = NULL, **keys = NULL;
	const char		*keyfile = NULL;
	size_t			 nkeys = 0;
	int			 c, rc, quiet = 0, json = 0;

	memset(&o, 0, sizeof o);
	while ((c = ds_cliopt_getopt(argc, argv, options, 0)) != -1) {
		switch (c) {
		case 'd':
			o.deep = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return ui_help(_(usage), options);
		default:
			return ui_usage_error("verify", NULL);
		}
	}
	if (optind == argc)
		return ui_usage_error("verify", "%s", _("no drive given"));
	if (keyfile != NULL &&
	    (rc = rkeyfile_use(keyfile, &o, &keys, &nkeys)) != DS_EXIT_OK)
		return rc;
	o.drives = (const char *const *)argv + optind;
	o.ndrives = (size_t)(argc - optind);
	cli_ops_init(&ops, &st);
	st.quiet = quiet;
	o.ops = &ops;
	cli_ops_catch_signals();
	rc = ds_verify(&o, &r, &cause);
	rkeyfile_free(keys, nkeys);
	return cli_finish(&st, rc, cause, r, 0, json);
}
