/* SPDX-License-Identifier: MIT */
/*
 * How diskseed reports: "diskseed: " messages on stderr, the exit code
 * of each backend error (its column in src/errors-*.def), the one-line
 * usage error of the GNU tools, --help from an option table and
 * --version.
 */
#ifndef DS_UI_ERR_H
#define DS_UI_ERR_H

#include <stdio.h>

#include "cliopt.h"
#include "i18n.h"

/* The exit codes, documented in diskseed(1) under EXIT STATUS. */
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

/* The last two lines of every option table. */
#define UI_OPT_HELP	{ "help", 'h', NULL, N_("show this help and exit") }
#define UI_OPT_JSON(c)	{ "json", c, NULL, N_("print JSON instead of text") }
#define UI_OPT_JOB	{ "job", 'j', "NAME", N_("the import job's name") }
#define UI_OPT_GROUP	{ "resource-group", 'g', "RG", N_("the job's " \
	"resource group (default: the job's record, then the settings')") }
#define UI_OPT_QUIET	{ "quiet", 'q', NULL, N_("no progress") }
#define UI_OPT_END	{ NULL, 0, NULL, NULL }

/* The program's name in messages, and getopt's (main sets argv[0]). */
extern char ui_progname[];

/* Prints "diskseed: " and the message to stderr. */
void	ui_err_print(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Prints the error code's message and the cause, then frees the cause. */
void	ui_err_code(int code, char *cause);

/* The exit code of backend error CODE. */
int	ui_exit_code(int code);

/* Prints the error (freeing CAUSE) and returns its exit code. */
int	ui_fail(int code, char *cause);

/*
 * A usage error: prints the message (when FMT is not NULL), then "Try
 * 'diskseed CMD --help' for more information." (CMD may be NULL or a
 * "job create"-like pair), and returns DS_EXIT_USAGE.
 */
int	ui_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * --help: USAGE (translated by the caller), then "Options:" and the
 * lines of table T on stdout. Returns DS_EXIT_OK.
 */
int	ui_help(const char *usage, const struct ds_cliopt *t);

/* --version on stdout: version, copyright, licence. */
void	ui_version(const char *program);

#endif
