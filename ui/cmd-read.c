/* SPDX-License-Identifier: MIT */
/*
 * diskseed verify and diskseed restore: the two commands that read
 * prepared drives back. They differ in one option and in the backend call
 * (ds_verify or ds_restore); the parsing, keys, progress and report are
 * one path, so that the two cannot drift apart.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli-ops.h"
#include "cmd.h"
#include "error.h"
#include "restore.h"
#include "rkeyfile.h"

struct read_cmd {
	const char		*name;
	const struct ds_cliopt	*options;
	const char		*usage;
	int			 restore;	/* else verify */
};

static const struct ds_cliopt verify_options[] = {
	{ "deep", 'd', "DIR", N_("also decompress, check every file's SHA-256 "
	    "and compare it with the staging folder DIR") },
	CLI_OPT_RECOVERY_KEYS,
	UI_OPT_JSON('j'),
	UI_OPT_QUIET,
	UI_OPT_HELP,
	UI_OPT_END
};

static const struct ds_cliopt restore_options[] = {
	{ "to", 't', "DIR", N_("the folder to restore into (made if "
	    "missing)") },
	CLI_OPT_RECOVERY_KEYS,
	UI_OPT_JSON('j'),
	UI_OPT_QUIET,
	UI_OPT_HELP,
	UI_OPT_END
};

static const struct read_cmd verify_cmd = {
	"verify", verify_options,
	N_("Usage: diskseed verify [OPTIONS] D [D ...]\n"
	    "Read prepared drives back and check the header, every chunk's\n"
	    "hash and tag, the manifest and the trailer.\n"),
	0
};

static const struct read_cmd restore_cmd = {
	"restore", restore_options,
	N_("Usage: diskseed restore --to DIR [OPTIONS] D [D ...]\n"
	    "Restore the files from prepared drives, given in any order.\n"),
	1
};

static int
read_command(const struct read_cmd *cmd, int argc, char **argv)
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
	/* getopt refuses an option the command's table does not list. */
	while ((c = ds_cliopt_getopt(argc, argv, cmd->options, 0)) != -1) {
		switch (c) {
		case 'd':
			o.deep = optarg;
			break;
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
			return ui_help(_(cmd->usage), cmd->options);
		default:
			return ui_usage_error(cmd->name, NULL);
		}
	}
	if (cmd->restore && o.to == NULL)
		return ui_usage_error(cmd->name, "%s",
		    _("--to DIR is required"));
	if (optind == argc)
		return ui_usage_error(cmd->name, "%s", _("no drive given"));
	if (keyfile != NULL &&
	    (rc = rkeyfile_use(keyfile, &o, &keys, &nkeys)) != DS_EXIT_OK)
		return rc;
	o.drives = (const char *const *)argv + optind;
	o.ndrives = (size_t)(argc - optind);
	cli_ops_init(&ops, &st);
	st.quiet = quiet;
	o.ops = &ops;
	cli_ops_catch_signals();
	if (cmd->restore)
		rc = ds_restore(&o, &r, &cause);
	else
		rc = ds_verify(&o, &r, &cause);
	rkeyfile_free(keys, nkeys);
	return cli_finish(&st, rc, cause, r, cmd->restore, json);
}

int
cmd_verify(int argc, char **argv)
{
	return read_command(&verify_cmd, argc, argv);
}

int
cmd_restore(int argc, char **argv)
{
	return read_command(&restore_cmd, argc, argv);
}
