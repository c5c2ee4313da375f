/* SPDX-License-Identifier: MIT */
/*
 * Resume for prep: the job's parameters from the options (a new job) or
 * from the journal of an interrupted run, the replay that compares what
 * is on the drives with staging now and rebuilds the open drive's
 * manifest lists, and the check that staging still reaches the same
 * position.
 *
 * Call order (main thread only, before the queue's threads start):
 * prep_resume_open() (or its parts prep_resume_load(), _setup(),
 * _same_staging()); after the staging walk prep_resume_records() (which
 * replays the journal on a resume and opens it), then
 * prep_resume_check_position(); prep_resume_clear() at the end. What
 * prep_resume_setup() reads into the struct prep_job (staging, set,
 * sizes, session, position, drives used) is the job's from then on.
 */
#ifndef DS_PREP_RESUME_H
#define DS_PREP_RESUME_H

#include <stdint.h>

#include <jansson.h>

#include "prep-drive.h"

struct ds_walk;
struct prep_job;

struct prep_resume {
	int		 already_done;	/* the journal says "done" */
	json_t		*pending;	/* the record to append first */
	json_t		*open_rec;	/* the drive left open, or NULL */
	json_t		*open_segs;	/* its segment records */
	json_t		*last_seg;	/* the last segment record */
	/* The open drive's manifest lists, rebuilt by the replay. */
	struct prep_mf	 mf;
	uint64_t	 next_slot;
	uint64_t	 mf_est;
};

/*
 * Sets the job up from its options (names and counts checked, the job
 * claimed, every drive given confirmed) and its journal, whose path
 * *JPATH is set (allocated); refuses a new drive holding another job's
 * drive. r->already_done: nothing is left to do (nothing checked more).
 */
int	prep_resume_open(struct prep_resume *r, struct prep_job *j,
	    char **jpath, char **cause);

/*
 * After the walk W of staging: the job record says preparing (and names
 * staging); on a resume the journal at JPATH is replayed; the journal is
 * opened with r->pending appended; the prepared record is loaded or made.
 */
int	prep_resume_records(struct prep_resume *r, struct prep_job *j,
	    const struct ds_walk *w, const char *jpath, char **cause);

/* Reads the journal at JPATH into *RECORDS (allocated), each segment
 * record cut down to what prep_resume_setup() needs. */
int	prep_resume_load(const char *jpath, json_t **records, char **cause);

/* Starts a new job (o->staging given, no journal) or loads the
 * interrupted one from RECORDS into J and R. */
int	prep_resume_setup(struct prep_resume *r, struct prep_job *j,
	    json_t *records, char **cause);

/* Refuses a resume from another folder than the job's own. */
int	prep_resume_same_staging(const struct prep_job *j,
	    const char *staging, char **cause);

/*
 * Second pass over the journal at JPATH, after the walk W of staging:
 * files on the drives that changed since are named (the drives keep the
 * version copied); a split file whose copied part changed cannot be
 * finished (refused); the open drive's lists are rebuilt into R.
 */
int	prep_resume_replay(struct prep_resume *r, struct prep_job *j,
	    const struct ds_walk *w, const char *jpath, char **cause);

/* Checks that walk W still reaches the journal's position at the same
 * entry: staging must not change between runs. */
int	prep_resume_check_position(const struct prep_resume *r,
	    const struct prep_job *j, const struct ds_walk *w, char **cause);

void	prep_resume_clear(struct prep_resume *r);

#endif
