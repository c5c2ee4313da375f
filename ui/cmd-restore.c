/* SPDX-License-Identifier: MIT */
/* diskseed restore: restore the files from prepared drives. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-ops.h"
#include "cmd.h"
#include "error.h"
#include "restore.h"
#include "rkeyfile.h"

static void
usage(FILE *f)
{
	fputs(_("Usage: diskseed restore --to DIR [--recovery-keys FILE] "
	    "D [D ...]\n"
	    "Restore the files from prepared drives, given in any order.\n\n"
	    "  --to DIR             the folder to restore into (made if "
	    "missing)\n"
	    "  --recovery-keys FILE the drives' recovery keys, one a line "
	    "(\"-\":\n"
	    "                       standard input), not the key files\n"
	    "  -q, --quiet          no progress\n"
	    "  -h, --help           show this help\n"), f);
}

int
cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to",		required_argument, NULL, 't' },
		{ "recovery-keys", required_argument, NULL, 'k' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ds_read_opts	 o;
	struct ds_read_report	*r = NULL;
	struct ds_ui_ops	 ops;
	struct cli_ops_state	 st;
	char			*cause = NULL, **keys = NULL;
	const char		*keyfile = NULL;
	size_t			 nkeys = 0;
	int			 c, rc, quiet = 0;

	memset(&o, 0, sizeof o);
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.to = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			usage(stderr);
			return DS_EXIT_USAGE;
		}
	}
	if (optind == argc || o.to == NULL) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
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
	cli_ops_done(&st);
	if (rc != DS_E_OK && rc != DS_E_DAMAGED) {
		ds_err_code(rc, cause);
		return rc == DS_E_CANCELED ? DS_EXIT_STOPPED : DS_EXIT_FAILURE;
	}
	free(cause);
	cli_print_report(r, 1);
	ds_read_report_free(r);
	if (rc == DS_E_DAMAGED) {
		ds_err_print("%s", ds_strerror(rc));
		return DS_EXIT_DAMAGED;
	}
	return DS_EXIT_OK;
}
