/* SPDX-License-Identifier: MIT */
/*
 * Read-ahead for prep: a thread that goes down the sorted walk of the
 * staging folder ahead of the archiver, opens each entry, reads its
 * metadata through libarchive and, for a small regular file, its bytes
 * and their SHA-256. Per-file system calls and hashing then run beside
 * the archiving instead of between two archived files.
 *
 * The archiver takes the entries in the walk's order: ds_ra_get(I)
 * gives entry I, waiting for it, and lets go of every entry before I.
 * It may ask for the same I again (an entry that did not fit is added
 * to the next segment).
 */
#ifndef DS_READAHEAD_H
#define DS_READAHEAD_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct archive_entry;
struct ds_ra;

/* A file up to this size is read whole by the reader. */
#define DS_RA_WHOLE_MAX	(1024 * 1024)

/* What the walk says of entry I: filled in by the caller's function. */
struct ds_ra_src {
	const char	*rel;		/* path below staging */
	mode_t		 mode;		/* from the walk's lstat */
	int		 skip;		/* unreadable at the walk: not opened */
};
typedef void	(*ds_ra_src_fn)(void *arg, size_t i, struct ds_ra_src *out);

struct ds_ra_item {
	size_t			 index;
	/* A regular file: errno of its open (0 if opened), of its fstat,
	 * and whether it is still a regular file. */
	int			 open_errno;
	int			 stat_errno;
	int			 not_reg;
	struct stat		 before;
	int			 fd;		/* left open, or -1 */
	/* archive_read_disk_entry_from_file's result and message. */
	int			 meta_rc;
	char			*meta_err;
	struct archive_entry	*ae;
	/* Read whole (a regular file up to DS_RA_WHOLE_MAX bytes): its
	 * bytes (zeros where it got shorter), their SHA-256, and whether
	 * it changed while it was read. */
	int			 whole;
	const uint8_t		*data;
	size_t			 len;
	uint8_t			 sha[32];
	int			 changed;

	/* Private: its bytes in the reader's ring. */
	size_t			 ring_end;
	size_t			 ring_len;
};

/* Starts reading entries FIRST..N-1 of STAGING; SRC describes them. */
int	 ds_ra_start(struct ds_ra **, const char *staging, size_t first,
	    size_t n, ds_ra_src_fn src, void *arg);

/* Entry I, once read (NULL when the reader ran out of memory). */
struct ds_ra_item *ds_ra_get(struct ds_ra *, size_t i);

/* Stops the reader and frees every entry; takes NULL. */
void	 ds_ra_stop(struct ds_ra *);

#endif
