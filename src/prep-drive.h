/* SPDX-License-Identifier: MIT */
/*
 * Drive lifecycle for prep: a new drive of the set (opened through the
 * gate, keyed, recorded, formatted), the drive an interrupted run left
 * open (reopened with its manifest lists rebuilt from the journal), and
 * the close (manifest, trailer, records). Also the manifest's lists as
 * they grow: compact JSON text, the chunk and file lists spilled to an
 * unlinked file, so memory stays small whatever the number of files.
 *
 * Call order: prep_drive_check_confirmed() and prep_drive_check_overwrite()
 * before anything is written; then for each drive prep_drive_new() or
 * prep_drive_reopen(), segments (prep-queue.h), prep_drive_close() once
 * the queue is drained; prep_drive_drop() for one left open.
 *
 * Threads: a struct prep_drive is the main thread's, except what
 * prep-queue.h lends to the sealer (key, index) and the writer (the gate's
 * descriptor, the manifest lists mf) while chunks are queued.
 */
#ifndef DS_PREP_DRIVE_H
#define DS_PREP_DRIVE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "format.h"
#include "gate.h"

struct prep_job;
struct ds_prep_opts;

#define PREP_READ_BUF		(1024 * 1024)	/* a read, a manifest write */
#define PREP_MF_BASE		4096	/* manifest bytes besides the lists */
#define PREP_MF_PER_CHUNK	192	/* manifest bytes of one chunk */

/* A growing list text, in memory or (spill) in an unlinked file. */
struct prep_tbuf {
	char		*s;
	size_t		 len, cap;
	int		 spill;
	FILE		*f;
};

/* Appends LEN bytes of S to T, after a comma when T is not empty. */
int	prep_tbuf_add(struct prep_tbuf *t, const char *s, size_t len);
/* Frees what T holds; it stays usable, spilling as before. */
void	prep_tbuf_free(struct prep_tbuf *t);

/* A drive's manifest lists so far, without brackets, and their totals. */
struct prep_mf {
	struct prep_tbuf segs;
	struct prep_tbuf chunks;	/* spilled */
	struct prep_tbuf files;		/* spilled */
	uint64_t	 nfiles;
	uint64_t	 bytes;
};

void	prep_mf_init(struct prep_mf *);
/*
 * Adds a committed segment record REC to M. FTEXT, NFILES and BYTES: its
 * file records as text with their counts, or FTEXT NULL to take them
 * from REC's "files" (a record read back from the journal).
 */
int	prep_mf_add_seg(struct prep_mf *m, json_t *rec, const char *ftext,
	    uint64_t nfiles, uint64_t bytes);
void	prep_mf_free(struct prep_mf *);

/* The drive being written. */
struct prep_drive {
	int		 open;
	struct ds_gate	 g;
	uint32_t	 index;
	uint8_t		 key[DS_FMT_KEY_LEN];
	uint64_t	 trailer_off;
	uint64_t	 next_slot;	/* the next chunk's; main thread */
	uint64_t	 mf_est;	/* manifest bytes of what is queued */
	struct prep_mf	 mf;
	uint8_t		 header[DS_FMT_BLOCK];
};

/* Refuses drives given twice or not confirmed with --confirm. */
int	prep_drive_check_confirmed(const struct ds_prep_opts *o,
	    char **cause);
/* Refuses a new drive holding another job's drive or one of this set. */
int	prep_drive_check_overwrite(const struct prep_job *j, char **cause);

/* Opens PATH as the job's next new drive, records it and formats it. */
int	prep_drive_new(struct prep_drive *d, struct prep_job *j,
	    const char *path, char **cause);
/*
 * Reopens the drive of journal record DREC left open by an interrupted
 * run, whose segments are SEGS; its manifest lists MF (taken: zeroed),
 * NEXT_SLOT and MF_EST were rebuilt from the journal.
 */
int	prep_drive_reopen(struct prep_drive *d, struct prep_job *j,
	    json_t *drec, json_t *segs, struct prep_mf *mf,
	    uint64_t next_slot, uint64_t mf_est, char **cause);
/* Writes the manifest and trailer of D (LAST: the set's last drive),
 * journals and records it, closes it. Every chunk must be written. */
int	prep_drive_close(struct prep_drive *d, struct prep_job *j, int last,
	    char **cause);
/* Closes D where it stands (the journal lets --resume go on). */
void	prep_drive_drop(struct prep_drive *d);

/* Bytes left on D for segments and their manifest. */
uint64_t prep_drive_avail(const struct prep_drive *d, uint32_t chunk_size);
/* Chunk slots are written with O_DIRECT where the drive allows it. */
void	prep_drive_direct(struct prep_drive *d, int on);

#endif
