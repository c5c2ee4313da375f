/* SPDX-License-Identifier: MIT */
/* diskseed restore: restore the files from prepared drives. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli-ops.h"
#include "cmd.h"
#include "error.h"
#include "restore.h"
#include "rkeyfile.h"

static const struct ds_cliopt options[] = {
	{ "to", 't', "DIR", N_("the folder to restore into (made if "
	    "missing)") },
	CLI_OPT_RECOVERY_KEYS,
	UI_OPT_JSON('j'),
	UI_OPT_QUIET,
	UI_OPT_HELP,
	UI_OPT_END
};

static const char usage[] = N_("Usage: diskseed restore --to DIR [OPTIONS] "
    "D [D ...]\n"
    "Restore the files from prepared drives, given in any order.\n");

int
cmd_restore(int argc, char **argv)
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
		case 't':
			o.to = optarg;
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
			return ui_usage_error("restore", NULL);
		}
	}
	if (o.to == NULL)
		return ui_usage_error("restore", "%s",
		    _("--to DIR is required"));
	if (optind == argc)
		return ui_usage_error("restore", "%s", _("no drive given"));
	if (keyfile != NULL &&
	    (rc = rkeyfile_use(keyfile, &o, &keys, &nkeys)) != DS_EXIT_OK)
		return rc;
	o.drives = (const char *const *)argv + optind;
	o.ndrives = (size_t)(argc - optind);
	cli_ops_init(&ops, &st);
	st.quiet = quiet;
	o.ops = &ops;
	cli_ops_catch_signals();
	rc = ds_restore(&o, &r, &cause);
	rkeyfile_free(keys, nkeys);
	return cli_finish(&st, rc, cause, r, 1, json);
}
