/* SPDX-License-Identifier: MIT */
/*
 * The staging walk: the one place that decides what of a staging folder
 * is copied, used by prep, the wizard's scan, the estimate and verify
 * --deep. A pre-order walk, each folder's entries sorted by name, that
 * does not follow symlinks. One rule (ds_walk_copied): regular files,
 * folders and symlinks are copied; sockets, FIFOs and device nodes are
 * not (each is reported through WARN and listed in w->skipped, so a
 * reader comparing the drives with staging can tell them apart from
 * files lost).
 *
 * Call order: zero a struct ds_walk, ds_walk_dir(), read it,
 * ds_walk_clear(). The walk owns every string in it.
 */
#ifndef DS_WALK_H
#define DS_WALK_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* One entry that will be copied. */
struct ds_walk_ent {
	char		*rel;		/* path relative to the root */
	uint64_t	 size;		/* bytes of a regular file, else 0 */
	dev_t		 dev;
	ino_t		 ino;
	mode_t		 mode;
	nlink_t		 nlink;
	int		 unreadable;	/* cannot be opened now */
	int64_t		 mtime_ns;
	int64_t		 ctime_ns;
};

struct ds_walk {
	struct ds_walk_ent	*ents;		/* in walk order */
	size_t			 nents;
	size_t			 alloc;
	uint64_t		 bytes;		/* sum of ents[].size */
	char			**skipped;	/* not copied: relative */
	size_t			 nskipped;
};

/* Whether an entry of type MODE is copied (the one rule). */
int	ds_walk_copied(mode_t mode);

/*
 * Walks ROOT (an absolute folder) into W. TICK, every 256 entries, may
 * cancel (non-zero: DS_E_CANCELED); WARN gets each entry left out; both
 * may be NULL. A folder that cannot be read is an entry marked
 * unreadable. On an error W holds what was walked so far.
 */
int	ds_walk_dir(const char *root, int (*tick)(void *arg,
	    const struct ds_walk *w), void (*warn)(void *arg,
	    const char *message), void *arg, struct ds_walk *w, char **cause);

/* Frees what W holds and zeroes it. */
void	ds_walk_clear(struct ds_walk *w);

#endif
