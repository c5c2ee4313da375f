/* SPDX-License-Identifier: MIT */
/*
 * What every stage of prep shares: the job's fixed parameters, its two
 * records (the journal and the record of prepared drives), where the run
 * stands, and the result handed back to the caller.
 *
 * Ownership: the main thread fills this in (prep-resume.c, from the
 * options or the journal) before the sealer and writer threads start;
 * after that, the threads read only the fixed parameters (set_id,
 * chunk_size, session), and the journal is theirs whenever a segment
 * commit is queued (prep-queue.h says when the main thread may append).
 * Everything else here is the main thread's.
 */
#ifndef DS_PREP_JOB_H
#define DS_PREP_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "format.h"
#include "ops.h"
#include "prep.h"

struct ds_journal;
struct ds_prepared;
struct ds_prepared_drive;

struct prep_job {
	const struct ds_prep_opts *o;
	struct ds_prep_result	*res;

	/* Fixed once the job is set up. */
	char			*staging;	/* absolute; owned */
	char			*job;		/* owned */
	uint8_t			 set_id[DS_FMT_SET_LEN];
	char			 set_hex[33];
	uint32_t		 chunk_size;
	size_t			 payload;	/* plaintext per chunk */
	uint64_t		 seg_size;
	int			 level;
	int			 skip_unreadable;
	uint32_t		 session;

	struct ds_journal	*journal;
	struct ds_prepared	*prepared;

	/* Where the run stands (main thread). */
	uint32_t		 next_index;	/* of the next new drive */
	uint32_t		 next_seg;
	size_t			 entry;		/* walk position */
	uint64_t		 entry_off;	/* bytes of it stored */
	int			 used_drive[DS_MAX_DRIVES];

	/* The progress report of the run (prep.c); non-zero: stop. */
	int			(*prog)(void *arg, enum ds_phase phase,
				    int force);
	void			*prog_arg;
};

/* Progress reports to the caller's ops, at most one per 100 ms. */
struct prep_prog {
	const struct ds_ui_ops	*ops;
	struct timespec		 last;
	int			 canceled;	/* progress() said stop */
};

/* Reports PR unless one went less than 100 ms ago (FORCE: always);
 * returns non-zero once the caller said stop. */
int	prep_prog_report(struct prep_prog *pg, const struct ds_progress *pr,
	    int force);

/* Passes a warning to the caller's ops, if it takes them. */
void	prep_warn(const struct prep_job *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Names REL in the result as changed, while it was read or (AFTER_COPY)
 * after it was copied, once: a file cut into parts is checked at each.
 */
void	prep_note_changed(struct prep_job *, const char *rel, int after_copy);

/* Appends REC (taken) to the journal. */
int	prep_journal_add(struct prep_job *, json_t *rec, char **cause);

/* The prepared record's drive INDEX, added when missing; borrowed. */
struct ds_prepared_drive *prep_prepared_drive(struct prep_job *,
	    uint32_t index);

/* Appends a copy of S to *V, or I to *V; -1 when out of memory. */
int	prep_add_str(char ***v, size_t *n, const char *s);
int	prep_add_int(int **v, size_t *n, int i);

#endif
