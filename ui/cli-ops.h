/* SPDX-License-Identifier: MIT */
/*
 * The plain command line's struct ds_ui_ops: progress on stderr (one
 * redrawn line on a terminal, a plain line every few seconds otherwise),
 * warnings on stderr, questions answered with their default.
 */
#ifndef DS_CLI_OPS_H
#define DS_CLI_OPS_H

#include "ops.h"

struct cli_ops_state {
	int		 tty;
	int		 quiet;
	int		 drawn;		/* a progress line is on screen */
	int		 last_phase;
	long long	 last_ms;
};

/* Fills OPS to report through S (initialised here). */
void	cli_ops_init(struct ds_ui_ops *ops, struct cli_ops_state *s);

/*
 * Makes SIGINT, SIGTERM and SIGHUP stop the operation at the next
 * progress report (it then returns DS_E_CANCELED, resumable); a second
 * signal ends the program at once.
 */
void	cli_ops_catch_signals(void);

/* Ends the progress line, if any, so that other output starts clean. */
void	cli_ops_done(struct cli_ops_state *s);


struct ds_read_report;

/* Prints REPORT's problems (one line each) and totals on stdout. */
void	cli_print_report(const struct ds_read_report *r, int restore);

#endif
