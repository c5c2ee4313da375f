/* SPDX-License-Identifier: MIT */
/* diskseed: the wizard with no arguments, a subcommand otherwise. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "settings.h"
#include "state.h"
#include "util.h"

static const struct ds_command commands[] = {
	{ "wizard",	cmd_wizard,
	    N_("walk through the whole job screen by screen") },
	{ "prep",	cmd_prep,
	    N_("format drives and copy the staging folder onto them") },
	{ "verify",	cmd_verify,
	    N_("read prepared drives back and check them") },
	{ "restore",	cmd_restore,
	    N_("restore the files from prepared drives") },
	{ "inspect",	cmd_inspect,
	    N_("show a drive's header and manifest summary") },
	{ "drives",	cmd_drives,
	    N_("list drives and whether they can be used") },
	{ "settings",	cmd_settings,
	    N_("import a publish-settings file") },
	{ "locations",	cmd_locations,
	    N_("list the datacenters drives can be shipped to") },
	{ "job",	cmd_job,
	    N_("create or show an import job") },
	{ "ship",	cmd_ship,
	    N_("send the shipping details of a job") },
	{ "status",	cmd_status,
	    N_("show the state of import jobs and their drives") },
};

const char *ds_opt_state_dir;

enum { OPT_STATE_DIR = 256 };

static const struct ds_cliopt options[] = {
	{ "state-dir", OPT_STATE_DIR, "DIR",
	    N_("keep keys, journals and settings in DIR") },
	UI_OPT_HELP,
	{ "version", 'V', NULL, N_("show the version and exit") },
	UI_OPT_END
};

/* Settings kept where diskseed before 0.2.0 kept them move, once. */
static void
settings_migrate(void)
{
	char	*note = NULL, *cause = NULL;
	int	 rc;

	if ((rc = ds_settings_migrate(&note, &cause)) != DS_E_OK)
		ui_err_print("%s", cause != NULL ? cause : ds_strerror(rc));
	else if (note != NULL)
		ui_err_print("%s", note);
	free(note);
	free(cause);
}

static int
usage(void)
{
	size_t i;

	printf(_("Usage: %s [--state-dir DIR] [COMMAND [OPTIONS]]\n"),
	    ui_progname);
	fputs(_("Prepare hard drives for offline seeding of a first backup.\n"
	    "Without a command, the wizard starts.\n\nCommands:\n"), stdout);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		printf("  %-10s %s\n", commands[i].name,
		    _(commands[i].summary));
	ui_help("", options);
	printf(_("\nRun '%s COMMAND --help' for a command's options.\n"),
	    ui_progname);
	return DS_EXIT_OK;
}

int
main(int argc, char **argv)
{
	size_t	i;
	int	c;

	ds_secrets_protect();
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, getenv("DISKSEED_LOCALEDIR") != NULL ?
	    getenv("DISKSEED_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);

	/* getopt names the program by argv[0]: "diskseed", not a path. */
	argv[0] = ui_progname;
	/* Stop at the first non-option: it is the command. */
	while ((c = ds_cliopt_getopt(argc, argv, options, 1)) != -1) {
		switch (c) {
		case OPT_STATE_DIR:
			ds_opt_state_dir = optarg;
			ds_state_set_dir(optarg);
			break;
		case 'h':
			return usage();
		case 'V':
			ui_version(ui_progname);
			return DS_EXIT_OK;
		default:
			return ui_usage_error(NULL, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	settings_migrate();
	if (argc == 0) {
		static char *wargv[] = { ui_progname, NULL };
		return cmd_wizard(1, wargv);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0;
			argv[0] = ui_progname;
			return commands[i].run(argc, argv);
		}
	}
	return ui_usage_error(NULL, _("unknown command '%s'"), argv[0]);
}
