/* SPDX-License-Identifier: MIT */
/*
 * Inside restore and verify (restore.c, restore-disk.c): the disk sink
 * that restore gives the hostile-drive reader, and the confined walk it
 * and verify --deep open paths with. Not for other modules.
 *
 * Call order: ds_disk_open(), ds_disk_sink() into ds_dreader_run(),
 * ds_disk_finish() (folders' modes and times, deepest first), then
 * ds_disk_free(). One thread.
 */
#ifndef DS_RESTORE_INT_H
#define DS_RESTORE_INT_H

#include "dreader.h"

struct ds_disk;

/* Opens (making it) the target folder TO; damage is named through DR,
 * borrowed until ds_disk_free. *out is allocated. */
int	ds_disk_open(const char *to, struct ds_dreader *dr,
	    struct ds_disk **out, char **cause);
void	ds_disk_sink(struct ds_disk *k, struct ds_dr_sink *s);
int	ds_disk_finish(struct ds_disk *k);
void	ds_disk_free(struct ds_disk *k);

/*
 * Opens the folder that holds PATH (normal form) under the folder ROOT,
 * one component at a time with O_NOFOLLOW | O_DIRECTORY, so no symbolic
 * link is ever followed; with CREATE, missing folders are made (0755).
 * Returns the folder's descriptor (the caller closes it; ROOT itself is
 * dup'ed) and sets *leaf to PATH's last component (borrowed from PATH),
 * or -1 with errno set.
 */
int	ds_confined_parent(int root, const char *path, int create,
	    const char **leaf);

#endif
