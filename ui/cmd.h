/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of diskseed. Each lives in ui/cmd-<name>.c and is
 * called with the arguments after its name (argv[0] is the name). It
 * prints its own messages and returns one of the exit codes below, which
 * the man page documents.
 */
#ifndef DS_CMD_H
#define DS_CMD_H

enum ds_exit {
	DS_EXIT_OK = 0,
	DS_EXIT_FAILURE = 1,	/* failed; the message says why */
	DS_EXIT_USAGE = 2,	/* bad options or arguments */
	DS_EXIT_NEED_DRIVE = 3,	/* drives full: add one, --resume */
	DS_EXIT_DAMAGED = 4,	/* verify or restore found damage */
	DS_EXIT_REFUSED = 5,	/* a safety check refused to write */
	DS_EXIT_SERVICE = 6,	/* import service failed or unreachable */
	DS_EXIT_STOPPED = 7,	/* stopped by the user or a signal; resumable */
};

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

/* Prints "diskseed: " and the message to stderr. */
void	ds_err_print(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Prints the error code's message and the cause, then frees the cause. */
void	ds_err_code(int code, char *cause);

#endif
