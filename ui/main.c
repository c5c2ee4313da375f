/* SPDX-License-Identifier: MIT */
/* diskseed: the wizard with no arguments, a subcommand otherwise. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
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

void
ds_err_print(const char *fmt, ...)
{
	va_list ap;

	fputs("diskseed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
ds_err_code(int code, char *cause)
{
	if (cause != NULL && *cause != '\0')
		ds_err_print("%s: %s", ds_strerror(code), cause);
	else
		ds_err_print("%s", ds_strerror(code));
	free(cause);
}

/* Settings kept where diskseed before 0.2.0 kept them move, once. */
static void
settings_migrate(void)
{
	char	*note = NULL, *cause = NULL;
	int	 rc;

	if ((rc = ds_settings_migrate(&note, &cause)) != DS_E_OK)
		ds_err_print("%s", cause != NULL ? cause : ds_strerror(rc));
	else if (note != NULL)
		ds_err_print("%s", note);
	free(note);
	free(cause);
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, _("Usage: %s [--state-dir DIR] [COMMAND [OPTIONS]]\n"),
	    "diskseed");
	fputs(_("Prepare hard drives for offline seeding of a first backup.\n"
	    "Without a command, the wizard starts.\n\nCommands:\n"), f);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    _(commands[i].summary));
	fputs(_("\nOptions:\n"
	    "  --state-dir DIR  keep keys, journals and settings in DIR\n"
	    "  -h, --help       show this help\n"
	    "  -V, --version    show the version\n\n"
	    "Run 'diskseed COMMAND --help' for a command's options.\n"), f);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	size_t	i;
	int	c;

	ds_secrets_protect();
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, getenv("DISKSEED_LOCALEDIR") != NULL ?
	    getenv("DISKSEED_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);

	/* Stop at the first non-option: it is the command. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			ds_opt_state_dir = optarg;
			ds_state_set_dir(optarg);
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		case 'V':
			printf("diskseed %s\n", PACKAGE_VERSION);
			return DS_EXIT_OK;
		default:
			usage(stderr);
			return DS_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	settings_migrate();
	if (argc == 0) {
		static char wizard[] = "wizard";
		static char *wargv[] = { wizard, NULL };
		return cmd_wizard(1, wargv);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0;
			return commands[i].run(argc, argv);
		}
	}
	ds_err_print(_("unknown command '%s'; see 'diskseed --help'"),
	    argv[0]);
	return DS_EXIT_USAGE;
}
