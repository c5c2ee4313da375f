/* SPDX-License-Identifier: MIT */
/*
 * One table per command line: each option's long name, short letter,
 * argument and help line. getopt_long's arrays and the --help lines are
 * both made from it, so what a command accepts and what its help (and a
 * test against the man page) lists cannot drift apart.
 *
 * ds_cliopt_getopt() is getopt_long() over a table; nothing here prints.
 */
#ifndef DS_CLIOPT_H
#define DS_CLIOPT_H

#include <getopt.h>

struct ds_cliopt {
	const char	*name;	/* long name without "--"; NULL ends */
	int		 val;	/* a letter also makes "-X"; >= 256 long only */
	const char	*arg;	/* untranslated argument name; NULL: none */
	const char	*help;	/* N_() text; translated when shown */
};

/* The most options one table may have. */
#define DS_CLIOPT_MAX	24

/*
 * getopt_long() over table T (at most DS_CLIOPT_MAX options): returns
 * the val of the option found, '?' for an unknown option or a missing
 * argument (getopt has printed why), -1 at the end. STOP makes the
 * first operand end the options ("+" of getopt).
 */
int	ds_cliopt_getopt(int argc, char **argv, const struct ds_cliopt *t,
	    int stop);

/*
 * The help lines of table T, translated, one option a line
 * ("  -j, --job NAME        the import job's name"), each at most 79
 * columns (a long help goes on to the next line). Returns an allocated
 * string, caller frees; NULL without memory.
 */
char	*ds_cliopt_help(const struct ds_cliopt *t);

/*
 * The last line of a usage error, as the GNU tools print it: "Try 'PROG
 * CMD --help' for more information." (CMD may be NULL), translated, with
 * its newline. Returns an allocated string, caller frees; NULL without
 * memory.
 */
char	*ds_cliopt_try(const char *prog, const char *cmd);

/* What --version prints after the first line: copyright, licence,
 * warranty; translated, borrowed. */
const char *ds_cliopt_copyright(void);

#endif
