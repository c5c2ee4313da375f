/* SPDX-License-Identifier: MIT */
/*
 * Prep: format the drives and pack the staging folder onto them
 * (doc/format.md), journaled so that a kill -9 at any instant loses at
 * most the segment being written and --resume continues.
 *
 * Call ds_prep() with the options; it returns DS_E_OK when all of
 * staging is on the drives, DS_E_NEED_DRIVE when every given drive is
 * full (run again with resume and a new drive), DS_E_UNREADABLE when
 * staging holds unreadable files and skip_unreadable is not set (nothing
 * written), or another error (resumable unless nothing was written).
 * *result is allocated in every case but DS_E_NOMEM (ds_prep_result_free).
 */
#ifndef DS_PREP_H
#define DS_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "ops.h"

#define DS_PREP_CHUNK_SIZE	(4U * 1024 * 1024)
#define DS_PREP_SEGMENT_SIZE	((uint64_t)128 * 1024 * 1024)
#define DS_PREP_LEVEL		1

struct ds_prep_opts {
	const char		*staging;	/* NULL on resume */
	const char		*job;
	const char *const	*drives;	/* paths, in order */
	size_t			 ndrives;
	const char		*confirm;	/* as given to --confirm */
	const char		*overwrite_job;	/* --overwrite-job: the
						   unfinished job whose
						   drive may be formatted */
	int			 resume;
	int			 skip_unreadable;
	uint32_t		 chunk_size;	/* 0: DS_PREP_CHUNK_SIZE */
	uint64_t		 segment_size;	/* 0: DS_PREP_SEGMENT_SIZE */
	int			 level;		/* 0: DS_PREP_LEVEL */
	const struct ds_ui_ops	*ops;
};

struct ds_prep_result {
	int		 finished;
	uint64_t	 files;		/* entries in staging */
	uint64_t	 bytes;		/* file bytes in staging */
	size_t		 nunreadable;	/* allocated paths, relative */
	char		**unreadable;
	size_t		 nchanged;	/* files that changed while read */
	char		**changed;
	size_t		 nformatted;	/* drive indexes formatted now */
	int		*formatted;
	size_t		 nclosed;	/* drive indexes completed now */
	int		*closed;
};

int	ds_prep(const struct ds_prep_opts *o, struct ds_prep_result **result,
	    char **cause);
void	ds_prep_result_free(struct ds_prep_result *r);

/* What a scan of a staging folder found, by prep's own walk and rules. */
struct ds_scan {
	uint64_t	 files;		/* entries */
	uint64_t	 bytes;		/* file bytes */
	size_t		 nunreadable;	/* allocated relative paths */
	char		**unreadable;
};

/*
 * Walks STAGING as prep will (same order, same rules); OPS->progress gets
 * DS_PHASE_SCAN with files_done; a non-zero return cancels
 * (DS_E_CANCELED). *out is allocated: free it with ds_scan_free.
 */
int	ds_staging_scan(const char *staging, const struct ds_ui_ops *ops,
	    struct ds_scan **out, char **cause);
void	ds_scan_free(struct ds_scan *s);

#endif
