/* SPDX-License-Identifier: MIT */
/*
 * The plain command line's struct ds_ui_ops: progress on stderr (one
 * redrawn line on a terminal, a plain line every few seconds otherwise),
 * warnings on stderr, questions answered with their default.
 */
#ifndef DS_CLI_OPS_H
#define DS_CLI_OPS_H

#include "i18n.h"
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

/* The --recovery-keys option of verify and restore. */
#define CLI_OPT_RECOVERY_KEYS \
	{ "recovery-keys", 'k', "FILE", N_("the drives' recovery keys, one " \
	    "a line (\"-\": standard input), not the key files") }

/*
 * The end of verify and restore: ends the progress line, prints the
 * error (RC other than DS_E_OK and DS_E_DAMAGED) or the report R (as
 * JSON with JSON set), and returns the exit code. Frees CAUSE and R.
 */
int	cli_finish(struct cli_ops_state *st, int rc, char *cause,
	    struct ds_read_report *r, int restore, int json);

#endif
