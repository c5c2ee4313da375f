/* SPDX-License-Identifier: MIT */
/* Option tables: getopt_long's arrays and help lines from one list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "i18n.h"

/* Where the help text starts; wider option names push it right. */
#define HELP_COL	29
#define MAX_COLS	79

int
ds_cliopt_getopt(int argc, char **argv, const struct ds_cliopt *t, int stop)
{
	struct option	lo[DS_CLIOPT_MAX + 1];
	char		so[3 * DS_CLIOPT_MAX + 2], *s = so;
	size_t		i;

	memset(lo, 0, sizeof lo);
	if (stop)
		*s++ = '+';
	for (i = 0; t[i].name != NULL; i++) {
		if (i == DS_CLIOPT_MAX)
			return '?';
		lo[i].name = t[i].name;
		lo[i].has_arg = t[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].val = t[i].val;
		if (t[i].val < 256) {
			*s++ = (char)t[i].val;
			if (t[i].arg != NULL)
				*s++ = ':';
		}
	}
	*s = '\0';
	return getopt_long(argc, argv, so, lo, NULL);
}

/* Appends the help TEXT at column COL of a line already COL wide,
 * breaking at spaces before MAX_COLS. */
static void
put_wrapped(FILE *f, const char *text, int col)
{
	const char	*s = text, *brk;
	int		 width = MAX_COLS - col;

	while ((int)strlen(s) > width) {
		for (brk = s + width; brk > s && *brk != ' '; brk--)
			;
		if (brk == s)
			break;
		fprintf(f, "%.*s\n%*s", (int)(brk - s), s, col, "");
		s = brk + 1;
	}
	fprintf(f, "%s\n", s);
}

char *
ds_cliopt_help(const struct ds_cliopt *t)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0;
	int	 n;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	for (; t->name != NULL; t++) {
		if (t->val < 256)
			n = fprintf(f, "  -%c, --%s", t->val, t->name);
		else
			n = fprintf(f, "      --%s", t->name);
		if (t->arg != NULL)
			n += fprintf(f, " %s", t->arg);
		if (n < HELP_COL - 1) {
			fprintf(f, "%*s", HELP_COL - n, "");
			n = HELP_COL;
		} else {
			fprintf(f, "\n%*s", HELP_COL, "");
			n = HELP_COL;
		}
		put_wrapped(f, _(t->help), n);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *
ds_cliopt_copyright(void)
{
	/* TRANSLATORS: keep "(C)" and the address. */
	return _("Copyright (C) 2026 the diskseed authors\n"
	    "License MIT: <https://opensource.org/licenses/MIT>\n"
	    "This is free software: you are free to change and redistribute "
	    "it.\nThere is NO WARRANTY, to the extent permitted by law.\n");
}

char *
ds_cliopt_try(const char *prog, const char *cmd)
{
	char *s;

	if ((cmd != NULL ? asprintf(&s, _("Try '%s %s --help' for more "
	    "information.\n"), prog, cmd) : asprintf(&s, _("Try '%s --help' "
	    "for more information.\n"), prog)) == -1)
		return NULL;
	return s;
}
