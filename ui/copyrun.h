/* SPDX-License-Identifier: MIT */
/*
 * A copy (prep, then verify) that outlives the terminal: the wizard
 * starts it in a process of its own session, which ignores SIGHUP and
 * writes its progress to jobs/<job>/copy.status in the state directory.
 * Any wizard, started again later or from another SSH session, reads
 * that file to show the copy and stops it with SIGTERM (resumable).
 *
 * Call order: copyrun_start(), then copyrun_read() as often as wanted
 * (copyrun_status_clear() after each), copyrun_stop() to ask it to stop.
 * copyrun_find() finds a copy that is still running.
 */
#ifndef DS_COPYRUN_H
#define DS_COPYRUN_H

#include <sys/types.h>

#include <stdint.h>

#include "ops.h"

enum copyrun_state {
	COPYRUN_RUNNING,	/* prep is copying */
	COPYRUN_VERIFYING,	/* prep done, reading the drives back */
	COPYRUN_NEED_DRIVE,	/* every drive given is full */
	COPYRUN_DONE,		/* copied and verified */
	COPYRUN_DAMAGED,	/* verify found problems (message says) */
	COPYRUN_STOPPED,	/* stopped by the user or a signal */
	COPYRUN_FAILED,		/* an error (message says); resumable */
	COPYRUN_COPIED,		/* prep done, not verified (diskseed prep) */
};

struct copyrun_args {
	const char	*job;
	const char	*staging;	/* NULL on resume */
	const char	*drive;		/* the drive to write next */
	const char	*confirm;	/* what the user typed for it */
	const char	*overwrite_job;	/* the unfinished job on it, named
					   by the user (prep --overwrite-job) */
	int		 resume;
	int		 skip_unreadable;
	int		 verify_only;	/* the copy is done: verify only */
};

struct copyrun_status {
	pid_t			 pid;
	enum copyrun_state	 state;
	struct ds_progress	 p;		/* p.current is owned */
	int			 drives;	/* drives in the set so far */
	char			*message;	/* owned; NULL: none */
	int64_t			 started;	/* seconds, CLOCK_REALTIME */
	int64_t			 updated;	/* milliseconds, realtime */
};

/*
 * Starts the copy in a detached process; returns 0 or an error with
 * *cause set. The process runs on after the wizard ends.
 */
int	copyrun_start(const struct copyrun_args *a, char **cause);

/* Reads JOB's status file; DS_E_NOTFOUND when no copy was started. */
int	copyrun_read(const char *job, struct copyrun_status *st,
	    char **cause);

/* Frees what ST holds. */
void	copyrun_status_clear(struct copyrun_status *st);

/* Whether ST describes a copy whose process is still working. */
int	copyrun_alive(const struct copyrun_status *st);

/* Asks the copy to stop (it stays resumable); 0 or -1. */
int	copyrun_stop(const struct copyrun_status *st);

/* The job of a copy that is still running; allocated, NULL when none. */
char	*copyrun_find(void);

/*
 * Publishing: what the detached copy uses, and what any prep can use so
 * that a wizard shows it (diskseed prep run from a script). Open before
 * ds_prep(), pass every struct ds_progress and warning on, then done()
 * with ds_prep's result and free(). All take NULL.
 */
struct copyrun_pub;

struct copyrun_pub *copyrun_pub_open(const char *job, char **cause);
void	copyrun_pub_progress(struct copyrun_pub *c,
	    const struct ds_progress *p);
void	copyrun_pub_warn(struct copyrun_pub *c, const char *message);
void	copyrun_pub_done(struct copyrun_pub *c, int code, const char *cause);
void	copyrun_pub_free(struct copyrun_pub *c);

/* The translated name of a phase, for people. */
const char *copyrun_phase_name(enum ds_phase phase);

#endif
