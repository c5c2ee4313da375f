/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of diskseed. Each lives in ui/cmd-<name>.c and is
 * called with the arguments after its name (argv[0] is "diskseed", so
 * that getopt names the program as the GNU tools do). It
 * prints its own messages and returns one of the exit codes of err.h,
 * which the man page documents.
 */
#ifndef DS_CMD_H
#define DS_CMD_H

#include "err.h"

struct ds_command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*summary;	/* untranslated; --help translates */
};

int	cmd_prep(int, char **);
int	cmd_verify(int, char **);
int	cmd_restore(int, char **);
int	cmd_inspect(int, char **);
int	cmd_drives(int, char **);
int	cmd_settings(int, char **);
int	cmd_job(int, char **);
int	cmd_locations(int, char **);
int	cmd_ship(int, char **);
int	cmd_status(int, char **);
int	cmd_wizard(int, char **);

/* Global options every subcommand accepts before its own. */
extern const char *ds_opt_state_dir;

#endif
