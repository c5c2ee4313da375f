/* SPDX-License-Identifier: MIT */
/*
 * The open segment of prep: a pax archive compressed with zstd by
 * libarchive, whose bytes go into the chunk queue (prep-queue.h), with
 * the file records of the entries in it and the estimates that decide
 * whether one more entry fits in it and on the drive.
 *
 * Call order (main thread): set s->j, s->d and s->q once; then per
 * segment prep_seg_begin(), for each entry prep_seg_fits() then the
 * archive calls on s->a and prep_seg_file(), and prep_seg_commit() (or
 * prep_seg_abort() when giving up); prep_seg_free() at the end.
 */
#ifndef DS_PREP_SEG_H
#define DS_PREP_SEG_H

#include <stdint.h>

#include "prep-drive.h"

struct archive;
struct archive_entry;
struct ds_mf_file;
struct prep_job;
struct prep_queue;

struct prep_seg {
	/* Borrowed. */
	struct prep_job		*j;
	struct prep_drive	*d;
	struct prep_queue	*q;

	struct archive		*a;		/* NULL: none open */
	uint32_t		 num;
	uint64_t		 first;		/* its first chunk slot */
	uint64_t		 in;		/* pax bytes so far */
	uint64_t		 mf;		/* its manifest bytes */
	uint64_t		 avail;		/* room on the drive */
	uint32_t		 ordinal;	/* entries in it */
	struct prep_tbuf	 ftext;		/* its file records */
	uint64_t		 nfiles;
	uint64_t		 bytes;
};

/* Opens segment j->next_seg on the open drive. */
int	prep_seg_begin(struct prep_seg *s, char **cause);

/*
 * Closes the archive and queues the segment's last chunk and its commit;
 * its journal position is j->entry and j->entry_off, which follow the
 * entry named POS_REL (NULL at the very start).
 */
int	prep_seg_commit(struct prep_seg *s, const char *pos_rel,
	    char **cause);

/* Gives the open segment up: nothing of it is committed. */
void	prep_seg_abort(struct prep_seg *s);
void	prep_seg_free(struct prep_seg *s);

/* Adds file record F to the segment. */
int	prep_seg_file(struct prep_seg *s, struct ds_mf_file *f);

/* Whether COST_IN more pax bytes and COST_MF more manifest bytes fit. */
int	prep_seg_fits(const struct prep_seg *s, uint64_t cost_in,
	    uint64_t cost_mf);
/* The pax bytes of E's header, on the safe side. */
uint64_t prep_seg_header_cost(struct archive_entry *e);
/* The manifest bytes of an entry named REL, on the safe side. */
uint64_t prep_seg_mf_cost(const char *rel);

/* The error of archive A (or NULL) or, first, of the queue's threads. */
int	prep_seg_error(const struct prep_seg *s, struct archive *a,
	    char **cause);

#endif
