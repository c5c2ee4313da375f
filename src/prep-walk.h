/* SPDX-License-Identifier: MIT */
/*
 * Prep's use of the staging walk (walk.h, the one walk): the scan with
 * its progress and warnings, shared by prep and ds_staging_scan() (the
 * wizard's scan), and the hard-link map that stores each multiply linked
 * file once and the other names as links to it.
 *
 * Main thread only. Call order of the map: prep_links_find() before
 * prep_links_add() of an entry; prep_links_free() at the end.
 */
#ifndef DS_PREP_WALK_H
#define DS_PREP_WALK_H

#include <sys/types.h>

#include <stddef.h>

struct ds_ui_ops;
struct ds_walk;
struct prep_job;
struct prep_prog;

/* Walks STAGING into W, reporting DS_PHASE_SCAN through PG (once at the
 * start, then throttled) and each entry left out through OPS->warn. */
int	prep_walk_scan(const char *staging, struct prep_prog *pg,
	    struct ds_walk *w, char **cause);

/*
 * The job's walk of its staging folder into W, with the result's counts
 * and unreadable entries; refuses unreadable entries (unless skipped)
 * and a folder with nothing to copy. Nothing is written before it.
 */
int	prep_walk_staging(struct prep_job *j, struct prep_prog *pg,
	    struct ds_walk *w, char **cause);

/* (dev, ino) -> the walk entry stored first; an open-addressing table. */
struct prep_link;
struct prep_links {
	struct prep_link	*v;
	size_t			 size, count;
};

/* The entry stored first under (DEV, INO) into *ENT: 1, or 0 if none. */
int	prep_links_find(const struct prep_links *l, dev_t dev, ino_t ino,
	    size_t *ent);
/* Adds ENT as the one stored under (DEV, INO). */
int	prep_links_add(struct prep_links *l, dev_t dev, ino_t ino, size_t ent);
void	prep_links_free(struct prep_links *l);

#endif
